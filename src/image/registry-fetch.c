/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>
#include <sys/stat.h>

#include "blob-partial.h"
#include "log.h"
#include "registry-fetch.h"
#include "time-util.h"

#define PROGRESS_EVERY_USEC (250ULL * 1000ULL)

typedef struct Fetch {
        RegistryClient *client;
        CURLM *multi;
        BlobFetch *f;
        size_t n;
        unsigned running;
        const BlobFetchHooks *hooks;
        UnpackError *error;
} Fetch;

static void job_stop(Fetch *F, BlobFetch *f) {
        if (f->running) {
                (void) curl_multi_remove_handle(F->multi, f->curl);
                f->running = false;
                F->running--;
        }
        curl_slist_free_all(f->headers);
        f->headers = NULL;
        registry_response_done(&f->resp);
}

static void job_done(Fetch *F, BlobFetch *f) {
        job_stop(F, f);
        if (f->curl)
                curl_easy_cleanup(f->curl);
        f->curl = NULL;
        if (f->have_writer)
                blob_writer_done(&f->w);
        f->have_writer = false;
        free(f->url);
        f->url = NULL;
}

/* The file the blob goes to: its partial file (resumed), or an unnamed one when another pull of the
 * same blob holds the partial. */
static int job_open_writer(Fetch *F, BlobFetch *f) {
        ImageStore *s = F->client->store;
        uint64_t offset = 0;
        int r;

        r = blob_partial_open(s, f->d->digest, f->d->size, &f->w, &offset);
        if (r == -EBUSY) {
                r = blob_writer_begin(s, f->d->size, &f->w);
                offset = 0;
        } else
                f->partial = r >= 0;
        if (r < 0)
                return unpack_error_set(F->error, r, "cannot create a file for the %s in the store: %s", f->what,
                                        strerror(-r));
        f->have_writer = true;
        f->resumed_from = offset;
        F->client->done += offset;
        if (offset > 0)
                log_debug("Resuming %s %s at byte %llu.", f->what, f->d->digest, (unsigned long long) offset);
        return 0;
}

static int job_commit(Fetch *F, size_t i);
static int job_retry(Fetch *F, BlobFetch *f, int r, const char *reason, bool restart);

static int job_start(Fetch *F, size_t i) {
        BlobFetch *f = F->f + i;
        _cleanup_free_ char *path = NULL;
        const char *reason = NULL;
        int r;

        if (!f->have_writer) {
                r = job_open_writer(F, f);
                if (r < 0)
                        return r;
                f->spliced = f->w.hash.size > 0;
                if (f->w.hash.size == f->d->size) /* an earlier pull got it all, and stopped there */
                        return job_commit(F, i);
        }
        if (!f->url) {
                if (asprintf(&path, "blobs/%s", f->d->digest) < 0)
                        return -ENOMEM;
                r = registry_url(F->client, path, &f->url);
                if (r < 0)
                        return r;
        }
        if (!f->curl && !(f->curl = curl_easy_init()))
                return -ENOMEM;
        if (f->w.hash.size > 0)
                f->spliced = true;
        r = registry_token_refresh(F->client, &reason);
        if (r < 0)
                return unpack_error_set(F->error, r, "cannot fetch the %s %.19s…: %s", f->what, f->d->digest,
                                        strna(reason));
        f->resp = (RegistryResponse) { .sink = &f->w, .blob_size = f->d->size };
        f->x = (RegistryExchange) { .client = F->client, .curl = f->curl, .resp = &f->resp, .upload_fd = -EBADF,
                                    .range_start = f->w.hash.size };
        r = registry_exchange_setup(&f->x, "GET", f->url, NULL, &f->headers, &reason);
        if (r < 0)
                return unpack_error_set(F->error, r, "cannot fetch the %s %.19s…: %s", f->what, f->d->digest,
                                        strna(reason));
        (void) curl_easy_setopt(f->curl, CURLOPT_PRIVATE, (void *) f);
        /* Blobs are big: fewer, larger writes and hash updates than curl's 16 KiB. */
        (void) curl_easy_setopt(f->curl, CURLOPT_BUFFERSIZE, 256L * 1024L);
        if (curl_multi_add_handle(F->multi, f->curl) != CURLM_OK)
                return -ENOMEM;
        f->running = true;
        F->running++;
        return 0;
}

/* The whole blob is there: verified and linked in, its partial file gone. */
static int job_commit(Fetch *F, size_t i) {
        BlobFetch *f = F->f + i;
        ImageStore *s = F->client->store;
        int r;

        if (f->w.hash.size != f->d->size)
                r = -EBADMSG;
        else if (f->partial && fchmod(f->w.fd, 0644) < 0) /* as every blob: the partial file was private */
                r = -errno;
        else
                r = blob_writer_commit(s, &f->w, f->d->digest, NULL, NULL);
        if (r == -EBADMSG && f->spliced && !f->restarted) {
                /* The bytes held came from an earlier request, or an earlier pull (maybe from another,
                 * hostile, registry, which sent something else and stopped): they must not make this
                 * pull fail. Once more from the first byte; a second mismatch is the registry's. */
                log_debug("The %s %s does not match its digest after a resume: fetching it whole.", f->what,
                          f->d->digest);
                f->restarted = true;
                f->spliced = false;
                return job_retry(F, f, -EBADMSG, "it did not match its digest", true);
        }
        if (r == -EBADMSG) {
                blob_partial_remove(s, f->d->digest); /* it would fail again: start over next time */
                return unpack_error_set(F->error, r, "the %s %.19s… does not match its digest or size", f->what,
                                        f->d->digest);
        }
        if (r < 0)
                return unpack_error_set(F->error, r, "cannot store the %s: %s", f->what, strerror(-r));
        if (f->partial)
                blob_partial_remove(s, f->d->digest);
        job_done(F, f);
        f->done = true;
        if (F->hooks && F->hooks->progress)
                F->hooks->progress(F->f, F->n, F->hooks->userdata);
        return F->hooks && F->hooks->fetched ? F->hooks->fetched(i, F->hooks->userdata) : 0;
}

/* Another attempt later, from what came so far (or from 0: restart). */
static int job_retry(Fetch *F, BlobFetch *f, int r, const char *reason, bool restart) {
        unsigned delay;

        if (++f->attempts >= REGISTRY_ATTEMPTS_MAX) {
                if (r < 0)
                        return unpack_error_set(F->error, r, "cannot fetch the %s %.19s…: %s (%u attempts)", f->what,
                                                f->d->digest, reason, f->attempts);
                return registry_http_error(F->client, F->error, f->resp.status, f->what);
        }
        delay = registry_retry_delay(f->attempts - 1, r < 0 ? NULL : &f->resp);
        log_debug("Fetching %s %s failed (%s), trying again in %us.", f->what, f->d->digest,
                  r < 0 ? reason : "HTTP error", delay);
        if (restart) {
                F->client->done -= MIN(F->client->done, f->w.hash.size);
                r = blob_writer_reset(&f->w);
                if (r < 0)
                        return unpack_error_set(F->error, r, "cannot write the %s: %s", f->what, strerror(-r));
        }
        job_stop(F, f);
        f->not_before = now_usec(CLOCK_MONOTONIC) + delay * USEC_PER_SEC;
        return 0;
}

static int job_finished(Fetch *F, BlobFetch *f, CURLcode e) {
        const char *reason = NULL;
        size_t i = (size_t) (f - F->f);
        int r;

        (void) curl_multi_remove_handle(F->multi, f->curl);
        f->running = false;
        F->running--;
        r = registry_exchange_result(&f->x, f->url, e, &reason);
        if (r == -ERANGE)
                return job_retry(F, f, r, reason, true);
        if (r >= 0 && f->resp.status == 401 && !f->auth_retried && f->resp.www_authenticate) {
                /* The token expired, or this blob wants another: a new one, then at once again. */
                f->auth_retried = true;
                r = registry_authenticate(F->client, &f->resp, &reason);
                if (r < 0)
                        return unpack_error_set(F->error, r, "cannot fetch the %s %.19s…: %s", f->what, f->d->digest,
                                                reason);
                job_stop(F, f);
                return 0;
        }
        if (r >= 0 && f->resp.status == 416) /* what we hold is not a prefix of it: from the start */
                return job_retry(F, f, -ERANGE, "the registry refused the range", true);
        if (registry_is_transient(r, &f->resp))
                return job_retry(F, f, r, reason, false);
        if (r < 0)
                return unpack_error_set(F->error, r, "cannot fetch the %s %.19s…: %s", f->what, f->d->digest, reason);
        if (f->resp.status != 200 && f->resp.status != 206)
                return registry_http_error(F->client, F->error, f->resp.status, f->what);
        if (f->w.hash.size < f->d->size) /* the answer ended early without curl noticing */
                return job_retry(F, f, -ECONNRESET, "the answer ended early", false);
        return job_commit(F, i);
}

/* Starts what may start; *ret_wait_usec: until the next retry is due. Returns whether any is left. */
static int schedule(Fetch *F, unsigned parallel, uint64_t *ret_wait_usec, bool *ret_left) {
        uint64_t now = now_usec(CLOCK_MONOTONIC), wait = USEC_PER_SEC;
        bool left = false;
        int r;

        for (size_t i = 0; i < F->n; i++) {
                BlobFetch *f = F->f + i;

                if (f->done)
                        continue;
                left = true;
                if (f->running || F->running >= parallel)
                        continue;
                if (f->not_before > now) {
                        wait = MIN(wait, f->not_before - now);
                        continue;
                }
                r = job_start(F, i);
                if (r < 0)
                        return r;
        }
        *ret_wait_usec = wait;
        *ret_left = left;
        return 0;
}

static int drain(Fetch *F) {
        CURLMsg *msg;
        int q, r;

        while ((msg = curl_multi_info_read(F->multi, &q)))
                if (msg->msg == CURLMSG_DONE) {
                        BlobFetch *f = NULL;

                        (void) curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **) &f);
                        if (!f)
                                return -EIO;
                        r = job_finished(F, f, msg->data.result);
                        if (r < 0)
                                return r;
                }
        return 0;
}

static int first_pass(Fetch *F) {
        ImageStore *s = F->client->store;
        int r;

        for (size_t i = 0; i < F->n; i++) {
                BlobFetch *f = F->f + i;

                if (!image_store_has_blob(s, f->d->digest))
                        continue;
                /* Already here (another image shares it): not fetched again. */
                f->done = true;
                F->client->done += f->d->size;
                if (F->hooks && F->hooks->fetched) {
                        r = F->hooks->fetched(i, F->hooks->userdata);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static int fetch_loop(Fetch *F, unsigned parallel) {
        uint64_t last_progress = 0;
        int r;

        r = first_pass(F);
        if (r < 0)
                return r;
        for (;;) {
                struct curl_waitfd extra = { .fd = -1, .events = CURL_WAIT_POLLIN };
                uint64_t wait, now;
                bool left;
                int busy = 0, still;

                r = schedule(F, parallel, &wait, &left);
                if (r < 0)
                        return r;
                if (curl_multi_perform(F->multi, &still) != CURLM_OK)
                        return unpack_error_set(F->error, -EIO, "the HTTP client failed");
                r = drain(F);
                if (r < 0)
                        return r;
                if (F->hooks && F->hooks->step) {
                        busy = F->hooks->step(F->hooks->userdata, &extra.fd);
                        if (busy < 0)
                                return busy;
                }
                left = false; /* again: blobs may have come in just now */
                for (size_t i = 0; i < F->n; i++)
                        left = left || !F->f[i].done;
                now = now_usec(CLOCK_MONOTONIC);
                if (F->hooks && F->hooks->progress && now - last_progress >= PROGRESS_EVERY_USEC) {
                        F->hooks->progress(F->f, F->n, F->hooks->userdata);
                        last_progress = now;
                }
                if (!left && busy == 0)
                        return 0;
                if (curl_multi_poll(F->multi, extra.fd >= 0 ? &extra : NULL, extra.fd >= 0 ? 1 : 0,
                                    (int) MAX(wait / 1000U, (uint64_t) 1), NULL) != CURLM_OK)
                        return unpack_error_set(F->error, -EIO, "the HTTP client failed");
        }
}

int registry_fetch_blobs(RegistryClient *c, BlobFetch *f, size_t n, unsigned parallel, const BlobFetchHooks *hooks,
                         UnpackError *error) {
        Fetch F = { .client = c, .f = f, .n = n, .hooks = hooks, .error = error };
        int r;

        F.multi = curl_multi_init();
        if (!F.multi)
                return -ENOMEM;
        /* One connection per request in flight, no pipelining: what a registry behind a proxy expects. */
        (void) curl_multi_setopt(F.multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long) MAX(parallel, 1U));
        r = fetch_loop(&F, MIN(MAX(parallel, 1U), REGISTRY_PARALLEL_MAX));
        for (size_t i = 0; i < n; i++)
                job_done(&F, f + i);
        curl_multi_cleanup(F.multi);
        return r;
}

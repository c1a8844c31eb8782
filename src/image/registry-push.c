/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "registry-fetch.h"
#include "registry-push.h"
#include "worker-child.h"
#include "strv.h"

#define STRV_MAKE(...) ((char *[]) { __VA_ARGS__, NULL })

/* Location of a 202 answer, which may be relative to the URL asked; with ?digest= when digest is set
 * (the closing PUT). */
static int resolve_location(RegistryClient *c, const char *location, const char *digest, char **ret) {
        CURLU *u = curl_url();
        char *full = NULL;
        int r = -EBADMSG;

        if (!u)
                return -ENOMEM;
        if (curl_url_set(u, CURLUPART_URL, c->location.base, 0) == CURLUE_OK &&
            curl_url_set(u, CURLUPART_URL, location, 0) == CURLUE_OK &&
            curl_url_get(u, CURLUPART_URL, &full, 0) == CURLUE_OK) {
                if (digest)
                        r = asprintf(ret, "%s%sdigest=%s", full, strchr(full, '?') ? "&" : "?", digest) < 0 ? -ENOMEM : 0;
                else
                        r = (*ret = strdup(full)) ? 0 : -ENOMEM;
        }
        curl_free(full);
        curl_url_cleanup(u);
        return r;
}

int registry_mount_sources(RegistryClient *c, char *const *names, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;

        STRV_FOREACH(n, names) {
                _cleanup_(registry_location_done) RegistryLocation loc = {};

                if (registry_location(*n, false, &loc) < 0 || !streq(loc.host, c->location.host) ||
                    streq(loc.repository, c->location.repository) || strv_contains(l, loc.repository))
                        continue;
                if (strv_extend(&l, loc.repository) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

/* An upload session: from a mount answered 202, or a new one. *ret_url NULL: the blob was mounted
 * from *ret_from. */
static int upload_session(RegistryClient *c, const ImageDescriptor *d, char *const *mount_from, char **ret_url,
                          const char **ret_from, bool *ret_transient, UnpackError *error) {
        _cleanup_(registry_response_done) RegistryResponse post = {};
        const char *reason;
        int r;

        STRV_FOREACH(from, mount_from) {
                _cleanup_(registry_response_done) RegistryResponse m = {};
                _cleanup_free_ char *path = NULL;

                if (asprintf(&path, "blobs/uploads/?mount=%s&from=%s", d->digest, *from) < 0)
                        return -ENOMEM;
                r = registry_request(c, "POST", path, NULL, -EBADF, NULL, 0, &m, &reason);
                if (r >= 0 && m.status == 201) {
                        log_debug("Mounted blob %s from %s.", d->digest, *from);
                        *ret_url = NULL;
                        *ret_from = *from;
                        return 0;
                }
                /* 202: the registry would not mount (no such blob there, no right to read it) and opened
                 * an upload instead; anything else: try the next source, then upload. */
                if (r >= 0 && m.status == 202 && m.location)
                        return resolve_location(c, m.location, NULL, ret_url);
        }
        r = registry_request(c, "POST", "blobs/uploads/", NULL, -EBADF, NULL, 0, &post, &reason);
        if (r < 0) {
                *ret_transient = registry_is_transient(r, &post);
                return unpack_error_set(error, r, "cannot start an upload: %s", reason);
        }
        if (post.status != 202 || !post.location) {
                *ret_transient = registry_is_transient(0, &post);
                return registry_http_error(c, error, post.status, "upload");
        }
        r = resolve_location(c, post.location, NULL, ret_url);
        if (r < 0)
                return unpack_error_set(error, r, "the registry sent an unusable upload location");
        return 0;
}

/* PATCH the blob up in chunks, each to the location the previous answer gave. */
static int upload_chunks(RegistryClient *c, int fd, uint64_t size, char **url, bool *ret_transient, UnpackError *error) {
        for (uint64_t off = 0; off < size;) {
                _cleanup_(registry_response_done) RegistryResponse resp = {};
                uint64_t n = MIN((uint64_t) REGISTRY_CHUNK_SIZE, size - off);
                char range[64];
                const char *reason;
                char *next;
                int r;

                (void) snprintf(range, sizeof(range), "Content-Range: %llu-%llu", (unsigned long long) off,
                                (unsigned long long) (off + n - 1));
                r = registry_upload(c, "PATCH", *url, STRV_MAKE(range, "Content-Type: application/octet-stream"), fd,
                                    off, NULL, n, &resp, &reason);
                if (r < 0) {
                        *ret_transient = registry_is_transient(r, &resp);
                        return unpack_error_set(error, r, "cannot upload a chunk: %s", reason);
                }
                if (resp.status != 202 || !resp.location) {
                        *ret_transient = registry_is_transient(0, &resp);
                        return registry_http_error(c, error, resp.status, "chunk upload");
                }
                r = resolve_location(c, resp.location, NULL, &next);
                if (r < 0)
                        return unpack_error_set(error, r, "the registry sent an unusable upload location");
                free(*url);
                *url = next;
                off += n;
        }
        return 0;
}

static int upload_once(RegistryClient *c, const ImageDescriptor *d, int fd, uint64_t size, char *const *mount_from,
                       char state[static REGISTRY_PUSH_STATE_MAX], bool *ret_transient, UnpackError *error) {
        _cleanup_(registry_response_done) RegistryResponse put = {};
        _cleanup_free_ char *url = NULL, *final = NULL;
        bool chunked = size > REGISTRY_CHUNK_SIZE;
        uint64_t done = c->done;
        const char *reason, *from = NULL;
        int r;

        r = upload_session(c, d, mount_from, &url, &from, ret_transient, error);
        if (r < 0)
                return r;
        if (!url) {
                c->done += size;
                (void) snprintf(state, REGISTRY_PUSH_STATE_MAX, "mounted %s", from);
                return 0;
        }
        if (chunked) {
                r = upload_chunks(c, fd, size, &url, ret_transient, error);
                if (r < 0) {
                        c->done = done;
                        return r;
                }
        }
        r = resolve_location(c, url, d->digest, &final);
        if (r < 0)
                return unpack_error_set(error, r, "the registry sent an unusable upload location");
        r = registry_upload(c, "PUT", final, STRV_MAKE("Content-Type: application/octet-stream"), chunked ? -EBADF : fd,
                            0, NULL, chunked ? 0 : size, &put, &reason);
        if (r < 0) {
                c->done = done;
                *ret_transient = registry_is_transient(r, &put);
                return unpack_error_set(error, r, "cannot upload blob %.19s…: %s", d->digest, reason);
        }
        if (put.status != 201) {
                c->done = done;
                *ret_transient = registry_is_transient(0, &put);
                return registry_http_error(c, error, put.status, "blob upload");
        }
        (void) snprintf(state, REGISTRY_PUSH_STATE_MAX, "pushed");
        return 0;
}

int registry_push_blob(RegistryClient *c, ImageStore *s, const ImageDescriptor *d, int fd_in, char *const *mount_from,
                       char state[static REGISTRY_PUSH_STATE_MAX], UnpackError *error) {
        _cleanup_(registry_response_done) RegistryResponse head = {};
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *reason;
        uint64_t size;
        int r;

        if (asprintf(&path, "blobs/%s", d->digest) < 0)
                return -ENOMEM;
        r = registry_request(c, "HEAD", path, NULL, -EBADF, NULL, 0, &head, &reason);
        if (r < 0)
                return unpack_error_set(error, r, "cannot ask the registry for blob %.19s…: %s", d->digest, reason);
        if (head.status == 200) {
                c->done += d->size;
                (void) snprintf(state, REGISTRY_PUSH_STATE_MAX, "exists");
                return 0;
        }
        if (head.status == 401 || head.status == 403)
                return registry_http_error(c, error, head.status, "blob");
        if (fd_in >= 0) {
                fd = fcntl(fd_in, F_DUPFD_CLOEXEC, 3);
                if (fd < 0)
                        return -errno;
                size = d->size;
        } else
                fd = image_store_open_blob(s, d->digest, &size);
        if (fd < 0)
                return unpack_error_set(error, fd, "blob %.19s… is missing from the store", d->digest);
        for (unsigned attempt = 0;; attempt++) {
                UnpackError e = {};
                bool transient = false;

                r = upload_once(c, d, fd, size, mount_from, state, &transient, &e);
                if (r >= 0)
                        return 0;
                if (!transient || attempt + 1 >= REGISTRY_ATTEMPTS_MAX)
                        return unpack_error_set(error, r, "%s", e.message);
                log_debug("Uploading blob %s failed (%s), starting over.", d->digest, e.message);
                (void) sleep(registry_retry_delay(attempt, NULL));
        }
}

/* ---- several at once ------------------------------------------------------------------------- */

typedef struct PushChild {
        WorkerChild child;
        size_t i;
        /* for the child */
        RegistryClient *client;
        const ImageDescriptor *d;
        int fd_in;
        char *const *mount_from;
} PushChild;

/* A client of the child's own (no connection shared with the parent), with what c learnt: the
 * token, Basic, the fall-back to http. */
static int child_client(RegistryClient *c, RegistryClient **ret) {
        _cleanup_(registry_client_freep) RegistryClient *k = NULL;
        const char *reason = NULL;
        int r;

        r = registry_client_new(c->store, c->location.name, c->insecure, c->scope_actions, &c->credentials, &k, &reason);
        if (r < 0)
                return r;
        if ((c->token && !(k->token = strdup(c->token))) || (c->challenge && !(k->challenge = strdup(c->challenge))))
                return -ENOMEM;
        free(k->location.base);
        k->location.base = strdup(c->location.base);
        if (!k->location.base)
                return -ENOMEM;
        k->token_until = c->token_until;
        k->basic = c->basic;
        k->https_checked = c->https_checked;
        *ret = TAKE_PTR(k);
        return 0;
}

/* The blob's state is its verdict's note (worker-child.h). */
static int push_child(void *userdata, UnpackError *error) {
        PushChild *k = userdata;
        RegistryClient *c = NULL; /* never freed: the child _exit()s */
        char state[REGISTRY_PUSH_STATE_MAX] = "";
        int r;

        k->client->store->progress = NULL; /* the parent counts whole blobs */
        r = child_client(k->client, &c);
        if (r < 0)
                return unpack_error_set(error, r, "cannot set up an upload: %s", strerror(-r));
        r = registry_push_blob(c, c->store, k->d, k->fd_in, k->mount_from, state, error);
        if (r >= 0)
                (void) snprintf(error->message, sizeof(error->message), "%s", state);
        return r;
}

static void push_state(RegistryClient *c, const ImageDescriptor *d, size_t i, size_t n_layers, const char *state) {
        if (i < n_layers && c->store->layer_state)
                c->store->layer_state(i, d[i].digest, d[i].size, state, c->store->progress_userdata);
}

int registry_push_blobs(RegistryClient *c, const ImageDescriptor *d, const int *fds, size_t n, size_t n_layers,
                        char *const *mount_from, unsigned parallel, UnpackError *error) {
        PushChild running[REGISTRY_PARALLEL_MAX] = {};
        size_t next = 0, n_running = 0;
        int r = 0;

        for (size_t i = 0; i < n; i++)
                push_state(c, d, i, n_layers, "waiting");
        parallel = MIN(MAX(parallel, 1U), (unsigned) REGISTRY_PARALLEL_MAX);
        if (parallel == 1 || n <= 1) {
                for (size_t i = 0; r >= 0 && i < n; i++) {
                        char state[REGISTRY_PUSH_STATE_MAX] = "";

                        push_state(c, d, i, n_layers, "pushing");
                        r = registry_push_blob(c, c->store, d + i, fds[i], mount_from, state, error);
                        if (r >= 0)
                                push_state(c, d, i, n_layers, state);
                }
                return r;
        }
        while (next < n || n_running > 0) {
                struct pollfd p[REGISTRY_PARALLEL_MAX];

                while (r >= 0 && n_running < parallel && next < n) {
                        PushChild *k = running + n_running;
                        int k_r;

                        *k = (PushChild) { .client = c, .d = d + next, .fd_in = fds[next], .mount_from = mount_from };
                        k_r = worker_child_start(&k->child, "blob upload", push_child, k);
                        if (k_r < 0) {
                                r = unpack_error_set(error, k_r, "cannot start an upload worker: %s", strerror(-k_r));
                                break;
                        }
                        push_state(c, d, next, n_layers, "pushing");
                        k->i = next++;
                        n_running++;
                }
                if (n_running == 0)
                        break;
                for (size_t j = 0; j < n_running; j++)
                        p[j] = (struct pollfd) { .fd = running[j].child.fd, .events = POLLIN };
                if (poll(p, n_running, -1) < 0 && errno != EINTR)
                        r = r < 0 ? r : -errno;
                for (size_t j = 0; j < n_running; j++) {
                        int k_r;

                        if (p[j].revents == 0 && r >= 0)
                                continue;
                        if (r < 0) /* one failed: the others are not waited for */
                                worker_child_kill(&running[j].child);
                        k_r = running[j].child.pid > 0 ? worker_child_read(&running[j].child, error) : 0;
                        if (k_r > 0)
                                continue;
                        if (k_r == 0 && r >= 0) { /* one is up */
                                push_state(c, d, running[j].i, n_layers, running[j].child.buf);
                                c->done += d[running[j].i].size;
                                if (c->store->progress)
                                        c->store->progress(c->done, c->total, c->store->progress_userdata);
                        }
                        if (k_r < 0 && r >= 0)
                                r = k_r;
                        running[j] = running[--n_running]; /* p[j] now stale: looked at next round */
                        p[j] = p[n_running];
                        j--;
                }
        }
        return r;
}

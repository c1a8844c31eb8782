/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <limits.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"

#include "blob-partial.h"
#include "json-util.h"
#include "registry-parse.h"
#include "registry-client.h"
#include "strv.h"
#include "time-util.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct curl_slist *, curl_slist_free_all);

void registry_response_done(RegistryResponse *r) {
        free(r->content_type);
        free(r->www_authenticate);
        free(r->docker_digest);
        free(r->location);
        free(r->content_range);
        free(r->retry_after);
        free(r->body);
        *r = (RegistryResponse) { .max_body = r->max_body, .sink = r->sink, .blob_size = r->blob_size };
}

int registry_client_new(ImageStore *store, const char *ref, bool insecure, const char *actions,
                        const RegistryCredentials *credentials, RegistryClient **ret, const char **ret_reason) {
        _cleanup_(registry_client_freep) RegistryClient *c = NULL;
        int r;

        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
                return -EIO;
        c = calloc(1, sizeof(RegistryClient));
        if (!c)
                return -ENOMEM;
        c->store = store;
        r = registry_location(ref, insecure, &c->location);
        if (r < 0)
                return r;
        c->insecure = insecure;
        r = registry_tls_load(c->location.host, &c->tls, ret_reason);
        if (r < 0)
                return r;
        c->scope_actions = strdup(actions);
        if (credentials && credentials->user) {
                c->credentials.user = strdup(credentials->user);
                c->credentials.password = strdup(strempty(credentials->password));
                if (!c->credentials.user || !c->credentials.password)
                        return -ENOMEM;
        }
        c->curl = curl_easy_init();
        if (!c->scope_actions || !c->curl)
                return -ENOMEM;
        *ret = TAKE_PTR(c);
        return 0;
}

RegistryClient *registry_client_free(RegistryClient *c) {
        if (!c)
                return NULL;
        if (c->curl)
                curl_easy_cleanup(c->curl);
        registry_location_done(&c->location);
        free(c->token);
        free(c->challenge);
        registry_credentials_done(&c->credentials);
        registry_tls_done(&c->tls);
        free(c->scope_actions);
        free(c);
        return NULL;
}

/* ---- callbacks ---------------------------------------------------------------------------------- */

static int set_header(char **slot, const char *value, size_t n) {
        while (n > 0 && (value[n - 1] == '\r' || value[n - 1] == '\n' || value[n - 1] == ' '))
                n--;
        while (n > 0 && (*value == ' ' || *value == '\t'))
                value++, n--;
        free(*slot);
        *slot = strndup(value, MIN(n, (size_t) REGISTRY_HEADER_MAX));
        return *slot ? 0 : -ENOMEM;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userdata) {
        RegistryExchange *x = userdata;
        RegistryResponse *r = x->resp;
        size_t n = size * nmemb;
        static const struct {
                const char *name;
                size_t offset;
        } wanted[] = {
                { "content-type:", offsetof(RegistryResponse, content_type) },
                { "www-authenticate:", offsetof(RegistryResponse, www_authenticate) },
                { "docker-content-digest:", offsetof(RegistryResponse, docker_digest) },
                { "location:", offsetof(RegistryResponse, location) },
                { "content-range:", offsetof(RegistryResponse, content_range) },
                { "retry-after:", offsetof(RegistryResponse, retry_after) },
        };

        /* A new status line: the headers of a redirect before it do not count. */
        if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
                for (size_t i = 0; i < ELEMENTSOF(wanted); i++) {
                        char **slot = (char **) ((uint8_t *) r + wanted[i].offset);

                        free(*slot);
                        *slot = NULL;
                }
                return n;
        }
        for (size_t i = 0; i < ELEMENTSOF(wanted); i++) {
                size_t k = strlen(wanted[i].name);

                if (n > k && strncasecmp(data, wanted[i].name, k) == 0 &&
                    set_header((char **) ((uint8_t *) r + wanted[i].offset), data + k, n - k) < 0)
                        return 0;
        }
        return n;
}

/* The first bytes of a 2xx answer to a request that asked for a range: a 206 must start where asked;
 * a 200 (a server that ignores Range) brings the whole blob, so the sink starts over. */
static int resume_check(RegistryExchange *x, long status) {
        RegistryResponse *r = x->resp;
        uint64_t first, last, total;
        int k;

        if (x->range_start == 0)
                return 0;
        if (status == 206) {
                if (registry_parse_content_range(r->content_range, &first, &last, &total) < 0 || first != x->range_start)
                        return -ERANGE;
                return 0;
        }
        k = blob_writer_reset(r->sink);
        if (k < 0)
                return k;
        x->client->done -= MIN(x->client->done, x->range_start);
        if (x->received)
                *x->received = 0;
        x->range_start = 0;
        return 0;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata) {
        RegistryExchange *x = userdata;
        RegistryResponse *r = x->resp;
        size_t n = size * nmemb, keep = n;
        long status = 0;
        char *b;

        (void) curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &status);
        if (r->sink && status >= 200 && status < 300) {
                if (!x->body_started) {
                        x->body_started = true;
                        r->sink_error = resume_check(x, status);
                        if (r->sink_error < 0)
                                return 0;
                }
                r->sink_error = blob_writer_write(r->sink, data, n);
                if (r->sink_error < 0)
                        return 0;
                if (x->received)
                        *x->received += n;
                x->client->done += n;
                if (x->client->store->progress && x->client->done % (1024U * 1024U) < n)
                        x->client->store->progress(x->client->done, x->client->total,
                                                   x->client->store->progress_userdata);
                return n;
        }
        /* Error bodies are kept short (and cut, not refused); a 2xx body in memory is bounded by max_body. */
        if (status < 200 || status >= 300) {
                if (r->n_body >= REGISTRY_ERROR_BODY_MAX)
                        return n;
                keep = MIN(n, REGISTRY_ERROR_BODY_MAX - r->n_body);
        } else if (r->n_body + n > (r->sink ? REGISTRY_ERROR_BODY_MAX : r->max_body)) {
                if (r->sink)
                        return n;
                r->too_big = true;
                return 0;
        }
        b = realloc(r->body, r->n_body + keep + 1);
        if (!b)
                return 0;
        memcpy(b + r->n_body, data, keep);
        r->body = b;
        r->n_body += keep;
        r->body[r->n_body] = 0;
        return n;
}

static size_t on_upload(char *buffer, size_t size, size_t nitems, void *userdata) {
        RegistryExchange *x = userdata;
        size_t n = (size_t) MIN((uint64_t) size * nitems, x->upload_size - x->upload_done);
        ssize_t k;

        if (n == 0)
                return 0;
        if (x->upload) {
                memcpy(buffer, x->upload + x->upload_done, n);
                k = (ssize_t) n;
        } else
                do
                        k = pread(x->upload_fd, buffer, n, (off_t) (x->upload_offset + x->upload_done));
                while (k < 0 && errno == EINTR);
        if (k <= 0)
                return CURL_READFUNC_ABORT;
        x->upload_done += (uint64_t) k;
        x->client->done += (uint64_t) k;
        if (x->client->store->progress && x->client->done % (1024U * 1024U) < (uint64_t) k)
                x->client->store->progress(x->client->done, x->client->total, x->client->store->progress_userdata);
        return (size_t) k;
}

/* ---- requests ----------------------------------------------------------------------------------- */

/* A registry that trickles must not hold a pull (and the transfer slot it takes) for long: a request
 * that moves less than 1 KiB/s for 30 s is given up, and each has an overall deadline, two minutes
 * for manifests and tokens, plus the time a blob's declared size takes at 64 KiB/s. */
#define REGISTRY_LOW_SPEED_BYTES 1024L
#define REGISTRY_LOW_SPEED_SECONDS 30L
#define REGISTRY_DEADLINE_BASE_SECONDS 120L
#define REGISTRY_DEADLINE_RATE (64U * 1024U)

/* Whether url is on the registry's own scheme, host and port (its base), not merely starting like it. */
static bool url_is_registry(RegistryClient *c, const char *url) {
        size_t n = strlen(c->location.base);

        return strneq(url, c->location.base, n) && (url[n] == '/' || url[n] == 0);
}

static long request_deadline(uint64_t size) {
        uint64_t extra = size / REGISTRY_DEADLINE_RATE;

        return extra > (uint64_t) (LONG_MAX / 2) ? LONG_MAX / 2 : REGISTRY_DEADLINE_BASE_SECONDS + (long) extra;
}

int registry_exchange_setup(RegistryExchange *x, const char *method, const char *url, char *const *headers,
                            struct curl_slist **ret_headers, const char **ret_reason) {
        RegistryClient *c = x->client;
        _cleanup_(curl_slist_free_allp) struct curl_slist *list = NULL;
        const char *protocols = c->location.plain_http ? "http,https" : "https";
        _cleanup_free_ char *auth = NULL;
        CURL *h = x->curl;
        bool own;

        STRV_FOREACH(i, headers) {
                struct curl_slist *n = curl_slist_append(list, *i);

                if (!n)
                        return -ENOMEM;
                list = n;
        }
        /* Credentials go to the registry itself only: a Location (an upload session's) may name any
         * host, and a hostile registry must not make drayd hand the token or the password of its
         * user to a third one, nor use them against a host of the network (docker's authorizer
         * likewise answers only the challenges of the host it asked). The token server gets the
         * Basic credentials (x->basic), as docker sends them to the realm. */
        own = url_is_registry(c, url);
        if (c->token && own) {
                struct curl_slist *n;

                /* curl sends it to this host only, never to where a redirect points. */
                if (asprintf(&auth, "Authorization: Bearer %s", c->token) < 0 || !(n = curl_slist_append(list, auth)))
                        return -ENOMEM;
                list = n;
        }
        curl_easy_reset(h);
        if (curl_easy_setopt(h, CURLOPT_URL, url) != CURLE_OK ||
            curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, protocols) != CURLE_OK ||
            curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, protocols) != CURLE_OK) {
                *ret_reason = "the URL is not valid";
                return -EINVAL;
        }
        (void) curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
        (void) curl_easy_setopt(h, CURLOPT_MAXREDIRS, (long) REGISTRY_REDIRECTS_MAX);
        (void) curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        (void) curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
        (void) curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, REGISTRY_LOW_SPEED_BYTES);
        (void) curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, REGISTRY_LOW_SPEED_SECONDS);
        (void) curl_easy_setopt(h, CURLOPT_TIMEOUT, request_deadline(x->upload_size ?: x->resp->blob_size));
        (void) curl_easy_setopt(h, CURLOPT_USERAGENT, "dray/" DRAY_VERSION);
        if (c->insecure) {
                /* --tls-verify=false, and only then: any certificate, any name. */
                (void) curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
                (void) curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
        } else if (own) {
                /* certs.d applies to the registry's own host (a token server has its own). Its CAs
                 * come on top of the system's store, which curl keeps loading from its default. */
                if (c->tls.ca_pem) {
                        struct curl_blob blob = { .data = c->tls.ca_pem, .len = c->tls.n_ca_pem, .flags = CURL_BLOB_NOCOPY };

                        (void) curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob);
                        (void) curl_easy_setopt(h, CURLOPT_CAPATH, "/etc/ssl/certs");
                }
                if (c->tls.cert) {
                        (void) curl_easy_setopt(h, CURLOPT_SSLCERT, c->tls.cert);
                        (void) curl_easy_setopt(h, CURLOPT_SSLKEY, c->tls.key);
                }
        }
        if ((x->basic || (c->basic && own)) && c->credentials.user) {
                /* curl sends them to this host only, never after a redirect to another one. */
                (void) curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long) CURLAUTH_BASIC);
                (void) curl_easy_setopt(h, CURLOPT_USERNAME, c->credentials.user);
                (void) curl_easy_setopt(h, CURLOPT_PASSWORD, c->credentials.password);
        }
        (void) curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
        (void) curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
        (void) curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
        (void) curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        (void) curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
        if (x->range_start > 0) {
                char range[32];

                (void) snprintf(range, sizeof(range), "%llu-", (unsigned long long) x->range_start);
                (void) curl_easy_setopt(h, CURLOPT_RANGE, range);
        }
        if (streq(method, "HEAD"))
                (void) curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
        else if (streq(method, "PUT") || streq(method, "PATCH")) {
                (void) curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
                (void) curl_easy_setopt(h, CURLOPT_READFUNCTION, on_upload);
                (void) curl_easy_setopt(h, CURLOPT_READDATA, x);
                (void) curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t) x->upload_size);
                if (streq(method, "PATCH"))
                        (void) curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PATCH");
        } else if (streq(method, "POST")) {
                (void) curl_easy_setopt(h, CURLOPT_POST, 1L);
                (void) curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
                (void) curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
                (void) curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L); /* 202 + Location is the answer */
        }
        *ret_headers = TAKE_PTR(list);
        return 0;
}

int registry_exchange_result(RegistryExchange *x, const char *url, CURLcode e, const char **ret_reason) {
        RegistryClient *c = x->client;

        x->code = e;
        if (e == CURLE_WRITE_ERROR && x->resp->sink_error == -ERANGE) {
                *ret_reason = "the registry answered a Range request with another range";
                return -ERANGE;
        }
        if (e == CURLE_WRITE_ERROR && x->resp->sink_error < 0) {
                *ret_reason = x->resp->sink_error == -EFBIG ? "the blob is larger than announced or than the free disk space"
                                                            : "cannot write the blob to the store";
                return x->resp->sink_error;
        }
        if (e == CURLE_WRITE_ERROR && x->resp->too_big) {
                *ret_reason = "the answer is larger than allowed";
                return -EFBIG;
        }
        if (e == CURLE_TOO_MANY_REDIRECTS) {
                *ret_reason = "too many redirects (a redirect loop?)";
                return -ELOOP;
        }
        if (e == CURLE_UNSUPPORTED_PROTOCOL) {
                *ret_reason = "a redirect to a refused protocol (plain http needs --tls-verify=false)";
                return -EPROTO;
        }
        if (e == CURLE_SSL_CONNECT_ERROR && c->location.plain_http && !c->https_checked &&
            strneq(url, "https://", 8) && strneq(url, c->location.base, strlen(c->location.base))) {
                *ret_reason = "the registry speaks no TLS";
                return -EPROTONOSUPPORT; /* registry_request() falls back to http */
        }
        if (e == CURLE_PEER_FAILED_VERIFICATION) {
                *ret_reason = c->tls.dir ? "the registry's certificate is not trusted (not by the system CAs, nor by "
                                           "the CAs of certs.d), or names another host (--tls-verify=false skips the check)"
                                         : "the registry's certificate is not trusted (put its CA in "
                                           "/etc/dray/certs.d/HOST:PORT/ca.crt, or --tls-verify=false skips the check)";
                return -EPERM;
        }
        if (e == CURLE_SSL_CERTPROBLEM) {
                *ret_reason = "the client certificate or key of certs.d cannot be used";
                return -EINVAL;
        }
        if (e == CURLE_OPERATION_TIMEDOUT) {
                *ret_reason = "the registry is too slow (under 1 KiB/s for 30 s, or past the request's deadline)";
                return -ETIMEDOUT;
        }
        if (e == CURLE_COULDNT_CONNECT || e == CURLE_RECV_ERROR || e == CURLE_SEND_ERROR || e == CURLE_PARTIAL_FILE ||
            e == CURLE_GOT_NOTHING || e == CURLE_HTTP2 || e == CURLE_HTTP2_STREAM) {
                *ret_reason = curl_easy_strerror(e);
                return -ECONNRESET;
        }
        if (e != CURLE_OK) {
                *ret_reason = curl_easy_strerror(e);
                return -EIO;
        }
        (void) curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &x->resp->status);
        if (strneq(url, c->location.base, strlen(c->location.base)))
                c->https_checked = true;
        return 0;
}

static int perform(RegistryClient *c, const char *method, const char *url, char *const *headers, RegistryExchange *x,
                   const char **ret_reason) {
        _cleanup_(curl_slist_free_allp) struct curl_slist *list = NULL;
        int r;

        x->curl = c->curl;
        r = registry_exchange_setup(x, method, url, headers, &list, ret_reason);
        if (r < 0)
                return r;
        return registry_exchange_result(x, url, curl_easy_perform(c->curl), ret_reason);
}

/* The registry at location.host speaks plain http (allowed for it): the base, and url, go http. */
static int fall_back_to_http(RegistryClient *c, char **url) {
        _cleanup_free_ char *base = NULL, *u = NULL;

        if (asprintf(&base, "http://%s", c->location.host) < 0 ||
            asprintf(&u, "%s%s", base, *url + strlen(c->location.base)) < 0)
                return -ENOMEM;
        free(c->location.base);
        c->location.base = TAKE_PTR(base);
        free(*url);
        *url = TAKE_PTR(u);
        c->https_checked = true;
        return 0;
}

int registry_authenticate(RegistryClient *c, const RegistryResponse *challenge, const char **ret_reason) {
        _cleanup_(registry_challenge_done) RegistryChallenge ch = {};
        _cleanup_(registry_response_done) RegistryResponse resp = { .max_body = 1024U * 1024U };
        _cleanup_free_ char *url = NULL, *default_scope = NULL;
        RegistryExchange x = { .client = c, .resp = &resp, .upload_fd = -EBADF, .basic = true };
        char *service = NULL, *scope = NULL, *token;
        int r;

        r = registry_parse_challenge(challenge->www_authenticate, &ch);
        if (r == -EOPNOTSUPP) {
                if (!c->credentials.user) {
                        *ret_reason = "the registry wants credentials (run dray login for it first)";
                        return -EACCES;
                }
                c->basic = true;
                return 0;
        }
        if (r < 0) {
                *ret_reason = "the registry sent a malformed WWW-Authenticate challenge";
                return -EBADMSG;
        }
        if (asprintf(&default_scope, "repository:%s:%s", c->location.repository, c->scope_actions) < 0)
                return -ENOMEM;
        service = ch.service ? curl_easy_escape(c->curl, ch.service, 0) : NULL;
        /* No actions (a login check): no scope, as docker login asks. */
        scope = ch.scope || !isempty(c->scope_actions) ? curl_easy_escape(c->curl, ch.scope ?: default_scope, 0) : NULL;
        r = asprintf(&url, "%s%s%s%s%s%s", ch.realm, strchr(ch.realm, '?') ? "&" : "?", scope ? "scope=" : "",
                     strempty(scope), service ? (scope ? "&service=" : "service=") : "", strempty(service));
        curl_free(service);
        curl_free(scope);
        if (r < 0)
                return -ENOMEM;
        r = perform(c, "GET", url, NULL, &x, ret_reason);
        if (r < 0)
                return r;
        if (resp.status == 401 || resp.status == 403) {
                *ret_reason = !c->credentials.user ? "the registry wants credentials (run dray login for it first)"
                              : resp.status == 401 ? "the token server refused the credentials (HTTP 401: wrong user name or password?)"
                                                   : "the token server refused the credentials this access (HTTP 403)";
                return -EACCES;
        }
        if (resp.status != 200) {
                *ret_reason = "the token server did not give a token";
                return -EACCES;
        }
        r = registry_token_parse(resp.body, resp.n_body, &token);
        if (r == -EBADMSG)
                *ret_reason = "the token server sent no usable token";
        if (r < 0)
                return r;
        free(c->token);
        c->token = token;
        /* Asked for again 10 s before it expires, so that no request goes out with a stale one. */
        c->token_until = now_usec(CLOCK_MONOTONIC) +
                         (uint64_t) (registry_token_lifetime(resp.body, resp.n_body) - 10U) * USEC_PER_SEC;
        if (challenge->www_authenticate != c->challenge) {
                char *copy = strdup(challenge->www_authenticate);

                if (!copy)
                        return -ENOMEM;
                free(c->challenge);
                c->challenge = copy;
        }
        return 0;
}

int registry_token_refresh(RegistryClient *c, const char **ret_reason) {
        if (!c->token || !c->challenge || now_usec(CLOCK_MONOTONIC) < c->token_until)
                return 0;
        return registry_authenticate(c, &(RegistryResponse) { .www_authenticate = c->challenge }, ret_reason);
}

int registry_url(RegistryClient *c, const char *path, char **ret) {
        char *url;

        if (strneq(path, "http://", 7) || strneq(path, "https://", 8))
                url = strdup(path);
        else if (asprintf(&url, "%s/v2/%s/%s", c->location.base, c->location.repository, path) < 0)
                url = NULL;
        if (!url)
                return -ENOMEM;
        *ret = url;
        return 0;
}

bool registry_is_transient(int r, const RegistryResponse *resp) {
        if (r < 0)
                return r == -ECONNRESET || r == -ETIMEDOUT;
        return resp->status == 429 || resp->status == 500 || resp->status == 502 || resp->status == 503 ||
               resp->status == 504;
}

unsigned registry_retry_delay(unsigned attempt, const RegistryResponse *resp) {
        unsigned seconds;

        if (resp && (resp->status == 429 || resp->status == 503) &&
            registry_parse_retry_after(resp->retry_after, time(NULL), &seconds) >= 0)
                return seconds;
        return 1U << MIN(attempt, 5U);
}

/* One attempt: over http when the registry speaks no TLS, and again with a token (or Basic credentials)
 * after a 401 challenge. */
static int request_once(RegistryClient *c, const char *method, char **url, char *const *headers, int upload_fd,
                        uint64_t upload_offset, const void *upload, uint64_t upload_size, RegistryResponse *resp,
                        const char **ret_reason) {
        uint64_t done = c->done;
        int r;

        for (unsigned attempt = 0;; attempt++) {
                RegistryExchange x = { .client = c, .resp = resp, .upload_fd = upload_fd, .upload_offset = upload_offset,
                                       .upload = upload, .upload_size = upload_size };

                r = registry_token_refresh(c, ret_reason);
                if (r < 0)
                        return r;
                r = perform(c, method, *url, headers, &x, ret_reason);
                if (r == -EPROTONOSUPPORT) {
                        r = fall_back_to_http(c, url);
                        attempt--; /* the same attempt, over http */
                } else if (r >= 0) {
                        if (resp->status == 401 && (c->basic || attempt > 0) && c->credentials.user)
                                c->refused = true;
                        if (resp->status != 401 || attempt > 0 || !resp->www_authenticate)
                                return 0;
                        /* A token (or Basic credentials), then once more. */
                        r = registry_authenticate(c, resp, ret_reason);
                }
                if (r < 0)
                        return r;
                /* Again from the start: nothing went to the sink for a 401 or a failed handshake. */
                registry_response_done(resp);
                c->done = done;
        }
}

int registry_upload(RegistryClient *c, const char *method, const char *path, char *const *headers, int upload_fd,
                    uint64_t upload_offset, const void *upload, uint64_t upload_size, RegistryResponse *resp,
                    const char **ret_reason) {
        _cleanup_free_ char *url = NULL;
        uint64_t done = c->done;
        /* Only what may be asked twice is retried here: a push retries a whole blob upload itself. */
        bool retry = streq(method, "GET") || streq(method, "HEAD");
        int r;

        r = registry_url(c, path, &url);
        if (r < 0)
                return r;
        for (unsigned attempt = 0;; attempt++) {
                unsigned delay;

                r = request_once(c, method, &url, headers, upload_fd, upload_offset, upload, upload_size, resp,
                                 ret_reason);
                if (!retry || !registry_is_transient(r, resp) || attempt + 1 >= REGISTRY_ATTEMPTS_MAX || resp->sink)
                        return r;
                /* A worker process: waiting here holds nothing else up. */
                delay = registry_retry_delay(attempt, resp);
                registry_response_done(resp);
                c->done = done;
                if (delay > 0)
                        (void) sleep(delay);
        }
}

int registry_request(RegistryClient *c, const char *method, const char *path, char *const *headers,
                     int upload_fd, const void *upload, uint64_t upload_size, RegistryResponse *resp,
                     const char **ret_reason) {
        return registry_upload(c, method, path, headers, upload_fd, 0, upload, upload_size, resp, ret_reason);
}

int registry_http_error(RegistryClient *c, UnpackError *error, long status, const char *what) {
        if (status == 401 && c->refused)
                return unpack_error_set(error, -EACCES, "the registry refused the credentials for %s (HTTP 401: wrong "
                                        "user name or password?)", c->location.base);
        if (status == 401 && !c->credentials.user)
                return unpack_error_set(error, -EACCES, "the registry wants credentials for the %s (HTTP 401): run "
                                        "dray login for %s first", what, c->location.base);
        if (status == 404)
                return unpack_error_set(error, -ENOENT, "the registry has no %s (HTTP 404)", what);
        if (status == 401 || status == 403)
                return unpack_error_set(error, -EACCES, "the registry refused access to the %s (HTTP %ld)", what, status);
        if (registry_is_transient(0, &(RegistryResponse) { .status = status }))
                return unpack_error_set(error, -EAGAIN, "the registry answered HTTP %ld for the %s, %u times", status,
                                        what, REGISTRY_ATTEMPTS_MAX);
        return unpack_error_set(error, -EPROTO, "the registry answered HTTP %ld for the %s", status, what);
}

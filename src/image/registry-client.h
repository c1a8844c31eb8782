/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <curl/curl.h>

#include "image-store.h"
#include "registry-auth.h"
#include "registry-tls.h"
#include "registry-util.h"

/* HTTP to one registry repository with libcurl: bounded redirects (http and https only; https only
 * unless plain http is allowed; TLS trust from certs.d, see registry-tls.h), on a 401 Basic credentials or a Bearer token (anonymous, or asked for
 * with the credentials) and the request retried once, bodies
 * bounded in memory or streamed into a BlobWriter only for a 2xx answer. Runs in a transfer worker:
 * blocking is fine. */

#define REGISTRY_REDIRECTS_MAX 5
#define REGISTRY_ERROR_BODY_MAX (64U * 1024U)

typedef struct RegistryClient {
        CURL *curl;
        RegistryLocation location;
        char *token;          /* the Bearer token for the client's scope, reused for every request */
        uint64_t token_until; /* CLOCK_MONOTONIC µs: asked for anew from then on (its expires_in) */
        char *challenge;      /* the WWW-Authenticate that got it: to ask again */
        RegistryCredentials credentials; /* user NULL: anonymous */
        bool basic;                      /* the registry asked for Basic: send them with every request */
        bool refused;                    /* credentials were sent and the answer was still 401 */
        RegistryTls tls;                 /* certs.d trust for location.host */
        bool insecure;                   /* --tls-verify=false: no certificate checks at all */
        bool https_checked;              /* https answered once: no more falling back to http */
        char *scope_actions; /* "pull" or "pull,push" */
        ImageStore *store;
        uint64_t done, total; /* progress over the whole transfer */
} RegistryClient;

typedef struct RegistryResponse {
        long status;
        char *content_type, *www_authenticate, *docker_digest, *location, *content_range, *retry_after;
        char *body;
        size_t n_body, max_body; /* in memory, at most max_body bytes (then -EFBIG) */
        BlobWriter *sink;        /* or into this, when set and the answer is a 2xx */
        uint64_t blob_size;      /* the size the manifest gives the blob, for the request's deadline */
        int sink_error;
        bool too_big;
} RegistryResponse;

void registry_response_done(RegistryResponse *r);

/* One request in flight, on its own easy handle (registry-fetch.c runs several at once). */
typedef struct RegistryExchange {
        RegistryClient *client;
        CURL *curl;
        RegistryResponse *resp;
        int upload_fd;
        const char *upload;
        uint64_t upload_offset, upload_size, upload_done; /* upload_fd is read from upload_offset on */
        uint64_t range_start; /* bytes asked from here on (Range): a 200 answer starts the sink over */
        uint64_t *received;   /* optional: counts the bytes that went into the sink */
        bool body_started;
        bool basic;           /* send the credentials (Basic) on this one even before a challenge asked */
        CURLcode code;
} RegistryExchange;

/* Transient failures are retried: at most this many attempts in all, waiting 1, 2, 4 s between
 * them (or what a Retry-After asks, at most REGISTRY_RETRY_AFTER_MAX). */
#define REGISTRY_ATTEMPTS_MAX 4U

/* credentials may be NULL (anonymous); they are copied. */
int registry_client_new(ImageStore *store, const char *ref, bool insecure, const char *actions,
                        const RegistryCredentials *credentials, RegistryClient **ret, const char **ret_reason);
RegistryClient *registry_client_free(RegistryClient *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(RegistryClient *, registry_client_free);

/* One request to path under /v2/<repository>/ (or to an absolute url when path starts with http).
 * upload_fd/upload_size: a body to send (PUT); upload: an in-memory one. Returns 0 with resp filled
 * for any HTTP status, a negative errno with *ret_reason set when no answer came. */
int registry_request(RegistryClient *c, const char *method, const char *path, char *const *headers,
                     int upload_fd, const void *upload, uint64_t upload_size, RegistryResponse *resp,
                     const char **ret_reason);

/* registry_request() with the body read from upload_fd at upload_offset on (a chunk of a blob). GET and
 * HEAD are retried when transient (REGISTRY_ATTEMPTS_MAX); others are not (an upload is retried whole). */
int registry_upload(RegistryClient *c, const char *method, const char *path, char *const *headers, int upload_fd,
                    uint64_t upload_offset, const void *upload, uint64_t upload_size, RegistryResponse *resp,
                    const char **ret_reason);
/* path (as for registry_request()) → its full URL. */
int registry_url(RegistryClient *c, const char *path, char **ret);
/* Sets x->curl up for one request (the caller performs it): *ret_headers must be freed after it. */
int registry_exchange_setup(RegistryExchange *x, const char *method, const char *url, char *const *headers,
                            struct curl_slist **ret_headers, const char **ret_reason);
/* What curl's result e for x means: 0 (an HTTP answer, x->resp->status set), or a negative errno and a
 * reason: -ECONNRESET or -ETIMEDOUT for transient failures, -ERANGE for a Range answer not starting
 * where asked. */
int registry_exchange_result(RegistryExchange *x, const char *url, CURLcode e, const char **ret_reason);
/* The answer was a 401 with a challenge: a (new) token, or Basic credentials from now on. */
int registry_authenticate(RegistryClient *c, const RegistryResponse *challenge, const char **ret_reason);
/* A token about to expire is asked for again before the next request, not after a 401. */
int registry_token_refresh(RegistryClient *c, const char **ret_reason);
/* Whether a failure (r < 0) or an answer is worth another attempt; and how long to wait before attempt
 * number attempt + 1 (seconds). */
bool registry_is_transient(int r, const RegistryResponse *resp);
unsigned registry_retry_delay(unsigned attempt, const RegistryResponse *resp);
/* An HTTP answer that is not the one wanted → the error for the thing asked for (what). */
int registry_http_error(RegistryClient *c, UnpackError *error, long status, const char *what);

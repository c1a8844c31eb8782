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
        char *token;
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
        char *content_type, *www_authenticate, *docker_digest, *location;
        char *body;
        size_t n_body, max_body; /* in memory, at most max_body bytes (then -EFBIG) */
        BlobWriter *sink;        /* or into this, when set and the answer is a 2xx */
        uint64_t blob_size;      /* the size the manifest gives the blob, for the request's deadline */
        int sink_error;
        bool too_big;
} RegistryResponse;

void registry_response_done(RegistryResponse *r);

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

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "registry-client.h"

/* Several blobs fetched at once over libcurl's multi interface, in the transfer worker (which may
 * block; drayd's loop does not wait on it). Each blob streams into tmp/partial/<hex> (blob-partial.h),
 * hashed as it comes; a blob already in the store is not fetched, one partly fetched by an earlier
 * pull is resumed with a Range request, and only a verified blob is linked into the store.
 * Transient failures (connection reset, time-outs, 429, 5xx) are retried after 1, 2, 4 s or the
 * Retry-After asked, resuming from what came; permanent ones (401, 403, 404, a digest or size that
 * does not match) end the fetch at once. */

#define REGISTRY_PARALLEL_DEFAULT 3U
#define REGISTRY_PARALLEL_MAX 16U

typedef struct BlobFetch {
        const ImageDescriptor *d; /* in: what to fetch */
        const char *what;         /* in: "layer", "image config": for messages */
        bool done;                /* out: in the store now */
        uint64_t resumed_from;    /* out: bytes an earlier attempt or pull had (0: none) */

        /* the fetch's own */
        CURL *curl;
        struct curl_slist *headers;
        char *url;
        RegistryExchange x;
        RegistryResponse resp;
        BlobWriter w;
        bool have_writer, partial, running, auth_retried, counted;
        bool spliced;   /* holds bytes of an earlier request or pull: a wrong digest may be theirs */
        bool restarted; /* started over whole after such a mismatch (once only) */
        unsigned attempts;
        uint64_t not_before; /* CLOCK_MONOTONIC µs: a retry waits until then */
} BlobFetch;

typedef struct BlobFetchHooks {
        /* Blob i is in the store (fetched or there already). */
        int (*fetched)(size_t i, void *userdata);
        /* Each turn of the loop: moves other work on (unpacking); sets *ret_fd to a descriptor to wake
         * for (or -EBADF); > 0 while that work is not finished, < 0 when it failed. */
        int (*step)(void *userdata, int *ret_fd);
        /* Now and then, and when a blob is in: bytes held of each blob. */
        void (*progress)(const BlobFetch *f, size_t n, void *userdata);
        void *userdata;
} BlobFetchHooks;

/* Fetches f[0…n) with at most parallel requests at once, until every blob is in and hooks->step says
 * its work is done. On failure the error names the blob and the cause; the blobs linked in so far are
 * in the store's created list (image_store_rollback() removes them). */
int registry_fetch_blobs(RegistryClient *c, BlobFetch *f, size_t n, unsigned parallel, const BlobFetchHooks *hooks,
                         UnpackError *error);

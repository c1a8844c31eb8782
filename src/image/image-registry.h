/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "image-store.h"
#include "image-trust.h"
#include "image-unpack.h"
#include "registry-auth.h"

/* Pulls ref (normalised here) from its registry into the store: the manifest (for an index, the one
 * for linux/<this architecture>), config and layers verified against their digests and sizes, the
 * layers unpacked, and only then the name set. A failed pull removes the blobs it added. Verified
 * https (system CAs and certs.d); plain http only for localhost/127.0.0.0/8/[::1] speaking no TLS;
 * insecure: no verification, http for any registry. credentials (NULL: anonymous) answer a
 * Basic challenge or go to the Bearer token server. The trust policy (image-trust.h; trust NULL: the
 * host's) is asked once the top-level manifest is in, before any blob is fetched. Talks to the
 * network: call it in a worker. */
typedef struct ImagePullOptions {
        unsigned max_parallel; /* layers fetched at once; 0: the default (3) */
        const char *platform;  /* "os/arch[/variant]" chosen from an index; NULL: this host's */
        const ImageTrustOptions *trust; /* --signature-policy; NULL: the host's policy */
} ImagePullOptions;

int image_pull(ImageStore *s, const char *ref, bool insecure, const RegistryCredentials *credentials,
               const ImagePullOptions *options, char **ret_name, char **ret_id, UnpackError *error);

/* Pushes the image what (name or ID) to ref: the blobs the registry lacks (registry-push.h), max_parallel
 * (0: 3) at once, then the manifest byte for byte, so its digest stays. *ret_digest: the manifest digest.
 * With trust->sign_by, a simple-signing signature of it goes into the lookaside's staging location. */
int image_push(ImageStore *s, const char *what, const char *ref, bool insecure, const RegistryCredentials *credentials,
               unsigned max_parallel, const ImageTrustOptions *trust, char **ret_digest, UnpackError *error);

/* Whether registry (HOST[:PORT]) takes credentials, as docker login checks it: GET /v2/, answering a
 * Basic challenge with them or taking a token without a scope from the Bearer token server with them. */
int image_registry_login(ImageStore *s, const char *registry, bool insecure, const RegistryCredentials *credentials,
                         UnpackError *error);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "image-unpack.h"
#include "macros.h"

/* Signed images, the glue between a pull or a push and image-policy.c, image-lookaside.c and
 * image-signature.c. Runs in the transfer worker (gpg, the lookaside's network): never in drayd's
 * event loop. */

typedef struct ImageTrustOptions {
        int policy_fd;        /* pull --signature-policy: the caller's file, read through its descriptor */
        int passphrase_fd;    /* push --sign-passphrase-file */
        char *sign_by;        /* push --sign-by: a key of root's keyring */
} ImageTrustOptions;

#define IMAGE_TRUST_OPTIONS_INIT { .policy_fd = -EBADF, .passphrase_fd = -EBADF }

void image_trust_options_done(ImageTrustOptions *o);

/* Whether the policy lets reference (normalised) with the top-level manifest digest in: the caller's
 * policy when one was given, else IMAGE_POLICY_FILE, else podman's (no policy file at all: anything
 * is accepted, as before policies existed). Every requirement of the scope the reference falls in
 * must accept; signedBy reads the signatures from the lookaside registries.d configures. A refusal is
 * -EACCES with a message naming the policy file, the rule and the reason. tmp_dir: where the
 * temporary GNUPGHOMEs go (the store's tmp/, emptied at drayd's start, so a canceled pull's does not
 * stay). */
int image_trust_check(const ImageTrustOptions *o, const char *tmp_dir, const char *reference, const char *digest,
                      UnpackError *error);

/* push --sign-by: a signature for reference at digest, made before the manifest goes up (a wrong key
 * fails the push before anything is visible), stored after (image_trust_store()). */
int image_trust_sign(const ImageTrustOptions *o, const char *reference, const char *digest, void **ret,
                     size_t *ret_size, UnpackError *error);
/* Writes a signature into the lookaside's staging location for reference (a file: URL), as the
 * first free signature-N. ret_path: where (may be NULL). */
int image_trust_store(const char *reference, const char *digest, const void *sig, size_t size, char **ret_path,
                      UnpackError *error);

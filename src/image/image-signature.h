/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#include "image-policy.h"
#include "dray-error.h"
#include "macros.h"

/* "Simple signing", the signatures of containers/image (podman, skopeo, atomic): an OpenPGP signed
 * message whose payload is
 *   {"critical": {"type": "atomic container signature",
 *                 "image": {"docker-manifest-digest": "sha256:…"},
 *                 "identity": {"docker-reference": "registry/repo:tag"}},
 *    "optional": {"creator": "…", "timestamp": …}}
 * verified through gpgme against only the keys a policy names, in a temporary GNUPGHOME (never a
 * user's keyring), and made through gpgme with root's keyring. gpgme runs gpg: call these in a
 * worker. */

#define SIMPLE_SIGNING_TYPE "atomic container signature"
#define SIMPLE_SIGNING_PAYLOAD_MAX (64U * 1024U)

typedef struct SignatureKeyring SignatureKeyring;

/* A temporary GNUPGHOME in tmp_dir (NULL: $TMPDIR or /tmp) holding the keys of a signedBy requirement
 * (its keyPath/keyPaths files, read bounded, or its keyData). -EBADMSG with a message when a key file is
 * unreadable or holds no key. */
int signature_keyring_new(const PolicyRequirement *r, const char *tmp_dir, SignatureKeyring **ret,
                          DrayError *error);
/* Removes the temporary GNUPGHOME. */
SignatureKeyring *signature_keyring_free(SignatureKeyring *k);
DEFINE_TRIVIAL_CLEANUP_FUNC(SignatureKeyring *, signature_keyring_free);

/* One signature (size bytes) → its payload, if exactly one valid signature by a key of the keyring
 * made it. -EBADMSG with *ret_reason (static) otherwise. */
int signature_keyring_verify(SignatureKeyring *k, const void *sig, size_t size, char **ret_payload, size_t *ret_size,
                             const char **ret_reason);

/* A payload, as strictly as containers/image reads it: exactly the keys above in "critical", the type
 * right, a sha256 digest, a reference. -EBADMSG with *ret_reason otherwise. */
int simple_signing_parse(const char *payload, size_t size, char **ret_reference, char **ret_digest,
                         const char **ret_reason);
/* The payload for reference (normalised) and the manifest digest; creator names the tool. */
int simple_signing_build(const char *reference, const char *digest, const char *creator, char **ret);

/* Signs payload with key_id (a fingerprint, key ID or user ID) of the keyring at GNUPGHOME, else
 * root's ~/.gnupg; passphrase NULL: the key needs none (or gpg-agent has it). A binary OpenPGP
 * message, as skopeo writes. */
int signature_sign(const char *key_id, const char *passphrase, const char *payload, void **ret, size_t *ret_size,
                   DrayError *error);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "dray-error.h"
#include "macros.h"

/* The trust policy of containers-policy.json(5), as podman and skopeo read it: which images a pull
 * accepts, per scope of the docker transport. The file is hostile input like any other: sizes, types
 * and every key are checked, and an error names the file and the key. Other transports' scopes are
 * checked the same way and otherwise ignored (dray pulls only from registries). Pure: nothing here
 * touches the network or gpg. */

#define IMAGE_POLICY_FILE "/etc/dray/policy.json"
#define IMAGE_POLICY_FILE_CONTAINERS "/etc/containers/policy.json"
#define IMAGE_POLICY_MAX (1024U * 1024U)      /* the policy file */
#define IMAGE_POLICY_KEY_MAX (1024U * 1024U)  /* one keyring (keyPath, keyData) */
#define IMAGE_POLICY_SCOPES_MAX 4096U
#define IMAGE_POLICY_REQUIREMENTS_MAX 64U
#define IMAGE_POLICY_KEY_PATHS_MAX 64U

typedef enum PolicyRequirementType {
        POLICY_INSECURE_ACCEPT_ANYTHING,
        POLICY_REJECT,
        POLICY_SIGNED_BY,
        POLICY_SIGSTORE_SIGNED, /* known, not implemented: refuses the image, saying so */
        _POLICY_REQUIREMENT_TYPE_MAX,
        _POLICY_REQUIREMENT_TYPE_INVALID = -EINVAL,
} PolicyRequirementType;

typedef enum PolicyIdentityType {
        POLICY_IDENTITY_MATCH_REPO_DIGEST_OR_EXACT,
        POLICY_IDENTITY_MATCH_EXACT,
        POLICY_IDENTITY_MATCH_REPOSITORY,
        POLICY_IDENTITY_EXACT_REFERENCE,
        POLICY_IDENTITY_EXACT_REPOSITORY,
        POLICY_IDENTITY_REMAP_IDENTITY, /* matchRepoDigestOrExact after prefix → signedPrefix */
        _POLICY_IDENTITY_TYPE_MAX,
        _POLICY_IDENTITY_TYPE_INVALID = -EINVAL,
} PolicyIdentityType;

typedef struct PolicyRequirement {
        PolicyRequirementType type;
        /* signedBy (keyType GPGKeys): keyPath/keyPaths (absolute), or keyData (decoded) */
        char **key_paths;
        unsigned char *key_data;
        size_t n_key_data;
        PolicyIdentityType identity;
        char *identity_reference; /* exactReference: dockerReference; exactRepository: dockerRepository;
                                   * remapIdentity: prefix */
        char *identity_signed_prefix; /* remapIdentity: signedPrefix */
} PolicyRequirement;

typedef struct PolicyRequirements {
        char *scope; /* "" for the transport's default; NULL for the policy's "default" */
        PolicyRequirement *items;
        size_t n_items;
} PolicyRequirements;

typedef struct ImagePolicy {
        char *path; /* where it was read, for messages */
        PolicyRequirements fallback; /* "default" */
        PolicyRequirements *docker;  /* transports.docker, in file order */
        size_t n_docker;
} ImagePolicy;

const char *policy_requirement_type_to_string(PolicyRequirementType t) _pure_;
PolicyRequirementType policy_requirement_type_from_string(const char *s) _pure_;
const char *policy_identity_type_to_string(PolicyIdentityType t) _pure_;
PolicyIdentityType policy_identity_type_from_string(const char *s) _pure_;

ImagePolicy *image_policy_free(ImagePolicy *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(ImagePolicy *, image_policy_free);

/* data (size bytes) read from path (named in errors) → the policy. -EBADMSG (with error saying which
 * key of which file is wrong and why), -EFBIG, -ENOMEM. keyPath files are not read here. */
int image_policy_parse(const char *data, size_t size, const char *path, ImagePolicy **ret, DrayError *error);
/* The file at path, read bounded (a regular file, no FIFO). -ENOENT when it does not exist. */
int image_policy_load(const char *path, ImagePolicy **ret, DrayError *error);
/* The host's policy: IMAGE_POLICY_FILE if it exists, else IMAGE_POLICY_FILE_CONTAINERS (podman's);
 * -ENOENT when neither does. */
int image_policy_load_default(ImagePolicy **ret, DrayError *error);

/* The requirements for a normalised docker reference (registry/repo:tag or …@digest), chosen as
 * containers-policy.json(5) says: the exact reference, then the repository and each parent
 * namespace, then wildcard domains (*.example.com), then the transport's "" scope, then "default". */
const PolicyRequirements *image_policy_for(const ImagePolicy *p, const char *reference);

/* The docker transport's scope namespaces of a normalised reference, most specific first (for tests,
 * and for registries.d, which looks them up the same way). */
int image_policy_scopes(const char *reference, char ***ret);

/* Whether a signature claiming signed_reference (its critical.identity.docker-reference) fits the
 * pulled reference under r's signedIdentity. -EINVAL when signed_reference is no reference. */
int policy_identity_matches(const PolicyRequirement *r, const char *reference, const char *signed_reference);

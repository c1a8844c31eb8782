/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "image-digest.h"
#include "dray-error.h"
#include "macros.h"

/* Where simple-signing signatures live, configured as in containers-registries.d(5): YAML files in
 * /etc/dray/registries.d/ and /etc/containers/registries.d/ saying, per registry or repository scope
 * ("docker: HOST[/repo…]:") and as a fallback ("default-docker:"), a lookaside URL to read from
 * (lookaside, or its old name sigstore) and one to write to (lookaside-staging / sigstore-staging,
 * else the lookaside). A signature of an image is then at
 * URL/<repository path>@sha256=<manifest digest hex>/signature-<N>, N from 1. */

#define LOOKASIDE_DIR "/etc/dray/registries.d"
#define LOOKASIDE_DIR_CONTAINERS "/etc/containers/registries.d"
#define LOOKASIDE_FILE_MAX (1024U * 1024U)
#define LOOKASIDE_FILES_MAX 256U
#define LOOKASIDE_SCOPES_MAX 4096U
#define LOOKASIDE_SIGNATURE_MAX (4U * 1024U * 1024U) /* as containers/image bounds one */
#define LOOKASIDE_SIGNATURES_MAX 64U
#define LOOKASIDE_SIGNATURES_TOTAL_MAX (16U * 1024U * 1024U) /* all of an image's, in memory at once */

typedef struct LookasideEntry {
        char *scope; /* NULL: default-docker */
        char *read, *write;
        char *file;  /* where it was configured, for messages */
        int dir;     /* which directory: dray's (0) wins over containers' (1) */
} LookasideEntry;

typedef struct LookasideConfig {
        LookasideEntry *entries;
        size_t n_entries;
} LookasideConfig;

LookasideConfig *lookaside_config_free(LookasideConfig *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(LookasideConfig *, lookaside_config_free);

/* One YAML file's text (path names it in errors; dir as in LookasideEntry). -EBADMSG with a message
 * naming the file and the key; a scope given twice in one directory is an error, as in podman. */
int lookaside_config_parse(LookasideConfig *c, const char *data, size_t size, const char *path, int dir,
                           DrayError *error);
/* Every *.yaml of both directories (either may be missing). */
int lookaside_config_load(LookasideConfig **ret, DrayError *error);

/* The base URL for reference's signatures, the repository path appended: for reading (lookaside) or
 * writing (staging, else lookaside). -ENOENT when nothing is configured for it. */
int lookaside_base_url(const LookasideConfig *c, const char *reference, bool write, char **ret);
/* base@sha256=<hex>/signature-<index> */
int lookaside_signature_url(const char *base, const char *digest, unsigned index, char **ret);
/* A file: URL's absolute path, or -EPROTONOSUPPORT for another scheme, -EINVAL when malformed. */
int lookaside_file_path(const char *url, char **ret);

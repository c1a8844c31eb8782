/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macros.h"

/* `--security-opt` values, as Docker spells them: "seccomp=FILE" (a profile in Docker's JSON format,
 * read here, by the caller, with the caller's own permissions: drayd never opens a client's path),
 * "seccomp=unconfined", "no-new-privileges" (or ":true", "=true"; dray always sets it, so it is
 * accepted and changes nothing). */

#define SECURITY_OPT_PROFILE_MAX (1024U * 1024U)

typedef struct SecurityOpts {
        bool seccomp_unconfined;
        char *seccomp_profile; /* the file's text, valid UTF-8 without NUL bytes, or NULL */
} SecurityOpts;

void security_opts_done(SecurityOpts *o);

/* Parses one value into o. Logs and returns a negative errno for anything it does not accept. */
int security_opt_parse(SecurityOpts *o, const char *arg);

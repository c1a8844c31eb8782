/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>

#include "macros.h"

/* Environment for the payload, Docker's way: "KEY=VALUE" as given; a bare "KEY" takes its value from
 * dray's own environment, or is left out when dray has none. */

/* The longest line (and so the longest assignment) accepted: the limit spec_validate() applies too. */
#define ENV_LINE_MAX (128U * 1024U)
/* An env file bigger than this is not an env file. */
#define ENV_FILE_MAX (16U * 1024U * 1024U)

/* Resolve one -e argument. *ret is the KEY=VALUE to send, or NULL when a bare KEY is not set in our
 * environment. -EINVAL (logged, naming the argument) on an invalid name or value. */
int env_argument_resolve(const char *arg, char **ret);

/* Parse an env file: one assignment per line; blank lines and lines starting with '#' (after leading
 * white space) are skipped; a trailing "\r" is dropped. Appends to *env, replacing earlier values of
 * the same KEY. Errors are logged as "path:line: reason": -EINVAL for a bad line, -E2BIG for a line
 * or file over the limits, -EILSEQ for a NUL byte or invalid UTF-8. path is only used for messages. */
int env_file_parse(FILE *f, const char *path, char ***env);
/* Open and parse path ("-" is not special: env files are files). */
int env_file_load(const char *path, char ***env);

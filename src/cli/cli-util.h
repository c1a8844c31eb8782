/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "cli-getopt.h"

#include "macros.h"

/* Exit statuses. Verbs return one of these (or a container's own status) from main. Docker's
 * conventions: 125 when dray itself failed (bad usage, daemon error) in run/create/start, 126/127
 * when the payload's command could not be run or found, and 1 for a failed operation elsewhere. */
#define EXIT_OK 0
#define EXIT_FAILED 1
#define EXIT_USAGE 125

/* "--memory" value errors: "invalid --memory value 'x': <what> ". Returns -EINVAL. */
int log_invalid_value(const char *option, const char *value, int r, const char *expected);

/* How JSON output looks (ps --format json, inspect): indented, "key": value, '/' unescaped. */
#define JSON_OUTPUT_FLAGS \
        (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)

/* Checks the container arguments of a verb before anything goes on the bus: present, non-empty,
 * valid UTF-8, of sane length. Logs and returns -EINVAL otherwise. */
/* "true"/"false" as Docker's boolean options take them (also 1/0, yes/no); NULL (the option without
 * "=VALUE") is true. -EINVAL otherwise. */
int cli_parse_bool(const char *s, bool *ret);

int container_args_check(const char *verb, char *const *args, size_t min, size_t max);

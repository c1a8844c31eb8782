/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macros.h"

/* NULL-terminated string vectors, the C shape of argv/envp. */
char **strv_free(char **l);
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free);
#define _cleanup_strv_free_ _cleanup_(strv_freep)

size_t strv_length(char *const *l);
char **strv_copy(char *const *l);
int strv_extend(char ***l, const char *value);
int strv_consume(char ***l, char *value); /* takes ownership of value, even on failure */
bool strv_contains(char *const *l, const char *s);
char *strv_join(char *const *l, const char *sep);

/* Environment vectors: KEY=VALUE. */
bool env_assignment_is_valid(const char *e);
const char *strv_env_get(char *const *l, const char *key);
int strv_env_set(char ***l, const char *assignment); /* replaces an existing KEY */

#define STRV_FOREACH(s, l) for (char *const *s = (l); s && *s; s++)

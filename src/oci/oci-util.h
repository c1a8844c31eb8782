/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdlib.h>
#include <string.h>

#include "macros.h"
#include "strv.h"

/* Small helpers of dray-oci's own. */
#define new0(t, n) ((t *) calloc((n) ?: 1, sizeof(t)))
#define STR_IN_SET(s, ...) strv_contains((char *const[]) { __VA_ARGS__, NULL }, (s))
#define FOREACH_STRING(k, ...)                                                                        \
        for (const char *const *k##_list = (const char *const[]) { __VA_ARGS__, NULL }, *k = *k##_list; k; \
             k = *++k##_list)

static inline bool streq_ptr(const char *a, const char *b) {
        return a && b ? streq(a, b) : a == b;
}

static inline char *strjoin(const char *a, const char *b, const char *c) {
        char *s = malloc(strlen(a) + strlen(b) + strlen(c) + 1);

        if (s) {
                strcpy(s, a);
                strcat(s, b);
                strcat(s, c);
        }
        return s;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <string.h>

/* An enum's names, as systemd's DEFINE_STRING_TABLE_LOOKUP: given `static const char *const
 * foo_table[_FOO_MAX] = { [FOO_A] = "a", … };` this defines foo_to_string() (NULL when out of
 * range) and foo_from_string() (-EINVAL, the enum's _FOO_INVALID, when unknown or NULL). */
#define DEFINE_STRING_TABLE_LOOKUP(name, type, max)                                     \
        const char *name##_to_string(type i) {                                          \
                if ((int) i < 0 || (int) i >= (int) (max))                              \
                        return NULL;                                                    \
                return name##_table[i];                                                 \
        }                                                                               \
        type name##_from_string(const char *s) {                                        \
                if (!s)                                                                 \
                        return (type) -EINVAL;                                          \
                for (int i = 0; i < (int) (max); i++)                                   \
                        if (name##_table[i] && strcmp(name##_table[i], s) == 0)         \
                                return (type) i;                                        \
                return (type) -EINVAL;                                                  \
        }

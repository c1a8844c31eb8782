/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macros.h"

/* Strict UTF-8, as D-Bus demands of every string: no overlong forms, no surrogates, nothing above
 * U+10FFFF. sd-bus refuses to append anything else, so check user input first and say which input
 * was bad instead of failing later with a bare EINVAL. */
bool utf8_is_valid_n(const char *s, size_t n);
bool utf8_is_valid(const char *s);

/* Display width of a UTF-8 string in terminal columns, counting each code point as one column
 * (good enough for table alignment; we print no wide characters of our own). */
size_t utf8_console_width(const char *s);

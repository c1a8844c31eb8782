/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "utf8.h"

/* Length of the sequence starting with lead byte c, or 0 if c cannot start one. */
static size_t utf8_sequence_length(unsigned char c) {
        if (c < 0x80)
                return 1;
        if (c >= 0xc2 && c <= 0xdf)
                return 2;
        if (c >= 0xe0 && c <= 0xef)
                return 3;
        if (c >= 0xf0 && c <= 0xf4)
                return 4;
        return 0; /* continuation byte, overlong lead 0xc0/0xc1, or beyond U+10FFFF */
}

bool utf8_is_valid_n(const char *s, size_t n) {
        const unsigned char *p = (const unsigned char *) s;

        if (!s)
                return false;
        for (size_t i = 0; i < n;) {
                size_t k = utf8_sequence_length(p[i]);
                uint32_t cp;

                if (k == 0 || k > n - i)
                        return false;
                if (k == 1) {
                        if (p[i] == 0)
                                return false;
                        i++;
                        continue;
                }
                cp = p[i] & (0xff >> (k + 1));
                for (size_t j = 1; j < k; j++) {
                        if ((p[i + j] & 0xc0) != 0x80)
                                return false;
                        cp = (cp << 6) | (p[i + j] & 0x3f);
                }
                if ((k == 3 && cp < 0x800) || (k == 4 && (cp < 0x10000 || cp > 0x10ffff)))
                        return false; /* overlong or out of range */
                if (cp >= 0xd800 && cp <= 0xdfff)
                        return false; /* UTF-16 surrogates are not characters */
                i += k;
        }
        return true;
}

bool utf8_is_valid(const char *s) {
        return s && utf8_is_valid_n(s, strlen(s));
}

size_t utf8_console_width(const char *s) {
        size_t n = 0;

        for (const unsigned char *p = (const unsigned char *) s; p && *p; p++)
                if ((*p & 0xc0) != 0x80)
                        n++;
        return n;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "escape.h"
#include "utf8.h"

/* The length of the valid UTF-8 sequence at s (at most n bytes), 0 when it is not one. */
static size_t utf8_sequence(const unsigned char *s, size_t n) {
        size_t len = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 : (s[0] & 0xf8) == 0xf0 ? 4 : 0;

        if (len == 0 || len > n || !utf8_is_valid_n((const char *) s, len))
                return 0;
        return len;
}

/* How s[0…) is shown: its own bytes (returns their count, *ret NULL), or an escape in ret. */
static size_t escape_one(const unsigned char *s, size_t n, EscapeFlags flags, char ret[static 5], bool *escaped) {
        size_t len = utf8_sequence(s, n);

        *escaped = true;
        if (len == 0) {
                (void) snprintf(ret, 5, "\\x%02x", s[0]);
                return 1;
        }
        if (len == 1 && s[0] == '\n' && (flags & ESCAPE_KEEP_NEWLINE)) {
                *escaped = false;
                return 1;
        }
        if (len == 1 && (s[0] == '\n' || s[0] == '\r')) {
                (void) snprintf(ret, 5, "\\%c", s[0] == '\n' ? 'n' : 'r');
                return 1;
        }
        if (len == 1 && ((s[0] < 0x20 && s[0] != '\t') || s[0] == 0x7f)) {
                (void) snprintf(ret, 5, "\\x%02x", s[0]);
                return 1;
        }
        if (len == 2 && s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f) {
                /* A C1 control as a code point: shown by its value, as an 8-bit byte would be. */
                (void) snprintf(ret, 5, "\\x%02x", s[1]);
                return 2;
        }
        *escaped = false;
        return len;
}

void escape_terminal_write(FILE *f, const char *s, size_t n, EscapeFlags flags) {
        const unsigned char *p = (const unsigned char *) s;
        size_t i = 0, plain = 0;

        while (i < n) {
                char e[5];
                bool escaped;
                size_t k = escape_one(p + i, n - i, flags, e, &escaped);

                if (escaped) {
                        fwrite(s + plain, 1, i - plain, f);
                        fputs(e, f);
                        plain = i + k;
                }
                i += k;
        }
        fwrite(s + plain, 1, n - plain, f);
}

void escape_terminal_buf(const char *s, char *buf, size_t size, EscapeFlags flags) {
        const unsigned char *p = (const unsigned char *) s;
        size_t n = strlen(s), i = 0, o = 0;

        if (size == 0)
                return;
        while (i < n) {
                char e[5];
                bool escaped;
                size_t k = escape_one(p + i, n - i, flags, e, &escaped);
                size_t want = escaped ? strlen(e) : k;

                if (o + want >= size)
                        break;
                memcpy(buf + o, escaped ? e : s + i, want);
                o += want;
                i += k;
        }
        buf[o] = 0;
}

bool escape_terminal_needed(const char *s, size_t n, EscapeFlags flags) {
        const unsigned char *p = (const unsigned char *) s;

        for (size_t i = 0; i < n;) {
                char e[5];
                bool escaped;

                i += escape_one(p + i, n - i, flags, e, &escaped);
                if (escaped)
                        return true;
        }
        return false;
}

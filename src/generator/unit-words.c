/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "schedule-unit.h"
#include "strv.h"
#include "unit-words.h"

static char unescape(char c) {
        switch (c) {
        case 'n': return '\n';
        case 't': return '\t';
        case 'r': return '\r';
        case 's': return ' ';
        default:  return c;
        }
}

int unit_split_words(const char *s, char ***ret) {
        _cleanup_strv_free_ char **words = NULL;
        _cleanup_free_ char *w = NULL;
        size_t len = 0;
        bool in_word = false;
        char quote = 0;

        w = malloc(strlen(s) + 1);
        if (!w)
                return -ENOMEM;
        for (const char *p = s;; p++) {
                char c = *p;

                if (c == 0 || (!quote && strchr(" \t\n", c))) {
                        if (quote)
                                return -EINVAL;
                        if (in_word) {
                                w[len] = 0;
                                if (strv_extend(&words, w) < 0)
                                        return -ENOMEM;
                                len = 0;
                                in_word = false;
                        }
                        if (c == 0)
                                break;
                        continue;
                }
                in_word = true;
                if (c == '\\') {
                        if (p[1] == 0)
                                return -EINVAL;
                        w[len++] = unescape(*++p);
                } else if (quote && c == quote)
                        quote = 0;
                else if (!quote && (c == '\'' || c == '"'))
                        quote = c;
                else
                        w[len++] = c;
        }
        if (!words) {
                words = calloc(1, sizeof(char *));
                if (!words)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(words);
        return 0;
}

char *unit_specifiers_probe(const char *s) {
        char *d = malloc(strlen(s) + 1), *q = d;

        if (!d)
                return NULL;
        for (const char *p = s; *p; p++)
                if (*p == '%' && p[1] != 0) {
                        *q++ = p[1] == '%' ? '%' : 'x';
                        p++;
                } else
                        *q++ = *p;
        *q = 0;
        return d;
}

int unit_quote_exec_line(char *const *argv, bool keep_specifiers, char **ret) {
        _cleanup_strv_free_ char **quoted = NULL;
        char *line;
        int r;

        STRV_FOREACH(a, argv) {
                char *q;

                r = unit_file_quote_arg_full(*a, keep_specifiers, &q);
                if (r < 0)
                        return r;
                r = strv_consume(&quoted, q);
                if (r < 0)
                        return r;
        }
        line = strv_join(quoted, " ");
        if (!line)
                return -ENOMEM;
        *ret = line;
        return 0;
}

int unit_parse_boolean(const char *s) {
        static const char *const yes[] = { "1", "yes", "y", "true", "t", "on" };
        static const char *const no[] = { "0", "no", "n", "false", "f", "off" };

        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                if (strcasecmp(s, yes[i]) == 0)
                        return 1;
        for (size_t i = 0; i < ELEMENTSOF(no); i++)
                if (strcasecmp(s, no[i]) == 0)
                        return 0;
        return -EINVAL;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "table.h"
#include "utf8.h"

#define TABLE_SEPARATOR "   "

struct Table {
        size_t n_columns;
        size_t n_cells; /* headers included */
        char **cells;
        size_t *widths;
};

static char *cell_sanitize(const char *s) {
        char *c = strdup(strempty(s));

        if (!c)
                return NULL;
        for (unsigned char *p = (unsigned char *) c; *p; p++) {
                if (*p < 0x20 || *p == 0x7f)
                        *p = '?';
                /* A C1 control (U+0080…U+009F, such as U+009B, CSI) drives terminals too. */
                if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
                        *p = '?';
                        memmove(p + 1, p + 2, strlen((char *) p + 2) + 1);
                }
        }
        return c;
}

Table *table_new(size_t n_columns, const char *const headers[]) {
        Table *t;

        if (n_columns == 0)
                return NULL;
        t = calloc(1, sizeof(Table));
        if (!t)
                return NULL;
        t->n_columns = n_columns;
        t->widths = calloc(n_columns, sizeof(size_t));
        if (!t->widths || table_add_row(t, headers) < 0)
                return table_free(t);
        return t;
}

Table *table_free(Table *t) {
        if (!t)
                return NULL;
        for (size_t i = 0; i < t->n_cells; i++)
                free(t->cells[i]);
        free(t->cells);
        free(t->widths);
        free(t);
        return NULL;
}

int table_add_row(Table *t, const char *const cells[]) {
        char **n;

        n = realloc(t->cells, (t->n_cells + t->n_columns) * sizeof(char *));
        if (!n)
                return -ENOMEM;
        t->cells = n;
        for (size_t i = 0; i < t->n_columns; i++) {
                char *c = cell_sanitize(cells[i]);

                if (!c) {
                        for (size_t j = 0; j < i; j++)
                                free(t->cells[t->n_cells + j]);
                        return -ENOMEM;
                }
                t->cells[t->n_cells + i] = c;
                t->widths[i] = MAX(t->widths[i], utf8_console_width(c));
        }
        t->n_cells += t->n_columns;
        return 0;
}

size_t table_rows(const Table *t) {
        return t->n_cells / t->n_columns - 1;
}

int table_print(const Table *t, FILE *f) {
        for (size_t i = 0; i < t->n_cells; i++) {
                size_t col = i % t->n_columns;
                const char *c = t->cells[i];

                fputs(c, f);
                if (col + 1 == t->n_columns)
                        fputc('\n', f);
                else {
                        for (size_t w = utf8_console_width(c); w < t->widths[col]; w++)
                                fputc(' ', f);
                        fputs(TABLE_SEPARATOR, f);
                }
        }
        return fflush(f) == 0 ? 0 : -errno;
}

char *ellipsize(const char *s, size_t max) {
        size_t n = 0, i = 0;
        char *c;

        s = strempty(s);
        if (utf8_console_width(s) <= max || max == 0)
                return strdup(max == 0 ? "" : s);
        /* Keep max - 1 code points, then "…". */
        for (; s[i]; i++)
                if (((unsigned char) s[i] & 0xc0) != 0x80 && n++ == max - 1)
                        break;
        c = malloc(i + strlen("…") + 1);
        if (!c)
                return NULL;
        memcpy(c, s, i);
        strcpy(c + i, "…");
        return c;
}

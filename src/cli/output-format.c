/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "log.h"
#include "output-format.h"
#include "strv.h"
#include "table.h"

int output_format_parse(const char *arg, OutputFormat *ret, char **ret_error) {
        _cleanup_free_ char *text = NULL;
        const char *t = arg;
        bool table = false;
        char *o;
        int r;

        if (streq(arg, "json")) {
                *ret = (OutputFormat) { .kind = OUTPUT_JSON };
                return 0;
        }
        if (strneq(arg, "table", 5) && (arg[5] == 0 || arg[5] == ' ' || arg[5] == '\t')) {
                table = true;
                t = arg + 5 + strspn(arg + 5, " \t");
                if (!*t) {
                        *ret = (OutputFormat) { .kind = OUTPUT_DEFAULT, .table = true };
                        return 0;
                }
        }
        text = malloc(strlen(t) + 1);
        if (!text)
                return -ENOMEM;
        o = text;
        for (const char *p = t; *p; p++)
                if (p[0] == '\\' && (p[1] == 't' || p[1] == 'n')) {
                        *o++ = p[1] == 't' ? '\t' : '\n';
                        p++;
                } else
                        *o++ = *p;
        *o = 0;
        *ret = (OutputFormat) { .kind = OUTPUT_TEMPLATE, .table = table };
        r = template_parse(text, &ret->template, ret_error);
        return r;
}

void output_format_done(OutputFormat *f) {
        f->template = template_free(f->template);
}

static int split_cells(const OutputFormat *f, char *line, char ***ret) {
        char **cells = NULL;

        if (!f->table) {
                if (strv_extend(&cells, line) < 0)
                        return -ENOMEM;
        } else
                for (char *p = line;;) {
                        size_t n = strcspn(p, "\t");
                        char c = p[n];

                        p[n] = 0;
                        if (strv_extend(&cells, p) < 0) {
                                strv_free(cells);
                                return -ENOMEM;
                        }
                        if (!c)
                                break;
                        p += n + 1;
                }
        *ret = cells;
        return 0;
}

int output_format_header(const OutputFormat *f, const char *const *headers, char ***ret) {
        _cleanup_free_ char *line = NULL;
        int r;

        r = template_render_header(f->template, headers, &line);
        if (r < 0)
                return r;
        return split_cells(f, line, ret);
}

int output_format_cells(const OutputFormat *f, json_object *o, char ***ret, char **ret_error) {
        _cleanup_free_ char *line = NULL;
        int r;

        r = template_render(f->template, o, &line, ret_error);
        if (r < 0)
                return r;
        return split_cells(f, line, ret);
}

static int print_table(const OutputFormat *f, json_object *array, const char *const *headers, FILE *out,
                       char **ret_error) {
        size_t n = json_object_array_length(array), columns;
        _cleanup_strv_free_ char **header = NULL;
        char ***rows = calloc(n + 1, sizeof(char **));
        _cleanup_(table_freep) Table *t = NULL;
        int r = 0;

        if (!rows)
                return -ENOMEM;
        r = output_format_header(f, headers, &header);
        columns = r >= 0 ? strv_length(header) : 0;
        for (size_t i = 0; i < n && r >= 0; i++) {
                r = output_format_cells(f, json_object_array_get_idx(array, i), &rows[i], ret_error);
                if (r >= 0)
                        columns = MAX(columns, strv_length(rows[i]));
        }
        if (r >= 0) {
                /* Rows with fewer cells (a template with a {{range}}, say) end with empty ones. */
                _cleanup_free_ const char **cells = calloc(MAX(columns, 1u), sizeof(char *));

                for (size_t k = 0; cells && k < strv_length(header); k++)
                        cells[k] = header[k];
                t = cells ? table_new(MAX(columns, 1u), cells) : NULL;
                for (size_t i = 0; t && i < n && r >= 0; i++) {
                        memset(cells, 0, MAX(columns, 1u) * sizeof(char *));
                        for (size_t k = 0; k < strv_length(rows[i]); k++)
                                cells[k] = rows[i][k];
                        r = table_add_row(t, cells);
                }
                if (!t)
                        r = -ENOMEM;
                if (r >= 0)
                        r = table_print(t, out);
        }
        for (size_t i = 0; i < n; i++)
                strv_free(rows[i]);
        free(rows);
        return r;
}

int output_format_print(const OutputFormat *f, json_object *array, const char *const *headers, FILE *out,
                        char **ret_error) {
        size_t n = json_object_array_length(array);
        int r;

        if (f->table)
                return print_table(f, array, headers, out, ret_error);
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *line = NULL;

                r = template_render(f->template, json_object_array_get_idx(array, i), &line, ret_error);
                if (r < 0)
                        return r;
                fprintf(out, "%s\n", line);
        }
        return fflush(out) == 0 ? 0 : -errno;
}

int output_format_parse_option(const char *arg, OutputFormat *ret) {
        _cleanup_free_ char *error = NULL;
        int r;

        r = output_format_parse(arg, ret, &error);
        if (r == -EINVAL)
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "Invalid --format %s.", strna(error));
        if (r < 0)
                return log_oom();
        return 0;
}

int output_format_print_stdout(const OutputFormat *f, json_object *array, const char *const *headers) {
        _cleanup_free_ char *error = NULL;
        int r;

        r = output_format_print(f, array, headers, stdout, &error);
        if (r == -EINVAL || r == -ENOENT)
                return log_error_errno(r, "Failed to execute %s.", strna(error));
        if (r < 0)
                return log_error_errno(r, "Failed to print: %m");
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>

#include "template.h"

/* The --format argument of the listing verbs (ps, images, network ls, volume ls, stats, events…):
 *   table             the verb's own table (kind OUTPUT_DEFAULT, as with no --format)
 *   json              the JSON document (kind OUTPUT_JSON)
 *   table TEMPLATE    a table: a header row named after the fields, then one row per object, its
 *                     columns the template's output split at tabs, aligned (docker's tabwriter)
 *   TEMPLATE          one line per object
 * As in docker, the two characters "\t" and "\n" in the argument stand for a tab and a newline, so
 * 'table {{.ID}}\t{{.Names}}' works from a shell. */
typedef enum OutputKind {
        OUTPUT_DEFAULT,
        OUTPUT_JSON,
        OUTPUT_TEMPLATE,
} OutputKind;

typedef struct OutputFormat {
        OutputKind kind;
        bool table;
        Template *template;
} OutputFormat;

/* -EINVAL with *ret_error naming the template and the position. */
int output_format_parse(const char *arg, OutputFormat *ret, char **ret_error);
void output_format_done(OutputFormat *f);

/* The header cells of a `table TEMPLATE` (headers: as template_render_header()'s), and one object's
 * cells. A plain TEMPLATE gives one cell, the whole line. */
int output_format_header(const OutputFormat *f, const char *const *headers, char ***ret);
int output_format_cells(const OutputFormat *f, json_object *o, char ***ret, char **ret_error);

/* Every element of array as f says (kind OUTPUT_TEMPLATE only): lines, or a table. */
int output_format_print(const OutputFormat *f, json_object *array, const char *const *headers, FILE *out,
                        char **ret_error);

/* For the verbs: the same, with the error logged ("Invalid --format template '…': position N: …")
 * and the output on stdout. */
int output_format_parse_option(const char *arg, OutputFormat *ret);
int output_format_print_stdout(const OutputFormat *f, json_object *array, const char *const *headers);

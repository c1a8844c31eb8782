/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>

#include "macros.h"

/* Column output as `docker ps` prints it: a header line, left-aligned columns three spaces apart, the
 * last one unpadded. Cells are copied; control characters in them are shown as '?', so a hostile
 * string cannot break the layout or talk to the terminal. */
typedef struct Table Table;

Table *table_new(size_t n_columns, const char *const headers[]);
Table *table_free(Table *t);
DEFINE_TRIVIAL_CLEANUP_FUNC(Table *, table_free);

/* cells holds n_columns strings (NULL prints as empty). */
int table_add_row(Table *t, const char *const cells[]);
size_t table_rows(const Table *t);
int table_print(const Table *t, FILE *f);

/* For cells: s truncated to at most max columns, the last one an ellipsis "…" when cut. */
char *ellipsize(const char *s, size_t max);

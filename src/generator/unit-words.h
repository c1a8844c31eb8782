/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* Values of unit files as systemd reads them, and argv words as systemd's ExecStart= reads them. */

/* Splits s into words as systemd splits Exec= and Environment= values: separated by whitespace, with
 * '…' and "…" quoting and backslash escapes (\n, \t, \\, \", \', \ ). -EINVAL on an unterminated quote
 * or a trailing backslash. */
int unit_split_words(const char *s, char ***ret);

/* argv as one ExecStart= line's value, each word quoted by unit_file_quote_arg() (the one `dray schedule`
 * uses): values are literal, with no '%' specifiers or '$' variables expanded; with keep_specifiers
 * (templates) "%i", "%%" and systemd's other specifiers are left for systemd to expand. */
int unit_quote_exec_line(char *const *argv, bool keep_specifiers, char **ret);
/* A value with its specifiers replaced for checking it ("%%" → "%", any other "%X" → "x"): what
 * dray run would see for an instance named "x". */
char *unit_specifiers_probe(const char *s);

/* yes/no/true/false/on/off/1/0, as systemd reads booleans. -EINVAL otherwise. */
int unit_parse_boolean(const char *s);

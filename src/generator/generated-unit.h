/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>

#include "unit-file.h"

/* What the generator writes for one source file: a unit, and the symlinks its [Install] asks for
 * (a generator cannot be "enabled": it links the unit into TARGET.wants/ itself, every time). */
typedef struct GeneratedUnit {
        char *unit_name; /* "web.service" */
        char *text;
        char **wanted_by;
        char **required_by;
        char **aliases;
        char *default_instance; /* a template's DefaultInstance=: what WantedBy=/RequiredBy= link */
} GeneratedUnit;

void generated_unit_done(GeneratedUnit *u);

/* "FILE:LINE: message" at error level; returns -EINVAL. */
int unit_error(const UnitFile *f, unsigned line, const char *fmt, ...) _printf_(3, 4);

/* Writes the [Unit] or [Service] entries of f as they are (a later assignment wins, as in systemd). */
void unit_write_passthrough(const UnitFile *f, const char *section, FILE *out);

/* Reads [Install] (WantedBy=, RequiredBy=, Alias=, DefaultInstance=) into u; any other [Install] key
 * is an error. */
int unit_install_parse(const UnitFile *f, GeneratedUnit *u);

/* Errors on any section of f other than the given ones (a NULL-terminated list). */
int unit_check_sections(const UnitFile *f, const char *const *sections);

/* A template (unit_name "NAME@.service"): WantedBy= and RequiredBy= need DefaultInstance=, which only a
 * template may have. */
int unit_install_check_template(const UnitFile *f, const GeneratedUnit *u, bool template);

/* Ends the memstream of text, hands the text to u. */
int generated_unit_finish(GeneratedUnit *u, FILE **text, char **buf);

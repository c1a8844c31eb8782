/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#include "macros.h"

/* A unit-style ini file (.container, .network) as systemd reads one: "[Section]" headers, "Key=Value"
 * lines, comments starting with '#' or ';', and a line ending in '\' continued on the next. libinih
 * does the splitting; it cannot join continuation lines or count lines for its callers, so our reader
 * does both before inih sees a line. Every entry keeps the line it started on, for "FILE:LINE:". */

typedef struct UnitEntry {
        char *section;
        char *key;
        char *value;
        unsigned line;
} UnitEntry;

typedef struct UnitFile {
        char *path;
        char **dropins;         /* the drop-ins read after it (unit_file_load_dropin()), in order */
        UnitEntry *entries;
        size_t n_entries;
} UnitFile;

/* An entry's line says which file it came from: the line in the unit file itself, or, for the Nth
 * drop-in, N << UNIT_LINE_SOURCE_SHIFT plus its line there, so that every "FILE:LINE:" a caller
 * builds from a line it kept names the right file (unit_file_position()). */
#define UNIT_LINE_SOURCE_SHIFT 24
#define UNIT_DROPINS_MAX 255U

/* The longest logical line we take (continuations joined): far beyond any sane unit line. */
#define UNIT_LINE_MAX (64 * 1024)
/* Bigger files are refused: nothing in /etc/dray is that large. */
#define UNIT_FILE_MAX (1024 * 1024)

UnitFile *unit_file_free(UnitFile *f);
DEFINE_TRIVIAL_CLEANUP_FUNC(UnitFile *, unit_file_free);

/* Loads path. On a syntax error (a line that is neither a section, a comment nor Key=Value, a key
 * before any section, an over-long line), returns -EBADMSG with *ret_line set to that line and
 * *ret_reason to a static reason; other errors are negative errnos (-ENOENT, -EFBIG, -ENOMEM …). */
int unit_file_load(const char *path, UnitFile **ret, unsigned *ret_line, const char **ret_reason);

/* Reads the drop-in at path (the same syntax) and appends its entries to f, as systemd applies a
 * drop-in after the unit: a later assignment wins, lists grow. Errors as unit_file_load(), with
 * *ret_line a line of that drop-in; -E2BIG past UNIT_DROPINS_MAX drop-ins. */
int unit_file_load_dropin(UnitFile *f, const char *path, unsigned *ret_line, const char **ret_reason);

/* The file and the line in it of a line of an entry of f. */
void unit_file_position(const UnitFile *f, unsigned line, const char **ret_path, unsigned *ret_line);

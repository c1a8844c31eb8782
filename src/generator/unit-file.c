/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "strv.h"
#include "unit-file.h"

typedef struct Reader {
        FILE *f;
        unsigned source;        /* 0: the unit file, N: its Nth drop-in (the high bits of each line) */
        unsigned line;          /* physical lines read so far */
        unsigned logical_start; /* the first physical line of what the reader returned last */
        unsigned error_line;
        const char *error_reason;
        UnitFile *file;
} Reader;

UnitFile *unit_file_free(UnitFile *f) {
        if (!f)
                return NULL;
        for (size_t i = 0; i < f->n_entries; i++) {
                free(f->entries[i].section);
                free(f->entries[i].key);
                free(f->entries[i].value);
        }
        free(f->entries);
        free(f->path);
        strv_free(f->dropins);
        free(f);
        return NULL;
}

static void reader_fail(Reader *r, unsigned line, const char *reason) {
        if (r->error_line == 0) {
                r->error_line = line;
                r->error_reason = reason;
        }
}

static bool line_is_comment(const char *s) {
        s += strspn(s, " \t");
        return *s == '#' || *s == ';';
}

/* What systemd accepts on a line: nothing, a comment, "[Section]", or "Key=Value" (inih also splits at
 * ':', which systemd never does, so a ':' before the first '=' is refused here). */
static const char *line_check(const char *s) {
        size_t n;

        s += strspn(s, " \t");
        n = strlen(s);
        while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
                n--;
        if (n == 0 || line_is_comment(s))
                return NULL;
        if (s[0] == '[')
                return s[n - 1] == ']' && n > 2 ? NULL : "a section header must look like [Section]";
        if (s[strcspn(s, "=:")] != '=' || s[0] == '=')
                return "expected Key=Value or [Section]";
        return NULL;
}

/* inih's fgets-style reader: returns one logical line ending in '\n', continuations joined as systemd
 * joins them (the '\' becomes a space; comment lines inside a continuation are skipped). */
static char *reader_next(char *buf, int size, void *userdata) {
        Reader *r = userdata;
        _cleanup_free_ char *phys = malloc(UNIT_LINE_MAX + 2);
        const char *bad;
        bool any = false, continued = false;
        size_t len = 0;

        if (!phys) {
                reader_fail(r, r->line + 1, "out of memory");
                return NULL;
        }
        while (fgets(phys, UNIT_LINE_MAX + 2, r->f)) {
                size_t n = strlen(phys);

                r->line++;
                if (!any)
                        r->logical_start = r->line;
                any = true;
                if (n > 0 && phys[n - 1] != '\n' && !feof(r->f)) {
                        reader_fail(r, r->line, "line too long");
                        return NULL;
                }
                while (n > 0 && (phys[n - 1] == '\n' || phys[n - 1] == '\r'))
                        phys[--n] = 0;
                if (continued && line_is_comment(phys))
                        continue;
                continued = n > 0 && phys[n - 1] == '\\' && !line_is_comment(phys);
                if (continued)
                        phys[n - 1] = ' ';
                if (len + n + 2 > (size_t) size) {
                        reader_fail(r, r->logical_start, "line too long");
                        return NULL;
                }
                memcpy(buf + len, phys, n);
                len += n;
                buf[len] = 0;
                if (!continued)
                        break;
        }
        if (!any)
                return NULL;
        buf[len] = 0;
        bad = line_check(buf);
        if (bad) {
                reader_fail(r, r->logical_start, bad);
                return NULL;
        }
        buf[len] = '\n';
        buf[len + 1] = 0;
        return buf;
}

static int on_entry(void *userdata, const char *section, const char *key, const char *value) {
        Reader *r = userdata;
        UnitFile *f = r->file;
        UnitEntry *e;

        if (isempty(section)) {
                reader_fail(r, r->logical_start, "a key outside of any [Section]");
                return 0;
        }
        e = realloc(f->entries, (f->n_entries + 1) * sizeof(UnitEntry));
        if (!e) {
                reader_fail(r, r->logical_start, "out of memory");
                return 0;
        }
        f->entries = e;
        e = &f->entries[f->n_entries];
        *e = (UnitEntry) { .section = strdup(section), .key = strdup(key), .value = strdup(value),
                           .line = r->source << UNIT_LINE_SOURCE_SHIFT | r->logical_start };
        f->n_entries++;
        if (!e->section || !e->key || !e->value) {
                reader_fail(r, r->logical_start, "out of memory");
                return 0;
        }
        return 1;
}

/* inih's switches are process-wide (Debian builds them as variables); set them the way systemd reads. */
static void inih_configure(void) {
        ini_allow_multiline = false;       /* an indented line is not a continuation in systemd */
        ini_allow_inline_comments = false; /* "Exec=sh -c 'a; b'" keeps its ';' */
        ini_use_stack = false;
        ini_allow_realloc = true;
        ini_initial_alloc = UNIT_LINE_MAX + 3; /* whole logical lines: our reader never splits one */
        ini_max_line = UNIT_LINE_MAX + 3;
        ini_stop_on_first_error = true;
}

/* Parses path into f's entries, each line tagged with source. */
static int load_into(UnitFile *f, const char *path, unsigned source, unsigned *ret_line, const char **ret_reason) {
        _cleanup_fclose_ FILE *in = NULL;
        struct stat st;
        Reader r = {};
        int k;

        in = fopen(path, "re");
        if (!in)
                return -errno;
        if (fstat(fileno(in), &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        if (st.st_size > UNIT_FILE_MAX)
                return -EFBIG;
        r = (Reader) { .f = in, .file = f, .source = source };
        inih_configure();
        k = ini_parse_stream(reader_next, &r, on_entry, &r);
        if (r.error_line == 0 && k != 0)
                reader_fail(&r, k > 0 ? (unsigned) k : r.line, "not a valid unit file");
        if (r.error_line > 0) {
                *ret_line = r.error_line;
                *ret_reason = r.error_reason;
                return -EBADMSG;
        }
        return 0;
}

int unit_file_load(const char *path, UnitFile **ret, unsigned *ret_line, const char **ret_reason) {
        _cleanup_(unit_file_freep) UnitFile *f = NULL;
        int r;

        f = calloc(1, sizeof(UnitFile));
        if (!f)
                return -ENOMEM;
        f->path = strdup(path);
        if (!f->path)
                return -ENOMEM;
        r = load_into(f, path, 0, ret_line, ret_reason);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(f);
        return 0;
}

int unit_file_load_dropin(UnitFile *f, const char *path, unsigned *ret_line, const char **ret_reason) {
        size_t n = strv_length(f->dropins);

        if (n >= UNIT_DROPINS_MAX)
                return -E2BIG;
        if (strv_extend(&f->dropins, path) < 0)
                return -ENOMEM;
        return load_into(f, path, (unsigned) n + 1, ret_line, ret_reason);
}

void unit_file_position(const UnitFile *f, unsigned line, const char **ret_path, unsigned *ret_line) {
        unsigned source = line >> UNIT_LINE_SOURCE_SHIFT;

        *ret_path = source > 0 && source <= strv_length(f->dropins) ? f->dropins[source - 1] : f->path;
        *ret_line = line & ((1U << UNIT_LINE_SOURCE_SHIFT) - 1);
}

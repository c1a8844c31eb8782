/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "generated-unit.h"
#include "log.h"
#include "name.h"
#include "strv.h"
#include "unit-words.h"

void generated_unit_done(GeneratedUnit *u) {
        free(u->unit_name);
        free(u->text);
        strv_free(u->wanted_by);
        strv_free(u->required_by);
        strv_free(u->aliases);
        free(u->default_instance);
        *u = (GeneratedUnit) {};
}

int unit_error(const UnitFile *f, unsigned line, const char *fmt, ...) {
        char msg[1024];
        va_list ap;

        va_start(ap, fmt);
        (void) vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (line > 0) {
                const char *path;
                unsigned n;

                unit_file_position(f, line, &path, &n);
                log_error("%s:%u: %s No unit generated.", path, n, msg);
        } else
                log_error("%s: %s No unit generated.", f->path, msg);
        return -EINVAL;
}

void unit_write_passthrough(const UnitFile *f, const char *section, FILE *out) {
        for (size_t i = 0; i < f->n_entries; i++)
                if (streq(f->entries[i].section, section))
                        fprintf(out, "%s=%s\n", f->entries[i].key, f->entries[i].value);
}

static int install_list(const UnitFile *f, const UnitEntry *e, char ***list) {
        _cleanup_strv_free_ char **words = NULL;
        int r;

        if (isempty(e->value)) {
                *list = strv_free(*list);
                return 0;
        }
        r = unit_split_words(e->value, &words);
        if (r < 0)
                return unit_error(f, e->line, "%s=: unbalanced quotes.", e->key);
        STRV_FOREACH(w, words) {
                if (!unit_name_is_valid_simple(*w) || strchr(*w, '/'))
                        return unit_error(f, e->line, "%s=: '%s' is not a unit name.", e->key, *w);
                if (strv_extend(list, *w) < 0)
                        return log_oom();
        }
        return 0;
}

/* An instance name as systemd allows it in a unit name: letters, digits, ":-_.\\". */
static int default_instance(const UnitFile *f, const UnitEntry *e, GeneratedUnit *u) {
        size_t n = strlen(e->value);

        free(u->default_instance);
        u->default_instance = NULL;
        if (n == 0)
                return 0;
        if (n > 200 || strspn(e->value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:-_.\\") != n)
                return unit_error(f, e->line, "DefaultInstance=%s: not an instance name (letters, digits, "
                                  "':', '-', '_', '.', '\\').", e->value);
        u->default_instance = strdup(e->value);
        return u->default_instance ? 0 : log_oom();
}

int unit_install_check_template(const UnitFile *f, const GeneratedUnit *u, bool template) {
        if (!template && u->default_instance)
                return unit_error(f, 0, "DefaultInstance= is for templates (NAME@.container) only.");
        if (template && !u->default_instance && (u->wanted_by || u->required_by))
                return unit_error(f, 0, "A template's WantedBy=/RequiredBy= need DefaultInstance= (the instance "
                                  "they start).");
        return 0;
}

int unit_install_parse(const UnitFile *f, GeneratedUnit *u) {
        int r;

        for (size_t i = 0; i < f->n_entries; i++) {
                const UnitEntry *e = &f->entries[i];

                if (!streq(e->section, "Install"))
                        continue;
                if (streq(e->key, "WantedBy"))
                        r = install_list(f, e, &u->wanted_by);
                else if (streq(e->key, "RequiredBy"))
                        r = install_list(f, e, &u->required_by);
                else if (streq(e->key, "Alias"))
                        r = install_list(f, e, &u->aliases);
                else if (streq(e->key, "DefaultInstance"))
                        r = default_instance(f, e, u);
                else
                        r = unit_error(f, e->line, "Unknown key '%s' in [Install] (WantedBy=, RequiredBy=, Alias= "
                                       "and DefaultInstance= are what a generated unit can have).", e->key);
                if (r < 0)
                        return r;
        }
        return 0;
}

int unit_check_sections(const UnitFile *f, const char *const *sections) {
        for (size_t i = 0; i < f->n_entries; i++) {
                bool known = false;

                for (const char *const *s = sections; *s; s++)
                        known = known || streq(f->entries[i].section, *s);
                if (!known)
                        return unit_error(f, f->entries[i].line, "Unknown section [%s].", f->entries[i].section);
        }
        return 0;
}

int generated_unit_finish(GeneratedUnit *u, FILE **text, char **buf) {
        int r;

        r = fclose(*text);
        *text = NULL;
        if (r != 0 || !*buf)
                return log_oom();
        u->text = TAKE_PTR(*buf);
        return 0;
}

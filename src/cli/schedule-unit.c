/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "name.h"
#include "schedule-unit.h"

int schedule_unit_name(const char *name, const char *suffix, char **ret) {
        if (!container_name_is_valid(name))
                return -EINVAL;
        if (asprintf(ret, SCHEDULE_UNIT_PREFIX "%s%s", name, suffix) < 0)
                return -ENOMEM;
        return 0;
}

char *schedule_name_from_unit(const char *unit) {
        size_t p = strlen(SCHEDULE_UNIT_PREFIX), n = strlen(unit);
        char *name;

        if (n <= p + strlen(".timer") || !strneq(unit, SCHEDULE_UNIT_PREFIX, p) ||
            !streq(unit + n - strlen(".timer"), ".timer"))
                return NULL;
        name = strndup(unit + p, n - p - strlen(".timer"));
        if (name && !container_name_is_valid(name)) {
                free(name);
                return NULL;
        }
        return name;
}

/* Appends c to the growing string at *s (length *n, capacity enough: callers size it up front). */
static void put(char *s, size_t *n, const char *text) {
        size_t k = strlen(text);

        memcpy(s + *n, text, k);
        *n += k;
}

bool unit_specifier_is_valid(char c) {
        return c != 0 && strchr("aAbBCEfgGhHiIjJlLmMnNopPqsStTuUvVwWyY%", c);
}

int unit_file_quote_arg(const char *arg, char **ret) {
        return unit_file_quote_arg_full(arg, false, ret);
}

int unit_file_quote_arg_full(const char *arg, bool keep_specifiers, char **ret) {
        /* Worst case: every byte becomes "\xNN" (4), plus the quotes and the NUL. */
        char *s = malloc(strlen(arg) * 4 + 3);
        size_t n = 0;

        if (!s)
                return -ENOMEM;
        put(s, &n, "\"");
        for (const char *p = arg; *p; p++) {
                unsigned char c = (unsigned char) *p;
                char buf[5];

                if (c == '\\' || c == '"') {
                        buf[0] = '\\';
                        buf[1] = (char) c;
                        buf[2] = 0;
                } else if (c == '%' && keep_specifiers && unit_specifier_is_valid(p[1])) {
                        buf[0] = '%';
                        buf[1] = *++p;
                        buf[2] = 0;
                } else if (c == '%' || c == '$') {
                        buf[0] = buf[1] = (char) c;
                        buf[2] = 0;
                } else if (c < ' ' || c == 0x7f)
                        (void) snprintf(buf, sizeof(buf), "\\x%02x", c);
                else {
                        buf[0] = (char) c;
                        buf[1] = 0;
                }
                put(s, &n, buf);
        }
        put(s, &n, "\"");
        s[n] = 0;
        *ret = s;
        return 0;
}

int exec_arg_escape_dollar(const char *arg, char **ret) {
        char *s = malloc(strlen(arg) * 2 + 1);
        size_t n = 0;

        if (!s)
                return -ENOMEM;
        for (const char *p = arg; *p; p++) {
                if (*p == '$')
                        s[n++] = '$';
                s[n++] = *p;
        }
        s[n] = 0;
        *ret = s;
        return 0;
}

int unit_file_escape_value(const char *value, char **ret) {
        char *s = malloc(strlen(value) * 2 + 1);
        size_t n = 0;

        if (!s)
                return -ENOMEM;
        for (const char *p = value; *p; p++) {
                if ((unsigned char) *p < ' ' || *p == 0x7f) {
                        free(s);
                        return -EINVAL;
                }
                if (*p == '%')
                        s[n++] = '%';
                s[n++] = *p;
        }
        s[n] = 0;
        if (n == 0 || value[0] == ' ' || value[n - 1] == ' ' || value[n - 1] == '\\') {
                /* Leading/trailing blanks are stripped and a final backslash continues the line. */
                free(s);
                return -EINVAL;
        }
        *ret = s;
        return 0;
}

int schedule_service_file(const char *name, const char *working_dir, char *const *argv, char **ret) {
        _cleanup_free_ char *dir = NULL, *exec = NULL;
        size_t len = 0;
        FILE *f;
        int r;

        r = unit_file_escape_value(working_dir, &dir);
        if (r < 0)
                return r;
        f = open_memstream(&exec, &len);
        if (!f)
                return -ENOMEM;
        for (char *const *a = argv; *a; a++) {
                _cleanup_free_ char *q = NULL;

                r = unit_file_quote_arg(*a, &q);
                if (r < 0) {
                        fclose(f);
                        return r;
                }
                fprintf(f, "%s%s", a == argv ? "" : " ", q);
        }
        if (fclose(f) != 0)
                return -ENOMEM;
        if (asprintf(ret,
                     "# Written by 'dray schedule create --persistent'; 'dray schedule rm %s' removes it.\n"
                     "[Unit]\n"
                     "Description=dray job %s\n"
                     "Documentation=man:dray-schedule(1)\n"
                     "Wants=drayd.service\n"
                     "After=drayd.service\n"
                     "\n"
                     "[Service]\n"
                     "Type=oneshot\n"
                     "WorkingDirectory=%s\n"
                     "ExecStart=%s\n",
                     name, name, dir, exec) < 0)
                return -ENOMEM;
        return 0;
}

int schedule_timer_file(const char *name, const char *calendar, char **ret) {
        _cleanup_free_ char *spec = NULL;
        int r;

        r = unit_file_escape_value(calendar, &spec);
        if (r < 0)
                return r;
        if (asprintf(ret,
                     "# Written by 'dray schedule create --persistent'; 'dray schedule rm %s' removes it.\n"
                     "[Unit]\n"
                     "Description=dray job %s (timer)\n"
                     "Documentation=man:dray-schedule(1)\n"
                     "\n"
                     "[Timer]\n"
                     "OnCalendar=%s\n"
                     "Persistent=yes\n"
                     "\n"
                     "[Install]\n"
                     "WantedBy=timers.target\n",
                     name, name, spec) < 0)
                return -ENOMEM;
        return 0;
}

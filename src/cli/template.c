/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "template.h"

static int lookup(json_object *o, const char *path, json_object **ret) {
        /* path is ".", or ".A" or ".A.B": one step per '.'. */
        if (streq(path, ".")) {
                *ret = o;
                return 0;
        }
        while (*path == '.') {
                size_t n = strcspn(path + 1, ".");
                _cleanup_free_ char *key = strndup(path + 1, n);
                json_object *v;

                if (!key)
                        return -ENOMEM;
                if (n == 0 || !json_object_is_type(o, json_type_object) ||
                    !json_object_object_get_ex(o, key, &v))
                        return -ENOENT;
                o = v;
                path += 1 + n;
        }
        if (*path)
                return -EINVAL;
        *ret = o;
        return 0;
}

static void append(FILE *f, json_object *v, bool as_json) {
        if (!as_json && json_object_is_type(v, json_type_string))
                fputs(json_object_get_string(v), f);
        else
                fputs(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
                                                                 JSON_C_TO_STRING_NOSLASHESCAPE), f);
}

/* One action, the text between "{{" and "}}". */
static int expand_action(FILE *f, const char *action, size_t n, json_object *o) {
        _cleanup_free_ char *a = strndup(action, n);
        char *p, *end;
        bool as_json = false;
        json_object *v;
        int r;

        if (!a)
                return -ENOMEM;
        p = a + strspn(a, " \t");
        end = p + strlen(p);
        while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
                *--end = 0;
        if (strneq(p, "json", 4) && (p[4] == ' ' || p[4] == '\t')) {
                as_json = true;
                p += 4 + strspn(p + 4, " \t");
        }
        if (*p != '.' || strpbrk(p, " \t"))
                return -EINVAL;
        r = lookup(o, p, &v);
        if (r < 0)
                return r;
        append(f, v, as_json);
        return 0;
}

int template_expand(const char *tmpl, json_object *o, char **ret, char **ret_bad_action) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f;
        int r = 0;

        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        for (const char *p = tmpl; *p;) {
                const char *open = strstr(p, "{{"), *close;

                if (!open) {
                        fputs(p, f);
                        break;
                }
                fwrite(p, 1, (size_t) (open - p), f);
                close = strstr(open + 2, "}}");
                if (!close) {
                        r = -EINVAL;
                        if (ret_bad_action)
                                *ret_bad_action = strdup(open);
                        break;
                }
                r = expand_action(f, open + 2, (size_t) (close - open - 2), o);
                if (r < 0) {
                        if (ret_bad_action)
                                *ret_bad_action = strndup(open, (size_t) (close + 2 - open));
                        break;
                }
                p = close + 2;
        }
        if (fclose(f) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0)
                return r;
        *ret = TAKE_PTR(buf);
        return 0;
}

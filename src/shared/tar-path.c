/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <libgen.h>
#include <stdio.h>
#include <string.h>

#include "tar-path.h"

/* "/a/b/" → dir "/a", base "b"; "/a/b/." and "/" → dir "/a/b" (or "/"), base ".". */
int tar_path_split(const char *path, char **ret_dir, char **ret_base) {
        _cleanup_free_ char *p = strdup(path), *d = NULL, *b = NULL;
        size_t n;

        if (!p)
                return -ENOMEM;
        n = strlen(p);
        while (n > 1 && p[n - 1] == '/')
                p[--n] = 0;
        if (streq(p, "/") || (n >= 2 && streq(p + n - 2, "/.")) || streq(p, ".")) {
                if (n >= 2 && streq(p + n - 2, "/."))
                        p[n - 2 > 0 ? n - 2 : 1] = 0;
                d = strdup(p);
                b = strdup(".");
        } else {
                _cleanup_free_ char *c1 = strdup(p), *c2 = strdup(p);

                if (!c1 || !c2)
                        return -ENOMEM;
                d = strdup(dirname(c1));
                b = strdup(basename(c2));
        }
        if (!d || !b)
                return -ENOMEM;
        *ret_dir = TAKE_PTR(d);
        *ret_base = TAKE_PTR(b);
        return 0;
}

int tar_path_rename_top(const char *path, const char *top, char **ret) {
        const char *rest;

        while (strneq(path, "./", 2))
                path += 2;
        if (streq(path, ".") || isempty(path))
                rest = "";
        else {
                rest = strchr(path, '/');
                rest = rest ?: "";
        }
        return asprintf(ret, "%s%s", top, rest) < 0 ? -ENOMEM : 0;
}

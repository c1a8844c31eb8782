/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strv.h"
#include "unit-dropins.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir);

typedef struct Dropin {
        char *name;
        char *path; /* NULL: masked */
} Dropin;

typedef struct Dropins {
        Dropin *items;
        size_t n;
} Dropins;

static void dropins_done(Dropins *d) {
        for (size_t i = 0; i < d->n; i++) {
                free(d->items[i].name);
                free(d->items[i].path);
        }
        free(d->items);
}

static bool conf_name(const char *name) {
        size_t n = strlen(name);

        return name[0] != '.' && n > 5 && streq(name + n - 5, ".conf");
}

bool unit_path_masked(const char *path) {
        char target[PATH_MAX];
        ssize_t n = readlink(path, target, sizeof(target) - 1);

        if (n < 0)
                return false;
        target[n] = 0;
        return streq(target, "/dev/null");
}

static int add_dir(Dropins *d, const char *dir) {
        _cleanup_(closedirp) DIR *dp = opendir(dir);
        struct dirent *de;

        if (!dp)
                return 0; /* none there (ENOENT, or not a directory: nothing systemd would read) */
        while ((de = readdir(dp))) {
                Dropin *items;
                bool seen = false;
                char *path;

                if (!conf_name(de->d_name))
                        continue;
                for (size_t i = 0; i < d->n && !seen; i++)
                        seen = streq(d->items[i].name, de->d_name);
                if (seen)
                        continue;
                if (asprintf(&path, "%s/%s", dir, de->d_name) < 0)
                        return -ENOMEM;
                if (unit_path_masked(path)) {
                        free(path);
                        path = NULL;
                }
                items = realloc(d->items, (d->n + 1) * sizeof(Dropin));
                if (!items) {
                        free(path);
                        return -ENOMEM;
                }
                d->items = items;
                d->items[d->n] = (Dropin) { .name = strdup(de->d_name), .path = path };
                if (!d->items[d->n++].name)
                        return -ENOMEM;
        }
        return 0;
}

static int by_name(const void *a, const void *b) {
        return strcmp(((const Dropin *) a)->name, ((const Dropin *) b)->name);
}

/* "web@two.container" → "web@.container"; NULL when file_name is no instance. */
static int template_of(const char *file_name, char **ret) {
        const char *at = strchr(file_name, '@'), *dot = strrchr(file_name, '.');

        *ret = NULL;
        if (!at || !dot || at == file_name || at + 1 >= dot)
                return 0;
        return asprintf(ret, "%.*s%s", (int) (at + 1 - file_name), file_name, dot) < 0 ? -ENOMEM : 0;
}

int unit_dropins_find(char *const *dirs, const char *file_name, char ***ret) {
        _cleanup_(dropins_done) Dropins d = {};
        _cleanup_free_ char *template = NULL;
        _cleanup_strv_free_ char **paths = NULL;
        const char *names[2] = { file_name };
        int r;

        r = template_of(file_name, &template);
        if (r < 0)
                return r;
        names[1] = template;
        STRV_FOREACH(dir, dirs)
                for (size_t i = 0; i < ELEMENTSOF(names) && names[i]; i++) {
                        _cleanup_free_ char *path = NULL;

                        if (asprintf(&path, "%s/%s.d", *dir, names[i]) < 0)
                                return -ENOMEM;
                        r = add_dir(&d, path);
                        if (r < 0)
                                return r;
                }
        if (d.n > 0)
                qsort(d.items, d.n, sizeof(Dropin), by_name);
        for (size_t i = 0; i < d.n; i++)
                if (d.items[i].path && strv_extend(&paths, d.items[i].path) < 0)
                        return -ENOMEM;
        *ret = TAKE_PTR(paths);
        return 0;
}

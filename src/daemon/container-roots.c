/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bus-names.h"
#include "config.h"
#include "container-roots.h"
#include "log.h"
#include "macros.h"
#include "mount-spec.h"
#include "strv.h"

#define CONTAINER_ROOTS_CONF_MAX (64 * 1024)

static int roots_add(char ***l, const char *line) {
        _cleanup_free_ char *p = NULL;
        int r;

        r = mount_path_normalize(line, &p);
        if (r == -ENOMEM)
                return r;
        if (r < 0 || streq(p, "/")) {
                log_warning("%s/%s: '%.256s' is not an absolute directory other than '/', ignoring it.",
                            DRAY_CONFIG_DIR, CONTAINER_ROOTS_CONF, line);
                return 0;
        }
        return strv_consume(l, TAKE_PTR(p));
}

/* The declared directories, as the administrator wrote them (normalized). */
static int roots_load(char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        char line[4096];
        size_t total = 0;
        int r;

        f = fopen(DRAY_CONFIG_DIR "/" CONTAINER_ROOTS_CONF, "re");
        if (!f) {
                if (errno != ENOENT)
                        log_warning_errno(errno, "Cannot read %s/%s, declaring no container roots: %m",
                                          DRAY_CONFIG_DIR, CONTAINER_ROOTS_CONF);
                else if (strv_extend(&l, CONTAINER_ROOTS_DEFAULT) < 0)
                        return -ENOMEM;
                *ret = TAKE_PTR(l);
                return 0;
        }
        while (fgets(line, sizeof(line), f)) {
                char *s = line + strspn(line, " \t");

                total += strlen(line);
                if (total > CONTAINER_ROOTS_CONF_MAX)
                        break;
                s[strcspn(s, "#\r\n")] = 0;
                for (size_t n = strlen(s); n > 0 && strchr(" \t", s[n - 1]); n--)
                        s[n - 1] = 0;
                if (isempty(s))
                        continue;
                r = roots_add(&l, s);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

/* Strictly below: the declared directory itself is where roots live, not a root. */
static bool path_is_strictly_below(const char *path, const char *dir) {
        return !streq(path, dir) && path_is_below_or_equal(path, dir);
}

static bool roots_contain(char **roots, const char *path) {
        STRV_FOREACH(d, roots) {
                _cleanup_free_ char *resolved = NULL;

                if (path_is_strictly_below(path, *d))
                        return true;
                resolved = realpath(*d, NULL);
                if (resolved && path_is_strictly_below(path, resolved))
                        return true;
        }
        return false;
}

bool container_rootfs_is_declared(const char *rootfs) {
        _cleanup_strv_free_ char **roots = NULL;
        _cleanup_free_ char *p = NULL;

        if (!rootfs || mount_path_normalize(rootfs, &p) < 0)
                return false;
        if (roots_load(&roots) < 0)
                return false;
        return roots_contain(roots, p);
}

static bool path_is_dray_state(const char *path) {
        static const char *const dirs[] = { DRAY_STATE_DIR, DRAY_RUNTIME_DIR };

        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                _cleanup_free_ char *resolved = realpath(dirs[i], NULL);

                if (path_is_below_or_equal(path, dirs[i]) || (resolved && path_is_below_or_equal(path, resolved)))
                        return true;
        }
        return false;
}

int container_rootfs_resolve(ContainerSpec *s, sd_bus_error *error) {
        _cleanup_free_ char *resolved = NULL;
        struct stat st;

        resolved = realpath(s->rootfs, NULL);
        if (!resolved || stat(resolved, &st) < 0)
                return sd_bus_error_setf(error, DRAY_ERROR_ROOTFS_NOT_FOUND, "Root directory '%s' is not usable: %s.",
                                         s->rootfs, strerror(errno));
        if (!S_ISDIR(st.st_mode))
                return sd_bus_error_setf(error, DRAY_ERROR_ROOTFS_NOT_FOUND, "Root directory '%s' is not a directory.",
                                         s->rootfs);
        if (path_is_dray_state(resolved))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Refusing root directory '%s' (that is '%s'): it is drayd's own state.",
                                         s->rootfs, resolved);
        /* Authorised as a declared root for what it said: it must be one for what it is. */
        if (container_rootfs_is_declared(s->rootfs) && !container_rootfs_is_declared(resolved))
                return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
                                         "Root directory '%s' resolves to '%s', outside the directories declared "
                                         "for container roots (%s/%s).",
                                         s->rootfs, resolved, DRAY_CONFIG_DIR, CONTAINER_ROOTS_CONF);
        free(s->rootfs);
        s->rootfs = TAKE_PTR(resolved);
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "scope-logging.h"

static int symlink_replace(const char *target, int dir_fd, const char *name) {
        char tmp[512];

        /* symlink() cannot overwrite: make it under a temporary name and rename it over. */
        if (snprintf(tmp, sizeof(tmp), ".#%s.%i", name, (int) getpid()) >= (int) sizeof(tmp))
                return -ENAMETOOLONG;
        (void) unlinkat(dir_fd, tmp, 0);
        if (symlinkat(target, dir_fd, tmp) < 0)
                return -errno;
        if (renameat(dir_fd, tmp, dir_fd, name) < 0) {
                int r = -errno;
                (void) unlinkat(dir_fd, tmp, 0);
                return r;
        }
        return 0;
}

static int open_units_dir(const char *units_dir, bool create) {
        int fd;

        fd = open(units_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0 || errno != ENOENT || !create)
                return fd >= 0 ? fd : -errno;
        /* PID 1 creates it when it exports its first unit; it may not have yet. */
        if (mkdir(units_dir, 0755) < 0 && errno != EEXIST)
                return -errno;
        fd = open(units_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        return fd >= 0 ? fd : -errno;
}

int scope_logging_setup(const char *units_dir, const char *unit) {
        _cleanup_close_ int fd = -EBADF;
        char name[512];
        int r;

        fd = open_units_dir(units_dir, true);
        if (fd < 0)
                return fd;
        snprintf(name, sizeof(name), "log-rate-limit-burst:%s", unit);
        r = symlink_replace(SCOPE_LOG_RATE_LIMIT_BURST, fd, name);
        if (r < 0)
                return r;
        snprintf(name, sizeof(name), "log-rate-limit-interval:%s", unit);
        return symlink_replace(SCOPE_LOG_RATE_LIMIT_INTERVAL_USEC, fd, name);
}

int scope_logging_remove(const char *units_dir, const char *unit) {
        _cleanup_close_ int fd = -EBADF;
        static const char *const prefixes[] = { "log-rate-limit-burst:", "log-rate-limit-interval:" };
        char name[512];
        int r = 0;

        fd = open_units_dir(units_dir, false);
        if (fd == -ENOENT)
                return 0;
        if (fd < 0)
                return fd;
        for (size_t i = 0; i < ELEMENTSOF(prefixes); i++) {
                snprintf(name, sizeof(name), "%s%s", prefixes[i], unit);
                if (unlinkat(fd, name, 0) < 0 && errno != ENOENT && r == 0)
                        r = -errno;
        }
        return r;
}

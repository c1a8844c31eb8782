/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "rm-rf.h"

/* Depth is bounded by PATH_MAX-ish paths anyway; the bound keeps a hostile tree (an overlay upper
 * a container filled) from exhausting our stack. */
#define RM_RF_MAX_DEPTH 512

static int rm_rf_children_internal(int fd, dev_t dev, unsigned depth);

static void keep_first(int *ret, int r) {
        if (r < 0 && *ret >= 0)
                *ret = r;
}

static int rm_rf_entry(int dir_fd, const char *name, dev_t dev, unsigned depth) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        int r = 0;

        if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (!S_ISDIR(st.st_mode))
                return unlinkat(dir_fd, name, 0) < 0 && errno != ENOENT ? -errno : 0;
        if (st.st_dev != dev)
                return -EXDEV;
        if (depth >= RM_RF_MAX_DEPTH)
                return -ELOOP;

        fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        keep_first(&r, rm_rf_children_internal(fd, dev, depth + 1));
        if (unlinkat(dir_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                keep_first(&r, -errno);
        return r;
}

static int rm_rf_children_internal(int fd, dev_t dev, unsigned depth) {
        DIR *d;
        int dfd, r = 0;

        /* fdopendir() takes the fd; keep ours for the caller. */
        dfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (dfd < 0)
                return -errno;
        d = fdopendir(dfd);
        if (!d) {
                r = -errno;
                safe_close(dfd);
                return r;
        }
        for (struct dirent *de; (errno = 0, de = readdir(d));) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                keep_first(&r, rm_rf_entry(dirfd(d), de->d_name, dev, depth));
        }
        if (errno > 0)
                keep_first(&r, -errno);
        closedir(d);
        return r;
}

int rm_rf_children(int fd) {
        struct stat st;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
        return rm_rf_children_internal(fd, st.st_dev, 0);
}

int rm_rf_at(int dir_fd, const char *name) {
        struct stat st;

        if (isempty(name) || strchr(name, '/') || streq(name, ".") || streq(name, ".."))
                return -EINVAL;
        if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        return rm_rf_entry(dir_fd, name, st.st_dev, 0);
}

int rm_rf_path(const char *path) {
        _cleanup_free_ char *parent = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *base;
        char *slash;

        if (isempty(path))
                return -EINVAL;
        parent = strdup(path);
        if (!parent)
                return -ENOMEM;
        /* Trailing slashes do not name another file. */
        for (size_t n = strlen(parent); n > 1 && parent[n - 1] == '/'; n--)
                parent[n - 1] = 0;
        slash = strrchr(parent, '/');
        if (!slash)
                return rm_rf_at(AT_FDCWD, parent);
        base = path + (slash - parent) + 1;
        *slash = 0;
        fd = open(isempty(parent) ? "/" : parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        {
                _cleanup_free_ char *name = strndup(base, strcspn(base, "/"));
                if (!name)
                        return -ENOMEM;
                return rm_rf_at(fd, name);
        }
}

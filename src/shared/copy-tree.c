/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic-write.h"
#include "copy-tree.h"
#include "safe-open.h"

#define COPY_TREE_MAX_DEPTH 256

static int copy_dir_internal(int src_fd, int dst_fd, unsigned depth);

/* Ownership first: chown() clears set-ID bits, the mode puts them back. */
static int copy_attributes(int fd, const struct stat *st) {
        struct timespec ts[2] = { st->st_atim, st->st_mtim };

        if (fchown(fd, st->st_uid, st->st_gid) < 0)
                return -errno;
        if (fchmod(fd, st->st_mode & 07777) < 0)
                return -errno;
        if (futimens(fd, ts) < 0)
                return -errno;
        return 0;
}

static int copy_data(int in, int out) {
        char buf[64 * 1024];

        for (;;) {
                ssize_t n = copy_file_range(in, NULL, out, NULL, SSIZE_MAX, 0);

                if (n == 0)
                        return 0;
                if (n > 0)
                        continue;
                if (errno != EXDEV && errno != EINVAL && errno != EOPNOTSUPP && errno != ENOSYS)
                        return -errno;
                break; /* not between these file systems: copy by hand from where it stopped */
        }
        for (;;) {
                ssize_t n = read(in, buf, sizeof(buf));
                int r;

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return 0;
                r = loop_write(out, buf, (size_t) n);
                if (r < 0)
                        return r;
        }
}

static int copy_regular(int src_dir, int dst_dir, const char *name) {
        _cleanup_close_ int path = -EBADF, in = -EBADF, out = -EBADF;
        struct stat st;
        int r;

        /* What was a file at fstatat() may be a FIFO, a device or a link by now: safe-open.h. */
        path = safe_open_path(src_dir, name, SAFE_OPEN_NO_SYMLINKS);
        if (path == -ELOOP)
                return 0; /* it changed under us: not ours to chase */
        if (path < 0)
                return path;
        in = safe_reopen_regular(path);
        if (in == -EMEDIUMTYPE)
                return 0;
        if (in < 0)
                return in;
        if (fstat(in, &st) < 0)
                return -errno;
        out = openat(dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600);
        if (out < 0)
                return -errno;
        r = copy_data(in, out);
        if (r < 0)
                return r;
        return copy_attributes(out, &st);
}

static int copy_symlink(int src_dir, int dst_dir, const char *name, const struct stat *st) {
        struct timespec ts[2] = { st->st_atim, st->st_mtim };
        char target[PATH_MAX];
        ssize_t n;

        n = readlinkat(src_dir, name, target, sizeof(target));
        if (n < 0)
                return -errno;
        if ((size_t) n >= sizeof(target))
                return -ENAMETOOLONG;
        target[n] = 0;
        if (symlinkat(target, dst_dir, name) < 0)
                return -errno;
        if (fchownat(dst_dir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        return utimensat(dst_dir, name, ts, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

static int copy_fifo(int dst_dir, const char *name, const struct stat *st) {
        struct timespec ts[2] = { st->st_atim, st->st_mtim };

        if (mkfifoat(dst_dir, name, 0600) < 0)
                return -errno;
        if (fchownat(dst_dir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        if (fchmodat(dst_dir, name, st->st_mode & 07777, 0) < 0)
                return -errno;
        return utimensat(dst_dir, name, ts, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

static int copy_subdir(int src_dir, int dst_dir, const char *name, unsigned depth) {
        _cleanup_close_ int in = -EBADF, out = -EBADF;
        struct stat st;
        int r;

        if (depth >= COPY_TREE_MAX_DEPTH)
                return -ELOOP;
        in = openat(src_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (in < 0)
                return -errno;
        if (fstat(in, &st) < 0)
                return -errno;
        if (mkdirat(dst_dir, name, 0700) < 0)
                return -errno;
        out = openat(dst_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (out < 0)
                return -errno;
        r = copy_dir_internal(in, out, depth + 1);
        if (r < 0)
                return r;
        /* Last, so that the copy of its entries did not change the directory's times again. */
        return copy_attributes(out, &st);
}

static int copy_entry(int src_dir, int dst_dir, const char *name, unsigned depth) {
        struct stat st;

        if (fstatat(src_dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (S_ISDIR(st.st_mode))
                return copy_subdir(src_dir, dst_dir, name, depth);
        if (S_ISREG(st.st_mode))
                return copy_regular(src_dir, dst_dir, name);
        if (S_ISLNK(st.st_mode))
                return copy_symlink(src_dir, dst_dir, name, &st);
        if (S_ISFIFO(st.st_mode))
                return copy_fifo(dst_dir, name, &st);
        return 0; /* devices and sockets: a volume is mounted nodev, and a socket is nobody's data */
}

static int copy_dir_internal(int src_fd, int dst_fd, unsigned depth) {
        DIR *d;
        int dfd, r = 0;

        dfd = openat(src_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
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
                r = copy_entry(dirfd(d), dst_fd, de->d_name, depth);
                if (r < 0)
                        break;
        }
        if (r >= 0 && errno > 0)
                r = -errno;
        closedir(d);
        return r;
}

int copy_tree_at(int src_fd, int dst_fd) {
        return copy_dir_internal(src_fd, dst_fd, 0);
}

int dir_is_empty_at(int fd) {
        struct dirent *de;
        DIR *d;
        int dfd, r = 1;

        dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        d = fdopendir(dfd);
        if (!d) {
                r = -errno;
                safe_close(dfd);
                return r;
        }
        while ((errno = 0, de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, "..")) {
                        r = 0;
                        break;
                }
        if (r > 0 && errno > 0)
                r = -errno;
        closedir(d);
        return r;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "safe-open.h"

int safe_open_path(int dir_fd, const char *path, SafeOpenFlags flags) {
        struct open_how how = {
                .flags = O_PATH | O_CLOEXEC,
                .resolve = RESOLVE_NO_MAGICLINKS,
        };
        int fd;

        if (isempty(path))
                return -EINVAL;
        if (flags & SAFE_OPEN_IN_ROOT)
                how.resolve |= RESOLVE_IN_ROOT | RESOLVE_NO_XDEV;
        if (flags & SAFE_OPEN_NO_SYMLINKS)
                how.resolve |= RESOLVE_NO_SYMLINKS;
        fd = (int) syscall(SYS_openat2, dir_fd, path, &how, sizeof(how));
        return fd < 0 ? -errno : fd;
}

int safe_reopen_regular(int path_fd) {
        return safe_reopen_regular_in(-EBADF, path_fd);
}

int safe_reopen_regular_in(int proc_fd_dir, int path_fd) {
        char proc[sizeof("/proc/self/fd/") + 3 * sizeof(int)];
        struct stat st, st2;
        int fd;

        if (fstat(path_fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EMEDIUMTYPE;
        if (proc_fd_dir >= 0)
                (void) snprintf(proc, sizeof(proc), "%d", path_fd);
        else
                (void) snprintf(proc, sizeof(proc), "/proc/self/fd/%d", path_fd);
        fd = openat(proc_fd_dir >= 0 ? proc_fd_dir : AT_FDCWD, proc, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        /* The magic link names the inode we checked; make sure of it anyway. */
        if (fstat(fd, &st2) < 0 || st2.st_dev != st.st_dev || st2.st_ino != st.st_ino || !S_ISREG(st2.st_mode)) {
                safe_close(fd);
                return -EMEDIUMTYPE;
        }
        return fd;
}

int safe_read_fd(int fd, size_t max, char **ret, size_t *ret_size) {
        _cleanup_free_ char *buf = NULL;
        size_t n = 0, allocated = 0;

        assert(ret);
        for (;;) {
                ssize_t k;

                if (n == allocated) {
                        size_t want = MIN(MAX(allocated * 2, (size_t) 4096), max + 1);
                        char *b;

                        if (want <= allocated)
                                return -EFBIG;
                        b = realloc(buf, want + 1);
                        if (!b)
                                return -ENOMEM;
                        buf = b;
                        allocated = want;
                }
                k = read(fd, buf + n, allocated - n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        break;
                n += (size_t) k;
                if (n > max)
                        return -EFBIG;
        }
        if (!buf && !(buf = malloc(1)))
                return -ENOMEM;
        buf[n] = 0;
        *ret = TAKE_PTR(buf);
        if (ret_size)
                *ret_size = n;
        return 0;
}

int safe_read_file_at(int dir_fd, const char *path, SafeOpenFlags flags, size_t max, char **ret, size_t *ret_size) {
        _cleanup_close_ int pfd = -EBADF, fd = -EBADF;

        pfd = safe_open_path(dir_fd, path, flags);
        if (pfd < 0)
                return pfd;
        fd = safe_reopen_regular(pfd);
        if (fd < 0)
                return fd;
        return safe_read_fd(fd, max, ret, ret_size);
}

bool stat_is_whiteout(const struct stat *st) {
        return S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0);
}

const char *safe_open_strerror(int r) {
        if (r == -EMEDIUMTYPE)
                return "not a regular file";
        if (r == -EFBIG)
                return "file too large to read";
        return strerror(r < 0 ? -r : r);
}

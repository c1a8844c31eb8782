/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "atomic-write.h"
#include "json-util.h"

int loop_write(int fd, const void *data, size_t n) {
        const char *p = data;

        while (n > 0) {
                ssize_t k = write(fd, p, n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += k;
                n -= (size_t) k;
        }
        return 0;
}

int write_file_atomic(int dir_fd, const char *name, const void *data, size_t size, AtomicWriteFlags flags) {
        _cleanup_close_ int fd = -EBADF;
        char tmp[256];
        uint32_t rnd;
        int r;

        if (isempty(name) || strchr(name, '/') || strlen(name) > 200)
                return -EINVAL;
        if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
                return -EIO;
        snprintf(tmp, sizeof(tmp), ".#%s.%08" PRIx32, name, rnd);

        fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return -errno;
        r = loop_write(fd, data, size);
        /* The data always reaches the disk before the rename, so a crash can never leave a torn or
         * empty file under the final name: readers see the old content or the new one. */
        if (r >= 0 && fsync(fd) < 0)
                r = -errno;
        if (r >= 0 && renameat(dir_fd, tmp, dir_fd, name) < 0)
                r = -errno;
        if (r < 0) {
                (void) unlinkat(dir_fd, tmp, 0);
                return r;
        }
        /* ATOMIC_WRITE_SYNC also makes the rename itself durable; without it a crash may bring back
         * the old file, which is still whole. */
        if ((flags & ATOMIC_WRITE_SYNC) && fsync(dir_fd) < 0)
                return -errno;
        return 0;
}

int json_write_atomic_flags(int dir_fd, const char *name, json_object *obj, AtomicWriteFlags flags) {
        _cleanup_free_ char *text = NULL;
        const char *s;

        s = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!s)
                return -ENOMEM;
        /* What json_read_file() would refuse is never written: saved state must load again. */
        if (strlen(s) + 1 > JSON_FILE_MAX)
                return -EFBIG;
        if (asprintf(&text, "%s\n", s) < 0)
                return -ENOMEM;
        return write_file_atomic(dir_fd, name, text, strlen(text), flags);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blob-partial.h"
#include "rm-rf.h"

static int partial_dir(ImageStore *s) {
        int fd;

        if (mkdirat(s->tmp_fd, BLOB_PARTIAL_DIR, 0700) < 0 && errno != EEXIST)
                return -errno;
        fd = openat(s->tmp_fd, BLOB_PARTIAL_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        return fd < 0 ? -errno : fd;
}

/* Hashes what fd holds (the part a previous pull got). */
static int hash_existing(int fd, Sha256 *hash, uint64_t size) {
        uint8_t buf[128 * 1024];
        uint64_t done = 0;

        while (done < size) {
                ssize_t n = pread(fd, buf, (size_t) MIN((uint64_t) sizeof(buf), size - done), (off_t) done);
                int r;

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return -EIO;
                r = sha256_update(hash, buf, (size_t) n);
                if (r < 0)
                        return r;
                done += (uint64_t) n;
        }
        return 0;
}

int blob_partial_open(ImageStore *s, const char *digest, uint64_t max, BlobWriter *ret, uint64_t *ret_offset) {
        _cleanup_close_ int dir_fd = -EBADF, fd = -EBADF;
        BlobWriter w = { .fd = -EBADF, .max = max };
        struct stat st;
        int r;

        if (!digest_is_valid(digest))
                return -EINVAL;
        dir_fd = partial_dir(s);
        if (dir_fd < 0)
                return dir_fd;
        fd = openat(dir_fd, digest_hex(digest), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK, 0600);
        if (fd < 0)
                return -errno;
        if (flock(fd, LOCK_EX | LOCK_NB) < 0)
                return errno == EWOULDBLOCK ? -EBUSY : -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EBADMSG;
        if ((uint64_t) st.st_size > max && ftruncate(fd, 0) < 0)
                return -errno;
        if ((uint64_t) st.st_size > max)
                st.st_size = 0;
        r = sha256_init(&w.hash);
        if (r < 0)
                return r;
        r = hash_existing(fd, &w.hash, (uint64_t) st.st_size);
        if (r >= 0 && lseek(fd, st.st_size, SEEK_SET) < 0)
                r = -errno;
        if (r < 0) {
                sha256_done(&w.hash);
                return r;
        }
        w.fd = TAKE_FD(fd);
        *ret = w;
        *ret_offset = (uint64_t) st.st_size;
        return 0;
}

void blob_partial_remove(ImageStore *s, const char *digest) {
        _cleanup_close_ int dir_fd = -EBADF;

        if (!digest_is_valid(digest))
                return;
        dir_fd = openat(s->tmp_fd, BLOB_PARTIAL_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (dir_fd >= 0)
                (void) unlinkat(dir_fd, digest_hex(digest), 0);
}

int blob_partial_clean(ImageStore *s) {
        return rm_rf_at(s->tmp_fd, BLOB_PARTIAL_DIR);
}

int blob_writer_reset(BlobWriter *w) {
        int r;

        if (ftruncate(w->fd, 0) < 0 || lseek(w->fd, 0, SEEK_SET) < 0)
                return -errno;
        sha256_done(&w->hash);
        r = sha256_init(&w->hash);
        return r;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blob-partial.h"
#include "log.h"
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

typedef struct Leftover {
        char *name;
        struct timespec mtime;
        uint64_t size;
} Leftover;

static int leftover_newest_first(const void *a, const void *b) {
        const struct timespec *x = &((const Leftover *) a)->mtime, *y = &((const Leftover *) b)->mtime;

        if (x->tv_sec != y->tv_sec)
                return x->tv_sec < y->tv_sec ? 1 : -1;
        return x->tv_nsec < y->tv_nsec ? 1 : x->tv_nsec > y->tv_nsec ? -1 : 0;
}

/* Removes name unless a transfer holds it (its flock): a pull in progress is never cut short. */
static void leftover_remove(int dir_fd, const char *name) {
        _cleanup_close_ int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);

        if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
                return;
        if (unlinkat(dir_fd, name, 0) >= 0)
                log_debug("Dropped the partial blob %s: more than %u or %llu bytes are kept.", name,
                          BLOB_PARTIAL_KEEP_FILES, (unsigned long long) BLOB_PARTIAL_KEEP_BYTES);
}

static bool leftover_in_use(int dir_fd, const char *name) {
        _cleanup_close_ int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);

        return fd >= 0 && flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
}

/* What earlier pulls left to resume (all but current and the files other transfers hold) is kept
 * newest first up to BLOB_PARTIAL_KEEP_FILES files and BLOB_PARTIAL_KEEP_BYTES bytes; the older
 * ones go. Best effort: a failure here only leaves more behind. */
static void partial_trim(int dir_fd, const char *current) {
        _cleanup_close_ int fd = -EBADF;
        Leftover *l = NULL;
        size_t n = 0, kept = 0;
        uint64_t bytes = 0;
        bool full = false;
        struct dirent *de;
        DIR *d;

        fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return;
        d = fdopendir(fd);
        if (!d)
                return;
        TAKE_FD(fd); /* closedir() closes it */
        while ((de = readdir(d))) {
                struct stat st;
                Leftover *nl;

                if (de->d_name[0] == '.' || streq(de->d_name, current))
                        continue;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
                        continue;
                nl = reallocarray(l, n + 1, sizeof(*l));
                if (!nl)
                        break;
                l = nl;
                l[n] = (Leftover) { .name = strdup(de->d_name), .mtime = st.st_mtim, .size = (uint64_t) st.st_size };
                if (!l[n].name)
                        break;
                n++;
        }
        if (n > 0)
                qsort(l, n, sizeof(*l), leftover_newest_first);
        for (size_t i = 0; i < n; i++) {
                if (leftover_in_use(dirfd(d), l[i].name))
                        continue;
                full = full || kept >= BLOB_PARTIAL_KEEP_FILES || l[i].size > BLOB_PARTIAL_KEEP_BYTES - bytes;
                if (full)
                        leftover_remove(dirfd(d), l[i].name);
                else {
                        kept++;
                        bytes += l[i].size;
                }
        }
        for (size_t i = 0; i < n; i++)
                free(l[i].name);
        free(l);
        closedir(d);
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
        partial_trim(dir_fd, digest_hex(digest));
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
        _cleanup_close_ int fd = -EBADF;
        struct dirent *de;
        int r = 0;
        DIR *d;

        fd = openat(s->tmp_fd, BLOB_PARTIAL_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        d = fdopendir(fd);
        if (!d)
                return -errno;
        TAKE_FD(fd); /* closedir() closes it */
        /* As the trim: a file another transfer holds (flock) is being written; its pull goes on. */
        while ((de = readdir(d))) {
                int k;

                if (streq(de->d_name, ".") || streq(de->d_name, "..") || leftover_in_use(dirfd(d), de->d_name))
                        continue;
                k = rm_rf_at(dirfd(d), de->d_name);
                if (k < 0 && r == 0)
                        r = k;
        }
        closedir(d);
        /* Empty, it goes too (a prune leaves tmp/ empty); with a held file in it, it stays. */
        if (unlinkat(s->tmp_fd, BLOB_PARTIAL_DIR, AT_REMOVEDIR) < 0 && errno != ENOTEMPTY && errno != EEXIST && r == 0)
                r = -errno;
        return r;
}

int blob_writer_reset(BlobWriter *w) {
        int r;

        if (ftruncate(w->fd, 0) < 0 || lseek(w->fd, 0, SEEK_SET) < 0)
                return -errno;
        sha256_done(&w->hash);
        r = sha256_init(&w->hash);
        return r;
}

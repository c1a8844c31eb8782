/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "atomic-write.h"
#include "image-unpack.h"
#include "rm-rf.h"
#include "strv.h"
#include "utf8.h"

#define WHITEOUT_PREFIX ".wh."
#define WHITEOUT_OPAQUE ".wh..wh..opq"
#define PATH_MAX_LAYER 4096U

DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_read_free);

int unpack_error_set(UnpackError *e, int r, const char *fmt, ...) {
        va_list ap;

        if (e && !*e->message) {
                va_start(ap, fmt);
                (void) vsnprintf(e->message, sizeof(e->message), fmt, ap);
                va_end(ap);
        }
        return r;
}

/* ---- the decompressing source: one pass, hashing the uncompressed bytes ----------------------- */

typedef struct Source {
        struct archive *raw; /* filters only; its data is the uncompressed tar */
        Sha256 hash;
        uint64_t size;
        bool eof;
        char buf[64 * 1024];
} Source;

static int source_open(Source *src, int fd) {
        int r;

        src->raw = archive_read_new();
        if (!src->raw)
                return -ENOMEM;
        /* Only in-process decompressors: no external programs. */
        if (archive_read_support_filter_gzip(src->raw) != ARCHIVE_OK ||
            archive_read_support_filter_bzip2(src->raw) != ARCHIVE_OK ||
            archive_read_support_filter_xz(src->raw) != ARCHIVE_OK ||
            archive_read_support_filter_zstd(src->raw) != ARCHIVE_OK ||
            archive_read_support_format_raw(src->raw) != ARCHIVE_OK ||
            archive_read_support_format_empty(src->raw) != ARCHIVE_OK)
                return -EIO;
        if (archive_read_open_fd(src->raw, fd, 64 * 1024) != ARCHIVE_OK)
                return -EBADMSG;
        r = sha256_init(&src->hash);
        if (r < 0)
                return r;
        return 0;
}

static void source_close(Source *src) {
        archive_read_free(src->raw);
        sha256_done(&src->hash);
}

static la_ssize_t source_read(struct archive *a, void *userdata, const void **ret) {
        Source *src = userdata;
        la_ssize_t n;

        if (src->eof)
                return 0;
        n = archive_read_data(src->raw, src->buf, sizeof(src->buf));
        if (n < 0) {
                if (a)
                        archive_set_error(a, EBADMSG, "%s", archive_error_string(src->raw) ?: "decompression failed");
                return -1;
        }
        if (sha256_update(&src->hash, src->buf, (size_t) n) < 0)
                return -1;
        src->size += (uint64_t) n;
        *ret = src->buf;
        return n;
}

/* The raw reader needs its header read before data flows. */
static int source_start(Source *src) {
        struct archive_entry *e;
        int r = archive_read_next_header(src->raw, &e);

        if (r == ARCHIVE_EOF) {
                src->eof = true; /* empty input */
                return 0;
        }
        return r == ARCHIVE_OK ? 1 : -EBADMSG;
}

static int source_finish(Source *src, char ret[static DIGEST_STRING_LEN + 1]) {
        const void *p;
        la_ssize_t n;

        /* Trailing bytes after the tar's end marker are still part of the diff ID. */
        while ((n = source_read(NULL, src, &p)) > 0)
                ;
        if (n < 0)
                return -EBADMSG;
        return sha256_final(&src->hash, ret);
}

/* ---- entry names ------------------------------------------------------------------------------- */

int unpack_path_check(const char *path, const char **ret_reason) {
        const char *reason = NULL;
        size_t n;

        if (!path)
                reason = "an entry without a name";
        else if ((n = strlen(path)) == 0)
                reason = "an empty name";
        else if (n >= PATH_MAX_LAYER)
                reason = "a name longer than 4095 bytes";
        else if (path[0] == '/')
                reason = "an absolute path";
        else if (!utf8_is_valid(path))
                reason = "a name that is not valid UTF-8";
        else {
                for (const char *c = path; *c && !reason; c++)
                        if ((unsigned char) *c < 0x20 || *c == 0x7f)
                                reason = "a name with control characters";
                for (const char *c = path; !reason && *c;) {
                        size_t k = strcspn(c, "/");

                        if (k == 2 && strneq(c, "..", 2))
                                reason = "a '..' component";
                        else if (k > 255)
                                reason = "a path component longer than 255 bytes";
                        c += k;
                        c += *c == '/';
                }
        }
        if (ret_reason)
                *ret_reason = reason;
        return reason ? -EINVAL : 0;
}

/* "./a/b/" → "a/b"; "." and "./" → "" (the root). */
static char *path_simplify(const char *p) {
        char *s, *d;

        while (p[0] == '.' && p[1] == '/')
                p += 2;
        if (streq(p, "."))
                p = "";
        s = strdup(p);
        if (!s)
                return NULL;
        for (d = s + strlen(s); d > s && d[-1] == '/'; d--)
                d[-1] = 0;
        return s;
}

/* ---- resolution inside the target -------------------------------------------------------------- */

static int open_in_root(int root_fd, const char *path, int flags) {
        struct open_how how = {
                .flags = (uint64_t) (flags | O_CLOEXEC),
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
        };
        int fd;

        if (isempty(path))
                path = ".";
        fd = (int) syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
        return fd < 0 ? -errno : fd;
}

/* The directory path, created (0755, root) where missing, each step resolved in the root. */
static int open_parent(int root_fd, const char *dir) {
        _cleanup_free_ char *p = strdup(dir);
        int fd;

        if (!p)
                return -ENOMEM;
        fd = open_in_root(root_fd, p, O_PATH | O_DIRECTORY);
        if (fd != -ENOENT)
                return fd;
        for (char *c = p;; c++) {
                if (*c != '/' && *c != 0)
                        continue;
                char saved = *c;
                _cleanup_close_ int parent = -EBADF;
                const char *slash;
                char *base;

                *c = 0;
                fd = open_in_root(root_fd, p, O_PATH | O_DIRECTORY);
                if (fd == -ENOENT) {
                        slash = strrchr(p, '/');
                        base = slash ? (char *) slash + 1 : p;
                        if (slash)
                                *(char *) slash = 0;
                        parent = open_in_root(root_fd, slash ? p : "", O_PATH | O_DIRECTORY);
                        if (slash)
                                *(char *) slash = '/';
                        if (parent < 0)
                                return parent;
                        if (mkdirat(parent, base, 0755) < 0 && errno != EEXIST)
                                return -errno;
                        fd = open_in_root(root_fd, p, O_PATH | O_DIRECTORY);
                }
                *c = saved;
                if (fd < 0)
                        return fd;
                if (saved == 0)
                        return fd;
                safe_close(fd);
        }
}

/* An entry replaces whatever an earlier entry of the same layer left at its name, except that a
 * directory stays a directory when the new entry is one too. */
static int clear_name(int parent_fd, const char *name, bool keep_dir) {
        struct stat st;

        if (fstatat(parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (S_ISDIR(st.st_mode))
                return keep_dir ? 1 : rm_rf_at(parent_fd, name);
        return RET_NERRNO(unlinkat(parent_fd, name, 0));
}

/* ---- one entry --------------------------------------------------------------------------------- */

typedef struct Unpack {
        struct archive *tar;
        int root_fd;
        const UnpackLimits *limits;
        uint64_t bytes, entries;
        char **opaque;
        UnpackError *error;
} Unpack;

static bool xattr_is_allowed(const char *name) {
        /* trusted.* would steer overlayfs (redirects, opaque, metacopy): never from a layer. */
        return strneq(name, "user.", 5) || streq(name, "security.capability");
}

static int apply_xattrs(Unpack *u, struct archive_entry *e, int fd, const char *path) {
        const char *name;
        const void *value;
        size_t size;

        archive_entry_xattr_reset(e);
        while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
                if (!name || !xattr_is_allowed(name))
                        continue;
                if (fsetxattr(fd, name, value, size, 0) < 0 && errno != ENOTSUP)
                        return unpack_error_set(u->error, -errno, "cannot set xattr '%s' on '%s': %s", name, path,
                                    strerror(errno));
        }
        return 0;
}

/* Owner first, then mode: chown clears setuid and setgid. */
static int apply_metadata(Unpack *u, struct archive_entry *e, int fd, const char *path) {
        struct timespec ts[2] = {
                { .tv_sec = archive_entry_atime(e), .tv_nsec = archive_entry_atime_nsec(e) },
                { .tv_sec = archive_entry_mtime(e), .tv_nsec = archive_entry_mtime_nsec(e) },
        };
        la_int64_t uid = archive_entry_uid(e), gid = archive_entry_gid(e);

        if (uid < 0 || uid >= UINT32_MAX || gid < 0 || gid >= UINT32_MAX)
                return unpack_error_set(u->error, -EINVAL, "'%s' has an invalid owner", path);
        if (fchown(fd, (uid_t) uid, (gid_t) gid) < 0)
                return unpack_error_set(u->error, -errno, "cannot chown '%s': %s", path, strerror(errno));
        if (fchmod(fd, archive_entry_perm(e) & 07777) < 0)
                return unpack_error_set(u->error, -errno, "cannot chmod '%s': %s", path, strerror(errno));
        if (apply_xattrs(u, e, fd, path) < 0)
                return -EIO;
        if (!archive_entry_atime_is_set(e))
                ts[0] = ts[1];
        (void) futimens(fd, ts);
        return 0;
}

static int write_data(Unpack *u, int fd, const char *path) {
        const void *buf;
        size_t size;
        la_int64_t offset;
        int r;

        while ((r = archive_read_data_block(u->tar, &buf, &size, &offset)) == ARCHIVE_OK) {
                const char *p = buf;

                u->bytes += size;
                if (u->bytes > u->limits->max_bytes)
                        return unpack_error_set(u->error, -EFBIG, "the layer unpacks to more than %llu bytes (free disk space)",
                                    (unsigned long long) u->limits->max_bytes);
                if (offset < 0 || lseek(fd, offset, SEEK_SET) < 0)
                        return unpack_error_set(u->error, -EBADMSG, "'%s': bad data offset", path);
                r = loop_write(fd, p, size);
                if (r < 0)
                        return unpack_error_set(u->error, r, "cannot write '%s': %s", path, strerror(-r));
        }
        if (r != ARCHIVE_EOF)
                return unpack_error_set(u->error, -EBADMSG, "'%s': %s", path, archive_error_string(u->tar) ?: "truncated data");
        return 0;
}

static int unpack_regular(Unpack *u, struct archive_entry *e, int parent, const char *name, const char *path) {
        _cleanup_close_ int fd = -EBADF;
        int r;

        fd = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
        if (fd < 0)
                return unpack_error_set(u->error, -errno, "cannot create '%s': %s", path, strerror(errno));
        r = write_data(u, fd, path);
        if (r < 0)
                return r;
        /* A sparse file's trailing hole. */
        if (archive_entry_size(e) < 0 || ftruncate(fd, archive_entry_size(e)) < 0)
                return unpack_error_set(u->error, -EBADMSG, "'%s': bad size", path);
        return apply_metadata(u, e, fd, path);
}

static int unpack_directory(Unpack *u, struct archive_entry *e, int parent, const char *name, const char *path) {
        _cleanup_close_ int fd = -EBADF;

        if (!isempty(name) && mkdirat(parent, name, 0700) < 0 && errno != EEXIST)
                return unpack_error_set(u->error, -errno, "cannot create directory '%s': %s", path, strerror(errno));
        fd = isempty(name) ? openat(parent, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                           : openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return unpack_error_set(u->error, -errno, "cannot open directory '%s': %s", path, strerror(errno));
        return apply_metadata(u, e, fd, path);
}

static int unpack_symlink(Unpack *u, struct archive_entry *e, int parent, const char *name, const char *path) {
        const char *target = archive_entry_symlink(e);
        la_int64_t uid = archive_entry_uid(e), gid = archive_entry_gid(e);

        /* The target is only ever resolved inside a root (here in ours, later in the container's). */
        if (isempty(target) || strlen(target) >= PATH_MAX_LAYER)
                return unpack_error_set(u->error, -EINVAL, "symlink '%s' has an empty or over-long target", path);
        if (symlinkat(target, parent, name) < 0)
                return unpack_error_set(u->error, -errno, "cannot create symlink '%s': %s", path, strerror(errno));
        if (uid < 0 || uid >= UINT32_MAX || gid < 0 || gid >= UINT32_MAX)
                return unpack_error_set(u->error, -EINVAL, "'%s' has an invalid owner", path);
        if (fchownat(parent, name, (uid_t) uid, (gid_t) gid, AT_SYMLINK_NOFOLLOW) < 0)
                return unpack_error_set(u->error, -errno, "cannot chown '%s': %s", path, strerror(errno));
        return 0;
}

static int unpack_hardlink(Unpack *u, struct archive_entry *e, int parent, const char *name, const char *path) {
        _cleanup_free_ char *target = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *reason;
        char proc[64];
        struct stat st;

        if (unpack_path_check(archive_entry_hardlink(e), &reason) < 0)
                return unpack_error_set(u->error, -EINVAL, "hard link '%s' points to %s", path, reason);
        target = path_simplify(archive_entry_hardlink(e));
        if (!target)
                return -ENOMEM;
        /* Resolved in the root, so it cannot reach a file outside; O_NOFOLLOW: a link to a symlink is a
         * link to the symlink itself. */
        fd = open_in_root(u->root_fd, target, O_PATH | O_NOFOLLOW);
        if (fd < 0)
                return unpack_error_set(u->error, fd, "hard link '%s' points to '%s', which the layer does not have", path, target);
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return unpack_error_set(u->error, -EPERM, "hard link '%s' points to a directory", path);
        (void) snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        if (linkat(AT_FDCWD, proc, parent, name, AT_SYMLINK_FOLLOW) < 0)
                return unpack_error_set(u->error, -errno, "cannot create hard link '%s': %s", path, strerror(errno));
        return 0;
}

static int unpack_special(Unpack *u, struct archive_entry *e, int parent, const char *name, const char *path) {
        mode_t type = archive_entry_filetype(e);
        _cleanup_close_ int fd = -EBADF;

        if (type == AE_IFCHR && archive_entry_rdev(e) == makedev(0, 0)) {
                /* Already an overlayfs whiteout. */
                if (mknodat(parent, name, S_IFCHR | 0, makedev(0, 0)) < 0)
                        return unpack_error_set(u->error, -errno, "cannot create whiteout '%s': %s", path, strerror(errno));
                return 0;
        }
        if (type == AE_IFCHR || type == AE_IFBLK) {
                /* Never created in the store, but no reason to refuse the archive: every bootstrapper's
                 * tarball has some. Counted, for the one line the user gets. */
                if (u->error)
                        u->error->skipped_devices++;
                return 0;
        }
        if (type != AE_IFIFO)
                return 0; /* sockets and the like mean nothing in an image */
        if (mkfifoat(parent, name, 0600) < 0)
                return unpack_error_set(u->error, -errno, "cannot create FIFO '%s': %s", path, strerror(errno));
        fd = openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fchownat(parent, name, (uid_t) archive_entry_uid(e), (gid_t) archive_entry_gid(e), AT_SYMLINK_NOFOLLOW) < 0 ||
            fchmodat(parent, name, archive_entry_perm(e) & 07777, 0) < 0)
                return unpack_error_set(u->error, -errno, "cannot set the owner or mode of '%s': %s", path, strerror(errno));
        return 0;
}

static int unpack_whiteout(Unpack *u, int parent, const char *dir, const char *name, const char *path) {
        int r;

        if (streq(name, WHITEOUT_OPAQUE)) {
                char *d = strdup(dir);

                return d ? strv_consume(&u->opaque, d) : -ENOMEM;
        }
        name += strlen(WHITEOUT_PREFIX);
        if (strneq(name, WHITEOUT_PREFIX, strlen(WHITEOUT_PREFIX)) || isempty(name) || streq(name, "."))
                return 0; /* aufs metadata (.wh..wh.plnk and friends): nothing to do */
        r = clear_name(parent, name, false);
        if (r < 0)
                return unpack_error_set(u->error, r, "cannot replace '%s' with a whiteout: %s", path, strerror(-r));
        if (mknodat(parent, name, S_IFCHR | 0, makedev(0, 0)) < 0)
                return unpack_error_set(u->error, -errno, "cannot create whiteout for '%s': %s", path, strerror(errno));
        return 0;
}

static int unpack_entry(Unpack *u, struct archive_entry *e) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int parent = -EBADF;
        const char *reason, *name;
        char *slash;
        mode_t type = archive_entry_filetype(e);
        int r;

        if (++u->entries > u->limits->max_entries)
                return unpack_error_set(u->error, -EFBIG, "the layer has more than %llu entries",
                            (unsigned long long) u->limits->max_entries);
        if (unpack_path_check(archive_entry_pathname(e), &reason) < 0)
                return unpack_error_set(u->error, -EINVAL, "refusing an entry with %s: '%.200s'", reason,
                            strempty(archive_entry_pathname(e)));
        path = path_simplify(archive_entry_pathname(e));
        if (!path)
                return -ENOMEM;
        if (isempty(path)) {
                if (type != AE_IFDIR)
                        return unpack_error_set(u->error, -EINVAL, "the layer's root is not a directory");
                return unpack_directory(u, e, u->root_fd, "", "/");
        }
        slash = strrchr(path, '/');
        name = slash ? slash + 1 : path;
        if (slash)
                *slash = 0;
        parent = open_parent(u->root_fd, slash ? path : "");
        if (parent < 0)
                return unpack_error_set(u->error, parent, "cannot open the directory of '%s': %s", name, strerror(-parent));
        if (slash)
                *slash = '/';
        if (streq(name, ".") || streq(name, ".."))
                return unpack_error_set(u->error, -EINVAL, "refusing the entry '%s'", path);

        if (strneq(name, WHITEOUT_PREFIX, strlen(WHITEOUT_PREFIX))) {
                if (slash)
                        *slash = 0;
                r = unpack_whiteout(u, parent, slash ? path : "", name, archive_entry_pathname(e));
                return r;
        }
        if (archive_entry_hardlink(e) && !archive_entry_symlink(e)) {
                r = clear_name(parent, name, false);
                return r < 0 ? unpack_error_set(u->error, r, "cannot replace '%s'", path) : unpack_hardlink(u, e, parent, name, path);
        }
        r = clear_name(parent, name, type == AE_IFDIR);
        if (r < 0)
                return unpack_error_set(u->error, r, "cannot replace '%s': %s", path, strerror(-r));
        switch (type) {
        case AE_IFREG:
                return unpack_regular(u, e, parent, name, path);
        case AE_IFDIR:
                return unpack_directory(u, e, parent, name, path);
        case AE_IFLNK:
                return unpack_symlink(u, e, parent, name, path);
        default:
                return unpack_special(u, e, parent, name, path);
        }
}

int image_unpack(int archive_fd, int target_fd, const UnpackLimits *limits, char ***ret_opaque,
                 char ret_diff_id[static DIGEST_STRING_LEN + 1], UnpackError *error) {
        _cleanup_(archive_read_freep) struct archive *tar = NULL;
        _cleanup_strv_free_ char **opaque = NULL;
        Source src = {};
        Unpack u = { .root_fd = target_fd, .limits = limits, .error = error };
        struct archive_entry *e;
        int r;

        r = source_open(&src, archive_fd);
        if (r >= 0)
                r = source_start(&src);
        if (r < 0) {
                source_close(&src);
                return unpack_error_set(error, r, "not a tar archive, or compressed in an unsupported way");
        }
        tar = archive_read_new();
        if (!tar || archive_read_support_format_tar(tar) != ARCHIVE_OK ||
            archive_read_support_format_gnutar(tar) != ARCHIVE_OK) {
                source_close(&src);
                return -ENOMEM;
        }
        if (r > 0 && archive_read_open(tar, &src, NULL, source_read, NULL) != ARCHIVE_OK) {
                r = unpack_error_set(error, -EBADMSG, "not a tar archive: %s", archive_error_string(tar) ?: "unknown format");
                source_close(&src);
                return r;
        }
        u.tar = tar;
        while (r > 0) {
                int k = archive_read_next_header(tar, &e);

                if (k == ARCHIVE_EOF)
                        break;
                if (k != ARCHIVE_OK && k != ARCHIVE_WARN) {
                        r = unpack_error_set(error, -EBADMSG, "malformed tar: %s", archive_error_string(tar) ?: "bad header");
                        break;
                }
                k = unpack_entry(&u, e);
                if (k < 0) {
                        r = k;
                        break;
                }
        }
        opaque = u.opaque;
        if (r >= 0)
                r = source_finish(&src, ret_diff_id);
        else
                source_close(&src);
        if (r < 0)
                return r;
        sha256_done(&src.hash);
        archive_read_free(src.raw);
        *ret_opaque = TAKE_PTR(opaque);
        return 0;
}

int image_decompress(int in_fd, int out_fd, uint64_t max, ImageProgressFunc progress, void *userdata,
                     char ret_digest[static DIGEST_STRING_LEN + 1],
                     uint64_t *ret_size, UnpackError *error) {
        Source src = {};
        const void *buf;
        struct stat st;
        uint64_t total = 0, last = 0;
        la_ssize_t n;
        int r;

        if (fstat(in_fd, &st) >= 0 && S_ISREG(st.st_mode))
                total = (uint64_t) st.st_size;

        r = source_open(&src, in_fd);
        if (r >= 0)
                r = source_start(&src);
        if (r < 0) {
                source_close(&src);
                return unpack_error_set(error, r, "cannot read the archive: unknown compression");
        }
        while (r > 0 && (n = source_read(NULL, &src, &buf)) > 0) {
                const char *p = buf;

                if (src.size > max) {
                        source_close(&src);
                        return unpack_error_set(error, -EFBIG, "the archive is larger than %llu bytes uncompressed",
                                    (unsigned long long) max);
                }
                r = loop_write(out_fd, p, (size_t) n);
                if (r < 0) {
                        source_close(&src);
                        return unpack_error_set(error, r, "cannot write: %s", strerror(-r));
                }
                r = 1;
                if (progress && src.size - last >= 4U * 1024U * 1024U) {
                        last = src.size;
                        progress((uint64_t) archive_filter_bytes(src.raw, -1), total, userdata);
                }
        }
        if (r > 0 && n < 0) {
                source_close(&src);
                return unpack_error_set(error, -EBADMSG, "the archive is corrupt: decompression failed");
        }
        *ret_size = src.size;
        r = sha256_final(&src.hash, ret_digest);
        archive_read_free(src.raw);
        return r;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hostile and ordinary layers through the sandboxed unpacker, into a scratch directory. Root only:
 * the unpacker chowns, makes whiteouts and sets trusted.* on opaque directories. */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "image-import.h"
#include "image-sandbox.h"
#include "strv.h"
#include "rm-rf.h"
#include "test.h"

typedef struct Entry {
        const char *path;
        mode_t type;
        const char *data;   /* file contents, symlink or hard link target */
        mode_t perm;
        dev_t rdev;
        const char *xattr;  /* name=value */
        size_t xattr_size;  /* of the value, when it holds NUL bytes */
} Entry;

/* Writes the entries as a tar (gzip when compress) to a memfd. */
static int make_tar(const Entry *entries, size_t n, bool compress) {
        struct archive *a = archive_write_new();
        int fd = memfd_create("layer", MFD_CLOEXEC);

        if (!a || fd < 0)
                return -ENOMEM;
        archive_write_set_format_pax_restricted(a);
        if (compress)
                archive_write_add_filter_gzip(a);
        archive_write_open_fd(a, fd);
        for (size_t i = 0; i < n; i++) {
                struct archive_entry *e = archive_entry_new();

                archive_entry_set_pathname(e, entries[i].path);
                archive_entry_set_filetype(e, entries[i].type);
                archive_entry_set_perm(e, entries[i].perm ?: 0644);
                archive_entry_set_uid(e, 1000);
                archive_entry_set_gid(e, 1000);
                if (entries[i].type == AE_IFLNK)
                        archive_entry_set_symlink(e, entries[i].data);
                else if (entries[i].type == 0) {
                        archive_entry_set_filetype(e, AE_IFREG);
                        archive_entry_set_hardlink(e, entries[i].data);
                } else if (entries[i].type == AE_IFREG && entries[i].data)
                        archive_entry_set_size(e, strlen(entries[i].data));
                if (entries[i].rdev)
                        archive_entry_set_rdev(e, entries[i].rdev);
                if (entries[i].xattr) {
                        const char *eq = strchr(entries[i].xattr, '=');
                        char name[64];

                        snprintf(name, sizeof(name), "%.*s", (int) (eq - entries[i].xattr), entries[i].xattr);
                        archive_entry_xattr_add_entry(e, name, eq + 1,
                                                      entries[i].xattr_size ?: strlen(eq + 1));
                }
                archive_write_header(a, e);
                if (entries[i].type == AE_IFREG && entries[i].data)
                        archive_write_data(a, entries[i].data, strlen(entries[i].data));
                archive_entry_free(e);
        }
        archive_write_close(a);
        archive_write_free(a);
        lseek(fd, 0, SEEK_SET);
        return fd;
}

static const UnpackLimits limits = { .max_bytes = 1 << 20, .max_entries = 1000 };

typedef struct Scratch {
        char dir[64];
        int outside_fd, target_fd;
} Scratch;

static int scratch_new(Scratch *s) {
        snprintf(s->dir, sizeof(s->dir), "/tmp/test-unpack-XXXXXX");
        if (!mkdtemp(s->dir) || mkdirat(AT_FDCWD, s->dir, 0700) < 0)
                if (errno != EEXIST)
                        return -errno;
        s->outside_fd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (s->outside_fd < 0 || mkdirat(s->outside_fd, "target", 0755) < 0)
                return -errno;
        s->target_fd = openat(s->outside_fd, "target", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        return s->target_fd < 0 ? -errno : 0;
}

static void scratch_done(Scratch *s) {
        safe_close(s->target_fd);
        safe_close(s->outside_fd);
        (void) rm_rf_path(s->dir);
}

/* Unpacks, returns the result; the message in msg. */
static int unpack(Scratch *s, const Entry *entries, size_t n, bool compress, char msg[static UNPACK_MESSAGE_MAX]) {
        _cleanup_close_ int fd = make_tar(entries, n, compress);
        char diff_id[DIGEST_STRING_LEN + 1];
        UnpackError e = {};
        int r;

        r = image_unpack_sandboxed(fd, s->target_fd, &limits, diff_id, &e);
        memcpy(msg, e.message, UNPACK_MESSAGE_MAX);
        return r;
}

/* Nothing but "target" in the scratch directory: nothing was written outside. */
static bool outside_untouched(Scratch *s) {
        struct stat st;

        return fstatat(s->outside_fd, "escaped", &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT;
}

TEST(ordinary_layer) {
        static const Entry entries[] = {
                { "./", AE_IFDIR, NULL, 0755 },
                { "bin/", AE_IFDIR, NULL, 0755 },
                { "bin/su", AE_IFREG, "#!", 04755 },
                { "bin/ping", AE_IFREG, "p", 0755, 0, "security.capability=\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 20 },
                { "bin/sh", AE_IFLNK, "/bin/su" },
                { "bin/hard", 0, "bin/su" },
                { "etc/file", AE_IFREG, "x", 0600, 0, "trusted.overlay.redirect=/etc" },
                { "etc/user", AE_IFREG, "x", 0600, 0, "user.k=v" },
                { "gone/.wh..wh..opq", AE_IFREG, "" },
                { "etc/.wh.removed", AE_IFREG, "" },
                { "fifo", AE_IFIFO, NULL, 0600 },
        };
        char msg[UNPACK_MESSAGE_MAX], buf[64];
        Scratch s;
        struct stat st, st2;

        if (geteuid() != 0)
                return TEST_SKIP;
        ASSERT_OK(scratch_new(&s));
        if (unpack(&s, entries, ELEMENTSOF(entries), true, msg) < 0)
                fprintf(stderr, "%s\n", msg);
        ASSERT_OK(unpack(&s, entries, ELEMENTSOF(entries), true, msg));
        ASSERT_OK(fstatat(s.target_fd, "bin/su", &st, AT_SYMLINK_NOFOLLOW));
        ASSERT_EQ(st.st_mode & 07777, 04755);
        ASSERT_EQ(st.st_uid, 1000);
        ASSERT_OK(fstatat(s.target_fd, "bin/hard", &st2, AT_SYMLINK_NOFOLLOW));
        ASSERT_EQ(st.st_ino, st2.st_ino);
        ASSERT_OK(fstatat(s.target_fd, "bin/sh", &st, AT_SYMLINK_NOFOLLOW));
        ASSERT_TRUE(S_ISLNK(st.st_mode));
        ASSERT_OK(fstatat(s.target_fd, "etc/.wh.removed", &st, AT_SYMLINK_NOFOLLOW) < 0 ? 0 : -1);
        ASSERT_OK(fstatat(s.target_fd, "etc/removed", &st, AT_SYMLINK_NOFOLLOW));
        ASSERT_TRUE(S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0));
        ASSERT_OK(fstatat(s.target_fd, "fifo", &st, AT_SYMLINK_NOFOLLOW));
        ASSERT_TRUE(S_ISFIFO(st.st_mode));
        {
                _cleanup_close_ int d = openat(s.target_fd, "gone", O_RDONLY | O_DIRECTORY);
                _cleanup_close_ int f = openat(s.target_fd, "etc/file", O_RDONLY);
                _cleanup_close_ int u = openat(s.target_fd, "etc/user", O_RDONLY);
                _cleanup_close_ int p = openat(s.target_fd, "bin/ping", O_RDONLY);

                ASSERT_EQ(fgetxattr(d, "trusted.overlay.opaque", buf, sizeof(buf)), 1);
                ASSERT_EQ(buf[0], 'y');
                ASSERT_TRUE(fgetxattr(f, "trusted.overlay.redirect", buf, sizeof(buf)) < 0);
                ASSERT_EQ(fgetxattr(u, "user.k", buf, sizeof(buf)), 1);
                ASSERT_EQ(fgetxattr(p, "security.capability", buf, sizeof(buf)), 20);
        }
        scratch_done(&s);
        return 0;
}

static int hostile(const Entry *entries, size_t n, int expected, const char *needle) {
        char msg[UNPACK_MESSAGE_MAX];
        Scratch s;
        int r;

        if (scratch_new(&s) < 0)
                return 1;
        r = unpack(&s, entries, n, false, msg);
        if (r != -expected || !strstr(msg, needle) || !outside_untouched(&s)) {
                fprintf(stderr, "unpack gave %d '%s' (wanted -%d, '%s')\n", r, msg, expected, needle);
                scratch_done(&s);
                return 1;
        }
        scratch_done(&s);
        return 0;
}

/* An OS tree's device nodes (mmdebstrap, debootstrap): skipped and counted, never created. */
TEST(device_nodes_skipped) {
        const Entry entries[] = {
                { "dev", AE_IFDIR, NULL, 0755 },
                { "dev/sda", AE_IFBLK, NULL, 0600, makedev(8, 0) },
                { "dev/mem", AE_IFCHR, NULL, 0600, makedev(1, 1) },
                { "dev/full", AE_IFCHR, NULL, 0666, makedev(1, 7) },
                { "etc", AE_IFDIR, NULL, 0755 },
                { "etc/os-release", AE_IFREG, "x" },
        };
        _cleanup_close_ int fd = -EBADF;
        char diff_id[DIGEST_STRING_LEN + 1];
        UnpackError e = {};
        Scratch s;
        struct stat st;

        if (geteuid() != 0)
                return TEST_SKIP;
        ASSERT_OK(scratch_new(&s));
        fd = make_tar(entries, ELEMENTSOF(entries), false);
        ASSERT_OK(image_unpack_sandboxed(fd, s.target_fd, &limits, diff_id, &e));
        ASSERT_EQ(e.skipped_devices, 3);
        ASSERT_TRUE(fstatat(s.target_fd, "etc/os-release", &st, AT_SYMLINK_NOFOLLOW) == 0);
        ASSERT_TRUE(fstatat(s.target_fd, "dev", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode));
        ASSERT_TRUE(fstatat(s.target_fd, "dev/sda", &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT);
        ASSERT_TRUE(fstatat(s.target_fd, "dev/full", &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT);
        ASSERT_TRUE(outside_untouched(&s));
        scratch_done(&s);
        return 0;
}

TEST(hostile_layers) {
        if (geteuid() != 0)
                return TEST_SKIP;
        ASSERT_EQ(hostile((Entry[]) { { "../escaped", AE_IFREG, "x" } }, 1, EINVAL, "'..'"), 0);
        ASSERT_EQ(hostile((Entry[]) { { "a/../../escaped", AE_IFREG, "x" } }, 1, EINVAL, "'..'"), 0);
        ASSERT_EQ(hostile((Entry[]) { { "/escaped", AE_IFREG, "x" } }, 1, EINVAL, "absolute"), 0);
        ASSERT_EQ(hostile((Entry[]) { { "bad\xff", AE_IFREG, "x" } }, 1, EINVAL, "UTF-8"), 0);
        ASSERT_EQ(hostile((Entry[]) { { "dir", AE_IFDIR, NULL, 0755 }, { "d2", 0, "dir" } }, 2, EPERM,
                          "directory"), 0);
        ASSERT_EQ(hostile((Entry[]) { { "l", 0, "../../escaped" } }, 1, EINVAL, "'..'"), 0);
        ASSERT_EQ(hostile((Entry[]) { { "l", 0, "/etc/passwd" } }, 1, EINVAL, "absolute"), 0);
        return 0;
}

/* Links pointing out are resolved inside the target: what they write lands inside, never outside. */
TEST(symlink_then_write_through) {
        static const Entry entries[] = {
                { "link", AE_IFLNK, "../.." },
                { "link/escaped", AE_IFREG, "x" },
                { "abs", AE_IFLNK, "/" },
                { "abs/escaped2", AE_IFREG, "x" },
                { "file", AE_IFLNK, "../escaped" },
                { "file", AE_IFREG, "overwrites the link, not its target" },
                { "hl", 0, "abs/escaped2" },
        };
        char msg[UNPACK_MESSAGE_MAX];
        struct stat st;
        Scratch s;

        if (geteuid() != 0)
                return TEST_SKIP;
        ASSERT_OK(scratch_new(&s));
        ASSERT_OK(unpack(&s, entries, ELEMENTSOF(entries), false, msg));
        ASSERT_TRUE(outside_untouched(&s));
        ASSERT_TRUE(fstatat(s.outside_fd, "escaped2", &st, 0) < 0);
        ASSERT_OK(fstatat(s.target_fd, "escaped", &st, AT_SYMLINK_NOFOLLOW));
        ASSERT_OK(fstatat(s.target_fd, "escaped2", &st, AT_SYMLINK_NOFOLLOW));
        ASSERT_OK(fstatat(s.target_fd, "file", &st, AT_SYMLINK_NOFOLLOW));
        ASSERT_TRUE(S_ISREG(st.st_mode));
        scratch_done(&s);
        return 0;
}

TEST(garbage_and_limits) {
        static const Entry big[] = { { "a", AE_IFREG, "0123456789" } };
        char diff_id[DIGEST_STRING_LEN + 1];
        UnpackLimits small = { .max_bytes = 5, .max_entries = 10 };
        _cleanup_close_ int fd = memfd_create("junk", MFD_CLOEXEC), big_fd = -EBADF;
        UnpackError e = {};
        Scratch s;

        if (geteuid() != 0)
                return TEST_SKIP;
        ASSERT_OK(scratch_new(&s));
        ASSERT_EQ(write(fd, "this is not a tar archive at all, not even close....", 52), 52);
        lseek(fd, 0, SEEK_SET);
        ASSERT_TRUE(image_unpack_sandboxed(fd, s.target_fd, &limits, diff_id, &e) < 0);
        ASSERT_TRUE(strlen(e.message) > 0);
        big_fd = make_tar(big, 1, true);
        e = (UnpackError) {};
        ASSERT_ERROR(image_unpack_sandboxed(big_fd, s.target_fd, &small, diff_id, &e), EFBIG);
        scratch_done(&s);
        return 0;
}

static int store_in(char dir[static 64], ImageStore **ret) {
        snprintf(dir, 64, "/tmp/test-store-XXXXXX");
        if (!mkdtemp(dir))
                return -errno;
        return image_store_open(dir, ret);
}

/* import → save (both formats) → load into another store: the same image ID, names and layers. */
TEST(import_save_load) {
        static const Entry entries[] = {
                { "./", AE_IFDIR, NULL, 0755 },
                { "etc/passwd", AE_IFREG, "root:x:0:0::/root:/bin/sh\n" },
                { "bin/sh", AE_IFREG, "#!", 0755 },
        };
        _cleanup_(image_store_freep) ImageStore *a = NULL;
        _cleanup_free_ char *id = NULL;
        char dir_a[64], dir_b[64];
        UnpackError e = {};

        if (geteuid() != 0)
                return TEST_SKIP;
        ASSERT_OK(store_in(dir_a, &a));
        {
                _cleanup_close_ int fd = make_tar(entries, ELEMENTSOF(entries), true);

                ASSERT_OK(image_import_tarball(a, fd, "localhost/test:1", &id, &e));
        }
        for (ArchiveFormat f = 0; f < _ARCHIVE_FORMAT_MAX; f++) {
                _cleanup_(image_store_freep) ImageStore *b = NULL;
                _cleanup_(image_freep) Image *image = NULL;
                _cleanup_strv_free_ char **loaded = NULL;
                _cleanup_close_ int fd = memfd_create("archive", MFD_CLOEXEC);
                _cleanup_free_ char *layer = NULL;
                struct stat st;

                ASSERT_OK(image_save_archive(a, (char *[]) { (char *) "localhost/test:1", NULL }, f, fd, &e));
                ASSERT_OK(lseek(fd, 0, SEEK_SET));
                ASSERT_OK(store_in(dir_b, &b));
                if (image_load_archive(b, fd, &loaded, &e) < 0)
                        fprintf(stderr, "%s: %s\n", archive_format_to_string(f), e.message);
                ASSERT_EQ(strv_length(loaded), 1);
                ASSERT_STREQ(loaded[0], "localhost/test:1");
                ASSERT_OK(image_store_find(b, "localhost/test:1", &image));
                ASSERT_STREQ(image->id, id);
                ASSERT_OK(image_store_layer_path(b, image->config->diff_ids[0], &layer));
                ASSERT_OK(stat(layer, &st));
                free(layer), layer = NULL;
                ASSERT_OK(asprintf(&layer, "%s/layers/%s/etc/passwd", dir_b, digest_hex(image->config->diff_ids[0])));
                ASSERT_OK(stat(layer, &st));
                (void) rm_rf_path(dir_b);
        }
        /* A corrupt blob in an oci-archive is refused and leaves no image behind. */
        (void) rm_rf_path(dir_a);
        return 0;
}

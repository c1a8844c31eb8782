/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image-tree.h"
#include "tar-path.h"
#include "strv.h"
#include "tree-cp.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_read_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_write_free);

static int enter_running(pid_t pid, UnpackError *error) {
        _cleanup_close_ int root = -EBADF, ns = -EBADF;
        char p[64];

        /* The init's root, opened before we join its namespace: exactly what the container sees as /. */
        (void) snprintf(p, sizeof(p), "/proc/%d/root", (int) pid);
        root = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
        (void) snprintf(p, sizeof(p), "/proc/%d/ns/mnt", (int) pid);
        ns = open(p, O_RDONLY | O_CLOEXEC);
        if (root < 0 || ns < 0)
                return unpack_error_set(error, -errno, "cannot open the container's root: %m");
        if (setns(ns, CLONE_NEWNS) < 0)
                return unpack_error_set(error, -errno, "cannot join the container's mount namespace: %m");
        if (fchdir(root) < 0 || chroot(".") < 0 || chdir("/") < 0)
                return unpack_error_set(error, -errno, "cannot enter the container's root: %m");
        return 0;
}

static int enter_stopped(const TreeRoot *t, UnpackError *error) {
        _cleanup_free_ char *opts = NULL, *lowers = strv_join(t->layers, ":");
        const char *dir = t->layers[0];

        if (!lowers)
                return -ENOMEM;
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return unpack_error_set(error, -errno, "cannot make a mount namespace: %m");
        if (t->writable ? asprintf(&opts, "lowerdir=%s,upperdir=%s,workdir=%s", lowers, t->upper_dir, t->work_dir) < 0
                        : asprintf(&opts, "lowerdir=%s%s%s", strempty(t->upper_dir), t->upper_dir ? ":" : "", lowers) < 0)
                return -ENOMEM;
        if (t->writable || strv_length(t->layers) > 1 || t->upper_dir) {
                if (mount("overlay", t->mount_point, "overlay", t->writable ? 0 : MS_RDONLY, opts) < 0)
                        return unpack_error_set(error, -errno, "cannot mount the container's layers: %m");
                dir = t->mount_point;
        }
        if (chroot(dir) < 0 || chdir("/") < 0)
                return unpack_error_set(error, -errno, "cannot enter the container's root: %m");
        return 0;
}

int tree_root_enter(const TreeRoot *t, UnpackError *error) {
        return t->pid > 0 ? enter_running(t->pid, error) : enter_stopped(t, error);
}

int tree_cp_archive(const char *path, int out_fd, int proc_fd, UnpackError *error) {
        _cleanup_free_ char *dir = NULL, *base = NULL;
        struct stat st;
        int r;

        r = tar_path_split(path, &dir, &base);
        if (r < 0)
                return r;
        if (chdir(dir) < 0)
                return unpack_error_set(error, -errno, "cannot enter '%s' in the container: %m", dir);
        if (fstatat(AT_FDCWD, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return unpack_error_set(error, -errno, "'%s' in the container: %m", path);
        return image_tree_archive(".", base, out_fd, proc_fd, error);
}

/* Where the archive goes, and the new name of its top entry (NULL: keep it). */
static int extract_target(const char *path, char **ret_dir, char **ret_rename, UnpackError *error) {
        _cleanup_free_ char *dir = NULL, *base = NULL;
        struct stat st;
        int r;

        if (stat(path, &st) >= 0 && S_ISDIR(st.st_mode)) {
                *ret_dir = strdup(path);
                *ret_rename = NULL;
                return *ret_dir ? 0 : -ENOMEM;
        }
        r = tar_path_split(path, &dir, &base);
        if (r < 0)
                return r;
        if (streq(base, "."))
                return unpack_error_set(error, -ENOENT, "'%s' is not a directory in the container", path);
        if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
                return unpack_error_set(error, -ENOENT, "'%s' is not a directory in the container", dir);
        *ret_dir = TAKE_PTR(dir);
        *ret_rename = TAKE_PTR(base);
        return 0;
}

static int extract_entry(struct archive *in, struct archive *disk, struct archive_entry *e, const char *rename_to,
                         bool keep_owner, UnpackError *error) {
        const char *link = archive_entry_hardlink(e);
        const void *buf;
        size_t size;
        la_int64_t offset;
        int r;

        if (archive_entry_filetype(e) == AE_IFCHR || archive_entry_filetype(e) == AE_IFBLK)
                return unpack_error_set(error, -EPERM, "refusing the device node '%s'", archive_entry_pathname(e));
        if (rename_to) {
                _cleanup_free_ char *p = NULL, *l = NULL;

                r = tar_path_rename_top(archive_entry_pathname(e), rename_to, &p);
                if (r >= 0 && link)
                        r = tar_path_rename_top(link, rename_to, &l);
                if (r < 0)
                        return r;
                archive_entry_set_pathname(e, p);
                if (l)
                        archive_entry_set_hardlink(e, l);
        }
        if (!keep_owner) {
                archive_entry_set_uid(e, 0);
                archive_entry_set_gid(e, 0);
                archive_entry_set_uname(e, NULL);
                archive_entry_set_gname(e, NULL);
        }
        if (archive_write_header(disk, e) < ARCHIVE_WARN)
                return unpack_error_set(error, -EIO, "cannot write '%s': %s", archive_entry_pathname(e),
                                        archive_error_string(disk) ?: "?");
        while ((r = archive_read_data_block(in, &buf, &size, &offset)) == ARCHIVE_OK)
                if (archive_write_data_block(disk, buf, size, offset) < ARCHIVE_WARN)
                        return unpack_error_set(error, -EIO, "cannot write '%s': %s", archive_entry_pathname(e),
                                                archive_error_string(disk) ?: "?");
        if (r != ARCHIVE_EOF)
                return unpack_error_set(error, -EBADMSG, "cannot read the archive: %s", archive_error_string(in) ?: "?");
        if (archive_write_finish_entry(disk) < ARCHIVE_WARN)
                return unpack_error_set(error, -EIO, "cannot write '%s': %s", archive_entry_pathname(e),
                                        archive_error_string(disk) ?: "?");
        return 0;
}

int tree_cp_extract(int in_fd, const char *path, bool keep_owner, UnpackError *error) {
        _cleanup_(archive_read_freep) struct archive *in = archive_read_new();
        _cleanup_(archive_write_freep) struct archive *disk = archive_write_disk_new();
        _cleanup_free_ char *dir = NULL, *rename_to = NULL;
        struct archive_entry *e;
        int r;

        if (!in || !disk)
                return -ENOMEM;
        r = extract_target(path, &dir, &rename_to, error);
        if (r < 0)
                return r;
        if (chdir(dir) < 0)
                return unpack_error_set(error, -errno, "cannot enter '%s' in the container: %m", dir);
        if (archive_read_support_format_tar(in) != ARCHIVE_OK ||
            archive_write_disk_set_options(disk, ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
                                                 ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                                 ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS) != ARCHIVE_OK)
                return -ENOMEM;
        if (archive_read_open_fd(in, in_fd, 64 * 1024) != ARCHIVE_OK)
                return unpack_error_set(error, -EBADMSG, "cannot read the archive: %s", archive_error_string(in) ?: "?");
        while ((r = archive_read_next_header(in, &e)) == ARCHIVE_OK) {
                const char *name = archive_entry_pathname(e);

                /* "." is the existing directory itself: its owner and mode stay (a /tmp stays 1777). */
                if (!rename_to && name && (streq(name, ".") || streq(name, "./")))
                        continue;
                r = extract_entry(in, disk, e, rename_to, keep_owner, error);
                if (r < 0)
                        return r;
        }
        if (r != ARCHIVE_EOF)
                return unpack_error_set(error, -EBADMSG, "cannot read the archive: %s", archive_error_string(in) ?: "?");
        if (archive_write_close(disk) != ARCHIVE_OK)
                return unpack_error_set(error, -EIO, "cannot finish writing: %s", archive_error_string(disk) ?: "?");
        return 0;
}

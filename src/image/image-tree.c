/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "image-import.h"
#include "image-ref.h"
#include "image-tree.h"
#include "json-util.h"
#include "safe-open.h"
#include "strv.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_read_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_write_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive_entry *, archive_entry_free);

typedef struct TreeWriter {
        struct archive *out;
        int proc_fd;        /* /proc/self/fd opened before a chroot, or -EBADF (safe-open.h) */
        bool oci_whiteouts; /* commit: overlayfs whiteouts → OCI */
        UnpackError *error;
} TreeWriter;

/* Keeps user.* and security.capability, as unpacking does; notes an opaque marker. */
static bool filter_xattrs(struct archive_entry *e) {
        _cleanup_(archive_entry_freep) struct archive_entry *copy = archive_entry_clone(e);
        const char *name;
        const void *value;
        size_t size;
        bool opaque = false;

        if (!copy)
                return false;
        archive_entry_xattr_clear(e);
        archive_entry_xattr_reset(copy);
        while (archive_entry_xattr_next(copy, &name, &value, &size) == ARCHIVE_OK) {
                if (streq(name, "trusted.overlay.opaque") && size == 1 && *(const char *) value == 'y')
                        opaque = true;
                if (strneq(name, "user.", 5) || streq(name, "security.capability"))
                        archive_entry_xattr_add_entry(e, name, value, size);
        }
        return opaque;
}

static int write_header(TreeWriter *w, struct archive_entry *e) {
        if (archive_write_header(w->out, e) < ARCHIVE_WARN)
                return unpack_error_set(w->error, -EIO, "cannot write the tar: %s",
                                        archive_error_string(w->out) ?: "write failed");
        return 0;
}

/* An empty regular file next to e, named dir/.wh.<name> or dir/.wh..wh..opq. */
static int write_whiteout(TreeWriter *w, const char *path, bool opaque) {
        _cleanup_(archive_entry_freep) struct archive_entry *e = archive_entry_new();
        _cleanup_free_ char *p = NULL;
        const char *slash = strrchr(path, '/');

        if (!e)
                return -ENOMEM;
        if (opaque ? asprintf(&p, "%s/.wh..wh..opq", path) < 0
                   : asprintf(&p, "%.*s.wh.%s", slash ? (int) (slash - path + 1) : 0, path, slash ? slash + 1 : path) < 0)
                return -ENOMEM;
        archive_entry_set_pathname(e, p);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, 0);
        return write_header(w, e);
}

/* A regular file's data, read through safe-open.h rather than by libarchive's open(2): the tree may be
 * a running container's upper directory, where a file the walk saw may have become a FIFO (which
 * would block this worker in open(2)) or a symlink since. At most the size the header declared. */
static int write_data(TreeWriter *w, struct archive_entry *e) {
        const char *path = archive_entry_sourcepath(e) ?: archive_entry_pathname(e);
        la_int64_t left = archive_entry_size(e);
        _cleanup_close_ int pfd = -EBADF, fd = -EBADF;
        char buf[64 * 1024];

        pfd = safe_open_path(AT_FDCWD, path, SAFE_OPEN_NO_SYMLINKS);
        fd = pfd < 0 ? pfd : safe_reopen_regular_in(w->proc_fd, pfd);
        if (fd < 0)
                return unpack_error_set(w->error, fd, "cannot read '%s': %s", path, safe_open_strerror(fd));
        while (left > 0) {
                ssize_t n = read(fd, buf, (size_t) MIN((la_int64_t) sizeof(buf), left));

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return unpack_error_set(w->error, -errno, "cannot read '%s': %m", path);
                if (n == 0)
                        break; /* shrunk meanwhile: libarchive pads the entry */
                if (archive_write_data(w->out, buf, (size_t) n) != n)
                        return unpack_error_set(w->error, -EIO, "cannot write the tar: %s",
                                                archive_error_string(w->out) ?: "short write");
                left -= n;
        }
        return 0;
}

/* Everything below dir/start, named from start on ("." for dir's content, or one entry's name). */
static int write_tree(TreeWriter *w, const char *dir, const char *start) {
        _cleanup_(archive_read_freep) struct archive *disk = archive_read_disk_new();
        _cleanup_(archive_entry_freep) struct archive_entry *e = archive_entry_new();
        _cleanup_close_ int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int r = 0;

        if (!disk || !e || cwd < 0)
                return -ENOMEM;
        if (chdir(dir) < 0)
                return unpack_error_set(w->error, -errno, "cannot enter '%s': %m", dir);
        if (archive_read_disk_set_standard_lookup(disk) != ARCHIVE_OK ||
            archive_read_disk_set_behavior(disk, ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS) != ARCHIVE_OK ||
            archive_read_disk_open(disk, start) != ARCHIVE_OK) {
                r = unpack_error_set(w->error, -EIO, "cannot read '%s': %s", dir, archive_error_string(disk) ?: "?");
                goto finish;
        }
        for (;;) {
                bool opaque;
                int k = archive_read_next_header2(disk, e);

                if (k == ARCHIVE_EOF)
                        break;
                if (k < ARCHIVE_WARN) {
                        r = unpack_error_set(w->error, -EIO, "cannot read '%s': %s", dir, archive_error_string(disk) ?: "?");
                        break;
                }
                (void) archive_read_disk_descend(disk);
                opaque = filter_xattrs(e);
                if (w->oci_whiteouts && archive_entry_filetype(e) == AE_IFCHR && archive_entry_rdev(e) == makedev(0, 0)) {
                        r = write_whiteout(w, archive_entry_pathname(e), false);
                        if (r < 0)
                                break;
                        continue;
                }
                if (archive_entry_filetype(e) == AE_IFSOCK)
                        continue;
                r = write_header(w, e);
                if (r < 0)
                        break;
                if (w->oci_whiteouts && opaque && archive_entry_filetype(e) == AE_IFDIR) {
                        r = write_whiteout(w, archive_entry_pathname(e), true);
                        if (r < 0)
                                break;
                }
                if (archive_entry_filetype(e) == AE_IFREG)
                        r = write_data(w, e);
                if (r < 0)
                        break;
        }
finish:
        (void) fchdir(cwd);
        return r;
}

/* ---- export ------------------------------------------------------------------------------------ */

static int mount_merged(char *const *layers, const char *upper_dir, const char *mount_point, UnpackError *error) {
        _cleanup_free_ char *opts = NULL, *lowers = NULL;

        lowers = strv_join(layers, ":");
        if (!lowers)
                return -ENOMEM;
        /* Read-only: only lower directories, the upper one on top of them (same whiteout format). */
        if (asprintf(&opts, "lowerdir=%s%s%s", upper_dir ?: "", upper_dir ? ":" : "", lowers) < 0)
                return -ENOMEM;
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return unpack_error_set(error, -errno, "cannot make a mount namespace: %m");
        if (mount("overlay", mount_point, "overlay", MS_RDONLY, opts) < 0)
                return unpack_error_set(error, -errno, "cannot mount the container's layers: %m");
        return 0;
}

int image_tree_export(char *const *layers, const char *upper_dir, const char *mount_point, int out_fd,
                      UnpackError *error) {
        const char *dir = layers[0];
        int r;

        if (strv_length(layers) > 1 || upper_dir) {
                r = mount_merged(layers, upper_dir, mount_point, error);
                if (r < 0)
                        return r;
                dir = mount_point;
        }
        return image_tree_archive(dir, ".", out_fd, -EBADF, error);
}

int image_tree_archive(const char *dir, const char *start, int out_fd, int proc_fd, UnpackError *error) {
        _cleanup_(archive_write_freep) struct archive *out = archive_write_new();
        TreeWriter w = { .out = out, .proc_fd = proc_fd, .error = error };
        int r;

        if (!out || archive_write_set_format_pax_restricted(out) != ARCHIVE_OK)
                return -ENOMEM;
        if (archive_write_open_fd(out, out_fd) != ARCHIVE_OK)
                return unpack_error_set(error, -EIO, "cannot write the tar: %s", archive_error_string(out) ?: "?");
        r = write_tree(&w, dir, start);
        if (r < 0)
                return r;
        if (archive_write_close(out) != ARCHIVE_OK)
                return unpack_error_set(error, -EIO, "cannot finish the tar: %s", archive_error_string(out) ?: "?");
        return 0;
}

/* ---- commit ------------------------------------------------------------------------------------ */

static la_ssize_t blob_write_cb(struct archive *a, void *userdata, const void *buf, size_t n) {
        return blob_writer_write(userdata, buf, n) < 0 ? -1 : (la_ssize_t) n;
}

/* The base config with the new layer on top, a history entry and a new creation time. */
static int commit_config(const Image *base, const char *diff_id, char **ret) {
        _cleanup_json_ json_object *c = NULL;
        json_object *rootfs, *diff_ids, *history, *h;
        char created[32];
        time_t now = time(NULL);
        struct tm tm;
        const char *text;

        c = json_tokener_parse(json_object_to_json_string(base->config->json));
        if (!c || !gmtime_r(&now, &tm) || strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                return -ENOMEM;
        if (!json_object_object_get_ex(c, "rootfs", &rootfs) || !json_object_object_get_ex(rootfs, "diff_ids", &diff_ids))
                return -EBADMSG;
        if (json_object_array_add(diff_ids, json_object_new_string(diff_id)) < 0)
                return -ENOMEM;
        if (!json_object_object_get_ex(c, "history", &history) || !json_object_is_type(history, json_type_array)) {
                history = json_object_new_array();
                if (!history || json_object_object_add(c, "history", history) < 0)
                        return -ENOMEM;
        }
        h = json_object_new_object();
        if (!h || json_object_array_add(history, h) < 0 || json_add_string(h, "created", created) < 0 ||
            json_add_string(h, "created_by", "dray commit") < 0 || json_add_string(c, "created", created) < 0)
                return -ENOMEM;
        text = json_object_to_json_string_ext(c, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        *ret = text ? strdup(text) : NULL;
        return *ret ? 0 : -ENOMEM;
}

static int commit_layer(ImageStore *s, const char *upper_dir, ImageDescriptor *ret, UnpackError *error) {
        _cleanup_(archive_write_freep) struct archive *out = archive_write_new();
        TreeWriter w = { .out = out, .proc_fd = -EBADF, .oci_whiteouts = true, .error = error };
        BlobWriter blob;
        int r;

        if (!out || archive_write_set_format_pax_restricted(out) != ARCHIVE_OK)
                return -ENOMEM;
        r = blob_writer_begin(s, UINT64_MAX, &blob);
        if (r < 0)
                return unpack_error_set(error, r, "cannot create a temporary file in the store: %m");
        if (archive_write_open(out, &blob, NULL, blob_write_cb, NULL) != ARCHIVE_OK)
                r = unpack_error_set(error, -EIO, "cannot write the layer: %s", archive_error_string(out) ?: "?");
        if (r >= 0)
                r = write_tree(&w, upper_dir, ".");
        if (r >= 0 && archive_write_close(out) != ARCHIVE_OK)
                r = unpack_error_set(error, -EIO, "cannot finish the layer: %s", archive_error_string(out) ?: "?");
        if (r >= 0) {
                ret->digest = malloc(DIGEST_STRING_LEN + 1);
                r = ret->digest ? blob_writer_commit(s, &blob, NULL, ret->digest, &ret->size) : -ENOMEM;
        }
        blob_writer_done(&blob);
        return r;
}

int image_commit_upper(ImageStore *s, const char *base_image, const char *upper_dir, const char *name,
                       char **ret_id, UnpackError *error) {
        _cleanup_(image_freep) Image *base = NULL, *image = NULL;
        _cleanup_(image_descriptor_done) ImageDescriptor layer = {}, manifest = {};
        _cleanup_free_ ImageDescriptor *layers = NULL;
        _cleanup_free_ char *norm = NULL, *config = NULL;
        size_t n;
        int r;

        r = image_ref_normalize(name, &norm);
        if (r < 0)
                return unpack_error_set(error, r, "'%s' is not a valid image reference", name);
        r = image_store_find(s, base_image, &base);
        if (r < 0)
                return unpack_error_set(error, r, "the container's image %.19s… is gone", base_image);
        r = commit_layer(s, upper_dir, &layer, error);
        if (r < 0)
                return r;
        layer.media_type = strdup(MEDIA_TYPE_OCI_LAYER);
        if (!layer.media_type)
                return -ENOMEM;
        r = commit_config(base, layer.digest, &config);
        if (r < 0)
                return unpack_error_set(error, r, "cannot build the new image config: %m");
        n = base->manifest->n_layers;
        layers = calloc(n + 1, sizeof(ImageDescriptor));
        if (!layers)
                return -ENOMEM;
        memcpy(layers, base->manifest->layers, n * sizeof(ImageDescriptor));
        layers[n] = layer;
        r = image_store_write_manifest(s, config, layers, n + 1, &manifest);
        if (r < 0)
                return unpack_error_set(error, r, "cannot store the new image: %m");
        r = image_store_load_manifest(s, &manifest, &image);
        if (r >= 0)
                r = image_store_unpack_layers(s, image, error);
        if (r >= 0)
                r = image_store_name_image(s, &manifest, (char *[]) { norm, NULL });
        if (r < 0)
                return unpack_error_set(error, r, "cannot add the new image: %m");
        if (ret_id && !(*ret_id = strdup(image->id)))
                return -ENOMEM;
        return 0;
}

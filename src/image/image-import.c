/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>

#include "image-import.h"
#include "image-ref.h"
#include "image-sandbox.h"
#include "json-util.h"
#include "rm-rf.h"
#include "strv.h"
#include "string-table.h"

static const char *const archive_format_table[_ARCHIVE_FORMAT_MAX] = {
        [ARCHIVE_FORMAT_OCI] = "oci-archive",
        [ARCHIVE_FORMAT_DOCKER] = "docker-archive",
};

DEFINE_STRING_TABLE_LOOKUP(archive_format, ArchiveFormat, _ARCHIVE_FORMAT_MAX);


static uint64_t free_bytes(int fd) {
        struct statvfs sv;

        if (fstatvfs(fd, &sv) < 0)
                return UINT64_MAX;
        return (uint64_t) sv.f_bavail * sv.f_frsize;
}

/* ---- layers ------------------------------------------------------------------------------------ */

static int make_staging_dir(ImageStore *s, char ret[static 32]) {
        uint64_t rnd;

        if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
                return -EIO;
        (void) snprintf(ret, 32, "layer-%016llx", (unsigned long long) rnd);
        if (mkdirat(s->tmp_fd, ret, 0755) < 0)
                return -errno;
        return 0;
}

/* Unpacks the layer from fd into tmp/, checks its diff ID, makes it durable and renames it into place. */
static int unpack_layer_fd(ImageStore *s, int fd, const char *diff_id, UnpackError *error) {
        char staging[32], actual[DIGEST_STRING_LEN + 1];
        _cleanup_close_ int dir_fd = -EBADF;
        UnpackLimits limits = { .max_bytes = free_bytes(s->layers_fd), .max_entries = 10000000 };
        int r;

        if (image_store_has_layer(s, diff_id))
                return 0;
        r = make_staging_dir(s, staging);
        if (r < 0)
                return unpack_error_set(error, r, "cannot create a staging directory: %s", strerror(-r));
        dir_fd = openat(s->tmp_fd, staging, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (dir_fd < 0) {
                r = -errno;
                (void) rm_rf_at(s->tmp_fd, staging);
                return unpack_error_set(error, r, "cannot open the staging directory: %s", strerror(-r));
        }
        r = image_unpack_sandboxed(fd, dir_fd, &limits, actual, error);
        if (r >= 0 && !streq(actual, diff_id))
                r = unpack_error_set(error, -EBADMSG, "layer %.19s… does not match the diff ID the image config gives it", diff_id);
        if (r >= 0 && syncfs(dir_fd) < 0)
                r = unpack_error_set(error, -errno, "cannot sync the layer: %m");
        if (r >= 0) {
                if (renameat(s->tmp_fd, staging, s->layers_fd, digest_hex(diff_id)) >= 0) {
                        if (strv_extend(&s->created_layers, digest_hex(diff_id)) < 0)
                                r = -ENOMEM; /* the next image_store_gc() takes it */
                } else if (errno != EEXIST && errno != ENOTEMPTY)
                        r = unpack_error_set(error, -errno, "cannot move the layer into place: %m");
        }
        if (r >= 0)
                (void) fsync(s->layers_fd);
        (void) rm_rf_at(s->tmp_fd, staging); /* only left when another unpack won the race, or on failure */
        return r;
}

int image_store_unpack_layer(ImageStore *s, const Image *image, size_t i, bool verified, UnpackError *error) {
        const ImageDescriptor *l = image->manifest->layers + i;
        _cleanup_close_ int fd = -EBADF;
        char actual[DIGEST_STRING_LEN + 1];
        uint64_t size;
        int r;

        if (image_store_has_layer(s, image->config->diff_ids[i]))
                return 0;
        fd = image_store_open_blob(s, l->digest, &size);
        if (fd < 0)
                return unpack_error_set(error, fd, "layer blob %.19s… is missing: %s", l->digest, strerror(-fd));
        if (!verified) {
                /* Verified now, before anything reads it: the store could have been tampered with. */
                r = sha256_fd(fd, actual, &size);
                if (r < 0)
                        return unpack_error_set(error, r, "cannot read layer blob %.19s…: %s", l->digest, strerror(-r));
                if (!streq(actual, l->digest) || size != l->size)
                        return unpack_error_set(error, -EBADMSG, "layer blob %.19s… does not match its digest or size", l->digest);
                if (lseek(fd, 0, SEEK_SET) < 0)
                        return -errno;
        }
        return unpack_layer_fd(s, fd, image->config->diff_ids[i], error);
}

int image_store_unpack_layers(ImageStore *s, const Image *image, UnpackError *error) {
        for (size_t i = 0; i < image->manifest->n_layers; i++) {
                int r = image_store_unpack_layer(s, image, i, false, error);

                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- adding images ----------------------------------------------------------------------------- */

static int descriptor_json(const char *media_type, const char *digest, uint64_t size, json_object **ret) {
        json_object *o = json_object_new_object();

        if (!o || json_add_string(o, "mediaType", media_type) < 0 || json_add_string(o, "digest", digest) < 0 ||
            json_object_object_add(o, "size", json_object_new_int64((int64_t) size)) < 0) {
                json_object_put(o);
                return -ENOMEM;
        }
        *ret = o;
        return 0;
}

int image_manifest_build(const char *config_digest, size_t config_size, const ImageDescriptor *layers,
                         size_t n_layers, char **ret) {
        _cleanup_json_ json_object *m = json_object_new_object();
        json_object *config = NULL, *array = json_object_new_array();
        const char *text;

        if (!m || !array || json_object_object_add(m, "layers", array) < 0)
                return -ENOMEM;
        if (json_add_int(m, "schemaVersion", 2) < 0 || json_add_string(m, "mediaType", MEDIA_TYPE_OCI_MANIFEST) < 0 ||
            descriptor_json(MEDIA_TYPE_OCI_CONFIG, config_digest, config_size, &config) < 0 ||
            json_object_object_add(m, "config", config) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < n_layers; i++) {
                json_object *l;

                if (descriptor_json(layers[i].media_type, layers[i].digest, layers[i].size, &l) < 0 ||
                    json_object_array_add(array, l) < 0)
                        return -ENOMEM;
        }
        text = json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        *ret = text ? strdup(text) : NULL;
        return *ret ? 0 : -ENOMEM;
}

/* The image ID (config digest) a manifest names; NULL if it cannot be read. */
static char *manifest_image_id(ImageStore *s, const ImageDescriptor *d) {
        _cleanup_(image_freep) Image *i = NULL;

        return image_store_load_manifest(s, d, &i) >= 0 ? TAKE_PTR(i->id) : NULL;
}

/* The same image loaded in another format (a docker-archive, then an oci-archive) comes with another
 * manifest (the layers' media types differ), but it is the same image: the unnamed entries of its
 * other manifests go, instead of showing as <none> beside it. An unnamed load of an image the store
 * has already adds nothing. Returns true when that is so. */
static bool index_merge_same_image(ImageStore *s, ImageIndex *index, const ImageDescriptor *manifest, bool named) {
        _cleanup_free_ char *id = manifest_image_id(s, manifest);
        _cleanup_strv_free_ char **drop = NULL;

        if (!id)
                return false;
        for (size_t i = 0; i < index->n; i++) {
                IndexEntry *e = &index->entries[i];
                _cleanup_free_ char *other = NULL;

                if (streq(e->descriptor.digest, manifest->digest) || (named && e->ref_name))
                        continue;
                other = manifest_image_id(s, &e->descriptor);
                if (!other || !streq(other, id))
                        continue;
                if (!named)
                        return true;
                if (strv_extend(&drop, e->descriptor.digest) < 0)
                        return false; /* OOM: a <none> entry stays, as before */
        }
        STRV_FOREACH(d, drop)
                image_index_remove_manifest(index, *d);
        return false;
}

int image_store_name_image(ImageStore *s, const ImageDescriptor *manifest, char *const *names) {
        _cleanup_(image_index_done) ImageIndex index = { .lock_fd = -EBADF };
        int r = 0;

        r = image_index_load(s, true, &index);
        if (r < 0)
                return r;
        if (strv_length(names) == 0 && index_merge_same_image(s, &index, manifest, false))
                return 0;
        if (strv_length(names) == 0)
                r = image_index_set(&index, NULL, manifest);
        STRV_FOREACH(n, names)
                if (r >= 0)
                        r = image_index_set(&index, *n, manifest);
        if (r < 0)
                return r;
        if (strv_length(names) > 0)
                (void) index_merge_same_image(s, &index, manifest, true);
        return image_index_save(s, &index);
}

int image_store_write_manifest(ImageStore *s, const char *config, const ImageDescriptor *layers, size_t n_layers,
                               ImageDescriptor *ret) {
        char config_digest[DIGEST_STRING_LEN + 1], manifest_digest[DIGEST_STRING_LEN + 1];
        _cleanup_free_ char *manifest = NULL;
        ImageDescriptor d;
        int r;

        r = image_store_add_blob(s, config, strlen(config), config_digest);
        if (r < 0)
                return r;
        r = image_manifest_build(config_digest, strlen(config), layers, n_layers, &manifest);
        if (r < 0)
                return r;
        r = image_store_add_blob(s, manifest, strlen(manifest), manifest_digest);
        if (r < 0)
                return r;
        d = (ImageDescriptor) { .media_type = strdup(MEDIA_TYPE_OCI_MANIFEST), .digest = strdup(manifest_digest),
                                .size = strlen(manifest) };
        if (!d.media_type || !d.digest) {
                image_descriptor_done(&d);
                return -ENOMEM;
        }
        *ret = d;
        return 0;
}

int image_store_add_image(ImageStore *s, const char *config, const ImageDescriptor *layers, size_t n_layers,
                          char *const *names, char **ret_id) {
        _cleanup_(image_descriptor_done) ImageDescriptor d = {};
        char config_digest[DIGEST_STRING_LEN + 1];
        int r;

        r = image_store_write_manifest(s, config, layers, n_layers, &d);
        if (r < 0)
                return r;
        r = image_store_name_image(s, &d, names);
        if (r < 0)
                return r;
        if (ret_id) {
                r = sha256_buffer(config, strlen(config), config_digest);
                if (r < 0)
                        return r;
                *ret_id = strdup(config_digest);
                if (!*ret_id)
                        return -ENOMEM;
        }
        return 0;
}

/* ---- import ------------------------------------------------------------------------------------ */

static const char *oci_architecture(void) {
        struct utsname u;

        if (uname(&u) < 0)
                return "amd64";
        if (streq(u.machine, "x86_64"))
                return "amd64";
        if (streq(u.machine, "aarch64"))
                return "arm64";
        return "unknown";
}

static int now_rfc3339(char ret[static 32]) {
        time_t t = time(NULL);
        struct tm tm;

        if (!gmtime_r(&t, &tm) || strftime(ret, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                return -EIO;
        return 0;
}

static int import_config(const char *diff_id, const char *created_by, char **ret) {
        _cleanup_json_ json_object *c = json_object_new_object();
        json_object *rootfs = json_object_new_object(), *diff_ids = json_object_new_array(),
                    *history = json_object_new_array(), *h = json_object_new_object();
        char created[32];
        const char *text;

        if (!c || !rootfs || !diff_ids || !history || !h || now_rfc3339(created) < 0)
                return -ENOMEM;
        if (json_object_object_add(c, "rootfs", rootfs) < 0 || json_object_object_add(rootfs, "diff_ids", diff_ids) < 0 ||
            json_object_object_add(c, "history", history) < 0 || json_object_array_add(history, h) < 0)
                return -ENOMEM;
        if (json_add_string(c, "created", created) < 0 || json_add_string(c, "architecture", oci_architecture()) < 0 ||
            json_add_string(c, "os", "linux") < 0 ||
            json_object_object_add(c, "config", json_object_new_object()) < 0 ||
            json_add_string(rootfs, "type", "layers") < 0 ||
            json_object_array_add(diff_ids, json_object_new_string(diff_id)) < 0 ||
            json_add_string(h, "created", created) < 0 || json_add_string(h, "created_by", created_by) < 0)
                return -ENOMEM;
        text = json_object_to_json_string_ext(c, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        *ret = text ? strdup(text) : NULL;
        return *ret ? 0 : -ENOMEM;
}

int image_import_tarball(ImageStore *s, int fd, const char *ref, char **ret_id, UnpackError *error) {
        _cleanup_free_ char *name = NULL, *config = NULL;
        char digest[DIGEST_STRING_LEN + 1];
        ImageDescriptor layer;
        BlobWriter w;
        uint64_t size;
        int r;

        r = image_ref_normalize(ref, &name);
        if (r < 0)
                return unpack_error_set(error, r, "'%s' is not a valid image reference", ref);
        /* The layer is kept uncompressed: xz and bzip2 are not OCI layer media types, and its digest is
         * then its diff ID. */
        r = blob_writer_begin(s, UINT64_MAX, &w);
        if (r < 0)
                return unpack_error_set(error, r, "cannot create a temporary file in the store: %s", strerror(-r));
        r = image_decompress(fd, w.fd, free_bytes(s->tmp_fd), s->progress, s->progress_userdata, digest, &size, error);
        if (r >= 0 && lseek(w.fd, 0, SEEK_SET) < 0)
                r = -errno;
        /* Unpacked from the still unnamed file: a tarball that does not unpack leaves no blob. */
        if (r >= 0)
                r = unpack_layer_fd(s, w.fd, digest, error);
        if (r >= 0)
                r = blob_writer_link(s, &w, digest);
        blob_writer_done(&w);
        if (r < 0)
                return unpack_error_set(error, r, "cannot store the layer: %s", strerror(-r));
        if (s->progress)
                s->progress(size, size, s->progress_userdata);

        r = import_config(digest, "dray image import", &config);
        if (r < 0)
                return r;
        layer = (ImageDescriptor) { .media_type = (char *) MEDIA_TYPE_OCI_LAYER, .digest = digest, .size = size };
        r = image_store_add_image(s, config, &layer, 1, (char *[]) { name, NULL }, ret_id);
        if (r < 0)
                return unpack_error_set(error, r, "cannot add the image to the store: %s", strerror(-r));
        return 0;
}

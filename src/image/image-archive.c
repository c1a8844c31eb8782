/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* docker-archive and oci-archive, in and out. */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "image-import.h"
#include "image-ref.h"
#include "json-util.h"
#include "strv.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_read_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_write_free);


/* ---- load: every file of the archive becomes a verified blob, then the metadata is read back -- */

typedef struct Staged {
        char *path;
        char *link; /* symlink target, already resolved relative to the archive root */
        char digest[DIGEST_STRING_LEN + 1];
        uint64_t size;
} Staged;

typedef struct Load {
        ImageStore *store;
        Staged *files;
        size_t n;
        UnpackError *error;
} Load;

static void load_done(Load *l) {
        for (size_t i = 0; i < l->n; i++) {
                free(l->files[i].path);
                free(l->files[i].link);
        }
        free(l->files);
}

static char *simplify(const char *p) {
        while (p[0] == '.' && p[1] == '/')
                p += 2;
        return strdup(p);
}

static const Staged *load_find(const Load *l, const char *path, unsigned depth) {
        _cleanup_free_ char *p = simplify(path);

        if (!p || depth > 8)
                return NULL;
        for (size_t i = 0; i < l->n; i++)
                if (streq(l->files[i].path, p))
                        return l->files[i].link ? load_find(l, l->files[i].link, depth + 1) : l->files + i;
        return NULL;
}

static int load_symlink(Load *l, struct archive_entry *e, Staged *f) {
        const char *target = archive_entry_symlink(e), *slash = strrchr(f->path, '/');
        _cleanup_free_ char *joined = NULL;

        /* Older docker writes repeated layers as "<id>/layer.tar -> ../<other>/layer.tar". */
        if (isempty(target) || target[0] == '/' || strlen(target) > 512)
                return unpack_error_set(l->error, -EBADMSG, "archive entry '%s' is a symlink out of the archive", f->path);
        if (asprintf(&joined, "%.*s%s", slash ? (int) (slash - f->path + 1) : 0, f->path, target) < 0)
                return -ENOMEM;
        /* Only "dir/../x" forms, which stay inside. */
        for (char *p; (p = strstr(joined, "/../"));) {
                char *start = p;

                while (start > joined && start[-1] != '/')
                        start--;
                memmove(start, p + 4, strlen(p + 4) + 1);
        }
        if (unpack_path_check(joined, NULL) < 0)
                return unpack_error_set(l->error, -EBADMSG, "archive entry '%s' is a symlink out of the archive", f->path);
        f->link = TAKE_PTR(joined);
        return 0;
}

static int load_file(Load *l, struct archive *a, struct archive_entry *e, Staged *f) {
        const char *hex = NULL, *expected = NULL;
        char want[DIGEST_STRING_LEN + 1];
        struct statvfs sv;
        BlobWriter w;
        const void *buf;
        size_t size;
        la_int64_t offset;
        int r;

        if (strneq(f->path, "blobs/sha256/", 13)) {
                hex = f->path + 13;
                (void) snprintf(want, sizeof(want), DIGEST_PREFIX "%s", hex);
                if (!digest_is_valid(want))
                        return unpack_error_set(l->error, -EBADMSG, "archive entry '%s' is not named by a sha256 digest", f->path);
                expected = want;
        }
        r = blob_writer_begin(l->store, fstatvfs(l->store->tmp_fd, &sv) >= 0 ? (uint64_t) sv.f_bavail * sv.f_frsize
                                                                           : UINT64_MAX, &w);
        if (r < 0)
                return unpack_error_set(l->error, r, "cannot create a temporary file in the store: %s", strerror(-r));
        while ((r = archive_read_data_block(a, &buf, &size, &offset)) == ARCHIVE_OK) {
                r = blob_writer_write(&w, buf, size);
                if (r < 0) {
                        blob_writer_done(&w);
                        return unpack_error_set(l->error, r, "cannot store '%s': %s", f->path,
                                    r == -EFBIG ? "not enough disk space" : strerror(-r));
                }
        }
        if (r != ARCHIVE_EOF) {
                blob_writer_done(&w);
                return unpack_error_set(l->error, -EBADMSG, "archive entry '%s' is truncated: %s", f->path,
                            archive_error_string(a) ?: "unexpected end");
        }
        r = blob_writer_commit(l->store, &w, expected, f->digest, &f->size);
        blob_writer_done(&w);
        if (r == -EBADMSG)
                return unpack_error_set(l->error, r, "blob '%s' does not match its sha256 digest", f->path);
        if (r < 0)
                return unpack_error_set(l->error, r, "cannot store '%s': %s", f->path, strerror(-r));
        if (l->store->progress)
                l->store->progress((uint64_t) archive_filter_bytes(a, -1), 0, l->store->progress_userdata);
        return 0;
}

static int load_entries(Load *l, int fd) {
        _cleanup_(archive_read_freep) struct archive *a = archive_read_new();
        struct archive_entry *e;
        int r;

        if (!a || archive_read_support_format_tar(a) != ARCHIVE_OK || archive_read_support_format_gnutar(a) != ARCHIVE_OK ||
            archive_read_support_filter_gzip(a) != ARCHIVE_OK || archive_read_support_filter_zstd(a) != ARCHIVE_OK ||
            archive_read_support_filter_xz(a) != ARCHIVE_OK)
                return -ENOMEM;
        if (archive_read_open_fd(a, fd, 64 * 1024) != ARCHIVE_OK)
                return unpack_error_set(l->error, -EBADMSG, "not an image archive: %s", archive_error_string(a) ?: "unreadable");
        while ((r = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
                const char *reason;
                Staged *n, *f;

                if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
                        return unpack_error_set(l->error, -EBADMSG, "not an image archive: %s", archive_error_string(a) ?: "bad header");
                if (archive_entry_filetype(e) == AE_IFDIR)
                        continue;
                if (unpack_path_check(archive_entry_pathname(e), &reason) < 0)
                        return unpack_error_set(l->error, -EBADMSG, "archive entry with %s: '%.200s'", reason,
                                    strempty(archive_entry_pathname(e)));
                if (l->n >= IMAGE_ARCHIVE_ENTRIES_MAX)
                        return unpack_error_set(l->error, -EFBIG, "the archive has more than %u files", IMAGE_ARCHIVE_ENTRIES_MAX);
                n = realloc(l->files, (l->n + 1) * sizeof(Staged));
                if (!n)
                        return -ENOMEM;
                l->files = n;
                f = l->files + l->n;
                *f = (Staged) { .path = simplify(archive_entry_pathname(e)) };
                if (!f->path)
                        return -ENOMEM;
                l->n++;
                if (archive_entry_filetype(e) == AE_IFLNK)
                        r = load_symlink(l, e, f);
                else if (archive_entry_filetype(e) == AE_IFREG)
                        r = load_file(l, a, e, f);
                else
                        r = unpack_error_set(l->error, -EBADMSG, "archive entry '%s' is neither a file nor a directory", f->path);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int load_json(Load *l, const char *path, json_type type, json_object **ret) {
        const Staged *f = load_find(l, path, 0);
        _cleanup_free_ char *data = NULL;
        json_tokener *tok;
        json_object *o;
        size_t size;
        int r;

        if (!f)
                return -ENOENT;
        r = image_store_read_blob(l->store, f->digest, IMAGE_JSON_MAX, &data, &size);
        if (r < 0)
                return unpack_error_set(l->error, r == -EFBIG ? -EFBIG : -EBADMSG, "'%s' in the archive is %s", path,
                            r == -EFBIG ? "larger than 4 MiB" : "unreadable");
        tok = json_tokener_new();
        if (!tok)
                return -ENOMEM;
        o = json_tokener_parse_ex(tok, data, (int) size);
        json_tokener_free(tok);
        if (!o || !json_object_is_type(o, type)) {
                json_object_put(o);
                return unpack_error_set(l->error, -EBADMSG, "'%s' in the archive is not a JSON %s", path,
                            type == json_type_array ? "array" : "object");
        }
        *ret = o;
        return 0;
}

/* Unpacks every layer, then names the image: the name comes last, so a failed load names nothing. */
static int load_finish_image(Load *l, Image *image, char *const *names, char ***loaded) {
        int r;

        r = image_store_unpack_layers(l->store, image, l->error);
        if (r < 0)
                return r;
        r = image_store_name_image(l->store, &image->manifest_descriptor, names);
        if (r < 0)
                return unpack_error_set(l->error, r, "cannot update the image index: %s", strerror(-r));
        if (strv_length(names) == 0)
                return strv_extend(loaded, image->id);
        STRV_FOREACH(n, names)
                if (strv_extend(loaded, *n) < 0)
                        return -ENOMEM;
        return 0;
}

/* Each blob the manifest names must be in the archive, with the size the manifest declares. The
 * store may hold a blob or an unpacked layer of the same digest from another image, which would make
 * an incomplete or lying archive load anyway, and export or push fail later. */
static int check_blob(Load *l, const ImageDescriptor *d, const char *what, size_t i) {
        _cleanup_free_ char *path = NULL;
        const Staged *f;

        if (!strneq(d->digest, DIGEST_PREFIX, strlen(DIGEST_PREFIX)))
                return unpack_error_set(l->error, -EBADMSG, "%s %zu is not named by a sha256 digest", what, i);
        if (asprintf(&path, "blobs/sha256/%s", d->digest + strlen(DIGEST_PREFIX)) < 0)
                return -ENOMEM;
        f = load_find(l, path, 0);
        if (!f)
                return unpack_error_set(l->error, -EBADMSG, "the manifest names %s %zu (%.19s…), which is not in the archive",
                                        what, i, d->digest);
        if (!streq(f->digest, d->digest))
                return unpack_error_set(l->error, -EBADMSG, "%s %zu (%.19s…) does not match its digest", what, i, d->digest);
        if (f->size != d->size)
                return unpack_error_set(l->error, -EBADMSG,
                                        "%s %zu (%.19s…) is %" PRIu64 " bytes, but the manifest declares %" PRIu64,
                                        what, i, d->digest, f->size, d->size);
        return 0;
}

/* Why the manifest blob does not parse, for the error message; NULL when it is missing. */
static const char *manifest_reason(Load *l, const ImageDescriptor *d) {
        _cleanup_(image_manifest_freep) ImageManifest *m = NULL;
        _cleanup_free_ char *data = NULL;
        const char *reason = NULL;
        size_t size;

        if (image_store_read_blob(l->store, d->digest, IMAGE_JSON_MAX, &data, &size) < 0)
                return NULL;
        return image_manifest_parse(data, size, &m, &reason) < 0 ? reason : NULL;
}

static int check_blobs(Load *l, const ImageDescriptor *manifest, const Image *image) {
        int r;

        r = check_blob(l, manifest, "manifest", 0);
        if (r < 0)
                return r;
        r = check_blob(l, &image->manifest->config, "config", 0);
        if (r < 0)
                return r;
        for (size_t i = 0; i < image->manifest->n_layers; i++) {
                r = check_blob(l, image->manifest->layers + i, "layer", i + 1);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int load_oci(Load *l, json_object *index, char ***loaded) {
        json_object *manifests;
        const char *reason;
        size_t n;
        int r;

        if (!json_object_object_get_ex(index, "manifests", &manifests) || !json_object_is_type(manifests, json_type_array))
                return unpack_error_set(l->error, -EBADMSG, "index.json in the archive has no manifests array");
        n = json_object_array_length(manifests);
        if (n == 0 || n > 4096)
                return unpack_error_set(l->error, -EBADMSG, "index.json in the archive lists %zu manifests", n);
        for (size_t i = 0; i < n; i++) {
                json_object *m = json_object_array_get_idx(manifests, i), *ann, *name;
                _cleanup_(image_descriptor_done) ImageDescriptor d = {};
                _cleanup_(image_freep) Image *image = NULL;
                _cleanup_strv_free_ char **names = NULL;
                char *norm = NULL;

                r = image_descriptor_parse(m, &d, &reason);
                if (r < 0)
                        return unpack_error_set(l->error, r, "index.json in the archive: %s", reason);
                r = image_store_load_manifest(l->store, &d, &image);
                if (r == -EMEDIUMTYPE)
                        return unpack_error_set(l->error, -EBADMSG, "index.json in the archive names a %s, not an image manifest",
                                    d.media_type);
                if (r < 0) {
                        const char *why = manifest_reason(l, &d);

                        return unpack_error_set(l->error, -EBADMSG, "manifest %.19s… in the archive is missing or malformed%s%s",
                                                d.digest, why ? ": " : "", strempty(why));
                }
                r = check_blobs(l, &d, image);
                if (r < 0)
                        return r;
                if (json_object_object_get_ex(m, "annotations", &ann) &&
                    json_object_object_get_ex(ann, ANNOTATION_REF_NAME, &name) &&
                    json_object_is_type(name, json_type_string) &&
                    image_ref_normalize(json_object_get_string(name), &norm) >= 0 && strv_consume(&names, norm) < 0)
                        return -ENOMEM;
                r = load_finish_image(l, image, names, loaded);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* gzip, zstd or plain tar: the media type of a docker-archive layer is sniffed from its blob. */
static const char *sniff_layer_type(ImageStore *s, const char *digest) {
        _cleanup_close_ int fd = image_store_open_blob(s, digest, NULL);
        unsigned char magic[4] = {};

        if (fd < 0 || read(fd, magic, sizeof(magic)) < 2)
                return MEDIA_TYPE_OCI_LAYER;
        if (magic[0] == 0x1f && magic[1] == 0x8b)
                return MEDIA_TYPE_OCI_LAYER_GZIP;
        if (magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
                return MEDIA_TYPE_OCI_LAYER_ZSTD;
        return MEDIA_TYPE_OCI_LAYER;
}

static int load_docker_one(Load *l, json_object *entry, char ***loaded) {
        _cleanup_free_ ImageDescriptor *layers = NULL;
        _cleanup_(image_freep) Image *image = NULL;
        _cleanup_strv_free_ char **paths = NULL, **tags = NULL, **names = NULL;
        _cleanup_free_ char *config_text = NULL;
        const char *config_path;
        const Staged *config;
        size_t n, size;
        int r;

        if (json_get_string(entry, "Config", &config_path) < 0 || json_get_strv(entry, "Layers", &paths) < 0)
                return unpack_error_set(l->error, -EBADMSG, "manifest.json in the archive has an entry without Config or Layers");
        r = json_get_strv(entry, "RepoTags", &tags);
        if (r < 0 && r != -ENOENT)
                return unpack_error_set(l->error, -EBADMSG, "manifest.json in the archive has malformed RepoTags");
        n = strv_length(paths);
        if (n > IMAGE_LAYERS_MAX)
                return unpack_error_set(l->error, -EBADMSG, "manifest.json in the archive lists more than 127 layers");
        config = load_find(l, config_path, 0);
        if (!config)
                return unpack_error_set(l->error, -EBADMSG, "the archive lacks the image config '%.200s'", config_path);
        layers = calloc(n ?: 1, sizeof(ImageDescriptor));
        if (!layers)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                const Staged *f = load_find(l, paths[i], 0);

                if (!f)
                        return unpack_error_set(l->error, -EBADMSG, "the archive lacks the layer '%.200s'", paths[i]);
                layers[i] = (ImageDescriptor) { .media_type = (char *) sniff_layer_type(l->store, f->digest),
                                                .digest = (char *) f->digest, .size = f->size };
        }
        STRV_FOREACH(t, tags) {
                char *norm;

                if (image_ref_normalize(*t, &norm) < 0)
                        return unpack_error_set(l->error, -EINVAL, "manifest.json in the archive names '%.200s', which is not a valid reference", *t);
                if (strv_consume(&names, norm) < 0)
                        return -ENOMEM;
        }
        r = image_store_read_blob(l->store, config->digest, IMAGE_JSON_MAX, &config_text, &size);
        if (r < 0 || strlen(config_text) != size)
                return unpack_error_set(l->error, -EBADMSG, "the image config '%.200s' is unreadable or too large", config_path);
        {
                _cleanup_(image_config_freep) ImageConfig *c = NULL;
                const char *reason;

                r = image_config_parse(config_text, size, &c, &reason);
                if (r < 0)
                        return unpack_error_set(l->error, r, "%s", reason);
                if (strv_length(c->diff_ids) != n)
                        return unpack_error_set(l->error, -EBADMSG, "the image config has %zu diff IDs for %zu layers",
                                    strv_length(c->diff_ids), n);
        }
        {
                /* The manifest a registry would have served; naming waits until the layers are unpacked. */
                _cleanup_(image_descriptor_done) ImageDescriptor d = {};

                r = image_store_write_manifest(l->store, config_text, layers, n, &d);
                if (r < 0)
                        return unpack_error_set(l->error, r, "cannot store the image: %s", strerror(-r));
                r = image_store_load_manifest(l->store, &d, &image);
                if (r < 0)
                        return unpack_error_set(l->error, r, "cannot read back the image just stored: %s", strerror(-r));
        }
        return load_finish_image(l, image, names, loaded);
}

static int load_docker(Load *l, json_object *manifest, char ***loaded) {
        size_t n = json_object_array_length(manifest);
        int r;

        if (n == 0 || n > 4096)
                return unpack_error_set(l->error, -EBADMSG, "manifest.json in the archive lists %zu images", n);
        for (size_t i = 0; i < n; i++) {
                r = load_docker_one(l, json_object_array_get_idx(manifest, i), loaded);
                if (r < 0)
                        return r;
        }
        return 0;
}

int image_load_archive(ImageStore *s, int fd, char ***ret_names, UnpackError *error) {
        _cleanup_json_ json_object *index = NULL, *manifest = NULL;
        _cleanup_strv_free_ char **loaded = NULL;
        Load l = { .store = s, .error = error };
        int r;

        r = load_entries(&l, fd);
        if (r >= 0) {
                r = load_json(&l, "index.json", json_type_object, &index);
                if (r >= 0 && load_find(&l, "oci-layout", 0))
                        r = load_oci(&l, index, &loaded);
                else if (r == -ENOENT || r >= 0) {
                        r = load_json(&l, "manifest.json", json_type_array, &manifest);
                        if (r == -ENOENT)
                                r = unpack_error_set(error, -EBADMSG, "neither an oci-archive (oci-layout, index.json) nor a "
                                         "docker-archive (manifest.json)");
                        else if (r >= 0)
                                r = load_docker(&l, manifest, &loaded);
                }
        }
        load_done(&l);
        if (r < 0)
                return r;
        *ret_names = TAKE_PTR(loaded);
        return 0;
}

/* ---- save -------------------------------------------------------------------------------------- */

typedef struct Save {
        ImageStore *store;
        struct archive *a;
        char **written; /* digests already in the archive */
        uint64_t done;
        UnpackError *error;
} Save;

static int save_header(Save *sv, const char *path, uint64_t size) {
        struct archive_entry *e = archive_entry_new();
        int r;

        if (!e)
                return -ENOMEM;
        archive_entry_set_pathname(e, path);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, (la_int64_t) size);
        archive_entry_set_mtime(e, 0, 0); /* reproducible archives */
        r = archive_write_header(sv->a, e);
        archive_entry_free(e);
        return r == ARCHIVE_OK ? 0 : unpack_error_set(sv->error, -EIO, "cannot write the archive: %s",
                                          archive_error_string(sv->a) ?: "write failed");
}

static int save_data(Save *sv, const char *path, const void *data, size_t size) {
        int r = save_header(sv, path, size);

        if (r < 0)
                return r;
        if (size > 0 && archive_write_data(sv->a, data, size) != (la_ssize_t) size)
                return unpack_error_set(sv->error, -EIO, "cannot write the archive: %s", archive_error_string(sv->a) ?: "short write");
        return 0;
}

static int save_json(Save *sv, const char *path, json_object *o) {
        const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

        return text ? save_data(sv, path, text, strlen(text)) : -ENOMEM;
}

static int save_blob(Save *sv, const char *digest, const char *path) {
        _cleanup_close_ int fd = -EBADF;
        char buf[64 * 1024];
        uint64_t size, left;
        int r;

        if (strv_contains(sv->written, path))
                return 0;
        fd = image_store_open_blob(sv->store, digest, &size);
        if (fd < 0)
                return unpack_error_set(sv->error, fd, "blob %.19s… is missing from the store", digest);
        r = save_header(sv, path, size);
        if (r < 0)
                return r;
        for (left = size; left > 0;) {
                ssize_t n = read(fd, buf, MIN(sizeof(buf), left));

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return unpack_error_set(sv->error, n < 0 ? -errno : -EIO, "cannot read blob %.19s…", digest);
                if (archive_write_data(sv->a, buf, (size_t) n) != n)
                        return unpack_error_set(sv->error, -EIO, "cannot write the archive: %s",
                                    archive_error_string(sv->a) ?: "short write");
                left -= (uint64_t) n;
                sv->done += (uint64_t) n;
                if (sv->store->progress && sv->done % (4U * 1024U * 1024U) < (uint64_t) n)
                        sv->store->progress(sv->done, 0, sv->store->progress_userdata);
        }
        return strv_extend(&sv->written, path);
}

static int blob_path(const char *digest, ArchiveFormat format, const char *suffix, char **ret) {
        if (format == ARCHIVE_FORMAT_OCI)
                return asprintf(ret, "blobs/sha256/%s", digest_hex(digest)) < 0 ? -ENOMEM : 0;
        return asprintf(ret, "%s%s", digest_hex(digest), suffix) < 0 ? -ENOMEM : 0;
}

static int save_image_blobs(Save *sv, const Image *image, ArchiveFormat format) {
        _cleanup_free_ char *p = NULL;
        int r;

        if (format == ARCHIVE_FORMAT_OCI) {
                r = blob_path(image->manifest_descriptor.digest, format, "", &p);
                if (r >= 0)
                        r = save_blob(sv, image->manifest_descriptor.digest, p);
                if (r < 0)
                        return r;
                free(p), p = NULL;
        }
        r = blob_path(image->id, format, ".json", &p);
        if (r >= 0)
                r = save_blob(sv, image->id, p);
        for (size_t i = 0; r >= 0 && i < image->manifest->n_layers; i++) {
                free(p), p = NULL;
                r = blob_path(image->manifest->layers[i].digest, format, ".tar", &p);
                if (r >= 0)
                        r = save_blob(sv, image->manifest->layers[i].digest, p);
        }
        return r;
}

/* index.json: one descriptor per name (as in our own store), one without a name for unnamed images. */
static int oci_index_add(json_object *manifests, const Image *image, const char *name) {
        json_object *d = json_object_new_object(), *a;

        if (!d || json_object_array_add(manifests, d) < 0)
                return json_object_put(d), -ENOMEM;
        if (json_add_string(d, "mediaType", image->manifest_descriptor.media_type) < 0 ||
            json_add_string(d, "digest", image->manifest_descriptor.digest) < 0 ||
            json_object_object_add(d, "size", json_object_new_int64((int64_t) image->manifest_descriptor.size)) < 0)
                return -ENOMEM;
        if (!name)
                return 0;
        a = json_object_new_object();
        if (!a || json_object_object_add(d, "annotations", a) < 0 || json_add_string(a, ANNOTATION_REF_NAME, name) < 0)
                return -ENOMEM;
        return 0;
}

/* manifest.json of docker save: Config, RepoTags, Layers. */
static int docker_manifest_add(json_object *manifest, const Image *image, char *const *names) {
        json_object *e = json_object_new_object(), *layers;
        _cleanup_free_ char *config = NULL;

        if (!e || json_object_array_add(manifest, e) < 0)
                return json_object_put(e), -ENOMEM;
        if (blob_path(image->id, ARCHIVE_FORMAT_DOCKER, ".json", &config) < 0 || json_add_string(e, "Config", config) < 0 ||
            json_add_strv(e, "RepoTags", names) < 0 || !(layers = json_object_new_array()) ||
            json_object_object_add(e, "Layers", layers) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < image->manifest->n_layers; i++) {
                _cleanup_free_ char *p = NULL;

                if (blob_path(image->manifest->layers[i].digest, ARCHIVE_FORMAT_DOCKER, ".tar", &p) < 0 ||
                    json_object_array_add(layers, json_object_new_string(p)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int save_images(Save *sv, char *const *images, ArchiveFormat format) {
        _cleanup_json_ json_object *meta = NULL;
        json_object *manifests = NULL;
        int r;

        if (format == ARCHIVE_FORMAT_OCI) {
                meta = json_object_new_object();
                manifests = json_object_new_array();
                if (!meta || !manifests || json_object_object_add(meta, "manifests", manifests) < 0 ||
                    json_add_int(meta, "schemaVersion", 2) < 0 || json_add_string(meta, "mediaType", MEDIA_TYPE_OCI_INDEX) < 0)
                        return -ENOMEM;
                r = save_data(sv, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30);
                if (r < 0)
                        return r;
        } else if (!(meta = json_object_new_array()))
                return -ENOMEM;

        STRV_FOREACH(what, images) {
                _cleanup_(image_freep) Image *image = NULL;
                _cleanup_strv_free_ char **names = NULL;
                _cleanup_free_ char *norm = NULL;

                r = image_store_find(sv->store, *what, &image);
                if (r < 0)
                        return unpack_error_set(sv->error, r, "no image '%s'", *what);
                /* A name saves that name; an ID saves every name the image has. */
                if (image_ref_normalize(*what, &norm) >= 0 && strv_contains(image->names, norm))
                        r = strv_extend(&names, norm);
                else
                        r = (names = strv_copy(image->names)) || !image->names ? 0 : -ENOMEM;
                if (r < 0)
                        return r;
                r = save_image_blobs(sv, image, format);
                if (r < 0)
                        return r;
                if (format == ARCHIVE_FORMAT_DOCKER)
                        r = docker_manifest_add(meta, image, names);
                else if (!names)
                        r = oci_index_add(manifests, image, NULL);
                STRV_FOREACH(n, names)
                        if (r >= 0 && format == ARCHIVE_FORMAT_OCI)
                                r = oci_index_add(manifests, image, *n);
                if (r < 0)
                        return r;
        }
        return save_json(sv, format == ARCHIVE_FORMAT_OCI ? "index.json" : "manifest.json", meta);
}

int image_save_archive(ImageStore *s, char *const *images, ArchiveFormat format, int fd, UnpackError *error) {
        _cleanup_(archive_write_freep) struct archive *a = archive_write_new();
        Save sv = { .store = s, .a = a, .error = error };
        int r;

        if (!a || archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
            archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK)
                return -ENOMEM;
        if (archive_write_open_fd(a, fd) != ARCHIVE_OK)
                return unpack_error_set(error, -EIO, "cannot write the archive: %s", archive_error_string(a) ?: "open failed");
        r = save_images(&sv, images, format);
        strv_free(sv.written);
        if (r < 0)
                return r;
        if (archive_write_close(a) != ARCHIVE_OK)
                return unpack_error_set(error, -EIO, "cannot finish the archive: %s", archive_error_string(a) ?: "close failed");
        return 0;
}

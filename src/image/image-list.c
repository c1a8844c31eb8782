/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "image-ref.h"
#include "image-store.h"
#include "rm-rf.h"
#include "strv.h"
#include "blob-partial.h"

Image *image_free(Image *i) {
        if (!i)
                return NULL;
        free(i->id);
        image_descriptor_done(&i->manifest_descriptor);
        image_manifest_free(i->manifest);
        image_config_free(i->config);
        strv_free(i->names);
        free(i);
        return NULL;
}

void image_list_free(Image **l, size_t n) {
        for (size_t i = 0; i < n; i++)
                image_free(l[i]);
        free(l);
}

int image_store_load_manifest(ImageStore *s, const ImageDescriptor *d, Image **ret) {
        _cleanup_(image_freep) Image *image = NULL;
        _cleanup_free_ char *data = NULL, *config = NULL;
        const char *reason;
        size_t size;
        int r;

        if (!image_media_type_is_manifest(d->media_type))
                return -EMEDIUMTYPE;
        r = image_store_read_blob(s, d->digest, IMAGE_JSON_MAX, &data, &size);
        if (r < 0)
                return r;
        image = calloc(1, sizeof(Image));
        if (!image)
                return -ENOMEM;
        r = image_manifest_parse(data, size, &image->manifest, &reason);
        if (r < 0)
                return r;
        r = image_store_read_blob(s, image->manifest->config.digest, IMAGE_JSON_MAX, &config, &size);
        if (r < 0)
                return r;
        r = image_config_parse(config, size, &image->config, &reason);
        if (r < 0)
                return r;
        if (strv_length(image->config->diff_ids) != image->manifest->n_layers)
                return -EBADMSG;
        image->id = strdup(image->manifest->config.digest);
        image->manifest_descriptor = (ImageDescriptor) {
                .media_type = strdup(d->media_type), .digest = strdup(d->digest), .size = d->size,
        };
        if (!image->id || !image->manifest_descriptor.media_type || !image->manifest_descriptor.digest)
                return -ENOMEM;
        for (size_t i = 0; i < image->manifest->n_layers; i++)
                image->size += image->manifest->layers[i].size;
        *ret = TAKE_PTR(image);
        return 0;
}

int image_store_list(ImageStore *s, Image ***ret, size_t *ret_n) {
        _cleanup_(image_index_done) ImageIndex index = { .lock_fd = -EBADF };
        Image **l = NULL;
        size_t n = 0;
        int r;

        r = image_index_load(s, false, &index);
        if (r < 0)
                return r;
        l = calloc(index.n + 1, sizeof(Image *));
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < index.n; i++) {
                IndexEntry *e = index.entries + i;
                Image *found = NULL;

                for (size_t j = 0; j < n && !found; j++)
                        if (streq(l[j]->manifest_descriptor.digest, e->descriptor.digest))
                                found = l[j];
                if (!found) {
                        r = image_store_load_manifest(s, &e->descriptor, &found);
                        if (r == -ENOMEM) {
                                image_list_free(l, n);
                                return r;
                        }
                        if (r < 0)
                                continue; /* not ours to show: broken or foreign */
                        l[n++] = found;
                }
                if (e->ref_name && strv_extend(&found->names, e->ref_name) < 0) {
                        image_list_free(l, n);
                        return -ENOMEM;
                }
        }
        *ret = l;
        *ret_n = n;
        return 0;
}

static bool id_matches(const Image *i, const char *what) {
        const char *hex = digest_hex(i->id);
        size_t n = strlen(what);

        if (streq(i->id, what) || streq(i->manifest_descriptor.digest, what))
                return true;
        if (n < 4 || n > DIGEST_HEX_LEN || strspn(what, "0123456789abcdef") != n)
                return false;
        return strneq(hex, what, n);
}

int image_store_find(ImageStore *s, const char *what, Image **ret) {
        _cleanup_free_ char *name = NULL;
        Image **l = NULL, *match = NULL;
        size_t n = 0;
        bool ambiguous = false;
        int r;

        if (isempty(what))
                return -EINVAL;
        r = image_store_list(s, &l, &n);
        if (r < 0)
                return r;
        /* A name first, then an ID or ID prefix (as docker does). */
        if (image_ref_normalize(what, &name) >= 0)
                for (size_t i = 0; i < n && !match; i++)
                        if (strv_contains(l[i]->names, name) || strv_contains(l[i]->names, what))
                                match = l[i];
        for (size_t i = 0; i < n && !match; i++)
                if (strv_contains(l[i]->names, what))
                        match = l[i];
        for (size_t i = 0; i < n && !match; i++)
                if (id_matches(l[i], what)) {
                        for (size_t j = i + 1; j < n; j++)
                                if (id_matches(l[j], what) && !streq(l[j]->id, l[i]->id))
                                        ambiguous = true;
                        match = l[i];
                }
        if (match && !ambiguous)
                for (size_t i = 0; i < n; i++)
                        if (l[i] == match)
                                l[i] = NULL;
        image_list_free(l, n);
        if (ambiguous)
                return -ENOTUNIQ;
        if (!match)
                return name || strlen(what) >= 4 ? -ENOENT : -EINVAL;
        *ret = match;
        return 0;
}

/* ---- layers ------------------------------------------------------------------------------------ */

bool image_store_has_layer(ImageStore *s, const char *diff_id) {
        struct stat st;

        return digest_is_valid(diff_id) && fstatat(s->layers_fd, digest_hex(diff_id), &st, AT_SYMLINK_NOFOLLOW) >= 0 &&
               S_ISDIR(st.st_mode);
}

int image_store_layer_path(ImageStore *s, const char *diff_id, char **ret) {
        if (!digest_is_valid(diff_id))
                return -EINVAL;
        return asprintf(ret, "%s/layers/%s", s->root, digest_hex(diff_id)) < 0 ? -ENOMEM : 0;
}

int image_layer_paths(ImageStore *s, const Image *image, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        size_t n = strv_length(image->config->diff_ids);
        int r;

        for (size_t i = n; i > 0; i--) {
                char *p;

                if (!image_store_has_layer(s, image->config->diff_ids[i - 1]))
                        return -ENOMEDIUM;
                r = image_store_layer_path(s, image->config->diff_ids[i - 1], &p);
                if (r < 0)
                        return r;
                r = strv_consume(&l, p);
                if (r < 0)
                        return r;
        }
        if (!l) {
                l = calloc(1, sizeof(char *));
                if (!l)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

/* ---- garbage collection ------------------------------------------------------------------------ */

static int gc_dir(int dir_fd, char *const *keep, bool dirs, uint64_t *freed) {
        _cleanup_close_ int fd = -EBADF;
        DIR *d;
        struct dirent *de;
        int r = 0;

        fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        d = fdopendir(TAKE_FD(fd));
        if (!d)
                return -errno;
        while ((de = readdir(d))) {
                struct stat st;
                int k;

                if (streq(de->d_name, ".") || streq(de->d_name, "..") || strv_contains(keep, de->d_name))
                        continue;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) >= 0 && !S_ISDIR(st.st_mode))
                        *freed += (uint64_t) st.st_size;
                k = dirs ? rm_rf_at(dirfd(d), de->d_name) : RET_NERRNO(unlinkat(dirfd(d), de->d_name, 0));
                if (k < 0 && r == 0)
                        r = k;
        }
        closedir(d);
        return r;
}

static int keep_add(char ***keep, const char *digest) {
        return digest_is_valid(digest) ? strv_extend(keep, digest_hex(digest)) : 0;
}

int image_store_gc(ImageStore *s, char *const *keep_layers, uint64_t *ret_freed) {
        _cleanup_(image_index_done) ImageIndex index = { .lock_fd = -EBADF };
        _cleanup_strv_free_ char **blobs = NULL, **layers = NULL;
        uint64_t freed = 0;
        int r;

        /* Under the lock: an import links blobs before it names them in the index, with the lock held. */
        r = image_index_load(s, true, &index);
        if (r < 0)
                return r;
        for (size_t i = 0; i < index.n; i++) {
                _cleanup_(image_freep) Image *image = NULL;

                r = keep_add(&blobs, index.entries[i].descriptor.digest);
                if (r < 0)
                        return r;
                if (image_store_load_manifest(s, &index.entries[i].descriptor, &image) < 0)
                        continue;
                r = keep_add(&blobs, image->manifest->config.digest);
                for (size_t j = 0; r >= 0 && j < image->manifest->n_layers; j++)
                        r = keep_add(&blobs, image->manifest->layers[j].digest);
                STRV_FOREACH(d, image->config->diff_ids)
                        if (r >= 0)
                                r = keep_add(&layers, *d);
                if (r < 0)
                        return r;
        }
        STRV_FOREACH(p, keep_layers) {
                const char *slash = strrchr(*p, '/');

                r = strv_extend(&layers, slash ? slash + 1 : *p);
                if (r < 0)
                        return r;
        }
        r = gc_dir(s->blobs_fd, blobs, false, &freed);
        if (r >= 0)
                r = gc_dir(s->layers_fd, layers, true, &freed);
        if (r >= 0)
                r = blob_partial_clean(s); /* what interrupted pulls left to resume */
        if (ret_freed)
                *ret_freed = freed;
        return r;
}

int image_store_clean_tmp(ImageStore *s) {
        _cleanup_close_ int fd = -EBADF;
        struct dirent *de;
        DIR *d;
        int r = 0;

        /* tmp/partial stays: the blobs of interrupted pulls, which the next pull resumes (blob-partial.h). */
        fd = openat(s->tmp_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        d = fdopendir(TAKE_FD(fd));
        if (!d)
                return -errno;
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, "..") && !streq(de->d_name, BLOB_PARTIAL_DIR)) {
                        int k = rm_rf_at(s->tmp_fd, de->d_name);

                        if (k < 0 && r == 0)
                                r = k;
                }
        closedir(d);
        return r;
}

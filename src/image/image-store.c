/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "atomic-write.h"
#include "image-ref.h"
#include "image-store.h"
#include "json-util.h"
#include "rm-rf.h"
#include "strv.h"

#define OCI_LAYOUT "{\"imageLayoutVersion\":\"1.0.0\"}"

static int open_dir_at(int dir_fd, const char *name, int *ret) {
        int fd;

        if (mkdirat(dir_fd, name, 0700) < 0 && errno != EEXIST)
                return -errno;
        fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        *ret = fd;
        return 0;
}

static int store_init_layout(ImageStore *s) {
        _cleanup_json_ json_object *index = NULL;
        int r;

        if (faccessat(s->images_fd, "oci-layout", F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
                r = write_file_atomic(s->images_fd, "oci-layout", OCI_LAYOUT, strlen(OCI_LAYOUT), ATOMIC_WRITE_SYNC);
                if (r < 0)
                        return r;
        }
        if (faccessat(s->images_fd, "index.json", F_OK, AT_SYMLINK_NOFOLLOW) >= 0)
                return 0;
        index = json_object_new_object();
        if (!index || json_add_int(index, "schemaVersion", 2) < 0 ||
            json_add_string(index, "mediaType", MEDIA_TYPE_OCI_INDEX) < 0 ||
            json_object_object_add(index, "manifests", json_object_new_array()) < 0)
                return -ENOMEM;
        return json_write_atomic(s->images_fd, "index.json", index);
}

int image_store_open(const char *state_dir, ImageStore **ret) {
        _cleanup_(image_store_freep) ImageStore *s = NULL;
        _cleanup_close_ int blobs = -EBADF;
        int r;

        s = calloc(1, sizeof(ImageStore));
        if (!s)
                return -ENOMEM;
        s->images_fd = s->blobs_fd = s->layers_fd = s->tmp_fd = -EBADF;
        s->root = strdup(state_dir);
        if (!s->root)
                return -ENOMEM;
        s->root_fd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (s->root_fd < 0)
                return -errno;
        r = open_dir_at(s->root_fd, "images", &s->images_fd);
        if (r < 0)
                return r;
        r = open_dir_at(s->images_fd, "blobs", &blobs);
        if (r < 0)
                return r;
        r = open_dir_at(blobs, "sha256", &s->blobs_fd);
        if (r < 0)
                return r;
        r = open_dir_at(s->root_fd, "layers", &s->layers_fd);
        if (r < 0)
                return r;
        r = open_dir_at(s->root_fd, "tmp", &s->tmp_fd);
        if (r < 0)
                return r;
        r = store_init_layout(s);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}

ImageStore *image_store_free(ImageStore *s) {
        if (!s)
                return NULL;
        safe_close(s->root_fd);
        safe_close(s->images_fd);
        safe_close(s->blobs_fd);
        safe_close(s->layers_fd);
        safe_close(s->tmp_fd);
        free(s->root);
        strv_free(s->created_blobs);
        strv_free(s->created_layers);
        free(s);
        return NULL;
}

void image_store_rollback(ImageStore *s) {
        STRV_FOREACH(b, s->created_blobs)
                (void) unlinkat(s->blobs_fd, *b, 0);
        STRV_FOREACH(l, s->created_layers)
                (void) rm_rf_at(s->layers_fd, *l);
        s->created_blobs = strv_free(s->created_blobs);
        s->created_layers = strv_free(s->created_layers);
        (void) fsync(s->blobs_fd);
}

/* ---- blobs ------------------------------------------------------------------------------------- */

int blob_writer_begin(ImageStore *s, uint64_t max, BlobWriter *ret) {
        BlobWriter w = { .max = max };
        int r;

        /* Unnamed until verified: nothing is left behind by a crash, a full disk or a bad digest. */
        w.fd = openat(s->tmp_fd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0644);
        if (w.fd < 0)
                return -errno;
        r = sha256_init(&w.hash);
        if (r < 0) {
                safe_close(w.fd);
                return r;
        }
        *ret = w;
        return 0;
}

int blob_writer_write(BlobWriter *w, const void *data, size_t n) {
        int r;

        if (w->hash.size + n > w->max)
                return -EFBIG;
        r = sha256_update(&w->hash, data, n);
        if (r < 0)
                return r;
        return loop_write(w->fd, data, n);
}

int blob_writer_commit(ImageStore *s, BlobWriter *w, const char *expected,
                       char *ret_digest, uint64_t *ret_size) {
        char digest[DIGEST_STRING_LEN + 1];
        uint64_t size = w->hash.size;
        int r;

        r = sha256_final(&w->hash, digest);
        if (r < 0)
                return r;
        if (expected && !streq(expected, digest))
                return -EBADMSG;
        r = blob_writer_link(s, w, digest);
        if (r < 0)
                return r;
        if (ret_digest)
                memcpy(ret_digest, digest, sizeof(digest));
        if (ret_size)
                *ret_size = size;
        return 0;
}

int blob_writer_link(ImageStore *s, BlobWriter *w, const char *digest) {
        char path[64];

        if (!digest_is_valid(digest))
                return -EINVAL;
        if (fsync(w->fd) < 0)
                return -errno;
        (void) snprintf(path, sizeof(path), "/proc/self/fd/%d", w->fd);
        if (linkat(AT_FDCWD, path, s->blobs_fd, digest_hex(digest), AT_SYMLINK_FOLLOW) < 0) {
                if (errno != EEXIST)
                        return -errno;
        } else if (strv_extend(&s->created_blobs, digest_hex(digest)) < 0) {
                (void) unlinkat(s->blobs_fd, digest_hex(digest), 0);
                return -ENOMEM;
        }
        return RET_NERRNO(fsync(s->blobs_fd));
}

void blob_writer_done(BlobWriter *w) {
        sha256_done(&w->hash);
        w->fd = safe_close(w->fd);
}

int image_store_add_blob(ImageStore *s, const void *data, size_t n, char ret_digest[static DIGEST_STRING_LEN + 1]) {
        BlobWriter w;
        int r;

        r = blob_writer_begin(s, UINT64_MAX, &w);
        if (r < 0)
                return r;
        r = blob_writer_write(&w, data, n);
        if (r >= 0)
                r = blob_writer_commit(s, &w, NULL, ret_digest, NULL);
        blob_writer_done(&w);
        return r;
}

bool image_store_has_blob(ImageStore *s, const char *digest) {
        return digest_is_valid(digest) && faccessat(s->blobs_fd, digest_hex(digest), F_OK, AT_SYMLINK_NOFOLLOW) >= 0;
}

int image_store_open_blob(ImageStore *s, const char *digest, uint64_t *ret_size) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        if (!digest_is_valid(digest))
                return -EINVAL;
        fd = openat(s->blobs_fd, digest_hex(digest), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EBADMSG;
        if (ret_size)
                *ret_size = (uint64_t) st.st_size;
        return TAKE_FD(fd);
}

int image_store_read_blob(ImageStore *s, const char *digest, size_t max, char **ret, size_t *ret_size) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        char actual[DIGEST_STRING_LEN + 1];
        uint64_t size;
        size_t done = 0;
        int r;

        fd = image_store_open_blob(s, digest, &size);
        if (fd < 0)
                return fd;
        if (size > max)
                return -EFBIG;
        buf = malloc(size + 1);
        if (!buf)
                return -ENOMEM;
        while (done < size) {
                ssize_t k = read(fd, buf + done, size - done);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        return -EBADMSG;
                done += (size_t) k;
        }
        buf[size] = 0;
        r = sha256_buffer(buf, size, actual);
        if (r < 0)
                return r;
        if (!streq(actual, digest))
                return -EBADMSG; /* the store was tampered with or the disk lies */
        *ret = TAKE_PTR(buf);
        if (ret_size)
                *ret_size = size;
        return 0;
}

/* ---- index ------------------------------------------------------------------------------------- */

void image_index_done(ImageIndex *index) {
        for (size_t i = 0; i < index->n; i++) {
                image_descriptor_done(&index->entries[i].descriptor);
                free(index->entries[i].ref_name);
        }
        free(index->entries);
        safe_close(index->lock_fd);
        *index = (ImageIndex) { .lock_fd = -EBADF };
}

static int index_lock(ImageStore *s, int *ret) {
        _cleanup_close_ int fd = -EBADF;

        fd = openat(s->root_fd, "images.lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return -errno;
        if (flock(fd, LOCK_EX) < 0)
                return -errno;
        *ret = TAKE_FD(fd);
        return 0;
}

static int index_parse_entry(json_object *o, IndexEntry *ret) {
        IndexEntry e = {};
        json_object *annotations, *name;
        const char *reason;
        int r;

        r = image_descriptor_parse(o, &e.descriptor, &reason);
        if (r < 0)
                return r;
        if (json_object_object_get_ex(o, "annotations", &annotations) &&
            json_object_object_get_ex(annotations, ANNOTATION_REF_NAME, &name) &&
            json_object_is_type(name, json_type_string)) {
                /* Names written by other tools (umoci's "latest") are kept as they are. */
                e.ref_name = strdup(json_object_get_string(name));
                if (!e.ref_name) {
                        image_descriptor_done(&e.descriptor);
                        return -ENOMEM;
                }
        }
        *ret = e;
        return 0;
}

int image_index_load(ImageStore *s, bool lock, ImageIndex *ret) {
        _cleanup_(image_index_done) ImageIndex index = { .lock_fd = -EBADF };
        _cleanup_json_ json_object *o = NULL;
        json_object *manifests;
        int version, r;
        size_t n;

        if (lock) {
                r = index_lock(s, &index.lock_fd);
                if (r < 0)
                        return r;
        }
        r = json_read_file(s->images_fd, "index.json", &o);
        if (r < 0)
                return r;
        /* The OCI image layout's own version (image-spec 1.x: 2): a newer layout is not ours to rewrite. */
        r = json_get_int(o, "schemaVersion", &version);
        if (r < 0 && r != -ENOENT)
                return -EBADMSG;
        if (r >= 0 && version != 2)
                return version > 2 ? -EPROTONOSUPPORT : -EBADMSG;
        if (!json_object_object_get_ex(o, "manifests", &manifests) ||
            !json_object_is_type(manifests, json_type_array))
                return -EBADMSG;
        n = json_object_array_length(manifests);
        if (n > IMAGE_INDEX_MAX_ENTRIES)
                return -EFBIG;
        index.entries = calloc(n ?: 1, sizeof(IndexEntry));
        if (!index.entries)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                r = index_parse_entry(json_object_array_get_idx(manifests, i), index.entries + index.n);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        continue; /* a foreign entry we cannot use; dropped at the next save */
                index.n++;
        }
        *ret = index;
        index = (ImageIndex) { .lock_fd = -EBADF };
        return 0;
}

static json_object *descriptor_to_json(const ImageDescriptor *d) {
        json_object *o = json_object_new_object();

        if (!o || json_add_string(o, "mediaType", d->media_type) < 0 || json_add_string(o, "digest", d->digest) < 0 ||
            json_object_object_add(o, "size", json_object_new_int64((int64_t) d->size)) < 0)
                return json_object_put(o), NULL;
        return o;
}

int image_index_save(ImageStore *s, const ImageIndex *index) {
        _cleanup_json_ json_object *o = json_object_new_object();
        json_object *manifests = json_object_new_array();

        if (!o || !manifests || json_object_object_add(o, "manifests", manifests) < 0)
                return -ENOMEM;
        if (json_add_int(o, "schemaVersion", 2) < 0 || json_add_string(o, "mediaType", MEDIA_TYPE_OCI_INDEX) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < index->n; i++) {
                json_object *d = descriptor_to_json(&index->entries[i].descriptor);

                if (!d || json_object_array_add(manifests, d) < 0)
                        return json_object_put(d), -ENOMEM;
                if (index->entries[i].ref_name) {
                        json_object *a = json_object_new_object();

                        if (!a || json_object_object_add(d, "annotations", a) < 0 ||
                            json_add_string(a, ANNOTATION_REF_NAME, index->entries[i].ref_name) < 0)
                                return -ENOMEM;
                }
        }
        return json_write_atomic(s->images_fd, "index.json", o);
}

static IndexEntry *index_find_name(ImageIndex *index, const char *name) {
        for (size_t i = 0; i < index->n; i++)
                if (index->entries[i].ref_name && streq(index->entries[i].ref_name, name))
                        return index->entries + i;
        return NULL;
}

static size_t index_count_manifest(const ImageIndex *index, const char *digest) {
        size_t n = 0;

        for (size_t i = 0; i < index->n; i++)
                if (streq(index->entries[i].descriptor.digest, digest))
                        n++;
        return n;
}

static int descriptor_copy(const ImageDescriptor *d, ImageDescriptor *ret) {
        ImageDescriptor c = { .size = d->size, .media_type = strdup(d->media_type), .digest = strdup(d->digest) };

        if (!c.media_type || !c.digest) {
                image_descriptor_done(&c);
                return -ENOMEM;
        }
        *ret = c;
        return 0;
}

static void index_drop(ImageIndex *index, size_t i) {
        image_descriptor_done(&index->entries[i].descriptor);
        free(index->entries[i].ref_name);
        memmove(index->entries + i, index->entries + i + 1, (index->n - i - 1) * sizeof(IndexEntry));
        index->n--;
}

int image_index_set(ImageIndex *index, const char *name, const ImageDescriptor *manifest) {
        IndexEntry *e, *n;
        int r;

        if (index->n >= IMAGE_INDEX_MAX_ENTRIES)
                return -E2BIG;
        e = name ? index_find_name(index, name) : NULL;
        if (e && streq(e->descriptor.digest, manifest->digest))
                return 0;
        if (e) {
                /* The old manifest keeps an unnamed entry when nothing else names it: dangling. */
                if (index_count_manifest(index, e->descriptor.digest) > 1)
                        index_drop(index, e - index->entries);
                else {
                        free(e->ref_name);
                        e->ref_name = NULL;
                }
        }
        /* A dangling entry of the same manifest is named now rather than duplicated. */
        for (size_t i = 0; i < index->n; i++)
                if (!index->entries[i].ref_name && streq(index->entries[i].descriptor.digest, manifest->digest)) {
                        if (!name)
                                return 0;
                        index->entries[i].ref_name = strdup(name);
                        return index->entries[i].ref_name ? 0 : -ENOMEM;
                }
        if (!name && index_count_manifest(index, manifest->digest) > 0)
                return 0;
        n = realloc(index->entries, (index->n + 1) * sizeof(IndexEntry));
        if (!n)
                return -ENOMEM;
        index->entries = n;
        e = index->entries + index->n;
        *e = (IndexEntry) {};
        r = descriptor_copy(manifest, &e->descriptor);
        if (r < 0)
                return r;
        if (name) {
                e->ref_name = strdup(name);
                if (!e->ref_name) {
                        image_descriptor_done(&e->descriptor);
                        return -ENOMEM;
                }
        }
        index->n++;
        return 0;
}

void image_index_remove_manifest(ImageIndex *index, const char *digest) {
        for (size_t i = index->n; i > 0; i--)
                if (streq(index->entries[i - 1].descriptor.digest, digest))
                        index_drop(index, i - 1);
}

int image_index_untag(ImageIndex *index, const char *name) {
        IndexEntry *e = index_find_name(index, name);

        if (!e)
                return -ENOENT;
        index_drop(index, e - index->entries);
        return 0;
}

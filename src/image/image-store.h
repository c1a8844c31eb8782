/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "image-digest.h"
#include "image-manifest.h"
#include "image-unpack.h"
#include "macros.h"

/* The image store, under one state directory (/var/lib/dray):
 *   images/                 an OCI image layout as skopeo and umoci read it: oci-layout,
 *                           index.json (one manifest descriptor per name, annotated with
 *                           org.opencontainers.image.ref.name; an unnamed entry is a dangling image),
 *                           blobs/sha256/<hex>
 *   layers/<diff-id hex>/   each layer unpacked once, with overlayfs whiteouts: the lower directories
 *                           of containers' roots
 *   tmp/                    staging for layers being unpacked (removed at open)
 *   images.lock             flock()ed around every read-modify-write of index.json
 * Blobs are written to an unnamed O_TMPFILE, hashed as they are written, fsynced and only then
 * linked in under their digest: a crash or a full disk leaves nothing visible and nothing to collect. */

typedef struct ImageStore {
        int root_fd;   /* the state directory */
        int images_fd; /* images/ */
        int blobs_fd;  /* images/blobs/sha256 */
        int layers_fd; /* layers/ */
        int tmp_fd;    /* tmp/ */
        char *root;
        ImageProgressFunc progress; /* optional: bytes of input consumed by import/load/save */
        void *progress_userdata;
        /* optional, for pulls: bytes held of layer i (of digest) out of its size; same userdata */
        void (*layer_progress)(size_t i, const char *digest, uint64_t done, uint64_t total, void *userdata);
        /* optional, for pushes: layer i (of digest, size total) is "waiting", "pushing", "pushed",
         * "exists" (the registry had it) or "mounted REPO" (from another repository); same userdata */
        void (*layer_state)(size_t i, const char *digest, uint64_t total, const char *state, void *userdata);
        /* What this process added to the store (blob and layer names), so that a transfer that fails
         * removes everything it wrote: image_store_rollback(). Transfers run one at a time. */
        char **created_blobs;
        char **created_layers;
} ImageStore;

typedef struct IndexEntry {
        ImageDescriptor descriptor;
        char *ref_name; /* normalised reference; NULL = dangling */
} IndexEntry;

typedef struct ImageIndex {
        IndexEntry *entries;
        size_t n;
        int lock_fd; /* held while the index is being changed */
} ImageIndex;

/* One image: a manifest, its config, and the names pointing at it. */
typedef struct Image {
        char *id;              /* the config digest, "sha256:…" (docker's image ID) */
        ImageDescriptor manifest_descriptor;
        ImageManifest *manifest;
        ImageConfig *config;
        char **names;          /* normalised references, may be empty */
        uint64_t size;         /* sum of the layer blobs */
} Image;

#define IMAGE_INDEX_MAX_ENTRIES 65536U

int image_store_open(const char *state_dir, ImageStore **ret);
ImageStore *image_store_free(ImageStore *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(ImageStore *, image_store_free);

/* ---- blobs ---- */
typedef struct BlobWriter {
        int fd;
        Sha256 hash;
        uint64_t max;
} BlobWriter;

int blob_writer_begin(ImageStore *s, uint64_t max, BlobWriter *ret);
int blob_writer_write(BlobWriter *w, const void *data, size_t n);
/* Verifies against expected (NULL: any), fsyncs and links the blob in. *ret_digest may be NULL. */
int blob_writer_commit(ImageStore *s, BlobWriter *w, const char *expected,
                       char *ret_digest, uint64_t *ret_size);
/* For content hashed elsewhere (image_decompress()): fsyncs w's file and links it in as digest. */
int blob_writer_link(ImageStore *s, BlobWriter *w, const char *digest);
void blob_writer_done(BlobWriter *w);
int image_store_add_blob(ImageStore *s, const void *data, size_t n, char ret_digest[static DIGEST_STRING_LEN + 1]);

bool image_store_has_blob(ImageStore *s, const char *digest);
/* Removes the blobs and layers this process added (a failed import, load or pull); and forgets them. */
void image_store_rollback(ImageStore *s);
int image_store_open_blob(ImageStore *s, const char *digest, uint64_t *ret_size);
/* Reads a blob of at most max bytes, verifying its digest. -EBADMSG on a mismatch. */
int image_store_read_blob(ImageStore *s, const char *digest, size_t max, char **ret, size_t *ret_size);

/* ---- index ---- */
int image_index_load(ImageStore *s, bool lock, ImageIndex *ret);
int image_index_save(ImageStore *s, const ImageIndex *index);
void image_index_done(ImageIndex *index);
/* Points name at the manifest (replacing what it pointed at; that manifest stays as a dangling
 * entry if no other name has it). */
int image_index_set(ImageIndex *index, const char *name, const ImageDescriptor *manifest);
/* Drops every entry whose manifest is digest. */
void image_index_remove_manifest(ImageIndex *index, const char *digest);
/* Drops the entry of name (-ENOENT if none): the image goes with its last name. */
int image_index_untag(ImageIndex *index, const char *name);

/* ---- images ---- */
Image *image_free(Image *i);
DEFINE_TRIVIAL_CLEANUP_FUNC(Image *, image_free);
void image_list_free(Image **l, size_t n);

/* Every image of the index, grouped by manifest. Images whose blobs are missing or broken are
 * skipped (and counted in *ret_broken if not NULL). */
int image_store_list(ImageStore *s, Image ***ret, size_t *ret_n);
/* By name (normalised here), full ID "sha256:…", 64 hex digits or a unique ID prefix of 4+ digits.
 * -ENOENT, -ENOTUNIQ, -EINVAL (neither a reference nor an ID). */
int image_store_find(ImageStore *s, const char *what, Image **ret);
int image_store_load_manifest(ImageStore *s, const ImageDescriptor *d, Image **ret);

/* ---- layers ---- */
bool image_store_has_layer(ImageStore *s, const char *diff_id);
int image_store_layer_path(ImageStore *s, const char *diff_id, char **ret);
/* The unpacked layer directories of an image, top-most first (overlayfs lowerdir= order). */
int image_layer_paths(ImageStore *s, const Image *image, char ***ret);

/* Removes leftovers of interrupted unpacks in tmp/ (nothing else may run on the store meanwhile). */
int image_store_clean_tmp(ImageStore *s);

/* Removes every blob no index entry needs, every layer directory no image nor keep_layers (paths of
 * layers containers still use) needs, and leftovers in tmp/. Returns the number of bytes freed. */
int image_store_gc(ImageStore *s, char *const *keep_layers, uint64_t *ret_freed);

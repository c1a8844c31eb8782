/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "image-store.h"
#include "image-unpack.h"

/* The long operations on the store. They block (drayd runs them in a transfer worker), report progress
 * through store->progress, and either complete or leave nothing visible: blobs are linked in only when
 * verified, layers are renamed into place only when whole, and names are added to index.json last,
 * under its lock. Error messages go to *error. */

typedef enum ArchiveFormat {
        ARCHIVE_FORMAT_OCI,    /* oci-archive: an OCI image layout in a tar */
        ARCHIVE_FORMAT_DOCKER, /* docker-archive: what docker save and podman save write */
        _ARCHIVE_FORMAT_MAX,
        _ARCHIVE_FORMAT_INVALID = -EINVAL,
} ArchiveFormat;

const char *archive_format_to_string(ArchiveFormat f) _pure_;
ArchiveFormat archive_format_from_string(const char *s) _pure_;

#define IMAGE_ARCHIVE_ENTRIES_MAX 100000U

/* A root filesystem tarball (any supported compression) → a one-layer image named ref (normalised).
 * *ret_id: the new image's ID. */
int image_import_tarball(ImageStore *s, int fd, const char *ref, char **ret_id, UnpackError *error);

/* A docker-archive or oci-archive with one or more images. *ret_names: what was loaded (names, or IDs
 * of unnamed images). */
int image_load_archive(ImageStore *s, int fd, char ***ret_names, UnpackError *error);

/* The images (names or IDs) into an archive written to fd. */
int image_save_archive(ImageStore *s, char *const *images, ArchiveFormat format, int fd, UnpackError *error);

/* Makes sure every layer of image is unpacked (layers/<diff id>), verifying each diff ID. */
int image_store_unpack_layers(ImageStore *s, const Image *image, UnpackError *error);
/* Layer i of image only; verified: its blob was checked against its digest just now (a pull). */
int image_store_unpack_layer(ImageStore *s, const Image *image, size_t i, bool verified, UnpackError *error);

/* Adds a finished image (config JSON and layer descriptors, whose blobs are stored and whose layers
 * are unpacked) to the store under names (normalised; none: a dangling image). */
int image_store_add_image(ImageStore *s, const char *config, const ImageDescriptor *layers, size_t n_layers,
                          char *const *names, char **ret_id);
/* Stores the config and a manifest for it; names nothing (the image is not visible yet). */
int image_store_write_manifest(ImageStore *s, const char *config, const ImageDescriptor *layers, size_t n_layers,
                               ImageDescriptor *ret);
/* An OCI image manifest (JSON) for the config and the layer descriptors, as given. */
int image_manifest_build(const char *config_digest, size_t config_size, const ImageDescriptor *layers,
                         size_t n_layers, char **ret);
/* Points names (or, without any, an unnamed entry) at the manifest, under the index lock. */
int image_store_name_image(ImageStore *s, const ImageDescriptor *manifest, char *const *names);

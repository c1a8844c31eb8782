/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>

#include "macros.h"
#include "spec-health.h"

/* OCI (and Docker schema 2) manifests and image configs, parsed into structs at the edge. Every
 * input is hostile: sizes are bounded, every field is type-checked, digests validated. */

#define IMAGE_JSON_MAX (4U * 1024U * 1024U)
#define IMAGE_LAYERS_MAX 127U /* overlayfs lowerdir= must fit in a page of /proc/self/fd/N paths */

#define MEDIA_TYPE_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MEDIA_TYPE_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MEDIA_TYPE_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MEDIA_TYPE_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define MEDIA_TYPE_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define MEDIA_TYPE_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define MEDIA_TYPE_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MEDIA_TYPE_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define MEDIA_TYPE_DOCKER_LAYER "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define ANNOTATION_REF_NAME "org.opencontainers.image.ref.name"

typedef struct ImageDescriptor {
        char *media_type;
        char *digest;
        uint64_t size;
} ImageDescriptor;

typedef struct ImageManifest {
        ImageDescriptor config;
        ImageDescriptor *layers;
        size_t n_layers;
} ImageManifest;

typedef struct ImageConfig {
        json_object *json; /* the whole document, for inspect and commit */
        char *architecture, *os, *created;
        char **entrypoint, **cmd, **env;
        char *working_dir, *user, *stop_signal;
        char **labels;        /* KEY=VALUE */
        char **exposed_ports; /* "80/tcp" */
        SpecHealth healthcheck; /* Docker's Healthcheck (test NULL: none); on_failure unused */
        char **diff_ids;
} ImageConfig;

void image_descriptor_done(ImageDescriptor *d);
ImageManifest *image_manifest_free(ImageManifest *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(ImageManifest *, image_manifest_free);
ImageConfig *image_config_free(ImageConfig *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(ImageConfig *, image_config_free);

/* Parses JSON text of at most IMAGE_JSON_MAX bytes into an object. -EBADMSG when malformed. */
int image_json_parse(const char *data, size_t size, json_object **ret);

/* A descriptor object: mediaType, digest, size. -EBADMSG with a reason when invalid. */
int image_descriptor_parse(json_object *o, ImageDescriptor *ret, const char **ret_reason);

bool image_media_type_is_layer(const char *t);
bool image_media_type_is_manifest(const char *t);

int image_manifest_parse(const char *data, size_t size, ImageManifest **ret, const char **ret_reason);
int image_config_parse(const char *data, size_t size, ImageConfig **ret, const char **ret_reason);

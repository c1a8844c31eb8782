/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macros.h"

/* Image references, normalised the way docker and podman users expect:
 *   busybox                  → docker.io/library/busybox:latest
 *   user/app:1               → docker.io/user/app:1
 *   localhost/x:1            → localhost/x:1
 *   quay.io:443/a/b          → quay.io:443/a/b:latest
 *   name@sha256:<64 hex>     → docker.io/library/name@sha256:<64 hex> (no tag added)
 * The normalised string is what the store keeps as org.opencontainers.image.ref.name. */

#define IMAGE_REF_MAX 255U

typedef struct ImageRef {
        char *repository; /* domain/path */
        char *tag;        /* NULL when only a digest was given */
        char *digest;     /* NULL or "sha256:…" */
} ImageRef;

void image_ref_done(ImageRef *ref);

/* -EINVAL for anything that is not a reference; ret untouched then. */
int image_ref_parse(const char *s, ImageRef *ret);
int image_ref_normalize(const char *s, char **ret);
/* repository[:tag][@digest] of a parsed reference. */
int image_ref_format(const ImageRef *ref, char **ret);

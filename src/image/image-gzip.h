/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "image-digest.h"
#include "macros.h"

/* gzip (zlib, default level) of everything from in_fd to out_fd, hashing what it writes: the digest and
 * size of the compressed blob. The output is a function of the input alone (no name, no mtime in the
 * header), so one layer compressed twice has one digest: a second push finds its blobs there. */
int image_gzip(int in_fd, int out_fd, char ret_digest[static DIGEST_STRING_LEN + 1], uint64_t *ret_size);

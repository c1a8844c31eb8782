/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "image-digest.h"
#include "macros.h"

/* Unpacking a layer (a tar stream, compressed with gzip, bzip2, xz or zstd, or not; detected from the
 * content) into a directory, safely, whatever the archive holds:
 *   - every path is resolved with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) below the target,
 *     so symlinks, hard links and ".." inside the layer cannot reach outside it; on top of that,
 *     absolute paths, ".." components, names that are not printable UTF-8 and over-long names are
 *     refused outright (libarchive's ARCHIVE_EXTRACT_SECURE_{NODOTDOT,NOABSOLUTEPATHS,SYMLINKS}
 *     rules, which archive_write_disk cannot apply to whiteouts and xattr filtering);
 *   - files are created O_EXCL|O_NOFOLLOW: an earlier entry's symlink is never written through;
 *   - block and character devices are refused (a 0:0 character device is an overlayfs whiteout and
 *     is kept as one); FIFOs are fine;
 *   - OCI whiteouts: ".wh.NAME" becomes a 0:0 character device NAME, ".wh..wh..opq" marks its
 *     directory opaque: the directory is reported in ret_opaque, because trusted.overlay.opaque is a
 *     trusted.* xattr, which only the (privileged) caller sets;
 *   - ownership, modes (setuid/setgid/sticky), hard links, symlinks, mtimes, user.* xattrs and
 *     security.capability are kept; every other xattr, trusted.* above all, is dropped;
 *   - the uncompressed stream is hashed: *ret_diff_id is the layer's diff ID. */

#define UNPACK_MESSAGE_MAX 512

/* Progress: bytes of input consumed so far, of total (0 = unknown). */
typedef void (*ImageProgressFunc)(uint64_t done, uint64_t total, void *userdata);

typedef struct UnpackLimits {
        uint64_t max_bytes;   /* total size of the files' contents */
        uint64_t max_entries;
} UnpackLimits;

typedef struct UnpackError {
        char message[UNPACK_MESSAGE_MAX];
        /* Not an error: device nodes the archive held and the unpack did not create (an OS tree made
         * by mmdebstrap or debootstrap has dev/null, dev/full…; a container gets dray's own /dev). */
        uint64_t skipped_devices;
} UnpackError;

/* Sets e's message (the first one set wins: it names the cause) and returns r. e may be NULL. */
int unpack_error_set(UnpackError *e, int r, const char *fmt, ...) _printf_(3, 4);

int image_unpack(int archive_fd, int target_fd, const UnpackLimits *limits, char ***ret_opaque,
                 char ret_diff_id[static DIGEST_STRING_LEN + 1], UnpackError *error);

/* The checks image_unpack() applies to each entry name, for tests: 0, or -EINVAL with a reason. */
int unpack_path_check(const char *path, const char **ret_reason);

/* Decompresses (if needed) everything from in_fd to out_fd, hashing the uncompressed stream; for
 * rootfs tarballs whose compression an OCI layer cannot carry (xz, bzip2). */
int image_decompress(int in_fd, int out_fd, uint64_t max, ImageProgressFunc progress, void *userdata,
                     char ret_digest[static DIGEST_STRING_LEN + 1],
                     uint64_t *ret_size, UnpackError *error);

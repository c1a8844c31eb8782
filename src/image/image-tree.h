/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "image-store.h"
#include "image-unpack.h"

/* A container's file system as a tar (dray export): layers (top-most first; or a rootfs) under its
 * upper directory (may be NULL). With more than one directory, a private read-only overlayfs of them is
 * mounted on mount_point in a mount namespace of the calling process's own (call it in a worker).
 * trusted.* xattrs are left out. */
int image_tree_export(char *const *layers, const char *upper_dir, const char *mount_point, int out_fd,
                      UnpackError *error);

/* dir/start and everything below it, as a pax tar on out_fd, the names starting with start ("." for
 * dir's content). Sockets and trusted.* xattrs are left out; mount points below are not entered.
 * proc_fd: /proc/self/fd, opened before the caller entered a root without it, or -EBADF. */
int image_tree_archive(const char *dir, const char *start, int out_fd, int proc_fd, UnpackError *error);

/* dray commit: the upper directory becomes a layer on top of base_image (an ID): overlayfs whiteouts
 * are written as OCI whiteouts, opaque directories as .wh..wh..opq, trusted.* xattrs dropped. The new
 * image is named name (normalised). */
int image_commit_upper(ImageStore *s, const char *base_image, const char *upper_dir, const char *name,
                       char **ret_id, UnpackError *error);

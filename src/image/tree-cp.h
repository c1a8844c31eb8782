/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "image-unpack.h"

/* dray cp: tar streams between a client's fd and a path in a container's root. The worker that runs
 * these first enters the root (tree_root_enter()): a chroot into it, in a mount namespace of its own
 * or the running container's, so that every path, and every symlink the container made, resolves
 * inside the root and never on the host (CVE-2018-15664). Call them only in a worker process. */

typedef struct TreeRoot {
        pid_t pid;              /* > 0: a running container's init: its mount namespace and root */
        char *const *layers;    /* else: the lower directories, top-most first (or the rootfs alone) */
        const char *upper_dir;  /* the overlay's upper and work directories; NULL: the lowers alone */
        const char *work_dir;
        const char *mount_point; /* where the overlay goes, in the worker's own mount namespace */
        bool writable;          /* an overlay with upper_dir/work_dir, not a read-only one */
} TreeRoot;

int tree_root_enter(const TreeRoot *root, UnpackError *error);

/* The entry at path (resolved in the root) and everything below it, named from its last component,
 * or, for "DIR/." and "/", the directory's content named from ".". proc_fd: /proc/self/fd, opened
 * before tree_root_enter() (the root's own /proc, if any, is not ours to trust or use). */
int tree_cp_archive(const char *path, int out_fd, int proc_fd, UnpackError *error);

/* Docker's rule for a destination: an existing directory receives the archive's top entry; otherwise
 * the top entry is renamed to path's last component, in path's parent directory (which must exist).
 * Without keep_owner every entry belongs to root (0:0), else to the archive's numeric IDs. Device
 * nodes are refused, and so is anything that would leave the directory or write through a symlink. */
int tree_cp_extract(int in_fd, const char *path, bool keep_owner, UnpackError *error);

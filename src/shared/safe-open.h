/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Opening files that drayd does not own: anything inside an image, a layer, a volume or a container
 * root. Such a file may be a FIFO (open(2) would block until a writer comes), a device (opening it
 * may act on hardware), a symlink out of the root, or huge. The only way in is:
 *   1. resolve with openat2() to an O_PATH fd: never blocks, never opens the inode itself;
 *      SAFE_OPEN_IN_ROOT keeps symlinks inside dir_fd (RESOLVE_IN_ROOT), SAFE_OPEN_NO_SYMLINKS
 *      refuses any; magic links are always refused, and so are mount crossings inside a root;
 *   2. fstat() that fd: anything but a regular file is -EMEDIUMTYPE (safe_open_strerror());
 *   3. reopen that same inode through /proc/self/fd with O_NONBLOCK, so it can never be swapped;
 *   4. read at most max bytes: a bigger file is -EFBIG, even if it grew since the fstat(). */

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "macros.h"

typedef enum SafeOpenFlags {
        SAFE_OPEN_IN_ROOT = 1 << 0,     /* dir_fd is a root: absolute paths and symlinks stay in it */
        SAFE_OPEN_NO_SYMLINKS = 1 << 1, /* no symlink anywhere in path */
} SafeOpenFlags;

/* Step 1: an O_PATH fd on path below dir_fd (AT_FDCWD for a host path). */
int safe_open_path(int dir_fd, const char *path, SafeOpenFlags flags);

/* Steps 2 and 3 on an O_PATH fd: a readable, non-blocking fd on the same regular file. */
int safe_reopen_regular(int path_fd);
/* The same through proc_fd_dir, an fd on /proc/self/fd opened beforehand, for a process that has
 * since entered a root without the host's /proc (dray cp's worker chroots into a container). */
int safe_reopen_regular_in(int proc_fd_dir, int path_fd);

/* Step 4 on a readable fd: at most max bytes, NUL-terminated (ret_size may be NULL). */
int safe_read_fd(int fd, size_t max, char **ret, size_t *ret_size);

/* All four steps. */
int safe_read_file_at(int dir_fd, const char *path, SafeOpenFlags flags, size_t max, char **ret, size_t *ret_size);

/* Whether st is an overlayfs whiteout (a 0:0 character device). */
bool stat_is_whiteout(const struct stat *st);

/* strerror(), but naming -EMEDIUMTYPE "not a regular file" and -EFBIG "file too large to read". */
const char *safe_open_strerror(int r);

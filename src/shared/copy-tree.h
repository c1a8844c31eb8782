/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macros.h"

/* Copies what directory src_fd holds into directory dst_fd (which should be empty): directories,
 * regular files, symbolic links (their text, never followed) and FIFOs, with modes, ownership and
 * timestamps. Device nodes and sockets are skipped. Every entry is reached relative to its parent's
 * fd with O_NOFOLLOW, so a tree that holds hostile symlinks cannot make the copy read or write
 * outside either directory. -EEXIST when an entry exists in dst already, -ELOOP beyond 256 levels. */
int copy_tree_at(int src_fd, int dst_fd);

/* 1 when directory fd holds nothing but "." and "..", 0 when it holds something, negative errno. */
int dir_is_empty_at(int fd);

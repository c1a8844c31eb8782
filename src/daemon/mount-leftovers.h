/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "macros.h"

/* Mounts a crash left behind. In drayd's mount namespace the only mounts below the state and runtime
 * directories are the network namespaces pinned in <runtime>/netns/ (network.c reconciles those with
 * the containers they belong to); container roots are mounted in the containers' own namespaces and
 * image trees in a worker's, and tmpfs volumes (below). Anything else below them is a leftover (of a worker or a drayd killed
 * half-way, or of an older build) that would keep a tree busy: drayd unmounts it at start. */

/* Whether a mount at target is such a leftover (target: as in mountinfo, no trailing slash). */
bool mount_is_leftover(const char *target, const char *state_dir, const char *runtime_dir) _pure_;

/* A tmpfs volume's own tmpfs (volume-tmpfs.h), on <state>/volumes/NAME/_data: drayd mounted it on
 * purpose, and its files outlive a restart of drayd; never a leftover. */
bool mount_is_volume_tmpfs(const char *target, const char *fstype, const char *state_dir) _pure_;

/* Reads the mount table (libmount) and lazily unmounts every leftover, deepest first. Returns how
 * many were unmounted, or a negative errno when the table could not be read. */
int undo_leftover_mounts(const char *state_dir, const char *runtime_dir);

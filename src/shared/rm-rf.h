/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macros.h"

/* Removes dir_fd/name and, if it is a directory, everything below it, however deep (iteratively, one
 * fd at a time, no path strings). Never follows symlinks and never descends into another file system
 * (a mount point below is left alone and reported as -EXDEV at the end). A missing name is not an
 * error. Keeps going past errors and returns the first one. */
int rm_rf_at(int dir_fd, const char *name);

/* The same for a path (absolute, or relative to the working directory). */
int rm_rf_path(const char *path);

/* Removes everything inside the directory fd refers to, but not the directory itself. */
int rm_rf_children(int fd);

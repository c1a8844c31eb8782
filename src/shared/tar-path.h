/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macros.h"

/* Names in dray cp's tar streams, the same on both ends (the CLI and drayd's worker). */

/* Where an archive of path starts: "/a/b/" → dir "/a", base "b" (entries named "b/…"); "/a/b/." and
 * "/" → dir "/a/b" (or "/"), base "." (the directory's content, entries named "./…"). */
int tar_path_split(const char *path, char **ret_dir, char **ret_base);

/* "a/b/c" with top "x" → "x/b/c"; "./b" → "x/b"; "." → "x": the archive's top entry renamed, for a
 * destination that does not exist yet (docker cp's rule). */
int tar_path_rename_top(const char *path, const char *top, char **ret);

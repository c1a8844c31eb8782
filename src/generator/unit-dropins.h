/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* A symlink to /dev/null: a masked file (a unit file or a drop-in), as systemd masks units. */
bool unit_path_masked(const char *path);

/* The drop-ins of a source file (web.container, web@two.container), found as systemd finds a unit's:
 * the *.conf files of FILE.d/ in each search directory and, for an instance NAME@INSTANCE.EXT, of its
 * template's NAME@.EXT.d/ too (Quadlet's rule: what the template's drop-ins say, each instance gets,
 * and an instance's own drop-ins can say more). Of several drop-ins of one name the first wins (an
 * earlier directory, then the instance's before the template's), and one linked to /dev/null masks
 * the name. *ret: their paths, sorted by file name, the order they apply in; NULL for none. */
int unit_dropins_find(char *const *dirs, const char *file_name, char ***ret);

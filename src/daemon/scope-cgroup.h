/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "macros.h"

/* The directory of unit (a scope) in the cgroup v2 (unified) hierarchy, from member's (its monitor's)
 * /proc/<pid>/cgroup. -ENOENT when member is not in the scope. */
int scope_cgroup_dir(pid_t member, const char *unit, char **ret);
/* cgroup.freeze of dir: -EOPNOTSUPP without a freezer (Linux < 5.2). */
int scope_cgroup_write_freeze(const char *dir, bool freeze);
/* "frozen" of dir's cgroup.events: 1 frozen, 0 not. */
int scope_cgroup_read_frozen(const char *dir);

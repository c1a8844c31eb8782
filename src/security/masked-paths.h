/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macros.h"

/* Paths of /proc and /sys a container must not read (masked) or write (read-only), the same lists
 * Docker, runc and crun use. Both are NULL-terminated.
 *
 * masked_paths: a directory gets an empty read-only tmpfs on top, a file gets /dev/null bound on top
 *   (reads see EOF). They leak host state (/proc/kcore, /proc/keys, /proc/timer_list, firmware
 *   tables) or reach host hardware (/proc/acpi, /proc/scsi, powercap's energy counters, which leak
 *   enough for power side channels).
 * readonly_paths: bound on themselves and remounted read-only, nosuid, nodev, noexec. They are
 *   global kernel knobs that no namespace covers (/proc/sys outside net, /proc/sysrq-trigger,
 *   /proc/irq). */
extern const char *const masked_paths[];
extern const char *const readonly_paths[];

/* Masks masked_paths and makes readonly_paths read-only, in the current mount namespace, with absolute
 * paths in the current root.
 *
 * Call it in the container's init after /proc and /sys of the container are mounted and after
 * pivot_root(), before the payload is started: it needs CAP_SYS_ADMIN, and it uses the container's
 * /proc (/proc/self/fd) to mount onto exactly the file it opened and checked. A path that does not
 * exist is skipped. No path may pass through a symlink (on kernels with openat2(), 5.6+), and the file
 * bound onto masked files must be the real /dev/null (character device 1:3).
 *
 * Returns 0, or a negative errno; on failure some paths may already be masked (the caller aborts the
 * container start anyway). */
int mask_paths_apply(void);

/* The same with other lists (NULL-terminated; either may be NULL). */
int mask_paths_apply_full(const char *const *masked, const char *const *readonly);

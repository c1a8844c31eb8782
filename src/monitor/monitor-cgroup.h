/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macros.h"

/* The monitor's cgroup chores. On pure cgroup v2 (DESIGN.md "cgroups") a delegated scope whose
 * children enable controllers may hold no process itself: the monitor moves itself into
 * <scope>/supervisor and starts the payload in <scope>/payload. On v1 or hybrid hosts both stay in
 * the scope's cgroups. */

typedef struct MonitorCgroup {
        bool unified;       /* /sys/fs/cgroup is cgroup2 */
        int payload_fd;     /* v2: <scope>/payload, for CLONE_INTO_CGROUP; else -EBADF */
        char *oom_file;     /* memory.events (v2) or memory.oom_control (v1) to read oom_kill from */
        uint64_t oom_kills; /* its count before the payload started */
} MonitorCgroup;

/* Best effort throughout: failures are logged and leave fields unset. */
void monitor_cgroup_setup(MonitorCgroup *c);
/* true when the OOM killer struck since monitor_cgroup_setup(). */
bool monitor_cgroup_oom_killed(const MonitorCgroup *c);
void monitor_cgroup_done(MonitorCgroup *c);

/* Exposed for tests. The cgroup path of controller (NULL: the v2 "0::" line) in a /proc/PID/cgroup
 * text; the "oom_kill N" value in a memory.events or memory.oom_control text. */
int cgroup_path_from_proc(const char *text, const char *controller, char **ret);
int oom_kill_count_from_text(const char *text, uint64_t *ret);

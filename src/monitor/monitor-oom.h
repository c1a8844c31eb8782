/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

/* Under the container's memory limit the OOM killer must take the payload, never dray-monitor or the
 * container's init. Where the monitor holds CAP_SYS_RESOURCE it lowers its own oom_score_adj, and the
 * init's, to -1000 once the payload runs (as conmon protects itself); the payload, forked before,
 * keeps the monitor's value (0 from drayd) and, as the kernel copies oom_score_adj_min on fork,
 * cannot go below it. Where it does not (a host that withholds CAP_SYS_RESOURCE), the payload raises
 * its own to MONITOR_OOM_PAYLOAD_FALLBACK instead, which needs no privilege. */
#define MONITOR_OOM_PAYLOAD_FALLBACK 1000

/* Before the payload is forked: the value it should set itself to (RuntimeIO.payload_oom_score_adj),
 * 0 for "keep the inherited one". */
int monitor_oom_payload_adj(void);

/* Once the payload runs: protect the monitor, and the init when init_pid > 0, if we may. */
void monitor_oom_protect(pid_t init_pid);

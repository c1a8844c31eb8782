/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>
#include <systemd/sd-id128.h>

#include "container.h"

/* Tracking a container's dray-monitor, which is not our child: a pidfd (readable once the process is
 * gone) and the sync socket it answers "OK"/"ERR" on. */

/* Watches c->monitor_pidfd; container_monitor_exited() runs once the monitor is gone, after any
 * answer still waiting on the sync socket was handled. */
int monitor_watch(Container *c);
/* Watches c->sync_fd for the monitor's answer; container_monitor_ok()/_err() run on it. */
int monitor_sync_watch(Container *c);
/* Writes "G": the scope is in place, go. */
int monitor_send_go(Container *c);
/* Closes our end of the sync socket (before "G" this makes the monitor give up). */
void monitor_sync_close(Container *c);
/* Stops watching and closes every descriptor of the monitor and the payload. */
void monitor_unwatch(Container *c);

/* A pidfd for pid if it is still the process we recorded (same boot, same start time), else -ESRCH. */
int monitor_open_pidfd(pid_t pid, uint64_t start_time, sd_id128_t boot_id);
/* A pidfd for pid if it descends from ancestor (the monitor), else -ESRCH. */
int payload_open_pidfd(pid_t pid, pid_t ancestor);

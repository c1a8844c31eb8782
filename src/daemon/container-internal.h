/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>
#include <systemd/sd-id128.h>

#include "container.h"
#include "dray-error.h"

/* The container job's private header: the steps of container.c's state machine that live in files of
 * their own, split by concern, as runtime-internal.h is the runtime's (tests/check-include-cycles
 * counts these files as parts of the job "container"). container.c calls them at the moments their
 * comments name, and they call back into the model (container.h). Their public faces are their own
 * headers (container-net.h, container-restart.h), which no part of the state machine includes. */

/* ---- the monitor (monitor-watch.c) ---- */

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

/* ---- the network plumbing of a bridge-mode container (container-net*.c) ---- */

typedef struct ContainerNet ContainerNet;

/* In container_spawn(), before the monitor: builds everything. On failure, everything is torn down
 * again, and e says what went wrong, for the caller. */
int container_net_setup(Container *c, DrayError *e);
/* When the container stopped running, and at removal: idempotent, also with nothing set up. */
void container_net_teardown(Container *c);
/* Adoption of a running container: reads network.json. */
int container_net_load(Container *c);
ContainerNet *container_net_free(ContainerNet *n);

/* ---- the restart policy (container-restart.c) ---- */

/* The container ended (after the replies): arms the restart timer if the policy wants it. */
void container_restart_exited(Container *c);
/* Stop by a client: the policy leaves it alone from now on (a pending restart is dropped). */
void container_restart_stopped(Container *c);
/* Start by a client (not by the policy): RestartCount and the backoff start over. */
void container_restart_started(Container *c);
/* Drops the timer (container_free). */
void container_restart_done(Container *c);

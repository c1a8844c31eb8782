/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "macros.h"
#include "spec.h"

/* dray-monitor's part of --boot (runtime-boot.c does the container's): the notify socket the inner
 * systemd reports READY=1 on, the container's own cgroup subtree, and what the init's end means. */

typedef struct MonitorBoot {
        int notify_fd;          /* SOCK_DGRAM, bound at notify_path; -EBADF when not booting */
        char *notify_path;      /* <runtime_dir>/notify/<id> */
        uid_t root_uid;         /* the container's root as the host sees it: who may send READY=1 */
        bool ready;             /* READY=1 arrived */
        /* A slave of the console pty, held so that the container closing every console fd (systemd
         * moves its stdio to /dev/null, agetty hangs up) never ends the pty: the master would read
         * EIO, and the console would be gone for good. */
        int console_keep;
        /* Hybrid hosts: our own cgroups in the name=systemd and unified hierarchies, which we return
         * to once the init was cloned from <own>/payload. */
        char *own_named;
        char *own_unified;
} MonitorBoot;

#define MONITOR_BOOT_NULL ((MonitorBoot) { .notify_fd = -EBADF, .console_keep = -EBADF })

void monitor_boot_done(MonitorBoot *b);

/* The socket, before the start. */
int monitor_boot_notify_open(MonitorBoot *b, const char *runtime_dir, const char *id, uid_t root_uid);
/* Reads what waits on the socket; true once READY=1 was among it. */
bool monitor_boot_notify_read(MonitorBoot *b);

/* Right before the clone: the container's cgroup is <own>/payload in the hierarchies the inner
 * systemd manages (name=systemd and unified on a hybrid host; on pure cgroup v2 monitor-cgroup.c made
 * it), owned by the container's root (userns_base, or 0); on a hybrid host the monitor steps into it
 * so that the init is cloned there, and monitor_boot_cgroup_leave() steps back. */
int monitor_boot_cgroup_enter(MonitorBoot *b, bool unified, uid_t root_uid);
void monitor_boot_cgroup_leave(MonitorBoot *b);

/* Keeps the console alive, given its master. */
int monitor_boot_console_keep(MonitorBoot *b, int master);

/* The init's end as waitpid() reported it: a booted systemd that powers off or halts is killed by
 * the kernel with SIGINT (reboot(2) in a pid namespace), one that reboots with SIGHUP. Returns the
 * exit status to record (0 for a clean poweroff) and whether to boot again. */
int monitor_boot_exit_status(int wstatus, bool *ret_reboot);

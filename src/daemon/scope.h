/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "spec.h"
#include "systemd-queue.h"

/* dray update: resource limits of a running scope, through SetUnitProperties (runtime), so that
 * systemctl show tells them. SCOPE_LIMIT_KEEP leaves one as it is; UINT64_MAX is "infinity". */
#define SCOPE_LIMIT_KEEP (UINT64_MAX - 1)
typedef struct ScopeLimits {
        uint64_t memory_max, cpu_quota_per_sec_usec, cpu_weight, tasks_max;
} ScopeLimits;
int scope_set_limits(Manager *m, const char *unit, const ScopeLimits *l, systemd_call_handler_t handler,
                     void *userdata);

/* Subscribes to systemd's job signals (JobRemoved). Call once before the first scope_start(). */
int scope_subscribe(Manager *m);

typedef struct ScopeJob ScopeJob;
/* error: 0 on success, else a negative errno with message saying what failed. */
typedef void (*scope_job_handler_t)(ScopeJob *j, int error, const char *message, void *userdata);

/* StartTransientUnit(unit, "fail") in dray.slice with monitor_pid in it and the limits of spec, then
 * waits for the job to finish (JobRemoved). A leftover unit of the same name (an earlier run whose
 * scope systemd has not collected yet) is stopped and the start tried once more. bind_to: the service a
 * foreground run belongs to (BindsTo=), or NULL. */
int scope_start(Manager *m, const char *unit, const ContainerSpec *spec, pid_t monitor_pid, const char *bind_to,
                scope_job_handler_t handler, void *userdata, ScopeJob **ret);
ScopeJob *scope_job_free(ScopeJob *j); /* cancels: the handler is not called */
/* Sends the start of unit that waited for machined to forget the machine of the same name. */
void scope_unblock(Manager *m, const char *unit);
DEFINE_TRIVIAL_CLEANUP_FUNC(ScopeJob *, scope_job_free);

/* StopUnit(unit, "replace"), without waiting for the answer; a missing unit is fine. For the scope of
 * a start that failed or was interrupted: systemd 252 may create it after the monitor is already gone
 * (PIDs that died meanwhile are skipped), and a scope that never held a live process is never seen
 * to become empty, so it would stay "running" forever. Goes through the queue, so a later start of
 * the same name is sent after it. */
int scope_stop(Manager *m, const char *unit);

/* AttachProcessesToUnit(unit, subcgroup, [pid]) (systemd 238+): moves a process of ours into a running
 * unit's cgroup (subcgroup: "" for the unit's own, "/payload" below it), for `dray exec`. */
int scope_attach(Manager *m, const char *unit, const char *subcgroup, pid_t pid, systemd_call_handler_t handler,
                 void *userdata, SystemdCall **ret_call);

/* KillUnit(unit, "all", sig), without waiting for the answer. */
int scope_kill(Manager *m, const char *unit, int sig);

/* Builds the StartTransientUnit call (exposed for tests). */
int scope_build_start_message(sd_bus *bus, const char *unit, const ContainerSpec *spec, pid_t monitor_pid,
                              const char *bind_to, sd_bus_message **ret);

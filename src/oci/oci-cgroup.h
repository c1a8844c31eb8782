/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include <systemd/sd-bus.h>

#include "spec.h"

/* The cgroup v2 hierarchy's mount: /sys/fs/cgroup (pure v2) or /sys/fs/cgroup/unified (hybrid). */
const char *oci_cgroup_root(void);
/* Writes value to the file name of the cgroup directory dir_fd. */
int oci_cgroup_write(int dir_fd, const char *name, const char *value);

/* The container's cgroup in the cgroup v2 hierarchy (a hybrid host's unified one too), as runc and crun place it:
 *   --systemd-cgroup: linux.cgroupsPath "SLICE:PREFIX:NAME" is the transient scope PREFIX-NAME.scope in
 *     SLICE, asked of systemd over D-Bus (StartTransientUnit, Delegate=yes, the limits as the scope's
 *     properties) with dray-oci itself as its first process; the init is cloned from there.
 *   otherwise: cgroupsPath is a directory below /sys/fs/cgroup (relative paths too), made by dray-oci,
 *     its limits written to memory.max, cpu.max, cpu.weight, pids.max, and the init cloned into it. */

/* SLICE:PREFIX:NAME → "PREFIX-NAME.scope" and SLICE; empty path: system.slice:dray-oci:ID. */
int oci_cgroup_scope_name(const char *cgroups_path, const char *id, char **ret_unit, char **ret_slice);
/* Starts the scope with the calling process in it and waits until systemd has it running. append (if
 * not NULL) adds more (sv) properties to the open array: oci_resources_append_properties(). */
typedef int (*OciScopeAppend)(sd_bus_message *m, const void *userdata);
int oci_cgroup_start_scope(const char *unit, const char *slice, const char *id, const ContainerSpec *limits,
                           OciScopeAppend append, const void *userdata, char **ret_error);
int oci_cgroup_stop_scope(const char *unit);

/* cgroupfs: makes the directory in the cgroup v2 hierarchy (its parents' subtree_control enabling cpu,
 * memory, pids) and writes the limits, moves the caller into it and returns its path relative to the
 * hierarchy's root. On a hybrid host the same path is also made in the v1 memory, cpu, pids and devices
 * hierarchies, which take the limits (the shares and CFS quota as given). */
typedef struct OciCgroupV1Limits {
        uint64_t cpu_shares; /* 0: unset */
        int64_t cpu_quota;   /* -1: unset */
        uint64_t cpu_period;
} OciCgroupV1Limits;

int oci_cgroup_make(const char *cgroups_path, const char *id, const ContainerSpec *limits,
                    const OciCgroupV1Limits *v1, char **ret_path, char **ret_error);

/* The caller's cgroups (/proc/self/cgroup as it is), and the way back to them: dray-oci enters the
 * container's cgroup (or scope) so that the init is born there, and leaves again once it is, or `run`
 * would keep the cgroup busy (and be killed with the scope). */
int oci_cgroup_save_self(char **ret);
/* The same of another process (pid > 0): oci_cgroup_return() of it enters that process's cgroups. */
int oci_cgroup_save_pid(pid_t pid, char **ret);
void oci_cgroup_return(const char *saved);

/* PID's cgroup v2 path ("/system.slice/x.scope"). */
int oci_cgroup_of_pid(pid_t pid, char **ret);

/* Moves the caller into every cgroup of PID, one per hierarchy as /proc/PID/cgroup names them (v2, and
 * on a hybrid host each v1 one: memory, cpu, pids, blkio, cpuset, devices, ...), as runc joins exec's
 * process to the container's: the children it forks then are born under all of the container's limits.
 * On failure a malloc'd reason naming the cgroup. */
int oci_cgroup_join_pid(pid_t pid, char **ret_error);

int oci_cgroup_is_frozen(const char *cgroup);
int oci_cgroup_freeze(const char *cgroup, bool freeze);
/* Every process of the cgroup and its children, a signal each (SIGKILL: cgroup.kill). */
int oci_cgroup_kill(const char *cgroup, int sig);
/* The PIDs in cgroup.procs of the cgroup and below. */
int oci_cgroup_pids(const char *cgroup, pid_t **ret, size_t *ret_n);
/* rmdir of the cgroup and its children (empty ones), and of the same path in the v1 hierarchies. */
int oci_cgroup_remove(const char *cgroup);

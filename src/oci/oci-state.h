/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include "json-util.h"
#include "macros.h"

/* What dray-oci keeps of a container between its commands: ROOT/ID/state.json (ROOT is --root,
 * /run/dray-oci by default), plus ROOT/ID/exec.fifo while the container waits for its start and
 * ROOT/ID/rootfs, the mount point of its root in its own mount namespace. */

#define OCI_ROOT_DEFAULT "/run/dray-oci"
#define OCI_VERSION "1.1.0"

typedef struct OciState {
        char *id;
        char *bundle;
        pid_t pid;              /* the container's init, in our pid namespace */
        uint64_t starttime;     /* its /proc/PID/stat start time: a PID reused later is not it */
        char *created;          /* RFC 3339, UTC */
        char *cgroup;           /* the init's cgroup v2 path ("/machine.slice/libpod-….scope") */
        char *unit;             /* --systemd-cgroup: the scope's name; NULL for cgroupfs */
        bool own_cgroup;        /* cgroupfs: dray-oci made the directory and removes it */
        json_object *annotations; /* reference or NULL */
        json_object *hooks;     /* {"hooks": the config's hooks}, for start and delete; reference or NULL */
        char *config;           /* the config.json's path, for exec's defaults */
} OciState;

typedef enum OciStatus {
        OCI_STATUS_CREATING,
        OCI_STATUS_CREATED,
        OCI_STATUS_RUNNING,
        OCI_STATUS_PAUSED,
        OCI_STATUS_STOPPED,
        _OCI_STATUS_MAX,
} OciStatus;

OciState *oci_state_free(OciState *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(OciState *, oci_state_free);

const char *oci_status_to_string(OciStatus s) _pure_;

/* dir_fd: the container's directory. */
int oci_state_save(int dir_fd, const OciState *s);
int oci_state_load(int dir_fd, OciState **ret);

/* The state's status now: stopped once the init is gone (or its PID is another process), created
 * while the exec FIFO exists, paused while the cgroup is frozen, else running. */
OciStatus oci_state_status(int dir_fd, const OciState *s);
bool oci_state_alive(const OciState *s);

/* The runtime spec's state JSON (ociVersion, id, status, pid, bundle, annotations) plus runc's
 * "created" and "rootfs". */
int oci_state_to_json(const OciState *s, OciStatus status, json_object **ret);

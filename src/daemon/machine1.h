/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include "manager.h"

/* What machined is told about a container: plain values, so that this file stays below container.c
 * (tests/check-include-cycles). */
typedef struct MachineInfo {
        const char *name;   /* the container's name; its short ID when that is no valid host name */
        const char *id;     /* the container ID: the machine ID is its first 32 hex digits */
        const char *unit;   /* its scope (unregister) */
        const char *root;   /* may be NULL */
        pid_t leader;       /* the payload (register) */
} MachineInfo;

/* Called when machined answered RegisterMachine, with the container ID given. */
typedef void (*machine_registered_t)(Manager *m, const char *id);

/* Registers a running container with systemd-machined (RegisterMachine, in systemd 252), so that
 * machinectl list/show/status see it. machined finds the scope from the leader's cgroup. Fire and
 * forget through the systemd queue: a missing machined only costs the registration. */
int machine_register(Manager *m, const MachineInfo *info, machine_registered_t on_registered);

/* When a machine that machined registered goes away, machined stops its unit *by name*
 * (machine_stop() in machined's GC). If the container has been started again meanwhile (restart, or
 * a new container of the same name), that name is our new scope, and machined would kill it. So
 * when a container ends we unregister its machine ourselves (UnregisterMachine only forgets it), and
 * a scope of the same name is not started before machined has answered. */
int machine_unregister(Manager *m, const MachineInfo *info);
/* Whether an UnregisterMachine for the machine behind unit is still in flight. */
bool machine_unregister_pending(Manager *m, const char *unit);
void machine_unregisters_free(Manager *m);

/* The 128-bit machine ID of a container: the first 32 hex digits of its ID. */
int machine_id_from_container_id(const char *id, uint8_t ret[static 16]);

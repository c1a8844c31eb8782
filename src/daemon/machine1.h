/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "container.h"

/* Registers a running container with systemd-machined (RegisterMachine, in systemd 252), so that
 * machinectl list/show/status see it. machined finds the scope from the leader's cgroup. Fire and
 * forget through the systemd queue: a missing machined only costs the registration. */
int machine_register(Container *c);

/* When a machine that machined registered goes away, machined stops its unit *by name*
 * (machine_stop() in machined's GC). If the container has been started again meanwhile (restart, or
 * a new container of the same name), that name is our new scope, and machined would kill it. So
 * when a container ends we unregister its machine ourselves (UnregisterMachine only forgets it), and
 * a scope of the same name is not started before machined has answered. */
int machine_unregister(Container *c);
/* Whether an UnregisterMachine for the machine behind unit is still in flight. */
bool machine_unregister_pending(Manager *m, const char *unit);
void machine_unregisters_free(Manager *m);

/* The 128-bit machine ID of a container: the first 32 hex digits of its ID. */
int machine_id_from_container_id(const char *id, uint8_t ret[static 16]);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "container.h"

/* Registers a running container with systemd-machined (RegisterMachine, in systemd 252), so that
 * machinectl list/show/status see it. machined finds the scope from the leader's cgroup and forgets
 * the machine when the scope goes away, so there is nothing to undo. Fire and forget through the
 * systemd queue: a missing machined only costs the registration. */
int machine_register(Container *c);

/* The 128-bit machine ID of a container: the first 32 hex digits of its ID. */
int machine_id_from_container_id(const char *id, uint8_t ret[static 16]);

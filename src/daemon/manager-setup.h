/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "manager.h"

/* drayd's life: the Manager made, loaded from disk, put on the bus and run (manager-setup.c). */

int manager_new(const ManagerConfig *config, Manager **ret);
Manager *manager_free(Manager *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Manager *, manager_free);

/* Creates the state and runtime directories and loads every container found there. */
int manager_load(Manager *m);
/* Connects to the system bus, registers the objects, subscribes to systemd, takes the name and tells
 * systemd READY=1 once it has it. */
int manager_connect_bus(Manager *m);
/* Uses an existing connection (tests, --bus-introspect): registers the objects only. */
int manager_attach_bus(Manager *m, sd_bus *bus);
int manager_run(Manager *m);

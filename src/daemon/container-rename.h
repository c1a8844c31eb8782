/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "container.h"

/* dray rename: a new name in config.json and the name index at once. A running container keeps its
 * scope (dray-OLD.scope), its machine name and its log field CONTAINER_NAME until its next start;
 * its hostname stays what it was, as with docker rename. -EEXIST taken, -EINVAL invalid, -EBUSY
 * while it is being removed. */
int container_rename(Container *c, const char *name);

int bus_container_method_rename(sd_bus_message *m, void *userdata, sd_bus_error *error);
extern const sd_bus_vtable manager_rename_vtable[];

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "bus-object.h"
#include "volume.h"

/* org.dray1.Volume objects at /org/dray1/volume/<sd_bus_path_encode(name)>, and the Manager's
 * volume methods (a vtable of their own that manager-dbus.c registers at /org/dray1). */
extern const BusObjectImplementation volume_object;
extern const sd_bus_vtable manager_volume_vtable[];

int volume_bus_path(const char *name, char **ret);
void volume_bus_send_new(Volume *v);
void volume_bus_send_removed(Volume *v);

/* org.dray1.Container's Volumes a(ssb) property: volume name, destination, read-only. */
int bus_container_property_get_volumes(sd_bus *bus, const char *path, const char *interface, const char *property,
                                       sd_bus_message *reply, void *userdata, sd_bus_error *error);

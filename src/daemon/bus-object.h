/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "macros.h"

/* A tree of D-Bus object implementations, registered with one call (after systemd's internal
 * BusObjectImplementation). Every vtable gets the same userdata (the Manager); fallback vtables map
 * it to their object in their find function. */
typedef struct BusFallbackVtable {
        const sd_bus_vtable *vtable;
        sd_bus_object_find_t find;
} BusFallbackVtable;

typedef struct BusObjectImplementation BusObjectImplementation;
struct BusObjectImplementation {
        const char *path;                         /* the object, or the prefix of the fallbacks */
        const char *interface;
        const sd_bus_vtable *const *vtables;       /* NULL-terminated: objects at path */
        const BusFallbackVtable *fallback_vtables; /* {}-terminated: objects below path */
        sd_bus_node_enumerator_t node_enumerator;
        bool manager;                              /* org.freedesktop.DBus.ObjectManager at path */
        const BusObjectImplementation *const *children; /* NULL-terminated */
};

int bus_add_implementation(sd_bus *bus, const BusObjectImplementation *impl, void *userdata);

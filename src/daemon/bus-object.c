/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bus-object.h"
#include "log.h"

int bus_add_implementation(sd_bus *bus, const BusObjectImplementation *impl, void *userdata) {
        int r;

        log_debug("Registering bus object implementation for path=%s iface=%s", impl->path,
                  strna(impl->interface));

        for (const sd_bus_vtable *const *v = impl->vtables; v && *v; v++) {
                r = sd_bus_add_object_vtable(bus, NULL, impl->path, impl->interface, *v, userdata);
                if (r < 0)
                        return log_error_errno(r, "Failed to register bus path %s with interface %s: %m",
                                               impl->path, impl->interface);
        }

        for (const BusFallbackVtable *f = impl->fallback_vtables; f && f->vtable; f++) {
                r = sd_bus_add_fallback_vtable(bus, NULL, impl->path, impl->interface, f->vtable, f->find,
                                               userdata);
                if (r < 0)
                        return log_error_errno(r, "Failed to register fallback bus path %s with interface %s: %m",
                                               impl->path, impl->interface);
        }

        if (impl->node_enumerator) {
                r = sd_bus_add_node_enumerator(bus, NULL, impl->path, impl->node_enumerator, userdata);
                if (r < 0)
                        return log_error_errno(r, "Failed to add node enumerator for %s: %m", impl->path);
        }

        if (impl->manager) {
                r = sd_bus_add_object_manager(bus, NULL, impl->path);
                if (r < 0)
                        return log_error_errno(r, "Failed to add object manager for %s: %m", impl->path);
        }

        for (const BusObjectImplementation *const *c = impl->children; c && *c; c++) {
                r = bus_add_implementation(bus, *c, userdata);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

/* dray update: UpdateContainer, a vtable of org.dray1.Manager of its own. New limits go into the
 * container's spec (config.json, for its next starts) and, while it runs, onto its scope through
 * systemd's SetUnitProperties, where systemctl show reports them. A new restart policy or health
 * check (container-health-update.c) applies at once. */
extern const sd_bus_vtable manager_update_vtable[];

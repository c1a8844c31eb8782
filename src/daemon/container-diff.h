/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

/* dray diff: DiffContainer, the changes in a container's overlay upper directory against its
 * image's layers; dray system df: DiskUsage, the sizes of containers' upper directories and of
 * volumes. Both walk trees in a worker (worker-lines.h). A vtable of org.dray1.Manager of its own. */
extern const sd_bus_vtable manager_diff_vtable[];
extern const sd_bus_vtable manager_disk_usage_vtable[];

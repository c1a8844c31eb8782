/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

/* dray stats: ListContainerStats, a vtable of org.dray1.Manager of its own. Counters are read from
 * the container's cgroup (v1 controllers on hybrid hosts, v2 files on unified ones) and from
 * /proc/<init>/net/dev, the interface counters of the container's network namespace. A handful of
 * small reads of kernel files per container: fast enough to answer in the loop. */
extern const sd_bus_vtable manager_stats_vtable[];

typedef struct Manager Manager;
/* The cache of where each container's scope is in the cgroup hierarchies (it cannot change while its
 * monitor lives): one /proc read less per container and call. */
void container_stats_cache_free(Manager *m);

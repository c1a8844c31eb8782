/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

/* dray top: ListContainerProcesses, a vtable of org.dray1.Manager of its own. */
extern const sd_bus_vtable manager_top_vtable[];

/* Calls fn(fd, depth + 1, userdata) for each child cgroup directory of dir_fd (fd closed after). */
int cgroup_for_each_child(int dir_fd, int (*fn)(int fd, unsigned depth, void *userdata), unsigned depth,
                          void *userdata);

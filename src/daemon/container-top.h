/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

/* dray top: ListContainerProcesses, a vtable of org.dray1.Manager of its own. */
extern const sd_bus_vtable manager_top_vtable[];

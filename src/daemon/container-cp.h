/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

/* dray cp: CopyFromContainer and CopyToContainer, a vtable of org.dray1.Manager of their own. Each
 * runs in a worker (tree-cp.h) and is answered when the worker ends. */
extern const sd_bus_vtable manager_cp_vtable[];

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "bus-object.h"
#include "manager.h"

/* The root of the object tree: org.dray1.Manager at /org/dray1, its ObjectManager, and as children the
 * containers and LogControl1. */
extern const BusObjectImplementation manager_object;

/* Registers the whole tree on m->bus. */
int manager_bus_register(Manager *m);

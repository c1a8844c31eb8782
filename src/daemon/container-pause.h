/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "container.h"

/* dray pause|unpause: every process of a running container, its monitor included, frozen with the
 * cgroup v2 freezer of its scope (cgroup.freeze, Linux 5.2), which is systemd's own FreezeUnit
 * mechanism. On these hybrid hosts systemd 252 refuses FreezeUnit ("does not support freezing"), but
 * the scope's mirror in the unified hierarchy freezes all the same. A paused container is still
 * "running" to the state machine (rec.paused); clients see the state "paused". */

/* -ESRCH not running, -EALREADY paused. With m, answers m once the kernel reports the cgroup frozen.
 * (container_unpause() is container.c's: stop and kill thaw a paused container.) */
int container_pause(Container *c, sd_bus_message *m);

/* The directory of the container's scope in the cgroup v2 (unified) hierarchy, from its monitor's
 * /proc/<pid>/cgroup. -ENOENT when the monitor is not in the scope. */
int container_cgroup_dir(const Container *c, char **ret);


int bus_container_method_pause(sd_bus_message *m, void *userdata, sd_bus_error *error);
int bus_container_method_unpause(sd_bus_message *m, void *userdata, sd_bus_error *error);
extern const sd_bus_vtable manager_pause_vtable[];

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

typedef struct Container Container;

/* Restart policies (--restart, RestartPolicy): drayd starts a container again when its policy says
 * so, after 100 ms doubling to 1 min (reset by a run of 10 s), counting RestartCount. The counts and
 * the "stopped" mark live in state.json, so a drayd restart or kill -9 changes nothing; at drayd's
 * start (a boot) `always` containers come back, `unless-stopped` ones unless `dray stop` ended them. */

/* drayd just loaded the container (state exited): what a boot means for its policy. */
void container_restart_boot(Container *c);
/* UpdateContainer's RestartPolicy (canonical, checked): saved in config.json. */
int container_restart_update_policy(Container *c, const char *policy, sd_bus_error *error);
/* --health-on-failure=restart: stops the container and starts it again as the policy would (counted in
 * RestartCount, with the same backoff), whatever its policy. A stop by a client meanwhile wins. */
void container_restart_unhealthy(Container *c);

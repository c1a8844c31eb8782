/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "spec-health.h"

typedef struct Container Container;

/* UpdateContainer's Health* options (dray update --health-*, --no-healthcheck, as podman update):
 * the spec takes them (config.json, so that the next drayd and the next start have them), and a
 * running container's checks follow at once (container_health_reconfigure()). */

/* Marks every field of h "not given", for container_options_parse_update() to fill in. */
void container_health_update_init(SpecHealth *h);
bool container_health_update_given(const SpecHealth *h);

/* Checks the container's health check with the given fields of h applied; InvalidArgs naming the
 * option when the result is not a health check drayd can run. Changes nothing. */
int container_health_update_check(Container *c, const SpecHealth *h, sd_bus_error *error);
/* Applies them (after container_health_update_check()), saves the spec and re-arms the checks. */
int container_health_update(Container *c, const SpecHealth *h, sd_bus_error *error);

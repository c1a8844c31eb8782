/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

/* `dray run --sdnotify=healthy` in a Type=notify service: READY=1 once the container's Health
 * property first reads "healthy" (PropertiesChanged on its object, and one Get after subscribing so
 * that a change before the match cannot be missed). *ret_slot keeps the subscription; unref it to
 * stop. A container without a health check is ready at once, with a warning. */
int run_notify_healthy_watch(sd_bus *bus, const char *id, sd_bus_slot **ret_slot);

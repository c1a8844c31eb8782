/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

/* dray run/create with several --network: the container is created on the first, and connected to
 * the others (ConnectContainer) before it starts, so that it starts on all of them. Logs and returns
 * the first failure; the caller removes the container then. */
int run_connect_networks(sd_bus *bus, const char *id, char *const *networks);

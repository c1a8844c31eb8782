/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "macros.h"

/* One "{sv}" entry of an open a{sv} options dictionary (CreateContainer, ExecContainer), left out
 * when unset (NULL, false, UINT64_MAX, an empty list unless always): the daemon then applies its
 * default. */
int option_append_string(sd_bus_message *m, const char *key, const char *value);
int option_append_bool(sd_bus_message *m, const char *key, bool value);
int option_append_u64(sd_bus_message *m, const char *key, uint64_t value);
int option_append_strv(sd_bus_message *m, const char *key, char **l, bool always);

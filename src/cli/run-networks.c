/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli-bus.h"
#include "log.h"
#include "run-networks.h"
#include "strv.h"

int run_connect_networks(sd_bus *bus, const char *id, char *const *networks) {
        STRV_FOREACH(n, networks) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                int r;

                r = bus_new_manager_call(bus, &m, "ConnectContainer");
                if (r >= 0)
                        r = sd_bus_message_append(m, "ssa{sv}", *n, id, 0);
                if (r >= 0)
                        r = sd_bus_call(bus, m, BUS_TIMEOUT_DEFAULT, &error, &reply);
                if (r < 0)
                        return log_bus_error(&error, r);
        }
        return 0;
}

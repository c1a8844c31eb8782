/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "macros.h"

/* The CLI's side of the bus: one connection to the system bus, calls to org.dray1, and errors
 * turned into one line each. */

/* No timeout: for calls that legitimately take as long as a container runs (Wait, Stop, Remove). */
#define BUS_TIMEOUT_INFINITE UINT64_MAX
/* sd-bus's default (25 s) for everything else. */
#define BUS_TIMEOUT_DEFAULT 0

/* Opens the system bus (DBUS_SYSTEM_BUS_ADDRESS is honoured). Nothing is waited for here: the
 * authentication and Hello go out with the first call. Logs on failure. */
int bus_connect(sd_bus **ret);

/* A method call to org.dray1.Manager at /org/dray1, or to org.dray1.Container at path. */
int bus_new_manager_call(sd_bus *bus, sd_bus_message **ret, const char *member);

/* One line to stderr for a failed call: the daemon's own message for our errors, a hint for the
 * usual bus failures (drayd not running, permission denied). Returns a negative errno. */
int log_bus_error(const sd_bus_error *e, int r);
/* The same for an error reply delivered to an async callback. */
int log_bus_reply_error(sd_bus_message *reply);

/* Process the bus until *done, or the connection fails. */
int bus_run_until(sd_bus *bus, const bool *done);

/* The same call once per argument (the container verbs take several), issued concurrently but
 * within the bus's pending-reply limit; done() sees the replies in argument order as they become
 * available, so output appears in order and early. build() creates the call for one argument.
 * Returns the number of arguments whose done() returned < 0, or a negative errno. */
typedef int (*bus_each_build_t)(sd_bus *bus, const char *arg, void *userdata, sd_bus_message **ret);
typedef int (*bus_each_done_t)(const char *arg, sd_bus_message *reply, void *userdata);
int bus_call_each(sd_bus *bus, char *const *args, uint64_t timeout_usec, bus_each_build_t build,
                  bus_each_done_t done, void *userdata);

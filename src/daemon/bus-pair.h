/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "macros.h"

/* Two ends of a private, in-process D-Bus connection (a socketpair, no bus daemon), both attached to
 * event: the server end serves objects, the client end calls them. Used by --bus-introspect and by
 * the tests of the D-Bus face. */
int bus_pair_new(sd_event *event, sd_bus **ret_server, sd_bus **ret_client);

/* Sends m on client and runs event until the reply arrives. An error reply is returned as a negative
 * errno with ret_error (may be NULL) filled. */
int bus_pair_call(sd_event *event, sd_bus *client, sd_bus_message *m, sd_bus_message **ret_reply,
                  sd_bus_error *ret_error);

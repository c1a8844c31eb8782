/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "container.h"
#include "monitor-spawn.h"

/* dray attach: a client joins a running container's stdio through its monitor's attach endpoint
 * (contract.h, MONITOR_ATTACH_SOCKET). drayd connects, passes the client's descriptors on and answers
 * the call when the monitor took them; it never waits on the monitor in its event loop. Any number of
 * clients (up to ATTACH_CLIENTS_MAX) each get the output, and the input of each goes to the payload.
 * A client detaches by closing its resize pipe, its lifeline.
 *
 * DetachContainer: the client that started a container in the foreground (StartContainer with its
 * streams, `dray run -it`) lets it go on running: drayd forgets it as the container's caller, so that
 * its going away no longer stops the container. */

/* -ESRCH not running, -EALREADY paused, -ENOTCONN no attach endpoint (a monitor older than attach).
 * Answers m once the monitor took the client. */
int container_attach(Container *c, const ContainerStreams *streams, sd_bus_message *m);

int bus_container_method_attach(sd_bus_message *m, void *userdata, sd_bus_error *error);
extern const sd_bus_vtable manager_attach_vtable[];

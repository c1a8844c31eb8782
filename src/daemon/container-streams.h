/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "container.h"
#include "monitor-spawn.h"

/* The a{sh} streams of Start, Exec and Attach (and their Manager twins): "stdout" and "stderr" (open
 * for writing), "stdin" (only with open_stdin) and "resize" (the client's window sizes and its
 * lifeline: any container takes it), open for reading, "notify", and with pass_fds the descriptors
 * passed on to the payload. The fds stay owned by the message, which outlives the spawn. */
int container_bus_read_streams(sd_bus_message *m, const Container *c, bool open_stdin, bool pass_fds,
                               ContainerStreams *ret, sd_bus_error *error);

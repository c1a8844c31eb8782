/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "manager.h"
#include "spec.h"

/* CreateContainer with Image and no Rootfs: finds the image, makes its layers the container's lower
 * directories and applies its config the way docker run does: Entrypoint (replaced by the Entrypoint
 * option, which also drops the image's Cmd), Cmd (replaced by Command), Env (the options' entries win),
 * WorkingDir, User, StopSignal (unless given), Labels, ExposedPorts. */
int container_image_apply(Manager *m, ContainerSpec *spec, bool stop_signal_given, sd_bus_error *error);

/* User given as a name: resolved in the container's /etc/passwd and /etc/group (its layers, or its
 * rootfs). Nothing to do for numeric users. */
int container_image_resolve_user(ContainerSpec *spec, sd_bus_error *error);

/* Error replies for image lookups by name or ID. */
int bus_image_lookup_error(int r, const char *what, sd_bus_error *error);

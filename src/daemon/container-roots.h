/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "spec.h"

/* Where the administrator keeps container roots that any caller allowed to manage containers may
 * run (as machined serves /var/lib/machines): one absolute directory per line in this file; '#'
 * starts a comment. Without the file the list is /var/lib/machines alone; an empty file empties it.
 * Read on every create, so an edit needs no restart. */
#define CONTAINER_ROOTS_CONF "container-roots.conf"
#define CONTAINER_ROOTS_DEFAULT "/var/lib/machines"

/* rootfs (normalized, absolute) lies strictly below one of the declared directories, as written
 * (before the caller is authorised, drayd resolves nothing of the caller's). */
bool container_rootfs_is_declared(const char *rootfs);

/* After the caller is authorised: resolves the rootfs (the spec then names no symlink, and the
 * runtime refuses one that appears later), refuses drayd's own state, and a root that was declared
 * as written but resolves outside every declared directory. */
int container_rootfs_resolve(ContainerSpec *spec, sd_bus_error *error);

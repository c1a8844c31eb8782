/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "mount-spec.h"

/* The mount options of run and create, parsed into the container's mount list (in order, no
 * destination twice, at most MOUNTS_MAX). Each logs one line naming the option and value on error
 * and returns a negative errno.
 *   -v SRC:DST[:ro|rw]   SRC an absolute host path (a bind) or a volume name (created on first
 *                        use); -v DST alone is a new anonymous volume
 *   --mount type=bind|volume|tmpfs,src=…,dst=…[,ro][,tmpfs-size=…][,tmpfs-mode=…]   Docker's long form
 *   --tmpfs DST[:OPTIONS]
 * Volumes are MOUNT_VOLUME entries with the name in ->volume (NULL: anonymous) and no source. */
int mount_option_volume(MountSpec **mounts, size_t *n_mounts, const char *arg);
int mount_option_mount(MountSpec **mounts, size_t *n_mounts, const char *arg);
int mount_option_tmpfs(MountSpec **mounts, size_t *n_mounts, const char *arg);

/* --volumes-from CONTAINER[:ro|rw] */
int mount_option_volumes_from(char ***volumes_from, const char *arg);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

/* dray rm -v: docker removes a container's anonymous volumes with it. The CLI does it the way any
 * client can: it reads the containers' Volumes and each volume's Anonymous before RemoveContainer,
 * and calls RemoveVolume for those afterwards (a volume another container still mounts, through
 * --volumes-from, is refused by drayd and stays). Containers or volumes that cannot be read are
 * skipped: rm reports its own errors. */
int rm_anonymous_volumes_collect(sd_bus *bus, char *const *containers, char ***ret);
void rm_anonymous_volumes_remove(sd_bus *bus, char *const *names);

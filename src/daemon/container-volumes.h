/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "spec.h"

typedef struct Container Container;
typedef struct Manager Manager;
typedef struct Volume Volume;

/* CreateContainer's volume keys (container-options.c's table calls these): Volumes a(ssb) (volume
 * name, "" for a new anonymous one; destination; read-only) and VolumesFrom as
 * ("CONTAINER[:ro|rw]"). */
int container_option_volumes(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error);
int container_option_volumes_from(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error);

/* Before authorisation: copies the binds and volumes of the VolumesFrom containers (read-only if
 * ":ro"), so that a bind they bring is judged as the caller's own would be. Explicit mounts on the
 * same destination win. NoSuchContainer or InvalidArgs. */
int container_volumes_from_apply(Manager *m, ContainerSpec *s, sd_bus_error *error);

/* The volumes a create is about to make, so that a create that fails later removes them again. */
typedef struct VolumesPending {
        char **named;
        char **anonymous;
        char **created;
} VolumesPending;

void volumes_pending_done(VolumesPending *p);

/* After authorisation, before container_options_finish(): names the anonymous volumes, points each
 * volume mount at its directory, and notes the volumes that do not exist yet in p. */
int container_volumes_resolve(Manager *m, ContainerSpec *s, VolumesPending *p, sd_bus_error *error);
/* Creates the volumes noted in p (Docker creates a named volume on first use). */
int container_volumes_create(Manager *m, VolumesPending *p, sd_bus_error *error);
/* Removes what container_volumes_create() made (the create failed after it). */
void container_volumes_undo(Manager *m, VolumesPending *p);

/* The names of the containers that mount v, newly allocated strv (empty: NULL). */
int volume_container_names(Volume *v, char ***ret);
bool container_uses_volume(const Container *c, const char *name);
/* volume_remove(), or -EBUSY when a container mounts it (*ret_users names them, when given). */
int volume_remove_unused(Volume *v, char ***ret_users);

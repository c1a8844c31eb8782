/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include "macros.h"
#include "mount-spec.h"

/* Named volumes (docker volume): a directory /var/lib/dray/volumes/<name>/_data that containers
 * mount, with its record volume.json beside it. A volume outlives its containers; one that a
 * container (running or not) mounts cannot be removed. What a volume holds was written by
 * containers: drayd never opens anything inside _data (the runtime seeds it through fds). */

typedef struct Manager Manager;
typedef struct Container Container;

#define VOLUMES_MAX 4096U
#define VOLUME_DATA_DIR "_data"

typedef struct Volume {
        Manager *manager;
        char *name;          /* hashmap key */
        char *path;          /* D-Bus object path */
        char *mountpoint;    /* <state_dir>/volumes/<name>/_data */
        char **labels;       /* KEY=VALUE */
        uint64_t created_usec;
        bool anonymous;      /* made for "-v /path" without a name: prune removes it by default */
        char **options;      /* docker's --opt KEY=VALUE (volume-tmpfs.h), or NULL */
} Volume;

Volume *volume_free(Volume *v);
DEFINE_TRIVIAL_CLEANUP_FUNC(Volume *, volume_free);

/* Loads every volume in <state_dir>/volumes (and finishes removals and creations cut short). */
int manager_load_volumes(Manager *m);

int manager_find_volume(Manager *m, const char *name, Volume **ret); /* -ENOENT */

/* anonymous: made for "-v /path" or by "volume create" without a name (prune removes those by
 * default). -EEXIST name taken, -EINVAL bad name or labels, -E2BIG too many volumes. */
int volume_create(Manager *m, const char *name, bool anonymous, char *const *labels, char *const *options,
                  Volume **ret);
/* 64 hex digits, as Docker names anonymous volumes; none that exists or that is in taken. */
int volume_generate_name(Manager *m, char *const *taken, char **ret);

/* Whether a container mounts v is the caller's to check first (volume_remove_unused(),
 * container-volumes.h): volume.c is below the containers. */
int volume_remove(Volume *v);


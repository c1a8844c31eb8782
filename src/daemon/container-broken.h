/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "macros.h"

typedef struct Manager Manager;

/* A container directory drayd found at start but could not load (config.json or state.json truncated,
 * garbage, too big): never skipped in silence. It stays where it is, is listed by ListContainers(true)
 * in the state "broken" with its error as the command (dray ps -a), and RemoveContainer by its ID (or
 * the name config.json still gives) removes the directory. */
typedef struct BrokenContainer {
        char *id;
        char *name;  /* as far as config.json still tells it; NULL when it does not */
        char *error; /* which file, and what is wrong with it */
        uint64_t created_usec;
} BrokenContainer;

#define CONTAINER_STATE_BROKEN "broken"

/* Records the directory containers/<id>, which container_load() refused with error. */
int container_broken_add(Manager *m, const char *id, int error);
/* ID, full or a unique prefix of 4+ digits, or the salvaged name; -ENOENT, -ENOTUNIQ. */
int container_broken_find(Manager *m, const char *s, BrokenContainer **ret);
/* Moves the directory aside at once and deletes it in a worker; forgets b. */
int container_broken_remove(Manager *m, BrokenContainer *b);
void container_broken_free_all(Manager *m);

/* The ListContainers rows ("(sssssttio)") of every broken container. */
int container_broken_append(Manager *m, sd_bus_message *reply);

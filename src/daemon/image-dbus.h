/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "bus-object.h"
#include "image-store.h"

typedef struct Manager Manager;

/* org.dray1.Image objects (read from the store when asked for) and the Manager's image and transfer
 * methods (a second vtable of org.dray1.Manager at /org/dray1). */
extern const BusObjectImplementation image_object;
extern const sd_bus_vtable manager_image_vtable[];

int image_bus_path(const char *id, char **ret);
void image_bus_cache_flush(void);

/* Reads an "h" from message: a regular file, pipe or socket open for writing (write) or reading; a
 * duplicate of it in *ret. InvalidArgs otherwise. */
int bus_message_take_fd(sd_bus_message *message, bool write, int *ret, sd_bus_error *error);

/* Shared by the Image objects and the Manager methods that name an image. */
int bus_image_authorize(sd_bus_message *message, Manager *m, sd_bus_error *error);
int bus_image_remove(sd_bus_message *message, Manager *m, const char *what, Image *i, bool force, sd_bus_error *error);
int bus_image_tag(sd_bus_message *message, Manager *m, Image *i, const char *name, sd_bus_error *error);
int bus_image_inspect_json(const Image *i, char **ret);
typedef struct Transfer Transfer;
int bus_image_gc_new(sd_bus_message *message, Manager *m, const char *description, Transfer **ret,
                     sd_bus_error *error);

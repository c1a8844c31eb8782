/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "bus-object.h"
#include "container.h"

extern const BusObjectImplementation container_object;

/* The handlers behind both org.dray1.Container and the org.dray1.Manager methods that name a
 * container: userdata is the Container. */
int bus_container_method_start(sd_bus_message *m, void *userdata, sd_bus_error *error);
int bus_container_method_exec(sd_bus_message *m, void *userdata, sd_bus_error *error);
int bus_container_method_stop(sd_bus_message *m, void *userdata, sd_bus_error *error);
int bus_container_method_restart(sd_bus_message *m, void *userdata, sd_bus_error *error);
int bus_container_method_kill(sd_bus_message *m, void *userdata, sd_bus_error *error);
int bus_container_method_remove(sd_bus_message *m, void *userdata, sd_bus_error *error);
int bus_container_method_wait(sd_bus_message *m, void *userdata, sd_bus_error *error);

int container_bus_path(const char *id, char **ret);

/* Replies the model asks for when an operation it held completes; m may be NULL. */
void container_bus_reply_done(sd_bus_message *m);
void container_bus_reply_start(Container *c, sd_bus_message *m); /* by c->start_error */
void container_bus_reply_wait(Container *c, sd_bus_message *m);  /* the exit status */
void container_bus_reply_gone(Container *c, sd_bus_message *m);  /* removed before it exited */
void container_bus_reply_errno(sd_bus_message *m, int error, const char *format, ...) _printf_(3, 4);


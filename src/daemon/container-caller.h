/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

/* The caller a foreground run belongs to (docs/ARCHITECTURE.md "Containers run from units").
 *
 * A start that hands drayd the client's stdout or stderr is attached: the container is the caller's
 * payload, as a foreground `dray run` or `dray start -a` is. Its run is tied to the caller twice:
 * - the client's bus connection (its unique name): when it closes, the client is gone (killed, say)
 *   and the container is stopped with its stop signal and timeout; an AutoRemove container is then
 *   removed. The name is kept in state.json, so a drayd started later watches it too.
 * - the system service the client runs in, found from the client's credentials (its cgroup), never
 *   from anything the client says: the scope gets BindsTo= on it, so that systemd stops the container
 *   with the service even while drayd is not running, and the container's output is filed under that
 *   service in the journal (see caller_stream_is_journal()). */

/* Called once when the watched client is gone (its connection closed); the watch has ended. */
typedef void (*caller_gone_t)(void *userdata);

/* The live half; the client's unique name itself is c->rec.caller (state.json). */
typedef struct ContainerCaller {
        char *unit;            /* the system service the client runs in, or NULL (not persisted) */
        bool collected;        /* the client got the exit status of the last run from a Wait */
        sd_bus_slot *match;    /* NameOwnerChanged for the name */
        sd_bus_slot *check;    /* GetNameOwner(name), for a client gone before the match was in place */
        caller_gone_t gone;
        void *userdata;
} ContainerCaller;

void container_caller_done(ContainerCaller *caller);

/* The sender of m (StartContainer): its unique name, and the system service it runs in (NULL when
 * none). Only services of the system manager count: a client in a login session or under a user
 * manager has no unit of its own to bind to. */
int caller_identify(sd_bus_message *m, char **ret_bus_name, char **ret_unit);

/* Whether fd is a connection to journald's stdout socket, i.e. the caller's output already goes to
 * the journal: the monitor then sends the container's lines to journald itself, naming the caller's
 * unit in each entry, instead of copying them into the stream (where journald would file them under
 * the container's scope, the writer's cgroup, a second time). */
bool caller_stream_is_journal(int fd);

/* Watches the client with unique name name on bus: gone() is called once when it has gone away.
 * A second watch while one is in place is a no-op. */
int caller_watch(ContainerCaller *caller, sd_bus *bus, const char *name, caller_gone_t gone, void *userdata);
void caller_unwatch(ContainerCaller *caller);

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

typedef struct Container Container;

/* The live half; the client's unique name itself is c->rec.caller (state.json). */
typedef struct ContainerCaller {
        char *unit;            /* the system service the client runs in, or NULL (not persisted) */
        bool collected;        /* the client got the exit status of the last run from a Wait */
        sd_bus_slot *match;    /* NameOwnerChanged for the name */
        sd_bus_slot *check;    /* GetNameOwner(name), for a client gone before the match was in place */
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

/* Starts watching c->rec.caller (no-op without one or without a bus). When the client goes away
 * the container is stopped, or an exited AutoRemove container removed. */
int container_caller_watch(Container *c);
void container_caller_unwatch(Container *c);

/* Whether m comes from the attached client. */
bool container_caller_is(const Container *c, sd_bus_message *m);
/* An AutoRemove container waits for its attached client to collect the exit status (or to go away)
 * before it is removed: a client whose Wait was lost to a drayd restart asks again. */
bool container_caller_pending(const Container *c);
/* The client is no longer attached (the run ended and it has what it needs): forget it. */
void container_caller_release(Container *c);

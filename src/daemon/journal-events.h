/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "container.h"
#include "dray-event.h"

/* MESSAGE_IDs of drayd's lifecycle events in the journal, fixed forever so that tools can match on
 * them: journalctl MESSAGE_ID=<id>, DRAY_CONTAINER_NAME=<name>, DRAY_CONTAINER_ID=<full id>, or
 * journalctl -u dray-<name>.scope (the entries carry OBJECT_SYSTEMD_UNIT= as well as UNIT=). */
#define DRAY_MESSAGE_CONTAINER_CREATED "3a16c56409e345aca9b85227abf7db6f"
#define DRAY_MESSAGE_CONTAINER_STARTED "d198386c1fa44177a190c432df1a4529"
#define DRAY_MESSAGE_CONTAINER_DIED    "8743e3dfed724b0fb5f818e8c3883bdf"
#define DRAY_MESSAGE_CONTAINER_REMOVED "c49a5d7bf32b45c6985d318cc4c2f0f5"
#define DRAY_MESSAGE_CONTAINER_START_FAILED "3994a199046c47578322cb0b1c33c793"
#define DRAY_MESSAGE_CONTAINER_RENAMED "6320e61280ee4dbeb9421ac489177a36"

/* Every lifecycle entry is also an event of `dray events` (dray-event.h): one journal entry with
 * the event's fields, and the Manager's Event signal with the same time stamp. The action follows
 * from message_id (create, start, die, destroy, rename); attributes are extra "key", "value" pairs
 * (NULL-terminated) beside name, image and, for die, exitCode. */
void container_log_event_full(Container *c, const char *message_id, const char *const *attributes, int priority,
                              const char *format, ...) _printf_(5, 6);
#define container_log_event(c, message_id, priority, ...) \
        container_log_event_full(c, message_id, NULL, priority, __VA_ARGS__)

/* An event with no lifecycle message of its own (kill, stop, pause, unpause): in the container's
 * unit's journal, and signalled. */
void container_event(Container *c, const char *action, const char *const *attributes);

/* An event about an image, a network or a volume (id may be "" where the object has none but its
 * name). */
void manager_event(Manager *m, EventType type, const char *action, const char *id, const char *name,
                   const char *const *attributes);

/* The last RECENT_EVENTS_MAX events are kept in memory: journald writes an entry a moment after it
 * is sent, so a client that subscribes, then reads the journal, asks ListRecentEvents for what the
 * journal may not show yet. */
#define RECENT_EVENTS_MAX 256U
void recent_events_free(Manager *m);

/* The Event signal and ListRecentEvents, a vtable of org.dray1.Manager of its own. */
extern const sd_bus_vtable manager_events_vtable[];

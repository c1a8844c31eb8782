/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "dray-event.h"
#include "macros.h"

/* `dray events`: every event is one journal entry (journal-events.h writes it, with the
 * DRAY_EVENT_* fields of dray-event.h) and one Event signal of org.dray1.Manager with the same time
 * stamp, which strictly grows, so that it identifies the event. The last EVENT_RECENT_MAX are kept for
 * ListRecentEvents: journald files an entry a moment after it is sent, and a client that subscribed
 * and then read the journal asks for what the journal may not show yet. Plain values, below the
 * container and the manager (tests/check-include-cycles): the Manager embeds an EventSink. */
#define EVENT_RECENT_MAX 256U

typedef struct RecentEvent RecentEvent;

typedef struct EventSink {
        uint64_t last_usec;   /* the stamp of the last event */
        RecentEvent *recent;  /* EVENT_RECENT_MAX slots, allocated with the first event */
        unsigned next;        /* the oldest slot, once all are used */
} EventSink;

typedef struct DrayEvent {
        EventType type;
        const char *action, *id, *name;
        const char *const *attributes; /* "key", "value", ..., NULL; may be NULL */
        /* The journal entry: message_id NULL means DRAY_MESSAGE_EVENT; message NULL makes one
         * ("Container web: pause."); unit, for containers, puts it in journalctl -u UNIT. */
        const char *message_id, *message, *unit;
        int priority;                  /* 0 means LOG_INFO */
} DrayEvent;

/* Stamps, records and signals e (bus may be NULL: no signal). */
void event_sink_send(EventSink *s, sd_bus *bus, const DrayEvent *e);
/* An event with no lifecycle message of its own, its attributes plus name=NAME. */
void event_sink_send_simple(EventSink *s, sd_bus *bus, EventType type, const char *action, const char *id,
                            const char *name, const char *const *attributes);
void event_sink_done(EventSink *s);

/* Appends the recent events stamped at or after since, oldest first, as a(tssssa{ss}). */
int event_sink_append_recent(const EventSink *s, sd_bus_message *reply, uint64_t since);

/* The Event signal and ListRecentEvents (events-dbus.c), a vtable of org.dray1.Manager of its own. */
extern const sd_bus_vtable manager_events_vtable[];

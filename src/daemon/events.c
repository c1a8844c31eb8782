/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "bus-names.h"
#include "events.h"
#include "journal-events.h"
#include "json-util.h"
#include "log.h"
#include "strv.h"
#include "time-util.h"

struct RecentEvent {
        uint64_t time_usec;
        EventType type;
        char *action, *id, *name;
        char **attributes; /* key, value, ... */
};

static void recent_event_clear(RecentEvent *r) {
        free(r->action);
        free(r->id);
        free(r->name);
        strv_free(r->attributes);
        *r = (RecentEvent) {};
}

void event_sink_done(EventSink *s) {
        if (!s->recent)
                return;
        for (unsigned i = 0; i < EVENT_RECENT_MAX; i++)
                recent_event_clear(&s->recent[i]);
        free(s->recent);
        s->recent = NULL;
}

static int recent_add(EventSink *s, const DrayEvent *e, char **attributes, uint64_t t) {
        RecentEvent *r;

        if (!s->recent) {
                s->recent = calloc(EVENT_RECENT_MAX, sizeof(RecentEvent));
                if (!s->recent)
                        return -ENOMEM;
        }
        r = &s->recent[s->next];
        s->next = (s->next + 1) % EVENT_RECENT_MAX;
        recent_event_clear(r);
        *r = (RecentEvent) { .time_usec = t, .type = e->type, .action = strdup(e->action), .id = strdup(e->id),
                             .name = strdup(e->name), .attributes = strv_copy(attributes) };
        if (!r->action || !r->id || !r->name || (attributes && !r->attributes)) {
                recent_event_clear(r);
                return -ENOMEM;
        }
        return 0;
}

/* (tssssa{ss}): the signal's arguments, and an element of ListRecentEvents. */
static int append_event(sd_bus_message *m, uint64_t t, EventType type, const char *action, const char *id,
                        const char *name, char *const *attributes) {
        int r;

        r = sd_bus_message_append(m, "tssss", t, event_type_to_string(type), action, id, name);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(m, 'a', "{ss}");
        if (r < 0)
                return r;
        for (size_t i = 0; attributes && attributes[i] && attributes[i + 1]; i += 2) {
                r = sd_bus_message_append(m, "{ss}", attributes[i], attributes[i + 1]);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(m);
}

static int send_signal(sd_bus *bus, const DrayEvent *e, char **attributes, uint64_t t) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = sd_bus_message_new_signal(bus, &m, DRAY_MANAGER_PATH, DRAY_MANAGER_INTERFACE, "Event");
        if (r < 0)
                return r;
        r = append_event(m, t, e->type, e->action, e->id, e->name, attributes);
        if (r < 0)
                return r;
        return sd_bus_send(bus, m, NULL);
}

/* Attributes beyond DRAY_EVENT_ATTRIBUTES_MAX are dropped: callers' lists are short and fixed. */
static int copy_attributes(const char *const *attributes, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        size_t n = 0;
        int r;

        for (size_t i = 0; attributes && attributes[i] && attributes[i + 1] && n < DRAY_EVENT_ATTRIBUTES_MAX; i += 2, n++) {
                r = strv_extend(&l, attributes[i]);
                if (r < 0)
                        return r;
                r = strv_extend(&l, attributes[i + 1]);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

void event_sink_send(EventSink *s, sd_bus *bus, const DrayEvent *e) {
        _cleanup_strv_free_ char **attributes = NULL;
        _cleanup_json_ json_object *a = NULL;
        _cleanup_free_ char *message = NULL;
        uint64_t t = now_usec(CLOCK_REALTIME);
        int r;

        if (t <= s->last_usec)
                t = s->last_usec + 1;
        s->last_usec = t;
        r = copy_attributes(e->attributes, &attributes);
        if (r < 0) {
                log_oom();
                return;
        }
        a = json_object_new_object();
        for (size_t i = 0; a && attributes && attributes[i]; i += 2)
                (void) json_add_string(a, attributes[i], attributes[i + 1]);
        if (!e->message) {
                if (asprintf(&message, "%s %s: %s.", event_type_to_string(e->type), e->name, e->action) < 0) {
                        log_oom();
                        return;
                }
                message[0] = (char) (message[0] - 'a' + 'A'); /* "Container web: pause." */
        }
        journal_event_send(&(JournalEvent) {
                .message = e->message ?: message,
                .message_id = e->message_id ?: DRAY_MESSAGE_EVENT,
                .priority = e->priority ?: LOG_INFO,
                .unit = e->unit,
                .type = event_type_to_string(e->type),
                .action = e->action,
                .id = e->id,
                .name = e->name,
                .time_usec = t,
                .attributes_json = a ? json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN) : "{}",
        });
        r = recent_add(s, e, attributes, t);
        if (r < 0)
                log_debug_errno(r, "Failed to keep the event in memory, ignoring: %m");
        if (!bus)
                return;
        r = send_signal(bus, e, attributes, t);
        if (r < 0)
                log_debug_errno(r, "Failed to send the event %s %s of %s, ignoring: %m", event_type_to_string(e->type),
                                e->action, e->name);
}

void event_sink_send_simple(EventSink *s, sd_bus *bus, EventType type, const char *action, const char *id,
                            const char *name, const char *const *attributes) {
        const char *attrs[2 * DRAY_EVENT_ATTRIBUTES_MAX + 1] = { "name", name ?: "" };
        size_t n = 2;

        for (size_t i = 0; attributes && attributes[i] && attributes[i + 1] && n + 2 < ELEMENTSOF(attrs); i += 2) {
                attrs[n++] = attributes[i];
                attrs[n++] = attributes[i + 1];
        }
        event_sink_send(s, bus, &(DrayEvent) { .type = type, .action = action, .id = id ?: "", .name = name ?: "",
                                               .attributes = attrs });
}

int event_sink_append_recent(const EventSink *s, sd_bus_message *reply, uint64_t since) {
        int r;

        r = sd_bus_message_open_container(reply, 'a', "(tssssa{ss})");
        if (r < 0)
                return r;
        /* Oldest first: from the next slot to be overwritten, round the ring. */
        for (unsigned i = 0; s->recent && i < EVENT_RECENT_MAX; i++) {
                const RecentEvent *e = &s->recent[(s->next + i) % EVENT_RECENT_MAX];

                if (!e->action || e->time_usec < since)
                        continue;
                r = sd_bus_message_open_container(reply, 'r', "tssssa{ss}");
                if (r < 0)
                        return r;
                r = append_event(reply, e->time_usec, e->type, e->action, e->id, e->name, e->attributes);
                if (r < 0)
                        return r;
                r = sd_bus_message_close_container(reply);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(reply);
}

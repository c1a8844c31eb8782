/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include "bus-names.h"
#include "journal-events.h"
#include "json-util.h"
#include "log.h"
#include "manager.h"
#include "strv.h"
#include "time-util.h"

typedef struct RecentEvent {
        uint64_t time_usec;
        EventType type;
        char *action, *id, *name;
        char **attributes; /* key, value, ... */
} RecentEvent;

struct RecentEvents {
        RecentEvent ring[RECENT_EVENTS_MAX];
        unsigned next; /* the oldest, once the ring is full */
};

typedef struct EventRecord {
        EventType type;
        const char *action, *id, *name, *unit, *message_id, *message;
        int priority;
        const char *attributes[2 * DRAY_EVENT_ATTRIBUTES_MAX + 1]; /* key, value, ..., NULL */
} EventRecord;

static void attributes_add(EventRecord *e, const char *key, const char *value) {
        size_t n = 0;

        while (e->attributes[n])
                n++;
        if (!value || n + 2 >= ELEMENTSOF(e->attributes))
                return;
        e->attributes[n] = key;
        e->attributes[n + 1] = value;
        e->attributes[n + 2] = NULL;
}

static void attributes_add_all(EventRecord *e, const char *const *attributes) {
        for (size_t i = 0; attributes && attributes[i] && attributes[i + 1]; i += 2)
                attributes_add(e, attributes[i], attributes[i + 1]);
}

/* (tssssa{ss}): the signal's arguments, and one element of ListRecentEvents. */
static int append_event(sd_bus_message *s, uint64_t t, EventType type, const char *action, const char *id,
                        const char *name, const char *const *attributes) {
        int r;

        r = sd_bus_message_append(s, "tssss", t, event_type_to_string(type), action, id, name);
        r = r < 0 ? r : sd_bus_message_open_container(s, 'a', "{ss}");
        for (size_t i = 0; r >= 0 && attributes && attributes[i] && attributes[i + 1]; i += 2)
                r = sd_bus_message_append(s, "{ss}", attributes[i], attributes[i + 1]);
        return r < 0 ? r : sd_bus_message_close_container(s);
}

static int send_signal(Manager *m, const EventRecord *e, uint64_t t) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *s = NULL;
        int r;

        if (!m->bus)
                return 0;
        r = sd_bus_message_new_signal(m->bus, &s, DRAY_MANAGER_PATH, DRAY_MANAGER_INTERFACE, "Event");
        r = r < 0 ? r : append_event(s, t, e->type, e->action, e->id, e->name, e->attributes);
        return r < 0 ? r : sd_bus_send(m->bus, s, NULL);
}

static void recent_event_clear(RecentEvent *r) {
        free(r->action);
        free(r->id);
        free(r->name);
        strv_free(r->attributes);
        *r = (RecentEvent) {};
}

void recent_events_free(Manager *m) {
        if (!m->recent_events)
                return;
        for (unsigned i = 0; i < RECENT_EVENTS_MAX; i++)
                recent_event_clear(&m->recent_events->ring[i]);
        free(m->recent_events);
        m->recent_events = NULL;
}

static int recent_events_add(Manager *m, const EventRecord *e, uint64_t t) {
        RecentEvent *r;

        if (!m->recent_events) {
                m->recent_events = calloc(1, sizeof(struct RecentEvents));
                if (!m->recent_events)
                        return -ENOMEM;
        }
        r = &m->recent_events->ring[m->recent_events->next];
        m->recent_events->next = (m->recent_events->next + 1) % RECENT_EVENTS_MAX;
        recent_event_clear(r);
        *r = (RecentEvent) { .time_usec = t, .type = e->type, .action = strdup(e->action), .id = strdup(e->id),
                             .name = strdup(e->name), .attributes = strv_copy((char *const *) e->attributes) };
        if (!r->action || !r->id || !r->name || (e->attributes[0] && !r->attributes)) {
                recent_event_clear(r);
                return -ENOMEM;
        }
        return 0;
}

/* One journal entry and one signal. The stamp strictly grows, so that (time, type, action, id) is
 * unique and a client that reads the journal and the signals can drop what it saw twice. */
static void event_send(Manager *m, EventRecord *e) {
        _cleanup_json_ json_object *attrs = json_object_new_object();
        char *fields[16] = {};
        struct iovec iov[16];
        uint64_t t = now_usec(CLOCK_REALTIME);
        size_t n = 0;
        int r;

        if (t <= m->event_last_usec)
                t = m->event_last_usec + 1;
        m->event_last_usec = t;
        for (size_t i = 0; attrs && e->attributes[i]; i += 2)
                (void) json_add_string(attrs, e->attributes[i], e->attributes[i + 1]);

        /* journald may be absent (tests, early boot): the event is then only in our debug log and the
         * signal. Not CONTAINER_NAME=/CONTAINER_ID=: those select a container's own output (dray logs,
         * Docker's journald driver conventions), and our events are not part of it. */
        if (asprintf(&fields[n++], "MESSAGE=%s", e->message) < 0 ||
            asprintf(&fields[n++], "MESSAGE_ID=%s", e->message_id) < 0 ||
            asprintf(&fields[n++], "PRIORITY=%i", e->priority) < 0 ||
            asprintf(&fields[n++], "SYSLOG_IDENTIFIER=drayd") < 0 ||
            asprintf(&fields[n++], DRAY_EVENT_FIELD_TYPE "=%s", event_type_to_string(e->type)) < 0 ||
            asprintf(&fields[n++], DRAY_EVENT_FIELD_ACTION "=%s", e->action) < 0 ||
            asprintf(&fields[n++], DRAY_EVENT_FIELD_ID "=%s", e->id) < 0 ||
            asprintf(&fields[n++], DRAY_EVENT_FIELD_NAME "=%s", e->name) < 0 ||
            asprintf(&fields[n++], DRAY_EVENT_FIELD_TIME "=%" PRIu64, t) < 0 ||
            asprintf(&fields[n++], DRAY_EVENT_FIELD_ATTRIBUTES "=%s",
                     attrs ? json_object_to_json_string_ext(attrs, JSON_C_TO_STRING_PLAIN) : "{}") < 0)
                goto finish;
        if (e->type == EVENT_CONTAINER) {
                /* OBJECT_SYSTEMD_UNIT= puts it in journalctl -u dray-<name>.scope, next to systemd's own
                 * messages about the scope; DRAY_CONTAINER_* as the lifecycle entries always had. */
                if (asprintf(&fields[n++], "DRAY_CONTAINER_NAME=%s", e->name) < 0 ||
                    asprintf(&fields[n++], "DRAY_CONTAINER_ID=%s", e->id) < 0 ||
                    asprintf(&fields[n++], "UNIT=%s", e->unit) < 0 ||
                    asprintf(&fields[n++], "OBJECT_SYSTEMD_UNIT=%s", e->unit) < 0)
                        goto finish;
        }
        for (size_t i = 0; i < n; i++)
                iov[i] = (struct iovec) { .iov_base = fields[i], .iov_len = strlen(fields[i]) };
        (void) sd_journal_sendv(iov, (int) n);
finish:
        for (size_t i = 0; i < ELEMENTSOF(fields); i++)
                free(fields[i]);
        r = recent_events_add(m, e, t);
        if (r < 0)
                log_debug_errno(r, "Failed to keep the event in memory, ignoring: %m");
        r = send_signal(m, e, t);
        if (r < 0)
                log_debug_errno(r, "Failed to send the event %s %s of %s, ignoring: %m",
                                event_type_to_string(e->type), e->action, e->name);
}

static const char *container_action(const char *message_id) {
        if (streq(message_id, DRAY_MESSAGE_CONTAINER_CREATED))
                return "create";
        if (streq(message_id, DRAY_MESSAGE_CONTAINER_STARTED))
                return "start";
        if (streq(message_id, DRAY_MESSAGE_CONTAINER_DIED) || streq(message_id, DRAY_MESSAGE_CONTAINER_START_FAILED))
                return "die";
        if (streq(message_id, DRAY_MESSAGE_CONTAINER_REMOVED))
                return "destroy";
        if (streq(message_id, DRAY_MESSAGE_CONTAINER_RENAMED))
                return "rename";
        return "other";
}

static void container_record(Container *c, EventRecord *e) {
        e->type = EVENT_CONTAINER;
        e->id = c->spec->id;
        e->name = c->spec->name;
        e->unit = c->unit;
        attributes_add(e, "name", c->spec->name);
        attributes_add(e, "image", c->spec->image ?: c->spec->rootfs);
}

void container_log_event_full(Container *c, const char *message_id, const char *const *attributes, int priority,
                              const char *format, ...) {
        _cleanup_free_ char *message = NULL;
        EventRecord e = { .message_id = message_id, .priority = priority };
        char status[16];
        va_list ap;
        int r;

        va_start(ap, format);
        r = vasprintf(&message, format, ap);
        va_end(ap);
        if (r < 0) {
                log_oom();
                return;
        }
        log_debug("%s", message);
        container_record(c, &e);
        e.action = container_action(message_id);
        e.message = message;
        if (streq(e.action, "die")) {
                (void) snprintf(status, sizeof(status), "%i", c->rec.exit_status);
                attributes_add(&e, "exitCode", status);
        }
        attributes_add_all(&e, attributes);
        event_send(c->manager, &e);
}

void container_event(Container *c, const char *action, const char *const *attributes) {
        _cleanup_free_ char *message = NULL;
        EventRecord e = { .message_id = DRAY_MESSAGE_EVENT, .priority = LOG_INFO, .action = action };

        if (asprintf(&message, "Container %s: %s.", c->spec->name, action) < 0) {
                log_oom();
                return;
        }
        container_record(c, &e);
        attributes_add_all(&e, attributes);
        e.message = message;
        event_send(c->manager, &e);
}

void manager_event(Manager *m, EventType type, const char *action, const char *id, const char *name,
                   const char *const *attributes) {
        _cleanup_free_ char *message = NULL;
        EventRecord e = { .type = type, .action = action, .id = id ?: "", .name = name ?: "",
                          .message_id = DRAY_MESSAGE_EVENT, .priority = LOG_INFO };

        if (asprintf(&message, "%s %s: %s.", event_type_to_string(type), e.name, action) < 0) {
                log_oom();
                return;
        }
        message[0] = (char) (message[0] - 'a' + 'A'); /* "Image busybox: pull." */
        attributes_add(&e, "name", e.name);
        attributes_add_all(&e, attributes);
        e.message = message;
        event_send(m, &e);
}

static int method_list_recent_events(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Manager *manager = userdata;
        struct RecentEvents *re = manager->recent_events;
        uint64_t since;
        int r;

        r = sd_bus_message_read(m, "t", &since);
        if (r < 0)
                return r;
        r = sd_bus_message_new_method_return(m, &reply);
        r = r < 0 ? r : sd_bus_message_open_container(reply, 'a', "(tssssa{ss})");
        /* Oldest first: from the next slot to be overwritten, round the ring. */
        for (unsigned i = 0; r >= 0 && re && i < RECENT_EVENTS_MAX; i++) {
                const RecentEvent *e = &re->ring[(re->next + i) % RECENT_EVENTS_MAX];

                if (!e->action || e->time_usec < since)
                        continue;
                r = sd_bus_message_open_container(reply, 'r', "tssssa{ss}");
                r = r < 0 ? r : append_event(reply, e->time_usec, e->type, e->action, e->id, e->name,
                                             (const char *const *) e->attributes);
                r = r < 0 ? r : sd_bus_message_close_container(reply);
        }
        r = r < 0 ? r : sd_bus_message_close_container(reply);
        return r < 0 ? r : sd_bus_send(NULL, reply, NULL);
}

const sd_bus_vtable manager_events_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("ListRecentEvents", SD_BUS_ARGS("t", since_usec),
                                SD_BUS_RESULT("a(tssssa{ss})", events), method_list_recent_events,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL_WITH_ARGS("Event",
                                SD_BUS_ARGS("t", time_usec, "s", type, "s", action, "s", id, "s", name, "a{ss}",
                                            attributes),
                                0),
        SD_BUS_VTABLE_END,
};

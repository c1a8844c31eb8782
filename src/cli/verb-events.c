/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dray events: what happens to containers, images, networks and volumes, as docker events shows
 * it. Live events are drayd's Event signals; past ones (--since) are the journal entries drayd
 * writes for each (dray-event.h). The signal match is in place before the journal is read, so
 * nothing falls between the two; an event seen in both (drayd stamps each with a strictly growing
 * time) is printed once. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-journal.h>

#include "bus-names.h"
#include "cli-bus.h"
#include "cli-time.h"
#include "cli-util.h"
#include "dray-event.h"
#include "json-util.h"
#include "log.h"
#include "strv.h"
#include "output-format.h"
#include "time-util.h"
#include "verbs.h"

typedef struct EventFilters {
        char **type, **event, **container, **image, **network, **volume;
} EventFilters;

typedef struct Events {
        EventFilters filters;
        OutputFormat format;  /* OUTPUT_DEFAULT: docker's line; json: a JSON object per line; or lines of a template */
        uint64_t since, until;  /* CLOCK_REALTIME µs; until UINT64_MAX: none */
        uint64_t *seen;         /* stamps printed from the journal, ascending */
        size_t n_seen;
        int error;
} Events;

typedef struct Event {
        uint64_t time_usec;
        char *type, *action, *id, *name;
        json_object *attributes; /* strings */
} Event;

static void event_done(Event *ev) {
        free(ev->type);
        free(ev->action);
        free(ev->id);
        free(ev->name);
        json_object_put(ev->attributes);
        *ev = (Event) {};
}

/* Past events, from the journal and from drayd's memory, merged before they are printed. */
typedef struct EventList {
        Event *events;
        size_t n;
} EventList;

static void event_list_done(EventList *l) {
        for (size_t i = 0; i < l->n; i++)
                event_done(&l->events[i]);
        free(l->events);
}

static int event_list_add(EventList *l, Event *ev) {
        Event *n = reallocarray(l->events, l->n + 1, sizeof(Event));

        if (!n)
                return -ENOMEM;
        l->events = n;
        l->events[l->n++] = *ev;
        *ev = (Event) {};
        return 0;
}

static void events_done(Events *e) {
        EventFilters *f = &e->filters;

        strv_free(f->type);
        strv_free(f->event);
        strv_free(f->container);
        strv_free(f->image);
        strv_free(f->network);
        strv_free(f->volume);
        free(e->seen);
        output_format_done(&e->format);
}

static const char *attribute(const Event *ev, const char *key) {
        json_object *v;

        return ev->attributes && json_object_object_get_ex(ev->attributes, key, &v) ? json_object_get_string(v) : NULL;
}

/* value names the object: its name, or a prefix of its ID. */
static bool names(const char *value, const char *name, const char *id) {
        return (name && streq(value, name)) || (id && *id && strneq(id, value, strlen(value)) && strlen(value) >= 4);
}

static bool any_matches(char **values, const char *name, const char *id) {
        STRV_FOREACH(v, values)
                if (names(*v, name, id))
                        return true;
        return false;
}

/* Values of one key: any of them; keys: all of them (docker's rule). */
static bool event_matches(const EventFilters *f, const Event *ev) {
        bool is_container = streq(ev->type, "container"), is_network = streq(ev->type, "network");

        if (f->type && !strv_contains(f->type, ev->type))
                return false;
        if (f->event && !strv_contains(f->event, ev->action))
                return false;
        if (f->container && !(is_container ? any_matches(f->container, ev->name, ev->id) :
                              is_network && any_matches(f->container, NULL, attribute(ev, "container"))))
                return false;
        if (f->image && !(is_container ? any_matches(f->image, attribute(ev, "image"), NULL) :
                          streq(ev->type, "image") && any_matches(f->image, ev->name, ev->id)))
                return false;
        if (f->network && !(is_network && any_matches(f->network, ev->name, ev->id)))
                return false;
        if (f->volume && !(streq(ev->type, "volume") && any_matches(f->volume, ev->name, NULL)))
                return false;
        return true;
}

static int event_to_json(const Event *ev, json_object **ret) {
        _cleanup_json_ json_object *o = json_object_new_object(), *actor = json_object_new_object();
        int r;

        if (!o || !actor)
                return -ENOMEM;
        bool container = streq(ev->type, "container");
        /* docker's fields; status, id and from are its older ones for containers, which scripts still read */
        const struct { const char *key, *value; json_object *in; } strings[] = {
                { "Type", ev->type, o },
                { "Action", ev->action, o },
                { "ID", ev->id, actor },
        }, older[] = {
                { "status", container ? ev->action : NULL, o },
                { "id", container ? ev->id : NULL, o },
                { "from", container ? attribute(ev, "image") : NULL, o },
                { "scope", "local", o },
        };

        if (!o || !actor)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(strings); i++) {
                r = json_add_string(strings[i].in, strings[i].key, strings[i].value);
                if (r < 0)
                        return r;
        }
        if (json_object_object_add(actor, "Attributes",
                                   ev->attributes ? json_object_get(ev->attributes) : json_object_new_object()) < 0)
                return -ENOMEM;
        if (json_object_object_add(o, "Actor", TAKE_PTR(actor)) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(older); i++) {
                r = json_add_string(older[i].in, older[i].key, older[i].value);
                if (r < 0)
                        return r;
        }
        r = json_add_uint64(o, "time", ev->time_usec / USEC_PER_SEC);
        if (r < 0)
                return r;
        r = json_add_uint64(o, "timeNano", ev->time_usec * 1000);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(o);
        return 0;
}

static int compare_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* docker's line: "TIME TYPE ACTION ID (key=value, ...)", attributes sorted by key. */
static int print_line(const Event *ev) {
        _cleanup_strv_free_ char **pairs = NULL;
        char ts[TIMESTAMP_ISO_MAX];
        int r;

        if (ev->attributes)
                for (struct json_object_iterator i = json_object_iter_begin(ev->attributes),
                             end = json_object_iter_end(ev->attributes);
                     !json_object_iter_equal(&i, &end); json_object_iter_next(&i)) {
                        char *p = NULL;

                        if (asprintf(&p, "%s=%s", json_object_iter_peek_name(&i),
                                     json_object_get_string(json_object_iter_peek_value(&i))) < 0)
                                return -ENOMEM;
                        r = strv_consume(&pairs, p);
                        if (r < 0)
                                return r;
                }
        if (pairs)
                qsort(pairs, strv_length(pairs), sizeof(char *), compare_str);
        printf("%s %s %s %s (", format_timestamp_iso(ts, ev->time_usec), ev->type, ev->action, ev->id);
        STRV_FOREACH(p, pairs)
                printf("%s%s", p == pairs ? "" : ", ", *p);
        puts(")");
        return 0;
}

static int event_print(Events *e, const Event *ev) {
        _cleanup_json_ json_object *o = NULL, *one = NULL;
        int r;

        if (ev->time_usec < e->since || ev->time_usec > e->until || !event_matches(&e->filters, ev))
                return 0;
        if (e->format.kind == OUTPUT_DEFAULT) {
                r = print_line(ev);
                if (r < 0)
                        return log_error_errno(r, "Failed to print an event: %m");
                return fflush(stdout) != 0 ? -EIO : 0;
        }
        r = event_to_json(ev, &o);
        if (r < 0)
                return log_oom();
        if (e->format.kind == OUTPUT_JSON) {
                puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
                return fflush(stdout) != 0 ? -EIO : 0;
        }
        /* A template: this event's line (events come one by one, so no table). */
        one = json_object_new_array();
        if (!one || json_object_array_add(one, TAKE_PTR(o)) < 0)
                return log_oom();
        r = output_format_print_stdout(&e->format, one, NULL);
        if (r < 0)
                return r;
        return fflush(stdout) != 0 ? -EIO : 0;
}

/* ---- the journal ------------------------------------------------------------------------------- */

static char *journal_field(sd_journal *j, const char *field) {
        const void *d;
        size_t n, l = strlen(field);

        if (sd_journal_get_data(j, field, &d, &n) < 0 || n <= l || ((const char *) d)[l] != '=')
                return NULL;
        return strndup((const char *) d + l + 1, n - l - 1);
}

static int journal_event(sd_journal *j, EventList *l) {
        _cleanup_free_ char *t = NULL, *attrs = NULL;
        _cleanup_(event_done) Event ev = {};

        ev.type = journal_field(j, DRAY_EVENT_FIELD_TYPE);
        ev.action = journal_field(j, DRAY_EVENT_FIELD_ACTION);
        ev.id = journal_field(j, DRAY_EVENT_FIELD_ID);
        ev.name = journal_field(j, DRAY_EVENT_FIELD_NAME);
        t = journal_field(j, DRAY_EVENT_FIELD_TIME);
        attrs = journal_field(j, DRAY_EVENT_FIELD_ATTRIBUTES);
        if (!ev.type || !ev.action || !ev.id || !ev.name || !t)
                return 0; /* not one of ours after all */
        ev.time_usec = strtoull(t, NULL, 10);
        ev.attributes = attrs ? json_tokener_parse(attrs) : NULL;
        if (ev.attributes && !json_object_is_type(ev.attributes, json_type_object))
                ev.attributes = (json_object_put(ev.attributes), NULL);
        return event_list_add(l, &ev);
}

static int compare_u64(const void *a, const void *b) {
        return (*(const uint64_t *) a > *(const uint64_t *) b) - (*(const uint64_t *) a < *(const uint64_t *) b);
}

static int compare_event(const void *a, const void *b) {
        return compare_u64(&((const Event *) a)->time_usec, &((const Event *) b)->time_usec);
}

/* drayd's own entries only: _SYSTEMD_UNIT= and _UID= are journald's, no client can forge them. */
static int events_read_journal(Events *e, EventList *l) {
        _cleanup_(sd_journal_closep) sd_journal *j = NULL;
        uint64_t when;
        int r;

        r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
        if (r < 0)
                return log_error_errno(r, "Failed to open the journal: %m");
        if (sd_journal_has_runtime_files(j) <= 0 && sd_journal_has_persistent_files(j) <= 0)
                log_warning("No journal files could be read; past events are in the system journal, which "
                            "needs root or membership of the 'systemd-journal' group.");
        (void) sd_journal_set_data_threshold(j, 0);
        for (EventType t = 0; t < _EVENT_TYPE_MAX; t++) {
                char m[64];

                (void) snprintf(m, sizeof(m), DRAY_EVENT_FIELD_TYPE "=%s", event_type_to_string(t));
                r = sd_journal_add_match(j, m, 0);
                if (r < 0)
                        return log_error_errno(r, "Failed to add a journal match: %m");
        }
        r = sd_journal_add_match(j, "_SYSTEMD_UNIT=drayd.service", 0);
        if (r < 0)
                return log_error_errno(r, "Failed to add a journal match: %m");
        r = sd_journal_add_match(j, "_UID=0", 0);
        if (r < 0)
                return log_error_errno(r, "Failed to add a journal match: %m");
        /* journald's receive time trails drayd's stamp a little: start a second early. */
        r = sd_journal_seek_realtime_usec(j, e->since > USEC_PER_SEC ? e->since - USEC_PER_SEC : 0);
        if (r < 0)
                return log_error_errno(r, "Failed to seek in the journal: %m");
        while ((r = sd_journal_next(j)) > 0) {
                if (sd_journal_get_realtime_usec(j, &when) >= 0 && e->until != UINT64_MAX &&
                    when > e->until + 5 * USEC_PER_SEC)
                        break;
                r = journal_event(j, l);
                if (r < 0)
                        return log_oom();
        }
        if (r < 0)
                return log_error_errno(r, "Failed to read the journal: %m");
        return 0;
}

/* ---- live -------------------------------------------------------------------------------------- */

/* (tssssa{ss}), the Event signal's arguments and an element of ListRecentEvents. */
static int read_event(sd_bus_message *m, Event *ret) {
        _cleanup_(event_done) Event ev = { .attributes = json_object_new_object() };
        const char *type, *action, *id, *name, *k, *v;
        int r;

        if (!ev.attributes)
                return -ENOMEM;
        r = sd_bus_message_read(m, "tssss", &ev.time_usec, &type, &action, &id, &name);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(m, 'a', "{ss}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(m, "{ss}", &k, &v)) > 0) {
                r = json_add_string(ev.attributes, k, v);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        ev.type = strdup(type);
        ev.action = strdup(action);
        ev.id = strdup(id);
        ev.name = strdup(name);
        if (!ev.type || !ev.action || !ev.id || !ev.name)
                return -ENOMEM;
        *ret = ev;
        ev = (Event) {};
        return 0;
}

static int on_event(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        _cleanup_(event_done) Event ev = {};
        Events *e = userdata;
        int r;

        r = read_event(m, &ev);
        if (r < 0) {
                log_debug_errno(r, "Ignoring a malformed Event signal: %m");
                return 0;
        }
        if (bsearch(&ev.time_usec, e->seen, e->n_seen, sizeof(uint64_t), compare_u64))
                return 0; /* printed from the past already */
        r = event_print(e, &ev);
        if (r < 0)
                e->error = r;
        return 0;
}

/* What the journal may not have written yet. Optional (0 when drayd does not answer) when only the
 * past is asked for: the journal has it, even with drayd stopped. */
static int events_read_recent(sd_bus *bus, Events *e, EventList *l, bool optional) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = bus_new_manager_call(bus, &m, "ListRecentEvents");
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m");
        r = sd_bus_message_append(m, "t", e->since);
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m");
        r = sd_bus_call(bus, m, BUS_TIMEOUT_DEFAULT, &error, &reply);
        if (r < 0 && optional)
                return log_debug_errno(r, "No recent events from drayd, the journal only: %m"), 0;
        if (r < 0)
                return log_bus_error(&error, r);
        r = sd_bus_message_enter_container(reply, 'a', "(tssssa{ss})");
        if (r < 0)
                return log_error_errno(r, "Failed to read the reply to ListRecentEvents: %m");
        while ((r = sd_bus_message_enter_container(reply, 'r', "tssssa{ss}")) > 0) {
                _cleanup_(event_done) Event ev = {};

                r = read_event(reply, &ev);
                if (r < 0)
                        return log_error_errno(r, "Failed to read the reply to ListRecentEvents: %m");
                r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        return log_error_errno(r, "Failed to read the reply to ListRecentEvents: %m");
                r = event_list_add(l, &ev);
                if (r < 0)
                        return log_oom();
        }
        if (r < 0)
                return log_error_errno(r, "Failed to read the reply to ListRecentEvents: %m");
        return 0;
}

static uint64_t *new0_u64(size_t n) {
        return calloc(n ?: 1, sizeof(uint64_t));
}

/* The past in order, each event once (drayd's stamps are unique); their stamps go to e->seen. */
static int events_print_past(Events *e, EventList *l) {
        int r;

        qsort(l->events, l->n, sizeof(Event), compare_event);
        e->seen = new0_u64(l->n);
        if (l->n > 0 && !e->seen)
                return log_oom();
        for (size_t i = 0; i < l->n; i++) {
                if (e->n_seen > 0 && e->seen[e->n_seen - 1] == l->events[i].time_usec)
                        continue;
                e->seen[e->n_seen++] = l->events[i].time_usec;
                r = event_print(e, &l->events[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int events_follow(sd_bus *bus, Events *e) {
        int r;

        for (;;) {
                uint64_t now = now_usec(CLOCK_REALTIME);

                if (e->error < 0)
                        return e->error;
                if (now > e->until)
                        return 0;
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return log_error_errno(r, "Failed to process the bus: %m");
                if (r > 0)
                        continue;
                r = sd_bus_wait(bus, e->until == UINT64_MAX ? UINT64_MAX : e->until - now + 1);
                if (r < 0 && r != -EINTR)
                        return log_error_errno(r, "Failed to wait on the bus: %m");
        }
}

/* ---- options ----------------------------------------------------------------------------------- */

static int parse_filter(EventFilters *f, const char *arg) {
        _cleanup_free_ char *copy = strdup(arg);
        char *save = NULL;

        if (!copy)
                return log_oom();
        for (char *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
                char *eq = strchr(kv, '='), ***list;

                if (!eq || eq == kv || !eq[1])
                        return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "Bad --filter '%s': use KEY=VALUE.", kv);
                *eq = 0;
                list = streq(kv, "type") ? &f->type : streq(kv, "event") ? &f->event :
                       streq(kv, "container") ? &f->container : streq(kv, "image") ? &f->image :
                       streq(kv, "network") ? &f->network : streq(kv, "volume") ? &f->volume : NULL;
                if (!list)
                        return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "Unknown --filter key '%s': use type, event, "
                                               "container, image, network or volume.", kv);
                if (list == &f->type && event_type_from_string(eq + 1) < 0)
                        return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "Unknown event type '%s': use container, image, "
                                               "network or volume.", eq + 1);
                if (strv_extend(list, eq + 1) < 0)
                        return log_oom();
        }
        return 0;
}

static int parse_time(const char *option, const char *arg, uint64_t *ret) {
        int r;

        r = parse_since(arg, now_usec(CLOCK_REALTIME), ret);
        if (r < 0)
                return log_invalid_value(option, arg, r,
                                         "a time such as 2024-01-02T15:04:05Z, 2024-01-02T16:04:05+01:00, "
                                         "unix seconds, or a time ago such as 10m"), r;
        return 0;
}

static void events_help(void) {
        printf("Usage: dray events [OPTIONS]\n\n"
               "Print what happens to containers, images, networks and volumes as it happens; with --since,\n"
               "from the journal first.\n\n"
               "Options:\n"
               "      --since TIME      Show events since TIME (RFC 3339, unix seconds, or ago: 10m)\n"
               "      --until TIME      Stop at TIME (in the past: print what the journal has, and exit)\n"
               "  -f, --filter FILTER   type=, event=, container=, image=, network=, volume= (repeatable;\n"
               "                        values of one key: any; different keys: all)\n"
               "      --format FORMAT   json (an object per line) or a template such as\n"
               "                        '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}'\n"
               "  -h, --help            Show this help\n"
               "\nSee dray-events(1).\n");
}

int verb_events(int argc, char *argv[]) {
        enum { ARG_SINCE = 0x100, ARG_UNTIL, ARG_FORMAT };
        static const struct option options[] = {
                { "since",  required_argument, NULL, ARG_SINCE  },
                { "until",  required_argument, NULL, ARG_UNTIL  },
                { "filter", required_argument, NULL, 'f'        },
                { "format", required_argument, NULL, ARG_FORMAT },
                { "help",   no_argument,       NULL, 'h'        },
                {}
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        _cleanup_(events_done) Events e = { .until = UINT64_MAX };
        _cleanup_(event_list_done) EventList past = {};
        bool since = false, live;
        int c, r;

        getopt_reset();
        while ((c = cli_getopt(argc, argv, ":f:h", options)) >= 0)
                switch (c) {
                case ARG_SINCE:
                        if (parse_time("--since", optarg, &e.since) < 0)
                                return EXIT_USAGE;
                        since = true;
                        break;
                case ARG_UNTIL:
                        if (parse_time("--until", optarg, &e.until) < 0)
                                return EXIT_USAGE;
                        break;
                case 'f':
                        if (parse_filter(&e.filters, optarg) < 0)
                                return EXIT_USAGE;
                        break;
                case ARG_FORMAT:
                        output_format_done(&e.format);
                        if (output_format_parse_option(optarg, &e.format) < 0)
                                return EXIT_USAGE;
                        if (e.format.table)
                                return log_error("'dray events --format' takes json or a template, not a table: "
                                                 "events come one by one."), EXIT_USAGE;
                        break;
                case 'h':
                        events_help();
                        return EXIT_SUCCESS;
                default:
                        return log_option_error("events", argv, c), EXIT_USAGE;
                }
        if (optind < argc)
                return log_error("'dray events' takes no arguments."), EXIT_USAGE;
        if (e.until < e.since)
                return log_error("--until is before --since."), EXIT_USAGE;

        /* Live events are followed unless --until is past: then the past is all there is. */
        live = e.until == UINT64_MAX || e.until > now_usec(CLOCK_REALTIME);
        r = bus_connect(&bus);
        if (r < 0)
                return EXIT_FAILED;
        if (live) {
                r = sd_bus_match_signal(bus, &slot, DRAY_BUS_NAME, DRAY_MANAGER_PATH, DRAY_MANAGER_INTERFACE, "Event",
                                        on_event, &e);
                if (r < 0)
                        return log_error_errno(r, "Failed to subscribe to drayd's events: %m"), EXIT_FAILED;
        }
        if (since || !live) {
                r = events_read_journal(&e, &past);
                if (r >= 0)
                        r = events_read_recent(bus, &e, &past, !live);
                if (r >= 0)
                        r = events_print_past(&e, &past);
                if (r < 0)
                        return EXIT_FAILED;
        }
        if (!live)
                return EXIT_SUCCESS;
        r = events_follow(bus, &e);
        return r < 0 ? EXIT_FAILED : EXIT_SUCCESS;
}

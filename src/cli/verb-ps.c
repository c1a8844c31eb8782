/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dray ps */
#include <getopt.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "bus-names.h"
#include "cli-bus.h"
#include "cli-time.h"
#include "cli-util.h"
#include "container-state.h"
#include "json-fields.h"
#include "json-util.h"
#include "log.h"
#include "name.h"
#include "output-format.h"
#include "strv.h"
#include "table.h"
#include "time-util.h"
#include "verbs.h"

/* A paused container is running, its processes frozen. */
#define IN_SET_RUNNING(s) ((s) == CONTAINER_RUNNING || (s) == CONTAINER_PAUSED)

#define COMMAND_COLUMN_MAX 20

typedef struct PsRow {
        char *id, *name, *state, *image, *command, *path;
        char *ports; /* "0.0.0.0:8080->80/tcp, …" of a running container, or NULL */
        char *health; /* "starting", "healthy", "unhealthy" of a running container with a check, or NULL */
        uint64_t created_usec, started_usec, finished_usec;
        uint64_t restart_count; /* --format json only */
        int32_t exit_status;
} PsRow;

typedef struct PsList {
        PsRow *rows;
        size_t n;
        size_t next; /* bus_call_each delivers in order: the row the next StartedAt belongs to */
        size_t *running; /* indices of rows whose StartedAt we asked for */
        const char *property; /* what property_build() asks each running container for */
} PsList;

static void ps_row_done(PsRow *r) {
        free(r->id);
        free(r->name);
        free(r->state);
        free(r->image);
        free(r->command);
        free(r->path);
        free(r->ports);
        free(r->health);
}

static void ps_list_done(PsList *l) {
        for (size_t i = 0; i < l->n; i++)
                ps_row_done(&l->rows[i]);
        free(l->rows);
        free(l->running);
}

/* ---- --filter (docker ps's label=, name=, id=, status=) ---------------------------------------- */

static int ps_filter_check(const char *f) {
        static const char *const keys[] = { "label=", "name=", "id=", "status=", "health=" };

        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                if (strneq(f, keys[i], strlen(keys[i])) && f[strlen(keys[i])] != 0)
                        return 0;
        return log_invalid_value("--filter", f, -EINVAL,
                                 "label=KEY[=VALUE], name=NAME, id=ID, status=STATE or health=HEALTH");
}

static bool labels_match(char **labels, const char *want) {
        bool key_only = !strchr(want, '=');
        size_t n = strlen(want);

        STRV_FOREACH(l, labels)
                if (key_only ? strneq(*l, want, n) && (*l)[n] == '=' : streq(*l, want))
                        return true;
        return false;
}

static int ps_row_matches(sd_bus *bus, const PsRow *row, char **filters) {
        _cleanup_strv_free_ char **labels = NULL;
        bool have_labels = false;

        STRV_FOREACH(f, filters) {
                const char *v = strchr(*f, '=') + 1;

                if (strneq(*f, "name=", 5) && !strstr(row->name, v))
                        return 0;
                if (strneq(*f, "id=", 3) && !strneq(row->id, v, strlen(v)))
                        return 0;
                if (strneq(*f, "status=", 7) && !streq(row->state, v))
                        return 0;
                if (strneq(*f, "health=", 7)) {
                        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                        _cleanup_free_ char *health = NULL;

                        /* Docker's: starting, healthy, unhealthy or none. */
                        if (sd_bus_get_property_string(bus, DRAY_BUS_NAME, row->path, DRAY_CONTAINER_INTERFACE,
                                                       "Health", &error, &health) < 0 || !streq(health, v))
                                return 0;
                }
                if (strneq(*f, "label=", 6)) {
                        if (!have_labels) {
                                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;

                                if (sd_bus_get_property_strv(bus, DRAY_BUS_NAME, row->path, DRAY_CONTAINER_INTERFACE,
                                                             "Labels", &error, &labels) < 0)
                                        return 0; /* removed meanwhile */
                                have_labels = true;
                        }
                        if (!labels_match(labels, v))
                                return 0;
                }
        }
        return 1;
}

static int ps_filter(sd_bus *bus, PsList *l, char **filters) {
        size_t k = 0;

        for (size_t i = 0; i < l->n; i++) {
                if (ps_row_matches(bus, &l->rows[i], filters))
                        l->rows[k++] = l->rows[i];
                else
                        ps_row_done(&l->rows[i]);
        }
        l->n = k;
        return 0;
}

static int ps_row_cmp(const void *a, const void *b) {
        const PsRow *x = a, *y = b;

        /* Newest first, as docker ps lists them. */
        if (x->created_usec != y->created_usec)
                return x->created_usec < y->created_usec ? 1 : -1;
        return strcmp(x->id, y->id);
}

static int ps_read_list(sd_bus_message *reply, PsList *l) {
        const char *id, *name, *state, *image, *command, *path;
        uint64_t created, finished;
        int32_t exit_status;
        int r;

        r = sd_bus_message_enter_container(reply, 'a', "(sssssttio)");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(reply, "(sssssttio)", &id, &name, &state, &image, &command, &created,
                                        &finished, &exit_status, &path)) > 0) {
                PsRow *n = realloc(l->rows, (l->n + 1) * sizeof(PsRow)), *row;

                if (!n)
                        return -ENOMEM;
                l->rows = n;
                row = &l->rows[l->n];
                *row = (PsRow) {
                        .id = strdup(id),
                        .name = strdup(name),
                        .state = strdup(state),
                        .image = strdup(image),
                        .command = strdup(command),
                        .path = strdup(path),
                        .created_usec = created,
                        .finished_usec = finished,
                        .exit_status = exit_status,
                };
                l->n++;
                if (!row->id || !row->name || !row->state || !row->image || !row->command || !row->path)
                        return -ENOMEM;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(reply);
        if (r < 0)
                return r;
        qsort(l->rows, l->n, sizeof(PsRow), ps_row_cmp);
        return 0;
}

/* Properties.Get of l->property. */
static int property_build(sd_bus *bus, const char *path, void *userdata, sd_bus_message **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        const PsList *l = userdata;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, DRAY_BUS_NAME, path, "org.freedesktop.DBus.Properties",
                                           "Get");
        if (r >= 0)
                r = sd_bus_message_append(m, "ss", DRAY_CONTAINER_INTERFACE, l->property);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(m);
        return 0;
}

static int started_done(const char *path, sd_bus_message *reply, void *userdata) {
        PsList *l = userdata;
        PsRow *row = &l->rows[l->running[l->next++]];

        /* Gone meanwhile, or an older drayd: show "Up" without a duration. */
        if (sd_bus_message_is_method_error(reply, NULL))
                return 0;
        if (sd_bus_message_read(reply, "v", "t", &row->started_usec) < 0)
                row->started_usec = 0;
        return 0;
}

static int health_done(const char *path, sd_bus_message *reply, void *userdata) {
        PsList *l = userdata;
        PsRow *row = &l->rows[l->running[l->next++]];
        const char *h;

        /* Gone meanwhile, or an older drayd: no health shown. */
        if (sd_bus_message_is_method_error(reply, NULL) || sd_bus_message_read(reply, "v", "s", &h) < 0 ||
            streq(h, "none"))
                return 0;
        row->health = strdup(h);
        return row->health ? 0 : -ENOMEM;
}

/* Docker's PORTS column: "0.0.0.0:8080->80/tcp", comma-separated. */
static int ports_done(const char *path, sd_bus_message *reply, void *userdata) {
        PsList *l = userdata;
        PsRow *row = &l->rows[l->running[l->next++]];
        const char *addr, *proto;
        uint16_t host_port, port;
        int r;

        /* Gone meanwhile, or a drayd without networks: no column content. */
        if (sd_bus_message_is_method_error(reply, NULL) ||
            sd_bus_message_enter_container(reply, 'v', "a(sqqs)") < 0 ||
            sd_bus_message_enter_container(reply, 'a', "(sqqs)") < 0)
                return 0;
        while ((r = sd_bus_message_read(reply, "(sqqs)", &addr, &host_port, &port, &proto)) > 0) {
                char *s;

                if (asprintf(&s, "%s%s%s:%u->%u/%s", strempty(row->ports), row->ports ? ", " : "",
                             isempty(addr) ? "0.0.0.0" : addr, (unsigned) host_port, (unsigned) port, proto) < 0)
                        return log_oom();
                free(row->ports);
                row->ports = s;
        }
        return 0;
}

/* ListContainers has no start time: ask the running containers for theirs, all in one go. */
static int ps_fetch_started(sd_bus *bus, PsList *l) {
        _cleanup_strv_free_ char **paths = NULL;
        size_t k = 0;
        int r;

        l->running = calloc(l->n + 1, sizeof(size_t));
        if (!l->running)
                return log_oom();
        for (size_t i = 0; i < l->n; i++)
                if (IN_SET_RUNNING(container_state_from_string(l->rows[i].state))) {
                        if (strv_extend(&paths, l->rows[i].path) < 0)
                                return log_oom();
                        l->running[k++] = i;
                }
        if (k == 0)
                return 0;
        l->property = "StartedAt";
        r = bus_call_each(bus, paths, BUS_TIMEOUT_DEFAULT, property_build, started_done, l);
        if (r < 0)
                return r;
        /* Then their published ports, the same way. */
        l->next = 0;
        l->property = "Ports";
        r = bus_call_each(bus, paths, BUS_TIMEOUT_DEFAULT, property_build, ports_done, l);
        if (r < 0)
                return r;
        /* And their health (Docker's "Up 5 minutes (healthy)"). */
        l->next = 0;
        l->property = "Health";
        r = bus_call_each(bus, paths, BUS_TIMEOUT_DEFAULT, property_build, health_done, l);
        return r < 0 ? r : 0;
}

static int restart_count_done(const char *path, sd_bus_message *reply, void *userdata) {
        PsList *l = userdata;
        PsRow *row = &l->rows[l->running[l->next++]];

        if (!sd_bus_message_is_method_error(reply, NULL) && sd_bus_message_read(reply, "v", "t", &row->restart_count) < 0)
                row->restart_count = 0;
        return 0;
}

/* --format json: every container's RestartCount (its restart policy's restarts since a client last
 * started it), one batch of calls. */
static int ps_fetch_restart_counts(sd_bus *bus, PsList *l) {
        _cleanup_strv_free_ char **paths = NULL;
        int r;

        if (l->n == 0)
                return 0;
        for (size_t i = 0; i < l->n; i++) {
                if (strv_extend(&paths, l->rows[i].path) < 0)
                        return log_oom();
                l->running[i] = i;
        }
        l->next = 0;
        l->property = "RestartCount";
        r = bus_call_each(bus, paths, BUS_TIMEOUT_DEFAULT, property_build, restart_count_done, l);
        return r < 0 ? r : 0;
}

static int ps_status(const PsRow *row, uint64_t now, char **ret) {
        char d[HUMAN_DURATION_MAX];
        int r;

        switch (container_state_from_string(row->state)) {
        case CONTAINER_CREATED:
                r = asprintf(ret, "Created");
                break;
        case CONTAINER_STARTING:
                r = asprintf(ret, "Starting");
                break;
        case CONTAINER_RUNNING:
        case CONTAINER_PAUSED: {
                _cleanup_free_ char *health = NULL;
                const char *paused = streq(row->state, "paused") ? " (Paused)" : "";

                /* Docker's: "(health: starting)", "(healthy)", "(unhealthy)"; paused wins. */
                if (!*paused && row->health &&
                    asprintf(&health, streq(row->health, "starting") ? " (health: %s)" : " (%s)", row->health) < 0)
                        return -ENOMEM;
                if (health)
                        paused = health;

                if (row->started_usec > 0 && row->started_usec <= now)
                        r = asprintf(ret, "Up %s%s", format_human_duration(d, now - row->started_usec), paused);
                else
                        r = asprintf(ret, "Up%s", paused);
                break;
        }
        case CONTAINER_STOPPING:
                r = asprintf(ret, "Stopping");
                break;
        case CONTAINER_EXITED:
                if (row->finished_usec > 0 && row->finished_usec <= now)
                        r = asprintf(ret, "Exited (%" PRIi32 ") %s ago", row->exit_status,
                                     format_human_duration(d, now - row->finished_usec));
                else
                        r = asprintf(ret, "Exited (%" PRIi32 ")", row->exit_status);
                break;
        case CONTAINER_REMOVING:
                r = asprintf(ret, "Removing");
                break;
        default:
                /* "broken": a container directory drayd could not load; COMMAND says why. */
                r = asprintf(ret, "%s", streq(row->state, "broken") ? "Broken" : row->state);
        }
        return r < 0 ? -ENOMEM : 0;
}

/* The ID, "COMMAND" and "… ago" cells of a row, as the table shows them. */
static int ps_row_texts(const PsRow *row, bool no_trunc, uint64_t now, char **ret_id, char **ret_command,
                        char **ret_created) {
        _cleanup_free_ char *id = NULL, *cmd = NULL, *quoted = NULL, *created = NULL;
        uint64_t age = now > row->created_usec ? now - row->created_usec : 0;
        char d[HUMAN_DURATION_MAX];

        id = no_trunc ? strdup(row->id) : strndup(row->id, CONTAINER_ID_SHORT_LEN);
        cmd = no_trunc ? strdup(row->command) : ellipsize(row->command, COMMAND_COLUMN_MAX);
        if (!id || !cmd || asprintf(&quoted, "\"%s\"", cmd) < 0 ||
            asprintf(&created, "%s ago", format_human_duration(d, age)) < 0)
                return -ENOMEM;
        *ret_id = TAKE_PTR(id);
        *ret_command = TAKE_PTR(quoted);
        *ret_created = TAKE_PTR(created);
        return 0;
}

static int ps_print_table(const PsList *l, bool no_trunc) {
        static const char *const headers[] = {
                "CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES",
        };
        _cleanup_(table_freep) Table *t = table_new(ELEMENTSOF(headers), headers);
        uint64_t now = now_usec(CLOCK_REALTIME);

        if (!t)
                return log_oom();
        for (size_t i = 0; i < l->n; i++) {
                const PsRow *row = &l->rows[i];
                _cleanup_free_ char *id = NULL, *quoted = NULL, *created = NULL, *status = NULL;

                if (ps_row_texts(row, no_trunc, now, &id, &quoted, &created) < 0 ||
                    ps_status(row, now, &status) < 0)
                        return log_oom();
                if (table_add_row(t, (const char *const[]) { id, row->image, quoted, created, status,
                                                             strempty(row->ports), row->name }) < 0)
                        return log_oom();
        }
        return table_print(t, stdout);
}

/* The rows as JSON objects: dray's keys (--format json), and for templates docker's too (ID, Names,
 * RunningFor…), so `--format '{{.ID}}\t{{.Names}}'` works. */
static int ps_add_docker_keys(json_object *o, const PsRow *row, bool no_trunc, uint64_t now) {
        _cleanup_free_ char *id = NULL, *quoted = NULL, *created = NULL;
        int r;

        time_t sec = (time_t) (row->created_usec / 1000000);
        char created_at[64] = "";
        struct tm tm;

        /* docker's CreatedAt in templates: "2026-01-02 03:04:05 +0000 UTC" (dray's JSON has µs). */
        if (gmtime_r(&sec, &tm))
                (void) strftime(created_at, sizeof(created_at), "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
        r = ps_row_texts(row, no_trunc, now, &id, &quoted, &created);
        if (r < 0)
                return r;
        return json_add_fieldsv(o, { "CreatedAt", json_string(created_at) }, { "ID", json_string(id) },
                                { "Names", json_string(row->name) }, { "RunningFor", json_string(created) },
                                { "Command", json_string(quoted) });
}

static int ps_json(const PsList *l, bool docker_keys, bool no_trunc, json_object **ret) {
        _cleanup_json_ json_object *a = json_object_new_array();
        uint64_t now = now_usec(CLOCK_REALTIME);

        if (!a)
                return -ENOMEM;
        for (size_t i = 0; i < l->n; i++) {
                const PsRow *row = &l->rows[i];
                _cleanup_json_ json_object *o = json_object_new_object();
                _cleanup_free_ char *status = NULL;
                int r;

                if (!o || ps_status(row, now, &status) < 0)
                        return -ENOMEM;
                r = json_add_fieldsv(o, { "Id", json_string(row->id) }, { "Name", json_string(row->name) },
                                     { "State", json_string(row->state) }, { "Status", json_string(status) },
                                     { "Image", json_string(row->image) }, { "Command", json_string(row->command) },
                                     { "CreatedAt", json_object_new_uint64(row->created_usec) });
                if (r >= 0 && row->started_usec > 0)
                        r = json_add_uint64(o, "StartedAt", row->started_usec);
                if (r >= 0)
                        r = json_add_fieldsv(o, { "FinishedAt", json_object_new_uint64(row->finished_usec) },
                                             { "ExitStatus", json_object_new_int(row->exit_status) },
                                             { "Ports", json_string(row->ports) });
                if (r >= 0 && docker_keys)
                        r = ps_add_docker_keys(o, row, no_trunc, now);
                if (r >= 0 && row->health)
                        r = json_add_string(o, "Health", row->health);
                if (r >= 0)
                        r = json_add_uint64(o, "RestartCount", row->restart_count);
                if (r < 0 || json_object_array_add(a, o) < 0)
                        return -ENOMEM;
                o = NULL; /* the array owns it now */
        }
        *ret = TAKE_PTR(a);
        return 0;
}

static int ps_print_formatted(const PsList *l, const OutputFormat *f, bool no_trunc) {
        static const char *const headers[] = {
                "ID", "CONTAINER ID", "Id", "CONTAINER ID", "RunningFor", "CREATED", "CreatedAt", "CREATED AT",
                NULL
        };
        _cleanup_json_ json_object *a = NULL;
        int r;

        r = ps_json(l, f->kind == OUTPUT_TEMPLATE, no_trunc, &a);
        if (r < 0)
                return log_oom();
        if (f->kind == OUTPUT_TEMPLATE)
                return output_format_print_stdout(f, a, headers);
        puts(json_object_to_json_string_ext(a, JSON_OUTPUT_FLAGS));
        return fflush(stdout) == 0 ? 0 : -errno;
}

static void ps_help(void) {
        printf("Usage: dray ps [OPTIONS]\n\n"
               "List running containers, newest first.\n\n"
               "Options:\n"
               "  -a, --all             Show all containers, not only running ones\n"
               "  -q, --quiet           Show only container IDs\n"
               "      --no-trunc        Do not truncate IDs and commands\n"
               "      --format FORMAT   table (default), json, or a Go template such as\n"
               "                        'table {{.ID}}\\t{{.Names}}\\t{{.Status}}' (see dray-ps(1))\n"
               "  -f, --filter FILTER   label=KEY[=VALUE], name=NAME, id=ID, status=STATE or\n"
               "                        health=starting|healthy|unhealthy|none\n"
               "                        (repeatable; a container must match all)\n"
               "  -h, --help            Show this help\n"
               "\nSee dray(1).\n");
}

int verb_ps(int argc, char *argv[]) {
        enum { ARG_NO_TRUNC = 0x100, ARG_FORMAT, ARG_FILTER };
        static const struct option options[] = {
                { "all",      no_argument,       NULL, 'a'          },
                { "quiet",    no_argument,       NULL, 'q'          },
                { "no-trunc", no_argument,       NULL, ARG_NO_TRUNC },
                { "format",   required_argument, NULL, ARG_FORMAT   },
                { "filter",   required_argument, NULL, 'f'          },
                { "help",     no_argument,       NULL, 'h'          },
                {}
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(ps_list_done) PsList l = {};
        _cleanup_strv_free_ char **filters = NULL;
        _cleanup_(output_format_done) OutputFormat format = {};
        bool all = false, quiet = false, no_trunc = false;
        int c, r;

        getopt_reset();
        while ((c = cli_getopt(argc, argv, ":aqf:h", options)) >= 0)
                switch (c) {
                case 'f':
                        if (ps_filter_check(optarg) < 0)
                                return EXIT_USAGE;
                        if (strv_extend(&filters, optarg) < 0)
                                return log_oom(), EXIT_FAILED;
                        break;
                case 'a':
                        all = true;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case ARG_NO_TRUNC:
                        no_trunc = true;
                        break;
                case ARG_FORMAT:
                        output_format_done(&format);
                        if (output_format_parse_option(optarg, &format) < 0)
                                return EXIT_USAGE;
                        break;
                case 'h':
                        ps_help();
                        return EXIT_SUCCESS;
                default:
                        log_option_error("ps", argv, c);
                        return EXIT_USAGE;
                }
        if (optind < argc)
                return log_error("'dray ps' takes no arguments."), EXIT_USAGE;
        /* As docker: asking for a status asks for every container. */
        STRV_FOREACH(f, filters)
                if (strneq(*f, "status=", 7))
                        all = true;

        r = bus_connect(&bus);
        if (r < 0)
                return EXIT_FAILED;
        r = bus_new_manager_call(bus, &m, "ListContainers");
        if (r >= 0)
                r = sd_bus_message_append(m, "b", (int) all);
        if (r >= 0)
                r = sd_bus_call(bus, m, BUS_TIMEOUT_DEFAULT, &error, &reply);
        if (r < 0)
                return log_bus_error(&error, r), EXIT_FAILED;
        r = ps_read_list(reply, &l);
        if (r < 0)
                return log_error_errno(r, "Failed to parse the reply to ListContainers: %m"), EXIT_FAILED;
        if (filters)
                (void) ps_filter(bus, &l, filters);

        if (quiet) {
                for (size_t i = 0; i < l.n; i++)
                        printf("%.*s\n", no_trunc ? CONTAINER_ID_LEN : CONTAINER_ID_SHORT_LEN, l.rows[i].id);
                return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILED;
        }

        r = ps_fetch_started(bus, &l);
        if (r >= 0 && format.kind != OUTPUT_DEFAULT)
                r = ps_fetch_restart_counts(bus, &l);
        if (r < 0)
                return EXIT_FAILED;
        r = format.kind == OUTPUT_DEFAULT ? ps_print_table(&l, no_trunc) : ps_print_formatted(&l, &format, no_trunc);
        return r < 0 ? EXIT_FAILED : EXIT_SUCCESS;
}

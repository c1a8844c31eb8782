/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dray inspect: every org.dray1.Container property, with docker's sections beside them
 * (inspect-document.c), as a JSON array. */
#include <getopt.h>
#include <string.h>

#include "bus-names.h"
#include "cli-bus.h"
#include "cli-util.h"
#include "inspect-document.h"
#include "json-util.h"
#include "log.h"
#include "strv.h"
#include "template.h"
#include "verbs.h"

/* Bound the recursion on what the bus hands us; our properties nest two levels at most. */
#define JSON_NESTING_MAX 16

static int bus_read_json(sd_bus_message *m, char type, const char *contents, unsigned depth,
                         json_object **ret);

static int bus_read_basic_json(sd_bus_message *m, char type, json_object **ret) {
        union {
                uint8_t u8;
                int b;
                int16_t i16;
                uint16_t u16;
                int32_t i32;
                uint32_t u32;
                int64_t i64;
                uint64_t u64;
                double d;
                const char *s;
                int fd;
        } v;
        json_object *o;
        int r;

        r = sd_bus_message_read_basic(m, type, &v);
        if (r <= 0)
                return r < 0 ? r : -EBADMSG;
        switch (type) {
        case 'y': o = json_object_new_int64(v.u8); break;
        case 'b': o = json_object_new_boolean(v.b); break;
        case 'n': o = json_object_new_int64(v.i16); break;
        case 'q': o = json_object_new_int64(v.u16); break;
        case 'i': o = json_object_new_int64(v.i32); break;
        case 'u': o = json_object_new_int64(v.u32); break;
        case 'x': o = json_object_new_int64(v.i64); break;
        /* UINT64_MAX is "unset" (limits) or "infinity" in our API: null says that better than 2^64-1. */
        case 't':
                if (v.u64 == UINT64_MAX) {
                        *ret = NULL; /* JSON null */
                        return 0;
                }
                o = json_object_new_uint64(v.u64);
                break;
        case 'd': o = json_object_new_double(v.d); break;
        case 'h': o = json_object_new_int64(v.fd); break;
        default: o = json_object_new_string(v.s); break; /* s, o, g */
        }
        if (!o)
                return -ENOMEM;
        *ret = o;
        return 0;
}

static int bus_read_array_json(sd_bus_message *m, const char *contents, unsigned depth, json_object **ret) {
        bool dict = contents[0] == '{';
        _cleanup_json_ json_object *o = dict ? json_object_new_object() : json_object_new_array();
        int r;

        if (!o)
                return -ENOMEM;
        r = sd_bus_message_enter_container(m, 'a', contents);
        if (r < 0)
                return r;
        for (;;) {
                _cleanup_json_ json_object *key = NULL, *value = NULL;
                const char *c;
                char t;

                r = sd_bus_message_peek_type(m, &t, &c);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                if (!dict) {
                        r = bus_read_json(m, t, c, depth + 1, &value);
                        if (r < 0)
                                return r;
                        if (json_object_array_add(o, value) < 0)
                                return -ENOMEM;
                        value = NULL;
                        continue;
                }
                r = sd_bus_message_enter_container(m, 'e', c);
                if (r < 0)
                        return r;
                r = sd_bus_message_peek_type(m, &t, NULL);
                if (r <= 0)
                        return r < 0 ? r : -EBADMSG;
                r = bus_read_basic_json(m, t, &key);
                if (r < 0)
                        return r;
                r = sd_bus_message_peek_type(m, &t, &c);
                if (r <= 0)
                        return r < 0 ? r : -EBADMSG;
                r = bus_read_json(m, t, c, depth + 1, &value);
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
                if (json_object_object_add(o, key ? json_object_get_string(key) : "null", value) < 0)
                        return -ENOMEM;
                value = NULL;
        }
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(o);
        return 0;
}

static int bus_read_struct_json(sd_bus_message *m, char type, const char *contents, unsigned depth,
                                json_object **ret) {
        _cleanup_json_ json_object *a = json_object_new_array();
        int r;

        if (!a)
                return -ENOMEM;
        r = sd_bus_message_enter_container(m, type, contents);
        if (r < 0)
                return r;
        for (;;) {
                _cleanup_json_ json_object *value = NULL;
                const char *c;
                char t;

                r = sd_bus_message_peek_type(m, &t, &c);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                r = bus_read_json(m, t, c, depth + 1, &value);
                if (r < 0)
                        return r;
                if (json_object_array_add(a, value) < 0)
                        return -ENOMEM;
                value = NULL;
        }
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(a);
        return 0;
}

/* The next complete value of m as JSON: numbers, strings, arrays; dictionaries become objects, structs
 * arrays, and variants their content. */
static int bus_read_json(sd_bus_message *m, char type, const char *contents, unsigned depth,
                         json_object **ret) {
        if (depth > JSON_NESTING_MAX)
                return -ELOOP;
        switch (type) {
        case 'a':
                return bus_read_array_json(m, contents, depth, ret);
        case 'r':
        case 'e':
                return bus_read_struct_json(m, type, contents, depth, ret);
        case 'v': {
                const char *c;
                char t;
                int r;

                r = sd_bus_message_enter_container(m, 'v', contents);
                if (r < 0)
                        return r;
                r = sd_bus_message_peek_type(m, &t, &c);
                if (r <= 0)
                        return r < 0 ? r : -EBADMSG;
                r = bus_read_json(m, t, c, depth + 1, ret);
                if (r < 0)
                        return r;
                return sd_bus_message_exit_container(m);
        }
        default:
                return bus_read_basic_json(m, type, ret);
        }
}

typedef struct Inspect {
        char **paths;           /* of the arguments that resolved */
        json_object *array;
        const char *interface;  /* whose properties GetAll fetches */
} Inspect;

static int resolve_build(sd_bus *bus, const char *arg, void *userdata, sd_bus_message **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = bus_new_manager_call(bus, &m, "GetContainer");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", arg);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(m);
        return 0;
}

static int resolve_done(const char *arg, sd_bus_message *reply, void *userdata) {
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        Inspect *i = userdata;
        const char *path;
        int r;

        if (e)
                return log_bus_error(e, -EIO);
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return log_error_errno(r, "Failed to parse the reply to GetContainer: %m");
        return strv_extend(&i->paths, path) < 0 ? log_oom() : 0;
}

static int getall_build(sd_bus *bus, const char *path, void *userdata, sd_bus_message **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, DRAY_BUS_NAME, path, "org.freedesktop.DBus.Properties",
                                           "GetAll");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", ((const Inspect *) userdata)->interface);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(m);
        return 0;
}

/* Names for the fields of the health structs, as Docker's inspect spells them: HealthLog's entries
 * (start µs, end µs, exit code, output) and Healthcheck (test, interval µs, timeout µs, start period µs,
 * start interval µs, retries, on failure). */
static int inspect_name_fields(json_object *container, const char *key, const char *const *names, size_t n,
                               bool array) {
        _cleanup_json_ json_object *out = NULL;
        json_object *v;
        size_t m;

        if (!json_object_object_get_ex(container, key, &v) || !json_object_is_type(v, json_type_array))
                return 0;
        m = array ? json_object_array_length(v) : 1;
        out = array ? json_object_new_array() : NULL;
        if (array && !out)
                return -ENOMEM;
        for (size_t k = 0; k < m; k++) {
                json_object *tuple = array ? json_object_array_get_idx(v, k) : v;
                _cleanup_json_ json_object *o = json_object_new_object();

                if (!o)
                        return -ENOMEM;
                if (!json_object_is_type(tuple, json_type_array) || json_object_array_length(tuple) != n)
                        return 0; /* an older or newer drayd: leave it as it came */
                for (size_t f = 0; f < n; f++)
                        if (json_object_object_add(o, names[f], json_object_get(json_object_array_get_idx(tuple, f))) < 0)
                                return -ENOMEM;
                if (!array) {
                        out = TAKE_PTR(o);
                        break;
                }
                if (json_object_array_add(out, o) < 0)
                        return -ENOMEM;
                o = NULL;
        }
        if (json_object_object_add(container, key, out) < 0)
                return -ENOMEM;
        out = NULL;
        return 0;
}

static int inspect_health_fields(json_object *container) {
        static const char *const log_names[] = { "Start", "End", "ExitCode", "Output" };
        static const char *const check_names[] = { "Test", "IntervalUSec", "TimeoutUSec", "StartPeriodUSec",
                                                   "StartIntervalUSec", "Retries", "OnFailure" };
        int r;

        r = inspect_name_fields(container, "HealthLog", log_names, ELEMENTSOF(log_names), true);
        if (r < 0)
                return r;
        return inspect_name_fields(container, "Healthcheck", check_names, ELEMENTSOF(check_names), false);
}

static int getall_done(const char *path, sd_bus_message *reply, void *userdata) {
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        _cleanup_json_ json_object *o = NULL;
        Inspect *i = userdata;
        int r;

        if (e)
                return log_bus_error(e, -EIO); /* removed between the two calls */
        r = bus_read_json(reply, 'a', "{sv}", 0, &o);
        if (r < 0)
                return log_error_errno(r, "Failed to parse the properties of %s: %m", path);
        if (inspect_health_fields(o) < 0)
                return log_oom();
        if (json_object_array_add(i->array, o) < 0)
                return log_oom();
        o = NULL;
        return 0;
}

/* The limits a running container's scope has now. `systemctl set-property dray-NAME.scope MemoryMax=…`
 * changes the unit, not what drayd was given at create (its Container properties), and systemd 252 sends
 * no PropertiesChanged for it that drayd could follow: while the unit exists it is the truth, so read
 * it from systemd. A unit that is gone, or a systemd that does not answer, leaves drayd's values. */
static const char *const live_limits[] = { "MemoryMax", "CPUQuotaPerSecUSec", "CPUWeight", "TasksMax" };

static int inspect_live_limits_one(sd_bus *bus, json_object *container) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_json_ json_object *scope = NULL;
        const char *unit, *state, *p;
        _cleanup_free_ char *path = NULL;
        int r;

        if (json_get_string(container, "Unit", &unit) < 0 || json_get_string(container, "State", &state) < 0 ||
            !(streq(state, "starting") || streq(state, "running") || streq(state, "stopping")))
                return 0;
        r = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                               "org.freedesktop.systemd1.Manager", "GetUnit", &error, &reply, "s", unit);
        if (r < 0)
                return log_debug_errno(r, "No unit %s (%s), keeping drayd's limits.", unit, error.message), 0;
        r = sd_bus_message_read(reply, "o", &p);
        if (r < 0)
                return r;
        path = strdup(p);
        if (!path)
                return -ENOMEM;
        reply = sd_bus_message_unref(reply);
        r = sd_bus_call_method(bus, "org.freedesktop.systemd1", path, "org.freedesktop.DBus.Properties", "GetAll",
                               &error, &reply, "s", "org.freedesktop.systemd1.Scope");
        if (r < 0)
                return log_debug_errno(r, "Cannot read %s (%s), keeping drayd's limits.", unit, error.message), 0;
        r = bus_read_json(reply, 'a', "{sv}", 0, &scope);
        if (r < 0)
                return r;
        for (size_t k = 0; k < ELEMENTSOF(live_limits); k++) {
                json_object *v;

                if (!json_object_object_get_ex(scope, live_limits[k], &v))
                        continue;
                r = json_object_object_add(container, live_limits[k], json_object_get(v));
                if (r < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int inspect_live_limits(sd_bus *bus, json_object *array) {
        size_t n = json_object_array_length(array);
        int r;

        for (size_t k = 0; k < n; k++) {
                r = inspect_live_limits_one(bus, json_object_array_get_idx(array, k));
                if (r < 0)
                        return log_error_errno(r, "Failed to read the limits of a container's unit: %m");
        }
        return 0;
}

/* Network name → its org.dray1.Network properties, for NetworkSettings (gateway, prefix length). */
static int inspect_networks(sd_bus *bus, json_object **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_json_ json_object *array = json_object_new_array(), *map = json_object_new_object();
        _cleanup_strv_free_ char **paths = NULL;
        const char *name, *id, *subnet, *subnet6, *bridge, *path;
        int internal, r;

        if (!array || !map)
                return -ENOMEM;
        r = sd_bus_call_method(bus, DRAY_BUS_NAME, DRAY_MANAGER_PATH, DRAY_MANAGER_INTERFACE, "ListNetworks", &error,
                               &reply, NULL);
        if (r < 0)
                return log_debug_errno(r, "ListNetworks failed (%s), no network details.", error.message), 0;
        r = sd_bus_message_enter_container(reply, 'a', "(sssssbo)");
        while (r >= 0 && (r = sd_bus_message_read(reply, "(sssssbo)", &name, &id, &subnet, &subnet6, &bridge,
                                                  &internal, &path)) > 0)
                if (strv_extend(&paths, path) < 0)
                        return -ENOMEM;
        if (r < 0)
                return r;
        r = inspect_paths(bus, paths, DRAY_NETWORK_INTERFACE, array);
        if (r < 0)
                return r;
        for (size_t i = 0; i < json_object_array_length(array); i++) {
                json_object *n = json_object_array_get_idx(array, i);

                if (json_get_string(n, "Name", &name) >= 0 &&
                    json_object_object_add(map, name, json_object_get(n)) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(map);
        return 0;
}

/* Volume name → its Mountpoint, for Mounts. */
static int inspect_volumes(sd_bus *bus, json_object **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_json_ json_object *map = json_object_new_object();
        int r;

        if (!map)
                return -ENOMEM;
        r = sd_bus_call_method(bus, DRAY_BUS_NAME, DRAY_MANAGER_PATH, DRAY_MANAGER_INTERFACE, "ListVolumes", &error,
                               &reply, NULL);
        if (r < 0)
                return log_debug_errno(r, "ListVolumes failed (%s), no volume paths.", error.message), 0;
        r = sd_bus_message_enter_container(reply, 'a', "(sstbaso)");
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'r', "sstbaso")) > 0) {
                const char *name, *mountpoint;

                r = sd_bus_message_read(reply, "ss", &name, &mountpoint);
                if (r < 0)
                        return r;
                r = json_add_string(map, name, mountpoint);
                if (r < 0)
                        return r;
                r = sd_bus_message_skip(reply, "tbaso");
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(reply);
        }
        if (r < 0)
                return r;
        *ret = TAKE_PTR(map);
        return 0;
}

static bool any_has(json_object *array, const char *key) {
        for (size_t i = 0; i < json_object_array_length(array); i++) {
                json_object *v;

                if (json_object_object_get_ex(json_object_array_get_idx(array, i), key, &v) &&
                    json_object_is_type(v, json_type_array) && json_object_array_length(v) > 0)
                        return true;
        }
        return false;
}

/* Docker's sections beside the properties (inspect-document.h). */
static int inspect_documents(sd_bus *bus, json_object *array) {
        _cleanup_json_ json_object *networks = NULL, *volumes = NULL;
        int r;

        r = any_has(array, "Networks") ? inspect_networks(bus, &networks) : 0;
        if (r >= 0 && any_has(array, "Volumes"))
                r = inspect_volumes(bus, &volumes);
        for (size_t i = 0; r >= 0 && i < json_object_array_length(array); i++)
                r = inspect_document_build(json_object_array_get_idx(array, i), networks, volumes);
        if (r < 0)
                return log_error_errno(r, "Failed to build the inspect document: %m");
        return 0;
}

/* --format: one line per container, from the template. */
int inspect_format_check(const char *format) {
        _cleanup_(template_freep) Template *t = NULL;
        _cleanup_free_ char *error = NULL;
        int r;

        /* Check the syntax now, before any call; keys are checked against each object later. */
        r = template_parse(format, &t, &error);
        if (r == -EINVAL)
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "Invalid --format %s.", strna(error));
        if (r < 0)
                return log_oom();
        return 0;
}

int inspect_print_template(json_object *array, const char *format) {
        _cleanup_(template_freep) Template *t = NULL;
        size_t n = json_object_array_length(array);
        int failed = 0, r;

        r = template_parse(format, &t, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to parse the template: %m");
        for (size_t k = 0; k < n; k++) {
                _cleanup_free_ char *line = NULL, *error = NULL;

                r = template_render(t, json_object_array_get_idx(array, k), &line, &error);
                if (r == -ENOENT || r == -EINVAL) {
                        log_error("Failed to execute %s.", strna(error));
                        failed++;
                        continue;
                }
                if (r < 0)
                        return log_error_errno(r, "Failed to expand the template: %m");
                puts(line);
        }
        return failed;
}

int inspect_print(json_object *array, const char *format) {
        if (format)
                return inspect_print_template(array, format);
        puts(json_object_to_json_string_ext(array, JSON_OUTPUT_FLAGS));
        return 0;
}

int inspect_paths(sd_bus *bus, char **paths, const char *interface, json_object *array) {
        Inspect i = { .array = array, .interface = interface };

        return bus_call_each(bus, paths, BUS_TIMEOUT_DEFAULT, getall_build, getall_done, &i);
}

int verb_inspect(int argc, char *argv[]) {
        static const struct option options[] = {
                { "format", required_argument, NULL, 'f' },
                { "help",   no_argument,       NULL, 'h' },
                {}
        };
        const char *format = NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_json_ json_object *array = json_object_new_array();
        _cleanup_strv_free_ char **paths = NULL;
        Inspect i = { .array = array, .interface = DRAY_CONTAINER_INTERFACE };
        int c, r, failed = 0;

        getopt_reset();
        while ((c = cli_getopt(argc, argv, ":f:h", options)) >= 0)
                switch (c) {
                case 'f':
                        if (inspect_format_check(optarg) < 0)
                                return EXIT_USAGE;
                        format = optarg;
                        break;
                case 'h':
                        printf("Usage: dray inspect [OPTIONS] CONTAINER...\n\n"
                               "Print every property of the containers (org.dray1.Container) and docker's\n"
                               "sections (State, Config, HostConfig, Mounts, NetworkSettings) as a JSON\n"
                               "array; see dray-inspect(1) for each field.\n\n"
                               "Options:\n"
                               "  -f, --format TEMPLATE   Print TEMPLATE once per container instead, with\n"
                               "                          a Go template such as {{.State.Status}},\n"
                               "                          {{.NetworkSettings.IPAddress}} or {{json .Config.Labels}}\n"
                               "  -h, --help              Show this help\n"
                               "\nSee dray(1).\n");
                        return EXIT_SUCCESS;
                default:
                        log_option_error("inspect", argv, c);
                        return EXIT_USAGE;
                }
        if (container_args_check("inspect", argv + optind, 1, SIZE_MAX) < 0)
                return EXIT_USAGE;
        if (!array)
                return log_oom(), EXIT_FAILED;

        r = bus_connect(&bus);
        if (r < 0)
                return EXIT_FAILED;

        /* Two batches: resolve every argument, then fetch every object's properties. */
        r = bus_call_each(bus, argv + optind, BUS_TIMEOUT_DEFAULT, resolve_build, resolve_done, &i);
        if (r < 0)
                return EXIT_FAILED;
        failed += r;
        paths = TAKE_PTR(i.paths);
        r = bus_call_each(bus, paths, BUS_TIMEOUT_DEFAULT, getall_build, getall_done, &i);
        if (r < 0)
                return EXIT_FAILED;
        failed += r;
        if (inspect_live_limits(bus, array) < 0 || inspect_documents(bus, array) < 0)
                return EXIT_FAILED;

        if (format) {
                r = inspect_print_template(array, format);
                if (r < 0)
                        return EXIT_FAILED;
                failed += r;
        } else
                puts(json_object_to_json_string_ext(array, JSON_OUTPUT_FLAGS));
        if (fflush(stdout) != 0)
                return EXIT_FAILED;
        return failed > 0 ? EXIT_FAILED : EXIT_SUCCESS;
}

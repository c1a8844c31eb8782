/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dray volume create|ls|inspect|rm|prune: named volumes (CreateVolume, ListVolumes, RemoveVolume,
 * PruneVolumes on org.dray1.Manager). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bus-names.h"
#include "cli-bus.h"
#include "cli-time.h"
#include "cli-util.h"
#include "json-util.h"
#include "log.h"
#include "mount-spec.h"
#include "option-append.h"
#include "output-format.h"
#include "strv.h"
#include "table.h"
#include "utf8.h"
#include "verbs.h"

typedef struct VolumeArgs {
        char **labels;      /* create --label */
        char **options;     /* create -o/--opt KEY=VALUE (docker's local driver: type, device, o) */
        char **filters;     /* ls --filter */
        const char *format; /* ls --format FORMAT; inspect -f/--format TEMPLATE */
        bool quiet, force, all;
} VolumeArgs;

typedef struct VolumeRow {
        const char *name, *mountpoint, *path;
        uint64_t created_usec;
        int anonymous;
        char **labels;
} VolumeRow;

static void volume_row_done(VolumeRow *v) {
        v->labels = strv_free(v->labels);
}

static void volume_help(void) {
        printf("Usage: dray volume VERB [OPTIONS] [ARGS...]\n\n"
               "Manage named volumes: directories in /var/lib/dray/volumes that outlive containers.\n\n"
               "Verbs:\n"
               "  create [--label KEY=VALUE]... [-o|--opt KEY=VALUE]... [NAME]\n"
               "                                         Create a volume (a generated name without NAME);\n"
               "                                         --opt type=tmpfs --opt o=size=64m: in memory\n"
               "  ls [-q] [--format FORMAT] [--filter label=KEY[=VALUE]|name=NAME|dangling=true|false]\n"
               "                                         List volumes (FORMAT: table, json or a Go template)\n"
               "  inspect [-f TEMPLATE] NAME...          Show volumes as JSON, or TEMPLATE for each\n"
               "  rm [-f] NAME...                        Remove volumes no container uses (-f: no error\n"
               "                                         for missing ones)\n"
               "  prune [-a] [-f]                        Remove unused anonymous volumes (-a: every unused\n"
               "                                         volume); -f: do not ask\n"
               "\nSee dray-volume(1).\n");
}

static int call(sd_bus *bus, sd_bus_message *m, sd_bus_message **ret_reply) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_call(bus, m, 0, &error, ret_reply);
        if (r < 0)
                return log_bus_error(&error, r);
        return 0;
}

static int volume_create(sd_bus *bus, const char *name, const VolumeArgs *a) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        const char *created;
        int r;

        r = bus_new_manager_call(bus, &m, "CreateVolume");
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m");
        r = sd_bus_message_append(m, "s", strempty(name));
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m");
        r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m");
        r = option_append_strv(m, "Labels", a->labels, false);
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m");
        r = option_append_strv(m, "Options", a->options, false);
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m");
        r = sd_bus_message_close_container(m);
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m");
        r = call(bus, m, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "so", &created, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to parse the reply to CreateVolume: %m");
        puts(created);
        return 0;
}

/* label=KEY or label=KEY=VALUE, name=NAME (substring, as docker), dangling=true|false. */
static bool row_matches(const VolumeRow *v, char **filters, char **in_use) {
        STRV_FOREACH(f, filters) {
                const char *value = strchr(*f, '=') + 1;

                if (strneq(*f, "label=", 6)) {
                        bool key_only = !strchr(value, '='), found = false;
                        size_t klen = strlen(value);

                        STRV_FOREACH(l, v->labels)
                                if (key_only ? strneq(*l, value, klen) && (*l)[klen] == '=' : streq(*l, value))
                                        found = true;
                        if (!found)
                                return false;
                } else if (strneq(*f, "name=", 5)) {
                        if (!strstr(v->name, value))
                                return false;
                } else if (strneq(*f, "dangling=", 9)) {
                        if (streq(value, "true") == strv_contains(in_use, v->name))
                                return false;
                }
        }
        return true;
}

static int check_filter(const char *f) {
        if (!strneq(f, "label=", 6) && !strneq(f, "name=", 5) && !streq(f, "dangling=true") &&
            !streq(f, "dangling=false"))
                return log_invalid_value("--filter", f, -EINVAL,
                                         "label=KEY[=VALUE], name=NAME, dangling=true or dangling=false");
        return 0;
}

/* The names of the volumes any container mounts, for dangling=: one Volumes property per container. */
static int volumes_in_use(sd_bus *bus, char ***ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_strv_free_ char **l = NULL;
        const char *path;
        int r;

        r = bus_new_manager_call(bus, &m, "ListContainers");
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m");
        r = sd_bus_message_append(m, "b", 1);
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m");
        r = call(bus, m, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, 'a', "(sssssttio)");
        while (r >= 0 && (r = sd_bus_message_read(reply, "(sssssttio)", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                                                  NULL, &path)) > 0) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *p = NULL;
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                const char *name;

                if (sd_bus_get_property(bus, DRAY_BUS_NAME, path, DRAY_CONTAINER_INTERFACE, "Volumes", &error, &p,
                                        "a(ssb)") < 0)
                        continue; /* removed meanwhile */
                r = sd_bus_message_enter_container(p, 'a', "(ssb)");
                while (r >= 0 && (r = sd_bus_message_read(p, "(ssb)", &name, NULL, NULL)) > 0)
                        if (!strv_contains(l, name) && strv_extend(&l, name) < 0)
                                return log_oom();
        }
        if (r < 0)
                return log_error_errno(r, "Failed to parse the containers' volumes: %m");
        *ret = TAKE_PTR(l);
        return 0;
}

static int read_row(sd_bus_message *reply, VolumeRow *v) {
        int r;

        v->labels = strv_free(v->labels);
        r = sd_bus_message_enter_container(reply, 'r', "sstbaso");
        if (r <= 0)
                return r;
        r = sd_bus_message_read(reply, "sstb", &v->name, &v->mountpoint, &v->created_usec, &v->anonymous);
        if (r < 0)
                return r;
        r = sd_bus_message_read_strv(reply, &v->labels);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "o", &v->path);
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(reply);
        if (r < 0)
                return r;
        return 1;
}

static int labels_to_json(char **labels, json_object **ret) {
        _cleanup_json_ json_object *o = json_object_new_object();

        if (!o)
                return -ENOMEM;
        STRV_FOREACH(l, labels) {
                _cleanup_free_ char *key = strndup(*l, strcspn(*l, "="));

                if (!key || json_add_string(o, key, strchr(*l, '=') + 1) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(o);
        return 0;
}

/* Docker's shape: CreatedAt, Driver, Labels {}, Mountpoint, Name, Options {}, Scope. */
static int row_to_json(const VolumeRow *v, json_object **ret) {
        _cleanup_json_ json_object *o = json_object_new_object(), *labels = NULL;
        char ts[TIMESTAMP_ISO_MAX];
        int r;

        if (!o || labels_to_json(v->labels, &labels) < 0)
                return -ENOMEM;
        r = json_add_string(o, "CreatedAt", format_timestamp_iso(ts, v->created_usec));
        if (r < 0)
                return r;
        r = json_add_string(o, "Driver", "local");
        if (r < 0)
                return r;
        if (json_object_object_add(o, "Labels", TAKE_PTR(labels)) < 0)
                return -ENOMEM;
        r = json_add_string(o, "Mountpoint", v->mountpoint);
        if (r < 0)
                return r;
        r = json_add_string(o, "Name", v->name);
        if (r < 0)
                return r;
        if (json_object_object_add(o, "Options", json_object_new_object()) < 0)
                return -ENOMEM;
        r = json_add_string(o, "Scope", "local");
        if (r < 0)
                return r;
        r = json_add_bool(o, "Anonymous", v->anonymous);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(o);
        return 0;
}

/* ls and inspect: every row of ListVolumes; each calls fn for the rows it wants. */
static int list_volumes(sd_bus *bus, sd_bus_message **ret_reply) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = bus_new_manager_call(bus, &m, "ListVolumes");
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m");
        r = call(bus, m, ret_reply);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(*ret_reply, 'a', "(sstbaso)");
        if (r < 0)
                return log_error_errno(r, "Failed to parse the reply to ListVolumes: %m");
        return 0;
}

static int volume_ls(sd_bus *bus, const VolumeArgs *a) {
        static const char *const headers[] = { "DRIVER", "VOLUME NAME" };
        static const char *const template_headers[] = { "Name", "VOLUME NAME", NULL };
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(table_freep) Table *t = table_new(ELEMENTSOF(headers), headers);
        _cleanup_json_ json_object *array = json_object_new_array();
        _cleanup_(output_format_done) OutputFormat format = {};
        _cleanup_strv_free_ char **in_use = NULL;
        _cleanup_(volume_row_done) VolumeRow v = {};
        int r;

        if (!t || !array)
                return log_oom();
        if (a->format && output_format_parse_option(a->format, &format) < 0)
                return -EINVAL;
        STRV_FOREACH(f, a->filters)
                if (strneq(*f, "dangling=", 9)) {
                        r = volumes_in_use(bus, &in_use);
                        if (r < 0)
                                return r;
                        break;
                }
        r = list_volumes(bus, &reply);
        if (r < 0)
                return r;
        while ((r = read_row(reply, &v)) > 0) {
                json_object *o = NULL;

                if (!row_matches(&v, a->filters, in_use))
                        continue;
                if (a->quiet)
                        puts(v.name);
                else if (format.kind != OUTPUT_DEFAULT) {
                        if (row_to_json(&v, &o) < 0 || json_object_array_add(array, o) < 0)
                                return json_object_put(o), log_oom();
                } else if (table_add_row(t, (const char *const[]) { "local", v.name }) < 0)
                        return log_oom();
        }
        if (r < 0)
                return log_error_errno(r, "Failed to parse the reply to ListVolumes: %m");
        if (a->quiet)
                return 0;
        if (format.kind == OUTPUT_JSON)
                puts(json_object_to_json_string_ext(array, JSON_OUTPUT_FLAGS));
        else if (format.kind == OUTPUT_TEMPLATE)
                return output_format_print_stdout(&format, array, template_headers);
        else
                (void) table_print(t, stdout);
        return 0;
}

/* A missing name gets GetVolume's own error (NoSuchVolume, with the daemon's words). */
static int report_missing(sd_bus *bus, const char *name) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = bus_new_manager_call(bus, &m, "GetVolume");
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m");
        r = sd_bus_message_append(m, "s", name);
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m");
        r = call(bus, m, NULL);
        if (r < 0)
                return r;
        return -ENOENT;
}

/* Options, docker's --opt as an object ({"type": "tmpfs", "o": "size=64m"}), from the Volume object. */
static int volume_add_options(sd_bus *bus, const VolumeRow *v, json_object *o) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_strv_free_ char **options = NULL;
        json_object *object = NULL;
        int r;

        r = sd_bus_get_property_strv(bus, DRAY_BUS_NAME, v->path, DRAY_VOLUME_INTERFACE, "Options", &error, &options);
        if (r < 0)
                return log_debug("No Options of %s: %s", v->name, error.message), 0;
        r = labels_to_json(options, &object);
        if (r < 0)
                return r;
        return json_object_object_add(o, "Options", object) < 0 ? -ENOMEM : 0;
}

static int volume_inspect(sd_bus *bus, char **names, const char *format) {
        _cleanup_json_ json_object *array = json_object_new_array();
        int failed = 0, r;

        if (!array)
                return log_oom();
        STRV_FOREACH(n, names) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
                _cleanup_(volume_row_done) VolumeRow v = {};
                bool found = false;

                r = list_volumes(bus, &reply);
                if (r < 0)
                        return r;
                while (!found && (r = read_row(reply, &v)) > 0)
                        if (streq(v.name, *n)) {
                                json_object *o = NULL;

                                found = true;
                                if (row_to_json(&v, &o) < 0 || volume_add_options(bus, &v, o) < 0 ||
                                    json_object_array_add(array, o) < 0)
                                        return json_object_put(o), log_oom();
                        }
                if (r < 0)
                        return log_error_errno(r, "Failed to parse the reply to ListVolumes: %m");
                if (!found) {
                        (void) report_missing(bus, *n);
                        failed++;
                }
        }
        r = inspect_print(array, format);
        if (r < 0)
                return r;
        return failed + r > 0 ? -EIO : 0;
}

static int volume_rm(sd_bus *bus, char **names, bool force) {
        int failed = 0;

        STRV_FOREACH(n, names) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                int r;

                r = bus_new_manager_call(bus, &m, "RemoveVolume");
                if (r < 0)
                        return log_error_errno(r, "Failed to build the call: %m");
                r = sd_bus_message_append(m, "s", *n);
                if (r < 0)
                        return log_error_errno(r, "Failed to build the call: %m");
                r = sd_bus_call(bus, m, 0, &error, NULL);
                if (r < 0 && force && sd_bus_error_has_name(&error, DRAY_ERROR_NO_SUCH_VOLUME))
                        continue;
                if (r < 0) {
                        log_bus_error(&error, r);
                        failed++;
                } else
                        puts(*n);
        }
        return failed > 0 ? -EIO : 0;
}

static bool confirm(const char *question) {
        char line[16] = "";

        fprintf(stderr, "%s [y/N] ", question);
        fflush(stderr);
        if (!fgets(line, sizeof(line), stdin))
                return false;
        return line[0] == 'y' || line[0] == 'Y';
}

static int volume_prune(sd_bus *bus, const VolumeArgs *a) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_strv_free_ char **removed = NULL;
        int r;

        if (!a->force && !confirm(a->all ? "WARNING! This removes every volume no container uses. Continue?"
                                         : "WARNING! This removes every anonymous volume no container uses. "
                                           "Continue?"))
                return 0;
        r = bus_new_manager_call(bus, &m, "PruneVolumes");
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m");
        r = sd_bus_message_append(m, "b", (int) a->all);
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m");
        r = call(bus, m, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_read_strv(reply, &removed);
        if (r < 0)
                return log_error_errno(r, "Failed to parse the reply to PruneVolumes: %m");
        if (removed)
                printf("Deleted Volumes:\n");
        STRV_FOREACH(n, removed)
                puts(*n);
        return 0;
}

enum {
        ARG_LABEL = 0x100,
        ARG_FORMAT,
        ARG_FILTER,
        ARG_DRIVER,
        ARG_OPT,
};

static int parse_args(const char *verb, int argc, char *argv[], VolumeArgs *a) {
        static const struct option options[] = {
                { "label",  required_argument, NULL, ARG_LABEL  },
                { "driver", required_argument, NULL, ARG_DRIVER },
                { "opt",    required_argument, NULL, 'o'        },
                { "format", required_argument, NULL, ARG_FORMAT },
                { "filter", required_argument, NULL, ARG_FILTER },
                { "quiet",  no_argument,       NULL, 'q'        },
                { "force",  no_argument,       NULL, 'f'        },
                { "all",    no_argument,       NULL, 'a'        },
                { "help",   no_argument,       NULL, 'h'        },
                {}
        };
        char what[32];
        int c;

        /* Errors name the verb as typed: "dray volume rm", never "dray rm". */
        (void) snprintf(what, sizeof(what), "volume %s", verb);
        getopt_reset();
        /* -f is --force, except for inspect where it is --format, as in docker. */
        while ((c = cli_getopt(argc, argv, streq(verb, "inspect") ? ":f:h" : ":qfad:o:h", options)) >= 0)
                switch (c) {
                case ARG_LABEL:
                        if (!strchr(optarg, '=') || optarg[0] == '=' || !utf8_is_valid(optarg))
                                return log_invalid_value("--label", optarg, -EINVAL, "KEY=VALUE");
                        if (strv_extend(&a->labels, optarg) < 0)
                                return log_oom();
                        break;
                case ARG_DRIVER:
                case 'd':
                        if (!streq(optarg, "local"))
                                return log_invalid_value("--driver", optarg, -EINVAL, "local (the only driver)");
                        break;
                case ARG_FORMAT:
                        a->format = optarg;
                        break;
                case 'o':
                        if (!strchr(optarg, '=') || optarg[0] == '=' || !utf8_is_valid(optarg))
                                return log_invalid_value("--opt", optarg, -EINVAL, "KEY=VALUE (type=tmpfs, device=tmpfs, o=OPTIONS)");
                        if (strv_extend(&a->options, optarg) < 0)
                                return log_oom();
                        break;
                case ARG_FILTER:
                        if (check_filter(optarg) < 0)
                                return -EINVAL;
                        if (strv_extend(&a->filters, optarg) < 0)
                                return log_oom();
                        break;
                case 'q': a->quiet = true; break;
                case 'f':
                        if (optarg)
                                a->format = optarg;
                        else
                                a->force = true;
                        break;
                case 'a': a->all = true; break;
                case 'h':
                        volume_help();
                        return 1;
                default:
                        return log_option_error(what, argv, c);
                }
        return 0;
}

/* Which options and how many arguments each verb takes. */
static int check_usage(const char *verb, const VolumeArgs *a, int n, char **args) {
        bool ok;

        if (streq(verb, "create"))
                ok = n <= 1 && !a->quiet && !a->format && !a->filters && !a->force && !a->all;
        else if (streq(verb, "ls"))
                ok = n == 0 && !a->labels && !a->options && !a->force && !a->all;
        else if (streq(verb, "prune"))
                ok = n == 0 && !a->labels && !a->options && !a->quiet && !a->format && !a->filters;
        else /* inspect, rm */
                ok = n >= 1 && !a->labels && !a->options && !a->quiet && !a->filters && !a->all &&
                        (streq(verb, "rm") ? !a->format : !a->force);
        if (!ok)
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "Wrong options or arguments for 'dray volume %s'; "
                                       "see 'dray volume --help'.", verb);
        for (int i = 0; i < n; i++)
                if (!volume_name_is_valid(args[i]))
                        return log_invalid_value("volume name", args[i], -EINVAL,
                                                 "1-128 of a-z, A-Z, 0-9, '_', '.' and '-', starting with a letter "
                                                 "or digit");
        return 0;
}

static const char *canonical_verb(const char *verb) {
        static const char *const aliases[][2] = {
                { "create", "create" }, { "ls", "ls" }, { "list", "ls" }, { "inspect", "inspect" },
                { "rm", "rm" }, { "remove", "rm" }, { "prune", "prune" },
        };

        for (size_t i = 0; i < ELEMENTSOF(aliases); i++)
                if (streq(verb, aliases[i][0]))
                        return aliases[i][1];
        return NULL;
}

int verb_volume(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_strv_free_ char **labels = NULL, **filters = NULL, **options = NULL;
        VolumeArgs a = {};
        const char *verb;
        char **args;
        int n, r;

        if (argc < 2 || streq(argv[1], "--help") || streq(argv[1], "-h")) {
                volume_help();
                return argc < 2 ? EXIT_USAGE : EXIT_SUCCESS;
        }
        verb = canonical_verb(argv[1]);
        if (!verb)
                return log_error("Unknown verb 'dray volume %s'; see 'dray volume --help'.", argv[1]), EXIT_USAGE;
        r = parse_args(argv[1], argc - 1, argv + 1, &a);
        labels = a.labels;
        filters = a.filters;
        options = a.options;
        if (r != 0)
                return r > 0 ? EXIT_SUCCESS : EXIT_USAGE;
        args = argv + 1 + optind;
        n = argc - 1 - optind;
        if (check_usage(verb, &a, n, args) < 0)
                return EXIT_USAGE;
        if (a.format && streq(verb, "inspect") && inspect_format_check(a.format) < 0)
                return EXIT_USAGE;

        r = bus_connect(&bus);
        if (r < 0)
                return EXIT_FAILED;
        if (streq(verb, "create"))
                r = volume_create(bus, n > 0 ? args[0] : NULL, &a);
        else if (streq(verb, "ls"))
                r = volume_ls(bus, &a);
        else if (streq(verb, "inspect"))
                r = volume_inspect(bus, args, a.format);
        else if (streq(verb, "rm"))
                r = volume_rm(bus, args, a.force);
        else
                r = volume_prune(bus, &a);
        if (fflush(stdout) != 0)
                return EXIT_FAILED;
        return r < 0 ? EXIT_FAILED : EXIT_SUCCESS;
}

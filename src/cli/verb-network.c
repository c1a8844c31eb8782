/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dray network create|ls|inspect|rm|connect|disconnect, and dray port. */
#include <arpa/inet.h>
#include <getopt.h>
#include <string.h>

#include "bus-names.h"
#include "cli-bus.h"
#include "cli-util.h"
#include "json-fields.h"
#include "json-util.h"
#include "log.h"
#include "name.h"
#include "output-format.h"
#include "strv.h"
#include "table.h"
#include "verbs.h"

static bool verb_is(const char *verb, const char *const *names) {
        for (; *names; names++)
                if (streq(verb, *names))
                        return true;
        return false;
}

typedef struct NetworkArgs {
        const char *subnet, *gateway, *subnet6, *gateway6, *ip;
        bool internal, force, quiet;
        char **aliases;
        const char *format;     /* ls: --format FORMAT; inspect: -f/--format TEMPLATE */
} NetworkArgs;

static void network_help(void) {
        printf("Usage: dray network VERB [OPTIONS] [ARGS...]\n\n"
               "Manage bridge networks.\n\n"
               "Verbs:\n"
               "  create [--subnet CIDR] [--gateway IP] [--ipv6 --subnet6 CIDR [--gateway6 IP]] [--internal] NAME\n"
               "  ls [-q] [--format FORMAT]       List networks (FORMAT: table, json or a Go template)\n"
               "  inspect [-f TEMPLATE] NAME...   Show networks as JSON, or TEMPLATE for each\n"
               "  rm NAME...                      Remove networks\n"
               "  connect [--ip IP] [--alias NAME] NETWORK CONTAINER\n"
               "  disconnect [-f] NETWORK CONTAINER\n"
               "\nSee dray(1).\n");
}

static int call(sd_bus *bus, sd_bus_message *m, sd_bus_message **ret_reply) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_call(bus, m, 0, &error, ret_reply);
        if (r < 0)
                return log_bus_error(&error, r);
        return 0;
}

static int append_s(sd_bus_message *m, const char *key, const char *value) {
        return value ? sd_bus_message_append(m, "{sv}", key, "s", value) : 0;
}

/* CreateNetwork's a{sv}: only the options given. */
static int append_create_options(sd_bus_message *m, const NetworkArgs *a) {
        int r;

        r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        r = append_s(m, "Subnet", a->subnet);
        if (r < 0)
                return r;
        r = append_s(m, "Gateway", a->gateway);
        if (r < 0)
                return r;
        r = append_s(m, "Subnet6", a->subnet6);
        if (r < 0)
                return r;
        r = append_s(m, "Gateway6", a->gateway6);
        if (r < 0)
                return r;
        if (a->internal) {
                r = sd_bus_message_append(m, "{sv}", "Internal", "b", 1);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(m);
}

static int network_create(sd_bus *bus, const char *name, const NetworkArgs *a) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        int r;

        r = bus_new_manager_call(bus, &m, "CreateNetwork");
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m");
        r = sd_bus_message_append(m, "s", name);
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m");
        r = append_create_options(m, a);
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m");
        r = call(bus, m, &reply);
        if (r < 0)
                return r;
        puts(name);
        return 0;
}

/* docker's keys: ID, Name, Driver, Scope, Internal, IPv6; and dray's: Id (in full), Subnet, Subnet6, Bridge. */
static int network_row(json_object *array, const char *name, const char *id, const char *subnet,
                       const char *subnet6, const char *bridge, bool internal) {
        _cleanup_json_ json_object *o = json_object_new_object();
        _cleanup_free_ char *short_id = strndup(id, 12);
        int r;

        if (!o || !short_id)
                return -ENOMEM;
        r = json_add_fieldsv(o, { "ID", json_string(short_id) }, { "Id", json_string(id) }, { "Name", json_string(name) },
                             { "Driver", json_string("bridge") }, { "Scope", json_string("local") },
                             { "Internal", json_object_new_boolean(internal) },
                             { "IPv6", json_object_new_boolean(!isempty(subnet6)) }, { "Subnet", json_string(subnet) },
                             { "Subnet6", json_string(subnet6) }, { "Bridge", json_string(bridge) });
        if (r < 0 || json_object_array_add(array, o) < 0)
                return -ENOMEM;
        o = NULL;
        return 0;
}

static int network_table(json_object *array) {
        static const char *const headers[] = { "NETWORK ID", "NAME", "DRIVER", "SUBNET", "BRIDGE", "INTERNAL" };
        _cleanup_(table_freep) Table *t = table_new(ELEMENTSOF(headers), headers);

        if (!t)
                return log_oom();
        for (size_t i = 0; i < json_object_array_length(array); i++) {
                json_object *o = json_object_array_get_idx(array, i);
                const char *id = NULL, *name = NULL, *subnet = NULL, *subnet6 = NULL, *bridge = NULL;
                _cleanup_free_ char *subnets = NULL;
                bool internal = false;

                (void) json_get_string(o, "ID", &id);
                (void) json_get_string(o, "Name", &name);
                (void) json_get_string(o, "Subnet", &subnet);
                (void) json_get_string(o, "Subnet6", &subnet6);
                (void) json_get_string(o, "Bridge", &bridge);
                (void) json_get_bool(o, "Internal", &internal);
                if (asprintf(&subnets, "%s%s%s", strempty(subnet), isempty(subnet6) ? "" : ",", strempty(subnet6)) < 0 ||
                    table_add_row(t, (const char *const[]) { id, name, "bridge", subnets, bridge,
                                                             internal ? "yes" : "no" }) < 0)
                        return log_oom();
        }
        return table_print(t, stdout);
}

static int network_ls(sd_bus *bus, const NetworkArgs *a) {
        static const char *const headers[] = { "ID", "NETWORK ID", "Id", "NETWORK ID", NULL };
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(output_format_done) OutputFormat format = {};
        _cleanup_json_ json_object *array = json_object_new_array();
        const char *name, *id, *subnet, *subnet6, *bridge, *path;
        int internal, r;

        if (!array)
                return log_oom();
        if (a->format && output_format_parse_option(a->format, &format) < 0)
                return -EINVAL;
        r = bus_new_manager_call(bus, &m, "ListNetworks");
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m");
        r = call(bus, m, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, 'a', "(sssssbo)");
        while (r >= 0 && (r = sd_bus_message_read(reply, "(sssssbo)", &name, &id, &subnet, &subnet6, &bridge,
                                                  &internal, &path)) > 0) {
                if (a->quiet) {
                        puts(name);
                        continue;
                }
                if (network_row(array, name, id, subnet, subnet6, bridge, internal) < 0)
                        return log_oom();
        }
        if (r < 0)
                return log_error_errno(r, "Failed to parse the reply to ListNetworks: %m");
        if (a->quiet)
                return 0;
        if (format.kind == OUTPUT_JSON)
                return puts(json_object_to_json_string_ext(array, JSON_OUTPUT_FLAGS)) < 0 ? -EIO : 0;
        if (format.kind == OUTPUT_TEMPLATE)
                return output_format_print_stdout(&format, array, headers);
        return network_table(array);
}

static int network_path(sd_bus *bus, const char *name, char **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        const char *path;
        int r;

        r = bus_new_manager_call(bus, &m, "GetNetwork");
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m");
        r = sd_bus_message_append(m, "s", name);
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m");
        r = call(bus, m, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return log_error_errno(r, "Failed to parse the reply to GetNetwork: %m");
        *ret = strdup(path);
        return *ret ? 0 : log_oom();
}

static int network_inspect(sd_bus *bus, char **names, const char *format) {
        _cleanup_json_ json_object *array = json_object_new_array();
        _cleanup_strv_free_ char **paths = NULL;
        int failed = 0, r;

        if (!array)
                return log_oom();
        STRV_FOREACH(n, names) {
                char *p = NULL;

                if (network_path(bus, *n, &p) < 0) {
                        failed++;
                        continue;
                }
                if (strv_consume(&paths, p) < 0)
                        return log_oom();
        }
        r = inspect_paths(bus, paths, DRAY_NETWORK_INTERFACE, array);
        if (r < 0)
                return r;
        failed += r;
        r = inspect_print(array, format);
        if (r < 0)
                return r;
        return failed + r > 0 ? -EIO : 0;
}

static int network_rm(sd_bus *bus, char **names) {
        int failed = 0;

        STRV_FOREACH(n, names) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
                int r;

                r = bus_new_manager_call(bus, &m, "RemoveNetwork");
                if (r < 0)
                        return log_error_errno(r, "Failed to build the call: %m");
                r = sd_bus_message_append(m, "s", *n);
                if (r < 0)
                        return log_error_errno(r, "Failed to build the call: %m");
                if (call(bus, m, NULL) < 0)
                        failed++;
                else
                        puts(*n);
        }
        return failed > 0 ? -EIO : 0;
}

/* ConnectContainer's a{sv}: IPAddress and NetworkAliases when given. */
static int append_connect_options(sd_bus_message *m, const NetworkArgs *a) {
        int r;

        r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        r = append_s(m, "IPAddress", a->ip);
        if (r < 0)
                return r;
        if (a->aliases) {
                r = sd_bus_message_open_container(m, 'e', "sv");
                if (r < 0)
                        return r;
                r = sd_bus_message_append(m, "s", "NetworkAliases");
                if (r < 0)
                        return r;
                r = sd_bus_message_open_container(m, 'v', "as");
                if (r < 0)
                        return r;
                r = sd_bus_message_append_strv(m, a->aliases);
                if (r < 0)
                        return r;
                r = sd_bus_message_close_container(m);
                if (r < 0)
                        return r;
                r = sd_bus_message_close_container(m);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(m);
}

static int network_connect(sd_bus *bus, bool connect, const char *network, const char *container,
                           const NetworkArgs *a) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = bus_new_manager_call(bus, &m, connect ? "ConnectContainer" : "DisconnectContainer");
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m");
        r = sd_bus_message_append(m, "ss", network, container);
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m");
        if (connect)
                r = append_connect_options(m, a);
        else
                r = sd_bus_message_append(m, "b", (int) a->force);
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m");
        return call(bus, m, NULL);
}

enum {
        ARG_SUBNET = 0x100,
        ARG_GATEWAY,
        ARG_SUBNET6,
        ARG_GATEWAY6,
        ARG_IPV6,
        ARG_INTERNAL,
        ARG_IP,
        ARG_ALIAS,
        ARG_FORMAT,
};

static int parse_args(const char *verb, int argc, char *argv[], NetworkArgs *a) {
        static const struct option options[] = {
                { "subnet",   required_argument, NULL, ARG_SUBNET   },
                { "gateway",  required_argument, NULL, ARG_GATEWAY  },
                { "subnet6",  required_argument, NULL, ARG_SUBNET6  },
                { "gateway6", required_argument, NULL, ARG_GATEWAY6 },
                { "ipv6",     no_argument,       NULL, ARG_IPV6     },
                { "internal", no_argument,       NULL, ARG_INTERNAL },
                { "ip",       required_argument, NULL, ARG_IP       },
                { "alias",    required_argument, NULL, ARG_ALIAS    },
                { "format",   required_argument, NULL, ARG_FORMAT   },
                { "force",    no_argument,       NULL, 'f'          },
                { "quiet",    no_argument,       NULL, 'q'          },
                { "help",     no_argument,       NULL, 'h'          },
                {}
        };
        char what[32];
        bool ipv6 = false;
        int c;

        /* Errors name the verb as typed: "dray network create", never "dray create". */
        (void) snprintf(what, sizeof(what), "network %s", verb);
        getopt_reset();
        /* -f is --force, except for inspect where it is --format, as in docker. */
        while ((c = cli_getopt(argc, argv, streq(verb, "inspect") ? ":f:h" : ":fqh", options)) >= 0)
                switch (c) {
                case ARG_SUBNET:   a->subnet = optarg; break;
                case ARG_GATEWAY:  a->gateway = optarg; break;
                case ARG_SUBNET6:  a->subnet6 = optarg; break;
                case ARG_GATEWAY6: a->gateway6 = optarg; break;
                case ARG_IPV6:     ipv6 = true; break;
                case ARG_INTERNAL: a->internal = true; break;
                case ARG_IP:       a->ip = optarg; break;
                case ARG_ALIAS:
                        if (!container_name_is_valid(optarg))
                                return log_invalid_value("--alias", optarg, -EINVAL, "1-63 letters, digits, '_', '.' and '-'");
                        if (strv_extend(&a->aliases, optarg) < 0)
                                return log_oom();
                        break;
                case 'f':
                        if (optarg)
                                a->format = optarg;
                        else
                                a->force = true;
                        break;
                case ARG_FORMAT:
                        if (!streq(verb, "ls") && !streq(verb, "list") && !streq(verb, "inspect"))
                                return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "Option '--format' is not for "
                                                       "'dray %s'; see 'dray network --help'.", what);
                        a->format = optarg;
                        break;
                case 'q':          a->quiet = true; break;
                case 'h':
                        network_help();
                        return 1;
                default:
                        return log_option_error(what, argv, c);
                }
        if (ipv6 && !a->subnet6)
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "--ipv6 needs --subnet6 CIDR (an IPv6 range of your own).");
        return 0;
}

static int expect_args(const char *verb, int n, size_t min, size_t max) {
        if ((size_t) n < min || (size_t) n > max)
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "Wrong number of arguments for 'dray network %s'; see "
                                       "'dray network --help'.", verb);
        return 0;
}

int verb_network(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_strv_free_ char **aliases = NULL;
        NetworkArgs a = {};
        const char *verb;
        char **args;
        int n, r;

        if (argc < 2 || streq(argv[1], "--help") || streq(argv[1], "-h")) {
                network_help();
                return argc < 2 ? EXIT_USAGE : EXIT_SUCCESS;
        }
        verb = argv[1];
        if (!verb_is(verb, (const char *const[]) { "create", "ls", "list", "inspect", "rm", "remove", "connect",
                                                   "disconnect", NULL }))
                return log_error("Unknown verb 'dray network %s'; see 'dray network --help'.", verb), EXIT_USAGE;
        r = parse_args(verb, argc - 1, argv + 1, &a);
        aliases = a.aliases;
        if (r != 0)
                return r > 0 ? EXIT_SUCCESS : EXIT_USAGE;
        if (a.format && streq(verb, "inspect") && inspect_format_check(a.format) < 0)
                return EXIT_USAGE;
        args = argv + 1 + optind;
        n = argc - 1 - optind;
        if (streq(verb, "create") || streq(verb, "connect") || streq(verb, "disconnect") ?
            expect_args(verb, n, streq(verb, "create") ? 1 : 2, streq(verb, "create") ? 1 : 2) < 0 :
            streq(verb, "ls") || streq(verb, "list") ? expect_args(verb, n, 0, 0) < 0 : expect_args(verb, n, 1, 1024) < 0)
                return EXIT_USAGE;

        r = bus_connect(&bus);
        if (r < 0)
                return EXIT_FAILED;
        if (streq(verb, "create"))
                r = network_create(bus, args[0], &a);
        else if (streq(verb, "ls") || streq(verb, "list"))
                r = network_ls(bus, &a);
        else if (streq(verb, "inspect"))
                r = network_inspect(bus, args, a.format);
        else if (streq(verb, "rm") || streq(verb, "remove"))
                r = network_rm(bus, args);
        else
                r = network_connect(bus, streq(verb, "connect"), args[0], args[1], &a);
        if (fflush(stdout) != 0)
                return EXIT_FAILED;
        return r < 0 ? EXIT_FAILED : EXIT_SUCCESS;
}

/* ---- dray port --------------------------------------------------------------------------------- */

int verb_port(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        const char *path, *ip, *proto;
        uint16_t host_port, port;
        int r;

        static const struct option options[] = { { "help", no_argument, NULL, 'h' }, {} };
        int c;

        getopt_reset();
        while ((c = cli_getopt(argc, argv, ":h", options)) >= 0) {
                if (c != 'h')
                        return log_option_error("port", argv, c), EXIT_USAGE;
                printf("Usage: dray port CONTAINER\n\nList the published ports of a running container as\n"
                       "PORT/PROTO -> HOSTADDRESS:HOSTPORT.\n\nSee dray(1).\n");
                return EXIT_SUCCESS;
        }
        if (container_args_check("port", argv + optind, 1, 1) < 0)
                return EXIT_USAGE;
        r = bus_connect(&bus);
        if (r < 0)
                return EXIT_FAILED;
        r = bus_new_manager_call(bus, &m, "GetContainer");
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m"), EXIT_FAILED;
        r = sd_bus_message_append(m, "s", argv[optind]);
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m"), EXIT_FAILED;
        r = call(bus, m, &reply);
        if (r < 0)
                return EXIT_FAILED;
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return log_error_errno(r, "Failed to parse the reply: %m"), EXIT_FAILED;
        reply = sd_bus_message_unref(reply);
        r = sd_bus_get_property(bus, DRAY_BUS_NAME, path, DRAY_CONTAINER_INTERFACE, "Ports", &error, &reply, "a(sqqs)");
        if (r < 0)
                return log_bus_error(&error, r), EXIT_FAILED;
        r = sd_bus_message_enter_container(reply, 'a', "(sqqs)");
        while (r >= 0 && (r = sd_bus_message_read(reply, "(sqqs)", &ip, &host_port, &port, &proto)) > 0) {
                bool v6 = strchr(ip, ':');

                printf("%u/%s -> %s%s%s:%u\n", port, proto, v6 ? "[" : "", isempty(ip) ? "0.0.0.0" : ip, v6 ? "]" : "",
                       host_port);
        }
        if (r < 0)
                return log_error_errno(r, "Failed to parse the ports: %m"), EXIT_FAILED;
        return fflush(stdout) != 0 ? EXIT_FAILED : EXIT_SUCCESS;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dray: the command line client of drayd (org.dray1 on the system bus). */
#include <getopt.h>
#include <string.h>

#include "cli-remote.h"
#include "cli-util.h"
#include "config.h"
#include "container-state.h"
#include "log.h"
#include "verbs.h"

typedef struct Verb {
        const char *name;
        int (*func)(int argc, char *argv[]);
        const char *summary;
} Verb;

static int verb_version(int argc, char *argv[]);
static int verb_container(int argc, char *argv[]);
static int verb_help(int argc, char *argv[]);

static const Verb verbs[] = {
        { "run",     verb_run,     "Create and start a container, and wait for it"  },
        { "create",  verb_create,  "Create a container without starting it"         },
        { "start",   verb_start,   "Start containers"                               },
        { "stop",    verb_stop,    "Stop containers (stop signal, then SIGKILL)"    },
        { "kill",    verb_kill,    "Send a signal to containers"                    },
        { "restart", verb_restart, "Stop and start containers"                      },
        { "rm",      verb_rm,      "Remove containers"                              },
        { "wait",    verb_wait,    "Wait for containers and print their exit statuses" },
        { "ps",      verb_ps,      "List containers"                                },
        { "inspect", verb_inspect, "Show all properties of containers as JSON"      },
        { "exec",    verb_exec,    "Run a command in a running container"           },
        { "attach",  verb_attach,  "Attach to a running container's output and input" },
        { "logs",    verb_logs,    "Show a container's output from the journal"     },
        { "image",   verb_image,   "Manage images (import, load, save, ls, rm, ...)" },
        { "images",  verb_images,  "List images (dray image ls)"                    },
        { "tag",     verb_image_alias, "Give an image another name (dray image tag)" },
        { "rmi",     verb_image_alias, "Remove images (dray image rm)"              },
        { "load",    verb_image_alias, "Load images from an archive (dray image load)" },
        { "save",    verb_image_alias, "Write images to an archive (dray image save)" },
        { "history", verb_image_alias, "Show an image's history (dray image history)" },
        { "export",  verb_export,  "Write a container's file system as a tar"       },
        { "commit",  verb_commit,  "Make an image of a container's changes"         },
        { "pull",    verb_pull,    "Fetch an image from a registry"                 },
        { "push",    verb_push,    "Upload an image to a registry"                  },
        { "login",   verb_login,   "Store credentials for a registry"               },
        { "logout",  verb_logout,  "Remove stored registry credentials"             },
        { "port",    verb_port,    "List a container's published ports"             },
        { "network", verb_network, "Manage networks (create, ls, inspect, rm, connect, disconnect)" },
        { "pause",   verb_pause,   "Freeze every process of containers"             },
        { "unpause", verb_unpause, "Thaw paused containers"                         },
        { "update",  verb_update,  "Change limits, restart policy, health check"    },
        { "rename",  verb_rename,  "Rename a container"                             },
        { "top",     verb_top,     "List the processes of a container"              },
        { "stats",   verb_stats,   "Show CPU, memory, PIDs and I/O of containers"   },
        { "events",  verb_events,  "Show events of containers, images, networks, volumes" },
        { "cp",      verb_cp,      "Copy files between a container and the host"    },
        { "volume",  verb_volume,  "Manage volumes (create, ls, inspect, rm, prune)" },
        { "schedule", verb_schedule, "Run containers as jobs from systemd timers (create, ls, rm)" },
        { "generate", verb_generate, "Print a container as a dray.container(5) file or service" },
        { "diff",    verb_diff,    "List the files a container changed against its image" },
        { "container", verb_container, "Manage containers (prune; ls, rm, ... as the verbs above)" },
        { "system",  verb_system,  "Disk usage (df) and removing what nothing uses (prune)" },
        { "healthcheck", verb_healthcheck, "Run a container's health check now (run)" },
        { "version", verb_version, "Show the version"                               },
        { "help",    verb_help,    "Show this help, or a verb's help"               },
};

static void help(void) {
        printf("Usage: dray [-H [USER@]HOST[:PORT]] [--help|--version] VERB [OPTIONS] [ARGS...]\n\n"
               "Manage containers through drayd, the dray daemon (org.dray1 on the system bus).\n\n"
               "Verbs:\n");
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                printf("  %-9s %s\n", verbs[i].name, verbs[i].summary);
        printf("\nOptions:\n"
               "  -H, --host [USER@]HOST[:PORT]\n"
               "                   Manage the containers of another machine, over ssh (default:\n"
               "                   $DRAY_HOST, else this machine)\n"
               "  -h, --help       Show this help\n"
               "      --version    Show the version\n"
               "\nRun 'dray VERB --help' for a verb's options. See dray(1).\n");
}

static int verb_version(int argc, char *argv[]) {
        static const struct option options[] = { { "help", no_argument, NULL, 'h' }, {} };
        int c;

        getopt_reset();
        while ((c = cli_getopt(argc, argv, ":h", options)) >= 0) {
                if (c != 'h')
                        return log_option_error("version", argv, c), EXIT_DRAY_FAILED;
                printf("Usage: dray version\n\nShow the version of dray.\n");
                return EXIT_SUCCESS;
        }
        if (optind < argc)
                return log_error("'dray version' takes no arguments."), EXIT_DRAY_FAILED;
        printf("dray %s\n", DRAY_VERSION);
        return EXIT_SUCCESS;
}

static const Verb *verb_find(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(verbs[i].name, name))
                        return &verbs[i];
        return NULL;
}

static int verb_help(int argc, char *argv[]) {
        const Verb *v;

        if (argc <= 1) {
                help();
                return EXIT_SUCCESS;
        }
        v = verb_find(argv[1]);
        if (!v || v->func == verb_help) {
                if (!v)
                        return log_error("Unknown verb '%s'; see 'dray --help'.", argv[1]), EXIT_DRAY_FAILED;
                help();
                return EXIT_SUCCESS;
        }
        return v->func(2, (char *[]) { argv[1], (char *) "--help", NULL });
}

/* docker container VERB: prune is its own; ls (list) is ps; the others are the top-level verbs. */
static int verb_container(int argc, char *argv[]) {
        static const char *const own[] = { "run", "create", "start", "stop", "kill", "restart", "rm", "wait", "ps",
                                           "inspect", "exec", "logs", "export", "commit", "port", "pause", "unpause",
                                           "update", "rename", "top", "stats", "cp", "diff" };
        const Verb *v = NULL;

        if (argc < 2 || streq(argv[1], "--help") || streq(argv[1], "-h")) {
                printf("Usage: dray container VERB [OPTIONS] [ARGS...]\n\nVerbs:\n"
                       "  prune     Remove every stopped container\n"
                       "  ls        List containers (dray ps)\n");
                for (size_t i = 0; i < ELEMENTSOF(own); i++)
                        printf("  %-9s (dray %s)\n", own[i], own[i]);
                printf("\nSee dray(1).\n");
                return argc < 2 ? EXIT_DRAY_FAILED : EXIT_SUCCESS;
        }
        if (streq(argv[1], "prune"))
                return verb_container_prune(argc - 1, argv + 1);
        if (streq(argv[1], "ls") || streq(argv[1], "list"))
                return verb_ps(argc - 1, argv + 1);
        for (size_t i = 0; i < ELEMENTSOF(own); i++)
                if (streq(argv[1], own[i]))
                        v = verb_find(own[i]);
        if (!v)
                return log_error("Unknown verb 'container %s'; see 'dray container --help'.", argv[1]), EXIT_DRAY_FAILED;
        return v->func(argc - 1, argv + 1);
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help",    no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                { "host",    required_argument, NULL, 'H' },
                {}
        };
        const char *host = getenv("DRAY_HOST");
        const Verb *v;
        int c;

        log_set_program_name("dray");
        log_set_max_level(getenv("DRAY_DEBUG") ? LOG_DEBUG : LOG_INFO);

        getopt_reset();
        while ((c = cli_getopt(argc, argv, "+:hH:", options)) >= 0)
                switch (c) {
                case 'H':
                        host = optarg;
                        break;
                case 'h':
                        help();
                        return EXIT_SUCCESS;
                case 'V':
                        return verb_version(1, argv);
                default:
                        log_option_error(NULL, argv, c);
                        return EXIT_DRAY_FAILED;
                }

        if (optind >= argc)
                return log_error("No verb given; see 'dray --help'."), EXIT_DRAY_FAILED;
        v = verb_find(argv[optind]);
        if (!v)
                return log_error("Unknown verb '%s'; see 'dray --help'.", argv[optind]), EXIT_DRAY_FAILED;
        cli_remote_set(host, argc - optind, argv + optind);
        return v->func(argc - optind, argv + optind);
}

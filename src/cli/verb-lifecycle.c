/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dray stop, kill, restart, rm, wait: one call per container, issued together. */
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>

#include "bus-names.h"
#include "cli-bus.h"
#include "cli-util.h"
#include "log.h"
#include "parse-util.h"
#include "rm-volumes.h"
#include "strv.h"
#include "verbs.h"

typedef struct Lifecycle {
        const char *verb;
        const char *member;   /* org.dray1.Manager method, taking the container first */
        char arg_type;        /* of its second argument: 't', 'i', 'b', or 0 for none */
        uint64_t arg_u64;
        int32_t arg_i;
        bool arg_b;
        bool print_status;    /* wait: print the reply's exit status instead of the argument */
        bool ignore_missing;  /* rm --force: a container that is not there is reported, not failed */
        bool ignore_quietly;  /* stop/rm --ignore (podman's): ... and not even reported */
        bool remove_volumes;  /* rm -v: and the containers' anonymous volumes (rm-volumes.h) */
        uint64_t timeout_usec;
} Lifecycle;

static int lifecycle_build(sd_bus *bus, const char *arg, void *userdata, sd_bus_message **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        const Lifecycle *l = userdata;
        int r;

        r = bus_new_manager_call(bus, &m, l->member);
        if (r >= 0)
                r = sd_bus_message_append(m, "s", arg);
        if (r >= 0 && l->arg_type == 't')
                r = sd_bus_message_append(m, "t", l->arg_u64);
        if (r >= 0 && l->arg_type == 'i')
                r = sd_bus_message_append(m, "i", l->arg_i);
        if (r >= 0 && l->arg_type == 'b')
                r = sd_bus_message_append(m, "b", (int) l->arg_b);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(m);
        return 0;
}

static int lifecycle_done(const char *arg, sd_bus_message *reply, void *userdata) {
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        const Lifecycle *l = userdata;
        int32_t status;
        int r;

        if (e && (l->ignore_missing || l->ignore_quietly) && sd_bus_error_has_name(e, DRAY_ERROR_NO_SUCH_CONTAINER)) {
                if (!l->ignore_quietly)
                        (void) log_bus_error(e, -EIO);
                return 0;
        }
        if (e)
                return log_bus_error(e, -EIO);
        if (!l->print_status) {
                puts(arg);
                return 0;
        }
        r = sd_bus_message_read(reply, "i", &status);
        if (r < 0)
                return log_error_errno(r, "Failed to parse the reply to %s: %m", l->member);
        printf("%" PRIi32 "\n", status);
        /* `dray wait a b`: show each status as soon as it is known. */
        (void) fflush(stdout);
        return 0;
}

static int lifecycle_run(const Lifecycle *l, int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_strv_free_ char **volumes = NULL;
        int r;

        if (container_args_check(l->verb, argv + optind, 1, SIZE_MAX) < 0)
                return EXIT_USAGE;

        r = bus_connect(&bus);
        if (r < 0)
                return EXIT_FAILED;
        if (l->remove_volumes && rm_anonymous_volumes_collect(bus, argv + optind, &volumes) < 0)
                return EXIT_FAILED;
        r = bus_call_each(bus, argv + optind, l->timeout_usec, lifecycle_build, lifecycle_done, (void *) l);
        rm_anonymous_volumes_remove(bus, volumes);
        if (fflush(stdout) != 0)
                r = r < 0 ? r : 1;
        return r == 0 ? EXIT_SUCCESS : EXIT_FAILED;
}

static int parse_stop_timeout(const char *verb, const char *s, uint64_t *ret) {
        int r = parse_timespan_sec(s, ret);

        if (r < 0)
                return log_invalid_value(verb, s, r, "seconds, or a time such as 500ms or 2min");
        return 0;
}

/* stop and restart share their options. */
static int verb_stop_restart(int argc, char *argv[], const char *member, const char *what) {
        static const struct option options[] = {
                { "time",   required_argument, NULL, 't' },
                { "ignore", no_argument,       NULL, 'i' },
                { "help",   no_argument,       NULL, 'h' },
                {}
        };
        Lifecycle l = {
                .verb = argv[0],
                .member = member,
                .arg_type = 't',
                .arg_u64 = UINT64_MAX, /* each container's own StopTimeout */
                .timeout_usec = BUS_TIMEOUT_INFINITE,
        };
        int c;

        getopt_reset();
        while ((c = cli_getopt(argc, argv, ":t:ih", options)) >= 0)
                switch (c) {
                case 't':
                        if (parse_stop_timeout("--time", optarg, &l.arg_u64) < 0)
                                return EXIT_USAGE;
                        break;
                case 'i':
                        if (!streq(member, "StopContainer")) /* stop's alone, as in podman */
                                return log_option_error(argv[0], argv, '?'), EXIT_USAGE;
                        l.ignore_quietly = true;
                        break;
                case 'h':
                        printf("Usage: dray %s [OPTIONS] CONTAINER...\n\n%s\n\n"
                               "Options:\n"
                               "  -t, --time SEC   Wait this long after the stop signal before SIGKILL\n"
                               "                   (default: the container's --stop-timeout, 10 s)\n"
                               "%s"
                               "  -h, --help       Show this help\n"
                               "\nSee dray(1).\n", argv[0], what,
                               streq(member, "StopContainer") ?
                               "  -i, --ignore     Containers that do not exist are no error (silently)\n" : "");
                        return EXIT_SUCCESS;
                default:
                        log_option_error(argv[0], argv, c);
                        return EXIT_USAGE;
                }
        return lifecycle_run(&l, argc, argv);
}

int verb_stop(int argc, char *argv[]) {
        return verb_stop_restart(argc, argv, "StopContainer",
                                 "Stop running containers: send the stop signal, wait, then SIGKILL.");
}

int verb_restart(int argc, char *argv[]) {
        return verb_stop_restart(argc, argv, "RestartContainer",
                                 "Stop containers if running, then start them.");
}

int verb_kill(int argc, char *argv[]) {
        static const struct option options[] = {
                { "signal", required_argument, NULL, 's' },
                { "help",   no_argument,       NULL, 'h' },
                {}
        };
        Lifecycle l = {
                .verb = "kill",
                .member = "KillContainer",
                .arg_type = 'i',
                .arg_i = SIGKILL,
                .timeout_usec = BUS_TIMEOUT_DEFAULT,
        };
        int c, r;

        getopt_reset();
        while ((c = cli_getopt(argc, argv, ":s:h", options)) >= 0)
                switch (c) {
                case 's':
                        r = parse_signal(optarg, &l.arg_i);
                        if (r < 0)
                                return log_invalid_value("--signal", optarg, r,
                                                         "a signal name or number such as HUP or 1"),
                                       EXIT_USAGE;
                        break;
                case 'h':
                        printf("Usage: dray kill [OPTIONS] CONTAINER...\n\n"
                               "Send a signal to the processes of running containers.\n\n"
                               "Options:\n"
                               "  -s, --signal SIG   Signal to send (default: KILL)\n"
                               "  -h, --help         Show this help\n"
                               "\nSee dray(1).\n");
                        return EXIT_SUCCESS;
                default:
                        log_option_error("kill", argv, c);
                        return EXIT_USAGE;
                }
        return lifecycle_run(&l, argc, argv);
}

int verb_rm(int argc, char *argv[]) {
        static const struct option options[] = {
                { "force",  no_argument, NULL, 'f' },
                { "ignore", no_argument, NULL, 'i' },
                { "volumes", no_argument, NULL, 'v' },
                { "help",   no_argument, NULL, 'h' },
                {}
        };
        Lifecycle l = {
                .verb = "rm",
                .member = "RemoveContainer",
                .arg_type = 'b',
                .timeout_usec = BUS_TIMEOUT_INFINITE, /* --force stops it first */
        };
        int c;

        getopt_reset();
        while ((c = cli_getopt(argc, argv, ":fivh", options)) >= 0)
                switch (c) {
                case 'i':
                        l.ignore_quietly = true;
                        break;
                case 'v':
                        l.remove_volumes = true;
                        break;
                case 'f':
                        /* Docker's rm -f: also succeeds for containers that are already gone. */
                        l.arg_b = true;
                        l.ignore_missing = true;
                        break;
                case 'h':
                        printf("Usage: dray rm [OPTIONS] CONTAINER...\n\n"
                               "Remove containers that are not running.\n\n"
                               "Options:\n"
                               "  -f, --force     Kill (SIGKILL) running containers first; containers that do\n"
                               "                  not exist are reported but are not an error\n"
                               "  -i, --ignore    Containers that do not exist are no error (silently)\n"
                               "  -v, --volumes   Remove the containers' anonymous volumes too\n"
                               "  -h, --help      Show this help\n"
                               "\nSee dray(1).\n");
                        return EXIT_SUCCESS;
                default:
                        log_option_error("rm", argv, c);
                        return EXIT_USAGE;
                }
        return lifecycle_run(&l, argc, argv);
}

int verb_wait(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                {}
        };
        Lifecycle l = {
                .verb = "wait",
                .member = "WaitContainer",
                .print_status = true,
                .timeout_usec = BUS_TIMEOUT_INFINITE,
        };
        int c;

        getopt_reset();
        while ((c = cli_getopt(argc, argv, ":h", options)) >= 0)
                switch (c) {
                case 'h':
                        printf("Usage: dray wait CONTAINER...\n\n"
                               "Wait until containers are not running, and print their exit statuses, one\n"
                               "line each, in the order given.\n\n"
                               "Options:\n"
                               "  -h, --help   Show this help\n"
                               "\nSee dray(1).\n");
                        return EXIT_SUCCESS;
                default:
                        log_option_error("wait", argv, c);
                        return EXIT_USAGE;
                }
        return lifecycle_run(&l, argc, argv);
}

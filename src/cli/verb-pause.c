/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dray pause|unpause CONTAINER...: PauseContainer, UnpauseContainer. */
#include <stdio.h>

#include "cli-bus.h"
#include "cli-util.h"
#include "log.h"
#include "verbs.h"

typedef struct PauseVerb {
        const char *member;
} PauseVerb;

static int pause_build(sd_bus *bus, const char *arg, void *userdata, sd_bus_message **ret) {
        const PauseVerb *v = userdata;
        int r;

        r = bus_new_manager_call(bus, ret, v->member);
        return r < 0 ? r : sd_bus_message_append(*ret, "s", arg);
}

static int pause_done(const char *arg, sd_bus_message *reply, void *userdata) {
        if (sd_bus_message_is_method_error(reply, NULL))
                return log_bus_reply_error(reply);
        puts(arg);
        return 0;
}

static int pause_verb(int argc, char *argv[], bool pause) {
        static const struct option options[] = { { "help", no_argument, NULL, 'h' }, {} };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        PauseVerb v = { pause ? "PauseContainer" : "UnpauseContainer" };
        int c, r;

        getopt_reset();
        while ((c = cli_getopt(argc, argv, ":h", options)) >= 0) {
                if (c != 'h')
                        return log_option_error(argv[0], argv, c), EXIT_USAGE;
                printf("Usage: dray %s CONTAINER...\n\n%s\n\nSee dray(1).\n", argv[0],
                       pause ? "Freeze every process of running containers (state \"paused\")."
                             : "Thaw paused containers.");
                return EXIT_SUCCESS;
        }
        if (container_args_check(argv[0], argv + optind, 1, 1024) < 0)
                return EXIT_USAGE;
        r = bus_connect(&bus);
        if (r < 0)
                return EXIT_FAILED;
        r = bus_call_each(bus, argv + optind, BUS_TIMEOUT_DEFAULT, pause_build, pause_done, &v);
        if (fflush(stdout) != 0)
                return EXIT_FAILED;
        return r != 0 ? EXIT_FAILED : EXIT_SUCCESS;
}

int verb_pause(int argc, char *argv[]) {
        return pause_verb(argc, argv, true);
}

int verb_unpause(int argc, char *argv[]) {
        return pause_verb(argc, argv, false);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dray healthcheck run CONTAINER: the container's RunHealthcheck, as podman healthcheck run. */
#include <stdio.h>

#include "bus-names.h"
#include "cli-bus.h"
#include "cli-util.h"
#include "log.h"
#include "verbs.h"

/* Podman's exit statuses: 0 the check passed, 1 it failed, 125 it could not be run. */
#define EXIT_HEALTH_FAILED 1
#define EXIT_HEALTH_ERROR 125

static void healthcheck_help(void) {
        printf("Usage: dray healthcheck run CONTAINER\n\n"
               "Run the health check of a running container now and show its result: it counts\n"
               "towards the container's health as the periodic checks do.\n\n"
               "Verbs:\n"
               "  run       Run the check now\n\n"
               "Exit status: 0 if the check passed, 1 if it failed (the container's health is\n"
               "printed), 125 if it could not be run.\n\n"
               "See dray-healthcheck(1).\n");
}

static int healthcheck_run(sd_bus *bus, const char *container) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        const char *path, *status, *output;
        int32_t exit_code;
        int r;

        r = bus_new_manager_call(bus, &m, "GetContainer");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", container);
        if (r >= 0)
                r = sd_bus_call(bus, m, BUS_TIMEOUT_DEFAULT, &error, &reply);
        if (r < 0)
                return log_bus_error(&error, r), EXIT_HEALTH_ERROR;
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return log_error_errno(r, "Failed to parse the reply to GetContainer: %m"), EXIT_HEALTH_ERROR;
        m = sd_bus_message_unref(m);
        r = sd_bus_message_new_method_call(bus, &m, DRAY_BUS_NAME, path, DRAY_CONTAINER_INTERFACE,
                                           "RunHealthcheck");
        reply = sd_bus_message_unref(reply);
        /* The check has a timeout of its own (at most 7 days): wait for drayd's answer as long as it takes. */
        if (r >= 0)
                r = sd_bus_call(bus, m, BUS_TIMEOUT_INFINITE, &error, &reply);
        if (r < 0)
                return log_bus_error(&error, r), EXIT_HEALTH_ERROR;
        r = sd_bus_message_read(reply, "sis", &status, &exit_code, &output);
        if (r < 0)
                return log_error_errno(r, "Failed to parse the reply to RunHealthcheck: %m"), EXIT_HEALTH_ERROR;
        if (exit_code == 0)
                return EXIT_SUCCESS;
        puts(status);
        if (*output)
                log_info("%s", output);
        return EXIT_HEALTH_FAILED;
}

int verb_healthcheck(int argc, char *argv[]) {
        static const struct option options[] = { { "help", no_argument, NULL, 'h' }, {} };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int c, r;

        getopt_reset();
        while ((c = cli_getopt(argc, argv, "+:h", options)) >= 0) {
                if (c != 'h')
                        return log_option_error(argv[0], argv, c), EXIT_USAGE;
                healthcheck_help();
                return EXIT_SUCCESS;
        }
        if (optind >= argc)
                return log_error("'dray healthcheck' needs a verb: run."), EXIT_USAGE;
        if (!streq(argv[optind], "run"))
                return log_error("Unknown verb 'dray healthcheck %s'; the verb is run.", argv[optind]), EXIT_USAGE;
        if (optind + 2 != argc)
                return log_error("'dray healthcheck run' takes one container."), EXIT_USAGE;
        r = bus_connect(&bus);
        if (r < 0)
                return EXIT_HEALTH_ERROR;
        r = healthcheck_run(bus, argv[optind + 1]);
        return fflush(stdout) == 0 ? r : EXIT_HEALTH_ERROR;
}

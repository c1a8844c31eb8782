/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dray diff CONTAINER: what the container changed against its image (DiffContainer), as docker
 * diff prints it: "A /added", "C /changed", "D /deleted", by path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli-bus.h"
#include "cli-util.h"
#include "log.h"
#include "verbs.h"

typedef struct Change {
        char kind;
        const char *path;
} Change;

static int compare_change(const void *a, const void *b) {
        return strcmp(((const Change *) a)->path, ((const Change *) b)->path);
}

int verb_diff(int argc, char *argv[]) {
        static const struct option options[] = { { "help", no_argument, NULL, 'h' }, {} };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ Change *changes = NULL;
        const char *kind, *path;
        size_t n = 0;
        int truncated = 0, c, r;

        getopt_reset();
        while ((c = cli_getopt(argc, argv, ":h", options)) >= 0) {
                if (c != 'h')
                        return log_option_error("diff", argv, c), EXIT_USAGE;
                printf("Usage: dray diff CONTAINER\n\nList the files a container added (A), changed (C) and deleted (D)\n"
                       "against its image.\n\nSee dray-diff(1).\n");
                return EXIT_SUCCESS;
        }
        if (container_args_check("diff", argv + optind, 1, 1) < 0)
                return EXIT_USAGE;
        r = bus_connect(&bus);
        if (r < 0)
                return EXIT_FAILED;
        r = bus_new_manager_call(bus, &m, "DiffContainer");
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m"), EXIT_FAILED;
        r = sd_bus_message_append(m, "s", argv[optind]);
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m"), EXIT_FAILED;
        r = sd_bus_call(bus, m, BUS_TIMEOUT_INFINITE, &error, &reply);
        if (r < 0)
                return log_bus_error(&error, r), EXIT_FAILED;
        r = sd_bus_message_enter_container(reply, 'a', "(ss)");
        if (r < 0)
                return log_error_errno(r, "Failed to parse the reply: %m"), EXIT_FAILED;
        while ((r = sd_bus_message_read(reply, "(ss)", &kind, &path)) > 0) {
                Change *nc = reallocarray(changes, n + 1, sizeof(Change));

                if (!nc)
                        return log_oom(), EXIT_FAILED;
                changes = nc;
                changes[n++] = (Change) { kind[0], path };
        }
        if (r < 0)
                return log_error_errno(r, "Failed to parse the reply: %m"), EXIT_FAILED;
        r = sd_bus_message_exit_container(reply);
        if (r < 0)
                return log_error_errno(r, "Failed to parse the reply: %m"), EXIT_FAILED;
        r = sd_bus_message_read(reply, "b", &truncated);
        if (r < 0)
                return log_error_errno(r, "Failed to parse the reply: %m"), EXIT_FAILED;
        qsort(changes, n, sizeof(Change), compare_change);
        for (size_t i = 0; i < n; i++)
                printf("%c %s\n", changes[i].kind, changes[i].path);
        if (truncated)
                log_warning("The list is cut short: the container changed more than drayd lists at once.");
        return fflush(stdout) != 0 ? EXIT_FAILED : EXIT_SUCCESS;
}

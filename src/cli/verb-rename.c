/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dray rename CONTAINER NEW-NAME: RenameContainer. */
#include <stdio.h>

#include "cli-bus.h"
#include "cli-util.h"
#include "log.h"
#include "name.h"
#include "verbs.h"

int verb_rename(int argc, char *argv[]) {
        static const struct option options[] = { { "help", no_argument, NULL, 'h' }, {} };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int c, r;

        getopt_reset();
        while ((c = cli_getopt(argc, argv, ":h", options)) >= 0) {
                if (c != 'h')
                        return log_option_error("rename", argv, c), EXIT_USAGE;
                printf("Usage: dray rename CONTAINER NEW-NAME\n\nRename a container. A running one keeps its unit "
                       "(dray-OLD.scope) and\nmachine name until its next start.\n\nSee dray(1).\n");
                return EXIT_SUCCESS;
        }
        if (argc - optind != 2)
                return log_error("'dray rename' takes a container and its new name."), EXIT_USAGE;
        if (container_args_check("rename", (char *[]) { argv[optind], NULL }, 1, 1) < 0)
                return EXIT_USAGE;
        if (!container_name_is_valid(argv[optind + 1]))
                return log_invalid_value("new name", argv[optind + 1], -EINVAL,
                                         "1-63 of a-z, A-Z, 0-9, '_', '.' and '-', starting with a letter or digit"),
                       EXIT_USAGE;
        r = bus_connect(&bus);
        if (r < 0)
                return EXIT_FAILED;
        r = bus_new_manager_call(bus, &m, "RenameContainer");
        r = r < 0 ? r : sd_bus_message_append(m, "ss", argv[optind], argv[optind + 1]);
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m"), EXIT_FAILED;
        r = sd_bus_call(bus, m, BUS_TIMEOUT_DEFAULT, &error, NULL);
        if (r < 0)
                return log_bus_error(&error, r), EXIT_FAILED;
        return EXIT_SUCCESS;
}

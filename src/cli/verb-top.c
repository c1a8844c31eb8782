/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dray top CONTAINER: its processes (ListContainerProcesses), with the PID the host sees and the
 * one the container sees. */
#include <pwd.h>
#include <stdio.h>
#include <time.h>

#include "cli-bus.h"
#include "cli-util.h"
#include "log.h"
#include "table.h"
#include "verbs.h"

static void format_stime(char buf[static 16], uint64_t usec) {
        time_t t = (time_t) (usec / USEC_PER_SEC), now = time(NULL);
        struct tm tm;

        if (!localtime_r(&t, &tm)) {
                buf[0] = 0;
                return;
        }
        /* As ps: the time of day today, else the date. */
        (void) strftime(buf, 16, now - t < 24 * 3600 ? "%H:%M" : "%b%d", &tm);
}

int verb_top(int argc, char *argv[]) {
        static const char *const headers[] = { "UID", "PID", "CPID", "PPID", "STIME", "CMD" };
        static const struct option options[] = { { "help", no_argument, NULL, 'h' }, {} };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(table_freep) Table *t = table_new(ELEMENTSOF(headers), headers);
        uint32_t pid, ns_pid, ppid, uid;
        uint64_t start;
        const char *cmd;
        int c, r;

        if (!t)
                return log_oom(), EXIT_FAILED;
        getopt_reset();
        while ((c = cli_getopt(argc, argv, "+:h", options)) >= 0) {
                if (c != 'h')
                        return log_option_error("top", argv, c), EXIT_USAGE;
                printf("Usage: dray top CONTAINER\n\nList the processes of a running container: UID, PID as the "
                       "host sees it,\nCPID as the container sees it, PPID (host), STIME and CMD.\n\nSee dray(1).\n");
                return EXIT_SUCCESS;
        }
        if (argc - optind > 1)
                return log_error("'dray top' takes no ps options yet ('%s'); see 'dray top --help'.",
                                 argv[optind + 1]), EXIT_USAGE;
        if (container_args_check("top", argv + optind, 1, 1) < 0)
                return EXIT_USAGE;
        r = bus_connect(&bus);
        if (r < 0)
                return EXIT_FAILED;
        r = bus_new_manager_call(bus, &m, "ListContainerProcesses");
        r = r < 0 ? r : sd_bus_message_append(m, "s", argv[optind]);
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m"), EXIT_FAILED;
        r = sd_bus_call(bus, m, BUS_TIMEOUT_DEFAULT, &error, &reply);
        if (r < 0)
                return log_bus_error(&error, r), EXIT_FAILED;
        r = sd_bus_message_enter_container(reply, 'a', "(uuuuts)");
        while (r >= 0 && (r = sd_bus_message_read(reply, "(uuuuts)", &pid, &ns_pid, &ppid, &uid, &start, &cmd)) > 0) {
                char p[16], np[16], pp[16], u[16], st[16];
                struct passwd *pw = getpwuid(uid);

                (void) snprintf(p, sizeof(p), "%u", pid);
                (void) snprintf(np, sizeof(np), "%u", ns_pid);
                (void) snprintf(pp, sizeof(pp), "%u", ppid);
                (void) snprintf(u, sizeof(u), "%u", uid);
                format_stime(st, start);
                if (table_add_row(t, (const char *const[]) { pw ? pw->pw_name : u, p, np, pp, st, cmd }) < 0)
                        return log_oom(), EXIT_FAILED;
        }
        if (r < 0)
                return log_error_errno(r, "Failed to parse the reply: %m"), EXIT_FAILED;
        (void) table_print(t, stdout);
        return fflush(stdout) != 0 ? EXIT_FAILED : EXIT_SUCCESS;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* drayd: the dray daemon. Everything but main() lives in libdrayd-core, so tests can link it. */
#include <getopt.h>
#include <stdio.h>
#include <sys/resource.h>

#include "bus-errors.h"
#include "bus-introspect.h"
#include "config.h"
#include "log-control.h"
#include "log.h"
#include "manager-setup.h"

static const char *arg_bus_introspect = NULL;

static void help(void) {
        printf("Usage: drayd [OPTIONS]\n\n"
               "The dray container manager daemon (org.dray1 on the system bus). It is started by\n"
               "systemd, usually through bus activation; see drayd(8) and org.dray1(5).\n\n"
               "Options:\n"
               "  -h, --help                 Show this help\n"
               "      --version              Show the version\n"
               "      --bus-introspect=DIR   Write the D-Bus introspection data to DIR and exit\n");
}

static int parse_argv(int argc, char *argv[]) {
        enum { ARG_VERSION = 0x100, ARG_BUS_INTROSPECT };
        static const struct option options[] = {
                { "help",           no_argument,       NULL, 'h'               },
                { "version",        no_argument,       NULL, ARG_VERSION       },
                { "bus-introspect", required_argument, NULL, ARG_BUS_INTROSPECT },
                {}
        };
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        puts("drayd " DRAY_VERSION);
                        return 0;
                case ARG_BUS_INTROSPECT:
                        arg_bus_introspect = optarg;
                        break;
                default:
                        return -EINVAL;
                }
        if (optind < argc) {
                log_error("drayd takes no arguments; see drayd --help.");
                return -EINVAL;
        }
        return 1;
}

static void log_setup(void) {
        const char *e;
        int level;

        log_set_program_name("drayd");
        /* Under systemd our stderr is a journal stream: give it priorities. */
        log_control_set_target(getenv("JOURNAL_STREAM") ? LOG_TARGET_KMSG_PREFIX : LOG_TARGET_CONSOLE);
        e = getenv("DRAY_LOG_LEVEL");
        if (!e)
                e = getenv("SYSTEMD_LOG_LEVEL");
        if (e && (level = log_parse_level(e)) >= 0)
                log_set_max_level(level);
}

static void rlimit_nofile_bump(void) {
        struct rlimit rl;

        /* One pidfd per running container; the soft limit of 1024 would cap them. Monitors get
         * the original limit back (Manager.nofile_original). */
        if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= rl.rlim_max)
                return;
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
                log_debug_errno(errno, "Failed to raise RLIMIT_NOFILE, ignoring: %m");
}

static int run(int argc, char *argv[]) {
        _cleanup_(manager_freep) Manager *m = NULL;
        ManagerConfig config = MANAGER_CONFIG_DEFAULT;
        int r;

        log_setup();
        r = parse_argv(argc, argv);
        if (r <= 0)
                return r;
        if (arg_bus_introspect)
                return bus_introspect_write(arg_bus_introspect);

        r = dray_bus_errors_register();
        if (r < 0)
                return log_error_errno(r, "Failed to register the bus error map: %m");
        r = manager_new(&config, &m);
        if (r < 0)
                return log_error_errno(r, "Failed to allocate the manager: %m");
        rlimit_nofile_bump();
        r = manager_load(m);
        if (r < 0)
                return r;
        r = manager_connect_bus(m);
        if (r < 0)
                return r;
        log_debug("drayd " DRAY_VERSION " running.");
        return manager_run(m);
}

int main(int argc, char *argv[]) {
        int r = run(argc, argv);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

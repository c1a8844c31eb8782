/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dray update [OPTIONS] CONTAINER...: new resource limits (UpdateContainer), on the running scope at
 * once and for the next starts; a new restart policy or health check (--health-*, --no-healthcheck,
 * as podman update) at once. */
#include <stdio.h>

#include "cli-bus.h"
#include "cli-util.h"
#include "health-options.h"
#include "log.h"
#include "option-append.h"
#include "parse-util.h"
#include "restart-policy.h"
#include "run-options.h"
#include "verbs.h"

typedef struct UpdateArgs {
        uint64_t memory_max, cpu_quota_per_sec_usec, cpu_weight, tasks_max; /* UINT64_MAX - 1: keep */
        char restart[RESTART_POLICY_STRING_MAX]; /* "": keep */
        SpecHealth health;
        unsigned health_given; /* 1 << HealthOption */
} UpdateArgs;

#define KEEP (UINT64_MAX - 1)

static void update_args_done(UpdateArgs *a) {
        spec_health_done(&a->health);
}

static int update_build(sd_bus *bus, const char *arg, void *userdata, sd_bus_message **ret) {
        const UpdateArgs *a = userdata;
        const char *names[] = { "MemoryMax", "CPUQuotaPerSecUSec", "CPUWeight", "TasksMax" };
        const uint64_t values[] = { a->memory_max, a->cpu_quota_per_sec_usec, a->cpu_weight, a->tasks_max };
        int r;

        r = bus_new_manager_call(bus, ret, "UpdateContainer");
        r = r < 0 ? r : sd_bus_message_append(*ret, "s", arg);
        r = r < 0 ? r : sd_bus_message_open_container(*ret, 'a', "{sv}");
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(names); i++)
                if (values[i] != KEEP)
                        r = sd_bus_message_append(*ret, "{sv}", names[i], "t", values[i]);
        if (r >= 0 && a->restart[0])
                r = sd_bus_message_append(*ret, "{sv}", "RestartPolicy", "s", a->restart);
        if (r >= 0)
                r = health_options_append(*ret, &a->health, a->health_given);
        return r < 0 ? r : sd_bus_message_close_container(*ret);
}

static int update_done(const char *arg, sd_bus_message *reply, void *userdata) {
        if (sd_bus_message_is_method_error(reply, NULL))
                return log_bus_reply_error(reply);
        puts(arg);
        return 0;
}

static void update_help(void) {
        printf("Usage: dray update [OPTIONS] CONTAINER...\n\n"
               "Change resource limits: a running container's scope at once (systemctl show tells\n"
               "them), and every container's next starts. A new restart policy or health check\n"
               "applies at once.\n\n"
               "Options:\n"
               "  -m, --memory SIZE       Memory limit, e.g. 512m, 2g\n"
               "      --cpus N            CPU time limit in CPUs, e.g. 1.5\n"
               "      --cpu-shares N      Relative CPU weight, Docker style (2-262144)\n"
               "      --cpu-weight N      Relative CPU weight, cgroup v2 style (1-10000)\n"
               "      --pids-limit N      Maximum number of tasks\n"
               "      --restart POLICY    New restart policy: no, on-failure[:MAX], always or\n"
               "                          unless-stopped\n"
               "      --health-cmd CMD    New health check: a shell command, or a JSON array\n"
               "      --health-interval T, --health-timeout T, --health-start-period T,\n"
               "      --health-start-interval T  New times (0: the default)\n"
               "      --health-retries N  Failures in a row that make it unhealthy\n"
               "      --health-on-failure ACTION  none, kill, restart or stop\n"
               "      --no-healthcheck    Turn its health check off\n"
               "  -h, --help              Show this help\n"
               "\nSee dray(1).\n");
}

int verb_update(int argc, char *argv[]) {
        /* ARG_HEALTH + HealthOption for the --health-* options. */
        enum { ARG_CPUS = 0x100, ARG_CPU_SHARES, ARG_CPU_WEIGHT, ARG_PIDS_LIMIT, ARG_RESTART, ARG_HEALTH };
        static const struct option options[] = {
                { "memory",     required_argument, NULL, 'm'            },
                { "cpus",       required_argument, NULL, ARG_CPUS       },
                { "cpu-shares", required_argument, NULL, ARG_CPU_SHARES },
                { "cpu-weight", required_argument, NULL, ARG_CPU_WEIGHT },
                { "pids-limit", required_argument, NULL, ARG_PIDS_LIMIT },
                { "restart",    required_argument, NULL, ARG_RESTART    },
                { "health-cmd",            required_argument, NULL, ARG_HEALTH + HEALTH_OPTION_CMD            },
                { "health-interval",       required_argument, NULL, ARG_HEALTH + HEALTH_OPTION_INTERVAL       },
                { "health-timeout",        required_argument, NULL, ARG_HEALTH + HEALTH_OPTION_TIMEOUT        },
                { "health-retries",        required_argument, NULL, ARG_HEALTH + HEALTH_OPTION_RETRIES        },
                { "health-start-period",   required_argument, NULL, ARG_HEALTH + HEALTH_OPTION_START_PERIOD   },
                { "health-start-interval", required_argument, NULL, ARG_HEALTH + HEALTH_OPTION_START_INTERVAL },
                { "health-on-failure",     required_argument, NULL, ARG_HEALTH + HEALTH_OPTION_ON_FAILURE     },
                { "no-healthcheck",        no_argument,       NULL, ARG_HEALTH + HEALTH_OPTION_NO_HEALTHCHECK },
                { "help",       no_argument,       NULL, 'h'            },
                {}
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(update_args_done) UpdateArgs a = { KEEP, KEEP, KEEP, KEEP, "" };
        RestartPolicy policy;
        uint64_t v;
        int c, r;

        getopt_reset();
        while ((c = cli_getopt(argc, argv, ":m:h", options)) >= 0)
                switch (c) {
                case 'm':
                        r = parse_size(optarg, &a.memory_max);
                        if (r < 0)
                                return log_invalid_value("--memory", optarg, r, "a size such as 512m or 2g"), EXIT_USAGE;
                        break;
                case ARG_CPUS:
                        r = parse_cpus(optarg, &a.cpu_quota_per_sec_usec);
                        if (r < 0)
                                return log_invalid_value("--cpus", optarg, r, "a number of CPUs such as 1.5"), EXIT_USAGE;
                        break;
                case ARG_CPU_SHARES:
                        r = safe_atou64(optarg, &v);
                        if (r < 0 || v < CPU_SHARES_MIN || v > CPU_SHARES_MAX)
                                return log_invalid_value("--cpu-shares", optarg, -ERANGE, "2 to 262144"), EXIT_USAGE;
                        a.cpu_weight = cpu_shares_to_weight(v);
                        break;
                case ARG_CPU_WEIGHT:
                        r = safe_atou64(optarg, &a.cpu_weight);
                        if (r < 0 || a.cpu_weight < CPU_WEIGHT_MIN || a.cpu_weight > CPU_WEIGHT_MAX)
                                return log_invalid_value("--cpu-weight", optarg, -ERANGE, "1 to 10000"), EXIT_USAGE;
                        break;
                case ARG_PIDS_LIMIT:
                        r = safe_atou64(optarg, &a.tasks_max);
                        if (r < 0 || a.tasks_max == 0 || a.tasks_max >= KEEP)
                                return log_invalid_value("--pids-limit", optarg, -ERANGE, "a positive integer"),
                                       EXIT_USAGE;
                        break;
                case ARG_RESTART:
                        if (restart_policy_parse(optarg, &policy) < 0)
                                return log_invalid_value("--restart", optarg, -EINVAL,
                                                         "no, on-failure[:MAX], always or unless-stopped"), EXIT_USAGE;
                        restart_policy_format(&policy, a.restart);
                        break;
                case ARG_HEALTH ... ARG_HEALTH + _HEALTH_OPTION_MAX - 1:
                        r = health_option_parse(c - ARG_HEALTH, optarg, &a.health);
                        if (r < 0)
                                return EXIT_USAGE;
                        a.health_given |= 1U << (c - ARG_HEALTH);
                        break;
                case 'h':
                        update_help();
                        return EXIT_SUCCESS;
                default:
                        return log_option_error("update", argv, c), EXIT_USAGE;
                }
        if (a.memory_max == KEEP && a.cpu_quota_per_sec_usec == KEEP && a.cpu_weight == KEEP && a.tasks_max == KEEP &&
            !a.restart[0] && a.health_given == 0)
                return log_error("'dray update' needs a limit, a restart policy or a health option to change; "
                                 "see 'dray update --help'."), EXIT_USAGE;
        if ((a.health_given & (1U << HEALTH_OPTION_NO_HEALTHCHECK)) &&
            (a.health_given & ~(1U << HEALTH_OPTION_NO_HEALTHCHECK)))
                return log_error("--no-healthcheck conflicts with --health-* options."), EXIT_USAGE;
        if (container_args_check("update", argv + optind, 1, 1024) < 0)
                return EXIT_USAGE;
        r = bus_connect(&bus);
        if (r < 0)
                return EXIT_FAILED;
        r = bus_call_each(bus, argv + optind, BUS_TIMEOUT_DEFAULT, update_build, update_done, &a);
        if (fflush(stdout) != 0)
                return EXIT_FAILED;
        return r != 0 ? EXIT_FAILED : EXIT_SUCCESS;
}

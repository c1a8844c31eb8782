/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <assert.h>
#include <ctype.h>
#include <getopt.h>
#include <limits.h>
#include <string.h>
#include <strings.h>

#include "capability-name.h"
#include "cli-util.h"
#include "detach-keys.h"
#include "device-spec.h"
#include "env-file.h"
#include "health-options.h"
#include "log.h"
#include "mount-options.h"
#include "name.h"
#include "parse-util.h"
#include "option-append.h"
#include "restart-policy.h"
#include "run-options.h"
#include "spec.h"
#include "strv.h"
#include "utf8.h"

void run_options_init(RunOptions *o) {
        *o = (RunOptions) {
                .memory_max = UINT64_MAX,
                .cpu_quota_per_sec_usec = UINT64_MAX,
                .cpu_weight = UINT64_MAX,
                .tasks_max = UINT64_MAX,
                .stop_timeout_usec = UINT64_MAX,
                .timeout_usec = UINT64_MAX,
        };
}

void run_options_done(RunOptions *o) {
        free(o->name);
        free(o->rootfs);
        free(o->image);
        strv_free(o->entrypoint);
        strv_free(o->env);
        free(o->working_dir);
        free(o->user);
        strv_free(o->group_add);
        free(o->hostname);
        free(o->restart_policy);
        free(o->slice);
        strv_free(o->cap_add);
        strv_free(o->cap_drop);
        strv_free(o->devices);
        mount_spec_array_free(o->mounts, o->n_mounts);
        strv_free(o->volumes_from);
        strv_free(o->labels);
        strv_free(o->dns_search);
        strv_free(o->dns_options);
        strv_free(o->extra_hosts);
        security_opts_done(&o->security);
        strv_free(o->command);
        free(o->network);
        strv_free(o->networks_more);
        free(o->ip);
        strv_free(o->network_aliases);
        strv_free(o->publish);
        strv_free(o->dns);
        spec_health_done(&o->health);
        run_options_init(o);
}

uint64_t cpu_shares_to_weight(uint64_t shares) {
        shares = MAX(shares, CPU_SHARES_MIN);
        shares = MIN(shares, CPU_SHARES_MAX);
        return 1 + ((shares - 2) * 9999) / 262142;
}

/* By spelling only: drayd checks the name against the capabilities it knows. */
int capability_normalize(const char *s, char **ret) {
        char buf[CAPABILITY_NAME_MAX], *c;
        int r;

        r = capability_name_canonical(s, buf);
        if (r < 0)
                return r;
        c = strdup(buf);
        if (!c)
                return -ENOMEM;
        *ret = c;
        return 0;
}

enum {
        ARG_RM = 0x100,
        ARG_NAME,
        ARG_ROOTFS,
        ARG_READ_ONLY,
        ARG_EPHEMERAL,
        ARG_ENV_FILE,
        ARG_HOSTNAME,
        ARG_RESTART,
        ARG_SLICE,
        ARG_CPUS,
        ARG_CPU_SHARES,
        ARG_CPU_WEIGHT,
        ARG_PIDS_LIMIT,
        ARG_STOP_TIMEOUT,
        ARG_STOP_SIGNAL,
        ARG_CAP_ADD,
        ARG_CAP_DROP,
        ARG_TMPFS,
        ARG_MOUNT,
        ARG_PULL,
        ARG_DNS_SEARCH,
        ARG_DNS_OPTION,
        ARG_ADD_HOST,
        ARG_VOLUMES_FROM,
        ARG_PRIVILEGED,
        ARG_SECURITY_OPT,
        ARG_ENTRYPOINT,
        ARG_NETWORK,
        ARG_IP,
        ARG_NETWORK_ALIAS,
        ARG_DNS,
        ARG_USERNS,
        ARG_TIMEOUT,
        ARG_GROUP_ADD,
        ARG_SDNOTIFY,
        ARG_PRESERVE_FDS,
        ARG_INIT,
        ARG_DEVICE,
        ARG_DETACH_KEYS,
        ARG_SIG_PROXY,
        ARG_HEALTH_CMD,
        ARG_HEALTH_INTERVAL,
        ARG_HEALTH_TIMEOUT,
        ARG_HEALTH_RETRIES,
        ARG_HEALTH_START_PERIOD,
        ARG_HEALTH_START_INTERVAL,
        ARG_HEALTH_ON_FAILURE,
        ARG_NO_HEALTHCHECK,
};
_Static_assert(ARG_NO_HEALTHCHECK - ARG_HEALTH_CMD == HEALTH_OPTION_NO_HEALTHCHECK, "ARG_HEALTH_* follow HealthOption");
_Static_assert(ARG_HEALTH_START_INTERVAL - ARG_HEALTH_CMD == HEALTH_OPTION_START_INTERVAL, "ARG_HEALTH_* follow HealthOption");

/* "detach" comes first: `dray create` parses with the table that starts after it. */
static const struct option run_long_options[] = {
        { "detach",       no_argument,       NULL, 'd'              },
        { "help",         no_argument,       NULL, 'h'              },
        { "interactive",  no_argument,       NULL, 'i'              },
        { "tty",          no_argument,       NULL, 't'              },
        { "rm",           no_argument,       NULL, ARG_RM           },
        { "name",         required_argument, NULL, ARG_NAME         },
        { "rootfs",       required_argument, NULL, ARG_ROOTFS       },
        { "read-only",    no_argument,       NULL, ARG_READ_ONLY    },
        { "ephemeral",    no_argument,       NULL, ARG_EPHEMERAL    },
        { "boot",         no_argument,       NULL, 'b'              },
        { "timeout",      required_argument, NULL, ARG_TIMEOUT      },
        { "env",          required_argument, NULL, 'e'              },
        { "env-file",     required_argument, NULL, ARG_ENV_FILE     },
        { "workdir",      required_argument, NULL, 'w'              },
        { "user",         required_argument, NULL, 'u'              },
        { "hostname",     required_argument, NULL, ARG_HOSTNAME     },
        { "restart",      required_argument, NULL, ARG_RESTART      },
        { "slice",        required_argument, NULL, ARG_SLICE        },
        { "memory",       required_argument, NULL, 'm'              },
        { "cpus",         required_argument, NULL, ARG_CPUS         },
        { "cpu-shares",   required_argument, NULL, ARG_CPU_SHARES   },
        { "cpu-weight",   required_argument, NULL, ARG_CPU_WEIGHT   },
        { "pids-limit",   required_argument, NULL, ARG_PIDS_LIMIT   },
        { "stop-timeout", required_argument, NULL, ARG_STOP_TIMEOUT },
        { "stop-signal",  required_argument, NULL, ARG_STOP_SIGNAL  },
        { "cap-add",      required_argument, NULL, ARG_CAP_ADD      },
        { "cap-drop",     required_argument, NULL, ARG_CAP_DROP     },
        { "volume",       required_argument, NULL, 'v'              },
        { "tmpfs",        required_argument, NULL, ARG_TMPFS        },
        { "mount",        required_argument, NULL, ARG_MOUNT        },
        { "label",        required_argument, NULL, 'l'              },
        { "pull",         required_argument, NULL, ARG_PULL         },
        { "dns-search",   required_argument, NULL, ARG_DNS_SEARCH   },
        { "dns-option",   required_argument, NULL, ARG_DNS_OPTION   },
        { "add-host",     required_argument, NULL, ARG_ADD_HOST     },
        { "volumes-from", required_argument, NULL, ARG_VOLUMES_FROM },
        { "privileged",   no_argument,       NULL, ARG_PRIVILEGED   },
        { "security-opt", required_argument, NULL, ARG_SECURITY_OPT },
        { "entrypoint",   required_argument, NULL, ARG_ENTRYPOINT   },
        { "network",      required_argument, NULL, ARG_NETWORK      },
        { "net",          required_argument, NULL, ARG_NETWORK      },
        { "ip",           required_argument, NULL, ARG_IP           },
        { "network-alias", required_argument, NULL, ARG_NETWORK_ALIAS },
        { "publish",      required_argument, NULL, 'p'              },
        { "publish-all",  no_argument,       NULL, 'P'              },
        { "dns",          required_argument, NULL, ARG_DNS          },
        { "userns",       required_argument, NULL, ARG_USERNS       },
        { "group-add",    required_argument, NULL, ARG_GROUP_ADD    },
        { "sdnotify",     required_argument, NULL, ARG_SDNOTIFY     },
        { "preserve-fds", required_argument, NULL, ARG_PRESERVE_FDS },
        { "init",         no_argument,       NULL, ARG_INIT         },
        { "device",       required_argument, NULL, ARG_DEVICE       },
        { "detach-keys",  required_argument, NULL, ARG_DETACH_KEYS  },
        { "sig-proxy",    optional_argument, NULL, ARG_SIG_PROXY    },
        { "health-cmd",          required_argument, NULL, ARG_HEALTH_CMD          },
        { "health-interval",     required_argument, NULL, ARG_HEALTH_INTERVAL     },
        { "health-timeout",      required_argument, NULL, ARG_HEALTH_TIMEOUT      },
        { "health-retries",      required_argument, NULL, ARG_HEALTH_RETRIES      },
        { "health-start-period", required_argument, NULL, ARG_HEALTH_START_PERIOD },
        { "health-start-interval", required_argument, NULL, ARG_HEALTH_START_INTERVAL },
        { "health-on-failure",   required_argument, NULL, ARG_HEALTH_ON_FAILURE   },
        { "no-healthcheck",      no_argument,       NULL, ARG_NO_HEALTHCHECK      },
        {}
};

static const char *const sdnotify_mode_table[_SDNOTIFY_MAX] = {
        [SDNOTIFY_READY] = "ready",
        [SDNOTIFY_IGNORE] = "ignore",
        [SDNOTIFY_CONTAINER] = "container",
        [SDNOTIFY_HEALTHY] = "healthy",
};

const char *sdnotify_mode_to_string(SdNotifyMode m) {
        return m >= 0 && m < _SDNOTIFY_MAX ? sdnotify_mode_table[m] : NULL;
}

SdNotifyMode sdnotify_mode_from_string(const char *s) {
        for (int i = 0; i < _SDNOTIFY_MAX; i++)
                if (streq(s, sdnotify_mode_table[i]))
                        return i;
        /* Podman's name for what dray calls ready: its conmon says READY=1 once the container runs. */
        if (streq(s, "conmon"))
                return SDNOTIFY_READY;
        return _SDNOTIFY_INVALID;
}

static const char *run_verb_name(RunVerb verb) {
        return verb == RUN_VERB_CREATE ? "create" : "run";
}

void run_options_help(RunVerb verb) {
        printf("Usage: dray %s [OPTIONS] IMAGE [COMMAND [ARG...]]\n"
               "       dray %s [OPTIONS] --rootfs DIR COMMAND [ARG...]\n\n", run_verb_name(verb), run_verb_name(verb));
        if (verb == RUN_VERB_CREATE)
                printf("Create a container and print its ID, without starting it.\n\n");
        else
                printf("Create a container, start it and wait for it, forwarding its output and\n"
                       "exiting with its exit status.\n\n");
        printf("Options:\n");
        if (verb == RUN_VERB_RUN)
                printf("  -d, --detach              Start in the background and print the container ID\n");
        printf("  -i, --interactive         Keep the container's stdin open and forward ours to it\n"
               "  -t, --tty                 Give the container a terminal of its own (with -i: ours\n"
               "                            in raw mode, forwarded, resized with our window)\n"
               "      --rm                  Remove the container (and its anonymous volumes) when it\n"
               "                            exits\n"
               "      --device HOST[:CONTAINER][:PERMS]\n"
               "                            Give the container the host's device node HOST (at\n"
               "                            CONTAINER in /dev, PERMS of rwm; privileged)\n"
               "      --init                Accepted for docker: dray's init is always PID 1, reaping\n"
               "                            zombies and forwarding signals\n"
               "      --name NAME           Name the container (default: a generated one)\n"
               "      --rootfs DIR          Run a directory tree instead of an image\n"
               "      --entrypoint CMD      Replace the image's entrypoint (\"\" for none; drops its Cmd)\n"
               "      --read-only           Mount the root file system read-only\n"
               "      --ephemeral           Write changes to a throwaway layer over the root\n"
               "  -b, --boot                Boot the tree's init (/sbin/init) as PID 1, as\n"
               "                            systemd-nspawn -b does; COMMAND, if given, replaces it\n"
               "      --timeout SEC         With -d --boot: how long to wait for the system to be up\n"
               "                            (default 90s)\n"
               "  -e, --env KEY[=VALUE]     Set an environment variable (repeatable)\n"
               "      --env-file FILE       Read KEY=VALUE lines from FILE (repeatable)\n"
               "  -w, --workdir DIR         Working directory inside the container\n"
               "  -u, --user USER[:GROUP]   Run as this user: numbers, or names from the image's\n"
               "                            /etc/passwd and /etc/group\n"
               "      --group-add GROUP     Another supplementary group: a name from the image's\n"
               "                            /etc/group, or a number (repeatable)\n"
               "      --restart POLICY      Start it again when it ends: no, on-failure[:MAX], always or\n"
               "                            unless-stopped (drayd does, with backoff)\n"
               "      --hostname NAME       Host name inside the container (default: its name, or its short\n"
               "                            ID for a name that is no host name)\n"
               "      --slice SLICE         Slice of the container's scope (default: dray.slice)\n"
               "  -m, --memory SIZE         Memory limit, e.g. 512m, 2g\n"
               "      --cpus N              CPU time limit in CPUs, e.g. 1.5\n"
               "      --cpu-shares N        Relative CPU weight, Docker style (2-262144, default 1024)\n"
               "      --cpu-weight N        Relative CPU weight, cgroup v2 style (1-10000, default 100)\n"
               "      --pids-limit N        Maximum number of tasks\n"
               "      --stop-timeout SEC    Time to wait after the stop signal before SIGKILL\n"
               "      --stop-signal SIG     Signal that stops the container (default: SIGTERM)\n"
               "      --cap-add CAP         Add a capability, or ALL (repeatable)\n"
               "      --cap-drop CAP        Drop a capability, or ALL (repeatable)\n"
               "  -v, --volume SRC:DST[:ro|rw]\n"
               "                            Bind the host path SRC (absolute), or mount the volume\n"
               "                            named SRC (created on first use), on DST; -v DST alone\n"
               "                            mounts a new anonymous volume (repeatable)\n"
               "      --mount type=bind|volume|tmpfs,src=SRC,dst=DST[,ro][,tmpfs-size=N][,tmpfs-mode=M]\n"
               "                            The long form of -v and --tmpfs (repeatable)\n"
               "  -l, --label KEY=VALUE     Set a label on the container (repeatable; ps --filter label=)\n"
               "      --dns-search DOMAIN   Search domain for /etc/resolv.conf (repeatable)\n"
               "      --dns-option OPT      Resolver option for /etc/resolv.conf, e.g. ndots:2 (repeatable)\n"
               "      --add-host NAME:IP    A line in the container's /etc/hosts (repeatable)\n"
               "      --pull POLICY         missing (default: pull an image not in the store), always,\n"
               "                            never\n"
               "      --volumes-from CONTAINER[:ro|rw]\n"
               "                            Mount the volumes and binds of another container (repeatable)\n"
               "      --tmpfs DST[:OPTIONS] Mount a tmpfs on DST; OPTIONS: size=, mode=, uid=, gid=,\n"
               "                            nr_inodes= (repeatable)\n"
               "      --privileged          Every capability, no seccomp filter, no masked paths,\n"
               "                            writable /sys, the host's devices\n"
               "      --security-opt OPT    seccomp=FILE (a Docker JSON profile), seccomp=unconfined,\n"
               "                            no-new-privileges (always on)\n"
               "      --network NET         none, host, or a network's name (default: the 'dray' bridge)\n"
               "      --ip ADDR             IPv4 address on that network\n"
               "      --network-alias NAME  Another name of the container on its network (repeatable)\n"
               "  -p, --publish [IP:][HOSTPORT:]PORT[/PROTO]  Publish a container port (repeatable)\n"
               "  -P, --publish-all         Publish every exposed port on a free host port\n"
               "      --dns ADDR            Name server for /etc/resolv.conf (repeatable)\n"
               "      --userns MODE         host (default), or auto: a range of 65536 host IDs of its own\n"
               "      --health-cmd CMD      Health check: a shell command, or a JSON array (exec form)\n"
               "      --health-interval T   Time between checks (default 30s)\n"
               "      --health-timeout T    A check running longer is killed and fails (default 30s)\n"
               "      --health-retries N    Failures in a row that make it unhealthy (default 3)\n"
               "      --health-start-period T  Failures this long after a start do not count (default 0)\n"
               "      --health-start-interval T  Time between checks in the start period (default 5s)\n"
               "      --health-on-failure ACTION  none (default), kill, restart or stop when unhealthy\n"
               "      --no-healthcheck      No health check, not even the image's\n");
        if (verb == RUN_VERB_RUN)
                printf("      --sdnotify MODE       Run from a Type=notify service: ready (default: READY=1 once\n"
                       "                            the container runs), container (the command's own\n"
                       "                            sd_notify() messages, $NOTIFY_SOCKET in it), healthy\n"
                       "                            (READY=1 once its health check first passes) or ignore\n"
                       "      --preserve-fds N      Pass our fds 3 to 3+N-1 on to the command\n"
                       "      --detach-keys KEYS    With -i -t: keys that detach, leaving the container running\n"
                       "                            (default ctrl-p,ctrl-q; \"\" disables them)\n"
                       "      --sig-proxy=false     Do not pass the signals we receive on to the container:\n"
                       "                            one detaches us instead, leaving the container running\n");
        printf("  -h, --help                Show this help\n");
        if (verb == RUN_VERB_RUN)
                printf("\nExit status: the command's own, or 125 if dray failed, 126 if the command\n"
                       "could not be executed, 127 if it was not found.\n");
        printf("\nSee dray(1).\n");
}

/* ARG_HEALTH_* are in HealthOption's order. */
static int parse_health_option(RunOptions *o, int c, const char *arg) {
        o->health_given = o->health_given || c != ARG_NO_HEALTHCHECK;
        return health_option_parse((HealthOption) (c - ARG_HEALTH_CMD), arg, &o->health);
}

static int parse_cpu_shares(const char *s, uint64_t *ret_weight) {
        uint64_t shares;
        int r;

        r = safe_atou64(s, &shares);
        if (r >= 0 && (shares < CPU_SHARES_MIN || shares > CPU_SHARES_MAX))
                r = -ERANGE;
        if (r < 0)
                return log_invalid_value("--cpu-shares", s, r, "an integer between 2 and 262144");
        *ret_weight = cpu_shares_to_weight(shares);
        return 0;
}

static int parse_cpu_weight(const char *s, uint64_t *ret_weight) {
        uint64_t w;
        int r;

        r = safe_atou64(s, &w);
        if (r >= 0 && (w < CPU_WEIGHT_MIN || w > CPU_WEIGHT_MAX))
                r = -ERANGE;
        if (r < 0)
                return log_invalid_value("--cpu-weight", s, r, "an integer between 1 and 10000");
        *ret_weight = w;
        return 0;
}

static int add_capability(const char *option, const char *s, char ***l) {
        char *c = NULL;
        int r;

        r = capability_normalize(s, &c);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                return log_invalid_value(option, s, r, "a capability name such as NET_ADMIN, or ALL");
        if (strv_contains(*l, c)) {
                free(c);
                return 0;
        }
        if (strv_consume(l, c) < 0)
                return log_oom();
        return 0;
}

static bool address_is_valid(int family, const char *s) {
        unsigned char buf[sizeof(struct in6_addr)];

        return inet_pton(family, s, buf) == 1;
}

static int set_string(char **field, const char *value) {
        char *c = strdup(value);

        if (!c)
                return log_oom();
        free(*field);
        *field = c;
        return 0;
}

static int set_rootfs(RunOptions *o, const char *s) {
        char *p;

        if (isempty(s))
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
                                       "Invalid --rootfs value '': expected a directory.");
        if (!utf8_is_valid(s))
                return log_error_errno(SYNTHETIC_ERRNO(EILSEQ), "Invalid --rootfs value: not valid UTF-8.");
        if (s[0] == '/')
                return set_string(&o->rootfs, s);

        /* drayd resolves nothing relative to our working directory: hand it an absolute path. */
        p = realpath(s, NULL);
        if (!p)
                return log_error_errno(errno, "Failed to resolve --rootfs '%s': %m", s);
        free(o->rootfs);
        o->rootfs = p;
        return 0;
}

static int set_workdir(RunOptions *o, const char *s) {
        if (isempty(s) || s[0] != '/' || strlen(s) >= PATH_MAX)
                return log_invalid_value("--workdir", s, -EINVAL, "an absolute path inside the container");
        if (!utf8_is_valid(s))
                return log_error_errno(SYNTHETIC_ERRNO(EILSEQ), "Invalid --workdir value: not valid UTF-8.");
        return set_string(&o->working_dir, s);
}

static int add_env(RunOptions *o, char **assignments) {
        STRV_FOREACH(a, assignments) {
                _cleanup_free_ char *v = NULL;
                int r;

                r = env_argument_resolve(*a, &v);
                if (r < 0)
                        return r;
                if (v && strv_env_set(&o->env, v) < 0)
                        return log_oom();
        }
        return 0;
}

static bool user_name_is_plausible(const char *s);

/* One option of run/create. Returns 0 to go on, 1 after --help, <0 on error (logged). */
static int parse_one(RunOptions *o, int c, const char *arg, char ***env_args, char ***env_files) {
        int r;

        switch (c) {
        case 'h':
                o->help = true;
                return 1;
        case 'd':
                o->detach = true;
                return 0;
        case ARG_RM:
                o->auto_remove = true;
                return 0;
        case 'i':
                o->open_stdin = true;
                return 0;
        case 't':
                o->tty = true;
                return 0;
        case ARG_NAME:
                if (!container_name_is_valid(arg))
                        return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
                                               "Invalid container name '%s': use 1-63 letters, digits, '_', "
                                               "'.' and '-', starting with a letter or digit.", arg);
                return set_string(&o->name, arg);
        case ARG_ROOTFS:
                return set_rootfs(o, arg);
        case ARG_READ_ONLY:
                o->read_only = true;
                return 0;
        case ARG_EPHEMERAL:
                o->ephemeral = true;
                return 0;
        case 'b':
                o->boot = true;
                return 0;
        case ARG_TIMEOUT:
                r = parse_timespan_sec(arg, &o->timeout_usec);
                if (r < 0)
                        return log_invalid_value("--timeout", arg, r, "seconds, or a time such as 500ms or 2min");
                return 0;
        case 'e':
                return strv_extend(env_args, arg) < 0 ? log_oom() : 0;
        case ARG_ENV_FILE:
                return strv_extend(env_files, arg) < 0 ? log_oom() : 0;
        case 'w':
                return set_workdir(o, arg);
        case 'u': {
                uid_t uid;
                gid_t gid;

                r = parse_user(arg, &uid, &gid);
                if (r == -ENOMEM)
                        return log_oom();
                if (r < 0 && (strspn(arg, "0123456789:") == strlen(arg) || !user_name_is_plausible(arg)))
                        return log_invalid_value("--user", arg, r, "UID[:GID] or USER[:GROUP]");
                return set_string(&o->user, arg);
        }
        case ARG_RESTART: {
                char buf[RESTART_POLICY_STRING_MAX];
                RestartPolicy p;

                if (restart_policy_parse(arg, &p) < 0)
                        return log_invalid_value("--restart", arg, -EINVAL,
                                                 "no, on-failure[:MAX], always or unless-stopped");
                restart_policy_format(&p, buf);
                return set_string(&o->restart_policy, buf);
        }
        case ARG_HEALTH_CMD ... ARG_NO_HEALTHCHECK:
                return parse_health_option(o, c, arg);
        case ARG_HOSTNAME:
                if (!hostname_is_valid_simple(arg))
                        return log_invalid_value("--hostname", arg, -EINVAL,
                                                 "1-63 letters, digits, '.' and '-', starting with a letter "
                                                 "or digit and not ending with '.' or '-'");
                return set_string(&o->hostname, arg);
        case ARG_SLICE:
                if (!slice_name_is_valid(arg))
                        return log_invalid_value("--slice", arg, -EINVAL,
                                                 "a slice unit name such as 'dray-batch.slice' (letters, digits, "
                                                 "':', '_', '.', '-'; not the root slice '-.slice')");
                return set_string(&o->slice, arg);
        case 'm':
                r = parse_size(arg, &o->memory_max);
                return r < 0 ? log_invalid_value("--memory", arg, r, "a size such as 512m or 2g") : 0;
        case ARG_CPUS:
                r = parse_cpus(arg, &o->cpu_quota_per_sec_usec);
                if (r < 0)
                        return log_invalid_value("--cpus", arg, r,
                                                 "a number of CPUs such as 1.5 (at most 3 decimals)");
                return 0;
        case ARG_CPU_SHARES:
                return parse_cpu_shares(arg, &o->cpu_weight);
        case ARG_CPU_WEIGHT:
                return parse_cpu_weight(arg, &o->cpu_weight);
        case ARG_PIDS_LIMIT:
                r = safe_atou64(arg, &o->tasks_max);
                if (r >= 0 && (o->tasks_max == 0 || o->tasks_max == UINT64_MAX))
                        r = -ERANGE;
                return r < 0 ? log_invalid_value("--pids-limit", arg, r, "a positive integer") : 0;
        case ARG_STOP_TIMEOUT:
                r = parse_timespan_sec(arg, &o->stop_timeout_usec);
                if (r < 0)
                        return log_invalid_value("--stop-timeout", arg, r,
                                                 "seconds, or a time such as 500ms or 2min");
                return 0;
        case ARG_STOP_SIGNAL:
                r = parse_signal(arg, &o->stop_signal);
                if (r < 0)
                        return log_invalid_value("--stop-signal", arg, r,
                                                 "a signal name or number such as TERM or 15");
                return 0;
        case ARG_CAP_ADD:
                return add_capability("--cap-add", arg, &o->cap_add);
        case ARG_CAP_DROP:
                return add_capability("--cap-drop", arg, &o->cap_drop);
        case 'v':
                return mount_option_volume(&o->mounts, &o->n_mounts, arg);
        case ARG_MOUNT:
                return mount_option_mount(&o->mounts, &o->n_mounts, arg);
        case ARG_VOLUMES_FROM:
                return mount_option_volumes_from(&o->volumes_from, arg);
        case ARG_TMPFS:
                return mount_option_tmpfs(&o->mounts, &o->n_mounts, arg);
        case ARG_PRIVILEGED:
                o->privileged = true;
                return 0;
        case ARG_SECURITY_OPT:
                return security_opt_parse(&o->security, arg);
        case ARG_ENTRYPOINT:
                if (!utf8_is_valid(arg))
                        return log_error_errno(SYNTHETIC_ERRNO(EILSEQ), "Invalid --entrypoint value: not valid UTF-8.");
                strv_free(o->entrypoint);
                o->entrypoint = NULL;
                o->entrypoint_set = true;
                return isempty(arg) || strv_extend(&o->entrypoint, arg) >= 0 ? 0 : log_oom();
        case ARG_NETWORK:
                if (!streq(arg, "none") && !streq(arg, "host") && !container_name_is_valid(arg))
                        return log_invalid_value("--network", arg, -EINVAL, "none, host or a network name");
                if (!o->network)
                        return set_string(&o->network, arg);
                /* Several networks, as docker run takes them: the first is created with the
                 * container (its default route, --ip, --network-alias), the others connected. */
                if (streq(arg, "none") || streq(arg, "host") || streq(o->network, "none") || streq(o->network, "host"))
                        return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
                                               "--network %s cannot be combined with other networks.",
                                               streq(arg, "none") || streq(arg, "host") ? arg : o->network);
                if (streq(arg, o->network) || strv_contains(o->networks_more, arg))
                        return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "--network %s given twice.", arg);
                return strv_extend(&o->networks_more, arg) < 0 ? log_oom() : 0;
        case ARG_IP:
                if (!address_is_valid(AF_INET, arg))
                        return log_invalid_value("--ip", arg, -EINVAL, "an IPv4 address");
                return set_string(&o->ip, arg);
        case ARG_NETWORK_ALIAS:
                if (!container_name_is_valid(arg))
                        return log_invalid_value("--network-alias", arg, -EINVAL, "1-63 letters, digits, '_', '.' and '-'");
                return strv_extend(&o->network_aliases, arg) < 0 ? log_oom() : 0;
        case 'p':
                if (isempty(arg) || strlen(arg) > 64 || !utf8_is_valid(arg))
                        return log_invalid_value("--publish", arg, -EINVAL, "[IP:][HOSTPORT:]PORT[/tcp|/udp]");
                return strv_extend(&o->publish, arg) < 0 ? log_oom() : 0;
        case 'P':
                o->publish_all = true;
                return 0;
        case ARG_DNS_SEARCH:
                return strv_extend(&o->dns_search, arg) < 0 ? log_oom() : 0;
        case ARG_DNS_OPTION:
                return strv_extend(&o->dns_options, arg) < 0 ? log_oom() : 0;
        case ARG_ADD_HOST:
                if (!strchr(arg, ':'))
                        return log_invalid_value("--add-host", arg, -EINVAL, "NAME:IP");
                return strv_extend(&o->extra_hosts, arg) < 0 ? log_oom() : 0;
        case ARG_PULL:
                if (!streq(arg, "missing") && !streq(arg, "always") && !streq(arg, "never"))
                        return log_invalid_value("--pull", arg, -EINVAL, "missing, always or never");
                o->pull = streq(arg, "missing") ? "missing" : streq(arg, "always") ? "always" : "never";
                return 0;
        case 'l':
                if (!label_is_valid(arg))
                        return log_invalid_value("--label", arg, -EINVAL,
                                                 "KEY=VALUE with a non-empty key, printable UTF-8");
                if (strv_length(o->labels) >= LABELS_MAX)
                        return log_error_errno(SYNTHETIC_ERRNO(E2BIG), "Too many --label: at most %u.", LABELS_MAX);
                return strv_env_set(&o->labels, arg) < 0 ? log_oom() : 0;
        case ARG_DNS:
                if (!address_is_valid(AF_INET, arg) && !address_is_valid(AF_INET6, arg))
                        return log_invalid_value("--dns", arg, -EINVAL, "an IP address");
                return strv_extend(&o->dns, arg) < 0 ? log_oom() : 0;
        case ARG_DEVICE: {
                char *d = NULL;

                r = device_spec_canonical(arg, &d);
                if (r == -ENOMEM)
                        return log_oom();
                if (r < 0)
                        return log_invalid_value("--device", arg, r, "HOST[:CONTAINER][:PERMS], absolute paths, "
                                                 "CONTAINER in /dev, PERMS of r, w and m");
                if (strv_length(o->devices) >= DEVICES_MAX)
                        return free(d), log_error_errno(SYNTHETIC_ERRNO(E2BIG), "Too many --device: at most %u.",
                                                        DEVICES_MAX);
                return strv_consume(&o->devices, d) < 0 ? log_oom() : 0;
        }
        case ARG_INIT:
                /* docker's --init adds tini as PID 1. dray's own init is always PID 1 of the container:
                 * it reaps orphans and forwards signals, so there is nothing to add. */
                return 0;
        case ARG_PRESERVE_FDS:
                r = safe_atou32(arg, &o->preserve_fds);
                if (r >= 0 && o->preserve_fds > 64)
                        r = -ERANGE;
                return r < 0 ? log_invalid_value("--preserve-fds", arg, r, "a number of fds from 0 to 64") : 0;
        case ARG_DETACH_KEYS: {
                char keys[DETACH_KEYS_MAX];

                if (detach_keys_resolve(arg, keys) < 0)
                        return -EINVAL;
                o->detach_keys = arg;
                return 0;
        }
        case ARG_SIG_PROXY: {
                bool b;

                if (cli_parse_bool(arg, &b) < 0)
                        return log_invalid_value("--sig-proxy", arg, -EINVAL, "true or false");
                o->no_sig_proxy = !b;
                return 0;
        }
        case ARG_SDNOTIFY:
                o->sdnotify = sdnotify_mode_from_string(arg);
                if (o->sdnotify < 0)
                        return log_invalid_value("--sdnotify", arg, -EINVAL, "ready, container or ignore");
                return 0;
        case ARG_USERNS:
                if (!streq(arg, "host") && !streq(arg, "auto"))
                        return log_invalid_value("--userns", arg, -EINVAL, "'host' or 'auto'");
                o->userns = streq(arg, "host") ? "host" : "auto";
                return 0;
        case ARG_GROUP_ADD:
                /* drayd looks names up in the image's /etc/group; here only the shape. */
                if (isempty(arg) || strlen(arg) > 32 || strchr(arg, ':') || !user_name_is_plausible(arg))
                        return log_invalid_value("--group-add", arg, -EINVAL, "a group name or ID");
                return strv_extend(&o->group_add, arg) < 0 ? log_oom() : 0;
        }
        return -EINVAL; /* getopt_long returned a value missing from the table */
}

/* Names, numbers, '.', '_', '-' and one ':' (drayd checks the rest). */
static bool user_name_is_plausible(const char *s) {
        const char *colon = strchr(s, ':');

        if (isempty(s) || strlen(s) > 65 || (colon && strchr(colon + 1, ':')))
                return false;
        for (const char *c = s; *c; c++)
                if (!isalnum((unsigned char) *c) && !strchr("._-:", *c))
                        return false;
        return s[0] != ':' && s[strlen(s) - 1] != ':';
}

/* Without --rootfs, the first argument is the image (docker run IMAGE [COMMAND…]). */
static int set_image(RunOptions *o, int argc, char *argv[]) {
        const char *image = argv[optind];

        if (optind >= argc)
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
                                       "No image given: 'dray %s IMAGE [COMMAND...]' or 'dray %s --rootfs DIR COMMAND...'.",
                                       argv[0], argv[0]);
        if (isempty(image) || strlen(image) > 255 || !utf8_is_valid(image) || strpbrk(image, " \t\n"))
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "Invalid image reference '%s'.", image);
        optind++;
        return set_string(&o->image, image);
}

static int set_command(RunOptions *o, int argc, char *argv[]) {
        if (optind >= argc && (o->image || o->boot))
                return 0; /* the image's command, or the tree's init */
        if (optind >= argc)
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
                                       "No command given: 'dray %s --rootfs DIR COMMAND [ARG...]'.",
                                       argv[0]);
        for (int i = optind; i < argc; i++)
                if (!utf8_is_valid(argv[i]))
                        return log_error_errno(SYNTHETIC_ERRNO(EILSEQ),
                                               "Argument %i of the command is not valid UTF-8.", i - optind);
        if (isempty(argv[optind]))
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "The command must not be empty.");
        o->command = strv_copy(argv + optind);
        if (!o->command)
                return log_oom();
        return 0;
}

int run_options_parse(RunVerb verb, int argc, char *argv[], RunOptions *o) {
        const struct option *options = verb == RUN_VERB_CREATE ? run_long_options + 1 : run_long_options;
        const char *optstring = verb == RUN_VERB_CREATE ? "+:hitbe:w:u:m:v:p:Pl:" : "+:hitdbe:w:u:m:v:p:Pl:";
        _cleanup_strv_free_ char **env_args = NULL, **env_files = NULL;
        bool cpu_shares = false, cpu_weight = false, no_healthcheck = false;
        int c, r;

        getopt_reset();
        while ((c = cli_getopt(argc, argv, optstring, options)) >= 0) {
                if (c == '?' || c == ':')
                        return log_option_error(run_verb_name(verb), argv, c);
                if (verb == RUN_VERB_CREATE && (c == ARG_SDNOTIFY || c == ARG_PRESERVE_FDS || c == ARG_DETACH_KEYS ||
                                                 c == ARG_SIG_PROXY))
                        return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
                                               "dray create: --%s is an option of 'dray run' (it concerns "
                                               "the run, not the container).",
                                               c == ARG_SDNOTIFY ? "sdnotify" :
                                               c == ARG_PRESERVE_FDS ? "preserve-fds" :
                                               c == ARG_DETACH_KEYS ? "detach-keys" : "sig-proxy");
                cpu_shares = cpu_shares || c == ARG_CPU_SHARES;
                cpu_weight = cpu_weight || c == ARG_CPU_WEIGHT;
                no_healthcheck = no_healthcheck || c == ARG_NO_HEALTHCHECK;
                r = parse_one(o, c, optarg, &env_args, &env_files);
                if (r < 0)
                        return r;
                if (r > 0)
                        return 0; /* --help: nothing else matters */
        }

        if (cpu_shares && cpu_weight)
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
                                       "--cpu-shares and --cpu-weight set the same limit; use one of them.");
        if (o->auto_remove && o->health.on_failure == HEALTH_ON_FAILURE_RESTART)
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "--rm and --health-on-failure=restart conflict: "
                                       "use kill, and a restart policy or the unit's Restart=.");
        if (no_healthcheck && o->health_given)
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "--no-healthcheck conflicts with --health-* options.");
        if (o->timeout_usec != UINT64_MAX && !o->boot)
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
                                       "--timeout waits for a booted system to be up: it needs --boot.");
        if (o->rootfs && o->entrypoint_set)
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
                                       "--entrypoint needs an image; with --rootfs give the whole command.");
        if (!o->rootfs) {
                r = set_image(o, argc, argv);
                if (r < 0)
                        return r;
        }

        /* Docker's order: env files first, then -e, a later KEY replacing an earlier one. */
        STRV_FOREACH(f, env_files) {
                r = env_file_load(*f, &o->env);
                if (r < 0)
                        return r;
        }
        r = add_env(o, env_args);
        if (r < 0)
                return r;

        return set_command(o, argc, argv);
}

/* BindMounts a(ssb), Volumes a(ssb) (name, "" for anonymous) or TmpfsMounts a(ss): the mounts of one
 * type, in the order given. */
static int append_mounts(sd_bus_message *m, const RunOptions *o, MountType type) {
        bool bind = type != MOUNT_TMPFS;
        size_t n = 0;
        int r;

        for (size_t i = 0; i < o->n_mounts; i++)
                n += o->mounts[i].type == type;
        if (n == 0)
                return 0;
        r = sd_bus_message_open_container(m, 'e', "sv");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "s", type == MOUNT_BIND ? "BindMounts" :
                                          type == MOUNT_VOLUME ? "Volumes" : "TmpfsMounts");
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(m, 'v', bind ? "a(ssb)" : "a(ss)");
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(m, 'a', bind ? "(ssb)" : "(ss)");
        if (r < 0)
                return r;
        for (size_t i = 0; i < o->n_mounts; i++) {
                const MountSpec *ms = o->mounts + i;

                if (ms->type != type)
                        continue;
                if (type == MOUNT_VOLUME)
                        r = sd_bus_message_append(m, "(ssb)", strempty(ms->volume), ms->destination, ms->read_only);
                else if (bind)
                        r = sd_bus_message_append(m, "(ssb)", ms->source, ms->destination, ms->read_only);
                else
                        r = sd_bus_message_append(m, "(ss)", ms->destination, strempty(ms->options));
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(m);
        if (r < 0)
                return r;
        r = sd_bus_message_close_container(m);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(m);
}

int run_options_append(const RunOptions *o, sd_bus_message *m) {
        int r;

        assert(o->rootfs ? (o->command || o->boot) : !!o->image);

        r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        r = option_append_string(m, "Rootfs", o->rootfs);
        if (r < 0)
                return r;
        r = option_append_string(m, "Image", o->rootfs ? NULL : o->image);
        if (r < 0)
                return r;
        if (o->command) {
                r = option_append_strv(m, "Command", o->command, true);
                if (r < 0)
                        return r;
        }
        if (o->entrypoint_set) {
                r = option_append_strv(m, "Entrypoint", o->entrypoint, true);
                if (r < 0)
                        return r;
        }
        r = option_append_strv(m, "Env", o->env, false);
        if (r < 0)
                return r;
        r = option_append_string(m, "WorkingDirectory", o->working_dir);
        if (r < 0)
                return r;
        r = option_append_string(m, "User", o->user);
        if (r < 0)
                return r;
        r = option_append_strv(m, "GroupAdd", o->group_add, false);
        if (r < 0)
                return r;
        r = option_append_string(m, "Hostname", o->hostname);
        if (r < 0)
                return r;
        r = option_append_string(m, "Slice", o->slice);
        if (r < 0)
                return r;
        r = option_append_bool(m, "ReadOnly", o->read_only);
        if (r < 0)
                return r;
        r = option_append_bool(m, "Ephemeral", o->ephemeral);
        if (r < 0)
                return r;
        r = option_append_bool(m, "Boot", o->boot);
        if (r < 0)
                return r;
        r = option_append_bool(m, "AutoRemove", o->auto_remove);
        if (r < 0)
                return r;
        r = option_append_string(m, "RestartPolicy", o->restart_policy);
        if (r < 0)
                return r;
        r = option_append_bool(m, "Tty", o->tty);
        if (r < 0)
                return r;
        r = option_append_bool(m, "OpenStdin", o->open_stdin);
        if (r < 0)
                return r;
        r = option_append_u64(m, "MemoryMax", o->memory_max);
        if (r < 0)
                return r;
        r = option_append_u64(m, "CPUQuotaPerSecUSec", o->cpu_quota_per_sec_usec);
        if (r < 0)
                return r;
        r = option_append_u64(m, "CPUWeight", o->cpu_weight);
        if (r < 0)
                return r;
        r = option_append_u64(m, "TasksMax", o->tasks_max);
        if (r < 0)
                return r;
        r = option_append_u64(m, "StopTimeoutUSec", o->stop_timeout_usec);
        if (r < 0)
                return r;
        if (o->stop_signal > 0) {
                r = sd_bus_message_append(m, "{sv}", "StopSignal", "i", o->stop_signal);
                if (r < 0)
                        return r;
        }
        r = option_append_strv(m, "CapAdd", o->cap_add, false);
        if (r < 0)
                return r;
        r = option_append_strv(m, "Devices", o->devices, false);
        if (r < 0)
                return r;
        r = option_append_strv(m, "CapDrop", o->cap_drop, false);
        if (r < 0)
                return r;
        r = append_mounts(m, o, MOUNT_BIND);
        if (r < 0)
                return r;
        r = append_mounts(m, o, MOUNT_TMPFS);
        if (r < 0)
                return r;
        r = append_mounts(m, o, MOUNT_VOLUME);
        if (r < 0)
                return r;
        r = option_append_strv(m, "VolumesFrom", o->volumes_from, false);
        if (r < 0)
                return r;
        r = option_append_strv(m, "Labels", o->labels, false);
        if (r < 0)
                return r;
        r = option_append_strv(m, "DNSSearch", o->dns_search, false);
        if (r < 0)
                return r;
        r = option_append_strv(m, "DNSOptions", o->dns_options, false);
        if (r < 0)
                return r;
        r = option_append_strv(m, "ExtraHosts", o->extra_hosts, false);
        if (r < 0)
                return r;
        r = option_append_bool(m, "Privileged", o->privileged);
        if (r < 0)
                return r;
        r = option_append_bool(m, "SeccompUnconfined", o->security.seccomp_unconfined);
        if (r < 0)
                return r;
        if (o->userns) {
                r = sd_bus_message_append(m, "{sv}", "UserNamespace", "s", o->userns);
                if (r < 0)
                        return r;
        }
        if (o->security.seccomp_profile) {
                r = sd_bus_message_append(m, "{sv}", "SeccompProfile", "s", o->security.seccomp_profile);
                if (r < 0)
                        return r;
        }
        r = option_append_string(m, "Network", o->network);
        if (r < 0)
                return r;
        r = option_append_string(m, "IPAddress", o->ip);
        if (r < 0)
                return r;
        r = option_append_strv(m, "NetworkAliases", o->network_aliases, false);
        if (r < 0)
                return r;
        r = option_append_strv(m, "PublishPorts", o->publish, false);
        if (r < 0)
                return r;
        r = option_append_bool(m, "PublishAll", o->publish_all);
        if (r < 0)
                return r;
        r = option_append_strv(m, "DNS", o->dns, false);
        if (r < 0)
                return r;
        r = health_options_append(m, &o->health, health_options_set(&o->health));
        if (r < 0)
                return r;
        return sd_bus_message_close_container(m);
}

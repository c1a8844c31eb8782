/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "macros.h"
#include "spec-health.h"
#include "mount-spec.h"
#include "security-opt.h"

/* `dray run` and `dray create` options, parsed into plain values first (unit-tested on their own),
 * then appended to CreateContainer's a{sv} by a thin builder. Unset values are not sent, so the
 * daemon applies its defaults. */

typedef enum RunVerb {
        RUN_VERB_RUN,
        RUN_VERB_CREATE,
} RunVerb;

/* --sdnotify: what a foreground run tells a Type=notify service it runs in (through $NOTIFY_SOCKET). */
typedef enum SdNotifyMode {
        SDNOTIFY_READY,   /* READY=1 once the container runs (the default) */
        SDNOTIFY_IGNORE,  /* nothing */
        SDNOTIFY_CONTAINER, /* the payload's own sd_notify() messages, through a socket in the container */
        SDNOTIFY_HEALTHY, /* READY=1 once the container's health check first passes */
        _SDNOTIFY_MAX,
        _SDNOTIFY_INVALID = -EINVAL,
} SdNotifyMode;

const char *sdnotify_mode_to_string(SdNotifyMode m);
SdNotifyMode sdnotify_mode_from_string(const char *s);

typedef struct RunOptions {
        bool help;
        bool detach;
        bool auto_remove;
        bool tty;              /* -t */
        bool open_stdin;       /* -i */
        bool read_only;
        bool ephemeral;
        bool boot;             /* -b: the tree's init is PID 1 (systemd's Container Interface) */
        uint64_t timeout_usec; /* --timeout: how long `run -d --boot` waits for READY=1; UINT64_MAX: unset */
        char *name;
        char *rootfs;          /* absolute; NULL: image names the image to run */
        char *image;           /* the first argument when there is no --rootfs */
        char **entrypoint;     /* --entrypoint: one element, or none for --entrypoint "" */
        bool entrypoint_set;
        char **env;            /* KEY=VALUE, env files first, then -e, later ones winning */
        char *working_dir;
        char *user;            /* "uid[:gid]" or "name[:group]" (resolved by drayd in the image) */
        char **group_add;      /* --group-add: names (resolved by drayd) or numbers */
        char *hostname;
        char *restart_policy;  /* --restart, canonical; NULL: not given */
        char *slice;           /* the scope's slice, checked; NULL: the daemon's default */
        uint64_t memory_max;   /* UINT64_MAX: unset, as for every uint64_t below */
        uint64_t cpu_quota_per_sec_usec;
        uint64_t cpu_weight;
        uint64_t tasks_max;
        uint64_t stop_timeout_usec;
        int stop_signal;       /* 0: unset */
        char **cap_add;        /* "CAP_…" or "ALL" */
        char **cap_drop;
        char **devices;        /* --device, canonical "HOST:CONTAINER:PERMS" (device-spec.h) */
        MountSpec *mounts;     /* -v, --mount (bind: source absolute, not resolved here; volume: the name,
                                * NULL for anonymous) and --tmpfs, in order (mount-options.h) */
        size_t n_mounts;
        char **volumes_from;   /* --volumes-from CONTAINER[:ro|rw] */
        char **labels;         /* --label KEY=VALUE, a later KEY replacing an earlier one */
        const char *pull;      /* --pull: "missing", "always", "never"; NULL: missing */
        char **dns_search, **dns_options, **extra_hosts; /* checked by the daemon */
        bool privileged;
        SecurityOpts security;
        const char *userns;    /* "host", "auto" or NULL (unset) */
        char **command;        /* the payload's argv; never empty with --rootfs unless --boot, NULL: the
                                * image's (or, --boot, the tree's init) */
        char *network;         /* "none", "host" or a network name; NULL: the daemon's default */
        char **networks_more;  /* further --network NAME: connected before the start (run-networks.h) */
        char *ip;              /* IPv4 address on that network */
        char **network_aliases;
        char **publish;        /* "-p" specs as given (the daemon parses them) */
        bool publish_all;
        char **dns;
        SpecHealth health;     /* --health-*, --no-healthcheck (test {"NONE"}); zero: not given */
        bool health_given;     /* any --health-* option */
        SdNotifyMode sdnotify; /* run only: not part of the container */
        uint32_t preserve_fds; /* run only: our fds 3… passed on to the payload */
        const char *detach_keys; /* run only: --detach-keys as given (checked); NULL: the default */
        bool no_sig_proxy;     /* run only: --sig-proxy=false */
} RunOptions;

void run_options_init(RunOptions *o);
void run_options_done(RunOptions *o);

/* Parses argv (argv[0] is the verb) into o, which must have been initialised. Errors are logged as
 * one line naming the bad option or value and returned as -EINVAL (or -ENOMEM …). With --help,
 * sets o->help and returns 0 without requiring anything else. */
int run_options_parse(RunVerb verb, int argc, char *argv[], RunOptions *o);

/* Appends the options as CreateContainer's "a{sv}" (the container itself, and opening and closing
 * the array). */
int run_options_append(const RunOptions *o, sd_bus_message *m);

/* Docker's --cpu-shares (2…262144, default 1024) to a cgroup v2 CPUWeight (1…10000), the mapping
 * crun and podman use: 1 + ((shares - 2) * 9999) / 262142. */
#define CPU_SHARES_MIN UINT64_C(2)
#define CPU_SHARES_MAX UINT64_C(262144)
#define CPU_WEIGHT_MIN UINT64_C(1)
#define CPU_WEIGHT_MAX UINT64_C(10000)
uint64_t cpu_shares_to_weight(uint64_t shares);

/* "net_admin", "CAP_NET_ADMIN", "all" → "CAP_NET_ADMIN", "ALL". -EINVAL on anything not of the
 * form [A-Za-z0-9_]+. */
int capability_normalize(const char *s, char **ret);

void run_options_help(RunVerb verb);

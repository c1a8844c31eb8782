/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/resource.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "events.h"
#include "hashmap.h"
#include "image-store.h"
#include "net-link.h"
#include "polkit.h"

/* The daemon's shared context: every part of drayd reaches the others' state through it. A leaf of
 * the include graph (tests/check-include-cycles): it names the types it points to and includes none of
 * their headers; making, loading and running it is manager-setup.h's. */

typedef struct Container Container;
typedef struct Manager Manager;
typedef struct SystemdQueue SystemdQueue;
typedef struct Worker Worker;
typedef struct ExecSession ExecSession;
typedef struct ContainerObserver ContainerObserver;

typedef struct ManagerConfig {
        const char *state_dir;    /* /var/lib/dray */
        const char *runtime_dir;  /* /run/dray */
        const char *monitor_path; /* libexecdir/dray/dray-monitor */
        const char *units_dir;    /* /run/systemd/units: journald reads per-unit rate limits there */
        bool network;             /* bridges, veths, nftables: drayd yes, unit tests no */
} ManagerConfig;

#define MANAGER_CONFIG_DEFAULT                                  \
        ((ManagerConfig) {                                      \
                .state_dir = DRAY_STATE_DIR,                    \
                .runtime_dir = DRAY_RUNTIME_DIR,                \
                .monitor_path = DRAY_MONITOR_PATH,              \
                .units_dir = "/run/systemd/units",              \
                .network = true,                                \
        })

struct Manager {
        sd_event *event;
        sd_bus *bus;

        char *state_dir, *runtime_dir, *monitor_path, *units_dir;
        int containers_fd;         /* <state_dir>/containers */
        int runtime_containers_fd; /* <runtime_dir>/containers */

        Hashmap *containers_by_id;
        Hashmap *containers_by_name;
        Hashmap *broken_by_id;         /* BrokenContainer: directories that did not load (container-broken.c) */

        SystemdQueue *systemd_queue;
        Hashmap *scope_jobs;           /* ScopeJob by unit name */
        Hashmap *machine_unregisters;  /* UnregisterMachine calls in flight, by unit name */
        char **scope_stops_deferred;   /* scope_stop() before the bus was connected (adoption) */
        sd_bus_slot *job_removed_slot;

        struct rlimit nofile_original; /* what monitors get back */
        Worker *workers;               /* removing trees in the background */
        PolkitRegistry *polkit_registry; /* authorisation checks in flight (dray_verify_polkit_async) */
        ExecSession *exec_sessions;    /* dray exec calls being answered (container-exec.c) */
        const ContainerObserver *container_observer; /* container.h: health checks follow containers */
        unsigned n_workers;

        ImageStore *images;            /* <state_dir>/images, layers, tmp */
        Hashmap *transfers;            /* Transfer by decimal id */
        unsigned transfer_next_id;
        /* Networks (network.c, container-net.c). */
        bool network_enabled;
        Hashmap *networks_by_name;
        int networks_fd;           /* <state_dir>/networks */
        int netns_fd;              /* <runtime_dir>/netns */
        Rtnl *rtnl;                /* in drayd's own network namespace; NULL: networking is off */
        /* Named volumes (volume.c). */
        Hashmap *volumes_by_name;
        int volumes_fd;            /* <state_dir>/volumes */
        EventSink events;          /* dray events: stamps and the recent ones (events.c) */
        Hashmap *stats_cache;      /* container-stats.c: each monitor's /proc/<pid>/cgroup, by ID */
        unsigned n_walkers;        /* worker-lines.c: tree walks running (diff, disk usage) */
};

/* A container directory renamed to this prefix is removed: what is left of it goes at the next start. */
#define REMOVED_PREFIX ".removed-"

/* Removes a directory tree without blocking the event loop (in a worker process). Takes name
 * relative to dir_fd; logs failures. */
int manager_remove_tree_async(Manager *m, int dir_fd, const char *name);
/* Runs fn(userdata) in a forked worker, which exits with its result; the loop reaps it. Takes what
 * (a description for the log). The child runs on a copy of the caller's memory. */
int manager_spawn_worker(Manager *m, char *what, int (*fn)(void *userdata), void *userdata);
/* Ends the workers' watch (they run on; shutdown, manager-setup.c). */
void manager_workers_free(Manager *m);

/* An image, network or volume event of `dray events` (events.h). */
#define manager_event(m, ...) event_sink_send_simple(&(m)->events, (m)->bus, __VA_ARGS__)

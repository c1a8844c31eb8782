/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/resource.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "container.h"
#include "hashmap.h"
#include "image-store.h"
#include "net-link.h"
#include "polkit.h"
#include "scope.h"

typedef struct Worker Worker;
typedef struct ExecSession ExecSession;

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

        SystemdQueue systemd_queue;
        Hashmap *scope_jobs;           /* ScopeJob by unit name */
        Hashmap *machine_unregisters;  /* UnregisterMachine calls in flight, by unit name */
        char **scope_stops_deferred;   /* scope_stop() before the bus was connected (adoption) */
        sd_bus_slot *job_removed_slot;

        struct rlimit nofile_original; /* what monitors get back */
        Worker *workers;               /* removing trees in the background */
        PolkitRegistry *polkit_registry; /* authorisation checks in flight (dray_verify_polkit_async) */
        ExecSession *exec_sessions;    /* dray exec calls being answered (container-exec.c) */
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
        uint64_t event_last_usec;  /* the stamp of the last event sent (journal-events.c) */
        struct RecentEvents *recent_events; /* the last events sent, for ListRecentEvents */
        Hashmap *stats_cache;      /* container-stats.c: each monitor's /proc/<pid>/cgroup, by ID */
        unsigned n_walkers;        /* worker-lines.c: tree walks running (diff, disk usage) */
};

/* A container directory renamed to this prefix is removed: what is left of it goes at the next start. */
#define REMOVED_PREFIX ".removed-"

int manager_new(const ManagerConfig *config, Manager **ret);
Manager *manager_free(Manager *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Manager *, manager_free);

/* Creates the state and runtime directories and loads every container found there. */
int manager_load(Manager *m);
/* Connects to the system bus, registers the objects, subscribes to systemd, takes the name and tells
 * systemd READY=1 once it has it. */
int manager_connect_bus(Manager *m);
/* Uses an existing connection (tests, --bus-introspect): registers the objects only. */
int manager_attach_bus(Manager *m, sd_bus *bus);
int manager_run(Manager *m);

/* Writes a new container to disk and registers it. Takes spec on success. */
int manager_create_container(Manager *m, ContainerSpec *spec, Container **ret);
int manager_add_container(Manager *m, Container *c);
void manager_remove_container(Manager *m, Container *c); /* unregisters and frees c */

/* name, full ID or a unique ID prefix of at least 4 digits. -ENOENT: none, -ENOTUNIQ: several. */
int manager_find_container(Manager *m, const char *s, Container **ret);
/* For CreateContainer("", …). */
int manager_generate_name(Manager *m, char **ret);

/* Removes a directory tree without blocking the event loop (in a worker process). Takes name
 * relative to dir_fd; logs failures. */
int manager_remove_tree_async(Manager *m, int dir_fd, const char *name);
/* Runs fn(userdata) in a forked worker, which exits with its result; the loop reaps it. Takes what
 * (a description for the log). The child runs on a copy of the caller's memory. */
int manager_spawn_worker(Manager *m, char *what, int (*fn)(void *userdata), void *userdata);

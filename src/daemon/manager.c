/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <systemd/sd-daemon.h>

#include "bus-names.h"
#include "child-process.h"
#include "container-stats.h"
#include "journal-events.h"
#include "log.h"
#include "machine1.h"
#include "manager-dbus.h"
#include "container-broken.h"
#include "container-restart.h"
#include "container-exec.h"
#include "manager.h"
#include "mount-leftovers.h"
#include "image-dbus.h"
#include "time-util.h"
#include "transfer.h"
#include "name.h"
#include "network.h"
#include "rm-rf.h"
#include "strv.h"
#include "volume.h"


/* A forked child that works in the background (removes a tree, deletes a link): a ChildProcess
 * (child-process.h) on the manager's list, so that shutdown can wait for it. */
typedef struct Worker {
        Manager *manager;
        struct Worker *prev, *next;
        ChildProcess *child;
} Worker;

static Worker *worker_free(Worker *w) {
        if (!w)
                return NULL;
        if (w->prev)
                w->prev->next = w->next;
        else
                w->manager->workers = w->next;
        if (w->next)
                w->next->prev = w->prev;
        w->manager->n_workers--;
        child_process_free(w->child);
        free(w);
        return NULL;
}

static int str_dup(const char *s, char **ret) {
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

int manager_new(const ManagerConfig *config, Manager **ret) {
        _cleanup_(manager_freep) Manager *m = NULL;
        int r;

        m = calloc(1, sizeof(Manager));
        if (!m)
                return -ENOMEM;
        m->containers_fd = m->runtime_containers_fd = m->networks_fd = m->netns_fd = m->volumes_fd = -EBADF;
        m->network_enabled = config->network;

        r = str_dup(config->state_dir, &m->state_dir);
        if (r >= 0)
                r = str_dup(config->runtime_dir, &m->runtime_dir);
        if (r >= 0)
                r = str_dup(config->monitor_path, &m->monitor_path);
        if (r >= 0)
                r = str_dup(config->units_dir, &m->units_dir);
        if (r < 0)
                return r;

        m->containers_by_id = hashmap_new();
        m->transfers = hashmap_new();
        m->containers_by_name = hashmap_new();
        m->scope_jobs = hashmap_new();
        m->machine_unregisters = hashmap_new();
        m->polkit_registry = polkit_registry_new();
        m->networks_by_name = hashmap_new();
        m->volumes_by_name = hashmap_new();
        if (!m->volumes_by_name || !m->containers_by_id || !m->containers_by_name || !m->scope_jobs || !m->machine_unregisters ||
            !m->polkit_registry || !m->transfers || !m->networks_by_name)
                return -ENOMEM;

        r = sd_event_new(&m->event);
        if (r < 0)
                return r;
        if (getrlimit(RLIMIT_NOFILE, &m->nofile_original) < 0)
                return -errno;

        *ret = TAKE_PTR(m);
        return 0;
}

Manager *manager_free(Manager *m) {
        Container *c;
        Network *n;
        Volume *v;

        if (!m)
                return NULL;
        /* Containers keep running: we only let go of them. */
        HASHMAP_FOREACH(c, m->containers_by_id)
                container_free(c);
        HASHMAP_FOREACH(n, m->networks_by_name)
                network_free(n);
        hashmap_free(m->networks_by_name);
        HASHMAP_FOREACH(v, m->volumes_by_name)
                volume_free(v);
        hashmap_free(m->volumes_by_name);
        safe_close(m->volumes_fd);
        rtnl_free(m->rtnl);
        safe_close(m->networks_fd);
        safe_close(m->netns_fd);
        while (m->workers)
                worker_free(m->workers);
        manager_free_transfers(m);
        hashmap_free(m->transfers);
        machine_unregisters_free(m);
        recent_events_free(m);
        container_stats_cache_free(m);
        systemd_queue_done(m);
        m->job_removed_slot = sd_bus_slot_unref(m->job_removed_slot);
        hashmap_free(m->containers_by_id);
        hashmap_free(m->containers_by_name);
        container_broken_free_all(m);
        hashmap_free(m->scope_jobs);
        hashmap_free(m->machine_unregisters);
        strv_free(m->scope_stops_deferred);
        exec_sessions_free(m);
        polkit_registry_free(m->polkit_registry);
        image_bus_cache_flush();
        image_store_free(m->images);
        sd_bus_flush_close_unref(m->bus);
        sd_event_unref(m->event);
        safe_close(m->containers_fd);
        safe_close(m->runtime_containers_fd);
        free(m->state_dir);
        free(m->runtime_dir);
        free(m->monitor_path);
        free(m->units_dir);
        free(m);
        return NULL;
}

/* ---- containers ------------------------------------------------------------------------------- */

int manager_add_container(Manager *m, Container *c) {
        int r;

        r = hashmap_put(m->containers_by_id, c->spec->id, c);
        if (r < 0)
                return r;
        r = hashmap_put(m->containers_by_name, c->spec->name, c);
        if (r < 0) {
                (void) hashmap_remove(m->containers_by_id, c->spec->id);
                return r;
        }
        manager_bus_send_container_new(m, c);
        return 0;
}

int manager_create_container(Manager *m, ContainerSpec *spec, Container **ret) {
        Container *c;
        int r;

        if (spec->created_usec == 0)
                spec->created_usec = now_usec(CLOCK_REALTIME);
        r = container_create(m, spec, &c);
        if (r < 0)
                return r;
        r = manager_add_container(m, c);
        if (r < 0) {
                (void) rm_rf_at(m->containers_fd, spec->id);
                c->spec = NULL; /* still the caller's */
                container_free(c);
                return r;
        }
        container_log_event(c, DRAY_MESSAGE_CONTAINER_CREATED, LOG_INFO, "Created container %s (%s).",
                            spec->name, spec->id);
        *ret = c;
        return 0;
}

void manager_remove_container(Manager *m, Container *c) {
        /* While the object can still be found, for InterfacesRemoved. */
        manager_bus_send_container_removed(m, c);
        (void) hashmap_remove(m->containers_by_id, c->spec->id);
        (void) hashmap_remove(m->containers_by_name, c->spec->name);
        container_free(c);
}

int manager_find_container(Manager *m, const char *s, Container **ret) {
        Container *c, *found = NULL;
        size_t n;

        if (isempty(s))
                return -ENOENT;
        /* Docker's order: full ID, name, then a unique ID prefix. */
        c = hashmap_get(m->containers_by_id, s);
        if (!c)
                c = hashmap_get(m->containers_by_name, s);
        if (c) {
                *ret = c;
                return 0;
        }
        if (!container_id_prefix_is_valid(s))
                return -ENOENT;
        n = strlen(s);
        HASHMAP_FOREACH(c, m->containers_by_id) {
                if (!strneq(c->spec->id, s, n))
                        continue;
                if (found)
                        return -ENOTUNIQ;
                found = c;
        }
        if (!found)
                return -ENOENT;
        *ret = found;
        return 0;
}

int manager_generate_name(Manager *m, char **ret) {
        for (unsigned i = 0; i < 64; i++) {
                _cleanup_free_ char *n = NULL;
                int r;

                r = container_name_generate(&n);
                if (r < 0)
                        return r;
                if (!hashmap_get(m->containers_by_name, n)) {
                        *ret = TAKE_PTR(n);
                        return 0;
                }
        }
        return -EEXIST;
}

/* ---- workers ---------------------------------------------------------------------------------- */

static void on_worker_exit(ChildProcess *c, const ChildExit *e, void *userdata) {
        char how[64];

        if (child_exit_is_success(e))
                log_debug("The worker for %s is done.", child_process_what(c));
        else {
                child_exit_describe(e, how, sizeof(how));
                log_warning("The worker for %s %s; see its messages above.", child_process_what(c), how);
        }
        worker_free(userdata);
}

typedef struct WorkerCall {
        int (*fn)(void *userdata);
        void *userdata;
} WorkerCall;

static int worker_main(int report_fd, void *userdata) {
        const WorkerCall *call = userdata;

        return call->fn(call->userdata) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

int manager_spawn_worker(Manager *m, char *what, int (*fn)(void *userdata), void *userdata) {
        _cleanup_free_ char *w_what = what;
        Worker *w;
        int r;

        w = calloc(1, sizeof(Worker));
        if (!w)
                return -ENOMEM;
        /* The child runs on a copy of this stack frame: the call need not outlive it. */
        r = child_process_spawn(m->event,
                                &(ChildProcessArgs) {
                                        .what = w_what,
                                        .main = worker_main,
                                        .main_userdata = &(WorkerCall) { fn, userdata },
                                        .on_exit = on_worker_exit,
                                        .userdata = w,
                                },
                                &w->child);
        if (r < 0) {
                free(w);
                return r;
        }
        w->manager = m;
        w->next = m->workers;
        if (m->workers)
                m->workers->prev = w;
        m->workers = w;
        m->n_workers++;
        return 0;
}

typedef struct RemoveTree {
        int dir_fd;
        const char *name;
        const char *what;
} RemoveTree;

static int remove_tree(void *userdata) {
        RemoveTree *t = userdata;
        int r;

        r = rm_rf_at(t->dir_fd, t->name);
        if (r < 0)
                log_error_errno(r, "Failed to remove %s; remove it by hand: %m", t->what);
        return r;
}

int manager_remove_tree_async(Manager *m, int dir_fd, const char *name) {
        char *what;

        if (asprintf(&what, "%s/containers/%s", m->state_dir, name) < 0)
                return -ENOMEM;
        /* The child runs on a copy of this stack frame. */
        return manager_spawn_worker(m, what, remove_tree, &(RemoveTree) { dir_fd, name, what });
}

/* ---- loading ---------------------------------------------------------------------------------- */

static int open_dir_in(const char *path, const char *sub, int *ret) {
        _cleanup_close_ int fd = -EBADF;
        int sfd;

        if (mkdir(path, 0755) < 0 && errno != EEXIST)
                return -errno;
        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (mkdirat(fd, sub, 0700) < 0 && errno != EEXIST)
                return -errno;
        sfd = openat(fd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (sfd < 0)
                return -errno;
        *ret = sfd;
        return 0;
}

static void manager_load_one(Manager *m, const char *name) {
        Container *c;
        int r;

        if (strneq(name, REMOVED_PREFIX, strlen(REMOVED_PREFIX))) {
                /* A removal we did not finish. */
                r = manager_remove_tree_async(m, m->containers_fd, name);
                if (r < 0)
                        log_warning_errno(r, "Failed to remove %s/containers/%s, ignoring: %m", m->state_dir, name);
                return;
        }
        if (!container_id_is_valid(name)) {
                log_debug("Ignoring %s/containers/%s: not a container ID.", m->state_dir, name);
                return;
        }

        r = container_load(m, name, &c);
        if (r == -ENOENT) {
                /* A CreateContainer that did not get as far as config.json. */
                log_info("Removing incomplete container directory %s/containers/%s.", m->state_dir, name);
                (void) rm_rf_at(m->containers_fd, name);
                return;
        }
        if (r == -EPROTONOSUPPORT) {
                /* Refused, and never written: a newer dray made it, and may come back to it. */
                log_error("Container %s: %s/containers/%s/ was written by a newer dray (a schema version above "
                          "this build's), refusing to load it; leaving it untouched.", name, m->state_dir, name);
                return;
        }
        if (r < 0) {
                /* Never skipped in silence: listed as broken, removable with rm -f. */
                r = container_broken_add(m, name, r);
                if (r < 0)
                        log_error_errno(r, "Failed to load container %s, ignoring it: %m", name);
                return;
        }
        r = manager_add_container(m, c);
        if (r < 0) {
                log_error_errno(r, "Failed to register container %s (%s), ignoring it: %m", c->spec->name, name);
                container_free(c);
                return;
        }
        (void) container_adopt(c); /* may remove it */
}

/* Restart policies at drayd's start (a boot, or a restart of drayd), once every container is adopted;
 * the starts happen from the event loop. */
static void manager_restart_policies(Manager *m) {
        Container *c;

        HASHMAP_FOREACH(c, m->containers_by_id)
                container_restart_boot(c);
}

int manager_load(Manager *m) {
        _cleanup_close_ int fd = -EBADF;
        DIR *d;
        int r;

        r = undo_leftover_mounts(m->state_dir, m->runtime_dir);
        if (r < 0)
                log_warning_errno(r, "Failed to read the mount table, not looking for leftover mounts: %m");

        r = open_dir_in(m->state_dir, "containers", &m->containers_fd);
        if (r < 0)
                return log_error_errno(r, "Failed to open %s/containers: %m", m->state_dir);
        r = open_dir_in(m->runtime_dir, "containers", &m->runtime_containers_fd);
        if (r < 0)
                return log_error_errno(r, "Failed to open %s/containers: %m", m->runtime_dir);
        /* Networks first: adopting a container that ended tears down its network plumbing. */
        r = manager_load_networks(m);
        if (r < 0) {
                /* Containers with --network none (and host) still work; bridge ones fail to start
                 * with a clear error. */
                log_error_errno(r, "Networking is off: %m");
                m->rtnl = rtnl_free(m->rtnl);
        }

        /* Volumes before containers: a container's spec names the volumes it mounts. */
        r = manager_load_volumes(m);
        if (r < 0)
                return r;

        r = image_store_open(m->state_dir, &m->images);
        if (r < 0)
                return log_error_errno(r, "Failed to open the image store in %s: %m", m->state_dir);
        /* No transfer runs yet: whatever an interrupted one left in tmp/ goes. */
        r = image_store_clean_tmp(m->images);
        if (r < 0)
                log_warning_errno(r, "Failed to clean %s/tmp, ignoring: %m", m->state_dir);

        fd = fcntl(m->containers_fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return log_error_errno(errno, "Failed to duplicate a descriptor: %m");
        d = fdopendir(fd);
        if (!d)
                return log_error_errno(errno, "Failed to read %s/containers: %m", m->state_dir);
        TAKE_FD(fd);
        for (struct dirent *de; (de = readdir(d));) {
                if (de->d_name[0] == '.' && !strneq(de->d_name, REMOVED_PREFIX, strlen(REMOVED_PREFIX)))
                        continue;
                manager_load_one(m, de->d_name);
        }
        closedir(d);
        log_debug("Loaded %zu containers.", hashmap_size(m->containers_by_id));
        manager_reconcile_networks(m);
        manager_restart_policies(m);
        return 0;
}

/* ---- the bus and the loop --------------------------------------------------------------------- */

int manager_attach_bus(Manager *m, sd_bus *bus) {
        m->bus = sd_bus_ref(bus);
        return manager_bus_register(m);
}

static int on_name_acquired(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Manager *m = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);

        if (e) {
                log_error("Failed to acquire the bus name %s: %s", DRAY_BUS_NAME, e->message);
                (void) sd_event_exit(m->event, -sd_bus_error_get_errno(e));
                return 0;
        }
        log_debug("Acquired the bus name %s.", DRAY_BUS_NAME);
        (void) sd_notify(false, "READY=1\nSTATUS=Processing requests...");
        return 0;
}

/* Clients attached to runs that a previous drayd started (state.json's "caller"): one that went away
 * meanwhile has its container stopped, or removed when it ended with AutoRemove. */
static void manager_watch_callers(Manager *m) {
        Container *c;

        HASHMAP_FOREACH(c, m->containers_by_id) {
                int r = container_caller_watch(c);
                if (r < 0)
                        log_warning_errno(r, "Container %s: failed to watch its client %s, ignoring: %m",
                                          c->spec->name, c->rec.caller);
        }
}

int manager_connect_bus(Manager *m) {
        /* Not flush_close: m->bus keeps the connection. */
        _cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;
        int r;

        r = sd_bus_open_system_with_description(&bus, "drayd");
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the system bus: %m");
        r = sd_bus_set_exit_on_disconnect(bus, true);
        if (r < 0)
                return log_error_errno(r, "Failed to set exit-on-disconnect: %m");
        r = sd_bus_attach_event(bus, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "Failed to attach the bus to the event loop: %m");
        r = manager_attach_bus(m, bus);
        if (r < 0)
                return r;
        r = scope_subscribe(m);
        if (r < 0)
                return log_error_errno(r, "Failed to subscribe to systemd: %m");
        manager_watch_callers(m);
        /* Last: once we have the name, callers reach objects that are all in place. */
        r = sd_bus_request_name_async(bus, NULL, DRAY_BUS_NAME, 0, on_name_acquired, m);
        if (r < 0)
                return log_error_errno(r, "Failed to request the bus name %s: %m", DRAY_BUS_NAME);
        return 0;
}

int manager_run(Manager *m) {
        int r;

        r = sd_event_set_signal_exit(m->event, true);
        if (r < 0)
                return log_error_errno(r, "Failed to handle SIGTERM and SIGINT: %m");
        r = sd_event_loop(m->event);
        (void) sd_notify(false, "STOPPING=1\nSTATUS=Shutting down...");
        if (r < 0)
                return log_error_errno(r, "Event loop failed: %m");
        return r;
}

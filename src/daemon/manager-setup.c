/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* drayd's life: the Manager made and freed, everything loaded from disk at start, the bus connected,
 * the loop run. The top of the daemon: it includes every part, and no part includes it. */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <systemd/sd-daemon.h>

#include "bus-names.h"
#include "container-stats.h"
#include "container-broken.h"
#include "container-exec.h"
#include "container-health.h"
#include "container-net.h"
#include "container-restart.h"
#include "container.h"
#include "image-dbus.h"
#include "log.h"
#include "machine1.h"
#include "manager-dbus.h"
#include "manager-setup.h"
#include "manager.h"
#include "mount-leftovers.h"
#include "name.h"
#include "network.h"
#include "rm-rf.h"
#include "scope.h"
#include "strv.h"
#include "systemd-queue.h"
#include "time-util.h"
#include "transfer.h"
#include "volume.h"


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
        m->container_observer = &container_health_observer;

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

        m->systemd_queue = calloc(1, sizeof(SystemdQueue));
        if (!m->systemd_queue)
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
        manager_workers_free(m);
        manager_free_transfers(m);
        hashmap_free(m->transfers);
        machine_unregisters_free(m);
        event_sink_done(&m->events);
        container_stats_cache_free(m);
        systemd_queue_done(m);
        free(m->systemd_queue);
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

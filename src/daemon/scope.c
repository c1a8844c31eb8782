/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <stdarg.h>
#include <string.h>

#include "bus-names.h"
#include "device-spec.h"
#include "log.h"
#include "manager.h"
#include "strv.h"
#include "scope.h"

#define SYSTEMD_BUS_NAME "org.freedesktop.systemd1"
#define SYSTEMD_PATH "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER_INTERFACE "org.freedesktop.systemd1.Manager"

static int systemd_new_call(Manager *m, const char *member, sd_bus_message **ret) {
        return sd_bus_message_new_method_call(m->bus, ret, SYSTEMD_BUS_NAME, SYSTEMD_PATH,
                                              SYSTEMD_MANAGER_INTERFACE, member);
}

/* ---- scope jobs ----------------------------------------------------------------------------- */

struct ScopeJob {
        Manager *manager;
        char *unit;
        const ContainerSpec *spec; /* owned by the container, which owns (and outlives) the job */
        pid_t monitor_pid;
        char *bind_to;      /* the caller's service, or NULL */
        SystemdCall *call;
        char *job;          /* the systemd job we wait for */
        bool stopping_stale; /* the job is a stop of a leftover unit, not our start */
        bool retried;
        bool blocked;        /* waiting for machined to forget the previous machine of this name */
        scope_job_handler_t handler;
        void *userdata;
};

static void scope_job_unregister(ScopeJob *j) {
        if (hashmap_get(j->manager->scope_jobs, j->unit) == j)
                (void) hashmap_remove(j->manager->scope_jobs, j->unit);
}

ScopeJob *scope_job_free(ScopeJob *j) {
        if (!j)
                return NULL;
        scope_job_unregister(j);
        systemd_call_cancel(j->call);
        free(j->job);
        free(j->unit);
        free(j->bind_to);
        free(j);
        return NULL;
}

static void scope_job_finish(ScopeJob *j, int error, const char *fmt, ...) _printf_(3, 4);
static void scope_job_finish(ScopeJob *j, int error, const char *fmt, ...) {
        _cleanup_free_ char *message = NULL;
        va_list ap;

        if (fmt) {
                va_start(ap, fmt);
                if (vasprintf(&message, fmt, ap) < 0)
                        message = NULL;
                va_end(ap);
        }
        scope_job_unregister(j);
        j->call = NULL;
        /* The handler may free j. */
        j->handler(j, error, message, j->userdata);
}

/* The devices cgroup of the scope: closed (systemd then allows /dev/null, zero, full, random and
 * urandom) plus the terminal devices a container's /dev holds, as Docker's default list; mknod of
 * anything else, or opening a host device node that got in somehow, fails with EPERM. --privileged
 * containers get the host's devices and no device policy. */
static int scope_append_device_policy(sd_bus_message *m, const ContainerSpec *spec) {
        int r;

        if (spec->privileged)
                return 0;
        r = sd_bus_message_append(m, "(sv)(sv)",
                                  "DevicePolicy", "s", "closed",
                                  "DeviceAllow", "a(ss)", 4,
                                  "/dev/tty", "rw",
                                  "/dev/console", "rw",
                                  "/dev/ptmx", "rw",
                                  "char-pts", "rw");
        /* --device: the host's node, by its path (systemd allows its major:minor, through the devices
         * controller's devices.allow on cgroup v1, a BPF program on v2). systemd keeps one entry per
         * path, the last given: a node given twice gets the union of its permissions, as the kernel
         * cannot tell the container's two names of one device apart anyway. */
        for (size_t i = 0; r >= 0 && spec->devices && spec->devices[i]; i++) {
                _cleanup_free_ char *host = NULL;
                char perms[4] = "";
                bool seen = false;

                r = device_spec_parse(spec->devices[i], &host, NULL, NULL);
                for (size_t j = 0; r >= 0 && spec->devices[j]; j++) {
                        _cleanup_free_ char *h = NULL, *p = NULL;

                        r = device_spec_parse(spec->devices[j], &h, NULL, &p);
                        if (r < 0 || !streq(h, host))
                                continue;
                        if (j < i)
                                seen = true;
                        for (const char *c = "rwm"; *c; c++)
                                if (strchr(p, *c) && !strchr(perms, *c))
                                        perms[strlen(perms)] = *c;
                }
                if (r >= 0 && !seen)
                        r = sd_bus_message_append(m, "(sv)", "DeviceAllow", "a(ss)", 1, host, perms);
        }
        return r;
}

/* What marks a scope as drayd's own (scope_job_check_owner()). */
static int scope_description(const ContainerSpec *spec, char **ret) {
        return asprintf(ret, "dray container %s", spec->name) < 0 ? -ENOMEM : 0;
}

/* A foreground run from a service is that service's payload: BindsTo= stops the scope when the service
 * stops or dies, even while drayd is not running. No After=: the scope starts while the service is
 * still activating (Type=oneshot, Type=notify), and an ordering would make the scope's start wait for
 * the service's, which waits for the container. */
static int scope_append_binding(sd_bus_message *m, const char *bind_to) {
        if (!bind_to)
                return 0;
        return sd_bus_message_append(m, "(sv)", "BindsTo", "as", 1, bind_to);
}

int scope_build_start_message(sd_bus *bus, const char *unit, const ContainerSpec *spec, pid_t monitor_pid,
                              const char *bind_to, sd_bus_message **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_free_ char *description = NULL;
        int r;

        r = scope_description(spec, &description);
        if (r < 0)
                return r;
        r = sd_bus_message_new_method_call(bus, &m, SYSTEMD_BUS_NAME, SYSTEMD_PATH, SYSTEMD_MANAGER_INTERFACE,
                                           "StartTransientUnit");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "ss", unit, "fail");
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(m, 'a', "(sv)");
        if (r < 0)
                return r;
        /* KillSignal= and TimeoutStopUSec= are the container's own, so that `systemctl stop` of the scope
         * and `machinectl terminate` stop it as `dray stop` does. */
        r = sd_bus_message_append(m, "(sv)(sv)(sv)(sv)(sv)(sv)(sv)",
                                  "Description", "s", description,
                                  "Slice", "s", spec->slice ?: DRAY_SLICE,
                                  "Delegate", "b", 1,
                                  "CollectMode", "s", "inactive-or-failed",
                                  "TimeoutStopUSec", "t", spec->stop_timeout_usec,
                                  "KillSignal", "i", (int32_t) spec->stop_signal,
                                  "PIDs", "au", 1, (uint32_t) monitor_pid);
        if (r >= 0 && spec->memory_max != UNSET_U64)
                r = sd_bus_message_append(m, "(sv)", "MemoryMax", "t", spec->memory_max);
        if (r >= 0 && spec->cpu_quota_per_sec_usec != UNSET_U64)
                r = sd_bus_message_append(m, "(sv)", "CPUQuotaPerSecUSec", "t", spec->cpu_quota_per_sec_usec);
        if (r >= 0 && spec->cpu_weight != UNSET_U64)
                r = sd_bus_message_append(m, "(sv)", "CPUWeight", "t", spec->cpu_weight);
        if (r >= 0 && spec->tasks_max != UNSET_U64)
                r = sd_bus_message_append(m, "(sv)", "TasksMax", "t", spec->tasks_max);
        if (r >= 0)
                r = scope_append_device_policy(m, spec);
        if (r >= 0)
                r = scope_append_binding(m, bind_to);
        if (r < 0)
                return r;
        r = sd_bus_message_close_container(m);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "a(sa(sv))", 0);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(m);
        return 0;
}

static int scope_job_send_start(ScopeJob *j);

static void on_stop_stale_reply(sd_bus_message *reply, const sd_bus_error *error, void *userdata) {
        ScopeJob *j = userdata;
        const char *job;
        int r;

        j->call = NULL;
        if (sd_bus_error_has_name(error, "org.freedesktop.systemd1.NoSuchUnit")) {
                /* Collected meanwhile. */
                r = scope_job_send_start(j);
                if (r < 0)
                        scope_job_finish(j, r, "Failed to start unit %s: %s", j->unit, strerror(-r));
                return;
        }
        if (error) {
                scope_job_finish(j, -EEXIST, "Unit %s exists already and could not be stopped: %s",
                                 j->unit, error->message);
                return;
        }
        r = sd_bus_message_read(reply, "o", &job);
        if (r < 0) {
                scope_job_finish(j, r, "Failed to parse the reply to StopUnit: %s", strerror(-r));
                return;
        }
        free(j->job);
        j->job = strdup(job);
        if (!j->job) {
                scope_job_finish(j, -ENOMEM, "Out of memory");
                return;
        }
        j->stopping_stale = true;
}

static int scope_job_stop_stale(ScopeJob *j) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        /* Our earlier scope of the same name, which systemd has not collected yet (its monitor is
         * gone: we only start a container whose previous run has ended). */
        log_debug("Unit %s exists already, stopping it before starting it again.", j->unit);
        r = systemd_new_call(j->manager, "StopUnit", &m);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "ss", j->unit, "replace");
        if (r < 0)
                return r;
        return systemd_queue_call(j->manager, m, on_stop_stale_reply, j, &j->call);
}

/* Reads LoadState and Description from a GetAll reply of org.freedesktop.systemd1.Unit. */
static int read_owner_properties(sd_bus_message *reply, const char **ret_load_state, const char **ret_description) {
        int r;

        *ret_load_state = *ret_description = NULL;
        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        if (r < 0)
                return r;
        for (;;) {
                const char *key, **target = NULL;

                r = sd_bus_message_enter_container(reply, 'e', "sv");
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                r = sd_bus_message_read(reply, "s", &key);
                if (r < 0)
                        return r;
                if (streq(key, "LoadState"))
                        target = ret_load_state;
                else if (streq(key, "Description"))
                        target = ret_description;
                if (target)
                        r = sd_bus_message_read(reply, "v", "s", target);
                else
                        r = sd_bus_message_skip(reply, "v");
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_exit_container(reply);
        if (r < 0)
                return r;
        return *ret_load_state && *ret_description ? 0 : -EBADMSG;
}

static void on_owner_reply(sd_bus_message *reply, const sd_bus_error *error, void *userdata) {
        _cleanup_free_ char *ours = NULL;
        const char *description, *load_state;
        ScopeJob *j = userdata;
        int r;

        j->call = NULL;
        if (sd_bus_error_has_name(error, "org.freedesktop.DBus.Error.UnknownObject") ||
            sd_bus_error_has_name(error, "org.freedesktop.systemd1.NoSuchUnit")) {
                /* Collected meanwhile. */
                r = scope_job_send_start(j);
                if (r < 0)
                        scope_job_finish(j, r, "Failed to start unit %s: %s", j->unit, strerror(-r));
                return;
        }
        if (error) {
                scope_job_finish(j, -EEXIST, "Unit %s exists already and cannot be inspected: %s", j->unit,
                                 error->message);
                return;
        }
        r = read_owner_properties(reply, &load_state, &description);
        if (r < 0) {
                scope_job_finish(j, r, "Failed to parse the properties of unit %s: %s", j->unit, strerror(-r));
                return;
        }
        /* Collected between StartTransientUnit's UnitExists and this call: reading the unit's object
         * made systemd load a stub of that name (LoadState "not-found", the name as Description),
         * which is nobody's unit. Seen in 36-start-attach, a start right after the previous run. */
        if (!streq(load_state, "loaded")) {
                r = scope_job_send_start(j);
                if (r < 0)
                        scope_job_finish(j, r, "Failed to start unit %s: %s", j->unit, strerror(-r));
                return;
        }
        r = scope_description(j->spec, &ours);
        if (r < 0) {
                scope_job_finish(j, r, "Out of memory");
                return;
        }
        if (!streq(description, ours)) {
                scope_job_finish(j, -ENOTUNIQ,
                                 "Unit %s exists and was not made by drayd ('%.128s'): drayd leaves it alone; "
                                 "choose another container name, or stop that unit.", j->unit, description);
                return;
        }
        r = scope_job_stop_stale(j);
        if (r < 0)
                scope_job_finish(j, r, "Failed to stop unit %s: %s", j->unit, strerror(-r));
}

/* A unit of our container's name exists: drayd stops only a scope of its own (one left over from the
 * container's previous run, not collected yet), never a unit someone else made under that name. Its
 * Description tells: drayd's scopes carry "dray container NAME"; its LoadState tells whether it is still
 * there at all. */
static int scope_job_check_owner(ScopeJob *j) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_free_ char *path = NULL;
        int r;

        r = sd_bus_path_encode("/org/freedesktop/systemd1/unit", j->unit, &path);
        if (r < 0)
                return r;
        r = sd_bus_message_new_method_call(j->manager->bus, &m, SYSTEMD_BUS_NAME, path,
                                           "org.freedesktop.DBus.Properties", "GetAll");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "s", "org.freedesktop.systemd1.Unit");
        if (r < 0)
                return r;
        return systemd_queue_call(j->manager, m, on_owner_reply, j, &j->call);
}

static void on_start_reply(sd_bus_message *reply, const sd_bus_error *error, void *userdata) {
        ScopeJob *j = userdata;
        const char *job;
        int r;

        j->call = NULL;
        if (sd_bus_error_has_name(error, "org.freedesktop.systemd1.UnitExists") && !j->retried) {
                j->retried = true;
                r = scope_job_check_owner(j);
                if (r < 0)
                        scope_job_finish(j, r, "Failed to inspect unit %s: %s", j->unit, strerror(-r));
                return;
        }
        if (error) {
                scope_job_finish(j, -EIO, "Failed to start unit %s: %s", j->unit, error->message);
                return;
        }
        r = sd_bus_message_read(reply, "o", &job);
        if (r < 0) {
                scope_job_finish(j, r, "Failed to parse the reply to StartTransientUnit: %s",
                                 strerror(-r));
                return;
        }
        free(j->job);
        j->job = strdup(job);
        if (!j->job) {
                scope_job_finish(j, -ENOMEM, "Out of memory");
                return;
        }
        j->stopping_stale = false;
        /* JobRemoved follows: systemd replies from the method handler and runs the job later. */
}

static int scope_job_send_start(ScopeJob *j) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        free(j->job);
        j->job = NULL;
        r = scope_build_start_message(j->manager->bus, j->unit, j->spec, j->monitor_pid, j->bind_to, &m);
        if (r < 0)
                return r;
        return systemd_queue_call(j->manager, m, on_start_reply, j, &j->call);
}

static int on_job_removed(sd_bus_message *message, void *userdata, sd_bus_error *ret_error) {
        Manager *m = userdata;
        const char *job, *unit, *result;
        ScopeJob *j;
        uint32_t id;
        int r;

        r = sd_bus_message_read(message, "uoss", &id, &job, &unit, &result);
        if (r < 0) {
                log_debug_errno(r, "Failed to parse JobRemoved signal, ignoring: %m");
                return 0;
        }
        j = hashmap_get(m->scope_jobs, unit);
        if (!j || !j->job || !streq(job, j->job))
                return 0;

        if (j->stopping_stale) {
                r = scope_job_send_start(j);
                if (r < 0)
                        scope_job_finish(j, r, "Failed to start unit %s: %s", unit, strerror(-r));
                return 0;
        }
        if (!streq(result, "done")) {
                scope_job_finish(j, -EIO, "Job for unit %s finished with result '%s'.", unit, result);
                return 0;
        }
        scope_job_finish(j, 0, NULL);
        return 0;
}

static void on_subscribe_reply(sd_bus_message *reply, const sd_bus_error *error, void *userdata) {
        if (error)
                log_warning("Failed to subscribe to systemd's signals, starting containers will fail: %s",
                            error->message);
}

static void scope_stop_deferred(Manager *m) {
        _cleanup_strv_free_ char **l = TAKE_PTR(m->scope_stops_deferred);

        STRV_FOREACH(u, l) {
                int r = scope_stop(m, *u);
                if (r < 0)
                        log_debug_errno(r, "Failed to stop %s, ignoring: %m", *u);
        }
}

int scope_subscribe(Manager *m) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        int r;

        /* The match goes out first: the bus applies our messages in order, so it is in place before
         * any job of ours can finish. systemd only sends job signals to subscribed clients. */
        r = sd_bus_match_signal_async(m->bus, &m->job_removed_slot, SYSTEMD_BUS_NAME, SYSTEMD_PATH,
                                      SYSTEMD_MANAGER_INTERFACE, "JobRemoved", on_job_removed, NULL, m);
        if (r < 0)
                return r;
        r = systemd_new_call(m, "Subscribe", &call);
        if (r < 0)
                return r;
        r = systemd_queue_call(m, call, on_subscribe_reply, m, NULL);
        if (r < 0)
                return r;
        scope_stop_deferred(m);
        return 0;
}

int scope_start(Manager *m, const char *unit, const ContainerSpec *spec, pid_t monitor_pid, const char *bind_to,
                scope_job_handler_t handler, void *userdata, ScopeJob **ret) {
        _cleanup_(scope_job_freep) ScopeJob *j = NULL;
        int r;

        assert(handler);
        if (hashmap_get(m->scope_jobs, unit))
                return -EBUSY;
        j = calloc(1, sizeof(ScopeJob));
        if (!j)
                return -ENOMEM;
        *j = (ScopeJob) {
                .manager = m,
                .unit = strdup(unit),
                .spec = spec,
                .monitor_pid = monitor_pid,
                .handler = handler,
                .userdata = userdata,
        };
        if (!j->unit)
                return -ENOMEM;
        if (bind_to) {
                j->bind_to = strdup(bind_to);
                if (!j->bind_to)
                        return -ENOMEM;
        }
        r = hashmap_put(m->scope_jobs, j->unit, j);
        if (r < 0)
                return r;
        /* machine1.c keeps its UnregisterMachine calls in flight in the Manager, and calls
         * scope_unblock() when one is answered. */
        if (hashmap_get(m->machine_unregisters, unit)) {
                log_debug("Unit %s: waiting for machined to forget the previous machine of this name.", unit);
                j->blocked = true;
        } else {
                r = scope_job_send_start(j);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(j);
        return 0;
}

void scope_unblock(Manager *m, const char *unit) {
        ScopeJob *j = hashmap_get(m->scope_jobs, unit);
        int r;

        if (!j || !j->blocked)
                return;
        j->blocked = false;
        r = scope_job_send_start(j);
        if (r < 0)
                scope_job_finish(j, r, "Failed to start unit %s: %s", unit, strerror(-r));
}

static void on_stop_reply(sd_bus_message *reply, const sd_bus_error *error, void *userdata) {
        if (error && !sd_bus_error_has_name(error, "org.freedesktop.systemd1.NoSuchUnit"))
                log_debug("Failed to stop a leftover scope, ignoring: %s", error->message);
}

int scope_stop(Manager *m, const char *unit) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        int r;

        /* During adoption we are not connected yet. The stop still reaches systemd after whatever
         * the previous drayd asked for: systemd reads all its bus messages from one connection, in
         * the order the bus routed them. */
        if (!m->bus)
                return strv_contains(m->scope_stops_deferred, unit) ? 0 : strv_extend(&m->scope_stops_deferred, unit);
        r = systemd_new_call(m, "StopUnit", &call);
        if (r < 0)
                return r;
        r = sd_bus_message_append(call, "ss", unit, "replace");
        if (r < 0)
                return r;
        return systemd_queue_call(m, call, on_stop_reply, NULL, NULL);
}

int scope_attach(Manager *m, const char *unit, const char *subcgroup, pid_t pid, systemd_call_handler_t handler,
                 void *userdata, SystemdCall **ret_call) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        int r;

        if (!m->bus)
                return -ENOTCONN;
        r = systemd_new_call(m, "AttachProcessesToUnit", &call);
        if (r < 0)
                return r;
        r = sd_bus_message_append(call, "ssau", unit, subcgroup, 1, (uint32_t) pid);
        if (r < 0)
                return r;
        return systemd_queue_call(m, call, handler, userdata, ret_call);
}

int scope_set_limits(Manager *m, const char *unit, const ScopeLimits *l, systemd_call_handler_t handler,
                     void *userdata) {
        static const char *const names[] = { "MemoryMax", "CPUQuotaPerSecUSec", "CPUWeight", "TasksMax" };
        const uint64_t *values[] = { &l->memory_max, &l->cpu_quota_per_sec_usec, &l->cpu_weight, &l->tasks_max };
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        int r;

        r = systemd_new_call(m, "SetUnitProperties", &call);
        if (r < 0)
                return r;
        r = sd_bus_message_append(call, "sb", unit, 1); /* runtime: the scope ends with the run */
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(call, 'a', "(sv)");
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                if (*values[i] == SCOPE_LIMIT_KEEP)
                        continue;
                r = sd_bus_message_append(call, "(sv)", names[i], "t", *values[i]);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(call);
        if (r < 0)
                return r;
        return systemd_queue_call(m, call, handler, userdata, NULL);
}

static void on_kill_reply(sd_bus_message *reply, const sd_bus_error *error, void *userdata) {
        if (error && !sd_bus_error_has_name(error, "org.freedesktop.systemd1.NoSuchUnit"))
                log_warning("Failed to kill unit: %s", error->message);
}

int scope_kill(Manager *m, const char *unit, int sig) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        int r;

        if (!m->bus)
                return 0;
        r = systemd_new_call(m, "KillUnit", &call);
        if (r < 0)
                return r;
        r = sd_bus_message_append(call, "ssi", unit, "all", sig);
        if (r < 0)
                return r;
        return systemd_queue_call(m, call, on_kill_reply, NULL, NULL);
}

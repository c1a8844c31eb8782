/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <sys/socket.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bus-names.h"
#include "container-attach.h"
#include "container-pause.h"
#include "container-rename.h"
#include "volume-dbus.h"
#include "container-dbus.h"
#include "container-health.h"
#include "container-streams.h"
#include "container-exec.h"
#include "container-options.h"
#include "container-privilege.h"
#include "log.h"
#include "manager.h"
#include "network-dbus.h"

/* ---- getters ----------------------------------------------------------------------------------- */

#define DEFINE_GETTER(name, type, expr)                                                         \
        static int property_get_##name(sd_bus *bus, const char *path, const char *interface,    \
                                       const char *property, sd_bus_message *reply,             \
                                       void *userdata, sd_bus_error *error) {                   \
                Container *c = userdata;                                                        \
                return sd_bus_message_append(reply, type, expr);                                \
        }

DEFINE_GETTER(id, "s", c->spec->id);
DEFINE_GETTER(name, "s", c->spec->name);
DEFINE_GETTER(state, "s", container_state_to_string(container_display_state(c)));
DEFINE_GETTER(paused, "b", (int) c->rec.paused);
DEFINE_GETTER(exit_status, "i", (int32_t) c->rec.exit_status);
DEFINE_GETTER(error, "s", strempty(c->rec.error));
DEFINE_GETTER(pid, "u", (uint32_t) (container_is_active(c) ? c->rec.pid : 0));
DEFINE_GETTER(monitor_pid, "u", (uint32_t) (container_is_active(c) ? c->rec.monitor_pid : 0));
DEFINE_GETTER(unit, "s", c->unit);
DEFINE_GETTER(slice, "s", c->spec->slice ?: DRAY_SLICE);
DEFINE_GETTER(created_at, "t", c->spec->created_usec);
DEFINE_GETTER(started_at, "t", c->rec.started_usec);
DEFINE_GETTER(finished_at, "t", c->rec.finished_usec);
DEFINE_GETTER(working_directory, "s", strempty(c->spec->working_dir));
DEFINE_GETTER(user, "s", strempty(c->spec->user));
DEFINE_GETTER(hostname, "s", strempty(c->spec->hostname));
DEFINE_GETTER(rootfs, "s", strempty(c->spec->rootfs));
DEFINE_GETTER(image_id, "s", strempty(c->spec->image_id));
DEFINE_GETTER(image, "s", strempty(c->spec->image));
DEFINE_GETTER(read_only, "b", (int) c->spec->read_only);
DEFINE_GETTER(ephemeral, "b", (int) c->spec->ephemeral);
DEFINE_GETTER(boot, "b", (int) c->spec->boot);
DEFINE_GETTER(auto_remove, "b", (int) c->spec->auto_remove);
DEFINE_GETTER(tty, "b", (int) c->spec->tty);
DEFINE_GETTER(open_stdin, "b", (int) c->spec->open_stdin);
DEFINE_GETTER(memory_max, "t", c->spec->memory_max);
DEFINE_GETTER(cpu_quota, "t", c->spec->cpu_quota_per_sec_usec);
DEFINE_GETTER(cpu_weight, "t", c->spec->cpu_weight);
DEFINE_GETTER(tasks_max, "t", c->spec->tasks_max);
DEFINE_GETTER(stop_timeout, "t", c->spec->stop_timeout_usec);
DEFINE_GETTER(stop_signal, "i", (int32_t) c->spec->stop_signal);
DEFINE_GETTER(oom_killed, "b", (int) c->rec.oom_killed);
DEFINE_GETTER(privileged, "b", (int) c->spec->privileged);
DEFINE_GETTER(seccomp_profile, "s",
              c->spec->privileged || c->spec->seccomp_unconfined ? "unconfined" :
              c->spec->seccomp_profile ? "custom" : "default");
DEFINE_GETTER(uid_shift, "u", c->spec->userns_base);
DEFINE_GETTER(uid_range, "u", c->spec->userns_size);

static int property_get_command(sd_bus *bus, const char *path, const char *interface, const char *property,
                                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Container *c = userdata;
        return sd_bus_message_append_strv(reply, c->spec->command);
}

static int property_get_cap_add(sd_bus *bus, const char *path, const char *interface, const char *property,
                                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Container *c = userdata;
        return sd_bus_message_append_strv(reply, c->spec->cap_add);
}

static int property_get_devices(sd_bus *bus, const char *path, const char *interface, const char *property,
                                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Container *c = userdata;
        return sd_bus_message_append_strv(reply, c->spec->devices);
}

static int property_get_group_add(sd_bus *bus, const char *path, const char *interface, const char *property,
                                  sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Container *c = userdata;
        return sd_bus_message_append_strv(reply, c->spec->group_add);
}

static int property_get_cap_drop(sd_bus *bus, const char *path, const char *interface, const char *property,
                                 sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Container *c = userdata;
        return sd_bus_message_append_strv(reply, c->spec->cap_drop);
}

/* BindMounts a(ssb) (source, destination, read-only) or TmpfsMounts a(ss) (destination, options). */
static int property_get_mounts(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Container *c = userdata;
        bool bind = streq(property, "BindMounts");
        int r;

        r = sd_bus_message_open_container(reply, 'a', bind ? "(ssb)" : "(ss)");
        if (r < 0)
                return r;
        for (size_t i = 0; i < c->spec->n_mounts; i++) {
                const MountSpec *m = c->spec->mounts + i;

                if (bind && m->type == MOUNT_BIND)
                        r = sd_bus_message_append(reply, "(ssb)", m->source, m->destination, (int) m->read_only);
                else if (!bind && m->type == MOUNT_TMPFS)
                        r = sd_bus_message_append(reply, "(ss)", m->destination, strempty(m->options));
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(reply);
}

static int property_get_restart_policy(sd_bus *bus, const char *path, const char *interface, const char *property,
                                       sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Container *c = userdata;
        return sd_bus_message_append(reply, "s", c->spec->restart_policy ?: "no");
}

static int property_get_restart_count(sd_bus *bus, const char *path, const char *interface, const char *property,
                                      sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Container *c = userdata;
        return sd_bus_message_append(reply, "t", c->rec.restart_count);
}

static int property_get_labels(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Container *c = userdata;
        return sd_bus_message_append_strv(reply, c->spec->labels);
}

static int property_get_volumes_from(sd_bus *bus, const char *path, const char *interface, const char *property,
                                     sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Container *c = userdata;
        return sd_bus_message_append_strv(reply, c->spec->volumes_from);
}

static int property_get_env(sd_bus *bus, const char *path, const char *interface, const char *property,
                            sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Container *c = userdata;
        return sd_bus_message_append_strv(reply, c->spec->env);
}

/* ---- handlers ---------------------------------------------------------------------------------- */

static int container_bus_error(Container *c, int r, const char *what, sd_bus_error *error) {
        switch (r) {
        case -EBUSY:
                return sd_bus_error_setf(error, DRAY_ERROR_CONTAINER_RUNNING,
                                         "Container '%s' is %s; %s it first.", c->spec->name,
                                         container_state_to_string(c->rec.state),
                                         c->rec.state == CONTAINER_STARTING ? "let it finish starting, or stop" : "stop");
        case -ENOENT:
                return sd_bus_error_setf(error, DRAY_ERROR_NO_SUCH_CONTAINER, "Container '%s' is being removed.",
                                         c->spec->name);
        case -ESRCH:
                return sd_bus_error_setf(error, DRAY_ERROR_CONTAINER_NOT_RUNNING, "Container '%s' is not running.",
                                         c->spec->name);
        case -ENOBUFS:
                return sd_bus_error_setf(error, SD_BUS_ERROR_LIMITS_EXCEEDED,
                                         "Too many callers are waiting on container '%s'.", c->spec->name);
        default:
                return sd_bus_error_set_errnof(error, r, "Failed to %s container '%s': %m", what, c->spec->name);
        }
}

/* Every method that changes the container asks polkit for org.dray1.manage-containers (root passes at
 * once). Returns 1 when authorised, 0 when polkit is being asked (the handler returns 1 and runs again
 * on the answer), or a negative errno with error set ("Not authorized to perform …"). */
static int authorize(sd_bus_message *m, Container *c, sd_bus_error *error) {
        const char *details[] = { "container", c->spec->name, NULL };

        return dray_verify_polkit_async(m, DRAY_POLKIT_MANAGE_CONTAINERS, details, false,
                                        c->manager->polkit_registry, error);
}

int bus_container_method_start(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Container *c = userdata;
        ContainerStreams streams;
        int r;

        r = container_bus_read_streams(m, c, c->spec->open_stdin, true, &streams, error);
        if (r < 0)
                return r;
        r = authorize(m, c, error);
        if (r < 0)
                return r;
        if (r == 0)
                return 1;
        r = container_start(c, &streams, m);
        if (r == -EADDRINUSE || r == -EADDRNOTAVAIL || r == -ENETUNREACH)
                return sd_bus_error_setf(error,
                                         r == -EADDRINUSE ? DRAY_ERROR_ADDRESS_IN_USE :
                                         r == -EADDRNOTAVAIL ? DRAY_ERROR_PORT_IN_USE : DRAY_ERROR_START_FAILED,
                                         "Failed to start container '%s': %s.", c->spec->name,
                                         strna(c->start_error_message));
        if (r == -EBUSY)
                return sd_bus_error_setf(error, DRAY_ERROR_CONTAINER_RUNNING, "Container '%s' is %s already.",
                                         c->spec->name, container_state_to_string(c->rec.state));
        if (r == -ENOENT || r == -ENOBUFS)
                return container_bus_error(c, r, "start", error);
        if (r < 0)
                return sd_bus_error_setf(error, DRAY_ERROR_START_FAILED, "Failed to start container '%s': %s",
                                         c->spec->name, strerror(-r));
        return 1; /* answered once the monitor reports */
}

/* RunHealthcheck() → (s status, i exit_code, s output), answered when the check has ended. */
static int method_run_healthcheck(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Container *c = userdata;
        int r;

        r = authorize(m, c, error);
        if (r < 0)
                return r;
        if (r == 0)
                return 1;
        r = container_health_run_now(c, m);
        if (r == -EOPNOTSUPP)
                return sd_bus_error_setf(error, DRAY_ERROR_NO_HEALTHCHECK, "Container '%s' has no health check.",
                                         c->spec->name);
        if (r == -EALREADY)
                return sd_bus_error_setf(error, DRAY_ERROR_CONTAINER_PAUSED,
                                         "Container '%s' is paused; unpause it first.", c->spec->name);
        if (r < 0)
                return container_bus_error(c, r, "run the health check of", error);
        return 1; /* answered when the check ends */
}

/* Exec(a{sv} options, a{sh} streams) → (i exit_status), answered when the process has ended. */
int bus_container_method_exec(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(spec_freep) ContainerSpec *o = spec_new();
        Container *c = userdata;
        ContainerStreams streams;
        int r;

        if (!o)
                return -ENOMEM;
        o->uid = o->gid = 0;
        r = container_options_parse_exec(m, o, error);
        if (r < 0)
                return r;
        r = container_bus_read_streams(m, c, o->open_stdin, false, &streams, error);
        if (r < 0)
                return r;
        r = authorize(m, c, error);
        if (r < 0)
                return r;
        if (r == 0)
                return 1;
        r = container_exec(c, o, &streams, m, error);
        if (r == -EALREADY)
                return sd_bus_error_setf(error, DRAY_ERROR_CONTAINER_PAUSED,
                                         "Container '%s' is paused; unpause it first.", c->spec->name);
        if (r == -ESRCH || r == -ENOBUFS)
                return container_bus_error(c, r, "exec in", error);
        if (r < 0 && !sd_bus_error_is_set(error))
                return sd_bus_error_setf(error, DRAY_ERROR_START_FAILED, "Failed to exec in container '%s': %s",
                                         c->spec->name, strerror(-r));
        if (r < 0)
                return r;
        return 1; /* answered when the process ends */
}

int bus_container_method_stop(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Container *c = userdata;
        uint64_t timeout;
        int r;

        r = sd_bus_message_read(m, "t", &timeout);
        if (r < 0)
                return r;
        r = authorize(m, c, error);
        if (r < 0)
                return r;
        if (r == 0)
                return 1;
        r = container_stop(c, timeout, m);
        if (r < 0)
                return container_bus_error(c, r, "stop", error);
        return 1;
}

int bus_container_method_restart(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Container *c = userdata;
        uint64_t timeout;
        int r;

        r = sd_bus_message_read(m, "t", &timeout);
        if (r < 0)
                return r;
        r = authorize(m, c, error);
        if (r < 0)
                return r;
        if (r == 0)
                return 1;
        r = container_restart(c, timeout, m);
        if (r < 0)
                return container_bus_error(c, r, "restart", error);
        return 1;
}

int bus_container_method_kill(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Container *c = userdata;
        int32_t sig;
        int r;

        r = sd_bus_message_read(m, "i", &sig);
        if (r < 0)
                return r;
        if (sig <= 0 || sig >= _NSIG)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "%i is not a signal number (1…%i).",
                                         (int) sig, _NSIG - 1);
        r = authorize(m, c, error);
        if (r < 0)
                return r;
        if (r == 0)
                return 1;
        r = container_kill(c, sig);
        if (r < 0)
                return container_bus_error(c, r, "signal", error);
        return sd_bus_reply_method_return(m, NULL);
}

int bus_container_method_remove(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Container *c = userdata;
        int force, r;

        r = sd_bus_message_read(m, "b", &force);
        if (r < 0)
                return r;
        r = authorize(m, c, error);
        if (r < 0)
                return r;
        if (r == 0)
                return 1;
        r = container_remove(c, force, m); /* c may be gone after this */
        if (r == -EBUSY)
                return sd_bus_error_setf(error, DRAY_ERROR_CONTAINER_RUNNING,
                                         "Container '%s' is %s; stop it first or remove it with force.",
                                         c->spec->name, container_state_to_string(c->rec.state));
        if (r < 0)
                return container_bus_error(c, r, "remove", error);
        return 1;
}

int bus_container_method_wait(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Container *c = userdata;
        int r;

        r = container_wait(c, m);
        if (r < 0)
                return container_bus_error(c, r, "wait for", error);
        return 1;
}

/* ---- object_find, enumerator ------------------------------------------------------------------- */

int container_bus_path(const char *id, char **ret) {
        return sd_bus_path_encode(DRAY_CONTAINER_PATH_PREFIX, id, ret);
}

static int container_object_find(sd_bus *bus, const char *path, const char *interface, void *userdata,
                                 void **found, sd_bus_error *error) {
        _cleanup_free_ char *id = NULL;
        Manager *m = userdata;
        Container *c;
        int r;

        r = sd_bus_path_decode(path, DRAY_CONTAINER_PATH_PREFIX, &id);
        if (r <= 0)
                return r;
        c = hashmap_get(m->containers_by_id, id);
        if (!c)
                return 0;
        *found = c;
        return 1;
}

static int container_node_enumerator(sd_bus *bus, const char *path, void *userdata, char ***nodes,
                                     sd_bus_error *error) {
        Manager *m = userdata;
        char **l;
        Container *c;
        size_t n = 0;

        l = calloc(hashmap_size(m->containers_by_id) + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        HASHMAP_FOREACH(c, m->containers_by_id) {
                l[n] = strdup(c->path);
                if (!l[n]) {
                        for (size_t i = 0; i < n; i++)
                                free(l[i]);
                        free(l);
                        return -ENOMEM;
                }
                n++;
        }
        *nodes = l;
        return 1;
}

/* ---- vtable ------------------------------------------------------------------------------------ */

#define CONST_PROPERTY(name, sig, getter) \
        SD_BUS_PROPERTY(name, sig, getter, 0, SD_BUS_VTABLE_PROPERTY_CONST)
#define CHANGING_PROPERTY(name, sig, getter) \
        SD_BUS_PROPERTY(name, sig, getter, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE)

static const sd_bus_vtable container_vtable[] = {
        SD_BUS_VTABLE_START(0),
        CONST_PROPERTY("Id", "s", property_get_id),
        CHANGING_PROPERTY("Name", "s", property_get_name), /* dray rename */
        CHANGING_PROPERTY("State", "s", property_get_state),
        CHANGING_PROPERTY("Paused", "b", property_get_paused),
        CHANGING_PROPERTY("ExitStatus", "i", property_get_exit_status),
        CHANGING_PROPERTY("Error", "s", property_get_error),
        CHANGING_PROPERTY("Pid", "u", property_get_pid),
        CHANGING_PROPERTY("MonitorPid", "u", property_get_monitor_pid),
        CONST_PROPERTY("Unit", "s", property_get_unit),
        CONST_PROPERTY("Slice", "s", property_get_slice),
        CONST_PROPERTY("CreatedAt", "t", property_get_created_at),
        CHANGING_PROPERTY("StartedAt", "t", property_get_started_at),
        CHANGING_PROPERTY("FinishedAt", "t", property_get_finished_at),
        CONST_PROPERTY("Command", "as", property_get_command),
        CONST_PROPERTY("Env", "as", property_get_env),
        CONST_PROPERTY("WorkingDirectory", "s", property_get_working_directory),
        CONST_PROPERTY("User", "s", property_get_user),
        CONST_PROPERTY("Hostname", "s", property_get_hostname),
        CONST_PROPERTY("Rootfs", "s", property_get_rootfs),
        CONST_PROPERTY("Image", "s", property_get_image),
        CONST_PROPERTY("ImageId", "s", property_get_image_id),
        CONST_PROPERTY("ReadOnly", "b", property_get_read_only),
        CONST_PROPERTY("Ephemeral", "b", property_get_ephemeral),
        CONST_PROPERTY("Boot", "b", property_get_boot),
        CONST_PROPERTY("AutoRemove", "b", property_get_auto_remove),
        CHANGING_PROPERTY("RestartPolicy", "s", property_get_restart_policy), /* dray update --restart */
        CHANGING_PROPERTY("RestartCount", "t", property_get_restart_count),
        CONST_PROPERTY("Tty", "b", property_get_tty),
        CONST_PROPERTY("OpenStdin", "b", property_get_open_stdin),
        CHANGING_PROPERTY("MemoryMax", "t", property_get_memory_max),
        CHANGING_PROPERTY("CPUQuotaPerSecUSec", "t", property_get_cpu_quota),
        CHANGING_PROPERTY("CPUWeight", "t", property_get_cpu_weight),
        CHANGING_PROPERTY("TasksMax", "t", property_get_tasks_max), /* the four: dray update */
        CONST_PROPERTY("StopTimeoutUSec", "t", property_get_stop_timeout),
        CONST_PROPERTY("StopSignal", "i", property_get_stop_signal),
        CHANGING_PROPERTY("OOMKilled", "b", property_get_oom_killed),
        /* network-dbus.c */
        CONST_PROPERTY("NetworkMode", "s", bus_container_property_get_network_mode),
        CHANGING_PROPERTY("Networks", "a(sss)", bus_container_property_get_networks),
        /* Changes with connect and disconnect, which signal Networks: read it when needed. */
        SD_BUS_PROPERTY("NetworkAliases", "a{sas}", bus_container_property_get_network_aliases, 0, 0),
        CHANGING_PROPERTY("Ports", "a(sqqs)", bus_container_property_get_ports),
        CONST_PROPERTY("CapAdd", "as", property_get_cap_add),
        CONST_PROPERTY("GroupAdd", "as", property_get_group_add),
        CONST_PROPERTY("Devices", "as", property_get_devices),
        CONST_PROPERTY("CapDrop", "as", property_get_cap_drop),
        CONST_PROPERTY("BindMounts", "a(ssb)", property_get_mounts),
        CONST_PROPERTY("TmpfsMounts", "a(ss)", property_get_mounts),
        CONST_PROPERTY("Volumes", "a(ssb)", bus_container_property_get_volumes),
        CONST_PROPERTY("VolumesFrom", "as", property_get_volumes_from),
        CONST_PROPERTY("Labels", "as", property_get_labels),
        CONST_PROPERTY("Privileged", "b", property_get_privileged),
        CONST_PROPERTY("SeccompProfile", "s", property_get_seccomp_profile),
        CONST_PROPERTY("UIDShift", "u", property_get_uid_shift),
        CONST_PROPERTY("UIDRange", "u", property_get_uid_range),
        /* container-health-dbus.c */
        CHANGING_PROPERTY("Healthcheck", "(asttttus)", bus_container_property_get_healthcheck), /* dray update */
        CHANGING_PROPERTY("Health", "s", bus_container_property_get_health),
        CHANGING_PROPERTY("HealthFailingStreak", "u", bus_container_property_get_health_streak),
        CHANGING_PROPERTY("HealthLog", "a(ttis)", bus_container_property_get_health_log),

        /* Everybody may call (dbus/org.dray1.conf); the handlers that change something ask polkit
         * (authorize()). UNPRIVILEGED lets sd-bus dispatch calls from non-root callers at all. */
        SD_BUS_METHOD_WITH_ARGS("Start", SD_BUS_ARGS("a{sh}", streams), SD_BUS_NO_RESULT,
                                bus_container_method_start, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Exec", SD_BUS_ARGS("a{sv}", options, "a{sh}", streams),
                                SD_BUS_RESULT("i", exit_status), bus_container_method_exec,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Stop", SD_BUS_ARGS("t", timeout_usec), SD_BUS_NO_RESULT,
                                bus_container_method_stop, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Restart", SD_BUS_ARGS("t", timeout_usec), SD_BUS_NO_RESULT,
                                bus_container_method_restart, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Kill", SD_BUS_ARGS("i", signal), SD_BUS_NO_RESULT,
                                bus_container_method_kill, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Remove", SD_BUS_ARGS("b", force), SD_BUS_NO_RESULT,
                                bus_container_method_remove, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Wait", SD_BUS_NO_ARGS, SD_BUS_RESULT("i", exit_status),
                                bus_container_method_wait, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Rename", SD_BUS_ARGS("s", name), SD_BUS_NO_RESULT,
                                bus_container_method_rename, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Attach", SD_BUS_ARGS("a{sh}", streams), SD_BUS_NO_RESULT,
                                bus_container_method_attach, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Pause", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT,
                                bus_container_method_pause, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Unpause", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT,
                                bus_container_method_unpause, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("RunHealthcheck", SD_BUS_NO_ARGS,
                                SD_BUS_RESULT("s", status, "i", exit_code, "s", output),
                                method_run_healthcheck, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

/* ---- registration ------------------------------------------------------------------------------ */

const BusObjectImplementation container_object = {
        .path = DRAY_CONTAINER_PATH_PREFIX,
        .interface = DRAY_CONTAINER_INTERFACE,
        .fallback_vtables = (const BusFallbackVtable[]) { { container_vtable, container_object_find }, {} },
        .node_enumerator = container_node_enumerator,
};

/* ---- replies and signals ----------------------------------------------------------------------- */

static void reply_result(int r, Container *c) {
        if (r < 0)
                log_debug_errno(r, "Failed to reply to a caller of container %s, ignoring: %m",
                                c ? c->spec->name : "(removed)");
}

void container_bus_reply_done(sd_bus_message *m) {
        if (m)
                reply_result(sd_bus_reply_method_return(m, NULL), NULL);
}

void container_bus_reply_start(Container *c, sd_bus_message *m) {
        static const char *const names[_START_ERROR_MAX] = {
                [START_ERROR_COMMAND_NOT_FOUND] = DRAY_ERROR_COMMAND_NOT_FOUND,
                [START_ERROR_NOT_EXECUTABLE] = DRAY_ERROR_COMMAND_NOT_EXECUTABLE,
                [START_ERROR_SYSTEMD] = DRAY_ERROR_SYSTEMD_FAILED,
                [START_ERROR_OTHER] = DRAY_ERROR_START_FAILED,
        };

        if (!m)
                return;
        if (c->start_error == START_ERROR_NONE) {
                reply_result(sd_bus_reply_method_return(m, NULL), c);
                return;
        }
        reply_result(sd_bus_reply_method_errorf(m, names[c->start_error], "Failed to start container '%s': %s",
                                                c->spec->name, strna(c->start_error_message)),
                     c);
}

void container_bus_reply_wait(Container *c, sd_bus_message *m) {
        if (m)
                reply_result(sd_bus_reply_method_return(m, "i", (int32_t) c->rec.exit_status), c);
}

void container_bus_reply_gone(Container *c, sd_bus_message *m) {
        if (m)
                reply_result(sd_bus_reply_method_errorf(m, DRAY_ERROR_NO_SUCH_CONTAINER,
                                                        "Container '%s' was removed.", c->spec->name),
                             c);
}

void container_bus_reply_errno(sd_bus_message *m, int error, const char *format, ...) {
        va_list ap;

        if (!m)
                return;
        va_start(ap, format);
        reply_result(sd_bus_reply_method_errnofv(m, error, format, ap), NULL);
        va_end(ap);
}

void container_bus_send_changed(Container *c) {
        int r;

        if (!c->manager->bus)
                return;
        /* NULL: every property flagged EMITS_CHANGE. */
        r = sd_bus_emit_properties_changed_strv(c->manager->bus, c->path, DRAY_CONTAINER_INTERFACE, NULL);
        if (r < 0)
                log_debug_errno(r, "Failed to emit PropertiesChanged for container %s, ignoring: %m", c->spec->name);
}

void container_bus_send_added(Container *c) {
        Manager *m = c->manager;
        int r;

        if (!m->bus)
                return;
        r = sd_bus_emit_object_added(m->bus, c->path);
        if (r >= 0)
                r = sd_bus_emit_signal(m->bus, DRAY_MANAGER_PATH, DRAY_MANAGER_INTERFACE, "ContainerNew", "so",
                                       c->spec->id, c->path);
        if (r < 0)
                log_debug_errno(r, "Failed to announce container %s, ignoring: %m", c->spec->name);
}

void container_bus_send_removed(Container *c) {
        Manager *m = c->manager;
        int r;

        if (!m->bus)
                return;
        r = sd_bus_emit_object_removed(m->bus, c->path);
        if (r >= 0)
                r = sd_bus_emit_signal(m->bus, DRAY_MANAGER_PATH, DRAY_MANAGER_INTERFACE, "ContainerRemoved", "so",
                                       c->spec->id, c->path);
        if (r < 0)
                log_debug_errno(r, "Failed to announce the removal of container %s, ignoring: %m", c->spec->name);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bus-names.h"
#include "container-broken.h"
#include "container-dbus.h"
#include "container-image.h"
#include "image-dbus.h"
#include "transfer-dbus.h"
#include "container-net-options.h"
#include "container-options.h"
#include "container-privilege.h"
#include "container-cp.h"
#include "container-attach.h"
#include "container-pause.h"
#include "container-rename.h"
#include "container-diff.h"
#include "container-stats.h"
#include "container-top.h"
#include "events.h"
#include "container-update.h"
#include "container-volumes.h"
#include "container-roots.h"
#include "log-control.h"
#include "log.h"
#include "manager-dbus.h"
#include "name.h"
#include "network-dbus.h"
#include "strv.h"
#include "userns-range.h"
#include "volume-dbus.h"

/* ---- helpers ----------------------------------------------------------------------------------- */

static int lookup(Manager *m, const char *s, Container **ret, sd_bus_error *error) {
        int r;

        r = manager_find_container(m, s, ret);
        if (r == -ENOTUNIQ)
                return sd_bus_error_setf(error, DRAY_ERROR_AMBIGUOUS_CONTAINER,
                                         "'%.64s' matches several containers; give more of the ID.", s);
        if (r < 0)
                return sd_bus_error_setf(error, DRAY_ERROR_NO_SUCH_CONTAINER,
                                         "No such container '%.64s'.", s);
        return 0;
}

/* The Manager methods that name a container do what the container's own method does. */
static int redirect(sd_bus_message *message, Manager *m, sd_bus_error *error, sd_bus_message_handler_t handler) {
        const char *s;
        Container *c;
        int r;

        r = sd_bus_message_read(message, "s", &s);
        if (r < 0)
                return r;
        r = lookup(m, s, &c, error);
        if (r < 0)
                return r;
        return handler(message, c, error);
}

static int validate_name(Manager *m, const char *name, ContainerSpec *spec, sd_bus_error *error) {
        Container *other;
        int r;

        if (isempty(name)) {
                r = manager_generate_name(m, &spec->name);
                if (r < 0)
                        return sd_bus_error_set_errnof(error, r, "Failed to generate a container name: %m");
                return 0;
        }
        if (!container_name_is_valid(name))
                return sd_bus_error_setf(error, DRAY_ERROR_INVALID_NAME,
                                         "Invalid container name '%.64s': use 1-63 of a-z, A-Z, 0-9, '_', '.' and '-', "
                                         "starting with a letter or digit.", name);
        other = hashmap_get(m->containers_by_name, name);
        if (other)
                return sd_bus_error_setf(error, DRAY_ERROR_CONTAINER_EXISTS,
                                         "A container named '%s' exists already (ID %.12s); remove it or choose another name.",
                                         name, other->spec->id);
        spec->name = strdup(name);
        return spec->name ? 0 : -ENOMEM;
}

static int assign_id(Manager *m, ContainerSpec *spec) {
        char id[CONTAINER_ID_LEN + 1];
        int r;

        do {
                r = container_id_generate(id);
                if (r < 0)
                        return r;
        } while (hashmap_get(m->containers_by_id, id)); /* 2^-256; but cheap to rule out */
        spec->id = strdup(id);
        return spec->id ? 0 : -ENOMEM;
}

/* CreateContainer asks for org.dray1.manage-containers, or for org.dray1.privileged-options when an
 * option reaches into the host (container_spec_privileged_reason() decides). The details carry the
 * name as given (a generated one would differ when the call is dispatched again) and that reason,
 * for polkit rules to match on. */
static int authorize_create(sd_bus_message *message, Manager *m, const char *name, const ContainerSpec *spec,
                            sd_bus_error *error) {
        const char *reason = container_spec_privileged_reason(spec);
        const char *details[] = { "container", name, reason ? "privileged" : NULL, reason, NULL };

        return dray_verify_polkit_async(message, container_spec_polkit_action(spec), details, false,
                                        m->polkit_registry, error);
}

/* A host ID range in use by no other container, and by no user or group of the host. */
static bool userns_base_is_free_on_host(uint32_t base) {
        return !getpwuid((uid_t) base) && !getgrgid((gid_t) base) && !getpwuid((uid_t) (base + USERNS_RANGE_SIZE - 1)) &&
                !getgrgid((gid_t) (base + USERNS_RANGE_SIZE - 1));
}

static int allocate_userns(Manager *m, ContainerSpec *spec, sd_bus_error *error) {
        _cleanup_free_ uint32_t *used = NULL;
        size_t n = 0;
        Container *c;
        int r;

        if (spec->userns_size == 0)
                return 0;
        /* From an image, the runtime mounts each shared layer idmapped to the range (runtime-userns.c). */
        used = calloc(hashmap_size(m->containers_by_id) + 1, sizeof(uint32_t));
        if (!used)
                return -ENOMEM;
        HASHMAP_FOREACH(c, m->containers_by_id)
                if (c->spec->userns_size > 0)
                        used[n++] = c->spec->userns_base;
        r = userns_range_pick(used, n, userns_base_is_free_on_host, &spec->userns_base);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "No free user namespace range is left; remove containers "
                                               "that use --userns=auto.");
        return 0;
}

/* ---- handlers ---------------------------------------------------------------------------------- */

static int method_create_container(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_(volumes_pending_done) VolumesPending volumes = {};
        _cleanup_(spec_freep) ContainerSpec *spec = NULL;
        Manager *m = userdata;
        bool stop_signal_given;
        const char *name;
        Container *c;
        int r;

        r = sd_bus_message_read(message, "s", &name);
        if (r < 0)
                return r;
        spec = spec_new();
        if (!spec)
                return -ENOMEM;
        spec->stop_signal = 0; /* to tell whether StopSignal was given */
        spec->net.mode = _NETWORK_MODE_INVALID; /* "not given": container_net_options_finish() decides */
        r = container_options_parse(message, spec, error);
        if (r < 0)
                return r;
        r = container_volumes_from_apply(m, spec, error);
        if (r < 0)
                return r;
        r = authorize_create(message, m, name, spec, error);
        if (r <= 0)
                return r < 0 ? r : 1; /* 0: polkit is asked, the call comes back with its answer */
        stop_signal_given = spec->stop_signal != 0;
        /* A booted systemd halts on SIGRTMIN+3 (systemd(1)): nspawn's stop signal for -b. */
        if (!stop_signal_given)
                spec->stop_signal = spec->boot ? SIGRTMIN + 3 : SIGTERM;

        r = validate_name(m, name, spec, error);
        if (r < 0)
                return r;
        r = spec->rootfs ? container_rootfs_resolve(spec, error) : container_image_apply(m, spec, stop_signal_given, error);
        if (r < 0)
                return r;
        r = container_image_resolve_user(spec, error);
        if (r < 0)
                return r;
        r = assign_id(m, spec);
        if (r < 0)
                return r;
        r = container_net_options_finish(m, spec, error);
        if (r < 0)
                return r;
        r = allocate_userns(m, spec, error);
        if (r < 0)
                return r;
        r = container_volumes_resolve(m, spec, &volumes, error);
        if (r < 0)
                return r;
        r = container_options_finish(spec, error);
        if (r < 0)
                return r;
        r = container_volumes_create(m, &volumes, error);
        if (r < 0)
                return r;

        r = manager_create_container(m, spec, &c);
        if (r < 0) {
                container_volumes_undo(m, &volumes);
                return sd_bus_error_set_errnof(error, r, "Failed to create container '%s': %m", spec->name);
        }
        TAKE_PTR(spec);

        return sd_bus_reply_method_return(message, "so", c->spec->id, c->path);
}

static int method_exec_container(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        return redirect(message, userdata, error, bus_container_method_exec);
}

static int method_start_container(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        return redirect(message, userdata, error, bus_container_method_start);
}

static int method_stop_container(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        return redirect(message, userdata, error, bus_container_method_stop);
}

static int method_restart_container(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        return redirect(message, userdata, error, bus_container_method_restart);
}

static int method_kill_container(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        return redirect(message, userdata, error, bus_container_method_kill);
}

/* A container directory that did not load (container-broken.h) has no object: removed from here. */
static int remove_broken(sd_bus_message *message, Manager *m, BrokenContainer *b, sd_bus_error *error) {
        const char *details[] = { "container", b->name ?: b->id, NULL };
        int force, r;

        r = sd_bus_message_read(message, "b", &force);
        if (r < 0)
                return r;
        r = dray_verify_polkit_async(message, DRAY_POLKIT_MANAGE_CONTAINERS, details, false, m->polkit_registry, error);
        if (r <= 0)
                return r < 0 ? r : 1;
        r = container_broken_remove(m, b);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to remove the broken container %s: %m", b->id);
        return sd_bus_reply_method_return(message, NULL);
}

static int method_remove_container(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        BrokenContainer *b;
        Manager *m = userdata;
        const char *s;
        Container *c;
        int r;

        r = sd_bus_message_read(message, "s", &s);
        if (r < 0)
                return r;
        if (manager_find_container(m, s, &c) == -ENOENT && container_broken_find(m, s, &b) >= 0)
                return remove_broken(message, m, b, error);
        r = lookup(m, s, &c, error);
        if (r < 0)
                return r;
        return bus_container_method_remove(message, c, error);
}

static int method_wait_container(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        return redirect(message, userdata, error, bus_container_method_wait);
}

static int method_get_container(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        const char *s;
        Container *c;
        int r;

        r = sd_bus_message_read(message, "s", &s);
        if (r < 0)
                return r;
        r = lookup(userdata, s, &c, error);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(message, "o", c->path);
}

static int compare_newest_first(const void *a, const void *b) {
        const Container *x = *(Container *const *) a, *y = *(Container *const *) b;

        if (x->spec->created_usec != y->spec->created_usec)
                return x->spec->created_usec > y->spec->created_usec ? -1 : 1;
        return strcmp(x->spec->id, y->spec->id);
}

static int append_container(sd_bus_message *reply, Container *c) {
        _cleanup_free_ char *command = strv_join(c->spec->command, " ");

        if (!command)
                return -ENOMEM;
        return sd_bus_message_append(reply, "(sssssttio)", c->spec->id, c->spec->name,
                                     container_state_to_string(container_display_state(c)), strempty(c->spec->image),
                                     command,
                                     c->spec->created_usec, c->rec.finished_usec, (int32_t) c->rec.exit_status,
                                     c->path);
}

static int method_list_containers(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ Container **v = NULL;
        Manager *m = userdata;
        size_t n = 0;
        Container *c;
        int all, r;

        r = sd_bus_message_read(message, "b", &all);
        if (r < 0)
                return r;

        v = calloc(hashmap_size(m->containers_by_id) + 1, sizeof(Container *));
        if (!v)
                return -ENOMEM;
        HASHMAP_FOREACH(c, m->containers_by_id)
                if (all || container_is_active(c))
                        v[n++] = c;
        qsort(v, n, sizeof(Container *), compare_newest_first);

        r = sd_bus_message_new_method_return(message, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, "(sssssttio)");
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = append_container(reply, v[i]);
        if (r >= 0 && all)
                r = container_broken_append(m, reply);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* ---- vtable ------------------------------------------------------------------------------------ */

/* Everybody may call (dbus/org.dray1.conf); every method that changes something asks polkit itself
 * (dray_verify_polkit_async(), root passes at once). UNPRIVILEGED lets sd-bus dispatch calls from
 * non-root callers at all. */
#define UNPRIVILEGED SD_BUS_VTABLE_UNPRIVILEGED

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("CreateContainer",
                                SD_BUS_ARGS("s", name, "a{sv}", options),
                                SD_BUS_RESULT("s", id, "o", path),
                                method_create_container, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("StartContainer",
                                SD_BUS_ARGS("s", container, "a{sh}", streams),
                                SD_BUS_NO_RESULT,
                                method_start_container, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ExecContainer",
                                SD_BUS_ARGS("s", container, "a{sv}", options, "a{sh}", streams),
                                SD_BUS_RESULT("i", exit_status), method_exec_container, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("StopContainer",
                                SD_BUS_ARGS("s", container, "t", timeout_usec),
                                SD_BUS_NO_RESULT,
                                method_stop_container, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("RestartContainer",
                                SD_BUS_ARGS("s", container, "t", timeout_usec),
                                SD_BUS_NO_RESULT,
                                method_restart_container, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("KillContainer",
                                SD_BUS_ARGS("s", container, "i", signal),
                                SD_BUS_NO_RESULT,
                                method_kill_container, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("RemoveContainer",
                                SD_BUS_ARGS("s", container, "b", force),
                                SD_BUS_NO_RESULT,
                                method_remove_container, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("WaitContainer",
                                SD_BUS_ARGS("s", container),
                                SD_BUS_RESULT("i", exit_status),
                                method_wait_container, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetContainer",
                                SD_BUS_ARGS("s", container),
                                SD_BUS_RESULT("o", path),
                                method_get_container, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListContainers",
                                SD_BUS_ARGS("b", all),
                                SD_BUS_RESULT("a(sssssttio)", containers),
                                method_list_containers, UNPRIVILEGED),
        /* network-dbus.c */
        SD_BUS_METHOD_WITH_ARGS("CreateNetwork",
                                SD_BUS_ARGS("s", name, "a{sv}", options),
                                SD_BUS_RESULT("o", path),
                                bus_manager_method_create_network, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("RemoveNetwork",
                                SD_BUS_ARGS("s", name),
                                SD_BUS_NO_RESULT,
                                bus_manager_method_remove_network, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListNetworks",
                                SD_BUS_NO_ARGS,
                                SD_BUS_RESULT("a(sssssbo)", networks),
                                bus_manager_method_list_networks, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetNetwork",
                                SD_BUS_ARGS("s", name),
                                SD_BUS_RESULT("o", path),
                                bus_manager_method_get_network, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ConnectContainer",
                                SD_BUS_ARGS("s", network, "s", container, "a{sv}", options),
                                SD_BUS_NO_RESULT,
                                bus_manager_method_connect_container, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("DisconnectContainer",
                                SD_BUS_ARGS("s", network, "s", container, "b", force),
                                SD_BUS_NO_RESULT,
                                bus_manager_method_disconnect_container, UNPRIVILEGED),
        SD_BUS_SIGNAL_WITH_ARGS("ContainerNew", SD_BUS_ARGS("s", id, "o", path), 0),
        SD_BUS_SIGNAL_WITH_ARGS("ContainerRemoved", SD_BUS_ARGS("s", id, "o", path), 0),
        SD_BUS_VTABLE_END,
};

/* ---- registration ------------------------------------------------------------------------------ */

const BusObjectImplementation manager_object = {
        .path = DRAY_MANAGER_PATH,
        .interface = DRAY_MANAGER_INTERFACE,
        .vtables = (const sd_bus_vtable *const[]) { manager_vtable, manager_image_vtable, manager_volume_vtable,
                                                     manager_cp_vtable, manager_pause_vtable,
                                                     manager_top_vtable, manager_stats_vtable, manager_events_vtable,
                                                     manager_diff_vtable, manager_disk_usage_vtable,
                                                     manager_rename_vtable,
                                                     manager_update_vtable, manager_attach_vtable, NULL },
        .manager = true,
        .children = (const BusObjectImplementation *const[]) { &container_object, &network_object,
                                                                &log_control_object, &image_object,
                                                                &transfer_object, &volume_object, NULL },
};

int manager_bus_register(Manager *m) {
        return bus_add_implementation(m->bus, &manager_object, m);
}

/* ---- signals ----------------------------------------------------------------------------------- */

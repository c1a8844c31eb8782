/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>

#include "bus-names.h"
#include "container-privilege.h"
#include "container-volumes.h"
#include "log.h"
#include "container.h"
#include "manager.h"
#include "name.h"
#include "polkit.h"
#include "strv.h"
#include "volume-dbus.h"
#include "volume-tmpfs.h"

/* Volumes are the containers' storage: the same polkit action as creating a container. */
#define VOLUME_POLKIT_ACTION DRAY_POLKIT_MANAGE_CONTAINERS

/* ---- getters ----------------------------------------------------------------------------------- */

#define DEFINE_GETTER(name, type, expr)                                                         \
        static int property_get_##name(sd_bus *bus, const char *path, const char *interface,    \
                                       const char *property, sd_bus_message *reply,             \
                                       void *userdata, sd_bus_error *error) {                   \
                Volume *v _unused_ = userdata;                                                  \
                return sd_bus_message_append(reply, type, expr);                                \
        }

DEFINE_GETTER(name, "s", v->name);
DEFINE_GETTER(driver, "s", "local");
DEFINE_GETTER(mountpoint, "s", v->mountpoint);
DEFINE_GETTER(created_at, "t", v->created_usec);
DEFINE_GETTER(anonymous, "b", (int) v->anonymous);

static int property_get_labels(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Volume *v = userdata;
        return sd_bus_message_append_strv(reply, v->labels);
}

static int property_get_options(sd_bus *bus, const char *path, const char *interface, const char *property,
                                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Volume *v = userdata;
        return sd_bus_message_append_strv(reply, v->options);
}

static int property_get_containers(sd_bus *bus, const char *path, const char *interface, const char *property,
                                   sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        _cleanup_strv_free_ char **l = NULL;
        int r;

        r = volume_container_names(userdata, &l);
        if (r < 0)
                return r;
        return sd_bus_message_append_strv(reply, l);
}

int bus_container_property_get_volumes(sd_bus *bus, const char *path, const char *interface, const char *property,
                                       sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Container *c = userdata;
        int r;

        r = sd_bus_message_open_container(reply, 'a', "(ssb)");
        if (r < 0)
                return r;
        for (size_t i = 0; i < c->spec->n_mounts; i++) {
                const MountSpec *m = c->spec->mounts + i;

                if (m->type != MOUNT_VOLUME)
                        continue;
                r = sd_bus_message_append(reply, "(ssb)", m->volume, m->destination, (int) m->read_only);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(reply);
}

/* ---- helpers ----------------------------------------------------------------------------------- */

static int lookup_volume(Manager *m, const char *name, Volume **ret, sd_bus_error *error) {
        if (manager_find_volume(m, name, ret) < 0)
                return sd_bus_error_setf(error, DRAY_ERROR_NO_SUCH_VOLUME,
                                         "No such volume '%.128s'.", name);
        return 0;
}

static int authorize(sd_bus_message *message, Manager *m, const char *volume, sd_bus_error *error) {
        const char *details[] = { "volume", volume, NULL };

        return dray_verify_polkit_async(message, VOLUME_POLKIT_ACTION, details, false, m->polkit_registry, error);
}

/* One "as" value of the a{sv}, given at most once. */
static int read_strv_option(sd_bus_message *message, const char *key, char ***ret, sd_bus_error *error) {
        int r;

        if (*ret)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Option '%s' given twice.", key);
        r = sd_bus_message_enter_container(message, SD_BUS_TYPE_VARIANT, "as");
        if (r >= 0)
                r = sd_bus_message_read_strv(message, ret);
        if (r >= 0)
                r = sd_bus_message_exit_container(message);
        if (r < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Option '%s' must be of type 'as'.", key);
        return 0;
}

/* a{sv} with Labels (as, KEY=VALUE) and Options (as, docker's --opt KEY=VALUE, volume-tmpfs.h). */
static int read_create_options(sd_bus_message *message, char ***labels, char ***options, sd_bus_error *error) {
        const char *key, *why = NULL;
        int r;

        r = sd_bus_message_enter_container(message, SD_BUS_TYPE_ARRAY, "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(message, SD_BUS_TYPE_DICT_ENTRY, "sv")) > 0) {
                r = sd_bus_message_read(message, "s", &key);
                if (r < 0)
                        return r;
                if (streq(key, "Labels"))
                        r = read_strv_option(message, key, labels, error);
                else if (streq(key, "Options"))
                        r = read_strv_option(message, key, options, error);
                else
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Unknown option '%.64s'.", key);
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(message);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(message);
        if (r < 0)
                return r;
        if (strv_length(*labels) > LABELS_MAX)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "More than %u labels.", LABELS_MAX);
        STRV_FOREACH(l, *labels)
                if (!label_is_valid(*l))
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Invalid label '%.64s': use KEY=VALUE with a non-empty key, "
                                                 "printable UTF-8, at most %u bytes.", *l, LABEL_MAX);
        if (volume_options_validate(*options, &why) < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Invalid volume options: %s.", why);
        return 0;
}

/* ---- handlers ---------------------------------------------------------------------------------- */

static int method_create_volume(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_strv_free_ char **labels = NULL, **options = NULL;
        _cleanup_free_ char *generated = NULL;
        Manager *m = userdata;
        const char *name;
        Volume *v;
        int r;

        r = sd_bus_message_read(message, "s", &name);
        if (r < 0)
                return r;
        r = read_create_options(message, &labels, &options, error);
        if (r < 0)
                return r;
        if (!isempty(name) && !volume_name_is_valid(name))
                return sd_bus_error_setf(error, DRAY_ERROR_INVALID_NAME,
                                         "Invalid volume name '%.128s': use 1-128 of a-z, A-Z, 0-9, '_', '.' and "
                                         "'-', starting with a letter or digit.", name);
        /* Docker's "volume create NAME" of an existing volume succeeds and returns it. */
        if (!isempty(name) && manager_find_volume(m, name, &v) >= 0)
                return sd_bus_reply_method_return(message, "so", v->name, v->path);
        r = authorize(message, m, name, error);
        if (r < 0)
                return r;
        if (r == 0)
                return 1;
        if (isempty(name)) {
                r = volume_generate_name(m, NULL, &generated);
                if (r < 0)
                        return r;
        }
        r = volume_create(m, generated ?: name, !!generated, labels, options, &v);
        if (r == -E2BIG)
                return sd_bus_error_setf(error, SD_BUS_ERROR_LIMITS_EXCEEDED,
                                         "Too many volumes (at most %u); remove some first.", VOLUMES_MAX);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to create volume '%s': %m", name);
        return sd_bus_reply_method_return(message, "so", v->name, v->path);
}

static int reply_in_use(Volume *v, char **users, sd_bus_error *error) {
        _cleanup_free_ char *list = strv_join(users, "', '");

        if (!list)
                return -ENOMEM;
        return sd_bus_error_setf(error, DRAY_ERROR_VOLUME_IN_USE,
                                 "Volume '%s' is in use by container%s '%.1024s'; remove %s first.", v->name,
                                 strv_length(users) > 1 ? "s" : "", list, strv_length(users) > 1 ? "them" : "it");
}

static int method_remove_volume(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_strv_free_ char **users = NULL;
        Manager *m = userdata;
        const char *name;
        Volume *v;
        int r;

        r = sd_bus_message_read(message, "s", &name);
        if (r < 0)
                return r;
        r = lookup_volume(m, name, &v, error);
        if (r < 0)
                return r;
        r = authorize(message, m, name, error);
        if (r < 0)
                return r;
        if (r == 0)
                return 1;
        r = volume_remove_unused(v, &users);
        if (r == -EBUSY)
                return reply_in_use(v, users, error);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to remove volume '%s': %m", name);
        return sd_bus_reply_method_return(message, NULL);
}

static int compare_names(const void *a, const void *b) {
        return strcmp((*(Volume *const *) a)->name, (*(Volume *const *) b)->name);
}

static int sorted_volumes(Manager *m, Volume ***ret, size_t *ret_n) {
        Volume **v, *x;
        size_t k = 0;

        v = calloc(hashmap_size(m->volumes_by_name) + 1, sizeof(Volume *));
        if (!v)
                return -ENOMEM;
        HASHMAP_FOREACH(x, m->volumes_by_name)
                v[k++] = x;
        qsort(v, k, sizeof(Volume *), compare_names);
        *ret = v;
        *ret_n = k;
        return 0;
}

static int method_list_volumes(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ Volume **v = NULL;
        size_t n;
        int r;

        r = sorted_volumes(userdata, &v, &n);
        if (r < 0)
                return r;
        r = sd_bus_message_new_method_return(message, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, "(sstbaso)");
        for (size_t i = 0; r >= 0 && i < n; i++) {
                r = sd_bus_message_open_container(reply, SD_BUS_TYPE_STRUCT, "sstbaso");
                if (r >= 0)
                        r = sd_bus_message_append(reply, "sstb", v[i]->name, v[i]->mountpoint, v[i]->created_usec,
                                                  (int) v[i]->anonymous);
                if (r >= 0)
                        r = sd_bus_message_append_strv(reply, v[i]->labels);
                if (r >= 0)
                        r = sd_bus_message_append(reply, "o", v[i]->path);
                if (r >= 0)
                        r = sd_bus_message_close_container(reply);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int method_get_volume(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        const char *name;
        Volume *v;
        int r;

        r = sd_bus_message_read(message, "s", &name);
        if (r < 0)
                return r;
        r = lookup_volume(userdata, name, &v, error);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(message, "o", v->path);
}

/* Docker 23's rule: anonymous volumes no container uses, or with all every unused one. */
static int method_prune_volumes(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ Volume **v = NULL;
        _cleanup_strv_free_ char **removed = NULL;
        Manager *m = userdata;
        size_t n;
        int all, r;

        r = sd_bus_message_read(message, "b", &all);
        if (r < 0)
                return r;
        r = authorize(message, m, "", error);
        if (r < 0)
                return r;
        if (r == 0)
                return 1;
        r = sorted_volumes(m, &v, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *name = NULL;

                if (!all && !v[i]->anonymous)
                        continue;
                name = strdup(v[i]->name);
                if (!name)
                        return -ENOMEM;
                r = volume_remove_unused(v[i], NULL);
                if (r == -EBUSY)
                        continue;
                if (r < 0)
                        return sd_bus_error_set_errnof(error, r, "Failed to remove volume '%s': %m", name);
                r = strv_consume(&removed, TAKE_PTR(name));
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_new_method_return(message, &reply);
        if (r >= 0)
                r = sd_bus_message_append_strv(reply, removed);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* ---- object_find, enumerator ------------------------------------------------------------------- */

int volume_bus_path(const char *name, char **ret) {
        return sd_bus_path_encode(DRAY_VOLUME_PATH_PREFIX, name, ret);
}

static int volume_object_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                              sd_bus_error *error) {
        _cleanup_free_ char *name = NULL;
        Volume *v;
        int r;

        r = sd_bus_path_decode(path, DRAY_VOLUME_PATH_PREFIX, &name);
        if (r <= 0)
                return r;
        if (manager_find_volume(userdata, name, &v) < 0)
                return 0;
        *found = v;
        return 1;
}

static int volume_node_enumerator(sd_bus *bus, const char *path, void *userdata, char ***nodes, sd_bus_error *error) {
        _cleanup_strv_free_ char **l = NULL;
        Manager *m = userdata;
        Volume *v;
        int r;

        HASHMAP_FOREACH(v, m->volumes_by_name) {
                r = strv_extend(&l, v->path);
                if (r < 0)
                        return r;
        }
        *nodes = TAKE_PTR(l);
        return 1;
}

/* ---- vtables ----------------------------------------------------------------------------------- */

#define CONST_PROPERTY(name, sig, getter) SD_BUS_PROPERTY(name, sig, getter, 0, SD_BUS_VTABLE_PROPERTY_CONST)

static const sd_bus_vtable volume_vtable[] = {
        SD_BUS_VTABLE_START(0),
        CONST_PROPERTY("Name", "s", property_get_name),
        CONST_PROPERTY("Driver", "s", property_get_driver),
        CONST_PROPERTY("Mountpoint", "s", property_get_mountpoint),
        CONST_PROPERTY("CreatedAt", "t", property_get_created_at),
        CONST_PROPERTY("Labels", "as", property_get_labels),
        CONST_PROPERTY("Anonymous", "b", property_get_anonymous),
        CONST_PROPERTY("Options", "as", property_get_options),
        /* Changes with every container create and removal: read it when needed, no signal. */
        SD_BUS_PROPERTY("Containers", "as", property_get_containers, 0, 0),
        SD_BUS_VTABLE_END,
};

const sd_bus_vtable manager_volume_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("CreateVolume",
                                SD_BUS_ARGS("s", name, "a{sv}", options),
                                SD_BUS_RESULT("s", name, "o", path),
                                method_create_volume, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("RemoveVolume",
                                SD_BUS_ARGS("s", name),
                                SD_BUS_NO_RESULT,
                                method_remove_volume, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListVolumes",
                                SD_BUS_NO_ARGS,
                                SD_BUS_RESULT("a(sstbaso)", volumes),
                                method_list_volumes, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetVolume",
                                SD_BUS_ARGS("s", name),
                                SD_BUS_RESULT("o", path),
                                method_get_volume, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("PruneVolumes",
                                SD_BUS_ARGS("b", all),
                                SD_BUS_RESULT("as", removed),
                                method_prune_volumes, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

const BusObjectImplementation volume_object = {
        .path = DRAY_VOLUME_PATH_PREFIX,
        .interface = DRAY_VOLUME_INTERFACE,
        .fallback_vtables = (const BusFallbackVtable[]) { { volume_vtable, volume_object_find }, {} },
        .node_enumerator = volume_node_enumerator,
};

/* ---- signals ----------------------------------------------------------------------------------- */

static void volume_bus_announce(Volume *v, bool added) {
        Manager *m = v->manager;
        int r;

        if (!m->bus)
                return;
        r = added ? sd_bus_emit_object_added(m->bus, v->path) : sd_bus_emit_object_removed(m->bus, v->path);
        if (r < 0)
                log_debug_errno(r, "Failed to announce the %s of volume %s, ignoring: %m",
                                added ? "creation" : "removal", v->name);
}

void volume_bus_send_new(Volume *v) {
        volume_bus_announce(v, true);
}

void volume_bus_send_removed(Volume *v) {
        volume_bus_announce(v, false);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "bus-names.h"
#include "container-privilege.h"
#include "container-rename.h"
#include "journal-events.h"
#include "log.h"
#include "manager.h"
#include "name.h"
#include "polkit.h"

int container_rename(Container *c, const char *name) {
        Manager *m = c->manager;
        _cleanup_free_ char *old = NULL;
        _cleanup_close_ int fd = -EBADF;
        char *copy;
        int r;

        if (!container_name_is_valid(name))
                return -EINVAL;
        if (streq(name, c->spec->name))
                return 0;
        if (hashmap_get(m->containers_by_name, name))
                return -EEXIST;
        if (c->remove_requested || c->rec.state == CONTAINER_REMOVING)
                return -EBUSY;
        copy = strdup(name);
        if (!copy)
                return -ENOMEM;
        old = c->spec->name;
        c->spec->name = copy;
        fd = container_open_dir(c);
        r = fd < 0 ? fd : spec_save(c->spec, fd);
        if (r >= 0) {
                (void) hashmap_remove(m->containers_by_name, old);
                r = hashmap_put(m->containers_by_name, c->spec->name, c);
                if (r < 0) /* cannot fail after the remove, but do not lose the container if it does */
                        (void) hashmap_put(m->containers_by_name, old, c);
        }
        if (r < 0) {
                c->spec->name = TAKE_PTR(old);
                free(copy);
                return r;
        }
        container_log_event_attrs(c, DRAY_MESSAGE_CONTAINER_RENAMED, (const char *const[]) { "oldName", old, NULL },
                                 LOG_INFO, "Renamed container %s to %s.", old, name);
        container_bus_send_changed(c);
        return 0;
}

static int rename_one(sd_bus_message *m, Container *c, const char *name, sd_bus_error *error) {
        const char *details[] = { "container", c->spec->name, NULL };
        int r;

        if (!container_name_is_valid(name))
                return sd_bus_error_setf(error, DRAY_ERROR_INVALID_NAME,
                                         "Invalid container name '%.64s': use 1-63 of a-z, A-Z, 0-9, '_', '.' and "
                                         "'-', starting with a letter or digit.", name);
        r = dray_verify_polkit_async(m, DRAY_POLKIT_MANAGE_CONTAINERS, details, false, c->manager->polkit_registry,
                                     error);
        if (r <= 0)
                return r < 0 ? r : 1;
        r = container_rename(c, name);
        if (r == -EEXIST)
                return sd_bus_error_setf(error, DRAY_ERROR_CONTAINER_EXISTS, "A container named '%s' exists already.",
                                         name);
        if (r == -EBUSY)
                return sd_bus_error_setf(error, DRAY_ERROR_NO_SUCH_CONTAINER, "Container '%s' is being removed.",
                                         c->spec->name);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to rename container '%s': %m", c->spec->name);
        return sd_bus_reply_method_return(m, NULL);
}

int bus_container_method_rename(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *name;
        int r;

        r = sd_bus_message_read(m, "s", &name);
        if (r < 0)
                return r;
        return rename_one(m, userdata, name, error);
}

static int method_rename_container(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *s, *name;
        Container *c;
        int r;

        r = sd_bus_message_read(m, "ss", &s, &name);
        if (r < 0)
                return r;
        r = manager_find_container(userdata, s, &c);
        if (r < 0)
                return sd_bus_error_setf(error, r == -ENOTUNIQ ? DRAY_ERROR_AMBIGUOUS_CONTAINER : DRAY_ERROR_NO_SUCH_CONTAINER,
                                         "No single container '%.64s'.", s);
        return rename_one(m, c, name, error);
}

const sd_bus_vtable manager_rename_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("RenameContainer", SD_BUS_ARGS("s", container, "s", name), SD_BUS_NO_RESULT,
                                method_rename_container, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

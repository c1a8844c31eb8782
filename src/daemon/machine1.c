/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "log.h"
#include "machine1.h"
#include "container.h"
#include "manager.h"
#include "name.h"
#include "scope.h"
#include "systemd-queue.h"

static int unhex(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -EINVAL;
}

int machine_id_from_container_id(const char *id, uint8_t ret[static 16]) {
        if (!container_id_is_valid(id))
                return -EINVAL;
        for (size_t i = 0; i < 16; i++)
                ret[i] = (uint8_t) (unhex(id[2 * i]) << 4 | unhex(id[2 * i + 1]));
        return 0;
}

typedef struct MachineRegister {
        Manager *manager;
        char id[CONTAINER_ID_LEN + 1];
} MachineRegister;

static void on_register_reply(sd_bus_message *reply, const sd_bus_error *error, void *userdata) {
        _cleanup_free_ MachineRegister *reg = userdata;
        Container *c;

        /* --boot: `dray run -d --boot` returns once `machinectl shell` and `systemctl -M` work. */
        if (reg && manager_find_container(reg->manager, reg->id, &c) >= 0)
                container_machine_registered(c);
        if (!error)
                return;
        if (sd_bus_error_get_errno(error) == ESRCH)
                /* The container ended before machined looked at it. */
                log_debug("Not registering a container with systemd-machined: %s", error->message);
        else if (sd_bus_error_has_name(error, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
                 sd_bus_error_has_name(error, SD_BUS_ERROR_NAME_HAS_NO_OWNER))
                log_debug("systemd-machined is not available, containers are not registered as machines: %s",
                          error->message);
        else
                log_warning("Failed to register a container with systemd-machined, ignoring: %s", error->message);
}

int machine_register(Container *c) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        uint8_t id[16];
        int r;

        _cleanup_free_ MachineRegister *reg = NULL;

        if (!c->manager->bus || c->rec.pid <= 0)
                return 0;
        if (c->spec->boot) {
                reg = calloc(1, sizeof(MachineRegister));
                if (!reg)
                        return -ENOMEM;
                reg->manager = c->manager;
                strncpy(reg->id, c->spec->id, sizeof(reg->id) - 1);
        }
        r = machine_id_from_container_id(c->spec->id, id);
        if (r < 0)
                return r;
        r = sd_bus_message_new_method_call(c->manager->bus, &m, "org.freedesktop.machine1",
                                           "/org/freedesktop/machine1", "org.freedesktop.machine1.Manager",
                                           "RegisterMachine");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "s", container_host_name(c->spec->name, c->spec->id,
                                                             (char[CONTAINER_ID_SHORT_LEN + 1]) {}));
        if (r < 0)
                return r;
        r = sd_bus_message_append_array(m, 'y', id, sizeof(id));
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "ssus", "dray", "container", (uint32_t) c->rec.pid, strempty(c->spec->rootfs));
        if (r < 0)
                return r;
        r = systemd_queue_call(c->manager, m, on_register_reply, reg, NULL);
        if (r >= 0)
                TAKE_PTR(reg);
        return r;
}

typedef struct MachineUnregister {
        Manager *manager;
        char *unit;
} MachineUnregister;

static MachineUnregister *machine_unregister_free(MachineUnregister *u) {
        if (!u)
                return NULL;
        if (hashmap_get(u->manager->machine_unregisters, u->unit) == u)
                (void) hashmap_remove(u->manager->machine_unregisters, u->unit);
        free(u->unit);
        free(u);
        return NULL;
}

static void on_unregister_reply(sd_bus_message *reply, const sd_bus_error *error, void *userdata) {
        MachineUnregister *u = userdata;
        _cleanup_free_ char *unit = strdup(u->unit);
        Manager *m = u->manager;

        if (error && !sd_bus_error_has_name(error, "org.freedesktop.machine1.NoSuchMachine") &&
            !sd_bus_error_has_name(error, SD_BUS_ERROR_SERVICE_UNKNOWN) &&
            !sd_bus_error_has_name(error, SD_BUS_ERROR_NAME_HAS_NO_OWNER))
                log_debug("Failed to unregister the machine of %s, ignoring: %s", u->unit, error->message);
        machine_unregister_free(u);
        /* A start of the same name may have waited for this. */
        if (unit)
                scope_unblock(m, unit);
}

int machine_unregister(Container *c) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        Manager *m = c->manager;
        MachineUnregister *u;
        int r;

        if (!m->bus || machine_unregister_pending(m, c->unit))
                return 0;
        r = sd_bus_message_new_method_call(m->bus, &call, "org.freedesktop.machine1", "/org/freedesktop/machine1",
                                           "org.freedesktop.machine1.Manager", "UnregisterMachine");
        if (r < 0)
                return r;
        r = sd_bus_message_append(call, "s", container_host_name(c->spec->name, c->spec->id,
                                                                (char[CONTAINER_ID_SHORT_LEN + 1]) {}));
        if (r < 0)
                return r;
        u = calloc(1, sizeof(MachineUnregister));
        if (!u)
                return -ENOMEM;
        *u = (MachineUnregister) { .manager = m, .unit = strdup(c->unit) };
        if (!u->unit) {
                free(u);
                return -ENOMEM;
        }
        r = hashmap_put(m->machine_unregisters, u->unit, u);
        if (r < 0) {
                free(u->unit);
                free(u);
                return r;
        }
        r = systemd_queue_call(m, call, on_unregister_reply, u, NULL);
        if (r < 0) {
                machine_unregister_free(u);
                return r;
        }
        return 0;
}

bool machine_unregister_pending(Manager *m, const char *unit) {
        return hashmap_get(m->machine_unregisters, unit) != NULL;
}

void machine_unregisters_free(Manager *m) {
        MachineUnregister *u;

        /* Their calls are freed (without their handlers) with the systemd queue. */
        HASHMAP_FOREACH(u, m->machine_unregisters)
                machine_unregister_free(u);
}

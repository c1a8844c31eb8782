/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "log.h"
#include "machine1.h"
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
        machine_registered_t on_registered;
} MachineRegister;

static void on_register_reply(sd_bus_message *reply, const sd_bus_error *error, void *userdata) {
        _cleanup_free_ MachineRegister *reg = userdata;

        /* --boot: `dray run -d --boot` returns once `machinectl shell` and `systemctl -M` work. */
        if (reg)
                reg->on_registered(reg->manager, reg->id);
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

int machine_register(Manager *manager, const MachineInfo *info, machine_registered_t on_registered) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_free_ MachineRegister *reg = NULL;
        uint8_t id[16];
        int r;

        if (!manager->bus || info->leader <= 0)
                return 0;
        if (on_registered) {
                reg = calloc(1, sizeof(MachineRegister));
                if (!reg)
                        return -ENOMEM;
                reg->manager = manager;
                reg->on_registered = on_registered;
                strncpy(reg->id, info->id, sizeof(reg->id) - 1);
        }
        r = machine_id_from_container_id(info->id, id);
        if (r < 0)
                return r;
        r = sd_bus_message_new_method_call(manager->bus, &m, "org.freedesktop.machine1",
                                           "/org/freedesktop/machine1", "org.freedesktop.machine1.Manager",
                                           "RegisterMachine");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "s", container_host_name(info->name, info->id,
                                                             (char[CONTAINER_ID_SHORT_LEN + 1]) {}));
        if (r < 0)
                return r;
        r = sd_bus_message_append_array(m, 'y', id, sizeof(id));
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "ssus", "dray", "container", (uint32_t) info->leader, strempty(info->root));
        if (r < 0)
                return r;
        r = systemd_queue_call(manager, m, on_register_reply, reg, NULL);
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

int machine_unregister(Manager *m, const MachineInfo *info) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        MachineUnregister *u;
        int r;

        if (!m->bus || machine_unregister_pending(m, info->unit))
                return 0;
        r = sd_bus_message_new_method_call(m->bus, &call, "org.freedesktop.machine1", "/org/freedesktop/machine1",
                                           "org.freedesktop.machine1.Manager", "UnregisterMachine");
        if (r < 0)
                return r;
        r = sd_bus_message_append(call, "s", container_host_name(info->name, info->id,
                                                                (char[CONTAINER_ID_SHORT_LEN + 1]) {}));
        if (r < 0)
                return r;
        u = calloc(1, sizeof(MachineUnregister));
        if (!u)
                return -ENOMEM;
        *u = (MachineUnregister) { .manager = m, .unit = strdup(info->unit) };
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

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "log.h"
#include "machine1.h"
#include "manager.h"
#include "name.h"

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

static void on_register_reply(sd_bus_message *reply, const sd_bus_error *error, void *userdata) {
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

        if (!c->manager->bus || c->rec.pid <= 0)
                return 0;
        r = machine_id_from_container_id(c->spec->id, id);
        if (r < 0)
                return r;
        r = sd_bus_message_new_method_call(c->manager->bus, &m, "org.freedesktop.machine1",
                                           "/org/freedesktop/machine1", "org.freedesktop.machine1.Manager",
                                           "RegisterMachine");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "s", c->spec->name);
        if (r < 0)
                return r;
        r = sd_bus_message_append_array(m, 'y', id, sizeof(id));
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "ssus", "dray", "container", (uint32_t) c->rec.pid, c->spec->rootfs);
        if (r < 0)
                return r;
        return systemd_queue_call(c->manager, m, on_register_reply, NULL, NULL);
}

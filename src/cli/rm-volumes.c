/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bus-names.h"
#include "cli-bus.h"
#include "log.h"
#include "rm-volumes.h"
#include "strv.h"

/* The object path a Manager method returns for name. */
static int object_path(sd_bus *bus, const char *member, const char *name, char **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        const char *path;
        int r;

        r = sd_bus_call_method(bus, DRAY_BUS_NAME, DRAY_MANAGER_PATH, DRAY_MANAGER_INTERFACE, member, &error, &reply,
                               "s", name);
        if (r >= 0)
                r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return r;
        *ret = strdup(path);
        return *ret ? 0 : -ENOMEM;
}

static int volume_is_anonymous(sd_bus *bus, const char *name) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *path = NULL;
        int r, anonymous = 0;

        r = object_path(bus, "GetVolume", name, &path);
        if (r >= 0)
                r = sd_bus_get_property_trivial(bus, DRAY_BUS_NAME, path, DRAY_VOLUME_INTERFACE, "Anonymous", &error,
                                                'b', &anonymous);
        return r < 0 ? r : anonymous;
}

int rm_anonymous_volumes_collect(sd_bus *bus, char *const *containers, char ***ret) {
        _cleanup_strv_free_ char **names = NULL;

        STRV_FOREACH(c, containers) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                _cleanup_free_ char *path = NULL;
                const char *name, *destination;
                int ro, r;

                if (object_path(bus, "GetContainer", *c, &path) < 0)
                        continue;
                r = sd_bus_get_property(bus, DRAY_BUS_NAME, path, DRAY_CONTAINER_INTERFACE, "Volumes", &error, &reply,
                                        "a(ssb)");
                if (r < 0) {
                        log_debug("Cannot read the volumes of %s: %s", *c, error.message);
                        continue;
                }
                r = sd_bus_message_enter_container(reply, 'a', "(ssb)");
                while (r >= 0 && (r = sd_bus_message_read(reply, "(ssb)", &name, &destination, &ro)) > 0)
                        if (!strv_contains(names, name) && volume_is_anonymous(bus, name) > 0 &&
                            strv_extend(&names, name) < 0)
                                return log_oom();
                if (r < 0)
                        return log_error_errno(r, "Failed to parse the volumes of %s: %m", *c);
        }
        *ret = TAKE_PTR(names);
        return 0;
}

void rm_anonymous_volumes_remove(sd_bus *bus, char *const *names) {
        STRV_FOREACH(n, names) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                int r;

                r = sd_bus_call_method(bus, DRAY_BUS_NAME, DRAY_MANAGER_PATH, DRAY_MANAGER_INTERFACE, "RemoveVolume",
                                       &error, NULL, "s", *n);
                if (r < 0)
                        log_debug("Anonymous volume %s stays: %s", *n, error.message);
        }
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "bus-names.h"
#include "log.h"
#include "run-notify-healthy.h"

typedef struct HealthyWatch {
        char *id;
        bool notified;
} HealthyWatch;

static void healthy_watch_free(void *p) {
        HealthyWatch *w = p;

        free(w->id);
        free(w);
}

static void notify_ready(HealthyWatch *w, const char *why) {
        int r;

        if (w->notified)
                return;
        w->notified = true;
        r = sd_notifyf(false, "READY=1\nSTATUS=Container %s is %s.", w->id, why);
        if (r < 0)
                log_debug_errno(r, "Failed to notify the service manager, ignoring: %m");
}

static void health_seen(HealthyWatch *w, const char *health) {
        if (streq(health, "healthy"))
                notify_ready(w, "healthy");
        else if (streq(health, "none")) {
                log_warning("Container %s has no health check: --sdnotify=healthy reports it ready now.", w->id);
                notify_ready(w, "running (no health check)");
        }
}

/* PropertiesChanged(s interface, a{sv} changed, as invalidated): looks for Health in changed. A
 * message that does not parse is ignored: the next one may say it. */
static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        HealthyWatch *w = userdata;
        const char *interface, *name, *health;

        if (sd_bus_message_read(m, "s", &interface) < 0 || !streq(interface, DRAY_CONTAINER_INTERFACE))
                return 0;
        if (sd_bus_message_enter_container(m, 'a', "{sv}") < 0)
                return 0;
        while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
                if (sd_bus_message_read(m, "s", &name) < 0)
                        return 0;
                if (streq(name, "Health")) {
                        if (sd_bus_message_read(m, "v", "s", &health) >= 0)
                                health_seen(w, health);
                        return 0;
                }
                if (sd_bus_message_skip(m, "v") < 0)
                        return 0;
                if (sd_bus_message_exit_container(m) < 0)
                        return 0;
        }
        return 0;
}

int run_notify_healthy_watch(sd_bus *bus, const char *id, sd_bus_slot **ret_slot) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        _cleanup_free_ char *path = NULL, *health = NULL;
        HealthyWatch *w;
        int r;

        r = sd_bus_path_encode(DRAY_CONTAINER_PATH_PREFIX, id, &path);
        if (r < 0)
                return r;
        w = calloc(1, sizeof(HealthyWatch));
        if (!w)
                return -ENOMEM;
        w->id = strndup(id, 12);
        if (!w->id) {
                free(w);
                return -ENOMEM;
        }
        r = sd_bus_match_signal(bus, &slot, DRAY_BUS_NAME, path, "org.freedesktop.DBus.Properties",
                                "PropertiesChanged", on_properties_changed, w);
        if (r < 0) {
                healthy_watch_free(w);
                return r;
        }
        /* The slot owns w from now on. */
        (void) sd_bus_slot_set_destroy_callback(slot, healthy_watch_free);
        r = sd_bus_get_property_string(bus, DRAY_BUS_NAME, path, DRAY_CONTAINER_INTERFACE, "Health", &error, &health);
        if (r < 0)
                return log_error_errno(r, "Failed to read the health of container %s: %s", w->id,
                                       error.message ?: strerror(-r));
        health_seen(w, health);
        *ret_slot = TAKE_PTR(slot);
        return 0;
}

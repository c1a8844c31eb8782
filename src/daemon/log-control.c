/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>
#include <systemd/sd-bus.h>

#include "log-control.h"

/* The process has one log target; so does this property. */
static LogTarget current_target = LOG_TARGET_CONSOLE;

void log_control_set_target(LogTarget t) {
        current_target = t;
        log_set_target(t);
}

const char *log_control_target_to_string(LogTarget t) {
        return t == LOG_TARGET_KMSG_PREFIX ? "journal" : "console";
}

int log_control_target_from_string(const char *s, LogTarget *ret) {
        if (streq(s, "console"))
                *ret = LOG_TARGET_CONSOLE;
        else if (streq(s, "journal") || streq(s, "kmsg") || streq(s, "journal-or-kmsg") || streq(s, "auto"))
                *ret = LOG_TARGET_KMSG_PREFIX;
        else
                return -EINVAL;
        return 0;
}

static int property_get_log_level(sd_bus *bus, const char *path, const char *interface, const char *property,
                                  sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", log_level_to_string(log_get_max_level()));
}

static int property_set_log_level(sd_bus *bus, const char *path, const char *interface, const char *property,
                                  sd_bus_message *value, void *userdata, sd_bus_error *error) {
        const char *t;
        int level, r;

        r = sd_bus_message_read(value, "s", &t);
        if (r < 0)
                return r;
        level = log_parse_level(t);
        if (level < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Invalid log level '%.32s': use emerg, alert, crit, err, warning, notice, info or debug.",
                                         t);
        log_info("Setting log level to %s.", t);
        log_set_max_level(level);
        return 0;
}

static int property_get_log_target(sd_bus *bus, const char *path, const char *interface, const char *property,
                                   sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", log_control_target_to_string(current_target));
}

static int property_set_log_target(sd_bus *bus, const char *path, const char *interface, const char *property,
                                   sd_bus_message *value, void *userdata, sd_bus_error *error) {
        LogTarget target;
        const char *t;
        int r;

        r = sd_bus_message_read(value, "s", &t);
        if (r < 0)
                return r;
        if (log_control_target_from_string(t, &target) < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Invalid log target '%.32s': use console or journal.", t);
        log_info("Setting log target to %s.", log_control_target_to_string(target));
        log_control_set_target(target);
        return 0;
}

static int property_get_syslog_identifier(sd_bus *bus, const char *path, const char *interface,
                                          const char *property, sd_bus_message *reply, void *userdata,
                                          sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", "drayd");
}

/* The setters keep sd-bus's default privilege check (no SD_BUS_VTABLE_UNPRIVILEGED): changing how
 * the daemon logs is for root only, whatever the bus policy says. */
static const sd_bus_vtable log_control_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_WRITABLE_PROPERTY("LogLevel", "s", property_get_log_level, property_set_log_level, 0, 0),
        SD_BUS_WRITABLE_PROPERTY("LogTarget", "s", property_get_log_target, property_set_log_target, 0, 0),
        SD_BUS_PROPERTY("SyslogIdentifier", "s", property_get_syslog_identifier, 0, 0),
        SD_BUS_VTABLE_END,
};

const BusObjectImplementation log_control_object = {
        .path = LOG_CONTROL_PATH,
        .interface = LOG_CONTROL_INTERFACE,
        .vtables = (const sd_bus_vtable *const[]) { log_control_vtable, NULL },
};

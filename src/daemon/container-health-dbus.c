/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bus-names.h"
#include "container-health.h"
#include "container.h"
#include "log.h"
#include "manager.h"

/* Health: "none", "starting", "healthy" or "unhealthy" (Docker's State.Health.Status). */
int bus_container_property_get_health(sd_bus *bus, const char *path, const char *interface, const char *property,
                                      sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", health_status_to_string(container_health_status(userdata)));
}

int bus_container_property_get_health_streak(sd_bus *bus, const char *path, const char *interface,
                                             const char *property, sd_bus_message *reply, void *userdata,
                                             sd_bus_error *error) {
        return sd_bus_message_append(reply, "u", container_health_state(userdata)->failing_streak);
}

static int append_log(sd_bus_message *reply, const HealthState *s) {
        int r;

        r = sd_bus_message_open_container(reply, 'a', "(ttis)");
        if (r < 0)
                return r;
        for (size_t i = 0; i < s->n_log; i++) {
                r = sd_bus_message_append(reply, "(ttis)", s->log[i].start_usec, s->log[i].end_usec,
                                          (int32_t) s->log[i].exit_code, strempty(s->log[i].output));
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(reply);
}

/* HealthLog: the last results, oldest first: (start µs, end µs, exit code, output). */
int bus_container_property_get_health_log(sd_bus *bus, const char *path, const char *interface,
                                          const char *property, sd_bus_message *reply, void *userdata,
                                          sd_bus_error *error) {
        return append_log(reply, container_health_state(userdata));
}

/* Healthcheck: (test, interval, timeout, start period, start interval, retries, on failure) as configured; the
 * durations and retries are 0 where the defaults apply, test is empty when there is none. */
int bus_container_property_get_healthcheck(sd_bus *bus, const char *path, const char *interface,
                                           const char *property, sd_bus_message *reply, void *userdata,
                                           sd_bus_error *error) {
        const Container *c = userdata;
        const SpecHealth *h = &c->spec->health;
        int r;

        r = sd_bus_message_open_container(reply, 'r', "asttttus");
        if (r < 0)
                return r;
        r = sd_bus_message_append_strv(reply, h->test ?: (char *[]) { NULL });
        if (r < 0)
                return r;
        r = sd_bus_message_append(reply, "ttttus", h->interval_usec, h->timeout_usec, h->start_period_usec,
                                  h->start_interval_usec, h->retries, health_on_failure_to_string(h->on_failure));
        if (r < 0)
                return r;
        return sd_bus_message_close_container(reply);
}

void container_health_bus_send_changed(Container *c) {
        int r;

        if (!c->manager->bus)
                return;
        r = sd_bus_emit_properties_changed(c->manager->bus, c->path, DRAY_CONTAINER_INTERFACE, "Health",
                                           "HealthFailingStreak", "HealthLog", NULL);
        if (r < 0)
                log_debug_errno(r, "Failed to emit PropertiesChanged for container %s, ignoring: %m", c->spec->name);
}

void container_health_bus_send_config_changed(Container *c) {
        int r;

        if (!c->manager->bus)
                return;
        r = sd_bus_emit_properties_changed(c->manager->bus, c->path, DRAY_CONTAINER_INTERFACE, "Healthcheck",
                                           "Health", NULL);
        if (r < 0)
                log_debug_errno(r, "Failed to emit PropertiesChanged for container %s, ignoring: %m", c->spec->name);
}

/* RunHealthcheck's answer: (s status, i exit_code, s output) of the check just run. */
void container_health_bus_reply(sd_bus_message *m, const HealthState *s) {
        const HealthResult *last = s->n_log > 0 ? &s->log[s->n_log - 1] : NULL;
        int r;

        r = sd_bus_reply_method_return(m, "sis", health_status_to_string(s->status),
                                       (int32_t) (last ? last->exit_code : HEALTH_EXIT_TIMEOUT),
                                       last ? strempty(last->output) : "");
        if (r < 0)
                log_debug_errno(r, "Failed to answer RunHealthcheck, ignoring: %m");
}

void container_health_bus_reply_stopped(sd_bus_message *m, const char *container) {
        int r;

        r = sd_bus_reply_method_errorf(m, DRAY_ERROR_CONTAINER_NOT_RUNNING,
                                       "Container '%s' stopped before its health check ended.", container);
        if (r < 0)
                log_debug_errno(r, "Failed to answer RunHealthcheck, ignoring: %m");
}

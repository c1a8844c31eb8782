/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "container-options.h"
#include "strv.h"

int container_option_health_cmd(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        _cleanup_strv_free_ char **l = NULL;
        SpecHealth h = {};
        const char *reason;
        int r;

        r = sd_bus_message_read_strv(m, &l);
        if (r < 0)
                return r;
        h.test = l;
        if (!l || spec_health_validate(&h, &reason) < 0)
                return container_option_invalid(error, key, "%s",
                                                l ? reason : "give [\"CMD\", ARG…], [\"CMD-SHELL\", COMMAND] or [\"NONE\"]");
        strv_free(s->health.test);
        s->health.test = TAKE_PTR(l);
        return 0;
}

static int read_duration(sd_bus_message *m, const char *key, uint64_t *ret, sd_bus_error *error) {
        uint64_t v;
        int r;

        r = sd_bus_message_read(m, "t", &v);
        if (r < 0)
                return r;
        /* 0 keeps Docker's default, as in Docker's API. */
        if (v != 0 && (v < HEALTH_DURATION_MIN_USEC || v > HEALTH_DURATION_MAX_USEC))
                return container_option_invalid(error, key, "must be 0 (the default) or 1 ms to 7 days in µs");
        *ret = v;
        return 0;
}

int container_option_health_interval(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        return read_duration(m, key, &s->health.interval_usec, error);
}

int container_option_health_timeout(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        return read_duration(m, key, &s->health.timeout_usec, error);
}

int container_option_health_start_period(sd_bus_message *m, const char *key, ContainerSpec *s,
                                         sd_bus_error *error) {
        return read_duration(m, key, &s->health.start_period_usec, error);
}

int container_option_health_start_interval(sd_bus_message *m, const char *key, ContainerSpec *s,
                                           sd_bus_error *error) {
        return read_duration(m, key, &s->health.start_interval_usec, error);
}

int container_option_health_retries(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        uint32_t v;
        int r;

        r = sd_bus_message_read(m, "u", &v);
        if (r < 0)
                return r;
        if (v > HEALTH_RETRIES_MAX)
                return container_option_invalid(error, key, "must be at most %u (0: the default, 3)", HEALTH_RETRIES_MAX);
        s->health.retries = v;
        return 0;
}

int container_option_health_on_failure(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        const char *v;
        int r;

        r = sd_bus_message_read(m, "s", &v);
        if (r < 0)
                return r;
        r = health_on_failure_from_string(v);
        if (r < 0)
                return container_option_invalid(error, key, "'%.64s' is not one of none, kill, restart, stop", v);
        s->health.on_failure = r;
        return 0;
}

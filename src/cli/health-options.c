/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli-util.h"
#include "health-options.h"
#include "log.h"
#include "option-append.h"
#include "parse-util.h"
#include "strv.h"

const char *const health_option_names[_HEALTH_OPTION_MAX] = {
        [HEALTH_OPTION_CMD] = "health-cmd",
        [HEALTH_OPTION_INTERVAL] = "health-interval",
        [HEALTH_OPTION_TIMEOUT] = "health-timeout",
        [HEALTH_OPTION_RETRIES] = "health-retries",
        [HEALTH_OPTION_START_PERIOD] = "health-start-period",
        [HEALTH_OPTION_START_INTERVAL] = "health-start-interval",
        [HEALTH_OPTION_ON_FAILURE] = "health-on-failure",
        [HEALTH_OPTION_NO_HEALTHCHECK] = "no-healthcheck",
};

static int parse_duration(const char *name, const char *s, uint64_t *ret) {
        uint64_t v;
        int r;

        r = parse_timespan_sec(s, &v);
        if (r >= 0 && v != 0 && (v < HEALTH_DURATION_MIN_USEC || v > HEALTH_DURATION_MAX_USEC))
                r = -ERANGE;
        if (r < 0)
                return log_invalid_value(name, s, r, "a time such as 30s, 500ms or 2min (1 ms to 7 days)");
        *ret = v;
        return 0;
}

static int set_test(SpecHealth *h, const char *arg) {
        _cleanup_strv_free_ char **test = NULL;
        int r;

        if (arg)
                r = health_test_from_string(arg, &test);
        else
                r = strv_extend(&test, "NONE");
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                return log_invalid_value("--health-cmd", arg, r,
                                         "a shell command, or a JSON array such as '[\"CMD\", \"/bin/check\"]'");
        strv_free(h->test);
        h->test = TAKE_PTR(test);
        return 0;
}

int health_option_parse(HealthOption o, const char *arg, SpecHealth *h) {
        HealthOnFailure a;
        uint32_t n;
        int r;

        switch (o) {
        case HEALTH_OPTION_CMD:
                return set_test(h, arg);
        case HEALTH_OPTION_INTERVAL:
                return parse_duration("--health-interval", arg, &h->interval_usec);
        case HEALTH_OPTION_TIMEOUT:
                return parse_duration("--health-timeout", arg, &h->timeout_usec);
        case HEALTH_OPTION_START_PERIOD:
                return parse_duration("--health-start-period", arg, &h->start_period_usec);
        case HEALTH_OPTION_START_INTERVAL:
                return parse_duration("--health-start-interval", arg, &h->start_interval_usec);
        case HEALTH_OPTION_RETRIES:
                r = safe_atou32(arg, &n);
                if (r >= 0 && (n == 0 || n > HEALTH_RETRIES_MAX))
                        r = -ERANGE;
                if (r < 0)
                        return log_invalid_value("--health-retries", arg, r, "an integer from 1 to 1000000");
                h->retries = n;
                return 0;
        case HEALTH_OPTION_ON_FAILURE:
                a = health_on_failure_from_string(arg);
                if (a < 0)
                        return log_invalid_value("--health-on-failure", arg, -EINVAL, "none, kill, restart or stop");
                h->on_failure = a;
                return 0;
        default: /* --no-healthcheck */
                return set_test(h, NULL);
        }
}

unsigned health_options_set(const SpecHealth *h) {
        return (h->test ? 1U << HEALTH_OPTION_CMD : 0) |
               (h->interval_usec > 0 ? 1U << HEALTH_OPTION_INTERVAL : 0) |
               (h->timeout_usec > 0 ? 1U << HEALTH_OPTION_TIMEOUT : 0) |
               (h->retries > 0 ? 1U << HEALTH_OPTION_RETRIES : 0) |
               (h->start_period_usec > 0 ? 1U << HEALTH_OPTION_START_PERIOD : 0) |
               (h->start_interval_usec > 0 ? 1U << HEALTH_OPTION_START_INTERVAL : 0) |
               (h->on_failure != HEALTH_ON_FAILURE_NONE ? 1U << HEALTH_OPTION_ON_FAILURE : 0);
}

int health_options_append(sd_bus_message *m, const SpecHealth *h, unsigned mask) {
        static const struct {
                HealthOption option;
                const char *key;
                size_t offset;
        } durations[] = {
                { HEALTH_OPTION_INTERVAL, "HealthIntervalUSec", offsetof(SpecHealth, interval_usec) },
                { HEALTH_OPTION_TIMEOUT, "HealthTimeoutUSec", offsetof(SpecHealth, timeout_usec) },
                { HEALTH_OPTION_START_PERIOD, "HealthStartPeriodUSec", offsetof(SpecHealth, start_period_usec) },
                { HEALTH_OPTION_START_INTERVAL, "HealthStartIntervalUSec", offsetof(SpecHealth, start_interval_usec) },
        };
        int r;

        /* --no-healthcheck is HealthCmd ["NONE"]. */
        if ((mask & ((1U << HEALTH_OPTION_CMD) | (1U << HEALTH_OPTION_NO_HEALTHCHECK))) && h->test) {
                r = option_append_strv(m, "HealthCmd", h->test, true);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < ELEMENTSOF(durations); i++) {
                if (!(mask & (1U << durations[i].option)))
                        continue;
                r = sd_bus_message_append(m, "{sv}", durations[i].key, "t",
                                          *(const uint64_t *) ((const uint8_t *) h + durations[i].offset));
                if (r < 0)
                        return r;
        }
        if (mask & (1U << HEALTH_OPTION_RETRIES)) {
                r = sd_bus_message_append(m, "{sv}", "HealthRetries", "u", h->retries);
                if (r < 0)
                        return r;
        }
        if (mask & (1U << HEALTH_OPTION_ON_FAILURE))
                return sd_bus_message_append(m, "{sv}", "HealthOnFailure", "s",
                                             health_on_failure_to_string(h->on_failure));
        return 0;
}

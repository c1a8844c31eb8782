/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "spec-health.h"
#include "string-table.h"
#include "strv.h"
#include "utf8.h"

static const char *const health_on_failure_table[_HEALTH_ON_FAILURE_MAX] = {
        [HEALTH_ON_FAILURE_NONE] = "none",
        [HEALTH_ON_FAILURE_KILL] = "kill",
        [HEALTH_ON_FAILURE_RESTART] = "restart",
        [HEALTH_ON_FAILURE_STOP] = "stop",
};
DEFINE_STRING_TABLE_LOOKUP(health_on_failure, HealthOnFailure, _HEALTH_ON_FAILURE_MAX);

void spec_health_done(SpecHealth *h) {
        h->test = strv_free(h->test);
}

bool spec_health_enabled(const SpecHealth *h) {
        return h->test && h->test[0] && !streq(h->test[0], "NONE");
}

uint64_t spec_health_interval(const SpecHealth *h) {
        return h->interval_usec ?: HEALTH_DEFAULT_INTERVAL_USEC;
}

uint64_t spec_health_timeout(const SpecHealth *h) {
        return h->timeout_usec ?: HEALTH_DEFAULT_TIMEOUT_USEC;
}

uint32_t spec_health_retries(const SpecHealth *h) {
        return h->retries ?: HEALTH_DEFAULT_RETRIES;
}

uint64_t spec_health_start_interval(const SpecHealth *h) {
        return h->start_interval_usec ?: MIN(HEALTH_DEFAULT_START_INTERVAL_USEC, spec_health_interval(h));
}

uint64_t spec_health_next_delay(const SpecHealth *h, bool still_starting, uint64_t started_usec, uint64_t now_usec) {
        if (still_starting && started_usec > 0 && h->start_period_usec > 0 &&
            now_usec < started_usec + h->start_period_usec)
                return spec_health_start_interval(h);
        return spec_health_interval(h);
}

static bool duration_ok(uint64_t usec) {
        return usec == 0 || (usec >= HEALTH_DURATION_MIN_USEC && usec <= HEALTH_DURATION_MAX_USEC);
}

static int test_validate(char *const *test, const char **ret_reason) {
        size_t n = strv_length(test), size = 0;

        if (n == 0)
                return 0; /* none given */
        if (n > HEALTH_TEST_ARGS_MAX) {
                *ret_reason = "the health check command has too many arguments";
                return -EINVAL;
        }
        STRV_FOREACH(a, test) {
                size += strlen(*a) + 1;
                if (!utf8_is_valid(*a)) {
                        *ret_reason = "the health check command is not valid UTF-8";
                        return -EINVAL;
                }
        }
        if (size > HEALTH_TEST_SIZE_MAX) {
                *ret_reason = "the health check command is longer than 64 KiB";
                return -EINVAL;
        }
        if (streq(test[0], "NONE") ? n == 1 :
            streq(test[0], "CMD") ? n >= 2 && !isempty(test[1]) :
            streq(test[0], "CMD-SHELL") ? n == 2 && !isempty(test[1]) : false)
                return 0;
        *ret_reason = "the health check test must be [\"CMD\", ARG…], [\"CMD-SHELL\", COMMAND] or [\"NONE\"]";
        return -EINVAL;
}

int spec_health_validate(const SpecHealth *h, const char **ret_reason) {
        const char *reason = NULL;

        if (test_validate(h->test, &reason) < 0)
                goto fail;
        reason = "health check durations must be between 1 ms and 7 days";
        if (!duration_ok(h->interval_usec) || !duration_ok(h->timeout_usec) || !duration_ok(h->start_period_usec) ||
            !duration_ok(h->start_interval_usec))
                goto fail;
        reason = "health check retries must be at most 1000000";
        if (h->retries > HEALTH_RETRIES_MAX)
                goto fail;
        reason = "unknown action on an unhealthy container";
        if (h->on_failure < 0 || h->on_failure >= _HEALTH_ON_FAILURE_MAX)
                goto fail;
        if (ret_reason)
                *ret_reason = NULL;
        return 0;
fail:
        if (ret_reason)
                *ret_reason = reason;
        return -EINVAL;
}

static int test_from_json_array(const char *s, char ***ret) {
        _cleanup_json_ json_object *o = NULL;
        _cleanup_strv_free_ char **l = NULL;
        size_t n;

        o = json_tokener_parse(s);
        if (!o || !json_object_is_type(o, json_type_array))
                return -EINVAL;
        n = json_object_array_length(o);
        if (n == 0 || n > HEALTH_TEST_ARGS_MAX)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(o, i);

                if (!json_object_is_type(e, json_type_string))
                        return -EINVAL;
                /* A bare argv is Docker's exec form: CMD. */
                if (i == 0 && !streq(json_object_get_string(e), "CMD") &&
                    !streq(json_object_get_string(e), "CMD-SHELL") && !streq(json_object_get_string(e), "NONE") &&
                    strv_extend(&l, "CMD") < 0)
                        return -ENOMEM;
                if (strv_extend(&l, json_object_get_string(e)) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

int health_test_from_string(const char *s, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        const char *reason;
        int r;

        if (isempty(s))
                return -EINVAL;
        if (streq(s, "none") || streq(s, "NONE"))
                r = strv_extend(&l, "NONE");
        else if (s[0] == '[')
                r = test_from_json_array(s, &l);
        else if (strv_extend(&l, "CMD-SHELL") < 0)
                r = -ENOMEM;
        else
                r = strv_extend(&l, s);
        if (r < 0)
                return r;
        if (test_validate(l, &reason) < 0)
                return -EINVAL;
        *ret = TAKE_PTR(l);
        return 0;
}

int health_test_argv(char *const *test, char ***ret) {
        _cleanup_strv_free_ char **argv = NULL;

        if (strv_length(test) >= 2 && streq(test[0], "CMD"))
                argv = strv_copy(test + 1);
        else if (strv_length(test) == 2 && streq(test[0], "CMD-SHELL")) {
                if (strv_extend(&argv, "/bin/sh") < 0 || strv_extend(&argv, "-c") < 0 ||
                    strv_extend(&argv, test[1]) < 0)
                        return -ENOMEM;
        } else
                return -EINVAL;
        if (!argv)
                return -ENOMEM;
        *ret = TAKE_PTR(argv);
        return 0;
}

int spec_health_to_json(const SpecHealth *h, json_object *o) {
        _cleanup_json_ json_object *j = NULL;

        if (!h->test && h->on_failure == HEALTH_ON_FAILURE_NONE && h->interval_usec == 0 && h->timeout_usec == 0 &&
            h->start_period_usec == 0 && h->start_interval_usec == 0 && h->retries == 0)
                return 0;
        j = json_object_new_object();
        if (!j)
                return -ENOMEM;
        /* Each can fail for memory only. */
        if ((h->test && json_add_strv(j, "test", h->test) < 0) ||
            json_add_uint64(j, "interval_usec", h->interval_usec) < 0 ||
            json_add_uint64(j, "timeout_usec", h->timeout_usec) < 0 ||
            json_add_uint64(j, "start_period_usec", h->start_period_usec) < 0 ||
            json_add_uint64(j, "start_interval_usec", h->start_interval_usec) < 0 ||
            json_add_uint64(j, "retries", h->retries) < 0 ||
            json_add_string(j, "on_failure", health_on_failure_to_string(h->on_failure)) < 0)
                return -ENOMEM;
        if (json_object_object_add(o, "healthcheck", j) < 0)
                return -ENOMEM;
        j = NULL;
        return 0;
}

static int opt(int r) {
        return r == -ENOENT ? 0 : r;
}

int spec_health_from_json(json_object *o, SpecHealth *h) {
        const char *on_failure = NULL;
        uint64_t retries = 0;
        json_object *j;
        int r;

        if (!json_object_object_get_ex(o, "healthcheck", &j) || json_object_is_type(j, json_type_null))
                return 0;
        if (!json_object_is_type(j, json_type_object))
                return -EBADMSG;
        r = opt(json_get_strv(j, "test", &h->test));
        if (r < 0)
                return r;
        r = opt(json_get_uint64(j, "interval_usec", &h->interval_usec));
        if (r < 0)
                return r;
        r = opt(json_get_uint64(j, "timeout_usec", &h->timeout_usec));
        if (r < 0)
                return r;
        r = opt(json_get_uint64(j, "start_period_usec", &h->start_period_usec));
        if (r < 0)
                return r;
        r = opt(json_get_uint64(j, "start_interval_usec", &h->start_interval_usec));
        if (r < 0)
                return r;
        r = opt(json_get_uint64(j, "retries", &retries));
        if (r < 0)
                return r;
        if (retries > HEALTH_RETRIES_MAX)
                return -ERANGE;
        h->retries = (uint32_t) retries;
        r = opt(json_get_string(j, "on_failure", &on_failure));
        if (r < 0)
                return r;
        if (on_failure) {
                h->on_failure = health_on_failure_from_string(on_failure);
                if (h->on_failure < 0)
                        return -EBADMSG;
        }
        return 0;
}

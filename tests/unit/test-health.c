/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "health-state.h"
#include "spec-health.h"
#include "strv.h"
#include "test.h"

static int test_forms(const char *in, const char *joined) {
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_free_ char *j = NULL;

        ASSERT_OK(health_test_from_string(in, &l));
        j = strv_join(l, "|");
        ASSERT_STREQ(j, joined);
        return 0;
}

TEST(test_from_string) {
        static const char *const bad[] = {
                "", "[]", "[1]", "[\"CMD\"]", "[\"CMD-SHELL\", \"a\", \"b\"]", "[\"NONE\", \"x\"]", "[\"x\"",
                "[\"CMD-SHELL\", \"\"]",
        };
        char **l = NULL;

        ASSERT_OK(test_forms("curl -f http://localhost/ || exit 1", "CMD-SHELL|curl -f http://localhost/ || exit 1"));
        ASSERT_OK(test_forms("none", "NONE"));
        ASSERT_OK(test_forms("[\"NONE\"]", "NONE"));
        ASSERT_OK(test_forms("[\"CMD\", \"/bin/true\", \"x y\"]", "CMD|/bin/true|x y"));
        ASSERT_OK(test_forms("[\"/bin/true\", \"-v\"]", "CMD|/bin/true|-v"));
        ASSERT_OK(test_forms("[\"CMD-SHELL\", \"exit 0\"]", "CMD-SHELL|exit 0"));
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ASSERT_ERROR(health_test_from_string(bad[i], &l), EINVAL);
        ASSERT_TRUE(l == NULL);
        return 0;
}

TEST(argv) {
        _cleanup_strv_free_ char **a = NULL, **b = NULL;
        char **c = NULL;

        ASSERT_OK(health_test_argv((char *[]) { (char *) "CMD-SHELL", (char *) "exit 3", NULL }, &a));
        ASSERT_EQ(strv_length(a), 3U);
        ASSERT_STREQ(a[0], "/bin/sh");
        ASSERT_STREQ(a[2], "exit 3");
        ASSERT_OK(health_test_argv((char *[]) { (char *) "CMD", (char *) "/x", (char *) "y", NULL }, &b));
        ASSERT_EQ(strv_length(b), 2U);
        ASSERT_STREQ(b[0], "/x");
        ASSERT_ERROR(health_test_argv((char *[]) { (char *) "NONE", NULL }, &c), EINVAL);
        return 0;
}

TEST(validate_and_json) {
        _cleanup_json_ json_object *o = json_object_new_object();
        SpecHealth h = { .interval_usec = 2 * USEC_PER_SEC, .retries = 4, .on_failure = HEALTH_ON_FAILURE_RESTART },
                   back = {};
        const char *reason;

        ASSERT_OK(health_test_from_string("true", &h.test));
        ASSERT_OK(spec_health_validate(&h, &reason));
        ASSERT_TRUE(spec_health_enabled(&h));
        ASSERT_EQ(spec_health_timeout(&h), HEALTH_DEFAULT_TIMEOUT_USEC);
        ASSERT_OK(spec_health_to_json(&h, o));
        ASSERT_OK(spec_health_from_json(o, &back));
        ASSERT_EQ(back.interval_usec, 2 * USEC_PER_SEC);
        ASSERT_EQ(back.retries, 4U);
        ASSERT_EQ(back.on_failure, HEALTH_ON_FAILURE_RESTART);
        ASSERT_STREQ(back.test[1], "true");
        h.interval_usec = 10; /* below 1 ms */
        ASSERT_ERROR(spec_health_validate(&h, &reason), EINVAL);
        h.interval_usec = 0;
        h.retries = HEALTH_RETRIES_MAX + 1;
        ASSERT_ERROR(spec_health_validate(&h, &reason), EINVAL);
        for (int a = 0; a < _HEALTH_ON_FAILURE_MAX; a++)
                ASSERT_EQ(health_on_failure_from_string(health_on_failure_to_string(a)), a);
        for (int s = 0; s < _HEALTH_STATUS_MAX; s++)
                ASSERT_EQ(health_status_from_string(health_status_to_string(s)), s);
        spec_health_done(&h);
        spec_health_done(&back);
        return 0;
}

TEST(start_interval) {
        _cleanup_json_ json_object *o = json_object_new_object();
        SpecHealth h = { .start_period_usec = 60 * USEC_PER_SEC }, back = {};
        const uint64_t t0 = 1000 * USEC_PER_SEC;

        /* Docker's 5 s by default, never slower than the interval. */
        ASSERT_EQ(spec_health_start_interval(&h), HEALTH_DEFAULT_START_INTERVAL_USEC);
        h.interval_usec = 300 * USEC_PER_MSEC;
        ASSERT_EQ(spec_health_start_interval(&h), 300 * USEC_PER_MSEC);
        h.interval_usec = 3600 * USEC_PER_SEC;
        h.start_interval_usec = 200 * USEC_PER_MSEC;
        /* Starting, within the start period: the start interval... */
        ASSERT_EQ(spec_health_next_delay(&h, true, t0, t0 + USEC_PER_SEC), 200 * USEC_PER_MSEC);
        /* ...healthy already, after the start period, or without a known start: the interval. */
        ASSERT_EQ(spec_health_next_delay(&h, false, t0, t0 + USEC_PER_SEC), 3600 * USEC_PER_SEC);
        ASSERT_EQ(spec_health_next_delay(&h, true, t0, t0 + 61 * USEC_PER_SEC), 3600 * USEC_PER_SEC);
        ASSERT_EQ(spec_health_next_delay(&h, true, 0, t0), 3600 * USEC_PER_SEC);
        h.start_period_usec = 0;
        ASSERT_EQ(spec_health_next_delay(&h, true, t0, t0), 3600 * USEC_PER_SEC);
        /* Kept in the spec file; checked as the other durations are. */
        ASSERT_OK(spec_health_to_json(&h, o));
        ASSERT_OK(spec_health_from_json(o, &back));
        ASSERT_EQ(back.start_interval_usec, 200 * USEC_PER_MSEC);
        h.start_interval_usec = 10;
        ASSERT_ERROR(spec_health_validate(&h, NULL), EINVAL);
        spec_health_done(&back);
        return 0;
}

static bool record(HealthState *s, const SpecHealth *h, bool in_start_period, int exit_code) {
        HealthResult r = { .exit_code = exit_code, .output = strdup("out") };

        return health_state_record(s, h, in_start_period, &r);
}

TEST(state_machine) {
        SpecHealth h = { .retries = 2 };
        HealthState s = {};

        health_state_reset(&s, true);
        ASSERT_EQ(s.status, HEALTH_STATUS_STARTING);
        /* Failures in the start period do not count while starting... */
        ASSERT_FALSE(record(&s, &h, true, 1));
        ASSERT_FALSE(record(&s, &h, true, 1));
        ASSERT_FALSE(record(&s, &h, true, 1));
        ASSERT_EQ(s.failing_streak, 0U);
        ASSERT_EQ(s.status, HEALTH_STATUS_STARTING);
        /* ...one success is healthy... */
        ASSERT_TRUE(record(&s, &h, true, 0));
        ASSERT_EQ(s.status, HEALTH_STATUS_HEALTHY);
        /* ...and once healthy they count, in the start period or not. */
        ASSERT_FALSE(record(&s, &h, true, 1));
        ASSERT_EQ(s.failing_streak, 1U);
        ASSERT_TRUE(record(&s, &h, false, HEALTH_EXIT_TIMEOUT));
        ASSERT_EQ(s.status, HEALTH_STATUS_UNHEALTHY);
        ASSERT_FALSE(record(&s, &h, false, 1));
        ASSERT_EQ(s.failing_streak, 3U);
        ASSERT_TRUE(record(&s, &h, false, 0));
        ASSERT_EQ(s.failing_streak, 0U);
        /* Only the last five results stay, oldest first. */
        ASSERT_EQ(s.n_log, HEALTH_LOG_MAX);
        ASSERT_EQ(s.log[HEALTH_LOG_MAX - 1].exit_code, 0);
        ASSERT_EQ(s.log[HEALTH_LOG_MAX - 2].exit_code, 1);
        /* Starting and failing outside the start period counts from the first failure. */
        health_state_reset(&s, true);
        ASSERT_EQ(s.n_log, 0U);
        ASSERT_FALSE(record(&s, &h, false, 1));
        ASSERT_TRUE(record(&s, &h, false, 1));
        ASSERT_EQ(s.status, HEALTH_STATUS_UNHEALTHY);
        health_state_done(&s);
        return 0;
}

TEST(output_and_json) {
        _cleanup_json_ json_object *o = NULL;
        SpecHealth h = {};
        HealthState s = {}, back = {};
        HealthResult r = { .start_usec = 5, .end_usec = 7, .exit_code = 1 };
        char *big = malloc(HEALTH_OUTPUT_MAX + 10);

        ASSERT_TRUE(big != NULL);
        memset(big, 'a', HEALTH_OUTPUT_MAX + 9);
        /* A two-byte character across the cut is dropped whole. */
        big[HEALTH_OUTPUT_MAX - 1] = (char) 0xc3;
        big[HEALTH_OUTPUT_MAX] = (char) 0xa9;
        big[HEALTH_OUTPUT_MAX + 9] = 0;
        r.output = big;
        health_state_reset(&s, true);
        (void) health_state_record(&s, &h, false, &r);
        ASSERT_EQ(strlen(s.log[0].output), HEALTH_OUTPUT_MAX - 1);
        ASSERT_OK(health_state_to_json(&s, &o));
        ASSERT_OK(health_state_from_json(o, &back));
        ASSERT_EQ(back.status, HEALTH_STATUS_STARTING);
        ASSERT_EQ(back.failing_streak, 1U);
        ASSERT_EQ(back.n_log, 1U);
        ASSERT_EQ(back.log[0].end_usec, 7U);
        ASSERT_STREQ(back.log[0].output, s.log[0].output);
        /* Bytes that are no text are not passed on. */
        r = (HealthResult) { .exit_code = 0, .output = strdup("ok \xff\xfe binary") };
        (void) health_state_record(&s, &h, false, &r);
        ASSERT_TRUE(strstr(s.log[1].output, "not UTF-8"));
        health_state_done(&s);
        health_state_done(&back);
        return 0;
}

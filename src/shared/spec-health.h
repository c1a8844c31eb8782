/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "json-util.h"
#include "macros.h"

/* A container's health check (--health-*, CreateContainer's Health* options, the image config's
 * Healthcheck): the "healthcheck" key of config.json. test is Docker's form: {"CMD", argv…},
 * {"CMD-SHELL", "command"} (run with /bin/sh -c) or {"NONE"} (disabled, also over the image's);
 * NULL when nothing was given. Zero durations and retries mean Docker's defaults. */

typedef enum HealthOnFailure {
        HEALTH_ON_FAILURE_NONE,
        HEALTH_ON_FAILURE_KILL,
        HEALTH_ON_FAILURE_RESTART,
        HEALTH_ON_FAILURE_STOP,
        _HEALTH_ON_FAILURE_MAX,
        _HEALTH_ON_FAILURE_INVALID = -EINVAL,
} HealthOnFailure;

const char *health_on_failure_to_string(HealthOnFailure a) _pure_;
HealthOnFailure health_on_failure_from_string(const char *s) _pure_;

typedef struct SpecHealth {
        char **test;
        uint64_t interval_usec;     /* 0: HEALTH_DEFAULT_INTERVAL_USEC */
        uint64_t timeout_usec;      /* 0: HEALTH_DEFAULT_TIMEOUT_USEC */
        uint64_t start_period_usec; /* failures this long after the start do not count */
        uint64_t start_interval_usec; /* between checks in the start period; 0: HEALTH_DEFAULT_START_INTERVAL_USEC or the interval, the shorter */
        uint32_t retries;           /* 0: HEALTH_DEFAULT_RETRIES */
        HealthOnFailure on_failure;
} SpecHealth;

#define HEALTH_DEFAULT_INTERVAL_USEC (30 * USEC_PER_SEC)
#define HEALTH_DEFAULT_TIMEOUT_USEC (30 * USEC_PER_SEC)
#define HEALTH_DEFAULT_RETRIES 3U
/* Docker 25's default time between checks in the start period; never longer than the interval here,
 * so that a short --health-interval is not slowed down by a start period. */
#define HEALTH_DEFAULT_START_INTERVAL_USEC (5 * USEC_PER_SEC)
/* Docker's floor for the durations (1 ms) and our ceilings: nothing useful waits longer. */
#define HEALTH_DURATION_MIN_USEC USEC_PER_MSEC
#define HEALTH_DURATION_MAX_USEC (7 * 24 * 3600 * USEC_PER_SEC)
#define HEALTH_RETRIES_MAX 1000000U
#define HEALTH_TEST_ARGS_MAX 256U
#define HEALTH_TEST_SIZE_MAX 65536U

void spec_health_done(SpecHealth *h);
/* A test is set and is not NONE. */
bool spec_health_enabled(const SpecHealth *h);
uint64_t spec_health_interval(const SpecHealth *h);
uint64_t spec_health_timeout(const SpecHealth *h);
uint32_t spec_health_retries(const SpecHealth *h);
uint64_t spec_health_start_interval(const SpecHealth *h);
/* The time to the next check (Docker's rule): the start interval while the container is still
 * starting within its start period (started_usec and now_usec: CLOCK_REALTIME; still_starting: no
 * check passed yet), else the interval. */
uint64_t spec_health_next_delay(const SpecHealth *h, bool still_starting, uint64_t started_usec, uint64_t now_usec);

/* -EINVAL with a static reason when the test's form, a duration or the retries are out of range. */
int spec_health_validate(const SpecHealth *h, const char **ret_reason);
/* --health-cmd as users type it: "none" (disabled), a JSON array (["CMD", "x"], ["CMD-SHELL", "x"],
 * ["NONE"], or a bare argv ["x", "y"], which is CMD), else a shell command (CMD-SHELL). */
int health_test_from_string(const char *s, char ***ret);
/* The argv the test runs: CMD's arguments, or /bin/sh -c COMMAND. -EINVAL for NONE. */
int health_test_argv(char *const *test, char ***ret);

/* "healthcheck" in the spec object o; missing: none given. */
int spec_health_to_json(const SpecHealth *h, json_object *o);
int spec_health_from_json(json_object *o, SpecHealth *h);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "json-util.h"
#include "macros.h"
#include "spec-health.h"

/* A running container's health, by Docker's rules: "starting" from each start; one passing check
 * makes it "healthy"; `retries` failing checks in a row make it "unhealthy", except that failures
 * while it is still starting and within the start period do not count. The last HEALTH_LOG_MAX
 * results are kept, each output cut at HEALTH_OUTPUT_MAX bytes. Pure: drayd runs the checks
 * (container-health.c) and feeds the results in. */

typedef enum HealthStatus {
        HEALTH_STATUS_NONE,      /* no health check */
        HEALTH_STATUS_STARTING,
        HEALTH_STATUS_HEALTHY,
        HEALTH_STATUS_UNHEALTHY,
        _HEALTH_STATUS_MAX,
        _HEALTH_STATUS_INVALID = -EINVAL,
} HealthStatus;

const char *health_status_to_string(HealthStatus s) _pure_;
HealthStatus health_status_from_string(const char *s) _pure_;

#define HEALTH_LOG_MAX 5U
#define HEALTH_OUTPUT_MAX 4096U
/* The exit code of a check that did not end by itself in time (Docker's -1), or never ran. */
#define HEALTH_EXIT_TIMEOUT (-1)

typedef struct HealthResult {
        uint64_t start_usec; /* CLOCK_REALTIME */
        uint64_t end_usec;
        int exit_code;
        char *output;
} HealthResult;

typedef struct HealthState {
        HealthStatus status;
        uint32_t failing_streak;
        HealthResult log[HEALTH_LOG_MAX]; /* oldest first */
        size_t n_log;
} HealthState;

void health_result_done(HealthResult *r);
void health_state_done(HealthState *s);
/* A (re)start: "starting" with an empty log when enabled, else "none". */
void health_state_reset(HealthState *s, bool enabled);
/* Adds a result (its output is taken, cut to HEALTH_OUTPUT_MAX) and applies the rules. in_start_period:
 * the check began within the start period. Returns true when the status changed. */
bool health_state_record(HealthState *s, const SpecHealth *h, bool in_start_period, HealthResult *result);

/* Docker's State.Health: {"Status", "FailingStreak", "Log": [{"Start", "End", "ExitCode", "Output"}]},
 * times in µs. */
int health_state_to_json(const HealthState *s, json_object **ret);
int health_state_from_json(json_object *o, HealthState *s);

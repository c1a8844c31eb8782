/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>

#include "health-state.h"
#include "string-table.h"
#include "utf8.h"

static const char *const health_status_table[_HEALTH_STATUS_MAX] = {
        [HEALTH_STATUS_NONE] = "none",
        [HEALTH_STATUS_STARTING] = "starting",
        [HEALTH_STATUS_HEALTHY] = "healthy",
        [HEALTH_STATUS_UNHEALTHY] = "unhealthy",
};
DEFINE_STRING_TABLE_LOOKUP(health_status, HealthStatus, _HEALTH_STATUS_MAX);

void health_result_done(HealthResult *r) {
        free(r->output);
        r->output = NULL;
}

void health_state_done(HealthState *s) {
        for (size_t i = 0; i < s->n_log; i++)
                health_result_done(&s->log[i]);
        s->n_log = 0;
}

void health_state_reset(HealthState *s, bool enabled) {
        health_state_done(s);
        s->status = enabled ? HEALTH_STATUS_STARTING : HEALTH_STATUS_NONE;
        s->failing_streak = 0;
}

/* At most HEALTH_OUTPUT_MAX bytes, valid UTF-8 (D-Bus carries nothing else): a character cut at the
 * limit is dropped whole; output that is no text at all is replaced by a note saying so. Linear. */
#define HEALTH_OUTPUT_NOT_TEXT "(the health check's output is not UTF-8 text)"

static void output_trim(char **o) {
        size_t n;

        if (!*o)
                return;
        n = MIN(strlen(*o), (size_t) HEALTH_OUTPUT_MAX);
        for (size_t cut = 0; cut <= 3 && cut <= n; cut++)
                if (utf8_is_valid_n(*o, n - cut)) {
                        (*o)[n - cut] = 0;
                        return;
                }
        free(*o);
        *o = strdup(HEALTH_OUTPUT_NOT_TEXT);
}

bool health_state_record(HealthState *s, const SpecHealth *h, bool in_start_period, HealthResult *result) {
        HealthStatus old = s->status;

        output_trim(&result->output);
        if (s->n_log == HEALTH_LOG_MAX) {
                health_result_done(&s->log[0]);
                memmove(s->log, s->log + 1, (HEALTH_LOG_MAX - 1) * sizeof(HealthResult));
                s->n_log--;
        }
        s->log[s->n_log++] = *result;
        *result = (HealthResult) {};

        if (s->log[s->n_log - 1].exit_code == 0) {
                s->failing_streak = 0;
                s->status = HEALTH_STATUS_HEALTHY;
        } else if (!(in_start_period && s->status == HEALTH_STATUS_STARTING)) {
                s->failing_streak++;
                if (s->failing_streak >= spec_health_retries(h))
                        s->status = HEALTH_STATUS_UNHEALTHY;
        }
        return s->status != old;
}

int health_state_to_json(const HealthState *s, json_object **ret) {
        _cleanup_json_ json_object *o = json_object_new_object(), *log = json_object_new_array();

        if (!o || !log)
                return -ENOMEM;
        for (size_t i = 0; i < s->n_log; i++) {
                _cleanup_json_ json_object *e = json_object_new_object();

                /* Each can fail for memory only. */
                if (!e || json_add_uint64(e, "Start", s->log[i].start_usec) < 0 ||
                    json_add_uint64(e, "End", s->log[i].end_usec) < 0 ||
                    json_add_int(e, "ExitCode", s->log[i].exit_code) < 0 ||
                    json_add_string(e, "Output", s->log[i].output ?: "") < 0 ||
                    json_object_array_add(log, e) < 0)
                        return -ENOMEM;
                e = NULL;
        }
        if (json_add_string(o, "Status", health_status_to_string(s->status)) < 0 ||
            json_add_uint64(o, "FailingStreak", s->failing_streak) < 0 ||
            json_object_object_add(o, "Log", log) < 0)
                return -ENOMEM;
        log = NULL;
        *ret = TAKE_PTR(o);
        return 0;
}

/* A missing key of a result is a malformed file. */
static int required(int r) {
        return r == -ENOENT ? -EBADMSG : r;
}

static int result_from_json(json_object *e, HealthResult *ret) {
        _cleanup_free_ char *output = NULL;
        const char *text;
        HealthResult res = {};
        int r;

        r = required(json_get_uint64(e, "Start", &res.start_usec));
        if (r < 0)
                return r;
        r = required(json_get_uint64(e, "End", &res.end_usec));
        if (r < 0)
                return r;
        r = required(json_get_int(e, "ExitCode", &res.exit_code));
        if (r < 0)
                return r;
        r = required(json_get_string(e, "Output", &text));
        if (r < 0)
                return r;
        output = strndup(text, HEALTH_OUTPUT_MAX);
        if (!output)
                return -ENOMEM;
        output_trim(&output);
        res.output = TAKE_PTR(output);
        *ret = res;
        return 0;
}

/* Reads back what health_state_to_json() wrote (a file drayd keeps while the container runs). */
int health_state_from_json(json_object *o, HealthState *s) {
        HealthState n = {};
        const char *status;
        uint64_t streak;
        json_object *log;
        int r;

        r = required(json_get_string(o, "Status", &status));
        if (r < 0)
                return r;
        r = required(json_get_uint64(o, "FailingStreak", &streak));
        if (r < 0)
                return r;
        n.status = health_status_from_string(status);
        if (n.status < 0 || streak > UINT32_MAX)
                return -EBADMSG;
        n.failing_streak = (uint32_t) streak;
        if (!json_object_object_get_ex(o, "Log", &log) || !json_object_is_type(log, json_type_array))
                return -EBADMSG;
        for (size_t i = 0; i < json_object_array_length(log) && n.n_log < HEALTH_LOG_MAX; i++) {
                r = result_from_json(json_object_array_get_idx(log, i), &n.log[n.n_log]);
                if (r < 0) {
                        health_state_done(&n);
                        return r;
                }
                n.n_log++;
        }
        health_state_done(s);
        *s = n;
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "macros.h"

/* Docker's restart policies for containers drayd runs itself (--restart, CreateContainer's
 * RestartPolicy): "no", "on-failure[:MAX]", "always", "unless-stopped". */
typedef enum RestartPolicyKind {
        RESTART_POLICY_NO,
        RESTART_POLICY_ON_FAILURE,
        RESTART_POLICY_ALWAYS,
        RESTART_POLICY_UNLESS_STOPPED,
        _RESTART_POLICY_MAX,
        _RESTART_POLICY_INVALID = -EINVAL,
} RestartPolicyKind;

typedef struct RestartPolicy {
        RestartPolicyKind kind;
        unsigned max_retries; /* on-failure:MAX; 0: no limit */
} RestartPolicy;

#define RESTART_POLICY_STRING_MAX 32

const char *restart_policy_kind_to_string(RestartPolicyKind k);
RestartPolicyKind restart_policy_kind_from_string(const char *s);

/* NULL or "" is "no". -EINVAL for anything else than the four forms (MAX: 1…1000000). */
int restart_policy_parse(const char *s, RestartPolicy *ret);
/* The canonical spelling ("on-failure:2"). */
void restart_policy_format(const RestartPolicy *p, char buf[static RESTART_POLICY_STRING_MAX]);

/* Whether a container that ended with exit_status is to be started again. stopped: `dray stop`
 * ended it (for good, until started again). restarts: how many times the policy started it since. */
bool restart_policy_wants_restart(const RestartPolicy *p, int exit_status, bool stopped, unsigned restarts);

/* The delay before the n-th restart in a row (n from 0): 100 ms doubling to 1 min. */
#define RESTART_DELAY_MIN_USEC (100 * USEC_PER_MSEC)
#define RESTART_DELAY_MAX_USEC (60 * USEC_PER_SEC)
/* A run this long resets the doubling. */
#define RESTART_RESET_AFTER_USEC (10 * USEC_PER_SEC)
uint64_t restart_policy_delay_usec(unsigned n);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macros.h"

/* journald rate-limits log entries per unit. For a unit with an exec context PID 1 exports
 * LogRateLimitIntervalSec=/LogRateLimitBurst= as symlinks /run/systemd/units/log-rate-limit-
 * {interval,burst}:<unit> whose targets are the numbers, and journald reads them when it first sees
 * the unit's cgroup. Scopes have no exec context, so nothing is exported for dray-<name>.scope and
 * the default limit (10,000 entries per 30 s) would drop container output. We write the links
 * ourselves before the scope starts, and remove them when the run ends and with the container (PID 1
 * only removes links it wrote). Kept behind these two calls so the mechanism can change in one place. */

/* The burst: journald keeps it in an unsigned int and scales it up with free disk space by
 * multiplying (wrapping) and dividing by 4; UINT_MAX stays above 10^9 whatever the factor. */
#define SCOPE_LOG_RATE_LIMIT_BURST "4294967295"
#define SCOPE_LOG_RATE_LIMIT_INTERVAL_USEC "30000000"

int scope_logging_setup(const char *units_dir, const char *unit);
int scope_logging_remove(const char *units_dir, const char *unit);

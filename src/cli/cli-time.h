/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macros.h"

/* Times the CLI reads and prints. All values are CLOCK_REALTIME µs. */


/* `dray logs --since`: "YYYY-MM-DD HH:MM:SS" (or with 'T', optional ".fraction", optional trailing
 * 'Z' for UTC; local time otherwise), "YYYY-MM-DD" (local midnight), epoch seconds with an optional
 * fraction ("1700000000.5"), or a time ago such as "10m", "2h", "1h30m", "45s", "3d". now_usec is the
 * reference for relative values. -EINVAL when it matches none, -ERANGE when it is out of range. */
int parse_since(const char *s, uint64_t now_usec, uint64_t *ret_usec);

/* Docker's human durations, as in "Up 5 minutes" and "3 hours ago": "Less than a second",
 * "1 second", "N seconds", "About a minute", "N minutes", "About an hour", "N hours", "N days",
 * "N weeks", "N months", "N years". Returns buf. */
#define HUMAN_DURATION_MAX 32
char *format_human_duration(char buf[static HUMAN_DURATION_MAX], uint64_t usec);

/* "2024-01-02T15:04:05.123456Z" (UTC, µs), as `dray logs -t` prints it. Returns buf. */
#define TIMESTAMP_ISO_MAX 40
char *format_timestamp_iso(char buf[static TIMESTAMP_ISO_MAX], uint64_t usec);

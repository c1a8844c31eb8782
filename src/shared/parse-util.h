/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macros.h"

/* Strict number parsing: the whole string, no sign surprises, no overflow. */
int safe_atou64(const char *s, uint64_t *ret);
int safe_atou32(const char *s, uint32_t *ret);
int safe_atoi(const char *s, int *ret);

/* "512m", "1G", "100k", "123" (bytes), base 1024, as docker --memory takes them. */
int parse_size(const char *s, uint64_t *ret);
/* "1.5" CPUs → per-second quota in µs (1.5 → 1500000). At most 3 decimals. */
int parse_cpus(const char *s, uint64_t *ret_quota_per_sec_usec);
/* "10", "10s", "500ms", "2min" → µs. A bare number is seconds, as docker stop -t takes it. */
int parse_timespan_sec(const char *s, uint64_t *ret_usec);
/* "TERM", "SIGTERM", "15", "sigkill" → signal number. */
int parse_signal(const char *s, int *ret);
const char *signal_to_string(int sig);

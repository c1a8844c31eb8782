/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <time.h>

#include "macros.h"

/* The clock in microseconds: CLOCK_REALTIME for times shown to users and stored in files,
 * CLOCK_MONOTONIC for deadlines. The one place dray reads a clock. */
uint64_t now_usec(clockid_t clock);

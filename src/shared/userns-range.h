/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <stdlib.h>

#include "macros.h"

/* --userns=auto: each container gets its own range of 65,536 host UIDs and GIDs, container ID 0 →
 * host ID base. Ranges come from the block systemd-nspawn picks from for --private-users=pick
 * (0x00080000 … 0x6fffffff), so dray and nspawn stay out of the way of the host's own users (which
 * live below 65,536, or in the 0x7… systemd-homed and 0x8… dynamic ranges). The range is part of
 * the container's spec, so it is recorded as durably as the container, and free again once the
 * container is removed. */

#define USERNS_RANGE_SIZE UINT32_C(65536)
#define USERNS_BASE_MIN UINT32_C(0x00080000)
#define USERNS_BASE_MAX UINT32_C(0x6fff0000) /* the last range starts here */

/* A base is USERNS_RANGE_SIZE-aligned and within [USERNS_BASE_MIN, USERNS_BASE_MAX]. */
bool userns_base_is_valid(uint32_t base) _pure_;

/* The lowest valid base not in used[] (n entries, any order) and for which usable(base) says yes
 * (NULL: every base is usable). -EBUSY when every range is taken. */
int userns_range_pick(const uint32_t *used, size_t n, bool (*usable)(uint32_t base), uint32_t *ret_base);

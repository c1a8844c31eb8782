/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>

#include "userns-range.h"

bool userns_base_is_valid(uint32_t base) {
        return base >= USERNS_BASE_MIN && base <= USERNS_BASE_MAX && base % USERNS_RANGE_SIZE == 0;
}

static bool is_used(const uint32_t *used, size_t n, uint32_t base) {
        for (size_t i = 0; i < n; i++)
                if (used[i] == base)
                        return true;
        return false;
}

int userns_range_pick(const uint32_t *used, size_t n, bool (*usable)(uint32_t base), uint32_t *ret_base) {
        for (uint32_t base = USERNS_BASE_MIN; base <= USERNS_BASE_MAX; base += USERNS_RANGE_SIZE) {
                if (is_used(used, n, base) || (usable && !usable(base)))
                        continue;
                *ret_base = base;
                return 0;
        }
        return -EBUSY;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --userns=auto ranges: validity, the allocator, the spec's checks. */
#include "spec.h"
#include "strv.h"
#include "test.h"
#include "userns-range.h"

static bool odd_blocks_only(uint32_t base) {
        return (base / USERNS_RANGE_SIZE) % 2 == 1;
}

TEST(userns_ranges) {
        uint32_t used[] = { USERNS_BASE_MIN + USERNS_RANGE_SIZE, USERNS_BASE_MIN }, base = 0;

        ASSERT_TRUE(userns_base_is_valid(USERNS_BASE_MIN));
        ASSERT_TRUE(userns_base_is_valid(USERNS_BASE_MAX));
        ASSERT_FALSE(userns_base_is_valid(0));
        ASSERT_FALSE(userns_base_is_valid(65536));
        ASSERT_FALSE(userns_base_is_valid(USERNS_BASE_MIN + 1));
        ASSERT_FALSE(userns_base_is_valid(USERNS_BASE_MAX + USERNS_RANGE_SIZE));
        ASSERT_OK(userns_range_pick(NULL, 0, NULL, &base));
        ASSERT_EQ(base, USERNS_BASE_MIN);
        ASSERT_OK(userns_range_pick(used, 2, NULL, &base)); /* the lowest free one */
        ASSERT_EQ(base, USERNS_BASE_MIN + 2 * USERNS_RANGE_SIZE);
        ASSERT_OK(userns_range_pick(used, 1, NULL, &base)); /* a freed range comes back */
        ASSERT_EQ(base, USERNS_BASE_MIN);
        ASSERT_OK(userns_range_pick(used, 2, odd_blocks_only, &base)); /* host users in the way */
        ASSERT_EQ(base, USERNS_BASE_MIN + 3 * USERNS_RANGE_SIZE);
        return 0;
}

static bool nothing_usable(uint32_t base) {
        return false;
}

TEST(userns_ranges_exhausted_and_spec) {
        _cleanup_(spec_freep) ContainerSpec *s = spec_new();
        const char *reason;
        uint32_t base;

        ASSERT_ERROR(userns_range_pick(NULL, 0, nothing_usable, &base), EBUSY);
        ASSERT_TRUE(s);
        s->id = strdup("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        s->name = strdup("u");
        s->rootfs = strdup("/r");
        ASSERT_OK(strv_extend(&s->command, "true"));
        s->userns_size = USERNS_RANGE_SIZE; /* not allocated yet */
        ASSERT_ERROR(spec_validate(s, &reason), EINVAL);
        ASSERT_STREQ(reason, "invalid user namespace range");
        s->userns_base = USERNS_BASE_MIN;
        ASSERT_OK(spec_validate(s, NULL));
        s->userns_size = 0;
        ASSERT_ERROR(spec_validate(s, &reason), EINVAL);
        return 0;
}

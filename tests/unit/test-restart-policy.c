/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "restart-policy.h"
#include "test.h"

TEST(parse_format) {
        static const char *const good[] = { "no", "on-failure", "on-failure:2", "always", "unless-stopped" };
        static const char *const bad[] = { "yes", "on-failure:", "on-failure:0", "on-failure:-1", "always:3",
                                           "on-failure:2x", "On-Failure", "unless-stopped:1", "on-failure:9999999" };
        char buf[RESTART_POLICY_STRING_MAX];
        RestartPolicy p;

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                ASSERT_OK(restart_policy_parse(good[i], &p));
                restart_policy_format(&p, buf);
                ASSERT_STREQ(buf, good[i]);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ASSERT_ERROR(restart_policy_parse(bad[i], &p), EINVAL);
        ASSERT_OK(restart_policy_parse(NULL, &p));
        ASSERT_EQ(p.kind, RESTART_POLICY_NO);
        for (int k = 0; k < _RESTART_POLICY_MAX; k++)
                ASSERT_EQ(restart_policy_kind_from_string(restart_policy_kind_to_string(k)), k);
        return 0;
}

TEST(decisions) {
        RestartPolicy p;

        ASSERT_OK(restart_policy_parse("on-failure:2", &p));
        ASSERT_TRUE(restart_policy_wants_restart(&p, 1, false, 0));
        ASSERT_TRUE(restart_policy_wants_restart(&p, 1, false, 1));
        ASSERT_FALSE(restart_policy_wants_restart(&p, 1, false, 2));
        ASSERT_FALSE(restart_policy_wants_restart(&p, 0, false, 0));
        ASSERT_FALSE(restart_policy_wants_restart(&p, 1, true, 0));
        ASSERT_OK(restart_policy_parse("always", &p));
        ASSERT_TRUE(restart_policy_wants_restart(&p, 0, false, 1000));
        ASSERT_FALSE(restart_policy_wants_restart(&p, 0, true, 0));
        ASSERT_OK(restart_policy_parse("no", &p));
        ASSERT_FALSE(restart_policy_wants_restart(&p, 1, false, 0));
        ASSERT_EQ(restart_policy_delay_usec(0), 100 * USEC_PER_MSEC);
        ASSERT_EQ(restart_policy_delay_usec(1), 200 * USEC_PER_MSEC);
        ASSERT_EQ(restart_policy_delay_usec(9), 51200 * USEC_PER_MSEC);
        ASSERT_EQ(restart_policy_delay_usec(10), 60 * USEC_PER_SEC);
        ASSERT_EQ(restart_policy_delay_usec(1000), 60 * USEC_PER_SEC);
        return 0;
}

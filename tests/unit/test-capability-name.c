/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "capability-name.h"
#include "test.h"

TEST(capability_names) {
        static const char *const good[] = { "net_admin", "NET_ADMIN", "cap_net_admin", "CAP_NET_ADMIN", "Cap_Net_Admin" };
        static const char *const bad[] = { "", "cap_", "12", "cap_12", "net admin", "net-admin", "CAP_NO_SUCH_CAP",
                                           "ALL" /* a word, not a capability */ };
        char buf[CAPABILITY_NAME_MAX], *s;
        int v;

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                ASSERT_OK(capability_name_canonical(good[i], buf));
                ASSERT_STREQ(buf, "CAP_NET_ADMIN");
                ASSERT_OK(capability_from_name(good[i], &v));
                ASSERT_EQ(v, 12);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                if (capability_from_name(bad[i], &v) != -EINVAL) {
                        fprintf(stderr, "accepted '%s'\n", bad[i]);
                        return 1;
                }
        ASSERT_OK(capability_name_canonical("all", buf));
        ASSERT_STREQ(buf, "ALL");
        ASSERT_OK(capability_name_normalize("All", &s));
        ASSERT_STREQ(s, "ALL");
        free(s);
        ASSERT_OK(capability_name_normalize("sys_admin", &s));
        ASSERT_STREQ(s, "CAP_SYS_ADMIN");
        free(s);
        ASSERT_ERROR(capability_name_normalize("no_such_cap", &s), EINVAL);
        /* Spelling alone: the CLI leaves the question of existence to drayd. */
        ASSERT_OK(capability_name_canonical("no_such_cap", buf));
        ASSERT_STREQ(buf, "CAP_NO_SUCH_CAP");
        return 0;
}

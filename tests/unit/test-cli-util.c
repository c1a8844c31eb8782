/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli-util.h"
#include "test.h"

TEST(container_args) {
        char long_arg[300];

        memset(long_arg, 'a', sizeof(long_arg) - 1);
        long_arg[sizeof(long_arg) - 1] = 0;

        ASSERT_OK(container_args_check("stop", (char *[]) { "web", NULL }, 1, SIZE_MAX));
        ASSERT_OK(container_args_check("stop", (char *[]) { "web", "abcd", NULL }, 1, SIZE_MAX));
        ASSERT_ERROR(container_args_check("stop", (char *[]) { NULL }, 1, SIZE_MAX), EINVAL);
        ASSERT_ERROR(container_args_check("stop", NULL, 1, SIZE_MAX), EINVAL);
        ASSERT_ERROR(container_args_check("stop", (char *[]) { "web", "", NULL }, 1, SIZE_MAX), EINVAL);
        ASSERT_ERROR(container_args_check("stop", (char *[]) { "w\xff", NULL }, 1, SIZE_MAX), EINVAL);
        ASSERT_ERROR(container_args_check("stop", (char *[]) { long_arg, NULL }, 1, SIZE_MAX), EINVAL);
        ASSERT_OK(container_args_check("logs", (char *[]) { "web", NULL }, 1, 1));
        ASSERT_ERROR(container_args_check("logs", (char *[]) { "a", "b", NULL }, 1, 1), EINVAL);
        return 0;
}

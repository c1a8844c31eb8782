/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "schedule-unit.h"
#include "test.h"

TEST(unit_names) {
        _cleanup_free_ char *u = NULL, *n = NULL;

        ASSERT_OK(schedule_unit_name("backup", ".timer", &u));
        ASSERT_STREQ(u, "dray-job-backup.timer");
        n = schedule_name_from_unit(u);
        ASSERT_STREQ(n, "backup");
        ASSERT_EQ(schedule_unit_name("-bad", ".timer", &u), -EINVAL);
        ASSERT_TRUE(!schedule_name_from_unit("dray-job-.timer"));
        ASSERT_TRUE(!schedule_name_from_unit("dray-job-x.service"));
        ASSERT_TRUE(!schedule_name_from_unit("other.timer"));
        ASSERT_TRUE(!schedule_name_from_unit("dray-job-a b.timer"));
        return 0;
}

TEST(quote_arg) {
        static const struct { const char *in, *out; } cases[] = {
                { "plain", "\"plain\"" },
                { "", "\"\"" },
                { ";", "\";\"" },
                { "a b", "\"a b\"" },
                { "say \"hi\"", "\"say \\\"hi\\\"\"" },
                { "back\\slash", "\"back\\\\slash\"" },
                { "100%", "\"100%%\"" },
                { "$HOME ${X}", "\"$$HOME $${X}\"" },
                { "line\nbreak\t", "\"line\\x0abreak\\x09\"" },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                _cleanup_free_ char *q = NULL;

                ASSERT_OK(unit_file_quote_arg(cases[i].in, &q));
                ASSERT_STREQ(q, cases[i].out);
        }
        return 0;
}

TEST(escape) {
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL;

        ASSERT_OK(exec_arg_escape_dollar("a$b$$", &a));
        ASSERT_STREQ(a, "a$$b$$$$");
        ASSERT_OK(unit_file_escape_value("*-*-* 03:00:00", &b));
        ASSERT_STREQ(b, "*-*-* 03:00:00");
        ASSERT_OK(unit_file_escape_value("/srv/50%", &c));
        ASSERT_STREQ(c, "/srv/50%%");
        ASSERT_EQ(unit_file_escape_value("daily\n[Service]", &a), -EINVAL);
        ASSERT_EQ(unit_file_escape_value("", &a), -EINVAL);
        ASSERT_EQ(unit_file_escape_value("daily\\", &a), -EINVAL);
        return 0;
}

TEST(files) {
        _cleanup_free_ char *svc = NULL, *tmr = NULL;
        char *argv[] = { (char *) "/usr/bin/dray", (char *) "run", (char *) "--rm", (char *) "sh",
                         (char *) "-c", (char *) "echo $X; exit 3", NULL };

        ASSERT_OK(schedule_service_file("job", "/root", argv, &svc));
        ASSERT_TRUE(strstr(svc, "\nExecStart=\"/usr/bin/dray\" \"run\" \"--rm\" \"sh\" \"-c\" \"echo $$X; exit 3\"\n"));
        ASSERT_TRUE(strstr(svc, "\nType=oneshot\n"));
        ASSERT_TRUE(strstr(svc, "\nWorkingDirectory=/root\n"));
        ASSERT_OK(schedule_timer_file("job", "daily", &tmr));
        ASSERT_TRUE(strstr(tmr, "\nOnCalendar=daily\n"));
        ASSERT_TRUE(strstr(tmr, "\nWantedBy=timers.target\n"));
        ASSERT_EQ(schedule_timer_file("job", "daily\nExecStart=/bin/evil", &tmr), -EINVAL);
        return 0;
}


/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <time.h>

#include "cli-time.h"
#include "test.h"

#define SEC(x) ((uint64_t) (x) * USEC_PER_SEC)

TEST(since_absolute) {
        uint64_t t;

        ASSERT_OK(setenv("TZ", "UTC", 1));
        tzset();
        ASSERT_OK(parse_since("2024-01-02 03:04:05", 0, &t));
        ASSERT_EQ(t, SEC(1704164645));
        ASSERT_OK(parse_since("2024-01-02T03:04:05", 0, &t));
        ASSERT_EQ(t, SEC(1704164645));
        ASSERT_OK(parse_since("2024-01-02T03:04:05Z", 0, &t));
        ASSERT_EQ(t, SEC(1704164645));
        ASSERT_OK(parse_since("2024-01-02T03:04:05.25Z", 0, &t));
        ASSERT_EQ(t, SEC(1704164645) + 250000);
        ASSERT_OK(parse_since("2024-01-02", 0, &t));
        ASSERT_EQ(t, SEC(1704153600));
        /* RFC 3339 offsets, as docker events --since takes them */
        ASSERT_OK(parse_since("2024-01-02T04:04:05+01:00", 0, &t));
        ASSERT_EQ(t, SEC(1704164645));
        ASSERT_OK(parse_since("2024-01-02T01:34:05.5-01:30", 0, &t));
        ASSERT_EQ(t, SEC(1704164645) + 500000);
        ASSERT_EQ(parse_since("2024-01-02T03:04:05+1:00", 0, &t), -EINVAL);
        ASSERT_EQ(parse_since("2024-01-02T03:04:05+24:00", 0, &t), -EINVAL);

        /* Local time follows TZ; 'Z' does not. */
        ASSERT_OK(setenv("TZ", "UTC-2", 1)); /* POSIX: two hours east of UTC */
        tzset();
        ASSERT_OK(parse_since("2024-01-02 03:04:05", 0, &t));
        ASSERT_EQ(t, SEC(1704164645 - 7200));
        ASSERT_OK(parse_since("2024-01-02 03:04:05Z", 0, &t));
        ASSERT_EQ(t, SEC(1704164645));
        ASSERT_OK(setenv("TZ", "UTC", 1));
        tzset();
        return 0;
}

TEST(since_epoch) {
        uint64_t t;

        ASSERT_OK(parse_since("1700000000", 0, &t));
        ASSERT_EQ(t, SEC(1700000000));
        ASSERT_OK(parse_since("1700000000.5", 0, &t));
        ASSERT_EQ(t, SEC(1700000000) + 500000);
        ASSERT_OK(parse_since("1700000000.123456789", 0, &t)); /* nanoseconds: truncated to µs */
        ASSERT_EQ(t, SEC(1700000000) + 123456);
        ASSERT_OK(parse_since("0", 0, &t));
        ASSERT_EQ(t, 0);
        ASSERT_ERROR(parse_since("99999999999999999999", 0, &t), ERANGE);
        ASSERT_ERROR(parse_since("1700000000.", 0, &t), EINVAL);
        return 0;
}

TEST(since_relative) {
        uint64_t now = SEC(1700000000), t;

        ASSERT_OK(parse_since("10m", now, &t));
        ASSERT_EQ(t, now - SEC(600));
        ASSERT_OK(parse_since("2h", now, &t));
        ASSERT_EQ(t, now - SEC(7200));
        ASSERT_OK(parse_since("1h30m", now, &t));
        ASSERT_EQ(t, now - SEC(5400));
        ASSERT_OK(parse_since("45s", now, &t));
        ASSERT_EQ(t, now - SEC(45));
        ASSERT_OK(parse_since("3d", now, &t));
        ASSERT_EQ(t, now - SEC(3 * 86400));
        ASSERT_OK(parse_since("500ms", now, &t));
        ASSERT_EQ(t, now - 500000);
        ASSERT_OK(parse_since("5min", now, &t));
        ASSERT_EQ(t, now - SEC(300));
        ASSERT_OK(parse_since("0s", now, &t));
        ASSERT_EQ(t, now);
        ASSERT_ERROR(parse_since("100000d", now, &t), ERANGE); /* before 1970 */
        ASSERT_ERROR(parse_since("99999999999999999999h", now, &t), ERANGE);
        return 0;
}

TEST(since_invalid) {
        uint64_t t = 42;

        ASSERT_ERROR(parse_since("", 0, &t), EINVAL);
        ASSERT_ERROR(parse_since(NULL, 0, &t), EINVAL);
        ASSERT_ERROR(parse_since("yesterday", 0, &t), EINVAL);
        ASSERT_ERROR(parse_since("10x", 0, &t), EINVAL);
        ASSERT_ERROR(parse_since("10m5", 0, &t), EINVAL);
        ASSERT_ERROR(parse_since("-10m", 0, &t), EINVAL);
        ASSERT_ERROR(parse_since("m", 0, &t), EINVAL);
        ASSERT_ERROR(parse_since("2024-13-45", 0, &t), EINVAL);
        ASSERT_ERROR(parse_since("2024-01-02 25:00:00", 0, &t), EINVAL);
        ASSERT_ERROR(parse_since("2024-01-02 03:04", 0, &t), EINVAL);
        ASSERT_ERROR(parse_since("2024-01-02 03:04:05 junk", 0, &t), EINVAL);
        ASSERT_ERROR(parse_since("1.2.3", 0, &t), EINVAL);
        ASSERT_EQ(t, 42); /* untouched on failure */
        return 0;
}

TEST(human_duration) {
        char b[HUMAN_DURATION_MAX];

        ASSERT_STREQ(format_human_duration(b, 0), "Less than a second");
        ASSERT_STREQ(format_human_duration(b, 999999), "Less than a second");
        ASSERT_STREQ(format_human_duration(b, SEC(1)), "1 second");
        ASSERT_STREQ(format_human_duration(b, SEC(59)), "59 seconds");
        ASSERT_STREQ(format_human_duration(b, SEC(60)), "About a minute");
        ASSERT_STREQ(format_human_duration(b, SEC(119)), "About a minute");
        ASSERT_STREQ(format_human_duration(b, SEC(120)), "2 minutes");
        ASSERT_STREQ(format_human_duration(b, SEC(3599)), "59 minutes");
        ASSERT_STREQ(format_human_duration(b, SEC(3600)), "About an hour");
        ASSERT_STREQ(format_human_duration(b, SEC(5400)), "2 hours");
        ASSERT_STREQ(format_human_duration(b, SEC(47 * 3600)), "47 hours");
        ASSERT_STREQ(format_human_duration(b, SEC(48 * 3600)), "2 days");
        ASSERT_STREQ(format_human_duration(b, SEC(14 * 86400)), "2 weeks");
        ASSERT_STREQ(format_human_duration(b, SEC(60 * 86400)), "2 months");
        ASSERT_STREQ(format_human_duration(b, SEC(800 * 86400)), "2 years");
        ASSERT_TRUE(strlen(format_human_duration(b, UINT64_MAX)) < HUMAN_DURATION_MAX);
        return 0;
}

TEST(timestamp_iso) {
        char b[TIMESTAMP_ISO_MAX];

        ASSERT_STREQ(format_timestamp_iso(b, SEC(1704164645) + 7), "2024-01-02T03:04:05.000007Z");
        ASSERT_STREQ(format_timestamp_iso(b, 0), "1970-01-01T00:00:00.000000Z");
        ASSERT_TRUE(strlen(format_timestamp_iso(b, UINT64_MAX)) < TIMESTAMP_ISO_MAX);
        return 0;
}

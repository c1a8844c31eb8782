/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>

#include "cgroup-stats.h"
#include "test.h"

TEST(keyed_and_single_values) {
        uint64_t v = 0;

        ASSERT_EQ(cgroup_keyed_value("usage_usec 1500\nuser_usec 1000\n", "usage_usec", &v), 0);
        ASSERT_EQ(v, 1500u);
        ASSERT_EQ(cgroup_keyed_value("anon 1\ninactive_file 4096\n", "inactive_file", &v), 0);
        ASSERT_EQ(v, 4096u);
        ASSERT_EQ(cgroup_keyed_value("total_inactive_file 7\n", "inactive_file", &v), -ENOENT);
        ASSERT_EQ(cgroup_keyed_value("usage 7\n", "usage_usec", &v), -ENOENT);
        ASSERT_EQ(cgroup_parse_value("12345\n", &v), 0);
        ASSERT_EQ(v, 12345u);
        ASSERT_EQ(cgroup_parse_value("max\n", &v), 0);
        ASSERT_EQ(v, UINT64_MAX);
        ASSERT_EQ(cgroup_parse_value("-1\n", &v), -EINVAL);
        ASSERT_EQ(cgroup_parse_value("12x\n", &v), -EINVAL);
        ASSERT_EQ(cgroup_parse_value("", &v), -EINVAL);
        return 0;
}

TEST(block_io) {
        uint64_t rd = 1, wr = 1;

        ASSERT_EQ(cgroup_parse_blkio_v1("8:0 Read 4096\n8:0 Write 100\n8:0 Sync 1\n8:16 Read 4\n"
                                        "8:16 Write 0\nTotal 4200\n", &rd, &wr), 0);
        ASSERT_EQ(rd, 4100u);
        ASSERT_EQ(wr, 100u);
        ASSERT_EQ(cgroup_parse_blkio_v1("Total 0\n", &rd, &wr), 0);
        ASSERT_EQ(rd, 0u);
        ASSERT_EQ(cgroup_parse_io_stat("8:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n"
                                       "254:1 rbytes=5 wbytes=7 rios=1 wios=1\n", &rd, &wr), 0);
        ASSERT_EQ(rd, 15u);
        ASSERT_EQ(wr, 27u);
        return 0;
}

TEST(net_dev) {
        static const char text[] =
                "Inter-|   Receive                                                |  Transmit\n"
                " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"
                "    lo:  999999       9    0    0    0     0          0         0   999999       9    0    0    0     0       0          0\n"
                "  eth0:    1000      10    0    0    0     0          0         0     2000      20    0    0    0     0       0          0\n"
                "  eth1:      24       1    0    0    0     0          0         0       48       1    0    0    0     0       0          0\n";
        uint64_t rx = 0, tx = 0;

        ASSERT_EQ(net_dev_parse(text, &rx, &tx), 0);
        ASSERT_EQ(rx, 1024u);
        ASSERT_EQ(tx, 2048u);
        ASSERT_EQ(net_dev_parse("garbage\n", &rx, &tx), -EINVAL);
        ASSERT_EQ(net_dev_parse("  eth0: 1 2 3\n", &rx, &tx), -EINVAL);
        return 0;
}

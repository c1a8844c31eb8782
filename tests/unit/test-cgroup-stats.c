/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

TEST(scope_path) {
        static const char hybrid[] =
                "9:name=systemd:/system.slice/dray.slice/dray-web.scope/payload\n"
                "4:memory:/dray.slice/dray-web.scope\n"
                "2:cpu,cpuacct:/dray.slice/dray-web.scope/monitor\n"
                "1:blkio:/\n"
                "0::/dray.slice/dray-web.scope/monitor\n";
        const char *h = NULL;
        size_t hl = 0;
        char *p = NULL;

        ASSERT_EQ(cgroup_scope_path(hybrid, "memory", "dray-web.scope", &p, &h, &hl), 0);
        ASSERT_TRUE(strcmp(p, "/dray.slice/dray-web.scope") == 0);
        ASSERT_TRUE(hl == 6 && strncmp(h, "memory", hl) == 0);
        free(p);
        ASSERT_EQ(cgroup_scope_path(hybrid, "cpuacct", "dray-web.scope", &p, &h, &hl), 0);
        ASSERT_TRUE(strcmp(p, "/dray.slice/dray-web.scope") == 0);
        ASSERT_TRUE(hl == 11 && strncmp(h, "cpu,cpuacct", hl) == 0);
        free(p);
        ASSERT_EQ(cgroup_scope_path(hybrid, "", "dray-web.scope", &p, NULL, NULL), 0);
        ASSERT_TRUE(strcmp(p, "/dray.slice/dray-web.scope") == 0);
        free(p);
        ASSERT_EQ(cgroup_scope_path(hybrid, "blkio", "dray-web.scope", &p, NULL, NULL), -ENOENT);
        ASSERT_EQ(cgroup_scope_path(hybrid, "pids", "dray-web.scope", &p, NULL, NULL), -ENOENT);
        ASSERT_EQ(cgroup_scope_path(hybrid, "memory", "dray-we.scope", &p, NULL, NULL), -ENOENT);
        ASSERT_EQ(cgroup_scope_path("0::/x/dray-web.scopey\n", "", "dray-web.scope", &p, NULL, NULL), -ENOENT);
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libdray-network without root: CIDR parsing, IPAM, port specs, hosts/resolv.conf and the nftables
 * script. */
#include <fcntl.h>
#include <string.h>

#include "net-addr.h"
#include "net-announce.h"
#include "net-config.h"
#include "net-hosts.h"
#include "net-nft.h"
#include "net-port.h"
#include "rm-rf.h"
#include "spec-network.h"
#include "test.h"

#define ID_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define ID_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define ID_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

static const char *addr_str(const NetAddr *a) {
        static char buf[NET_ADDR_STRLEN];

        return net_addr_to_string(a, buf);
}

TEST(subnet_parse) {
        char buf[NET_SUBNET_STRLEN];
        NetSubnet s;
        NetAddr a;

        ASSERT_OK(net_subnet_parse("10.88.0.0/16", &s));
        ASSERT_EQ(s.addr.family, AF_INET);
        ASSERT_EQ(s.prefixlen, 16);
        ASSERT_STREQ(net_subnet_to_string(&s, buf), "10.88.0.0/16");
        ASSERT_OK(net_subnet_parse("fd00:dead::/64", &s));
        ASSERT_EQ(s.addr.family, AF_INET6);
        ASSERT_STREQ(net_subnet_to_string(&s, buf), "fd00:dead::/64");

        /* host bits set, bad lengths, junk */
        ASSERT_ERROR(net_subnet_parse("10.88.0.1/16", &s), EINVAL);
        ASSERT_ERROR(net_subnet_parse("10.88.0.0/33", &s), EINVAL);
        ASSERT_ERROR(net_subnet_parse("10.88.0.0/", &s), EINVAL);
        ASSERT_ERROR(net_subnet_parse("10.88.0.0/016", &s), EINVAL);
        ASSERT_ERROR(net_subnet_parse("10.88.0.0", &s), EINVAL);
        ASSERT_ERROR(net_subnet_parse("10.88.0.0/-1", &s), EINVAL);
        ASSERT_ERROR(net_subnet_parse("fd00::/129", &s), EINVAL);
        ASSERT_ERROR(net_subnet_parse("foo/8", &s), EINVAL);
        ASSERT_ERROR(net_subnet_parse("", &s), EINVAL);
        ASSERT_OK(net_subnet_parse("0.0.0.0/0", &s));

        ASSERT_OK(net_subnet_parse("10.88.0.0/16", &s));
        ASSERT_OK(net_addr_parse("10.88.255.254", &a));
        ASSERT_TRUE(net_subnet_contains(&s, &a));
        ASSERT_OK(net_addr_parse("10.89.0.1", &a));
        ASSERT_FALSE(net_subnet_contains(&s, &a));
        ASSERT_ERROR(net_addr_parse("10.88.0.256", &a), EINVAL);
        return 0;
}

TEST(subnet_arithmetic) {
        NetSubnet s, t;
        NetAddr a;
        uint64_t n;

        ASSERT_OK(net_subnet_parse("10.88.0.0/16", &s));
        ASSERT_EQ(net_subnet_size(&s), 65534);
        ASSERT_OK(net_subnet_nth(&s, 1, &a));
        ASSERT_STREQ(addr_str(&a), "10.88.0.1");
        ASSERT_OK(net_subnet_nth(&s, 256, &a));
        ASSERT_STREQ(addr_str(&a), "10.88.1.0");
        ASSERT_OK(net_subnet_nth(&s, 65534, &a));
        ASSERT_STREQ(addr_str(&a), "10.88.255.254");
        ASSERT_ERROR(net_subnet_nth(&s, 65535, &a), ERANGE); /* broadcast */
        ASSERT_ERROR(net_subnet_nth(&s, 0, &a), ERANGE);     /* network */
        ASSERT_OK(net_subnet_offset(&s, &a, &n));
        ASSERT_EQ(n, 65534);
        ASSERT_OK(net_addr_parse("10.88.255.255", &a));
        ASSERT_ERROR(net_subnet_offset(&s, &a, &n), ERANGE);

        ASSERT_OK(net_subnet_parse("10.0.0.0/8", &t));
        ASSERT_TRUE(net_subnet_overlaps(&s, &t));
        ASSERT_TRUE(net_subnet_overlaps(&t, &s));
        ASSERT_OK(net_subnet_parse("10.89.0.0/16", &t));
        ASSERT_FALSE(net_subnet_overlaps(&s, &t));

        ASSERT_OK(net_subnet_parse("fd00::/64", &s));
        ASSERT_OK(net_subnet_nth(&s, 2, &a));
        ASSERT_STREQ(addr_str(&a), "fd00::2");
        ASSERT_OK(net_subnet_parse("10.0.0.0/31", &s));
        ASSERT_EQ(net_subnet_size(&s), 0);
        return 0;
}

TEST(subnet_pick) {
        NetSubnet used[3], s;
        char buf[NET_SUBNET_STRLEN];

        ASSERT_OK(net_subnet_pick(NULL, 0, &s));
        ASSERT_STREQ(net_subnet_to_string(&s, buf), "10.90.0.0/16");
        ASSERT_OK(net_subnet_parse("10.90.5.0/24", &used[0]));
        ASSERT_OK(net_subnet_parse("10.91.0.0/16", &used[1]));
        ASSERT_OK(net_subnet_parse("127.0.0.0/8", &used[2]));
        ASSERT_OK(net_subnet_pick(used, 3, &s));
        ASSERT_STREQ(net_subnet_to_string(&s, buf), "10.92.0.0/16");
        ASSERT_OK(net_subnet_parse("10.0.0.0/8", &used[0]));
        ASSERT_OK(net_subnet_pick(used, 1, &s));
        ASSERT_STREQ(net_subnet_to_string(&s, buf), "172.30.0.0/16");
        return 0;
}

static NetworkConfig *make_config(const char *subnet) {
        NetworkConfig *c = network_config_new();

        if (!c)
                return NULL;
        c->name = strdup("net1");
        c->id = strdup(ID_C);
        c->bridge = strdup("br-cccccccccccc");
        if (!c->name || !c->id || !c->bridge || net_subnet_parse(subnet, &c->subnet) < 0 ||
            net_subnet_nth(&c->subnet, 1, &c->gateway) < 0)
                return network_config_free(c);
        return c;
}

static bool keep_only_b(const char *owner, void *userdata) {
        return streq(owner, ID_B);
}

TEST(ipam) {
        _cleanup_(network_config_freep) NetworkConfig *c = make_config("10.1.2.0/29");
        NetAddr a, req;

        ASSERT_TRUE(c);
        ASSERT_EQ(net_subnet_size(&c->subnet), 6);
        /* .1 is the gateway: the first lease is .2 */
        ASSERT_OK(net_ipam_allocate(c, AF_INET, ID_A, NULL, &a));
        ASSERT_STREQ(addr_str(&a), "10.1.2.2");
        ASSERT_OK(net_ipam_allocate(c, AF_INET, ID_B, NULL, &a));
        ASSERT_STREQ(addr_str(&a), "10.1.2.3");
        /* requested: taken, gateway, outside, broadcast */
        ASSERT_OK(net_addr_parse("10.1.2.3", &req));
        ASSERT_ERROR(net_ipam_allocate(c, AF_INET, ID_C, &req, &a), EADDRINUSE);
        ASSERT_OK(net_addr_parse("10.1.2.1", &req));
        ASSERT_ERROR(net_ipam_allocate(c, AF_INET, ID_C, &req, &a), EADDRINUSE);
        ASSERT_OK(net_addr_parse("10.1.3.1", &req));
        ASSERT_ERROR(net_ipam_allocate(c, AF_INET, ID_C, &req, &a), ERANGE);
        ASSERT_OK(net_addr_parse("10.1.2.7", &req));
        ASSERT_ERROR(net_ipam_allocate(c, AF_INET, ID_C, &req, &a), ERANGE);
        ASSERT_OK(net_addr_parse("10.1.2.6", &req));
        ASSERT_OK(net_ipam_allocate(c, AF_INET, ID_C, &req, &a));
        ASSERT_ERROR(net_ipam_allocate(c, AF_INET6, ID_C, NULL, &a), EAFNOSUPPORT);

        /* fill it up: .4 .5 free, then full */
        ASSERT_OK(net_ipam_allocate(c, AF_INET, ID_C, NULL, &a));
        ASSERT_OK(net_ipam_allocate(c, AF_INET, ID_C, NULL, &a));
        ASSERT_STREQ(addr_str(&a), "10.1.2.5");
        ASSERT_ERROR(net_ipam_allocate(c, AF_INET, ID_C, NULL, &a), ENOSPC);

        /* release frees the owner's addresses, and the lowest comes back first */
        ASSERT_EQ(net_ipam_release(c, ID_A), 1);
        ASSERT_EQ(net_ipam_release(c, ID_A), 0);
        ASSERT_TRUE(net_ipam_find(c, ID_A, AF_INET) == NULL);
        ASSERT_OK(net_ipam_allocate(c, AF_INET, ID_A, NULL, &a));
        ASSERT_STREQ(addr_str(&a), "10.1.2.2");
        ASSERT_TRUE(net_ipam_find(c, ID_B, AF_INET) != NULL);

        /* reconcile drops every owner that is not alive */
        ASSERT_EQ(net_ipam_reconcile(c, keep_only_b, NULL), 4);
        ASSERT_EQ(c->n_leases, 1);
        ASSERT_STREQ(c->leases[0].owner, ID_B);
        return 0;
}

TEST(config_persist) {
        _cleanup_(network_config_freep) NetworkConfig *c = make_config("10.1.2.0/24"), *d = NULL;
        char dir[] = "/tmp/test-network-XXXXXX";
        _cleanup_close_ int fd = -EBADF;
        const char *reason = NULL;
        NetAddr a;

        ASSERT_TRUE(c);
        ASSERT_OK(net_subnet_parse("fd00:1::/64", &c->subnet6));
        ASSERT_OK(net_subnet_nth(&c->subnet6, 1, &c->gateway6));
        c->internal = true;
        ASSERT_OK(net_ipam_allocate(c, AF_INET, ID_A, NULL, &a));
        ASSERT_OK(net_ipam_allocate(c, AF_INET6, ID_A, NULL, &a));
        ASSERT_STREQ(addr_str(&a), "fd00:1::2");
        ASSERT_OK(network_config_validate(c, NULL));

        ASSERT_TRUE(mkdtemp(dir));
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(network_config_save(c, fd));
        ASSERT_OK(network_config_load(fd, "net1.json", &d));
        ASSERT_STREQ(d->name, "net1");
        ASSERT_STREQ(d->bridge, "br-cccccccccccc");
        ASSERT_TRUE(d->internal);
        ASSERT_EQ(d->n_leases, 2);
        ASSERT_TRUE(net_ipam_find(d, ID_A, AF_INET6) != NULL);
        /* what was leased before the "restart" is not given out again */
        ASSERT_OK(net_ipam_allocate(d, AF_INET, ID_B, NULL, &a));
        ASSERT_STREQ(addr_str(&a), "10.1.2.3");
        ASSERT_ERROR(network_config_load(fd, "missing.json", &d), ENOENT);

        /* a gateway outside its subnet, a hostile bridge name */
        ASSERT_OK(net_addr_parse("10.9.9.9", &c->gateway));
        ASSERT_ERROR(network_config_validate(c, &reason), EINVAL);
        ASSERT_TRUE(reason != NULL);
        ASSERT_OK(net_addr_parse("10.1.2.1", &c->gateway));
        free(c->bridge);
        c->bridge = strdup("br0;flush");
        ASSERT_ERROR(network_config_validate(c, NULL), EINVAL);
        ASSERT_OK(rm_rf_path(dir));
        return 0;
}

TEST(port_parse) {
        char *s;
        NetPort p;
        uint16_t port;
        NetProto proto;

        ASSERT_OK(net_port_parse("8080:80", &p));
        ASSERT_EQ(p.host_port, 8080);
        ASSERT_EQ(p.container_port, 80);
        ASSERT_EQ(p.proto, NET_PROTO_TCP);
        ASSERT_FALSE(net_addr_is_set(&p.host_ip));
        ASSERT_OK(net_port_parse("127.0.0.1:8080:80/udp", &p));
        ASSERT_STREQ(addr_str(&p.host_ip), "127.0.0.1");
        ASSERT_EQ(p.proto, NET_PROTO_UDP);
        ASSERT_OK(net_port_format(&p, &s));
        ASSERT_STREQ(s, "127.0.0.1:8080->80/udp");
        free(s);
        ASSERT_OK(net_port_parse("80", &p));
        ASSERT_EQ(p.host_port, 0);
        ASSERT_EQ(p.container_port, 80);
        ASSERT_OK(net_port_parse("127.0.0.1::53/udp", &p));
        ASSERT_EQ(p.host_port, 0);
        ASSERT_OK(net_port_parse("[::1]:8080:80", &p));
        ASSERT_EQ(p.host_ip.family, AF_INET6);
        ASSERT_EQ(p.host_port, 8080);
        ASSERT_OK(net_port_parse("0.0.0.0:1:2", &p));
        ASSERT_FALSE(net_addr_is_set(&p.host_ip));

        ASSERT_ERROR(net_port_parse("", &p), EINVAL);
        ASSERT_ERROR(net_port_parse("80/sctp", &p), EINVAL);
        ASSERT_ERROR(net_port_parse("8080:0", &p), EINVAL);
        ASSERT_ERROR(net_port_parse("65536:80", &p), ERANGE);
        ASSERT_ERROR(net_port_parse(":80", &p), EINVAL);
        ASSERT_ERROR(net_port_parse("foo:80:80", &p), EINVAL);
        ASSERT_ERROR(net_port_parse("a:b", &p), EINVAL);
        ASSERT_ERROR(net_port_parse("80/", &p), EINVAL);
        ASSERT_ERROR(net_port_parse("1.2.3.4:-1:80", &p), EINVAL);

        ASSERT_OK(net_exposed_port_parse("53/udp", &port, &proto));
        ASSERT_EQ(port, 53);
        ASSERT_EQ(proto, NET_PROTO_UDP);
        ASSERT_ERROR(net_exposed_port_parse("x/tcp", &port, &proto), EINVAL);
        ASSERT_EQ(net_proto_from_string("tcp"), NET_PROTO_TCP);
        ASSERT_STREQ(net_proto_to_string(NET_PROTO_UDP), "udp");
        ASSERT_TRUE(net_proto_to_string(_NET_PROTO_MAX) == NULL);
        ASSERT_EQ(net_proto_from_string("icmp"), _NET_PROTO_INVALID);
        return 0;
}

TEST(hosts_build) {
        char *aliases[] = { (char *) "db", (char *) "bad name", NULL };
        NetHostEntry self[1], peers[2];
        _cleanup_free_ char *s = NULL;

        ASSERT_OK(net_addr_parse("10.88.0.2", &self[0].addr));
        self[0].name = "web";
        self[0].aliases = NULL;
        ASSERT_OK(net_addr_parse("10.88.0.3", &peers[0].addr));
        peers[0].name = "pg";
        peers[0].aliases = aliases;
        ASSERT_OK(net_addr_parse("10.88.0.4", &peers[1].addr));
        peers[1].name = "evil\nname";
        peers[1].aliases = NULL;
        ASSERT_OK(net_hosts_build("webhost", self, 1, peers, 2, &s));
        ASSERT_STREQ(s, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                        "10.88.0.2\tweb webhost\n10.88.0.3\tpg db\n");
        return 0;
}

TEST(resolv_conf_build) {
        char *dns[] = { (char *) "9.9.9.9", (char *) "junk", NULL };
        _cleanup_free_ char *a = NULL, *b = NULL;

        ASSERT_OK(net_resolv_conf_build("nameserver 127.0.0.53\nnameserver 192.0.2.1\nsearch example.org\n"
                                        "options edns0\n# comment\n", NULL, &a));
        ASSERT_STREQ(a, "# Generated by dray.\nnameserver 192.0.2.1\nsearch example.org\noptions edns0\n");
        ASSERT_OK(net_resolv_conf_build("nameserver 192.0.2.1\n", dns, &b));
        ASSERT_STREQ(b, "# Generated by dray.\nnameserver 9.9.9.9\n");
        return 0;
}

TEST(nft_build) {
        NftNetwork nets[2] = {
                { .bridge = "dray0" },
                { .bridge = "br-123", .internal = true },
        };
        NftPortMap ports[3] = {};
        _cleanup_free_ char *s = NULL, *e = NULL;

        ASSERT_OK(net_subnet_parse("10.88.0.0/16", &nets[0].subnet));
        ASSERT_OK(net_subnet_parse("fd00::/64", &nets[0].subnet6));
        ASSERT_OK(net_subnet_parse("10.89.0.0/16", &nets[1].subnet));
        ASSERT_OK(net_port_parse("8080:80", &ports[0].port));
        ASSERT_OK(net_addr_parse("10.88.0.2", &ports[0].container_ip));
        ASSERT_OK(net_port_parse("127.0.0.1:5353:53/udp", &ports[1].port));
        ASSERT_OK(net_addr_parse("10.89.0.2", &ports[1].container_ip));
        ASSERT_OK(net_port_parse("8443:443", &ports[2].port));
        ASSERT_OK(net_addr_parse("10.88.0.3", &ports[2].container_ip));
        ASSERT_OK(net_addr_parse("fd00::3", &ports[2].container_ip6));
        ASSERT_OK(nft_ruleset_build(nets, 2, ports, 3, &s));
        ASSERT_TRUE(strstr(s, "meta nfproto ipv4 tcp dport 8443 dnat ip to 10.88.0.3:443"));
        ASSERT_TRUE(strstr(s, "meta nfproto ipv6 tcp dport 8443 dnat ip6 to [fd00::3]:443"));
        /* an IPv4 host address gets no IPv6 rule */
        ASSERT_FALSE(strstr(s, "dport 5353 dnat ip6"));

        ASSERT_TRUE(strneq(s, "add table inet dray\n", 20));
        /* rules replaced, base chains kept */
        ASSERT_TRUE(strstr(s, "flush chain inet dray forward\n"));
        ASSERT_TRUE(strstr(s, "flush chain inet dray ports\n"));
        ASSERT_TRUE(strstr(s, "flush set inet dray bridges\n"));
        ASSERT_FALSE(strstr(s, "delete"));
        ASSERT_TRUE(strstr(s, "add element inet dray bridges { \"dray0\", \"br-123\" }"));
        ASSERT_TRUE(strstr(s, "ip saddr 10.88.0.0/16 oifname != \"dray0\" masquerade"));
        ASSERT_TRUE(strstr(s, "ip6 saddr fd00::/64 oifname != \"dray0\" masquerade"));
        /* internal: no masquerade, forwarding dropped both ways */
        ASSERT_FALSE(strstr(s, "ip saddr 10.89.0.0/16"));
        ASSERT_TRUE(strstr(s, "iifname \"br-123\" drop"));
        ASSERT_TRUE(strstr(s, "oifname \"br-123\" drop"));
        ASSERT_TRUE(strstr(s, "iifname \"dray0\" oifname @bridges drop"));
        ASSERT_TRUE(strstr(s, "meta nfproto ipv4 tcp dport 8080 dnat ip to 10.88.0.2:80"));
        ASSERT_TRUE(strstr(s, "ip daddr 127.0.0.1 udp dport 5353 dnat ip to 10.89.0.2:53"));
        ASSERT_TRUE(strstr(s, "oifname \"dray0\" ip saddr 127.0.0.0/8 masquerade"));
        /* loopback destinations only from lo (CVE-2020-8558), and no DNAT for them from outside */
        ASSERT_TRUE(strstr(s, "add rule inet dray guard iifname != \"lo\" ip daddr 127.0.0.0/8 drop\n"));
        ASSERT_TRUE(strstr(s, "add rule inet dray guard iifname != \"lo\" ip6 daddr ::1 drop\n"));
        ASSERT_TRUE(strstr(s, "prerouting ip daddr != 127.0.0.0/8 fib daddr type local jump ports"));
        ASSERT_FALSE(strstr(s, "prerouting fib daddr type local jump ports"));
        /* no other table is ever named */
        for (const char *p = s; (p = strstr(p, " inet ")); p += 6)
                ASSERT_TRUE(strneq(p, " inet dray ", 11) || strneq(p, " inet dray\n", 11));
        ASSERT_OK(nft_ruleset_build(NULL, 0, NULL, 0, &e));
        ASSERT_FALSE(strstr(e, "add element"));
        ASSERT_TRUE(strstr(e, "add set inet dray bridges { type ifname; }"));
        return 0;
}

TEST(spec_network_roundtrip) {
        _cleanup_(spec_network_done) SpecNetwork n = { .mode = NETWORK_MODE_BRIDGE }, m = {};
        char *aliases[] = { (char *) "db", NULL };
        _cleanup_json_ json_object *o = json_object_new_object(), *empty = json_object_new_object();
        const char *reason = NULL;

        ASSERT_TRUE(o && empty);
        ASSERT_OK(spec_network_add(&n, "backend", "10.1.2.3", aliases));
        ASSERT_OK(spec_network_add(&n, "front", NULL, NULL));
        ASSERT_ERROR(spec_network_add(&n, "front", NULL, NULL), EEXIST);
        n.netns_path = strdup("/run/dray/netns/x");
        ASSERT_OK(spec_network_validate(&n, NULL));
        ASSERT_OK(spec_network_to_json(&n, o));
        ASSERT_OK(spec_network_from_json(o, &m));
        ASSERT_EQ(m.mode, NETWORK_MODE_BRIDGE);
        ASSERT_EQ(m.n_networks, 2);
        ASSERT_STREQ(spec_network_find(&m, "backend")->ip, "10.1.2.3");
        ASSERT_STREQ(spec_network_find(&m, "backend")->aliases[0], "db");
        ASSERT_STREQ(m.netns_path, "/run/dray/netns/x");
        ASSERT_OK(spec_network_remove(&m, "backend"));
        ASSERT_ERROR(spec_network_remove(&m, "backend"), ENOENT);
        ASSERT_STREQ(m.networks[0].name, "front");

        /* old specs: no "network" key is mode none */
        spec_network_done(&m);
        ASSERT_OK(spec_network_from_json(empty, &m));
        ASSERT_EQ(m.mode, NETWORK_MODE_NONE);

        /* hostile */
        free(n.networks[0].aliases[0]);
        n.networks[0].aliases[0] = strdup("bad alias");
        ASSERT_ERROR(spec_network_validate(&n, &reason), EINVAL);
        n.mode = NETWORK_MODE_NONE;
        ASSERT_ERROR(spec_network_validate(&n, &reason), EINVAL);
        ASSERT_STREQ(network_mode_to_string(NETWORK_MODE_HOST), "host");
        ASSERT_EQ(network_mode_from_string("bridge"), NETWORK_MODE_BRIDGE);
        ASSERT_EQ(network_mode_from_string("nat"), _NETWORK_MODE_INVALID);
        ASSERT_TRUE(network_mode_to_string(_NETWORK_MODE_MAX) == NULL);
        return 0;
}

/* The ones' complement sum of the pseudo-header and the ICMPv6 message, checksum included: 0xffff. */
static uint16_t icmp6_verify(const uint8_t *ip6) {
        uint32_t sum = 32 + 58;

        for (size_t i = 8; i < 40; i += 2)
                sum += (uint32_t) ip6[i] << 8 | ip6[i + 1];
        for (size_t i = 40; i < 72; i += 2)
                sum += (uint32_t) ip6[i] << 8 | ip6[i + 1];
        while (sum > 0xffff)
                sum = (sum >> 16) + (sum & 0xffff);
        return (uint16_t) sum;
}

TEST(announce_build) {
        static const uint8_t want_mac[NET_MAC_LEN] = { 0x02, 0x42, 10, 90, 0, 3 };
        uint8_t mac[NET_MAC_LEN], dest[NET_MAC_LEN], buf[NET_ANNOUNCE_MAX];
        uint16_t protocol;
        NetAddr a, a6;

        ASSERT_OK(net_addr_parse("10.90.0.3", &a));
        net_mac_from_ipv4(&a, mac);
        ASSERT_TRUE(memcmp(mac, want_mac, NET_MAC_LEN) == 0);

        /* gratuitous ARP: a request whose sender and target are the address, to the broadcast MAC */
        ASSERT_EQ(net_announce_build(&a, mac, buf, &protocol, dest), 28);
        ASSERT_EQ(protocol, 0x0806);
        ASSERT_TRUE(dest[0] == 0xff && dest[5] == 0xff);
        ASSERT_EQ(buf[7], 1);
        ASSERT_TRUE(memcmp(buf + 8, mac, NET_MAC_LEN) == 0);
        ASSERT_TRUE(memcmp(buf + 14, a.bytes, 4) == 0 && memcmp(buf + 24, a.bytes, 4) == 0);

        /* unsolicited NA: hop limit 255, to all nodes, override set, solicited not, checksum right */
        ASSERT_OK(net_addr_parse("fd00:dead::3", &a6));
        ASSERT_EQ(net_announce_build(&a6, mac, buf, &protocol, dest), 72);
        ASSERT_EQ(protocol, 0x86dd);
        ASSERT_TRUE(dest[0] == 0x33 && dest[1] == 0x33 && dest[5] == 1);
        ASSERT_EQ(buf[6], 58);
        ASSERT_EQ(buf[7], 255);
        ASSERT_EQ(buf[24], 0xff);
        ASSERT_EQ(buf[40], 136);
        ASSERT_EQ(buf[44], 0x20);
        ASSERT_TRUE(memcmp(buf + 48, a6.bytes, 16) == 0);
        ASSERT_TRUE(memcmp(buf + 66, mac, NET_MAC_LEN) == 0);
        ASSERT_EQ(icmp6_verify(buf), 0xffff);

        a.family = AF_UNIX;
        ASSERT_ERROR(net_announce_build(&a, mac, buf, &protocol, dest), EAFNOSUPPORT);
        return 0;
}

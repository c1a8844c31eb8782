/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libdray-network against the kernel, in a private network and mount namespace of the test process:
 * a bridge, a container namespace pinned on a file, a veth pair into it, addresses, a default route,
 * a TCP connection across, the nftables table, and the teardown. Nothing reaches the host's network. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "net-announce.h"
#include "net-attach.h"
#include "net-link.h"
#include "net-netns.h"
#include "net-nft.h"
#include "test.h"

static char dir[] = "/tmp/test-network-link-XXXXXX";
static char nspath[sizeof(dir) + 8];

static int setup(void) {
        static int done = -1;

        if (done >= 0)
                return done;
        done = TEST_SKIP;
        if (geteuid() != 0)
                return TEST_SKIP;
        if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0)
                return errno == EPERM ? TEST_SKIP : -errno;
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return -errno;
        if (!mkdtemp(dir))
                return -errno;
        if (mount("tmpfs", dir, "tmpfs", 0, "mode=0700") < 0)
                return -errno;
        snprintf(nspath, sizeof(nspath), "%s/ns", dir);
        done = 0;
        return 0;
}

/* In a child inside the namespace: connect to addr:port over TCP. */
static int connect_from(const char *path, const char *addr, uint16_t port) {
        pid_t pid = fork();
        int status;

        if (pid < 0)
                return -errno;
        if (pid == 0) {
                struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
                int nsfd = open(path, O_RDONLY | O_CLOEXEC), fd;

                if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) < 0)
                        _exit(2);
                fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
                inet_pton(AF_INET, addr, &sa.sin_addr);
                _exit(fd >= 0 && connect(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0 ? 0 : 1);
        }
        if (waitpid(pid, &status, 0) < 0)
                return -errno;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECONNREFUSED;
}

TEST(bridge_veth_netns) {
        _cleanup_(rtnl_freep) Rtnl *host = NULL, *inner = NULL;
        _cleanup_close_ int nsfd = -EBADF, lfd = -EBADF, packet_fd = -EBADF;
        uint8_t mac[NET_MAC_LEN];
        struct sockaddr_in sa = { .sin_family = AF_INET };
        socklen_t salen = sizeof(sa);
        NetAddr gw, ip;
        NetSubnet *routes = NULL;
        size_t n_routes = 0;
        int br, veth, eth0, ifindex, r;
        uint32_t mtu;
        bool found = false;

        r = setup();
        if (r != 0)
                return r == TEST_SKIP ? TEST_SKIP : 1;
        ASSERT_OK(rtnl_open(&host));
        ASSERT_OK(rtnl_bridge_add(host, "tbr0", (const uint8_t[]) { 0x02, 0x42, 10, 200, 0, 1 }));
        ASSERT_ERROR(rtnl_bridge_add(host, "tbr0", NULL), EEXIST);
        ASSERT_OK(rtnl_link_index(host, "tbr0", &br));
        ASSERT_OK(rtnl_link_set_mac(host, br, (const uint8_t[]) { 0x02, 0x42, 10, 200, 0, 1 }));
        ASSERT_OK(rtnl_link_set(host, br, true, 0, 0));
        ASSERT_OK(net_addr_parse("10.200.0.1", &gw));
        ASSERT_OK(rtnl_addr_add(host, br, &gw, 24));
        ASSERT_ERROR(rtnl_link_index(host, "nope0", &ifindex), ENODEV);

        ASSERT_OK(net_netns_new(nspath, &inner, &packet_fd));
        ASSERT_ERROR(net_netns_new(nspath, &inner, NULL), EEXIST);
        nsfd = open(nspath, O_RDONLY | O_CLOEXEC);
        ASSERT_TRUE(nsfd >= 0);
        ASSERT_OK(net_addr_parse("10.200.0.2", &ip));
        net_mac_from_ipv4(&ip, mac);
        ASSERT_OK(rtnl_veth_add(host, "tv0", "eth0", nsfd, 1400, mac));
        ASSERT_OK(rtnl_link_index(host, "tv0", &veth));
        ASSERT_OK(rtnl_link_set(host, veth, true, br, 0));
        ASSERT_OK(rtnl_link_get_mtu(host, veth, &mtu));
        ASSERT_EQ(mtu, 1400);
        /* eth0 is in the namespace, not here */
        ASSERT_ERROR(rtnl_link_index(host, "eth0", &ifindex), ENODEV);
        ASSERT_OK(rtnl_link_index(inner, "eth0", &eth0));
        ASSERT_OK(rtnl_addr_add(inner, eth0, &ip, 24));
        ASSERT_OK(rtnl_link_set(inner, eth0, true, 0, 0));
        /* The announcement leaves through the namespace's packet socket. */
        ASSERT_OK(net_announce(packet_fd, eth0, &ip, mac));
        ASSERT_OK(rtnl_route_add_default(inner, &gw));

        ASSERT_OK(rtnl_dump_routes(host, AF_INET, &routes, &n_routes));
        for (size_t i = 0; i < n_routes; i++)
                if (routes[i].prefixlen == 24 && routes[i].addr.bytes[0] == 10 && routes[i].addr.bytes[1] == 200)
                        found = true;
        free(routes);
        ASSERT_TRUE(found);

        /* The namespace reaches a listener on the bridge's address. */
        lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ASSERT_TRUE(lfd >= 0);
        memcpy(&sa.sin_addr, gw.bytes, 4);
        ASSERT_TRUE(bind(lfd, (struct sockaddr *) &sa, sizeof(sa)) == 0);
        ASSERT_TRUE(listen(lfd, 1) == 0);
        ASSERT_TRUE(getsockname(lfd, (struct sockaddr *) &sa, &salen) == 0);
        ASSERT_OK(connect_from(nspath, "10.200.0.1", ntohs(sa.sin_port)));

        /* A Rtnl opened later, from the pinned file, sees the same namespace. */
        inner = rtnl_free(inner);
        ASSERT_OK(net_netns_rtnl(nsfd, &inner, NULL));
        ASSERT_OK(rtnl_link_index(inner, "eth0", &ifindex));
        ASSERT_EQ(ifindex, eth0);

        /* Teardown: the host end goes, the file goes. */
        ASSERT_OK(rtnl_link_del(host, "tv0"));
        ASSERT_ERROR(rtnl_link_del(host, "tv0"), ENODEV);
        ASSERT_ERROR(rtnl_link_index(inner, "eth0", &ifindex), ENODEV);
        inner = rtnl_free(inner);
        nsfd = safe_close(nsfd);
        ASSERT_OK(net_netns_remove(nspath));
        ASSERT_TRUE(access(nspath, F_OK) < 0 && errno == ENOENT);
        ASSERT_OK(net_netns_remove(nspath));
        ASSERT_OK(rtnl_link_del(host, "tbr0"));
        return 0;
}

/* The complete operations the daemon calls (net-attach.h): a network's bridge, a container's veth on
 * it with addresses and routes, the same veth again (its previous run's, deleted first), and the
 * failure that names what is missing. */
TEST(bridge_setup_veth_attach) {
        _cleanup_(network_config_freep) NetworkConfig *c = network_config_new();
        _cleanup_(rtnl_freep) Rtnl *host = NULL, *inner = NULL;
        _cleanup_(dray_error_done) DrayError e = {};
        _cleanup_close_ int nsfd = -EBADF, packet_fd = -EBADF;
        char path[sizeof(dir) + 8];
        NetSubnet *routes = NULL;
        size_t n_routes = 0;
        NetVeth v;
        int ifindex, r;

        r = setup();
        if (r != 0)
                return r == TEST_SKIP ? TEST_SKIP : 1;
        ASSERT_TRUE(c != NULL);
        c->bridge = strdup("tbr1");
        ASSERT_TRUE(c->bridge != NULL);
        ASSERT_OK(net_subnet_parse("10.201.0.0/24", &c->subnet));
        ASSERT_OK(net_addr_parse("10.201.0.1", &c->gateway));
        ASSERT_OK(rtnl_open(&host));
        ASSERT_OK(net_bridge_setup(host, c, &e));
        ASSERT_OK(net_bridge_setup(host, c, &e)); /* idempotent: drayd runs it at every start */
        ASSERT_OK(rtnl_link_index(host, "tbr1", &ifindex));

        snprintf(path, sizeof(path), "%s/ns2", dir);
        ASSERT_OK(net_netns_new(path, &inner, &packet_fd));
        nsfd = open(path, O_RDONLY | O_CLOEXEC);
        ASSERT_TRUE(nsfd >= 0);
        v = (NetVeth) { .bridge = "tbr1", .veth = "tv1", .ifname = "eth0", .prefixlen = 24,
                        .gateway = &c->gateway };
        ASSERT_OK(net_addr_parse("10.201.0.2", &v.addr));
        ASSERT_OK(net_veth_attach(host, inner, nsfd, packet_fd, &v, &e));
        ASSERT_EQ(e.error, 0);
        ASSERT_OK(rtnl_dump_routes(inner, AF_INET, &routes, &n_routes));
        ASSERT_TRUE(n_routes >= 1);
        free(routes);

        /* The veth of a previous run is in the way: deleted, made again; the namespace's old eth0
         * went with it. */
        ASSERT_OK(net_veth_attach(host, inner, nsfd, packet_fd, &v, &e));
        ASSERT_OK(rtnl_link_index(inner, "eth0", &ifindex));

        /* No such bridge: the error says which. */
        v.bridge = "nobr0";
        v.veth = "tv2";
        v.ifname = "eth1";
        ASSERT_ERROR(net_veth_attach(host, inner, nsfd, packet_fd, &v, &e), ENODEV);
        ASSERT_TRUE(strstr(dray_error_message(&e, 0), "nobr0") != NULL);
        ASSERT_ERROR(rtnl_link_index(host, "tv2", &ifindex), ENODEV);

        ASSERT_OK(rtnl_link_del(host, "tv1"));
        inner = rtnl_free(inner);
        nsfd = safe_close(nsfd);
        ASSERT_OK(net_netns_remove(path));
        ASSERT_OK(rtnl_link_del(host, "tbr1"));
        return 0;
}

TEST(nft_apply) {
        NftNetwork net = { .bridge = "tbr1" };
        NftPortMap port = {};
        _cleanup_free_ char *s = NULL, *err = NULL;
        int r;

        r = setup();
        if (r != 0)
                return r == TEST_SKIP ? TEST_SKIP : 1;
        ASSERT_OK(net_subnet_parse("10.201.0.0/16", &net.subnet));
        ASSERT_OK(net_port_parse("127.0.0.1:8080:80", &port.port));
        ASSERT_OK(net_addr_parse("10.201.0.2", &port.container_ip));
        ASSERT_OK(nft_ruleset_build(&net, 1, &port, 1, &s));
        ASSERT_OK(nft_ruleset_apply(s, &err));
        /* twice: replacing the table is idempotent */
        ASSERT_OK(nft_ruleset_apply(s, NULL));
        ASSERT_ERROR(nft_ruleset_apply("table inet dray { chain c { bogus } }", &err), EPROTO);
        ASSERT_TRUE(err && strlen(err) > 0);
        ASSERT_OK(nft_ruleset_remove());
        ASSERT_OK(nft_ruleset_remove());
        return 0;
}

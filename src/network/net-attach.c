/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"
#include "net-announce.h"
#include "net-attach.h"
#include "net-netns.h"

int net_bridge_setup(Rtnl *host, const NetworkConfig *c, DrayError *e) {
        uint8_t mac[NET_MAC_LEN];
        char path[128];
        int ifindex, r, k;

        /* A MAC of its own, fixed (02:42 and the gateway's address, as a container's is derived from
         * its own): never the lowest of its ports', which changed with every container. */
        net_mac_from_ipv4(&c->gateway, mac);
        k = rtnl_bridge_add(host, c->bridge, mac);
        if (k < 0 && k != -EEXIST)
                return dray_error_set(e, k, "failed to create bridge %s: %s", c->bridge, strerror(-k));
        r = rtnl_link_index(host, c->bridge, &ifindex);
        if (r < 0)
                return dray_error_set(e, r, "failed to find bridge %s: %s", c->bridge, strerror(-r));
        if (k == -EEXIST) {
                r = rtnl_link_set_mac(host, ifindex, mac); /* a bridge of an older drayd */
                if (r < 0)
                        log_debug_errno(r, "Failed to set the MAC address of %s, ignoring: %m", c->bridge);
        }
        r = rtnl_addr_add(host, ifindex, &c->gateway, c->subnet.prefixlen);
        if (r < 0 && r != -EEXIST)
                return dray_error_set(e, r, "failed to add the gateway address to %s: %s", c->bridge, strerror(-r));
        if (c->subnet6.addr.family == AF_INET6) {
                r = rtnl_addr_add(host, ifindex, &c->gateway6, c->subnet6.prefixlen);
                if (r < 0 && r != -EEXIST)
                        return dray_error_set(e, r, "failed to add the IPv6 gateway address to %s: %s", c->bridge,
                                              strerror(-r));
        }
        r = rtnl_link_set(host, ifindex, true, 0, 0);
        if (r < 0)
                return dray_error_set(e, r, "failed to bring %s up: %s", c->bridge, strerror(-r));
        (void) snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/route_localnet", c->bridge);
        r = net_sysctl_write(path, "1");
        if (r < 0)
                log_debug_errno(r, "Failed to set %s, ignoring (published ports will not answer on 127.0.0.1): %m",
                                path);
        return 0;
}

void net_forwarding_enable(bool ipv6) {
        int r;

        r = net_sysctl_write("/proc/sys/net/ipv4/ip_forward", "1");
        if (r < 0)
                log_debug_errno(r, "Failed to enable IPv4 forwarding, ignoring: %m");
        if (!ipv6)
                return;
        r = net_sysctl_write("/proc/sys/net/ipv6/conf/all/forwarding", "1");
        if (r < 0)
                log_debug_errno(r, "Failed to enable IPv6 forwarding, ignoring: %m");
}

/* The host side: the pair, its outer end on the bridge. */
static int veth_create(Rtnl *host, int netns_fd, const NetVeth *v, const uint8_t *mac, DrayError *e) {
        int bridge, veth, r;

        r = rtnl_link_index(host, v->bridge, &bridge);
        if (r < 0)
                return dray_error_set(e, r, "bridge %s: %s", v->bridge, strerror(-r));
        r = rtnl_veth_add(host, v->veth, v->ifname, netns_fd, 0, mac);
        if (r == -EEXIST) {
                log_debug("Deleting %s, left from the previous run of its container.", v->veth);
                r = rtnl_link_del(host, v->veth);
                if (r >= 0 || r == -ENODEV)
                        r = rtnl_veth_add(host, v->veth, v->ifname, netns_fd, 0, mac);
        }
        if (r < 0)
                return dray_error_set(e, r, "failed to create veth %s: %s", v->veth, strerror(-r));
        r = rtnl_link_index(host, v->veth, &veth);
        if (r < 0)
                return dray_error_set(e, r, "veth %s: %s", v->veth, strerror(-r));
        r = rtnl_link_set(host, veth, true, bridge, 0);
        if (r < 0)
                return dray_error_set(e, r, "failed to put %s on bridge %s: %s", v->veth, v->bridge, strerror(-r));
        return 0;
}

/* The new address is announced from inside (net-announce.h): a neighbour entry the host or another
 * container keeps for it from its last owner is corrected at once. Best effort: the MAC, derived from
 * the address, already keeps the IPv4 entries right. */
static void announce(int packet_fd, int eth, const NetVeth *v, const uint8_t *mac) {
        const NetAddr *addrs[] = { &v->addr, &v->addr6 };
        int r;

        if (packet_fd < 0)
                return;
        for (size_t i = 0; i < ELEMENTSOF(addrs); i++) {
                if (!net_addr_is_set(addrs[i]))
                        continue;
                r = net_announce(packet_fd, eth, addrs[i], mac);
                if (r < 0)
                        log_debug_errno(r, "Failed to announce the address of %s, ignoring: %m", v->ifname);
        }
}

/* The inside: addresses, link up, default routes. */
static int veth_configure_inside(Rtnl *inner, int packet_fd, const NetVeth *v, const uint8_t *mac, DrayError *e) {
        int eth, r;

        r = rtnl_link_index(inner, v->ifname, &eth);
        if (r < 0)
                return dray_error_set(e, r, "%s inside: %s", v->ifname, strerror(-r));
        r = rtnl_addr_add(inner, eth, &v->addr, v->prefixlen);
        if (r < 0)
                return dray_error_set(e, r, "failed to add the address of %s: %s", v->ifname, strerror(-r));
        if (v->addr6.family) {
                r = rtnl_addr_add(inner, eth, &v->addr6, v->prefixlen6);
                if (r < 0)
                        return dray_error_set(e, r, "failed to add the IPv6 address of %s: %s", v->ifname,
                                              strerror(-r));
        }
        r = rtnl_link_set(inner, eth, true, 0, 0);
        if (r < 0)
                return dray_error_set(e, r, "failed to bring %s up: %s", v->ifname, strerror(-r));
        announce(packet_fd, eth, v, mac);
        if (v->gateway) {
                r = rtnl_route_add_default(inner, v->gateway);
                if (r < 0)
                        return dray_error_set(e, r, "failed to add the default route: %s", strerror(-r));
        }
        if (v->gateway6 && v->gateway6->family && v->addr6.family) {
                r = rtnl_route_add_default(inner, v->gateway6);
                if (r < 0)
                        return dray_error_set(e, r, "failed to add the IPv6 default route: %s", strerror(-r));
        }
        return 0;
}

int net_veth_attach(Rtnl *host, Rtnl *inner, int netns_fd, int packet_fd, const NetVeth *v, DrayError *e) {
        uint8_t mac[NET_MAC_LEN];
        int r;

        net_mac_from_ipv4(&v->addr, mac);
        r = veth_create(host, netns_fd, v, mac, e);
        if (r < 0)
                return r;
        return veth_configure_inside(inner, packet_fd, v, mac, e);
}

int net_port_probe(const NetPort *p, uint16_t *ret) {
        struct sockaddr_storage ss = {};
        socklen_t len;
        _cleanup_close_ int fd = -EBADF;
        int family = p->host_ip.family == AF_INET6 ? AF_INET6 : AF_INET;

        fd = socket(family, (p->proto == NET_PROTO_UDP ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (family == AF_INET6) {
                struct sockaddr_in6 *s6 = (struct sockaddr_in6 *) &ss;

                s6->sin6_family = AF_INET6;
                s6->sin6_port = htons(p->host_port);
                memcpy(&s6->sin6_addr, p->host_ip.bytes, 16);
                len = sizeof(*s6);
        } else {
                struct sockaddr_in *s4 = (struct sockaddr_in *) &ss;

                s4->sin_family = AF_INET;
                s4->sin_port = htons(p->host_port);
                if (net_addr_is_set(&p->host_ip))
                        memcpy(&s4->sin_addr, p->host_ip.bytes, 4);
                len = sizeof(*s4);
        }
        if (bind(fd, (struct sockaddr *) &ss, len) < 0)
                return -errno;
        len = sizeof(ss);
        if (getsockname(fd, (struct sockaddr *) &ss, &len) < 0)
                return -errno;
        *ret = ntohs(family == AF_INET6 ? ((struct sockaddr_in6 *) &ss)->sin6_port
                                        : ((struct sockaddr_in *) &ss)->sin_port);
        return 0;
}

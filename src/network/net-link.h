/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macros.h"
#include "net-addr.h"

/* rtnetlink over libmnl: the few link, address and route operations a bridge network needs. An Rtnl
 * talks to the network namespace its socket was created in, which need not be the caller's: see
 * net_netns_*() (net-netns.h), which hand out sockets made inside a container's namespace, so that
 * drayd never switches its own. Every call is a request and its ACK: a few syscalls, no waiting. */

typedef struct Rtnl Rtnl;

int rtnl_open(Rtnl **ret);                /* in the caller's network namespace */
int rtnl_open_fd(int fd, Rtnl **ret);     /* takes a NETLINK_ROUTE socket (bound or not) */
Rtnl *rtnl_free(Rtnl *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(Rtnl *, rtnl_free);

/* -ENODEV when there is no such link. */
int rtnl_link_index(Rtnl *r, const char *name, int *ret_ifindex);
/* mac (6 bytes; NULL: the kernel's choice). A bridge created without one takes the lowest MAC of its
 * ports, and changes it as ports come and go: each change flushes the bridge's neighbour entries
 * and leaves the containers' entries for the gateway stale. */
int rtnl_bridge_add(Rtnl *r, const char *name, const uint8_t *mac);
int rtnl_link_set_mac(Rtnl *r, int ifindex, const uint8_t *mac);
int rtnl_link_del(Rtnl *r, const char *name);      /* -ENODEV when missing */
/* A veth pair: name here, peer (e.g. "eth0") created straight in the namespace of peer_netns_fd, with
 * the MAC address peer_mac (6 bytes; NULL: a random one). */
int rtnl_veth_add(Rtnl *r, const char *name, const char *peer, int peer_netns_fd, uint32_t mtu, const uint8_t *peer_mac);
/* master_ifindex 0: leave as is. mtu 0: leave as is. */
int rtnl_link_set(Rtnl *r, int ifindex, bool up, int master_ifindex, uint32_t mtu);
int rtnl_link_get_mtu(Rtnl *r, int ifindex, uint32_t *ret);
/* Adds an address (IPv6: without duplicate address detection, which would delay the address by a
 * second or more; IPAM already makes it unique). -EEXIST if present. */
int rtnl_addr_add(Rtnl *r, int ifindex, const NetAddr *a, unsigned prefixlen);
int rtnl_route_add_default(Rtnl *r, const NetAddr *gateway);

/* Every destination of the main and other tables (not the local table), for choosing a subnet that
 * collides with nothing the host routes. Also every address's subnet. *ret is a malloc'd array. */
int rtnl_dump_routes(Rtnl *r, int family, NetSubnet **ret, size_t *ret_n);

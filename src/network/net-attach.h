/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "dray-error.h"
#include "net-addr.h"
#include "net-config.h"
#include "net-link.h"
#include "net-port.h"

/* Complete network operations, one call per job, as nspawn's setup_veth()/setup_bridge(): the daemon
 * decides which container goes on which network with which address and keeps that state; these do
 * the whole plumbing of one step, or say in e what failed. */

/* A network's bridge with its gateway addresses, up, with route_localnet so that connections from the
 * host's 127.0.0.1 to a published port may leave through it (net-nft.c masquerades them). Idempotent:
 * drayd calls it at network creation and for every network at start. */
int net_bridge_setup(Rtnl *host, const NetworkConfig *c, DrayError *e);
/* Forwarding is a host-wide switch; bridge networks do not work without it (Docker and Podman turn it
 * on too). Only turned on, never off: other things may rely on it. Best effort. */
void net_forwarding_enable(bool ipv6);

/* One container's link to one network. */
typedef struct NetVeth {
        const char *bridge;      /* the network's bridge, in the host's namespace */
        const char *veth;        /* host-side name (vd<id8><n>) */
        const char *ifname;      /* the name inside (eth<n>) */
        NetAddr addr;            /* the IPv4 lease */
        unsigned prefixlen;
        NetAddr addr6;           /* family 0: none */
        unsigned prefixlen6;
        const NetAddr *gateway;  /* set on the container's first network: its default routes */
        const NetAddr *gateway6; /* family 0 or NULL: no IPv6 default route */
} NetVeth;

/* The veth pair into the namespace netns_fd (inner: an rtnetlink socket there), on the bridge, with
 * its MAC derived from the IPv4 address, the addresses, the link up, the address announced through
 * packet_fd (a packet socket inside; -EBADF: skip) and the default routes. A veth of the same name is
 * deleted first: the names are the container's own, so it is the one of its previous run, whose
 * namespace the kernel destroys in the background. On failure the caller deletes v->veth (the host
 * side takes the pair with it), which is idempotent. */
int net_veth_attach(Rtnl *host, Rtnl *inner, int netns_fd, int packet_fd, const NetVeth *v, DrayError *e);

/* Whether the host port of p is free, by binding it: -EADDRINUSE or -EADDRNOTAVAIL when it is not.
 * With host port 0 the kernel picks a free one. Returns the port in *ret. */
int net_port_probe(const NetPort *p, uint16_t *ret);

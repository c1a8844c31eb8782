/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <net/if.h>

#include "container-internal.h"
#include "dray-error.h"
#include "net-addr.h"
#include "net-port.h"

/* A running container's network plumbing (bridge mode): its namespace pinned at
 * /run/dray/netns/<id>, one veth pair per network (eth0, eth1, … inside; vd<id8><n> on the bridge),
 * the leases, the published ports with their host ports chosen, and the generated hosts, hostname
 * and resolv.conf in /run/dray/containers/<id>/etc/. Recorded in the container's network.json
 * while it runs, so that a later drayd knows what to tear down and which ports to forward. */

typedef struct Container Container;
typedef struct Network Network;
typedef struct Manager Manager;

#define CONTAINER_NET_FILE "network.json"

typedef struct ContainerAttachment {
        char *network;
        char ifname[IFNAMSIZ]; /* in the container */
        char veth[IFNAMSIZ];   /* on the bridge */
        NetAddr addr;
        NetAddr addr6;         /* family 0: none */
} ContainerAttachment;

typedef struct ContainerNet {
        ContainerAttachment *attachments;
        size_t n_attachments;
        NetPort *ports;        /* host ports chosen; DNAT to attachments[0].addr */
        size_t n_ports;
} ContainerNet;

DEFINE_TRIVIAL_CLEANUP_FUNC(ContainerNet *, container_net_free); /* container-internal.h */


/* ConnectContainer/DisconnectContainer: change the spec, and for a running container, the plumbing. */
int container_net_connect(Container *c, Network *n, const char *ip, char *const *aliases, DrayError *e);
int container_net_disconnect(Container *c, Network *n);

/* The IPv4 (and IPv6) address of c on network, or NULL when it has none. */
const ContainerAttachment *container_net_find(const Container *c, const char *network);

/* ---- all networks and containers together (container-net-host.c) ---- */

/* Names of the containers attached to n (running or not), newly allocated strv. */
int network_container_names(Network *n, char ***ret);
/* Whether a running container is attached to n (RemoveNetwork refuses then). */
bool network_in_use(Network *n);
/* Rewrites dray's nftables table from the model. Logs on failure. */
int manager_update_firewall(Manager *m);
/* After the containers are loaded and adopted: leases, namespaces and veths no running container
 * owns are released, and the nftables table is rewritten. */
void manager_reconcile_networks(Manager *m);

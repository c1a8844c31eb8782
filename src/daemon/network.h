/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "dray-error.h"

#include "net-config.h"
#include "net-link.h"

/* The network model: one Network per /var/lib/dray/networks/<name>.json, its bridge in drayd's
 * network namespace, and the nftables table that all networks and published ports share
 * (net-nft.h). The per-container side (namespaces, veths, leases, hosts files) is container-net.c. */

typedef struct Manager Manager;

#define DEFAULT_NETWORK_NAME "dray"
#define DEFAULT_BRIDGE_NAME "dray0"

typedef struct Network {
        Manager *manager;
        NetworkConfig *config; /* config->name is the hashmap key */
        char *path;            /* D-Bus object path */
} Network;

Network *network_free(Network *n);
DEFINE_TRIVIAL_CLEANUP_FUNC(Network *, network_free);

typedef struct NetworkCreateArgs {
        const char *name;
        NetSubnet subnet;   /* family 0: pick one */
        NetAddr gateway;    /* family 0: the first host */
        NetSubnet subnet6;  /* family 0: no IPv6 */
        NetAddr gateway6;
        bool internal;
} NetworkCreateArgs;

/* Registers a loaded or new network (takes config on success). */
int manager_add_network(Manager *m, NetworkConfig *config, Network **ret);
/* Loads every network and makes sure the default one exists, with their bridges. */
int manager_load_networks(Manager *m);

/* -EEXIST name taken, -EADDRINUSE subnet overlaps a network or a host route, -EINVAL bad args
 * (e says which, as it does for every failure it can name). */
int network_create(Manager *m, const NetworkCreateArgs *args, DrayError *e, Network **ret);
/* -EPERM for the default network. Whether containers use it is the caller's to check first
 * (network_in_use(), container-net.h); so is the firewall (manager_update_firewall()), after this and
 * after network_create(). */
int network_remove(Network *n);
int manager_find_network(Manager *m, const char *name, Network **ret); /* -ENOENT */

/* Deletes a link in a worker process: the kernel waits for RCU grace periods (~20 ms) while it
 * unregisters a device, which the event loop must not. name is copied (the worker forks at once). */
int network_delete_link_async(Manager *m, const char *name);

/* Saves n's config (after lease changes). */
int network_save(Network *n);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "json-util.h"
#include "macros.h"
#include "net-addr.h"

/* A network's durable record, /var/lib/dray/networks/<name>.json: its settings and its address
 * leases (IPAM). Written atomically and durably (fsync of file and directory) after every change, so
 * no address is ever given out twice, even across a crash. */

#define NETWORK_ID_LEN 64

typedef struct NetLease {
        char *owner;       /* container ID */
        NetAddr addr;
} NetLease;

typedef struct NetworkConfig {
        char *name;
        char *id;          /* 64 hex */
        char *bridge;      /* interface name, < IFNAMSIZ */
        NetSubnet subnet;  /* IPv4, always */
        NetAddr gateway;   /* on the bridge */
        NetSubnet subnet6; /* family 0: no IPv6 */
        NetAddr gateway6;
        bool internal;     /* no masquerading, no forwarding to or from other interfaces */
        uint64_t created_usec;
        NetLease *leases;
        size_t n_leases;
} NetworkConfig;

NetworkConfig *network_config_new(void);
NetworkConfig *network_config_free(NetworkConfig *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(NetworkConfig *, network_config_free);

/* Checks names, the bridge name, that gateways lie in their subnets and leases in theirs. */
int network_config_validate(const NetworkConfig *c, const char **ret_reason);
int network_config_to_json(const NetworkConfig *c, json_object **ret);
int network_config_from_json(json_object *o, NetworkConfig **ret);
/* dir_fd/<name>.json */
int network_config_save(const NetworkConfig *c, int dir_fd);
int network_config_load(int dir_fd, const char *file, NetworkConfig **ret);

/* ---- IPAM (net-ipam.c) ---- */

/* Leases an address of the given family to owner: requested if set (-EADDRINUSE when taken or the
 * gateway, -ERANGE when outside the subnet), else the lowest free one (-ENOSPC when full). The
 * caller saves the config. */
int net_ipam_allocate(NetworkConfig *c, int family, const char *owner, const NetAddr *requested, NetAddr *ret);
/* Drops every lease of owner; returns how many. */
size_t net_ipam_release(NetworkConfig *c, const char *owner);
/* The owner's lease of that family, or NULL. */
const NetLease *net_ipam_find(const NetworkConfig *c, const char *owner, int family);
const NetLease *net_ipam_find_addr(const NetworkConfig *c, const NetAddr *a);
/* Drops every lease whose owner keep() rejects; returns how many. */
size_t net_ipam_reconcile(NetworkConfig *c, bool (*keep)(const char *owner, void *userdata), void *userdata);

/* Picks the first of 10.90.0.0/16, 10.91.0.0/16 … 10.127.0.0/16, then 172.30.0.0/16, 172.31.0.0/16,
 * 192.168.0.0/16 that overlaps none of used (the host's routes and addresses, and existing
 * networks). 10.88/16 and 10.89/16 are left to Podman, 172.17/16 and up to Docker. */
int net_subnet_pick(const NetSubnet *used, size_t n_used, NetSubnet *ret);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macros.h"
#include "net-addr.h"
#include "net-port.h"

/* dray's nftables rules: one table, `table inet dray`, and nothing else is ever touched. Its content
 * is always replaced as a whole, in one transaction (its chains and set flushed and refilled), from
 * the model (every network, every published port of a running container): so a rule exists exactly
 * as long as its network or container does, and whatever a crash left behind is replaced by the next
 * update. The base chains themselves stay (net-nft.c says why). */

#define NFT_TABLE_FAMILY "inet"
#define NFT_TABLE_NAME "dray"

typedef struct NftNetwork {
        const char *bridge;
        NetSubnet subnet;
        NetSubnet subnet6; /* family 0: none */
        bool internal;
} NftNetwork;

typedef struct NftPortMap {
        NetPort port;          /* host side (host_port already chosen) */
        NetAddr container_ip;  /* IPv4 */
        NetAddr container_ip6; /* family 0: none; IPv6 traffic to the port goes here */
} NftPortMap;

/* The nft script that replaces the table. */
int nft_ruleset_build(const NftNetwork *nets, size_t n_nets, const NftPortMap *ports, size_t n_ports, char **ret);
/* Runs a script through libnftables. On failure *ret_error (if not NULL) holds nft's message. */
int nft_ruleset_apply(const char *script, char **ret_error);
/* Deletes the table if it exists. */
int nft_ruleset_remove(void);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include "macros.h"

/* IPv4/IPv6 addresses and subnets (CIDR), as values. Parsing is strict: a subnet's host bits must be
 * zero ("10.88.0.1/16" is refused), so what the user typed is what the kernel gets. */

typedef struct NetAddr {
        int family; /* AF_INET or AF_INET6; 0 = none */
        union {
                struct in_addr in;
                struct in6_addr in6;
                uint8_t bytes[16];
        };
} NetAddr;

typedef struct NetSubnet {
        NetAddr addr;
        unsigned prefixlen;
} NetSubnet;

#define NET_ADDR_STRLEN INET6_ADDRSTRLEN
#define NET_SUBNET_STRLEN (INET6_ADDRSTRLEN + 4)

static inline size_t net_addr_size(int family) {
        return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}
static inline bool net_addr_is_set(const NetAddr *a) {
        return a->family != 0;
}

int net_addr_parse(const char *s, NetAddr *ret);            /* "10.0.0.1", "fd00::1" */
int net_subnet_parse(const char *s, NetSubnet *ret);        /* "10.88.0.0/16", "fd00:1::/64" */
const char *net_addr_to_string(const NetAddr *a, char buf[static NET_ADDR_STRLEN]);
const char *net_subnet_to_string(const NetSubnet *s, char buf[static NET_SUBNET_STRLEN]);
/* Newly allocated; NULL on OOM. */
char *net_addr_to_string_alloc(const NetAddr *a);
char *net_subnet_to_string_alloc(const NetSubnet *s);

bool net_addr_equal(const NetAddr *a, const NetAddr *b);
bool net_subnet_contains(const NetSubnet *s, const NetAddr *a);
bool net_subnet_overlaps(const NetSubnet *a, const NetSubnet *b);
bool net_addr_is_loopback(const NetAddr *a);

/* The address at host offset n of the subnet (n = 1: the first host). -ERANGE when n does not fit
 * (IPv4: the broadcast address is excluded). */
int net_subnet_nth(const NetSubnet *s, uint64_t n, NetAddr *ret);
/* How many host offsets net_subnet_nth() accepts (capped at 2^32 for IPv6). */
uint64_t net_subnet_size(const NetSubnet *s);
/* The host offset of a within s. -ERANGE if outside (or the network/broadcast address). */
int net_subnet_offset(const NetSubnet *s, const NetAddr *a, uint64_t *ret);

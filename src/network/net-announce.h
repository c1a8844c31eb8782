/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macros.h"
#include "net-addr.h"

/* Keeping neighbour caches right when an address moves to another container.
 *
 * IPAM hands a released address to the next container at once. The host (and every other container
 * on the bridge) may still hold a REACHABLE neighbour entry for it with the old container's MAC, and
 * keeps sending there until the entry ages out (15-45 s, then 5 s of DELAY and probes): the new
 * container is unreachable meanwhile. Two things make that impossible:
 *   - the MAC is derived from the IPv4 address, as Docker does (02:42:a.b.c.d), so an address always
 *     comes with the same MAC and an old entry is still right;
 *   - once the address is up, the container announces it (a gratuitous ARP request, an unsolicited
 *     neighbour advertisement with the override flag for IPv6), which updates existing entries
 *     wherever the MAC did change (an IPv6 address whose IPv4 partner differs). */

#define NET_MAC_LEN 6

/* 02:42 followed by the four bytes of the IPv4 address: locally administered, unicast. */
void net_mac_from_ipv4(const NetAddr *a, uint8_t ret[static NET_MAC_LEN]);

/* The announcement of a with mac as a link-layer frame's payload: the ARP packet (IPv4) or the IPv6
 * packet holding the neighbour advertisement; *ret_protocol is its ethertype (host order) and
 * ret_dest the link-layer destination. Returns the length, or -EAFNOSUPPORT. */
#define NET_ANNOUNCE_MAX 72
int net_announce_build(const NetAddr *a, const uint8_t mac[static NET_MAC_LEN], uint8_t buf[static NET_ANNOUNCE_MAX],
                       uint16_t *ret_protocol, uint8_t ret_dest[static NET_MAC_LEN]);

/* Sends it on ifindex through packet_fd (an AF_PACKET SOCK_DGRAM socket made in the namespace of
 * ifindex, see net_netns_new()). */
int net_announce(int packet_fd, int ifindex, const NetAddr *a, const uint8_t mac[static NET_MAC_LEN]);

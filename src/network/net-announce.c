/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <assert.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <string.h>
#include <sys/socket.h>

#include "net-announce.h"

void net_mac_from_ipv4(const NetAddr *a, uint8_t ret[static NET_MAC_LEN]) {
        assert(a->family == AF_INET);
        ret[0] = 0x02; /* locally administered, unicast */
        ret[1] = 0x42;
        memcpy(ret + 2, a->bytes, 4);
}

/* A gratuitous ARP request: sender and target protocol address are both a. Linux updates (overrides)
 * an existing entry on it whatever its state (arp_is_garp(), since 4.12; also what arp_notify sends). */
static int build_arp(const NetAddr *a, const uint8_t mac[static NET_MAC_LEN], uint8_t *p) {
        static const uint8_t head[] = { 0, 1, 0x08, 0x00, NET_MAC_LEN, 4, 0, 1 }; /* Ethernet, IPv4, request */

        memcpy(p, head, sizeof(head));
        memcpy(p + 8, mac, NET_MAC_LEN);
        memcpy(p + 14, a->bytes, 4);
        memset(p + 18, 0, NET_MAC_LEN);
        memcpy(p + 24, a->bytes, 4);
        return 28;
}

static uint16_t checksum_fold(uint32_t sum) {
        while (sum >> 16)
                sum = (sum & 0xffff) + (sum >> 16);
        return (uint16_t) ~sum;
}

static uint32_t checksum_add(uint32_t sum, const uint8_t *p, size_t n) {
        for (size_t i = 0; i + 1 < n; i += 2)
                sum += (uint32_t) (p[i] << 8 | p[i + 1]);
        if (n % 2)
                sum += (uint32_t) (p[n - 1] << 8);
        return sum;
}

/* An unsolicited neighbour advertisement (RFC 4861 7.2.6) to all nodes, with the override flag and
 * the target link-layer address option: a whole IPv6 packet, since a packet socket sends below IP. */
static int build_na(const NetAddr *a, const uint8_t mac[static NET_MAC_LEN], uint8_t *p) {
        static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
        uint8_t *icmp = p + 40;
        uint32_t sum;
        uint16_t csum;

        memset(p, 0, 40 + 32);
        p[0] = 0x60;                       /* version 6 */
        p[5] = 32;                         /* payload length */
        p[6] = 58;                         /* next header: ICMPv6 */
        p[7] = 255;                        /* hop limit: receivers drop anything else */
        memcpy(p + 8, a->bytes, 16);
        memcpy(p + 24, all_nodes, 16);
        icmp[0] = 136;                     /* neighbour advertisement */
        icmp[4] = 0x20;                    /* override; not a router, not solicited */
        memcpy(icmp + 8, a->bytes, 16);    /* target */
        icmp[24] = 2;                      /* option: target link-layer address */
        icmp[25] = 1;                      /* its length in units of 8 bytes */
        memcpy(icmp + 26, mac, NET_MAC_LEN);
        /* The pseudo-header: source, destination, upper-layer length, next header. */
        sum = checksum_add(0, p + 8, 32);
        sum += 32 + 58;
        sum = checksum_add(sum, icmp, 32);
        csum = checksum_fold(sum);
        icmp[2] = (uint8_t) (csum >> 8);
        icmp[3] = (uint8_t) csum;
        return 40 + 32;
}

int net_announce_build(const NetAddr *a, const uint8_t mac[static NET_MAC_LEN], uint8_t buf[static NET_ANNOUNCE_MAX],
                       uint16_t *ret_protocol, uint8_t ret_dest[static NET_MAC_LEN]) {
        static const uint8_t broadcast[NET_MAC_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
        static const uint8_t all_nodes[NET_MAC_LEN] = { 0x33, 0x33, 0, 0, 0, 1 };

        if (a->family == AF_INET) {
                *ret_protocol = ETH_P_ARP;
                memcpy(ret_dest, broadcast, NET_MAC_LEN);
                return build_arp(a, mac, buf);
        }
        if (a->family == AF_INET6) {
                *ret_protocol = ETH_P_IPV6;
                memcpy(ret_dest, all_nodes, NET_MAC_LEN);
                return build_na(a, mac, buf);
        }
        return -EAFNOSUPPORT;
}

int net_announce(int packet_fd, int ifindex, const NetAddr *a, const uint8_t mac[static NET_MAC_LEN]) {
        struct sockaddr_ll sa = {
                .sll_family = AF_PACKET,
                .sll_ifindex = ifindex,
                .sll_halen = NET_MAC_LEN,
        };
        uint8_t buf[NET_ANNOUNCE_MAX];
        uint16_t protocol;
        int n;

        n = net_announce_build(a, mac, buf, &protocol, sa.sll_addr);
        if (n < 0)
                return n;
        sa.sll_protocol = htons(protocol);
        if (sendto(packet_fd, buf, (size_t) n, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return -errno;
        return 0;
}

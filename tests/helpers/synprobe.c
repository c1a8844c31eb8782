/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A hand-made TCP SYN over a raw packet socket, for tests/integration/62-loopback.sh: the attack of
 * CVE-2020-8558 from inside a container, which holds CAP_NET_RAW by default. The frame goes out of
 * IFACE to the gateway's MAC with any destination address, 127.0.0.1 included, which no ordinary
 * socket would send there; then the probe listens on the same interface for the answer.
 *
 *   synprobe IFACE GATEWAY-MAC DEST-IP DEST-PORT [TIMEOUT-S]
 *
 * DEST-IP is IPv4 or IPv6 (the source is IFACE's own address of that family). Prints one line and
 * exits: "SYNACK" 0 (something accepted the connection), "RST" 2 (refused), "NOREPLY" 3 (nothing
 * within the timeout, default 3 s); 1 on a usage or setup error. Built -static by the test. */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/tcp.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct Probe {
        int family;
        unsigned char src_mac[6], dst_mac[6];
        struct in_addr src4, dst4;
        struct in6_addr src6, dst6;
        uint16_t sport, dport;
        uint32_t seq;
} Probe;

static uint32_t sum16(const void *data, size_t len, uint32_t sum) {
        const unsigned char *p = data;

        for (size_t i = 0; i + 1 < len; i += 2)
                sum += (uint32_t) (p[i] << 8 | p[i + 1]);
        if (len & 1)
                sum += (uint32_t) (p[len - 1] << 8);
        return sum;
}

static uint16_t fold(uint32_t sum) {
        while (sum >> 16)
                sum = (sum & 0xffff) + (sum >> 16);
        return htons((uint16_t) ~sum);
}

static int fail(const char *what) {
        fprintf(stderr, "synprobe: %s: %s\n", what, strerror(errno));
        return 1;
}

static int own_address(Probe *p, const char *ifname) {
        struct ifaddrs *ifa, *i;
        int found = 0;

        if (getifaddrs(&ifa) < 0)
                return fail("getifaddrs");
        for (i = ifa; i && !found; i = i->ifa_next) {
                if (!i->ifa_addr || strcmp(i->ifa_name, ifname) != 0 || i->ifa_addr->sa_family != p->family)
                        continue;
                if (p->family == AF_INET)
                        p->src4 = ((struct sockaddr_in *) i->ifa_addr)->sin_addr;
                else if (IN6_IS_ADDR_LINKLOCAL(&((struct sockaddr_in6 *) i->ifa_addr)->sin6_addr))
                        continue;
                else
                        p->src6 = ((struct sockaddr_in6 *) i->ifa_addr)->sin6_addr;
                found = 1;
        }
        freeifaddrs(ifa);
        if (!found) {
                fprintf(stderr, "synprobe: %s has no address of that family\n", ifname);
                return 1;
        }
        return 0;
}

/* Ethernet + IP(v6) + a 20-byte TCP SYN; returns the frame's length. */
static size_t build_frame(const Probe *p, unsigned char *f) {
        struct ether_header *eth = (struct ether_header *) f;
        struct tcphdr *tcp;
        uint32_t sum = 0;
        size_t ip_len;

        memcpy(eth->ether_dhost, p->dst_mac, 6);
        memcpy(eth->ether_shost, p->src_mac, 6);
        if (p->family == AF_INET) {
                struct ip *ip = (struct ip *) (f + sizeof(*eth));

                eth->ether_type = htons(ETHERTYPE_IP);
                ip_len = sizeof(*ip);
                *ip = (struct ip) { .ip_v = 4, .ip_hl = 5, .ip_len = htons(sizeof(*ip) + sizeof(*tcp)),
                                    .ip_ttl = 64, .ip_p = IPPROTO_TCP, .ip_src = p->src4, .ip_dst = p->dst4 };
                ip->ip_sum = fold(sum16(ip, sizeof(*ip), 0));
                sum = sum16(&p->src4, 4, sum);
                sum = sum16(&p->dst4, 4, sum);
        } else {
                struct ip6_hdr *ip6 = (struct ip6_hdr *) (f + sizeof(*eth));

                eth->ether_type = htons(ETHERTYPE_IPV6);
                ip_len = sizeof(*ip6);
                *ip6 = (struct ip6_hdr) { .ip6_src = p->src6, .ip6_dst = p->dst6 };
                ip6->ip6_flow = htonl(6U << 28);
                ip6->ip6_plen = htons(sizeof(*tcp));
                ip6->ip6_nxt = IPPROTO_TCP;
                ip6->ip6_hlim = 64;
                sum = sum16(&p->src6, 16, sum);
                sum = sum16(&p->dst6, 16, sum);
        }
        tcp = (struct tcphdr *) (f + sizeof(*eth) + ip_len);
        *tcp = (struct tcphdr) { .source = htons(p->sport), .dest = htons(p->dport), .seq = htonl(p->seq),
                                 .doff = 5, .syn = 1, .window = htons(64240) };
        sum += IPPROTO_TCP + sizeof(*tcp);
        tcp->check = fold(sum16(tcp, sizeof(*tcp), sum));
        return sizeof(*eth) + ip_len + sizeof(*tcp);
}

/* 0: not the answer; else 'S' (SYN-ACK) or 'R' (RST). */
static int classify(const Probe *p, const unsigned char *f, size_t n) {
        const struct ether_header *eth = (const struct ether_header *) f;
        const struct tcphdr *tcp;
        size_t off = sizeof(*eth);

        if (n < off)
                return 0;
        if (p->family == AF_INET && ntohs(eth->ether_type) == ETHERTYPE_IP) {
                const struct ip *ip = (const struct ip *) (f + off);

                if (n < off + sizeof(*ip) || ip->ip_p != IPPROTO_TCP || ip->ip_src.s_addr != p->dst4.s_addr)
                        return 0;
                off += (size_t) ip->ip_hl * 4;
        } else if (p->family == AF_INET6 && ntohs(eth->ether_type) == ETHERTYPE_IPV6) {
                const struct ip6_hdr *ip6 = (const struct ip6_hdr *) (f + off);

                if (n < off + sizeof(*ip6) || ip6->ip6_nxt != IPPROTO_TCP || memcmp(&ip6->ip6_src, &p->dst6, 16) != 0)
                        return 0;
                off += sizeof(*ip6);
        } else
                return 0;
        if (n < off + sizeof(*tcp))
                return 0;
        tcp = (const struct tcphdr *) (f + off);
        if (ntohs(tcp->source) != p->dport || ntohs(tcp->dest) != p->sport)
                return 0;
        if (tcp->syn && tcp->ack)
                return 'S';
        return tcp->rst ? 'R' : 0;
}

static long long now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char *argv[]) {
        unsigned char frame[128], buf[2048];
        struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
        struct ifreq ifr = {};
        long long deadline;
        Probe p = {};
        size_t len;
        int fd, timeout = argc > 5 ? atoi(argv[5]) : 3;

        if (argc < 5 || strlen(argv[1]) >= IFNAMSIZ ||
            sscanf(argv[2], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &p.dst_mac[0], &p.dst_mac[1], &p.dst_mac[2],
                   &p.dst_mac[3], &p.dst_mac[4], &p.dst_mac[5]) != 6) {
                fprintf(stderr, "usage: synprobe IFACE GATEWAY-MAC DEST-IP DEST-PORT [TIMEOUT-S]\n");
                return 1;
        }
        if (inet_pton(AF_INET, argv[3], &p.dst4) == 1)
                p.family = AF_INET;
        else if (inet_pton(AF_INET6, argv[3], &p.dst6) == 1)
                p.family = AF_INET6;
        else {
                fprintf(stderr, "synprobe: '%s' is no IP address\n", argv[3]);
                return 1;
        }
        p.dport = (uint16_t) atoi(argv[4]);
        /* Fresh each run: a container's PIDs repeat, and a SYN that repeats an earlier connection's
         * ports and sequence number gets a challenge ACK, not a SYN-ACK. */
        if (getrandom(&p.seq, sizeof(p.seq), 0) != sizeof(p.seq))
                return fail("getrandom");
        p.sport = (uint16_t) (32768 + p.seq % 28000);
        if (own_address(&p, argv[1]) != 0)
                return 1;

        fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
        if (fd < 0)
                return fail("socket(AF_PACKET)");
        strcpy(ifr.ifr_name, argv[1]);
        if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0)
                return fail("SIOCGIFINDEX");
        ll.sll_ifindex = ifr.ifr_ifindex;
        if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
                return fail("SIOCGIFHWADDR");
        memcpy(p.src_mac, ifr.ifr_hwaddr.sa_data, 6);
        if (bind(fd, (struct sockaddr *) &ll, sizeof(ll)) < 0)
                return fail("bind");

        len = build_frame(&p, frame);
        ll.sll_halen = 6;
        memcpy(ll.sll_addr, p.dst_mac, 6);
        if (sendto(fd, frame, len, 0, (struct sockaddr *) &ll, sizeof(ll)) != (ssize_t) len)
                return fail("sendto");

        deadline = now_ms() + timeout * 1000LL;
        for (long long left; (left = deadline - now_ms()) > 0;) {
                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                ssize_t n;
                int c;

                if (poll(&pfd, 1, (int) left) <= 0)
                        continue;
                n = recv(fd, buf, sizeof(buf), 0);
                if (n <= 0)
                        continue;
                c = classify(&p, buf, (size_t) n);
                if (c == 'S') {
                        puts("SYNACK");
                        return 0;
                }
                if (c == 'R') {
                        puts("RST");
                        return 2;
                }
        }
        puts("NOREPLY");
        return 3;
}

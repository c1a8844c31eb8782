/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <nftables/libnftables.h>
#include <stdarg.h>
#include <string.h>

#include "net-nft.h"

#define T NFT_TABLE_FAMILY " " NFT_TABLE_NAME

/* A growing string; on OOM it stays NULL and every later append is a no-op. */
typedef struct Buf {
        char *s;
        size_t len;
        bool oom;
} Buf;

_printf_(2, 3) static void buf_printf(Buf *b, const char *fmt, ...) {
        va_list ap;
        char *p;
        int n;

        if (b->oom)
                return;
        va_start(ap, fmt);
        n = vasprintf(&p, fmt, ap);
        va_end(ap);
        if (n < 0) {
                b->oom = true;
                return;
        }
        char *s = realloc(b->s, b->len + (size_t) n + 1);
        if (!s) {
                free(p);
                b->oom = true;
                return;
        }
        memcpy(s + b->len, p, (size_t) n + 1);
        b->s = s;
        b->len += (size_t) n;
        free(p);
}

/* The table's skeleton: the base chains and the set. "add" leaves existing ones alone, so after the
 * first time these cost nothing; base chains are never deleted, because unregistering a hook waits
 * for an RCU grace period (~10 ms, measured) and the table is rewritten on every start and stop of a
 * container. */
static void build_skeleton(Buf *b) {
        static const char *const chains[] = {
                "guard { type filter hook prerouting priority raw; policy accept; }",
                "forward { type filter hook forward priority filter; policy accept; }",
                "prerouting { type nat hook prerouting priority dstnat; policy accept; }",
                "output { type nat hook output priority -100; policy accept; }",
                "postrouting { type nat hook postrouting priority srcnat; policy accept; }",
                "ports",
        };

        buf_printf(b, "add table " T "\n");
        for (size_t i = 0; i < ELEMENTSOF(chains); i++)
                buf_printf(b, "add chain " T " %s\n", chains[i]);
        buf_printf(b, "add set " T " bridges { type ifname; }\n");
        for (size_t i = 0; i < ELEMENTSOF(chains); i++)
                buf_printf(b, "flush chain " T " %.*s\n", (int) strcspn(chains[i], " "), chains[i]);
        buf_printf(b, "flush set " T " bridges\n");
}

/* The class of CVE-2020-8558: route_localnet on a bridge (which the host's own connections to a port
 * published on 127.0.0.1 need, see build_postrouting()) would let the host accept packets to
 * 127.0.0.0/8 that a container hand-made (CAP_NET_RAW) and sent to the gateway's MAC: services bound
 * to loopback only, and other containers' loopback-published ports, would answer. No packet to a
 * loopback address comes from anywhere but lo: drop the others before conntrack and NAT see them, on
 * every interface, so every bridge and user network is covered by one rule per family. ::1 is dropped
 * by the kernel already (ip6_rcv_core); the rule says so explicitly. */
static void build_guard(Buf *b) {
        buf_printf(b, "add rule " T " guard iifname != \"lo\" ip daddr 127.0.0.0/8 drop\n");
        buf_printf(b, "add rule " T " guard iifname != \"lo\" ip6 daddr ::1 drop\n");
}

static void build_forward(Buf *b, const NftNetwork *nets, size_t n_nets) {
        buf_printf(b, "add rule " T " forward ct state established,related accept\n");
        for (size_t i = 0; i < n_nets; i++) {
                const char *br = nets[i].bridge;

                buf_printf(b, "add rule " T " forward iifname \"%s\" oifname \"%s\" accept\n", br, br);
                if (nets[i].internal) {
                        /* An internal network talks only to itself (and to the host). */
                        buf_printf(b, "add rule " T " forward iifname \"%s\" drop\n", br);
                        buf_printf(b, "add rule " T " forward oifname \"%s\" drop\n", br);
                } else
                        /* Out to the world, but not into other dray networks. */
                        buf_printf(b, "add rule " T " forward iifname \"%s\" oifname @bridges drop\n", br);
        }
}

/* One DNAT rule: to addr (of the rule's family) when the host address matches or none is given. */
static void build_port_rule(Buf *b, const NftPortMap *p, const NetAddr *to) {
        char ip[NET_ADDR_STRLEN], cip[NET_ADDR_STRLEN];
        bool v6 = to->family == AF_INET6;

        if (net_addr_is_set(&p->port.host_ip) && p->port.host_ip.family != to->family)
                return;
        buf_printf(b, "add rule " T " ports ");
        if (net_addr_is_set(&p->port.host_ip))
                buf_printf(b, "%s daddr %s ", v6 ? "ip6" : "ip", net_addr_to_string(&p->port.host_ip, ip));
        else
                buf_printf(b, "meta nfproto %s ", v6 ? "ipv6" : "ipv4");
        buf_printf(b, "%s dport %u dnat %s to %s%s%s:%u\n", net_proto_to_string(p->port.proto), p->port.host_port,
                   v6 ? "ip6" : "ip", v6 ? "[" : "", net_addr_to_string(to, cip), v6 ? "]" : "",
                   p->port.container_port);
}

static void build_ports(Buf *b, const NftPortMap *ports, size_t n_ports) {
        for (size_t i = 0; i < n_ports; i++) {
                if (ports[i].container_ip.family == AF_INET)
                        build_port_rule(b, &ports[i], &ports[i].container_ip);
                /* IPv6 from the host's own ::1 cannot be forwarded: IPv6 has no route_localnet. */
                if (ports[i].container_ip6.family == AF_INET6)
                        build_port_rule(b, &ports[i], &ports[i].container_ip6);
        }
        /* Traffic from outside (prerouting) and from the host itself, loopback included (output), to
         * any of the host's addresses; a loopback destination only from the host itself (the guard
         * chain drops such packets from elsewhere before this; NAT does not rely on it). */
        buf_printf(b, "add rule " T " prerouting ip daddr != 127.0.0.0/8 fib daddr type local jump ports\n");
        buf_printf(b, "add rule " T " prerouting ip6 daddr != ::1 fib daddr type local jump ports\n");
        buf_printf(b, "add rule " T " output fib daddr type local jump ports\n");
}

static void build_postrouting(Buf *b, const NftNetwork *nets, size_t n_nets) {
        char s[NET_SUBNET_STRLEN];

        for (size_t i = 0; i < n_nets; i++) {
                const NftNetwork *n = &nets[i];

                /* Connections the host made to 127.0.0.1:PORT and DNAT sent to a container: the
                 * container must answer the bridge's address, not its own loopback (route_localnet is
                 * set on the bridge so the kernel lets these packets out at all). */
                buf_printf(b, "add rule " T " postrouting oifname \"%s\" ip saddr 127.0.0.0/8 masquerade\n", n->bridge);
                if (n->internal)
                        continue;
                buf_printf(b, "add rule " T " postrouting ip saddr %s oifname != \"%s\" masquerade\n",
                           net_subnet_to_string(&n->subnet, s), n->bridge);
                if (n->subnet6.addr.family == AF_INET6)
                        buf_printf(b, "add rule " T " postrouting ip6 saddr %s oifname != \"%s\" masquerade\n",
                                   net_subnet_to_string(&n->subnet6, s), n->bridge);
        }
}

int nft_ruleset_build(const NftNetwork *nets, size_t n_nets, const NftPortMap *ports, size_t n_ports, char **ret) {
        Buf b = {};

        /* One transaction: the skeleton, emptied, and everything the model says, or nothing. */
        build_skeleton(&b);
        for (size_t i = 0; i < n_nets; i++)
                buf_printf(&b, "%s\"%s\"%s", i == 0 ? "add element " T " bridges { " : ", ", nets[i].bridge,
                           i + 1 == n_nets ? " }\n" : "");
        build_guard(&b);
        build_forward(&b, nets, n_nets);
        build_ports(&b, ports, n_ports);
        build_postrouting(&b, nets, n_nets);
        if (b.oom) {
                free(b.s);
                return -ENOMEM;
        }
        *ret = b.s;
        return 0;
}

static int nft_run(const char *script, char **ret_error) {
        struct nft_ctx *ctx;
        int r = 0;

        ctx = nft_ctx_new(NFT_CTX_DEFAULT);
        if (!ctx)
                return -ENOMEM;
        if (nft_ctx_buffer_output(ctx) < 0 || nft_ctx_buffer_error(ctx) < 0)
                r = -ENOMEM;
        else if (nft_run_cmd_from_buffer(ctx, script) != 0) {
                const char *e = nft_ctx_get_error_buffer(ctx);

                r = -EPROTO;
                if (ret_error)
                        *ret_error = strdup(isempty(e) ? "nftables refused the ruleset" : e);
        }
        nft_ctx_free(ctx);
        return r;
}

int nft_ruleset_apply(const char *script, char **ret_error) {
        return nft_run(script, ret_error);
}

int nft_ruleset_remove(void) {
        return nft_run("add table " T "\ndelete table " T "\n", NULL);
}

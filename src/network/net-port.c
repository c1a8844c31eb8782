/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "net-port.h"
#include "parse-util.h"
#include "string-table.h"

static const char *const net_proto_table[_NET_PROTO_MAX] = {
        [NET_PROTO_TCP] = "tcp",
        [NET_PROTO_UDP] = "udp",
};

DEFINE_STRING_TABLE_LOOKUP(net_proto, NetProto, _NET_PROTO_MAX);

static int parse_port_number(const char *s, size_t len, bool zero_ok, uint16_t *ret) {
        char buf[8];
        uint32_t v;
        int r;

        if (len == 0 && zero_ok) {
                *ret = 0;
                return 0;
        }
        if (len == 0 || len >= sizeof(buf) || s[0] == '0')
                return -EINVAL;
        memcpy(buf, s, len);
        buf[len] = 0;
        r = safe_atou32(buf, &v);
        if (r < 0)
                return r;
        if (v < 1 || v > 65535)
                return -ERANGE;
        *ret = (uint16_t) v;
        return 0;
}

/* Splits "/proto" off the end of s[0..len): *ret_len is what is left. */
static int split_proto(const char *s, size_t len, NetProto *ret_proto, size_t *ret_len) {
        const char *slash = memchr(s, '/', len);
        NetProto proto = NET_PROTO_TCP;
        size_t n = slash ? (size_t) (slash - s) : len;

        if (slash) {
                char p[4] = {};

                if (len - n - 1 != 3)
                        return -EINVAL;
                memcpy(p, slash + 1, 3);
                proto = net_proto_from_string(p);
                if (proto < 0)
                        return -EINVAL;
        }
        *ret_len = n;
        *ret_proto = proto;
        return 0;
}

int net_exposed_port_parse(const char *s, uint16_t *ret_port, NetProto *ret_proto) {
        size_t n;
        int r;

        if (isempty(s))
                return -EINVAL;
        r = split_proto(s, strlen(s), ret_proto, &n);
        if (r < 0)
                return r;
        return parse_port_number(s, n, false, ret_port);
}

static int parse_host_ip(const char *s, size_t len, NetAddr *ret) {
        char buf[NET_ADDR_STRLEN];

        if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
                s++;
                len -= 2;
        }
        if (len == 0 || len >= sizeof(buf))
                return -EINVAL;
        memcpy(buf, s, len);
        buf[len] = 0;
        return net_addr_parse(buf, ret);
}

int net_port_parse(const char *s, NetPort *ret) {
        NetPort p = {};
        const char *colon;
        size_t len, n;
        int r;

        if (isempty(s) || strlen(s) > 64)
                return -EINVAL;
        len = strlen(s);
        r = split_proto(s, len, &p.proto, &n);
        if (r < 0)
                return r;
        /* s[0..n) is "[IP:][HOSTPORT:]CONTAINERPORT": find the last colon before CONTAINERPORT. */
        colon = NULL;
        for (size_t i = n; i > 0; i--)
                if (s[i - 1] == ':') {
                        colon = s + i - 1;
                        break;
                }
        if (!colon) {
                r = parse_port_number(s, n, false, &p.container_port);
                if (r < 0)
                        return r;
        } else {
                const char *hp_start = s, *ip_colon = NULL;
                size_t hp_len = colon - s;

                /* The container port is after the colon; re-parse it from there. */
                r = parse_port_number(colon + 1, n - (colon + 1 - s), false, &p.container_port);
                if (r < 0)
                        return r;
                for (size_t i = hp_len; i > 0; i--)
                        if (s[i - 1] == ':' || s[i - 1] == ']') {
                                if (s[i - 1] == ':')
                                        ip_colon = s + i - 1;
                                break;
                        }
                if (ip_colon) {
                        if (ip_colon == s)
                                return -EINVAL;
                        r = parse_host_ip(s, ip_colon - s, &p.host_ip);
                        if (r < 0)
                                return r;
                        hp_start = ip_colon + 1;
                        hp_len = colon - hp_start;
                }
                /* With an address, the host port may be empty ("IP::80"); without one it may not. */
                r = parse_port_number(hp_start, hp_len, ip_colon != NULL, &p.host_port);
                if (r < 0)
                        return r;
        }
        if (net_addr_is_set(&p.host_ip)) {
                static const uint8_t zero[16];

                /* 0.0.0.0 and :: mean every address, as if none was given. */
                if (memcmp(p.host_ip.bytes, zero, net_addr_size(p.host_ip.family)) == 0)
                        p.host_ip = (NetAddr) {};
        }
        *ret = p;
        return 0;
}

int net_port_format(const NetPort *p, char **ret) {
        char ip[NET_ADDR_STRLEN];
        char *s;

        if (net_addr_is_set(&p->host_ip))
                (void) net_addr_to_string(&p->host_ip, ip);
        else
                strcpy(ip, "0.0.0.0");
        if (asprintf(&s, "%s%s%s:%u->%u/%s", p->host_ip.family == AF_INET6 ? "[" : "", ip,
                     p->host_ip.family == AF_INET6 ? "]" : "", p->host_port, p->container_port,
                     net_proto_to_string(p->proto)) < 0)
                return -ENOMEM;
        *ret = s;
        return 0;
}

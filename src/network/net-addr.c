/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <string.h>

#include "net-addr.h"
#include "parse-util.h"

int net_addr_parse(const char *s, NetAddr *ret) {
        NetAddr a = {};

        if (isempty(s))
                return -EINVAL;
        if (inet_pton(AF_INET, s, &a.in) == 1)
                a.family = AF_INET;
        else if (inet_pton(AF_INET6, s, &a.in6) == 1)
                a.family = AF_INET6;
        else
                return -EINVAL;
        *ret = a;
        return 0;
}

/* Bits beyond the prefix are zero. */
static bool host_bits_zero(const NetAddr *a, unsigned prefixlen) {
        size_t n = net_addr_size(a->family);

        for (size_t i = 0; i < n; i++) {
                unsigned bit = (unsigned) i * 8;
                uint8_t mask = bit >= prefixlen ? 0xff : prefixlen - bit >= 8 ? 0 : (uint8_t) (0xff >> (prefixlen - bit));

                if (a->bytes[i] & mask)
                        return false;
        }
        return true;
}

int net_subnet_parse(const char *s, NetSubnet *ret) {
        char buf[NET_SUBNET_STRLEN];
        const char *slash;
        uint32_t len;
        NetAddr a;
        int r;

        if (isempty(s))
                return -EINVAL;
        slash = strchr(s, '/');
        if (!slash || (size_t) (slash - s) >= sizeof(buf))
                return -EINVAL;
        memcpy(buf, s, slash - s);
        buf[slash - s] = 0;
        r = net_addr_parse(buf, &a);
        if (r < 0)
                return r;
        if (slash[1] == '0' && slash[2] != 0) /* no leading zeros */
                return -EINVAL;
        r = safe_atou32(slash + 1, &len);
        if (r < 0)
                return r;
        if (len > net_addr_size(a.family) * 8)
                return -EINVAL;
        if (!host_bits_zero(&a, len))
                return -EINVAL;
        *ret = (NetSubnet) { .addr = a, .prefixlen = len };
        return 0;
}

const char *net_addr_to_string(const NetAddr *a, char buf[static NET_ADDR_STRLEN]) {
        if (!a->family || !inet_ntop(a->family, a->bytes, buf, NET_ADDR_STRLEN))
                return strcpy(buf, "");
        return buf;
}

const char *net_subnet_to_string(const NetSubnet *s, char buf[static NET_SUBNET_STRLEN]) {
        char a[NET_ADDR_STRLEN];

        if (!s->addr.family)
                return strcpy(buf, "");
        (void) snprintf(buf, NET_SUBNET_STRLEN, "%s/%u", net_addr_to_string(&s->addr, a), s->prefixlen);
        return buf;
}

char *net_addr_to_string_alloc(const NetAddr *a) {
        char buf[NET_ADDR_STRLEN];

        return strdup(net_addr_to_string(a, buf));
}

char *net_subnet_to_string_alloc(const NetSubnet *s) {
        char buf[NET_SUBNET_STRLEN];

        return strdup(net_subnet_to_string(s, buf));
}

bool net_addr_equal(const NetAddr *a, const NetAddr *b) {
        return a->family == b->family && memcmp(a->bytes, b->bytes, net_addr_size(a->family)) == 0;
}

static bool prefix_equal(const NetAddr *a, const NetAddr *b, unsigned prefixlen) {
        unsigned full = prefixlen / 8, rest = prefixlen % 8;

        if (memcmp(a->bytes, b->bytes, full) != 0)
                return false;
        if (rest == 0)
                return true;
        return ((a->bytes[full] ^ b->bytes[full]) & (uint8_t) (0xff << (8 - rest))) == 0;
}

bool net_subnet_contains(const NetSubnet *s, const NetAddr *a) {
        return s->addr.family == a->family && prefix_equal(&s->addr, a, s->prefixlen);
}

bool net_subnet_overlaps(const NetSubnet *a, const NetSubnet *b) {
        return a->addr.family == b->addr.family &&
               prefix_equal(&a->addr, &b->addr, MIN(a->prefixlen, b->prefixlen));
}

bool net_addr_is_loopback(const NetAddr *a) {
        if (a->family == AF_INET)
                return a->bytes[0] == 127;
        if (a->family == AF_INET6)
                return IN6_IS_ADDR_LOOPBACK(&a->in6);
        return false;
}

uint64_t net_subnet_size(const NetSubnet *s) {
        unsigned host_bits = (unsigned) net_addr_size(s->addr.family) * 8 - s->prefixlen;

        if (s->addr.family == AF_INET)
                /* minus the network and the broadcast address */
                return host_bits < 2 ? 0 : (UINT64_C(1) << host_bits) - 2;
        /* IPv6: the subnet-router anycast address (offset 0) is left out; more than 2^32 hosts is more
         * than any bridge holds. */
        return host_bits >= 32 ? UINT64_C(1) << 32 : (UINT64_C(1) << host_bits) - 1;
}

int net_subnet_nth(const NetSubnet *s, uint64_t n, NetAddr *ret) {
        size_t len = net_addr_size(s->addr.family);
        NetAddr a = s->addr;
        uint64_t carry = n;

        if (n == 0 || n > net_subnet_size(s))
                return -ERANGE;
        /* Add n to the low bytes; n < 2^32 fits the host part by the size check above. */
        for (size_t i = len; i > 0 && carry; i--) {
                uint64_t v = a.bytes[i - 1] + (carry & 0xff);

                a.bytes[i - 1] = (uint8_t) v;
                carry = (carry >> 8) + (v >> 8);
        }
        *ret = a;
        return 0;
}

int net_subnet_offset(const NetSubnet *s, const NetAddr *a, uint64_t *ret) {
        size_t len = net_addr_size(s->addr.family);
        uint64_t n = 0;

        if (!net_subnet_contains(s, a))
                return -ERANGE;
        /* The host part is at most 32 bits for anything net_subnet_nth() hands out; compare the rest. */
        for (size_t i = len >= 8 ? len - 8 : 0; i < len; i++)
                n = (n << 8) | (uint8_t) (a->bytes[i] ^ s->addr.bytes[i]);
        if (n == 0 || n > net_subnet_size(s))
                return -ERANGE;
        *ret = n;
        return 0;
}

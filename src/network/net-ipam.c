/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "net-config.h"

const NetLease *net_ipam_find_addr(const NetworkConfig *c, const NetAddr *a) {
        for (size_t i = 0; i < c->n_leases; i++)
                if (net_addr_equal(&c->leases[i].addr, a))
                        return &c->leases[i];
        return NULL;
}

const NetLease *net_ipam_find(const NetworkConfig *c, const char *owner, int family) {
        for (size_t i = 0; i < c->n_leases; i++)
                if (c->leases[i].addr.family == family && streq(c->leases[i].owner, owner))
                        return &c->leases[i];
        return NULL;
}

static bool addr_taken(const NetworkConfig *c, const NetAddr *a) {
        const NetAddr *gw = a->family == AF_INET ? &c->gateway : &c->gateway6;

        return net_addr_equal(a, gw) || net_ipam_find_addr(c, a);
}

static int pick_free(const NetworkConfig *c, const NetSubnet *s, NetAddr *ret) {
        uint64_t size = net_subnet_size(s);

        /* Linear: a bridge holds at most a few hundred containers, and leases are few. */
        for (uint64_t n = 1; n <= size && n <= c->n_leases + 2; n++) {
                NetAddr a;

                if (net_subnet_nth(s, n, &a) < 0)
                        break;
                if (!addr_taken(c, &a)) {
                        *ret = a;
                        return 0;
                }
        }
        return -ENOSPC;
}

int net_ipam_allocate(NetworkConfig *c, int family, const char *owner, const NetAddr *requested, NetAddr *ret) {
        const NetSubnet *s = family == AF_INET ? &c->subnet : &c->subnet6;
        NetLease *v;
        NetAddr a;
        char *o;
        uint64_t off;
        int r;

        if (s->addr.family != family)
                return -EAFNOSUPPORT;
        if (requested && net_addr_is_set(requested)) {
                if (requested->family != family || net_subnet_offset(s, requested, &off) < 0)
                        return -ERANGE;
                if (addr_taken(c, requested))
                        return -EADDRINUSE;
                a = *requested;
        } else {
                r = pick_free(c, s, &a);
                if (r < 0)
                        return r;
        }
        o = strdup(owner);
        if (!o)
                return -ENOMEM;
        v = realloc(c->leases, (c->n_leases + 1) * sizeof(NetLease));
        if (!v) {
                free(o);
                return -ENOMEM;
        }
        c->leases = v;
        c->leases[c->n_leases++] = (NetLease) { .owner = o, .addr = a };
        *ret = a;
        return 0;
}

static size_t release_if(NetworkConfig *c, bool (*drop)(const NetLease *l, void *userdata), void *userdata) {
        size_t j = 0, n = 0;

        for (size_t i = 0; i < c->n_leases; i++) {
                if (drop(&c->leases[i], userdata)) {
                        free(c->leases[i].owner);
                        n++;
                        continue;
                }
                c->leases[j++] = c->leases[i];
        }
        c->n_leases = j;
        return n;
}

static bool owner_is(const NetLease *l, void *userdata) {
        return streq(l->owner, userdata);
}

size_t net_ipam_release(NetworkConfig *c, const char *owner) {
        return release_if(c, owner_is, (void *) owner);
}

typedef struct KeepArgs {
        bool (*keep)(const char *owner, void *userdata);
        void *userdata;
} KeepArgs;

static bool owner_rejected(const NetLease *l, void *userdata) {
        KeepArgs *k = userdata;

        return !k->keep(l->owner, k->userdata);
}

size_t net_ipam_reconcile(NetworkConfig *c, bool (*keep)(const char *owner, void *userdata), void *userdata) {
        KeepArgs k = { keep, userdata };

        return release_if(c, owner_rejected, &k);
}

static bool subnet_is_free(const NetSubnet *s, const NetSubnet *used, size_t n_used) {
        for (size_t i = 0; i < n_used; i++)
                if (net_subnet_overlaps(s, &used[i]))
                        return false;
        return true;
}

int net_subnet_pick(const NetSubnet *used, size_t n_used, NetSubnet *ret) {
        static const uint8_t extra[][2] = { { 172, 30 }, { 172, 31 }, { 192, 168 } };
        NetSubnet s = { .addr.family = AF_INET, .prefixlen = 16 };

        /* Not 10.88/16 and 10.89/16: Podman's default network and its next ones. */
        for (unsigned b = 90; b < 128; b++) {
                s.addr.bytes[0] = 10;
                s.addr.bytes[1] = (uint8_t) b;
                if (subnet_is_free(&s, used, n_used)) {
                        *ret = s;
                        return 0;
                }
        }
        for (size_t i = 0; i < ELEMENTSOF(extra); i++) {
                s.addr.bytes[0] = extra[i][0];
                s.addr.bytes[1] = extra[i][1];
                if (subnet_is_free(&s, used, n_used)) {
                        *ret = s;
                        return 0;
                }
        }
        return -ENOSPC;
}

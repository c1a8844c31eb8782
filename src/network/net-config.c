/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <net/if.h>
#include <string.h>

#include "atomic-write.h"
#include "contract.h"
#include "name.h"
#include "net-config.h"

NetworkConfig *network_config_new(void) {
        return calloc(1, sizeof(NetworkConfig));
}

NetworkConfig *network_config_free(NetworkConfig *c) {
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n_leases; i++)
                free(c->leases[i].owner);
        free(c->leases);
        free(c->name);
        free(c->id);
        free(c->bridge);
        free(c);
        return NULL;
}

static bool bridge_name_is_valid(const char *s) {
        if (isempty(s) || strlen(s) >= IFNAMSIZ)
                return false;
        for (const char *p = s; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
                        return false;
        return true;
}

int network_config_validate(const NetworkConfig *c, const char **ret_reason) {
        const char *reason = NULL;
        uint64_t off;

        if (!container_name_is_valid(c->name))
                reason = "invalid network name";
        else if (!container_id_is_valid(c->id))
                reason = "invalid network ID";
        else if (!bridge_name_is_valid(c->bridge))
                reason = "invalid bridge name";
        else if (c->subnet.addr.family != AF_INET || c->subnet.prefixlen > 30)
                reason = "the IPv4 subnet must be /30 or larger";
        else if (net_subnet_offset(&c->subnet, &c->gateway, &off) < 0)
                reason = "the gateway is not a host address of the subnet";
        else if (c->subnet6.addr.family != 0 &&
                 (c->subnet6.addr.family != AF_INET6 || c->subnet6.prefixlen > 126 ||
                  net_subnet_offset(&c->subnet6, &c->gateway6, &off) < 0))
                reason = "invalid IPv6 subnet or gateway";
        for (size_t i = 0; !reason && i < c->n_leases; i++) {
                const NetLease *l = &c->leases[i];
                const NetSubnet *s = l->addr.family == AF_INET ? &c->subnet : &c->subnet6;

                if (!container_id_is_valid(l->owner) || net_subnet_offset(s, &l->addr, &off) < 0)
                        reason = "invalid lease";
        }
        if (reason) {
                if (ret_reason)
                        *ret_reason = reason;
                return -EINVAL;
        }
        return 0;
}

static int add_subnet(json_object *o, const char *key, const NetSubnet *s) {
        char buf[NET_SUBNET_STRLEN];

        return s->addr.family ? json_add_string(o, key, net_subnet_to_string(s, buf)) : 0;
}

static int add_addr(json_object *o, const char *key, const NetAddr *a) {
        char buf[NET_ADDR_STRLEN];

        return a->family ? json_add_string(o, key, net_addr_to_string(a, buf)) : 0;
}

static int leases_to_json(const NetworkConfig *c, json_object **ret) {
        _cleanup_json_ json_object *a = json_object_new_array();
        int r;

        if (!a)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_leases; i++) {
                json_object *l = json_object_new_object();

                if (!l || json_object_array_add(a, l) < 0) {
                        json_object_put(l);
                        return -ENOMEM;
                }
                r = json_add_string(l, "owner", c->leases[i].owner);
                if (r >= 0)
                        r = add_addr(l, "address", &c->leases[i].addr);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(a);
        return 0;
}

int network_config_to_json(const NetworkConfig *c, json_object **ret) {
        _cleanup_json_ json_object *o = json_object_new_object();
        json_object *leases = NULL;
        int r;

        if (!o)
                return -ENOMEM;
        r = schema_version_add(o, NETWORK_SCHEMA_VERSION);
        if (r >= 0)
                r = json_add_string(o, "name", c->name);
        if (r >= 0)
                r = json_add_string(o, "id", c->id);
        if (r >= 0)
                r = json_add_string(o, "bridge", c->bridge);
        if (r >= 0)
                r = add_subnet(o, "subnet", &c->subnet);
        if (r >= 0)
                r = add_addr(o, "gateway", &c->gateway);
        if (r >= 0)
                r = add_subnet(o, "subnet6", &c->subnet6);
        if (r >= 0)
                r = add_addr(o, "gateway6", &c->gateway6);
        if (r >= 0)
                r = json_add_bool(o, "internal", c->internal);
        if (r >= 0)
                r = json_add_uint64(o, "created_usec", c->created_usec);
        if (r >= 0)
                r = leases_to_json(c, &leases);
        if (r < 0)
                return r;
        if (json_object_object_add(o, "leases", leases) < 0) {
                json_object_put(leases);
                return -ENOMEM;
        }
        *ret = TAKE_PTR(o);
        return 0;
}

static int get_dup(json_object *o, const char *key, char **field) {
        const char *s;
        int r;

        r = json_get_string(o, key, &s);
        if (r < 0)
                return r;
        *field = strdup(s);
        return *field ? 0 : -ENOMEM;
}

/* 1 with *ret set when the key is there, 0 when it is optional and missing. */
static int get_string_opt(json_object *o, const char *key, bool optional, const char **ret) {
        int r;

        r = json_get_string(o, key, ret);
        if (r == -ENOENT && optional)
                return 0;
        return r < 0 ? r : 1;
}

static int get_subnet(json_object *o, const char *key, bool optional, NetSubnet *ret) {
        const char *s;
        int r = get_string_opt(o, key, optional, &s);

        return r <= 0 ? r : net_subnet_parse(s, ret) < 0 ? -EBADMSG : 0;
}

static int get_addr(json_object *o, const char *key, bool optional, NetAddr *ret) {
        const char *s;
        int r = get_string_opt(o, key, optional, &s);

        return r <= 0 ? r : net_addr_parse(s, ret) < 0 ? -EBADMSG : 0;
}

static int leases_from_json(json_object *o, NetworkConfig *c) {
        json_object *a;
        size_t n;
        int r;

        if (!json_object_object_get_ex(o, "leases", &a))
                return 0;
        if (!json_object_is_type(a, json_type_array))
                return -EBADMSG;
        n = json_object_array_length(a);
        if (n > 1U << 20)
                return -EBADMSG;
        c->leases = calloc(n + 1, sizeof(NetLease));
        if (!c->leases)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *l = json_object_array_get_idx(a, i);
                NetLease *lease = &c->leases[c->n_leases];

                if (!json_object_is_type(l, json_type_object))
                        return -EBADMSG;
                r = get_addr(l, "address", false, &lease->addr);
                if (r < 0)
                        return r;
                r = get_dup(l, "owner", &lease->owner);
                if (r < 0)
                        return r;
                c->n_leases++;
        }
        return 0;
}

int network_config_from_json(json_object *o, NetworkConfig **ret) {
        _cleanup_(network_config_freep) NetworkConfig *c = network_config_new();
        int r;

        if (!c)
                return -ENOMEM;
        r = schema_version_check(o, NETWORK_SCHEMA_VERSION);
        if (r < 0)
                return r;
        r = get_dup(o, "name", &c->name);
        if (r >= 0)
                r = get_dup(o, "id", &c->id);
        if (r >= 0)
                r = get_dup(o, "bridge", &c->bridge);
        if (r >= 0)
                r = get_subnet(o, "subnet", false, &c->subnet);
        if (r >= 0)
                r = get_addr(o, "gateway", false, &c->gateway);
        if (r >= 0)
                r = get_subnet(o, "subnet6", true, &c->subnet6);
        if (r >= 0)
                r = get_addr(o, "gateway6", true, &c->gateway6);
        if (r >= 0)
                r = json_get_bool(o, "internal", &c->internal);
        if (r >= 0)
                r = json_get_uint64(o, "created_usec", &c->created_usec);
        if (r >= 0)
                r = leases_from_json(o, c);
        if (r < 0)
                return r == -ENOMEM ? r : -EBADMSG;
        if (network_config_validate(c, NULL) < 0)
                return -EBADMSG;
        *ret = TAKE_PTR(c);
        return 0;
}

int network_config_save(const NetworkConfig *c, int dir_fd) {
        _cleanup_json_ json_object *o = NULL;
        char file[128];
        int r;

        r = network_config_to_json(c, &o);
        if (r < 0)
                return r;
        (void) snprintf(file, sizeof(file), "%s.json", c->name);
        return json_write_atomic_flags(dir_fd, file, o, ATOMIC_WRITE_SYNC);
}

int network_config_load(int dir_fd, const char *file, NetworkConfig **ret) {
        _cleanup_json_ json_object *o = NULL;
        int r;

        r = json_read_file(dir_fd, file, &o);
        if (r < 0)
                return r;
        return network_config_from_json(o, ret);
}

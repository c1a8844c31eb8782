/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "name.h"
#include "spec-network.h"
#include "strv.h"
#include "string-table.h"

static const char *const network_mode_table[_NETWORK_MODE_MAX] = {
        [NETWORK_MODE_NONE] = "none",
        [NETWORK_MODE_HOST] = "host",
        [NETWORK_MODE_BRIDGE] = "bridge",
};

DEFINE_STRING_TABLE_LOOKUP(network_mode, NetworkMode, _NETWORK_MODE_MAX);

static void attachment_done(SpecNetworkAttachment *a) {
        free(a->name);
        free(a->ip);
        strv_free(a->aliases);
        *a = (SpecNetworkAttachment) {};
}

void spec_network_done(SpecNetwork *n) {
        for (size_t i = 0; i < n->n_networks; i++)
                attachment_done(&n->networks[i]);
        free(n->networks);
        strv_free(n->publish);
        strv_free(n->exposed_ports);
        strv_free(n->dns);
        strv_free(n->dns_search);
        strv_free(n->dns_options);
        strv_free(n->extra_hosts);
        free(n->netns_path);
        free(n->etc_dir);
        *n = (SpecNetwork) {};
}

static bool path_ok(const char *p) {
        if (!p)
                return true;
        if (p[0] != '/' || strlen(p) >= 4096 || strstr(p, "/../") || strstr(p, "/./"))
                return false;
        for (const char *c = p; *c; c++)
                if ((unsigned char) *c < 0x20 || *c == 0x7f)
                        return false;
        return true;
}

int spec_network_validate(const SpecNetwork *n, const char **ret_reason) {
        const char *reason = NULL;

        if (n->mode < 0 || n->mode >= _NETWORK_MODE_MAX)
                reason = "invalid network mode";
        else if (n->mode != NETWORK_MODE_BRIDGE && (n->n_networks > 0 || n->netns_path))
                reason = "networks given without bridge mode";
        else if (n->n_networks > 64)
                reason = "too many networks";
        else if (!path_ok(n->netns_path) || !path_ok(n->etc_dir))
                reason = "invalid network namespace or /etc directory path";
        for (size_t i = 0; !reason && i < n->n_networks; i++) {
                if (!container_name_is_valid(n->networks[i].name))
                        reason = "invalid network name";
                STRV_FOREACH(a, n->networks[i].aliases)
                        if (!container_name_is_valid(*a))
                                reason = "invalid network alias";
        }
        if (reason) {
                if (ret_reason)
                        *ret_reason = reason;
                return -EINVAL;
        }
        return 0;
}

static int attachments_to_json(const SpecNetwork *n, json_object **ret) {
        _cleanup_json_ json_object *a = json_object_new_array();
        int r;

        if (!a)
                return -ENOMEM;
        for (size_t i = 0; i < n->n_networks; i++) {
                json_object *e = json_object_new_object();

                if (!e || json_object_array_add(a, e) < 0) {
                        json_object_put(e);
                        return -ENOMEM;
                }
                r = json_add_string(e, "name", n->networks[i].name);
                if (r < 0)
                        return r;
                r = json_add_string(e, "ip", n->networks[i].ip);
                if (r < 0)
                        return r;
                r = json_add_strv(e, "aliases", n->networks[i].aliases);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(a);
        return 0;
}

int spec_network_to_json(const SpecNetwork *n, json_object *o) {
        _cleanup_json_ json_object *net = json_object_new_object();
        json_object *a = NULL;
        /* Written only when set, as before they existed: a spec read by an older monitor stays the same. */
        const struct { const char *key; char **value; } optional[] = {
                { "dns_search",  n->dns_search  },
                { "dns_options", n->dns_options },
                { "extra_hosts", n->extra_hosts },
        };
        int r;

        if (!net)
                return -ENOMEM;
        r = json_add_string(net, "mode", network_mode_to_string(n->mode));
        if (r < 0)
                return r;
        r = attachments_to_json(n, &a);
        if (r < 0)
                return r;
        if (json_object_object_add(net, "networks", a) < 0) {
                json_object_put(a);
                return -ENOMEM;
        }
        r = json_add_strv(net, "publish", n->publish);
        if (r < 0)
                return r;
        r = json_add_bool(net, "publish_all", n->publish_all);
        if (r < 0)
                return r;
        r = json_add_strv(net, "dns", n->dns);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(optional); i++) {
                if (!optional[i].value)
                        continue;
                r = json_add_strv(net, optional[i].key, optional[i].value);
                if (r < 0)
                        return r;
        }
        r = json_add_string(net, "netns_path", n->netns_path);
        if (r < 0)
                return r;
        r = json_add_string(net, "etc_dir", n->etc_dir);
        if (r < 0)
                return r;
        r = json_add_strv(o, "exposed_ports", n->exposed_ports);
        if (r < 0)
                return r;
        if (json_object_object_add(o, "network", net) < 0)
                return -ENOMEM;
        TAKE_PTR(net);
        return 0;
}

static int opt(int r) {
        return r == -ENOENT ? 0 : r;
}

static int get_dup(json_object *o, const char *key, char **ret) {
        const char *v;
        int r = json_get_string(o, key, &v);

        if (r < 0)
                return r;
        free(*ret);
        *ret = strdup(v);
        return *ret ? 0 : -ENOMEM;
}

static int attachments_from_json(json_object *net, SpecNetwork *n) {
        json_object *a;
        size_t len;
        int r;

        if (!json_object_object_get_ex(net, "networks", &a))
                return 0;
        if (!json_object_is_type(a, json_type_array) || json_object_array_length(a) > 64)
                return -EBADMSG;
        len = json_object_array_length(a);
        n->networks = calloc(len + 1, sizeof(SpecNetworkAttachment));
        if (!n->networks)
                return -ENOMEM;
        for (size_t i = 0; i < len; i++) {
                json_object *e = json_object_array_get_idx(a, i);
                SpecNetworkAttachment *at = &n->networks[n->n_networks++];

                if (!json_object_is_type(e, json_type_object))
                        return -EBADMSG;
                r = get_dup(e, "name", &at->name);
                if (r < 0)
                        return r;
                r = opt(get_dup(e, "ip", &at->ip));
                if (r < 0)
                        return r;
                r = opt(json_get_strv(e, "aliases", &at->aliases));
                if (r < 0)
                        return r;
        }
        return 0;
}

int spec_network_from_json(json_object *o, SpecNetwork *n) {
        /* Every one optional: a missing key is an empty value. */
        const struct { const char *key; char ***value; } strvs[] = {
                { "publish",     &n->publish     },
                { "dns",         &n->dns         },
                { "dns_search",  &n->dns_search  },
                { "dns_options", &n->dns_options },
                { "extra_hosts", &n->extra_hosts },
        };
        const struct { const char *key; char **value; } strings[] = {
                { "netns_path", &n->netns_path },
                { "etc_dir",    &n->etc_dir    },
        };
        const char *mode = NULL;
        json_object *net;
        int r;

        r = opt(json_get_strv(o, "exposed_ports", &n->exposed_ports));
        if (r < 0)
                return r;
        if (!json_object_object_get_ex(o, "network", &net)) {
                n->mode = NETWORK_MODE_NONE;
                return 0;
        }
        if (!json_object_is_type(net, json_type_object))
                return -EBADMSG;
        r = json_get_string(net, "mode", &mode);
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        n->mode = network_mode_from_string(mode);
        if (n->mode < 0)
                return -EBADMSG;
        r = attachments_from_json(net, n);
        if (r < 0)
                return r;
        r = opt(json_get_bool(net, "publish_all", &n->publish_all));
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(strvs); i++) {
                r = opt(json_get_strv(net, strvs[i].key, strvs[i].value));
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < ELEMENTSOF(strings); i++) {
                r = opt(get_dup(net, strings[i].key, strings[i].value));
                if (r < 0)
                        return r;
        }
        return 0;
}

const SpecNetworkAttachment *spec_network_find(const SpecNetwork *n, const char *name) {
        for (size_t i = 0; i < n->n_networks; i++)
                if (streq(n->networks[i].name, name))
                        return &n->networks[i];
        return NULL;
}

int spec_network_add(SpecNetwork *n, const char *name, const char *ip, char *const *aliases) {
        SpecNetworkAttachment a = {}, *v;

        if (spec_network_find(n, name))
                return -EEXIST;
        a.name = strdup(name);
        a.ip = ip ? strdup(ip) : NULL;
        a.aliases = strv_copy(aliases);
        if (!a.name || (ip && !a.ip) || (aliases && !a.aliases)) {
                attachment_done(&a);
                return -ENOMEM;
        }
        v = realloc(n->networks, (n->n_networks + 1) * sizeof(SpecNetworkAttachment));
        if (!v) {
                attachment_done(&a);
                return -ENOMEM;
        }
        n->networks = v;
        n->networks[n->n_networks++] = a;
        return 0;
}

int spec_network_remove(SpecNetwork *n, const char *name) {
        for (size_t i = 0; i < n->n_networks; i++)
                if (streq(n->networks[i].name, name)) {
                        attachment_done(&n->networks[i]);
                        memmove(n->networks + i, n->networks + i + 1,
                                (n->n_networks - i - 1) * sizeof(SpecNetworkAttachment));
                        n->n_networks--;
                        return 0;
                }
        return -ENOENT;
}

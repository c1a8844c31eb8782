/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "bus-names.h"
#include "container-net.h"
#include "container.h"
#include "log.h"
#include "manager.h"
#include "name.h"
#include "network-dbus.h"
#include "polkit.h"
#include "strv.h"

#define NETWORK_POLKIT_ACTION "org.dray1.manage-networks"

/* ---- getters ----------------------------------------------------------------------------------- */

#define DEFINE_GETTER(name, type, expr)                                                         \
        static int property_get_##name(sd_bus *bus, const char *path, const char *interface,    \
                                       const char *property, sd_bus_message *reply,             \
                                       void *userdata, sd_bus_error *error) {                   \
                Network *n _unused_ = userdata;                                                 \
                char buf[NET_SUBNET_STRLEN] _unused_;                                           \
                return sd_bus_message_append(reply, type, expr);                                \
        }

DEFINE_GETTER(name, "s", n->config->name);
DEFINE_GETTER(id, "s", n->config->id);
DEFINE_GETTER(driver, "s", "bridge");
DEFINE_GETTER(bridge, "s", n->config->bridge);
DEFINE_GETTER(subnet, "s", net_subnet_to_string(&n->config->subnet, buf));
DEFINE_GETTER(gateway, "s", net_addr_to_string(&n->config->gateway, buf));
DEFINE_GETTER(subnet6, "s", net_subnet_to_string(&n->config->subnet6, buf));
DEFINE_GETTER(gateway6, "s", net_addr_to_string(&n->config->gateway6, buf));
DEFINE_GETTER(internal, "b", (int) n->config->internal);
DEFINE_GETTER(is_default, "b", (int) streq(n->config->name, DEFAULT_NETWORK_NAME));
DEFINE_GETTER(created_at, "t", n->config->created_usec);

static int property_get_containers(sd_bus *bus, const char *path, const char *interface, const char *property,
                                   sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        _cleanup_strv_free_ char **l = NULL;
        int r;

        r = network_container_names(userdata, &l);
        if (r < 0)
                return r;
        return sd_bus_message_append_strv(reply, l);
}

int bus_container_property_get_network_mode(sd_bus *bus, const char *path, const char *interface,
                                            const char *property, sd_bus_message *reply, void *userdata,
                                            sd_bus_error *error) {
        Container *c = userdata;

        return sd_bus_message_append(reply, "s", strempty(network_mode_to_string(c->spec->net.mode)));
}

int bus_container_property_get_networks(sd_bus *bus, const char *path, const char *interface, const char *property,
                                        sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Container *c = userdata;
        int r;

        r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, "(sss)");
        for (size_t i = 0; r >= 0 && i < c->spec->net.n_networks; i++) {
                const char *name = c->spec->net.networks[i].name;
                const ContainerAttachment *a = container_net_find(c, name);
                char v4[NET_ADDR_STRLEN] = "", v6[NET_ADDR_STRLEN] = "";

                if (a) {
                        (void) net_addr_to_string(&a->addr, v4);
                        (void) net_addr_to_string(&a->addr6, v6);
                }
                r = sd_bus_message_append(reply, "(sss)", name, v4, v6);
        }
        if (r < 0)
                return r;
        return sd_bus_message_close_container(reply);
}

int bus_container_property_get_network_aliases(sd_bus *bus, const char *path, const char *interface,
                                               const char *property, sd_bus_message *reply, void *userdata,
                                               sd_bus_error *error) {
        Container *c = userdata;
        int r;

        r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, "{sas}");
        for (size_t i = 0; r >= 0 && i < c->spec->net.n_networks; i++) {
                r = sd_bus_message_open_container(reply, SD_BUS_TYPE_DICT_ENTRY, "sas");
                if (r >= 0)
                        r = sd_bus_message_append(reply, "s", c->spec->net.networks[i].name);
                if (r >= 0)
                        r = sd_bus_message_append_strv(reply, c->spec->net.networks[i].aliases);
                if (r >= 0)
                        r = sd_bus_message_close_container(reply);
        }
        if (r < 0)
                return r;
        return sd_bus_message_close_container(reply);
}

int bus_container_property_get_ports(sd_bus *bus, const char *path, const char *interface, const char *property,
                                     sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Container *c = userdata;
        int r;

        r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, "(sqqs)");
        for (size_t i = 0; r >= 0 && c->net && i < c->net->n_ports; i++) {
                const NetPort *p = &c->net->ports[i];
                char ip[NET_ADDR_STRLEN];

                r = sd_bus_message_append(reply, "(sqqs)", net_addr_to_string(&p->host_ip, ip), p->host_port,
                                          p->container_port, net_proto_to_string(p->proto));
        }
        if (r < 0)
                return r;
        return sd_bus_message_close_container(reply);
}

/* ---- helpers ----------------------------------------------------------------------------------- */

static int lookup_network(Manager *m, const char *name, Network **ret, sd_bus_error *error) {
        if (manager_find_network(m, name, ret) < 0)
                return sd_bus_error_setf(error, DRAY_ERROR_NO_SUCH_NETWORK,
                                         "No such network '%.64s'.", name);
        return 0;
}

static int lookup_container(Manager *m, const char *s, Container **ret, sd_bus_error *error) {
        int r = manager_find_container(m, s, ret);

        if (r == -ENOTUNIQ)
                return sd_bus_error_setf(error, DRAY_ERROR_AMBIGUOUS_CONTAINER,
                                         "'%.64s' matches several containers; give more of the ID.", s);
        if (r < 0)
                return sd_bus_error_setf(error, DRAY_ERROR_NO_SUCH_CONTAINER,
                                         "No such container '%.64s'.", s);
        return 0;
}

static int authorize(sd_bus_message *message, Manager *m, const char *network, sd_bus_error *error) {
        const char *details[] = { "network", network, NULL };

        return dray_verify_polkit_async(message, NETWORK_POLKIT_ACTION, details, false, m->polkit_registry, error);
}

typedef struct CreateOptions {
        const char *subnet, *gateway, *subnet6, *gateway6;
        int internal;
} CreateOptions;

static int read_create_options(sd_bus_message *message, CreateOptions *o, sd_bus_error *error) {
        const char *key;
        int r;

        r = sd_bus_message_enter_container(message, SD_BUS_TYPE_ARRAY, "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(message, SD_BUS_TYPE_DICT_ENTRY, "sv")) > 0) {
                const char **field = NULL;

                r = sd_bus_message_read(message, "s", &key);
                if (r < 0)
                        return r;
                if (streq(key, "Subnet"))
                        field = &o->subnet;
                else if (streq(key, "Gateway"))
                        field = &o->gateway;
                else if (streq(key, "Subnet6"))
                        field = &o->subnet6;
                else if (streq(key, "Gateway6"))
                        field = &o->gateway6;
                else if (!streq(key, "Internal"))
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Unknown option '%.64s'.", key);
                r = field ? sd_bus_message_read(message, "v", "s", field) : sd_bus_message_read(message, "v", "b", &o->internal);
                if (r < 0)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Option '%s' must be of type '%s'.",
                                                 key, field ? "s" : "b");
                r = sd_bus_message_exit_container(message);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(message);
}

static int parse_create_options(const CreateOptions *o, NetworkCreateArgs *a, sd_bus_error *error) {
        static const char *const names[] = { "Subnet", "Gateway", "Subnet6", "Gateway6" };
        const char *values[] = { o->subnet, o->gateway, o->subnet6, o->gateway6 };

        for (size_t i = 0; i < ELEMENTSOF(values); i++) {
                int r;

                if (isempty(values[i]))
                        continue;
                r = i % 2 == 0 ? net_subnet_parse(values[i], i == 0 ? &a->subnet : &a->subnet6)
                               : net_addr_parse(values[i], i == 1 ? &a->gateway : &a->gateway6);
                if (r >= 0 && (i < 2) != ((i % 2 == 0 ? (i == 0 ? a->subnet.addr.family : a->subnet6.addr.family)
                                                       : (i == 1 ? a->gateway.family : a->gateway6.family)) == AF_INET))
                        r = -EAFNOSUPPORT;
                if (r < 0)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Invalid option '%s': '%.64s' is not an %s %s.", names[i], values[i],
                                                 i < 2 ? "IPv4" : "IPv6", i % 2 == 0 ? "subnet in CIDR form" : "address");
        }
        if ((a->gateway.family && !a->subnet.addr.family) || (a->gateway6.family && !a->subnet6.addr.family))
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "A gateway needs its subnet.");
        a->internal = o->internal;
        return 0;
}

/* ---- handlers ---------------------------------------------------------------------------------- */

int bus_manager_method_create_network(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        CreateOptions o = {};
        NetworkCreateArgs a = {};
        _cleanup_(dray_error_done) DrayError e = {};
        const char *name;
        Network *n;
        int r;

        r = sd_bus_message_read(message, "s", &name);
        if (r < 0)
                return r;
        r = read_create_options(message, &o, error);
        if (r < 0)
                return r;
        if (!container_name_is_valid(name) || streq(name, "none") || streq(name, "host") || streq(name, "bridge"))
                return sd_bus_error_setf(error, DRAY_ERROR_INVALID_NAME,
                                         "Invalid network name '%.64s': use 1-63 of a-z, A-Z, 0-9, '_', '.' and '-', "
                                         "starting with a letter or digit; not 'none', 'host' or 'bridge'.", name);
        r = parse_create_options(&o, &a, error);
        if (r < 0)
                return r;
        if (manager_find_network(m, name, &n) >= 0)
                return sd_bus_error_setf(error, DRAY_ERROR_NETWORK_EXISTS, "A network named '%s' exists already.", name);
        r = authorize(message, m, name, error);
        if (r < 0)
                return r;
        if (r == 0)
                return 1;

        a.name = name;
        r = network_create(m, &a, &e, &n);
        if (r >= 0)
                (void) manager_update_firewall(m);
        if (r == -EEXIST)
                return sd_bus_error_setf(error, DRAY_ERROR_NETWORK_EXISTS, "A network named '%s' exists already.", name);
        if (r == -EADDRINUSE)
                return sd_bus_error_setf(error, DRAY_ERROR_ADDRESS_IN_USE, "Cannot create network '%s': %s.", name,
                                         dray_error_message(&e, r));
        if (r == -EINVAL)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Cannot create network '%s': %s.", name,
                                         dray_error_message(&e, r));
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to create network '%s': %s", name,
                                               dray_error_message(&e, r));
        log_info("Created network %s (%s on %s).", name,
                 net_subnet_to_string(&n->config->subnet, (char[NET_SUBNET_STRLEN]) {}), n->config->bridge);
        return sd_bus_reply_method_return(message, "o", n->path);
}

int bus_manager_method_remove_network(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *name;
        Network *n;
        int r;

        r = sd_bus_message_read(message, "s", &name);
        if (r < 0)
                return r;
        r = lookup_network(m, name, &n, error);
        if (r < 0)
                return r;
        r = authorize(message, m, name, error);
        if (r < 0)
                return r;
        if (r == 0)
                return 1;
        /* The default network's answer first, as before the check moved here (network.c is below the
         * containers: it cannot ask them). */
        if (!streq(n->config->name, DEFAULT_NETWORK_NAME) && network_in_use(n))
                r = -EBUSY;
        else
                r = network_remove(n);
        if (r >= 0)
                (void) manager_update_firewall(m);
        if (r == -EPERM)
                return sd_bus_error_setf(error, DRAY_ERROR_NETWORK_IN_USE,
                                         "Network '%s' is the default network and cannot be removed.", name);
        if (r == -EBUSY)
                return sd_bus_error_setf(error, DRAY_ERROR_NETWORK_IN_USE,
                                         "Network '%s' is used by running containers; stop or disconnect them first.",
                                         name);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to remove network '%s': %m", name);
        log_info("Removed network %s.", name);
        return sd_bus_reply_method_return(message, NULL);
}

static int compare_names(const void *a, const void *b) {
        return strcmp((*(Network *const *) a)->config->name, (*(Network *const *) b)->config->name);
}

int bus_manager_method_list_networks(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ Network **v = NULL;
        Manager *m = userdata;
        size_t k = 0;
        Network *n;
        int r;

        v = calloc(hashmap_size(m->networks_by_name) + 1, sizeof(Network *));
        if (!v)
                return -ENOMEM;
        HASHMAP_FOREACH(n, m->networks_by_name)
                v[k++] = n;
        qsort(v, k, sizeof(Network *), compare_names);
        r = sd_bus_message_new_method_return(message, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, "(sssssbo)");
        for (size_t i = 0; r >= 0 && i < k; i++) {
                char s[NET_SUBNET_STRLEN], s6[NET_SUBNET_STRLEN];

                r = sd_bus_message_append(reply, "(sssssbo)", v[i]->config->name, v[i]->config->id,
                                          net_subnet_to_string(&v[i]->config->subnet, s),
                                          net_subnet_to_string(&v[i]->config->subnet6, s6), v[i]->config->bridge,
                                          (int) v[i]->config->internal, v[i]->path);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

int bus_manager_method_get_network(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        const char *name;
        Network *n;
        int r;

        r = sd_bus_message_read(message, "s", &name);
        if (r < 0)
                return r;
        r = lookup_network(userdata, name, &n, error);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(message, "o", n->path);
}

static int read_connect_options(sd_bus_message *message, const char **ip, char ***aliases, sd_bus_error *error) {
        const char *key;
        int r;

        r = sd_bus_message_enter_container(message, SD_BUS_TYPE_ARRAY, "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(message, SD_BUS_TYPE_DICT_ENTRY, "sv")) > 0) {
                r = sd_bus_message_read(message, "s", &key);
                if (r < 0)
                        return r;
                if (streq(key, "IPAddress"))
                        r = sd_bus_message_read(message, "v", "s", ip);
                else if (streq(key, "NetworkAliases")) {
                        r = sd_bus_message_enter_container(message, SD_BUS_TYPE_VARIANT, "as");
                        if (r >= 0)
                                r = sd_bus_message_read_strv(message, aliases);
                        if (r >= 0)
                                r = sd_bus_message_exit_container(message);
                } else
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Unknown option '%.64s'.", key);
                if (r < 0)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Option '%s' has the wrong type.", key);
                r = sd_bus_message_exit_container(message);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(message);
}

int bus_manager_method_connect_container(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_strv_free_ char **aliases = NULL;
        _cleanup_(dray_error_done) DrayError e = {};
        const char *network, *container, *ip = NULL;
        Manager *m = userdata;
        Container *c;
        Network *n;
        NetAddr addr;
        int r;

        r = sd_bus_message_read(message, "ss", &network, &container);
        if (r < 0)
                return r;
        r = read_connect_options(message, &ip, &aliases, error);
        if (r < 0)
                return r;
        if (ip && (net_addr_parse(ip, &addr) < 0 || addr.family != AF_INET))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "'%.64s' is not an IPv4 address.", ip);
        STRV_FOREACH(a, aliases)
                if (!container_name_is_valid(*a) || strv_length(aliases) > 64)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Invalid alias '%.64s'.", *a);
        r = lookup_network(m, network, &n, error);
        if (r < 0)
                return r;
        r = lookup_container(m, container, &c, error);
        if (r < 0)
                return r;
        r = authorize(message, m, network, error);
        if (r < 0)
                return r;
        if (r == 0)
                return 1;
        r = container_net_connect(c, n, ip, aliases, &e);
        if (r == -EADDRINUSE)
                return sd_bus_error_setf(error, DRAY_ERROR_ADDRESS_IN_USE, "Cannot connect '%s': %s.", c->spec->name,
                                         dray_error_message(&e, r));
        if (r < 0)
                return sd_bus_error_setf(error, r == -EINVAL || r == -EEXIST ? SD_BUS_ERROR_INVALID_ARGS : SD_BUS_ERROR_FAILED,
                                         "Cannot connect '%s' to '%s': %s.", c->spec->name, network,
                                         dray_error_message(&e, r));
        container_bus_send_changed(c);
        return sd_bus_reply_method_return(message, NULL);
}

int bus_manager_method_disconnect_container(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        const char *network, *container;
        Manager *m = userdata;
        Container *c;
        Network *n;
        int force, r;

        r = sd_bus_message_read(message, "ssb", &network, &container, &force);
        if (r < 0)
                return r;
        r = lookup_network(m, network, &n, error);
        if (r < 0)
                return r;
        r = lookup_container(m, container, &c, error);
        if (r < 0)
                return r;
        if (!spec_network_find(&c->spec->net, network))
                return sd_bus_error_setf(error, DRAY_ERROR_NOT_CONNECTED, "Container '%s' is not on network '%s'.",
                                         c->spec->name, network);
        r = authorize(message, m, network, error);
        if (r < 0)
                return r;
        if (r == 0)
                return 1;
        r = container_net_disconnect(c, n);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to disconnect '%s' from '%s': %m", c->spec->name,
                                               network);
        container_bus_send_changed(c);
        return sd_bus_reply_method_return(message, NULL);
}

/* ---- object_find, enumerator ------------------------------------------------------------------- */

int network_bus_path(const char *name, char **ret) {
        return sd_bus_path_encode(DRAY_NETWORK_PATH_PREFIX, name, ret);
}

static int network_object_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                               sd_bus_error *error) {
        _cleanup_free_ char *name = NULL;
        Manager *m = userdata;
        Network *n;
        int r;

        r = sd_bus_path_decode(path, DRAY_NETWORK_PATH_PREFIX, &name);
        if (r <= 0)
                return r;
        if (manager_find_network(m, name, &n) < 0)
                return 0;
        *found = n;
        return 1;
}

static int network_node_enumerator(sd_bus *bus, const char *path, void *userdata, char ***nodes, sd_bus_error *error) {
        _cleanup_strv_free_ char **l = NULL;
        Manager *m = userdata;
        Network *n;
        int r;

        HASHMAP_FOREACH(n, m->networks_by_name) {
                r = strv_extend(&l, n->path);
                if (r < 0)
                        return r;
        }
        *nodes = TAKE_PTR(l);
        return 1;
}

/* ---- vtable ------------------------------------------------------------------------------------ */

#define CONST_PROPERTY(name, sig, getter) SD_BUS_PROPERTY(name, sig, getter, 0, SD_BUS_VTABLE_PROPERTY_CONST)

static const sd_bus_vtable network_vtable[] = {
        SD_BUS_VTABLE_START(0),
        CONST_PROPERTY("Name", "s", property_get_name),
        CONST_PROPERTY("Id", "s", property_get_id),
        CONST_PROPERTY("Driver", "s", property_get_driver),
        CONST_PROPERTY("Bridge", "s", property_get_bridge),
        CONST_PROPERTY("Subnet", "s", property_get_subnet),
        CONST_PROPERTY("Gateway", "s", property_get_gateway),
        CONST_PROPERTY("Subnet6", "s", property_get_subnet6),
        CONST_PROPERTY("Gateway6", "s", property_get_gateway6),
        CONST_PROPERTY("Internal", "b", property_get_internal),
        CONST_PROPERTY("Default", "b", property_get_is_default),
        CONST_PROPERTY("CreatedAt", "t", property_get_created_at),
        /* Changes with every create, connect and removal: read it when needed, no signal. */
        SD_BUS_PROPERTY("Containers", "as", property_get_containers, 0, 0),
        SD_BUS_VTABLE_END,
};

const BusObjectImplementation network_object = {
        .path = DRAY_NETWORK_PATH_PREFIX,
        .interface = DRAY_NETWORK_INTERFACE,
        .fallback_vtables = (const BusFallbackVtable[]) { { network_vtable, network_object_find }, {} },
        .node_enumerator = network_node_enumerator,
};

/* ---- signals ----------------------------------------------------------------------------------- */

void network_bus_send_new(Network *n) {
        Manager *m = n->manager;
        int r;

        if (!m->bus)
                return;
        r = sd_bus_emit_object_added(m->bus, n->path);
        if (r < 0)
                log_debug_errno(r, "Failed to announce network %s, ignoring: %m", n->config->name);
}

void network_bus_send_removed(Network *n) {
        Manager *m = n->manager;
        int r;

        if (!m->bus)
                return;
        r = sd_bus_emit_object_removed(m->bus, n->path);
        if (r < 0)
                log_debug_errno(r, "Failed to announce the removal of network %s, ignoring: %m", n->config->name);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "bus-names.h"
#include "container-net-options.h"
#include "manager.h"
#include "name.h"
#include "net-port.h"
#include "network.h"
#include "strv.h"

#define OPTION_LIST_MAX 1024U

static int invalid(sd_bus_error *error, const char *key, const char *what, const char *value) {
        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Invalid option '%s': '%.128s' is not %s.", key,
                                 value, what);
}

/* networks[0], created without a name when IPAddress or NetworkAliases come before Network. */
static SpecNetworkAttachment *first_attachment(ContainerSpec *s) {
        if (s->net.n_networks == 0) {
                s->net.networks = calloc(1, sizeof(SpecNetworkAttachment));
                if (!s->net.networks)
                        return NULL;
                s->net.n_networks = 1;
        }
        return &s->net.networks[0];
}

int container_option_network(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        SpecNetworkAttachment *a;
        const char *v;
        int r;

        r = sd_bus_message_read(m, "s", &v);
        if (r < 0)
                return r;
        if (streq(v, "none") || streq(v, "host")) {
                s->net.mode = network_mode_from_string(v);
                return 0;
        }
        if (!container_name_is_valid(v))
                return invalid(error, key, "'none', 'host' or a network name", v);
        s->net.mode = NETWORK_MODE_BRIDGE;
        a = first_attachment(s);
        if (!a)
                return -ENOMEM;
        free(a->name);
        a->name = strdup(v);
        return a->name ? 0 : -ENOMEM;
}

int container_option_ip_address(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        SpecNetworkAttachment *a;
        const char *v;
        NetAddr addr;
        int r;

        r = sd_bus_message_read(m, "s", &v);
        if (r < 0)
                return r;
        if (net_addr_parse(v, &addr) < 0 || addr.family != AF_INET)
                return invalid(error, key, "an IPv4 address", v);
        a = first_attachment(s);
        if (!a)
                return -ENOMEM;
        free(a->ip);
        a->ip = strdup(v);
        return a->ip ? 0 : -ENOMEM;
}

static int read_list(sd_bus_message *m, const char *key, char ***ret, sd_bus_error *error) {
        _cleanup_strv_free_ char **l = NULL;
        int r;

        r = sd_bus_message_read_strv(m, &l);
        if (r < 0)
                return r;
        if (strv_length(l) > OPTION_LIST_MAX)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Invalid option '%s': more than %u entries.",
                                         key, OPTION_LIST_MAX);
        *ret = TAKE_PTR(l);
        return 0;
}

int container_option_network_aliases(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        _cleanup_strv_free_ char **l = NULL;
        SpecNetworkAttachment *a;
        int r;

        r = read_list(m, key, &l, error);
        if (r < 0)
                return r;
        STRV_FOREACH(v, l)
                if (!container_name_is_valid(*v))
                        return invalid(error, key, "a valid name (1-63 of a-z, A-Z, 0-9, '_', '.', '-')", *v);
        a = first_attachment(s);
        if (!a)
                return -ENOMEM;
        strv_free(a->aliases);
        a->aliases = TAKE_PTR(l);
        return 0;
}

static bool port_is_valid(const char *s) {
        NetPort p;

        return net_port_parse(s, &p) >= 0;
}

static bool exposed_port_is_valid(const char *s) {
        uint16_t port;
        NetProto proto;

        return net_exposed_port_parse(s, &port, &proto) >= 0;
}

static bool address_is_valid(const char *s) {
        NetAddr a;

        return net_addr_parse(s, &a) >= 0;
}

/* An "as" whose every entry valid() accepts, into *field. */
static int parse_checked_list(sd_bus_message *m, const char *key, bool (*valid)(const char *s), const char *what,
                              char ***field, sd_bus_error *error) {
        _cleanup_strv_free_ char **l = NULL;
        int r;

        r = read_list(m, key, &l, error);
        if (r < 0)
                return r;
        STRV_FOREACH(v, l)
                if (!valid(*v))
                        return invalid(error, key, what, *v);
        strv_free(*field);
        *field = TAKE_PTR(l);
        return 0;
}

int container_option_publish_ports(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        return parse_checked_list(m, key, port_is_valid, "a port in the form [IP:][HOSTPORT:]PORT[/tcp|/udp]",
                                  &s->net.publish, error);
}

int container_option_exposed_ports(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        return parse_checked_list(m, key, exposed_port_is_valid, "a port in the form PORT[/tcp|/udp]",
                                  &s->net.exposed_ports, error);
}

int container_option_dns(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        return parse_checked_list(m, key, address_is_valid, "an IP address", &s->net.dns, error);
}

/* A domain for the search line: DNS labels of [A-Za-z0-9-_] joined by dots, at most 253. */
static bool search_domain_is_valid(const char *s) {
        size_t n = strlen(s);

        return n > 0 && n <= 253 && s[0] != '.' && s[0] != '-' &&
                strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == n &&
                !strstr(s, "..");
}

/* A resolv.conf option word: ndots:2, edns0, timeout:1, rotate, ... */
static bool dns_option_is_valid(const char *s) {
        size_t n = strlen(s);

        return n > 0 && n <= 64 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_:.") == n;
}

/* "NAME:IP" (docker's --add-host HOST:IP), NAME a host name, IP an IPv4 or IPv6 address. */
static bool extra_host_is_valid(const char *s) {
        const char *colon = strchr(s, ':');
        _cleanup_free_ char *name = colon ? strndup(s, (size_t) (colon - s)) : NULL;

        return name && search_domain_is_valid(name) && address_is_valid(colon + 1);
}

int container_option_dns_search(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        return parse_checked_list(m, key, search_domain_is_valid, "a domain name", &s->net.dns_search, error);
}

int container_option_dns_options(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        return parse_checked_list(m, key, dns_option_is_valid, "a resolv.conf option such as ndots:2",
                                  &s->net.dns_options, error);
}

int container_option_extra_hosts(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        return parse_checked_list(m, key, extra_host_is_valid, "NAME:IP", &s->net.extra_hosts, error);
}

int container_option_publish_all(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        int b, r;

        r = sd_bus_message_read(m, "b", &b);
        if (r < 0)
                return r;
        s->net.publish_all = b;
        return 0;
}

static int check_first_network(Manager *m, ContainerSpec *s, sd_bus_error *error) {
        SpecNetworkAttachment *a = &s->net.networks[0];
        Network *n;
        NetAddr addr;
        uint64_t off;

        if (!a->name) {
                a->name = strdup(DEFAULT_NETWORK_NAME);
                if (!a->name)
                        return -ENOMEM;
        }
        if (manager_find_network(m, a->name, &n) < 0)
                return sd_bus_error_setf(error, DRAY_ERROR_NO_SUCH_NETWORK,
                                         "No such network '%s'.", a->name);
        if (a->ip && (net_addr_parse(a->ip, &addr) < 0 || net_subnet_offset(&n->config->subnet, &addr, &off) < 0 ||
                      net_addr_equal(&addr, &n->config->gateway)))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Invalid option 'IPAddress': %s is not a free host address of network '%s' (%s).",
                                         a->ip, a->name, net_subnet_to_string(&n->config->subnet, (char[NET_SUBNET_STRLEN]) {}));
        return 0;
}

int container_net_options_finish(Manager *m, ContainerSpec *s, sd_bus_error *error) {
        int r;

        if (s->net.mode < 0)
                s->net.mode = m->rtnl ? NETWORK_MODE_BRIDGE : NETWORK_MODE_NONE;
        if (s->net.mode != NETWORK_MODE_BRIDGE) {
                if (s->net.n_networks > 0)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Options 'IPAddress' and 'NetworkAliases' need a bridge network, not "
                                                 "network mode '%s'.", network_mode_to_string(s->net.mode));
                if (s->net.publish || s->net.publish_all)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Published ports need a bridge network, not network mode '%s'.",
                                                 network_mode_to_string(s->net.mode));
                return 0;
        }
        if (!m->rtnl)
                return sd_bus_error_set(error, SD_BUS_ERROR_NOT_SUPPORTED, "Networking is disabled in this drayd.");
        if (!first_attachment(s))
                return -ENOMEM;
        r = check_first_network(m, s, error);
        if (r < 0)
                return r;
        free(s->net.netns_path);
        free(s->net.etc_dir);
        s->net.etc_dir = NULL;
        if (asprintf(&s->net.netns_path, "%s/netns/%s", m->runtime_dir, s->id) < 0 ||
            asprintf(&s->net.etc_dir, "%s/containers/%s/etc", m->runtime_dir, s->id) < 0)
                return -ENOMEM;
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "container-dbus.h"
#include "container-net.h"
#include "container.h"
#include "json-util.h"
#include "log.h"
#include "manager.h"
#include "net-hosts.h"
#include "net-netns.h"
#include "network.h"
#include "rm-rf.h"
#include "strv.h"

#define HOST_RESOLV_CONF "/etc/resolv.conf"
#define RESOLV_CONF_MAX (64U * 1024U)

ContainerNet *container_net_free(ContainerNet *n) {
        if (!n)
                return NULL;
        for (size_t i = 0; i < n->n_attachments; i++)
                free(n->attachments[i].network);
        free(n->attachments);
        free(n->ports);
        free(n);
        return NULL;
}

const ContainerAttachment *container_net_find(const Container *c, const char *network) {
        for (size_t i = 0; c->net && i < c->net->n_attachments; i++)
                if (streq(c->net->attachments[i].network, network))
                        return &c->net->attachments[i];
        return NULL;
}

static int set_message(char **ret, const char *fmt, ...) _printf_(2, 3);
static int set_message(char **ret, const char *fmt, ...) {
        va_list ap;

        if (!ret)
                return 0;
        free(*ret);
        va_start(ap, fmt);
        if (vasprintf(ret, fmt, ap) < 0)
                *ret = NULL;
        va_end(ap);
        return 0;
}

/* ---- network.json ------------------------------------------------------------------------------ */

static int attachment_to_json(const ContainerAttachment *a, json_object **ret) {
        _cleanup_json_ json_object *o = json_object_new_object();
        char buf[NET_ADDR_STRLEN];
        int r;

        if (!o)
                return -ENOMEM;
        r = json_add_string(o, "network", a->network);
        r = r < 0 ? r : json_add_string(o, "ifname", a->ifname);
        r = r < 0 ? r : json_add_string(o, "veth", a->veth);
        r = r < 0 ? r : json_add_string(o, "ipv4", net_addr_to_string(&a->addr, buf));
        if (a->addr6.family)
                r = r < 0 ? r : json_add_string(o, "ipv6", net_addr_to_string(&a->addr6, buf));
        if (r < 0)
                return r;
        *ret = TAKE_PTR(o);
        return 0;
}

static int array_add(json_object *a, json_object *e) {
        if (json_object_array_add(a, e) < 0) {
                json_object_put(e);
                return -ENOMEM;
        }
        return 0;
}

static int container_net_save(Container *c) {
        _cleanup_json_ json_object *o = json_object_new_object(), *atts = json_object_new_array(),
                                   *ports = json_object_new_array();
        _cleanup_close_ int fd = -EBADF;
        int r = 0;

        if (!o || !atts || !ports)
                return -ENOMEM;
        for (size_t i = 0; r >= 0 && i < c->net->n_attachments; i++) {
                json_object *e = NULL;

                r = attachment_to_json(&c->net->attachments[i], &e);
                r = r < 0 ? r : array_add(atts, e);
        }
        for (size_t i = 0; r >= 0 && i < c->net->n_ports; i++) {
                _cleanup_free_ char *s = NULL;

                r = net_port_format(&c->net->ports[i], &s);
                r = r < 0 ? r : array_add(ports, json_object_new_string(s));
        }
        if (r < 0)
                return r;
        if (json_object_object_add(o, "attachments", TAKE_PTR(atts)) < 0 ||
            json_object_object_add(o, "ports", TAKE_PTR(ports)) < 0)
                return -ENOMEM;
        fd = openat(c->manager->containers_fd, c->spec->id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        /* Durable: after a power loss nothing runs, but after a crash of drayd alone the next one reads
         * it to know which ports to forward and what to tear down. */
        return json_write_atomic(fd, CONTAINER_NET_FILE, o);
}

/* "IP:HOSTPORT->PORT/proto" as net_port_format() writes it. */
static int port_from_saved(const char *s, NetPort *ret) {
        _cleanup_free_ char *copy = strdup(s);
        char *arrow;

        if (!copy)
                return -ENOMEM;
        arrow = strstr(copy, "->");
        if (!arrow)
                return -EBADMSG;
        *arrow = ':';
        memmove(arrow + 1, arrow + 2, strlen(arrow + 2) + 1);
        return net_port_parse(copy, ret) < 0 ? -EBADMSG : 0;
}

static int attachment_from_json(json_object *e, ContainerAttachment *a) {
        const char *network, *ifname, *veth, *ip, *ip6 = NULL;
        int r;

        r = json_get_string(e, "network", &network);
        r = r < 0 ? r : json_get_string(e, "ifname", &ifname);
        r = r < 0 ? r : json_get_string(e, "veth", &veth);
        r = r < 0 ? r : json_get_string(e, "ipv4", &ip);
        if (r < 0)
                return -EBADMSG;
        (void) json_get_string(e, "ipv6", &ip6);
        if (strlen(ifname) >= IFNAMSIZ || strlen(veth) >= IFNAMSIZ || net_addr_parse(ip, &a->addr) < 0 ||
            (ip6 && net_addr_parse(ip6, &a->addr6) < 0))
                return -EBADMSG;
        strcpy(a->ifname, ifname);
        strcpy(a->veth, veth);
        a->network = strdup(network);
        return a->network ? 0 : -ENOMEM;
}

int container_net_load(Container *c) {
        _cleanup_(container_net_freep) ContainerNet *n = calloc(1, sizeof(ContainerNet));
        _cleanup_json_ json_object *o = NULL;
        _cleanup_close_ int fd = -EBADF;
        json_object *atts, *ports;
        int r;

        if (!n)
                return -ENOMEM;
        fd = openat(c->manager->containers_fd, c->spec->id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        r = json_read_file(fd, CONTAINER_NET_FILE, &o);
        if (r < 0)
                return r;
        if (!json_object_object_get_ex(o, "attachments", &atts) || !json_object_is_type(atts, json_type_array) ||
            !json_object_object_get_ex(o, "ports", &ports) || !json_object_is_type(ports, json_type_array) ||
            json_object_array_length(atts) > 64 || json_object_array_length(ports) > 65536)
                return -EBADMSG;
        n->attachments = calloc(json_object_array_length(atts) + 1, sizeof(ContainerAttachment));
        n->ports = calloc(json_object_array_length(ports) + 1, sizeof(NetPort));
        if (!n->attachments || !n->ports)
                return -ENOMEM;
        for (size_t i = 0; i < json_object_array_length(atts); i++) {
                r = attachment_from_json(json_object_array_get_idx(atts, i), &n->attachments[i]);
                if (r < 0)
                        return r;
                n->n_attachments++;
        }
        for (size_t i = 0; i < json_object_array_length(ports); i++) {
                const char *s = json_object_get_string(json_object_array_get_idx(ports, i));

                r = port_from_saved(strempty(s), &n->ports[n->n_ports]);
                if (r < 0)
                        return r;
                n->n_ports++;
        }
        container_net_free(c->net);
        c->net = TAKE_PTR(n);
        return 0;
}

/* ---- generated files --------------------------------------------------------------------------- */

static int etc_dir_open(Container *c, bool create) {
        const char *dir = c->spec->net.etc_dir;

        if (isempty(dir))
                return -ENOENT;
        /* <runtime>/containers/<id>/etc: the monitor makes the same parents, with the same modes. */
        if (create && mkdirat(c->manager->runtime_containers_fd, c->spec->id, 0700) < 0 && errno != EEXIST)
                return -errno;
        if (create && mkdir(dir, 0755) < 0 && errno != EEXIST)
                return -errno;
        return RET_NERRNO(open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
}

/* The file is bind-mounted into the running container: rewrite the same inode (write, then cut to
 * length), never replace it, or the container would keep seeing the old one. A reader may see a
 * mix for a moment, as with Docker's hosts file; never an empty file. */
static int write_in_place(int dir_fd, const char *name, const char *text) {
        _cleanup_close_ int fd = -EBADF;
        size_t len = strlen(text);
        ssize_t n;

        fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        n = pwrite(fd, text, len, 0);
        if (n < 0)
                return -errno;
        if ((size_t) n != len)
                return -EIO;
        return RET_NERRNO(ftruncate(fd, (off_t) len));
}

static int peers_of(Container *c, NetHostEntry **ret, size_t *ret_n) {
        NetHostEntry *v = NULL;
        size_t n = 0;
        Container *p;

        /* p->net is set exactly while p's plumbing exists: from setup (before p is "starting") to
         * teardown. */
        HASHMAP_FOREACH(p, c->manager->containers_by_id) {
                if (p == c || !p->net)
                        continue;
                for (size_t i = 0; i < p->net->n_attachments; i++) {
                        const ContainerAttachment *a = &p->net->attachments[i];
                        const SpecNetworkAttachment *sa = spec_network_find(&p->spec->net, a->network);
                        NetHostEntry *w;

                        if (!container_net_find(c, a->network))
                                continue;
                        w = realloc(v, (n + 1) * sizeof(NetHostEntry));
                        if (!w) {
                                free(v);
                                return -ENOMEM;
                        }
                        v = w;
                        v[n++] = (NetHostEntry) { .addr = a->addr, .name = p->spec->name,
                                                  .aliases = sa ? sa->aliases : NULL };
                }
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

static int container_net_write_hosts(Container *c) {
        _cleanup_free_ NetHostEntry *self = NULL, *peers = NULL;
        _cleanup_free_ char *text = NULL;
        _cleanup_close_ int dir = -EBADF;
        size_t n_peers = 0;
        int r;

        dir = etc_dir_open(c, false);
        if (dir < 0)
                return dir;
        self = calloc(c->net->n_attachments + 1, sizeof(NetHostEntry));
        if (!self)
                return -ENOMEM;
        for (size_t i = 0; i < c->net->n_attachments; i++) {
                const SpecNetworkAttachment *sa = spec_network_find(&c->spec->net, c->net->attachments[i].network);

                self[i] = (NetHostEntry) { .addr = c->net->attachments[i].addr, .name = c->spec->name,
                                           .aliases = sa ? sa->aliases : NULL };
        }
        r = peers_of(c, &peers, &n_peers);
        if (r < 0)
                return r;
        r = net_hosts_build(c->spec->hostname ?: c->spec->name, self, c->net->n_attachments, peers, n_peers, &text);
        if (r < 0)
                return r;
        return write_in_place(dir, "hosts", text);
}

/* Every running container that shares a network with c gets its hosts file rewritten. */
static void update_peers(Container *c, char **networks) {
        Container *p;
        int r;

        HASHMAP_FOREACH(p, c->manager->containers_by_id) {
                bool shares = false;

                if (p == c || !p->net)
                        continue;
                STRV_FOREACH(nw, networks)
                        if (container_net_find(p, *nw))
                                shares = true;
                if (!shares)
                        continue;
                r = container_net_write_hosts(p);
                if (r < 0)
                        log_warning_errno(r, "Failed to update /etc/hosts of container %s, ignoring: %m", p->spec->name);
        }
}

static char **attached_networks(Container *c) {
        char **l = NULL;

        for (size_t i = 0; c->net && i < c->net->n_attachments; i++)
                if (strv_extend(&l, c->net->attachments[i].network) < 0)
                        break;
        return l;
}

static int read_host_resolv_conf(char **ret) {
        _cleanup_close_ int fd = open(HOST_RESOLV_CONF, O_RDONLY | O_CLOEXEC);
        _cleanup_free_ char *buf = NULL;
        ssize_t n;

        buf = calloc(1, RESOLV_CONF_MAX + 1);
        if (!buf)
                return -ENOMEM;
        if (fd >= 0) {
                n = read(fd, buf, RESOLV_CONF_MAX);
                if (n < 0)
                        return -errno;
        }
        *ret = TAKE_PTR(buf);
        return 0;
}

static int write_static_files(Container *c) {
        _cleanup_free_ char *host = NULL, *resolv = NULL, *hostname = NULL;
        _cleanup_close_ int dir = -EBADF;
        int r;

        dir = etc_dir_open(c, true);
        if (dir < 0)
                return dir;
        if (asprintf(&hostname, "%s\n", c->spec->hostname ?: c->spec->name) < 0)
                return -ENOMEM;
        r = write_in_place(dir, "hostname", hostname);
        if (r < 0)
                return r;
        r = read_host_resolv_conf(&host);
        if (r < 0)
                return r;
        r = net_resolv_conf_build(host, c->spec->net.dns, &resolv);
        if (r < 0)
                return r;
        return write_in_place(dir, "resolv.conf", resolv);
}

/* ---- ports ------------------------------------------------------------------------------------- */

static bool ports_clash(const NetPort *a, const NetPort *b) {
        return a->proto == b->proto && a->host_port == b->host_port &&
               (!net_addr_is_set(&a->host_ip) || !net_addr_is_set(&b->host_ip) ||
                net_addr_equal(&a->host_ip, &b->host_ip));
}

static Container *port_owner(Container *c, const NetPort *p) {
        Container *o;

        HASHMAP_FOREACH(o, c->manager->containers_by_id)
                for (size_t i = 0; o->net && i < o->net->n_ports; i++)
                        if (ports_clash(&o->net->ports[i], p))
                                return o;
        return NULL;
}

/* Binds the port on the host to see whether something else holds it; with port 0 the kernel picks a
 * free one, which is returned. */
static int probe_port(const NetPort *p, uint16_t *ret) {
        struct sockaddr_storage ss = {};
        socklen_t len;
        _cleanup_close_ int fd = -EBADF;
        int family = p->host_ip.family == AF_INET6 ? AF_INET6 : AF_INET;

        fd = socket(family, (p->proto == NET_PROTO_UDP ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (family == AF_INET6) {
                struct sockaddr_in6 *s6 = (struct sockaddr_in6 *) &ss;

                s6->sin6_family = AF_INET6;
                s6->sin6_port = htons(p->host_port);
                memcpy(&s6->sin6_addr, p->host_ip.bytes, 16);
                len = sizeof(*s6);
        } else {
                struct sockaddr_in *s4 = (struct sockaddr_in *) &ss;

                s4->sin_family = AF_INET;
                s4->sin_port = htons(p->host_port);
                if (net_addr_is_set(&p->host_ip))
                        memcpy(&s4->sin_addr, p->host_ip.bytes, 4);
                len = sizeof(*s4);
        }
        if (bind(fd, (struct sockaddr *) &ss, len) < 0)
                return -errno;
        len = sizeof(ss);
        if (getsockname(fd, (struct sockaddr *) &ss, &len) < 0)
                return -errno;
        *ret = ntohs(family == AF_INET6 ? ((struct sockaddr_in6 *) &ss)->sin6_port
                                        : ((struct sockaddr_in *) &ss)->sin_port);
        return 0;
}

static int add_port(Container *c, NetPort p, char **ret_message) {
        char buf[NET_ADDR_STRLEN];
        Container *owner;
        NetPort *v;
        int r;

        for (unsigned attempt = 0;; attempt++) {
                NetPort probe = p;
                uint16_t port = 0;

                r = probe_port(&probe, &port);
                if (r == -EADDRINUSE || r == -EADDRNOTAVAIL)
                        return set_message(ret_message, "host port %s:%u/%s is not available: %s",
                                           net_addr_is_set(&p.host_ip) ? net_addr_to_string(&p.host_ip, buf) : "0.0.0.0",
                                           p.host_port, net_proto_to_string(p.proto), strerror(-r)), -EADDRNOTAVAIL;
                if (r < 0)
                        return set_message(ret_message, "failed to check host port %u: %s", p.host_port,
                                           strerror(-r)), r;
                probe.host_port = port;
                owner = port_owner(c, &probe);
                if (!owner) {
                        p.host_port = port;
                        break;
                }
                if (p.host_port != 0 || attempt > 16)
                        return set_message(ret_message, "host port %u/%s is published by container '%s' already",
                                           port, net_proto_to_string(p.proto), owner->spec->name), -EADDRNOTAVAIL;
        }
        v = realloc(c->net->ports, (c->net->n_ports + 1) * sizeof(NetPort));
        if (!v)
                return -ENOMEM;
        c->net->ports = v;
        c->net->ports[c->net->n_ports++] = p;
        return 0;
}

static int setup_ports(Container *c, char **ret_message) {
        int r;

        STRV_FOREACH(s, c->spec->net.publish) {
                NetPort p;

                r = net_port_parse(*s, &p);
                if (r < 0)
                        return set_message(ret_message, "invalid published port '%s'", *s), -EINVAL;
                r = add_port(c, p, ret_message);
                if (r < 0)
                        return r;
        }
        if (!c->spec->net.publish_all)
                return 0;
        STRV_FOREACH(s, c->spec->net.exposed_ports) {
                NetPort p = {};
                bool published = false;

                if (net_exposed_port_parse(*s, &p.container_port, &p.proto) < 0)
                        continue;
                for (size_t i = 0; i < c->net->n_ports; i++)
                        if (c->net->ports[i].container_port == p.container_port && c->net->ports[i].proto == p.proto)
                                published = true;
                if (published)
                        continue;
                r = add_port(c, p, ret_message);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- links ------------------------------------------------------------------------------------- */

static int next_ifindex_number(Container *c) {
        for (int k = 0; k < 64; k++) {
                char name[IFNAMSIZ];
                bool used = false;

                (void) snprintf(name, sizeof(name), "eth%d", k);
                for (size_t i = 0; c->net && i < c->net->n_attachments; i++)
                        if (streq(c->net->attachments[i].ifname, name))
                                used = true;
                if (!used)
                        return k;
        }
        return -ENOSPC;
}

static int attach(Container *c, Rtnl *inner, int nsfd, Network *n, const char *ip, bool primary, char **ret_message) {
        Manager *m = c->manager;
        ContainerAttachment a = {}, *v;
        NetAddr requested = {};
        int k, veth, bridge, eth, r;

        if (ip && net_addr_parse(ip, &requested) < 0)
                return set_message(ret_message, "invalid IP address '%s'", ip), -EINVAL;
        k = next_ifindex_number(c);
        if (k < 0)
                return set_message(ret_message, "too many networks"), k;
        (void) snprintf(a.ifname, sizeof(a.ifname), "eth%d", k);
        (void) snprintf(a.veth, sizeof(a.veth), "vd%.8s%x", c->spec->id, (unsigned) k);

        r = net_ipam_allocate(n->config, AF_INET, c->spec->id, ip ? &requested : NULL, &a.addr);
        if (r == -EADDRINUSE)
                return set_message(ret_message, "address %s on network '%s' is in use", ip, n->config->name), r;
        if (r == -ERANGE)
                return set_message(ret_message, "address %s is not in the range of network '%s'", ip,
                                   n->config->name), -EINVAL;
        if (r == -ENOSPC)
                return set_message(ret_message, "network '%s' has no free address left", n->config->name), r;
        if (r < 0)
                return r;
        if (n->config->subnet6.addr.family == AF_INET6) {
                r = net_ipam_allocate(n->config, AF_INET6, c->spec->id, NULL, &a.addr6);
                if (r < 0) {
                        (void) net_ipam_release(n->config, c->spec->id);
                        return set_message(ret_message, "network '%s' has no free IPv6 address left",
                                           n->config->name), r;
                }
        }
        /* The lease is durable before any link exists: a crash from here on leaks nothing, since the
         * next drayd releases leases of containers that do not run. */
        r = network_save(n);
        if (r < 0) {
                (void) net_ipam_release(n->config, c->spec->id);
                return set_message(ret_message, "failed to save network '%s': %s", n->config->name, strerror(-r)), r;
        }
        a.network = strdup(n->config->name);
        v = a.network ? realloc(c->net->attachments, (c->net->n_attachments + 1) * sizeof(ContainerAttachment)) : NULL;
        if (!v) {
                free(a.network);
                return -ENOMEM;
        }
        c->net->attachments = v;
        c->net->attachments[c->net->n_attachments++] = a; /* torn down from here on by the caller */

        r = rtnl_link_index(m->rtnl, n->config->bridge, &bridge);
        if (r >= 0)
                r = rtnl_veth_add(m->rtnl, a.veth, a.ifname, nsfd, 0);
        if (r >= 0)
                r = rtnl_link_index(m->rtnl, a.veth, &veth);
        if (r >= 0)
                r = rtnl_link_set(m->rtnl, veth, true, bridge, 0);
        if (r >= 0)
                r = rtnl_link_index(inner, a.ifname, &eth);
        if (r >= 0)
                r = rtnl_addr_add(inner, eth, &a.addr, n->config->subnet.prefixlen);
        if (r >= 0 && a.addr6.family)
                r = rtnl_addr_add(inner, eth, &a.addr6, n->config->subnet6.prefixlen);
        if (r >= 0)
                r = rtnl_link_set(inner, eth, true, 0, 0);
        if (r >= 0 && primary)
                r = rtnl_route_add_default(inner, &n->config->gateway);
        if (r >= 0 && primary && a.addr6.family)
                r = rtnl_route_add_default(inner, &n->config->gateway6);
        if (r < 0)
                return set_message(ret_message, "failed to connect to network '%s' (bridge %s): %s", n->config->name,
                                   n->config->bridge, strerror(-r)), r;
        return 0;
}

static void release_leases(Container *c) {
        Network *n;
        int r;

        HASHMAP_FOREACH(n, c->manager->networks_by_name) {
                if (net_ipam_release(n->config, c->spec->id) == 0)
                        continue;
                r = network_save(n);
                if (r < 0)
                        log_error_errno(r, "Failed to save network %s: %m", n->config->name);
        }
}

/* ---- setup and teardown ------------------------------------------------------------------------ */

static int setup_links(Container *c, char **ret_message) {
        _cleanup_(rtnl_freep) Rtnl *inner = NULL;
        _cleanup_close_ int nsfd = -EBADF;
        const char *path = c->spec->net.netns_path;
        int r;

        (void) net_netns_remove(path); /* a leftover of a crash */
        r = net_netns_new(path, &inner);
        if (r < 0)
                return set_message(ret_message, "failed to create network namespace %s: %s", path, strerror(-r)), r;
        nsfd = open(path, O_RDONLY | O_CLOEXEC);
        if (nsfd < 0)
                return set_message(ret_message, "failed to open network namespace %s: %m", path), -errno;
        for (size_t i = 0; i < c->spec->net.n_networks; i++) {
                const SpecNetworkAttachment *sa = &c->spec->net.networks[i];
                Network *n;

                if (manager_find_network(c->manager, sa->name, &n) < 0)
                        return set_message(ret_message, "network '%s' does not exist", sa->name), -ENOENT;
                r = attach(c, inner, nsfd, n, sa->ip, i == 0, ret_message);
                if (r < 0)
                        return r;
        }
        return 0;
}

int container_net_setup(Container *c, char **ret_message) {
        _cleanup_strv_free_ char **nets = NULL;
        int r;

        if (c->spec->net.mode != NETWORK_MODE_BRIDGE)
                return 0;
        if (!c->manager->rtnl)
                return set_message(ret_message, "networking is disabled in this drayd"), -EOPNOTSUPP;
        container_net_teardown(c);
        c->net = calloc(1, sizeof(ContainerNet));
        if (!c->net)
                return -ENOMEM;
        r = setup_links(c, ret_message);
        if (r >= 0)
                r = setup_ports(c, ret_message);
        if (r >= 0) {
                r = container_net_save(c);
                if (r < 0)
                        set_message(ret_message, "failed to save the network state: %s", strerror(-r));
        }
        if (r >= 0) {
                r = write_static_files(c);
                if (r >= 0)
                        r = container_net_write_hosts(c);
                if (r < 0)
                        set_message(ret_message, "failed to write /etc files: %s", strerror(-r));
        }
        /* The rules depend on the networks and the published ports only: a container without ports
         * changes nothing, and saves the ~7 ms of an nftables transaction. */
        if (r >= 0 && c->net->n_ports > 0) {
                r = manager_update_firewall(c->manager);
                if (r < 0)
                        set_message(ret_message, "failed to update the nftables rules");
        }
        if (r < 0) {
                container_net_teardown(c);
                return r;
        }
        nets = attached_networks(c);
        update_peers(c, nets);
        return 0;
}

void container_net_teardown(Container *c) {
        _cleanup_strv_free_ char **nets = attached_networks(c);
        bool had = c->net != NULL, had_ports = c->net && c->net->n_ports > 0;
        int r;

        if (c->spec->net.mode != NETWORK_MODE_BRIDGE || !c->manager->rtnl)
                return;
        release_leases(c);
        /* The veths go with the namespace, which the kernel destroys (in the background) once the
         * last process in it and its bind mount are gone. Deleting them here would cost the event
         * loop an RCU grace period or two (~20 ms) each. */
        if (c->spec->net.netns_path) {
                r = net_netns_remove(c->spec->net.netns_path);
                if (r < 0)
                        log_warning_errno(r, "Failed to remove %s, ignoring: %m", c->spec->net.netns_path);
        }
        {
                _cleanup_close_ int fd = openat(c->manager->containers_fd, c->spec->id,
                                                O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (fd >= 0 && unlinkat(fd, CONTAINER_NET_FILE, 0) < 0 && errno != ENOENT)
                        log_warning_errno(errno, "Failed to remove network.json of %s, ignoring: %m", c->spec->name);
        }
        c->net = container_net_free(c->net);
        if (!had)
                return;
        container_bus_send_changed(c); /* Networks and Ports lost their addresses */
        if (had_ports)
                (void) manager_update_firewall(c->manager);
        update_peers(c, nets);
}

/* ---- connect, disconnect ----------------------------------------------------------------------- */

static int save_spec(Container *c) {
        _cleanup_close_ int fd = openat(c->manager->containers_fd, c->spec->id,
                                        O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

        if (fd < 0)
                return -errno;
        return spec_save(c->spec, fd);
}

int container_net_connect(Container *c, Network *n, const char *ip, char *const *aliases, char **ret_message) {
        _cleanup_(rtnl_freep) Rtnl *inner = NULL;
        _cleanup_close_ int nsfd = -EBADF;
        char *nets[] = { n->config->name, NULL };
        int r;

        if (c->spec->net.mode != NETWORK_MODE_BRIDGE)
                return set_message(ret_message, "container '%s' uses network mode %s", c->spec->name,
                                   network_mode_to_string(c->spec->net.mode)), -EINVAL;
        r = spec_network_add(&c->spec->net, n->config->name, ip, aliases);
        if (r == -EEXIST)
                return set_message(ret_message, "container '%s' is on network '%s' already", c->spec->name,
                                   n->config->name), r;
        if (r < 0)
                return r;
        if (container_is_active(c) && c->net) {
                nsfd = open(c->spec->net.netns_path, O_RDONLY | O_CLOEXEC);
                r = nsfd < 0 ? -errno : net_netns_rtnl(nsfd, &inner);
                if (r >= 0)
                        r = attach(c, inner, nsfd, n, ip, c->net->n_attachments == 0, ret_message);
                if (r < 0) {
                        /* Undo this attachment only: the container keeps its others. */
                        if (c->net->n_attachments > 0 &&
                            streq(c->net->attachments[c->net->n_attachments - 1].network, n->config->name)) {
                                ContainerAttachment *a = &c->net->attachments[--c->net->n_attachments];

                                (void) rtnl_link_del(c->manager->rtnl, a->veth);
                                free(a->network);
                        }
                        if (net_ipam_release(n->config, c->spec->id) > 0)
                                (void) network_save(n);
                        (void) spec_network_remove(&c->spec->net, n->config->name);
                        return r;
                }
                (void) container_net_save(c);
                (void) container_net_write_hosts(c);
                update_peers(c, nets);
        }
        r = save_spec(c);
        if (r < 0)
                return set_message(ret_message, "failed to save container '%s': %s", c->spec->name, strerror(-r)), r;
        return 0;
}

int container_net_disconnect(Container *c, Network *n) {
        char *nets[] = { n->config->name, NULL };
        int r;

        r = spec_network_remove(&c->spec->net, n->config->name);
        if (r < 0)
                return r;
        for (size_t i = 0; c->net && i < c->net->n_attachments; i++) {
                ContainerAttachment *a = &c->net->attachments[i];

                if (!streq(a->network, n->config->name))
                        continue;
                r = network_delete_link_async(c->manager, a->veth);
                if (r < 0)
                        log_warning_errno(r, "Failed to delete %s, ignoring: %m", a->veth);
                free(a->network);
                memmove(a, a + 1, (c->net->n_attachments - i - 1) * sizeof(ContainerAttachment));
                c->net->n_attachments--;
                /* This network's leases only: the container's other networks keep theirs. */
                if (net_ipam_release(n->config, c->spec->id) > 0)
                        (void) network_save(n);
                (void) container_net_save(c);
                (void) container_net_write_hosts(c);
                if (c->net->n_ports > 0) /* their target may have been this network's address */
                        (void) manager_update_firewall(c->manager);
                update_peers(c, nets);
                break;
        }
        return save_spec(c);
}

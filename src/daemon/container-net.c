/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "container-net-internal.h"
#include "container-net.h"
#include "container.h"
#include "log.h"
#include "manager.h"
#include "net-attach.h"
#include "net-netns.h"
#include "network.h"
#include "strv.h"

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

static int add_port(Container *c, NetPort p, DrayError *e) {
        char buf[NET_ADDR_STRLEN];
        Container *owner;
        NetPort *v;
        int r;

        for (unsigned attempt = 0;; attempt++) {
                NetPort probe = p;
                uint16_t port = 0;

                r = net_port_probe(&probe, &port);
                if (r == -EADDRINUSE || r == -EADDRNOTAVAIL)
                        return dray_error_set(e, -EADDRNOTAVAIL, "host port %s:%u/%s is not available: %s",
                                              net_addr_is_set(&p.host_ip) ?
                                                      net_addr_to_string(&p.host_ip, buf) : "0.0.0.0",
                                              p.host_port, net_proto_to_string(p.proto), strerror(-r));
                if (r < 0)
                        return dray_error_set(e, r, "failed to check host port %u: %s", p.host_port,
                                              strerror(-r));
                probe.host_port = port;
                owner = port_owner(c, &probe);
                if (!owner) {
                        p.host_port = port;
                        break;
                }
                if (p.host_port != 0 || attempt > 16)
                        return dray_error_set(e, -EADDRNOTAVAIL,
                                              "host port %u/%s is published by container '%s' already", port,
                                              net_proto_to_string(p.proto), owner->spec->name);
        }
        v = realloc(c->net->ports, (c->net->n_ports + 1) * sizeof(NetPort));
        if (!v)
                return -ENOMEM;
        c->net->ports = v;
        c->net->ports[c->net->n_ports++] = p;
        return 0;
}

static int setup_ports(Container *c, DrayError *e) {
        int r;

        STRV_FOREACH(s, c->spec->net.publish) {
                NetPort p;

                r = net_port_parse(*s, &p);
                if (r < 0)
                        return dray_error_set(e, -EINVAL, "invalid published port '%s'", *s);
                r = add_port(c, p, e);
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
                r = add_port(c, p, e);
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

static int attach(Container *c, Rtnl *inner, int nsfd, int packet_fd, Network *n, const char *ip, bool primary,
                  DrayError *e) {
        Manager *m = c->manager;
        ContainerAttachment a = {}, *v;
        NetAddr requested = {};
        NetVeth veth;
        int k, r;

        if (ip && net_addr_parse(ip, &requested) < 0)
                return dray_error_set(e, -EINVAL, "invalid IP address '%s'", ip);
        k = next_ifindex_number(c);
        if (k < 0)
                return dray_error_set(e, k, "too many networks");
        (void) snprintf(a.ifname, sizeof(a.ifname), "eth%d", k);
        (void) snprintf(a.veth, sizeof(a.veth), "vd%.8s%x", c->spec->id, (unsigned) k);

        r = net_ipam_allocate(n->config, AF_INET, c->spec->id, ip ? &requested : NULL, &a.addr);
        if (r == -EADDRINUSE)
                return dray_error_set(e, r, "address %s on network '%s' is in use", ip, n->config->name);
        if (r == -ERANGE)
                return dray_error_set(e, -EINVAL, "address %s is not in the range of network '%s'", ip,
                                      n->config->name);
        if (r == -ENOSPC)
                return dray_error_set(e, r, "network '%s' has no free address left", n->config->name);
        if (r < 0)
                return r;
        if (n->config->subnet6.addr.family == AF_INET6) {
                r = net_ipam_allocate(n->config, AF_INET6, c->spec->id, NULL, &a.addr6);
                if (r < 0) {
                        (void) net_ipam_release(n->config, c->spec->id);
                        return dray_error_set(e, r, "network '%s' has no free IPv6 address left",
                                              n->config->name);
                }
        }
        /* The lease is durable before any link exists: a crash from here on leaks nothing, since the
         * next drayd releases leases of containers that do not run. */
        r = network_save(n);
        if (r < 0) {
                (void) net_ipam_release(n->config, c->spec->id);
                return dray_error_set(e, r, "failed to save network '%s': %s", n->config->name, strerror(-r));
        }
        a.network = strdup(n->config->name);
        v = a.network ? realloc(c->net->attachments, (c->net->n_attachments + 1) * sizeof(ContainerAttachment)) : NULL;
        if (!v) {
                free(a.network);
                return -ENOMEM;
        }
        c->net->attachments = v;
        c->net->attachments[c->net->n_attachments++] = a; /* torn down from here on by the caller */

        veth = (NetVeth) {
                .bridge = n->config->bridge, .veth = a.veth, .ifname = a.ifname,
                .addr = a.addr, .prefixlen = n->config->subnet.prefixlen,
                .addr6 = a.addr6, .prefixlen6 = n->config->subnet6.prefixlen,
                .gateway = primary ? &n->config->gateway : NULL,
                .gateway6 = primary ? &n->config->gateway6 : NULL,
        };
        r = net_veth_attach(m->rtnl, inner, nsfd, packet_fd, &veth, e);
        if (r < 0)
                return dray_error_prefix(e, r, "failed to connect to network '%s'", n->config->name);
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

static int setup_links(Container *c, DrayError *e) {
        _cleanup_(rtnl_freep) Rtnl *inner = NULL;
        _cleanup_close_ int nsfd = -EBADF, packet_fd = -EBADF;
        const char *path = c->spec->net.netns_path;
        int r;

        (void) net_netns_remove(path); /* a leftover of a crash */
        r = net_netns_new(path, &inner, &packet_fd);
        if (r < 0)
                return dray_error_set(e, r, "failed to create network namespace %s: %s", path, strerror(-r));
        nsfd = open(path, O_RDONLY | O_CLOEXEC);
        if (nsfd < 0)
                return dray_error_set(e, -errno, "failed to open network namespace %s: %m", path);
        for (size_t i = 0; i < c->spec->net.n_networks; i++) {
                const SpecNetworkAttachment *sa = &c->spec->net.networks[i];
                Network *n;

                if (manager_find_network(c->manager, sa->name, &n) < 0)
                        return dray_error_set(e, -ENOENT, "network '%s' does not exist", sa->name);
                r = attach(c, inner, nsfd, packet_fd, n, sa->ip, i == 0, e);
                if (r < 0)
                        return r;
        }
        return 0;
}

int container_net_setup(Container *c, DrayError *e) {
        _cleanup_strv_free_ char **nets = NULL;
        int r;

        if (c->spec->net.mode != NETWORK_MODE_BRIDGE)
                return 0;
        if (!c->manager->rtnl)
                return dray_error_set(e, -EOPNOTSUPP, "networking is disabled in this drayd");
        container_net_teardown(c);
        c->net = calloc(1, sizeof(ContainerNet));
        if (!c->net)
                return -ENOMEM;
        r = setup_links(c, e);
        if (r >= 0)
                r = setup_ports(c, e);
        if (r >= 0) {
                r = container_net_save(c);
                if (r < 0)
                        (void) dray_error_set(e, r, "failed to save the network state: %s", strerror(-r));
        }
        if (r >= 0) {
                r = container_net_write_static_files(c);
                if (r >= 0)
                        r = container_net_write_hosts(c);
                if (r < 0)
                        (void) dray_error_set(e, r, "failed to write /etc files: %s", strerror(-r));
        }
        /* The rules depend on the networks and the published ports only: a container without ports
         * changes nothing, and saves the ~7 ms of an nftables transaction. */
        if (r >= 0 && c->net->n_ports > 0) {
                r = manager_update_firewall(c->manager);
                if (r < 0)
                        (void) dray_error_set(e, r, "failed to update the nftables rules");
        }
        if (r < 0) {
                container_net_teardown(c);
                return r;
        }
        nets = container_net_attached_networks(c);
        container_net_update_peers(c, nets);
        return 0;
}

void container_net_teardown(Container *c) {
        _cleanup_strv_free_ char **nets = container_net_attached_networks(c);
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
        container_net_update_peers(c, nets);
}

/* ---- connect, disconnect ----------------------------------------------------------------------- */

static int save_spec(Container *c) {
        _cleanup_close_ int fd = openat(c->manager->containers_fd, c->spec->id,
                                        O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

        if (fd < 0)
                return -errno;
        return spec_save(c->spec, fd);
}

int container_net_connect(Container *c, Network *n, const char *ip, char *const *aliases, DrayError *e) {
        _cleanup_(rtnl_freep) Rtnl *inner = NULL;
        _cleanup_close_ int nsfd = -EBADF, packet_fd = -EBADF;
        char *nets[] = { n->config->name, NULL };
        int r;

        if (c->spec->net.mode != NETWORK_MODE_BRIDGE)
                return dray_error_set(e, -EINVAL, "container '%s' uses network mode %s", c->spec->name,
                                      network_mode_to_string(c->spec->net.mode));
        r = spec_network_add(&c->spec->net, n->config->name, ip, aliases);
        if (r == -EEXIST)
                return dray_error_set(e, r, "container '%s' is on network '%s' already", c->spec->name,
                                      n->config->name);
        if (r < 0)
                return r;
        if (container_is_active(c) && c->net) {
                nsfd = open(c->spec->net.netns_path, O_RDONLY | O_CLOEXEC);
                r = nsfd < 0 ? -errno : net_netns_rtnl(nsfd, &inner, &packet_fd);
                if (r >= 0)
                        r = attach(c, inner, nsfd, packet_fd, n, ip, c->net->n_attachments == 0, e);
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
                container_net_update_peers(c, nets);
        }
        r = save_spec(c);
        if (r < 0)
                return dray_error_set(e, r, "failed to save container '%s': %s", c->spec->name, strerror(-r));
        manager_event(c->manager, EVENT_NETWORK, "connect", n->config->id, n->config->name,
                      (const char *const[]) { "container", c->spec->id, "type", "bridge", NULL });
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
                container_net_update_peers(c, nets);
                break;
        }
        manager_event(c->manager, EVENT_NETWORK, "disconnect", n->config->id, n->config->name,
                      (const char *const[]) { "container", c->spec->id, "type", "bridge", NULL });
        return save_spec(c);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "bus-names.h"
#include "contract.h"
#include "log.h"
#include "manager.h"
#include "name.h"
#include "net-attach.h"
#include "network-dbus.h"
#include "network.h"
#include "strv.h"
#include "time-util.h"

Network *network_free(Network *n) {
        if (!n)
                return NULL;
        network_config_free(n->config);
        free(n->path);
        free(n);
        return NULL;
}

int manager_add_network(Manager *m, NetworkConfig *config, Network **ret) {
        _cleanup_(network_freep) Network *n = calloc(1, sizeof(Network));
        int r;

        if (!n)
                return -ENOMEM;
        n->manager = m;
        r = network_bus_path(config->name, &n->path);
        if (r < 0)
                return r;
        r = hashmap_put(m->networks_by_name, config->name, n);
        if (r < 0)
                return r;
        n->config = config;
        if (ret)
                *ret = n;
        TAKE_PTR(n);
        return 0;
}

int manager_find_network(Manager *m, const char *name, Network **ret) {
        Network *n = name ? hashmap_get(m->networks_by_name, name) : NULL;

        if (!n)
                return -ENOENT;
        *ret = n;
        return 0;
}

int network_save(Network *n) {
        return network_config_save(n->config, n->manager->networks_fd);
}

/* The host's routes and addresses, and the subnets of every network: what a new subnet must not
 * overlap. */
static int used_subnets(Manager *m, int family, NetSubnet **ret, size_t *ret_n) {
        NetSubnet *v = NULL;
        size_t n = 0;
        Network *net;
        int r;

        r = rtnl_dump_routes(m->rtnl, family, &v, &n);
        if (r < 0)
                return r;
        NetSubnet *w = realloc(v, (n + hashmap_size(m->networks_by_name) + 1) * sizeof(NetSubnet));
        if (!w) {
                free(v);
                return -ENOMEM;
        }
        v = w;
        HASHMAP_FOREACH(net, m->networks_by_name)
                v[n++] = family == AF_INET ? net->config->subnet : net->config->subnet6;
        *ret = v;
        *ret_n = n;
        return 0;
}

static bool subnet_collides(const NetSubnet *s, const NetSubnet *used, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (used[i].addr.family == s->addr.family && net_subnet_overlaps(s, &used[i]))
                        return true;
        return false;
}

static int make_id(char **ret) {
        char id[CONTAINER_ID_LEN + 1];
        int r;

        r = container_id_generate(id);
        if (r < 0)
                return r;
        *ret = strdup(id);
        return *ret ? 0 : -ENOMEM;
}

static int fill_config(Manager *m, const NetworkCreateArgs *a, NetworkConfig *c, DrayError *e) {
        _cleanup_free_ NetSubnet *used = NULL;
        size_t n_used = 0;
        uint64_t off;
        int r;

        r = used_subnets(m, AF_INET, &used, &n_used);
        if (r < 0)
                return r;
        if (a->subnet.addr.family == 0) {
                r = net_subnet_pick(used, n_used, &c->subnet);
                if (r < 0) {
                        return dray_error_set(e, -EADDRINUSE, "no free private subnet is left; give one with --subnet");
                }
        } else {
                if (a->subnet.addr.family != AF_INET || a->subnet.prefixlen > 30 || a->subnet.prefixlen < 8) {
                        return dray_error_set(e, -EINVAL, "the subnet must be IPv4, /8 to /30");
                }
                if (subnet_collides(&a->subnet, used, n_used)) {
                        return dray_error_set(e, -EADDRINUSE, "the subnet overlaps another network or a route of the host");
                }
                c->subnet = a->subnet;
        }
        c->gateway = a->gateway;
        if (c->gateway.family == 0)
                (void) net_subnet_nth(&c->subnet, 1, &c->gateway);
        else if (net_subnet_offset(&c->subnet, &c->gateway, &off) < 0) {
                return dray_error_set(e, -EINVAL, "the gateway is not a host address of the subnet");
        }
        if (a->subnet6.addr.family == 0)
                return 0;
        free(used);
        used = NULL;
        r = used_subnets(m, AF_INET6, &used, &n_used);
        if (r < 0)
                return r;
        if (a->subnet6.addr.family != AF_INET6 || a->subnet6.prefixlen > 120 || a->subnet6.prefixlen < 48) {
                return dray_error_set(e, -EINVAL, "the IPv6 subnet must be /48 to /120");
        }
        if (subnet_collides(&a->subnet6, used, n_used)) {
                return dray_error_set(e, -EADDRINUSE, "the IPv6 subnet overlaps another network or a route of the host");
        }
        c->subnet6 = a->subnet6;
        c->gateway6 = a->gateway6;
        if (c->gateway6.family == 0)
                (void) net_subnet_nth(&c->subnet6, 1, &c->gateway6);
        else if (net_subnet_offset(&c->subnet6, &c->gateway6, &off) < 0) {
                return dray_error_set(e, -EINVAL, "the IPv6 gateway is not a host address of the subnet");
        }
        return 0;
}

int network_create(Manager *m, const NetworkCreateArgs *a, DrayError *e, Network **ret) {
        _cleanup_(network_config_freep) NetworkConfig *c = network_config_new();
        const char *reason = NULL;
        Network *n;
        char file[128];
        int r;

        if (!m->rtnl)
                return dray_error_set(e, -EOPNOTSUPP, "networking is disabled in this drayd");
        if (!c)
                return -ENOMEM;
        if (hashmap_get(m->networks_by_name, a->name))
                return -EEXIST;
        /* A file we did not load (a newer dray's, say) is never overwritten. */
        (void) snprintf(file, sizeof(file), "%s.json", a->name);
        if (faccessat(m->networks_fd, file, F_OK, AT_SYMLINK_NOFOLLOW) >= 0)
                return dray_error_set(e, -EEXIST,
                                      "a network file of that name exists that this drayd did not load (see its log)");
        c->name = strdup(a->name);
        if (!c->name)
                return -ENOMEM;
        r = make_id(&c->id);
        if (r < 0)
                return r;
        if (streq(a->name, DEFAULT_NETWORK_NAME))
                c->bridge = strdup(DEFAULT_BRIDGE_NAME);
        else if (asprintf(&c->bridge, "br-%.12s", c->id) < 0)
                c->bridge = NULL;
        if (!c->bridge)
                return -ENOMEM;
        c->internal = a->internal;
        c->created_usec = now_usec(CLOCK_REALTIME);
        r = fill_config(m, a, c, e);
        if (r < 0)
                return r;
        r = network_config_validate(c, &reason);
        if (r < 0)
                return dray_error_set(e, r, "%s", strna(reason));
        r = manager_add_network(m, c, &n);
        if (r < 0)
                return r;
        TAKE_PTR(c);
        r = net_bridge_setup(m->rtnl, n->config, e);
        if (r >= 0) {
                r = network_save(n);
                if (r < 0)
                        (void) dray_error_set(e, r, "failed to save the network: %s", strerror(-r));
        }
        if (r < 0) {
                (void) rtnl_link_del(m->rtnl, n->config->bridge);
                hashmap_remove(m->networks_by_name, n->config->name);
                network_free(n);
                return dray_error_prefix(e, r, "the bridge could not be set up");
        }
        if (!n->config->internal)
                net_forwarding_enable(n->config->subnet6.addr.family == AF_INET6);
        network_bus_send_new(n);
        manager_event(m, EVENT_NETWORK, "create", n->config->id, n->config->name,
                      (const char *const[]) { "type", "bridge", NULL });
        *ret = n;
        return 0;
}

int network_remove(Network *n) {
        Manager *m = n->manager;
        char file[128];
        int r;

        if (streq(n->config->name, DEFAULT_NETWORK_NAME))
                return -EPERM;
        (void) snprintf(file, sizeof(file), "%s.json", n->config->name);
        if (unlinkat(m->networks_fd, file, 0) < 0 && errno != ENOENT)
                return -errno;
        r = network_delete_link_async(m, n->config->bridge);
        if (r < 0)
                log_warning_errno(r, "Failed to delete bridge %s, ignoring: %m", n->config->bridge);
        network_bus_send_removed(n);
        manager_event(m, EVENT_NETWORK, "destroy", n->config->id, n->config->name,
                      (const char *const[]) { "type", "bridge", NULL });
        hashmap_remove(m->networks_by_name, n->config->name);
        network_free(n);
        return 0;
}

static int delete_link(void *userdata) {
        _cleanup_(rtnl_freep) Rtnl *rtnl = NULL;
        int r;

        r = rtnl_open(&rtnl);
        if (r >= 0)
                r = rtnl_link_del(rtnl, userdata);
        if (r < 0 && r != -ENODEV)
                return log_error_errno(r, "Failed to delete %s: %m", (const char *) userdata);
        return 0;
}

int network_delete_link_async(Manager *m, const char *name) {
        char *what;

        if (asprintf(&what, "link %s", name) < 0)
                return -ENOMEM;
        return manager_spawn_worker(m, what, delete_link, (void *) name);
}

/* ---- the firewall ------------------------------------------------------------------------------ */

static int open_subdir(const char *parent, const char *sub, mode_t mode, int *ret) {
        _cleanup_close_ int fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int sfd;

        if (fd < 0)
                return -errno;
        if (mkdirat(fd, sub, mode) < 0 && errno != EEXIST)
                return -errno;
        sfd = openat(fd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (sfd < 0)
                return -errno;
        *ret = sfd;
        return 0;
}

static void load_one(Manager *m, const char *file) {
        _cleanup_(dray_error_done) DrayError e = {};
        NetworkConfig *c = NULL;
        size_t len = strlen(file);
        Network *n;
        int r;

        if (len <= 5 || !streq(file + len - 5, ".json"))
                return;
        r = network_config_load(m->networks_fd, file, &c);
        if (r == -EPROTONOSUPPORT) {
                log_error("Network file %s/networks/%s was written by a newer dray (schema version above %u), "
                          "refusing to load it; leaving it untouched.", m->state_dir, file, NETWORK_SCHEMA_VERSION);
                return;
        }
        if (r < 0) {
                log_error_errno(r, "Failed to load network %s/networks/%s, ignoring it: %m", m->state_dir, file);
                return;
        }
        if (strlen(c->name) != len - 5 || !strneq(c->name, file, len - 5)) {
                log_error("Network file %s/networks/%s names network '%s', ignoring it.", m->state_dir, file, c->name);
                network_config_free(c);
                return;
        }
        r = manager_add_network(m, c, &n);
        if (r < 0) {
                log_error_errno(r, "Failed to register network %s, ignoring it: %m", c->name);
                network_config_free(c);
                return;
        }
        r = net_bridge_setup(m->rtnl, n->config, &e);
        if (r < 0)
                log_error_errno(r, "Failed to set up network %s: %s", c->name, dray_error_message(&e, r));
        if (!c->internal)
                net_forwarding_enable(c->subnet6.addr.family == AF_INET6);
}

int manager_load_networks(Manager *m) {
        _cleanup_close_ int fd = -EBADF;
        Network *n;
        DIR *d;
        int r;

        if (!m->network_enabled)
                return 0;
        r = open_subdir(m->state_dir, "networks", 0700, &m->networks_fd);
        if (r < 0)
                return log_error_errno(r, "Failed to open %s/networks: %m", m->state_dir);
        r = open_subdir(m->runtime_dir, "netns", 0755, &m->netns_fd);
        if (r < 0)
                return log_error_errno(r, "Failed to open %s/netns: %m", m->runtime_dir);
        r = rtnl_open(&m->rtnl);
        if (r < 0)
                return log_error_errno(r, "Failed to open a rtnetlink socket: %m");

        fd = fcntl(m->networks_fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return log_error_errno(errno, "Failed to duplicate a descriptor: %m");
        d = fdopendir(fd);
        if (!d)
                return log_error_errno(errno, "Failed to read %s/networks: %m", m->state_dir);
        TAKE_FD(fd);
        for (struct dirent *de; (de = readdir(d));)
                if (de->d_name[0] != '.')
                        load_one(m, de->d_name);
        closedir(d);

        if (!hashmap_get(m->networks_by_name, DEFAULT_NETWORK_NAME)) {
                _cleanup_(dray_error_done) DrayError e = {};
                NetworkCreateArgs a = { .name = DEFAULT_NETWORK_NAME };

                r = network_create(m, &a, &e, &n);
                if (r < 0)
                        return log_error_errno(r, "Failed to create the default network '%s': %s",
                                               DEFAULT_NETWORK_NAME, dray_error_message(&e, r));
                log_info("Created the default network '%s' on %s.", DEFAULT_NETWORK_NAME, DEFAULT_BRIDGE_NAME);
        }
        log_debug("Loaded %zu networks.", hashmap_size(m->networks_by_name));
        return 0;
}

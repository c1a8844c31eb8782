/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What follows from all networks and all containers together: which containers use a network, the
 * nftables table (every network, every published port), and the reconciliation at drayd's start.
 * Above network.c (the networks alone) and container.c, so that neither includes the other. */
#include <dirent.h>
#include <fcntl.h>

#include "container-internal.h"
#include "container-net.h"
#include "container.h"
#include "log.h"
#include "manager.h"
#include "net-netns.h"
#include "net-nft.h"
#include "network.h"
#include "strv.h"

bool network_in_use(Network *n) {
        Container *c;

        HASHMAP_FOREACH(c, n->manager->containers_by_id)
                if (container_is_active(c) && spec_network_find(&c->spec->net, n->config->name))
                        return true;
        return false;
}

int network_container_names(Network *n, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        Container *c;
        int r;

        HASHMAP_FOREACH(c, n->manager->containers_by_id)
                if (spec_network_find(&c->spec->net, n->config->name)) {
                        r = strv_extend(&l, c->spec->name);
                        if (r < 0)
                                return r;
                }
        *ret = TAKE_PTR(l);
        return 0;
}

int manager_update_firewall(Manager *m) {
        _cleanup_free_ NftNetwork *nets = NULL;
        _cleanup_free_ NftPortMap *ports = NULL;
        _cleanup_free_ char *script = NULL, *error = NULL;
        size_t n_nets = 0, n_ports = 0, max_ports = 0;
        Network *n;
        Container *c;
        int r;

        if (!m->rtnl)
                return 0;
        nets = calloc(hashmap_size(m->networks_by_name) + 1, sizeof(NftNetwork));
        if (!nets)
                return log_oom();
        HASHMAP_FOREACH(n, m->networks_by_name)
                nets[n_nets++] = (NftNetwork) {
                        .bridge = n->config->bridge,
                        .subnet = n->config->subnet,
                        .subnet6 = n->config->subnet6,
                        .internal = n->config->internal,
                };
        HASHMAP_FOREACH(c, m->containers_by_id)
                if (c->net)
                        max_ports += c->net->n_ports;
        ports = calloc(max_ports + 1, sizeof(NftPortMap));
        if (!ports)
                return log_oom();
        HASHMAP_FOREACH(c, m->containers_by_id)
                for (size_t i = 0; c->net && i < c->net->n_ports; i++)
                        if (c->net->n_attachments > 0)
                                ports[n_ports++] = (NftPortMap) {
                                        .port = c->net->ports[i],
                                        .container_ip = c->net->attachments[0].addr,
                                        .container_ip6 = c->net->attachments[0].addr6,
                                };
        r = nft_ruleset_build(nets, n_nets, ports, n_ports, &script);
        if (r < 0)
                return log_oom();
        r = nft_ruleset_apply(script, &error);
        if (r < 0)
                return log_error_errno(r, "Failed to update the nftables table " NFT_TABLE_FAMILY " " NFT_TABLE_NAME
                                       ": %s", strna(error));
        log_debug("Updated nftables table " NFT_TABLE_FAMILY " " NFT_TABLE_NAME " (%zu networks, %zu ports).",
                  n_nets, n_ports);
        return 0;
}

/* ---- loading and reconciling ------------------------------------------------------------------ */

static bool lease_owner_is_running(const char *owner, void *userdata) {
        Manager *m = userdata;
        Container *c = hashmap_get(m->containers_by_id, owner);

        return c && container_is_active(c);
}

/* Namespace files of containers that do not run (or no longer exist). */
static void reconcile_netns_files(Manager *m) {
        _cleanup_close_ int fd = fcntl(m->netns_fd, F_DUPFD_CLOEXEC, 3);
        DIR *d;

        if (fd < 0)
                return;
        d = fdopendir(fd);
        if (!d)
                return;
        TAKE_FD(fd);
        for (struct dirent *de; (de = readdir(d));) {
                Container *c;

                if (de->d_name[0] == '.')
                        continue;
                c = hashmap_get(m->containers_by_id, de->d_name);
                if (c && container_is_active(c))
                        continue;
                if (c)
                        container_net_teardown(c);
                else {
                        _cleanup_free_ char *p = NULL;

                        if (asprintf(&p, "%s/netns/%s", m->runtime_dir, de->d_name) >= 0 && net_netns_remove(p) >= 0)
                                log_info("Removed stale network namespace %s.", p);
                }
        }
        closedir(d);
}

void manager_reconcile_networks(Manager *m) {
        Network *n;
        int r;

        if (!m->rtnl)
                return;
        reconcile_netns_files(m);
        HASHMAP_FOREACH(n, m->networks_by_name) {
                size_t k = net_ipam_reconcile(n->config, lease_owner_is_running, m);

                if (k == 0)
                        continue;
                log_info("Network %s: released %zu address(es) no running container holds.", n->config->name, k);
                r = network_save(n);
                if (r < 0)
                        log_error_errno(r, "Failed to save network %s: %m", n->config->name);
        }
        (void) manager_update_firewall(m);
}

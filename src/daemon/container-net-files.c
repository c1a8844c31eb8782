/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The generated /etc/hosts, /etc/hostname and /etc/resolv.conf of bridge-mode containers. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "container-net-internal.h"
#include "container.h"
#include "log.h"
#include "manager.h"
#include "net-hosts.h"
#include "safe-open.h"
#include "strv.h"

#define HOST_RESOLV_CONF "/etc/resolv.conf"
#define RESOLV_CONF_MAX (64U * 1024U)

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

/* --add-host "NAME:IP" (checked at create): after the peers, as docker puts them. names keeps the
 * NAME copies the entries point to. */
static int add_extra_hosts(Container *c, NetHostEntry **peers, size_t *n, char ***names) {
        STRV_FOREACH(e, c->spec->net.extra_hosts) {
                const char *colon = strchr(*e, ':');
                NetHostEntry *w;
                NetAddr a;
                int r;

                if (!colon || net_addr_parse(colon + 1, &a) < 0)
                        continue;
                r = strv_consume(names, strndup(*e, (size_t) (colon - *e)));
                if (r < 0)
                        return r;
                w = reallocarray(*peers, *n + 1, sizeof(NetHostEntry));
                if (!w)
                        return -ENOMEM;
                *peers = w;
                (*peers)[(*n)++] = (NetHostEntry) { .addr = a, .name = (*names)[strv_length(*names) - 1] };
        }
        return 0;
}

int container_net_write_hosts(Container *c) {
        _cleanup_strv_free_ char **names = NULL;
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
        r = add_extra_hosts(c, &peers, &n_peers, &names);
        if (r < 0)
                return r;
        r = net_hosts_build(c->spec->hostname ?: c->spec->name, self, c->net->n_attachments, peers, n_peers, &text);
        if (r < 0)
                return r;
        return write_in_place(dir, "hosts", text);
}

/* Every running container that shares a network with c gets its hosts file rewritten. */
void container_net_update_peers(Container *c, char **networks) {
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

char **container_net_attached_networks(Container *c) {
        char **l = NULL;

        for (size_t i = 0; c->net && i < c->net->n_attachments; i++)
                if (strv_extend(&l, c->net->attachments[i].network) < 0)
                        break;
        return l;
}

/* The host's file (often a symlink into /run): followed, but read as any file drayd does not own,
 * so that a FIFO or a device there cannot block drayd. Missing, or not a regular file: no servers. */
static int read_host_resolv_conf(char **ret) {
        char *buf = NULL;
        int r;

        r = safe_read_file_at(AT_FDCWD, HOST_RESOLV_CONF, 0, RESOLV_CONF_MAX, &buf, NULL);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                if (r != -ENOENT)
                        log_warning("Cannot read %s (%s), using no name servers from it.", HOST_RESOLV_CONF,
                                    safe_open_strerror(r));
                buf = strdup("");
                if (!buf)
                        return -ENOMEM;
        }
        *ret = buf;
        return 0;
}

int container_net_write_static_files(Container *c) {
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
        r = net_resolv_conf_build_full(host, c->spec->net.dns, c->spec->net.dns_search, c->spec->net.dns_options,
                                       &resolv);
        if (r < 0)
                return r;
        return write_in_place(dir, "resolv.conf", resolv);
}


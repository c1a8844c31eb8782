/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* network.json: a running container's attachments and published ports, for the next drayd. */
#include <fcntl.h>
#include <string.h>

#include "container-net-internal.h"
#include "container.h"
#include "contract.h"
#include "json-util.h"
#include "manager.h"

static int attachment_to_json(const ContainerAttachment *a, json_object **ret) {
        _cleanup_json_ json_object *o = json_object_new_object();
        char buf[NET_ADDR_STRLEN];
        int r;

        if (!o)
                return -ENOMEM;
        r = json_add_string(o, "network", a->network);
        if (r < 0)
                return r;
        r = json_add_string(o, "ifname", a->ifname);
        if (r < 0)
                return r;
        r = json_add_string(o, "veth", a->veth);
        if (r < 0)
                return r;
        r = json_add_string(o, "ipv4", net_addr_to_string(&a->addr, buf));
        if (r < 0)
                return r;
        if (a->addr6.family) {
                r = json_add_string(o, "ipv6", net_addr_to_string(&a->addr6, buf));
                if (r < 0)
                        return r;
        }
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

int container_net_save(Container *c) {
        _cleanup_json_ json_object *o = json_object_new_object(), *atts = json_object_new_array(),
                                   *ports = json_object_new_array();
        _cleanup_close_ int fd = -EBADF;
        int r = 0;

        if (!o || !atts || !ports)
                return -ENOMEM;
        r = schema_version_add(o, CONTAINER_NET_SCHEMA_VERSION);
        if (r < 0)
                return r;
        for (size_t i = 0; i < c->net->n_attachments; i++) {
                json_object *e = NULL;

                r = attachment_to_json(&c->net->attachments[i], &e);
                if (r < 0)
                        return r;
                r = array_add(atts, e);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < c->net->n_ports; i++) {
                _cleanup_free_ char *s = NULL;

                r = net_port_format(&c->net->ports[i], &s);
                if (r < 0)
                        return r;
                r = array_add(ports, json_object_new_string(s));
                if (r < 0)
                        return r;
        }
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
        if (r < 0)
                return -EBADMSG;
        r = json_get_string(e, "ifname", &ifname);
        if (r < 0)
                return -EBADMSG;
        r = json_get_string(e, "veth", &veth);
        if (r < 0)
                return -EBADMSG;
        r = json_get_string(e, "ipv4", &ip);
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
        r = schema_version_check(o, CONTAINER_NET_SCHEMA_VERSION);
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


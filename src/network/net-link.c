/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <string.h>
#include <time.h>

#include "net-link.h"

#define RTNL_BUFFER_SIZE 32768

struct Rtnl {
        struct mnl_socket *nl;
        uint32_t portid;
        uint32_t seq;
        char *buf;
};

static int rtnl_new(struct mnl_socket *nl, Rtnl **ret) {
        Rtnl *r;

        r = calloc(1, sizeof(Rtnl));
        if (!r)
                return -ENOMEM;
        r->buf = malloc(RTNL_BUFFER_SIZE);
        if (!r->buf) {
                free(r);
                return -ENOMEM;
        }
        r->nl = nl;
        r->portid = mnl_socket_get_portid(nl);
        r->seq = (uint32_t) time(NULL);
        *ret = r;
        return 0;
}

int rtnl_open(Rtnl **ret) {
        struct mnl_socket *nl;
        int r;

        nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
        if (!nl)
                return -errno;
        if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
                r = -errno;
                mnl_socket_close(nl);
                return r;
        }
        r = rtnl_new(nl, ret);
        if (r < 0)
                mnl_socket_close(nl);
        return r;
}

int rtnl_open_fd(int fd, Rtnl **ret) {
        struct mnl_socket *nl;
        int r;

        nl = mnl_socket_fdopen(fd);
        if (!nl) {
                r = -errno;
                safe_close(fd);
                return r;
        }
        r = rtnl_new(nl, ret);
        if (r < 0)
                mnl_socket_close(nl);
        return r;
}

Rtnl *rtnl_free(Rtnl *r) {
        if (!r)
                return NULL;
        if (r->nl)
                mnl_socket_close(r->nl);
        free(r->buf);
        free(r);
        return NULL;
}

static struct nlmsghdr *rtnl_message(Rtnl *r, uint16_t type, uint16_t flags) {
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(r->buf);

        nlh->nlmsg_type = type;
        nlh->nlmsg_flags = NLM_F_REQUEST | flags;
        nlh->nlmsg_seq = ++r->seq;
        return nlh;
}

/* Sends nlh and reads the answers until the ACK (or, for dumps, NLMSG_DONE); cb sees every data
 * message. The kernel's error arrives as errno from mnl_cb_run(). */
static int rtnl_call(Rtnl *r, struct nlmsghdr *nlh, mnl_cb_t cb, void *userdata) {
        uint32_t seq = nlh->nlmsg_seq;
        ssize_t n;
        int k;

        if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
                return -errno;
        for (;;) {
                n = mnl_socket_recvfrom(r->nl, r->buf, RTNL_BUFFER_SIZE);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                k = mnl_cb_run(r->buf, (size_t) n, seq, r->portid, cb, userdata);
                if (k < 0)
                        return errno > 0 ? -errno : -EIO;
                if (k == MNL_CB_STOP)
                        return 0;
        }
}

static int rtnl_call_ack(Rtnl *r, struct nlmsghdr *nlh) {
        return rtnl_call(r, nlh, NULL, NULL);
}

typedef struct LinkQuery {
        int ifindex;
        uint32_t mtu;
} LinkQuery;

static int link_cb(const struct nlmsghdr *nlh, void *userdata) {
        const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
        LinkQuery *q = userdata;
        struct nlattr *a;

        q->ifindex = ifm->ifi_index;
        mnl_attr_for_each(a, nlh, sizeof(*ifm))
                if (mnl_attr_get_type(a) == IFLA_MTU && mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
                        q->mtu = mnl_attr_get_u32(a);
        return MNL_CB_OK;
}

static int rtnl_link_query(Rtnl *r, const char *name, int ifindex, LinkQuery *ret) {
        struct nlmsghdr *nlh = rtnl_message(r, RTM_GETLINK, NLM_F_ACK);
        struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
        LinkQuery q = {};
        int k;

        ifm->ifi_family = AF_UNSPEC;
        ifm->ifi_index = ifindex;
        if (name) {
                if (strlen(name) >= IFNAMSIZ)
                        return -EINVAL;
                mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
        }
        k = rtnl_call(r, nlh, link_cb, &q);
        if (k < 0)
                return k;
        if (q.ifindex <= 0)
                return -ENODEV;
        *ret = q;
        return 0;
}

int rtnl_link_index(Rtnl *r, const char *name, int *ret_ifindex) {
        LinkQuery q;
        int k;

        k = rtnl_link_query(r, name, 0, &q);
        if (k < 0)
                return k;
        *ret_ifindex = q.ifindex;
        return 0;
}

int rtnl_link_get_mtu(Rtnl *r, int ifindex, uint32_t *ret) {
        LinkQuery q;
        int k;

        k = rtnl_link_query(r, NULL, ifindex, &q);
        if (k < 0)
                return k;
        *ret = q.mtu;
        return 0;
}

int rtnl_bridge_add(Rtnl *r, const char *name, const uint8_t *mac) {
        struct nlmsghdr *nlh = rtnl_message(r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
        struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
        struct nlattr *info;

        if (strlen(name) >= IFNAMSIZ)
                return -EINVAL;
        ifm->ifi_family = AF_UNSPEC;
        mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
        if (mac)
                mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
        info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
        mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
        mnl_attr_nest_end(nlh, info);
        return rtnl_call_ack(r, nlh);
}

int rtnl_link_set_mac(Rtnl *r, int ifindex, const uint8_t *mac) {
        struct nlmsghdr *nlh = rtnl_message(r, RTM_NEWLINK, NLM_F_ACK);
        struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));

        ifm->ifi_family = AF_UNSPEC;
        ifm->ifi_index = ifindex;
        mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
        return rtnl_call_ack(r, nlh);
}

int rtnl_link_del(Rtnl *r, const char *name) {
        struct nlmsghdr *nlh = rtnl_message(r, RTM_DELLINK, NLM_F_ACK);
        struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));

        if (strlen(name) >= IFNAMSIZ)
                return -EINVAL;
        ifm->ifi_family = AF_UNSPEC;
        mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
        return rtnl_call_ack(r, nlh);
}

int rtnl_veth_add(Rtnl *r, const char *name, const char *peer, int peer_netns_fd, uint32_t mtu, const uint8_t *peer_mac) {
        struct nlmsghdr *nlh = rtnl_message(r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
        struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
        struct nlattr *info, *data, *peer_nest;
        struct ifinfomsg *peer_ifm;

        if (strlen(name) >= IFNAMSIZ || strlen(peer) >= IFNAMSIZ)
                return -EINVAL;
        ifm->ifi_family = AF_UNSPEC;
        mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
        if (mtu > 0)
                mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
        info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
        mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
        data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
        peer_nest = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
        /* The peer's attributes follow its own ifinfomsg. */
        peer_ifm = (struct ifinfomsg *) ((char *) nlh + nlh->nlmsg_len);
        nlh->nlmsg_len += MNL_ALIGN(sizeof(struct ifinfomsg));
        memset(peer_ifm, 0, sizeof(*peer_ifm));
        peer_ifm->ifi_family = AF_UNSPEC;
        mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
        if (mtu > 0)
                mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
        if (peer_mac)
                mnl_attr_put(nlh, IFLA_ADDRESS, 6, peer_mac);
        if (peer_netns_fd >= 0)
                mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t) peer_netns_fd);
        mnl_attr_nest_end(nlh, peer_nest);
        mnl_attr_nest_end(nlh, data);
        mnl_attr_nest_end(nlh, info);
        return rtnl_call_ack(r, nlh);
}

int rtnl_link_set(Rtnl *r, int ifindex, bool up, int master_ifindex, uint32_t mtu) {
        struct nlmsghdr *nlh = rtnl_message(r, RTM_NEWLINK, NLM_F_ACK);
        struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));

        ifm->ifi_family = AF_UNSPEC;
        ifm->ifi_index = ifindex;
        ifm->ifi_change = IFF_UP;
        ifm->ifi_flags = up ? IFF_UP : 0;
        if (master_ifindex > 0)
                mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t) master_ifindex);
        if (mtu > 0)
                mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
        return rtnl_call_ack(r, nlh);
}

int rtnl_addr_add(Rtnl *r, int ifindex, const NetAddr *a, unsigned prefixlen) {
        struct nlmsghdr *nlh = rtnl_message(r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
        struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
        size_t len = net_addr_size(a->family);

        if (len == 0)
                return -EAFNOSUPPORT;
        ifa->ifa_family = (uint8_t) a->family;
        ifa->ifa_prefixlen = (uint8_t) prefixlen;
        ifa->ifa_scope = RT_SCOPE_UNIVERSE;
        ifa->ifa_index = (uint32_t) ifindex;
        if (a->family == AF_INET6)
                ifa->ifa_flags = IFA_F_NODAD;
        mnl_attr_put(nlh, IFA_LOCAL, len, a->bytes);
        mnl_attr_put(nlh, IFA_ADDRESS, len, a->bytes);
        if (a->family == AF_INET6)
                mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
        return rtnl_call_ack(r, nlh);
}

int rtnl_route_add_default(Rtnl *r, const NetAddr *gateway) {
        struct nlmsghdr *nlh = rtnl_message(r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
        struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
        size_t len = net_addr_size(gateway->family);

        if (len == 0)
                return -EAFNOSUPPORT;
        rtm->rtm_family = (uint8_t) gateway->family;
        rtm->rtm_dst_len = 0;
        rtm->rtm_table = RT_TABLE_MAIN;
        rtm->rtm_protocol = RTPROT_STATIC;
        rtm->rtm_scope = RT_SCOPE_UNIVERSE;
        rtm->rtm_type = RTN_UNICAST;
        mnl_attr_put(nlh, RTA_GATEWAY, len, gateway->bytes);
        return rtnl_call_ack(r, nlh);
}

typedef struct RouteDump {
        int family;
        bool addresses; /* RTM_NEWADDR messages, else RTM_NEWROUTE */
        NetSubnet *v;
        size_t n;
        int error;
} RouteDump;

static void route_dump_add(RouteDump *d, const void *bytes, unsigned prefixlen) {
        NetSubnet s = { .addr.family = d->family, .prefixlen = prefixlen };
        NetSubnet *v;
        size_t len = net_addr_size(d->family);

        if (d->error < 0)
                return;
        memcpy(s.addr.bytes, bytes, len);
        /* Clear the host bits: an address's subnet. */
        for (unsigned i = prefixlen; i < len * 8; i++)
                s.addr.bytes[i / 8] &= (uint8_t) ~(0x80 >> (i % 8));
        v = realloc(d->v, (d->n + 1) * sizeof(NetSubnet));
        if (!v) {
                d->error = -ENOMEM;
                return;
        }
        d->v = v;
        d->v[d->n++] = s;
}

static int route_cb(const struct nlmsghdr *nlh, void *userdata) {
        RouteDump *d = userdata;
        size_t len = net_addr_size(d->family);
        struct nlattr *a;

        if (d->addresses) {
                const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);

                if (ifa->ifa_family != d->family)
                        return MNL_CB_OK;
                mnl_attr_for_each(a, nlh, sizeof(*ifa))
                        if (mnl_attr_get_type(a) == IFA_ADDRESS && mnl_attr_get_payload_len(a) == len)
                                route_dump_add(d, mnl_attr_get_payload(a), ifa->ifa_prefixlen);
                return MNL_CB_OK;
        }

        const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);

        /* The local table holds the host's own addresses and broadcast routes; the address dump
         * covers those. A default route (length 0) collides with nothing. */
        if (rtm->rtm_family != d->family || rtm->rtm_table == RT_TABLE_LOCAL || rtm->rtm_dst_len == 0)
                return MNL_CB_OK;
        mnl_attr_for_each(a, nlh, sizeof(*rtm))
                if (mnl_attr_get_type(a) == RTA_DST && mnl_attr_get_payload_len(a) == len)
                        route_dump_add(d, mnl_attr_get_payload(a), rtm->rtm_dst_len);
        return MNL_CB_OK;
}

static int rtnl_dump(Rtnl *r, RouteDump *d) {
        struct nlmsghdr *nlh = rtnl_message(r, d->addresses ? RTM_GETADDR : RTM_GETROUTE, NLM_F_DUMP);

        if (d->addresses) {
                struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));

                ifa->ifa_family = (uint8_t) d->family;
        } else {
                struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

                rtm->rtm_family = (uint8_t) d->family;
        }
        return rtnl_call(r, nlh, route_cb, d);
}

int rtnl_dump_routes(Rtnl *r, int family, NetSubnet **ret, size_t *ret_n) {
        RouteDump d = { .family = family };
        int k;

        k = rtnl_dump(r, &d);
        if (k >= 0) {
                d.addresses = true;
                k = rtnl_dump(r, &d);
        }
        if (k >= 0)
                k = d.error;
        if (k < 0) {
                free(d.v);
                return k;
        }
        *ret = d.v;
        *ret_n = d.n;
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macros.h"
#include "net-link.h"

/* Network namespaces of containers, pinned by a bind mount of the namespace file on a path
 * (/run/dray/netns/<id>), as `ip netns` does, but with mount(2). The caller's own namespaces never
 * change: a short-lived forked child does the unshare()/setns() and hands back a rtnetlink socket
 * created inside the namespace (SCM_RIGHTS), through which the caller then configures it. */

/* Creates a new network namespace pinned at path (which must not exist; its directory must), brings
 * its "lo" up, opens its ports below 1024 (ip_unprivileged_port_start=0, as podman does: the
 * namespace is the container's, whatever user namespace its payload runs in), and returns a Rtnl
 * bound inside it, and, if ret_packet_fd, an AF_PACKET socket made in it (net-announce.h). On
 * failure nothing is left at path. */
int net_netns_new(const char *path, Rtnl **ret_rtnl, int *ret_packet_fd);
/* A Rtnl (and optionally a packet socket) inside the namespace of the namespace fd. *ret_packet_fd is
 * -EBADF when no packet socket could be made there. */
int net_netns_rtnl(int netns_fd, Rtnl **ret_rtnl, int *ret_packet_fd);
/* Unmounts and unlinks path; the namespace (and every veth in it) goes once nothing else holds it.
 * 0 also when there was nothing. */
int net_netns_remove(const char *path);

/* /proc/sys/net/… := value, in the caller's network namespace. */
int net_sysctl_write(const char *path, const char *value);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "container-net.h"

/* Shared by container-net*.c. */

/* container-net-state.c: writes network.json (the attachments and ports of c->net). */
int container_net_save(Container *c);

/* container-net-files.c */
int container_net_write_static_files(Container *c); /* hostname, resolv.conf */
int container_net_write_hosts(Container *c);
/* Rewrites the hosts file of every container with plumbing that is on one of networks. */
void container_net_update_peers(Container *c, char **networks);
/* The names of the networks c is attached to, newly allocated (NULL when none or on OOM). */
char **container_net_attached_networks(Container *c);

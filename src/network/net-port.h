/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macros.h"
#include "net-addr.h"

/* Published ports: "-p [IP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp]", as Docker spells them. */

typedef enum NetProto {
        NET_PROTO_TCP,
        NET_PROTO_UDP,
        _NET_PROTO_MAX,
        _NET_PROTO_INVALID = -EINVAL,
} NetProto;

const char *net_proto_to_string(NetProto p) _pure_;
NetProto net_proto_from_string(const char *s) _pure_;

typedef struct NetPort {
        NetAddr host_ip;          /* family 0: every address of the host */
        uint16_t host_port;       /* 0: a free port, chosen at start */
        uint16_t container_port;  /* 1…65535 */
        NetProto proto;
} NetPort;

/* "8080:80", "127.0.0.1:8080:80/udp", "80" (host port chosen), "[::1]:8080:80", "0.0.0.0::80". */
int net_port_parse(const char *s, NetPort *ret);
/* "80/tcp", "53/udp", "80" (tcp): an image's exposed port. */
int net_exposed_port_parse(const char *s, uint16_t *ret_port, NetProto *ret_proto);
/* "127.0.0.1:8080->80/tcp" (host_ip empty: "0.0.0.0"), as `dray port` prints it. */
int net_port_format(const NetPort *p, char **ret);

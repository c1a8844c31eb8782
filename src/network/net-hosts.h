/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macros.h"
#include "net-addr.h"

/* The generated /etc/hosts, /etc/resolv.conf and /etc/hostname of a container. */

typedef struct NetHostEntry {
        NetAddr addr;
        const char *name;
        char *const *aliases; /* strv, may be NULL */
} NetHostEntry;

/* localhost lines, then the container itself (self: its own addresses, with hostname and name), then
 * its peers. Names are validated DNS labels; anything else is skipped. */
int net_hosts_build(const char *hostname, const NetHostEntry *self, size_t n_self, const NetHostEntry *peers,
                    size_t n_peers, char **ret);
/* From the host's resolv.conf text: nameserver lines that are not loopback addresses (127.0.0.53 of
 * systemd-resolved answers only inside the host's own namespace), search and options kept; dns, when
 * given, replaces the nameservers. */
int net_resolv_conf_build(const char *host_resolv_conf, char *const *dns, char **ret);
/* The same, with search (domains) and options (resolv.conf option words) replacing the host's search
 * and options lines when given (dray run --dns-search, --dns-option). The words are the caller's to
 * validate (no spaces or control characters). */
int net_resolv_conf_build_full(const char *host_resolv_conf, char *const *dns, char *const *search,
                               char *const *options, char **ret);

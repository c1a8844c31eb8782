/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "json-util.h"
#include "macros.h"

/* The network part of the container spec (config.json key "network", plus "exposed_ports" at the top
 * level, which images fill from their config). drayd writes it; dray-monitor reads only mode,
 * netns_path and etc_dir. */

typedef enum NetworkMode {
        NETWORK_MODE_NONE,   /* a network namespace of its own with only "lo" */
        NETWORK_MODE_HOST,   /* the host's network namespace: privileged */
        NETWORK_MODE_BRIDGE, /* a namespace of its own, joined to one or more bridge networks */
        _NETWORK_MODE_MAX,
        _NETWORK_MODE_INVALID = -EINVAL,
} NetworkMode;

const char *network_mode_to_string(NetworkMode m) _pure_;
NetworkMode network_mode_from_string(const char *s) _pure_;

typedef struct SpecNetworkAttachment {
        char *name;     /* the network */
        char *ip;       /* requested IPv4 address, or NULL */
        char **aliases; /* extra names on that network */
} SpecNetworkAttachment;

typedef struct SpecNetwork {
        NetworkMode mode;
        SpecNetworkAttachment *networks; /* bridge mode: the first is the one with the default route */
        size_t n_networks;
        char **publish;       /* "-p" strings, validated by drayd */
        bool publish_all;     /* -P: exposed_ports on free host ports */
        char **exposed_ports; /* "80/tcp" */
        char **dns;           /* nameservers for resolv.conf, replacing the host's */
        char **dns_search;    /* --dns-search: the search line, replacing the host's */
        char **dns_options;   /* --dns-option: the options line, replacing the host's */
        char **extra_hosts;   /* --add-host "NAME:IP": more lines in the container's /etc/hosts */
        char *netns_path;     /* bridge mode: the pinned namespace the runtime joins */
        char *etc_dir;        /* hosts, hostname, resolv.conf to bind over the root's /etc/… */
} SpecNetwork;

void spec_network_done(SpecNetwork *n);
int spec_network_validate(const SpecNetwork *n, const char **ret_reason);
/* Adds/reads "network" and "exposed_ports" of the spec object o. A missing "network" is mode none
 * (specs written before networks existed). */
int spec_network_to_json(const SpecNetwork *n, json_object *o);
int spec_network_from_json(json_object *o, SpecNetwork *n);

/* Appends an attachment (copies). -EEXIST when already there. */
int spec_network_add(SpecNetwork *n, const char *name, const char *ip, char *const *aliases);
int spec_network_remove(SpecNetwork *n, const char *name); /* -ENOENT */
const SpecNetworkAttachment *spec_network_find(const SpecNetwork *n, const char *name);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "spec.h"

typedef struct Manager Manager;

/* The network keys of CreateContainer's options (container-options.c's table calls these):
 * Network s ("none", "host" or a network name), IPAddress s, NetworkAliases as (both for the first
 * network), PublishPorts as ("[IP:][HOSTPORT:]PORT[/tcp|udp]"), PublishAll b, ExposedPorts as
 * ("PORT[/proto]"), DNS as (nameserver addresses). */
int container_option_network(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error);
int container_option_ip_address(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error);
int container_option_network_aliases(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error);
int container_option_publish_ports(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error);
int container_option_publish_all(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error);
int container_option_exposed_ports(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error);
int container_option_dns(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error);
/* DNSSearch as (domains), DNSOptions as (resolv.conf option words), ExtraHosts as ("NAME:IP"). */
int container_option_dns_search(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error);
int container_option_dns_options(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error);
int container_option_extra_hosts(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error);

/* After parsing, with spec->id set: resolves the default (the default network when drayd has
 * networking, else none), checks that the networks exist and an IPAddress lies in the first one,
 * and sets netns_path and etc_dir. NoSuchNetwork or InvalidArgs. */
int container_net_options_finish(Manager *m, ContainerSpec *s, sd_bus_error *error);

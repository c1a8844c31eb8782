/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "bus-object.h"
#include "network.h"

/* org.dray1.Network objects at /org/dray1/network/<sd_bus_path_encode(name)>, and the Manager's
 * network methods (manager-dbus.c puts them into its vtable). */
extern const BusObjectImplementation network_object;

int network_bus_path(const char *name, char **ret);
void network_bus_send_new(Network *n);
void network_bus_send_removed(Network *n);

int bus_manager_method_create_network(sd_bus_message *m, void *userdata, sd_bus_error *error);
int bus_manager_method_remove_network(sd_bus_message *m, void *userdata, sd_bus_error *error);
int bus_manager_method_list_networks(sd_bus_message *m, void *userdata, sd_bus_error *error);
int bus_manager_method_get_network(sd_bus_message *m, void *userdata, sd_bus_error *error);
int bus_manager_method_connect_container(sd_bus_message *m, void *userdata, sd_bus_error *error);
int bus_manager_method_disconnect_container(sd_bus_message *m, void *userdata, sd_bus_error *error);

/* org.dray1.Container's network properties (container-dbus.c's vtable): NetworkMode s,
 * Networks a(sss) (network, IPv4, IPv6; addresses empty while not running), Ports a(sqqs)
 * (host address, host port, container port, protocol) while running. */
int bus_container_property_get_network_mode(sd_bus *bus, const char *path, const char *interface,
                                            const char *property, sd_bus_message *reply, void *userdata,
                                            sd_bus_error *error);
int bus_container_property_get_networks(sd_bus *bus, const char *path, const char *interface, const char *property,
                                        sd_bus_message *reply, void *userdata, sd_bus_error *error);
/* NetworkAliases a{sas}: each network's extra names (--network-alias, connect --alias). */
int bus_container_property_get_network_aliases(sd_bus *bus, const char *path, const char *interface,
                                               const char *property, sd_bus_message *reply, void *userdata,
                                               sd_bus_error *error);
int bus_container_property_get_ports(sd_bus *bus, const char *path, const char *interface, const char *property,
                                     sd_bus_message *reply, void *userdata, sd_bus_error *error);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* drayd --bus-introspect=DIR: writes DIR/org.dray1.Manager.xml DIR/org.dray1.Container.xml and
 * DIR/org.dray1.Network.xml, the
 * introspection data sd-bus produces from our real vtables, served over a private in-process
 * connection with one example container and network. dbus/ holds the committed copies; a test diffs them. */
#define BUS_INTROSPECT_MANAGER_FILE "org.dray1.Manager.xml"
#define BUS_INTROSPECT_CONTAINER_FILE "org.dray1.Container.xml"
#define BUS_INTROSPECT_IMAGE_FILE "org.dray1.Image.xml"
#define BUS_INTROSPECT_TRANSFER_FILE "org.dray1.Transfer.xml"
#define BUS_INTROSPECT_NETWORK_FILE "org.dray1.Network.xml"
#define BUS_INTROSPECT_VOLUME_FILE "org.dray1.Volume.xml"

int bus_introspect_write(const char *dir);

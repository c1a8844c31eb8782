/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The bus contract, one place for every name. docs/ARCHITECTURE.md and org.dray1(5) describe it. */
#define DRAY_BUS_NAME "org.dray1"
#define DRAY_MANAGER_PATH "/org/dray1"
#define DRAY_CONTAINER_PATH_PREFIX "/org/dray1/container"
#define DRAY_MANAGER_INTERFACE "org.dray1.Manager"
#define DRAY_CONTAINER_INTERFACE "org.dray1.Container"
#define DRAY_NETWORK_PATH_PREFIX "/org/dray1/network"
#define DRAY_NETWORK_INTERFACE "org.dray1.Network"

#define DRAY_ERROR_NO_SUCH_CONTAINER "org.dray1.Error.NoSuchContainer"
#define DRAY_ERROR_AMBIGUOUS_CONTAINER "org.dray1.Error.AmbiguousContainer"
#define DRAY_ERROR_CONTAINER_EXISTS "org.dray1.Error.ContainerExists"
#define DRAY_ERROR_INVALID_NAME "org.dray1.Error.InvalidName"
#define DRAY_ERROR_CONTAINER_RUNNING "org.dray1.Error.ContainerRunning"
#define DRAY_ERROR_CONTAINER_NOT_RUNNING "org.dray1.Error.ContainerNotRunning"
#define DRAY_ERROR_COMMAND_NOT_FOUND "org.dray1.Error.CommandNotFound"
#define DRAY_ERROR_COMMAND_NOT_EXECUTABLE "org.dray1.Error.CommandNotExecutable"
#define DRAY_ERROR_ROOTFS_NOT_FOUND "org.dray1.Error.RootfsNotFound"
#define DRAY_ERROR_SYSTEMD_FAILED "org.dray1.Error.SystemdFailed"
#define DRAY_ERROR_START_FAILED "org.dray1.Error.StartFailed"
#define DRAY_ERROR_NO_SUCH_NETWORK "org.dray1.Error.NoSuchNetwork"
#define DRAY_ERROR_NETWORK_EXISTS "org.dray1.Error.NetworkExists"
#define DRAY_ERROR_NETWORK_IN_USE "org.dray1.Error.NetworkInUse"
#define DRAY_ERROR_ADDRESS_IN_USE "org.dray1.Error.AddressInUse"
#define DRAY_ERROR_PORT_IN_USE "org.dray1.Error.PortInUse"
#define DRAY_ERROR_NOT_CONNECTED "org.dray1.Error.NotConnected"

/* Unit names: dray-<name>.scope in dray.slice. */
#define DRAY_SLICE "dray.slice"
#define DRAY_UNIT_PREFIX "dray-"
#define DRAY_UNIT_SUFFIX ".scope"

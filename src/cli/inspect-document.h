/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>

/* dray inspect's document: a container's org.dray1.Container properties, as GetAll gives them, with
 * Docker's sections added beside them so that scripts written for `docker inspect` work: Created,
 * Path, Args, State {Status, Running, Paused, …}, Config {…}, HostConfig {…}, Mounts [], and
 * NetworkSettings {Networks {NAME {IPAddress, …}}, Ports, IPAddress, …}. dray's own properties keep
 * their names and places; State, a string among them, becomes the object, printing as the state word
 * in templates ({{.State}}) as before. Documented field by field in dray-inspect(1).
 *
 * networks maps a network's name to its org.dray1.Network properties (Id, Subnet, Gateway) and volumes
 * a volume's name to its Mountpoint; either may be NULL (the fields they feed are then empty). */
int inspect_document_build(json_object *c, json_object *networks, json_object *volumes);

/* usec (CLOCK_REALTIME) as Docker writes times: "2006-01-02T15:04:05.000000Z", and 0 as Go's zero
 * time "0001-01-01T00:00:00Z". */
int inspect_format_time(uint64_t usec, char **ret);

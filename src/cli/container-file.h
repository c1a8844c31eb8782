/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>

/* `dray generate unit`: an existing container (its org.dray1.Container properties, as `dray inspect`
 * prints them) written back as a dray.container(5) file, which dray-generator turns into a service
 * that runs the same container. -EINVAL (logged) for a value a unit file cannot carry. */
int container_file_from_json(json_object *c, char **ret);

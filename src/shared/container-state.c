/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "container-state.h"
#include "string-table.h"

static const char *const container_state_table[_CONTAINER_STATE_MAX] = {
        [CONTAINER_CREATED] = "created",   [CONTAINER_STARTING] = "starting",
        [CONTAINER_RUNNING] = "running",   [CONTAINER_STOPPING] = "stopping",
        [CONTAINER_EXITED] = "exited",     [CONTAINER_REMOVING] = "removing",
        [CONTAINER_PAUSED] = "paused",
};

DEFINE_STRING_TABLE_LOOKUP(container_state, ContainerState, _CONTAINER_STATE_MAX);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "container-state.h"

static const char *const container_state_table[_CONTAINER_STATE_MAX] = {
        [CONTAINER_CREATED] = "created",   [CONTAINER_STARTING] = "starting",
        [CONTAINER_RUNNING] = "running",   [CONTAINER_STOPPING] = "stopping",
        [CONTAINER_EXITED] = "exited",     [CONTAINER_REMOVING] = "removing",
        [CONTAINER_PAUSED] = "paused",
};

const char *container_state_to_string(ContainerState s) {
        if (s < 0 || s >= _CONTAINER_STATE_MAX)
                return NULL;
        return container_state_table[s];
}

ContainerState container_state_from_string(const char *s) {
        if (!s)
                return _CONTAINER_STATE_INVALID;
        for (int i = 0; i < _CONTAINER_STATE_MAX; i++)
                if (streq(container_state_table[i], s))
                        return (ContainerState) i;
        return _CONTAINER_STATE_INVALID;
}

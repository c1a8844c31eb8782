/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macros.h"

typedef enum ContainerState {
        CONTAINER_CREATED,
        CONTAINER_STARTING,
        CONTAINER_RUNNING,
        CONTAINER_STOPPING,
        CONTAINER_EXITED,
        CONTAINER_REMOVING,
        CONTAINER_PAUSED, /* never a record's state: how clients see a running container that is frozen */
        _CONTAINER_STATE_MAX,
        _CONTAINER_STATE_INVALID = -EINVAL,
} ContainerState;

const char *container_state_to_string(ContainerState s) _pure_;
ContainerState container_state_from_string(const char *s) _pure_;

/* Docker's exit status conventions, shared by CLI, daemon and monitor. */
#define EXIT_DRAY_FAILED 125
#define EXIT_CANNOT_INVOKE 126
#define EXIT_NOT_FOUND 127

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "container.h"

/* `dray exec`: one more process in a running container, started by a dray-monitor of its own in exec
 * mode (monitor.h): drayd writes the exec's spec (the container's, with the exec's command,
 * environment, user, working directory and terminal) into a sealed memfd, spawns the monitor,
 * moves it into the container's scope (AttachProcessesToUnit), lets it go, and answers the call with
 * the process's exit status once the monitor says "EXIT". The process's output goes to the caller's
 * streams only, as Docker's exec. An exec outlives neither its container (its init's pid namespace
 * takes it along) nor drayd's restart as a call (the process runs on; nobody is left to answer). */

#define EXEC_SESSIONS_MAX 1024U

/* exec_options: the parsed options (container_options_parse_exec()), consumed. Answers m later. -ESRCH
 * when the container does not run, -ENOBUFS at EXEC_SESSIONS_MAX; error is set for bad options. */
int container_exec(Container *c, ContainerSpec *exec_options, const ContainerStreams *streams, sd_bus_message *m,
                   sd_bus_error *error);

/* An exec for drayd's own use (health checks): instead of answering a call, started() hears the
 * process's PID once it runs (may be NULL) and finished() its exit status, or -1 with a reason when it
 * never ran; the session is gone when finished() is called. *ret stays valid until then, or until
 * exec_session_cancel(), which lets it go without a call back (the process runs on: kill it first). */
typedef struct ExecSession ExecSession;
typedef struct ExecCallbacks {
        void (*started)(void *userdata, pid_t pid);
        void (*finished)(void *userdata, int status, const char *error);
        void *userdata;
} ExecCallbacks;

int container_exec_internal(Container *c, ContainerSpec *exec_options, const ContainerStreams *streams,
                            const ExecCallbacks *callbacks, ExecSession **ret, sd_bus_error *error);
void exec_session_cancel(ExecSession *s);

/* Sessions of the manager, freed (without answering) when the manager goes. */
void exec_sessions_free(Manager *m);

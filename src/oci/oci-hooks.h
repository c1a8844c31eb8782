/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include "oci-config.h"

/* Runs the hooks in order, each with the container's state JSON on its stdin, its args and env, and its
 * timeout (SIGKILL when it passes). ns_pid > 0: in that process's mount namespace (createContainer,
 * startContainer: "in the container's namespace"), the path resolved there. The first hook that fails
 * (exit status not 0, killed, not found) ends the list: a negative errno and the reason; poststart and
 * poststop hooks after a failed one still run (the first failure is returned). */
int oci_hooks_run(const OciHook *hooks, size_t n, OciHookKind kind, const char *state_json, pid_t ns_pid,
                  char **ret_error);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <sched.h>

#include "runtime-internal.h"

/* IPC, UTS and cgroup namespaces joined by path (an OCI config's namespaces[].path): as a pinned
 * network namespace (netns_enter()), the caller enters each for the clone only, so that the child
 * inherits it before it makes a user namespace of its own, as runc joins before it creates. setns()
 * with the type named refuses a file that is no namespace of that type. */
static const unsigned long joinable[NS_JOIN_MAX] = { CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWCGROUP };
static const char *const own[NS_JOIN_MAX] = { "/proc/self/ns/ipc", "/proc/self/ns/uts", "/proc/self/ns/cgroup" };

unsigned long ns_join_flags(const RuntimeIO *io) {
        unsigned long f = 0;

        for (size_t i = 0; i < NS_JOIN_MAX; i++)
                if (io->join_ns_paths[i])
                        f |= joinable[i];
        return f;
}

int ns_join_enter(RuntimeContext *c, int saved[static NS_JOIN_MAX]) {
        for (size_t i = 0; i < NS_JOIN_MAX; i++) {
                _cleanup_close_ int target = -EBADF;
                const char *path = c->io->join_ns_paths[i];

                saved[i] = -EBADF;
                if (!path)
                        continue;
                target = open(path, O_RDONLY | O_CLOEXEC);
                if (target < 0)
                        return runtime_fail(c, errno, "open namespace '%s': %m", path);
                saved[i] = open(own[i], O_RDONLY | O_CLOEXEC);
                if (saved[i] < 0)
                        return runtime_fail(c, errno, "open %s: %m", own[i]);
                if (setns(target, (int) joinable[i]) < 0) {
                        saved[i] = safe_close(saved[i]);
                        return runtime_fail(c, errno, "join namespace '%s': %m", path);
                }
        }
        return 0;
}

void ns_join_leave(int saved[static NS_JOIN_MAX]) {
        for (size_t i = 0; i < NS_JOIN_MAX; i++) {
                if (saved[i] < 0)
                        continue;
                /* Cannot fail for a namespace we were in a moment ago. */
                (void) setns(saved[i], (int) joinable[i]);
                saved[i] = safe_close(saved[i]);
        }
}

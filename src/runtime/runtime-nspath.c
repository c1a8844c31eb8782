/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <sched.h>

#include "runtime-internal.h"

/* IPC, UTS, cgroup, pid and mount namespaces joined by path (an OCI config's namespaces[].path): as a
 * pinned network namespace (netns_enter()), the caller enters each for the clone only, so that the
 * child inherits it before it makes a user namespace of its own, as runc joins before it creates.
 * setns() with the type named refuses a file that is no namespace of that type.
 *
 * A pid namespace is entered for the caller's children only (pid_for_children): the init is born a
 * member of it. A mount namespace moves the caller to its root and back; the init then builds the
 * container's root and pivots into it in that namespace, as runc does. */
static const unsigned long joinable[NS_JOIN_MAX] = {
        [NS_JOIN_IPC] = CLONE_NEWIPC,
        [NS_JOIN_UTS] = CLONE_NEWUTS,
        [NS_JOIN_CGROUP] = CLONE_NEWCGROUP,
        [NS_JOIN_PID] = CLONE_NEWPID,
        [NS_JOIN_MNT] = CLONE_NEWNS,
};
static const char *const own[NS_JOIN_MAX] = {
        [NS_JOIN_IPC] = "/proc/self/ns/ipc",
        [NS_JOIN_UTS] = "/proc/self/ns/uts",
        [NS_JOIN_CGROUP] = "/proc/self/ns/cgroup",
        [NS_JOIN_PID] = "/proc/self/ns/pid_for_children",
        [NS_JOIN_MNT] = "/proc/self/ns/mnt",
};

unsigned long ns_join_flags(const RuntimeIO *io) {
        unsigned long f = 0;

        for (size_t i = 0; i < NS_JOIN_MAX; i++)
                if (io->join_ns_paths[i])
                        f |= joinable[i];
        return f;
}

int ns_join_enter(RuntimeContext *c, NsJoinSaved *saved) {
        saved->cwd = -EBADF;
        for (size_t i = 0; i < NS_JOIN_MAX; i++)
                saved->ns[i] = -EBADF;
        for (size_t i = 0; i < NS_JOIN_MAX; i++) {
                _cleanup_close_ int target = -EBADF;
                const char *path = c->io->join_ns_paths[i];

                if (!path)
                        continue;
                target = open(path, O_RDONLY | O_CLOEXEC);
                if (target < 0)
                        return runtime_fail(c, errno, "open namespace '%s': %m", path);
                if (i == NS_JOIN_MNT) {
                        saved->cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
                        if (saved->cwd < 0)
                                return runtime_fail(c, errno, "open the working directory: %m");
                }
                saved->ns[i] = open(own[i], O_RDONLY | O_CLOEXEC);
                if (saved->ns[i] < 0)
                        return runtime_fail(c, errno, "open %s: %m", own[i]);
                if (setns(target, (int) joinable[i]) < 0) {
                        saved->ns[i] = safe_close(saved->ns[i]);
                        return runtime_fail(c, errno, "join namespace '%s': %m", path);
                }
        }
        return 0;
}

void ns_join_leave(NsJoinSaved *saved) {
        for (size_t i = 0; i < NS_JOIN_MAX; i++) {
                if (saved->ns[i] < 0)
                        continue;
                /* Cannot fail for a namespace we were in a moment ago. */
                (void) setns(saved->ns[i], (int) joinable[i]);
                saved->ns[i] = safe_close(saved->ns[i]);
        }
        if (saved->cwd >= 0) {
                (void) fchdir(saved->cwd);
                saved->cwd = safe_close(saved->cwd);
        }
}

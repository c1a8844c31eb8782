/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>

#include "runtime-internal.h"

/* struct clone_args up to CLONE_ARGS_SIZE_VER2 (Linux 5.7, which added CLONE_INTO_CGROUP). Spelled out
 * here because glibc 2.36 does not export it and <linux/sched.h> clashes with <sched.h>. */
struct runtime_clone_args {
        uint64_t flags;
        uint64_t pidfd;
        uint64_t child_tid;
        uint64_t parent_tid;
        uint64_t exit_signal;
        uint64_t stack;
        uint64_t stack_size;
        uint64_t tls;
        uint64_t set_tid;
        uint64_t set_tid_size;
        uint64_t cgroup;
};

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* A fork() into new namespaces: no new stack, the child returns 0 and continues on a copy of ours, as
 * systemd's raw_clone() does. The caller is single-threaded, so the child may use malloc and stdio.
 * With a cgroup fd the child starts in that cgroup (cgroup v2), so its cgroup namespace is rooted
 * there and it never runs a moment in the caller's cgroup. */
pid_t runtime_clone(unsigned long ns_flags, int cgroup_fd) {
        struct runtime_clone_args args = {
                .flags = ns_flags,
                .exit_signal = SIGCHLD,
        };
        long pid;

        /* CLONE_PARENT: a sibling, which signals our parent as we would (clone3 refuses an exit signal
         * of its own then). */
        if (ns_flags & CLONE_PARENT)
                args.exit_signal = 0;
        if (cgroup_fd >= 0) {
                args.flags |= CLONE_INTO_CGROUP;
                args.cgroup = (uint64_t) cgroup_fd;
        }
        pid = syscall(SYS_clone3, &args, sizeof(args));
        if (pid >= 0)
                return (pid_t) pid;
        if (errno != ENOSYS || cgroup_fd >= 0)
                return -errno;

        /* Before Linux 5.3. Every argument but the flags is zero, so the per-architecture argument
         * order of clone() does not matter. */
        pid = syscall(SYS_clone, ns_flags | SIGCHLD, 0, 0, 0, 0);
        if (pid < 0)
                return -errno;
        return (pid_t) pid;
}

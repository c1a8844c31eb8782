/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `dray exec`: a process in the namespaces of a running container. The caller joins the container's
 * pid namespace for its children only (setns() of CLONE_NEWPID changes pid_for_children), forks, and
 * the child joins the rest (mount, uts, ipc, net, cgroup, and user when the container has its own),
 * which also puts it at the container's root: the root of a mount namespace is where its init
 * pivoted to. From there the child is a payload like any other (runtime-exec.c): stdio or a pty of the
 * container's devpts, capabilities, user, no_new_privs, the seccomp filter, execve(). */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "container-state.h"
#include "log.h"
#include "proc-util.h"
#include "runtime-internal.h"

static const struct {
        const char *name;
        int flag;
} join_namespaces[] = {
        { "user",   CLONE_NEWUSER   }, /* first: the others belong to it */
        { "mnt",    CLONE_NEWNS     },
        { "uts",    CLONE_NEWUTS    },
        { "ipc",    CLONE_NEWIPC    },
        { "net",    CLONE_NEWNET    },
        { "cgroup", CLONE_NEWCGROUP },
};

/* The namespaces of pid that are not ours: setns() into one's own user namespace fails (EINVAL), and
 * joining the others we share changes nothing. */
static int differing_namespaces(pid_t pid, int *ret) {
        int flags = 0;

        for (size_t i = 0; i < ELEMENTSOF(join_namespaces); i++) {
                char theirs[64], ours[64];
                struct stat a, b;

                (void) snprintf(theirs, sizeof(theirs), "/proc/%d/ns/%s", (int) pid, join_namespaces[i].name);
                (void) snprintf(ours, sizeof(ours), "/proc/self/ns/%s", join_namespaces[i].name);
                if (stat(theirs, &a) < 0)
                        return -errno;
                if (stat(ours, &b) < 0)
                        return -errno;
                if (a.st_ino != b.st_ino || a.st_dev != b.st_dev)
                        flags |= join_namespaces[i].flag;
        }
        *ret = flags;
        return 0;
}

static int join_child_setup(RuntimeContext *c, int pidfd, int flags) {
        static const RuntimeRecord forked = { .type = RUNTIME_RECORD_FORKED };
        int r;

        log_set_max_level(-1);
        if ((!c->io->orphan && prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) || prctl(PR_SET_DUMPABLE, 0) < 0)
                return runtime_fail(c, errno, "set up the process: %m");
        if (flags != 0 && setns(pidfd, flags) < 0)
                return runtime_fail(c, errno, "join the container's namespaces: %m");
        /* At once, before anything could run in here: only the arranged fds are left (the monitor's
         * own, of the host, are closed; CVE-2024-21626). */
        r = setup_fds(c);
        if (r < 0)
                return r;
        if (chdir("/") < 0)
                return runtime_fail(c, errno, "enter the container's root: %m");
        r = init_setup_tty(c);
        if (r < 0)
                return r;
        runtime_report(c->report_fd, &forked);
        return 0;
}

_noreturn_ static void join_child(RuntimeContext *c, int pidfd, int flags) {
        if (join_child_setup(c, pidfd, flags) >= 0)
                exec_payload(c);
        runtime_report(c->report_fd, &c->failure);
        _exit(EXIT_DRAY_FAILED);
}

static int join_prepare(RuntimeContext *c) {
        const char *reason = NULL, *bad = NULL;
        int r;

        r = spec_validate(c->spec, &reason);
        if (r < 0)
                return runtime_fail(c, r, "invalid exec spec: %s", reason);
        if (c->io->stdout_fd < 0 || c->io->stderr_fd < 0)
                return runtime_fail(c, EBADF, "no stdout or stderr for the process");
        if (c->spec->tty && !c->io->pty_master)
                return runtime_fail(c, EINVAL, "terminal without a place for the pty's master");
        r = runtime_caps_from_spec(c->spec->cap_add, c->spec->cap_drop, &c->caps, &bad);
        if (r < 0)
                return runtime_fail(c, r, "unknown capability '%s'", strna(bad));
        if (c->spec->privileged)
                c->caps = runtime_caps_all();
        return 0;
}

static int join_spawn(RuntimeContext *c, pid_t target, pid_t *ret_pid) {
        _cleanup_close_pair_ int report[2] = { -EBADF, -EBADF };
        _cleanup_close_ int pidfd = -EBADF, pty = -EBADF;
        _cleanup_(kill_and_reap) pid_t pid = 0;
        int flags = 0, r;

        r = join_prepare(c);
        if (r < 0)
                return r;
        pidfd = pidfd_open_pid(target);
        if (pidfd < 0)
                return runtime_fail(c, pidfd, "open the container's init (PID %d): %m", (int) target);
        r = differing_namespaces(target, &flags);
        if (r < 0)
                return runtime_fail(c, r, "read the container's namespaces: %m");
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, report) < 0)
                return runtime_fail(c, errno, "create report socket: %m");
        c->report_fd = report[1];

        /* For our children from here on: the child is born in the container's pid namespace. */
        if (setns(pidfd, CLONE_NEWPID) < 0)
                return runtime_fail(c, errno, "join the container's pid namespace: %m");
        pid = fork();
        if (pid < 0) {
                r = -errno;
                pid = 0;
                return runtime_fail(c, r, "fork: %m");
        }
        if (pid == 0)
                join_child(c, pidfd, flags & ~CLONE_NEWPID);

        report[1] = safe_close(report[1]);
        r = runtime_collect(c, report[0], &pty);
        if (r < 0)
                return r;
        if (c->spec->tty)
                *c->io->pty_master = TAKE_FD(pty);
        *ret_pid = TAKE_PID(pid);
        return 0;
}

int runtime_join(const ContainerSpec *spec, const RuntimeIO *io, pid_t target_pid, RuntimeError *error,
                 pid_t *ret_pid) {
        RuntimeContext c = RUNTIME_CONTEXT_INIT(spec, io);
        pid_t pid = 0;
        int r;

        r = join_spawn(&c, target_pid, &pid);
        if (r < 0) {
                if (error) {
                        *error = (RuntimeError) { .error = c.failure.error, .stage = c.failure.stage };
                        memcpy(error->message, c.failure.message, sizeof(error->message));
                }
                return r;
        }
        *ret_pid = pid;
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include "container-state.h"
#include "log.h"
#include "runtime-internal.h"

/* CLONE_NEWNET unless the container uses the host's namespace or joins a pinned one
 * (netns_clone_flags()). */
#define RUNTIME_NS_FLAGS (CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP)

static int setup_hostname(RuntimeContext *c) {
        const char *h = c->spec->hostname ?: c->spec->name;

        if ((c->io->shared_namespaces & CLONE_NEWUTS) || c->io->join_ns_paths[NS_JOIN_UTS])
                return 0; /* the caller's host name is not ours to change */
        if (sethostname(h, strlen(h)) < 0)
                return runtime_fail(c, errno, "set hostname '%s': %m", h);
        return 0;
}

/* A new network namespace has only "lo", and it is down: bring it up, as Docker does, so payloads can
 * talk to themselves over 127.0.0.1. Other interfaces are the network code's business. */
static int setup_loopback(RuntimeContext *c) {
        struct ifreq ifr = { .ifr_name = "lo" };
        _cleanup_close_ int fd = -EBADF;

        if (c->spec->net.mode == NETWORK_MODE_HOST)
                return 0; /* the host's own lo */
        fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return runtime_fail(c, errno, "create socket for lo: %m");
        if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
                return runtime_fail(c, errno, "get flags of lo: %m");
        if (ifr.ifr_flags & IFF_UP)
                return 0;
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
                return runtime_fail(c, errno, "bring lo up: %m");
        return 0;
}

/* The container's init, from clone to the payload's fork, as one list of named steps. Each step is a
 * short function (runtime-*.c) with the same contract: 0, or a negative errno with c->failure set. */
static const struct {
        const char *name;
        int (*run)(RuntimeContext *c);
        bool payload_only; /* not for --boot, whose PID 1 is the tree's init (runtime-boot.c) */
} setup_steps[] = {
        /* non-dumpable, dies with its parent, every signal blocked */
        { "process",         init_setup_process },
        /* --boot: the notify socket, while its 0700 parents are still ours to pass */
        { "boot-notify",     boot_open_notify },
        /* dray-oci: the start FIFO, while the host's tree is still there and we are host root (its
         * parents need not be open to a user namespace's root) */
        { "start-fifo",      gate_open, true },
        /* --userns=auto: wait for the ID maps and the root tree, become the namespace's root */
        { "userns",          userns_setup_child },
        /* stdio on 0-2, the report pipe on 3, nothing else */
        { "fds",             setup_fds },
        /* no mount event leaves or enters */
        { "propagation",     mount_make_private },
        /* bind or overlayfs on root_mount, with the mount points */
        { "root",            mount_setup_root },
        /* generated /etc/hosts, /etc/hostname, /etc/resolv.conf (bridge networks) */
        { "network-files",   netfiles_setup },
        /* /proc */
        { "proc",            mount_setup_proc },
        /* the spec's namespaced sysctls, in the new /proc/sys */
        { "sysctl",          sysctl_setup },
        /* tmpfs /dev: nodes, pts, shm, mqueue, links */
        { "dev",             dev_setup },
        /* /sys read-only, after /dev as the OCI spec's default mounts are ordered */
        { "sys",             mount_setup_sys },
        /* --boot: tmpfs /run and /tmp, /run/host */
        { "boot-mounts",     boot_setup_mounts },
        /* -v and --tmpfs, and the tmpfs /tmp and /run of a read-only root */
        { "mounts",          mount_setup_user },
        { "hostname",        setup_hostname },
        { "loopback",        setup_loopback },
        /* the host's tree is gone from here on */
        { "pivot-root",      mount_pivot_root },
        /* masked and read-only paths, cgroup2, read-only root */
        { "after-pivot",     mount_setup_after_pivot },
        /* --boot: the cgroup hierarchies the inner systemd manages */
        { "boot-cgroup",     boot_setup_cgroup },
        /* the signalfd of the signals the init handles */
        { "signals",         init_setup_signals, true },
        /* -t: a pty of the container's devpts; its master goes to the caller */
        { "tty",             init_setup_tty },
        /* --boot: that pty is /dev/console */
        { "boot-console",    boot_setup_console },
        /* dray-oci: report "built" and wait for `dray-oci start` */
        { "start-wait",      gate_wait, true },
        /* PID 2: drops privileges and execs */
        { "fork-payload",    init_fork_payload, true },
        /* the init keeps CAP_KILL and CAP_SYS_BOOT (reboot in place) and nothing else */
        { "drop-privileges", init_drop_privileges, true },
};

_noreturn_ static void container_main(RuntimeContext *c) {
        for (size_t i = 0; i < ELEMENTSOF(setup_steps); i++) {
                if (c->spec->boot && setup_steps[i].payload_only)
                        continue;
                if (setup_steps[i].run(c) < 0) {
                        runtime_report(c->report_fd, &c->failure);
                        _exit(EXIT_DRAY_FAILED);
                }
        }
        if (c->spec->boot)
                boot_exec(c);
        init_run(c);
}

/* In the caller: everything that can be checked without forking, so bad input fails early and the
 * child has nothing left to parse. */
int runtime_prepare(RuntimeContext *c) {
        const ContainerSpec *s = c->spec;
        const RuntimeIO *io = c->io;
        const char *reason = NULL, *bad = NULL;
        struct statfs sfs;
        int r;

        r = spec_validate(s, &reason);
        if (r < 0)
                return runtime_fail(c, r, "invalid container spec: %s", reason);
        if (io->stdout_fd < 0 || io->stderr_fd < 0)
                return runtime_fail(c, EBADF, "no stdout or stderr for the payload");
        if (isempty(io->root_mount) || io->root_mount[0] != '/')
                return runtime_fail(c, EINVAL, "no root mount point given");
        if (s->ephemeral && (isempty(io->upper_dir) || isempty(io->work_dir)))
                return runtime_fail(c, EINVAL, "ephemeral container without upper and work directories");
        if (s->tty && !io->pty_master)
                return runtime_fail(c, EINVAL, "terminal container without a place for the pty's master");
        r = s->boot ? runtime_boot_caps(s, &c->caps, &bad) : runtime_caps_from_spec(s->cap_add, s->cap_drop, &c->caps, &bad);
        if (r < 0)
                return runtime_fail(c, r, "unknown capability '%s'", strna(bad));
        if (s->privileged)
                c->caps = runtime_caps_all();
        if (c->caps & ~runtime_caps_all()) {
                char *n = cap_to_name((cap_value_t) __builtin_ctzll(c->caps & ~runtime_caps_all()));

                r = runtime_fail(c, EPERM, "%s was asked for, but dray's own bounding set lacks it", strna(n));
                (void) cap_free(n);
                return r;
        }
        c->host_cgroup2 = statfs("/sys/fs/cgroup", &sfs) >= 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
        return 0;
}

/* One record, and the fd a PTY record carries. 0 at EOF, else the record's size or -errno. */
static ssize_t report_receive(int fd, RuntimeRecord *rec, int *ret_fd) {
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct iovec iov = { .iov_base = rec, .iov_len = sizeof(*rec) };
        struct msghdr mh = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = &control,
                .msg_controllen = sizeof(control),
        };
        ssize_t n;

        *ret_fd = -EBADF;
        n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
        if (n < 0)
                return -errno;
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
                if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
                    cm->cmsg_len == CMSG_LEN(sizeof(int)))
                        memcpy(ret_fd, CMSG_DATA(cm), sizeof(int));
        return n;
}

/* Reads the report socket to EOF: EOF after FORKED and no ERROR means the payload exec'd. */
int runtime_collect(RuntimeContext *c, int fd, int *ret_pty) {
        _cleanup_close_ int pty = -EBADF;
        bool forked = false, failed = false, gated = false;
        RuntimeRecord rec;

        for (;;) {
                int passed;
                ssize_t n = report_receive(fd, &rec, &passed);

                if (n == -EINTR)
                        continue;
                if (n < 0)
                        return runtime_fail(c, (int) -n, "read container setup report: %m");
                if (n == 0)
                        break;
                if (rec.type == RUNTIME_RECORD_PTY && passed >= 0 && pty < 0 && c->spec->tty)
                        pty = TAKE_FD(passed);
                safe_close(passed); /* anything else that came along */
                if ((size_t) n != sizeof(rec))
                        return runtime_fail(c, EIO, "short container setup report");
                if (rec.type == RUNTIME_RECORD_FORKED)
                        forked = true;
                else if (rec.type == RUNTIME_RECORD_GATED && c->io->start_fifo && !failed) {
                        /* Built and waiting for its start: the payload does not exist yet. */
                        gated = true;
                        break;
                }
                else if (rec.type == RUNTIME_RECORD_ERROR && !failed) {
                        rec.message[sizeof(rec.message) - 1] = 0;
                        if (rec.stage < 0 || rec.stage >= _RUNTIME_STAGE_MAX)
                                rec.stage = RUNTIME_STAGE_SETUP;
                        c->failure = rec;
                        failed = true;
                }
        }
        if (failed)
                return -c->failure.error;
        if (!forked && !gated)
                return runtime_fail(c, EIO, "container init died during setup");
        if (c->spec->tty && pty < 0)
                return runtime_fail(c, EIO, "the container's init sent no terminal");
        *ret_pty = TAKE_FD(pty);
        return 0;
}

/* crun's cleanup_pid: a child held in a cleanup variable is killed and reaped on early return. */
void kill_and_reap(pid_t *pid) {
        if (*pid <= 0)
                return;
        (void) kill(*pid, SIGKILL);
        while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
                ;
        *pid = 0;
}


static int runtime_spawn(RuntimeContext *c, pid_t *ret_init_pid) {
        _cleanup_close_pair_ int report[2] = { -EBADF, -EBADF }, userns[2] = { -EBADF, -EBADF };
        _cleanup_(kill_and_reap) pid_t pid = 0;
        _cleanup_close_ int pty = -EBADF;
        _cleanup_(netns_leave) int saved_netns = -EBADF;
        NsJoinSaved saved_ns;
        unsigned long flags;
        int r;

        r = runtime_prepare(c);
        if (r < 0)
                return r;
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, report) < 0)
                return runtime_fail(c, errno, "create report socket: %m");
        c->report_fd = report[1];

        r = userns_join_prepare(c);
        if (r < 0)
                return r;
        if ((runtime_makes_userns(c) || c->io->join_userns_path) &&
            socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, userns) < 0)
                return runtime_fail(c, errno, "create user namespace socket: %m");
        if (c->io->join_userns_path && setsockopt(userns[0], SOL_SOCKET, SO_PASSCRED, &(int) { 1 }, sizeof(int)) < 0)
                return runtime_fail(c, errno, "set up user namespace socket: %m");
        c->userns_sock = userns[1];

        r = netns_enter(c, &saved_netns);
        if (r < 0)
                return r;
        r = ns_join_enter(c, &saved_ns);
        if (r < 0) {
                ns_join_leave(&saved_ns);
                return r;
        }
        flags = (RUNTIME_NS_FLAGS & ~((c->io->shared_namespaces & (CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP)) |
                                      ns_join_flags(c->io))) |
                netns_clone_flags(c->spec) | (runtime_makes_userns(c) ? CLONE_NEWUSER : 0);
        /* A user namespace joined by path: a helper joins it and clones the init (runtime-userjoin.c). */
        pid = runtime_clone(c->io->join_userns_path ? 0 : flags, c->io->cgroup_fd);
        if (pid == 0) {
                /* In the joined network namespace; setup_fds() closes saved_netns. */
                userns[0] = safe_close(userns[0]);
                if (c->io->join_userns_path)
                        (void) userns_join_clone(c, flags);
                container_main(c);
        }
        netns_leave(&saved_netns);
        ns_join_leave(&saved_ns);
        if (pid < 0) {
                r = (int) pid;
                pid = 0;
                return runtime_fail(c, r, "clone container init: %m");
        }

        report[1] = safe_close(report[1]);
        userns[1] = safe_close(userns[1]);
        c->userns_sock = -EBADF;
        if (c->io->join_userns_path) {
                pid_t init = 0;

                r = userns_join_collect(c, &pid, userns[0], &init);
                pid = init;
                if (r < 0)
                        return r;
        } else if (userns[0] >= 0) {
                r = userns_setup_parent(c, pid, userns[0]);
                if (r < 0)
                        return r;
                userns[0] = safe_close(userns[0]);
        }
        r = runtime_collect(c, report[0], &pty);
        if (r < 0)
                return r;
        if (c->spec->tty)
                *c->io->pty_master = TAKE_FD(pty);
        *ret_init_pid = TAKE_PID(pid);
        return 0;
}

int runtime_start(const ContainerSpec *spec, const RuntimeIO *io, RuntimeError *error, pid_t *ret_init_pid) {
        RuntimeContext c = RUNTIME_CONTEXT_INIT(spec, io);
        pid_t pid = 0;
        int r;

        assert(spec);
        assert(io);
        assert(ret_init_pid);

        r = runtime_spawn(&c, &pid);
        if (r < 0) {
                log_debug_errno(r, "Container '%s' failed to start (%s): %s", strna(spec->name),
                                runtime_stage_to_string(c.failure.stage), c.failure.message);
                if (error) {
                        *error = (RuntimeError) {
                                .error = c.failure.error,
                                .stage = c.failure.stage,
                        };
                        memcpy(error->message, c.failure.message, sizeof(error->message));
                }
                return r;
        }
        log_debug("Container '%s' started, init PID %d.", spec->name, (int) pid);
        *ret_init_pid = pid;
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <sys/resource.h>

#include "contract.h"
#include "runtime-internal.h"

/* Makes fds[i] become fd i for every i, and closes every other fd. The fds may be any numbers,
 * including each other's targets and duplicates of each other. On success fds[i] == i; the new fds
 * do not have FD_CLOEXEC set. */
int fd_move_to_low(int *fds, size_t n) {
        int hi = (int) n;

        for (size_t i = 0; i < n; i++) {
                if (fds[i] < 0)
                        return -EBADF;
                hi = MAX(hi, fds[i] + 1);
        }
        /* First copy every fd above all sources and targets, so no dup3() below clobbers a source. */
        for (size_t i = 0; i < n; i++) {
                int t = fcntl(fds[i], F_DUPFD_CLOEXEC, hi);
                if (t < 0)
                        return -errno;
                fds[i] = t;
        }
        for (size_t i = 0; i < n; i++) {
                if (dup3(fds[i], (int) i, 0) < 0)
                        return -errno;
                fds[i] = (int) i;
        }
        return fd_close_from((int) n);
}

int fd_close_from(int first) {
        struct rlimit rl;

        if (close_range((unsigned) first, ~0U, 0) >= 0)
                return 0;
        if (errno != ENOSYS)
                return -errno;

        /* Before Linux 5.9. */
        if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
                return -errno;
        for (rlim_t fd = (rlim_t) first; fd < MIN(rl.rlim_cur, (rlim_t) 1024 * 1024); fd++)
                (void) close((int) fd);
        return 0;
}

/* The first thing the init does with fds: the payload's stdio becomes 0, 1 and 2 (the payload
 * inherits them), the report pipe 3, and every other fd it inherited from the caller is closed now,
 * long before anything in the container runs (CVE-2024-21626 leaked a host fd that way). */
int setup_fds(RuntimeContext *c) {
        int fds[12 + PASS_FDS_MAX] = { c->io->stdin_fd, c->io->stdout_fd, c->io->stderr_fd, c->report_fd,
                                       c->io->seccomp_fd };
        int *userns_fds[] = { &c->userns_tree_fd, &c->userns_target_fd, &c->userns_upper_fd, &c->userns_work_fd,
                              &c->userns_netfiles_fd, &c->boot_notify_fd, &c->start_fifo_fd };
        int *kept[ELEMENTSOF(userns_fds)];
        size_t n = c->io->seccomp_fd >= 0 ? 5 : 4, userns_at = n, n_userns = 0;
        int r;

        /* --userns=auto: the root tree, its mount point, the overlay's directories, the generated
         * /etc files and the start FIFO, opened while still host UID 0, until the steps that use them have closed them
         * (the payload never sees them). */
        for (size_t i = 0; i < ELEMENTSOF(userns_fds); i++)
                if (*userns_fds[i] >= 0) {
                        kept[n_userns++] = userns_fds[i];
                        fds[n++] = *userns_fds[i];
                }

        /* Passed on to the payload (runtime-exec.c moves them to 3…); close-on-exec until then. */
        if (c->io->n_pass_fds > PASS_FDS_MAX)
                return runtime_fail(c, E2BIG, "too many fds to pass on");
        c->pass_fds_at = (int) n;
        for (size_t i = 0; i < c->io->n_pass_fds; i++)
                fds[n++] = c->io->pass_fds[i];

        if (fds[0] < 0) {
                /* Still the host's /dev/null: nothing of the container is mounted yet. */
                fds[0] = open("/dev/null", O_RDONLY | O_CLOEXEC | O_NOCTTY);
                if (fds[0] < 0)
                        return runtime_fail(c, errno, "open /dev/null: %m");
        }
        r = fd_move_to_low(fds, n);
        if (r < 0)
                return runtime_fail(c, r, "set up stdio: %m");
        c->n_fds = (int) n;
        c->report_fd = RUNTIME_FD_REPORT;
        if (fcntl(c->report_fd, F_SETFD, FD_CLOEXEC) < 0)
                return runtime_fail(c, errno, "set up report pipe: %m");
        for (size_t i = 0; i < n_userns; i++) {
                *kept[i] = (int) (userns_at + i);
                if (fcntl(*kept[i], F_SETFD, FD_CLOEXEC) < 0)
                        return runtime_fail(c, errno, "set up root tree fds: %m");
        }
        for (size_t i = 0; i < c->io->n_pass_fds; i++)
                if (fcntl(c->pass_fds_at + (int) i, F_SETFD, FD_CLOEXEC) < 0)
                        return runtime_fail(c, errno, "set up passed fds: %m");
        if (c->io->seccomp_fd >= 0) {
                c->seccomp_fd = RUNTIME_FD_SECCOMP;
                if (fcntl(c->seccomp_fd, F_SETFD, FD_CLOEXEC) < 0)
                        return runtime_fail(c, errno, "set up seccomp profile fd: %m");
        }
        return 0;
}

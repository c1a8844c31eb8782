/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child-process.h"
#include "parse-util.h"
#include "proc-util.h"
#include "string-table.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

struct ChildProcess {
        char *what;
        pid_t pid;
        int pidfd;
        sd_event_source *pid_source;
        int report_fd;
        sd_event_source *report_source;
        char report[CHILD_REPORT_LINE_MAX + 1];
        size_t n_report;
        bool discarding;        /* in the rest of an over-long line */
        ChildLineFunc on_line;
        ChildExitFunc on_exit;
        void *userdata;
};

static void child_reap_now(ChildProcess *c) {
        if (c->pid <= 0)
                return;
        (void) kill(c->pid, SIGKILL);
        if (c->pidfd >= 0)
                (void) waitid((idtype_t) P_PIDFD, (id_t) c->pidfd, &(siginfo_t) {}, WEXITED);
        else
                (void) waitpid(c->pid, NULL, 0);
        c->pid = 0;
}

ChildProcess *child_process_free(ChildProcess *c) {
        if (!c)
                return NULL;
        child_reap_now(c);
        sd_event_source_disable_unref(c->pid_source);
        sd_event_source_disable_unref(c->report_source);
        safe_close(c->pidfd);
        safe_close(c->report_fd);
        free(c->what);
        free(c);
        return NULL;
}

pid_t child_process_pid(const ChildProcess *c) {
        return c->pid;
}

const char *child_process_what(const ChildProcess *c) {
        return c->what;
}

int child_process_kill(ChildProcess *c, int sig) {
        if (c->pid <= 0)
                return -ESRCH;
        /* Through the pidfd: the PID cannot have been reused, as we have not reaped it. */
        return syscall(SYS_pidfd_send_signal, c->pidfd, sig, NULL, 0) < 0 ? -errno : 0;
}

static void report_close(ChildProcess *c) {
        c->report_source = sd_event_source_disable_unref(c->report_source);
        c->report_fd = safe_close(c->report_fd);
}

/* Hands out every whole line the child wrote so far; at EOF (or an error) stops watching. */
static int on_report(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        ChildProcess *c = userdata;

        for (;;) {
                ssize_t n = read(c->report_fd, c->report + c->n_report, CHILD_REPORT_LINE_MAX - c->n_report);
                char *nl;

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return 0;
                if (n <= 0) {
                        report_close(c);
                        return 0;
                }
                c->n_report += (size_t) n;
                c->report[c->n_report] = 0;
                while ((nl = memchr(c->report, '\n', c->n_report))) {
                        size_t len = (size_t) (nl - c->report) + 1;

                        *nl = 0;
                        if (!c->discarding)
                                c->on_line(c, c->report, c->userdata);
                        c->discarding = false;
                        c->n_report -= len;
                        memmove(c->report, c->report + len, c->n_report + 1);
                }
                if (c->n_report == CHILD_REPORT_LINE_MAX) {
                        /* An over-long line: the child misbehaves. Drop it up to its end. */
                        c->n_report = 0;
                        c->discarding = true;
                }
        }
}

static int on_pidfd(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        ChildProcess *c = userdata;
        siginfo_t si = {};
        ChildExit e;

        if (waitid((idtype_t) P_PIDFD, (id_t) c->pidfd, &si, WEXITED | WNOHANG) < 0 || si.si_pid == 0 ||
            child_exit_from_siginfo(&si, &e) < 0)
                return 0; /* not ended after all: wait for the next wake-up */
        c->pid = 0;
        c->pid_source = sd_event_source_disable_unref(c->pid_source);
        /* Whatever is still in the pipe came before the exit. */
        if (c->report_fd >= 0)
                (void) on_report(NULL, c->report_fd, 0, c);
        report_close(c);
        c->on_exit(c, &e, c->userdata); /* may free c */
        return 0;
}

int child_process_spawn(sd_event *event, const ChildProcessArgs *a, ChildProcess **ret) {
        _cleanup_(child_process_freep) ChildProcess *c = NULL;
        _cleanup_close_pair_ int p[2] = { -EBADF, -EBADF };
        int r;

        c = calloc(1, sizeof(ChildProcess));
        if (!c)
                return -ENOMEM;
        *c = (ChildProcess) { .pidfd = -EBADF, .report_fd = -EBADF, .on_line = a->on_line, .on_exit = a->on_exit,
                              .userdata = a->userdata };
        c->what = strdup(a->what);
        if (!c->what)
                return -ENOMEM;
        if (a->on_line && pipe2(p, O_CLOEXEC) < 0)
                return -errno;

        c->pid = child_fork(c->what);
        if (c->pid < 0) {
                r = c->pid;
                c->pid = 0;
                return r;
        }
        if (c->pid == 0) {
                p[0] = safe_close(p[0]);
                r = a->main(p[1], a->main_userdata);
                _exit(r < 0 ? EXIT_FAILURE : r);
        }

        /* Our own unreaped child: its PID cannot be reused until we reap it, so the pidfd is its. */
        c->pidfd = pidfd_open_pid(c->pid);
        if (c->pidfd < 0)
                return c->pidfd;
        r = sd_event_add_io(event, &c->pid_source, c->pidfd, EPOLLIN, on_pidfd, c);
        if (r < 0)
                return r;
        if (a->on_line) {
                if (fcntl(p[0], F_SETFL, O_NONBLOCK) < 0)
                        return -errno;
                c->report_fd = TAKE_FD(p[0]);
                r = sd_event_add_io(event, &c->report_source, c->report_fd, EPOLLIN, on_report, c);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(c);
        return 0;
}

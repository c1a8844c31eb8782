/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child-fork.h"
#include "worker-child.h"

int worker_child_start(WorkerChild *k, const char *what, int (*run)(void *userdata, UnpackError *error),
                       void *userdata) {
        pid_t parent = getpid(), pid;
        int p[2];

        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        pid = child_fork(what);
        if (pid < 0) {
                safe_close(p[0]);
                safe_close(p[1]);
                return pid;
        }
        if (pid == 0) {
                UnpackError e = {};
                int r;

                (void) prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
                /* A parent that died between fork() and prctl() sent no signal: the child would
                 * go on uploading or unpacking for nobody. */
                if (getppid() != parent)
                        _exit(EXIT_FAILURE);
                safe_close(p[0]);
                r = run(userdata, &e);
                (void) dprintf(p[1], "%d %s", r < 0 ? -r : 0, e.message); /* done: a note, or "" */
                _exit(r < 0 ? EXIT_FAILURE : EXIT_SUCCESS);
        }
        safe_close(p[1]);
        if (fcntl(p[0], F_SETFL, O_NONBLOCK) < 0) {
                safe_close(p[0]);
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                return -errno;
        }
        *k = (WorkerChild) { .pid = pid, .fd = p[0] };
        return 0;
}

int worker_child_read(WorkerChild *k, UnpackError *error) {
        int status = 0, e = 0, off = 0;

        for (;;) {
                ssize_t n = read(k->fd, k->buf + k->n_buf, sizeof(k->buf) - 1 - k->n_buf);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return 1;
                if (n <= 0)
                        break;
                k->n_buf += (size_t) n;
                if (k->n_buf >= sizeof(k->buf) - 1)
                        k->n_buf = sizeof(k->buf) - 2; /* an over-long message is cut */
        }
        k->fd = safe_close(k->fd);
        (void) waitpid(k->pid, &status, 0);
        k->pid = 0;
        k->buf[k->n_buf] = 0;
        if (sscanf(k->buf, "%d %n", &e, &off) < 1 || e < 0)
                e = EIO;
        if (e == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
                e = EIO;
        if (e != 0)
                return unpack_error_set(error, -e, "%s", off > 0 && k->buf[off] ? k->buf + off : "a worker child failed");
        memmove(k->buf, k->buf + off, strlen(k->buf + off) + 1);
        return 0;
}

void worker_child_kill(WorkerChild *k) {
        if (k->pid > 0) {
                (void) kill(k->pid, SIGKILL);
                (void) waitpid(k->pid, NULL, 0);
                k->pid = 0;
        }
        k->fd = safe_close(k->fd);
}

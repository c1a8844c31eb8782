/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A payload of many small processes, for tests/integration/64-oom.sh: it says so on stdout, then forks
 * children that each touch 512 KiB and wait, until the memory limit makes the OOM killer take
 * one of them (often before most children ran at all: their kernel memory fills the cgroup, and each
 * is smaller than dray-monitor and the container's init, which were the OOM killer's choice without
 * their protection). Then it takes its process group down with SIGKILL, so that its exit status (137)
 * says what happened; the OOM killer may also take the parent itself. Built -static by the test. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILD_BYTES (512 << 10)
/* 200 MiB at most, should no memory limit be enforced: 64 MiB are reached long before. */
#define CHILDREN_MAX 400

static int reap(void) {
        int status;
        pid_t pid;

        while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
                if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
                        return 1;
        return 0;
}

int main(void) {
        static const char started[] = "STARTED oomfork\n";
        char line[128];
        int n, len, killed = 0;

        if (write(STDOUT_FILENO, started, sizeof(started) - 1) < 0)
                return 2;

        for (n = 0; n < CHILDREN_MAX && !killed; n++) {
                pid_t pid = fork();

                if (pid == 0) {
                        /* volatile: a store nothing reads would be optimised away, malloc() with it. */
                        volatile char *p = malloc(CHILD_BYTES);

                        for (size_t i = 0; p && i < CHILD_BYTES; i += 4096)
                                p[i] = 1;
                        pause();
                        _exit(0);
                }
                if (pid < 0)
                        break;
                killed = reap();
        }
        /* Wait for a child the OOM killer took (all of them are waiting in pause()). */
        while (!killed) {
                int status;

                if (wait(&status) < 0)
                        break;
                killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
        }
        /* No stdio: its buffer is allocated on first use, in a cgroup at its memory limit. */
        len = snprintf(line, sizeof(line), "CONTAINED oomfork: a child was killed after %d children\n", n);
        if (write(STDOUT_FILENO, line, (size_t) len) != len)
                return 2;
        kill(0, SIGKILL);
        return 1;
}

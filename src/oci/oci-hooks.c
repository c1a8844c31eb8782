/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomic-write.h"
#include "oci-hooks.h"
#include "proc-util.h"
#include "time-util.h"

static int hook_run(const OciHook *h, OciHookKind kind, const char *state_json, pid_t ns_pid, char **ret_error) {
        _cleanup_close_ int in = -EBADF, mntns = -EBADF, pidfd = -EBADF;
        char *const default_argv[] = { h->path, NULL };
        uint64_t deadline = h->timeout_sec > 0 ? now_usec(CLOCK_MONOTONIC) + (uint64_t) h->timeout_sec * USEC_PER_SEC : 0;
        int status = 0;
        pid_t pid;

        if (ns_pid > 0) {
                char path[64];

                (void) snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int) ns_pid);
                mntns = open(path, O_RDONLY | O_CLOEXEC);
                if (mntns < 0)
                        return -errno;
        }
        /* The state in a memfd rather than a pipe: a hook that does not read it (or dies first) can
         * neither block the runtime past its timeout (a state with large annotations fills a pipe)
         * nor kill it with SIGPIPE halfway through a create. */
        in = memfd_create("oci-hook-state", MFD_CLOEXEC);
        if (in < 0)
                return -errno;
        if (loop_write(in, state_json, strlen(state_json)) < 0 || lseek(in, 0, SEEK_SET) < 0)
                return -errno;
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                if ((mntns >= 0 && (setns(mntns, CLONE_NEWNS) < 0 || chdir("/") < 0)) || dup2(in, STDIN_FILENO) < 0)
                        _exit(126);
                execve(h->path, h->args && h->args[0] ? h->args : default_argv, h->env ?: (char *[]) { NULL });
                _exit(127);
        }
        in = safe_close(in);

        pidfd = pidfd_open_pid(pid);
        for (;;) {
                pid_t w = waitpid(pid, &status, deadline > 0 && pidfd >= 0 ? WNOHANG : 0);

                if (w == pid)
                        break;
                if (w < 0 && errno != EINTR)
                        return -errno;
                if (w == 0) {
                        uint64_t t = now_usec(CLOCK_MONOTONIC);
                        struct pollfd p = { .fd = pidfd, .events = POLLIN };

                        if (t >= deadline) {
                                (void) kill(pid, SIGKILL);
                                (void) waitpid(pid, NULL, 0);
                                (void) asprintf(ret_error, "%s hook %s timed out after %d s", oci_hook_kind_to_string(kind),
                                                h->path, h->timeout_sec);
                                return -ETIMEDOUT;
                        }
                        (void) poll(&p, 1, (int) ((deadline - t) / 1000 + 1));
                }
        }
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        (void) asprintf(ret_error, "%s hook %s %s %d", oci_hook_kind_to_string(kind), h->path,
                        WIFEXITED(status) ? "exited with status" : "was killed by signal",
                        WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        return -EIO;
}

int oci_hooks_run(const OciHook *hooks, size_t n, OciHookKind kind, const char *state_json, pid_t ns_pid,
                  char **ret_error) {
        /* A failing poststart or poststop hook is the caller's warning, and the remaining hooks still
         * run (runtime-spec: "the remaining hooks and lifecycle continue"); the first failure is
         * returned. Before the start, the first failure ends the operation. */
        bool keep_going = kind == OCI_HOOK_POSTSTART || kind == OCI_HOOK_POSTSTOP;
        int ret = 0;

        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *error = NULL;
                int r = hook_run(&hooks[i], kind, state_json, ns_pid, &error);

                if (r < 0 && ret == 0) {
                        ret = r;
                        if (ret_error)
                                *ret_error = TAKE_PTR(error);
                }
                if (r < 0 && !keep_going)
                        break;
        }
        return ret;
}

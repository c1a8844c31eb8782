/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Running a spec through runtime_start() in the privileged tests: start, collect stdout and stderr,
 * wait (bounded), report a setup failure on stderr. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>

#include "name.h"
#include "runtime.h"
#include "strv.h"
#include "test-rootfs.h"
#include "test.h"

typedef struct Run {
        int r;               /* runtime_start() */
        RuntimeError error;
        int exit_status;
        char out[16384];
        char err[4096];
} Run;

static inline ContainerSpec *spec_for(const TestRoot *t, const char *script) {
        ContainerSpec *s = spec_new();
        char id[CONTAINER_ID_LEN + 1];

        if (!s || container_id_generate(id) < 0)
                return spec_free(s);
        s->id = strdup(id);
        s->name = strdup("rt-test");
        s->rootfs = strdup(t->rootfs);
        if (strv_extend(&s->command, "sh") < 0 || strv_extend(&s->command, "-c") < 0 ||
            strv_extend(&s->command, script) < 0 || strv_extend(&s->env, "PATH=/bin") < 0 ||
            !s->id || !s->name || !s->rootfs)
                return spec_free(s);
        return s;
}

/* The seccomp profile fd run_spec() gives the payload, if any. */
static int test_seccomp_fd = -EBADF;

static inline RuntimeIO io_for(const TestRoot *t, int out, int err) {
        RuntimeIO io = RUNTIME_IO_NULL;

        io.seccomp_fd = test_seccomp_fd;
        io.stdout_fd = out;
        io.stderr_fd = err;
        io.root_mount = t->mount;
        io.upper_dir = t->upper;
        io.work_dir = t->work;
        return io;
}

/* Reads both pipes to EOF. */
static inline void collect(int out, int err, Run *run) {
        size_t n_out = 0, n_err = 0;
        struct pollfd p[2] = { { .fd = out, .events = POLLIN }, { .fd = err, .events = POLLIN } };

        while (p[0].fd >= 0 || p[1].fd >= 0) {
                if (poll(p, 2, 10000) <= 0)
                        break;
                for (int i = 0; i < 2; i++) {
                        char *buf = i == 0 ? run->out : run->err;
                        size_t *n = i == 0 ? &n_out : &n_err;
                        size_t cap = (i == 0 ? sizeof(run->out) : sizeof(run->err)) - 1;
                        ssize_t k;

                        if (p[i].fd < 0 || !p[i].revents)
                                continue;
                        k = read(p[i].fd, buf + *n, cap - *n);
                        if (k <= 0)
                                p[i].fd = -1;
                        else
                                *n += (size_t) k;
                }
        }
        run->out[n_out] = 0;
        run->err[n_err] = 0;
}

static inline int wait_exit(pid_t pid, int timeout_ms, int *ret_status) {
        for (int waited = 0;; waited += 10) {
                int status;
                pid_t k = waitpid(pid, &status, WNOHANG);

                if (k == pid) {
                        *ret_status = runtime_exit_status_from_wait(status);
                        return 0;
                }
                if (k < 0)
                        return -errno;
                if (waited >= timeout_ms)
                        return -ETIMEDOUT;
                (void) nanosleep(&(struct timespec) { .tv_nsec = 10 * 1000 * 1000 }, NULL);
        }
}

/* Starts the container, waits for it, collects its output. */
static inline int run_spec(const TestRoot *t, const ContainerSpec *s, Run *run) {
        int out[2], err[2];
        pid_t pid;
        RuntimeIO io;

        *run = (Run) { .exit_status = -1 };
        if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
                return -errno;
        io = io_for(t, out[1], err[1]);
        run->r = runtime_start(s, &io, &run->error, &pid);
        close(out[1]);
        close(err[1]);
        if (run->r >= 0) {
                collect(out[0], err[0], run);
                if (wait_exit(pid, 10000, &run->exit_status) < 0) {
                        kill(pid, SIGKILL);
                        waitpid(pid, NULL, 0);
                        return -ETIMEDOUT;
                }
        }
        close(out[0]);
        close(err[0]);
        if (run->r < 0)
                fprintf(stderr, "runtime_start: %s (%s)\n", run->error.message,
                        runtime_stage_to_string(run->error.stage));
        return 0;
}

static inline int run_script(const TestRoot *t, const char *script, Run *run) {
        _cleanup_(spec_freep) ContainerSpec *s = spec_for(t, script);

        if (!s)
                return -ENOMEM;
        return run_spec(t, s, run);
}

#define REQUIRE_ROOT()                                                                          \
        do {                                                                                    \
                if (geteuid() != 0)                                                             \
                        return TEST_SKIP;                                                       \
        } while (0)

/* The preamble of every test that runs a container: skipped unless root, then a fresh root file system
 * in t (removed by test_root_free). */
#define TEST_ROOT_SETUP(t)                                                                      \
        do {                                                                                    \
                REQUIRE_ROOT();                                                                 \
                ASSERT_OK(test_root_make(&(t)));                                                \
        } while (0)

/* s = a spec that runs script in t's root with the tests' defaults, or the test fails. */
#define SPEC_FOR(s, t, script)                                                                  \
        do {                                                                                    \
                (s) = spec_for(&(t), (script));                                                 \
                ASSERT_TRUE(s);                                                                 \
        } while (0)

#define ASSERT_CONTAINS(haystack, needle)                                                       \
        do {                                                                                    \
                if (!strstr((haystack), (needle))) {                                            \
                        fprintf(stderr, "%s:%d: \"%s\" not found in:\n%s\n", __FILE__, __LINE__, \
                                (needle), (haystack));                                          \
                        return 1;                                                               \
                }                                                                               \
        } while (0)

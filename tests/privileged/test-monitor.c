/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dray-monitor, started as drayd starts it: the sync protocol, the exit record, the tee fds and
 * stopping. journald is usually absent on a test host; the monitor must not care. Needs root. */
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

#include "exit-record.h"
#include "name.h"
#include "spec.h"
#include "strv.h"
#include "test-rootfs.h"
#include "test.h"

typedef struct MonitorRun {
        TestRoot root;
        char state_dir[96];
        char runtime_dir[96];
        char container_dir[192];
        ContainerSpec *spec;
        pid_t pid;      /* dray-monitor */
        int sync_fd;    /* drayd's end */
        int out_fd;     /* read ends of the tee pipes */
        int err_fd;
} MonitorRun;

static void monitor_run_done(MonitorRun *m) {
        if (m->pid > 0) {
                kill(m->pid, SIGKILL);
                waitpid(m->pid, NULL, 0);
        }
        safe_close(m->sync_fd);
        safe_close(m->out_fd);
        safe_close(m->err_fd);
        spec_free(m->spec);
        test_root_free(&m->root);
}

/* A root, a state dir with config.json for script (run by sh -c). */
static int monitor_run_prepare(MonitorRun *m, const char *script) {
        char id[CONTAINER_ID_LEN + 1];
        int r;

        *m = (MonitorRun) { .sync_fd = -EBADF, .out_fd = -EBADF, .err_fd = -EBADF };
        r = test_root_make(&m->root);
        if (r < 0)
                return r;
        snprintf(m->state_dir, sizeof(m->state_dir), "%s/state", m->root.dir);
        snprintf(m->runtime_dir, sizeof(m->runtime_dir), "%s/run", m->root.dir);
        if (container_id_generate(id) < 0)
                return -EIO;
        if (mkdir(m->state_dir, 0755) < 0 || mkdir(m->runtime_dir, 0755) < 0)
                return -errno;
        snprintf(m->container_dir, sizeof(m->container_dir), "%s/containers", m->state_dir);
        if (mkdir(m->container_dir, 0700) < 0)
                return -errno;
        snprintf(m->container_dir, sizeof(m->container_dir), "%s/containers/%s", m->state_dir, id);
        if (mkdir(m->container_dir, 0700) < 0)
                return -errno;

        m->spec = spec_new();
        if (!m->spec)
                return -ENOMEM;
        m->spec->id = strdup(id);
        m->spec->name = strdup("mon-test");
        m->spec->rootfs = strdup(m->root.rootfs);
        if (strv_extend(&m->spec->command, "sh") < 0 || strv_extend(&m->spec->command, "-c") < 0 ||
            strv_extend(&m->spec->command, script) < 0 || strv_extend(&m->spec->env, "PATH=/bin") < 0)
                return -ENOMEM;
        return 0;
}

static int save_spec(MonitorRun *m) {
        int dir_fd = open(m->container_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r;

        if (dir_fd < 0)
                return -errno;
        r = spec_save(m->spec, dir_fd);
        close(dir_fd);
        return r;
}

/* Starts dray-monitor with fd 3 the sync socket, 4 and 5 the tee pipes. */
static int monitor_run_spawn(MonitorRun *m) {
        int sv[2], out[2], err[2], r;

        r = save_spec(m);
        if (r < 0)
                return r;
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 || pipe2(out, O_CLOEXEC) < 0 ||
            pipe2(err, O_CLOEXEC) < 0)
                return -errno;
        m->pid = fork();
        if (m->pid < 0)
                return -errno;
        if (m->pid == 0) {
                char id_arg[128], state_arg[128], run_arg[128];
                int a = fcntl(sv[1], F_DUPFD, 10), b = fcntl(out[1], F_DUPFD, 10);
                int c = fcntl(err[1], F_DUPFD, 10);

                if (a < 0 || b < 0 || c < 0 || dup2(a, 3) < 0 || dup2(b, 4) < 0 || dup2(c, 5) < 0)
                        _exit(126);
                snprintf(id_arg, sizeof(id_arg), "--id=%s", m->spec->id);
                snprintf(state_arg, sizeof(state_arg), "--state-dir=%s", m->state_dir);
                snprintf(run_arg, sizeof(run_arg), "--runtime-dir=%s", m->runtime_dir);
                execl(DRAY_MONITOR_BUILD_PATH, "dray-monitor", id_arg, state_arg, run_arg, "--sync-fd=3",
                      "--stdout-fd=4", "--stderr-fd=5", "--log-level=debug",
                      "--seccomp-profile=" DRAY_TEST_SECCOMP_PROFILE, (char *) NULL);
                _exit(127);
        }
        close(sv[1]);
        close(out[1]);
        close(err[1]);
        m->sync_fd = sv[0];
        m->out_fd = out[0];
        m->err_fd = err[0];
        return 0;
}

/* One line from the sync socket, without its newline; "" on EOF. */
static int read_sync_line(MonitorRun *m, char *buf, size_t size) {
        size_t n = 0;

        while (n < size - 1) {
                struct pollfd p = { .fd = m->sync_fd, .events = POLLIN };
                ssize_t k;

                if (poll(&p, 1, 10000) <= 0)
                        return -ETIMEDOUT;
                k = read(m->sync_fd, buf + n, 1);
                if (k < 0)
                        return -errno;
                if (k == 0 || buf[n] == '\n')
                        break;
                n++;
        }
        buf[n] = 0;
        return 0;
}

static int wait_monitor(MonitorRun *m, int timeout_ms, int *ret_status) {
        for (int waited = 0; waited <= timeout_ms; waited += 10) {
                int status;
                pid_t k = waitpid(m->pid, &status, WNOHANG);

                if (k < 0)
                        return -errno;
                if (k == m->pid) {
                        m->pid = 0;
                        *ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                        return 0;
                }
                (void) nanosleep(&(struct timespec) { .tv_nsec = 10 * 1000 * 1000 }, NULL);
        }
        return -ETIMEDOUT;
}

static int read_all(int fd, char *buf, size_t size) {
        size_t n = 0;
        ssize_t k;

        while (n < size - 1 && (k = read(fd, buf + n, size - 1 - n)) > 0)
                n += (size_t) k;
        buf[n] = 0;
        return (int) n;
}

static int load_exit(MonitorRun *m, ExitRecord *ret) {
        int dir_fd = open(m->container_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r;

        if (dir_fd < 0)
                return -errno;
        r = exit_record_load(dir_fd, ret);
        close(dir_fd);
        return r;
}

#define REQUIRE_ROOT()                                                                          \
        do {                                                                                    \
                if (geteuid() != 0)                                                             \
                        return TEST_SKIP;                                                       \
        } while (0)

TEST(runs_and_records_exit) {
        _cleanup_(monitor_run_done) MonitorRun m;
        ExitRecord e = {};
        char line[256], out[4096], err[4096];
        int status;

        REQUIRE_ROOT();
        ASSERT_OK(monitor_run_prepare(&m, "echo hello; echo oops >&2; printf 'no newline';"
                                          "grep -q '^Seccomp:.*2' /proc/self/status || echo no-seccomp;"
                                          "exit 3"));
        ASSERT_OK(monitor_run_spawn(&m));
        ASSERT_EQ(write(m.sync_fd, "G", 1), 1);
        ASSERT_OK(read_sync_line(&m, line, sizeof(line)));
        ASSERT_TRUE(strneq(line, "OK ", 3) && atoi(line + 3) > 1);
        ASSERT_OK(wait_monitor(&m, 10000, &status));
        ASSERT_EQ(status, 0);
        read_all(m.out_fd, out, sizeof(out));
        read_all(m.err_fd, err, sizeof(err));
        ASSERT_STREQ(out, "hello\nno newline");
        ASSERT_STREQ(err, "oops\n");
        ASSERT_OK(load_exit(&m, &e));
        ASSERT_EQ(e.exit_status, 3);
        ASSERT_FALSE(e.oom_killed);
        ASSERT_TRUE(e.error == NULL);
        ASSERT_TRUE(e.finished_usec > 0);
        exit_record_done(&e);
        return 0;
}

TEST(command_not_found) {
        _cleanup_(monitor_run_done) MonitorRun m;
        ExitRecord e = {};
        char line[512];
        int status;

        REQUIRE_ROOT();
        ASSERT_OK(monitor_run_prepare(&m, "true"));
        free(m.spec->command[0]);
        m.spec->command[0] = strdup("no-such-command");
        ASSERT_OK(monitor_run_spawn(&m));
        ASSERT_EQ(write(m.sync_fd, "G", 1), 1);
        ASSERT_OK(read_sync_line(&m, line, sizeof(line)));
        ASSERT_TRUE(strneq(line, "ERR 2 ", 6));
        ASSERT_TRUE(strstr(line, "no-such-command"));
        ASSERT_OK(wait_monitor(&m, 10000, &status));
        ASSERT_EQ(status, 0);
        ASSERT_OK(load_exit(&m, &e));
        ASSERT_EQ(e.exit_status, 127);
        ASSERT_TRUE(e.error && strstr(e.error, "no-such-command"));
        exit_record_done(&e);
        return 0;
}

TEST(abort_without_go) {
        _cleanup_(monitor_run_done) MonitorRun m;
        ExitRecord e = {};
        int status;

        REQUIRE_ROOT();
        ASSERT_OK(monitor_run_prepare(&m, "touch /started"));
        ASSERT_OK(monitor_run_spawn(&m));
        m.sync_fd = safe_close(m.sync_fd);
        ASSERT_OK(wait_monitor(&m, 10000, &status));
        ASSERT_EQ(status, 0);
        ASSERT_ERROR(load_exit(&m, &e), ENOENT);
        return 0;
}

TEST(sigterm_waits_for_the_container) {
        _cleanup_(monitor_run_done) MonitorRun m;
        ExitRecord e = {};
        char line[256];
        int status;
        pid_t init;

        REQUIRE_ROOT();
        ASSERT_OK(monitor_run_prepare(&m, "exec sleep 1000"));
        ASSERT_OK(monitor_run_spawn(&m));
        ASSERT_EQ(write(m.sync_fd, "G", 1), 1);
        ASSERT_OK(read_sync_line(&m, line, sizeof(line)));
        ASSERT_TRUE(strneq(line, "OK ", 3));
        init = atoi(line + 3);
        /* The monitor outlives drayd and a SIGTERM of its own: it ends with the container. */
        m.sync_fd = safe_close(m.sync_fd);
        ASSERT_OK(kill(m.pid, SIGTERM));
        ASSERT_ERROR(wait_monitor(&m, 300, &status), ETIMEDOUT);
        ASSERT_OK(kill(init, SIGTERM));
        ASSERT_OK(wait_monitor(&m, 5000, &status));
        ASSERT_EQ(status, 0);
        ASSERT_OK(load_exit(&m, &e));
        ASSERT_EQ(e.exit_status, 128 + SIGTERM);
        exit_record_done(&e);
        return 0;
}

TEST(tee_copies_everything_in_order) {
        _cleanup_(monitor_run_done) MonitorRun m;
        static char out[1 << 20];
        ExitRecord e = {};
        char line[256];
        int status, n;

        REQUIRE_ROOT();
        /* More than a pipe holds, so the relay has to keep up while the payload writes. */
        ASSERT_OK(monitor_run_prepare(&m, "seq 1 100000"));
        ASSERT_OK(monitor_run_spawn(&m));
        ASSERT_EQ(write(m.sync_fd, "G", 1), 1);
        ASSERT_OK(read_sync_line(&m, line, sizeof(line)));
        ASSERT_TRUE(strneq(line, "OK ", 3));
        n = read_all(m.out_fd, out, sizeof(out));
        ASSERT_OK(wait_monitor(&m, 10000, &status));
        ASSERT_EQ(n, 588895); /* the bytes of `seq 1 100000` */
        ASSERT_TRUE(strneq(out, "1\n2\n3\n", 6));
        ASSERT_STREQ(out + n - 13, "99999\n100000\n");
        ASSERT_OK(load_exit(&m, &e));
        ASSERT_EQ(e.exit_status, 0);
        return 0;
}

TEST(stale_exit_record_is_removed) {
        _cleanup_(monitor_run_done) MonitorRun m;
        ExitRecord e = {};
        char line[256];
        int dir_fd, status;

        REQUIRE_ROOT();
        ASSERT_OK(monitor_run_prepare(&m, "exec sleep 1000"));
        dir_fd = open(m.container_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_OK(exit_record_save(dir_fd, &(ExitRecord) { .exit_status = 9 }));
        close(dir_fd);
        ASSERT_OK(monitor_run_spawn(&m));
        ASSERT_EQ(write(m.sync_fd, "G", 1), 1);
        ASSERT_OK(read_sync_line(&m, line, sizeof(line)));
        ASSERT_TRUE(strneq(line, "OK ", 3));
        ASSERT_ERROR(load_exit(&m, &e), ENOENT);
        ASSERT_OK(kill(atoi(line + 3), SIGKILL));
        ASSERT_OK(wait_monitor(&m, 5000, &status));
        ASSERT_OK(load_exit(&m, &e));
        ASSERT_EQ(e.exit_status, 128 + SIGKILL);
        return 0;
}

TEST(bad_spec_reports_err) {
        _cleanup_(monitor_run_done) MonitorRun m;
        ExitRecord e = {};
        char line[512];
        int status;

        REQUIRE_ROOT();
        ASSERT_OK(monitor_run_prepare(&m, "true"));
        free(m.spec->rootfs);
        m.spec->rootfs = strdup("relative/path"); /* spec_validate() refuses it on load */
        ASSERT_OK(monitor_run_spawn(&m));
        ASSERT_EQ(write(m.sync_fd, "G", 1), 1);
        ASSERT_OK(read_sync_line(&m, line, sizeof(line)));
        ASSERT_TRUE(strneq(line, "ERR 22 ", 7));
        ASSERT_OK(wait_monitor(&m, 5000, &status));
        ASSERT_EQ(status, 0);
        ASSERT_OK(load_exit(&m, &e));
        ASSERT_EQ(e.exit_status, 125);
        exit_record_done(&e);
        return 0;
}

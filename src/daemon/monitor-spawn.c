/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "child-process.h"
#include "log.h"
#include "monitor-spawn.h"
#include "parse-util.h"
#include "strv.h"

#define MONITOR_PATH_ENV "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static void reset_signals(void) {
        sigset_t ss;

        /* We block SIGTERM/SIGINT for sd-event; signal masks and ignored signals survive execve(). */
        sigemptyset(&ss);
        (void) sigprocmask(SIG_SETMASK, &ss, NULL);
        for (int sig = 1; sig < _NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void) signal(sig, SIG_DFL);
}

/* Puts fd at target (clearing close-on-exec). fd was moved above every target before. */
static int move_fd(int fd, int target) {
        if (fd < 0)
                return 0;
        return dup2(fd, target) < 0 ? -errno : 0;
}

static int move_above(int *fd) {
        if (*fd < 0)
                return 0;
        *fd = fcntl(*fd, F_DUPFD_CLOEXEC, MONITOR_PASS_FD_FIRST + PASS_FDS_MAX);
        return *fd < 0 ? -errno : 0;
}

/* Runs in the monitor's process, between fork and exec: only async-signal-safe work. */
static _noreturn_ void monitor_exec(const MonitorSpawnArgs *a, int sync_fd, char **argv, char **envp) {
        const ContainerStreams *st = &a->streams;
        int out = st->stdout_fd, err = st->stderr_fd, in = st->stdin_fd, resize = st->resize_fd, null_fd, r;
        int exec_spec = a->exec_spec_fd, notify = st->notify_fd, pass[PASS_FDS_MAX];
        int *fds[] = { &sync_fd, &out, &err, &in, &resize, &exec_spec, &notify };
        char message[SYNC_LINE_MAX], line[SYNC_LINE_MAX];
        ssize_t n;

        reset_signals();
        (void) setsid();

        /* Between fork and exec: a failure ends the child, which the parent sees as a monitor that
         * never answered. */
        for (size_t i = 0; i < ELEMENTSOF(fds); i++)
                if (move_above(fds[i]) < 0)
                        _exit(EXIT_FAILURE);
        for (size_t i = 0; i < st->n_pass_fds; i++) {
                pass[i] = st->pass_fds[i];
                if (move_above(&pass[i]) < 0)
                        _exit(EXIT_FAILURE);
        }

        null_fd = open("/dev/null", O_RDWR | O_CLOEXEC | O_NOCTTY);
        if (null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0 || dup2(null_fd, STDOUT_FILENO) < 0)
                _exit(EXIT_FAILURE);
        if (fcntl(STDERR_FILENO, F_GETFD) < 0 && dup2(null_fd, STDERR_FILENO) < 0)
                _exit(EXIT_FAILURE);
        if (move_fd(sync_fd, MONITOR_SYNC_FD) < 0 || move_fd(out, MONITOR_STDOUT_FD) < 0 ||
            move_fd(err, MONITOR_STDERR_FD) < 0 || move_fd(in, MONITOR_STDIN_FD) < 0 ||
            move_fd(resize, MONITOR_RESIZE_FD) < 0 || move_fd(exec_spec, MONITOR_EXEC_SPEC_FD) < 0 ||
            move_fd(notify, MONITOR_NOTIFY_FD) < 0)
                _exit(EXIT_FAILURE);
        for (size_t i = 0; i < st->n_pass_fds; i++)
                if (move_fd(pass[i], MONITOR_PASS_FD_FIRST + (int) i) < 0)
                        _exit(EXIT_FAILURE);
        (void) close_range(MONITOR_FD_LAST + 1, MONITOR_PASS_FD_FIRST - 1, 0);
        (void) close_range(MONITOR_PASS_FD_FIRST + (unsigned) st->n_pass_fds, ~0U, 0);
        if (a->nofile)
                (void) setrlimit(RLIMIT_NOFILE, a->nofile);

        execve(a->monitor_path, argv, envp);
        r = errno;
        (void) snprintf(message, sizeof(message), "Failed to execute %s: %s", a->monitor_path, strerror(r));
        n = sync_message_format(&(SyncMessage) { .type = SYNC_MESSAGE_FAIL, .error = r, .message = message },
                                line, sizeof(line));
        if (n > 0)
                (void) write(MONITOR_SYNC_FD, line, (size_t) n);
        _exit(EXIT_FAILURE);
}

/* --pass-fds=N, and for socket activation --listen-fds=M --listen-fdnames=NAME:NAME… */
static int append_pass_fds(char ***argv, const ContainerStreams *st) {
        _cleanup_free_ char *names = NULL;
        char *s;
        int r;

        if (asprintf(&s, "--pass-fds=%zu", st->n_pass_fds) < 0)
                return -ENOMEM;
        r = strv_consume(argv, s);
        if (r < 0 || st->n_listen_fds == 0)
                return r;
        if (asprintf(&s, "--listen-fds=%zu", st->n_listen_fds) < 0)
                return -ENOMEM;
        r = strv_consume(argv, s);
        if (r < 0)
                return r;
        for (size_t i = 0; i < st->n_listen_fds; i++) {
                char *j;

                if (asprintf(&j, "%s%s%s", strempty(names), i > 0 ? ":" : "", st->listen_names[i] ?: "unknown") < 0)
                        return -ENOMEM;
                free(names);
                names = j;
        }
        if (asprintf(&s, "--listen-fdnames=%s", names) < 0)
                return -ENOMEM;
        return strv_consume(argv, s);
}

static int build_argv(const MonitorSpawnArgs *a, char ***ret) {
        _cleanup_strv_free_ char **argv = NULL;
        char *s;
        int r;

        r = strv_extend(&argv, "dray-monitor");
        if (r >= 0 && asprintf(&s, "--id=%s", a->id) >= 0)
                r = strv_consume(&argv, s);
        if (r >= 0 && asprintf(&s, "--state-dir=%s", a->state_dir) >= 0)
                r = strv_consume(&argv, s);
        if (r >= 0 && asprintf(&s, "--runtime-dir=%s", a->runtime_dir) >= 0)
                r = strv_consume(&argv, s);
        if (r >= 0 && asprintf(&s, "--sync-fd=%i", MONITOR_SYNC_FD) >= 0)
                r = strv_consume(&argv, s);
        if (r >= 0 && asprintf(&s, "--protocol=%u", DRAY_PROTOCOL_VERSION) >= 0)
                r = strv_consume(&argv, s);
        if (r >= 0 && a->streams.stdout_fd >= 0 && asprintf(&s, "--stdout-fd=%i", MONITOR_STDOUT_FD) >= 0)
                r = strv_consume(&argv, s);
        if (r >= 0 && a->streams.stderr_fd >= 0 && asprintf(&s, "--stderr-fd=%i", MONITOR_STDERR_FD) >= 0)
                r = strv_consume(&argv, s);
        if (r >= 0 && a->streams.stdin_fd >= 0 && asprintf(&s, "--stdin-fd=%i", MONITOR_STDIN_FD) >= 0)
                r = strv_consume(&argv, s);
        if (r >= 0 && a->streams.resize_fd >= 0 && asprintf(&s, "--resize-fd=%i", MONITOR_RESIZE_FD) >= 0)
                r = strv_consume(&argv, s);
        if (r >= 0 && a->exec_spec_fd >= 0 && asprintf(&s, "--exec-spec-fd=%i", MONITOR_EXEC_SPEC_FD) >= 0)
                r = strv_consume(&argv, s);
        if (r >= 0 && a->exec_spec_fd >= 0 && asprintf(&s, "--exec-pid=%i", (int) a->exec_target_pid) >= 0)
                r = strv_consume(&argv, s);
        if (r >= 0 && a->log_unit && asprintf(&s, "--log-unit=%s", a->log_unit) >= 0)
                r = strv_consume(&argv, s);
        if (r >= 0 && a->streams.notify_fd >= 0 && asprintf(&s, "--notify-fd=%i", MONITOR_NOTIFY_FD) >= 0)
                r = strv_consume(&argv, s);
        if (r >= 0 && a->streams.n_pass_fds > 0)
                r = append_pass_fds(&argv, &a->streams);
        if (r < 0 || strv_length(argv) < 6U + (a->streams.stdout_fd >= 0) + (a->streams.stderr_fd >= 0) +
                                                 (a->streams.stdin_fd >= 0) + (a->streams.resize_fd >= 0) +
                                                 2U * (a->exec_spec_fd >= 0) + !!a->log_unit +
                                                 (a->streams.notify_fd >= 0) +
                                                 (a->streams.n_pass_fds > 0) + 2U * (a->streams.n_listen_fds > 0))
                return -ENOMEM;
        *ret = TAKE_PTR(argv);
        return 0;
}

static int build_envp(const MonitorSpawnArgs *a, char ***ret) {
        _cleanup_strv_free_ char **envp = NULL;
        char *s;
        int r;

        /* A clean environment: in particular not our NOTIFY_SOCKET, which systemd would reject
         * from the monitor (or worse, accept). */
        r = strv_extend(&envp, MONITOR_PATH_ENV);
        if (r >= 0 && a->log_level >= LOG_DEBUG) {
                if (asprintf(&s, "DRAY_LOG_LEVEL=%s", log_level_to_string(a->log_level)) < 0)
                        return -ENOMEM;
                r = strv_consume(&envp, s);
        }
        if (r < 0)
                return r;
        *ret = TAKE_PTR(envp);
        return 0;
}

int monitor_spawn(const MonitorSpawnArgs *a, pid_t *ret_pid, int *ret_sync_fd) {
        _cleanup_strv_free_ char **argv = NULL, **envp = NULL;
        _cleanup_close_pair_ int sv[2] = { -EBADF, -EBADF }, pid_pipe[2] = { -EBADF, -EBADF };
        pid_t intermediate, monitor;
        ChildExit how;
        ssize_t n;
        int r;

        r = build_argv(a, &argv);
        if (r < 0)
                return r;
        r = build_envp(a, &envp);
        if (r < 0)
                return r;
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return -errno;
        if (pipe2(pid_pipe, O_CLOEXEC) < 0)
                return -errno;

        /* Double fork: the monitor is not drayd's child, so it outlives drayd and is reparented to
         * the subreaper or init; the scope adopts it by PID. */
        intermediate = child_fork("the monitor's intermediate process");
        if (intermediate < 0)
                return intermediate;
        if (intermediate == 0) {
                pid_t child = child_fork("the monitor");

                if (child < 0)
                        _exit(EXIT_FAILURE);
                if (child == 0)
                        monitor_exec(a, sv[1], argv, envp);
                /* A pipe write of a few bytes is atomic, and it happens before we exit, so the
                 * parent finds it once waitid() returned. */
                _exit(write(pid_pipe[1], &child, sizeof(child)) == sizeof(child) ? EXIT_SUCCESS : EXIT_FAILURE);
        }

        pid_pipe[1] = safe_close(pid_pipe[1]);
        sv[1] = safe_close(sv[1]);
        /* The intermediate only forks: waiting for it does not block the event loop for long. */
        r = child_wait(intermediate, &how);
        if (r < 0)
                return r;
        if (!child_exit_is_success(&how))
                return -ECHILD;
        n = read(pid_pipe[0], &monitor, sizeof(monitor));
        if (n < 0)
                return -errno;
        if (n != sizeof(monitor) || monitor <= 0)
                return -EIO;

        if (fcntl(sv[0], F_SETFL, O_NONBLOCK) < 0)
                return -errno;
        *ret_pid = monitor;
        *ret_sync_fd = TAKE_FD(sv[0]);
        return 0;
}

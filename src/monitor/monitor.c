/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "container-state.h"
#include "exit-record.h"
#include "log-stream.h"
#include "log.h"
#include "monitor-cgroup.h"
#include "monitor-journal.h"
#include "monitor.h"
#include "runtime.h"
#include "seccomp-profile.h"

typedef struct Monitor {
        const MonitorArgs *args;
        ContainerSpec *spec;
        int dir_fd;             /* <state_dir>/containers/<id> */
        int signal_fd;
        int sync_fd;
        pid_t init_pid;
        int init_wstatus;
        bool init_exited;
        char *root_mount;
        char *upper_dir;
        char *work_dir;
        int seccomp_fd;         /* the profile, read by the payload */
        MonitorCgroup cgroup;
        JournalFields fields;
        JournalSink out_sink;
        JournalSink err_sink;
        LogStream out;
        LogStream err;
} Monitor;

static uint64_t now_realtime_usec(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / NSEC_PER_USEC;
}

static Monitor *monitor_free(Monitor *m) {
        if (!m)
                return NULL;
        spec_free(m->spec);
        safe_close(m->seccomp_fd);
        safe_close(m->dir_fd);
        safe_close(m->signal_fd);
        safe_close(m->sync_fd);
        free(m->root_mount);
        free(m->upper_dir);
        free(m->work_dir);
        monitor_cgroup_done(&m->cgroup);
        journal_fields_done(&m->fields);
        log_stream_done(&m->out);
        log_stream_done(&m->err);
        free(m);
        return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(Monitor *, monitor_free);

static Monitor *monitor_new(const MonitorArgs *args) {
        Monitor *m = calloc(1, sizeof(Monitor));

        if (!m)
                return NULL;
        m->args = args;
        m->dir_fd = m->signal_fd = m->seccomp_fd = -EBADF;
        m->sync_fd = args->sync_fd;
        m->out.fd = m->out.tee_fd = m->err.fd = m->err.tee_fd = -EBADF;
        m->cgroup.payload_fd = -EBADF;
        return m;
}

static bool signal_is_stop(uint32_t sig) {
        return sig == SIGTERM || sig == SIGINT || sig == SIGHUP;
}

/* Writes one line to drayd. drayd may be gone (it can be restarted any time): EPIPE is no error. */
static void sync_send(Monitor *m, const char *line) {
        size_t n = strlen(line);
        const char *p = line;

        while (m->sync_fd >= 0 && n > 0) {
                ssize_t k = write(m->sync_fd, p, n);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0) {
                        if (errno != EPIPE)
                                log_warning_errno(errno, "Failed to write to the sync fd, ignoring: %m");
                        break;
                }
                p += k;
                n -= (size_t) k;
        }
        m->sync_fd = safe_close(m->sync_fd);
}

/* 1 on 'G', 0 when drayd aborted (closed the fd, or sent anything else) or we were told to stop. */
static int monitor_wait_for_go(Monitor *m) {
        for (;;) {
                struct pollfd p[2] = {
                        { .fd = m->sync_fd, .events = POLLIN },
                        { .fd = m->signal_fd, .events = POLLIN },
                };
                struct signalfd_siginfo si;
                char c;
                ssize_t n;

                if (poll(p, ELEMENTSOF(p), -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return log_error_errno(errno, "Failed to wait for the go: %m");
                }
                if (p[1].revents && read(m->signal_fd, &si, sizeof(si)) == sizeof(si) &&
                    signal_is_stop(si.ssi_signo)) {
                        log_debug("Stopped by signal %u before the start.", si.ssi_signo);
                        return 0;
                }
                if (!p[0].revents)
                        continue;
                n = read(m->sync_fd, &c, 1);
                if (n < 0 && (errno == EINTR || errno == EAGAIN))
                        continue;
                if (n == 1 && c == 'G')
                        return 1;
                if (n == 1)
                        log_warning("Unexpected byte 0x%02x on the sync fd, not starting.",
                                    (unsigned char) c);
                else
                        log_debug("Sync fd closed without the go, not starting.");
                return 0;
        }
}

static int monitor_write_exit(Monitor *m, const ExitRecord *rec) {
        int r;

        if (m->dir_fd < 0)
                return log_error_errno(EBADF, "No container directory, cannot record the exit status %d.",
                                       rec->exit_status);
        r = exit_record_save(m->dir_fd, rec);
        if (r < 0)
                return log_error_errno(r, "Failed to write " EXIT_RECORD_FILE ": %m");
        return 0;
}

/* The start failed before the payload ran: exit.json first, so that drayd finds it when it reads
 * the ERR line. */
_printf_(4, 5) static int monitor_fail_start(Monitor *m, int error, int status, const char *fmt, ...) {
        char message[RUNTIME_MESSAGE_MAX], line[RUNTIME_MESSAGE_MAX + 32];
        va_list ap;
        int r;

        error = error < 0 ? -error : error;
        errno = error;
        va_start(ap, fmt);
        (void) vsnprintf(message, sizeof(message), fmt, ap);
        va_end(ap);
        for (char *p = message; *p; p++)
                if ((unsigned char) *p < ' ')
                        *p = ' ';

        log_warning("Failed to start container '%s': %s", m->spec ? m->spec->name : m->args->id, message);
        r = monitor_write_exit(m, &(ExitRecord) {
                .exit_status = status,
                .finished_usec = now_realtime_usec(),
                .error = message,
        });
        (void) snprintf(line, sizeof(line), "ERR %d %s\n", error, message);
        sync_send(m, line);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

static int monitor_setup_signals(Monitor *m) {
        sigset_t mask;

        /* main() blocked them before anything could arrive. */
        (void) sigprocmask(SIG_BLOCK, NULL, &mask);
        m->signal_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
        if (m->signal_fd < 0)
                return log_error_errno(errno, "Failed to create signalfd: %m");
        return 0;
}

static int monitor_load(Monitor *m) {
        _cleanup_free_ char *dir = NULL;
        int r;

        if (asprintf(&dir, "%s/containers/%s", m->args->state_dir, m->args->id) < 0)
                return log_oom();
        m->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (m->dir_fd < 0)
                return log_error_errno(errno, "Failed to open container directory '%s': %m", dir);
        r = spec_load(m->dir_fd, &m->spec);
        if (r < 0)
                return log_error_errno(r, "Failed to load '%s/" SPEC_FILE "': %m", dir);
        if (!streq(m->spec->id, m->args->id))
                return log_error_errno(EBADMSG, "'%s/" SPEC_FILE "' is for container %s.", dir, m->spec->id);
        return 0;
}

static int make_dir(const char *path, mode_t mode) {
        if (mkdir(path, mode) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

/* /run/dray/containers/<id>/rootfs, and for --ephemeral the overlay's upper and work directories. */
static int monitor_make_dirs(Monitor *m) {
        const MonitorArgs *a = m->args;
        _cleanup_free_ char *containers = NULL, *dir = NULL;
        int r;

        if (asprintf(&containers, "%s/containers", a->runtime_dir) < 0 ||
            asprintf(&dir, "%s/%s", containers, a->id) < 0 || asprintf(&m->root_mount, "%s/rootfs", dir) < 0)
                return -ENOMEM;
        r = make_dir(a->runtime_dir, 0755);
        r = r < 0 ? r : make_dir(containers, 0700);
        r = r < 0 ? r : make_dir(dir, 0700);
        r = r < 0 ? r : make_dir(m->root_mount, 0755);
        if (r < 0 || !spec_uses_overlay(m->spec))
                return r;

        if (asprintf(&m->upper_dir, "%s/containers/%s/upper", a->state_dir, a->id) < 0 ||
            asprintf(&m->work_dir, "%s/containers/%s/work", a->state_dir, a->id) < 0)
                return -ENOMEM;
        r = make_dir(m->upper_dir, 0755);
        return r < 0 ? r : make_dir(m->work_dir, 0700);
}

/* Only opened here: the payload parses and loads it (runtime.h), so that neither the monitor nor
 * the container's init, a copy of it, carries the parsed JSON for the container's lifetime. */
static int monitor_open_seccomp(Monitor *m) {
        const char *path = m->args->seccomp_profile ?: seccomp_profile_default_path();

        if (streq(path, "unconfined"))
                return 0;
        m->seccomp_fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (m->seccomp_fd < 0)
                return log_error_errno(errno, "Failed to open seccomp profile '%s': %m", path);
        return 0;
}

static int monitor_prepare(Monitor *m) {
        int r;

        /* A previous run's record must not be mistaken for this one's. */
        if (unlinkat(m->dir_fd, EXIT_RECORD_FILE, 0) < 0 && errno != ENOENT)
                return log_error_errno(errno, "Failed to remove the old " EXIT_RECORD_FILE ": %m");
        r = monitor_make_dirs(m);
        if (r < 0)
                return log_error_errno(r, "Failed to create the container's directories: %m");
        r = monitor_open_seccomp(m);
        if (r < 0)
                return r;
        r = journal_fields_init(&m->fields, m->spec);
        if (r < 0)
                return log_oom();
        m->out_sink = (JournalSink) { .fields = &m->fields, .priority = "PRIORITY=6" };
        m->err_sink = (JournalSink) { .fields = &m->fields, .priority = "PRIORITY=3" };
        journal_check_available();
        monitor_cgroup_setup(&m->cgroup);
        return 0;
}

static int make_output_pipe(int ret[2]) {
        if (pipe2(ret, O_CLOEXEC) < 0)
                return -errno;
        /* Only our end: the payload's stays blocking, as a program expects its stdout to be. */
        if (fcntl(ret[0], F_SETFL, O_NONBLOCK) < 0)
                return -errno;
        return 0;
}

/* true when the payload runs; else the failure was reported and *ret_exit is the process's exit status. */
static bool monitor_start(Monitor *m, int *ret_exit) {
        _cleanup_close_pair_ int out[2] = { -EBADF, -EBADF }, err[2] = { -EBADF, -EBADF };
        RuntimeIO io = RUNTIME_IO_NULL;
        RuntimeError e = {};
        char line[64];
        int r;

        r = make_output_pipe(out);
        r = r < 0 ? r : make_output_pipe(err);
        if (r < 0) {
                *ret_exit = monitor_fail_start(m, r, EXIT_DRAY_FAILED, "cannot create output pipes: %m");
                return false;
        }
        io.stdout_fd = out[1];
        io.stderr_fd = err[1];
        io.cgroup_fd = m->cgroup.payload_fd;
        io.root_mount = m->root_mount;
        io.upper_dir = m->upper_dir;
        io.work_dir = m->work_dir;
        io.seccomp_fd = m->seccomp_fd;

        r = runtime_start(m->spec, &io, &e, &m->init_pid);
        m->seccomp_fd = safe_close(m->seccomp_fd);
        if (r < 0) {
                *ret_exit = monitor_fail_start(m, e.error, runtime_error_exit_status(&e), "%s", e.message);
                return false;
        }

        log_stream_init(&m->out, "stdout", TAKE_FD(out[0]), m->args->stdout_fd, journal_send_line,
                        &m->out_sink);
        log_stream_init(&m->err, "stderr", TAKE_FD(err[0]), m->args->stderr_fd, journal_send_line,
                        &m->err_sink);
        (void) snprintf(line, sizeof(line), "OK %d\n", (int) m->init_pid);
        sync_send(m, line);
        return true;
}

static void monitor_reap(Monitor *m) {
        int status;
        pid_t pid;

        while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
                if (pid == m->init_pid) {
                        m->init_wstatus = status;
                        m->init_exited = true;
                }
}

static void monitor_handle_signals(Monitor *m) {
        struct signalfd_siginfo si;

        while (read(m->signal_fd, &si, sizeof(si)) == (ssize_t) sizeof(si)) {
                if (si.ssi_signo == SIGCHLD)
                        monitor_reap(m);
                else
                        /* systemd signals the whole scope: the init gets it too and forwards it. We
                         * keep relaying until the init is gone. */
                        log_debug("Received signal %u, waiting for the container to exit.", si.ssi_signo);
        }
}

static void monitor_read_stream(LogStream *s) {
        int r = log_stream_read(s);

        if (r < 0)
                log_warning_errno(r, "Failed to read the container's %s, ignoring the rest: %m", s->name);
}

/* Relays output until the init is gone. */
static int monitor_loop(Monitor *m) {
        monitor_reap(m);
        while (!m->init_exited) {
                struct pollfd p[] = {
                        { .fd = m->signal_fd, .events = POLLIN },
                        { .fd = m->out.fd, .events = POLLIN },
                        { .fd = m->err.fd, .events = POLLIN },
                };

                if (poll(p, ELEMENTSOF(p), -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return log_error_errno(errno, "Failed to wait for events: %m");
                }
                if (p[0].revents)
                        monitor_handle_signals(m);
                if (p[1].revents)
                        monitor_read_stream(&m->out);
                if (p[2].revents)
                        monitor_read_stream(&m->err);
        }
        return 0;
}

/* The init is gone, and with it the whole pid namespace: every writer of the pipes is dead, so
 * what is left in them is all there will be. */
static int monitor_finish(Monitor *m) {
        ExitRecord rec;

        (void) log_stream_drain(&m->out);
        (void) log_stream_drain(&m->err);
        log_stream_done(&m->out);
        log_stream_done(&m->err);

        rec = (ExitRecord) {
                .exit_status = runtime_exit_status_from_wait(m->init_wstatus),
                .finished_usec = now_realtime_usec(),
                .oom_killed = monitor_cgroup_oom_killed(&m->cgroup),
        };
        log_debug("Container '%s' exited with status %d%s.", m->spec->name, rec.exit_status,
                  rec.oom_killed ? " (OOM killed)" : "");
        return monitor_write_exit(m, &rec) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

int monitor_run(const MonitorArgs *args) {
        _cleanup_(monitor_freep) Monitor *m = monitor_new(args);
        int r, load_error;

        if (!m) {
                log_oom();
                return EXIT_FAILURE;
        }
        if (monitor_setup_signals(m) < 0)
                return EXIT_FAILURE;

        load_error = monitor_load(m);
        r = monitor_wait_for_go(m);
        if (r <= 0)
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
        if (load_error < 0)
                return monitor_fail_start(m, load_error, EXIT_DRAY_FAILED,
                                          "cannot load the container spec: %m");
        r = monitor_prepare(m);
        if (r < 0)
                return monitor_fail_start(m, r, EXIT_DRAY_FAILED, "cannot prepare the container: %m");
        if (!monitor_start(m, &r))
                return r;

        r = monitor_loop(m);
        if (r < 0) {
                /* Without our event loop the output would block the container: end it. */
                (void) kill(m->init_pid, SIGKILL);
                while (!m->init_exited && waitpid(m->init_pid, &m->init_wstatus, 0) == m->init_pid)
                        m->init_exited = true;
        }
        return monitor_finish(m);
}

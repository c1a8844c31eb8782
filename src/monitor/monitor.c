/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "container-state.h"
#include "contract.h"
#include "exit-record.h"
#include "log-stream.h"
#include "log.h"
#include "monitor-attach.h"
#include "monitor-boot.h"
#include "monitor-cgroup.h"
#include "monitor-input.h"
#include "monitor-journal.h"
#include "monitor-notify.h"
#include "monitor-oom.h"
#include "monitor-seccomp.h"
#include "monitor.h"
#include "runtime.h"
#include "seccomp-profile.h"
#include "time-util.h"

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
        int seccomp_fd;         /* the compiled filter (seccomp-bpf.h), loaded by the payload */
        int seccomp_error;      /* why there is none although there should be (negative errno), or 0 */
        char *seccomp_error_text;
        MonitorCgroup cgroup;
        JournalFields fields;
        JournalBatch journal;
        JournalSink out_sink;
        JournalSink err_sink;
        LogStream out;
        LogStream err;
        /* The clients' input and output: slot 0 is the client that started the container (or the exec),
         * the others came through the attach endpoint (dray attach). Their output copies are the tee
         * slots of out and err. */
        InputTarget input_target;
        InputRelay *clients[ATTACH_CLIENTS_MAX];
        AttachServer attach;
        NotifyRelay notify;
        int pty_master;         /* -t: the payload's terminal, read as its stdout; -EBADF else */
        MonitorBoot boot;       /* --boot: the notify socket and cgroups (monitor-boot.c) */
        bool boot_ok_pending;   /* --boot: "OK" held back until the init said READY=1 */
} Monitor;

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
        free(m->seccomp_error_text);
        monitor_cgroup_done(&m->cgroup);
        journal_sink_done(&m->out_sink);
        journal_sink_done(&m->err_sink);
        journal_batch_done(&m->journal);
        journal_fields_done(&m->fields);
        log_stream_done(&m->out);
        log_stream_done(&m->err);
        for (size_t i = 0; i < ATTACH_CLIENTS_MAX; i++)
                if (m->clients[i]) {
                        input_relay_done(m->clients[i]);
                        free(m->clients[i]);
                }
        input_target_done(&m->input_target);
        attach_server_done(&m->attach);
        notify_relay_done(&m->notify);
        safe_close(m->pty_master);
        monitor_boot_done(&m->boot);
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
        m->out.fd = m->err.fd = -EBADF;
        for (size_t i = 0; i < ATTACH_CLIENTS_MAX; i++)
                m->out.tee_fds[i] = m->err.tee_fds[i] = -EBADF;
        m->cgroup.payload_fd = -EBADF;
        m->journal.fd = -EBADF;
        m->pty_master = -EBADF;
        m->notify = NOTIFY_RELAY_NULL;
        m->boot = MONITOR_BOOT_NULL;
        m->input_target = INPUT_TARGET_NULL;
        m->attach = ATTACH_SERVER_NULL;
        m->clients[0] = malloc(sizeof(InputRelay));
        if (!m->clients[0])
                return monitor_free(m);
        input_relay_init(m->clients[0], &m->input_target);
        /* Ours from here: the relay closes them. */
        m->clients[0]->from = args->stdin_fd;
        m->clients[0]->resize = args->resize_fd;
        m->clients[0]->eof_closes = true;
        return m;
}

static bool signal_is_stop(uint32_t sig) {
        return sig == SIGTERM || sig == SIGINT || sig == SIGHUP;
}

static bool monitor_is_exec(const Monitor *m) {
        return m->args->exec_spec_fd >= 0;
}

/* Writes one message to drayd. drayd may be gone (it can be restarted any time): EPIPE is no error. A
 * container's monitor says one thing and closes; an exec's says "EXIT" last. */
static void sync_send(Monitor *m, const SyncMessage *msg) {
        char line[SYNC_LINE_MAX];
        ssize_t n = sync_message_format(msg, line, sizeof(line));
        const char *p = line;

        assert(n > 0);
        while (m->sync_fd >= 0 && n > 0) {
                ssize_t k = write(m->sync_fd, p, (size_t) n);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0) {
                        if (errno != EPIPE)
                                log_warning_errno(errno, "Failed to write to the sync fd, ignoring: %m");
                        break;
                }
                p += k;
                n -= k;
        }
        if (!monitor_is_exec(m) || msg->type == SYNC_MESSAGE_EXIT)
                m->sync_fd = safe_close(m->sync_fd);
}

static void sync_send_exit(Monitor *m, int status) {
        sync_send(m, &(SyncMessage) { .type = SYNC_MESSAGE_EXIT, .status = status });
}

/* 1 on SYNC_GO, 0 when drayd aborted (closed the fd, or sent anything else) or we were told to stop. */
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
                if (n == 1 && c == SYNC_GO)
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
        char message[RUNTIME_MESSAGE_MAX];
        SyncMessage msg;
        va_list ap;
        int r;

        error = error < 0 ? -error : error;
        errno = error;
        va_start(ap, fmt);
        (void) vsnprintf(message, sizeof(message), fmt, ap);
        va_end(ap);
        msg = (SyncMessage) { .type = SYNC_MESSAGE_ERR, .error = error ?: EIO, .message = message };

        if (monitor_is_exec(m)) {
                log_debug("Failed to exec in container '%s': %s", m->args->id, message);
                sync_send(m, &msg);
                sync_send_exit(m, status);
                return EXIT_SUCCESS;
        }
        log_warning("Failed to start container '%s': %s", m->spec ? m->spec->name : m->args->id, message);
        r = monitor_write_exit(m, &(ExitRecord) {
                .exit_status = status,
                .finished_usec = now_usec(CLOCK_REALTIME),
                .error = message,
        });
        sync_send(m, &msg);
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
        if (r == -EPROTONOSUPPORT)
                return log_error_errno(r, "'%s/" SPEC_FILE "' was written by a newer dray (schema version above %u), "
                                       "refusing it.", dir, SPEC_SCHEMA_VERSION);
        if (r < 0)
                return log_error_errno(r, "Failed to load '%s/" SPEC_FILE "': %m", dir);
        if (!streq(m->spec->id, m->args->id))
                return log_error_errno(EBADMSG, "'%s/" SPEC_FILE "' is for container %s.", dir, m->spec->id);
        return 0;
}

/* The exec's spec, from the memfd drayd made: read from offset 0, at most 4 MiB. */
static int monitor_load_exec(Monitor *m) {
        _cleanup_free_ char *text = NULL;
        _cleanup_json_ json_object *o = NULL;
        struct stat st;
        ssize_t n;
        int r;

        if (fstat(m->args->exec_spec_fd, &st) < 0)
                return log_error_errno(errno, "Failed to stat the exec spec: %m");
        if (!S_ISREG(st.st_mode) || st.st_size <= 0 || st.st_size > 4 * 1024 * 1024)
                return log_error_errno(EBADMSG, "The exec spec is not a file of at most 4 MiB.");
        text = malloc((size_t) st.st_size + 1);
        if (!text)
                return log_oom();
        n = pread(m->args->exec_spec_fd, text, (size_t) st.st_size, 0);
        if (n != st.st_size)
                return log_error_errno(n < 0 ? errno : EIO, "Failed to read the exec spec: %m");
        text[n] = 0;
        o = json_tokener_parse(text);
        if (!o)
                return log_error_errno(EBADMSG, "The exec spec is not JSON.");
        r = spec_from_json(o, &m->spec);
        if (r < 0)
                return log_error_errno(r, "Failed to parse the exec spec: %m");
        if (!streq(m->spec->id, m->args->id))
                return log_error_errno(EBADMSG, "The exec spec is for container %s.", m->spec->id);
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
        if (r < 0)
                return r;
        r = make_dir(containers, 0700);
        if (r < 0)
                return r;
        r = make_dir(dir, 0700);
        if (r < 0)
                return r;
        r = make_dir(m->root_mount, 0755);
        if (r < 0 || !spec_uses_overlay(m->spec))
                return r;

        if (asprintf(&m->upper_dir, "%s/containers/%s/upper", a->state_dir, a->id) < 0 ||
            asprintf(&m->work_dir, "%s/containers/%s/work", a->state_dir, a->id) < 0)
                return -ENOMEM;
        r = make_dir(m->upper_dir, 0755);
        if (r < 0)
                return r;
        return make_dir(m->work_dir, 0700);
}

/* A custom profile travels in the spec (the client read it, drayd checked it): it is compiled from a
 * sealed memfd of that text, so that what is compiled is what was checked and nothing can change it. */
static int seccomp_text_memfd(const char *text, int *ret) {
        size_t n = strlen(text);
        _cleanup_close_ int fd = -EBADF;

        fd = memfd_create("dray-seccomp-profile", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0)
                return -errno;
        for (size_t done = 0; done < n;) {
                ssize_t k = write(fd, text + done, n - done);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return k < 0 ? -errno : -EIO;
                done += (size_t) k;
        }
        if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
                return -errno;
        *ret = TAKE_FD(fd);
        return 0;
}

/* Before drayd's go, while systemd starts the scope: the filter is compiled (or found in the cache) by
 * then. A failure is kept and reported after the go, as every start failure is. */
static void monitor_prepare_seccomp(Monitor *m) {
        const char *path = m->args->seccomp_profile ?:
                           (m->spec->boot ? seccomp_profile_boot_path() : seccomp_profile_default_path());
        _cleanup_free_ char *cache_dir = NULL;
        _cleanup_close_ int text_fd = -EBADF;
        const char *bad = NULL;
        uint64_t caps;
        int r;

        if (m->spec->privileged || m->spec->seccomp_unconfined)
                return;
        if (streq(path, "unconfined"))
                return;
        r = m->spec->boot ? runtime_boot_caps(m->spec, &caps, &bad)
                          : runtime_caps_from_spec(m->spec->cap_add, m->spec->cap_drop, &caps, &bad);
        if (r < 0)
                return; /* the runtime reports the unknown capability */
        if (m->spec->seccomp_profile && !m->args->seccomp_profile) {
                /* Not cached: the text is the client's, and the cache keys on files only root writes. */
                r = seccomp_text_memfd(m->spec->seccomp_profile, &text_fd);
                if (r >= 0)
                        r = monitor_seccomp_compile(text_fd, caps, &m->seccomp_fd, &m->seccomp_error_text);
                if (r < 0)
                        m->seccomp_error = r;
                return;
        }
        if (asprintf(&cache_dir, "%s/seccomp", m->args->runtime_dir) < 0) {
                m->seccomp_error = -ENOMEM;
                return;
        }
        r = monitor_seccomp_prepare(cache_dir, path, caps, &m->seccomp_fd, &m->seccomp_error_text);
        if (r < 0)
                m->seccomp_error = r;
}

/* An exec's output goes to the client only: `docker logs` does not show `docker exec` either. */
static void discard_line(char *line, size_t len, bool partial, void *userdata) {
}

static int monitor_prepare(Monitor *m) {
        int r;

        if (monitor_is_exec(m))
                return 0;
        /* A previous run's record must not be mistaken for this one's. */
        if (unlinkat(m->dir_fd, EXIT_RECORD_FILE, 0) < 0 && errno != ENOENT)
                return log_error_errno(errno, "Failed to remove the old " EXIT_RECORD_FILE ": %m");
        r = monitor_make_dirs(m);
        if (r < 0)
                return log_error_errno(r, "Failed to create the container's directories: %m");
        r = journal_fields_init(&m->fields, m->spec, m->args->log_unit);
        if (r < 0)
                return log_oom();
        r = journal_batch_init(&m->journal, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to set up logging to the journal: %m");
        r = journal_sink_init(&m->out_sink, &m->journal, &m->fields, 6);
        if (r < 0)
                return log_error_errno(r, "Failed to set up logging to the journal: %m");
        r = journal_sink_init(&m->err_sink, &m->journal, &m->fields, 3);
        if (r < 0)
                return log_error_errno(r, "Failed to set up logging to the journal: %m");
        journal_check_available();
        monitor_cgroup_setup(&m->cgroup);
        if (m->args->notify_fd >= 0) {
                _cleanup_free_ char *dir = NULL;

                if (asprintf(&dir, "%s/containers/%s", m->args->runtime_dir, m->args->id) < 0)
                        return log_oom();
                r = notify_relay_setup(&m->notify, m->args->notify_fd, dir, m->spec);
                if (r < 0)
                        return log_error_errno(r, "Failed to set up the notification socket: %m");
        }
        /* Before the start is reported: a client may attach as soon as drayd says it runs. */
        r = attach_server_open(&m->attach, m->args->runtime_dir, m->args->id);
        if (r < 0)
                log_warning_errno(r, "Failed to open the attach socket, the container cannot be attached to: %m");
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

/* -i without -t: the payload reads a pipe that the relay feeds. With no client attached it stays open
 * and empty, as Docker's -d -i leaves stdin: the payload waits for input rather than seeing EOF. */
static int monitor_stdin_pipe(Monitor *m, int *ret_read_end) {
        int p[2];

        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        if (fcntl(p[1], F_SETFL, O_NONBLOCK) < 0) {
                safe_close(p[0]);
                safe_close(p[1]);
                return -errno;
        }
        m->input_target.fd = p[1];
        m->input_target.owned = true;
        *ret_read_end = p[0];
        return 0;
}

/* Where the payload's output is read from: its stdout pipe, or with -t the pty's master (the pipe is
 * unused then and closes with the init). */
static int monitor_output_fd(Monitor *m, int *out_read_end) {
        if (m->pty_master < 0)
                return TAKE_FD(*out_read_end);
        if (fcntl(m->pty_master, F_SETFL, O_NONBLOCK) < 0)
                return -errno;
        m->input_target.pty = m->pty_master;
        if (m->spec->open_stdin) {
                m->input_target.fd = m->pty_master;
                m->input_target.owned = false;
        }
        m->out_sink.strip_cr = true;
        return TAKE_FD(m->pty_master);
}

/* --boot: the notify socket, and the init cloned into the container's own cgroup. -ECANCELED with e
 * filled when the boot could not even be prepared. */
static int monitor_boot_start(Monitor *m, RuntimeIO *io, RuntimeError *e) {
        uid_t root_uid = m->spec->userns_size > 0 ? m->spec->userns_base : 0;
        int r;

        r = monitor_boot_notify_open(&m->boot, m->args->runtime_dir, m->args->id, root_uid);
        if (r < 0) {
                *e = (RuntimeError) { .error = -r };
                (void) snprintf(e->message, sizeof(e->message), "cannot create the notify socket: %s", strerror(-r));
                return -ECANCELED;
        }
        io->notify_socket = m->boot.notify_path;
        r = monitor_boot_cgroup_enter(&m->boot, m->cgroup.unified, root_uid);
        if (r < 0) {
                *e = (RuntimeError) { .error = -r };
                (void) snprintf(e->message, sizeof(e->message),
                                "cannot give the booted container a cgroup subtree of its own: %s", strerror(-r));
                return -ECANCELED;
        }
        r = runtime_start(m->spec, io, e, &m->init_pid);
        monitor_boot_cgroup_leave(&m->boot);
        if (r >= 0 && m->pty_master >= 0 && (r = monitor_boot_console_keep(&m->boot, m->pty_master)) < 0) {
                (void) kill(m->init_pid, SIGKILL);
                (void) waitpid(m->init_pid, NULL, 0);
                *e = (RuntimeError) { .error = -r };
                (void) snprintf(e->message, sizeof(e->message), "cannot hold the console open: %s", strerror(-r));
                return -ECANCELED;
        }
        return r;
}

static int make_stdio_pipes(Monitor *m, int out[2], int err[2], int *in) {
        int r;

        r = make_output_pipe(out);
        if (r < 0)
                return r;
        r = make_output_pipe(err);
        if (r < 0)
                return r;
        if (m->spec->open_stdin && !m->spec->tty)
                return monitor_stdin_pipe(m, in);
        return 0;
}

/* true when the payload runs; else the failure was reported and *ret_exit is the process's exit status. */
static bool monitor_start(Monitor *m, int *ret_exit) {
        _cleanup_close_pair_ int out[2] = { -EBADF, -EBADF }, err[2] = { -EBADF, -EBADF };
        _cleanup_close_ int in = -EBADF;
        RuntimeIO io = RUNTIME_IO_NULL;
        RuntimeError e = {};
        int pass_fds[PASS_FDS_MAX];
        struct winsize window;
        LogSinkFunc sink;
        int r, out_fd;

        r = make_stdio_pipes(m, out, err, &in);
        if (r < 0) {
                *ret_exit = monitor_fail_start(m, r, EXIT_DRAY_FAILED, "cannot create stdio pipes: %m");
                return false;
        }
        io.stdin_fd = in;
        io.stdout_fd = out[1];
        io.stderr_fd = err[1];
        io.cgroup_fd = m->cgroup.payload_fd;
        io.root_mount = m->root_mount;
        io.upper_dir = m->upper_dir;
        io.work_dir = m->work_dir;
        io.seccomp_fd = m->seccomp_fd;
        if (m->args->n_pass_fds > 0) {
                for (unsigned i = 0; i < m->args->n_pass_fds; i++)
                        pass_fds[i] = MONITOR_PASS_FD_FIRST + (int) i;
                io.pass_fds = pass_fds;
                io.n_pass_fds = m->args->n_pass_fds;
                io.n_listen_fds = m->args->n_listen_fds;
                io.listen_fdnames = m->args->listen_fdnames;
        }
        if (m->spec->tty) {
                io.pty_master = &m->pty_master;
                if (input_relay_initial_window(m->clients[0], &window) > 0)
                        io.window = &window;
        }
        if (!m->spec->open_stdin)
                m->clients[0]->from = safe_close(m->clients[0]->from);
        io.payload_oom_score_adj = monitor_oom_payload_adj();

        if (monitor_is_exec(m))
                r = runtime_join(m->spec, &io, m->args->exec_target_pid, &e, &m->init_pid);
        else if (m->spec->boot) {
                r = monitor_boot_start(m, &io, &e);
                if (r == -ECANCELED) {
                        *ret_exit = monitor_fail_start(m, e.error, EXIT_DRAY_FAILED, "%s", e.message);
                        return false;
                }
        } else
                r = runtime_start(m->spec, &io, &e, &m->init_pid);
        m->seccomp_fd = safe_close(m->seccomp_fd);
        if (r < 0) {
                *ret_exit = monitor_fail_start(m, e.error, runtime_error_exit_status(&e), "%s", e.message);
                return false;
        }
        /* The payload runs (forked with our oom_score_adj): from now on the OOM killer leaves us, and the
         * init, alone. An exec's process is payload too. */
        monitor_oom_protect(monitor_is_exec(m) ? 0 : m->init_pid);
        out_fd = monitor_output_fd(m, &out[0]);
        if (out_fd < 0) {
                (void) kill(m->init_pid, SIGKILL);
                *ret_exit = monitor_fail_start(m, out_fd, EXIT_DRAY_FAILED, "cannot set up the terminal: %m");
                return false;
        }

        sink = monitor_is_exec(m) ? discard_line : journal_send_line;
        log_stream_init(&m->out, "stdout", out_fd, m->args->stdout_fd, sink, &m->out_sink);
        log_stream_init(&m->err, "stderr", TAKE_FD(err[0]), m->args->stderr_fd, sink, &m->err_sink);
        if (m->spec->boot && !monitor_is_exec(m))
                /* Started is not up: drayd hears of it when the inner systemd says READY=1. */
                m->boot_ok_pending = true;
        else
                sync_send(m, &(SyncMessage) { .type = SYNC_MESSAGE_OK, .pid = m->init_pid });
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

        /* EIO: a pty whose every slave is closed, its way of saying EOF. */
        if (r < 0 && r != -EIO)
                log_warning_errno(r, "Failed to read the container's %s, ignoring the rest: %m", s->name);
}

static bool client_in_use(const Monitor *m, size_t slot) {
        return (m->clients[slot] && input_relay_active(m->clients[slot])) || log_stream_has_tee(&m->out, slot) ||
                log_stream_has_tee(&m->err, slot);
}

/* A client detached (its lifeline's EOF): it gets no more output either, so that nothing is written to
 * a terminal it left for its shell. */
static void monitor_drop_gone_clients(Monitor *m) {
        for (size_t i = 0; i < ATTACH_CLIENTS_MAX; i++)
                if (m->clients[i] && m->clients[i]->gone) {
                        log_stream_drop_tee(&m->out, i);
                        log_stream_drop_tee(&m->err, i);
                        input_relay_done(m->clients[i]);
                        free(m->clients[i]);
                        m->clients[i] = NULL;
                }
}

/* dray attach: drayd hands over one more client. */
static void monitor_attach_client(Monitor *m, AttachRequest *req) {
        InputRelay *relay;
        size_t slot;

        for (slot = 1; slot < ATTACH_CLIENTS_MAX && client_in_use(m, slot); slot++)
                ;
        if (slot >= ATTACH_CLIENTS_MAX) {
                attach_server_reply(&m->attach, EUSERS, 0, "too many clients are attached to the container");
                attach_request_done(req);
                return;
        }
        relay = malloc(sizeof(InputRelay));
        if (!relay) {
                attach_server_reply(&m->attach, ENOMEM, 0, "out of memory");
                attach_request_done(req);
                return;
        }
        free(m->clients[slot]);
        m->clients[slot] = relay;
        input_relay_init(relay, &m->input_target);
        relay->resize = TAKE_FD(req->resize_fd);
        if (m->spec->open_stdin)
                relay->from = TAKE_FD(req->stdin_fd);
        (void) log_stream_add_tee(&m->out, slot, TAKE_FD(req->stdout_fd));
        (void) log_stream_add_tee(&m->err, slot, TAKE_FD(req->stderr_fd));
        attach_request_done(req);
        log_debug("A client attached (slot %zu).", slot);
        attach_server_reply(&m->attach, 0, m->init_pid, NULL);
}

/* Every client's pollfds after p; returns how many, and each client's count in counts. */
static size_t monitor_fill_clients(Monitor *m, struct pollfd *p, size_t counts[ATTACH_CLIENTS_MAX]) {
        size_t n = 0;

        for (size_t i = 0; i < ATTACH_CLIENTS_MAX; i++) {
                counts[i] = m->clients[i] ? input_relay_fill(m->clients[i], p + n) : 0;
                n += counts[i];
        }
        return n;
}

static void monitor_dispatch_clients(Monitor *m, const struct pollfd *p, const size_t counts[ATTACH_CLIENTS_MAX]) {
        for (size_t i = 0; i < ATTACH_CLIENTS_MAX; i++) {
                if (m->clients[i])
                        input_relay_dispatch(m->clients[i], p, counts[i]);
                p += counts[i];
        }
        monitor_drop_gone_clients(m);
}

/* Relays output (and the clients' input) until the init is gone. */
static int monitor_loop(Monitor *m) {
        monitor_reap(m);
        while (!m->init_exited) {
                struct pollfd p[8 + 3 * ATTACH_CLIENTS_MAX] = {
                        { .fd = m->signal_fd, .events = POLLIN },
                        { .fd = m->out.fd, .events = POLLIN },
                        { .fd = m->err.fd, .events = POLLIN },
                };
                size_t counts[ATTACH_CLIENTS_MAX];
                size_t n_notify = notify_relay_fill(&m->notify, p + 3);
                size_t n_input = monitor_fill_clients(m, p + 3 + n_notify, counts);
                size_t boot = 3 + n_notify + n_input;
                size_t n_attach;
                AttachRequest req = ATTACH_REQUEST_NULL;

                p[boot] = (struct pollfd) { .fd = m->boot.notify_fd, .events = POLLIN };
                n_attach = attach_server_fill(&m->attach, p + boot + 1);
                if (poll(p, boot + 1 + n_attach, -1) < 0) {
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
                /* What this round brought goes out now: no line waits for more output. */
                journal_batch_flush(&m->journal);
                notify_relay_dispatch(&m->notify, p + 3, n_notify);
                monitor_dispatch_clients(m, p + 3 + n_notify, counts);
                if (p[boot].revents && monitor_boot_notify_read(&m->boot) && m->boot_ok_pending) {
                        sync_send(m, &(SyncMessage) { .type = SYNC_MESSAGE_OK, .pid = m->init_pid });
                        m->boot_ok_pending = false;
                }
                if (attach_server_dispatch(&m->attach, p + boot + 1, n_attach, &req) > 0)
                        monitor_attach_client(m, &req);
        }
        return 0;
}

/* The init is gone, and with it the whole pid namespace: every writer of the pipes is dead, so
 * what is left in them is all there will be. */
static int monitor_finish(Monitor *m) {
        ExitRecord rec;

        /* Nobody attaches to a container that has ended. */
        attach_server_done(&m->attach);
        (void) log_stream_drain(&m->out);
        (void) log_stream_drain(&m->err);
        journal_batch_flush(&m->journal);
        log_stream_done(&m->out);
        log_stream_done(&m->err);

        rec = (ExitRecord) {
                .exit_status = runtime_exit_status_from_wait(m->init_wstatus),
                .finished_usec = now_usec(CLOCK_REALTIME),
                .oom_killed = monitor_cgroup_oom_killed(&m->cgroup),
        };
        if (m->spec->boot && !monitor_is_exec(m))
                rec.exit_status = monitor_boot_exit_status(m->init_wstatus, &rec.reboot);
        else if (!monitor_is_exec(m))
                /* dray's own init asked for a reboot in place (machinectl reboot): reboot(2) in its pid
                 * namespace ended it with SIGHUP. Nothing else can: it takes every other signal. */
                rec.reboot = WIFSIGNALED(m->init_wstatus) && WTERMSIG(m->init_wstatus) == SIGHUP;
        if (monitor_is_exec(m)) {
                sync_send_exit(m, rec.exit_status);
                return EXIT_SUCCESS;
        }
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

        load_error = monitor_is_exec(m) ? monitor_load_exec(m) : monitor_load(m);
        if (load_error >= 0)
                monitor_prepare_seccomp(m);
        r = monitor_wait_for_go(m);
        if (r <= 0)
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
        if (load_error < 0)
                return monitor_fail_start(m, load_error, EXIT_DRAY_FAILED,
                                          "cannot load the container spec: %m");
        r = monitor_prepare(m);
        if (r < 0)
                return monitor_fail_start(m, r, EXIT_DRAY_FAILED, "cannot prepare the container: %m");
        if (m->seccomp_error < 0)
                return monitor_fail_start(m, m->seccomp_error, EXIT_DRAY_FAILED, "seccomp profile '%s': %s",
                                          m->args->seccomp_profile ?:
                                          (m->spec->boot ? seccomp_profile_boot_path() : seccomp_profile_default_path()),
                                          m->seccomp_error_text ?: strerror(-m->seccomp_error));
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

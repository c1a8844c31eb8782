/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dray run, dray create, dray start. */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "bus-errors.h"
#include "cli-bus.h"
#include "cli-detach.h"
#include "cli-remote.h"
#include "cli-terminal.h"
#include "cli-util.h"
#include "container-state.h"
#include "log.h"
#include "parse-util.h"
#include "run-networks.h"
#include "run-notify-healthy.h"
#include "run-options.h"
#include "strv.h"
#include "verbs.h"

/* Signals a foreground `dray run` or `dray start -a` passes on to the container (Docker's
 * --sig-proxy). Before the container runs, they abort instead. */
static const int forwarded_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

#define RUN_BOOT_TIMEOUT_USEC (90 * USEC_PER_SEC)
/* How often, and how far apart, a WaitContainer lost to a drayd restart is sent again: drayd's restart
 * takes well under a second, bus activation waits for it, and its unit restarts it on failure. */
#define WAIT_RETRIES_MAX 100
#define WAIT_RETRY_USEC (200 * USEC_PER_MSEC)

typedef struct RunContext {
        sd_bus *bus;
        sd_event *event;
        bool detach;
        bool remove_on_failure; /* we created the container: leave nothing behind if it fails */
        char *id;               /* full ID from CreateContainer, or the argument of `start -a` */
        sd_bus_slot *slot_create, *slot_wait, *slot_start, *slot_remove;
        bool started;
        bool start_failed;
        int wait_status;        /* -1 until WaitContainer replied */
        int abort_signal;       /* a signal that arrived before the container was started */
        int exit_status;        /* once removal completes */
        unsigned wait_retries;  /* WaitContainer calls lost to a drayd restart so far */
        sd_event_source *retry_timer;
        bool tty;               /* the container has a terminal (-t) */
        bool interactive;       /* our stdin goes to it (-i) */
        bool wait_after_start;  /* start -a: the container may still hold its last run's status */
        bool boot;              /* --boot: the start's reply means "the system is up" */
        uint64_t start_timeout_usec; /* how long to wait for it; 0: sd-bus's default */
        char timeout_text[32];
        SdNotifyMode sdnotify;  /* what a Type=notify service we run in hears from us */
        unsigned n_pass_fds;    /* our fds 3… that go to the payload (socket activation, --preserve-fds) */
        unsigned n_listen_fds;  /* ... the first of them are listening sockets */
        char **listen_names;    /* LISTEN_FDNAMES, split */
        int notify_fd;          /* --sdnotify=container: our end of the "notify" stream, or -EBADF */
        int notify_peer;        /* ... and the end the monitor gets */
        sd_event_source *notify_source;
        sd_bus_slot *slot_healthy; /* --sdnotify=healthy: the Health watch */
        char *const *networks_more; /* --network after the first (the options own them) */
        TerminalAttach terminal;
        const char *detach_keys; /* --detach-keys (checked); NULL: the default */
        DetachRelay relay;       /* -i -t with detach keys: our stdin, filtered, goes through it */
        bool no_sig_proxy;       /* --sig-proxy=false: a signal detaches us instead of reaching it */
        int detach_status;       /* what we exit with once detached: 0 (the keys), 128+signal */
        sd_bus_slot *slot_detach;
} RunContext;

/* --boot: StartContainer answers once the container's init said READY=1. Detached, we wait --timeout
 * for that (90 s by default, systemd's own start timeout); in the foreground as long as it takes. */
static void run_boot_timeout(RunContext *c, const RunOptions *o) {
        c->boot = o->boot;
        if (!o->boot)
                return;
        if (!o->detach)
                c->start_timeout_usec = BUS_TIMEOUT_INFINITE;
        else
                c->start_timeout_usec = o->timeout_usec != UINT64_MAX ? MAX(o->timeout_usec, (uint64_t) 1) :
                                        RUN_BOOT_TIMEOUT_USEC;
        (void) snprintf(c->timeout_text, sizeof(c->timeout_text), "%.3g s",
                        (double) c->start_timeout_usec / USEC_PER_SEC);
}

static void run_context_done(RunContext *c) {
        terminal_detach(&c->terminal);
        detach_relay_done(&c->relay);
        c->slot_detach = sd_bus_slot_unref(c->slot_detach);
        c->retry_timer = sd_event_source_disable_unref(c->retry_timer);
        c->listen_names = strv_free(c->listen_names);
        c->notify_source = sd_event_source_disable_unref(c->notify_source);
        c->notify_fd = safe_close(c->notify_fd);
        c->notify_peer = safe_close(c->notify_peer);
        c->slot_create = sd_bus_slot_unref(c->slot_create);
        c->slot_wait = sd_bus_slot_unref(c->slot_wait);
        c->slot_start = sd_bus_slot_unref(c->slot_start);
        c->slot_remove = sd_bus_slot_unref(c->slot_remove);
        c->slot_healthy = sd_bus_slot_unref(c->slot_healthy);
        c->bus = sd_bus_flush_close_unref(c->bus);
        c->event = sd_event_unref(c->event);
        free(c->id);
        c->id = NULL;
}

static void run_finish(RunContext *c, int status) {
        (void) sd_event_exit(c->event, status);
}

static int on_remove_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        RunContext *c = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);

        /* The daemon may have removed it already (--rm, or its own cleanup of a failed start). */
        if (e && !sd_bus_error_has_name(e, DRAY_ERROR_NO_SUCH_CONTAINER)) {
                log_error("Failed to remove container %s after the failure above: %s", c->id,
                          strna(e->message));
                if (c->exit_status == 0)
                        c->exit_status = EXIT_DRAY_FAILED;
        }
        run_finish(c, c->exit_status);
        return 0;
}

/* Ends the run with status once the container we created is gone. */
static int run_remove_and_finish(RunContext *c, int status) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        c->exit_status = status;
        c->slot_wait = sd_bus_slot_unref(c->slot_wait);
        if (!c->remove_on_failure) {
                run_finish(c, status);
                return 0;
        }
        r = bus_new_manager_call(c->bus, &m, "RemoveContainer");
        if (r >= 0)
                r = sd_bus_message_append(m, "sb", c->id, 1);
        if (r >= 0)
                r = sd_bus_call_async(c->bus, &c->slot_remove, m, on_remove_reply, c, BUS_TIMEOUT_INFINITE);
        if (r < 0) {
                log_bus_error(NULL, r);
                run_finish(c, status);
        }
        return 0;
}

static int on_kill_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        const sd_bus_error *e = sd_bus_message_get_error(reply);

        /* It may have ended meanwhile; WaitContainer reports how. */
        if (e)
                log_debug("KillContainer failed, ignoring: %s", strna(e->message));
        return 0;
}

static int run_forward_signal(RunContext *c, int sig) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        /* A booted systemd reads SIGINT as Ctrl-Alt-Del (a reboot) and SIGTERM as "re-execute": what the
         * user meant is what nspawn does then: the stop signal, SIGRTMIN+3 (halt). */
        if (c->boot && (sig == SIGINT || sig == SIGTERM))
                sig = SIGRTMIN + 3;
        r = bus_new_manager_call(c->bus, &m, "KillContainer");
        if (r >= 0)
                r = sd_bus_message_append(m, "si", c->id, sig);
        if (r >= 0)
                r = sd_bus_call_async(c->bus, NULL, m, on_kill_reply, c, BUS_TIMEOUT_DEFAULT);
        if (r < 0)
                return log_bus_error(NULL, r);
        return 0;
}

static void run_on_detach(void *userdata);

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        RunContext *c = userdata;
        int sig = (int) si->ssi_signo;

        if (c->started && !c->detach && c->boot && sig == SIGHUP) {
                /* Our terminal went away: a booted system is left running, as a detach. */
                log_info("Detached from container %.12s; it keeps running ('dray stop %.12s' ends it).", c->id,
                         c->id);
                run_finish(c, EXIT_SUCCESS);
                return 0;
        }
        if (c->started && !c->detach && c->no_sig_proxy) {
                /* Docker's --sig-proxy=false: the signal is ours; the container runs on without us. */
                c->detach_status = 128 + sig;
                run_on_detach(c);
                return 0;
        }
        if (c->started && !c->detach)
                return run_forward_signal(c, sig);
        if (c->abort_signal == 0) {
                /* Acted on when the pending call replies: see on_create_reply(), on_start_reply(). */
                c->abort_signal = sig;
                return 0;
        }
        /* A second one while drayd has not answered yet: give up waiting for it. */
        if (c->id)
                log_warning("Interrupted; container %s may be left behind (see 'dray ps -a').", c->id);
        run_finish(c, 128 + sig);
        return 0;
}

/* Socket activation hands us listening sockets at 3… (sd_listen_fds(3): LISTEN_PID is ours), and with
 * --preserve-fds N fds 3…3+N-1 go along too. Checked before we open anything of our own, which would
 * otherwise take a free number among them. */
static int run_collect_fds(RunContext *c, unsigned preserve) {
        const char *fds = getenv("LISTEN_FDS"), *pid = getenv("LISTEN_PID"), *names = getenv("LISTEN_FDNAMES");
        uint32_t n_listen = 0, p;

        if (fds && pid && safe_atou32(pid, &p) >= 0 && (pid_t) p == getpid()) {
                if (safe_atou32(fds, &n_listen) < 0 || n_listen > 64)
                        return log_error_errno(SYNTHETIC_ERRNO(E2BIG),
                                               "LISTEN_FDS=%s: at most 64 sockets can be passed on.", fds);
        }
        c->n_listen_fds = n_listen;
        c->n_pass_fds = MAX(n_listen, preserve);
        for (unsigned i = 0; i < c->n_pass_fds; i++)
                if (fcntl(3 + (int) i, F_GETFD) < 0)
                        return log_error_errno(errno, "Cannot pass fd %u on to the container (--preserve-fds): %m",
                                               3 + i);
        for (const char *q = names; n_listen > 0 && q && *q;) {
                size_t k = strcspn(q, ":");

                if (strv_consume(&c->listen_names, strndup(q, k)) < 0)
                        return log_oom();
                q += k + (q[k] == ':');
        }
        return 0;
}

static int run_add_pass_fds(RunContext *c, sd_bus_message *m) {
        int r = 0;

        for (unsigned i = 0; r >= 0 && i < c->n_pass_fds; i++) {
                _cleanup_free_ char *key = NULL;
                const char *name = i < c->n_listen_fds && i < strv_length(c->listen_names) ? c->listen_names[i] : NULL;

                if (i >= c->n_listen_fds)
                        key = strdup("fd");
                else if (!isempty(name) && strlen(name) <= 255)
                        r = asprintf(&key, "listen-fd:%s", name) < 0 ? -ENOMEM : 0;
                else
                        key = strdup("listen-fd");
                if (r >= 0 && !key)
                        r = -ENOMEM;
                if (r >= 0)
                        r = sd_bus_message_append(m, "{sh}", key, 3 + (int) i);
        }
        return r;
}

/* --sdnotify=container: what the payload sends to $NOTIFY_SOCKET in the container comes here, already
 * filtered by the monitor, and goes on to our service manager: we are the service's main process. */
static int on_notify(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        char buf[4097];
        ssize_t n;
        int r;

        n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
        if (n <= 0)
                return 0;
        buf[n] = 0;
        r = sd_notify(false, buf);
        if (r < 0)
                log_debug_errno(r, "Failed to pass a notification on, ignoring: %m");
        return 0;
}

static int run_setup_notify(RunContext *c) {
        int sp[2];
        int r;

        if (c->sdnotify != SDNOTIFY_CONTAINER || c->detach || !getenv("NOTIFY_SOCKET"))
                return 0;
        if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sp) < 0)
                return log_error_errno(errno, "Failed to create the notification socket: %m");
        c->notify_fd = sp[0];
        c->notify_peer = sp[1];
        r = sd_event_add_io(c->event, &c->notify_source, c->notify_fd, EPOLLIN, on_notify, c);
        if (r < 0)
                return log_error_errno(r, "Failed to watch the notification socket: %m");
        return 0;
}

static int run_add_stream(sd_bus_message *m, const char *name, int fd) {
        /* A closed stdout or stderr is simply not passed on. */
        if (fcntl(fd, F_GETFD) < 0)
                return 0;
        return sd_bus_message_append(m, "{sh}", name, fd);
}

static int on_start_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error);
static int on_wait_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error);

static int run_send_start(RunContext *c) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = bus_new_manager_call(c->bus, &m, "StartContainer");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", c->id);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "{sh}");
        /* The monitor copies the container's output to our own stdout and stderr, and reads our stdin
         * for it (-i). */
        if (r >= 0 && !c->detach)
                r = run_add_stream(m, "stdout", STDOUT_FILENO);
        if (r >= 0 && !c->detach)
                r = run_add_stream(m, "stderr", STDERR_FILENO);
        if (r >= 0 && !c->detach && c->interactive)
                r = run_add_stream(m, "stdin", c->relay.pipe[0] >= 0 ? c->relay.pipe[0] : STDIN_FILENO);
        if (r >= 0 && !c->detach && c->terminal.resize[0] >= 0)
                r = sd_bus_message_append(m, "{sh}", "resize", c->terminal.resize[0]);
        if (r >= 0 && c->notify_peer >= 0)
                r = sd_bus_message_append(m, "{sh}", "notify", c->notify_peer);
        if (r >= 0)
                r = run_add_pass_fds(c, m);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_call_async(c->bus, &c->slot_start, m, on_start_reply, c, c->start_timeout_usec);
        if (r < 0)
                return log_bus_error(NULL, r);
        return 0;
}

static int run_send_wait(RunContext *c) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = bus_new_manager_call(c->bus, &m, "WaitContainer");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", c->id);
        if (r >= 0)
                r = sd_bus_call_async(c->bus, &c->slot_wait, m, on_wait_reply, c, BUS_TIMEOUT_INFINITE);
        if (r < 0)
                return log_bus_error(NULL, r);
        return 0;
}

static int on_detach_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        RunContext *c = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);

        c->slot_detach = sd_bus_slot_unref(c->slot_detach);
        terminal_detach(&c->terminal);
        if (e) {
                log_bus_error(e, -EIO);
                run_finish(c, EXIT_DRAY_FAILED);
                return 0;
        }
        log_info("Detached from container %.12s; it keeps running.", c->id);
        run_finish(c, c->detach_status);
        return 0;
}

/* The detach keys were typed: drayd lets the container run on without us (DetachContainer), then we
 * go, and our resize pipe's end detaches us from its monitor. */
static void run_on_detach(void *userdata) {
        RunContext *c = userdata;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        if (!c->started || c->slot_detach)
                return;
        r = bus_new_manager_call(c->bus, &m, "DetachContainer");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", c->id);
        if (r >= 0)
                r = sd_bus_call_async(c->bus, &c->slot_detach, m, on_detach_reply, c, BUS_TIMEOUT_DEFAULT);
        if (r < 0) {
                log_bus_error(NULL, r);
                run_finish(c, EXIT_DRAY_FAILED);
        }
}

/* -i -t: our stdin goes through the detach-key filter, unless the keys are disabled (""). */
static int run_setup_detach_keys(RunContext *c) {
        char keys[DETACH_KEYS_MAX];
        int n;

        if (!c->tty || !c->interactive)
                return 0;
        n = detach_keys_resolve(c->detach_keys, keys);
        if (n <= 0)
                return n;
        return detach_relay_start(&c->relay, c->event, keys, (size_t) n, run_on_detach, c);
}

/* Wait first, then start, in one write: a container that ends (and with --rm is removed) at once
 * still has its status delivered, because the daemon already holds our WaitContainer. */
static int run_attach(RunContext *c) {
        int r;

        c->wait_status = -1;
        if (!c->detach) {
                r = terminal_attach(&c->terminal, c->event, c->tty, c->interactive);
                if (r < 0)
                        return r;
                r = run_setup_detach_keys(c);
                if (r < 0)
                        return r;
                /* --sig-proxy=false may detach us from a container without a terminal or input too. */
                if (c->no_sig_proxy) {
                        r = terminal_lifeline(&c->terminal);
                        if (r < 0)
                                return r;
                }
                r = run_setup_notify(c);
                if (r < 0)
                        return r;
        }
        if (!c->detach && !c->wait_after_start) {
                r = run_send_wait(c);
                if (r < 0)
                        return r;
        }
        return run_send_start(c);
}

static void run_finish_with_wait_status(RunContext *c) {
        if (c->wait_status > 255) {
                log_error("Container %s ended without an exit status.", c->id);
                run_finish(c, EXIT_DRAY_FAILED);
        } else
                run_finish(c, c->wait_status);
}

/* A service of Type=notify that runs us is ready once its container runs: we are its main process,
 * the one systemd listens to. Nothing happens without $NOTIFY_SOCKET. */
static void run_notify_started(RunContext *c) {
        int r;

        if (c->sdnotify == SDNOTIFY_HEALTHY && !c->detach && getenv("NOTIFY_SOCKET")) {
                r = run_notify_healthy_watch(c->bus, c->id, &c->slot_healthy);
                if (r < 0)
                        log_warning_errno(r, "Failed to watch the health of container %s, ignoring: %m", c->id);
                return;
        }
        if (c->sdnotify != SDNOTIFY_READY)
                return;
        r = sd_notifyf(false, "READY=1\nSTATUS=Container %s is running.", c->id);
        if (r < 0)
                log_debug_errno(r, "Failed to notify the service manager, ignoring: %m");
}

/* GetContainer(c->id), synchronously; *ret_path points into *ret_reply. */
static int run_get_container_path(RunContext *c, sd_bus_error *error, sd_bus_message **ret_reply,
                                  const char **ret_path) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = bus_new_manager_call(c->bus, &m, "GetContainer");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", c->id);
        if (r >= 0)
                r = sd_bus_call(c->bus, m, BUS_TIMEOUT_DEFAULT, error, ret_reply);
        if (r >= 0)
                r = sd_bus_message_read(*ret_reply, "o", ret_path);
        return r;
}

/* drayd went away before it answered StartContainer (a restart): whether the container started is the
 * next drayd's to say. Still `created`: start it (again); anything else: it started, and the Wait, which
 * is asked again too, gives its end. */
static int run_start_lost(RunContext *c) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *state = NULL;
        const char *path;
        int r;

        if (c->detach || ++c->wait_retries > WAIT_RETRIES_MAX)
                return 0;
        r = run_get_container_path(c, &error, &reply, &path);
        if (r >= 0)
                r = sd_bus_get_property_string(c->bus, DRAY_BUS_NAME, path, DRAY_CONTAINER_INTERFACE, "State",
                                               &error, &state);
        if (r < 0)
                return 0;
        log_debug("Lost the answer to StartContainer; container %s is %s.", c->id, state);
        if (streq(state, "created"))
                return run_send_start(c) < 0 ? 0 : 1;
        c->started = true;
        run_notify_started(c);
        if (c->wait_after_start && !c->slot_wait && c->wait_status < 0)
                return run_send_wait(c) < 0 ? 0 : 1;
        if (c->wait_status >= 0)
                run_finish_with_wait_status(c);
        return 1;
}

static int on_start_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        RunContext *c = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);

        c->slot_start = sd_bus_slot_unref(c->slot_start);
        if (e && c->boot && (sd_bus_error_has_name(e, SD_BUS_ERROR_NO_REPLY) || sd_bus_error_has_name(e, SD_BUS_ERROR_TIMEOUT))) {
                /* It runs, but its init has not said READY=1 yet: leave it be, and say what to do. */
                log_error("Container %s did not report that its system is up within %s; it is still "
                          "running: see 'dray logs %.12s', or stop it with 'dray stop %.12s'.",
                          c->id, c->timeout_text, c->id, c->id);
                run_finish(c, EXIT_DRAY_FAILED);
                return 0;
        }
        if (e && sd_bus_error_has_name(e, SD_BUS_ERROR_NO_REPLY) && run_start_lost(c) > 0)
                return 0;
        if (e) {
                c->start_failed = true;
                log_bus_error(e, -EIO);
                return run_remove_and_finish(c, dray_bus_error_to_exit_status(e));
        }
        c->started = true;
        run_notify_started(c);
        detach_relay_sent(&c->relay);

        if (c->abort_signal > 0) {
                if (c->detach)
                        return run_remove_and_finish(c, 128 + c->abort_signal);
                return run_forward_signal(c, c->abort_signal);
        }
        if (c->detach) {
                puts(c->id);
                run_finish(c, fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_DRAY_FAILED);
                return 0;
        }
        /* An exited container answers a Wait at once with its last run's status: ask only now. Its
         * end is not lost meanwhile: an attached run's container waits for its client's Wait. */
        if (c->wait_after_start && run_send_wait(c) < 0)
                run_finish(c, EXIT_DRAY_FAILED);
        else if (c->wait_status >= 0) /* the wait reply overtook the start reply */
                run_finish_with_wait_status(c);
        return 0;
}

static int on_wait_retry(sd_event_source *s, uint64_t usec, void *userdata) {
        RunContext *c = userdata;

        c->retry_timer = sd_event_source_disable_unref(c->retry_timer);
        if (run_send_wait(c) < 0)
                run_finish(c, EXIT_DRAY_FAILED);
        return 0;
}

/* drayd went away while we waited (`systemctl restart drayd`): the container runs on, and the next
 * drayd adopts it, keeps an AutoRemove one until we have its status, and answers a new Wait (the call
 * starts drayd again through bus activation if nothing else does). 1 when a retry is on its way. */
static int run_wait_lost(RunContext *c, const sd_bus_error *e) {
        int r;

        if (!sd_bus_error_has_names(e, SD_BUS_ERROR_NO_REPLY, SD_BUS_ERROR_SERVICE_UNKNOWN,
                                    SD_BUS_ERROR_NAME_HAS_NO_OWNER, "org.freedesktop.DBus.Error.Spawn.ChildExited",
                                    "org.freedesktop.systemd1.UnitFailed"))
                return 0;
        if (++c->wait_retries > WAIT_RETRIES_MAX)
                return 0;
        log_debug("Lost the wait for container %s (%s), asking again.", c->id, e->name);
        /* Right away after a NoReply (the restart is under way; bus activation waits for its end), a
         * little later when drayd was not there or failed to start. */
        r = sd_event_add_time_relative(c->event, &c->retry_timer, CLOCK_MONOTONIC,
                                       sd_bus_error_has_name(e, SD_BUS_ERROR_NO_REPLY) ? 0 : WAIT_RETRY_USEC, 0,
                                       on_wait_retry, c);
        if (r < 0)
                return log_error_errno(r, "Failed to arm a timer: %m"), 0;
        return 1;
}

static int on_wait_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        RunContext *c = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        int32_t status;
        int r;

        c->slot_wait = sd_bus_slot_unref(c->slot_wait);
        if (c->start_failed)
                return 0; /* on_start_reply() reported it */
        if (e && run_wait_lost(c, e) > 0)
                return 0;
        if (e) {
                log_bus_error(e, -EIO);
                run_finish(c, EXIT_DRAY_FAILED);
                return 0;
        }
        r = sd_bus_message_read(reply, "i", &status);
        if (r < 0) {
                log_error_errno(r, "Failed to parse the reply to WaitContainer: %m");
                run_finish(c, EXIT_DRAY_FAILED);
                return 0;
        }
        c->wait_status = status < 0 ? 256 : status;
        if (c->started)
                run_finish_with_wait_status(c);
        return 0;
}

static int on_create_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        RunContext *c = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        const char *id, *path;
        int r;

        if (e) {
                log_bus_error(e, -EIO);
                run_finish(c, dray_bus_error_to_exit_status(e));
                return 0;
        }
        r = sd_bus_message_read(reply, "so", &id, &path);
        if (r < 0) {
                log_error_errno(r, "Failed to parse the reply to CreateContainer: %m");
                run_finish(c, EXIT_DRAY_FAILED);
                return 0;
        }
        c->id = strdup(id);
        if (!c->id) {
                log_oom();
                run_finish(c, EXIT_DRAY_FAILED);
                return 0;
        }
        if (c->abort_signal > 0)
                return run_remove_and_finish(c, 128 + c->abort_signal);
        /* Synchronous, and so is the rest of the start's preparation: nothing else is pending yet. */
        if (run_connect_networks(c->bus, c->id, c->networks_more) < 0)
                return run_remove_and_finish(c, EXIT_DRAY_FAILED);
        r = run_attach(c);
        if (r < 0)
                return run_remove_and_finish(c, EXIT_DRAY_FAILED);
        return 0;
}

static int run_send_create(RunContext *c, const RunOptions *o) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = bus_new_manager_call(c->bus, &m, "CreateContainer");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", strempty(o->name));
        if (r >= 0)
                r = run_options_append(o, m);
        if (r >= 0)
                r = sd_bus_call_async(c->bus, &c->slot_create, m, on_create_reply, c, BUS_TIMEOUT_DEFAULT);
        if (r < 0)
                return log_bus_error(NULL, r);
        return 0;
}

/* Connection, event loop and signal handling shared by run and start -a. */
static int run_context_setup(RunContext *c) {
        sigset_t mask;
        int r;

        r = bus_connect(&c->bus);
        if (r < 0)
                return r;
        /* In the foreground our fds go to the container: over ssh, the remote dray runs instead. */
        if (!c->detach || c->n_pass_fds > 0) {
                r = cli_remote_needs_fds(c->bus);
                if (r < 0)
                        return r;
        }
        r = sd_event_new(&c->event);
        if (r < 0)
                return log_error_errno(r, "Failed to allocate an event loop: %m");

        /* libsystemd 252 wants the signals blocked before sd_event_add_signal(). */
        sigemptyset(&mask);
        for (size_t i = 0; i < ELEMENTSOF(forwarded_signals); i++)
                sigaddset(&mask, forwarded_signals[i]);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return log_error_errno(errno, "Failed to block signals: %m");
        for (size_t i = 0; i < ELEMENTSOF(forwarded_signals); i++) {
                r = sd_event_add_signal(c->event, NULL, forwarded_signals[i], on_signal, c);
                if (r < 0)
                        return log_error_errno(r, "Failed to watch signal %i: %m", forwarded_signals[i]);
        }

        r = sd_bus_attach_event(c->bus, c->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "Failed to attach the bus to the event loop: %m");
        return 0;
}

static int run_context_loop(RunContext *c) {
        int r;

        r = sd_event_loop(c->event);
        if (r < 0)
                return log_error_errno(r, "Event loop failed: %m"), EXIT_DRAY_FAILED;
        return r;
}

int verb_run(int argc, char *argv[]) {
        _cleanup_(run_options_done) RunOptions o;
        _cleanup_(run_context_done) RunContext c = { .terminal = TERMINAL_ATTACH_NULL, .notify_fd = -EBADF,
                                                     .notify_peer = -EBADF, .relay = DETACH_RELAY_NULL };
        int r;

        run_options_init(&o);
        r = run_options_parse(RUN_VERB_RUN, argc, argv, &o);
        if (r < 0)
                return EXIT_DRAY_FAILED;
        if (o.help) {
                run_options_help(RUN_VERB_RUN);
                return EXIT_SUCCESS;
        }

        if (o.tty && o.open_stdin && !o.detach && !isatty(STDIN_FILENO)) {
                log_error("The input device is not a terminal: use -i without -t to pipe input into the "
                          "container.");
                return EXIT_DRAY_FAILED;
        }
        r = cli_image_ensure(o.rootfs ? NULL : o.image, o.pull ?: "missing");
        if (r < 0)
                return EXIT_DRAY_FAILED;
        c.detach = o.detach;
        c.tty = o.tty;
        c.interactive = o.open_stdin;
        c.sdnotify = o.sdnotify;
        c.networks_more = o.networks_more;
        c.detach_keys = o.detach_keys;
        c.no_sig_proxy = o.no_sig_proxy;
        if (o.detach && (o.sdnotify == SDNOTIFY_CONTAINER || o.sdnotify == SDNOTIFY_HEALTHY)) {
                log_error("--sdnotify=%s needs a foreground run: the notifications go through dray.",
                          sdnotify_mode_to_string(o.sdnotify));
                return EXIT_DRAY_FAILED;
        }
        /* The booted system's own READY=1 is what the start waits for: the default, "ready", already
         * makes the service active when the system is up. */
        if (o.boot && o.sdnotify == SDNOTIFY_CONTAINER) {
                log_error("--sdnotify=container does not apply to --boot: with the default (ready) the service "
                          "becomes active when the booted system reports READY=1.");
                return EXIT_DRAY_FAILED;
        }
        c.remove_on_failure = true;
        run_boot_timeout(&c, &o);
        r = run_collect_fds(&c, o.preserve_fds);
        if (r < 0)
                return EXIT_DRAY_FAILED;
        r = run_context_setup(&c);
        if (r < 0)
                return EXIT_DRAY_FAILED;
        r = run_send_create(&c, &o);
        if (r < 0)
                return EXIT_DRAY_FAILED;
        return run_context_loop(&c);
}

int verb_create(int argc, char *argv[]) {
        _cleanup_(run_options_done) RunOptions o;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        const char *id, *path;
        int r;

        run_options_init(&o);
        r = run_options_parse(RUN_VERB_CREATE, argc, argv, &o);
        if (r < 0)
                return EXIT_DRAY_FAILED;
        if (o.help) {
                run_options_help(RUN_VERB_CREATE);
                return EXIT_SUCCESS;
        }
        r = cli_image_ensure(o.rootfs ? NULL : o.image, o.pull ?: "missing");
        if (r < 0)
                return EXIT_DRAY_FAILED;

        r = bus_connect(&bus);
        if (r < 0)
                return EXIT_DRAY_FAILED;
        r = bus_new_manager_call(bus, &m, "CreateContainer");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", strempty(o.name));
        if (r >= 0)
                r = run_options_append(&o, m);
        if (r < 0)
                return log_bus_error(NULL, r), EXIT_DRAY_FAILED;
        r = sd_bus_call(bus, m, BUS_TIMEOUT_DEFAULT, &error, &reply);
        if (r < 0)
                return log_bus_error(&error, r), dray_bus_error_to_exit_status(&error);
        r = sd_bus_message_read(reply, "so", &id, &path);
        if (r < 0)
                return log_error_errno(r, "Failed to parse the reply to CreateContainer: %m"),
                       EXIT_DRAY_FAILED;
        if (run_connect_networks(bus, id, o.networks_more) < 0) {
                /* Nothing half made stays: the container goes again. */
                (void) sd_bus_call_method(bus, DRAY_BUS_NAME, DRAY_MANAGER_PATH, DRAY_MANAGER_INTERFACE,
                                          "RemoveContainer", NULL, NULL, "sb", id, 1);
                return EXIT_DRAY_FAILED;
        }
        puts(id);
        return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_DRAY_FAILED;
}

static void start_help(void) {
        printf("Usage: dray start [OPTIONS] CONTAINER...\n\n"
               "Start one or more created or exited containers.\n\n"
               "Options:\n"
               "  -a, --attach       Forward the container's output and wait for it, exiting with its\n"
               "                     exit status (one container only)\n"
               "  -i, --interactive  With -a: forward our stdin too (the container was created with -i)\n"
               "      --detach-keys KEYS  With -a -i and a terminal: keys that detach, leaving the\n"
               "                     container running (default ctrl-p,ctrl-q; \"\" disables them)\n"
               "      --sig-proxy=false  With -a: a signal we receive detaches us, leaving the\n"
               "                     container running, instead of reaching it\n"
               "  -h, --help         Show this help\n"
               "\nSee dray(1).\n");
}

typedef struct StartEach {
        int exit_status;
} StartEach;

static int start_build(sd_bus *bus, const char *arg, void *userdata, sd_bus_message **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = bus_new_manager_call(bus, &m, "StartContainer");
        if (r >= 0)
                r = sd_bus_message_append(m, "sa{sh}", arg, 0);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(m);
        return 0;
}

static int start_done(const char *arg, sd_bus_message *reply, void *userdata) {
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        StartEach *s = userdata;

        if (e) {
                s->exit_status = dray_bus_error_to_exit_status(e);
                return log_bus_error(e, -EIO);
        }
        puts(arg);
        return 0;
}

/* Whether the container has a terminal and an open stdin decides what we attach. */
static int start_read_terminal_flags(RunContext *c, bool interactive) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        const char *path;
        int tty = 0, open_stdin = 0, boot = 0, r;

        r = run_get_container_path(c, &error, &reply, &path);
        if (r >= 0)
                r = sd_bus_get_property_trivial(c->bus, DRAY_BUS_NAME, path, DRAY_CONTAINER_INTERFACE, "Tty",
                                                &error, 'b', &tty);
        if (r >= 0)
                r = sd_bus_get_property_trivial(c->bus, DRAY_BUS_NAME, path, DRAY_CONTAINER_INTERFACE,
                                                "OpenStdin", &error, 'b', &open_stdin);
        if (r < 0)
                return log_bus_error(&error, r);
        if (interactive && !open_stdin)
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
                                       "Container '%s' was not created with -i: its input cannot be attached.",
                                       c->id);
        c->tty = tty;
        c->interactive = interactive;
        /* A booted container's start answers once it is up: wait as long as a foreground run does,
         * and stop it as one (run_forward_signal()). */
        if (sd_bus_get_property_trivial(c->bus, DRAY_BUS_NAME, path, DRAY_CONTAINER_INTERFACE, "Boot", NULL, 'b',
                                        &boot) >= 0 && boot) {
                c->boot = true;
                c->start_timeout_usec = BUS_TIMEOUT_INFINITE;
        }
        return 0;
}

static int start_attached(const char *container, bool interactive, const char *detach_keys, bool sig_proxy) {
        _cleanup_(run_context_done) RunContext c = { .terminal = TERMINAL_ATTACH_NULL, .notify_fd = -EBADF,
                                                     .notify_peer = -EBADF, .relay = DETACH_RELAY_NULL };
        int r;

        c.id = strdup(container);
        if (!c.id)
                return log_oom(), EXIT_DRAY_FAILED;
        c.wait_after_start = true;
        c.detach_keys = detach_keys;
        c.no_sig_proxy = !sig_proxy;
        r = run_collect_fds(&c, 0);
        if (r < 0)
                return EXIT_DRAY_FAILED;
        r = run_context_setup(&c);
        if (r >= 0)
                r = start_read_terminal_flags(&c, interactive);
        if (r >= 0)
                r = run_attach(&c);
        if (r < 0)
                return EXIT_DRAY_FAILED;
        return run_context_loop(&c);
}

int verb_start(int argc, char *argv[]) {
        static const struct option options[] = {
                { "attach",      no_argument, NULL, 'a' },
                { "interactive", no_argument, NULL, 'i' },
                { "help",        no_argument, NULL, 'h' },
                { "detach-keys", required_argument, NULL, 'K' },
                { "sig-proxy",   optional_argument, NULL, 'S' },
                {}
        };
        bool sig_proxy = true;
        const char *detach_keys = NULL;
        char keys[DETACH_KEYS_MAX];
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        StartEach s = { .exit_status = EXIT_SUCCESS };
        bool attach = false, interactive = false;
        int c, r;

        getopt_reset();
        while ((c = cli_getopt(argc, argv, ":aih", options)) >= 0)
                switch (c) {
                case 'a':
                        attach = true;
                        break;
                case 'i':
                        interactive = true;
                        break;
                case 'S':
                        if (cli_parse_bool(optarg, &sig_proxy) < 0) {
                                log_invalid_value("--sig-proxy", optarg, -EINVAL, "true or false");
                                return EXIT_DRAY_FAILED;
                        }
                        break;
                case 'K':
                        if (detach_keys_resolve(optarg, keys) < 0)
                                return EXIT_DRAY_FAILED;
                        detach_keys = optarg;
                        break;
                case 'h':
                        start_help();
                        return EXIT_SUCCESS;
                default:
                        log_option_error("start", argv, c);
                        return EXIT_DRAY_FAILED;
                }

        if (interactive && !attach) {
                log_error("dray start: -i needs -a (--attach).");
                return EXIT_DRAY_FAILED;
        }
        if (container_args_check(attach ? "start --attach" : "start", argv + optind, 1,
                                 attach ? 1 : SIZE_MAX) < 0)
                return EXIT_DRAY_FAILED;
        if (attach)
                return start_attached(argv[optind], interactive, detach_keys, sig_proxy);

        r = bus_connect(&bus);
        if (r < 0)
                return EXIT_DRAY_FAILED;
        /* A booted container's start answers once its system is up. */
        r = bus_call_each(bus, argv + optind, RUN_BOOT_TIMEOUT_USEC, start_build, start_done, &s);
        if (r < 0)
                return EXIT_DRAY_FAILED;
        (void) fflush(stdout);
        return s.exit_status;
}

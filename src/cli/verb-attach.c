/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dray attach: join a running container's output, and its terminal or stdin, through AttachContainer. */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <systemd/sd-event.h>

#include "bus-errors.h"
#include "bus-names.h"
#include "cli-bus.h"
#include "cli-detach.h"
#include "cli-remote.h"
#include "cli-terminal.h"
#include "cli-util.h"
#include "container-state.h"
#include "log.h"
#include "verbs.h"

typedef struct AttachOptions {
        bool no_stdin;
        bool sig_proxy;
        const char *detach_keys; /* NULL: the default */
} AttachOptions;

typedef struct AttachRun {
        sd_bus *bus;
        sd_event *event;
        const char *container;
        bool tty, interactive, sig_proxy;
        TerminalAttach terminal;
        DetachRelay relay;
        bool attached;          /* AttachContainer succeeded */
        int wait_status;        /* -1 until WaitContainer answered */
} AttachRun;

static const int attach_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

static void attach_help(void) {
        printf("Usage: dray attach [OPTIONS] CONTAINER\n\n"
               "Attach our stdout and stderr, and our stdin when the container was started with -i, to a\n"
               "running container; several clients may be attached at once. Exits with the container's exit\n"
               "status, or 0 when we detach (the container keeps running).\n\n"
               "Options:\n"
               "      --no-stdin           Do not attach our stdin\n"
               "      --sig-proxy[=BOOL]   Pass the signals we receive on to the container (default true;\n"
               "                           never with a terminal, whose keys the container gets as typed)\n"
               "      --detach-keys KEYS   Keys that detach from a terminal (default ctrl-p,ctrl-q; \"\"\n"
               "                           disables them)\n"
               "  -h, --help               Show this help\n"
               "\nSee dray-attach(1).\n");
}

enum { ARG_NO_STDIN = 0x100, ARG_SIG_PROXY, ARG_DETACH_KEYS };

static int attach_parse(int argc, char *argv[], AttachOptions *o) {
        static const struct option options[] = {
                { "no-stdin",    no_argument,       NULL, ARG_NO_STDIN    },
                { "sig-proxy",   optional_argument, NULL, ARG_SIG_PROXY   },
                { "detach-keys", required_argument, NULL, ARG_DETACH_KEYS },
                { "help",        no_argument,       NULL, 'h'             },
                {}
        };
        char keys[DETACH_KEYS_MAX];
        int c;

        getopt_reset();
        while ((c = cli_getopt(argc, argv, ":h", options)) >= 0)
                switch (c) {
                case ARG_NO_STDIN:
                        o->no_stdin = true;
                        break;
                case ARG_SIG_PROXY:
                        if (cli_parse_bool(optarg, &o->sig_proxy) < 0)
                                return log_invalid_value("--sig-proxy", optarg, -EINVAL, "true or false");
                        break;
                case ARG_DETACH_KEYS:
                        if (detach_keys_resolve(optarg, keys) < 0)
                                return -EINVAL;
                        o->detach_keys = optarg;
                        break;
                case 'h':
                        attach_help();
                        return 0;
                default:
                        return log_option_error("attach", argv, c);
                }
        if (container_args_check("attach", argv + optind, 1, 1) < 0)
                return -EINVAL;
        return 1;
}

static void attach_finish(AttachRun *a, int status) {
        (void) sd_event_exit(a->event, status);
}

static void on_detach(void *userdata) {
        AttachRun *a = userdata;

        terminal_detach(&a->terminal);
        log_info("Detached from container %s; it keeps running.", a->container);
        attach_finish(a, EXIT_SUCCESS);
}

static int on_kill_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        const sd_bus_error *e = sd_bus_message_get_error(reply);

        if (e)
                log_debug("KillContainer failed, ignoring: %s", strna(e->message));
        return 0;
}

/* --sig-proxy: the container gets the signal (without a terminal); else a signal ends our attachment
 * only, as it ends any client. */
static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        AttachRun *a = userdata;
        int sig = (int) si->ssi_signo, r;

        if (a->sig_proxy && !a->tty && a->attached) {
                r = sd_bus_call_method_async(a->bus, NULL, DRAY_BUS_NAME, DRAY_MANAGER_PATH, DRAY_MANAGER_INTERFACE,
                                             "KillContainer", on_kill_reply, a, "si", a->container, sig);
                if (r < 0)
                        log_bus_error(NULL, r);
                return 0;
        }
        terminal_detach(&a->terminal);
        attach_finish(a, 128 + sig);
        return 0;
}

static void finish_with_status(AttachRun *a) {
        if (a->wait_status > 255) {
                log_error("Container %s ended without an exit status.", a->container);
                attach_finish(a, EXIT_DRAY_FAILED);
        } else
                attach_finish(a, a->wait_status);
}

static int on_wait_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        AttachRun *a = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        int32_t status;

        if (e) {
                /* Only the attach's own failure counts when it failed too: it comes first. */
                if (a->attached) {
                        log_bus_error(e, -EIO);
                        attach_finish(a, EXIT_DRAY_FAILED);
                }
                return 0;
        }
        if (sd_bus_message_read(reply, "i", &status) < 0)
                status = -1;
        a->wait_status = status < 0 ? 256 : status;
        if (a->attached)
                finish_with_status(a);
        return 0;
}

static int on_attach_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        AttachRun *a = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);

        if (e) {
                terminal_detach(&a->terminal);
                log_bus_error(e, -EIO);
                attach_finish(a, EXIT_DRAY_FAILED);
                return 0;
        }
        a->attached = true;
        /* The monitor holds the read ends now. */
        detach_relay_sent(&a->relay);
        if (a->wait_status >= 0)
                finish_with_status(a);
        return 0;
}

static int add_stream(sd_bus_message *m, const char *name, int fd) {
        if (fd < 0 || fcntl(fd, F_GETFD) < 0) /* closed: not passed on */
                return 0;
        return sd_bus_message_append(m, "{sh}", name, fd);
}

static int send_attach(AttachRun *a) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int stdin_fd = !a->interactive ? -EBADF : a->relay.pipe[0] >= 0 ? a->relay.pipe[0] : STDIN_FILENO;
        int resize = a->terminal.resize[0];
        int r;

        r = bus_new_manager_call(a->bus, &m, "AttachContainer");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", a->container);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "{sh}");
        if (r >= 0)
                r = add_stream(m, "stdout", STDOUT_FILENO);
        if (r >= 0)
                r = add_stream(m, "stderr", STDERR_FILENO);
        if (r >= 0)
                r = add_stream(m, "stdin", stdin_fd);
        if (r >= 0)
                r = sd_bus_message_append(m, "{sh}", "resize", resize);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_call_async(a->bus, NULL, m, on_attach_reply, a, BUS_TIMEOUT_INFINITE);
        if (r < 0)
                return log_bus_error(NULL, r);
        /* Asked second: drayd answers both in order, so a failed attach is heard of first. */
        m = sd_bus_message_unref(m);
        r = bus_new_manager_call(a->bus, &m, "WaitContainer");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", a->container);
        if (r >= 0)
                r = sd_bus_call_async(a->bus, NULL, m, on_wait_reply, a, BUS_TIMEOUT_INFINITE);
        if (r < 0)
                return log_bus_error(NULL, r);
        return 0;
}

/* Whether the container has a terminal, and an open stdin. */
static int read_terminal_flags(AttachRun *a, bool no_stdin) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        const char *path;
        int tty = 0, open_stdin = 0, r;

        r = bus_new_manager_call(a->bus, &m, "GetContainer");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", a->container);
        if (r >= 0)
                r = sd_bus_call(a->bus, m, BUS_TIMEOUT_DEFAULT, &error, &reply);
        if (r >= 0)
                r = sd_bus_message_read(reply, "o", &path);
        if (r >= 0)
                r = sd_bus_get_property_trivial(a->bus, DRAY_BUS_NAME, path, DRAY_CONTAINER_INTERFACE, "Tty",
                                                &error, 'b', &tty);
        if (r >= 0)
                r = sd_bus_get_property_trivial(a->bus, DRAY_BUS_NAME, path, DRAY_CONTAINER_INTERFACE,
                                                "OpenStdin", &error, 'b', &open_stdin);
        if (r < 0)
                return log_bus_error(&error, r);
        a->tty = tty;
        a->interactive = open_stdin && !no_stdin;
        if (a->tty && a->interactive && !isatty(STDIN_FILENO))
                return log_error_errno(SYNTHETIC_ERRNO(ENOTTY),
                                       "Container %s has a terminal and our input is not one: attach with "
                                       "--no-stdin, or from a terminal.", a->container);
        return 0;
}

static int attach_setup(AttachRun *a, const AttachOptions *o) {
        char keys[DETACH_KEYS_MAX];
        sigset_t mask;
        int n_keys, r;

        r = sd_event_new(&a->event);
        if (r >= 0)
                r = sd_bus_attach_event(a->bus, a->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the event loop: %m");
        sigemptyset(&mask);
        for (size_t i = 0; i < ELEMENTSOF(attach_signals); i++)
                sigaddset(&mask, attach_signals[i]);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return log_error_errno(errno, "Failed to block signals: %m");
        for (size_t i = 0; i < ELEMENTSOF(attach_signals); i++) {
                r = sd_event_add_signal(a->event, NULL, attach_signals[i], on_signal, a);
                if (r < 0)
                        return log_error_errno(r, "Failed to watch signal %i: %m", attach_signals[i]);
        }
        r = terminal_attach(&a->terminal, a->event, a->tty, a->interactive);
        if (r < 0)
                return r;
        r = terminal_lifeline(&a->terminal);
        if (r < 0)
                return r;
        /* Detach keys are read from a terminal only, as Docker's. */
        n_keys = detach_keys_resolve(o->detach_keys, keys);
        if (n_keys < 0)
                return n_keys;
        if (a->tty && a->interactive && n_keys > 0)
                return detach_relay_start(&a->relay, a->event, keys, (size_t) n_keys, on_detach, a);
        return 0;
}

int verb_attach(int argc, char *argv[]) {
        AttachOptions o = { .sig_proxy = true };
        AttachRun a = { .terminal = TERMINAL_ATTACH_NULL, .relay = DETACH_RELAY_NULL,
                        .wait_status = -1 };
        int r;

        r = attach_parse(argc, argv, &o);
        if (r <= 0)
                return r < 0 ? EXIT_DRAY_FAILED : EXIT_SUCCESS;
        a.container = argv[optind];
        a.sig_proxy = o.sig_proxy;

        r = bus_connect(&a.bus);
        if (r >= 0)
                r = cli_remote_needs_fds(a.bus);
        if (r >= 0)
                r = read_terminal_flags(&a, o.no_stdin);
        if (r >= 0)
                r = attach_setup(&a, &o);
        if (r >= 0)
                r = send_attach(&a);
        if (r >= 0) {
                r = sd_event_loop(a.event);
                if (r < 0)
                        log_error_errno(r, "Event loop failed: %m");
        }
        terminal_detach(&a.terminal);
        detach_relay_done(&a.relay);
        sd_bus_flush_close_unref(a.bus);
        sd_event_unref(a.event);
        return r < 0 ? EXIT_DRAY_FAILED : r;
}

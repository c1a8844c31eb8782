/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dray exec: a command in a running container, through ExecContainer. */
#include <fcntl.h>
#include <getopt.h>
#include <unistd.h>
#include <systemd/sd-event.h>

#include "bus-errors.h"
#include "cli-bus.h"
#include "cli-detach.h"
#include "cli-remote.h"
#include "cli-terminal.h"
#include "cli-util.h"
#include "container-state.h"
#include "env-file.h"
#include "log.h"
#include "option-append.h"
#include "parse-util.h"
#include "strv.h"
#include "utf8.h"
#include "verbs.h"

typedef struct ExecOptions {
        bool interactive, tty, detach;
        const char *detach_keys;
        char **env;
        const char *user;
        const char *working_dir;
} ExecOptions;

typedef struct ExecRun {
        sd_event *event;
        int status;
        TerminalAttach terminal;
        DetachRelay relay;
} ExecRun;

static void exec_help(void) {
        printf("Usage: dray exec [OPTIONS] CONTAINER COMMAND [ARG...]\n\n"
               "Run a command in a running container, forwarding its output (and with -i our input),\n"
               "and exit with its exit status.\n\n"
               "Options:\n"
               "  -d, --detach          Run the command in the background (its output is discarded)\n"
               "  -i, --interactive     Forward our stdin to the command\n"
               "  -t, --tty             Give the command a terminal of the container's own\n"
               "  -e, --env KEY[=VALUE] Set an environment variable (repeatable)\n"
               "  -u, --user USER[:GROUP]  Run as this user (uid or name in the container)\n"
               "  -w, --workdir DIR     Working directory (default: the container's)\n"
               "      --detach-keys KEYS  With -i -t: keys that detach, leaving the command running\n"
               "                        (default ctrl-p,ctrl-q; \"\" disables them)\n"
               "  -h, --help            Show this help\n"
               "\nExit status: the command's own, or 125 if dray failed, 126 if the command could not\n"
               "be executed, 127 if it was not found.\n\nSee dray(1).\n");
}

static int exec_parse(int argc, char *argv[], ExecOptions *o) {
        static const struct option options[] = {
                { "detach",      no_argument,       NULL, 'd' },
                { "interactive", no_argument,       NULL, 'i' },
                { "tty",         no_argument,       NULL, 't' },
                { "env",         required_argument, NULL, 'e' },
                { "user",        required_argument, NULL, 'u' },
                { "workdir",     required_argument, NULL, 'w' },
                { "help",        no_argument,       NULL, 'h' },
                { "detach-keys", required_argument, NULL, 'K' },
                {}
        };
        char keys[DETACH_KEYS_MAX];
        int c, r;

        getopt_reset();
        while ((c = cli_getopt(argc, argv, "+:dite:u:w:h", options)) >= 0)
                switch (c) {
                case 'd':
                        o->detach = true;
                        break;
                case 'i':
                        o->interactive = true;
                        break;
                case 't':
                        o->tty = true;
                        break;
                case 'e': {
                        _cleanup_free_ char *a = NULL;

                        r = env_argument_resolve(optarg, &a);
                        if (r < 0)
                                return r;
                        if (a && strv_env_set(&o->env, a) < 0)
                                return log_oom();
                        break;
                }
                case 'u':
                        if (isempty(optarg) || !utf8_is_valid(optarg) || strlen(optarg) > 256)
                                return log_invalid_value("--user", optarg, -EINVAL, "a uid[:gid] or a user[:group]");
                        o->user = optarg;
                        break;
                case 'w':
                        if (optarg[0] != '/' || !utf8_is_valid(optarg))
                                return log_invalid_value("--workdir", optarg, -EINVAL, "an absolute path");
                        o->working_dir = optarg;
                        break;
                case 'K':
                        if (detach_keys_resolve(optarg, keys) < 0)
                                return -EINVAL;
                        o->detach_keys = optarg;
                        break;
                case 'h':
                        exec_help();
                        return 0;
                default:
                        return log_option_error("exec", argv, c);
                }
        if (argc - optind < 2)
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "dray exec: a container and a command are required.");
        if (o->detach && (o->interactive || o->tty))
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "dray exec: -d runs the command in the background, "
                                       "without our terminal or stdin: drop -i and -t.");
        if (container_args_check("exec", (char *[]) { argv[optind], NULL }, 1, 1) < 0)
                return -EINVAL;
        return 1;
}

static int append_options(sd_bus_message *m, const ExecOptions *o, char **command) {
        int r;

        r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        r = option_append_strv(m, "Command", command, true);
        if (r < 0)
                return r;
        r = option_append_strv(m, "Env", o->env, false);
        if (r < 0)
                return r;
        r = option_append_string(m, "User", o->user);
        if (r < 0)
                return r;
        r = option_append_string(m, "WorkingDirectory", o->working_dir);
        if (r < 0)
                return r;
        r = option_append_bool(m, "Tty", o->tty);
        if (r < 0)
                return r;
        r = option_append_bool(m, "OpenStdin", o->interactive);
        if (r < 0)
                return r;
        r = option_append_bool(m, "Detach", o->detach);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(m);
}

static int append_streams(sd_bus_message *m, const ExecOptions *o, const TerminalAttach *t, int stdin_fd) {
        static const struct {
                const char *name;
                int fd;
        } std[] = { { "stdout", STDOUT_FILENO }, { "stderr", STDERR_FILENO }, { "stdin", STDIN_FILENO } };
        int r;

        r = sd_bus_message_open_container(m, 'a', "{sh}");
        if (r < 0)
                return r;
        /* -d: no streams, so the output goes nowhere, as with docker exec -d. */
        for (size_t i = 0; !o->detach && i < ELEMENTSOF(std); i++) {
                if (std[i].fd == STDIN_FILENO && !o->interactive)
                        continue;
                if (fcntl(std[i].fd, F_GETFD) < 0) /* closed: not passed on */
                        continue;
                r = sd_bus_message_append(m, "{sh}", std[i].name,
                                          std[i].fd == STDIN_FILENO && stdin_fd >= 0 ? stdin_fd : std[i].fd);
                if (r < 0)
                        return r;
        }
        if (t->resize[0] >= 0) {
                r = sd_bus_message_append(m, "{sh}", "resize", t->resize[0]);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(m);
}

static void on_detach(void *userdata) {
        ExecRun *x = userdata;

        /* The command runs on; our resize pipe's end tells its monitor we are gone. */
        terminal_detach(&x->terminal);
        log_info("Detached; the command keeps running.");
        x->status = EXIT_SUCCESS;
        (void) sd_event_exit(x->event, 0);
}

/* -i -t: our stdin goes through the detach-key filter, unless the keys are disabled (""). */
static int exec_setup_detach_keys(ExecRun *x, const ExecOptions *o) {
        char keys[DETACH_KEYS_MAX];
        int n;

        if (!o->tty || !o->interactive)
                return 0;
        n = detach_keys_resolve(o->detach_keys, keys);
        if (n <= 0)
                return n;
        return detach_relay_start(&x->relay, x->event, keys, (size_t) n, on_detach, x);
}

static int on_exec_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        ExecRun *x = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        int32_t status;

        if (e) {
                log_bus_error(e, -EIO);
                x->status = dray_bus_error_to_exit_status(e);
        } else if (sd_bus_message_read(reply, "i", &status) < 0 || status < 0 || status > 255) {
                log_error("Failed to parse the reply to ExecContainer.");
                x->status = EXIT_DRAY_FAILED;
        } else
                x->status = status;
        return sd_event_exit(x->event, 0);
}

int verb_exec(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_strv_free_ char **env = NULL;
        ExecOptions o = {};
        ExecRun x = { .status = EXIT_DRAY_FAILED, .terminal = TERMINAL_ATTACH_NULL, .relay = DETACH_RELAY_NULL };
        int r;

        r = exec_parse(argc, argv, &o);
        env = o.env;
        if (r <= 0)
                return r < 0 ? EXIT_DRAY_FAILED : EXIT_SUCCESS;
        if (o.tty && o.interactive && !isatty(STDIN_FILENO)) {
                log_error("The input device is not a terminal: use -i without -t to pipe input into the "
                          "container.");
                return EXIT_DRAY_FAILED;
        }

        r = bus_connect(&bus);
        if (r >= 0)
                r = cli_remote_needs_fds(bus);
        if (r < 0)
                return EXIT_DRAY_FAILED;
        r = sd_event_default(&x.event);
        if (r >= 0)
                r = sd_bus_attach_event(bus, x.event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the event loop: %m"), EXIT_DRAY_FAILED;
        r = terminal_attach(&x.terminal, x.event, o.tty, o.interactive);
        if (r >= 0)
                r = exec_setup_detach_keys(&x, &o);
        if (r < 0)
                goto finish;
        r = bus_new_manager_call(bus, &m, "ExecContainer");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", argv[optind]);
        if (r >= 0)
                r = append_options(m, &o, argv + optind + 1);
        if (r >= 0)
                r = append_streams(m, &o, &x.terminal, x.relay.pipe[0]);
        if (r >= 0)
                r = sd_bus_call_async(bus, NULL, m, on_exec_reply, &x, BUS_TIMEOUT_INFINITE);
        if (r < 0) {
                log_bus_error(NULL, r);
                goto finish;
        }
        /* The message holds its own copy of the relay's read end. */
        detach_relay_sent(&x.relay);
        r = sd_event_loop(x.event);
        if (r < 0)
                log_error_errno(r, "Event loop failed: %m");
finish:
        terminal_detach(&x.terminal);
        detach_relay_done(&x.relay);
        sd_event_unref(x.event);
        return r < 0 ? EXIT_DRAY_FAILED : x.status;
}

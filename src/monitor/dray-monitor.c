/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "contract.h"
#include "log.h"
#include "monitor.h"
#include "name.h"
#include "parse-util.h"
#include "seccomp-profile.h"

static void help(void) {
        printf("dray-monitor --id=ID --state-dir=DIR --runtime-dir=DIR --sync-fd=N [OPTIONS]\n\n"
               "Supervises one container run for drayd: starts the payload, relays its output to\n"
               "journald, records its exit status. Not meant to be run by hand.\n\n"
               "  -h --help              Show this help\n"
               "     --version           Show the version\n"
               "     --id=ID             The container's full ID\n"
               "     --state-dir=DIR     State directory (" DRAY_STATE_DIR ")\n"
               "     --runtime-dir=DIR   Runtime directory (" DRAY_RUNTIME_DIR ")\n"
               "     --sync-fd=N         Pipe or socket to drayd\n"
               "     --protocol=N        The sync protocol version drayd speaks (default: 1)\n"
               "     --stdout-fd=N       Also copy the payload's stdout here\n"
               "     --stderr-fd=N       Also copy the payload's stderr here\n"
               "     --stdin-fd=N        Forward this to the payload's stdin (-i)\n"
               "     --resize-fd=N       Read window sizes (struct winsize) for the terminal (-t)\n"
               "     --exec-spec-fd=N    Run the process this spec describes in the running container\n"
               "     --exec-pid=PID      ... whose init has this PID (dray exec)\n"
               "     --seccomp-profile=PATH|unconfined\n"
               "                         Seccomp profile (Docker's format) for the payload\n"
               "                         (default: %s)\n"
               "     --log-level=LEVEL   Log level of the monitor's own messages (or $DRAY_LOG_LEVEL)\n"
               "     --log-unit=UNIT     Name this unit too in each journal entry (the caller's service)\n"
               "     --notify-fd=N       Pass the payload's sd_notify() messages on here (--sdnotify=container)\n"
               "     --pass-fds=N        Pass fds 10… on to the payload as its fds 3…\n"
               "     --listen-fds=M      ... the first M of them are listening sockets (LISTEN_FDS)\n"
               "     --listen-fdnames=NAMES  Their names, joined by ':' (LISTEN_FDNAMES)\n",
               seccomp_profile_default_path());
}

static int parse_fd(const char *s, const char *what, int *ret) {
        int fd, r;

        r = safe_atoi(s, &fd);
        if (r < 0 || fd < 0)
                return log_error_errno(r < 0 ? r : ERANGE, "Invalid %s '%s'.", what, s);
        /* Ours from now on: it must not reach anything we start. */
        if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
                return log_error_errno(errno, "Bad %s %d: %m", what, fd);
        *ret = fd;
        return 0;
}

static int parse_argv(int argc, char *argv[], MonitorArgs *a) {
        enum { ARG_VERSION = 0x100, ARG_ID, ARG_STATE_DIR, ARG_RUNTIME_DIR, ARG_SYNC_FD, ARG_STDOUT_FD,
               ARG_STDERR_FD, ARG_STDIN_FD, ARG_RESIZE_FD, ARG_EXEC_SPEC_FD, ARG_EXEC_PID, ARG_SECCOMP_PROFILE,
               ARG_LOG_LEVEL, ARG_PROTOCOL, ARG_LOG_UNIT, ARG_NOTIFY_FD, ARG_PASS_FDS, ARG_LISTEN_FDS, ARG_LISTEN_FDNAMES };
        static const struct option options[] = {
                { "help",        no_argument,       NULL, 'h'             },
                { "version",     no_argument,       NULL, ARG_VERSION     },
                { "id",          required_argument, NULL, ARG_ID          },
                { "state-dir",   required_argument, NULL, ARG_STATE_DIR   },
                { "runtime-dir", required_argument, NULL, ARG_RUNTIME_DIR },
                { "sync-fd",     required_argument, NULL, ARG_SYNC_FD     },
                { "protocol",    required_argument, NULL, ARG_PROTOCOL    },
                { "stdout-fd",   required_argument, NULL, ARG_STDOUT_FD   },
                { "stderr-fd",   required_argument, NULL, ARG_STDERR_FD   },
                { "stdin-fd",    required_argument, NULL, ARG_STDIN_FD    },
                { "resize-fd",   required_argument, NULL, ARG_RESIZE_FD   },
                { "exec-spec-fd", required_argument, NULL, ARG_EXEC_SPEC_FD },
                { "exec-pid",    required_argument, NULL, ARG_EXEC_PID    },
                { "seccomp-profile", required_argument, NULL, ARG_SECCOMP_PROFILE },
                { "log-level",   required_argument, NULL, ARG_LOG_LEVEL   },
                { "log-unit",    required_argument, NULL, ARG_LOG_UNIT    },
                { "notify-fd",   required_argument, NULL, ARG_NOTIFY_FD   },
                { "pass-fds",    required_argument, NULL, ARG_PASS_FDS    },
                { "listen-fds",  required_argument, NULL, ARG_LISTEN_FDS  },
                { "listen-fdnames", required_argument, NULL, ARG_LISTEN_FDNAMES },
                {}
        };
        int c, r;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("dray-monitor %s\n", DRAY_VERSION);
                        return 0;
                case ARG_ID:
                        if (!container_id_is_valid(optarg))
                                return log_error_errno(EINVAL, "Invalid container ID '%s'.", optarg);
                        a->id = optarg;
                        break;
                case ARG_STATE_DIR:
                case ARG_RUNTIME_DIR:
                        if (optarg[0] != '/')
                                return log_error_errno(EINVAL, "Directory '%s' is not absolute.", optarg);
                        *(c == ARG_STATE_DIR ? &a->state_dir : &a->runtime_dir) = optarg;
                        break;
                case ARG_SYNC_FD:
                        r = parse_fd(optarg, "sync fd", &a->sync_fd);
                        if (r < 0)
                                return r;
                        break;
                case ARG_PROTOCOL:
                        r = safe_atou32(optarg, &a->protocol);
                        if (r < 0 || a->protocol == 0)
                                return log_error_errno(r < 0 ? r : ERANGE, "Invalid protocol version '%s'.",
                                                       optarg);
                        break;
                case ARG_STDOUT_FD:
                case ARG_STDERR_FD:
                        r = parse_fd(optarg, "output fd",
                                     c == ARG_STDOUT_FD ? &a->stdout_fd : &a->stderr_fd);
                        if (r < 0)
                                return r;
                        break;
                case ARG_STDIN_FD:
                case ARG_RESIZE_FD:
                        r = parse_fd(optarg, "input fd", c == ARG_STDIN_FD ? &a->stdin_fd : &a->resize_fd);
                        if (r < 0)
                                return r;
                        break;
                case ARG_EXEC_SPEC_FD:
                        r = parse_fd(optarg, "exec spec fd", &a->exec_spec_fd);
                        if (r < 0)
                                return r;
                        break;
                case ARG_EXEC_PID: {
                        int pid;

                        r = safe_atoi(optarg, &pid);
                        if (r < 0 || pid <= 1)
                                return log_error_errno(r < 0 ? r : ERANGE, "Invalid PID '%s'.", optarg);
                        a->exec_target_pid = pid;
                        break;
                }
                case ARG_SECCOMP_PROFILE:
                        if (!streq(optarg, "unconfined") && optarg[0] != '/')
                                return log_error_errno(EINVAL, "Seccomp profile '%s' is not absolute.",
                                                       optarg);
                        a->seccomp_profile = optarg;
                        break;
                case ARG_LOG_LEVEL:
                        r = log_parse_level(optarg);
                        if (r < 0)
                                return log_error_errno(r, "Invalid log level '%s'.", optarg);
                        log_set_max_level(r);
                        break;
                case ARG_NOTIFY_FD:
                        r = parse_fd(optarg, "notify fd", &a->notify_fd);
                        if (r < 0)
                                return r;
                        break;
                case ARG_PASS_FDS:
                case ARG_LISTEN_FDS: {
                        unsigned *n = c == ARG_PASS_FDS ? &a->n_pass_fds : &a->n_listen_fds;

                        r = safe_atou32(optarg, n);
                        if (r < 0 || *n > PASS_FDS_MAX)
                                return log_error_errno(r < 0 ? r : ERANGE, "Invalid number of fds '%s'.", optarg);
                        break;
                }
                case ARG_LISTEN_FDNAMES:
                        a->listen_fdnames = optarg;
                        break;
                case ARG_LOG_UNIT:
                        if (!unit_name_is_valid_simple(optarg))
                                return log_error_errno(EINVAL, "Invalid unit name '%s'.", optarg);
                        a->log_unit = optarg;
                        break;
                case '?':
                        return -EINVAL;
                default:
                        return -EINVAL;
                }

        if (optind < argc)
                return log_error_errno(EINVAL, "Unexpected argument '%s'.", argv[optind]);
        if (!a->id || !a->state_dir || !a->runtime_dir || a->sync_fd < 0)
                return log_error_errno(EINVAL,
                                       "--id=, --state-dir=, --runtime-dir= and --sync-fd= are required.");
        if (a->n_listen_fds > a->n_pass_fds || (a->n_pass_fds > 0 && a->exec_spec_fd >= 0))
                return log_error_errno(EINVAL, "--listen-fds= exceeds --pass-fds=, or fds passed to an exec.");
        for (unsigned i = 0; i < a->n_pass_fds; i++)
                if (fcntl(MONITOR_PASS_FD_FIRST + (int) i, F_SETFD, FD_CLOEXEC) < 0)
                        return log_error_errno(errno, "Bad passed fd %u: %m", MONITOR_PASS_FD_FIRST + i);
        if ((a->exec_spec_fd >= 0) != (a->exec_target_pid > 0))
                return log_error_errno(EINVAL, "--exec-spec-fd= and --exec-pid= go together.");
        /* Each stream owns (and closes) its tee fd: one fd given for both needs a second copy. */
        if (a->stderr_fd >= 0 && a->stderr_fd == a->stdout_fd) {
                a->stderr_fd = fcntl(a->stdout_fd, F_DUPFD_CLOEXEC, 3);
                if (a->stderr_fd < 0)
                        return log_error_errno(errno, "Failed to duplicate the output fd: %m");
        }
        return 1;
}

/* stderr is a journal stream when drayd (a service) started us: use its "<N>" priority prefix. */
static bool stderr_is_journal(void) {
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;

        return e && sscanf(e, "%llu:%llu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) >= 0 &&
               (unsigned long long) st.st_dev == dev && (unsigned long long) st.st_ino == ino;
}

/* A drayd newer than we are: say so on the sync fd, in words it parses whatever its version, and
 * start nothing. */
static int refuse_protocol(const MonitorArgs *a) {
        char message[128], line[SYNC_LINE_MAX];
        ssize_t n;

        (void) snprintf(message, sizeof(message),
                        "dray-monitor %s speaks sync protocol version %u, drayd asked for version %u",
                        DRAY_VERSION, DRAY_PROTOCOL_VERSION, a->protocol);
        log_error("%s: refusing to start; install a dray-monitor as new as drayd.", message);
        n = sync_message_format(&(SyncMessage) { .type = SYNC_MESSAGE_FAIL, .error = EPROTONOSUPPORT,
                                                 .message = message },
                                line, sizeof(line));
        if (n > 0 && write(a->sync_fd, line, (size_t) n) != n)
                log_debug_errno(errno, "Failed to tell drayd, ignoring: %m");
        return EXIT_FAILURE;
}

int main(int argc, char *argv[]) {
        MonitorArgs args = {
                .protocol = 1,
                .sync_fd = -EBADF,
                .stdout_fd = -EBADF,
                .stderr_fd = -EBADF,
                .stdin_fd = -EBADF,
                .resize_fd = -EBADF,
                .exec_spec_fd = -EBADF,
                .notify_fd = -EBADF,
        };
        sigset_t mask;
        int r;

        /* Before anything could arrive: every signal comes through a signalfd, so that nothing but
         * SIGKILL ends the monitor. `systemctl kill dray-NAME.scope` and `machinectl kill` signal every
         * process of the scope, the monitor included: the payload is the one meant, and gets it too.
         * Faults stay unblocked (a blocked one kills anyway). The payload and the tee fds may go away
         * under us: EPIPE, not SIGPIPE. */
        sigfillset(&mask);
        sigdelset(&mask, SIGPIPE);
        sigdelset(&mask, SIGSEGV);
        sigdelset(&mask, SIGBUS);
        sigdelset(&mask, SIGILL);
        sigdelset(&mask, SIGFPE);
        sigdelset(&mask, SIGTRAP);
        sigdelset(&mask, SIGSYS);
        sigdelset(&mask, SIGABRT);
        (void) sigprocmask(SIG_BLOCK, &mask, NULL);
        (void) signal(SIGPIPE, SIG_IGN);

        log_set_program_name("dray-monitor");
        if (stderr_is_journal())
                log_set_target(LOG_TARGET_KMSG_PREFIX);
        /* drayd passes its own level on (--log-level= still wins). */
        r = log_parse_level(getenv("DRAY_LOG_LEVEL"));
        if (r >= 0)
                log_set_max_level(r);

        r = parse_argv(argc, argv, &args);
        if (r <= 0)
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
        if (args.protocol > DRAY_PROTOCOL_VERSION)
                return refuse_protocol(&args);

        /* Hold no directory of the host busy. */
        if (chdir("/") < 0)
                return log_error_errno(errno, "Failed to chdir /: %m"), EXIT_FAILURE;

        return monitor_run(&args);
}

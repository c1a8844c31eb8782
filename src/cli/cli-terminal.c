/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "cli-terminal.h"
#include "log.h"

/* One saved state for the process: restored by terminal_detach() and, should we leave another way,
 * at exit. */
static struct termios saved_termios;
static bool saved_valid;

static void restore_termios(void) {
        if (saved_valid)
                (void) tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_termios);
        saved_valid = false;
}

static int make_raw(void) {
        struct termios raw;

        if (tcgetattr(STDIN_FILENO, &saved_termios) < 0)
                return -errno;
        saved_valid = true;
        (void) atexit(restore_termios);
        raw = saved_termios;
        cfmakeraw(&raw);
        /* Our output is the container's terminal output, already "\r\n": keep it as it is. */
        if (tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) < 0)
                return -errno;
        return 0;
}

static void send_window(int fd) {
        struct winsize ws;

        if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0 && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0)
                return;
        /* A full pipe only loses a size that a later one replaces. */
        (void) write(fd, &ws, sizeof(ws));
}

static int on_winch(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        TerminalAttach *t = userdata;

        send_window(t->resize[1]);
        return 0;
}

int terminal_attach(TerminalAttach *t, sd_event *event, bool tty, bool interactive) {
        sigset_t mask;
        int r;

        if (tty && interactive && !isatty(STDIN_FILENO))
                return log_error_errno(SYNTHETIC_ERRNO(ENOTTY),
                                       "The input device is not a terminal: use -i without -t to pipe input "
                                       "into the container.");
        if (!tty && !interactive)
                return 0;
        if (pipe2(t->resize, O_CLOEXEC) < 0)
                return log_error_errno(errno, "Failed to create the resize pipe: %m");
        if (fcntl(t->resize[1], F_SETFL, O_NONBLOCK) < 0)
                return log_error_errno(errno, "Failed to set up the resize pipe: %m");
        if (!tty)
                return 0;

        send_window(t->resize[1]);
        sigemptyset(&mask);
        sigaddset(&mask, SIGWINCH);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return log_error_errno(errno, "Failed to block SIGWINCH: %m");
        r = sd_event_add_signal(event, &t->winch, SIGWINCH, on_winch, t);
        if (r < 0)
                return log_error_errno(r, "Failed to watch SIGWINCH: %m");
        if (interactive) {
                r = make_raw();
                if (r < 0)
                        return log_error_errno(r, "Failed to put the terminal in raw mode: %m");
                t->raw = true;
        }
        return 0;
}

int terminal_lifeline(TerminalAttach *t) {
        if (t->resize[0] >= 0)
                return 0;
        if (pipe2(t->resize, O_CLOEXEC) < 0)
                return log_error_errno(errno, "Failed to create a pipe: %m");
        return 0;
}

void terminal_detach(TerminalAttach *t) {
        if (t->raw)
                restore_termios();
        t->raw = false;
        t->winch = sd_event_source_disable_unref(t->winch);
        t->resize[0] = safe_close(t->resize[0]);
        t->resize[1] = safe_close(t->resize[1]);
}

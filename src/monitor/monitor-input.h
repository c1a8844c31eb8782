/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <poll.h>
#include <sys/ioctl.h>

#include "macros.h"

/* The clients' input to a container: each attached client's stdin (-i) forwarded to the payload's
 * stdin pipe or the pty's master, and its window sizes (-t) applied to the pty. Non-blocking on our own
 * ends only: a client's fds may be its terminal, whose flags it shares with its shell, so they are read
 * only when poll() says so and never made non-blocking.
 *
 * A client's resize pipe doubles as its lifeline: its EOF means the client went away (detached or
 * killed), and then its stdin is no longer read, so that a terminal it leaves behind is not read by
 * two processes. */

#define INPUT_RELAY_BUFFER 4096U

/* Where every client's input goes, shared by them. */
typedef struct InputTarget {
        int fd;          /* our end of the payload's stdin pipe, or the pty's master, or -EBADF */
        bool owned;      /* fd is the pipe: ours to close */
        int pty;         /* the pty's master for TIOCSWINSZ, or -EBADF (not owned) */
} InputTarget;

#define INPUT_TARGET_NULL ((InputTarget) { .fd = -EBADF, .pty = -EBADF })

/* One client. */
typedef struct InputRelay {
        InputTarget *target;
        int from;        /* the client's stdin, or -EBADF */
        int resize;      /* the client's resize pipe, or -EBADF */
        /* The EOF of this client's stdin closes the payload's stdin pipe: so for the client that
         * started the container (docker run -i), not for one attached later (docker attach). */
        bool eof_closes;
        bool gone;       /* the lifeline's EOF came: the client detached */
        char buf[INPUT_RELAY_BUFFER];
        size_t len, off; /* bytes read from `from` not yet written to the target */
} InputRelay;

void input_relay_init(InputRelay *r, InputTarget *target);
void input_relay_done(InputRelay *r);
void input_target_done(InputTarget *t);

/* Whether the relay still holds any fd of its client. */
bool input_relay_active(const InputRelay *r);

/* Reads the first window size if one is waiting (the client writes it before it starts the
 * container), so that the payload starts with the right size. 1 when *ret was set. */
int input_relay_initial_window(InputRelay *r, struct winsize *ret);

/* Fills up to 3 pollfds for what the relay waits for; returns how many. */
size_t input_relay_fill(const InputRelay *r, struct pollfd *p);
/* Handles the revents of those pollfds (as filled by the last input_relay_fill()). */
void input_relay_dispatch(InputRelay *r, const struct pollfd *p, size_t n);

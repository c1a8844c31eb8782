/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-event.h>

#include "macros.h"

/* The client side of `-i`/`-t` for `dray run` and `dray start -a`: our terminal in raw mode while a
 * container with a terminal holds it (restored however we leave), and a pipe that tells dray-monitor
 * our window size, now and on every SIGWINCH. The monitor reads our stdin itself (it gets the fd over
 * D-Bus); we never read it. The pipe's EOF tells the monitor we are gone. */

typedef struct TerminalAttach {
        int resize[2];          /* read end for the monitor ("resize" stream), write end ours */
        bool raw;               /* our stdin's terminal settings were changed */
        sd_event_source *winch;
} TerminalAttach;

#define TERMINAL_ATTACH_NULL ((TerminalAttach) { .resize = { -EBADF, -EBADF } })

/* tty: the container has a terminal; interactive: our stdin goes to it. Sets raw mode when both hold
 * and stdin is a terminal; makes the resize pipe when either holds. -ENOTTY when -i -t is asked for
 * but stdin is no terminal (Docker refuses that too). */
int terminal_attach(TerminalAttach *t, sd_event *event, bool tty, bool interactive);
/* The resize pipe even without a terminal or input, for its end of file: the monitor stops copying
 * output to a client that went away (dray attach, --sig-proxy=false). Needs a drayd that takes
 * "resize" from any client (attach). */
int terminal_lifeline(TerminalAttach *t);
void terminal_detach(TerminalAttach *t);

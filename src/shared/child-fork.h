/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "macros.h"

/* The one fork of drayd and of the libraries it links (tests/check-forks fails on any other fork()
 * or clone in src/daemon, src/network, src/image, src/shared, src/security): the short-lived
 * namespace workers of the network library and the image unpacker's sandbox block on it briefly;
 * everything that runs for longer goes through the daemon's ChildProcess (child-process.h), which is
 * built on it and watches the child from the event loop, after systemd's src/machine/operation.c.
 * The monitor and the payload's own forks are the monitor's (src/monitor, src/runtime). */

/* Returns 0 in the child, the child's PID in the parent, a negative errno on failure. what names the
 * child in the debug log ("netns worker", "monitor of web"). A child that returns from its work ends
 * with _exit(), never exit(): it must not run the parent's atexit handlers or flush its stdio. */
pid_t child_fork(const char *what);

/* How a child process ended, in one form for every fork drayd makes. */
typedef enum ChildEnd {
        CHILD_EXITED, /* status: its exit status */
        CHILD_KILLED, /* status: the signal */
        CHILD_DUMPED, /* status: the signal; it dumped core */
        _CHILD_END_MAX,
        _CHILD_END_INVALID = -EINVAL,
} ChildEnd;

const char *child_end_to_string(ChildEnd e);
ChildEnd child_end_from_string(const char *s);

typedef struct ChildExit {
        ChildEnd end;
        int status;
} ChildExit;

int child_exit_from_siginfo(const siginfo_t *si, ChildExit *ret);
static inline bool child_exit_is_success(const ChildExit *e) {
        return e->end == CHILD_EXITED && e->status == 0;
}
/* "exited with status 3", "was killed by signal KILL", "dumped core on signal SEGV". */
void child_exit_describe(const ChildExit *e, char *buf, size_t size);

/* Blocks until pid (our child) ends; for children that end at once (a double fork's intermediate). */
int child_wait(pid_t pid, ChildExit *ret);

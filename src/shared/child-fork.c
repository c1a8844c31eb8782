/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child-fork.h"
#include "log.h"
#include "parse-util.h"
#include "string-table.h"

pid_t child_fork(const char *what) {
        pid_t pid;

        pid = fork();
        if (pid < 0)
                return log_debug_errno(errno, "Failed to fork %s: %m", what);
        if (pid > 0)
                log_debug("Forked %s as PID %i.", what, (int) pid);
        return pid;
}

static const char *const child_end_table[_CHILD_END_MAX] = {
        [CHILD_EXITED] = "exited",
        [CHILD_KILLED] = "killed",
        [CHILD_DUMPED] = "dumped",
};

DEFINE_STRING_TABLE_LOOKUP(child_end, ChildEnd, _CHILD_END_MAX);

int child_exit_from_siginfo(const siginfo_t *si, ChildExit *ret) {
        switch (si->si_code) {
        case CLD_EXITED:
                *ret = (ChildExit) { .end = CHILD_EXITED, .status = si->si_status };
                return 0;
        case CLD_KILLED:
                *ret = (ChildExit) { .end = CHILD_KILLED, .status = si->si_status };
                return 0;
        case CLD_DUMPED:
                *ret = (ChildExit) { .end = CHILD_DUMPED, .status = si->si_status };
                return 0;
        default:
                return -EBADMSG; /* stopped or continued: not an end */
        }
}

void child_exit_describe(const ChildExit *e, char *buf, size_t size) {
        const char *sig = signal_to_string(e->status);

        if (e->end == CHILD_EXITED)
                (void) snprintf(buf, size, "exited with status %d", e->status);
        else if (sig)
                (void) snprintf(buf, size, "%s on signal %s", e->end == CHILD_DUMPED ? "dumped core" : "was killed",
                                sig);
        else
                (void) snprintf(buf, size, "%s on signal %d", e->end == CHILD_DUMPED ? "dumped core" : "was killed",
                                e->status);
}

int child_wait(pid_t pid, ChildExit *ret) {
        siginfo_t si = {};

        for (;;) {
                if (waitid(P_PID, (id_t) pid, &si, WEXITED) >= 0)
                        break;
                if (errno != EINTR)
                        return -errno;
        }
        return child_exit_from_siginfo(&si, ret);
}

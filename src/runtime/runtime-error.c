/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* How the runtime says what failed: the one record a failed step leaves (runtime_fail()), its trip
 * to the parent (runtime_report()), and the exit status it stands for. Every step of runtime-*.c uses
 * these; they live apart from runtime.c's recipe so that the steps do not depend on the recipe. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container-state.h"
#include "runtime-internal.h"

static const char *const runtime_stage_table[_RUNTIME_STAGE_MAX] = {
        [RUNTIME_STAGE_SETUP] = "setup",
        [RUNTIME_STAGE_EXEC] = "exec",
};

const char *runtime_stage_to_string(RuntimeStage s) {
        if (s < 0 || s >= _RUNTIME_STAGE_MAX)
                return NULL;
        return runtime_stage_table[s];
}

_printf_(4, 0) static void record_format(RuntimeRecord *rec, RuntimeStage stage, int error, const char *fmt,
                                         va_list ap) {
        error = error < 0 ? -error : error;
        *rec = (RuntimeRecord) {
                .type = RUNTIME_RECORD_ERROR,
                .error = error ?: EIO,
                .stage = stage,
        };
        errno = error; /* for %m */
        (void) vsnprintf(rec->message, sizeof(rec->message), fmt, ap);
        /* The message ends up on one line of the sync protocol: no control characters. */
        for (char *p = rec->message; *p; p++)
                if ((unsigned char) *p < ' ' || *p == 0x7f)
                        *p = ' ';
}

int runtime_fail_stage(RuntimeContext *c, RuntimeStage stage, int error, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        record_format(&c->failure, stage, error, fmt, ap);
        va_end(ap);
        return -c->failure.error;
}

int runtime_fail(RuntimeContext *c, int error, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        record_format(&c->failure, RUNTIME_STAGE_SETUP, error, fmt, ap);
        va_end(ap);
        return -c->failure.error;
}

void runtime_report(int fd, const RuntimeRecord *rec) {
        /* Best effort: if the parent is gone there is nobody to tell. */
        /* MSG_NOSIGNAL: a payload that fails after a gated start (RuntimeIO.start_fifo) reports to a
         * caller long gone; it must exit with its status, not die of SIGPIPE. */
        while (send(fd, rec, sizeof(*rec), MSG_NOSIGNAL) < 0 && errno == EINTR)
                ;
}

int runtime_exit_status_from_wait(int wstatus) {
        if (WIFEXITED(wstatus))
                return WEXITSTATUS(wstatus);
        if (WIFSIGNALED(wstatus))
                return 128 + WTERMSIG(wstatus);
        return 255;
}

int runtime_error_exit_status(const RuntimeError *e) {
        if (e->stage != RUNTIME_STAGE_EXEC)
                return EXIT_DRAY_FAILED;
        switch (e->error) {
        case ENOENT:
        case ENOTDIR:
                return EXIT_NOT_FOUND;
        case EACCES:
        case EPERM:
        case ENOEXEC:
        case EISDIR:
        case ELOOP:
        case ETXTBSY:
        case ELIBBAD:
                return EXIT_CANNOT_INVOKE;
        default:
                return EXIT_DRAY_FAILED;
        }
}

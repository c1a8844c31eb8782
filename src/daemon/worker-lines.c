/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "log.h"
#include "manager.h"
#include "strv.h"
#include "utf8.h"
#include "worker-lines.h"

typedef struct WorkerLines {
        Manager *manager;
        sd_bus_message *call;
        ChildProcess *worker;
        char *what;
        WorkerLinesArgs args;
        char **lines;
        size_t n_lines;
        bool truncated;
        int error;
        char message[256];
} WorkerLines;

static WorkerLines *worker_lines_free(WorkerLines *w) {
        if (!w)
                return NULL;
        if (w->worker)
                w->manager->n_walkers--;
        child_process_free(w->worker);
        sd_bus_message_unref(w->call);
        if (w->args.free_userdata)
                w->args.free_userdata(w->args.userdata);
        strv_free(w->lines);
        free(w->what);
        free(w);
        return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(WorkerLines *, worker_lines_free);

int worker_lines_write(int report_fd, const char *prefix, const char *text) {
        char buf[CHILD_REPORT_LINE_MAX - 16];

        escape_terminal_buf(text, buf, sizeof(buf), 0);
        return dprintf(report_fd, "%s%s\n", prefix, buf) < 0 ? -errno : 0;
}

static void worker_on_line(ChildProcess *c, char *line, void *userdata) {
        WorkerLines *w = userdata;
        int e, n = 0;

        if (sscanf(line, "ERR %d %n", &e, &n) >= 1 && n > 0 && e > 0) {
                w->error = e;
                (void) snprintf(w->message, sizeof(w->message), "%s", line + n);
                return;
        }
        if (w->n_lines >= WORKER_LINES_MAX || !utf8_is_valid(line)) {
                w->truncated = true;
                return;
        }
        if (strv_extend(&w->lines, line) < 0) {
                w->truncated = true;
                return;
        }
        w->n_lines++;
}

static void worker_on_exit(ChildProcess *c, const ChildExit *e, void *userdata) {
        _cleanup_(worker_lines_freep) WorkerLines *w = userdata;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        char how[64];
        int r;

        if (child_exit_is_success(e)) {
                r = w->args.reply(w->call, w->lines, w->truncated, w->args.userdata);
                if (r < 0)
                        log_debug_errno(r, "Failed to answer the %s, ignoring: %m", w->what);
                return;
        }
        child_exit_describe(e, how, sizeof(how));
        if (!utf8_is_valid(w->message))
                w->message[0] = 0;
        (void) sd_bus_error_set_errnof(&error, w->error ?: EIO, "Failed: %s: %s.", w->what,
                                       w->message[0] ? w->message : how);
        r = sd_bus_reply_method_error(w->call, &error);
        if (r < 0)
                log_debug_errno(r, "Failed to answer the %s, ignoring: %m", w->what);
}

int worker_lines_spawn(Manager *m, sd_bus_message *call, const WorkerLinesArgs *args, sd_bus_error *error) {
        _cleanup_(worker_lines_freep) WorkerLines *w = calloc(1, sizeof(WorkerLines));
        int r;

        if (!w) {
                if (args->free_userdata)
                        args->free_userdata(args->userdata);
                return -ENOMEM;
        }
        w->args = *args;
        w->manager = m;
        w->call = sd_bus_message_ref(call);
        w->what = strdup(args->what);
        if (!w->what)
                return -ENOMEM;
        /* Any local user may ask for a disk usage: a handful of walks at once, not one per call. */
        if (m->n_walkers >= WORKER_LINES_CONCURRENT_MAX)
                return sd_bus_error_setf(error, SD_BUS_ERROR_LIMITS_EXCEEDED,
                                         "Too many tree walks running (%u); try the %s again shortly.",
                                         m->n_walkers, args->what);
        r = child_process_spawn(m->event,
                                &(ChildProcessArgs) { .what = w->what, .main = args->main, .main_userdata = args->userdata,
                                                      .on_line = worker_on_line, .on_exit = worker_on_exit, .userdata = w },
                                &w->worker);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to start the %s: %m", args->what);
        m->n_walkers++;
        w->args.what = w->what;
        TAKE_PTR(w);
        return 1;
}

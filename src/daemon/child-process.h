/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <systemd/sd-event.h>

#include "child-fork.h"
#include "macros.h"

/* A forked child followed from the event loop, after systemd's src/machine/operation.c: fork, one
 * report channel (a pipe of '\n'-terminated lines, delivered as they come), one pidfd watched by
 * sd-event, and one way to say how it ended. Every line the child wrote is delivered before
 * on_exit. A child still running when its ChildProcess is freed is killed and reaped. */
typedef struct ChildProcess ChildProcess;

/* Runs in the child with the write end of the report pipe; its return is the exit status (a
 * negative errno becomes EXIT_FAILURE). It may also _exit() itself. */
typedef int (*ChildMainFunc)(int report_fd, void *userdata);
typedef void (*ChildLineFunc)(ChildProcess *c, char *line, void *userdata);
/* The child is reaped; c may be freed from here. */
typedef void (*ChildExitFunc)(ChildProcess *c, const ChildExit *e, void *userdata);

#define CHILD_REPORT_LINE_MAX 1024U

typedef struct ChildProcessArgs {
        const char *what;        /* for log messages: "transfer 3", "removal of …" */
        ChildMainFunc main;
        void *main_userdata;
        ChildLineFunc on_line;   /* NULL: no report channel */
        ChildExitFunc on_exit;
        void *userdata;
} ChildProcessArgs;

int child_process_spawn(sd_event *event, const ChildProcessArgs *args, ChildProcess **ret);
pid_t child_process_pid(const ChildProcess *c); /* 0 once reaped */
const char *child_process_what(const ChildProcess *c);
int child_process_kill(ChildProcess *c, int sig);
ChildProcess *child_process_free(ChildProcess *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(ChildProcess *, child_process_free);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "child-process.h"

typedef struct Manager Manager;

/* A method answered by a forked worker that walks trees (diff, disk usage): the worker writes one
 * result per line on its report channel (at most WORKER_LINES_MAX; beyond, the rest is dropped and
 * *truncated set), "ERR <errno> <message>" on failure; when it ends, reply() builds the answer to
 * call from the lines. The event loop only collects lines. */
#define WORKER_LINES_MAX 100000U
/* Walks running at once; more calls get LimitsExceeded. */
#define WORKER_LINES_CONCURRENT_MAX 4U

typedef int (*WorkerLinesReply)(sd_bus_message *call, char **lines, bool truncated, void *userdata);

typedef struct WorkerLinesArgs {
        const char *what;        /* "diff of container web": for messages */
        ChildMainFunc main;      /* runs in the child */
        void *userdata;          /* for main and reply; freed with free_userdata when done */
        void (*free_userdata)(void *userdata);
        WorkerLinesReply reply;
} WorkerLinesArgs;

/* Takes userdata (freed on failure too). Returns 1: the call will be answered. */
int worker_lines_spawn(Manager *m, sd_bus_message *call, const WorkerLinesArgs *args, sd_bus_error *error);

/* For main: one result line, control characters and invalid UTF-8 escaped ("\xNN"). */
int worker_lines_write(int report_fd, const char *prefix, const char *text);

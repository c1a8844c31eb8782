/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include "image-unpack.h"

/* A child process of a transfer worker doing one job (unpacking a layer, uploading a blob) while the
 * worker moves other jobs on. The child writes its verdict, "ERRNO MESSAGE" (0: done), on a pipe and
 * ends; the worker polls the pipe's read end (non-blocking) and reads the verdict at EOF. The child
 * dies with the worker (PR_SET_PDEATHSIG). A child that is done may say more in its error's message:
 * worker_child_read() leaves that note in buf. */
typedef struct WorkerChild {
        pid_t pid; /* 0: none */
        int fd;
        char buf[UNPACK_MESSAGE_MAX + 32];
        size_t n_buf;
} WorkerChild;

/* Forks (child_fork(), what naming the child); the child calls run(userdata), then reports what it
 * returned (and the message of its error) and _exit()s without any cleanup: it shares the worker's
 * connections and files. */
int worker_child_start(WorkerChild *k, const char *what, int (*run)(void *userdata, UnpackError *error),
                       void *userdata);
/* Reads what the child wrote: 1 while it runs (nothing more to read now), 0 when it ended done (its
 * note, or "", in k->buf), a negative errno (error set) when it failed; the child is reaped in both
 * cases. */
int worker_child_read(WorkerChild *k, UnpackError *error);
/* Kills and reaps a child still running. */
void worker_child_kill(WorkerChild *k);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <poll.h>

#include "contract.h"
#include "macros.h"

/* The attach endpoint of a container's monitor (contract.h, MONITOR_ATTACH_SOCKET): drayd connects for
 * each `dray attach` (AttachContainer) and hands over the client's descriptors. One connection is read
 * at a time; others wait in the listen backlog. Nothing here blocks: a connection is polled until its
 * one message is there. */

typedef struct AttachServer {
        int listen_fd;
        int conn_fd;            /* the connection whose request we wait for, or -EBADF */
        char *path;
} AttachServer;

#define ATTACH_SERVER_NULL ((AttachServer) { .listen_fd = -EBADF, .conn_fd = -EBADF })

/* The descriptors a request brought, each -EBADF when not given. */
typedef struct AttachRequest {
        int stdout_fd, stderr_fd, stdin_fd, resize_fd;
} AttachRequest;

#define ATTACH_REQUEST_NULL ((AttachRequest) { -EBADF, -EBADF, -EBADF, -EBADF })

void attach_request_done(AttachRequest *req);

/* Binds <runtime_dir>/containers/<id>/attach (an older file of that name is replaced). */
int attach_server_open(AttachServer *s, const char *runtime_dir, const char *id);
/* Closes everything and removes the socket file. */
void attach_server_done(AttachServer *s);

size_t attach_server_fill(const AttachServer *s, struct pollfd *p);
/* 1 with *ret filled when a request came in (answer it with attach_server_reply()), 0 otherwise. */
int attach_server_dispatch(AttachServer *s, const struct pollfd *p, size_t n, AttachRequest *ret);
/* Answers the request being handled (error 0: "OK <pid>", else "ERR <error> <message>") and closes. */
void attach_server_reply(AttachServer *s, int error, pid_t pid, const char *message);

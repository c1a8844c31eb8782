/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "contract.h"
#include "macros.h"

/* One output stream of the payload (stdout or stderr): read from its pipe, copied as is to an
 * optional tee fd, and cut into lines for a sink (the journal). A line longer than LOG_LINE_MAX goes
 * out in LOG_LINE_MAX pieces, every one but the last marked partial; output that ends without a
 * newline goes out as a partial piece too. Lines leave in the order they came. */

#define LOG_LINE_MAX (16U * 1024U)
/* Bytes before every line handed to the sink that the sink may overwrite (with "MESSAGE="), so that
 * a line is sent without being copied. */
#define LOG_STREAM_HEADROOM 16U

/* line[0..len) is the line without its newline; line[-LOG_STREAM_HEADROOM..0) is scratch space. */
typedef void (*LogSinkFunc)(char *line, size_t len, bool partial, void *userdata);

typedef struct LogStream {
        int fd;                 /* read end, O_NONBLOCK; -EBADF once at EOF */
        /* Each attached client's copy of every byte (slot 0: the client that started the container,
         * the others: `dray attach`); -EBADF when none, or when it went away. */
        int tee_fds[ATTACH_CLIENTS_MAX];
        const char *name;       /* "stdout" or "stderr", for messages */
        LogSinkFunc sink;
        void *userdata;
        size_t len;             /* bytes buffered, after the headroom */
        char buf[LOG_STREAM_HEADROOM + LOG_LINE_MAX + 1];
} LogStream;

/* tee_fd becomes slot 0's copy; every other slot starts empty. */
void log_stream_init(LogStream *s, const char *name, int fd, int tee_fd, LogSinkFunc sink, void *userdata);
/* A client attached (slot free: -EBUSY) or detached: the stream owns fd from here. */
int log_stream_add_tee(LogStream *s, size_t slot, int fd);
void log_stream_drop_tee(LogStream *s, size_t slot);
bool log_stream_has_tee(const LogStream *s, size_t slot);

/* One read(): > 0 when data was consumed, 0 when the pipe has nothing now (EAGAIN) or reached EOF.
 * At EOF (s->fd < 0 afterwards) whatever is buffered is flushed and the fd closed. A read error
 * other than EAGAIN counts as EOF and is returned (negative). */
int log_stream_read(LogStream *s);

/* Reads until EAGAIN or EOF, then flushes what is buffered: for when every writer is known dead. */
int log_stream_drain(LogStream *s);

/* Hands what is buffered to the sink as a partial piece. */
void log_stream_flush(LogStream *s);

void log_stream_done(LogStream *s);

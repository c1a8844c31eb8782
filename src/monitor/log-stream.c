/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <poll.h>
#include <string.h>

#include "log-stream.h"
#include "log.h"

/* How long a tee fd may refuse to take data before we stop copying to it: a stopped or vanished
 * client must not stall the container's logging for good. */
#define TEE_TIMEOUT_MS (30 * 1000)

void log_stream_init(LogStream *s, const char *name, int fd, int tee_fd, LogSinkFunc sink, void *userdata) {
        s->fd = fd;
        s->tee_fds[0] = tee_fd;
        for (size_t i = 1; i < ELEMENTSOF(s->tee_fds); i++)
                s->tee_fds[i] = -EBADF;
        s->name = name;
        s->sink = sink;
        s->userdata = userdata;
        s->len = 0;
}

int log_stream_add_tee(LogStream *s, size_t slot, int fd) {
        assert(slot < ELEMENTSOF(s->tee_fds));
        if (s->tee_fds[slot] >= 0)
                return -EBUSY;
        s->tee_fds[slot] = fd;
        return 0;
}

void log_stream_drop_tee(LogStream *s, size_t slot) {
        assert(slot < ELEMENTSOF(s->tee_fds));
        s->tee_fds[slot] = safe_close(s->tee_fds[slot]);
}

bool log_stream_has_tee(const LogStream *s, size_t slot) {
        return slot < ELEMENTSOF(s->tee_fds) && s->tee_fds[slot] >= 0;
}

/* Blocking, ordered copy. A full non-blocking fd (the client's, whose flags we must not change) is
 * waited for; a client that went away (EPIPE) or stalls for TEE_TIMEOUT_MS loses its copy. */
static void tee_write_one(LogStream *s, size_t slot, const char *p, size_t n) {
        while (n > 0 && s->tee_fds[slot] >= 0) {
                ssize_t k = write(s->tee_fds[slot], p, n);

                if (k >= 0) {
                        p += k;
                        n -= (size_t) k;
                } else if (errno == EINTR)
                        continue;
                else if (errno == EAGAIN) {
                        struct pollfd pfd = { .fd = s->tee_fds[slot], .events = POLLOUT };
                        int r = poll(&pfd, 1, TEE_TIMEOUT_MS);

                        if (r == 0) {
                                log_warning("Client stopped reading the container's %s, "
                                            "no longer copying it there.", s->name);
                                log_stream_drop_tee(s, slot);
                        }
                } else {
                        if (errno != EPIPE)
                                log_warning_errno(errno, "Failed to copy %s to the client, giving up: %m",
                                                  s->name);
                        log_stream_drop_tee(s, slot);
                }
        }
}

static void tee_write(LogStream *s, const char *p, size_t n) {
        for (size_t i = 0; i < ELEMENTSOF(s->tee_fds); i++)
                tee_write_one(s, i, p, n);
}

static char *stream_data(LogStream *s) {
        return s->buf + LOG_STREAM_HEADROOM;
}

/* Hands every complete line, and every full piece of an over-long one, to the sink. */
static void log_stream_process(LogStream *s) {
        char *data = stream_data(s);
        size_t start = 0;

        for (;;) {
                char *nl = memchr(data + start, '\n', s->len - start);

                if (nl) {
                        size_t n = (size_t) (nl - (data + start));

                        s->sink(data + start, n, false, s->userdata);
                        start += n + 1;
                } else if (s->len - start > LOG_LINE_MAX) {
                        /* One more byte than a piece and still no newline: a line of exactly
                         * LOG_LINE_MAX bytes went out whole above, this one is longer. */
                        s->sink(data + start, LOG_LINE_MAX, true, s->userdata);
                        start += LOG_LINE_MAX;
                } else
                        break;
        }
        if (start > 0) {
                memmove(data, data + start, s->len - start);
                s->len -= start;
        }
}

void log_stream_flush(LogStream *s) {
        if (s->len == 0)
                return;
        s->sink(stream_data(s), s->len, true, s->userdata);
        s->len = 0;
}

int log_stream_read(LogStream *s) {
        char *data = stream_data(s);
        ssize_t n;

        if (s->fd < 0)
                return 0;
        /* log_stream_process() leaves at most LOG_LINE_MAX bytes: there is always room. */
        n = read(s->fd, data + s->len, LOG_LINE_MAX + 1 - s->len);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return 0;
        if (n <= 0) {
                int r = n < 0 ? -errno : 0;

                log_stream_flush(s);
                s->fd = safe_close(s->fd);
                return r;
        }
        tee_write(s, data + s->len, (size_t) n);
        s->len += (size_t) n;
        log_stream_process(s);
        return 1;
}

int log_stream_drain(LogStream *s) {
        int r;

        while ((r = log_stream_read(s)) > 0)
                ;
        log_stream_flush(s);
        return r;
}

void log_stream_done(LogStream *s) {
        s->fd = safe_close(s->fd);
        for (size_t i = 0; i < ELEMENTSOF(s->tee_fds); i++)
                log_stream_drop_tee(s, i);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "cli-detach.h"
#include "log.h"

static void relay_update(DetachRelay *r) {
        (void) sd_event_source_set_enabled(r->in, r->len > 0 || r->pipe[1] < 0 ? SD_EVENT_OFF : SD_EVENT_ON);
        (void) sd_event_source_set_enabled(r->out, r->len > 0 ? SD_EVENT_ON : SD_EVENT_OFF);
}

static void relay_flush(DetachRelay *r) {
        while (r->len > r->off) {
                ssize_t n = write(r->pipe[1], r->buf + r->off, r->len - r->off);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        break;
                if (n < 0) {
                        /* The monitor no longer reads (the container's input is closed). */
                        r->len = r->off = 0;
                        r->out = sd_event_source_disable_unref(r->out);
                        r->pipe[1] = safe_close(r->pipe[1]);
                        break;
                }
                r->off += (size_t) n;
        }
        if (r->off == r->len)
                r->len = r->off = 0;
        relay_update(r);
}

/* Docker's escape proxy: bytes that match the sequence so far are held back; a byte that breaks the
 * match releases them, and is itself checked against the sequence's start. */
static bool relay_filter(DetachRelay *r, const char *in, size_t n) {
        for (size_t i = 0; i < n; i++) {
                if (in[i] == r->keys[r->matched]) {
                        if (++r->matched == r->n_keys)
                                return true;
                        continue;
                }
                memcpy(r->buf + r->len, r->keys, r->matched);
                r->len += r->matched;
                r->matched = 0;
                if (in[i] == r->keys[0]) {
                        if (++r->matched == r->n_keys)
                                return true;
                } else
                        r->buf[r->len++] = in[i];
        }
        return false;
}

static int on_input(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        DetachRelay *r = userdata;
        char in[4096];
        ssize_t n;

        n = read(fd, in, sizeof(in));
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                return 0;
        if (n <= 0) {
                /* Our stdin ended: the container's input ends for us too. */
                r->in = sd_event_source_disable_unref(r->in);
                r->out = sd_event_source_disable_unref(r->out);
                r->pipe[1] = safe_close(r->pipe[1]);
                return 0;
        }
        if (relay_filter(r, in, (size_t) n)) {
                r->in = sd_event_source_disable_unref(r->in);
                /* What came before the sequence still goes in. */
                relay_flush(r);
                r->on_detach(r->userdata);
                return 0;
        }
        relay_flush(r);
        return 0;
}

static int on_writable(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        relay_flush(userdata);
        return 0;
}

int detach_relay_start(DetachRelay *r, sd_event *event, const char *keys, size_t n_keys,
                       void (*on_detach)(void *userdata), void *userdata) {
        int rr;

        assert(n_keys > 0 && n_keys <= DETACH_KEYS_MAX);
        memcpy(r->keys, keys, n_keys);
        r->n_keys = n_keys;
        r->on_detach = on_detach;
        r->userdata = userdata;
        if (pipe2(r->pipe, O_CLOEXEC) < 0)
                return log_error_errno(errno, "Failed to create the input pipe: %m");
        if (fcntl(r->pipe[1], F_SETFL, O_NONBLOCK) < 0)
                return log_error_errno(errno, "Failed to set up the input pipe: %m");
        rr = sd_event_add_io(event, &r->in, STDIN_FILENO, EPOLLIN, on_input, r);
        if (rr >= 0)
                rr = sd_event_add_io(event, &r->out, r->pipe[1], EPOLLOUT, on_writable, r);
        if (rr < 0)
                return log_error_errno(rr, "Failed to watch our input: %m");
        relay_update(r);
        return 0;
}

void detach_relay_sent(DetachRelay *r) {
        r->pipe[0] = safe_close(r->pipe[0]);
}

void detach_relay_done(DetachRelay *r) {
        r->in = sd_event_source_disable_unref(r->in);
        r->out = sd_event_source_disable_unref(r->out);
        r->pipe[0] = safe_close(r->pipe[0]);
        r->pipe[1] = safe_close(r->pipe[1]);
}

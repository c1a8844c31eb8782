/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <unistd.h>

#include "log.h"
#include "monitor-input.h"

void input_relay_init(InputRelay *r, InputTarget *target) {
        *r = (InputRelay) { .target = target, .from = -EBADF, .resize = -EBADF };
}

/* The payload's input is gone (it closed its end), or its one writer that could end it ended it. */
static void target_close(InputTarget *t) {
        if (t->owned)
                t->fd = safe_close(t->fd);
        else
                t->fd = -EBADF;
}

void input_target_done(InputTarget *t) {
        target_close(t);
}

static void stop_input(InputRelay *r) {
        r->from = safe_close(r->from);
        r->len = r->off = 0;
}

void input_relay_done(InputRelay *r) {
        stop_input(r);
        r->resize = safe_close(r->resize);
}

bool input_relay_active(const InputRelay *r) {
        return r->from >= 0 || r->resize >= 0;
}

static void apply_window(InputRelay *r, const struct winsize *ws) {
        if (r->target->pty >= 0 && ioctl(r->target->pty, TIOCSWINSZ, ws) < 0)
                log_debug_errno(errno, "Failed to resize the terminal, ignoring: %m");
}

int input_relay_initial_window(InputRelay *r, struct winsize *ret) {
        struct pollfd p = { .fd = r->resize, .events = POLLIN };
        struct winsize ws;

        if (r->resize < 0 || poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN))
                return 0;
        if (read(r->resize, &ws, sizeof(ws)) != (ssize_t) sizeof(ws))
                return 0;
        *ret = ws;
        return 1;
}

size_t input_relay_fill(const InputRelay *r, struct pollfd *p) {
        size_t n = 0;

        if (r->resize >= 0)
                p[n++] = (struct pollfd) { .fd = r->resize, .events = POLLIN };
        if (r->from >= 0 && r->target->fd >= 0 && r->len == 0)
                p[n++] = (struct pollfd) { .fd = r->from, .events = POLLIN };
        if (r->target->fd >= 0 && r->len > 0)
                p[n++] = (struct pollfd) { .fd = r->target->fd, .events = POLLOUT };
        return n;
}

static void on_resize(InputRelay *r) {
        struct winsize ws;
        ssize_t n = read(r->resize, &ws, sizeof(ws));

        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                return;
        if (n == (ssize_t) sizeof(ws)) {
                apply_window(r, &ws);
                return;
        }
        /* EOF: the client is gone. Its terminal is its own again. */
        log_debug("A client detached; no longer forwarding its input.");
        r->resize = safe_close(r->resize);
        stop_input(r);
        r->gone = true;
}

static void on_writable(InputRelay *r) {
        ssize_t n = write(r->target->fd, r->buf + r->off, r->len - r->off);

        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                return;
        if (n < 0) {
                /* EPIPE: the payload closed its stdin. Nothing more to forward, from anyone. */
                log_debug_errno(errno, "The container's input is gone, no longer forwarding: %m");
                stop_input(r);
                target_close(r->target);
                return;
        }
        r->off += (size_t) n;
        if (r->off == r->len)
                r->len = r->off = 0;
}

static void on_readable(InputRelay *r) {
        ssize_t n = read(r->from, r->buf, sizeof(r->buf));

        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                return;
        if (n <= 0) {
                /* EOF of the client's stdin: the payload's stdin pipe closes too when this is the
                 * client that started it. A pty has no such EOF; the payload reads ^D itself if the
                 * client's terminal sent one. */
                if (n < 0)
                        log_debug_errno(errno, "Failed to read the client's input, stopping: %m");
                r->from = safe_close(r->from);
                if (r->eof_closes)
                        target_close(r->target);
                return;
        }
        r->len = (size_t) n;
        r->off = 0;
        on_writable(r);
}

void input_relay_dispatch(InputRelay *r, const struct pollfd *p, size_t n) {
        for (size_t i = 0; i < n; i++) {
                if (!p[i].revents)
                        continue;
                if (p[i].fd == r->resize)
                        on_resize(r);
                else if (p[i].fd == r->from && r->len == 0)
                        on_readable(r);
                else if (r->target->fd >= 0 && p[i].fd == r->target->fd && r->len > 0)
                        on_writable(r);
        }
}

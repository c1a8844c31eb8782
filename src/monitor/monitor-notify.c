/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "monitor-notify.h"
#include "mount-spec.h"
#include "strv.h"

/* sd_notify() messages are small; systemd itself reads at most a page and a bit. */
#define NOTIFY_MESSAGE_MAX 4096

static bool notify_line_is_allowed(const char *line, size_t len) {
        static const char *const keys[] = {
                "READY=", "RELOADING=", "STOPPING=", "STATUS=", "ERRNO=", "BUSERROR=", "WATCHDOG=",
                "WATCHDOG_USEC=", "EXTEND_TIMEOUT_USEC=",
        };

        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                if (len >= strlen(keys[i]) && strneq(line, keys[i], strlen(keys[i])))
                        return true;
        return false;
}

size_t notify_message_filter(char *msg, size_t len) {
        size_t out = 0;

        for (size_t at = 0; at < len;) {
                size_t n = strcspn(msg + at, "\n");

                if (at + n > len)
                        n = len - at;
                if (n > 0 && notify_line_is_allowed(msg + at, n) && !memchr(msg + at, 0, n)) {
                        memmove(msg + out, msg + at, n);
                        out += n;
                        msg[out++] = '\n';
                }
                at += n + 1;
        }
        if (out > 0)
                out--; /* no trailing newline, as sd_notify() sends it */
        msg[out] = 0;
        return out;
}

void notify_relay_done(NotifyRelay *r) {
        safe_close(r->socket_fd);
        safe_close(r->client_fd);
        *r = NOTIFY_RELAY_NULL;
}

static int notify_bind(const char *dir, int *ret) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -EBADF;
        int n;

        n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/notify", dir);
        if (n < 0 || (size_t) n >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        if (unlink(sa.sun_path) < 0 && errno != ENOENT)
                return -errno;
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return -errno;
        /* Any user of the container may notify, as under systemd's NotifyAccess=all for the payload. */
        if (chmod(sa.sun_path, 0666) < 0)
                return -errno;
        *ret = TAKE_FD(fd);
        return 0;
}

int notify_relay_setup(NotifyRelay *r, int client_fd, const char *container_dir, ContainerSpec *spec) {
        _cleanup_free_ char *dir = NULL;
        int r_;

        r->client_fd = client_fd;
        if (asprintf(&dir, "%s/notify", container_dir) < 0)
                return -ENOMEM;
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return -errno;
        r_ = notify_bind(dir, &r->socket_fd);
        if (r_ < 0)
                return r_;
        r_ = mount_spec_append(&spec->mounts, &spec->n_mounts, MOUNT_BIND, dir, NOTIFY_SOCKET_DIR, true, NULL);
        if (r_ < 0)
                return r_;
        return strv_env_set(&spec->env, "NOTIFY_SOCKET=" NOTIFY_SOCKET_PATH);
}

size_t notify_relay_fill(const NotifyRelay *r, struct pollfd *p) {
        if (r->socket_fd < 0)
                return 0;
        p[0] = (struct pollfd) { .fd = r->socket_fd, .events = POLLIN };
        return 1;
}

void notify_relay_dispatch(NotifyRelay *r, const struct pollfd *p, size_t n) {
        char buf[NOTIFY_MESSAGE_MAX + 1];

        if (n == 0 || !p[0].revents)
                return;
        for (;;) {
                ssize_t k = recv(r->socket_fd, buf, NOTIFY_MESSAGE_MAX, MSG_DONTWAIT | MSG_TRUNC);
                size_t len;

                if (k < 0)
                        return; /* EAGAIN: all read */
                if (k > NOTIFY_MESSAGE_MAX) {
                        log_debug("Dropping a notification of %zd bytes.", k);
                        continue;
                }
                buf[k] = 0;
                len = notify_message_filter(buf, (size_t) k);
                /* The client may be gone or slow: a lost status message is no reason to block. */
                if (len > 0 && send(r->client_fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
                        log_debug_errno(errno, "Failed to pass a notification on, ignoring: %m");
        }
}

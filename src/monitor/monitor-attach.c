/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "monitor-attach.h"

void attach_request_done(AttachRequest *req) {
        req->stdout_fd = safe_close(req->stdout_fd);
        req->stderr_fd = safe_close(req->stderr_fd);
        req->stdin_fd = safe_close(req->stdin_fd);
        req->resize_fd = safe_close(req->resize_fd);
}

int attach_server_open(AttachServer *s, const char *runtime_dir, const char *id) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -EBADF;

        if (asprintf(&s->path, "%s/containers/%s/%s", runtime_dir, id, MONITOR_ATTACH_SOCKET) < 0) {
                s->path = NULL;
                return -ENOMEM;
        }
        if (strlen(s->path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, s->path);
        fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        (void) unlink(s->path);
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return -errno;
        /* The directory is root's and 0700 already; the mode says the same. */
        if (chmod(s->path, 0600) < 0 || listen(fd, 8) < 0)
                return -errno;
        s->listen_fd = TAKE_FD(fd);
        return 0;
}

void attach_server_done(AttachServer *s) {
        s->conn_fd = safe_close(s->conn_fd);
        s->listen_fd = safe_close(s->listen_fd);
        if (s->path)
                (void) unlink(s->path);
        free(s->path);
        s->path = NULL;
}

size_t attach_server_fill(const AttachServer *s, struct pollfd *p) {
        if (s->conn_fd >= 0) {
                p[0] = (struct pollfd) { .fd = s->conn_fd, .events = POLLIN };
                return 1;
        }
        if (s->listen_fd >= 0) {
                p[0] = (struct pollfd) { .fd = s->listen_fd, .events = POLLIN };
                return 1;
        }
        return 0;
}

static void accept_one(AttachServer *s) {
        struct ucred cred;
        socklen_t len = sizeof(cred);
        _cleanup_close_ int fd = -EBADF;

        fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) {
                if (errno != EAGAIN && errno != EINTR)
                        log_debug_errno(errno, "Failed to accept an attach connection, ignoring: %m");
                return;
        }
        /* Only drayd (root) hands us clients; the socket's mode says so too. */
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != 0) {
                log_warning("Refused an attach connection from a process that is not root.");
                return;
        }
        s->conn_fd = TAKE_FD(fd);
}

/* The fds come in the order of the mask's bits. */
static int take_fds(unsigned mask, const int *fds, size_t n_fds, AttachRequest *ret) {
        int *slots[] = { &ret->stdout_fd, &ret->stderr_fd, &ret->stdin_fd, &ret->resize_fd };
        size_t k = 0;

        for (size_t bit = 0; bit < ELEMENTSOF(slots); bit++)
                if (mask & (1U << bit)) {
                        if (k >= n_fds)
                                return -EBADMSG;
                        *slots[bit] = fds[k++];
                }
        return k == n_fds ? 0 : -EBADMSG;
}

static int receive_request(AttachServer *s, AttachRequest *ret) {
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int) * 4)];
        } control = {};
        char msg[64];
        struct iovec iov = { .iov_base = msg, .iov_len = sizeof(msg) };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control,
                             .msg_controllen = sizeof(control) };
        AttachRequest req = ATTACH_REQUEST_NULL;
        int fds[4];
        size_t n_fds = 0;
        unsigned mask;
        ssize_t n;
        int r;

        n = recvmsg(s->conn_fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
        if (n < 0)
                return errno == EAGAIN || errno == EINTR ? -EAGAIN : -errno;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                        size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

                        for (size_t i = 0; i < k; i++) {
                                int fd;

                                memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                                if (n_fds < ELEMENTSOF(fds))
                                        fds[n_fds++] = fd;
                                else
                                        safe_close(fd);
                        }
                }
        r = (mh.msg_flags & (MSG_CTRUNC | MSG_TRUNC)) ? -EBADMSG : attach_request_parse(msg, (size_t) n, &mask);
        if (r >= 0)
                r = take_fds(mask, fds, n_fds, &req);
        if (r < 0) {
                for (size_t i = 0; i < n_fds; i++)
                        safe_close(fds[i]);
                return r;
        }
        *ret = req;
        return 0;
}

int attach_server_dispatch(AttachServer *s, const struct pollfd *p, size_t n, AttachRequest *ret) {
        int r;

        if (n == 0 || !p[0].revents)
                return 0;
        if (s->conn_fd < 0) {
                accept_one(s);
                return 0;
        }
        r = receive_request(s, ret);
        if (r == -EAGAIN)
                return 0;
        if (r < 0) {
                log_debug_errno(r, "Received a bad attach request, ignoring it: %m");
                s->conn_fd = safe_close(s->conn_fd);
                return 0;
        }
        return 1;
}

void attach_server_reply(AttachServer *s, int error, pid_t pid, const char *message) {
        char line[SYNC_LINE_MAX];
        SyncMessage m = error > 0 ? (SyncMessage) { .type = SYNC_MESSAGE_ERR, .error = error, .message = message } :
                                    (SyncMessage) { .type = SYNC_MESSAGE_OK, .pid = pid };
        ssize_t n = sync_message_format(&m, line, sizeof(line));

        /* drayd may have given up on it meanwhile: nothing to do then. */
        if (n > 0 && s->conn_fd >= 0 && send(s->conn_fd, line, (size_t) n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
                log_debug_errno(errno, "Failed to answer an attach request, ignoring: %m");
        s->conn_fd = safe_close(s->conn_fd);
}

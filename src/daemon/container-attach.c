/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "bus-names.h"
#include "container-attach.h"
#include "container-caller.h"
#include "container-privilege.h"
#include "container-streams.h"
#include "contract.h"
#include "log.h"
#include "manager.h"
#include "polkit.h"
#include "time-util.h"

/* The monitor answers between two rounds of its loop; a client of the container that stopped reading
 * can hold one round up to 30 s (log-stream.c's tee timeout). */
#define ATTACH_TIMEOUT_USEC (40 * USEC_PER_SEC)

/* One AttachContainer waiting for the monitor's answer. Holds no pointer to the container, which may go
 * away meanwhile. */
typedef struct AttachOp {
        sd_bus_message *message;
        char *name;
        int fd;
        sd_event_source *io, *timer;
} AttachOp;

static AttachOp *attach_op_free(AttachOp *op) {
        if (!op)
                return NULL;
        sd_bus_message_unref(op->message);
        sd_event_source_disable_unref(op->io);
        sd_event_source_disable_unref(op->timer);
        safe_close(op->fd);
        free(op->name);
        free(op);
        return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(AttachOp *, attach_op_free);

static void attach_op_finish(AttachOp *op, const char *line) {
        SyncMessage msg;

        if (line && sync_message_parse(line, &msg) >= 0 && msg.type == SYNC_MESSAGE_OK)
                (void) sd_bus_reply_method_return(op->message, NULL);
        else if (line && sync_message_parse(line, &msg) >= 0 && msg.type == SYNC_MESSAGE_ERR)
                (void) sd_bus_reply_method_errorf(op->message, DRAY_ERROR_ATTACH_FAILED,
                                                  "Cannot attach to container '%s': %s.", op->name, msg.message);
        else
                (void) sd_bus_reply_method_errorf(op->message, DRAY_ERROR_ATTACH_FAILED,
                                                  "Cannot attach to container '%s': its monitor did not answer.",
                                                  op->name);
        attach_op_free(op);
}

static int on_answer(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        char line[SYNC_LINE_MAX + 1];
        ssize_t n;

        n = recv(fd, line, SYNC_LINE_MAX, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return 0;
        if (n > 0 && line[n - 1] == '\n')
                n--;
        if (n > 0)
                line[n] = 0;
        attach_op_finish(userdata, n > 0 ? line : NULL);
        return 0;
}

static int on_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        attach_op_finish(userdata, NULL);
        return 0;
}

/* Connects to the monitor's endpoint and sends the request; the socket is non-blocking throughout (a
 * connect to a listening unix socket completes at once, or fails with EAGAIN when its backlog is full). */
static int attach_send(Container *c, const ContainerStreams *st, int *ret_fd) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        const int fds[] = { st->stdout_fd, st->stderr_fd, st->stdin_fd, st->resize_fd };
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int) * 4)];
        } control = {};
        char msg[SYNC_LINE_MAX];
        struct iovec iov = { .iov_base = msg };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control };
        _cleanup_close_ int fd = -EBADF;
        unsigned mask = 0, k = 0;
        ssize_t n;

        for (size_t i = 0; i < ELEMENTSOF(fds); i++)
                if (fds[i] >= 0)
                        mask |= 1U << i;
        n = attach_request_format(mask, msg, sizeof(msg));
        if (n < 0)
                return (int) n;
        iov.iov_len = (size_t) n;
        mh.msg_controllen = CMSG_SPACE(sizeof(int) * attach_mask_count(mask));
        control.h = (struct cmsghdr) { .cmsg_level = SOL_SOCKET, .cmsg_type = SCM_RIGHTS,
                                       .cmsg_len = CMSG_LEN(sizeof(int) * attach_mask_count(mask)) };
        for (size_t i = 0; i < ELEMENTSOF(fds); i++)
                if (fds[i] >= 0)
                        memcpy(CMSG_DATA(&control.h) + k++ * sizeof(int), &fds[i], sizeof(int));

        if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/containers/%s/%s", c->manager->runtime_dir,
                     c->spec->id, MONITOR_ATTACH_SOCKET) >= (int) sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return errno == ENOENT || errno == ECONNREFUSED ? -ENOTCONN : -errno;
        if (sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
                return -errno;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int container_attach(Container *c, const ContainerStreams *streams, sd_bus_message *m) {
        _cleanup_(attach_op_freep) AttachOp *op = NULL;
        int r;

        if (c->rec.state != CONTAINER_RUNNING)
                return -ESRCH;
        if (c->rec.paused)
                return -EALREADY;
        op = calloc(1, sizeof(AttachOp));
        if (!op)
                return -ENOMEM;
        op->fd = -EBADF;
        op->name = strdup(c->spec->name);
        if (!op->name)
                return -ENOMEM;
        r = attach_send(c, streams, &op->fd);
        if (r < 0)
                return r;
        r = sd_event_add_io(c->manager->event, &op->io, op->fd, EPOLLIN, on_answer, op);
        if (r < 0)
                return r;
        r = sd_event_add_time_relative(c->manager->event, &op->timer, CLOCK_MONOTONIC, ATTACH_TIMEOUT_USEC, 0,
                                       on_timeout, op);
        if (r < 0)
                return r;
        op->message = sd_bus_message_ref(m);
        log_debug("Container %s: a client attaches.", c->spec->name);
        TAKE_PTR(op);
        return 0;
}

/* ---- D-Bus ------------------------------------------------------------------------------------- */

int bus_container_method_attach(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *details[] = { "container", NULL, NULL };
        Container *c = userdata;
        ContainerStreams streams;
        int r;

        /* The resize pipe is every attached client's lifeline, with or without a terminal. */
        r = container_bus_read_streams(m, c, c->spec->open_stdin, false, &streams, error);
        if (r < 0)
                return r;
        if (streams.resize_fd < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Stream 'resize' is required: its end of file detaches the client.");
        details[1] = c->spec->name;
        r = dray_verify_polkit_async(m, DRAY_POLKIT_MANAGE_CONTAINERS, details, false, c->manager->polkit_registry,
                                     error);
        if (r <= 0)
                return r < 0 ? r : 1;
        r = container_attach(c, &streams, m);
        if (r == -ESRCH)
                return sd_bus_error_setf(error, DRAY_ERROR_CONTAINER_NOT_RUNNING,
                                         "Container '%s' is not running; start it first.", c->spec->name);
        if (r == -EALREADY)
                return sd_bus_error_setf(error, DRAY_ERROR_CONTAINER_PAUSED,
                                         "Container '%s' is paused; unpause it first.", c->spec->name);
        if (r == -ENOTCONN)
                return sd_bus_error_setf(error, DRAY_ERROR_ATTACH_FAILED,
                                         "Container '%s' runs under a monitor without an attach endpoint (started "
                                         "by an older dray); restart it to attach.", c->spec->name);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to attach to container '%s': %m", c->spec->name);
        return 1; /* answered when the monitor took the client */
}

static int find_container(sd_bus_message *m, Manager *manager, Container **ret, sd_bus_error *error) {
        const char *s;
        int r;

        r = sd_bus_message_read(m, "s", &s);
        if (r < 0)
                return r;
        r = manager_find_container(manager, s, ret);
        if (r < 0)
                return sd_bus_error_setf(error, r == -ENOTUNIQ ? DRAY_ERROR_AMBIGUOUS_CONTAINER :
                                         DRAY_ERROR_NO_SUCH_CONTAINER, "No single container '%.64s'.", s);
        return 0;
}

static int method_attach_container(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Container *c;
        int r;

        r = find_container(m, userdata, &c, error);
        if (r < 0)
                return r;
        return bus_container_method_attach(m, c, error);
}

/* Only the caller itself can let its container go: for anyone else this changes nothing. */
static int method_detach_container(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Container *c;
        int r;

        r = find_container(m, userdata, &c, error);
        if (r < 0)
                return r;
        if (container_caller_is(c, m) && container_is_active(c)) {
                log_info("Container %s: the client that ran it in the foreground (%s) detached; it keeps running.",
                         c->spec->name, c->rec.caller);
                container_caller_release(c);
                (void) container_save(c);
        }
        return sd_bus_reply_method_return(m, NULL);
}

const sd_bus_vtable manager_attach_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("AttachContainer", SD_BUS_ARGS("s", container, "a{sh}", streams), SD_BUS_NO_RESULT,
                                method_attach_container, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("DetachContainer", SD_BUS_ARGS("s", container), SD_BUS_NO_RESULT,
                                method_detach_container, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

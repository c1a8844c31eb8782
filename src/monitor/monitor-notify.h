/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <poll.h>

#include "spec.h"

/* --sdnotify=container: the payload's sd_notify() messages reach the service that runs `dray run`.
 *
 * The monitor binds a datagram socket in <runtime_dir>/containers/<id>/notify/, which the container
 * gets bound read-only at NOTIFY_SOCKET_DIR, with $NOTIFY_SOCKET naming it. What the payload sends
 * there is filtered (the readiness, status and watchdog keys only: a container must not set the
 * service's MAINPID=, store fds or talk for anyone else) and copied, one datagram per message, to the
 * client's "notify" stream; the client, the service's main process, passes it on to systemd. */

#define NOTIFY_SOCKET_DIR "/run/host/notify"
#define NOTIFY_SOCKET_PATH NOTIFY_SOCKET_DIR "/notify"

typedef struct NotifyRelay {
        int socket_fd;  /* bound in the container's notify directory; -EBADF when off */
        int client_fd;  /* the client's "notify" stream (a datagram socket); -EBADF when off */
} NotifyRelay;

#define NOTIFY_RELAY_NULL ((NotifyRelay) { .socket_fd = -EBADF, .client_fd = -EBADF })

/* Takes client_fd. Binds the socket in <container_dir>/notify and adds the bind mount and
 * NOTIFY_SOCKET to spec (the monitor's own copy). */
int notify_relay_setup(NotifyRelay *r, int client_fd, const char *container_dir, ContainerSpec *spec);
void notify_relay_done(NotifyRelay *r);

/* 1 pollfd when on, else 0. */
size_t notify_relay_fill(const NotifyRelay *r, struct pollfd *p);
void notify_relay_dispatch(NotifyRelay *r, const struct pollfd *p, size_t n);

/* Keeps only the lines of msg (NUL-terminated, len bytes) that a container may send, in place;
 * returns the new length (0: nothing left to pass on). Exposed for the unit tests. */
size_t notify_message_filter(char *msg, size_t len);

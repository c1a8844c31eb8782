/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>

#include "container-streams.h"

/* A name for LISTEN_FDNAMES, as systemd's FileDescriptorName=: 1-255 printable ASCII, no ':'. */
static bool fd_name_is_valid(const char *s) {
        size_t n = strlen(s);

        if (n == 0 || n > 255)
                return false;
        for (const char *p = s; *p; p++)
                if (*p <= ' ' || *p >= 0x7f || *p == ':')
                        return false;
        return true;
}

/* "listen-fd[:NAME]" (a socket activation's listening socket) and "fd" (--preserve-fds): the payload's
 * fds 3, 4, … in the order given, the listening sockets first. 1 when name was one of them. */
static int read_pass_fd(ContainerStreams *st, const char *name, int fd, bool allowed, sd_bus_error *error) {
        bool listen = streq(name, "listen-fd") || strneq(name, "listen-fd:", strlen("listen-fd:"));

        if (!listen && !streq(name, "fd"))
                return 0;
        if (!allowed)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Stream '%.32s' can only be passed to a container's start.", name);
        if (st->n_pass_fds >= PASS_FDS_MAX)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "At most %d descriptors can be passed on.", PASS_FDS_MAX);
        if (listen && st->n_listen_fds != st->n_pass_fds)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "The 'listen-fd' streams must come before the 'fd' ones.");
        if (listen && name[strlen("listen-fd")] == ':' && !fd_name_is_valid(name + strlen("listen-fd:")))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Invalid descriptor name in stream '%.64s': 1-255 printable characters, no ':'.",
                                         name);
        if (listen) {
                st->listen_names[st->n_listen_fds] = name[strlen("listen-fd")] == ':' ? name + strlen("listen-fd:") : NULL;
                st->n_listen_fds++;
        }
        st->pass_fds[st->n_pass_fds++] = fd;
        return 1;
}

int container_bus_read_streams(sd_bus_message *m, const Container *c, bool open_stdin, bool pass_fds,
                               ContainerStreams *ret, sd_bus_error *error) {
        ContainerStreams st = CONTAINER_STREAMS_NULL;
        const char *name;
        int fd, r;

        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{sh}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(m, "{sh}", &name, &fd)) > 0) {
                r = read_pass_fd(&st, name, fd, pass_fds, error);
                if (r < 0)
                        return r;
                if (r > 0)
                        continue;
                if (streq(name, "notify")) {
                        int type = 0;
                        socklen_t len = sizeof(type);

                        if (!pass_fds)
                                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                         "Stream 'notify' can only be passed to a container's start.");
                        if (st.notify_fd >= 0)
                                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Stream 'notify' given twice.");
                        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_DGRAM)
                                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                         "Stream 'notify' is not a datagram socket.");
                        st.notify_fd = fd;
                        continue;
                }
                int *slot = streq(name, "stdout") ? &st.stdout_fd :
                            streq(name, "stderr") ? &st.stderr_fd :
                            streq(name, "stdin")  ? &st.stdin_fd :
                            streq(name, "resize") ? &st.resize_fd : NULL;
                bool input = slot == &st.stdin_fd || slot == &st.resize_fd;
                int flags;

                if (!slot)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Unknown stream '%.32s': only 'stdin', 'stdout', 'stderr', "
                                                 "'resize', 'notify', 'listen-fd[:NAME]' and 'fd' can be passed.",
                                                 name);
                if (*slot >= 0)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Stream '%s' given twice.", name);
                if (slot == &st.stdin_fd && !open_stdin)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Container '%s' was not created with OpenStdin (-i): no "
                                                 "'stdin' stream can be attached.", c->spec->name);
                /* "resize" is also the client's lifeline (its EOF detaches the client): any container
                 * takes it; without a terminal its records are ignored. */
                flags = fcntl(fd, F_GETFL);
                if (flags < 0 || (input && (flags & O_ACCMODE) == O_WRONLY) ||
                    (!input && (flags & O_ACCMODE) == O_RDONLY))
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Stream '%s' is not open for %s.",
                                                 name, input ? "reading" : "writing");
                *slot = fd;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        *ret = st;
        return 0;
}

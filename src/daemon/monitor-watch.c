/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <sys/socket.h>

#include "log.h"
#include "manager.h"
#include "monitor-spawn.h"
#include "container-internal.h"
#include "proc-util.h"

static void sync_handle_line(Container *c, const char *line) {
        SyncMessage msg;
        int r;

        r = sync_message_parse(line, &msg);
        if (r < 0 || msg.type == SYNC_MESSAGE_EXIT) {
                log_error("Container %s: unexpected message from dray-monitor: '%.64s'", c->spec->name, line);
                container_monitor_err(c, START_ERROR_OTHER, EPROTO, "dray-monitor answered nonsense");
                return;
        }
        c->sync_answered = true;
        switch (msg.type) {
        case SYNC_MESSAGE_OK:
                container_monitor_ok(c, msg.pid);
                break;
        case SYNC_MESSAGE_ERR:
                container_monitor_err(c, start_error_from_errno(msg.error), msg.error, msg.message);
                break;
        default:
                /* FAIL: dray-monitor did not run, or refused our protocol version. */
                if (msg.error == EPROTONOSUPPORT)
                        log_error("Container %s: dray-monitor refused the contract: %s", c->spec->name,
                                  msg.message);
                container_monitor_err(c, START_ERROR_OTHER, msg.error, msg.message);
                break;
        }
}

/* Reads what is there; handles the answer. Returns 0 at EOF (or after the answer), 1 to keep
 * watching. */
static int sync_read(Container *c) {
        for (;;) {
                const char *line;
                int r;

                r = sync_reader_read(&c->sync_reader, c->sync_fd);
                if (r == -EAGAIN)
                        return 1;
                if (r == -EMSGSIZE) {
                        sync_handle_line(c, "(an over-long line)");
                        return 0;
                }
                if (r < 0) {
                        log_debug_errno(r, "Container %s: reading the sync socket failed: %m", c->spec->name);
                        return 0;
                }
                /* One answer per start: OK or ERR (or FAIL) is the last thing the monitor says here. */
                line = sync_reader_next(&c->sync_reader);
                if (line) {
                        sync_handle_line(c, line);
                        return 0;
                }
                if (r == 0)
                        return 0;
        }
}

static int on_sync_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Container *c = userdata;

        if (sync_read(c) == 0 && c->sync_fd == fd)
                monitor_sync_close(c);
        return 0;
}

int monitor_sync_watch(Container *c) {
        c->sync_reader = (SyncReader) {};
        c->sync_answered = false;
        return sd_event_add_io(c->manager->event, &c->sync_source, c->sync_fd, EPOLLIN, on_sync_io, c);
}

void monitor_sync_close(Container *c) {
        c->sync_source = sd_event_source_disable_unref(c->sync_source);
        c->sync_fd = safe_close(c->sync_fd);
}

int monitor_send_go(Container *c) {
        ssize_t n;

        if (c->sync_fd < 0)
                return -EPIPE;
        /* MSG_NOSIGNAL: a monitor that died meanwhile must not take us down with SIGPIPE. */
        n = send(c->sync_fd, &(char) { SYNC_GO }, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0)
                return -errno;
        return n == 1 ? 0 : -EIO;
}

static int on_monitor_exit(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Container *c = userdata;

        /* An answer the monitor wrote just before it ended comes first. */
        if (c->sync_fd >= 0 && sync_read(c) == 0 && c->sync_fd >= 0)
                monitor_sync_close(c);
        container_monitor_exited(c);
        return 0;
}

int monitor_watch(Container *c) {
        return sd_event_add_io(c->manager->event, &c->monitor_source, c->monitor_pidfd, EPOLLIN,
                               on_monitor_exit, c);
}

void monitor_unwatch(Container *c) {
        monitor_sync_close(c);
        c->monitor_source = sd_event_source_disable_unref(c->monitor_source);
        c->monitor_pidfd = safe_close(c->monitor_pidfd);
        c->payload_pidfd = safe_close(c->payload_pidfd);
}

int monitor_open_pidfd(pid_t pid, uint64_t start_time, sd_id128_t boot_id) {
        _cleanup_close_ int fd = -EBADF;
        sd_id128_t boot;
        uint64_t t;
        int r;

        if (pid <= 0)
                return -ESRCH;
        r = sd_id128_get_boot(&boot);
        if (r < 0)
                return r;
        if (!sd_id128_equal(boot, boot_id))
                return -ESRCH;
        fd = pidfd_open_pid(pid);
        if (fd < 0)
                return fd;
        /* Checked after opening the pidfd, so the descriptor is known to refer to this process. */
        r = proc_get_starttime(pid, &t);
        if (r < 0)
                return r;
        if (t != start_time)
                return -ESRCH;
        return TAKE_FD(fd);
}

int payload_open_pidfd(pid_t pid, pid_t ancestor) {
        _cleanup_close_ int fd = -EBADF;
        pid_t p = pid;
        int r;

        if (pid <= 0)
                return -ESRCH;
        fd = pidfd_open_pid(pid);
        if (fd < 0)
                return fd;
        /* The container's init is the monitor's child; accept a few levels in case the monitor
         * reports a process further down. Checked after opening the pidfd, as above. */
        for (unsigned i = 0; i < 4; i++) {
                r = proc_get_ppid(p, &p);
                if (r < 0)
                        return r;
                if (p == ancestor)
                        return TAKE_FD(fd);
                if (p <= 1)
                        break;
        }
        return -ESRCH;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include "contract.h"
#include "macros.h"

/* The client's ends of a container's stdio for one run (StartContainer's "streams"), each -EBADF
 * when not given. */
typedef struct ContainerStreams {
        int stdin_fd;   /* read by the monitor and forwarded to the payload (-i) */
        int stdout_fd;  /* get a copy of the payload's output */
        int stderr_fd;
        int resize_fd;  /* -t: a pipe of struct winsize records, one per change of the client's window */
        int notify_fd;  /* --sdnotify=container: a datagram socket for the payload's sd_notify() messages */
        /* Socket activation and --preserve-fds: the payload's fds 3, 4, … in this order; the first
         * n_listen_fds of them are listening sockets, named for LISTEN_FDNAMES (NULL: "unknown"). */
        int pass_fds[PASS_FDS_MAX];
        size_t n_pass_fds;
        size_t n_listen_fds;
        const char *listen_names[PASS_FDS_MAX];
} ContainerStreams;

#define CONTAINER_STREAMS_NULL \
        ((ContainerStreams) { .stdin_fd = -EBADF, .stdout_fd = -EBADF, .stderr_fd = -EBADF, .resize_fd = -EBADF, \
                              .notify_fd = -EBADF })

typedef struct MonitorSpawnArgs {
        const char *monitor_path;
        const char *id;
        const char *state_dir;
        const char *runtime_dir;
        ContainerStreams streams;    /* the client's, each -EBADF when not given */
        int exec_spec_fd;            /* dray exec: the exec's spec (a sealed memfd), or -EBADF */
        pid_t exec_target_pid;       /* ... and the container's init */
        const struct rlimit *nofile; /* RLIMIT_NOFILE to restore (we raise ours), or NULL */
        int log_level;               /* passed on as DRAY_LOG_LEVEL when debugging, or -1 */
        const char *log_unit;        /* the caller's service, named in each journal entry too, or NULL */
} MonitorSpawnArgs;

/* Forks twice and execs dray-monitor (ARCHITECTURE.md, "drayd → dray-monitor"): the intermediate
 * child forks the monitor, reports its PID through a pipe and exits at once, so the monitor's parent
 * is PID 1 and drayd never has to reap it, and we wait only for a process that does nothing but fork.
 * The monitor starts in its own session with stdin and stdout on /dev/null, our stderr (the
 * journal), the sync socket and the client's streams; it waits for SYNC_GO on the sync socket (contract.h).
 * ret_sync_fd is our end of that socket, non-blocking and close-on-exec. */
int monitor_spawn(const MonitorSpawnArgs *args, pid_t *ret_pid, int *ret_sync_fd);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include "macros.h"

/* The client's ends of a container's stdio for one run (StartContainer's "streams"), each -EBADF
 * when not given. */
typedef struct ContainerStreams {
        int stdin_fd;   /* read by the monitor and forwarded to the payload (-i) */
        int stdout_fd;  /* get a copy of the payload's output */
        int stderr_fd;
        int resize_fd;  /* -t: a pipe of struct winsize records, one per change of the client's window */
} ContainerStreams;

#define CONTAINER_STREAMS_NULL \
        ((ContainerStreams) { .stdin_fd = -EBADF, .stdout_fd = -EBADF, .stderr_fd = -EBADF, .resize_fd = -EBADF })

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

/* Fixed descriptor numbers in the monitor, named on its command line. */
#define MONITOR_SYNC_FD 3
#define MONITOR_STDOUT_FD 4
#define MONITOR_STDERR_FD 5
#define MONITOR_STDIN_FD 6
#define MONITOR_RESIZE_FD 7
#define MONITOR_EXEC_SPEC_FD 8
#define MONITOR_FD_LAST MONITOR_EXEC_SPEC_FD

/* Forks twice and execs dray-monitor (ARCHITECTURE.md, "drayd → dray-monitor"): the intermediate
 * child forks the monitor, reports its PID through a pipe and exits at once, so the monitor's parent
 * is PID 1 and drayd never has to reap it, and we wait only for a process that does nothing but fork.
 * The monitor starts in its own session with stdin and stdout on /dev/null, our stderr (the
 * journal), the sync socket and the client's streams; it waits for "G" on the sync socket.
 * ret_sync_fd is our end of that socket, non-blocking and close-on-exec. */
int monitor_spawn(const MonitorSpawnArgs *args, pid_t *ret_pid, int *ret_sync_fd);

/* What the monitor, or the child that was about to exec it, wrote on the sync socket. */
typedef enum MonitorReplyType {
        MONITOR_REPLY_OK,          /* "OK <pid>": the payload runs */
        MONITOR_REPLY_ERR,         /* "ERR <errno> <message>": setup or exec failed */
        MONITOR_REPLY_SPAWN_FAILED, /* "FAIL <errno> <message>": dray-monitor could not be executed */
} MonitorReplyType;

typedef struct MonitorReply {
        MonitorReplyType type;
        pid_t pid;
        int error;           /* positive errno */
        const char *message; /* points into the parsed line */
} MonitorReply;

/* Parses one line without its newline. -EBADMSG for anything else. */
int monitor_parse_line(const char *line, MonitorReply *ret);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macros.h"

/* dray-monitor, one per container run (docs/ARCHITECTURE.md "drayd → dray-monitor"): waits for drayd's
 * go, starts the payload through the runtime, relays its output into journald (and the client's
 * fds), and when the container's init is gone records exit.json. */

typedef struct MonitorArgs {
        const char *id;           /* 64 hex */
        const char *state_dir;    /* /var/lib/dray: the spec and exit.json live in containers/<id>/ */
        const char *runtime_dir;  /* /run/dray: containers/<id>/rootfs is the root's mount point */
        unsigned protocol;        /* the sync protocol version drayd speaks (contract.h) */
        int sync_fd;              /* SYNC_GO in, "OK <pid>" / "ERR <errno> <message>" out (contract.h) */
        int stdout_fd;            /* tee targets, or -EBADF */
        int stderr_fd;
        int stdin_fd;             /* the client's input, forwarded to the payload (-i), or -EBADF */
        int resize_fd;            /* struct winsize records for the terminal (-t), or -EBADF */
        const char *seccomp_profile; /* NULL: the installed default; "unconfined": none */
        /* The system service a foreground run belongs to: each journal entry names it as well
         * (OBJECT_SYSTEMD_UNIT= twice), so `journalctl -u` of either unit finds the line once. */
        const char *log_unit;
        /* Socket activation and --preserve-fds: fds MONITOR_PASS_FD_FIRST… become the payload's 3…;
         * the first n_listen_fds are listening sockets (LISTEN_FDS, LISTEN_FDNAMES, LISTEN_PID). */
        int notify_fd;            /* --sdnotify=container: the client's "notify" stream, or -EBADF */
        unsigned n_pass_fds;
        unsigned n_listen_fds;
        const char *listen_fdnames;
        /* `dray exec`: a sealed memfd holding the exec's spec (the container's, with the exec's command,
         * env, user, working directory and terminal), and the container init's PID. The monitor then
         * starts that process in the container (runtime_join()), copies its output to the client's fds
         * only (not the journal), writes no exit.json, and answers "OK <pid>", later "EXIT <status>",
         * or "ERR <errno> <message>" then "EXIT <status>" on the sync fd. */
        int exec_spec_fd;
        pid_t exec_target_pid;
} MonitorArgs;

/* Returns the process exit status: 0 unless exit.json could not be written. */
int monitor_run(const MonitorArgs *args);

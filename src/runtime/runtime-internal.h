/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <signal.h>

#include "runtime.h"

/* Shared by the runtime-*.c files: the state of the container's init while it sets up, and the steps
 * of the setup recipe (runtime.c, container_setup()). Everything here runs in the cloned child unless
 * said otherwise; each step returns a negative errno and has filled c->failure through
 * runtime_fail() when it fails. */

/* The fds the init arranges before anything else (setup_fds()). The payload inherits 0-2. */
#define RUNTIME_FD_REPORT 3
#define RUNTIME_FD_SECCOMP 4 /* when there is a profile */

/* One record on the report socket (SOCK_SEQPACKET: one write(), one record), close-on-exec: EOF after a
 * FORKED record means the payload's execve() succeeded. */
typedef enum RuntimeRecordType {
        RUNTIME_RECORD_FORKED = 1, /* the init forked the payload */
        RUNTIME_RECORD_ERROR = 2,  /* setup or exec failed: see error, stage, message */
        RUNTIME_RECORD_PTY = 3,    /* carries the pty's master (SCM_RIGHTS) */
        RUNTIME_RECORD_GATED = 4,  /* io->start_fifo: built, waiting for the start (runtime-gate.c) */
} RuntimeRecordType;

typedef struct RuntimeRecord {
        uint32_t type;
        int32_t error;
        int32_t stage;
        char message[RUNTIME_MESSAGE_MAX];
} RuntimeRecord;

typedef struct RuntimeContext {
        const ContainerSpec *spec;
        const RuntimeIO *io;
        uint64_t caps;       /* the payload's capabilities (runtime_caps_from_spec()) */
        bool host_cgroup2;   /* /sys/fs/cgroup is cgroup2 on the host: mount one for the container */
        int report_fd;       /* write end of the report pipe */
        int seccomp_fd;      /* the seccomp profile, or -EBADF */
        int n_fds;           /* fds 0..n_fds-1 are the arranged ones above */
        int pass_fds_at;     /* io->pass_fds are fds pass_fds_at… among them */
        int root_fd;         /* O_PATH fd of the mounted root, until pivot_root */
        int signal_fd;       /* the init's signalfd */
        int tty_fd;          /* spec->tty: the pty's slave, for the payload's stdio; else -EBADF */
        pid_t payload_pid;   /* in the container's pid namespace */
        int userns_sock;     /* --userns=auto: the init's end of the handshake (runtime-userns.c) */
        int userns_tree_fd;  /* the rootfs as a detached tree, from the caller */
        int userns_target_fd; /* O_PATH of the root mount point, in the init's mount namespace */
        int userns_upper_fd; /* ephemeral: the overlay's upper and work directories, opened while */
        int userns_work_fd;  /* still host UID 0 (their parents are 0700) */
        int userns_netfiles_fd; /* likewise the generated /etc files' directory (netfiles_setup()) */
        bool userns_idmapped; /* caller side: the tree is an idmapped mount */
        int boot_notify_fd;  /* --boot: O_PATH of io->notify_socket, opened while still host UID 0 */
        int start_fifo_fd;   /* O_PATH of io->start_fifo, from before pivot_root until the start */
        RuntimeRecord failure;
} RuntimeContext;

/* Every fd of the context closed (-EBADF). */
#define RUNTIME_CONTEXT_INIT(s, i)                                                                     \
        ((RuntimeContext) {                                                                           \
                .spec = (s), .io = (i), .report_fd = -EBADF, .seccomp_fd = -EBADF, .root_fd = -EBADF, \
                .signal_fd = -EBADF, .tty_fd = -EBADF, .userns_sock = -EBADF, .userns_tree_fd = -EBADF, \
                .userns_target_fd = -EBADF, .userns_upper_fd = -EBADF, .userns_work_fd = -EBADF,    \
                .userns_netfiles_fd = -EBADF, .boot_notify_fd = -EBADF, .start_fifo_fd = -EBADF,      \
        })

/* The spec's rootfs as an O_PATH directory fd, opened without following any symlink: drayd resolved
 * it at create time, so one that appeared since is refused, not followed. */
int runtime_open_rootfs(RuntimeContext *c);

/* The root is a tree of the caller's, bound as it is (not an overlay with an upper directory of the
 * container's own): drayd never creates entries in it. */
static inline bool runtime_root_is_foreign(const RuntimeContext *c) {
        return !spec_uses_overlay(c->spec);
}

/* The init gets a user namespace of its own: drayd's --userns=auto range, or an OCI config's maps. */
static inline bool runtime_makes_userns(const RuntimeContext *c) {
        return c->spec->userns_size > 0 || c->io->uid_map;
}
/* … or joins one (RuntimeIO.join_userns_path). */
static inline bool runtime_in_userns(const RuntimeContext *c) {
        return runtime_makes_userns(c) || c->io->join_userns_path;
}

/* Records why a step failed (stage SETUP; %m is error) and returns -abs(error). */
int runtime_fail(RuntimeContext *c, int error, const char *fmt, ...) _printf_(3, 4);
int runtime_fail_stage(RuntimeContext *c, RuntimeStage stage, int error, const char *fmt, ...)
        _printf_(4, 5);
void runtime_report(int fd, const RuntimeRecord *rec);

/* runtime.c, shared with runtime-join.c (in the caller): the checks before any fork, reading the report
 * socket to its end, and crun's cleanup_pid. */
int runtime_prepare(RuntimeContext *c);
int runtime_collect(RuntimeContext *c, int fd, int *ret_pty);
void kill_and_reap(pid_t *pid);
#define TAKE_PID(p)                     \
        ({                              \
                pid_t _tp = (p);        \
                (p) = 0;                \
                _tp;                    \
        })

/* runtime-clone.c (runs in the caller): fork-like clone into new namespaces; 0 in the child. */
pid_t runtime_clone(unsigned long ns_flags, int cgroup_fd);

/* runtime-fd.c */
int fd_move_to_low(int *fds, size_t n);
int fd_close_from(int first);
int setup_fds(RuntimeContext *c);

/* runtime-mount.c */
#define PROC_FD_PATH_MAX (sizeof("/proc/self/fd/") + 12)
/* "/proc/self/fd/N": mount(2) onto or from an fd, the target resolved once, when the fd was opened. */
void proc_fd_path(char buf[static PROC_FD_PATH_MAX], int fd);
int mount_make_private(RuntimeContext *c);
int mount_setup_root(RuntimeContext *c);
int mount_setup_proc(RuntimeContext *c);
int mount_setup_sys(RuntimeContext *c);
int mount_pivot_root(RuntimeContext *c);
int mount_setup_after_pivot(RuntimeContext *c);
/* The container's own cgroup2 at /sys/fs/cgroup (pure cgroup v2 hosts), mounted with flags. */
int mount_cgroup2(RuntimeContext *c, unsigned long flags);
int mount_at(RuntimeContext *c, int dir_fd, const char *name, const char *source, const char *fstype,
             unsigned long flags, const char *data);
int mkdir_at(RuntimeContext *c, int dir_fd, const char *name, mode_t mode);

/* runtime-mounts.c: the spec's bind and tmpfs mounts, and the tmpfs /tmp and /run of a read-only
 * root, inside the root before pivot_root. */
int mount_setup_user(RuntimeContext *c);
/* runtime-netfiles.c: the generated hosts, hostname, resolv.conf; the network namespace to clone into */
int netfiles_setup(RuntimeContext *c);
unsigned long netns_clone_flags(const ContainerSpec *s);
int netns_enter(RuntimeContext *c, int *ret_saved_fd); /* in the caller */
void netns_leave(int *saved_fd);
/* RuntimeIO.join_ns_paths: the clone flags they replace, and their entering and leaving around the
 * clone (runtime-nspath.c). */
unsigned long ns_join_flags(const RuntimeIO *io) _pure_;
typedef struct NsJoinSaved {
        int ns[NS_JOIN_MAX]; /* the caller's own, to go back to */
        int cwd;             /* a mount namespace's setns() moves the caller to its root */
} NsJoinSaved;
int ns_join_enter(RuntimeContext *c, NsJoinSaved *saved); /* in the caller */
void ns_join_leave(NsJoinSaved *saved);

/* runtime-userns.c: the caller's half (after clone, before the init goes on) and the init's */
int userns_setup_parent(RuntimeContext *c, pid_t pid, int sock);
/* runtime-mount.c, in the caller: an image's root for the user namespace of userns_fd. */
int mount_overlay_idmapped(RuntimeContext *c, int userns_fd, int *ret);
int userns_setup_child(RuntimeContext *c);
/* runtime-userjoin.c: RuntimeIO.join_userns_path, in the caller (prepare, collect) and the helper */
int userns_join_prepare(RuntimeContext *c);
pid_t userns_join_clone(RuntimeContext *c, unsigned long ns_flags);
int userns_join_collect(RuntimeContext *c, pid_t *helper, int sock, pid_t *ret_init);

/* runtime-dev.c */
int dev_setup(RuntimeContext *c);

/* runtime-caps.c */
int caps_bounding_keep(RuntimeContext *c, uint64_t keep);
int caps_set_process(RuntimeContext *c, uint64_t mask);
int caps_set_sets(RuntimeContext *c, uint64_t mask, uint64_t inheritable, uint64_t ambient);

/* runtime-exec.c: the payload, in the child forked by the init. Never returns. */
_noreturn_ void exec_payload(RuntimeContext *c);

/* runtime-boot.c: --boot, the steps that differ (each a no-op for other containers), and the exec of
 * the tree's init as PID 1. */
int boot_open_notify(RuntimeContext *c);
int boot_setup_mounts(RuntimeContext *c);
int boot_setup_cgroup(RuntimeContext *c);
int boot_setup_console(RuntimeContext *c);
_noreturn_ void boot_exec(RuntimeContext *c);

/* runtime-gate.c: the OCI create/start split (io->start_fifo) and io->sysctl */
int gate_open(RuntimeContext *c);
int gate_wait(RuntimeContext *c);
int sysctl_setup(RuntimeContext *c);

/* runtime-init.c */
int init_setup_process(RuntimeContext *c);
int init_setup_signals(RuntimeContext *c);
int init_setup_tty(RuntimeContext *c);
int init_fork_payload(RuntimeContext *c);
int init_drop_privileges(RuntimeContext *c);
_noreturn_ void init_run(RuntimeContext *c);

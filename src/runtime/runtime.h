/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/ioctl.h>
#include <sys/types.h>

#include "spec.h"

/* The container runtime: turns a ContainerSpec into a running payload.
 *
 * runtime_start() clones the container's init (PID 1 of new pid, mount, uts, ipc, net and cgroup
 * namespaces). The init builds the root, pivots into it and forks the payload (PID 2), which drops
 * privileges and execs the command. runtime_start() returns once that execve() succeeded, or with the
 * reason it failed. The init stays behind as a minimal init: it forwards signals to the payload,
 * reaps zombies and exits with the payload's status (128+N when the payload was killed by signal N).
 * The caller is its parent and reaps it (SIGCHLD). */

/* What the runtime is handed besides the spec: the payload's stdio and the host-side places it may
 * use. Every fd is the caller's; none of them, nor any other fd of the caller, reaches the container
 * except as the payload's stdin, stdout and stderr. */
/* RuntimeIO.join_ns_paths' order. */
enum { NS_JOIN_IPC, NS_JOIN_UTS, NS_JOIN_CGROUP, NS_JOIN_PID, NS_JOIN_MNT };
#define NS_JOIN_MAX 5

typedef struct RuntimeIO {
        int stdin_fd;           /* < 0: /dev/null */
        int stdout_fd;          /* required */
        int stderr_fd;          /* required */
        int cgroup_fd;          /* < 0: stay in the caller's cgroup; else a cgroup2 directory (O_RDONLY)
                                 * the init is cloned into (CLONE_INTO_CGROUP) */
        const char *root_mount; /* existing empty directory the root is mounted on, in the container's
                                 * mount namespace only (/run/dray/containers/<id>/rootfs) */
        const char *upper_dir;  /* spec->ephemeral only: overlayfs upper and work directories, both */
        const char *work_dir;   /* existing, on one filesystem (/var/lib/dray/containers/<id>/…) */
        int seccomp_fd;         /* < 0: no seccomp filter; else a readable fd of a compiled filter
                                 * (seccomp-bpf.h), which the payload loads last before execve(). */
        /* spec->tty: the payload's stdio is a pseudo-terminal that the init opens from the container's
         * own devpts instance, so the payload never holds a terminal of the host (TIOCSTI). The init
         * hands its master to the caller: *pty_master (required then) gets it, close-on-exec, on
         * success. window: its initial size, or NULL. stdin_fd is not used. */
        int *pty_master;
        const struct winsize *window;
        /* Not 0: the payload sets its oom_score_adj to this (a raise, which needs no privilege) before
         * execve(), so that the OOM killer prefers it to the caller and the init. */
        int payload_oom_score_adj;
        /* -1: the payload starts with umask 0022 (Docker's); else this umask (an OCI process.user.umask). */
        int payload_umask;
        /* spec->boot: a datagram socket of the caller's, bound into the container as /run/host/notify
         * and named by $NOTIFY_SOCKET for its init (systemd's Container Interface); NULL: none. */
        const char *notify_socket;
        /* Socket activation and --preserve-fds: these become the payload's fds 3, 4, … (the only fds of
         * the caller besides stdio that reach the container). The first n_listen_fds are listening
         * sockets: the payload then gets LISTEN_FDS, LISTEN_PID (its own PID, as it sees it) and
         * LISTEN_FDNAMES (listen_fdnames, or none) in its environment, replacing any of the spec's. */
        const int *pass_fds;
        size_t n_pass_fds;
        size_t n_listen_fds;
        const char *listen_fdnames;
        /* The OCI runtime's create/start split (dray-oci): a FIFO's path on the host. The init opens it
         * before pivot_root and, once the container is built, reports that and waits for a reader of
         * the FIFO (`dray-oci start`) before it forks the payload; runtime_start() returns at that
         * report. Errors of the payload's own setup and exec then only show in its exit status and on
         * its stderr. NULL: no wait. */
        const char *start_fifo;
        /* The init outlives the caller (no parent death signal): an OCI runtime exits after create, and
         * the engine's shim, a subreaper, becomes the init's parent. */
        bool orphan;
        /* "key=value" sysctls of the container's own namespaces (net.*, kernel.shm*, …), written into
         * its /proc/sys before anything runs in it; NULL: none. */
        char *const *sysctl;
        /* An OCI config's noNewPrivileges false: the payload may gain privileges through execve()
         * (setuid binaries); its seccomp filter is then loaded before it drops root's capabilities (as
         * runc does), so the filter must allow what the drop needs. */
        bool allow_new_privs;
        /* custom_masks: these masked and read-only paths (NULL-terminated, NULL: none) instead of
         * Docker's (src/security/masked-paths.h). */
        bool custom_masks;
        const char *const *masked_paths;
        const char *const *readonly_paths;
        /* An OCI config's rootfsPropagation: MS_SHARED, MS_SLAVE, MS_PRIVATE or MS_UNBINDABLE, maybe
         * | MS_REC, set on the root after pivot_root; shared and slave make every mount a slave of the
         * host's first (else private). 0: private. */
        unsigned long root_propagation;
        /* The tmpfs options of /dev/shm (validated: tmpfs_options_validate()), NULL: mode=1777,size=65536k.
         * An OCI config's own /dev/shm entry. */
        const char *shm_options;
        /* CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWCGROUP: namespaces the container shares with the caller
         * instead of getting its own (an OCI config that does not list them). No UTS namespace of its
         * own: the spec's hostname is not set. */
        unsigned long shared_namespaces;
        /* IPC, UTS, cgroup, pid and mount namespaces (in that order, NS_JOIN_*) joined by path instead
         * of made, NULL: not joined. A joined UTS namespace keeps its host name; in a joined pid
         * namespace the init is a member, not its PID 1; in a joined mount namespace the root is built
         * and pivoted to there (as runc does: the namespace is the container's from then on). */
        const char *join_ns_paths[NS_JOIN_MAX];
        /* An OCI config's linux.uidMappings and gidMappings: the user namespace's uid_map and gid_map
         * as written ("ID HOST-ID SIZE" lines), instead of spec->userns_base's single range (then
         * spec->userns_size is 0); userns_root_uid: the host UID container UID 0 maps to (a rootfs
         * owned by it is taken as it is). NULL: none. */
        const char *uid_map;
        const char *gid_map;
        uint32_t userns_root_uid;
        /* A user namespace joined by path instead (no maps then): joined first, as runc does, and every
         * namespace the container makes is then made by, and owned by, it; the init becomes its UID
         * and GID 0. The rootfs is taken as it is (not idmapped). NULL: none. */
        const char *join_userns_path;
        /* The payload's inheritable and ambient capability sets (an OCI config's process.capabilities;
         * drayd's containers leave both empty). Ambient ones must be in the inheritable set and in the
         * payload's own capabilities; a non-root payload keeps those it raises as ambient. */
        uint64_t cap_inheritable;
        uint64_t cap_ambient;
} RuntimeIO;

#define RUNTIME_IO_NULL                                                                          \
        (RuntimeIO) {                                                                           \
                .stdin_fd = -EBADF, .stdout_fd = -EBADF, .stderr_fd = -EBADF, .cgroup_fd = -EBADF, \
                .seccomp_fd = -EBADF, .payload_umask = -1,                                     \
        }

/* Where a start failed: while building the container, or when exec'ing the command. Only the latter
 * maps to Docker's "command not found" (127) and "not executable" (126). */
typedef enum RuntimeStage {
        RUNTIME_STAGE_SETUP,
        RUNTIME_STAGE_EXEC,
        _RUNTIME_STAGE_MAX,
        _RUNTIME_STAGE_INVALID = -EINVAL,
} RuntimeStage;

#define RUNTIME_MESSAGE_MAX 240

typedef struct RuntimeError {
        int error;                         /* positive errno */
        RuntimeStage stage;
        char message[RUNTIME_MESSAGE_MAX]; /* one line: "exec 'foo': executable file not found in $PATH" */
} RuntimeError;

/* Starts the container. On success *ret_init_pid is the init's PID (in the caller's pid namespace)
 * and the payload has exec'd. On failure returns a negative errno, fills *error (if not NULL), and
 * the init has been killed and reaped. */
int runtime_start(const ContainerSpec *spec, const RuntimeIO *io, RuntimeError *error, pid_t *ret_init_pid);

/* `dray exec`: starts spec's process (command, env, user, working directory, terminal; capabilities and
 * seccomp filter as the container's) in the namespaces of the running container whose init is
 * target_pid, as a child of the caller. The caller must be single-purpose: it joins the container's
 * pid namespace for its children. Returns once the process exec'd, like runtime_start(); root_mount,
 * upper_dir, work_dir and cgroup_fd of io are not used. */
int runtime_join(const ContainerSpec *spec, const RuntimeIO *io, pid_t target_pid, RuntimeError *error,
                 pid_t *ret_pid);

/* Docker's exit status for a failed start: 127 command not found, 126 not executable, 125 else. */
int runtime_error_exit_status(const RuntimeError *e);

/* A waitpid() status as a shell would report it: the exit code, or 128+N when killed by signal N. */
int runtime_exit_status_from_wait(int wstatus);

/* The payload's capability set for cap_add/cap_drop (names "CAP_X" or "X", any case, "ALL"), as a
 * mask of 1 << CAP_X: Docker's default 14 capabilities, adjusted the way Docker adjusts them.
 * -EINVAL (and the offending name in *ret_bad, if not NULL) for an unknown name. */
int runtime_caps_from_spec(char *const *cap_add, char *const *cap_drop, uint64_t *ret_mask,
                           const char **ret_bad);

/* --boot: systemd-nspawn's capability set for a booted container, adjusted by cap_add/cap_drop. */
int runtime_boot_caps(const ContainerSpec *s, uint64_t *ret_mask, const char **ret_bad);

/* Every capability this process's bounding set still holds: what --privileged and "ALL" give. */
uint64_t runtime_caps_all(void);

const char *runtime_stage_to_string(RuntimeStage s) _pure_;

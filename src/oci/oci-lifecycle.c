/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* create, start, run, delete, kill: the runtime spec's lifecycle. create builds the container through
 * runtime_start() with a start FIFO: the init reports the container built and waits for a reader of
 * ROOT/ID/exec.fifo before it forks the payload (runc's exec FIFO); start is that reader. */
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "atomic-write.h"
#include "contract.h"
#include "log.h"
#include "oci-cgroup.h"
#include "oci-config.h"
#include "oci-devices.h"
#include "oci-exec.h"
#include "oci-hooks.h"
#include "oci-state.h"
#include "oci-util.h"
#include "oci-verbs.h"
#include "parse-util.h"
#include "proc-util.h"
#include "runtime.h"
#include "seccomp-bpf.h"
#include "time-util.h"

#define IN_SET_STATUS_LIVE(s) ((s) == OCI_STATUS_CREATED || (s) == OCI_STATUS_RUNNING || (s) == OCI_STATUS_PAUSED)

typedef struct CreateOptions {
        const char *bundle;
        const char *pid_file;
        const char *console_socket;
        unsigned preserve_fds;
        bool detach;
} CreateOptions;

/* Everything create made, undone in reverse on failure. */
typedef struct Created {
        const OciGlobal *g;
        char *id;
        int root_fd;
        int dir_fd;
        pid_t init_pid;
        char *unit;
        char *cgroup;
        bool own_cgroup;
        char *own_cgroups; /* dray-oci's own, to return to (oci_cgroup_save_self()) */
        char *scope_cgroup; /* the scope's path, where linux.resources made v1 directories */
        bool keep;
} Created;

static void created_undo(Created *c) {
        if (c->own_cgroups)
                oci_cgroup_return(c->own_cgroups);
        if (!c->keep) {
                if (c->init_pid > 0) {
                        (void) kill(c->init_pid, SIGKILL);
                        (void) waitpid(c->init_pid, NULL, 0);
                }
                /* A scope is not stopped: systemd removes it once its last process is gone. */
                if (c->own_cgroup && c->cgroup) {
                        (void) oci_cgroup_remove(c->cgroup);
                        oci_resources_remove(c->cgroup);
                }
                if (c->scope_cgroup)
                        oci_resources_remove(c->scope_cgroup);
                if (c->dir_fd >= 0) {
                        (void) unlinkat(c->dir_fd, "exec.fifo", 0);
                        (void) unlinkat(c->dir_fd, "rootfs", AT_REMOVEDIR);
                        (void) unlinkat(c->dir_fd, "state.json", 0);
                        (void) unlinkat(c->root_fd, c->id, AT_REMOVEDIR);
                }
        }
        safe_close(c->dir_fd);
        safe_close(c->root_fd);
        free(c->own_cgroups);
        free(c->unit);
        free(c->cgroup);
        free(c->scope_cgroup);
        free(c->id);
}

static int open_root(const OciGlobal *g, int *ret) {
        int fd;

        _cleanup_free_ char *p = strdup(g->root);

        if (!p)
                return log_oom();
        /* With its parents, as runc: containerd's shim names /run/containerd/runc/NAMESPACE. */
        for (char *slash = p + 1;; slash++) {
                char saved = *slash;

                if (saved != '/' && saved != 0)
                        continue;
                *slash = 0;
                if (mkdir(p, 0711) < 0 && errno != EEXIST)
                        return log_error_errno(errno, "Cannot create the state directory %s: %m", p);
                *slash = saved;
                if (saved == 0)
                        break;
        }
        fd = open(g->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(errno, "Cannot open the state directory %s: %m", g->root);
        *ret = fd;
        return 0;
}

int oci_open_container(const OciGlobal *g, const char *id, int *ret_fd) {
        _cleanup_free_ char *path = NULL;
        int fd;

        if (!oci_id_is_valid(id))
                return log_error_errno(EINVAL, "'%s' is not a valid container ID", strna(id));
        if (asprintf(&path, "%s/%s", g->root, id) < 0)
                return log_oom();
        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0 && errno == ENOENT)
                return log_error_errno(ENOENT, "container '%s' does not exist", id);
        if (fd < 0)
                return log_error_errno(errno, "Cannot open %s: %m", path);
        *ret_fd = fd;
        return 0;
}

static char *now_rfc3339(void) {
        struct timespec ts;
        struct tm tm;
        char buf[64], *s;

        (void) clock_gettime(CLOCK_REALTIME, &ts);
        (void) gmtime_r(&ts.tv_sec, &tm);
        (void) strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
        if (asprintf(&s, "%s.%09ldZ", buf, ts.tv_nsec) < 0)
                return NULL;
        return s;
}

/* runc's console socket protocol: the pty master as SCM_RIGHTS, with its name as the payload. */
int oci_send_console(const char *socket_path, int master) {
        _cleanup_close_ int fd = -EBADF;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        char name[] = "/dev/ptmx";
        struct iovec iov = { .iov_base = name, .iov_len = sizeof(name) - 1 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof(control) };
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

        if (strlen(socket_path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        strncpy(sa.sun_path, socket_path, sizeof(sa.sun_path) - 1);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return -errno;
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &master, sizeof(int));
        if (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0)
                return -errno;
        return 0;
}

/* The payload's seccomp filter, compiled for its capabilities into a memfd the runtime hands on. */
int oci_seccomp_memfd(const OciConfig *config, int *ret) {
        _cleanup_close_ int fd = -EBADF;
        const char *bad = NULL;
        uint64_t caps;
        int r;

        r = runtime_caps_from_spec(config->spec->cap_add, config->spec->cap_drop, &caps, &bad);
        if (r < 0)
                return log_error_errno(r, "unknown capability '%s'", strna(bad));
        fd = memfd_create("dray-oci-seccomp", MFD_CLOEXEC);
        if (fd < 0)
                return log_error_errno(errno, "Cannot create a memfd: %m");
        r = seccomp_profile_export_blob(config->seccomp, caps, fd);
        if (r < 0)
                return log_error_errno(r, "Cannot compile the seccomp filter of linux.seccomp: %m");
        *ret = TAKE_FD(fd);
        return 0;
}

/* The process half of the RuntimeIO that create and exec share. The rlimits are set on ourselves: the
 * payload inherits them through the runtime's fork, as runc's do. */
int oci_process_io(const OciConfig *config, const int *pass_fds, unsigned n_pass_fds, int *seccomp_fd, RuntimeIO *io) {
        int r;

        for (size_t i = 0; i < config->n_rlimits; i++)
                if (setrlimit(config->rlimits[i].resource, &config->rlimits[i].limit) < 0)
                        return log_error_errno(errno, "process.rlimits: cannot set limit %d: %m", config->rlimits[i].resource);
        if (config->seccomp) {
                r = oci_seccomp_memfd(config, seccomp_fd);
                if (r < 0)
                        return r;
                io->seccomp_fd = *seccomp_fd;
        }
        io->stdin_fd = fcntl(STDIN_FILENO, F_GETFD) >= 0 ? STDIN_FILENO : -EBADF;
        io->allow_new_privs = !config->no_new_privs;
        io->payload_umask = config->umask;
        io->cap_inheritable = config->cap_inheritable;
        io->cap_ambient = config->cap_ambient;
        io->stdout_fd = STDOUT_FILENO;
        io->stderr_fd = STDERR_FILENO;
        io->pass_fds = pass_fds;
        io->n_pass_fds = n_pass_fds;
        return 0;
}

static int state_json_string(const OciState *s, OciStatus status, char **ret) {
        _cleanup_json_ json_object *o = NULL;
        int r = oci_state_to_json(s, status, &o);

        if (r < 0)
                return r;
        *ret = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        return *ret ? 0 : -ENOMEM;
}

static int run_hooks(const OciConfig *config, OciHookKind kind, const OciState *s, OciStatus status, pid_t ns_pid) {
        _cleanup_free_ char *json = NULL, *error = NULL;
        int r;

        if (!config || config->n_hooks[kind] == 0)
                return 0;
        r = state_json_string(s, status, &json);
        if (r < 0)
                return log_oom();
        r = oci_hooks_run(config->hooks[kind], config->n_hooks[kind], kind, json, ns_pid, &error);
        if (r < 0)
                return log_error_errno(r, "%s", error ?: "hook failed");
        return 0;
}

/* As runc: a temporary file beside it, renamed over it, so a reader never sees it half-written. */
int oci_write_pid_file(const char *path, pid_t pid) {
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -EBADF;
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "%d", (int) pid), r;

        if (asprintf(&tmp, "%s.tmp-dray-oci", path) < 0)
                return log_oom();
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return log_error_errno(errno, "Cannot write the pid file %s: %m", path);
        r = loop_write(fd, buf, (size_t) n);
        if (r >= 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0) {
                (void) unlink(tmp);
                return log_error_errno(r, "Cannot write the pid file %s: %m", path);
        }
        return 0;
}

int oci_preserved_fds(unsigned n, int *fds) {
        for (unsigned i = 0; i < n; i++) {
                if (fcntl(3 + (int) i, F_GETFD) < 0)
                        return log_error_errno(EBADF, "--preserve-fds=%u: fd %u is not open", n, 3 + i);
                fds[i] = 3 + (int) i;
        }
        return 0;
}

/* create, and the first half of run. */
static int container_create(const OciGlobal *g, const char *id, const CreateOptions *o, bool orphan, Created *c,
                            OciConfig **ret_config, OciState **ret_state) {
        _cleanup_(oci_config_freep) OciConfig *config = NULL;
        _cleanup_(oci_state_freep) OciState *state = NULL;
        _cleanup_free_ char *bundle = NULL, *error = NULL, *fifo = NULL, *rootfs = NULL, *slice = NULL,
                            *config_path = NULL;
        _cleanup_close_ int seccomp_fd = -EBADF, pty = -EBADF;
        int pass_fds[PASS_FDS_MAX];
        RuntimeIO io = RUNTIME_IO_NULL;
        RuntimeError rerr = {};
        struct winsize ws = {};
        json_object *hooks_obj = NULL;
        mode_t fifo_mode;
        int r;

        if (!oci_id_is_valid(id))
                return log_error_errno(EINVAL, "'%s' is not a valid container ID", strna(id));
        if (o->preserve_fds > PASS_FDS_MAX)
                return log_error_errno(E2BIG, "--preserve-fds: at most %u", PASS_FDS_MAX);
        r = oci_preserved_fds(o->preserve_fds, pass_fds);
        if (r < 0)
                return r;
        bundle = realpath(o->bundle ?: ".", NULL);
        if (!bundle)
                return log_error_errno(errno, "bundle '%s': %m", o->bundle ?: ".");
        r = oci_config_load(bundle, id, oci_warn, NULL, &config, &error);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                return log_error_errno(r, "%s", error ?: "invalid config.json");

        r = open_root(g, &c->root_fd);
        if (r < 0)
                return r;
        c->id = strdup(id);
        if (!c->id)
                return log_oom();
        if (mkdirat(c->root_fd, id, 0711) < 0) {
                if (errno == EEXIST)
                        return log_error_errno(EEXIST, "container '%s' already exists", id);
                return log_error_errno(errno, "Cannot create %s/%s: %m", g->root, id);
        }
        c->dir_fd = openat(c->root_fd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (c->dir_fd < 0)
                return log_error_errno(errno, "Cannot open %s/%s: %m", g->root, id);
        /* The init opens the FIFO for writing: as host root, or as the root of its user namespace,
         * which the host does not map (then, as runc, anybody may write it; only root reads it). */
        fifo_mode = config->uid_map || config->join_userns_path ? 0622 : 0600;
        if (mkdirat(c->dir_fd, "rootfs", 0700) < 0 || mkfifoat(c->dir_fd, "exec.fifo", fifo_mode) < 0 ||
            fchmodat(c->dir_fd, "exec.fifo", fifo_mode, 0) < 0)
                return log_error_errno(errno, "Cannot prepare %s/%s: %m", g->root, id);
        if (asprintf(&fifo, "%s/%s/exec.fifo", g->root, id) < 0 || asprintf(&rootfs, "%s/%s/rootfs", g->root, id) < 0 ||
            asprintf(&config_path, "%s/config.json", bundle) < 0)
                return log_oom();

        r = oci_cgroup_save_self(&c->own_cgroups);
        if (r < 0)
                return log_error_errno(r, "Cannot read /proc/self/cgroup: %m");
        /* The cgroup first: the init is born in it. Every controller the resources need is there, or
         * nothing is made. */
        r = oci_resources_check(config->resources, g->systemd_cgroup, &error);
        if (r < 0)
                return log_error_errno(r, "%s", error ?: "linux.resources: cannot be set here");
        if (g->systemd_cgroup) {
                r = oci_cgroup_scope_name(config->cgroups_path, id, &c->unit, &slice);
                if (r < 0)
                        return log_error_errno(r, "linux.cgroupsPath '%s' is not SLICE:PREFIX:NAME", strna(config->cgroups_path));
                r = oci_cgroup_start_scope(c->unit, slice, id, config->spec, oci_resources_append_properties,
                                           config->resources, &error);
                if (r < 0) {
                        free(c->unit);
                        c->unit = NULL;
                        return log_error_errno(r, "%s", error ?: "Cannot start the systemd scope");
                }
        } else {
                r = oci_cgroup_make(config->cgroups_path, id, config->spec,
                                    &(OciCgroupV1Limits) { .cpu_shares = config->cpu_shares, .cpu_quota = config->cpu_quota,
                                                           .cpu_period = config->cpu_period },
                                    &c->cgroup, &error);
                c->own_cgroup = c->cgroup != NULL; /* also after a failure: created_undo() removes it */
                if (r < 0)
                        return log_error_errno(r, "%s", error ?: "Cannot create the cgroup");
        }
        if (c->unit && config->resources) {
                r = oci_cgroup_of_pid(getpid(), &c->scope_cgroup);
                if (r < 0)
                        return log_error_errno(r, "Cannot read the scope's cgroup: %m");
        }
        r = oci_resources_apply(config->resources, g->systemd_cgroup, &error);
        if (r < 0)
                return log_error_errno(r, "%s", error ?: "Cannot set linux.resources");
        /* The device cgroup, before the init exists. With --systemd-cgroup too: systemd's DeviceAllow=
         * names devices by path or by a major's name in /proc/devices, never a numeric wildcard major
         * ("c *:1") nor the order of allow and deny rules, so the scope's cgroup gets dray-oci's own
         * program (crun's choice), beside whatever systemd attaches, and on a hybrid host the v1 lists of
         * the scope's devices cgroup (systemd realizes a delegated scope there and writes nothing to it
         * without a DevicePolicy=). */
        r = oci_devices_apply_self(&config->devices, &error);
        if (r < 0)
                return log_error_errno(r, "linux.resources.devices: %s", error ?: "cannot set up the device cgroup");

        r = oci_process_io(config, pass_fds, o->preserve_fds, &seccomp_fd, &io);
        if (r < 0)
                return r;
        io.root_mount = rootfs;
        io.start_fifo = fifo;
        io.orphan = orphan;
        io.sysctl = config->sysctl;
        io.shared_namespaces = config->shared_namespaces;
        _Static_assert(OCI_NS_JOIN_MAX == NS_JOIN_MAX, "ipc, uts, cgroup, pid, mount on both sides");
        for (size_t i = 0; i < NS_JOIN_MAX; i++)
                io.join_ns_paths[i] = config->join_ns_paths[i];
        io.uid_map = config->uid_map;
        io.gid_map = config->gid_map;
        io.userns_root_uid = config->userns_root_uid;
        io.join_userns_path = config->join_userns_path;
        io.custom_masks = config->custom_masks;
        io.masked_paths = (const char *const *) config->masked_paths;
        io.readonly_paths = (const char *const *) config->readonly_paths;
        io.shm_options = config->shm_options;
        io.root_propagation = config->root_propagation;
        io.payload_oom_score_adj = config->has_oom_score_adj ? config->oom_score_adj : 0;
        if (config->spec->tty) {
                if (!o->console_socket)
                        return log_error_errno(EINVAL, "process.terminal needs --console-socket");
                io.pty_master = &pty;
                if (config->console_rows > 0 && config->console_cols > 0) {
                        ws = (struct winsize) { .ws_row = config->console_rows, .ws_col = config->console_cols };
                        io.window = &ws;
                }
        }

        r = runtime_start(config->spec, &io, &rerr, &c->init_pid);
        oci_cgroup_return(c->own_cgroups);
        if (r < 0)
                return log_error_errno(r, "%s", rerr.message);
        if (pty >= 0) {
                r = oci_send_console(o->console_socket, pty);
                if (r < 0)
                        return log_error_errno(r, "Cannot send the terminal to --console-socket %s: %m", o->console_socket);
        }

        state = calloc(1, sizeof(*state));
        if (!state || !(state->id = strdup(id)) || !(state->created = now_rfc3339()))
                return log_oom();
        state->bundle = TAKE_PTR(bundle);
        state->config = TAKE_PTR(config_path);
        state->pid = c->init_pid;
        r = proc_get_starttime(c->init_pid, &state->starttime);
        if (r < 0)
                return log_error_errno(r, "Cannot read the start time of the container's init: %m");
        r = oci_cgroup_of_pid(c->init_pid, &state->cgroup);
        if (r < 0)
                return log_error_errno(r, "Cannot read the cgroup of the container's init: %m");
        if (!c->unit && !c->cgroup) {
                c->cgroup = strdup(state->cgroup);
                if (!c->cgroup)
                        return log_oom();
        }
        if (c->unit && !(state->unit = strdup(c->unit)))
                return log_oom();
        state->own_cgroup = c->own_cgroup;
        if (config->annotations)
                state->annotations = json_object_get(config->annotations);
        {
                _cleanup_json_ json_object *cfg = NULL;

                if (json_read_file(AT_FDCWD, state->config, &cfg) >= 0 && json_object_object_get_ex(cfg, "hooks", &hooks_obj) &&
                    json_object_is_type(hooks_obj, json_type_object)) {
                        state->hooks = json_object_new_object();
                        if (!state->hooks || json_object_object_add(state->hooks, "hooks", json_object_get(hooks_obj)) < 0)
                                return log_oom();
                }
        }
        r = oci_state_save(c->dir_fd, state);
        if (r < 0)
                return log_error_errno(r, "Cannot write the state of '%s': %m", id);

        /* The container exists, its process does not run yet. */
        if ((r = run_hooks(config, OCI_HOOK_PRESTART, state, OCI_STATUS_CREATED, 0)) < 0 ||
            (r = run_hooks(config, OCI_HOOK_CREATE_RUNTIME, state, OCI_STATUS_CREATING, 0)) < 0 ||
            (r = run_hooks(config, OCI_HOOK_CREATE_CONTAINER, state, OCI_STATUS_CREATING, c->init_pid)) < 0)
                return r;
        if (o->pid_file) {
                r = oci_write_pid_file(o->pid_file, c->init_pid);
                if (r < 0)
                        return r;
        }
        *ret_config = TAKE_PTR(config);
        *ret_state = TAKE_PTR(state);
        return 0;
}

static const struct option create_options[] = {
        { "bundle",         required_argument, NULL, 'b' },
        { "pid-file",       required_argument, NULL, 'p' },
        { "console-socket", required_argument, NULL, 'c' },
        { "preserve-fds",   required_argument, NULL, 'f' },
        { "no-pivot",       no_argument,       NULL, 'P' },
        { "no-new-keyring", no_argument,       NULL, 'K' },
        { "detach",         no_argument,       NULL, 'd' },
        { "keep",           no_argument,       NULL, 'k' },
        {}
};

static int parse_create_options(const char *verb, int argc, char **argv, CreateOptions *o, const char **ret_id) {
        int opt;

        optind = 1;
        opterr = 0;
        while ((opt = getopt_long(argc, argv, "+b:d", create_options, NULL)) >= 0)
                switch (opt) {
                case 'b': o->bundle = optarg; break;
                case 'p': o->pid_file = optarg; break;
                case 'c': o->console_socket = optarg; break;
                case 'f':
                        if (safe_atou32(optarg, &o->preserve_fds) < 0)
                                return log_error_errno(EINVAL, "--preserve-fds: '%s' is not a number", optarg);
                        break;
                case 'P':
                        /* pivot_root always: a container root on a ramfs is not supported. */
                        log_debug("--no-pivot: dray always uses pivot_root");
                        break;
                case 'K': break; /* the runtime never makes a session keyring */
                case 'd':
                        if (!streq(verb, "run"))
                                return log_error_errno(EINVAL, "%s: unknown option '--detach'", verb);
                        o->detach = true;
                        break;
                case 'k': break;
                case ':':
                        return log_error_errno(EINVAL, "%s: option '%s' needs a value", verb, argv[optind - 1]);
                default:
                        return log_error_errno(EINVAL, "%s: unknown option '%s'", verb, argv[optind - 1]);
                }
        if (optind != argc - 1)
                return log_error_errno(EINVAL, "%s: exactly one container ID expected", verb);
        *ret_id = argv[optind];
        return 0;
}

int verb_create(const OciGlobal *g, int argc, char **argv) {
        _cleanup_(oci_config_freep) OciConfig *config = NULL;
        _cleanup_(oci_state_freep) OciState *state = NULL;
        _cleanup_(created_undo) Created c = { .g = g, .root_fd = -EBADF, .dir_fd = -EBADF };
        CreateOptions o = {};
        const char *id = NULL;
        int r;

        r = parse_create_options("create", argc, argv, &o, &id);
        if (r < 0)
                return r;
        r = container_create(g, id, &o, true, &c, &config, &state);
        if (r < 0)
                return r;
        c.keep = true;
        return 0;
}

/* The reader of the exec FIFO: lets the waiting init go on. */
static int container_release(int dir_fd, const OciState *s) {
        _cleanup_close_ int fd = -EBADF;
        char b;

        fd = openat(dir_fd, "exec.fifo", O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return log_error_errno(errno, "container '%s' is not in the created state", s->id);
        for (;;) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                ssize_t n;

                if (poll(&p, 1, 100) < 0 && errno != EINTR)
                        return log_error_errno(errno, "poll: %m");
                n = read(fd, &b, 1);
                if (n == 1)
                        break;
                if (n < 0 && errno != EAGAIN && errno != EINTR)
                        return log_error_errno(errno, "Cannot read the exec FIFO: %m");
                if (!oci_state_alive(s))
                        return log_error_errno(ESRCH, "container '%s' ended before it started", s->id);
        }
        (void) unlinkat(dir_fd, "exec.fifo", 0);
        return 0;
}

static int load_hooks(const OciState *s, OciConfig **ret) {
        _cleanup_free_ char *error = NULL;
        int r;

        *ret = NULL;
        if (!s->hooks)
                return 0;
        r = oci_config_parse_hooks(s->hooks, ret, &error);
        if (r < 0)
                return log_error_errno(r, "hooks of the state: %s", strna(error));
        return 0;
}

static int container_start(int dir_fd, const OciState *s) {
        _cleanup_(oci_config_freep) OciConfig *hooks = NULL;
        int r;

        r = load_hooks(s, &hooks);
        if (r < 0)
                return r;
        r = run_hooks(hooks, OCI_HOOK_START_CONTAINER, s, OCI_STATUS_CREATED, s->pid);
        if (r < 0)
                return r;
        r = container_release(dir_fd, s);
        if (r < 0)
                return r;
        /* The process runs: a failing poststart hook is a warning, as in runc. */
        if (run_hooks(hooks, OCI_HOOK_POSTSTART, s, OCI_STATUS_RUNNING, 0) < 0)
                log_warning("A poststart hook failed; the container runs.");
        return 0;
}

static int load_container(const OciGlobal *g, const char *id, int *ret_dir, OciState **ret) {
        _cleanup_close_ int dir = -EBADF;
        int r;

        r = oci_open_container(g, id, &dir);
        if (r < 0)
                return r;
        r = oci_state_load(dir, ret);
        if (r < 0)
                return log_error_errno(r, "container '%s': cannot read its state: %m", id);
        *ret_dir = TAKE_FD(dir);
        return 0;
}

static int one_id(const char *verb, int argc, char **argv, const char **ret) {
        if (argc != 2)
                return log_error_errno(EINVAL, "%s: exactly one container ID expected", verb);
        if (argv[1][0] == '-')
                return log_error_errno(EINVAL, "%s: unknown option '%s'", verb, argv[1]);
        *ret = argv[1];
        return 0;
}

int verb_start(const OciGlobal *g, int argc, char **argv) {
        _cleanup_(oci_state_freep) OciState *s = NULL;
        _cleanup_close_ int dir = -EBADF;
        const char *id = NULL;
        OciStatus st;
        int r;

        r = one_id("start", argc, argv, &id);
        if (r < 0)
                return r;
        r = load_container(g, id, &dir, &s);
        if (r < 0)
                return r;
        st = oci_state_status(dir, s);
        if (st != OCI_STATUS_CREATED)
                return log_error_errno(EINVAL, "container '%s' is %s, not created", id, oci_status_to_string(st));
        return container_start(dir, s);
}

/* Removes what create made: the poststop hooks run first (the spec's order), then the scope or
 * cgroup, the FIFO, the mount point, the state. */
static int container_destroy(const OciGlobal *g, int dir_fd, const OciState *s) {
        _cleanup_(oci_config_freep) OciConfig *hooks = NULL;
        _cleanup_close_ int root = -EBADF;

        if (load_hooks(s, &hooks) >= 0 && run_hooks(hooks, OCI_HOOK_POSTSTOP, s, OCI_STATUS_STOPPED, 0) < 0)
                log_warning("A poststop hook failed; the container is removed all the same.");
        if (s->unit)
                (void) oci_cgroup_stop_scope(s->unit);
        else if (s->own_cgroup && s->cgroup)
                (void) oci_cgroup_remove(s->cgroup);
        if (s->unit || s->own_cgroup)
                oci_resources_remove(s->cgroup); /* the v1 blkio, cpuset, hugetlb ones */
        (void) unlinkat(dir_fd, "exec.fifo", 0);
        (void) unlinkat(dir_fd, "rootfs", AT_REMOVEDIR);
        (void) unlinkat(dir_fd, "state.json", 0);
        root = open(g->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root < 0 || unlinkat(root, s->id, AT_REMOVEDIR) < 0)
                return log_error_errno(errno, "Cannot remove %s/%s: %m", g->root, s->id);
        return 0;
}

/* SIGKILL to everything of the container, then a bounded wait for its init to be gone. */
static int container_kill_wait(const OciState *s) {
        if (s->cgroup) {
                (void) oci_cgroup_freeze(s->cgroup, false);
                (void) oci_cgroup_kill(s->cgroup, SIGKILL);
        }
        (void) kill(s->pid, SIGKILL);
        for (int i = 0; i < 1000 && oci_state_alive(s); i++)
                (void) usleep(10000);
        return oci_state_alive(s) ? -EBUSY : 0;
}

int verb_delete(const OciGlobal *g, int argc, char **argv) {
        _cleanup_(oci_state_freep) OciState *s = NULL;
        _cleanup_close_ int dir = -EBADF;
        const char *id = NULL;
        bool force = false;
        OciStatus st;
        int r;

        for (int i = 1; i < argc; i++) {
                if (STR_IN_SET(argv[i], "--force", "-f"))
                        force = true;
                else if (argv[i][0] == '-')
                        return log_error_errno(EINVAL, "delete: unknown option '%s'", argv[i]);
                else if (id)
                        return log_error_errno(EINVAL, "delete: exactly one container ID expected");
                else
                        id = argv[i];
        }
        if (!id)
                return log_error_errno(EINVAL, "delete: exactly one container ID expected");
        if (force && oci_id_is_valid(id)) {
                _cleanup_free_ char *path = NULL;

                if (asprintf(&path, "%s/%s", g->root, id) < 0)
                        return log_oom();
                if (access(path, F_OK) < 0 && errno == ENOENT)
                        return 0;
        }
        r = load_container(g, id, &dir, &s);
        if (r < 0)
                return r;
        st = oci_state_status(dir, s);
        if (IN_SET_STATUS_LIVE(st)) {
                if (!force && st != OCI_STATUS_CREATED)
                        return log_error_errno(EBUSY, "container '%s' is %s: stop it first, or use --force", id,
                                               oci_status_to_string(st));
                r = container_kill_wait(s);
                if (r < 0)
                        return log_error_errno(r, "container '%s' did not end after SIGKILL", id);
        }
        return container_destroy(g, dir, s);
}

/* The init treats an untagged SIGINT as a reboot request (systemd's container interface); a signal of
 * dray's is tagged (contract.h), as drayd tags its own. */
static int signal_init(pid_t pid, int sig) {
        siginfo_t si = { .si_signo = sig, .si_code = SI_QUEUE, .si_pid = getpid(), .si_uid = getuid() };

        si.si_value.sival_int = DRAY_SIGNAL_TAG;
        if (sig == SIGKILL || sig == SIGSTOP)
                return kill(pid, sig) < 0 ? -errno : 0;
        return syscall(SYS_rt_sigqueueinfo, pid, sig, &si) < 0 ? -errno : 0;
}

int verb_kill(const OciGlobal *g, int argc, char **argv) {
        _cleanup_(oci_state_freep) OciState *s = NULL;
        _cleanup_close_ int dir = -EBADF;
        const char *id = NULL, *signame = NULL;
        bool all = false;
        int sig = SIGTERM, r;
        OciStatus st;

        for (int i = 1; i < argc; i++) {
                if (STR_IN_SET(argv[i], "--all", "-a"))
                        all = true;
                else if (argv[i][0] == '-' && argv[i][1] != 0)
                        return log_error_errno(EINVAL, "kill: unknown option '%s'", argv[i]);
                else if (!id)
                        id = argv[i];
                else if (!signame)
                        signame = argv[i];
                else
                        return log_error_errno(EINVAL, "kill: too many arguments");
        }
        if (!id)
                return log_error_errno(EINVAL, "kill: a container ID expected");
        if (signame && parse_signal(signame, &sig) < 0)
                return log_error_errno(EINVAL, "kill: '%s' is not a signal", signame);
        r = load_container(g, id, &dir, &s);
        if (r < 0)
                return r;
        st = oci_state_status(dir, s);
        if (!IN_SET_STATUS_LIVE(st)) {
                /* As runc's: --all still signals what is left in the cgroup once the init ended
                 * (containerd's shim kills a shared-PID container's leftovers so after its init's
                 * exit); a cgroup already gone has nothing left. A plain kill fails with runc's words,
                 * which containerd's shim reads as "already finished" (its CRI plugin's StopContainer
                 * and RemoveContainer fail on anything else). */
                if (all && s->cgroup) {
                        r = oci_cgroup_kill(s->cgroup, sig);
                        if (r < 0 && r != -ENOENT)
                                return log_error_errno(r, "Cannot send signal %d to container '%s': %m", sig, id);
                        return 0;
                }
                return log_error_errno(ESRCH, "container '%s': container not running", id);
        }
        if (all && s->cgroup)
                r = oci_cgroup_kill(s->cgroup, sig);
        else
                r = signal_init(s->pid, sig);
        if (r < 0)
                return log_error_errno(r, "Cannot send signal %d to container '%s': %m", sig, id);
        return 0;
}

static const int forwarded[] = { SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

/* run = create + start, then (without --detach) wait for the init, our child, and delete. Signals we
 * get are passed on to the container. */
int verb_run(const OciGlobal *g, int argc, char **argv) {
        _cleanup_(oci_config_freep) OciConfig *config = NULL;
        _cleanup_(oci_state_freep) OciState *state = NULL;
        _cleanup_(created_undo) Created c = { .g = g, .root_fd = -EBADF, .dir_fd = -EBADF };
        CreateOptions o = {};
        const char *id = NULL;
        sigset_t mask, old;
        int status = 0, r;
        pid_t pid;

        r = parse_create_options("run", argc, argv, &o, &id);
        if (r < 0)
                return r;
        sigemptyset(&mask);
        for (size_t i = 0; i < ELEMENTSOF(forwarded); i++)
                sigaddset(&mask, forwarded[i]);
        /* Blocked before the init exists: its end is never missed. */
        (void) sigprocmask(SIG_BLOCK, &mask, &old);
        r = container_create(g, id, &o, o.detach, &c, &config, &state);
        if (r < 0)
                return r;
        r = container_start(c.dir_fd, state);
        if (r < 0) {
                (void) sigprocmask(SIG_SETMASK, &old, NULL);
                return r;
        }
        c.keep = true;
        if (o.detach) {
                (void) sigprocmask(SIG_SETMASK, &old, NULL);
                return 0;
        }

        pid = c.init_pid;
        while (waitpid(pid, &status, WNOHANG) != pid) {
                siginfo_t si;
                int sig = sigwaitinfo(&mask, &si);

                if (sig > 0 && sig != SIGCHLD)
                        (void) signal_init(pid, sig);
        }
        (void) sigprocmask(SIG_SETMASK, &old, NULL);
        (void) container_destroy(g, c.dir_fd, state);
        return runtime_exit_status_from_wait(status);
}

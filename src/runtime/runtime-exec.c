/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "runtime-internal.h"
#include "seccomp-bpf.h"
#include "strv.h"

static bool exec_error_is_fatal(int error) {
        /* As execvp(): these mean "not in this PATH directory, try the next one". */
        switch (error) {
        case ENOENT:
        case ENOTDIR:
        case ESTALE:
        case ENODEV:
        case ETIMEDOUT:
                return false;
        default:
                return true;
        }
}

/* Runs the command, looked up in the container's PATH (from its environment, else the default) the
 * way execvp() does, but inside the container root and without execvp()'s fallback of running a
 * file without a #! line through /bin/sh. Returns only on failure. */
static int exec_command(RuntimeContext *c, char *const *env) {
        char *const *argv = c->spec->command;
        char *const *envp = env ?: c->spec->env ?: (char *[]) { NULL };
        const char *cmd = argv[0], *path, *p;
        bool seen_eacces = false;
        char buf[PATH_MAX];

        if (strchr(cmd, '/')) {
                execve(cmd, argv, envp);
                return runtime_fail_stage(c, RUNTIME_STAGE_EXEC, errno, "exec '%s': %m", cmd);
        }

        path = strv_env_get(envp, "PATH") ?: DEFAULT_PATH;
        for (p = path; *p; p += *p == ':') {
                size_t len = strcspn(p, ":");
                int n;

                /* An empty element means the current directory to execvp(); not to us. */
                if (len > 0) {
                        n = snprintf(buf, sizeof(buf), "%.*s/%s", (int) len, p, cmd);
                        if (n > 0 && (size_t) n < sizeof(buf)) {
                                execve(buf, argv, envp);
                                if (errno == EACCES)
                                        seen_eacces = true;
                                else if (exec_error_is_fatal(errno))
                                        return runtime_fail_stage(c, RUNTIME_STAGE_EXEC, errno,
                                                                  "exec '%s': %m", buf);
                        }
                }
                p += len;
        }
        if (seen_eacces)
                return runtime_fail_stage(c, RUNTIME_STAGE_EXEC, EACCES, "exec '%s': %m", cmd);
        return runtime_fail_stage(c, RUNTIME_STAGE_EXEC, ENOENT,
                                  "exec '%s': executable file not found in $PATH", cmd);
}

/* uid/gid and capabilities. The bounding set shrinks first, while we still hold CAP_SETPCAP; a switch
 * to a non-root uid then clears permitted and effective (but for the ambient ones, kept through it as
 * runc keeps them), and caps_set_sets() sets them (root: all of c->caps) with the io's inheritable
 * and ambient sets (drayd's containers: empty). */
static int payload_set_user(RuntimeContext *c) {
        const ContainerSpec *s = c->spec;
        uint64_t inheritable = c->io->cap_inheritable & c->caps, ambient = c->io->cap_ambient & inheritable;
        int r;

        r = caps_bounding_keep(c, c->caps);
        if (r < 0)
                return r;
        /* The groups drayd resolved from the image's /etc/group and --group-add (none: only the
         * primary group's rights). */
        if (setgroups(s->n_groups, s->groups) < 0)
                return runtime_fail(c, errno, "set supplementary groups: %m");
        if (setresgid(s->gid, s->gid, s->gid) < 0)
                return runtime_fail(c, errno, "set group ID %u: %m", (unsigned) s->gid);
        /* Without the kept permitted set, an inheritable one could not be set either. */
        if ((inheritable | ambient) != 0 && s->uid != 0 && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                return runtime_fail(c, errno, "keep capabilities through the user switch: %m");
        if (setresuid(s->uid, s->uid, s->uid) < 0)
                return runtime_fail(c, errno, "set user ID %u: %m", (unsigned) s->uid);
        return caps_set_sets(c, s->uid == 0 ? c->caps : ambient, inheritable, ambient);
}

/* -t: the pty's slave becomes stdin, stdout and stderr (first: fds above the arranged ones are closed
 * next), and after setsid() the session's controlling terminal. */
static int payload_tty_stdio(RuntimeContext *c) {
        if (c->tty_fd < 0)
                return 0;
        for (int fd = 0; fd < 3; fd++)
                if (dup2(c->tty_fd, fd) < 0)
                        return runtime_fail(c, errno, "set up the terminal as stdio: %m");
        c->tty_fd = safe_close(c->tty_fd);
        return 1;
}

/* Socket activation and --preserve-fds: the passed fds become 3, 4, … (inherited across execve), and
 * the report pipe and the seccomp fd, which the payload still needs, move above them. */
static int payload_pass_fds(RuntimeContext *c) {
        size_t n = c->io->n_pass_fds;
        int above = 3 + (int) n + c->n_fds, tmp[64], fd;

        if (n == 0)
                return 0;
        if (n > ELEMENTSOF(tmp))
                return runtime_fail(c, E2BIG, "too many fds to pass on");
        fd = fcntl(c->report_fd, F_DUPFD_CLOEXEC, above);
        if (fd < 0)
                return runtime_fail(c, errno, "move the report pipe: %m");
        c->report_fd = fd;
        if (c->seccomp_fd >= 0) {
                c->seccomp_fd = fcntl(c->seccomp_fd, F_DUPFD_CLOEXEC, above);
                if (c->seccomp_fd < 0)
                        return runtime_fail(c, errno, "move the seccomp fd: %m");
        }
        for (size_t i = 0; i < n; i++) {
                tmp[i] = fcntl(c->pass_fds_at + (int) i, F_DUPFD_CLOEXEC, above);
                if (tmp[i] < 0)
                        return runtime_fail(c, errno, "move a passed fd: %m");
        }
        for (size_t i = 0; i < n; i++) {
                if (dup3(tmp[i], 3 + (int) i, 0) < 0)
                        return runtime_fail(c, errno, "pass fd %zu on: %m", 3 + i);
                (void) close(tmp[i]);
        }
        /* Whatever was between them and the moved fds (the old copies) goes. */
        for (int k = 3 + (int) n; k < above; k++)
                (void) close(k);
        return 0;
}

/* LISTEN_FDS, LISTEN_PID and LISTEN_FDNAMES for the payload, replacing any the spec has (sd_listen_fds(3)):
 * the PID is ours as the payload sees it, the one that execs. NULL without socket activation. */
static char **payload_listen_env(RuntimeContext *c) {
        char **env = NULL;
        char *s;

        if (c->io->n_listen_fds == 0)
                return NULL;
        STRV_FOREACH(e, c->spec->env)
                if (!strneq(*e, "LISTEN_FDS=", 11) && !strneq(*e, "LISTEN_PID=", 11) &&
                    !strneq(*e, "LISTEN_FDNAMES=", 15) && strv_extend(&env, *e) < 0)
                        return NULL;
        if (asprintf(&s, "LISTEN_FDS=%zu", c->io->n_listen_fds) < 0 || strv_consume(&env, s) < 0)
                return NULL;
        if (asprintf(&s, "LISTEN_PID=%i", (int) getpid()) < 0 || strv_consume(&env, s) < 0)
                return NULL;
        if (c->io->listen_fdnames &&
            (asprintf(&s, "LISTEN_FDNAMES=%s", c->io->listen_fdnames) < 0 || strv_consume(&env, s) < 0))
                return NULL;
        return env;
}

static int payload_tty_control(RuntimeContext *c) {
        if (ioctl(STDIN_FILENO, TIOCSCTTY, 0) < 0)
                return runtime_fail(c, errno, "make the terminal the controlling terminal: %m");
        return 0;
}

/* Best effort: a payload that cannot make itself the OOM killer's first choice still runs. The process
 * is non-dumpable (a fork of the init), so its /proc files belong to the host's root, which a user
 * namespace does not map: dumpable for the one write, with no other process in the container yet
 * but the init. */
static void payload_set_oom_score_adj(RuntimeContext *c) {
        _cleanup_close_ int fd = -EBADF;
        char value[16];
        int n;

        if (c->io->payload_oom_score_adj == 0)
                return;
        n = snprintf(value, sizeof(value), "%d", c->io->payload_oom_score_adj);
        (void) prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
        fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
        if (fd >= 0)
                (void) write(fd, value, (size_t) n);
        (void) prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

static int payload_load_seccomp(RuntimeContext *c) {
        int r = seccomp_blob_load(c->seccomp_fd);

        if (r == -EBADMSG)
                return runtime_fail(c, r, "load seccomp filter: not a compiled filter");
        if (r < 0)
                return runtime_fail(c, r, "load seccomp filter: %m");
        c->seccomp_fd = safe_close(c->seccomp_fd);
        return 0;
}

/* In a pid namespace joined by path the init is a member, not its PID 1, whose death would end the
 * payload: the payload dies with the init instead (after the user switch, which clears the setting;
 * an init gone already is seen as another parent). */
static int payload_die_with_init(RuntimeContext *c, pid_t init) {
        if (!c->io->join_ns_paths[NS_JOIN_PID])
                return 0;
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
                return runtime_fail(c, errno, "set parent death signal: %m");
        if (getppid() != init)
                return runtime_fail(c, ESRCH, "the container's init is gone");
        return 0;
}

static int payload_setup(RuntimeContext *c) {
        _cleanup_strv_free_ char **env = NULL;
        bool tty;
        const char *wd = c->spec->working_dir ?: "/";
        pid_t init = getppid();
        sigset_t none;
        int r;

        r = payload_tty_stdio(c);
        if (r < 0)
                return r;
        tty = r > 0;
        /* The init's signalfd and anything else above the arranged fds stay with the init. */
        r = fd_close_from(c->n_fds);
        if (r < 0)
                return runtime_fail(c, r, "close fds: %m");
        r = payload_pass_fds(c);
        if (r < 0)
                return r;
        /* No stdin given: fd 0 is the host's /dev/null, opened before the root existed. Swap it for
         * the container's, so that no fd of the payload was opened on the host's tree. */
        if (c->io->stdin_fd < 0 && !tty) {
                int fd = open("/dev/null", O_RDONLY | O_NOCTTY | O_CLOEXEC);

                if (fd < 0 || dup3(fd, STDIN_FILENO, 0) < 0)
                        return runtime_fail(c, errno, "open the container's /dev/null: %m");
                if (fd != STDIN_FILENO)
                        (void) close(fd);
        }
        sigemptyset(&none);
        if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
                return runtime_fail(c, errno, "unblock signals: %m");
        if (setsid() < 0)
                return runtime_fail(c, errno, "setsid: %m");
        if (tty) {
                r = payload_tty_control(c);
                if (r < 0)
                        return r;
        }
        if (c->io->n_listen_fds > 0) {
                env = payload_listen_env(c);
                if (!env)
                        return runtime_fail(c, ENOMEM, "set up LISTEN_FDS: %m");
        }
        /* Not whatever the monitor's caller had: the usual default, as Docker sets it. */
        (void) umask(c->io->payload_umask >= 0 ? (mode_t) c->io->payload_umask : 0022);
        payload_set_oom_score_adj(c);
        /* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: load it while still root. */
        if (c->io->allow_new_privs && c->seccomp_fd >= 0) {
                r = payload_load_seccomp(c);
                if (r < 0)
                        return r;
        }
        r = payload_set_user(c);
        if (r < 0)
                return r;
        r = payload_die_with_init(c, init);
        if (r < 0)
                return r;
        /* As the payload's user: a directory it may not enter is an error, as for any process. */
        if (chdir(wd) < 0)
                return runtime_fail(c, errno, "working directory '%s': %m", wd);
        if (!c->io->allow_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return runtime_fail(c, errno, "set no_new_privs: %m");
        /* Last: from here on only what the profile allows, and execve() is allowed. The filter was
         * compiled for the capabilities the payload may hold, its bounding set, as Docker does. */
        if (c->seccomp_fd >= 0) {
                r = payload_load_seccomp(c);
                if (r < 0)
                        return r;
        }
        return exec_command(c, env);
}

/* PID 2 of the container. The report pipe (fd 3, O_CLOEXEC) closes with a successful execve(). */
_noreturn_ void exec_payload(RuntimeContext *c) {
        RuntimeError e;

        (void) payload_setup(c);
        runtime_report(c->report_fd, &c->failure);
        /* After a gated start nobody reads the report: the payload's stderr is the only witness. */
        if (c->io->start_fifo)
                (void) dprintf(STDERR_FILENO, "error: %s\n", c->failure.message);
        e = (RuntimeError) { .error = c->failure.error, .stage = c->failure.stage };
        _exit(runtime_error_exit_status(&e));
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* exec: another process in a running container, through the runtime's runtime_join() (the same path as
 * `dray exec`), described by an OCI process object (--process) or by the command line. */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomic-write.h"
#include "contract.h"
#include "log.h"
#include "oci-cgroup.h"
#include "oci-config.h"
#include "oci-exec.h"
#include "oci-state.h"
#include "oci-util.h"
#include "oci-verbs.h"
#include "parse-util.h"
#include "runtime.h"
#include "strv.h"

typedef struct ExecOptions {
        const char *process;
        const char *pid_file;
        const char *console_socket;
        const char *cwd;
        const char *user;
        char **env;
        unsigned preserve_fds;
        bool tty;
        bool detach;
} ExecOptions;

static const struct option exec_options[] = {
        { "process",        required_argument, NULL, 'p' },
        { "pid-file",       required_argument, NULL, 'P' },
        { "console-socket", required_argument, NULL, 'c' },
        { "preserve-fds",   required_argument, NULL, 'f' },
        { "cwd",            required_argument, NULL, 'w' },
        { "env",            required_argument, NULL, 'e' },
        { "user",           required_argument, NULL, 'u' },
        { "tty",            no_argument,       NULL, 't' },
        { "detach",         no_argument,       NULL, 'd' },
        { "no-new-privs",   no_argument,       NULL, 'N' },
        { "cap",            required_argument, NULL, 'C' },
        { "apparmor",       required_argument, NULL, 'A' },
        { "process-label",  required_argument, NULL, 'L' },
        {}
};

static int apply_command_line(OciConfig *config, const ExecOptions *o, char **args) {
        ContainerSpec *s = config->spec;

        strv_free(s->command);
        s->command = strv_copy(args);
        if (!s->command)
                return log_oom();
        s->tty = o->tty;
        STRV_FOREACH(e, o->env) {
                if (!env_assignment_is_valid(*e))
                        return log_error_errno(EINVAL, "exec: --env '%s' is not KEY=VALUE", *e);
                if (strv_env_set(&s->env, *e) < 0)
                        return log_oom();
        }
        if (o->cwd) {
                free(s->working_dir);
                s->working_dir = NULL;
                if (mount_path_normalize(o->cwd, &s->working_dir) < 0)
                        return log_error_errno(EINVAL, "exec: --cwd '%s' is not an absolute path", o->cwd);
        }
        if (o->user) {
                if (parse_user(o->user, &s->uid, &s->gid) < 0)
                        return log_error_errno(EINVAL, "exec: --user '%s' is not UID[:GID]", o->user);
                free(s->groups);
                s->groups = new0(gid_t, 1);
                if (!s->groups)
                        return log_oom();
                s->groups[0] = s->gid;
                s->n_groups = 1;
        }
        return 0;
}

static int load_process(OciConfig *config, const char *path) {
        _cleanup_json_ json_object *o = NULL;
        _cleanup_free_ char *error = NULL;
        int r;

        r = json_read_file(AT_FDCWD, path, &o);
        if (r < 0)
                return log_error_errno(r, "exec: --process %s: %s", path, r == -EBADMSG ? "not valid JSON" : strerror(-r));
        r = oci_config_parse_process(o, config, oci_warn, NULL, &error);
        if (r < 0)
                return log_error_errno(r, "exec: --process %s: %s", path, strna(error));
        return 0;
}

static const int forwarded[] = { SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

int verb_exec(const OciGlobal *g, int argc, char **argv) {
        _cleanup_(oci_config_freep) OciConfig *config = NULL;
        _cleanup_(oci_state_freep) OciState *s = NULL;
        _cleanup_free_ char *error = NULL, *own_cgroups = NULL, *join_error = NULL;
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_close_ int dir = -EBADF, seccomp_fd = -EBADF, pty = -EBADF;
        int pass_fds[PASS_FDS_MAX];
        RuntimeIO io = RUNTIME_IO_NULL;
        RuntimeError rerr = {};
        ExecOptions o = {};
        sigset_t mask, old;
        int opt, status = 0, r;
        pid_t pid = 0;

        optind = 1;
        opterr = 0;
        while ((opt = getopt_long(argc, argv, "+p:e:u:tdw:", exec_options, NULL)) >= 0)
                switch (opt) {
                case 'p': o.process = optarg; break;
                case 'P': o.pid_file = optarg; break;
                case 'c': o.console_socket = optarg; break;
                case 'f':
                        if (safe_atou32(optarg, &o.preserve_fds) < 0 || o.preserve_fds > PASS_FDS_MAX)
                                return log_error_errno(EINVAL, "exec: --preserve-fds: '%s' is not a number up to %u", optarg,
                                                       PASS_FDS_MAX);
                        break;
                case 'w': o.cwd = optarg; break;
                case 'e':
                        if (strv_extend(&env, optarg) < 0)
                                return log_oom();
                        o.env = env;
                        break;
                case 'u': o.user = optarg; break;
                case 't': o.tty = true; break;
                case 'd': o.detach = true; break;
                case 'N': break; /* always: the runtime sets no_new_privs */
                case 'C':
                        return log_error_errno(EOPNOTSUPP, "exec: --cap is not supported; the process gets the container's capabilities");
                case 'A':
                case 'L':
                        return log_error_errno(EOPNOTSUPP, "exec: %s is not supported by dray-oci", argv[optind - 1]);
                case ':':
                        return log_error_errno(EINVAL, "exec: option '%s' needs a value", argv[optind - 1]);
                default:
                        return log_error_errno(EINVAL, "exec: unknown option '%s'", argv[optind - 1]);
                }
        if (optind >= argc)
                return log_error_errno(EINVAL, "exec: a container ID expected");
        if (!o.process && optind + 1 >= argc)
                return log_error_errno(EINVAL, "exec: a command or --process expected");
        if (o.process && optind + 1 < argc)
                return log_error_errno(EINVAL, "exec: --process and a command exclude each other");
        r = oci_open_container(g, argv[optind], &dir);
        if (r < 0)
                return r;
        r = oci_state_load(dir, &s);
        if (r < 0)
                return log_error_errno(r, "container '%s': cannot read its state: %m", argv[optind]);
        if (oci_state_status(dir, s) != OCI_STATUS_RUNNING)
                return log_error_errno(EINVAL, "container '%s' is not running", s->id);
        r = oci_config_load(s->bundle, s->id, NULL, NULL, &config, &error);
        if (r < 0)
                return log_error_errno(r, "container '%s': %s", s->id, strna(error));
        r = o.process ? load_process(config, o.process) : apply_command_line(config, &o, argv + optind + 1);
        if (r < 0)
                return r;

        r = oci_preserved_fds(o.preserve_fds, pass_fds);
        if (r < 0)
                return r;
        r = oci_process_io(config, pass_fds, o.preserve_fds, &seccomp_fd, &io);
        if (r < 0)
                return r;
        io.orphan = o.detach;
        if (config->spec->tty) {
                if (!o.console_socket)
                        return log_error_errno(EINVAL, "exec: a terminal needs --console-socket");
                io.pty_master = &pty;
        }

        /* dray-oci enters each of the init's cgroups (every v1 hierarchy of a hybrid host too, as runc
         * does), so the process is born under all of the container's limits and device rules and never
         * runs outside them; it leaves again once the process is born. */
        r = oci_cgroup_save_self(&own_cgroups);
        if (r < 0)
                return log_error_errno(r, "Cannot read /proc/self/cgroup: %m");
        r = oci_cgroup_join_pid(s->pid, &join_error);
        if (r < 0) {
                oci_cgroup_return(own_cgroups);
                return log_error_errno(r, "container '%s': %s", s->id, strna(join_error));
        }
        sigemptyset(&mask);
        for (size_t i = 0; i < ELEMENTSOF(forwarded); i++)
                sigaddset(&mask, forwarded[i]);
        (void) sigprocmask(SIG_BLOCK, &mask, &old);
        r = runtime_join(config->spec, &io, s->pid, &rerr, &pid);
        oci_cgroup_return(own_cgroups);
        if (r < 0)
                return log_error_errno(r, "%s", rerr.message);
        if (pty >= 0) {
                r = oci_send_console(o.console_socket, pty);
                if (r < 0) {
                        (void) kill(pid, SIGKILL);
                        return log_error_errno(r, "Cannot send the terminal to --console-socket %s: %m", o.console_socket);
                }
        }
        if (o.pid_file) {
                r = oci_write_pid_file(o.pid_file, pid);
                if (r < 0) {
                        (void) kill(pid, SIGKILL);
                        return r;
                }
        }
        if (o.detach)
                return 0;
        while (waitpid(pid, &status, WNOHANG) != pid) {
                siginfo_t si;
                int sig = sigwaitinfo(&mask, &si);

                if (sig > 0 && sig != SIGCHLD)
                        (void) kill(pid, sig);
        }
        (void) sigprocmask(SIG_SETMASK, &old, NULL);
        return runtime_exit_status_from_wait(status);
}

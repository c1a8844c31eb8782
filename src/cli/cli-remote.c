/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli-remote.h"
#include "log.h"
#include "strv.h"

static const char *remote_host;
static int remote_argc;
static char **remote_argv;

void cli_remote_set(const char *host, int argc, char **argv) {
        remote_host = isempty(host) ? NULL : host;
        remote_argc = argc;
        remote_argv = argv;
}

const char *cli_remote_host(void) {
        return remote_host;
}

int remote_host_split(const char *s, char **ret_user, char **ret_host, char **ret_port) {
        _cleanup_free_ char *user = NULL, *host = NULL, *port = NULL;
        const char *at = strchr(s, '@'), *h = at ? at + 1 : s, *colon = strrchr(h, ':');

        if (at) {
                user = strndup(s, (size_t) (at - s));
                if (!user)
                        return -ENOMEM;
                if (isempty(user))
                        return -EINVAL;
        }
        if (colon) {
                if (!colon[1] || strspn(colon + 1, "0123456789") != strlen(colon + 1) || strlen(colon + 1) > 5)
                        return -EINVAL;
                port = strdup(colon + 1);
                host = strndup(h, (size_t) (colon - h));
        } else
                host = strdup(h);
        if (!host || (colon && !port))
                return -ENOMEM;
        /* Nothing ssh could take for an option, and no shell metacharacter: it is a host name. */
        if (isempty(host) || host[0] == '-' || strpbrk(host, " \t\n'\"\\;&|$`<>()*?[]{}!#~/"))
                return -EINVAL;
        if (user && (user[0] == '-' || strpbrk(user, " \t\n'\"\\;&|$`<>()*?[]{}!#~/:")))
                return -EINVAL;
        *ret_user = TAKE_PTR(user);
        *ret_host = TAKE_PTR(host);
        *ret_port = TAKE_PTR(port);
        return 0;
}

char *shell_quote(const char *s) {
        size_t n = 2;
        char *ret, *p;

        for (const char *c = s; *c; c++)
                n += *c == '\'' ? 4 : 1;
        ret = malloc(n + 1);
        if (!ret)
                return NULL;
        p = ret;
        *p++ = '\'';
        for (const char *c = s; *c; c++)
                if (*c == '\'')
                        p = stpcpy(p, "'\\''");
                else
                        *p++ = *c;
        *p++ = '\'';
        *p = 0;
        return ret;
}

int cli_remote_open_bus(sd_bus **ret) {
        _cleanup_free_ char *user = NULL, *host = NULL, *port = NULL;
        sd_bus *bus = NULL;
        int r;

        r = remote_host_split(remote_host, &user, &host, &port);
        if (r < 0)
                return log_error_errno(r, "Invalid host '%s': expected [USER@]HOST[:PORT].", remote_host);
        r = sd_bus_open_system_remote(&bus, remote_host);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the system bus of '%s' over ssh: %m", remote_host);
        *ret = bus;
        return 0;
}

/* Whether the verb wants a terminal on the other side: attach and start -a may meet a container's
 * terminal, run and exec ask for one with -t. Options only: "-t", "--tty", and short clusters of the
 * flags that go with it ("-it", "-dit"). */
static bool remote_wants_tty(void) {
        if (remote_argc < 1 || !isatty(STDIN_FILENO))
                return false;
        if (streq(remote_argv[0], "attach") || streq(remote_argv[0], "start"))
                return true;
        for (int i = 1; i < remote_argc; i++) {
                const char *a = remote_argv[i];

                if (streq(a, "--"))
                        break;
                if (streq(a, "--tty") || streq(a, "--tty=true"))
                        return true;
                if (a[0] == '-' && a[1] && a[1] != '-' && strspn(a + 1, "dit") == strlen(a + 1) && strchr(a, 't'))
                        return true;
        }
        return false;
}

/* ssh's argv that runs "dray ARGS..." on the remote host. */
static int remote_ssh_argv(char *const *verb_argv, int verb_argc, bool tty, char ***ret) {
        _cleanup_free_ char *user = NULL, *host = NULL, *port = NULL, *command = NULL;
        _cleanup_strv_free_ char **args = NULL;
        size_t len;
        int r;

        r = remote_host_split(remote_host, &user, &host, &port);
        if (r < 0)
                return log_error_errno(r, "Invalid host '%s': expected [USER@]HOST[:PORT].", remote_host);
        command = strdup("dray");
        if (!command)
                return log_oom();
        len = strlen(command);
        for (int i = 0; i < verb_argc; i++) {
                _cleanup_free_ char *q = shell_quote(verb_argv[i]);
                char *n;

                if (!q)
                        return log_oom();
                n = realloc(command, len + 1 + strlen(q) + 1);
                if (!n)
                        return log_oom();
                command = n;
                command[len++] = ' ';
                strcpy(command + len, q);
                len += strlen(q);
        }
        if (strv_extend(&args, "ssh") < 0 || strv_extend(&args, "-x") < 0 || strv_extend(&args, tty ? "-t" : "-T") < 0 ||
            (port && (strv_extend(&args, "-p") < 0 || strv_extend(&args, port) < 0)) ||
            (user && (strv_extend(&args, "-l") < 0 || strv_extend(&args, user) < 0)) ||
            strv_extend(&args, "--") < 0 || strv_extend(&args, host) < 0 || strv_extend(&args, command) < 0)
                return log_oom();
        log_debug("Running '%s' on '%s' over ssh.", command, remote_host);
        *ret = TAKE_PTR(args);
        return 0;
}

int cli_remote_run_there(void) {
        _cleanup_strv_free_ char **args = NULL;
        int r;

        if (!remote_host)
                return 0;
        r = remote_ssh_argv(remote_argv, remote_argc, remote_wants_tty(), &args);
        if (r < 0)
                return r;
        (void) fflush(stdout);
        execvp("ssh", args);
        return log_error_errno(errno, "Failed to run ssh: %m");
}

int cli_remote_spawn(char *const *verb_argv, int stdin_fd, int stdout_fd, pid_t *ret_pid) {
        _cleanup_strv_free_ char **args = NULL;
        int verb_argc = 0, r;
        pid_t pid;

        while (verb_argv[verb_argc])
                verb_argc++;
        r = remote_ssh_argv(verb_argv, verb_argc, false, &args);
        if (r < 0)
                return r;
        (void) fflush(stdout);
        pid = fork();
        if (pid < 0)
                return log_error_errno(errno, "Failed to fork: %m");
        if (pid == 0) {
                if ((stdin_fd >= 0 && dup2(stdin_fd, STDIN_FILENO) < 0) ||
                    (stdout_fd >= 0 && dup2(stdout_fd, STDOUT_FILENO) < 0))
                        _exit(EXIT_FAILURE);
                (void) signal(SIGPIPE, SIG_DFL);
                execvp("ssh", args);
                log_error_errno(errno, "Failed to run ssh: %m");
                _exit(EXIT_FAILURE);
        }
        *ret_pid = pid;
        return 0;
}

int cli_remote_wait(pid_t pid) {
        int status;

        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int cli_remote_passes_fds(sd_bus *bus) {
        int r;

        if (!remote_host)
                return 1;
        r = sd_bus_can_send(bus, SD_BUS_TYPE_UNIX_FD);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the system bus of '%s' over ssh: %m", remote_host);
        return r > 0;
}

int cli_remote_needs_fds(sd_bus *bus) {
        int r;

        r = cli_remote_passes_fds(bus);
        if (r != 0)
                return MIN(r, 0);
        return cli_remote_run_there();
}

int cli_remote_stream(char *const *verb_argv, int in_fd, int out_fd) {
        _cleanup_close_ int null_fd = -EBADF;
        pid_t pid;
        int r;

        /* Writing to out_fd, the remote dray reads nothing: ssh must not take our terminal's input. */
        if (in_fd < 0 && out_fd >= 0) {
                null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC | O_NOCTTY);
                if (null_fd < 0)
                        return log_error_errno(errno, "Failed to open /dev/null: %m");
                in_fd = null_fd;
        }
        r = cli_remote_spawn(verb_argv, in_fd, out_fd, &pid);
        if (r < 0)
                return r;
        return cli_remote_wait(pid);
}

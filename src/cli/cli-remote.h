/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "macros.h"

/* dray -H [USER@]HOST[:PORT] (or $DRAY_HOST): drayd on another machine. The bus goes over ssh, as
 * `machinectl -H` does (sd_bus_open_system_remote(): ssh runs systemd-stdio-bridge there). That bridge
 * cannot carry file descriptors, so the verbs that pass ours (run in the foreground, start -a, exec,
 * attach) and the one that reads the journal (logs) run the remote
 * dray itself over ssh instead, with the same arguments (with -t when we have a terminal and the verb
 * wants one), as docker -H ssh:// does with `docker system dial-stdio`; cp runs the remote `dray cp`
 * on '-' and keeps its host side here, and image load/import/save and export run the remote verb on
 * '-' with the archive streamed through ssh from or to our file. */

/* host NULL or "": local. argv: the verb and its arguments, as given. */
void cli_remote_set(const char *host, int argc, char **argv);
const char *cli_remote_host(void);

/* Opens the bus to host (logs on failure). */
int cli_remote_open_bus(sd_bus **ret);

/* 1 when bus carries fds (always locally), 0 when it does not (-H over ssh), or a negative errno (logged). */
int cli_remote_passes_fds(sd_bus *bus);
/* For a verb about to pass fds: returns 0 when bus can carry them (always locally); else runs the remote
 * dray over ssh in our place (it does not return but on failure: a negative errno, logged). */
int cli_remote_needs_fds(sd_bus *bus);
/* For a verb that must run on the remote host whatever the bus: 0 locally, else as above. */
int cli_remote_run_there(void);

/* Starts "dray VERB_ARGV..." on the remote host over ssh (no terminal) with stdin and stdout moved to
 * the given fds (-EBADF: ours); cli_remote_wait() gives its exit status (ssh's 255 when ssh failed).
 * dray cp over -H: the tar stream goes through ssh, the host's files are ours. */
int cli_remote_spawn(char *const *verb_argv, int stdin_fd, int stdout_fd, pid_t *ret_pid);
int cli_remote_wait(pid_t pid);
/* Runs "dray VERB_ARGV..." on the remote host with in_fd as its stdin or out_fd as its stdout (the other
 * one ours; stdin /dev/null when only out_fd is given) and waits: its exit status, or a negative errno
 * (logged). image load/import/save and export over -H: the archive goes through ssh, so FILE is ours,
 * as with docker -H and podman --remote. */
int cli_remote_stream(char *const *verb_argv, int in_fd, int out_fd);

/* Pure helpers, unit-tested: [USER@]HOST[:PORT] split (ret_user/ret_port NULL when not given); and one
 * argument quoted for the remote shell ('…', with ' as '\''). */
int remote_host_split(const char *s, char **ret_user, char **ret_host, char **ret_port);
char *shell_quote(const char *s);

#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# dray exec, as Docker users type it: a command in a running container's namespaces (pid, mount, uts,
# net...), its scope's cgroup, with the container's capabilities, seccomp filter and no_new_privs, no
# fd of the host, its exit status (127/126 when the command is missing or not executable), -i, -t,
# -e, -u, -w; its output reaches the caller and not the container's journal; refusals for a missing
# or stopped container and for options exec does not take; the raw D-Bus call. Runs inside the
# sandbox.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require script busctl journalctl

plan 26
command -v dray >/dev/null || bail_out "dray is not installed in the sandbox"
wait_until 10 drayd_ready || bail_out "drayd does not answer on the system bus"
rootfs="$(test_rootfs)" || bail_out "could not build the busybox root"
gone() { dray rm --force "$1" >/dev/null 2>&1 || true; }

name="$(unique_name exec)"
defer gone "$name"
dray run -d --name "$name" --hostname exec-host -e FROM_RUN=1 --rootfs "$rootfs" sleep 1000 >/dev/null ||
        bail_out "could not start the container"
cpid="$(dray inspect -f '{{.Pid}}' "$name")"

is "$(dray exec "$name" echo hello)" hello "exec prints the command's output"
status_is 3 "exec exits with the command's status" dray exec "$name" sh -c 'exit 3'
status_is 127 "a missing command: 127" dray exec "$name" no-such-command
like "$(dray exec "$name" no-such-command 2>&1)" 'not found' "... saying it was not found"
status_is 126 "a file that is not executable: 126" dray exec "$name" /etc/passwd

is "$(dray exec "$name" hostname)" exec-host "the container's UTS namespace (its hostname)"
like "$(dray exec "$name" sh -c 'cat /proc/2/cmdline | tr "\0" " "')" '^sleep 1000' \
        "the container's pid namespace: PID 2 is the container's payload"
# The shell's own glob, not 'ls /proc | grep': ls may read /proc before sh has forked grep (4, not 5,
# in 11 of 60 runs), so that count depended on scheduling.
is "$(dray exec "$name" sh -c 'set -- /proc/[0-9]*; n=$#; [ -d /proc/1 ] && [ -d /proc/2 ] && [ -d /proc/$$ ] && echo "$n ok"')" "3 ok" \
        "it sees the container's processes and its own only (init, payload, the exec'd sh)"
is "$(dray exec "$name" sh -c 'readlink /proc/self/ns/mnt')" "$(readlink "/proc/$cpid/ns/mnt")" \
        "the container's mount namespace"
is "$(dray exec "$name" sh -c 'readlink /proc/self/ns/net')" "$(readlink "/proc/$cpid/ns/net")" \
        "the container's network namespace"
like "$(dray exec "$name" sh -c 'echo $FROM_RUN; echo $PATH')" '^1$' "the container's environment"
is "$(dray exec -e FROM_RUN=2 -e EXTRA=x "$name" sh -c 'echo $FROM_RUN$EXTRA')" 2x "-e adds and overrides"
is "$(dray exec -u 1000:1000 "$name" id -u)" 1000 "-u runs as that user"
is "$(dray exec -w /tmp "$name" pwd)" /tmp "-w sets the working directory"

out="$(dray exec "$name" sh -c 'grep -E "^(Seccomp|NoNewPrivs|CapEff):" /proc/self/status')"
like "$out" '^Seccomp:[[:space:]]+2' "the container's seccomp filter applies"
like "$out" '^NoNewPrivs:[[:space:]]+1' "no_new_privs"
payload="$(pgrep -P "$cpid" | head -1)"
is "$(echo "$out" | sed -n 's/^CapEff:[[:space:]]*//p')" "$(sed -n 's/^CapEff:[[:space:]]*//p' "/proc/$payload/status")" \
        "the capabilities of the container's payload"
is "$(dray exec "$name" sh -c 'ls /proc/$$/fd; true' | tr '\n' ' ')" "0 1 2 " "no fd of the host reaches it"

dray exec "$name" sleep 30 >/dev/null 2>&1 &
wait_until 10 sh -c "systemctl status --no-pager dray-$name.scope | grep -q 'sleep 30'"
like "$(systemctl status --no-pager "dray-$name.scope")" 'sleep 30' "the exec'd process is in the container's scope"

is "$(echo piped | dray exec -i "$name" cat)" piped "-i forwards our stdin"
like "$(in_pty "stty rows 20 cols 70; dray exec -it $name sh -c 'tty; stty size'")" '^20 70' \
        "-t: a terminal of the container's own, our window size"

mark="exec-not-logged-$RANDOM"
dray exec "$name" echo "$mark" >/dev/null
journalctl --sync
is "$(journalctl -q -o cat CONTAINER_NAME="$name" | grep -c "$mark")" 0 "exec's output is not in the container's journal"

out="$(busctl call org.dray1 /org/dray1 org.dray1.Manager ExecContainer 'sa{sv}a{sh}' "$name" \
        1 Command as 1 false 0 2>&1)"
is "$out" "i 1" "busctl ExecContainer returns the exit status"
like "$(busctl call org.dray1 /org/dray1 org.dray1.Manager ExecContainer 'sa{sv}a{sh}' "$name" \
        2 Command as 1 true Privileged b true 0 2>&1)" "Unknown option 'Privileged'" \
        "exec takes no container options such as Privileged"

gone "$name"
like "$(dray exec "$name" true 2>&1)" 'No such container' "exec in a missing container is refused"
name2="$(unique_name exec-stopped)"
defer gone "$name2"
dray create --name "$name2" --rootfs "$rootfs" true >/dev/null
like "$(dray exec "$name2" true 2>&1)" 'not running' "exec in a container that does not run is refused"

#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# No file descriptor of drayd or dray-monitor reaches a container (CVE-2024-21626: runc leaked a
# directory fd of the host, and "cd /proc/self/fd/N" walked out), and the payload cannot get at the
# monitor's binary through /proc/1/exe (CVE-2019-5736: a payload overwrote runc through
# /proc/self/exe). dray's defence against the second: the container's init (PID 1, a fork of
# dray-monitor that never execs) is non-dumpable, so /proc/1/exe and /proc/1/fd need
# CAP_SYS_PTRACE, which the default set lacks; the monitor itself lives outside the container's
# pid namespace; and with CAP_SYS_PTRACE the binary is still mapped by a running process, so the
# kernel refuses to open it for writing (ETXTBSY). Runs inside the sandbox.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require sha256sum

plan 11
command -v dray >/dev/null || bail_out "dray is not installed in the sandbox"
wait_until 10 drayd_ready || bail_out "drayd does not answer on the system bus"
rootfs="$(test_rootfs)" || bail_out "could not build the busybox root"
run() { dray run --rm --rootfs "$rootfs" "$@"; }

# The shell's own fds: ls runs in a child (the "; true" keeps the shell from exec'ing it), so its
# directory fd is not in the list. No pipeline inside the container: while it sets one up, the shell
# itself holds the pipes' fds.
is "$(run sh -c 'ls /proc/$$/fd; true' | sort -n | tr "\n" " ")" "0 1 2 " "the payload has fds 0, 1 and 2 and nothing else"
is "$(run sh -c 'for f in /proc/$$/fd/*; do [ -d "$f" ] && echo "$f"; done; echo end')" end \
        "none of them is a directory (nothing to walk out of)"
is "$(run readlink /proc/self/fd/0)" /dev/null "without a stdin, fd 0 is the container's /dev/null, not the host's"
is "$(run --cap-add SYS_PTRACE sh -c 'ls /proc/1/fd | wc -l')" 1 "the container's init holds one fd (its signalfd)"
like "$(run --cap-add SYS_PTRACE sh -c 'ls -l /proc/1/fd')" 'signalfd' "and it is the signalfd"

monitor="$(command -v dray-monitor 2>/dev/null || echo /usr/libexec/dray/dray-monitor)"
[ -x "$monitor" ] || bail_out "dray-monitor not found at $monitor"
before="$(sha256sum < "$monitor")"
like "$(run sh -c 'cat /proc/1/exe > /dev/null 2>&1; echo rc=$?')" 'rc=1' "the payload cannot read /proc/1/exe"
like "$(run sh -c 'readlink /proc/1/exe; echo rc=$?')" 'rc=1' "nor resolve it (the init is non-dumpable)"
like "$(run sh -c '{ echo x >> /proc/1/exe; } 2>&1; echo rc=$?')" 'rc=[1-9]' "nor open it for writing"
like "$(run --cap-add SYS_PTRACE sh -c '{ echo x >> /proc/1/exe; } 2>&1; echo rc=$?')" 'Text file busy' \
        "with CAP_SYS_PTRACE, writing the monitor binary fails with ETXTBSY"
is "$(sha256sum < "$monitor")" "$before" "the monitor binary on the host is unchanged"
unlike "$(run sh -c 'cat /proc/[0-9]*/comm')" 'dray-monitor|drayd|systemd' \
        "the payload sees no process outside its pid namespace (no monitor, drayd or systemd)"

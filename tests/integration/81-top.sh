#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# dray top and ListContainerProcesses: a container's processes with the PIDs the host and the
# container see, its init named, dray-monitor left out, and errors for a stopped container.
# Runs inside the sandbox (tools/test-all, or: tools/sandbox exec -- bash tests/integration/81-top.sh).
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require busctl

plan 8
setup_dray_test

c="$(unique_name top)"
defer dray rm -f "$c"
dray run -d --name "$c" --rootfs "$rootfs" sh -c 'sleep 1001 & exec sleep 1002' >/dev/null
wait_until 10 sh -c "dray top '$c' 2>/dev/null | grep -q 'sleep 1001'" || diag "the processes did not show up"
out="$(dray top "$c" 2>&1)"
like "$(head -1 <<<"$out")" '^UID +PID +CPID +PPID +STIME +CMD' "the header"
like "$out" 'sleep 1001' "the background process is listed"
like "$out" 'sleep 1002' "the exec'ed one too"
unlike "$out" 'dray-monitor' "dray-monitor is not one of the container's processes"
host_pid="$(awk '$NF == "1001" {print $2}' <<<"$out")"
ctr_pid="$(awk '$NF == "1001" {print $3}' <<<"$out")"
is "$(tr '\0' ' ' < "/proc/$host_pid/cmdline" 2>&1)" "sleep 1001 " "PID is the host's PID of the process"
is "$(awk -v p="$host_pid" '$1 == "NSpid:" {print $NF}' "/proc/$host_pid/status" 2>&1)" "$ctr_pid" \
        "CPID is the PID the container sees"
like "$(busctl call org.dray1 /org/dray1 org.dray1.Manager ListContainerProcesses s "$c" 2>&1)" \
        '^a\(uuuuts\) [0-9]+ .*"sleep 1001"' "ListContainerProcesses answers on the bus"
dray stop -t 1 "$c" >/dev/null
like "$(dray top "$c" 2>&1)" "is not running" "a stopped container has no processes to show"

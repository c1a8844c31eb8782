#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Under a memory limit, the OOM killer takes the payload, never dray-monitor or the container's init
# (issue 16): a payload of many small processes (each smaller than the monitor) under --memory 64m
# used to get the monitor killed ("monitor vanished", OOMKilled false). The monitor and the init run
# with oom_score_adj -1000, as conmon does for itself, and the payload keeps 0 (it cannot lower its
# own below that); on a host that withholds CAP_SYS_RESOURCE the payload raises its own to 1000. The payload is tests/helpers/oomfork.c, built -static here. Runs inside the sandbox.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require busctl cc ps

plan 9
setup_dray_test
cc -static -O2 -o "$rootfs/bin/oomfork" "$REPO_ROOT/tests/helpers/oomfork.c" || bail_out "cannot build oomfork"

bus_prop() { busctl get-property org.dray1 "$(busctl call org.dray1 /org/dray1 org.dray1.Manager GetContainer s "$1" |
        cut -d'"' -f2)" org.dray1.Container "$2" | cut -d' ' -f2-; }

# --- who is protected -------------------------------------------------------------------------------

s="$(unique_name s)"
defer dray rm -f "$s"
ok "a container runs" dray run -d --name "$s" --rootfs "$rootfs" sh -c 'sleep 300'
wait_until 10 sh -c "[ \"\$(dray inspect -f '{{.State}}' '$s')\" = running ]"
init="$(bus_prop "$s" Pid)"
monitor="$(bus_prop "$s" MonitorPid)"
payload="$(ps -o pid= --ppid "$init" | tr -d ' ' | head -1)"
adj_monitor="$(cat "/proc/$monitor/oom_score_adj")"
adj_init="$(cat "/proc/$init/oom_score_adj")"
adj_payload="$(cat "/proc/$payload/oom_score_adj")"
# With CAP_SYS_RESOURCE the monitor and the init are at -1000 and the payload at 0; without it (this
# machine kind withholds it) the payload raises its own to 1000 instead.
cap_eff="$(awk '/^CapEff:/ { print $2 }' "/proc/$monitor/status")"
if [ $(( (0x$cap_eff >> 24) & 1 )) -eq 1 ]; then   # CAP_SYS_RESOURCE
        expect="-1000 -1000 0"
else
        expect="0 0 1000"
fi
is "$adj_monitor $adj_init $adj_payload" "$expect" "oom_score_adj of monitor, init and payload"
[ "$adj_payload" -gt "$adj_monitor" ] && [ "$adj_payload" -gt "$adj_init" ] &&
        pass "the payload is the OOM killer's choice before the monitor and the init" ||
        fail "the payload is the OOM killer's choice before the monitor and the init" \
                "monitor $adj_monitor, init $adj_init, payload $adj_payload"
like "$(dray exec "$s" sh -c 'echo -1000 > /proc/self/oom_score_adj; cat /proc/self/oom_score_adj' 2>&1)" \
        "Permission denied|^$adj_payload\$" "a process in the container cannot make itself unkillable"
is "$(dray exec "$s" cat /proc/self/oom_score_adj 2>&1)" "$adj_payload" "dray exec's process is payload as well"

# --- the OOM kill lands on the payload, and is reported as its own -----------------------------------

# Without a memory controller (the pure cgroup v2 sandbox on these machines) --memory is not enforced,
# and oomfork would take the host's memory instead: not run there.
if controlled memory "many small processes start under --memory 64m"; then
        o="$(unique_name oom)"
        defer dray rm -f "$o"
        ok "many small processes start under --memory 64m" dray run -d --name "$o" --memory 64m --rootfs "$rootfs" oomfork
        wait_until 90 sh -c "[ \"\$(dray inspect -f '{{.State}}' '$o')\" = exited ]"
        is "$(dray inspect -f '{{.State}} {{.ExitStatus}} {{.OOMKilled}}' "$o")" "exited 137 true" \
                "it ended with status 137, recorded as OOM-killed"
        is "$(bus_prop "$o" Error)" '""' "with no error of dray's (the monitor did not vanish)"
        wait_until 10 sh -c "dray logs '$o' 2>&1 | grep -q '^STARTED oomfork'"
        like "$(dray logs "$o" 2>&1)" '^STARTED oomfork' "the monitor relayed the payload's output"
else
        for d in "it ended with status 137, recorded as OOM-killed" \
                 "with no error of dray's (the monitor did not vanish)" "the monitor relayed the payload's output"; do
                skip "$d" "no memory controller in this cgroup layout"
        done
fi

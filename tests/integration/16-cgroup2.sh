#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The pure cgroup v2 structure (DESIGN.md "cgroups"): the scope is delegated, holds no process of
# its own, the monitor sits in <scope>/supervisor and the payload in <scope>/payload, a dray exec
# joins the payload's cgroup, and the v2 freezer (systemctl freeze) stops the payload and thaws it
# again. Runs in the cgroup2 sandbox (tools/sandbox --cgroup2; tools/test-all runs the suite in
# both layouts) and skips elsewhere.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require systemctl journalctl
[ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ] ||
        skip_all "the sandbox is not pure cgroup v2 (tools/sandbox --cgroup2)"

plan 15
setup_dray_test

procs() { tr '\n' ' ' < "$1/cgroup.procs" | sed 's/ $//'; }
ticks() { journalctl --sync 2>/dev/null; journalctl --no-pager -o cat "CONTAINER_NAME=$1" | grep -c '^tick '; }
ticks_above() { [ "$(ticks "$1")" -gt "$2" ]; }
frozen_is() { grep -qx "frozen $2" "$1/cgroup.events"; }

name="$(unique_name v2)"
defer gone_for_good "$name"
ok "a container starts" dray run -d --name "$name" --rootfs "$rootfs" \
        sh -c 'i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.1; done'
unit="dray-$name.scope"
cg="/sys/fs/cgroup$(systemctl show -P ControlGroup "$unit")"
monitor="$(prop "$name" MonitorPid)"
payload="$(prop "$name" Pid)"

is "$(systemctl show -P Delegate "$unit")" yes "the scope is delegated"
ok "the scope's cgroup exists ($cg)" test -d "$cg"
is "$(procs "$cg")" "" "the scope's own cgroup holds no process"
is "$(procs "$cg/supervisor")" "$monitor" "the monitor is alone in <scope>/supervisor"
like " $(procs "$cg/payload") " " $payload " "the payload's init is in <scope>/payload"
unlike " $(procs "$cg/payload") " " $monitor " "... and the monitor is not"
is "$(dray exec "$name" cat /proc/self/cgroup | grep '^0::')" "0::/" \
        "inside, the payload's cgroup is the root of its cgroup namespace"

# An exec: its process joins the payload's cgroup, not the scope's.
dray exec "$name" sh -c 'echo $$ > /tmp/exec.pid; sleep 30' >/dev/null 2>&1 &
exec_client=$!
defer kill "$exec_client"
exec_in_payload() {
        local p
        p="$(dray exec "$name" cat /tmp/exec.pid 2>/dev/null)" || return 1
        [ -n "$p" ] || return 1
        # The PID is the container's; find it in the payload's cgroup through its namespace.
        for host in $(cat "$cg/payload/cgroup.procs"); do
                grep -q "^NSpid:.*[[:space:]]$p$" "/proc/$host/status" 2>/dev/null && return 0
        done
        return 1
}
ok "a dray exec's process is in <scope>/payload" wait_until 10 exec_in_payload
is "$(procs "$cg")" "" "... and the scope's own cgroup still holds none"
kill "$exec_client" 2>/dev/null
wait "$exec_client" 2>/dev/null

# The freezer.
wait_until 10 ticks_above "$name" 2 || diag "no ticks yet"
ok "systemctl freeze freezes the scope" systemctl freeze "$unit"
ok "the payload's cgroup is frozen" wait_until 10 frozen_is "$cg/payload" 1
# Lines the payload wrote just before the freeze may still be on their way through the monitor
# (which is not frozen): wait until the count stands still, then look for a while.
ticks_settled() { local a; a="$(ticks "$name")"; sleep 0.5; [ "$(ticks "$name")" = "$a" ]; }
wait_until 10 ticks_settled || diag "the tick count did not settle"
before="$(ticks "$name")"
sleep 1
is "$(ticks "$name")" "$before" "a frozen payload logs nothing"
ok "systemctl thaw thaws it" systemctl thaw "$unit"
ok "the payload ticks again" wait_until 20 ticks_above "$name" "$before"

#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A container is a systemd scope, and an admin can use systemd's tools on it: systemctl status
# and show (the limits given to dray run), systemd-cgls (under dray.slice), and systemctl stop and
# kill behind drayd's back, which drayd must notice (the container exits with a status, nothing is
# left over). Runs inside the sandbox (tools/test-all, or:
# tools/sandbox exec -- bash tests/integration/40-scope.sh).
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require busctl systemctl systemd-cgls jq

plan 46
setup_dray_test

unit_gone() { [ -z "$(systemctl list-units --all --plain --no-legend "dray-$1.scope" 2>/dev/null)" ]; }
# ps_a_status NAME: the STATUS of NAME in dray ps -a --format json.
ps_a_status() { dray ps -a --format json | jq -r --arg n "$1" '.[] | select(.Name == $n) | .Status'; }

# cg_value CGROUP V1-CONTROLLER V1-FILE V2-FILE: a cgroup attribute, on v1/hybrid or pure v2.
cg_value() {
        if [ -e "/sys/fs/cgroup/cgroup.controllers" ]; then
                cat "/sys/fs/cgroup$1/$4"
        else
                cat "/sys/fs/cgroup/$2$1/$3"
        fi
}

# --- limits ---------------------------------------------------------------------------------------

name="$(unique_name scope)"
track "$name"
unit="dray-$name.scope"
dray run -d --name "$name" --memory 64m --cpus 0.5 --pids-limit 20 --cpu-weight 50 \
        --rootfs "$rootfs" sleep 1000 >/dev/null 2>&1
if wait_until 10 state_is "$name" running; then
        pass "a container with limits runs"
else
        fail "a container with limits runs" "state: $(prop "$name" State)" "$(dray inspect "$name" 2>&1 | head -20)"
fi

status="$(systemctl status --no-pager --full "$unit" 2>&1)"
like "$status" "^[[:space:]]+Active: active \\(running\\)" "systemctl status: $unit is active (running)"
like "$status" '[^[:alnum:]]sleep 1000$' "systemctl status shows the payload"
like "$status" 'dray-monitor' "systemctl status shows dray-monitor in the scope"
d="systemctl status shows the task limit"
controlled pids "$d" && like "$status" 'Tasks: [0-9]+ \(limit: 20\)' "$d"
d="systemctl status shows the memory limit"
controlled memory "$d" && like "$status" 'Memory: .*max: 64\.0M' "$d"

show="$(systemctl show -p MemoryMax,CPUQuotaPerSecUSec,TasksMax,CPUWeight,Slice "$unit" 2>&1)"
like "$show" '^MemoryMax=67108864$' "--memory 64m is MemoryMax=67108864"
like "$show" '^CPUQuotaPerSecUSec=500ms$' "--cpus 0.5 is CPUQuotaPerSecUSec=500ms"
like "$show" '^TasksMax=20$' "--pids-limit 20 is TasksMax=20"
like "$show" '^CPUWeight=50$' "--cpu-weight 50 is CPUWeight=50"
like "$show" '^Slice=dray\.slice$' "the scope is in dray.slice"

cg="$(systemctl show -P ControlGroup "$unit")"
d="the kernel enforces the memory limit"
controlled memory "$d" && is "$(cg_value "$cg" memory memory.limit_in_bytes memory.max 2>&1)" 67108864 "$d"
d="the kernel enforces the task limit"
controlled pids "$d" && is "$(cg_value "$cg" pids pids.max pids.max 2>&1)" 20 "$d"
d="the kernel enforces the CPU quota"
controlled cpu "$d" && like "$(cg_value "$cg" cpu cpu.cfs_quota_us cpu.max 2>&1)" '^50000( 100000)?$' "$d"

is "$(prop "$name" MemoryMax)" 67108864 "inspect: MemoryMax"
is "$(prop "$name" CPUQuotaPerSecUSec)" 500000 "inspect: CPUQuotaPerSecUSec"
is "$(prop "$name" TasksMax)" 20 "inspect: TasksMax"
is "$(prop "$name" CPUWeight)" 50 "inspect: CPUWeight"

cgls="$(systemd-cgls --no-pager -u dray.slice 2>&1)"
like "$cgls" "$unit" "systemd-cgls shows the scope under dray.slice"
like "$cgls" 'sleep 1000' "systemd-cgls shows the payload under dray.slice"
like "$(systemd-cgls --no-pager 2>&1 | sed -n '/dray\.slice/,$p')" "$unit" \
        "systemd-cgls of the whole tree lists the scope after dray.slice"

# --slice puts the scope into a slice of the caller's choosing (systemd makes the slice).
sname="$(unique_name slice)"
defer gone_for_good "$sname"
dray run -d --name "$sname" --slice dray-batch.slice --rootfs "$rootfs" sleep 1000 >/dev/null
is "$(systemctl show -P Slice "dray-$sname.scope")" dray-batch.slice "--slice: the scope is in that slice"
is "$(prop "$sname" Slice)" dray-batch.slice "inspect: Slice"
like "$(systemd-cgls --no-pager -u dray-batch.slice 2>&1)" "dray-$sname.scope" "systemd-cgls shows it under that slice"
like "$(dray run --rm --slice -.slice --rootfs "$rootfs" true 2>&1)" "Invalid --slice value" "the root slice is refused"
gone_for_good "$sname"

# A fork bomb meets the task limit instead of the host's.
d="a fork loop meets --pids-limit 5"
if controlled pids "$d"; then
        out="$(dray run --rm --pids-limit 5 --rootfs "$rootfs" sh -c \
                'for i in 1 2 3 4 5 6 7 8 9 10; do sleep 30 & done 2>&1; echo started' 2>&1)"
        like "$out" "[Rr]esource temporarily unavailable|[Cc]an't fork|[Cc]annot fork" "$d"
fi

# --- systemctl stop behind drayd's back -------------------------------------------------------------

id="$(prop "$name" Id)"
mpid="$(prop "$name" MonitorPid)"
pid="$(prop "$name" Pid)"
like "$mpid" '^[1-9][0-9]*$' "inspect: MonitorPid is set"
ok "systemctl stop $unit" systemctl stop "$unit"
if wait_until 10 state_is "$name" exited; then
        pass "drayd notices: the container has exited"
else
        fail "drayd notices: the container has exited" "state: $(prop "$name" State)"
fi
is "$(prop "$name" ExitStatus)" 143 "its exit status is that of the SIGTERMed payload (143)"
like "$(ps_a_status "$name")" '^Exited \(143\)' "dray ps -a shows it as Exited (143)"
wait_until 10 unit_gone "$name"
ok "no scope is left" unit_gone "$name"
ok "no monitor process is left" test ! -e "/proc/$mpid"
ok "no payload process is left" test ! -e "/proc/$pid"
is "$(pgrep -f "dray-monitor --id=$id" 2>/dev/null)" "" "no process of this container's ID is left"
ok "the container can be started again" dray start "$name"
wait_until 10 state_is "$name" running
is "$(systemctl is-active "$unit" 2>&1)" active "and has a scope again"

# --- systemctl kill ----------------------------------------------------------------------------------

name="$(unique_name kill)"
track "$name"
unit="dray-$name.scope"
dray run -d --name "$name" --rootfs "$rootfs" sleep 1000 >/dev/null 2>&1
wait_until 10 state_is "$name" running
ok "systemctl kill $unit (SIGTERM)" systemctl kill "$unit"
wait_until 10 state_is "$name" exited
is "$(prop "$name" State)" exited "after systemctl kill the container has exited"
is "$(prop "$name" ExitStatus)" 143 "with status 143"
wait_until 10 unit_gone "$name"
ok "and its scope is gone" unit_gone "$name"

name="$(unique_name kill9)"
track "$name"
unit="dray-$name.scope"
dray run -d --name "$name" --rootfs "$rootfs" sleep 1000 >/dev/null 2>&1
wait_until 10 state_is "$name" running
mpid="$(prop "$name" MonitorPid)"
ok "systemctl kill -s KILL $unit (the monitor too)" systemctl kill -s KILL "$unit"
if wait_until 10 state_is "$name" exited; then
        pass "after SIGKILL to the whole scope the container has exited"
else
        fail "after SIGKILL to the whole scope the container has exited" "state: $(prop "$name" State)"
fi
wait_until 10 unit_gone "$name"
ok "its scope is gone" unit_gone "$name"
ok "its monitor is gone" test ! -e "/proc/$mpid"
ok "it can be removed" dray rm "$name"

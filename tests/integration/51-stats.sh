#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# dray stats: the numbers move under load: a busy loop's CPU time (and CPU % above an idle
# container's), memory after a growing allocation (a file on the container's /dev/shm tmpfs is
# charged to its cgroup), PIDs after an exec, network bytes after traffic into the container's
# namespace; --no-stream, streaming lines without a terminal, --format json/template, the raw API,
# errors. Runs in both cgroup layouts (counters the layout lacks are skipped, not faked).
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require busctl busybox nsenter ip

plan 19
setup_dray_test

# field NAME KEY: the raw number KEY of container NAME in `dray stats --no-stream --format json`.
field() {
        dray stats --no-stream --format json "$1" | sed -n "s/.*\"$2\":\([0-9.]*\).*/\1/p"
}
grew() { local now; now="$(field "$1" "$2")"; [ -n "$now" ] && awk -v a="$now" -v b="$3" -v d="$4" 'BEGIN { exit !(a >= b + d) }'; }

busy="$(unique_name busy)"
idle="$(unique_name idle)"
track "$busy"
track "$idle"
dray run -d --name "$busy" --rootfs "$rootfs" sh -c 'while :; do :; done' >/dev/null
dray run -d --name "$idle" --rootfs "$rootfs" sleep 3600 >/dev/null

out="$(dray stats --no-stream "$busy" "$idle")"
like "$(head -n1 <<< "$out")" '^CONTAINER ID +NAME +CPU % +MEM USAGE / LIMIT +MEM % +NET I/O +BLOCK I/O +PIDS$' \
        "the table has docker's columns"
is "$(grep -c -E "^[0-9a-f]{12} +($busy|$idle) " <<< "$out")" 2 "one row per container named"

cpu0="$(field "$busy" CPUNanoseconds)"
wait_until 20 grew "$busy" CPUNanoseconds "${cpu0:-0}" 200000000 &&
        pass "the busy loop's CPU time grows" || fail "the busy loop's CPU time grows" "from '$cpu0' to '$(field "$busy" CPUNanoseconds)'"
b="$(field "$busy" CPUPercent)"
i="$(field "$idle" CPUPercent)"
awk -v b="$b" -v i="$i" 'BEGIN { exit !(b > i && b > 0) }' && pass "CPU % of the busy loop is above the idle one's ($b > $i)" ||
        fail "CPU % of the busy loop is above the idle one's" "busy '$b', idle '$i'"

if controlled memory "memory grows with an allocation in the container"; then
        m0="$(field "$idle" MemoryBytes)"
        dray exec "$idle" dd if=/dev/zero of=/dev/shm/fill bs=1M count=64 2>/dev/null
        wait_until 10 grew "$idle" MemoryBytes "${m0:-0}" 50000000 && pass "memory grows with an allocation in the container" ||
                fail "memory grows with an allocation in the container" "from '$m0' to '$(field "$idle" MemoryBytes)'"
        like "$(dray stats --no-stream --format '{{.MemUsage}}' "$idle")" '^[0-9.]+MiB / [0-9.]+[MG]iB$' \
                "MEM USAGE / LIMIT in binary units"
else
        skip "MEM USAGE / LIMIT in binary units" "no memory controller"
fi

p0="$(field "$idle" PIDsCurrent)"
dray exec -d "$idle" sleep 3600
wait_until 10 grew "$idle" PIDsCurrent "${p0:-0}" 1 && pass "PIDs count a new process" ||
        fail "PIDs count a new process" "from '$p0' to '$(field "$idle" PIDsCurrent)'"

pid="$(prop "$idle" Pid)"
addr="$(nsenter -t "$pid" -n ip -4 -o addr show scope global | awk '{ sub("/.*", "", $4); print $4; exit }')"
rx0="$(field "$idle" NetRxBytes)"
if [ -n "$addr" ] && busybox ping -q -c 3 -s 1200 -W 5 "$addr" >/dev/null; then
        pass "the container answers pings on $addr"
else
        fail "the container answers pings" "address '$addr'"
fi
wait_until 10 grew "$idle" NetRxBytes "${rx0:-0}" 3600 && pass "received bytes count the pings" ||
        fail "received bytes count the pings" "from '$rx0' to '$(field "$idle" NetRxBytes)'"

none="$(unique_name nonet)"
track "$none"
dray run -d --name "$none" --network none --rootfs "$rootfs" sleep 3600 >/dev/null
is "$(dray stats --no-stream --format "{{.NetIO}}" "$none")" "0B / 0B" "no network: nothing counted (lo is not)"

# Streaming without a terminal: frame after frame of lines; CPU % is over the last interval.
frames="$(timeout 3.5 dray stats --format '{{.Name}} {{.CPUPerc}}' "$busy")"
is "$(grep -c "^$busy [0-9.]*%$" <<< "$frames")" "$(wc -l <<< "$frames")" "streaming prints a line per frame"
[ "$(wc -l <<< "$frames")" -ge 2 ] && pass "streaming goes on ($(wc -l <<< "$frames") frames in 3.5 s)" ||
        fail "streaming goes on" "$frames"

# On a terminal, the table is redrawn in place (cleared, cursor home) frame after frame.
tty_out="$(in_pty "timeout 3.5 dray stats $busy" 2>&1)"
[ "$(grep -o $'\e\\[2J\e\\[H' <<< "$tty_out" | wc -l)" -ge 2 ] && pass "on a terminal, frames are redrawn in place" ||
        fail "on a terminal, frames are redrawn in place" "$(cat -v <<< "$tty_out" | head -n 5)"

like "$(dray stats --no-stream --format 'table {{.Name}}\t{{.CPUPerc}}' "$busy" | head -n1)" '^NAME +CPU %$' \
        "--format 'table TEMPLATE': docker's headers"

all="$(dray stats --no-stream --format '{{.Name}}')"
like "$all" "^$busy$" "no names: every running container"
dray stop -t 1 "$none" >/dev/null
unlike "$(dray stats --no-stream --format '{{.Name}}')" "^$none$" "a stopped container is left out"
like "$(dray stats --no-stream -a --format '{{.Name}} {{.CPUPerc}}')" "^$none --$" "-a shows it without figures"

like "$(busctl call org.dray1 /org/dray1 org.dray1.Manager ListContainerStats asb 1 "$busy" false)" \
        '"cpu_nsec" [0-9]+' "the raw API hands out the counters"
like "$(dray stats --no-stream no-such-container 2>&1)" "no-such-container" "an unknown container is an error naming it"

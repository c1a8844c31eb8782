#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# drayd can be killed (SIGKILL) or restarted at any moment: running containers keep running and
# logging, the next drayd adopts them (dray ps and inspect say exactly what they said before), they
# can still be stopped and report their status, and a container that ended while drayd was dead is
# seen as exited with the right status once drayd is back. Runs inside the sandbox (tools/test-all,
# or: tools/sandbox exec -- bash tests/integration/60-daemon-restart.sh).
# shellcheck disable=SC2016 # single-quoted scripts are expanded by the payload's shell
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require busctl systemctl journalctl jq

plan 48
setup_dray_test

unit_gone() { [ -z "$(systemctl list-units --all --plain --no-legend "dray-$1.scope" 2>/dev/null)" ]; }
drayd_pid() { systemctl show -P MainPID drayd.service; }
drayd_down() { ! systemctl is-active --quiet drayd.service; }
# ticks NAME: how many "tick N" lines of NAME the journal holds.
ticks() {
        journalctl --sync 2>/dev/null
        journalctl --no-pager -o cat "CONTAINER_NAME=$1" | grep -c '^tick '
}
kill_quietly() { kill "$@" 2>/dev/null || true; }
# consecutive FILE: FILE is "tick 1", "tick 2"... "tick N" without a gap or a repeat; prints N.
consecutive() { awk '$0 != "tick " NR { bad = 1; exit } END { if (bad || NR == 0) exit 1; print NR }' "$1"; }
ticks_above() { [ "$(ticks "$1")" -gt "$2" ]; }
# The list as dray ps -a shows it, minus Status (it holds "Up N seconds", which moves on).
ps_list() { dray ps -a --format json | jq -S -c 'map(del(.Status)) | sort_by(.Id)'; }
ps_entry() { dray ps -a --format json | jq -S -c --arg n "$1" '.[] | select(.Name == $n) | del(.Status)'; }

# container_alive NAME PID MONITOR_PID: its payload init and monitor still run, its scope is active.
container_alive() {
        kill -0 "$2" && kill -0 "$3" && systemctl is-active --quiet "dray-$1.scope"
}

# --- two containers: one that keeps logging, one that ends when told -------------------------------

ticker="$(unique_name ticker)"
track "$ticker"
dray run -d --name "$ticker" --rootfs "$rootfs" \
        sh -c 'i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.05; done' >/dev/null 2>&1
exiter="$(unique_name exiter)"
track "$exiter"
dray run -d --name "$exiter" --rootfs "$rootfs" \
        sh -c "while [ ! -e /tmp/go-$exiter ]; do sleep 0.05; done; exit 42" >/dev/null 2>&1
wait_until 10 state_is "$ticker" running
wait_until 10 state_is "$exiter" running
wait_until 10 ticks_above "$ticker" 0
is "$(prop "$ticker" State):$(prop "$exiter" State)" running:running "both containers run"
tpid="$(prop "$ticker" Pid)"
tmon="$(prop "$ticker" MonitorPid)"
ps_before="$(ps_list)"
inspect_before="$(dray inspect "$ticker" 2>&1)"
like "$ps_before" "\"Name\":\"$ticker\"" "dray ps -a lists them"

# A follower that must outlive every drayd below, and end when the container ends.
timeout 120 dray logs -f "$ticker" > "$work/follow.out" 2> "$work/follow.err" &
follow_pid=$!
defer kill_quietly "$follow_pid"
wait_until 10 grep -q '^tick ' "$work/follow.out"

# --- kill -9 ------------------------------------------------------------------------------------------

pid="$(drayd_pid)"
like "$pid" '^[1-9][0-9]*$' "drayd runs (MainPID $pid)"
ok "kill -9 drayd" kill -9 "$pid"
wait_until 10 sh -c "[ \"\$(systemctl show -P MainPID drayd.service)\" != '$pid' ]"
n="$(ticks "$ticker")"
ok "the container keeps running after drayd was killed" container_alive "$ticker" "$tpid" "$tmon"
if wait_until 10 ticks_above "$ticker" "$n"; then
        pass "and keeps logging"
else
        fail "and keeps logging" "still $n tick lines"
fi
if wait_until 20 drayd_ready; then
        pass "drayd comes back (restart or bus activation)"
else
        fail "drayd comes back (restart or bus activation)" "$(systemctl status --no-pager drayd.service 2>&1 | head -20)"
fi
isnt "$(drayd_pid)" "$pid" "it is a new drayd"
is "$(ps_list)" "$ps_before" "dray ps -a lists exactly what it listed before"
is "$(dray inspect "$ticker" 2>&1)" "$inspect_before" "dray inspect says exactly what it said before"
n="$(ticks "$ticker")"
wait_until 10 ticks_above "$ticker" "$n"
ok "the container still logs" ticks_above "$ticker" "$n"

# --- systemctl restart drayd --------------------------------------------------------------------------

pid="$(drayd_pid)"
ok "systemctl restart drayd" systemctl restart drayd.service
wait_until 20 drayd_ready
isnt "$(drayd_pid)" "$pid" "a new drayd runs"
ok "the container kept running across the restart" container_alive "$ticker" "$tpid" "$tmon"
is "$(ps_list)" "$ps_before" "dray ps -a lists exactly what it listed before"
is "$(dray inspect "$ticker" 2>&1)" "$inspect_before" "dray inspect says exactly what it said before"
n="$(ticks "$ticker")"
wait_until 10 ticks_above "$ticker" "$n"
ok "the container still logs" ticks_above "$ticker" "$n"

# --- a container ends while drayd is dead ------------------------------------------------------------

# Masked, drayd can neither be restarted by systemd nor activated by a stray bus call meanwhile.
defer systemctl start drayd.service
defer systemctl reset-failed drayd.service
defer systemctl unmask --runtime drayd.service
emon="$(prop "$exiter" MonitorPid)"
ok "mask drayd for a while" systemctl mask --runtime drayd.service
pid="$(drayd_pid)"
ok "kill -9 drayd" kill -9 "$pid"
if wait_until 10 drayd_down; then
        pass "drayd is down"
else
        fail "drayd is down" "$(systemctl status --no-pager drayd.service 2>&1 | head -10)"
fi
n="$(ticks "$ticker")"
if wait_until 10 ticks_above "$ticker" "$n"; then
        pass "while drayd is dead, the container keeps logging"
else
        fail "while drayd is dead, the container keeps logging" "still $n tick lines"
fi
touch "$rootfs/tmp/go-$exiter"
if wait_until 10 unit_gone "$exiter"; then
        pass "the other container ends while drayd is dead (its scope is gone)"
else
        fail "the other container ends while drayd is dead (its scope is gone)" \
             "$(systemctl status --no-pager "dray-$exiter.scope" 2>&1 | head -10)"
fi
ok "its monitor is gone" test ! -e "/proc/$emon"
ok "drayd was dead all along" drayd_down
before_back_us=$(( $(date +%s%N) / 1000 ))
ok "unmask drayd" systemctl unmask --runtime drayd.service
systemctl reset-failed drayd.service 2>/dev/null
if wait_until 20 drayd_ready; then
        pass "drayd comes back (bus activation)"
else
        fail "drayd comes back (bus activation)" "$(systemctl status --no-pager drayd.service 2>&1 | head -20)"
fi
if wait_until 10 state_is "$exiter" exited; then
        pass "the container that ended meanwhile is seen as exited"
else
        fail "the container that ended meanwhile is seen as exited" "state: $(prop "$exiter" State)"
fi
is "$(prop "$exiter" ExitStatus)" 42 "with its exit status, 42"
like "$(dray ps -a --format json | jq -r --arg n "$exiter" '.[] | select(.Name == $n) | .Status')" \
        '^Exited \(42\)' "dray ps -a shows Exited (42)"
is "$(timeout 10 dray wait "$exiter" 2>&1)" 42 "dray wait prints 42"
finished="$(prop "$exiter" FinishedAt)"
if [ "${finished:-0}" -gt 0 ] 2>/dev/null && [ "$finished" -le "$before_back_us" ]; then
        pass "FinishedAt is when it exited, not when drayd came back"
else
        fail "FinishedAt is when it exited, not when drayd came back" \
             "FinishedAt=$finished, drayd was unmasked at $before_back_us"
fi
is "$(prop "$exiter" Pid)" 0 "Pid is 0"
ok "the running container kept running" container_alive "$ticker" "$tpid" "$tmon"
is "$(ps_entry "$ticker")" "$(jq -S -c --arg n "$ticker" '.[] | select(.Name == $n)' <<< "$ps_before")" \
        "dray ps -a shows the running one as before"
is "$(dray inspect "$ticker" 2>&1)" "$inspect_before" "dray inspect of the running one is unchanged"

# --- afterwards, the adopted container can still be stopped -----------------------------------------

out="$(timeout 30 dray stop "$ticker" 2>&1)"; rc=$?
is "$rc" 0 "dray stop of the adopted container succeeds"
is "$(prop "$ticker" State)" exited "it has exited when stop returns"
is "$(prop "$ticker" ExitStatus)" 143 "with status 143 (SIGTERM)"
is "$(timeout 10 dray wait "$ticker" 2>&1)" 143 "dray wait prints 143"
wait_until 10 unit_gone "$ticker"
ok "its scope is gone" unit_gone "$ticker"
ok "its monitor is gone" test ! -e "/proc/$tmon"
wait "$follow_pid"; rc=$?
is "$rc" 0 "dray logs -f, started before the first kill, ends with 0 when the container is stopped"
is "$(cat "$work/follow.err")" "" "and printed no error"
journalctl --sync
journalctl --no-pager -o cat "CONTAINER_NAME=$ticker" > "$work/journal.out"
if n="$(consecutive "$work/journal.out")"; then
        pass "the journal has every tick, 1 to $n, in order: none lost while drayd was away"
else
        fail "the journal has every tick in order" "$(awk '$0 != "tick " NR { print NR ": " $0; exit }' "$work/journal.out")"
fi
if cmp -s "$work/follow.out" "$work/journal.out"; then
        pass "dray logs -f printed exactly those lines"
else
        fail "dray logs -f printed exactly those lines" "$(diff "$work/follow.out" "$work/journal.out" | head -5)"
fi
ok "it can be removed" dray rm "$ticker"
ok "the other one too" dray rm "$exiter"
fails "both are gone" dray inspect "$ticker" "$exiter"

#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A container's scope behaves like any unit under systemctl and machinectl: --stop-signal and
# --stop-timeout are the scope's KillSignal= and TimeoutStopSec=, so `systemctl stop` of the scope
# stops it as `dray stop` does; a signal sent to the unit (`systemctl kill -s USR1`, `machinectl
# kill`) reaches the payload while dray-monitor and the container's init survive it; `machinectl
# poweroff` stops the container cleanly (its stop signal). Runs inside the sandbox (tools/test-all,
# or: tools/sandbox exec -- bash tests/integration/42-unit-signals.sh).
# shellcheck disable=SC2016 # single-quoted scripts are expanded by the payload's shell
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require busctl systemctl machinectl journalctl

plan 33
setup_dray_test

# shellcheck source=tests/integration/lib-units.sh
. "$(dirname "$0")/lib-units.sh"
logs_have() { dray logs "$1" 2>/dev/null | grep -- "$2" >/dev/null; }
ended_with() { [ "$(dray inspect -f '{{.State}} {{.ExitStatus}}' "$1" 2>/dev/null)" = "exited $2" ]; }
runs() { [ "$(dray logs "$name" 2>/dev/null | grep -c run-start)" -ge "$1" ]; }
machine_known() { machinectl show "$1" >/dev/null 2>&1; }
run_opts=(--network none --rootfs "$rootfs")

# A payload that reports the signals it gets and goes on running (its sleep may die of them).
trapper='trap "echo got-usr1" USR1; trap "echo got-term; exit 0" TERM; echo ready; while :; do sleep 0.1; done'

# --- KillSignal= and TimeoutStopSec= ---------------------------------------------------------
name="$(unique_name stopsig)"
track "$name"
ok "a container with --stop-signal USR2 --stop-timeout 7" \
        dray run -d --name "$name" --stop-signal USR2 --stop-timeout 7 "${run_opts[@]}" \
        sh -c 'trap "echo got-usr2; exit 4" USR2; echo ready; while :; do sleep 0.1; done'
ok "it runs" wait_until 20 logs_have "$name" ready
is "$(systemctl show -P KillSignal "dray-$name.scope")" 12 "the scope's KillSignal= is the stop signal (USR2)"
is "$(systemctl show -P TimeoutStopUSec "dray-$name.scope")" 7s "the scope's TimeoutStopSec= is the stop timeout"
ok "systemctl stop of the scope" systemctl stop "dray-$name.scope"
ok "the container exited" wait_until 20 state_is "$name" exited
is "$(prop "$name" ExitStatus)" 4 "... through the payload's own handler of the stop signal (status 4)"

# --- signals to the unit reach the payload, not the monitor ---------------------------------
name="$(unique_name kill)"
track "$name"
ok "a payload that traps USR1 and TERM" dray run -d --name "$name" "${run_opts[@]}" sh -c "$trapper"
ok "it runs" wait_until 20 logs_have "$name" ready
monitor="$(prop "$name" MonitorPid)"
ok "systemctl kill -s USR1 of the scope" systemctl kill -s USR1 "dray-$name.scope"
ok "the payload got USR1" wait_until 20 logs_have "$name" got-usr1
ok "dray-monitor survived it" kill -0 "$monitor"
ok "the container still runs" state_is "$name" running
ok "machinectl kill (SIGTERM to every process)" machinectl kill "$name"
ok "the container exited" wait_until 20 state_is "$name" exited
is "$(prop "$name" ExitStatus)" 0 "... by the payload's TERM handler (status 0), not as 'monitor vanished'"

# --- machinectl poweroff ----------------------------------------------------------------------
name="$(unique_name poweroff)"
track "$name"
dray run -d --name "$name" "${run_opts[@]}" sh -c "$trapper" >/dev/null
ok "machined knows the container" wait_until 20 machine_known "$name"
# Its traps are set once it said ready.
wait_until 20 logs_have "$name" ready
machinectl poweroff "$name"
ok "machinectl poweroff: the container stops cleanly (its stop signal, status 0)" \
        wait_until 20 ended_with "$name" 0
logs_have "$name" got-term
is "$?" 0 "... through the payload's TERM handler"

# --- machinectl reboot: in place, same scope name, same ID -----------------------------------
name="$(unique_name reboot)"
track "$name"
# Each run logs its own start; the second one proves the reboot.
dray run -d --name "$name" "${run_opts[@]}" sh -c 'trap "echo got-term; exit 0" TERM; echo run-start; while :; do sleep 0.1; done' >/dev/null
ok "machined knows the container to reboot" wait_until 20 machine_known "$name"
wait_until 20 logs_have "$name" run-start
id="$(prop "$name" Id)"
ok "machinectl reboot" machinectl reboot "$name"
ok "the command was stopped with its stop signal and started again" wait_until 30 runs 2
ok "... it runs" wait_until 20 state_is "$name" running
is "$(prop "$name" Id)" "$id" "... with the same ID"
is "$(systemctl show -P ActiveState "dray-$name.scope")" active "... in a scope of the same name"
like "$(dray logs "$name" 2>/dev/null)" got-term "the first run ended through its TERM handler"
ok "machined knows it again" wait_until 20 machine_known "$name"

# A foreground run lives through the reboot and still ends with the command's status.
name="$(unique_name fgreboot)"
track "$name"
rm -f "$work/go"
dray run --name "$name" -v "$work:/w" "${run_opts[@]}" \
        sh -c 'echo run-start; while [ ! -e /w/go ]; do sleep 0.05; done; exit 5' >/dev/null 2>&1 &
pid=$!
ok "a foreground run" wait_until 20 machine_known "$name"
wait_until 20 logs_have "$name" run-start
machinectl reboot "$name"
ok "machinectl reboot restarts it" wait_until 30 runs 2
kill -0 "$pid"
is "$?" 0 "the foreground dray run is still waiting"
touch "$work/go"
wait "$pid"
is "$?" 5 "... and exits with the status of the run after the reboot"

# dray kill -s INT is passed on to the command (a Ctrl-C), not a reboot.
name="$(unique_name int)"
track "$name"
dray run -d --name "$name" "${run_opts[@]}" sh -c 'trap "echo got-int; exit 7" INT; echo run-start; while :; do sleep 0.1; done' >/dev/null
wait_until 20 logs_have "$name" run-start
ok "dray kill -s INT" dray kill -s INT "$name"
ok "the command got SIGINT and ended" wait_until 20 ended_with "$name" 7

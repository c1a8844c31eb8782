#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# org.dray1 as any D-Bus client sees it, with busctl only: introspection, a whole life through the
# Manager and Container interfaces, the ContainerNew/ContainerRemoved signals and PropertiesChanged
# (watched with busctl monitor), and 100 clients at once: 100 WaitContainer calls pending on one
# container and a burst of 100 ListContainers, all answered. Runs inside the sandbox
# (tools/test-all, or: tools/sandbox exec -- bash tests/integration/80-api.sh).
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require busctl systemctl jq timeout

plan 39
setup_dray_test

# "--": busctl would take the payload's own options ("sh -c") for its own.
mgr() { busctl -- call org.dray1 /org/dray1 org.dray1.Manager "$@"; }
kill_quietly() { kill "$@" 2>/dev/null || true; }
go_file() { echo "$rootfs/tmp/go-$1"; }
wait_for_go() { echo "while [ ! -e /tmp/go-$1 ]; do sleep 0.05; done"; }

# monitor FILE MATCH: busctl monitor in the background (JSON, one message a line) until the test ends;
# returns once it is listening.
monitor() {
        local file="$1" pid; shift
        timeout 300 busctl --json=short --match="$1" monitor > "$file" 2> "$file.err" &
        pid=$!
        defer kill_quietly "$pid"
        wait_until 10 grep -q 'Monitoring' "$file.err"
}
# signal_seen FILE MEMBER ARG0: a signal MEMBER whose first argument is ARG0 is in FILE.
signal_seen() {
        jq -e -s --arg m "$2" --arg a "$3" 'any(.[]; .member == $m and .payload.data[0] == $a)' "$1" >/dev/null 2>&1
}

# --- introspection ------------------------------------------------------------------------------------

intro="$(busctl introspect --no-pager org.dray1 /org/dray1 org.dray1.Manager 2>&1)"
missing=""
for m in "CreateContainer method sa\\{sv\\} so" "StartContainer method sa\\{sh\\} -" \
         "StopContainer method st -" "RestartContainer method st -" "KillContainer method si -" \
         "RemoveContainer method sb -" "WaitContainer method s i" "GetContainer method s o" \
         "ListContainers method b a\\(sssssttio\\)" "ContainerNew signal so -" "ContainerRemoved signal so -"; do
        read -r member type sig ret <<< "$m"
        grep -Eq "^\\.$member +$type +$sig +$ret( |\$)" <<< "$intro" || missing="$missing $member"
done
is "$missing" "" "busctl introspect lists every Manager method and signal with its signature"

# --- a whole life through the bus alone -------------------------------------------------------------------

name="$(unique_name bus)"
track "$name"
events="$work/manager-signals"
monitor "$events" "type='signal',interface='org.dray1.Manager'"
reply="$(mgr CreateContainer 'sa{sv}' "$name" 3 Rootfs s "$rootfs" \
        Command as 3 sh -c 'echo via-bus; exit 9' Env as 1 FOO=bar 2>&1)"
like "$reply" '^so "[0-9a-f]{64}" "/org/dray1/container/' "CreateContainer answers (id, path)"
id="$(sed -n 's/^so "\([0-9a-f]*\)" .*/\1/p' <<< "$reply")"
path="$(sed -n 's/^so "[0-9a-f]*" "\(.*\)"$/\1/p' <<< "$reply")"
if wait_until 10 signal_seen "$events" ContainerNew "$id"; then
        pass "ContainerNew is emitted with the ID"
else
        fail "ContainerNew is emitted with the ID" "$(cat "$events")"
fi
is "$(jq -r -s --arg a "$id" '.[] | select(.member == "ContainerNew" and .payload.data[0] == $a) | .payload.data[1]' "$events")" \
        "$path" "ContainerNew carries the object path"
is "$(mgr GetContainer s "$name" 2>&1)" "o \"$path\"" "GetContainer of the name gives that path"
is "$(busctl get-property org.dray1 "$path" org.dray1.Container State 2>&1)" 's "created"' \
        "the object's State is created"
ointro="$(busctl introspect --no-pager org.dray1 "$path" org.dray1.Container 2>&1)"
like "$ointro" '^\.State +property +s +"created" +emits-change' "State is a property that emits changes"
like "$ointro" '^\.Wait +method +- +i ' "the Container interface has Wait"

props="$work/props"
monitor "$props" "type='signal',path='$path',interface='org.freedesktop.DBus.Properties',member='PropertiesChanged'"
ok "StartContainer with no streams" mgr StartContainer 'sa{sh}' "$name" 0
is "$(busctl --timeout=30 call org.dray1 "$path" org.dray1.Container Wait 2>&1)" "i 9" \
        "Container.Wait returns the exit status"
is "$(mgr WaitContainer s "$name" 2>&1)" "i 9" "Manager.WaitContainer returns it too"
is "$(busctl get-property org.dray1 "$path" org.dray1.Container ExitStatus 2>&1)" "i 9" "ExitStatus is 9"
states() {
        jq -r -s '.[] | select(.member == "PropertiesChanged") | .payload.data[1].State.data // empty' "$props" |
                tr '\n' ' '
}
wait_until 10 sh -c "jq -r -s '.[] | .payload.data[1].State.data // empty' '$props' | grep -qx exited"
like "$(states)" '(^| )running .*exited $' "PropertiesChanged reports State running, then exited"
like "$(mgr ListContainers b true 2>&1)" "\"$id\" \"$name\" \"exited\" \"[^\"]*\" \"[^\"]*\" [0-9]+ [1-9][0-9]* 9 \"$path\"" \
        "ListContainers has (id, name, exited, image, command, created, finished, 9, path)"
journalctl --sync
is "$(journalctl --no-pager -o cat "CONTAINER_NAME=$name" 2>&1)" via-bus "its output went to the journal"
ok "RemoveContainer" mgr RemoveContainer sb "$name" false
if wait_until 10 signal_seen "$events" ContainerRemoved "$id"; then
        pass "ContainerRemoved is emitted with the ID"
else
        fail "ContainerRemoved is emitted with the ID" "$(cat "$events")"
fi
fails "GetContainer no longer finds it" mgr GetContainer s "$name"
fails "its object is gone" busctl get-property org.dray1 "$path" org.dray1.Container State

# A generated name follows the naming rule.
reply="$(mgr CreateContainer 'sa{sv}' "" 2 Rootfs s "$rootfs" Command as 1 true 2>&1)"
gid="$(sed -n 's/^so "\([0-9a-f]*\)" .*/\1/p' <<< "$reply")"
gname="$(prop "$gid" Name)"
defer gone_for_good "$gid"
like "$gname" '^[a-zA-Z0-9][a-zA-Z0-9.-]{0,62}$' "CreateContainer with an empty name generates a valid one ($gname)"
ok "and it can be removed by ID" mgr RemoveContainer sb "$gid" false

# run --rm: the signals of a short life.
new_ids() { jq -r -s '.[] | select(.member == "ContainerNew") | .payload.data[0]' "$events"; }
n_before="$(new_ids | wc -l)"
name="$(unique_name rmflag)"
defer gone_for_good "$name"
dray run --rm --name "$name" --rootfs "$rootfs" true >/dev/null 2>&1
new_count_above() { [ "$(new_ids | wc -l)" -gt "$1" ]; }
wait_until 10 new_count_above "$n_before"
rid="$(new_ids | sed -n "$((n_before + 1))p")"
if [ -n "$rid" ] && wait_until 10 signal_seen "$events" ContainerRemoved "$rid"; then
        pass "run --rm: ContainerNew, then ContainerRemoved"
else
        fail "run --rm: ContainerNew, then ContainerRemoved" "$(cat "$events")"
fi

# --- 100 clients at once ----------------------------------------------------------------------------------

name="$(unique_name many)"
track "$name"
dray run -d --name "$name" --rootfs "$rootfs" sleep 1000 >/dev/null 2>&1
wait_until 10 state_is "$name" running
is "$(prop "$name" State)" running "a container for 100 waiters runs"

mkdir -p "$work/wait" "$work/list"
wait_pids=()
for i in $(seq 1 100); do
        timeout 120 busctl --timeout=120 call org.dray1 /org/dray1 org.dray1.Manager WaitContainer s "$name" \
                > "$work/wait/$i" 2>&1 &
        wait_pids+=("$!")
done
defer kill_quietly "${wait_pids[@]}"
# All 100 connected (each sends its call right after Hello); busctl list counts itself too.
busctl_clients() { [ "$(busctl list --no-legend --unique 2>/dev/null | awk '$3 == "busctl"' | wc -l)" -gt 100 ]; }
wait_until 30 busctl_clients
ok "100 WaitContainer calls are pending" busctl_clients
ok "drayd still answers meanwhile" mgr ListContainers b false
is "$(prop "$name" State)" running "the container still runs"

list_pids=()
for i in $(seq 1 100); do
        timeout 60 busctl call org.dray1 /org/dray1 org.dray1.Manager ListContainers b true > "$work/list/$i" 2>&1 &
        list_pids+=("$!")
done
list_failed=0
for p in "${list_pids[@]}"; do
        wait "$p" || list_failed=$((list_failed + 1))
done
is "$list_failed" 0 "a burst of 100 concurrent ListContainers: every call succeeds"
is "$(grep -l "\"$name\" \"running\"" "$work"/list/* | wc -l)" 100 "every one lists the container as running"

t0="$(date +%s)"
ok "stop the container" dray stop "$name"
wait_failed=0
for p in "${wait_pids[@]}"; do
        wait "$p" || wait_failed=$((wait_failed + 1))
done
elapsed=$(( $(date +%s) - t0 ))
is "$wait_failed" 0 "all 100 WaitContainer calls return successfully"
is "$(cat "$work"/wait/* | sort | uniq -c | sed 's/^ *//')" "100 i 143" "all 100 return the exit status 143"
if [ "$elapsed" -lt 30 ]; then
        pass "they returned promptly (${elapsed} s after stop)"
else
        fail "they returned promptly" "${elapsed} s after stop"
fi
ok "drayd still answers" mgr ListContainers b true

# --- a burst of starts: drayd queues its calls to systemd instead of failing -----------------------------

burst="$(unique_name burst)"
mkdir -p "$work/burst"
pids=()
for i in $(seq 1 50); do
        track "$burst-$i"
        timeout 120 dray run -d --name "$burst-$i" --rootfs "$rootfs" sleep 1000 > "$work/burst/$i" 2>&1 &
        pids+=("$!")
done
failed=0
for p in "${pids[@]}"; do
        wait "$p" || failed=$((failed + 1))
done
is "$failed" 0 "50 concurrent dray run -d: every one succeeds"
[ "$failed" -eq 0 ] || diag "$(grep -hv '^[0-9a-f]\{64\}$' "$work"/burst/* | sort | uniq -c | head -5)"
is "$(mgr ListContainers b false 2>&1 | grep -o "\"$burst-[0-9]*\" \"running\"" | wc -l)" 50 \
        "ListContainers shows all 50 running"
is "$(systemctl list-units --plain --no-legend --state=active "dray-$burst-*" | wc -l)" 50 "systemd has 50 active scopes"
pids=()
for i in $(seq 1 50); do
        timeout 120 dray rm -f "$burst-$i" > /dev/null 2>&1 &
        pids+=("$!")
done
failed=0
for p in "${pids[@]}"; do
        wait "$p" || failed=$((failed + 1))
done
is "$failed" 0 "50 concurrent dray rm -f: every one succeeds"
burst_gone() {
        [ -z "$(systemctl list-units --all --plain --no-legend "dray-$burst-*")" ] &&
                ! mgr ListContainers b true | grep -q "\"$burst-"
}
if wait_until 30 burst_gone; then
        pass "nothing of the 50 is left (scopes, list)"
else
        fail "nothing of the 50 is left (scopes, list)" \
             "$(systemctl list-units --all --plain --no-legend "dray-$burst-*" | head -5)"
fi

pids=()
for i in $(seq 1 50); do
        timeout 120 dray run --rm --rootfs "$rootfs" sh -c "exit $((i % 7))" > /dev/null 2>&1 &
        pids+=("$!")
done
wrong=0
for i in $(seq 1 50); do
        rc=0
        wait "${pids[$((i - 1))]}" || rc=$?
        [ "$rc" -eq $((i % 7)) ] || wrong=$((wrong + 1))
done
is "$wrong" 0 "50 concurrent dray run --rm: each exits with its own container's status"


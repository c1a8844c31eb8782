#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# dray attach to containers without a terminal: two clients at once each get the whole output, the
# journal keeps every line whoever is attached, stdin from either client reaches an -i container (an
# attached client's EOF leaves the container's input open), --no-stdin, the container's exit status
# is the client's, --sig-proxy (default: the signal reaches the container; false: the client goes,
# the container stays), errors for a stopped container, and AttachContainer on the raw API.
# Terminals and detach keys are in 38-detach-keys.sh. Runs inside the sandbox.
# shellcheck disable=SC2016 # the payloads' scripts are single-quoted on purpose
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/polkit-lib.sh
. "$(dirname "$0")/polkit-lib.sh"

require busctl journalctl setpriv

plan 23
setup_dray_test
mgr() { busctl -- call org.dray1 /org/dray1 org.dray1.Manager "$@"; }
# has FILE TEXT: FILE holds a line with TEXT (for wait_until).
has() { grep -q -- "$2" "$1"; }
# monitor_holds CONTAINER FILE: the container's dray-monitor has FILE open (a client's output).
# Stdin of background clients: open, silent (never the runner's stdin).
exec {silent}< <(exec sleep 3600)
defer kill "$!"
pids=()
stop_clients() { local p; for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; return 0; }
defer stop_clients

# --- output to two clients, and to the journal ---------------------------------------------------

c="$(unique_name out)"
track "$c"
dray run -d --name "$c" --rootfs "$rootfs" \
        sh -c 'i=0; while true; do i=$((i+1)); echo "tick $i"; echo "err $i" >&2; sleep 0.1; done' >/dev/null
dray attach --sig-proxy=false "$c" > "$work/a.out" 2> "$work/a.err" <&"$silent" &
a=$!; pids+=("$a")
dray attach --sig-proxy=false "$c" > "$work/b.out" 2> "$work/b.err" <&"$silent" &
b=$!; pids+=("$b")
wait_until 20 has "$work/a.out" tick && wait_until 20 has "$work/b.out" tick &&
        pass "two clients attached at once both get the output" ||
        fail "two clients attached at once both get the output" "$(cat "$work/a.out" "$work/b.out" | tail -3)"
wait_until 20 has "$work/a.err" err && wait_until 20 has "$work/b.err" err &&
        pass "stderr goes to the clients' stderr" || fail "stderr goes to the clients' stderr"
# Both see the same lines once both are attached (both have output): a later line is in each.
last() { tail -n 1 "$1" | tr -dc 0-9; }
k=$(( $(last "$work/a.out") > $(last "$work/b.out") ? $(last "$work/a.out") + 3 : $(last "$work/b.out") + 3 ))
wait_until 20 has "$work/a.out" "^tick $k\$" && wait_until 20 has "$work/b.out" "^tick $k\$" &&
        pass "the clients see the same lines (tick $k)" || fail "the clients see the same lines" "tick $k"
unlike "$(cat "$work/a.out")" $'\r' "without a terminal the lines carry no \\r"

kill -TERM "$a"
wait "$a"
is "$?" 143 "with --sig-proxy=false a SIGTERM ends the client only (128+15)"
ok "the container keeps running when a client goes" state_is "$c" running
wait_until 20 sh -c "! ls -l /proc/$(prop "$c" MonitorPid)/fd | grep -q '$work/a.out'" &&
        pass "the monitor no longer holds the output of a client that went" ||
        fail "the monitor no longer holds the output of a client that went"
before="$(wc -l < "$work/b.out")"
wait_until 20 sh -c "[ \$(wc -l < '$work/b.out') -gt $((before + 3)) ]" &&
        pass "the other client still gets the output" || fail "the other client still gets the output"
kill -TERM "$b"
wait "$b"
last="$(journalctl -q -o cat CONTAINER_NAME="$c" | grep -c tick)"
wait_until 20 sh -c "[ \$(journalctl -q -o cat CONTAINER_NAME='$c' | grep -c tick) -gt $((last + 3)) ]" &&
        pass "with nobody attached the lines still go to the journal" ||
        fail "with nobody attached the lines still go to the journal"
dray rm -f "$c" >/dev/null

# --- input ---------------------------------------------------------------------------------------

c="$(unique_name in)"
track "$c"
dray run -d -i --name "$c" --rootfs "$rootfs" sh -c 'while read -r l; do echo "got $l"; [ "$l" = end ] && exit 7; done' >/dev/null
# The first client's input ends at once; the container's stays open for the next one.
echo first | dray attach --sig-proxy=false "$c" > "$work/i1.out" 2>&1 &
i1=$!; pids+=("$i1")
wait_until 20 has "$work/i1.out" "got first" && pass "an attached client's input reaches the container" ||
        fail "an attached client's input reaches the container" "$(cat "$work/i1.out")"
ok "its end of input does not end the container's" state_is "$c" running
echo nothing | dray attach --no-stdin --sig-proxy=false "$c" > "$work/i2.out" 2>&1 &
i2=$!; pids+=("$i2")
printf 'second\nend\n' | dray attach "$c" > "$work/i3.out" 2>&1
is "$?" 7 "the client exits with the container's exit status"
like "$(cat "$work/i3.out")" "got second" "input from a second client reaches it too"
is "$(cat "$work/i1.out" "$work/i2.out" "$work/i3.out" | grep -c "got nothing")" 0 \
        "--no-stdin: that client's input is not forwarded"
wait "$i1" "$i2" 2>/dev/null

# --- signals -------------------------------------------------------------------------------------

c="$(unique_name sig)"
track "$c"
dray run -d --name "$c" --rootfs "$rootfs" \
        sh -c 'trap "echo got-usr1" USR1; while true; do echo alive; sleep 0.1; done' >/dev/null
dray attach "$c" > "$work/s.out" 2>&1 <&"$silent" &
s=$!; pids+=("$s")
# Output shows the client is attached; a signal before that would only end the client.
wait_until 20 has "$work/s.out" alive || diag "the client does not get the output"
kill -USR1 "$s"
wait_until 20 has "$work/s.out" got-usr1 && pass "--sig-proxy (default): a signal to the client reaches the container" ||
        fail "--sig-proxy (default): a signal to the client reaches the container" "$(cat "$work/s.out")"
kill -TERM "$s"
wait "$s"
wait_until 20 state_is "$c" exited && pass "and SIGTERM stops the container, as docker attach's" ||
        fail "and SIGTERM stops the container, as docker attach's"

# run --sig-proxy=false: a signal detaches the client, the container runs on.
n="$(unique_name nosig)"
track "$n"
dray run --sig-proxy=false --name "$n" --rootfs "$rootfs" sh -c 'while true; do echo alive; sleep 0.1; done' \
        > "$work/r.out" 2>&1 <&"$silent" &
r=$!; pids+=("$r")
wait_until 20 has "$work/r.out" alive || diag "run --sig-proxy=false shows no output"
kill -TERM "$r"
wait "$r"
is "$?" 143 "run --sig-proxy=false: SIGTERM ends the client (128+15)"
ok "and the container keeps running" state_is "$n" running
wait_until 20 sh -c "! ls -l /proc/$(prop "$n" MonitorPid)/fd | grep -q '$work/r.out'" &&
        pass "and no longer gets its output copied to the client's" ||
        fail "and no longer gets its output copied to the client's"
like "$(dray create --sig-proxy=false --rootfs "$rootfs" true 2>&1)" "option of 'dray run'" \
        "--sig-proxy is an option of run, not create"

# --- errors and the raw API ----------------------------------------------------------------------

polkit_test_user dray-attach-test /etc/polkit-1/rules.d/10-dray-attach-test.rules
refused "attaching needs org.dray1.manage-containers (it types into the container)" \
        org.dray1.manage-containers dray attach --no-stdin "$n"

like "$(dray attach "$c" 2>&1)" "is not running" "attaching to a stopped container is refused"
like "$(mgr AttachContainer 'sa{sh}' "$c" 0 2>&1)" "resize.*required" \
        "AttachContainer without the resize pipe (the client's lifeline) is refused"

#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# dray pause|unpause: a counter stops while the container is paused and goes on after unpause; the
# state "paused" in ps, inspect and on the bus; exec refused while paused; a paused container can
# still be stopped and killed; errors for pausing twice or a stopped container; the raw API.
# Runs inside the sandbox (tools/test-all, or: tools/sandbox exec -- bash tests/integration/73-pause.sh).
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require busctl

plan 16
setup_dray_test
mgr() { busctl -- call org.dray1 /org/dray1 org.dray1.Manager "$@"; }
counter() { dray cp "$1:/tmp/n" - 2>/dev/null | tar -xOf - 2>/dev/null; }
count='i=0; while true; do i=$((i+1)); echo $i > /tmp/n.new; mv /tmp/n.new /tmp/n; sleep 0.05; done'

c="$(unique_name pause)"
defer dray rm -f "$c"
dray run -d --name "$c" --rootfs "$rootfs" --ephemeral sh -c "$count" >/dev/null
wait_until 10 sh -c "[ \"\$(dray cp '$c:/tmp/n' - 2>/dev/null | tar -xOf - 2>/dev/null)\" -gt 2 ] 2>/dev/null" ||
        diag "the counter did not start"
ok "dray pause" dray pause "$c"
like "$(dray ps | grep "$c")" "Up .*\\(Paused\\)" "ps shows it paused"
path="$(mgr GetContainer s "$c" | cut -d'"' -f2)"
is "$(busctl get-property org.dray1 "$path" org.dray1.Container State Paused | tr '\n' ' ')" 's "paused" b true ' \
        "the State and Paused properties say so"
a="$(counter "$c")"
sleep 1
b="$(counter "$c")"
[ -n "$a" ] && [ "$a" = "$b" ] && pass "the counter stands still while paused ($a)" ||
        fail "the counter stands still while paused" "$a then $b"
like "$(dray exec "$c" true 2>&1)" "is paused; unpause it first" "exec in a paused container is refused"
like "$(dray pause "$c" 2>&1)" "paused already" "pausing twice is an error"
ok "dray unpause" dray unpause "$c"
wait_until 10 sh -c "[ \"\$(dray cp '$c:/tmp/n' - 2>/dev/null | tar -xOf - 2>/dev/null)\" -gt '$b' ] 2>/dev/null" &&
        pass "the counter goes on after unpause" || fail "the counter goes on after unpause"
is "$(busctl get-property org.dray1 "$path" org.dray1.Container State)" 's "running"' "the state is running again"
like "$(dray unpause "$c" 2>&1)" "not paused" "unpausing a running container is an error"

# Through the raw API, and a stop of a paused container.
ok "PauseContainer on the bus" mgr PauseContainer s "$c"
ok "a paused container can be stopped" dray stop -t 2 "$c"
is "$(busctl get-property org.dray1 "$path" org.dray1.Container State)" 's "exited"' "it exited"
like "$(dray pause "$c" 2>&1)" "is not running" "pausing a stopped container is an error"

k="$(unique_name pkill)"
defer dray rm -f "$k"
dray run -d --name "$k" --rootfs "$rootfs" sleep 100000 >/dev/null
dray pause "$k" >/dev/null
ok "a paused container can be killed" dray kill "$k"
is "$(dray wait "$k" 2>&1)" 137 "and ends with SIGKILL's status"

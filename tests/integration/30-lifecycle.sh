#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The whole life of a container through the CLI (run, create, start, stop, kill, restart, rm, wait,
# ps, inspect), checked against raw D-Bus calls and systemd, and what the payload finds inside: its
# PIDs, host name, environment, user, capabilities, /sys, /dev, a read-only and an ephemeral root.
# Runs inside the sandbox (tools/test-all, or: tools/sandbox exec -- bash tests/integration/30-lifecycle.sh).
# shellcheck disable=SC2016 # single-quoted scripts are expanded by the payload's shell
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require busctl systemctl journalctl jq

plan 120
# A root of our own ($rootfs): some containers here wait for a file the test creates in it.
setup_dray_test

STATE=/var/lib/dray/containers

# --- helpers -------------------------------------------------------------------------------------

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# journal_has NAME LINE: the container's output has exactly this line.
journal_has() {
        journalctl --sync 2>/dev/null
        journalctl --no-pager -o cat "CONTAINER_NAME=$1" | grep -xF -- "$2" >/dev/null
}
# The ps -a listing of one name (empty when not listed).
ps_a_has() { dray ps -a --format json | jq -e --arg n "$1" 'any(.[]; .Name == $n)' >/dev/null; }
unit_gone() { [ -z "$(systemctl list-units --all --plain --no-legend "dray-$1.scope" 2>/dev/null)" ]; }
state_dir_of_name() { grep -lsF "\"$1\"" "$STATE"/*/config.json; }
# go NAME: the file a 'wait for go' payload polls for (in our root, seen by the container).
go_file() { echo "$rootfs/tmp/go-$1"; }
wait_for_go() { echo "while [ ! -e /tmp/go-$1 ]; do sleep 0.05; done"; }

# --- foreground run --------------------------------------------------------------------------------

out="$(dray run --rm --rootfs "$rootfs" sh -c 'echo hi; exit 3' 2>&1)"; rc=$?
is "$out" hi "run in the foreground prints the payload's output"
is "$rc" 3 "run in the foreground exits with the payload's status"
out="$(dray run --rm --rootfs "$rootfs" sh -c 'echo out; echo err >&2' 2>/dev/null)"
is "$out" out "the payload's stdout reaches run's stdout (and only stdout)"
out="$(dray run --rm --rootfs "$rootfs" sh -c 'echo out; echo err >&2' 2>&1 >/dev/null)"
is "$out" err "the payload's stderr reaches run's stderr"

# --- detached: run -d, ps, inspect, the bus ----------------------------------------------------------

name="$(unique_name life)"
track "$name"
id="$(dray run -d --name "$name" --rootfs "$rootfs" -e FOO=bar sleep 1000 2>&1)"
like "$id" '^[0-9a-f]{64}$' "run -d prints the full container ID"
wait_until 10 state_is "$name" running
is "$(prop "$name" State)" running "inspect: the container is running"
ps_json="$(dray ps --format json 2>&1)"
is "$(jq -r --arg n "$name" '.[] | select(.Name == $n) | .State' <<< "$ps_json")" running \
        "ps --format json lists it as running"
like "$(jq -r --arg n "$name" '.[] | select(.Name == $n) | .Status' <<< "$ps_json")" '^Up' \
        "ps --format json: Status says Up"
is "$(jq -r --arg n "$name" '.[] | select(.Name == $n) | .Id' <<< "$ps_json")" "$id" \
        "ps --format json: Id is the full ID"
like "$(dray ps 2>&1)" "^${id:0:12} .*Up.* $name\$" "ps (table) shows the short ID, Up and the name"
like "$(dray ps -q 2>&1)" "^${id:0:12}\$" "ps -q prints the short ID"

insp="$(dray inspect "$name" 2>&1)"
is "$(jq -r 'length' <<< "$insp")" 1 "inspect prints a JSON array of one object"
is "$(jq -r '.[0].Name' <<< "$insp")" "$name" "inspect: Name"
is "$(jq -r '.[0].Id' <<< "$insp")" "$id" "inspect: Id"
is "$(jq -r '.[0].Unit' <<< "$insp")" "dray-$name.scope" "inspect: Unit is dray-NAME.scope"
is "$(jq -r '.[0].ExitStatus' <<< "$insp")" -1 "inspect: ExitStatus is -1 while running"
like "$(jq -r '.[0].Pid' <<< "$insp")" '^[1-9][0-9]*$' "inspect: Pid is set while running"
is "$(jq -c '.[0].Command' <<< "$insp")" '["sleep","1000"]' "inspect: Command"
is "$(jq -r '.[0].Env | any(. == "FOO=bar")' <<< "$insp")" true "inspect: Env holds -e FOO=bar"
now_us=$(( $(date +%s%N) / 1000 ))
if jq -e --argjson now "$now_us" '.[0] | .CreatedAt > 0 and .CreatedAt <= .StartedAt and
                .StartedAt <= $now and .FinishedAt == 0' <<< "$insp" >/dev/null; then
        pass "inspect: 0 < CreatedAt <= StartedAt <= now, FinishedAt 0"
else
        fail "inspect: 0 < CreatedAt <= StartedAt <= now, FinishedAt 0" \
             "$(jq -c '.[0] | {CreatedAt, StartedAt, FinishedAt}' <<< "$insp" 2>&1) now=$now_us"
fi
pid="$(jq -r '.[0].Pid' <<< "$insp")"
like "$(cat "/proc/$pid/comm" 2>&1; cat "/proc/$(pgrep -P "$pid" | head -1)/comm" 2>&1)" '^sleep$' \
        "the payload (the child of Pid) runs sleep on the host"
is "$(systemctl is-active "dray-$name.scope")" active "systemd: the scope is active"
like "$(busctl call org.dray1 /org/dray1 org.dray1.Manager ListContainers b false 2>&1)" \
        "\"$id\" \"$name\" \"running\"" "busctl ListContainers lists it as running"
path="$(busctl call org.dray1 /org/dray1 org.dray1.Manager GetContainer s "$name" 2>&1 | sed -n 's/^o "\(.*\)"$/\1/p')"
is "$(busctl get-property org.dray1 "$path" org.dray1.Container State 2>&1)" 's "running"' \
        "busctl: the object's State property is running"

# --- ID prefix resolution ------------------------------------------------------------------------

is "$(prop "$id" Name)" "$name" "the full ID resolves"
is "$(prop "${id:0:12}" Name)" "$name" "a 12-digit ID prefix resolves"
is "$(prop "${id:0:6}" Name)" "$name" "a 6-digit ID prefix resolves"
fails "a 3-digit prefix does not resolve" dray inspect "${id:0:3}"
is "$(busctl call org.dray1 /org/dray1 org.dray1.Manager GetContainer s "${id:0:8}" 2>&1)" "o \"$path\"" \
        "busctl GetContainer resolves an ID prefix to the same object"

# --- stop: prompt for a payload that obeys SIGTERM -------------------------------------------------

t0="$(now_ms)"
out="$(dray stop "${id:0:12}" 2>&1)"; rc=$?
elapsed=$(( $(now_ms) - t0 ))
is "$rc" 0 "stop (by ID prefix) succeeds"
is "$out" "${id:0:12}" "stop prints the argument"
if [ "$elapsed" -lt 5000 ]; then
        pass "stop of sleep 1000 is prompt (${elapsed} ms, well below the 10 s timeout)"
else
        fail "stop of sleep 1000 is prompt" "took ${elapsed} ms: was it SIGKILLed after the timeout?"
fi
is "$(prop "$name" State)" exited "stop returns once the container has exited"
is "$(prop "$name" ExitStatus)" 143 "the SIGTERMed payload's exit status is 143"
is "$(prop "$name" Pid)" 0 "Pid is 0 once exited"
like "$(dray ps -a 2>&1)" "Exited \\(143\\).* $name\$" "ps -a shows Exited (143)"
unlike "$(dray ps 2>&1)" " $name\$" "ps (without -a) no longer lists it"
wait_until 10 unit_gone "$name"
ok "the scope is gone after stop" unit_gone "$name"
ok "stop of an exited container succeeds (idempotent)" dray stop "$name"
fails "kill of an exited container fails" dray kill "$name"

# --- stop of a payload that ignores SIGTERM: SIGKILL after -t --------------------------------------

name="$(unique_name ignterm)"
track "$name"
dray run -d --name "$name" --rootfs "$rootfs" sh -c 'trap "" TERM; echo trapped; sleep 1000' >/dev/null 2>&1
wait_until 10 journal_has "$name" trapped
t0="$(now_ms)"
dray stop -t 2 "$name" >/dev/null 2>&1; rc=$?
elapsed=$(( $(now_ms) - t0 ))
is "$rc" 0 "stop -t 2 of a payload that ignores SIGTERM succeeds"
if [ "$elapsed" -ge 1900 ] && [ "$elapsed" -lt 8000 ]; then
        pass "it waited about 2 s, not the default 10 s (${elapsed} ms)"
else
        fail "it waited about 2 s, not the default 10 s" "took ${elapsed} ms"
fi
is "$(prop "$name" ExitStatus)" 137 "the payload was SIGKILLed: exit status 137"
wait_until 10 unit_gone "$name"
ok "nothing of it is left in systemd" unit_gone "$name"

# The container's own --stop-timeout and --stop-signal.
name="$(unique_name stopopts)"
track "$name"
dray run -d --name "$name" --stop-timeout 1 --rootfs "$rootfs" sh -c 'trap "" TERM; echo trapped; sleep 1000' >/dev/null 2>&1
wait_until 10 journal_has "$name" trapped
t0="$(now_ms)"
dray stop "$name" >/dev/null 2>&1
elapsed=$(( $(now_ms) - t0 ))
if [ "$elapsed" -ge 900 ] && [ "$elapsed" -lt 6000 ]; then
        pass "stop uses the container's --stop-timeout 1 (${elapsed} ms)"
else
        fail "stop uses the container's --stop-timeout 1" "took ${elapsed} ms"
fi
is "$(prop "$name" ExitStatus)" 137 "and then SIGKILLs it (137)"
name="$(unique_name stopsig)"
track "$name"
dray run -d --name "$name" --stop-signal USR1 --rootfs "$rootfs" \
        sh -c 'trap "" TERM; trap "echo got-usr1; exit 3" USR1; echo trapped; while :; do sleep 0.05; done' >/dev/null 2>&1
wait_until 10 journal_has "$name" trapped
ok "stop with --stop-signal USR1" dray stop "$name"
is "$(prop "$name" ExitStatus)" 3 "the payload got USR1, not TERM, and exited on its own (3)"

# --- kill -s USR1 / KILL -----------------------------------------------------------------------------

name="$(unique_name kill)"
track "$name"
dray run -d --name "$name" --rootfs "$rootfs" \
        sh -c 'trap "echo got-usr1" USR1; echo ready; while :; do sleep 0.05; done' >/dev/null 2>&1
wait_until 10 journal_has "$name" ready
ok "kill -s USR1 succeeds" dray kill -s USR1 "$name"
if wait_until 10 journal_has "$name" got-usr1; then
        pass "the payload received SIGUSR1"
else
        fail "the payload received SIGUSR1" "$(journalctl --no-pager -o cat CONTAINER_NAME="$name" 2>&1)"
fi
is "$(prop "$name" State)" running "SIGUSR1 (handled) leaves it running"
ok "kill -s KILL succeeds" dray kill -s KILL "$name"
wait_until 10 state_is "$name" exited
is "$(prop "$name" State)" exited "after kill -s KILL it has exited"
is "$(prop "$name" ExitStatus)" 137 "its exit status is 137"

# --- restart -------------------------------------------------------------------------------------------

name="$(unique_name restart)"
track "$name"
dray run -d --name "$name" --rootfs "$rootfs" sleep 1000 >/dev/null 2>&1
wait_until 10 state_is "$name" running
pid1="$(prop "$name" Pid)"
started1="$(prop "$name" StartedAt)"
ok "restart succeeds" dray restart -t 2 "$name"
wait_until 10 state_is "$name" running
is "$(prop "$name" State)" running "it runs again after restart"
pid2="$(prop "$name" Pid)"
if [ -n "$pid2" ] && [ "$pid2" != 0 ] && [ "$pid2" != "$pid1" ]; then
        pass "a new payload runs (Pid $pid1 -> $pid2)"
else
        fail "a new payload runs" "Pid before: $pid1, after: $pid2"
fi
if [ "$(prop "$name" StartedAt)" -gt "$started1" ] 2>/dev/null; then
        pass "StartedAt moved forward"
else
        fail "StartedAt moved forward" "before $started1, after $(prop "$name" StartedAt)"
fi
is "$(systemctl is-active "dray-$name.scope")" active "the scope is active again"

# --- rm, rm -f -------------------------------------------------------------------------------------------

out="$(dray rm "$name" 2>&1)"; rc=$?
isnt "$rc" 0 "rm of a running container without -f fails"
like "$out" '[Rr]unning' "and says it is running"
is "$(prop "$name" State)" running "and leaves it running"
rid="$(prop "$name" Id)"
mpid="$(prop "$name" MonitorPid)"
ok "rm -f of a running container succeeds" dray rm -f "$name"
fails "it is gone for inspect" dray inspect "$name"
fails "ps -a no longer lists it" ps_a_has "$name"
wait_until 10 unit_gone "$name"
ok "its scope is gone" unit_gone "$name"
wait_until 10 test ! -e "$STATE/$rid"
ok "its state directory is gone" test ! -e "$STATE/$rid"
ok "its monitor is gone" test ! -e "/proc/$mpid"

name="$(unique_name rm)"
track "$name"
dray run --name "$name" --rootfs "$rootfs" true >/dev/null 2>&1
rid="$(prop "$name" Id)"
is "$(prop "$name" State)" exited "a finished container stays until removed"
ok "rm of an exited container succeeds" dray rm "$name"
fails "it is gone from ps -a" ps_a_has "$name"
wait_until 10 test ! -e "$STATE/$rid"
ok "its state directory is gone" test ! -e "$STATE/$rid"
fails "rm of an unknown container fails" dray rm "no-such-$name"

# --- wait --------------------------------------------------------------------------------------------

name="$(unique_name wait)"
track "$name"
dray run -d --name "$name" --rootfs "$rootfs" sh -c "$(wait_for_go "$name"); exit 7" >/dev/null 2>&1
wait_until 10 state_is "$name" running
timeout 20 dray wait "$name" > "$work/wait.out" 2>&1 &
wait_pid=$!
touch "$(go_file "$name")"
wait "$wait_pid"; rc=$?
is "$rc:$(cat "$work/wait.out")" "0:7" "wait returns when the container exits and prints its status"
is "$(dray wait "$name" 2>&1)" 7 "wait on an exited container prints its status at once"

# --- create, then start -a -----------------------------------------------------------------------

name="$(unique_name create)"
track "$name"
cid="$(dray create --name "$name" --rootfs "$rootfs" sh -c 'echo from-create; exit 5' 2>&1)"
like "$cid" '^[0-9a-f]{64}$' "create prints the full ID"
is "$(prop "$name" State)" created "a created container is in state created"
is "$(prop "$name" Pid)" 0 "and has no Pid"
out="$(dray start -a "$name" 2>&1)"; rc=$?
is "$out" from-create "start -a forwards the output"
is "$rc" 5 "start -a exits with the container's status"
is "$(prop "$name" State)" exited "the container has exited after start -a"
out="$(dray start -a "$name" 2>&1)"; rc=$?
is "$out:$rc" "from-create:5" "an exited container starts again (start -a)"

# --- --rm leaves nothing ----------------------------------------------------------------------------

name="$(unique_name rmflag)"
defer gone_for_good "$name"
out="$(dray run --rm --name "$name" --rootfs "$rootfs" sh -c 'echo bye' 2>&1)"
is "$out" bye "run --rm runs the container"
wait_until 10 sh -c "! dray inspect '$name'"
fails "run --rm: ps -a does not list it" ps_a_has "$name"
is "$(state_dir_of_name "$name")" "" "run --rm: no state directory holds it"
ok "run --rm: systemctl list-units 'dray-NAME*' is empty" unit_gone "$name"
ok "run --rm: no log rate limit file is left" \
        test ! -e "/run/systemd/units/log-rate-limit-burst:dray-$name.scope"

name="$(unique_name rmdetach)"
rid="$(dray run -d --rm --name "$name" --rootfs "$rootfs" sh -c "$(wait_for_go "$name")" 2>&1)"
defer gone_for_good "$name"
wait_until 10 state_is "$name" running
touch "$(go_file "$name")"
if wait_until 10 sh -c "! dray inspect '$name'"; then
        pass "run -d --rm: the container is removed when it exits"
else
        fail "run -d --rm: the container is removed when it exits" "still: $(prop "$name" State)"
fi
wait_until 10 test ! -e "$STATE/$rid"
ok "run -d --rm: its state directory is gone" test ! -e "$STATE/$rid"
# systemd lists the scope until it has processed its end, which may come after the removal.
wait_until 10 unit_gone "$name"
ok "run -d --rm: its scope is gone" unit_gone "$name"

# --- inside the container ---------------------------------------------------------------------------

name="$(unique_name inside)"
track "$name"
out="$(dray run --name "$name" --rootfs "$rootfs" hostname 2>&1)"
is "$out" "$name" "the host name inside is the container's name"
out="$(dray run --rm --hostname other-host --rootfs "$rootfs" hostname 2>&1)"
is "$out" other-host "--hostname sets it"

out="$(dray run --rm --rootfs "$rootfs" sh -c 'echo $$; grep ^PPid: /proc/$$/status; cat /proc/1/comm' 2>&1)"
is "$(sed -n 1p <<< "$out")" 2 "the payload is PID 2 in its PID namespace"
like "$(sed -n 2p <<< "$out")" '^PPid:[[:space:]]+1$' "its parent is PID 1, the container's init"
like "$(sed -n 3p <<< "$out")" '.' "PID 1 has a name"
unlike "$(sed -n 3p <<< "$out")" '^(sh|busybox)$' "PID 1 is the init, not the payload ($(sed -n 3p <<< "$out"))"

printf 'FROMFILE=one\n# a comment\n\nSPACED=two words\nFOO=from-file\n' > "$work/env"
out="$(FROMCLI=xyz dray run --rm --rootfs "$rootfs" --env-file "$work/env" -e FOO=bar -e FROMCLI \
        -e EMPTY= env 2>&1)"
like "$out" '^FOO=bar$' "-e overrides --env-file"
like "$out" '^FROMFILE=one$' "--env-file sets variables"
like "$out" '^SPACED=two words$' "--env-file keeps spaces in values"
like "$out" '^FROMCLI=xyz$' "-e NAME takes the value from dray's environment"
like "$out" '^EMPTY=$' "-e NAME= sets an empty value"
like "$out" '^PATH=/' "a default PATH is set"
unlike "$out" '^# a comment' "--env-file comments are not variables"

is "$(dray run --rm -w /tmp --rootfs "$rootfs" pwd 2>&1)" /tmp "-w sets the working directory"
is "$(dray run --rm --rootfs "$rootfs" pwd 2>&1)" / "the default working directory is /"
is "$(dray run --rm -u 1000:1000 --rootfs "$rootfs" sh -c 'echo $(id -u):$(id -g)' 2>&1)" 1000:1000 \
        "-u 1000:1000 runs as uid 1000, gid 1000"
like "$(dray run --rm -u 1000:1000 --rootfs "$rootfs" grep ^CapEff: /proc/self/status 2>&1)" \
        '^CapEff:[[:space:]]+0000000000000000$' "a non-root user has no effective capabilities"

status="$(dray run --rm --rootfs "$rootfs" cat /proc/self/status 2>&1)"
like "$status" '^CapBnd:[[:space:]]+00000000a80425fb$' "the bounding set is Docker's default 14 (a80425fb)"
like "$status" '^CapEff:[[:space:]]+00000000a80425fb$' "root has those 14 effective"
like "$status" '^NoNewPrivs:[[:space:]]+1$' "no_new_privs is set"
like "$status" '^Seccomp:[[:space:]]+2$' "a seccomp filter is in place"

out="$(dray run --rm --rootfs "$rootfs" sh -c 'grep " /sys " /proc/mounts; mkdir /sys/x 2>&1' 2>&1)"
like "$out" '^[^ ]+ /sys [^ ]+ ro[, ]' "/sys is mounted read-only"
like "$out" 'Read-only file system' "writing to /sys fails with EROFS"
out="$(dray run --rm --rootfs "$rootfs" sh -c \
        'for f in null zero full random urandom tty ptmx pts shm mqueue; do [ -e /dev/$f ] || echo missing: $f; done
         [ -c /dev/null ] && echo x > /dev/null && echo null-ok' 2>&1)"
is "$out" null-ok "/dev has null zero full random urandom tty ptmx pts shm mqueue, /dev/null works"

out="$(dray run --rm --read-only --rootfs "$rootfs" sh -c 'touch /x 2>&1; echo rc=$?' 2>&1)"
like "$out" '^rc=[1-9]' "--read-only: touch / fails"
like "$out" '[Rr]ead-only' "--read-only: because the root is read-only"
ok "--read-only: nothing was written to the root" test ! -e "$rootfs/x"

snapshot() {
        (cd "$rootfs" && find . -path ./tmp -prune -o -printf '%p %y %s %m %l\n' | sort && md5sum etc/passwd etc/hostname)
}
before="$(snapshot)"
# --network none: on a bridge network /etc/hostname is dray's generated file, bound over the root's
# (as Docker does), and cannot be removed; this is about the root itself.
out="$(dray run --rm --ephemeral --network none --rootfs "$rootfs" \
        sh -c 'echo data > /newfile && rm /etc/hostname && echo extra >> /etc/passwd && mkdir /newdir && cat /newfile' 2>&1)"; rc=$?
is "$rc:$out" "0:data" "--ephemeral: the container can write to its root"
after="$(snapshot)"
if [ "$before" = "$after" ]; then
        pass "--ephemeral: the root directory is unmodified afterwards"
else
        fail "--ephemeral: the root directory is unmodified afterwards" "$(diff <(echo "$before") <(echo "$after") | head -10)"
fi
is "$(dray run --rm --ephemeral --network none --rootfs "$rootfs" sh -c 'ls /newfile 2>/dev/null; cat /etc/hostname' 2>&1)" busybox \
        "--ephemeral: a second container starts from the pristine root"

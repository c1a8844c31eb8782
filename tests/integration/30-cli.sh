#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The dray CLI against the real drayd, verb by verb: exit statuses and one-line errors, run's
# foreground path (output, status, signals, --rm, cleanup after a failed start), create/start/
# wait, ps and inspect output, logs (tail, since, follow, long lines), limits as systemd sees
# them. Runs inside the sandbox (tools/sandbox run -- tests/integration/30-cli.sh).
# shellcheck disable=SC2016 # the payloads' scripts are single-quoted on purpose
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require busctl systemctl journalctl timeout
command -v dray >/dev/null || bail_out "dray is not installed in the sandbox"
wait_until 10 drayd_ready || bail_out "drayd is not reachable as org.dray1"
rootfs="$(test_rootfs)" || bail_out "could not build the busybox root"

work="$(mktemp -d)"
defer rm -rf "$work"

# exists NAME: drayd knows the container.
exists() { busctl call org.dray1 /org/dray1 org.dray1.Manager GetContainer s "$1" >/dev/null 2>&1; }

# --- usage errors: 125, one line, nothing created ---------------------------------------------

count_before="$(dray ps -a -q | wc -l)"
for args in "--memory lots" "--cpus 0" "--cpu-shares 1" "--cpu-weight 0" "--pids-limit 0" \
            "--stop-signal SIGNOPE" "--name -bad" "--user bob" "--workdir relative" "--bogus" \
            "-e 1X=y" "--env-file /no/such/file"; do
        # shellcheck disable=SC2086 # word splitting of $args is the point
        err="$(dray run $args --rootfs "$rootfs" true 2>&1)"
        rc=$?
        if [ "$rc" = 125 ] && [ "$(printf '%s\n' "$err" | wc -l)" = 1 ] && [[ "$err" == "dray: "* ]]; then
                pass "dray run $args: 125 and one line"
        else
                fail "dray run $args: 125 and one line" "exit status: $rc" "output: $err"
        fi
done
is "$(dray ps -a -q | wc -l)" "$count_before" "usage errors created no container"
status_is 125 "an unknown verb gives 125" dray frobnicate
status_is 125 "run without a command gives 125" dray run --rootfs "$rootfs"
status_is 0 "dray run --help exits 0" dray run --help
like "$(dray run --help)" '^Usage: dray run' "dray run --help prints its usage on stdout"

# --- run in the foreground ---------------------------------------------------------------------

out="$(dray run --rm --rootfs "$rootfs" sh -c 'echo to-out; echo to-err >&2' 2>"$work/err")"
is "$out" "to-out" "the payload's stdout reaches dray's stdout"
is "$(cat "$work/err")" "to-err" "the payload's stderr reaches dray's stderr"
status_is 7 "dray run exits with the payload's status" dray run --rm --rootfs "$rootfs" sh -c 'exit 7'
status_is 127 "a missing command gives 127" dray run --rm --rootfs "$rootfs" /no/such/command
status_is 126 "a command that cannot be executed gives 126" dray run --rm --rootfs "$rootfs" /etc/passwd
rc=0
for _ in 1 2 3 4 5 6 7 8 9 10; do
        dray run --rm --rootfs "$rootfs" true || rc=$?
done
is "$rc" 0 "ten quick --rm runs all deliver their status"
out="$(dray run --rm --rootfs "$rootfs" sh -c 'echo "$1|$2"' sh -c 'x y')"
is "$out" "-c|x y" "options end at the command: its own -c and arguments pass through"

name="$(unique_name nf)"
status_is 127 "dray run of a missing command in a named container gives 127" \
        dray run --name "$name" --rootfs "$rootfs" /no/such/command
if exists "$name"; then
        fail "a container whose start failed is removed" "$(dray inspect "$name" 2>&1)"
        dray rm -f "$name" >/dev/null 2>&1
else
        pass "a container whose start failed is removed"
fi

name="$(unique_name rm)"
dray run --rm --name "$name" --rootfs "$rootfs" true
if wait_until 5 sh -c "! busctl call org.dray1 /org/dray1 org.dray1.Manager GetContainer s '$name'"; then
        pass "--rm removes the container"
else
        fail "--rm removes the container"
fi

# Signals to a foreground run go to the container (busybox sleep dies of SIGINT: 128 + 2).
name="$(unique_name sig)"
defer dray rm -f "$name"
dray run --name "$name" --rootfs "$rootfs" sleep 300 &
pid=$!
if wait_until 10 state_is "$name" running; then
        kill -INT "$pid"
        rc=0
        timeout 10 tail --pid="$pid" -f /dev/null || rc=$?
        wait "$pid"
        is "$?" 130 "SIGINT to dray run is passed on: the container ends with 130"
else
        kill -KILL "$pid" 2>/dev/null
        fail "SIGINT to dray run is passed on: the container ends with 130" "it never ran"
fi

# --- environment ---------------------------------------------------------------------------------

printf '# comment\nFROM_FILE=file\n  SPACED=a b \nOVERRIDE=file\nDRAY_TEST_HOST_VAR\n' > "$work/env"
out="$(DRAY_TEST_HOST_VAR=host dray run --rm --env-file "$work/env" -e OVERRIDE=flag -e DRAY_TEST_HOST_VAR \
        --rootfs "$rootfs" sh -c 'echo "$FROM_FILE|$SPACED|$OVERRIDE|$DRAY_TEST_HOST_VAR"')"
is "$out" "file|a b |flag|host" "--env-file and -e, Docker's way"
like "$(dray run --rm --rootfs "$rootfs" sh -c 'echo $PATH')" '/bin' "PATH has a default"

# --- detached, limits, lifecycle -----------------------------------------------------------------

name="$(unique_name lim)"
defer dray rm -f "$name"
id="$(dray run -d --name "$name" --memory 64m --cpus 0.5 --cpu-shares 1024 --pids-limit 50 \
        --rootfs "$rootfs" sleep 300)"
like "$id" '^[0-9a-f]{64}$' "dray run -d prints the full ID"
unit="dray-$name.scope"
is "$(systemctl show -P MemoryMax "$unit")" 67108864 "--memory 64m is MemoryMax=64M"
is "$(systemctl show -P CPUQuotaPerSecUSec "$unit")" 500ms "--cpus 0.5 is CPUQuota=50%"
is "$(systemctl show -P CPUWeight "$unit")" 39 "--cpu-shares 1024 is CPUWeight=39"
is "$(systemctl show -P TasksMax "$unit")" 50 "--pids-limit 50 is TasksMax=50"
like "$(dray ps)" "^${id:0:12} .*Up .*$name\$" "dray ps shows the short ID, Up, and the name"
like "$(dray ps -q)" "^${id:0:12}\$" "dray ps -q prints short IDs"
like "$(dray ps -q --no-trunc)" "^$id\$" "dray ps -q --no-trunc prints full IDs"
like "$(dray ps --format json)" "\"Name\": \"$name\"" "dray ps --format json"
is "$(dray inspect -f '{{.Id}} {{.State}} {{.MemoryMax}}' "${id:0:8}")" "$id running 67108864" \
        "dray inspect -f, with an ID prefix"
like "$(dray inspect "$name")" "\"TasksMax\": 50" "dray inspect prints the properties as JSON"
is "$(dray kill -s TERM "$name")" "$name" "dray kill prints the container"
wait_until 10 state_is "$name" exited
is "$(dray wait "$name")" 143 "dray wait prints the status (128 + SIGTERM)"
is "$(dray restart -t 1 "$name")" "$name" "dray restart restarts an exited container"
ok "it runs again" wait_until 10 state_is "$name" running
is "$(dray stop -t 1 "$name")" "$name" "dray stop prints the container"
ok "it is exited after stop" state_is "$name" exited
status_is 1 "dray rm of a missing container exits 1" dray rm "$(unique_name none)"
status_is 0 "dray rm -f of a missing container exits 0" dray rm -f "$(unique_name none)"
is "$(dray rm "$name")" "$name" "dray rm removes it"

# --- create, start -a, wait ----------------------------------------------------------------------

name="$(unique_name cr)"
defer dray rm -f "$name"
id="$(dray create --name "$name" --rootfs "$rootfs" sh -c 'echo started; exit 4')"
like "$id" '^[0-9a-f]{64}$' "dray create prints the full ID"
ok "a created container is in state created" state_is "$name" created
out="$(dray start -a "$name")"
is "$?" 4 "dray start -a exits with the status"
is "$out" started "dray start -a forwards the output"
is "$(dray wait "$name")" 4 "dray wait on an exited container prints its status"

# --- logs ----------------------------------------------------------------------------------------

name="$(unique_name logs)"
defer dray rm -f "$name"
dray run --name "$name" --rootfs "$rootfs" \
        sh -c 'for i in 1 2 3 4 5; do echo line$i; done; echo oops >&2; head -c 40000 /dev/zero | tr "\0" x; echo' \
        >/dev/null 2>&1
journalctl --sync 2>/dev/null
is "$(dray logs "$name" 2>/dev/null | head -5 | tr '\n' ' ')" "line1 line2 line3 line4 line5 " \
        "dray logs prints stdout in order"
is "$(dray logs "$name" 2>&1 >/dev/null)" oops "dray logs prints stderr on stderr"
is "$(dray logs "$name" 2>/dev/null | tail -1 | wc -c)" 40001 \
        "a 40000-byte line, stored in pieces, comes back as one line"
# The last three lines are line5, oops (stderr) and the long one: pieces do not count as lines.
is "$(dray logs -n 3 "$name" 2>/dev/null | head -1)" line5 "dray logs -n counts lines, not pieces"
is "$(dray logs --since "$(date -d '+1 hour' '+%Y-%m-%d %H:%M:%S')" "$name" 2>&1)" "" \
        "dray logs --since the future prints nothing"
like "$(dray logs --since 10m "$name" 2>/dev/null | head -1)" '^line1$' "dray logs --since 10m"
like "$(dray logs -t -n 1 "$name" 2>/dev/null | head -c 30)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' "dray logs -t"
full="$(dray inspect -f '{{.Id}}' "$name")"
dray rm "$name" >/dev/null
is "$(dray logs "$full" 2>/dev/null | head -1)" line1 "a removed container's logs, by full ID"

name="$(unique_name follow)"
defer dray rm -f "$name"
dray run -d --name "$name" --rootfs "$rootfs" sh -c 'for i in 1 2 3; do echo tick$i; sleep 0.3; done' >/dev/null
out="$(timeout 20 dray logs -f "$name")"
rc=$?
is "$rc" 0 "dray logs -f ends by itself when the container stops"
is "$(printf '%s\n' "$out" | tr '\n' ' ')" "tick1 tick2 tick3 " "dray logs -f got every line"

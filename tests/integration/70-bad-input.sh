#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Bad input, through the CLI and through raw D-Bus calls: each is refused with one clear line on
# stderr and Docker's exit status (125 for dray's own errors, 126 for a command that cannot be run,
# 127 for one that does not exist), and leaves nothing behind: no state directory, no scope, no
# rate-limit file, dray ps -a unchanged. Runs inside the sandbox (tools/test-all, or:
# tools/sandbox exec -- bash tests/integration/70-bad-input.sh).
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require busctl systemctl gdbus dbus-send jq

plan 98
setup_dray_test

# Everything a container leaves on the host.
snapshot() {
        echo "state: $(find /var/lib/dray/containers -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort | tr '\n' ' ')"
        echo "runtime: $(find /run/dray/containers -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort | tr '\n' ' ')"
        echo "units: $(systemctl list-units --all --plain --no-legend 'dray-*' | awk '{ print $1 }' | sort | tr '\n' ' ')"
        echo "rate-limit files: $(find /run/systemd/units -mindepth 1 -maxdepth 1 -name '*dray-*' -printf '%f\n' 2>/dev/null | sort | tr '\n' ' ')"
        echo "ps -a: $(dray ps -a -q --no-trunc 2>&1 | sort | tr '\n' ' ')"
}
snapshot_is() { [ "$(snapshot)" = "$1" ]; }

# refused DESC STATUS REGEX CMD...: CMD exits with STATUS, prints nothing on stdout and exactly one
# line on stderr that matches REGEX (it names what was wrong), and leaves nothing behind.
refused() {
        local desc="$1" want="$2" re="$3" before rc=0; shift 3
        before="$(snapshot)"
        "$@" > "$work/stdout" 2> "$work/stderr" || rc=$?
        is "$rc" "$want" "$desc: exit status $want"
        if [ "$(wc -l < "$work/stderr")" -eq 1 ] && grep -Eq -- "$re" "$work/stderr" && [ ! -s "$work/stdout" ]; then
                pass "$desc: one clear line on stderr"
        else
                fail "$desc: one clear line on stderr" "expected one line matching /$re/" \
                     "stderr: $(cat "$work/stderr")" "stdout: $(cat "$work/stdout")"
        fi
        if wait_until 10 snapshot_is "$before"; then
                pass "$desc: leaves nothing behind"
        else
                fail "$desc: leaves nothing behind" "$(diff <(echo "$before") <(snapshot))"
        fi
}


long_name="$(printf 'a%.0s' $(seq 1 64))"
base="$(unique_name bad)"

# --- the CLI -----------------------------------------------------------------------------------------

refused "invalid name '-bad'" 125 "'-bad'" dray run --name -bad --rootfs "$rootfs" true
refused "invalid name '_ab' (Docker's rule: a letter or digit first)" 125 "'_ab'" dray run --name _ab --rootfs "$rootfs" true
refused "a 64-character name" 125 "$long_name" dray run --name "$long_name" --rootfs "$rootfs" true
refused "create with an invalid name" 125 "'a.b/c'" dray create --name a.b/c --rootfs "$rootfs" true

# 63 characters is fine: the limit is where it should be.
name63="$(printf '%s' "$base-$(printf 'b%.0s' $(seq 1 63))" | cut -c1-63)"
defer gone_for_good "$name63"
ok "a 63-character name is accepted" dray create --name "$name63" --rootfs "$rootfs" true
ok "and removed" dray rm "$name63"

dup="$base-dup"
defer gone_for_good "$dup"
dup_id="$(dray create --name "$dup" --rootfs "$rootfs" sleep 1000 2>&1)"
like "$dup_id" '^[0-9a-f]{64}$' "a container to collide with"
refused "a duplicate name (run)" 125 "$dup" dray run --name "$dup" --rootfs "$rootfs" true
refused "a duplicate name (create)" 125 "$dup" dray create --name "$dup" --rootfs "$rootfs" true
is "$(dray inspect -f '{{.Id}} {{.State}}' "$dup" 2>&1)" "$dup_id created" "the first container is untouched"

refused "a missing rootfs" 125 "/nonexistent/root" dray run --rootfs /nonexistent/root true
refused "a rootfs that is a file" 125 "$rootfs/etc/passwd" dray run --rootfs "$rootfs/etc/passwd" true
refused "a missing relative rootfs" 125 "no-such-dir" dray run --rootfs no-such-dir true
refused "an unknown option" 125 "--bogus" dray run --bogus --rootfs "$rootfs" true
refused "--memory lots" 125 "lots" dray run --memory lots --rootfs "$rootfs" true
refused "--cpus abc" 125 "abc" dray run --cpus abc --rootfs "$rootfs" true
refused "--pids-limit -1" 125 "'-1'" dray run --pids-limit -1 --rootfs "$rootfs" true

refused "a command that does not exist" 127 "/no/such/command" dray run --rootfs "$rootfs" /no/such/command
refused "a command not in PATH" 127 "no-such-command" dray run --rootfs "$rootfs" no-such-command
refused "a file that is not executable" 126 "/etc/passwd" dray run --rootfs "$rootfs" /etc/passwd
refused "a directory as the command" 126 "/etc" dray run --rootfs "$rootfs" /etc
refused "a command that does not exist (--rm)" 127 "/no/such/command" \
        dray run --rm --rootfs "$rootfs" /no/such/command
refused "a command that does not exist (-d)" 127 "/no/such/command" \
        dray run -d --rootfs "$rootfs" /no/such/command

refused "kill of an unknown container" 1 "no-such-$base" dray kill "no-such-$base"
refused "stop of an unknown container" 1 "no-such-$base" dray stop "no-such-$base"

# --- raw D-Bus: the daemon checks for itself -------------------------------------------------------

# bus_refused DESC REGEX CMD...: like refused, for a D-Bus client (any non-zero status).
bus_refused() {
        local desc="$1" re="$2" before rc=0; shift 2
        before="$(snapshot)"
        "$@" > "$work/stdout" 2> "$work/stderr" || rc=$?
        if [ "$rc" -ne 0 ] && grep -Eq -- "$re" "$work/stderr"; then
                pass "$desc"
        else
                fail "$desc" "exit status $rc, expected an error matching /$re/" \
                     "stderr: $(cat "$work/stderr")" "stdout: $(cat "$work/stdout")"
        fi
        if wait_until 10 snapshot_is "$before"; then
                pass "$desc: leaves nothing behind"
        else
                fail "$desc: leaves nothing behind" "$(diff <(echo "$before") <(snapshot))"
        fi
}

create_busctl() { busctl call org.dray1 /org/dray1 org.dray1.Manager CreateContainer 'sa{sv}' "$@"; }
create_gdbus() {
        gdbus call --system --dest org.dray1 --object-path /org/dray1 \
                --method org.dray1.Manager.CreateContainer "$@"
}

bus_refused "busctl CreateContainer with an unknown option key names the key" "Bogus" \
        create_busctl "$base-k" 3 Rootfs s "$rootfs" Command as 1 true Bogus s x
bus_refused "... and the error is InvalidArgs" "org\\.freedesktop\\.DBus\\.Error\\.InvalidArgs" \
        create_gdbus "$base-k" "{'Rootfs': <'$rootfs'>, 'Command': <['true']>, 'Bogus': <'x'>}"
bus_refused "busctl CreateContainer with a wrong variant type names the key" "MemoryMax" \
        create_busctl "$base-t" 3 Rootfs s "$rootfs" Command as 1 true MemoryMax s lots
bus_refused "... and the error is InvalidArgs" "org\\.freedesktop\\.DBus\\.Error\\.InvalidArgs" \
        create_gdbus "$base-t" "{'Rootfs': <'$rootfs'>, 'Command': <['true']>, 'MemoryMax': <'lots'>}"
bus_refused "busctl CreateContainer without Command names it" "Command" \
        create_busctl "$base-c" 1 Rootfs s "$rootfs"
bus_refused "busctl CreateContainer with an empty Command" "Command" \
        create_busctl "$base-c" 2 Rootfs s "$rootfs" Command as 0
bus_refused "busctl CreateContainer with a relative Rootfs" "Rootfs" \
        create_busctl "$base-r" 2 Rootfs s relative/root Command as 1 true
bus_refused "busctl CreateContainer with an invalid name: InvalidName" "org\\.dray1\\.Error\\.InvalidName" \
        create_gdbus "_ab" "{'Rootfs': <'$rootfs'>, 'Command': <['true']>}"
bus_refused "busctl CreateContainer with a missing Rootfs: RootfsNotFound" "org\\.dray1\\.Error\\.RootfsNotFound" \
        create_gdbus "$base-m" "{'Rootfs': <'/nonexistent/root'>, 'Command': <['true']>}"
bus_refused "busctl CreateContainer with a duplicate name: ContainerExists" "org\\.dray1\\.Error\\.ContainerExists" \
        create_gdbus "$dup" "{'Rootfs': <'$rootfs'>, 'Command': <['true']>}"
bus_refused "busctl CreateContainer with CPUWeight 0" "CPUWeight" \
        create_busctl "$base-w" 3 Rootfs s "$rootfs" Command as 1 true CPUWeight t 0

bus_refused "GetContainer of an unknown name: org.dray1.Error.NoSuchContainer" \
        "^Error org\\.dray1\\.Error\\.NoSuchContainer" \
        dbus-send --system --print-reply --dest=org.dray1 /org/dray1 org.dray1.Manager.GetContainer \
        "string:no-such-$base"
bus_refused "busctl GetContainer of an unknown name fails and names it" "no-such-$base" \
        busctl call org.dray1 /org/dray1 org.dray1.Manager GetContainer s "no-such-$base"
bus_refused "StopContainer of an unknown name: NoSuchContainer" "org\\.dray1\\.Error\\.NoSuchContainer" \
        dbus-send --system --print-reply --dest=org.dray1 /org/dray1 org.dray1.Manager.StopContainer \
        "string:no-such-$base" uint64:0
bus_refused "a 3-digit ID prefix is not resolved" "org\\.dray1\\.Error\\.NoSuchContainer" \
        dbus-send --system --print-reply --dest=org.dray1 /org/dray1 org.dray1.Manager.GetContainer \
        "string:${dup_id:0:3}"

ok "drayd still answers after all that" drayd_ready

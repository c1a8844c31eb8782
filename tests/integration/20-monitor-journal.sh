#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# dray-monitor's journald relay, with a real journald: dray-monitor is started the way drayd starts
# it (a sync fd that says 'G'), inside a transient scope as drayd puts it, and journalctl checks
# the fields, the order and count of 100000 lines, an over-long line in pieces and output without
# a final newline. Runs inside the sandbox (tools/test-all, or
# tools/sandbox run -- tests/integration/20-monitor-journal.sh). DRAY_MONITOR overrides the binary.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require systemd-run journalctl jq

MONITOR="${DRAY_MONITOR:-/usr/libexec/dray/dray-monitor}"
[ -x "$MONITOR" ] || bail_out "$MONITOR is not installed"
systemctl is-active --quiet systemd-journald.service || bail_out "journald is not running"

plan 21

rootfs="$(test_rootfs)" || bail_out "could not build the busybox root"
mkdir -p "$TEST_DIR"
work="$(mktemp -d "$TEST_DIR/monitor-journal.XXXXXX")"
defer rm -rf "$work"
mkdir -p "$work/state/containers" "$work/run"

# lift_rate_limit NAME: as drayd does, lifts journald's per-unit rate limit for dray-NAME.scope
# (scopes have no LogRateLimitBurst=; journald reads this file, which PID 1 writes for services).
lift_rate_limit() {
        mkdir -p /run/systemd/units
        ln -sfn 1000000 "/run/systemd/units/log-rate-limit-burst:dray-$1.scope"
        defer rm -f "/run/systemd/units/log-rate-limit-burst:dray-$1.scope"
}

# run_monitor NAME CMD...: writes the spec, runs dray-monitor for it in dray-NAME.scope until the
# container ends, and prints the container ID.
run_monitor() {
        local name="$1" id dir; shift
        id="$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
        dir="$work/state/containers/$id"
        mkdir -p "$dir"
        jq -n --arg id "$id" --arg name "$name" --arg rootfs "$rootfs" \
                --argjson cmd "$(printf '%s\n' "$@" | jq -cRn '[inputs]')" \
                '{id: $id, name: $name, rootfs: $rootfs, command: $cmd,
                  env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}' > "$dir/config.json"
        # The sync fd: a FIFO open read-write, with the 'G' already in it; the OK line the monitor
        # writes back stays in the FIFO.
        mkfifo "$work/$name.sync"
        (
                exec 3<> "$work/$name.sync"
                printf G >&3
                exec timeout 300 systemd-run --scope --quiet --unit="dray-$name.scope" -- \
                        "$MONITOR" --id="$id" --state-dir="$work/state" --runtime-dir="$work/run" --sync-fd=3
        ) > "$work/$name.out" 2>&1 < /dev/null
        echo "$id"
}

exit_status_of() {
        jq -r .exit_status "$work/state/containers/$1/exit.json" 2>/dev/null
}

# journal NAME [JOURNALCTL ARGS...]: the container's entries as JSON lines, every field in full.
journal() {
        local name="$1"; shift
        journalctl --no-pager --all -o json "CONTAINER_NAME=$name" "$@"
}

# --- fields ------------------------------------------------------------------------------------

name="$(unique_name mj)"
lift_rate_limit "$name"
id="$(run_monitor "$name" sh -c 'echo hello; echo oops >&2; printf tail')"
is "$(exit_status_of "$id")" 0 "the monitor records exit status 0"
journalctl --sync
entries="$(journal "$name")"
hello="$(jq -c 'select(.MESSAGE == "hello")' <<< "$entries")"
is "$(jq -r .PRIORITY <<< "$hello")" 6 "stdout has PRIORITY=6"
is "$(jq -r .CONTAINER_ID <<< "$hello")" "${id:0:12}" "CONTAINER_ID is the short ID"
is "$(jq -r .CONTAINER_ID_FULL <<< "$hello")" "$id" "CONTAINER_ID_FULL is the full ID"
is "$(jq -r .IMAGE_NAME <<< "$hello")" "$rootfs" "IMAGE_NAME is the rootfs without an image"
is "$(jq -r .SYSLOG_IDENTIFIER <<< "$hello")" "$name" "SYSLOG_IDENTIFIER is the name"
is "$(jq -r .CONTAINER_TAG <<< "$hello")" "$name" "CONTAINER_TAG is the name"
is "$(jq -r .CONTAINER_PARTIAL_MESSAGE <<< "$hello")" null "a whole line is not partial"
# journald names the unit from the sender's cgroup, which it cannot read once a short-lived monitor
# has exited (seen on cgroup v2); OBJECT_SYSTEMD_UNIT, which the monitor sends as root, is then what
# `journalctl -u` matches (DESIGN.md, Logging).
is "$(jq -r '._SYSTEMD_UNIT // .OBJECT_SYSTEMD_UNIT' <<< "$hello")" "dray-$name.scope" \
        "journald charges the entry to the scope (_SYSTEMD_UNIT, or OBJECT_SYSTEMD_UNIT)"
is "$(jq -r 'select(.MESSAGE == "oops") | .PRIORITY' <<< "$entries")" 3 "stderr has PRIORITY=3"
is "$(jq -r 'select(.MESSAGE == "tail") | .CONTAINER_PARTIAL_MESSAGE' <<< "$entries")" true \
        "output without a final newline arrives, marked partial"
like "$(journalctl --no-pager -o cat -u "dray-$name.scope")" '^hello$' "journalctl -u finds the output"

# --- 100000 lines, none lost, in order ---------------------------------------------------------

name="$(unique_name mj-many)"
lift_rate_limit "$name"
id="$(run_monitor "$name" seq 1 100000)"
is "$(exit_status_of "$id")" 0 "seq 1 100000 exits 0"
journalctl --sync
is "$(journal "$name" | wc -l)" 100000 "100000 lines arrive"
if cmp -s <(journalctl --no-pager -o cat "CONTAINER_NAME=$name") <(seq 1 100000); then
        pass "the lines arrive in order"
else
        fail "the lines arrive in order" \
             "$(diff <(journalctl --no-pager -o cat "CONTAINER_NAME=$name") <(seq 1 100000) | head -5)"
fi

# --- a 100 KB line -----------------------------------------------------------------------------

name="$(unique_name mj-long)"
lift_rate_limit "$name"
id="$(run_monitor "$name" sh -c 'head -c 100000 /dev/zero | tr "\0" a; echo; echo after')"
is "$(exit_status_of "$id")" 0 "the long-line container exits 0"
journalctl --sync
pieces="$(journal "$name" | jq -r '"\(.MESSAGE | length) \(.CONTAINER_PARTIAL_MESSAGE // "-")"' | tr '\n' ' ')"
is "$pieces" "16384 true 16384 true 16384 true 16384 true 16384 true 16384 true 1696 - 5 - " \
        "a 100000-byte line arrives as 16 KiB pieces, all but the last partial"
is "$(journalctl --no-pager -o cat "CONTAINER_NAME=$name" | head -n 7 | tr -d '\n' | wc -c)" 100000 \
        "the pieces add up to the line"
is "$(journalctl --no-pager -o cat "CONTAINER_NAME=$name" | tail -n 1)" after "the next line follows"

# --- a command that does not exist -------------------------------------------------------------

name="$(unique_name mj-nf)"
lift_rate_limit "$name"
id="$(run_monitor "$name" /no/such/command)"
is "$(exit_status_of "$id")" 127 "a missing command is recorded as 127"
like "$(jq -r .error "$work/state/containers/$id/exit.json")" 'no/such/command' \
        "exit.json says why"

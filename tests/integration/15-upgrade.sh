#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# An upgrade under running containers (docs/ARCHITECTURE.md, "The contract, versioned"): containers
# started by the previous build's drayd and dray-monitor keep running when this build's drayd
# replaces it, are adopted, and stop, exec and log as before; their old files (no schema_version)
# are read. Files and messages of a version newer than this build's are refused with a clear log
# line and left untouched.
#
# The previous build is built here from git: DRAY_UPGRADE_FROM (a commit), by default the parent of
# the commit that brought in src/shared/contract.h. Only drayd, dray-monitor and dray are built; they
# replace the installed ones for the first half, and this build's come back at the end whatever
# happens. Runs inside the sandbox (tools/test-all, or tools/sandbox exec -- bash THIS).
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require busctl systemctl journalctl jq git meson ninja

from="${DRAY_UPGRADE_FROM:-}"
if [ -z "$from" ]; then
        added="$(git -C "$REPO_ROOT" log -1 --format=%H --diff-filter=A -- src/shared/contract.h 2>/dev/null)"
        [ -n "$added" ] && from="$added^"
fi
[ -n "$from" ] && git -C "$REPO_ROOT" rev-parse -q --verify "$from^{commit}" >/dev/null ||
        skip_all "no git history to build the previous version from (set DRAY_UPGRADE_FROM)"

plan 27
setup_dray_test

ticks() {
        journalctl --sync 2>/dev/null
        journalctl --no-pager -o cat "CONTAINER_NAME=$1" | grep -c '^tick '
}
ticks_above() { [ "$(ticks "$1")" -gt "$2" ]; }
restart_drayd() {
        systemctl restart drayd.service && wait_until 20 drayd_ready
}
journal_since() {
        journalctl --sync 2>/dev/null
        journalctl --no-pager -o cat -u drayd.service --since "@$1"
}

# --- the previous build --------------------------------------------------------------------------

drayd_bin="$(systemctl show -P ExecStart drayd.service | sed -n 's/.*path=\([^ ;]*\).*/\1/p')"
monitor_bin="$(dirname "$drayd_bin")/dray/dray-monitor"
dray_bin="$(command -v dray)"
[ -x "$drayd_bin" ] && [ -x "$monitor_bin" ] && [ -x "$dray_bin" ] ||
        bail_out "cannot find the installed drayd ($drayd_bin), dray-monitor ($monitor_bin) or dray"

old="$work/old"
mkdir -p "$old/src" "$work/new"
if git -C "$REPO_ROOT" archive --format=tar "$from" | tar -x -C "$old/src" &&
   meson setup "$old/build" "$old/src" -Dfuzz=disabled >"$work/old-setup.log" 2>&1 &&
   ninja -C "$old/build" src/daemon/drayd src/monitor/dray-monitor src/cli/dray >"$work/old-build.log" 2>&1; then
        pass "the previous build ($(git -C "$REPO_ROOT" log -1 --format='%h %s' "$from" | cut -c1-60)) builds"
else
        fail "the previous build ($from) builds" "$(tail -20 "$work/old-setup.log" "$work/old-build.log" 2>/dev/null)"
        bail_out "no previous build to upgrade from"
fi

# replace SRC DST: atomically (running programs keep their old file).
replace() { cp "$1" "$2.upgrade-tmp" && mv -f "$2.upgrade-tmp" "$2"; }
cp "$drayd_bin" "$work/new/drayd" && cp "$monitor_bin" "$work/new/dray-monitor" && cp "$dray_bin" "$work/new/dray" ||
        bail_out "cannot keep this build's binaries"
put_back() {
        replace "$work/new/drayd" "$drayd_bin"
        replace "$work/new/dray-monitor" "$monitor_bin"
        replace "$work/new/dray" "$dray_bin"
        restart_drayd
}
defer put_back
replace "$old/build/src/daemon/drayd" "$drayd_bin" &&
        replace "$old/build/src/monitor/dray-monitor" "$monitor_bin" &&
        replace "$old/build/src/cli/dray" "$dray_bin" || bail_out "cannot install the previous build"
ok "the previous drayd runs" restart_drayd

# --- containers started by the previous build ------------------------------------------------------

ticker="$(unique_name ticker)"
waiter="$(unique_name waiter)"
defer gone_for_good "$ticker"
defer gone_for_good "$waiter"
ok "the previous build starts a logging container" \
        dray run -d --name "$ticker" --rootfs "$rootfs" \
        sh -c 'i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.1; done'
ok "... and one that ends when told" \
        dray run -d --name "$waiter" --rootfs "$rootfs" \
        sh -c 'while [ ! -e /tmp/go ]; do sleep 0.1; done; echo bye; exit 7'
wait_until 10 ticks_above "$ticker" 2 || diag "no ticks from $ticker yet"
ticker_id="$(prop "$ticker" Id)"
monitor_pid="$(prop "$ticker" MonitorPid)"
payload_pid="$(prop "$ticker" Pid)"
monitor_cmdline="$(tr '\0' ' ' < "/proc/$monitor_pid/cmdline" 2>/dev/null)"
like "$monitor_cmdline" "^dray-monitor --id=$ticker_id " "the container's monitor runs (PID $monitor_pid)"
unlike "$monitor_cmdline" '--protocol' "... and it is the previous build's (no --protocol= on its command line)"
is "$(jq -r '.schema_version // "none"' "/var/lib/dray/containers/$ticker_id/state.json")" none \
        "its state.json is the previous format (no schema_version)"

# --- this build takes over -----------------------------------------------------------------------

replace "$work/new/drayd" "$drayd_bin" && replace "$work/new/dray-monitor" "$monitor_bin" &&
        replace "$work/new/dray" "$dray_bin" || bail_out "cannot put this build back"
since="$(date +%s)"
ok "this build's drayd starts" restart_drayd
ok "the old monitor still runs" kill -0 "$monitor_pid"
ok "the old payload still runs" kill -0 "$payload_pid"
is "$(prop "$ticker" State)" running "the new drayd sees the container running"
like "$(journal_since "$since")" "Container $ticker: adopted its monitor \\(PID $monitor_pid\\)" \
        "the new drayd adopted the old monitor"
before="$(ticks "$ticker")"
ok "the container keeps logging" wait_until 20 ticks_above "$ticker" "$((before + 3))"
like "$(dray logs -n 3 "$ticker" 2>&1)" '^tick [0-9]+' "dray logs reads its lines"
is "$(dray exec "$ticker" echo exec-works 2>&1)" exec-works "dray exec runs in the adopted container"
ok "dray exec reaches the old waiter" dray exec "$waiter" touch /tmp/go
ok "the waiter ends" wait_until 20 state_is "$waiter" exited
is "$(prop "$waiter" ExitStatus)" 7 "its exit status comes from the old monitor's exit.json"
ok "dray stop stops the adopted container" dray stop -t 5 "$ticker"
is "$(prop "$ticker" State)" exited "... which is then exited"
is "$(jq -r .schema_version "/var/lib/dray/containers/$ticker_id/state.json")" 1 \
        "the new drayd writes state.json with its schema version"

# --- a newer dray's files and messages are refused, and left alone ---------------------------------

future="$(unique_name future)"
defer gone_for_good "$future"
dray create --name "$future" --rootfs "$rootfs" true >/dev/null 2>&1
future_id="$(prop "$future" Id)"
dir="/var/lib/dray/containers/$future_id"
if [ -n "$future_id" ] && [ -f "$dir/config.json" ]; then
        systemctl stop drayd.service
        jq -c '.schema_version = 99' "$dir/config.json" > "$work/config.json" && cp "$work/config.json" "$dir/config.json"
        sums="$(cd "$dir" && sha256sum -- * 2>/dev/null)"
        since="$(date +%s)"
        restart_drayd
        like "$(journal_since "$since")" "Container $future_id: .*written by a newer dray.*refusing to load it; leaving it untouched" \
                "a config.json of a newer schema version is refused with a clear log line"
        fails "... and the container is not loaded" dray inspect "$future"
        is "$(cd "$dir" && sha256sum -- * 2>/dev/null)" "$sums" "... and its files are left as they were"
        # Let the cleanup remove it: back to a version this drayd reads.
        jq -c 'del(.schema_version)' "$dir/config.json" > "$work/config.json" && cp "$work/config.json" "$dir/config.json"
        restart_drayd
else
        fail "a container to make a newer one of" "dray create failed"
        skip "... and the container is not loaded" "no container"
        skip "... and its files are left as they were" "no container"
fi

# A dray-monitor asked for a protocol newer than its own answers FAIL with EPROTONOSUPPORT (93).
refused_monitor() {
        "$monitor_bin" --id="$(printf '%064d' 0)" --state-dir="$work/none" --runtime-dir="$work/none" \
                --sync-fd=3 --protocol=2 3>"$work/sync" 2>"$work/monitor.err"
}
status_is 1 "a monitor asked for sync protocol 2 refuses" refused_monitor
like "$(cat "$work/sync")" '^FAIL 93 dray-monitor .* speaks sync protocol version 1, drayd asked for version 2$' \
        "... and says so on the sync fd in the contract's words"
like "$(cat "$work/monitor.err")" 'refusing to start' "... and in its log"

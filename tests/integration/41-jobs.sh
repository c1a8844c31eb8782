#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Containers run from units (docs/ARCHITECTURE.md "Containers run from units"): a foreground
# `dray run` in a service is that service's payload. Driven with real units and timers:
# - a timer job that prints and exits 3: the service fails with status 3, each line is in its
#   journal exactly once and in the container's scope's exactly once, with the container fields,
#   systemctl status shows the last lines, and the container is gone;
# - SIGKILL of such a service mid-run (and kill -9 of a CLI outside any unit): the container is
#   stopped and removed, and the next run works; the scope carries BindsTo= on the service, so
#   systemd stops it even while drayd is down;
# - `systemctl restart drayd` during a foreground run: the client returns the payload's status,
#   also when the container ended while drayd was down.
# Runs inside the sandbox (tools/test-all, or: tools/sandbox exec -- bash tests/integration/41-jobs.sh).
# shellcheck disable=SC2016 # single-quoted scripts are expanded by the payload's shell
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require busctl systemctl systemd-run journalctl jq

plan 33
setup_dray_test

# shellcheck source=tests/integration/lib-units.sh
. "$(dirname "$0")/lib-units.sh"
# journal_count UNIT MESSAGE: how many entries `journalctl -u UNIT` shows with exactly that message.
journal_count() {
        journalctl --sync
        journalctl -u "$1" -o json --no-pager 2>/dev/null | jq -r --arg m "$2" 'select(.MESSAGE == $m) | .MESSAGE' |
                wc -l
}
run_opts=(--network none --rootfs "$rootfs")

# --- a timer job ----------------------------------------------------------------------------
name="$(unique_name job)"
unit="$name"
tag="$RANDOM$RANDOM"
track "$name"
track_unit "$unit.timer"
track_unit "$unit.service"
ok "a timer with OnActiveSec=1 runs a dray run job" \
        systemd-run --quiet --unit="$unit" --on-active=1 --timer-property=AccuracySec=1ms \
        dray run --rm --name "$name" "${run_opts[@]}" \
        sh -c "echo out-$tag; echo err-$tag >&2; echo last-$tag; exit 3"
ok "the job ran and ended" wait_until 60 service_ended "$unit.service"
is "$(unit_prop "$unit.service" ExecMainStatus)" 3 "the service's status is the container's (3)"
is "$(unit_prop "$unit.service" Result)" exit-code "the service failed with result exit-code"
for line in "out-$tag" "err-$tag" "last-$tag"; do
        is "$(journal_count "$unit.service" "$line")" 1 "'$line' is in journalctl -u $unit.service once"
        is "$(journal_count "dray-$name.scope" "$line")" 1 "'$line' is in journalctl -u dray-$name.scope once"
done
entry="$(journalctl -u "$unit.service" -o json --no-pager | jq -c --arg m "err-$tag" 'select(.MESSAGE == $m)')"
is "$(jq -r .CONTAINER_NAME <<<"$entry")" "$name" "the service's entry carries CONTAINER_NAME"
is "$(jq -r .PRIORITY <<<"$entry")" 3 "... and PRIORITY 3 for stderr"
like "$(systemctl status --no-pager -n 20 "$unit.service" 2>&1)" "last-$tag" "systemctl status shows the last lines"
ok "the --rm container is gone" wait_until 20 container_gone "$name"

# --- SIGKILL of the calling service mid-run --------------------------------------------------
name="$(unique_name kill)"
unit="$name"
track "$name"
track_unit "$unit.service"
ok "a service runs a long job" \
        systemd-run --quiet --unit="$unit" dray run --rm --name "$name" "${run_opts[@]}" sleep 1000
ok "the container runs" wait_until 20 state_is "$name" running
is "$(unit_prop "dray-$name.scope" BindsTo)" "$unit.service" "its scope is bound to the service (BindsTo=)"
systemctl kill -s KILL "$unit.service"
ok "SIGKILL of the service: the container is stopped and removed" wait_until 30 container_gone "$name"
ok "... and its scope is gone" wait_until 20 unit_inactive "dray-$name.scope"
unit_gone "$unit.service"
ok "the next run of the same job works" \
        systemd-run --quiet --unit="$unit" --wait dray run --rm --name "$name" "${run_opts[@]}" true

# kill -9 of a CLI outside any unit: the bus connection tells.
name="$(unique_name cli)"
track "$name"
dray run --rm --name "$name" "${run_opts[@]}" sleep 1000 &
pid=$!
ok "a foreground run from a shell" wait_until 20 state_is "$name" running
kill -9 "$pid"
wait "$pid" 2>/dev/null
ok "kill -9 of the CLI: the container is stopped and removed" wait_until 30 container_gone "$name"

# BindsTo= without drayd: systemd stops the container with the service.
name="$(unique_name bind)"
unit="$name"
track "$name"
track_unit "$unit.service"
systemd-run --quiet --unit="$unit" dray run --rm --name "$name" "${run_opts[@]}" sleep 1000
ok "a job runs" wait_until 20 state_is "$name" running
systemctl stop drayd
systemctl kill -s KILL "$unit.service"
ok "with drayd stopped, SIGKILL of the service stops the scope" wait_until 30 unit_inactive "dray-$name.scope"
systemctl start drayd
ok "the next drayd removes the container" wait_until 30 container_gone "$name"

# --- systemctl restart drayd during a foreground run ----------------------------------------
name="$(unique_name restart)"
track "$name"
# The payload waits for a file, so the restart happens while it runs, whatever the load.
dray run --rm --name "$name" "${run_opts[@]}" -v "$work:/w" \
        sh -c 'while [ ! -e /w/go ]; do sleep 0.05; done; echo done; exit 6' >"$work/restart.out" 2>&1 &
pid=$!
ok "a foreground run" wait_until 20 state_is "$name" running
systemctl restart drayd
touch "$work/go"
wait "$pid"
is "$?" 6 "after systemctl restart drayd the client returns the payload's status (6)"
like "$(cat "$work/restart.out")" "done" "... and its output"
ok "... and the --rm container is gone" wait_until 20 container_gone "$name"
rm -f "$work/go"

# The container ends while drayd is down: the next drayd keeps it until the client has the status.
name="$(unique_name down)"
track "$name"
dray run --rm --name "$name" "${run_opts[@]}" -v "$work:/w" \
        sh -c 'while [ ! -e /w/go ]; do sleep 0.05; done; exit 7' >/dev/null 2>&1 &
pid=$!
ok "another foreground run" wait_until 20 state_is "$name" running
id="$(dray inspect -f '{{.Id}}' "$name")"
systemctl stop drayd
touch "$work/go"
ok "it ended while drayd was stopped" wait_until 20 test -e "/var/lib/dray/containers/$id/exit.json"
systemctl start drayd
wait "$pid"
is "$?" 7 "a container that ended while drayd was stopped: the client gets its status (7)"
ok "... and the --rm container is then removed" wait_until 20 container_gone "$name"

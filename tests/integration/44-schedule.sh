#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# dray schedule create|ls|rm, transient (systemd's D-Bus API) and persistent (unit files in
# /etc/systemd/system): the job's timer is in systemctl list-timers, each run's output is in
# journalctl -u of its service, dray schedule ls shows the last status, and rm leaves no unit,
# file or container behind. Bad calendar events fail and leave nothing. Runs inside the sandbox
# (tools/test-all, or: tools/sandbox exec -- bash tests/integration/44-schedule.sh).
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require systemctl journalctl

plan 25
setup_dray_test
# shellcheck source=tests/integration/lib-units.sh
. "$(dirname "$0")/lib-units.sh"
run_opts=(--network none --rootfs "$rootfs")

job_gone() { dray schedule rm "$1" >/dev/null 2>&1 || true; gone_for_good "$1"; }
track_job() { defer job_gone "$1"; }
ls_row() { dray schedule ls | awk -v n="$1" '$1 == n'; }
ls_status_is() { ls_row "$1" | grep -- "$2" >/dev/null; }
in_list_timers() { systemctl list-timers --all --no-pager --plain | grep "dray-job-$1.timer" >/dev/null; }
no_trace_of() {
        [ -z "$(systemctl list-units --all --no-legend --plain "dray-job-$1.*")" ] &&
                [ ! -e "/etc/systemd/system/dray-job-$1.timer" ] && [ ! -e "/etc/systemd/system/dray-job-$1.service" ] &&
                ! dray inspect "$1" >/dev/null 2>&1
}

# Each run prints its line and exits 3; the timer fires every two seconds (within systemd's timer
# accuracy, up to a minute: hence the long waits, which end as soon as the run happened).
for mode in transient persistent; do
        name="$(unique_name "$mode")"
        tag="$RANDOM$RANDOM"
        track_job "$name"
        flags=()
        [ "$mode" = persistent ] && flags=(--persistent)
        ok "$mode: dray schedule create" dray schedule create "$name" --on-calendar '*:*:0/2' "${flags[@]}" \
                "${run_opts[@]}" sh -c "echo tick-$tag; exit 3"
        ok "$mode: the timer is in systemctl list-timers" in_list_timers "$name"
        ok "$mode: a run's output is in journalctl -u dray-job-NAME.service" \
                wait_until 150 journal_has "dray-job-$name.service" "tick-$tag"
        ok "$mode: dray schedule ls shows its last status" wait_until 150 ls_status_is "$name" "exited (3)"
        like "$(ls_row "$name")" "00/2" "$mode: ... and its calendar event"
        if [ "$mode" = persistent ]; then
                ok "persistent: the unit files are in /etc/systemd/system" \
                        test -f "/etc/systemd/system/dray-job-$name.timer" -a -f "/etc/systemd/system/dray-job-$name.service"
                is "$(systemctl is-enabled "dray-job-$name.timer" 2>&1)" enabled "persistent: the timer is enabled"
        fi
        ok "$mode: dray schedule rm" dray schedule rm "$name"
        ok "$mode: no unit, file or container is left" wait_until 30 no_trace_of "$name"
        fails "$mode: ... and ls does not show it" ls_status_is "$name" "."
done

# --- refusals ---------------------------------------------------------------------------------
name="$(unique_name dup)"
track_job "$name"
dray schedule create "$name" --on-calendar daily "${run_opts[@]}" true >/dev/null
status_is 125 "a job of that name exists already" dray schedule create "$name" --on-calendar daily "${run_opts[@]}" true
ok "rm of a job that never ran" dray schedule rm "$name"
name="$(unique_name bad)"
track_job "$name"
status_is 125 "a bad calendar event (transient)" dray schedule create "$name" --on-calendar bogus "${run_opts[@]}" true
status_is 125 "a bad calendar event (persistent)" \
        dray schedule create "$name" --on-calendar bogus --persistent "${run_opts[@]}" true
ok "... leave nothing behind" no_trace_of "$name"
status_is 125 "a job runs in the foreground: -d is refused" \
        dray schedule create "$name" --on-calendar daily -d "${run_opts[@]}" true
status_is 1 "rm of a job that does not exist" dray schedule rm "$name"

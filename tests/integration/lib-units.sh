# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Helpers of the tests that drive containers from systemd units (41-*.sh … 44-*.sh), sourced after
# lib.sh (gone_for_good, track, prop, state_is) and setup_dray_test.
# shellcheck shell=bash

# unit_gone UNIT / track_unit UNIT: a transient unit of the test stopped and forgotten (at exit).
unit_gone() { systemctl stop "$1" >/dev/null 2>&1; systemctl reset-failed "$1" >/dev/null 2>&1 || true; }
track_unit() { defer unit_gone "$1"; }
container_gone() { ! dray inspect "$1" >/dev/null 2>&1; }
unit_prop() { systemctl show -P "$2" "$1" 2>/dev/null; }
unit_inactive() { ! systemctl is-active --quiet "$1"; }
# journal_has UNIT LINE: journalctl -u UNIT shows an entry whose message is exactly LINE.
journal_has() { journalctl --sync; journalctl -u "$1" -o cat --no-pager | grep -x -- "$2" >/dev/null; }
# service_ended UNIT: it ran (its main process exited) and is no longer active.
service_ended() {
        local s t
        s="$(unit_prop "$1" ActiveState)"
        t="$(unit_prop "$1" ExecMainExitTimestampMonotonic)"
        [ -n "$t" ] && [ "$t" != 0 ] && { [ "$s" = failed ] || [ "$s" = inactive ]; }
}

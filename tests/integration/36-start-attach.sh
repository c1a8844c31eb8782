#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# `dray start -a` of a container that has run before: the old run's exit status must not answer the
# new run's wait. Before the fix the client returned at once with the last status, and (since a
# vanished foreground client stops its container) the new run was stopped mid-way, losing output.
# Runs inside the sandbox (tools/test-all, or: tools/sandbox exec -- bash tests/integration/36-start-attach.sh).
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

ROUNDS=20
plan 5
setup_dray_test

name="$(unique_name sa)"
track "$name"
ok "a container that prints to both streams and exits 3" \
        dray create --name "$name" --rootfs "$rootfs" --ephemeral sh -c 'echo out-line; echo err-line >&2; exit 3'

bad_output=0 bad_status=0 not_exited=0
for _ in $(seq 1 "$ROUNDS"); do
        out="$(dray start -a "$name" 2>&1)"
        status=$?
        case "$out" in *out-line*err-line*|*err-line*out-line*) ;; *) bad_output=$((bad_output + 1)) ;; esac
        [ "$status" = 3 ] || bad_status=$((bad_status + 1))
        state_is "$name" exited || not_exited=$((not_exited + 1))
done
is "$bad_output" 0 "each of $ROUNDS attached starts shows both lines"
is "$bad_status" 0 "each returns the run's own status, 3"
is "$not_exited" 0 "each time the container is exited once the client returns (not stopping)"
err_lines() { journalctl CONTAINER_NAME="$name" -o cat --no-pager 2>/dev/null | grep -c '^err-line$'; }
all_logged() { [ "$(err_lines)" = "$ROUNDS" ]; }
ok "the journal has every run's stderr line (none was cut short)" wait_until 10 all_logged

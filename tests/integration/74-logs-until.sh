#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# dray logs --until: output up to a time (absolute or a time ago), with --since, --tail and -f.
# Runs inside the sandbox (tools/test-all, or: tools/sandbox exec -- bash tests/integration/74-logs-until.sh).
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

plan 7
setup_dray_test

c="$(unique_name until)"
defer dray rm -f "$c"
dray run -d --name "$c" --rootfs "$rootfs" --ephemeral \
        sh -c 'echo one; echo uno; while [ ! -e /tmp/go ]; do sleep 0.1; done; echo two; exec sleep 100000' >/dev/null
wait_until 20 sh -c "dray logs '$c' 2>/dev/null | grep -qx uno" || diag "the first lines did not arrive"
sleep 1.1 # journal times have microseconds; the epoch below has a fraction: no entry shares it
t="$(date +%s.%N)"
sleep 1.1
dray exec "$c" touch /tmp/go
wait_until 20 sh -c "dray logs '$c' 2>/dev/null | grep -qx two" || diag "the second line did not arrive"

is "$(dray logs --until "$t" "$c" 2>&1 | tr '\n' ' ')" "one uno " "--until EPOCH stops before later output"
is "$(dray logs --since "$t" "$c" 2>&1 | tr '\n' ' ')" "two " "--since EPOCH is its complement"
is "$(dray logs --until "$t" --tail 1 "$c" 2>&1)" "uno" "--tail counts back from --until"
is "$(dray logs --until 1h "$c" 2>&1 | wc -l)" 0 "--until 1h (an hour ago) shows nothing of a new container"
like "$(dray logs --until yesterday-ish "$c" 2>&1)" "Invalid --until value" "a bad --until is refused"
is "$(timeout 20 dray logs -f --until "$t" "$c" 2>&1 | tr '\n' ' ')" "one uno " \
        "-f with a past --until prints and ends"
until2="$(date -d '+2 seconds' +%s.%N)"
is "$(timeout 30 dray logs -f --until "$until2" "$c" 2>&1 | tr '\n' ' ')" "one uno two " \
        "-f with a future --until follows until then, and ends"

#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# drayd starts and stops only units it made (issue 16): a container named like a unit someone else
# runs (systemd-run --scope --unit dray-NAME.scope) fails to start with an error naming that unit,
# and the unit and its process live on, through the failed start, a second attempt and rm -f. A
# scope of drayd's own of the same name (from the container's previous run) is still replaced.
# Runs inside the sandbox.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require busctl systemd-run systemctl

plan 11
setup_dray_test

name="$(unique_name foreign)"
unit="dray-$name.scope"
defer systemctl stop "$unit"
defer dray rm -f "$name"
systemd-run --quiet --scope --unit "$unit" sleep 300 &
wait_until 10 systemctl is-active --quiet "$unit" || bail_out "could not start the foreign $unit"

out="$(dray run --rm --name "$name" --rootfs "$rootfs" echo hi 2>&1)"; rc=$?
isnt "$rc" 0 "dray run --name with a foreign unit of that name fails"
like "$out" "Unit $unit exists and was not made by drayd" "the error names the unit and says why"
unlike "$out" '^hi$' "the container did not run"
ok "the foreign unit is still active" systemctl is-active --quiet "$unit"
like "$(systemctl show -P Description "$unit")" 'sleep 300' "and it is still the one someone else made"
ok "its process lives" sh -c "systemd-cgls --no-pager -u '$unit' | grep -q 'sleep 300'"
out="$(dray create --name "$name" --rootfs "$rootfs" true 2>&1 && dray start "$name" 2>&1)"
like "$out" "was not made by drayd" "a created container's start is refused the same way"
ok "rm -f of that container" dray rm -f "$name"
ok "leaves the foreign unit running" systemctl is-active --quiet "$unit"

# drayd's own leftover scope of the same name is still stopped and replaced: a container that ran
# once starts again at once under the same unit name.
own="$(unique_name own)"
defer dray rm -f "$own"
ok "a container runs" dray run --name "$own" --rootfs "$rootfs" true
wait_until 10 sh -c "[ \"\$(dray inspect -f '{{.State}}' '$own')\" = exited ]"
ok "and starts again under its own unit name" dray start "$own"

#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The basic life of a container, seen through dray, through raw D-Bus calls (a second client of
# the same API) and through the tools an admin already has: systemctl, journalctl, machinectl.
# Runs inside the sandbox (tools/test-all, or: tools/sandbox run -- tests/integration/10-basic.sh).
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require busctl systemctl journalctl

plan 22
# dray is the product: its absence is a failure, not a reason to skip.
command -v dray >/dev/null || bail_out "dray is not installed in the sandbox"

# drayd is bus-activated: the first call starts it.
if ! wait_until 10 drayd_ready; then
        fail "drayd answers ListContainers on the system bus" \
             "$(busctl call org.dray1 /org/dray1 org.dray1.Manager ListContainers b true 2>&1)" \
             "$(systemctl status drayd.service --no-pager 2>&1 | head -20)"
        bail_out "drayd is not reachable as org.dray1: nothing else can pass"
fi
pass "drayd answers ListContainers on the system bus"
is "$(systemctl is-active drayd.service)" active "drayd.service is active"

rootfs="$(test_rootfs)" || bail_out "could not build the busybox root"

# --- a foreground container ----------------------------------------------------------------------

out="$(dray run --rm --rootfs "$rootfs" echo "Hello from dray" 2>&1)"
is "$out" "Hello from dray" "dray run --rm prints the payload's output"
status_is 3 "dray run exits with the payload's status" \
        dray run --rm --rootfs "$rootfs" sh -c 'exit 3'
status_is 127 "a command that does not exist gives 127" \
        dray run --rm --rootfs "$rootfs" /no/such/command

# --- a detached container, seen by systemd, machined and the bus --------------------------------

name="$(unique_name basic)"
unit="dray-$name.scope"
defer dray rm --force "$name"
ok "dray run -d starts a container" dray run -d --name "$name" --rootfs "$rootfs" sleep 300
if wait_until 10 systemctl is-active --quiet "$unit"; then
        pass "$unit is active"
else
        fail "$unit is active" "$(systemctl status "$unit" --no-pager 2>&1)"
fi
is "$(systemctl show -P Slice "$unit")" dray.slice "$unit is in dray.slice"
like "$(systemd-cgls --no-pager -u "$unit" 2>&1)" 'sleep 300' "systemd-cgls shows the payload in $unit"
like "$(busctl call org.dray1 /org/dray1 org.dray1.Manager ListContainers b false 2>&1)" \
        "\"$name\" \"running\"" "ListContainers lists it as running"
ok "GetContainer resolves the name to an object" \
        busctl call org.dray1 /org/dray1 org.dray1.Manager GetContainer s "$name"
like "$(dray ps 2>&1)" "$name" "dray ps lists it"
if command -v machinectl >/dev/null; then
        ok "machinectl knows it" machinectl show "$name"
else
        skip "machinectl knows it" "machinectl is not installed"
fi

ok "dray stop stops it" dray stop "$name"
if wait_until 10 sh -c "! systemctl is-active --quiet '$unit'"; then
        pass "$unit is gone after stop"
else
        fail "$unit is gone after stop" "$(systemctl status "$unit" --no-pager 2>&1)"
fi
like "$(busctl call org.dray1 /org/dray1 org.dray1.Manager ListContainers b true 2>&1)" \
        "\"$name\" \"exited\"" "ListContainers shows it as exited"
id="$(prop "$name" Id)"
ok "dray rm removes it" dray rm "$name"
is "$(mounts_of "$id")" "" "no mount of the container is left"
unlike "$(busctl call org.dray1 /org/dray1 org.dray1.Manager ListContainers b true 2>&1)" \
        "\"$name\"" "ListContainers no longer lists it"

# --- logs reach journald, with the container's fields -------------------------------------------

lname="$(unique_name logs)"
defer dray rm --force "$lname"
dray run --name "$lname" --rootfs "$rootfs" sh -c 'echo to-stdout; echo to-stderr >&2' >/dev/null 2>&1
journalctl --sync 2>/dev/null
like "$(journalctl -u "dray-$lname.scope" -o cat --no-pager 2>&1)" '^to-stdout$' \
        "journalctl -u dray-$lname.scope has the container's output"
is "$(journalctl CONTAINER_NAME="$lname" PRIORITY=3 -o cat --no-pager 2>&1)" to-stderr \
        "stderr is logged with CONTAINER_NAME= and PRIORITY=3"
like "$(journalctl CONTAINER_NAME="$lname" PRIORITY=6 -o export --no-pager 2>&1)" \
        '^CONTAINER_ID_FULL=[0-9a-f]{64}$' "stdout entries carry CONTAINER_ID_FULL="

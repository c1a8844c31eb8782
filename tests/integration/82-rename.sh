#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# dray rename: a stopped container and a running one (its unit follows on the next start, and a
# drayd restart in between finds the running scope under its old name), errors, the raw API.
# Runs inside the sandbox (tools/test-all, or: tools/sandbox exec -- bash tests/integration/82-rename.sh).
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require busctl systemctl

plan 13
setup_dray_test
a="$(unique_name ren-a)"; b="$(unique_name ren-b)"; x="$(unique_name ren-x)"
defer dray rm -f "$a"
defer dray rm -f "$b"
defer dray rm -f "$x"

dray create --name "$a" --rootfs "$rootfs" true >/dev/null
ok "rename of a created container" dray rename "$a" "$b"
like "$(dray ps -a 2>&1)" " $b\$|$b" "ps shows the new name"
like "$(dray inspect "$a" 2>&1)" "No such container" "the old name is free"
ok "it starts under its new name" dray start "$b"
dray wait "$b" >/dev/null 2>&1

dray run -d --name "$a" --rootfs "$rootfs" sleep 100000 >/dev/null
like "$(dray rename "$a" "$b" 2>&1)" "exists already" "a taken name is refused"
like "$(dray rename "$a" 'bad name' 2>&1)" "Invalid" "an invalid name is refused"
ok "rename of a running container" dray rename "$a" "$x"
is "$(systemctl is-active "dray-$a.scope" 2>&1)" active "its scope keeps the old name while it runs"
systemctl restart drayd.service
wait_until 10 drayd_ready || diag "drayd did not come back"
is "$(busctl get-property org.dray1 "$(busctl call org.dray1 /org/dray1 org.dray1.Manager GetContainer s "$x" | cut -d'"' -f2)" org.dray1.Container State)" \
        's "running"' "after a drayd restart it is still running under its new name"
ok "it stops" dray stop -t 1 "$x"
ok "and starts again" dray start "$x"
is "$(systemctl is-active "dray-$x.scope" 2>&1)" active "now in dray-NEW.scope"
ok "RenameContainer on the bus" busctl call org.dray1 /org/dray1 org.dray1.Manager RenameContainer ss "$x" "$a"

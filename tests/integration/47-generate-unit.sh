#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# dray generate unit (dray.container(5)): an existing container printed as a .container file; that
# file in /etc/dray becomes a service (dray-generator) that runs a container with the same
# configuration; `--service FILE` prints exactly the unit the generator writes for FILE.
# Runs inside the sandbox (tools/test-all, or: tools/sandbox exec -- bash tests/integration/47-generate-unit.sh).
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require systemctl jq

plan 12
setup_dray_test
# shellcheck source=tests/integration/lib-units.sh
. "$(dirname "$0")/lib-units.sh"

name="$(unique_name genu)"
mkdir -p /etc/dray
track "$name"
cleanup_unit() {
        unit_gone "$name.service"
        rm -f "/etc/dray/$name.container"
        systemctl daemon-reload
}
defer cleanup_unit
mkdir -p "$work/data"
ok "a container with many options" dray create --name "$name" --network none -e A=1 -e "B=two words" \
        -v "$work/data:/data:ro" --tmpfs /scratch -m 64m --pids-limit 50 -w /tmp --read-only \
        --cap-add NET_ADMIN --cap-drop CHOWN --stop-signal SIGINT --stop-timeout 7 --label tier=web \
        --rootfs "$rootfs" sh -c 'echo "hello \"world\""; exec sleep 1000'
fields='{Command, MemoryMax, TasksMax, WorkingDirectory, ReadOnly, CapAdd, CapDrop, BindMounts, TmpfsMounts,
         StopSignal, StopTimeoutUSec, Labels, NetworkMode, Rootfs, Env: ([.Env[] | select(startswith("A=") or startswith("B="))])}'
before="$(dray inspect "$name" | jq -c ".[0] | $fields")"

file="$(dray generate unit "$name")"
is "$?" 0 "dray generate unit $name"
like "$file" $'\n''Rootfs='"$rootfs" "it names the root"
like "$file" $'\n''Exec=sh -c "echo \\"hello \\\\\\"world\\\\\\"\\"; exec sleep 1000"' "the command, quoted"
like "$file" $'\n''Environment=A=1 "B=two words"' "the environment, quoted"
like "$file" $'\n''Memory=67108864' "the memory limit"

dray rm "$name" >/dev/null
printf '%s\n' "$file" > "/etc/dray/$name.container"
systemctl daemon-reload
ok "the file becomes $name.service, which starts" timeout 60 systemctl start "$name.service"
ok "its container runs" wait_until 20 state_is "$name" running
after="$(dray inspect "$name" | jq -c ".[0] | $fields")"
is "$after" "$before" "with the same configuration as the original"
ok "its output" wait_until 20 journal_has "$name.service" 'hello "world"'

service="$(dray generate unit --service "/etc/dray/$name.container")"
is "$?" 0 "dray generate unit --service FILE"
is "$service" "$(cat "/run/systemd/generator/$name.service")" "prints exactly what the generator wrote"

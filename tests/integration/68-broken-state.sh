#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Container state that cannot be loaded (issue 16): a container directory whose config.json or
# state.json is truncated or garbage is not skipped in silence after a drayd restart: `dray ps -a`
# lists it as Broken with the reason, and `dray rm -f` removes it. And CreateContainer refuses what
# could not be loaded again (15 MiB of Env was accepted, then the start failed and the container
# vanished at the next restart).
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require systemctl journalctl

plan 13
setup_dray_test

dir=/var/lib/dray/containers
id_of() { dray inspect -f '{{.Id}}' "$1"; }
for v in trunc garbage state good; do
        n="$(unique_name "$v")"
        dray create --name "$n" --rootfs "$rootfs" true >/dev/null || bail_out "cannot create $n"
        defer dray rm -f "$n"
        printf -v "$v" '%s' "$n"
done
id_trunc="$(id_of "$trunc")"; id_garbage="$(id_of "$garbage")"; id_state="$(id_of "$state")"
defer dray rm -f "$id_trunc"
defer dray rm -f "$id_garbage"
defer dray rm -f "$id_state"

systemctl stop drayd.service
head -c 100 "$dir/$id_trunc/config.json" > "$work/c" && cat "$work/c" > "$dir/$id_trunc/config.json"
head -c 3000 /dev/urandom > "$dir/$id_garbage/config.json"
echo '{"state": 12' > "$dir/$id_state/state.json"
systemctl start drayd.service
wait_until 10 drayd_ready || bail_out "drayd does not come back"

ps="$(dray ps -a --no-trunc 2>&1)"
for v in trunc garbage state; do
        eval "id=\$id_$v"
        like "$(printf '%s\n' "$ps" | grep "^${id:0:12}")" 'Broken' "a $v container directory is listed as Broken by ps -a"
done
like "$(printf '%s\n' "$ps" | grep "^${id_state:0:12}")" "state.json: not valid JSON.* $state\$" \
        "with its reason and the name its config.json still gives"
like "$(printf '%s\n' "$ps" | grep "^${id_trunc:0:12}")" 'config.json: not valid JSON' "a truncated config.json is named"
unlike "$(dray ps 2>&1)" 'Broken' "ps without -a lists only running containers"
like "$(journalctl -u drayd --no-pager -o cat | grep "$id_garbage" | tail -1)" "cannot be loaded .*dray rm -f $id_garbage" \
        "drayd's log says what is wrong and how to remove it"
ok "rm -f by ID removes a broken one" dray rm -f "$id_trunc"
ok "rm -f by an ID prefix too" dray rm -f "${id_garbage:0:12}"
ok "rm by its salvaged name too" dray rm "$state"
ok "their directories are gone" wait_until 10 sh -c "! ls -d $dir/$id_trunc $dir/$id_garbage $dir/$id_state $dir/.removed-* 2>/dev/null | grep ."
is "$(dray inspect -f '{{.State}}' "$good")" created "a sound container next to them is untouched"

# --- what would not load again is refused at create ----------------------------------------------------
head -c 127000 /dev/zero | tr '\0' x > "$work/line"
for i in $(seq 120); do printf 'V%d=%s\n' "$i" "$(cat "$work/line")"; done > "$work/big.env"
like "$(dray create --rootfs "$rootfs" --env-file "$work/big.env" true 2>&1)" "Invalid option 'Env': more than 1024 KiB in all" \
        "15 MiB of Env is refused at create, naming the option"

#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# dray exec -d (ExecContainer's Detach): answered once the command runs, which goes on in the
# background with its output discarded; a missing command still fails; Detach is
# refused by CreateContainer. And images at hand: docker's top-level image verbs (tag, history, save,
# rmi, load) and --pull missing|always|never against a registry on 127.0.0.1 (registry-fake.py).
# Runs inside the sandbox (tools/test-all, or: tools/sandbox exec -- bash tests/integration/84-exec-detach-aliases.sh).
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require busctl

plan 18
setup_dray_test
c="$(unique_name exd)"
defer dray rm -f "$c"
dray run -d --name "$c" --rootfs "$rootfs" --ephemeral sleep 100000 >/dev/null

ok "exec -d returns while the command runs" \
        dray exec -d "$c" sh -c 'while [ ! -e /tmp/go ]; do sleep 0.1; done; echo detached-out; touch /tmp/done'
like "$(dray top "$c" 2>&1)" "while \\[ ! -e /tmp/go" "the command is still running after exec -d returned"
dray exec "$c" touch /tmp/go
wait_until 20 dray exec "$c" test -e /tmp/done && pass "it went on to its end" || fail "it went on to its end"
is "$(dray exec -d "$c" echo not-shown 2>&1)" "" "its output is discarded, as docker exec -d does"
status_is 127 "exec -d of a missing command fails as exec does" dray exec -d "$c" /no/such/command
like "$(dray exec -d -i "$c" true 2>&1)" "drop -i and -t" "exec -d with -i is refused"
like "$(busctl call org.dray1 /org/dray1 org.dray1.Manager CreateContainer 'sa{sv}' '' 3 Rootfs s "$rootfs" Command as 1 true Detach b true 2>&1)" \
        "Unknown option 'Detach'" "CreateContainer does not take Detach"

# --- docker's top-level image verbs ---------------------------------------------------------------

tag="$(echo "$TEST_NAME-$$-$RANDOM" | tr -c 'a-z0-9\n' '-')"
img="localhost/t$tag:1"; img2="localhost/t$tag:2"
tar -C "$rootfs" -cf "$work/root.tar" .
defer dray image rm -f "$img"
defer dray image rm -f "$img2"
dray image import "$work/root.tar" "$img" >/dev/null 2>&1 || diag "image import failed"
ok "dray tag" dray tag "$img" "$img2"
like "$(dray history "$img2" 2>&1)" "IMAGE|CREATED" "dray history"
ok "dray save" dray save -o "$work/saved.tar" "$img2"
ok "dray rmi" dray rmi "$img2"
ok "dray load" dray load -i "$work/saved.tar"
like "$(dray images 2>&1)" "t$tag +2" "the loaded image is back"

# --- --pull: an image not in the store is pulled (from a registry on 127.0.0.1) ----------------------

python3 "$(dirname "$0")/registry-fake.py" "$work/fake.port" &
fakepid=$!
defer kill "$fakepid"
wait_until 10 test -s "$work/fake.port" || bail_out "the fake registry does not start"
remote="127.0.0.1:$(cat "$work/fake.port")/good:$tag"
defer dray image rm -f "$remote"
p1="$(unique_name pull)"
defer dray rm -f "$p1"
like "$(dray create --pull never --name "$p1" "$remote" true 2>&1)" "No such image" "--pull never does not pull"
out="$(dray create --name "$p1" "$remote" true 2>&1)"; rc=$?
[ "$rc" -eq 0 ] && pass "create pulls an image that is not in the store (--pull missing)" ||
        fail "create pulls an image that is not in the store (--pull missing)" "$out"
like "$(dray images 2>&1)" "good +$tag" "the image is in the store now"
p2="$(unique_name pull2)"
defer dray rm -f "$p2"
unlike "$(dray create --name "$p2" "$remote" true 2>&1)" "Pulling" "an image in the store is not pulled again"
like "$(dray create --pull always --name "$(unique_name pull3)" "$remote" true 2>&1; dray rm -f "$(dray ps -aq | head -1)" >/dev/null 2>&1)" \
        "Pulling|Pulled" "--pull always pulls all the same"


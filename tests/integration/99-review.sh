#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Findings of the security review of this session's code, one section each, every one an attack
# that once worked and must not any more.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require python3 tar jq

command -v dray >/dev/null || bail_out "dray is not installed in the sandbox"
wait_until 10 drayd_ready || bail_out "drayd does not answer on the system bus"

mkdir -p "$TEST_DIR"
work="$(mktemp -d "$TEST_DIR/$TEST_NAME.XXXXXX")"
defer rm -rf "$work"
rootfs="$(test_rootfs)" || bail_out "no test rootfs"
tag="t$RANDOM$$"
rmi() { dray image rm -f "$1" >/dev/null 2>&1 || true; }

plan 11

# --- a registry's upload Location on another host gets no credentials ----------------------------
# The registry (token auth) opens an upload session at http://127.0.0.1:OTHER/…: dray follows it
# (registries may upload elsewhere) but must not send it the registry's token.
python3 "$(dirname "$0")/registry-hostile-upload.py" "$work/hostile.port" "$work/hostile.log" &
hostilepid=$!
defer kill "$hostilepid"
wait_until 10 test -s "$work/hostile.port" || bail_out "the hostile registry does not start"
tar -C "$rootfs" -cf "$work/root.tar" .
local_img="localhost/$tag-review:1"
ok "import an image" dray image import "$work/root.tar" "$local_img"
defer rmi "$local_img"
fails "the push to the hostile registry fails" dray push "$local_img" "127.0.0.1:$(cat "$work/hostile.port")/evil/$tag:1"
like "$(cat "$work/hostile.log")" "^[A-Z]+ /stolen/upload" "the upload went to the other host"
unlike "$(cat "$work/hostile.log")" "stolen.*authorization=.+" "without the registry's token"

# --- a partial blob left by one registry does not spoil a pull from another ------------------------
# "poison" sends other bytes for each layer and stops half-way: the partial files of tmp/partial
# hold a prefix that is not the blob's. The next pull of the same layers resumes from them, finds
# the digest wrong, and must then fetch them whole rather than fail.
python3 "$(dirname "$0")/registry-flaky.py" "$work/flaky.port" "$work/flaky.log" &
flakypid=$!
defer kill "$flakypid"
wait_until 10 test -s "$work/flaky.port" || bail_out "the flaky registry does not start"
flaky="127.0.0.1:$(cat "$work/flaky.port")"
fails "a pull from the poisoning repository fails" dray pull "$flaky/poison:$tag"
ok "a pull of the same layers from another repository works" dray pull "$flaky/plain:$tag"
defer rmi "$flaky/plain:$tag"
like "$(grep "START plain" "$work/flaky.log")" "range=bytes=[1-9]" "it resumed from the poisoned partial files first"
is "$(dray image inspect "$flaky/plain:$tag" | jq -r '.[0].Layers | length')" 4 "with its four layers"

# --- an OCI hook that does not read its state -----------------------------------------------------
# dray-oci wrote the state to the hook's stdin through a pipe: a hook that exits without reading
# it (true) killed dray-oci with SIGPIPE halfway through create once the state outgrew the pipe
# (large annotations), and one that never exits blocked it past the hook's timeout.
if command -v dray-oci >/dev/null; then
        O=(dray-oci --root "$work/oci-state")
        b="$work/bundle"
        mkdir -p "$b"
        "$REPO_ROOT/tools/make-rootfs" "$b/rootfs" >/dev/null || bail_out "tools/make-rootfs failed"
        (cd "$b" && "${O[@]}" spec) || bail_out "dray-oci spec failed"
        python3 -c "import json
c=json.load(open('$b/config.json'))
c['process']['terminal']=False
c['process']['args']=['sleep','1000']
c['annotations']={'org.test.big':'x'*300000}
c['hooks']={'createRuntime':[{'path':'/bin/true'},{'path':'/bin/sh','args':['sh','-c','cat > $work/hook-state']}]}
json.dump(c,open('$b/config.json','w'))" || bail_out "cannot edit config.json"
        defer sh -c "${O[*]} delete --force h1 >/dev/null 2>&1 || true"
        # The container inherits create's stdio: not ok's pipe, or ok would wait for it to end.
        oci_create() { timeout 120 "${O[@]}" create --bundle "$b" "$1" </dev/null >>"$work/oci.out" 2>&1; }
        ok "create with a hook that does not read the state" oci_create h1
        is "$("${O[@]}" state h1 2>/dev/null | jq -r .status)" created "the container is created"
        is "$(jq -r '.annotations["org.test.big"] | length' "$work/hook-state")" 300000 \
                "the next hook got the whole state"
else
        skip "create with a hook that does not read the state" "no dray-oci"
        skip "the container is created" "no dray-oci"
        skip "the next hook got the whole state" "no dray-oci"
fi

#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Registries: dray image rm freeing the disk (blobs and layers), dray push and dray pull against
# Debian's docker-registry (the CNCF distribution registry) started here on 127.0.0.1, skopeo as a
# second client, pulls by tag and by digest keeping every digest, the D-Bus API with busctl, and a
# hostile registry (registry-fake.py): bad blob digests, an oversized manifest, a wrong content
# type, a redirect loop, an index without our architecture, a wrong digest; token auth and bounded
# redirects where they are fine. Only loopback traffic.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require busctl jq skopeo python3 docker-registry timeout du

command -v dray >/dev/null || bail_out "dray is not installed in the sandbox"
wait_until 10 drayd_ready || bail_out "drayd does not answer on the system bus"

mkdir -p "$TEST_DIR"
work="$(mktemp -d "$TEST_DIR/$TEST_NAME.XXXXXX")"
defer rm -rf "$work"
rootfs="$(test_rootfs)" || bail_out "no test rootfs"
state=/var/lib/dray
tag="$RANDOM$$"
img() { echo "localhost/t$tag-$1:1"; }
rmi() { dray image rm -f "$1" >/dev/null 2>&1 || true; }
mgr() { busctl -- call org.dray1 /org/dray1 org.dray1.Manager "$@"; }
inspect() { dray image inspect "$1" 2>/dev/null | jq -r ".[0].$2"; }
store_kib() { du -sk "$state/images" "$state/layers" | awk '{ s += $1 } END { print s }'; }
blobs() { find "$state/images/blobs/sha256" -type f | wc -l; }

# --- dray image rm frees the disk ------------------------------------------------------------------
mkdir "$work/root"
cp -a "$rootfs/." "$work/root/"
head -c 3145728 /dev/urandom > "$work/root/unique.bin"
tar -C "$work/root" -cf "$work/root.tar" .
rm -rf "$work/root"
before="$(store_kib)"
ok "import an image with a 3 MiB layer of its own" dray image import "$work/root.tar" "$(img rm)"
defer rmi "$(img rm)"
layer_blob="$(dray image inspect "$(img rm)" | jq -r '.[0].Layers[0].Digest' | cut -d: -f2)"
diff_id="$(inspect "$(img rm)" 'Layers[0].DiffID' | cut -d: -f2)"
ok "its layer blob is in the store" test -f "$state/images/blobs/sha256/$layer_blob"
ok "its unpacked layer is in the store" test -d "$state/layers/$diff_id"
grown="$(store_kib)"
ok "the store grew by at least 6 MiB (blob and layer)" test $((grown - before)) -ge 6144
ok "dray image rm" dray image rm "$(img rm)"
after="$(store_kib)"
fails "the layer blob is gone" test -e "$state/images/blobs/sha256/$layer_blob"
fails "the unpacked layer is gone" test -e "$state/layers/$diff_id"
ok "dray image rm gave back the 6 MiB ($before KiB → $grown KiB → $after KiB)" test $((grown - after)) -ge 6144
ok "an image in use keeps its layers on rm -f" dray image import "$work/root.tar" "$(img used)"
c="t$tag-user"
ok "a container of it" dray create --name "$c" "$(img used)" true
defer dray rm -f "$c"
ok "dray image rm -f of an image in use" dray image rm -f "$(img used)"
ok "its layer stays for the container" test -d "$state/layers/$diff_id"
ok "the container still runs" dray start "$c"
ok "prune still works" dray image prune

# --- a real registry on 127.0.0.1 -------------------------------------------------------------------
start_registry "$work/registry"

ok "import the busybox rootfs" sh -c "tar -C '$rootfs' -c . | dray image import - $(img bb)"
defer rmi "$(img bb)"
local_id="$(inspect "$(img bb)" Id)"
out="$(dray push "$(img bb)" "$reg/dray/bb:1" 2>&1)"
like "$out" "Pushed: sha256:[0-9a-f]{64}" "dray push prints the manifest digest"
# The imported layer went out gzip-compressed (91-push-compressed.sh): a manifest of its own.
local_digest="$(echo "$out" | grep -o 'sha256:[0-9a-f]\{64\}' | tail -1)"
is "$(skopeo inspect --tls-verify=false "docker://$reg/dray/bb:1" | jq -r .Digest)" "$local_digest" \
        "the registry has the manifest under that digest"
out="$(dray push "$(img bb)" "$reg/dray/bb:2" 2>&1)"
like "$out" "Pushed: $local_digest" "a second push (blobs already there) works"
ok "pull by tag" dray pull "$reg/dray/bb:1"
defer rmi "$reg/dray/bb:1"
is "$(inspect "$reg/dray/bb:1" Digest)" "$local_digest" "the pulled image keeps the manifest digest"
is "$(inspect "$reg/dray/bb:1" Id)" "$local_id" "and the image ID"
rmi "$reg/dray/bb:1"
rmi "$(img bb)"
fails "the image is gone before the pull by digest" dray image inspect "$local_id"
ok "pull by digest (layers fetched again)" dray image pull "$reg/dray/bb@$local_digest"
defer rmi "$reg/dray/bb@$local_digest"
is "$(inspect "$reg/dray/bb@$local_digest" Digest)" "$local_digest" "pulled by digest, the digest is kept"
is "$(dray run --rm "$reg/dray/bb@$local_digest" echo from-the-registry)" from-the-registry \
        "a container of the pulled image runs"

# skopeo as an independent client: what it pushes, dray pulls; what dray pushed, skopeo copies.
ok "skopeo copies dray's push to an OCI layout" skopeo copy --src-tls-verify=false "docker://$reg/dray/bb:1" "oci:$work/layout:bb"
ok "skopeo pushes that layout back under another name" skopeo copy --dest-tls-verify=false "oci:$work/layout:bb" \
        "docker://$reg/skopeo/bb:1"
ok "dray pulls what skopeo pushed" dray pull "$reg/skopeo/bb:1"
defer rmi "$reg/skopeo/bb:1"
is "$(inspect "$reg/skopeo/bb:1" Id)" "$local_id" "the image ID survives the skopeo round trip"

# D-Bus API.
out="$(mgr PullImage 'sa{sv}' "$reg/dray/bb:2" 1 Insecure b false 2>&1)"
like "$out" '^uo [0-9]+ "/org/dray1/transfer/' "PullImage returns a transfer"
wait_until 30 dray image inspect "$reg/dray/bb:2"
ok "the PullImage transfer named the image" dray image inspect "$reg/dray/bb:2"
defer rmi "$reg/dray/bb:2"
like "$(mgr PullImage 'sa{sv}' "$reg/dray/bb:2" 1 Bogus b true 2>&1)" "Unknown option 'Bogus'" \
        "PullImage refuses unknown options"
like "$(mgr PullImage 'sa{sv}' 'Bad Ref' 0 2>&1)" 'not a valid image reference' "PullImage refuses bad references"
like "$(mgr PushImage 'ssa{sv}' "$(img nosuch)" "$reg/x:1" 0 2>&1)" 'No such image' "PushImage of an unknown image"
like "$(dray push "$local_id" "$reg/x@$local_digest" 2>&1)" 'not a valid image reference' "no push to a digest"
like "$(dray pull "$reg/dray/nosuch:1" 2>&1)" 'no such manifest' "a missing tag is a clear error"

# --- a hostile registry -----------------------------------------------------------------------------
python3 "$(dirname "$0")/registry-fake.py" "$work/fake.port" &
fakepid=$!
defer kill "$fakepid"
wait_until 10 test -s "$work/fake.port" || bail_out "the fake registry does not start"
fake="127.0.0.1:$(cat "$work/fake.port")"

ok "token auth: an anonymous Bearer token is fetched" dray pull "$fake/good:1"
defer rmi "$fake/good:1"
ok "bounded blob redirects are followed" dray pull "$fake/redirect:1"
defer rmi "$fake/redirect:1"
n="$(blobs)"
hostile() { # NAME REF MESSAGE-REGEX
        local out
        out="$(dray pull "$2" 2>&1)"
        like "$out" "$3" "$1 is refused: $(echo "$out" | tail -1)"
        fails "$1 named nothing" dray image inspect "$2"
        is "$(blobs)" "$n" "$1 left no blob behind"
}
hostile "a layer not matching its digest" "$fake/badblob:1" 'does not match its digest'
hostile "an oversized manifest" "$fake/big:1" 'larger than 4 MiB'
hostile "a wrong content type" "$fake/ctype:1" "content type 'text/html'"
hostile "a redirect loop" "$fake/loop:1" 'too many redirects'
hostile "an index without our architecture" "$fake/otherarch:1" 'no manifest for this platform'
hostile "a manifest not matching the digest asked for" "$fake/good@sha256:$(printf %064d 0)" 'does not match the digest'
like "$(dray pull "$fake/nothing:1" 2>&1)" 'no such manifest' "an unknown repository"
like "$(dray pull --tls-verify=maybe "$fake/good:1" 2>&1)" 'tls-verify' "--tls-verify takes a boolean"

# --- a registry that trickles (issue 16): given up, and no other pull waits for it ------------------
dray pull "$fake/trickle:1" > "$work/trickle.out" 2>&1 &
tricklepid=$!
defer sh -c "kill $tricklepid 2>/dev/null; true"
wait_until 10 sh -c "busctl call org.dray1 /org/dray1 org.dray1.Manager ListTransfers | grep -q trickle"
ok "another pull completes while the trickling one runs" timeout 60 dray pull "$fake/good:2"
defer rmi "$fake/good:2"
ok "the trickling pull was still running then (not queued before it)" kill -0 "$tricklepid"
wait_until 150 sh -c "! kill -0 $tricklepid" || diag "the trickling pull still runs"
wait "$tricklepid"; rc=$?
isnt "$rc" 0 "the trickling pull fails"
like "$(cat "$work/trickle.out")" 'too slow' "naming the cause: $(tail -1 "$work/trickle.out")"
fails "and names no image" dray image inspect "$fake/trickle:1"

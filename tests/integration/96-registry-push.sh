#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Pushes that move only what they must (issue 14), against Debian's docker-registry on 127.0.0.1,
# seen in its access log: a layer over 16 MiB goes up in PATCH chunks and a closing PUT; pushed
# again under another tag of the same repository, every blob is skipped (HEAD); pushed to another
# repository of the same registry, the blobs are mounted from the first (POST ?mount=…&from=…)
# rather than uploaded; the manifest last; --max-parallel sends blobs side by side; each layer has
# its line as docker push prints it (Pushed, Layer already exists, Mounted from). Pulled back into a
# clean store by dray and by podman,
# with the same digests.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require jq docker-registry podman skopeo curl tar

command -v dray >/dev/null || bail_out "dray is not installed in the sandbox"
wait_until 10 drayd_ready || bail_out "drayd does not answer on the system bus"

mkdir -p "$TEST_DIR"
work="$(mktemp -d "$TEST_DIR/$TEST_NAME.XXXXXX")"
defer rm -rf "$work"
rootfs="$(test_rootfs)" || bail_out "no test rootfs"
start_registry "$work/registry"
log="$work/registry/log"
tag="t$RANDOM$$"
rmi() { dray image rm -f "$1" >/dev/null 2>&1 || true; }
# Access log lines (combined format) of METHOD on paths starting with /v2/REPO/.
requests() { grep -c "\"$1 /v2/$2/" "$log"; }

plan 25

mkdir "$work/root"
cp -a "$rootfs/." "$work/root/"
head -c $((20 * 1024 * 1024)) /dev/urandom > "$work/root/random.bin"
tar -C "$work/root" -cf "$work/root.tar" .
rm -rf "$work/root"
local_img="localhost/$tag-push:1"
ok "import an image with a 20 MiB layer" dray image import "$work/root.tar" "$local_img"
defer rmi "$local_img"
one="$reg/one/$tag"
two="$reg/two/$tag"

ok "push it" sh -c 'dray push "$1" "$2" 2> "$3"' - "$local_img" "$one:1" "$work/push.err"
like "$(cat "$work/push.err")" '[0-9a-f]{12}: Pushed' "a line for its layer, as docker push prints it"
patches="$(requests PATCH "one/$tag")"
ok "the layer went up in chunks ($patches PATCH requests)" test "$patches" -ge 2
like "$(grep "\"PUT /v2/one/$tag/blobs/uploads/" "$log" | tail -1)" '" 201 ' "closed by a PUT the registry took (201)"
last="$(grep -n "\"PUT /v2/one/$tag/" "$log" | tail -1)"
like "$last" "/manifests/1 " "the manifest went last"

posts="$(requests POST "one/$tag")"
ok "push it again under another tag" sh -c 'dray push "$1" "$2" 2> "$3"' - "$local_img" "$one:2" "$work/push.err"
like "$(cat "$work/push.err")" '[0-9a-f]{12}: Layer already exists' "its layer: already there"
is "$(requests POST "one/$tag")" "$posts" "no upload was started: every blob was there (HEAD)"
like "$(grep "\"HEAD /v2/one/$tag/blobs/" "$log" | tail -1)" '" 200 ' "the registry said it has them"

ok "name the image after the first repository" dray tag "$local_img" "$one:1"
defer rmi "$one:1"
ok "push it to another repository of the registry" sh -c 'dray push "$1" "$2" 2> "$3"' - "$one:1" "$two:1" "$work/push.err"
like "$(cat "$work/push.err")" "[0-9a-f]{12}: Mounted from one/$tag" "its layer: mounted from the first repository"
mounts="$(grep -c "\"POST /v2/two/$tag/blobs/uploads/?mount=sha256:[0-9a-f]*&from=one/$tag HTTP/1.1\" 201 " "$log")"
is "$mounts" 2 "its layer and config were mounted from the first repository"
is "$(requests PATCH "two/$tag")" 0 "and not uploaded"

digest="$(skopeo inspect --tls-verify=false "docker://$two:1" | jq -r .Digest)"
rmi "$one:1"; rmi "$local_img"
ok "dray pulls it back into a clean store" dray pull "$two:1"
defer rmi "$two:1"
is "$(dray image inspect "$two:1" | jq -r '.[0].Digest')" "$digest" "with the digest the registry has"
P=(podman --cgroup-manager=cgroupfs --events-backend=none --storage-driver=vfs --root "$work/podman"
   --runroot "/run/dray-t96-$$")
defer rm -rf "/run/dray-t96-$$"
ok "podman pulls what dray pushed" "${P[@]}" pull -q --tls-verify=false "$two:1"
is "$("${P[@]}" image inspect --format '{{.Digest}}' "$two:1")" "$digest" "with the same digest"
"${P[@]}" rmi -a -f >/dev/null 2>&1

# --- several blobs at once -----------------------------------------------------------------------------
python3 "$(dirname "$0")/registry-flaky.py" "$work/flaky.port" "$work/flaky.log" &
flakypid=$!
defer kill "$flakypid"
wait_until 10 test -s "$work/flaky.port" || bail_out "the flaky registry does not start"
flaky="127.0.0.1:$(cat "$work/flaky.port")/plain:$tag"
ok "pull a 4-layer image" dray pull "$flaky"
defer rmi "$flaky"
ok "push it with --max-parallel=4 (its 5 blobs in upload workers side by side)" \
        sh -c 'dray push --max-parallel=4 "$1" "$2" 2> "$3"' - "$flaky" "$reg/three/$tag:1" "$work/push.err"
is "$(grep -cE '^[0-9a-f]{12}: Pushed$' "$work/push.err")" 4 "a Pushed line for each of its 4 layers (told by the workers)"
is "$(skopeo inspect --tls-verify=false "docker://$reg/three/$tag:1" | jq -r .Digest)" \
        "$(dray image inspect "$flaky" | jq -r '.[0].Digest')" "the registry has it, byte for byte"
is "$(grep -c "\"PUT /v2/three/$tag/blobs/uploads/[^ ]*digest=sha256:[0-9a-f]* HTTP/1.1\" 201 " "$log")" 5 \
        "each blob went up once"
like "$(dray push --max-parallel=17 "$flaky" "$reg/three/$tag:2" 2>&1)" 'max-parallel' "--max-parallel=17 is refused"

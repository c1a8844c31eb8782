#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# dray push compresses (issue 9): layers stored uncompressed (an import) go out gzip-compressed, as
# podman and docker push them; the registry's blobs say so (media type, size well below the
# layer's), the manifest keeps the image's config (its ID), a second push has the same digest, and
# skopeo and podman pull it back. A layer that was pulled compressed is pushed as it is: its digest
# and the manifest's are kept. Against the loopback docker-registry, as 86-registry.sh.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require jq skopeo podman docker-registry curl

plan 14
setup_dray_test
tag="$RANDOM$$"
img() { echo "localhost/t$tag-$1:1"; }
rmi() { dray image rm -f "$1" >/dev/null 2>&1 || true; }
inspect() { dray image inspect "$1" 2>/dev/null | jq -r ".[0].$2"; }

start_registry "$work/registry"
manifest() { curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$reg/v2/$1/manifests/$2"; }

# A layer that compresses well: the busybox tree and 4 MiB of zeros.
head -c 4194304 /dev/zero > "$rootfs/zeros"
tar -C "$rootfs" -cf "$work/root.tar" .
dray image import "$work/root.tar" "$(img big)" >/dev/null 2>&1 || bail_out "import failed"
defer rmi "$(img big)"
raw_size="$(dray image inspect "$(img big)" | jq -r '.[0].Layers[0].Size')"
raw_digest="$(dray image inspect "$(img big)" | jq -r '.[0].Layers[0].Digest')"
id="$(inspect "$(img big)" Id)"

out="$(dray push "$(img big)" "$reg/c/big:1" 2>&1)"
like "$out" 'Pushed: sha256:[0-9a-f]{64}' "dray push of an imported image"
digest="$(echo "$out" | grep -o 'sha256:[0-9a-f]\{64\}' | tail -1)"
m="$(manifest c/big "$digest")"
is "$(echo "$m" | jq -r '.layers[0].mediaType')" "application/vnd.oci.image.layer.v1.tar+gzip" \
        "the registry's layer is gzip-compressed"
size="$(echo "$m" | jq -r '.layers[0].size')"
ok "and much smaller than the layer ($size of $raw_size bytes)" test "$size" -lt $((raw_size / 3))
isnt "$(echo "$m" | jq -r '.layers[0].digest')" "$raw_digest" "with the compressed blob's digest"
blob_len="$(curl -sfI "http://$reg/v2/c/big/blobs/$(echo "$m" | jq -r '.layers[0].digest')" | tr -d '\r' |
        awk 'tolower($1) == "content-length:" { print $2 }')"
is "$blob_len" "$size" "the registry's blob has that size"
is "$(echo "$m" | jq -r '.config.digest')" "$id" "the config (the image ID) is the image's own"
like "$(dray push "$(img big)" "$reg/c/big:2" 2>&1)" "Pushed: $digest" "a second push gives the same digest"

ok "skopeo copies it (and checks every digest)" skopeo copy -q --src-tls-verify=false "docker://$reg/c/big:1" "oci:$work/layout:big"
runroot="$(mktemp -d /tmp/pr.XXXXXX)"   # podman wants a runroot path of 50 characters at most
P=(podman --cgroup-manager=cgroupfs --events-backend=none --storage-driver=vfs --root "$work/podman"
   --runroot "$runroot")
defer rm -rf "$work/podman" "$runroot"
ok "podman pulls it" "${P[@]}" pull -q --tls-verify=false "$reg/c/big:1"
is "sha256:$("${P[@]}" image inspect --format '{{.Id}}' "$reg/c/big:1" 2>/dev/null)" "$id" "as the same image"

# Pulled compressed, pushed as it is.
rmi "$(img big)"
ok "dray pulls the compressed image" dray pull "$reg/c/big:1"
defer rmi "$reg/c/big:1"
is "$(inspect "$reg/c/big:1" Id)" "$id" "it is the same image"
out="$(dray push "$reg/c/big:1" "$reg/c/again:1" 2>&1)"
like "$out" "Pushed: $digest" "pushed again, its layer and manifest keep their digests"
is "$(manifest c/again "$digest" | jq -r '.layers[0].size')" "$size" "the layer as it was pulled"

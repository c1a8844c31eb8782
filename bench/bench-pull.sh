#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Registry pulls beside their peers, in one sitting, inside the booted sandbox (tools/sandbox run --
# bench/bench-pull.sh). Prints medians and ratios; asserts nothing.
# A 4-layer image of about 200 MB (random data, so that gzip cannot shrink it) is pushed once into
# Debian's docker-registry on 127.0.0.1, then pulled into an empty store by:
#   dray pull                                     fetch, verify, unpack (layers in parallel)
#   podman pull (overlay driver)                  fetch, verify, unpack
#   skopeo copy docker://… oci:DIR                fetch and verify only
#   dray pull with the layers unpacked already   fetch and verify only (the blobs removed before each run)
# Each command is timed alone by hyperfine (a warm-up, then --runs N), with the store emptied before
# every run; hyperfine stops on a failed run, so no ratio is made against a peer that failed.
# Targets (issue 14): dray pull at most 0.8x podman pull; dray's fetch throughput at least skopeo's
# (dray fetch at most 1.0x skopeo copy).
#
# Usage: bench/bench-pull.sh [--runs N] [--layer-mb MB] [--max-parallel N]
set -uo pipefail

RUNS=5
LAYER_MB=50
PARALLEL=
while [ $# -gt 0 ]; do
        case "$1" in
        --runs) RUNS="$2"; shift 2 ;;
        --layer-mb) LAYER_MB="$2"; shift 2 ;;
        --max-parallel) PARALLEL="--max-parallel=$2"; shift 2 ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "bench-pull: unknown option '$1'" >&2; exit 2 ;;
        esac
done
for c in hyperfine podman skopeo docker-registry python3 dray curl; do
        command -v "$c" >/dev/null || { echo "bench-pull: $c is not installed (tools/install-deps)" >&2; exit 1; }
done

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
# /var/lib/dray is a real file system in the sandbox (a tmpfs): podman's overlay driver needs one.
WORK=/var/lib/dray/bench-pull
P=(podman --cgroup-manager=cgroupfs --events-backend=none --storage-driver=overlay --root "$WORK/podman"
   --runroot /run/dray-bench-pull-podman)
REGPID=
cleanup() {
        [ -n "$REGPID" ] && kill "$REGPID" 2>/dev/null
        "${P[@]}" rmi -a -f >/dev/null 2>&1
        dray image rm -f "$IMAGE" >/dev/null 2>&1
        dray image prune >/dev/null 2>&1
        rm -rf "$WORK" /run/dray-bench-pull-podman
}
rm -rf "$WORK"
mkdir -p "$WORK/registry"

# --- the registry and the image ---------------------------------------------------------------------
port=$((20000 + RANDOM % 20000))
printf 'version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
        "$WORK/registry" "$port" > "$WORK/registry.yml"
docker-registry serve "$WORK/registry.yml" > "$WORK/registry.log" 2>&1 &
REGPID=$!
IMAGE="127.0.0.1:$port/bench/pull:1"
trap cleanup EXIT
for _ in $(seq 1 100); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/")" = 200 ] && break
        sleep 0.1
done
# An OCI layout of 4 layers of LAYER_MB MiB of random bytes each, gzip level 1 (it stays that big).
python3 - "$WORK/oci-src" "$LAYER_MB" <<'PY' || { echo "bench-pull: cannot build the image" >&2; exit 1; }
import gzip, hashlib, io, json, os, sys, tarfile
out, mb = sys.argv[1], int(sys.argv[2])
os.makedirs(out + "/blobs/sha256")
def blob(data):
    d = hashlib.sha256(data).hexdigest()
    open("%s/blobs/sha256/%s" % (out, d), "wb").write(data)
    return "sha256:" + d
layers, diff_ids = [], []
for i in range(4):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as t:
        for j in range(mb):
            info = tarfile.TarInfo("layer%d/f%d" % (i, j))
            info.size, info.mode = 1 << 20, 0o644
            t.addfile(info, io.BytesIO(os.urandom(1 << 20)))
    tar = raw.getvalue()
    gz = gzip.compress(tar, compresslevel=1, mtime=0)
    diff_ids.append("sha256:" + hashlib.sha256(tar).hexdigest())
    layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": blob(gz), "size": len(gz)})
config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                     "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": blob(config),
                                  "size": len(config)}, "layers": layers}).encode()
index = {"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
         "digest": blob(manifest), "size": len(manifest), "annotations": {"org.opencontainers.image.ref.name": "1"}}]}
json.dump(index, open(out + "/index.json", "w"))
json.dump({"imageLayoutVersion": "1.0.0"}, open(out + "/oci-layout", "w"))
PY
skopeo copy -q --dest-tls-verify=false "oci:$WORK/oci-src:1" "docker://$IMAGE" ||
        { echo "bench-pull: cannot push the image to the registry" >&2; exit 1; }
size_mb="$(( $(du -sb "$WORK/oci-src/blobs" | cut -f1) / 1048576 ))"
rm -rf "$WORK/oci-src"

BENCH_NAME=bench-pull
# shellcheck source=bench/lib-median.sh
. "$ROOT/bench/lib-median.sh"

# Each result checked once more after its last run: a peer that did nothing would be fast.
time_cmd "dray pull" "sh -c 'dray image rm -f $IMAGE >/dev/null 2>&1; dray image prune >/dev/null'" \
        "dray pull $PARALLEL $IMAGE"
[ "$(dray image inspect "$IMAGE" 2>/dev/null | python3 -c 'import json, sys; print(len(json.load(sys.stdin)[0]["Layers"]))')" = 4 ] ||
        { MEDIAN["dray pull"]=fail; echo "bench-pull: dray pull left no 4-layer image" >&2; }
# dray's fetch alone, as skopeo's: the layers stay unpacked, their blobs go before each
# run (the image keeps its name), so the pull fetches and verifies the four blobs, unpacks nothing.
blobs="$(dray image inspect "$IMAGE" 2>/dev/null | python3 -c 'import json, sys
print(" ".join("/var/lib/dray/images/blobs/sha256/" + l["Digest"][7:] for l in json.load(sys.stdin)[0]["Layers"]))')"
time_cmd "dray fetch" "rm -f $blobs" "dray pull $PARALLEL $IMAGE"
for b in $blobs; do [ -f "$b" ] || { MEDIAN["dray fetch"]=fail; echo "bench-pull: dray's fetch left no $b" >&2; }; done
time_cmd "podman pull" "sh -c '${P[*]} rmi -a -f >/dev/null 2>&1'" "${P[*]} pull -q --tls-verify=false $IMAGE"
"${P[@]}" image exists "$IMAGE" || { MEDIAN["podman pull"]=fail; echo "bench-pull: podman pull left no image" >&2; }
time_cmd "skopeo copy" "rm -rf $WORK/oci" "skopeo copy -q --src-tls-verify=false docker://$IMAGE oci:$WORK/oci:1"
[ "$(find "$WORK/oci/blobs/sha256" -type f 2>/dev/null | wc -l)" = 6 ] ||
        { MEDIAN["skopeo copy"]=fail; echo "bench-pull: skopeo copy left no 6 blobs" >&2; }

echo "image: 4 layers, $size_mb MiB of blobs, from docker-registry on 127.0.0.1; $RUNS runs each"
printf '%-14s %10s %8s\n' what "median ms" "MiB/s"
for k in "dray pull" "dray fetch" "podman pull" "skopeo copy"; do
        printf '%-14s %10s %8s\n' "$k" "${MEDIAN[$k]}" "$(mbps "$k" "$size_mb")"
done
echo
echo "ratios (median / median):"
echo "  dray pull / podman pull    $(ratio "dray pull" "podman pull")   (target <= 0.80)"
echo "  dray pull / skopeo copy    $(ratio "dray pull" "skopeo copy")   (dray also unpacks)"
echo "  dray fetch / skopeo copy   $(ratio "dray fetch" "skopeo copy")   (both fetch and verify only; target <= 1.00)"

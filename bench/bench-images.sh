#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Images beside their peers, in one sitting, inside the booted sandbox (tools/sandbox run --
# bench/bench-images.sh). Prints medians and ratios; asserts nothing.
#   1. import throughput: `dray image import` of a root file system tarball beside plain `tar -x` of
#      the same file, and `dray image load` of a docker-archive beside `podman load` of it;
#   2. container creation from a small (busybox, 2 MB) and a large image (the same plus LARGE_MB of
#      files): `dray create` should cost the same for both (overlayfs of unpacked layers: nothing is
#      copied at create time).
# Each command is timed alone (hyperfine, warm-ups, then --runs N); before each import run the image is
# removed and pruned, so the layer is unpacked every time.
#
# Usage: bench/bench-images.sh [--runs N] [--large-mb MB]
set -uo pipefail

RUNS=10
LARGE_MB=256
while [ $# -gt 0 ]; do
        case "$1" in
        --runs) RUNS="$2"; shift 2 ;;
        --large-mb) LARGE_MB="$2"; shift 2 ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        *) echo "bench-images: unknown option '$1'" >&2; exit 2 ;;
        esac
done

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK=/var/lib/dray-bench/images
P=(podman --cgroup-manager=cgroupfs --events-backend=none --storage-driver=vfs --root "$WORK/podman"
   --runroot /run/dray-bench-podman)
rm -rf "$WORK"
mkdir -p "$WORK"
"$ROOT/tools/make-rootfs" "$WORK/small" >/dev/null
cp -a "$WORK/small" "$WORK/large"
mkdir -p "$WORK/large/data"
# Many files of different sizes, like a distribution tree: 1/4 of the bytes in 4 KiB files.
for i in $(seq 1 $((LARGE_MB * 64))); do head -c 4096 /dev/urandom > "$WORK/large/data/s$i"; done
for i in $(seq 1 $((LARGE_MB * 3 / 4))); do head -c 1048576 /dev/urandom > "$WORK/large/data/l$i"; done
tar -C "$WORK/small" -cf "$WORK/small.tar" .
tar -C "$WORK/large" -cf "$WORK/large.tar" .
size_mb="$(( $(stat -c %s "$WORK/large.tar") / 1048576 ))"

BENCH_NAME=bench-images
# shellcheck source=bench/lib-median.sh
. "$ROOT/bench/lib-median.sh"

# --- 1. import throughput ------------------------------------------------------------------------
forget="sh -c 'dray image rm -f localhost/bench-large:1 >/dev/null 2>&1; dray image prune >/dev/null'"
time_cmd "tar -x" "sh -c 'rm -rf $WORK/x; mkdir $WORK/x'" "tar -C $WORK/x -xf $WORK/large.tar"
time_cmd "dray image import" "$forget" "dray image import $WORK/large.tar localhost/bench-large:1"
"${P[@]}" import "$WORK/large.tar" localhost/bench-large:1 >/dev/null 2>&1
"${P[@]}" save --format docker-archive -o "$WORK/large-docker.tar" localhost/bench-large:1 >/dev/null 2>&1
time_cmd "dray image load" "$forget" "dray image load -i $WORK/large-docker.tar"
time_cmd "podman load" "sh -c '${P[*]} rmi -f localhost/bench-large:1 >/dev/null 2>&1'" \
        "${P[*]} load -q -i $WORK/large-docker.tar"

# --- 2. creation time, small and large image -------------------------------------------------------
dray image import "$WORK/small.tar" localhost/bench-small:1 >/dev/null 2>&1
dray image import "$WORK/large.tar" localhost/bench-large:1 >/dev/null 2>&1
RUNS=$((RUNS * 3))
time_cmd "create (small image)" "sh -c 'dray rm -f bench-c >/dev/null 2>&1'" "dray create --name bench-c localhost/bench-small:1 true"
time_cmd "create (large image)" "sh -c 'dray rm -f bench-c >/dev/null 2>&1'" "dray create --name bench-c localhost/bench-large:1 true"
time_cmd "create (--rootfs)" "sh -c 'dray rm -f bench-c >/dev/null 2>&1'" "dray create --name bench-c --rootfs $WORK/small true"
dray rm -f bench-c >/dev/null 2>&1
dray image rm -f localhost/bench-small:1 localhost/bench-large:1 >/dev/null 2>&1
dray image prune >/dev/null 2>&1

echo "archive: $size_mb MiB ($((LARGE_MB * 64)) small files, $((LARGE_MB * 3 / 4)) of 1 MiB)"
printf '%-24s %10s %10s\n' what "median ms" "MiB/s"
for k in "tar -x" "dray image import" "dray image load" "podman load"; do
        printf '%-24s %10s %10s\n' "$k" "${MEDIAN[$k]}" "$(mbps "$k" "$size_mb")"
done
for k in "create (small image)" "create (large image)" "create (--rootfs)"; do
        printf '%-24s %10s\n' "$k" "${MEDIAN[$k]}"
done
echo
echo "ratios (median / median):"
echo "  dray image import / tar -x            $(ratio "dray image import" "tar -x")"
echo "  dray image load / podman load         $(ratio "dray image load" "podman load")"
echo "  create large image / small image      $(ratio "create (large image)" "create (small image)")"
echo "  create small image / --rootfs         $(ratio "create (small image)" "create (--rootfs)")"
rm -rf "$WORK"

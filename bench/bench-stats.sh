#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `dray stats --no-stream` with N running containers (50 by default) beside `podman stats
# --no-stream` with as many podman containers, each `sleep` without a network on the same busybox
# rootfs. Run inside the booted sandbox (tools/sandbox run -- bench/bench-stats.sh).
#
# Each command is timed alone, back to back with itself (hyperfine, which stops at the first run that
# exits non-zero: a failed peer run is never a baseline), after a check that each lists all N
# containers; medians are compared as a ratio (../shared/PERF.md says why). Target: podman/dray >= 10.
#
# Usage: bench/bench-stats.sh [--runs N] [--containers N]
set -uo pipefail

# The peer's adjustments are made in a private mount namespace (bench.sh does the same).
if [ -z "${DRAY_BENCH_PRIVATE_NS:-}" ]; then
        DRAY_BENCH_PRIVATE_NS=1 exec unshare -m --propagation private -- "$0" "$@"
fi

RUNS=20
N=50
while [ $# -gt 0 ]; do
        case "$1" in
        --runs) RUNS="$2"; shift 2 ;;
        --containers) N="$2"; shift 2 ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "bench-stats: unknown option '$1'" >&2; exit 2 ;;
        esac
done

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
WORK=/var/lib/dray-bench
ROOTFS=$WORK/rootfs
mkdir -p "$WORK"
[ -x "$ROOTFS/bin/busybox" ] || "$ROOT/tools/make-rootfs" "$ROOTFS" >/dev/null

# podman (crun) refuses cgroup v1 hybrid mode when cgroup2 has a controller (hugetlb here): an
# empty file over unified/cgroup.controllers, in our mount namespace only; its storage on a tmpfs
# (the sandbox's overlayfs root refuses overlay storage; with --rootfs nothing is stored).
PEER_TMP="$(mktemp -d /tmp/dray-bench-stats.XXXXXX)"
if [ -n "$(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null)" ]; then
        mount --bind /dev/null /sys/fs/cgroup/unified/cgroup.controllers
fi
mount -t tmpfs tmpfs "$PEER_TMP"
PODMAN=(podman --storage-driver=vfs --root "$PEER_TMP/storage" --runroot "$PEER_TMP/run")

cleanup() {
        for i in $(seq 1 "$N"); do dray rm -f "bench-stats-$i" >/dev/null 2>&1; done
        "${PODMAN[@]}" rm -f -t 0 $(seq -f 'bench-stats-%g' 1 "$N") >/dev/null 2>&1
        umount "$PEER_TMP" 2>/dev/null
        rmdir "$PEER_TMP" 2>/dev/null
}
trap cleanup EXIT

BENCH_NAME=bench-stats
# shellcheck source=bench/lib-median.sh
. "$HERE/lib-median.sh"

# rows_ok LABEL COUNT: the command listed all N containers (else its timing means nothing).
rows_ok() {
        [ "$2" -eq "$N" ] && return 0
        echo "bench-stats: $1 listed $2 of $N containers; not timed" >&2
        return 1
}

echo "== stats --no-stream with $N running containers (median of $RUNS, ms) =="
for i in $(seq 1 "$N"); do
        dray run -d --name "bench-stats-$i" --network none --rootfs "$ROOTFS" sleep 3600 >/dev/null ||
                { echo "bench-stats: dray run failed" >&2; exit 1; }
done
rows_ok dray "$(dray stats --no-stream --format '{{.Name}}' | grep -c '^bench-stats-')" &&
        time_cmd dray true "dray stats --no-stream"
for i in $(seq 1 "$N"); do dray rm -f "bench-stats-$i" >/dev/null; done

if command -v podman >/dev/null; then
        for i in $(seq 1 "$N"); do
                "${PODMAN[@]}" run -d --name "bench-stats-$i" --network=none --rootfs "$ROOTFS" sleep 3600 >/dev/null ||
                        { echo "bench-stats: podman run failed" >&2; break; }
        done
        rows_ok podman "$("${PODMAN[@]}" stats --no-stream --format '{{.Name}}' 2>/dev/null | grep -c '^bench-stats-')" &&
                time_cmd podman true "${PODMAN[*]} stats --no-stream"
fi
MEDIAN[dray]="${MEDIAN[dray]:-n/a}"
MEDIAN[podman]="${MEDIAN[podman]:-n/a}"
printf "dray stats %s ms, podman stats %s ms, ratio podman/dray %s (target >= 10)\n" "${MEDIAN[dray]}" \
        "${MEDIAN[podman]}" "$(ratio podman dray)"

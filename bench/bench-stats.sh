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

HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=bench/lib-setup.sh
. "$HERE/lib-setup.sh"
# The peer's adjustments are made in a private mount namespace (bench.sh does the same).
bench_private_ns "$@"

RUNS=20
N=50
bench_options bench-stats "$@"
bench_rootfs
bench_podman_peer bench-stats

cleanup() {
        for i in $(seq 1 "$N"); do dray rm -f "bench-stats-$i" >/dev/null 2>&1; done
        "${PODMAN[@]}" rm -f -t 0 $(seq -f 'bench-stats-%g' 1 "$N") >/dev/null 2>&1
        bench_podman_peer_cleanup
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

if have podman; then
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

#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Container start with a bridge network, beside --network none and beside podman's default
# network, and connect/disconnect of 100 running containers. Run inside the booted sandbox
# (tools/sandbox run -- bench/bench-network.sh); every bridge and rule stays in its namespace.
#
# Each command is timed alone, back to back with itself (hyperfine), and medians are compared as
# ratios (../shared/PERF.md says why).
#
# Usage: bench/bench-network.sh [--runs N] [--containers N]
set -uo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=bench/lib-setup.sh
. "$HERE/lib-setup.sh"
RUNS=30
N=100
bench_options bench-network "$@"
bench_rootfs

# podman in the sandbox: its overlay storage refuses the sandbox's overlayfs root (vfs instead, in
# a store of its own under $WORK; with --rootfs nothing is stored anyway), and crun 1.8 refuses
# cgroup v1 hybrid mode, so podman runs runc here. A host where podman works as it is gets it
# unchanged.
PODMAN=(podman)
if have podman && ! podman run --rm --network=none --rootfs "$ROOTFS" /bin/true >/dev/null 2>&1; then
        PODMAN=(podman --root "$WORK/podman-root" --runroot "$WORK/podman-run" --storage-driver vfs --runtime runc)
fi

declare -A MEDIAN
time_cmd() {
        local label="$1"; shift
        local csv; csv="$(mktemp)"
        if hyperfine -N --style none --warmup 3 --runs "$RUNS" --export-csv "$csv" -- "$*" >/dev/null 2>"$csv.err"; then
                MEDIAN[$label]="$(awk -F, 'NR==2 { printf "%.1f", $4 * 1000 }' "$csv")"
        else
                MEDIAN[$label]="fail"
                echo "bench-network: '$label' failed: $(tail -n 3 "$csv.err")" >&2
        fi
        rm -f "$csv" "$csv.err"
}

ratio() {
        awk -v a="$1" -v b="$2" 'BEGIN { if (a+0 > 0 && b+0 > 0) printf "%.2f", a / b; else print "n/a" }'
}

ms_now() { echo $(( $(date +%s%N) / 1000000 )); }

echo "== /bin/true in a container, end to end (median of $RUNS, ms) =="
time_cmd dray-none dray run --rm --network none --rootfs "$ROOTFS" /bin/true
time_cmd dray-bridge dray run --rm --rootfs "$ROOTFS" /bin/true
if have podman; then
        echo "podman: ${PODMAN[*]}"
        time_cmd podman-none "${PODMAN[@]}" run --rm --network=none --rootfs "$ROOTFS" /bin/true
        time_cmd podman-bridge "${PODMAN[@]}" run --rm --rootfs "$ROOTFS" /bin/true
fi
printf "%-16s %10s\n" command median_ms
for k in dray-none dray-bridge podman-none podman-bridge; do
        [ -n "${MEDIAN[$k]:-}" ] && printf "%-16s %10s\n" "$k" "${MEDIAN[$k]}"
done
echo "ratio dray-bridge / dray-none:      $(ratio "${MEDIAN[dray-bridge]}" "${MEDIAN[dray-none]}")"
echo "ratio podman-bridge / dray-bridge:  $(ratio "${MEDIAN[podman-bridge]:-0}" "${MEDIAN[dray-bridge]}")"
echo "ratio podman-none / dray-none:      $(ratio "${MEDIAN[podman-none]:-0}" "${MEDIAN[dray-none]}")"

echo "== connect and disconnect $N running containers (one call each, in sequence) =="
dray network rm bench-net >/dev/null 2>&1
dray network create bench-net >/dev/null
for i in $(seq 1 "$N"); do dray run -d --name "bench-net-$i" --rootfs "$ROOTFS" sleep 3600 >/dev/null; done
t0=$(ms_now)
for i in $(seq 1 "$N"); do dray network connect bench-net "bench-net-$i" || echo "connect $i failed" >&2; done
t1=$(ms_now)
for i in $(seq 1 "$N"); do dray network disconnect bench-net "bench-net-$i" || echo "disconnect $i failed" >&2; done
t2=$(ms_now)
echo "connect:    $((t1 - t0)) ms for $N, $(( (t1 - t0) / N )) ms each (CLI process included)"
echo "disconnect: $((t2 - t1)) ms for $N, $(( (t2 - t1) / N )) ms each (CLI process included)"
for i in $(seq 1 "$N"); do dray rm -f "bench-net-$i" >/dev/null; done
dray network rm bench-net >/dev/null

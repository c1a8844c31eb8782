#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Booted containers: boot-to-ready and poweroff-to-gone of the same minimal Debian tree
# (tools/make-os-tree) with `dray run -d --boot` beside `systemd-nspawn -b --notify-ready=yes` run
# as a unit by systemd-run (which returns once nspawn reports the container ready), both on a
# throwaway overlay (dray's --ephemeral, nspawn's --volatile=overlay: its --ephemeral copies the tree
# where there is no btrfs) and with a network namespace of their own without interfaces
# (--network none, --private-network). Poweroff-to-gone: `dray stop` beside `systemctl stop` of
# nspawn's unit (nspawn sends SIGRTMIN+3 and waits), each until nothing is left.
# Run inside the booted sandbox (tools/sandbox run -- bench/bench-boot.sh); build the tree on the
# host first (tools/make-os-tree: the sandbox has no network).
#
# The runs alternate dray and nspawn, each boot timed alone; medians are compared as ratios
# (../shared/PERF.md says why). Target: dray's boot-to-ready at most 1.0x nspawn's.
#
# Usage: bench/bench-boot.sh [--runs N]
set -uo pipefail

RUNS=10
while [ $# -gt 0 ]; do
        case "$1" in
        --runs) RUNS="$2"; shift 2 ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        *) echo "bench-boot: unknown option '$1'" >&2; exit 2 ;;
        esac
done

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TREE="$("$ROOT/tools/make-os-tree")" || { echo "bench-boot: no OS tree: run tools/make-os-tree on the host" >&2; exit 1; }

ns_now() { date +%s%N; }
ms_since() { echo $(( ($(ns_now) - $1) / 1000000 )); }
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a+0 > 0 && b+0 > 0) printf "%.2f", a / b; else print "n/a" }'; }
up() { case "$(systemctl -M "$1" is-system-running 2>/dev/null)" in running|degraded) return 0 ;; esac; return 1; }

declare -a dray_boot dray_stop nspawn_boot nspawn_stop
name=bench-boot-dray
unit=bench-boot-nspawn
dray rm -f "$name" >/dev/null 2>&1
systemctl stop "$unit" >/dev/null 2>&1

for i in $(seq 1 "$RUNS"); do
        t=$(ns_now)
        if ! dray run -d --boot --ephemeral --network none --name "$name" --rootfs "$TREE" >/dev/null; then
                echo "bench-boot: dray run -d --boot failed" >&2; exit 1
        fi
        dray_boot+=("$(ms_since "$t")")
        up "$name" || echo "bench-boot: run $i: dray's container was not up when dray returned" >&2
        t=$(ns_now)
        dray stop "$name" >/dev/null
        dray_stop+=("$(ms_since "$t")")
        dray rm "$name" >/dev/null

        t=$(ns_now)
        if ! systemd-run -q --unit="$unit" -p Type=notify -p TimeoutStartSec=90 \
                systemd-nspawn -q --notify-ready=yes --volatile=overlay --private-network -D "$TREE" -M "$unit" -b; then
                echo "bench-boot: systemd-nspawn -b failed" >&2; exit 1
        fi
        nspawn_boot+=("$(ms_since "$t")")
        up "$unit" || echo "bench-boot: run $i: nspawn's container was not up when systemd-run returned" >&2
        t=$(ns_now)
        systemctl stop "$unit"
        nspawn_stop+=("$(ms_since "$t")")
done

db=$(printf '%s\n' "${dray_boot[@]}" | median)
nb=$(printf '%s\n' "${nspawn_boot[@]}" | median)
ds=$(printf '%s\n' "${dray_stop[@]}" | median)
nss=$(printf '%s\n' "${nspawn_stop[@]}" | median)
echo "== booted containers, median of $RUNS (ms) =="
printf "%-22s %10s %10s %8s\n" what dray nspawn ratio
printf "%-22s %10s %10s %8s\n" boot-to-ready "$db" "$nb" "$(ratio "$db" "$nb")"
printf "%-22s %10s %10s %8s\n" poweroff-to-gone "$ds" "$nss" "$(ratio "$ds" "$nss")"

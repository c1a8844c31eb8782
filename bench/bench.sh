#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# dray beside its peers, on the same busybox rootfs, in one sitting. Run inside the booted sandbox
# (tools/sandbox run -- bench/bench.sh) or on a host where systemd is PID 1 and dray is installed.
#
# Every command is timed alone, back to back with itself (hyperfine --runs N after warm-ups), and
# we compare medians as ratios. ../shared/PERF.md explains why not paired A B A B: the heavier
# command's teardown lands on the lighter one's runs.
#
# Usage: bench/bench.sh [--runs N] [--only true|pss|ps|logs]
set -uo pipefail

# Adjustments for the peers are made in a private mount namespace (see below).
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=bench/lib-setup.sh
. "$HERE/lib-setup.sh"
bench_private_ns "$@"

RUNS=30
ONLY=""
while [ $# -gt 0 ]; do
        case "$1" in
        --runs) RUNS="$2"; shift 2 ;;
        --only) ONLY="$2"; shift 2 ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "bench: unknown option '$1'" >&2; exit 2 ;;
        esac
done

# The peers' adjustments (bench_podman_peer) are made in the private mount namespace of our own, so
# that nothing outside this script sees them.
bench_podman_peer bench-peers
trap bench_podman_peer_cleanup EXIT
bench_rootfs
BUNDLE=$WORK/bundle

# One OCI bundle for crun and runc, the root shared with everyone else.
make_bundle() {
        rm -rf "$BUNDLE"; mkdir -p "$BUNDLE"
        (cd "$BUNDLE" && crun spec >/dev/null 2>&1 || runc spec)
        python3 - "$BUNDLE/config.json" "$ROOTFS" <<'PY' 2>/dev/null || sed -i \
                -e "s#\"path\": \"rootfs\"#\"path\": \"$ROOTFS\"#" \
                -e 's#"sh"#"/bin/true"#' -e 's#"terminal": true#"terminal": false#' "$BUNDLE/config.json"
import json, sys
p, root = sys.argv[1], sys.argv[2]
c = json.load(open(p))
c["root"]["path"] = root
c["process"]["args"] = ["/bin/true"]
c["process"]["terminal"] = False
json.dump(c, open(p, "w"))
PY
}

declare -A MEDIAN
# time_cmd LABEL COMMAND…: hyperfine alone, median in ms into MEDIAN[LABEL]
time_cmd() {
        local label="$1"; shift
        local csv; csv="$(mktemp)"
        if hyperfine -N --style none --warmup 3 --runs "$RUNS" --export-csv "$csv" -- "$*" >/dev/null 2>"$csv.err"; then
                MEDIAN[$label]="$(awk -F, 'NR==2 { printf "%.1f", $4 * 1000 }' "$csv")"
        else
                MEDIAN[$label]="fail"
                echo "bench: '$label' failed: $(tail -n 3 "$csv.err")" >&2
        fi
        rm -f "$csv" "$csv.err"
}

ratio() { # ratio A B → A/B
        awk -v a="$1" -v b="$2" 'BEGIN { if (a+0 > 0 && b+0 > 0) printf "%.2f", a / b; else print "n/a" }'
}

# Every peer runs without a network here (crun's bundle has none, podman gets --network=none), so dray
# does too; bench/bench-network.sh compares the default bridge networks.
bench_true() {
        echo "== /bin/true in a container, end to end (median of $RUNS, ms) =="
        make_bundle
        time_cmd dray dray run --rm --network none --rootfs "$ROOTFS" /bin/true
        have crun && time_cmd crun-systemd crun --systemd-cgroup run -b "$BUNDLE" bench-crun
        have crun && time_cmd crun crun run -b "$BUNDLE" bench-crun
        have runc && time_cmd runc runc run -b "$BUNDLE" bench-runc
        have podman && time_cmd podman-none "${PODMAN[@]}" run --rm --network=none --rootfs "$ROOTFS" /bin/true
        have systemd-nspawn && time_cmd nspawn systemd-nspawn -q --register=yes -D "$ROOTFS" /bin/true
        printf "%-22s %10s %14s\n" command median_ms "ratio_to_dray"
        for k in dray crun-systemd crun runc podman-none nspawn; do
                [ -n "${MEDIAN[$k]:-}" ] || continue
                printf "%-22s %10s %14s\n" "$k" "${MEDIAN[$k]}" "$(ratio "${MEDIAN[$k]}" "${MEDIAN[dray]}")"
        done
        echo "target: dray <= 1.5 x crun-systemd: dray/crun-systemd = $(ratio "${MEDIAN[dray]}" "${MEDIAN[crun-systemd]:-0}")"
        echo "target: podman-none/dray >= 5: $(ratio "${MEDIAN[podman-none]:-0}" "${MEDIAN[dray]}")"
}

pss_of() { awk '/^Pss:/ { print $2 }' "/proc/$1/smaps_rollup" 2>/dev/null; }

bench_pss() {
        echo "== memory of the per-container supervisor, one sleeping container (kB) =="
        dray rm -f bench-pss >/dev/null 2>&1
        dray run -d --name bench-pss --network none --rootfs "$ROOTFS" sleep 1000 >/dev/null
        local mpid; mpid="$(dray inspect bench-pss | sed -n 's/.*"MonitorPid": *\([0-9]*\).*/\1/p' | head -1)"
        echo "dray-monitor      PSS $(pss_of "$mpid")  RSS $(awk '/^Rss:/ {print $2}' /proc/"$mpid"/smaps_rollup)"
        dray rm -f bench-pss >/dev/null 2>&1
        if have podman; then
                "${PODMAN[@]}" rm -f bench-pss >/dev/null 2>&1
                "${PODMAN[@]}" run -d --name bench-pss --network=none --rootfs "$ROOTFS" sleep 1000 >/dev/null 2>&1
                local cpid; cpid="$("${PODMAN[@]}" inspect --format '{{.State.ConmonPid}}' bench-pss 2>/dev/null)"
                [ -n "$cpid" ] && echo "conmon            PSS $(pss_of "$cpid")  RSS $(awk '/^Rss:/ {print $2}' /proc/"$cpid"/smaps_rollup)"
                "${PODMAN[@]}" rm -f -t 0 bench-pss >/dev/null 2>&1
        fi
        if have systemd-nspawn; then
                local unit="bench-nspawn-$$"
                systemd-run -q --collect --unit "$unit" systemd-nspawn -q -D "$ROOTFS" sleep 1000
                sleep 1
                local npid; npid="$(systemctl show -P MainPID "$unit")"
                echo "systemd-nspawn    PSS $(pss_of "$npid")  RSS $(awk '/^Rss:/ {print $2}' /proc/"$npid"/smaps_rollup)"
                systemctl stop "$unit"
        fi
}

bench_ps() {
        echo "== ps with 50 running containers (median ms) =="
        for i in $(seq 1 50); do dray run -d --name "bench-ps-$i" --network none --rootfs "$ROOTFS" sleep 3600 >/dev/null; done
        time_cmd dray-ps dray ps
        for i in $(seq 1 50); do dray rm -f "bench-ps-$i" >/dev/null; done
        if have podman; then
                for i in $(seq 1 50); do "${PODMAN[@]}" run -d --name "bench-ps-$i" --network=none --rootfs "$ROOTFS" sleep 3600 >/dev/null 2>&1; done
                time_cmd podman-ps "${PODMAN[@]}" ps
                "${PODMAN[@]}" rm -f -t 0 $(seq -f 'bench-ps-%g' 1 50) >/dev/null 2>&1
        fi
        printf "dray ps %s ms, podman ps %s ms, ratio podman/dray %s\n" "${MEDIAN[dray-ps]}" "${MEDIAN[podman-ps]:-n/a}" \
                "$(ratio "${MEDIAN[podman-ps]:-0}" "${MEDIAN[dray-ps]}")"
}

# wait_last_line T0 MATCH…: waits until the newest journal entry matching MATCH is "100000" (lines of one
# stream arrive in order, so that one is the last), then prints the ms since T0 (date +%s%N) and the
# number of entries stored.
wait_last_line() {
        local t0="$1" t1 n; shift
        for _ in $(seq 1 3000); do
                [ "$(journalctl -q -o cat -n 1 "$@" 2>/dev/null)" = 100000 ] && break
                sleep 0.01
        done
        t1=$(date +%s%N)
        n=$(journalctl -q -o cat "$@" | wc -l)
        echo "$(( (t1 - t0) / 1000000 )) $n"
}

bench_logs() {
        echo "== 100,000 log lines into the journal (ms until all are stored) =="
        local t0 dray_ms dray_n peer_ms peer_n id unit="bench-logs-$$"
        dray rm -f bench-logs >/dev/null 2>&1
        t0=$(date +%s%N)
        dray run -d --name bench-logs --network none --rootfs "$ROOTFS" seq 1 100000 >/dev/null
        id="$(dray inspect bench-logs | sed -n 's/.*"Id": *"\([0-9a-f]*\)".*/\1/p' | head -1)"
        read -r dray_ms dray_n < <(wait_last_line "$t0" CONTAINER_ID_FULL="$id")
        dray rm -f bench-logs >/dev/null 2>&1
        # journald's own intake: a service writing to its stdout stream, with the rate limit lifted
        # the one way systemd 252 honours (PERF.md).
        t0=$(date +%s%N)
        systemd-run -q --collect --unit "$unit" -p LogRateLimitBurst=100000000 \
                seq 1 100000
        read -r peer_ms peer_n < <(wait_last_line "$t0" _SYSTEMD_UNIT="$unit.service")
        printf "%-34s %8s %8s\n" what ms lines
        printf "%-34s %8s %8s\n" "dray run -d (journald driver)" "$dray_ms" "$dray_n"
        printf "%-34s %8s %8s\n" "a service's stdout (journald alone)" "$peer_ms" "$peer_n"
        echo "target: dray <= 1.5 x journald alone: dray/journald = $(ratio "$dray_ms" "$peer_ms")"
}

case "$ONLY" in
"") bench_true; bench_pss; bench_ps; bench_logs ;;
true) bench_true ;;
pss) bench_pss ;;
ps) bench_ps ;;
logs) bench_logs ;;
*) echo "bench: unknown --only '$ONLY'" >&2; exit 2 ;;
esac

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
        (cd "$BUNDLE" && { crun spec >/dev/null 2>&1 || runc spec; })
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

# cgroup_dir_of_unit UNIT / cgroup_dir_of_pid PID: the unit's (the process's) directory in the hierarchy
# systemd manages (name=systemd on cgroup v1 hybrid, the unified one on v2).
cgroup_dir() { if [ -d /sys/fs/cgroup/systemd ]; then echo "/sys/fs/cgroup/systemd$1"; else echo "/sys/fs/cgroup$1"; fi; }
cgroup_dir_of_unit() { cgroup_dir "$(systemctl show -P ControlGroup "$1")"; }
cgroup_dir_of_pid() {
        cgroup_dir "$(awk -F: '$2 == "name=systemd" { p = $3 } $1 == 0 && $2 == "" && p == "" { q = $3 }
                END { print (p != "" ? p : q) }' "/proc/$1/cgroup")"
}

# supervisor_pss DIR NAME…: the processes of cgroup DIR (and its children) whose name (comm, as
# pgrep -x matches it; never the command line) is one of NAME. Prints "NAME PID PSS" per process,
# then "sum KB COUNT". Only DIR's processes count, so another container's never do.
supervisor_pss() {
        local dir="$1" name pid procs n=0 sum=0 p; shift
        procs="$(find "$dir" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u)"
        for name in "$@"; do
                for pid in $(pgrep -x "$name"); do
                        grep -qxF "$pid" <<<"$procs" || continue
                        p="$(pss_of "$pid")"; [ -n "$p" ] || continue
                        echo "$name $pid $p"; sum=$((sum + p)); n=$((n + 1))
                done
        done
        echo "sum $sum $n"
}

# supervisor_pss_pid PID NAME: the same for one process, if its name is NAME. podman's conmon is not in a
# cgroup of the container's own: it stays in the cgroup of the command that ran podman (with every
# other container's conmon), so it is found by the PID podman records for the container.
supervisor_pss_pid() {
        local p=""
        grep -qxF "$1" <<<"$(pgrep -x "$2")" && p="$(pss_of "$1")"
        if [ -n "$p" ]; then echo "$2 $1 $p"; echo "sum $p 1"; else echo "sum 0 0"; fi
}

# print_supervisor LABEL OUTPUT-OF-supervisor_pss: one line, each part and the sum; SUM[LABEL] = the sum.
declare -A SUM
print_supervisor() {
        local label="$1" parts sum
        parts="$(awk '$1 != "sum" { printf "%s%s %s", sep, $1, $3; sep = " + " }' <<<"$2")"
        sum="$(awk '$1 == "sum" { print $2 }' <<<"$2")"
        SUM[$label]="$sum"
        printf "%-8s %-40s = %6s kB\n" "$label" "${parts:-none found}" "$sum"
}

# The supervisor of each, one sleeping container: dray-monitor + the container's init (dray-init) in
# the container's scope; conmon (by its PID, see supervisor_pss_pid) and catatonit if podman put one
# beside the payload in the payload's scope; the systemd-nspawn process in its unit.
bench_pss() {
        echo "== supervisor PSS, one sleeping container: every process beside the payload, summed (kB) =="
        dray rm -f bench-pss >/dev/null 2>&1
        dray run -d --name bench-pss --network none --rootfs "$ROOTFS" sleep 1000 >/dev/null
        sleep 1
        print_supervisor dray "$(supervisor_pss "$(cgroup_dir_of_unit dray-bench-pss.scope)" dray-monitor dray-init)"
        dray rm -f bench-pss >/dev/null 2>&1
        if have podman; then
                "${PODMAN[@]}" rm -f bench-pss >/dev/null 2>&1
                "${PODMAN[@]}" run -d --name bench-pss --network=none --rootfs "$ROOTFS" sleep 1000 >/dev/null 2>&1
                sleep 1
                local cpid ppid out=""
                cpid="$("${PODMAN[@]}" inspect --format '{{.State.ConmonPid}}' bench-pss 2>/dev/null)"
                ppid="$("${PODMAN[@]}" inspect --format '{{.State.Pid}}' bench-pss 2>/dev/null)"
                [ -n "$cpid" ] && [ "$cpid" != 0 ] && out="$(supervisor_pss_pid "$cpid" conmon)"
                [ -n "$ppid" ] && [ "$ppid" != 0 ] && out="$out
$(supervisor_pss "$(cgroup_dir_of_pid "$ppid")" catatonit)"
                out="$(awk '$1 == "sum" { s += $2; n += $3; next } { print } END { print "sum", s + 0, n + 0 }' <<<"$out")"
                print_supervisor podman "$out"
                "${PODMAN[@]}" rm -f -t 0 bench-pss >/dev/null 2>&1
        fi
        if have systemd-nspawn; then
                local unit="bench-nspawn-$$"
                systemd-run -q --collect --unit "$unit" systemd-nspawn -q -D "$ROOTFS" sleep 1000
                sleep 1
                print_supervisor nspawn "$(supervisor_pss "$(cgroup_dir_of_unit "$unit.service")" systemd-nspawn)"
                systemctl stop "$unit"
        fi
        echo "ratio of the sums: podman/dray $(ratio "${SUM[podman]:-0}" "${SUM[dray]:-0}"), nspawn/dray $(ratio "${SUM[nspawn]:-0}" "${SUM[dray]:-0}")"
}

# per_container LABEL OUTPUTS: the "sum" lines of many supervisor_pss runs, as PSS per container.
per_container() {
        awk -v l="$1" -v c="$2" '$1 == "sum" { s += $2; n += $3 } END {
                printf "%-8s %d processes for %d containers, %d kB in all = %.0f kB PSS per container\n", l, n, c, s, s / c }' <<<"$3"
}

bench_ps() {
        echo "== ps with 50 running containers (median ms), and the supervisors' PSS per container =="
        local i out
        for i in $(seq 1 50); do dray run -d --name "bench-ps-$i" --network none --rootfs "$ROOTFS" sleep 3600 >/dev/null; done
        time_cmd dray-ps dray ps
        out="$(for i in $(seq 1 50); do supervisor_pss "$(cgroup_dir_of_unit "dray-bench-ps-$i.scope")" dray-monitor dray-init; done)"
        per_container dray 50 "$out"
        for i in $(seq 1 50); do dray rm -f "bench-ps-$i" >/dev/null; done
        if have podman; then
                for i in $(seq 1 50); do "${PODMAN[@]}" run -d --name "bench-ps-$i" --network=none --rootfs "$ROOTFS" sleep 3600 >/dev/null 2>&1; done
                time_cmd podman-ps "${PODMAN[@]}" ps
                out="$(for pid in $("${PODMAN[@]}" inspect --format '{{.State.ConmonPid}}' $(seq -f 'bench-ps-%g' 1 50) 2>/dev/null); do
                        [ "$pid" != 0 ] && supervisor_pss_pid "$pid" conmon
                done)"
                per_container podman 50 "$out"
                "${PODMAN[@]}" rm -f -t 0 $(seq -f 'bench-ps-%g' 1 50) >/dev/null 2>&1
        fi
        printf "dray ps %s ms, podman ps %s ms, ratio podman/dray %s\n" "${MEDIAN[dray-ps]}" "${MEDIAN[podman-ps]:-n/a}" \
                "$(ratio "${MEDIAN[podman-ps]:-0}" "${MEDIAN[dray-ps]}")"
}

# wait_last_line T0 MATCH…: waits (60 s at most) until the newest journal entry matching MATCH is
# "100000" (lines of one stream arrive in order, so that one is the last), then prints the ms since
# T0 (date +%s%N), the number of entries stored and "ok" or "timeout".
wait_last_line() {
        local t0="$1" t1 n state=timeout end; shift
        end=$((t0 + 60000000000))
        while [ "$(date +%s%N)" -lt "$end" ]; do
                if [ "$(journalctl -q -o cat -n 1 "$@" 2>/dev/null)" = 100000 ]; then state=ok; break; fi
                sleep 0.01
        done
        t1=$(date +%s%N)
        n=$(journalctl -q -o cat "$@" | wc -l)
        echo "$(( (t1 - t0) / 1000000 )) $n $state"
}

# log_row LABEL MS N STATE: the row's figure, or why there is none.
log_row() {
        if [ "$4" = ok ] && [ "$3" = 100000 ]; then printf "%-34s %8s %8s\n" "$1" "$2" "$3"
        else printf "%-34s %8s %8s  failed (%s of 100000 lines stored%s)\n" "$1" "$2" "$3" "$3" \
                "$([ "$4" = ok ] || echo ", timed out")"; fi
}

bench_logs() {
        echo "== 100,000 log lines into the journal (ms until all are stored) =="
        local t0 dray_ms dray_n dray_st peer_ms peer_n peer_st id unit="bench-logs-$$"
        dray rm -f bench-logs >/dev/null 2>&1
        t0=$(date +%s%N)
        dray run -d --name bench-logs --network none --rootfs "$ROOTFS" seq 1 100000 >/dev/null
        id="$(dray inspect bench-logs | sed -n 's/.*"Id": *"\([0-9a-f]*\)".*/\1/p' | head -1)"
        read -r dray_ms dray_n dray_st < <(wait_last_line "$t0" CONTAINER_ID_FULL="$id")
        dray rm -f bench-logs >/dev/null 2>&1
        # journald's own intake: a service writing to its stdout stream, with the rate limit lifted
        # the one way systemd 252 honours (PERF.md). journald reads a unit's rate limit from
        # /run/systemd/units/, which goes with the unit: a --collect'ed service that has exited is
        # gone before journald has read its stream, and the rest of its lines meet the default limit
        # (that is how a run stored 40,000 of 100,000). RemainAfterExit keeps the unit until we stop
        # it, and the lines are matched by an identifier of their own, not by the unit.
        t0=$(date +%s%N)
        systemd-run -q --unit "$unit" -p RemainAfterExit=yes -p LogRateLimitBurst=100000000 \
                -p SyslogIdentifier="$unit" seq 1 100000
        read -r peer_ms peer_n peer_st < <(wait_last_line "$t0" SYSLOG_IDENTIFIER="$unit")
        systemctl stop "$unit" 2>/dev/null; systemctl reset-failed "$unit" 2>/dev/null
        printf "%-34s %8s %8s\n" what ms lines
        log_row "dray run -d (journald driver)" "$dray_ms" "$dray_n" "$dray_st"
        log_row "a service's stdout (journald alone)" "$peer_ms" "$peer_n" "$peer_st"
        if [ "$peer_st" != ok ] || [ "$peer_n" != 100000 ]; then
                echo "peer failed ($peer_n of 100000 lines stored): no ratio"
        elif [ "$dray_st" != ok ] || [ "$dray_n" != 100000 ]; then
                echo "dray failed ($dray_n of 100000 lines stored): no ratio"
        else
                echo "target: dray <= 1.5 x journald alone: dray/journald = $(ratio "$dray_ms" "$peer_ms")"
        fi
}

case "$ONLY" in
"") bench_true; bench_pss; bench_ps; bench_logs ;;
true) bench_true ;;
pss) bench_pss ;;
ps) bench_ps ;;
logs) bench_logs ;;
*) echo "bench: unknown --only '$ONLY'" >&2; exit 2 ;;
esac

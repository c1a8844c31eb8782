#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# dray-oci beside crun (issue 17): `dray-oci run` beside `crun run` of the same bundle (/bin/true in a
# busybox root, cgroupfs and --systemd-cgroup), and `podman --runtime /usr/bin/dray-oci run --rm`
# beside `podman --runtime crun run --rm` of the same image. Each command is timed alone, back to back
# with itself (hyperfine -N, warm-ups, then --runs N); hyperfine fails a command whose run exits non-zero,
# so every peer run's exit status is checked. Medians are compared as ratios (../shared/PERF.md).
# Target: dray-oci at most 1.0x crun.
# Run inside the booted sandbox: tools/sandbox exec --name NAME -- bench/bench-oci.sh [--runs N]
# crun refuses a hybrid host whose cgroup2 hierarchy has a controller (hugetlb here), and on the pure
# cgroup v2 sandbox it cannot raise RLIMIT_MEMLOCK for its device filter: as bench/bench.sh does, an
# empty file is bound over unified/cgroup.controllers, in a private mount namespace of our own.
set -uo pipefail
if [ -z "${DRAY_BENCH_PRIVATE_NS:-}" ]; then
        DRAY_BENCH_PRIVATE_NS=1 exec unshare -m --propagation private -- "$0" "$@"
fi
if [ -n "$(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null)" ]; then
        mount --bind /dev/null /sys/fs/cgroup/unified/cgroup.controllers
fi

RUNS=20
while [ $# -gt 0 ]; do
        case "$1" in
        --runs) RUNS="$2"; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "bench-oci: unknown option '$1'" >&2; exit 2 ;;
        esac
done
for c in dray-oci crun podman hyperfine; do
        command -v "$c" >/dev/null || { echo "bench-oci: $c is not installed (tools/install-deps)" >&2; exit 1; }
done
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d /var/tmp/bench-oci.XXXXXX)" || exit 1
runroot="$(mktemp -d /run/bench-oci.XXXXXX)" || exit 1
PODMAN=(podman --events-backend=none --storage-driver=vfs --root "$work/podman" --runroot "$runroot")
cleanup() {
        "${PODMAN[@]}" rm -a -f >/dev/null 2>&1
        rm -rf "$work" "$runroot"
}
trap cleanup EXIT

bundle="$work/bundle"
mkdir -p "$bundle"
"$ROOT/tools/make-rootfs" "$bundle/rootfs" >/dev/null || exit 1
(cd "$bundle" && crun spec) || exit 1
python3 - "$bundle/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["args"] = ["/bin/true"]
c["process"]["terminal"] = False
json.dump(c, open(sys.argv[1], "w"))
PY
tar -C "$bundle/rootfs" -cf "$work/root.tar" . && "${PODMAN[@]}" import "$work/root.tar" localhost/bench-oci >/dev/null 2>&1 ||
        { echo "bench-oci: podman import failed" >&2; exit 1; }

declare -A MEDIAN
# time_cmd LABEL COMMAND: hyperfine alone, median in ms into MEDIAN[LABEL]
time_cmd() {
        local label="$1" csv
        csv="$(mktemp)"
        if hyperfine -N --style none --warmup 3 --runs "$RUNS" --export-csv "$csv" -- "$2" >/dev/null 2>"$csv.err"; then
                MEDIAN[$label]="$(awk -F, 'NR==2 { printf "%.1f", $4 * 1000 }' "$csv")"
        else
                MEDIAN[$label]="fail"
                echo "bench-oci: '$label' failed: $(tail -n 3 "$csv.err")" >&2
        fi
        rm -f "$csv" "$csv.err"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a+0 > 0 && b+0 > 0) printf "%.2f", a / b; else print "n/a" }'; }

time_cmd dray-oci "dray-oci --root $work/dray-oci run -b $bundle bench-oci-d"
time_cmd crun "crun --root $work/crun run -b $bundle bench-oci-c"
time_cmd dray-oci-systemd "dray-oci --root $work/dray-oci --systemd-cgroup run -b $bundle bench-oci-ds"
time_cmd crun-systemd "crun --root $work/crun --systemd-cgroup run -b $bundle bench-oci-cs"
time_cmd podman-dray-oci "${PODMAN[*]} --runtime /usr/bin/dray-oci run --rm --network=none localhost/bench-oci /bin/true"
time_cmd podman-crun "${PODMAN[*]} --runtime $(command -v crun) run --rm --network=none localhost/bench-oci /bin/true"

echo "== /bin/true, end to end (median of $RUNS, ms) =="
printf "%-34s %10s %10s %8s\n" what dray-oci crun ratio
for p in "run (cgroupfs):dray-oci:crun" "run --systemd-cgroup:dray-oci-systemd:crun-systemd" \
         "podman run --rm --network=none:podman-dray-oci:podman-crun"; do
        IFS=: read -r what d c <<< "$p"
        printf "%-34s %10s %10s %8s\n" "$what" "${MEDIAN[$d]}" "${MEDIAN[$c]}" "$(ratio "${MEDIAN[$d]}" "${MEDIAN[$c]}")"
done
echo "target: dray-oci <= 1.0 x crun"

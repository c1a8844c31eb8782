#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# dray-generator with 100 .container files (and a .network), as systemd runs it at boot and at
# every daemon-reload, beside systemd's own systemd-fstab-generator with a 100-line fstab (the
# nearest peer on Debian 12: podman 4.3 has no Quadlet): both parse a config and write units plus
# .wants/.requires links into a fresh directory. Each command is timed alone by hyperfine (30 runs
# after 3 warm-ups, a fresh output directory each run); the medians are compared as a ratio
# (../shared/PERF.md says why). The generator must run in milliseconds: it delays every boot.
# Needs no sandbox: the generators only write into the directory they are given.
#
# Usage: bench/bench-generator.sh [BUILDDIR] [--files N]
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="$ROOT/build"
FILES=100
while [ $# -gt 0 ]; do
        case "$1" in
        --files) FILES="$2"; shift 2 ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) BUILD="$(cd "$1" && pwd)"; shift ;;
        esac
done
GEN="$BUILD/src/generator/dray-generator"
FSTAB_GEN=/lib/systemd/system-generators/systemd-fstab-generator
[ -x "$GEN" ] || { echo "bench-generator: $GEN is not built" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "bench-generator: hyperfine is not installed (tools/install-deps)" >&2; exit 1; }

# On a tmpfs, as /run/systemd/generator is: on ext4 the symlinks and creates alone cost 100x more.
work="$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src" "$work/out"
printf '[Network]\nSubnet=10.89.7.0/24\n' > "$work/src/bench.network"
for i in $(seq 1 "$FILES"); do
        cat > "$work/src/app$i.container" <<EOT
# container $i of the benchmark
[Unit]
Description=benchmark container $i
After=network-online.target

[Container]
Image=docker.io/library/busybox:latest
Exec=sh -c 'echo hello from $i; exec httpd -f -p 80'
Environment=INDEX=$i "GREETING=hello world"
Volume=/srv/app$i:/data:ro
Tmpfs=/tmp
PublishPort=$((20000 + i)):80
Network=bench.network
Memory=64m
PidsLimit=100
ReadOnly=yes
DropCapability=NET_RAW
StopTimeout=5

[Service]
Restart=on-failure
RestartSec=2

[Install]
WantedBy=multi-user.target
EOT
        printf '/dev/disk/by-label/bench%d /srv/bench%d ext4 defaults,nofail 0 2\n' "$i" "$i" >> "$work/fstab"
done

# Check both before timing: a failing generator is fast, and a ratio against it means nothing.
SYSTEMD_LOG_TARGET=console DRAY_UNIT_PATH="$work/src" "$GEN" "$work/out" "$work/out" "$work/out"
n=$(find "$work/out" -maxdepth 1 -name 'app*.service' | wc -l)
[ "$n" = "$FILES" ] || { echo "bench-generator: dray-generator wrote $n of $FILES units" >&2; exit 1; }
rm -rf "$work/out"; mkdir "$work/out"
SYSTEMD_FSTAB="$work/fstab" SYSTEMD_LOG_TARGET=console "$FSTAB_GEN" "$work/out" "$work/out" "$work/out"
n=$(find "$work/out" -maxdepth 1 -name 'srv-bench*.mount' | wc -l)
[ "$n" = "$FILES" ] || { echo "bench-generator: systemd-fstab-generator wrote $n of $FILES units" >&2; exit 1; }

export GEN FSTAB_GEN work
hyperfine -N --runs 30 --warmup 3 --export-json "$work/dray.json" \
        --prepare "sh -c 'rm -rf $work/out && mkdir $work/out'" \
        "env SYSTEMD_LOG_TARGET=console DRAY_UNIT_PATH=$work/src $GEN $work/out $work/out $work/out" >/dev/null
hyperfine -N --runs 30 --warmup 3 --export-json "$work/fstab.json" \
        --prepare "sh -c 'rm -rf $work/out && mkdir $work/out'" \
        "env SYSTEMD_FSTAB=$work/fstab SYSTEMD_LOG_TARGET=console $FSTAB_GEN $work/out $work/out $work/out" >/dev/null
d=$(jq '.results[0].median * 1000' "$work/dray.json")
f=$(jq '.results[0].median * 1000' "$work/fstab.json")
printf '%-50s %8.2f ms\n' "dray-generator, $FILES .container files" "$d"
printf '%-50s %8.2f ms\n' "systemd-fstab-generator, $FILES fstab lines" "$f"
awk -v d="$d" -v f="$f" 'BEGIN { printf "%-50s %8.2fx\n", "ratio of medians (dray / fstab-generator)", d / f }'

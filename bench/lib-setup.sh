# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by bench scripts: what they do before timing anything (options, the rootfs, the peers).
# shellcheck shell=bash

have() { command -v "$1" >/dev/null 2>&1; }

# bench_options NAME ARGS…: --runs N and --containers N into RUNS and N (the caller sets their
# defaults); --help prints the script's header (lines 2-11); anything else ends the script (exit 2).
# shellcheck disable=SC2034 # RUNS and N are for the script that sources this
bench_options() {
        local name="$1"; shift
        while [ $# -gt 0 ]; do
                case "$1" in
                --runs|--containers)
                        [ $# -ge 2 ] || { echo "$name: option '$1' needs a value" >&2; exit 2; }
                        if [ "$1" = --runs ]; then RUNS="$2"; else N="$2"; fi
                        shift 2 ;;
                -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
                *) echo "$name: unknown option '$1'" >&2; exit 2 ;;
                esac
        done
}

# bench_rootfs: ROOT (the checkout), WORK (/var/lib/dray-bench) and ROOTFS, the busybox root every
# command runs, made once.
# shellcheck disable=SC2034 # for the script that sources this
bench_rootfs() {
        ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
        WORK=/var/lib/dray-bench
        ROOTFS=$WORK/rootfs
        mkdir -p "$WORK"
        [ -x "$ROOTFS/bin/busybox" ] || "$ROOT/tools/make-rootfs" "$ROOTFS" >/dev/null
}

# bench_private_ns ARGS…: runs the script again in a private mount namespace of its own (unless it
# is in it already), so that the peers' adjustments below are seen by nobody else.
bench_private_ns() {
        [ -n "${DRAY_BENCH_PRIVATE_NS:-}" ] && return 0
        DRAY_BENCH_PRIVATE_NS=1 exec unshare -m --propagation private -- "$0" "$@"
}

# bench_podman_peer NAME: podman as a peer on this kind of host, inside bench_private_ns; sets PODMAN
# (an array) and PEER_TMP, which bench_podman_peer_cleanup removes.
# - crun (and podman running crun) refuse cgroup v1 hybrid mode when the cgroup2 hierarchy has any
#   controller (hugetlb here): an empty file is bound over unified/cgroup.controllers;
# - podman's storage cannot live on the sandbox's overlayfs root: it gets a tmpfs (vfs driver; runs
#   use --rootfs, so no image layers are involved).
# shellcheck disable=SC2034 # for the script that sources this
bench_podman_peer() {
        PEER_TMP="$(mktemp -d "/tmp/dray-$1.XXXXXX")"
        if [ -n "$(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null)" ]; then
                mount --bind /dev/null /sys/fs/cgroup/unified/cgroup.controllers
        fi
        mount -t tmpfs tmpfs "$PEER_TMP"
        PODMAN=(podman --storage-driver=vfs --root "$PEER_TMP/storage" --runroot "$PEER_TMP/run")
}

# conmon runs `podman … container cleanup` once a container has ended, after `podman rm -f` returned:
# started after the tmpfs is gone, it would make the store again in /tmp. Waited for (10 s at most).
bench_podman_peer_cleanup() {
        local _
        for _ in $(seq 1 100); do
                pgrep -f -- "$PEER_TMP" >/dev/null || break
                sleep 0.1
        done
        umount "$PEER_TMP" 2>/dev/null
        rmdir "$PEER_TMP" 2>/dev/null
}

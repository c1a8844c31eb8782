# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Helpers of the tests that run dray-oci under containerd (23-oci-containerd.sh, 18-oci-cri.sh),
# sourced after lib.sh.
# shellcheck shell=bash

# image_of_rootfs ROOTFS WORK NAME CMD-JSON: the root made an image NAME (with that CMD) by podman,
# saved as the docker-archive WORK/image.tar, podman's storage removed again.
image_of_rootfs() {
        local rootfs="$1" work="$2" name="$3" cmd="$4" runroot
        # podman wants a run root of at most 50 characters.
        runroot="$(mktemp -d /run/oci-c.XXXXXX)" || bail_out "mktemp failed"
        defer rm -rf "$runroot"
        local P=(podman --events-backend=none --storage-driver=vfs --root "$work/podman" --runroot "$runroot")
        tar -C "$rootfs" -cf "$work/root.tar" . || bail_out "tar failed"
        "${P[@]}" import --change "CMD $cmd" "$work/root.tar" "$name" >"$work/import.log" 2>&1 ||
                bail_out "podman import failed: $(tail -n 3 "$work/import.log")"
        "${P[@]}" save --format docker-archive -o "$work/image.tar" "$name" >/dev/null 2>&1 || bail_out "podman save failed"
        rm -rf "$work/podman" "$runroot" "$work/root.tar"
}

# containerd_start WORK UNIT [TOML]: a containerd of the test's own (root, state and socket
# WORK/containerd.sock under WORK, the TOML appended to its config) as the transient service UNIT,
# stopped at exit (its shims with it: they stay in its cgroup).
containerd_start() {
        local work="$1" unit="$2"
        cat > "$work/config.toml" <<CONF
version = 2
root = "$work/root"
state = "$work/state"
[grpc]
  address = "$work/containerd.sock"
${3:-}
CONF
        defer sh -c "systemctl stop $unit 2>/dev/null || true"
        systemd-run --quiet --unit "$unit" containerd --config "$work/config.toml" || bail_out "cannot start containerd"
        wait_until 30 test -S "$work/containerd.sock" || bail_out "containerd does not listen"
}

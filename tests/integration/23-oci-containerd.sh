#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# containerd's own client with dray-oci as the runc binary of its runc shim (issue 17): an image
# imported into a containerd of the test's own (its socket, root and state in the test directory) runs
# with `ctr run --runc-binary /usr/bin/dray-oci`, in the foreground and detached, is listed, killed
# and removed.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/lib-containerd.sh
. "$(dirname "$0")/lib-containerd.sh"

require dray-oci podman containerd ctr containerd-shim-runc-v2 systemd-run
mkdir -p "$TEST_DIR"
work="$(mktemp -d "$TEST_DIR/$TEST_NAME.XXXXXX")" || bail_out "mktemp failed"
defer rm -rf "$work"
rootfs="$(test_rootfs)" || bail_out "no test rootfs"
unit="dray-test-containerd-$$"

# The image: the busybox root, made an image by podman and saved as a docker-archive.
image_of_rootfs "$rootfs" "$work" localhost/oci-cd '["sh"]'
containerd_start "$work" "$unit"
C=(ctr --address "$work/containerd.sock")
R=(--snapshotter native --runc-binary /usr/bin/dray-oci)

ok "ctr image import" "${C[@]}" image import --snapshotter native --base-name localhost/oci-cd "$work/image.tar"
out="$("${C[@]}" run --rm "${R[@]}" localhost/oci-cd:latest oci-cd1 sh -c 'echo hi-from-ctr; exit 0' 2>&1)"
is "$out" hi-from-ctr "ctr run: the container's output"
status_is 6 "ctr run: its exit status" "${C[@]}" run --rm "${R[@]}" localhost/oci-cd:latest oci-cd2 sh -c 'exit 6'
ok "ctr run -d" "${C[@]}" run -d "${R[@]}" localhost/oci-cd:latest oci-cd3 sleep 1000
running() { "${C[@]}" task ls 2>/dev/null | grep -q "^oci-cd3 .*RUNNING"; }
stopped() { "${C[@]}" task ls 2>/dev/null | grep -q "^oci-cd3 .*STOPPED"; }
ok "the task runs" wait_until 10 running
pid="$("${C[@]}" task ls | awk '$1 == "oci-cd3" { print $2 }')"
is "$(dray-oci --root /run/containerd/runc/default state oci-cd3 | jq -r .pid)" "$pid" "dray-oci's state agrees on the PID"
like "$("${C[@]}" task ps oci-cd3)" "$pid" "ctr task ps"
ok "ctr task kill" "${C[@]}" task kill oci-cd3
ok "the task stops" wait_until 10 stopped
ok "ctr task delete" "${C[@]}" task delete oci-cd3
ok "ctr container delete" "${C[@]}" container delete oci-cd3
fails "dray-oci's state is gone" dray-oci --root /run/containerd/runc/default state oci-cd3

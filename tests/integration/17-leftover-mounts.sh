#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Mounts a crash left below /var/lib/dray or /run/dray are undone when drayd starts (it reads the
# mount table with libmount, src/daemon/mount-leftovers.c), deepest first, and said so in its log;
# the network namespace a running container's pin holds in /run/dray/netns stays, and so does the
# container. Runs inside the sandbox (tools/test-all, or tools/sandbox exec -- bash THIS).
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require busctl systemctl journalctl findmnt

plan 8
setup_dray_test

mounted() { findmnt --mountpoint "$1" >/dev/null 2>&1; }

name="$(unique_name keep)"
defer gone_for_good "$name"
ok "a container on the default network runs" dray run -d --name "$name" --rootfs "$rootfs" sleep 1000
id="$(prop "$name" Id)"
pin="/run/dray/netns/$id"
pinned=0
mounted "$pin" && pinned=1

# What a drayd or a worker killed half-way could leave: a mount, another one below it, one under
# /run/dray.
a="/var/lib/dray/tmp/leftover-$$"
b="$a/inner"
c="/run/dray/containers/leftover-$$"
mkdir -p "$a" "$c"
mount -t tmpfs dray-test-leftover "$a" && mkdir -p "$b" && mount -t tmpfs dray-test-leftover "$b" &&
        mount -t tmpfs dray-test-leftover "$c" || bail_out "cannot make the leftover mounts"
defer sh -c "umount -R '$a' '$c' 2>/dev/null; rmdir '$c' 2>/dev/null; true"

since="$(date +%s)"
systemctl restart drayd.service
wait_until 20 drayd_ready || bail_out "drayd did not come back"
log="$(journalctl --sync; journalctl --no-pager -o cat -u drayd.service --since "@$since")"

fails "the leftover mount below /var/lib/dray is gone" mounted "$a"
fails "... and the one below it" mounted "$b"
fails "... and the one below /run/dray" mounted "$c"
like "$log" "Unmounted $b \\(tmpfs\\), left behind by an earlier run" "drayd says what it unmounted"
like "$log" "Unmounted $b .*
.*Unmounted $a " "the inner mount went first"
is "$(prop "$name" State)" running "the container still runs"
if [ "$pinned" = 1 ]; then
        ok "its network namespace pin is still mounted" mounted "$pin"
else
        skip "its network namespace pin is still mounted" "the container has no pinned network namespace"
fi

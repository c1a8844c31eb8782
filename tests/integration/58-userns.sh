#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# --userns=auto through drayd: each container gets a range of 65,536 host IDs of its own (recorded in
# its spec, never handed to a second container while the first exists, free again after rm); its
# root is host UID "base" from the outside; its files are owned right through an idmapped mount
# where the file system allows it (tmpfs here), and is refused where it does not (the sandbox's
# overlayfs root: drayd never chowns a tree it does not own); --ephemeral stacks an overlay mounted inside the namespace on the
# idmapped rootfs, and is refused where there is no idmapping. Runs inside the sandbox.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require busctl ps

plan 20
setup_dray_test
# A root on tmpfs (idmapped mounts work there) and two on the sandbox's overlayfs root (they do
# not: refused).
mkdir -p "$work/tmpfs"
mount -t tmpfs tmpfs "$work/tmpfs" || bail_out "cannot mount a tmpfs"
defer umount -l "$work/tmpfs"
for r in "$work/tmpfs/root" "$work/ovl1" "$work/ovl2"; do
        "$REPO_ROOT/tools/make-rootfs" "$r" >/dev/null || bail_out "tools/make-rootfs failed"
done

# host_uid_of CONTAINER: the host UID its init runs as, as ps sees it from outside.
host_uid_of() {
        local path pid
        path="$(busctl call org.dray1 /org/dray1 org.dray1.Manager GetContainer s "$1" | cut -d'"' -f2)"
        pid="$(busctl get-property org.dray1 "$path" org.dray1.Container Pid | awk '{ print $2 }')"
        [ "${pid:-0}" -gt 0 ] || return 1
        ps -o uid= -p "$pid" | tr -d ' ' | grep .
}

is "$(dray run --rm --rootfs "$work/tmpfs/root" sh -c 'cat /proc/self/uid_map' | awk '{ print $1, $2, $3 }')" \
        "0 0 4294967295" "--userns=host (the default) is the host's user namespace"
map="$(dray run --rm --userns=auto --rootfs "$work/tmpfs/root" cat /proc/self/uid_map | awk '{ print $1, $2, $3 }')"
like "$map" '^0 [0-9]+ 65536$' "--userns=auto maps 65536 IDs, container 0 to a host base"
base="$(echo "$map" | awk '{ print $2 }')"
[ "${base:-0}" -ge 524288 ] && pass "the base ($base) is in nspawn's range, above the host's users" ||
        fail "the base is in nspawn's range" "base: $base"
is "$(dray run --rm --userns=auto --rootfs "$work/tmpfs/root" sh -c 'id -u; id -g; echo x > /etc/x && stat -c %u /etc/x')" \
        "$(printf '0\n0\n0')" "the payload is root of its namespace and owns the rootfs (idmapped)"
is "$(stat -c %u "$work/tmpfs/root/etc/x")" 0 "through the idmapped mount the file is on-disk UID 0"
is "$(stat -c %u "$work/tmpfs/root")" 0 "the idmapped rootfs itself was not chowned"

# --- ranges: distinct while in use, free again after rm ----------------------------------------

a="$(unique_name ua)"; b="$(unique_name ub)"; c="$(unique_name uc)"
defer dray rm -f "$a"; defer dray rm -f "$b"; defer dray rm -f "$c"
ok "a first --userns=auto container runs" dray run -d --name "$a" --userns=auto --rootfs "$work/tmpfs/root" sleep 300
ok "a second one runs" dray run -d --name "$b" --userns=auto --rootfs "$work/tmpfs/root" sleep 300
wait_until 10 host_uid_of "$a"; wait_until 10 host_uid_of "$b"
ua="$(host_uid_of "$a")"; ub="$(host_uid_of "$b")"
isnt "$ua" "$ub" "the two have different host UIDs ($ua, $ub)"
[ "$ua" -ge 524288 ] && [ "$ub" -ge 524288 ] && pass "neither runs as a host user" || fail "neither runs as a host user" "$ua $ub"
ok "the first is removed" dray rm -f "$a"
ok "a third one runs" dray run -d --name "$c" --userns=auto --rootfs "$work/tmpfs/root" sleep 300
wait_until 10 host_uid_of "$c"
is "$(host_uid_of "$c")" "$ua" "it got the range the removed container freed"
path="$(busctl call org.dray1 /org/dray1 org.dray1.Manager GetContainer s "$c" | cut -d'"' -f2)"
is "$(busctl get-property org.dray1 "$path" org.dray1.Container UIDShift UIDRange | tr '\n' ' ')" \
        "u $ua u 65536 " "its UIDShift and UIDRange properties name the range"

# --- file systems without idmapped mounts: refused, never shifted in place (issue 16) ---------------

like "$(dray run --rm --userns=auto --rootfs "$work/ovl1" true 2>&1)" "needs a rootfs on a file system with idmapped mounts" \
        "on overlayfs (no idmapped mounts) --userns=auto is refused, with the reason"
is "$(stat -c %u "$work/ovl1")" 0 "and the tree was not chowned into the range"
# --- ephemeral: an overlay inside the namespace over the idmapped rootfs ----------------------------

is "$(dray run --rm --userns=auto --ephemeral --rootfs "$work/tmpfs/root" sh -c 'echo z > /etc/z && cat /etc/z; id -u')" \
        "$(printf 'z\n0')" "--userns=auto --ephemeral: root of its namespace, writing to its own layer"
[ ! -e "$work/tmpfs/root/etc/z" ] && pass "the ephemeral container's write did not reach the rootfs" ||
        fail "the ephemeral container's write did not reach the rootfs"
like "$(dray run --rm --userns=auto --ephemeral --rootfs "$work/ovl2" true 2>&1)" "needs a rootfs on a file system with idmapped mounts" \
        "--ephemeral on a file system without idmapped mounts is refused, with the reason"
is "$(stat -c %u "$work/ovl2")" 0 "and that shared rootfs was not shifted"

#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Extra mounts through the real CLI and D-Bus: -v SRC:DST[:ro|rw] binds, --tmpfs DST[:OPTIONS],
# --read-only with its writable /tmp and /run; the flags they get (nosuid, nodev, ro), refusals of
# host paths no container may see, and a rootfs symlink that must not carry a mount out of the root.
# Runs inside the sandbox (tools/test-all, or: tools/sandbox exec -- bash tests/integration/35-mounts.sh).
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require busctl

plan 23
setup_dray_test
host="$work/host"
mkdir -p "$host"
echo from-host > "$host/file"

run() { dray run --rm --rootfs "$rootfs" "$@"; }

# --- binds -----------------------------------------------------------------------------------------

is "$(run -v "$host:/data" cat /data/file 2>&1)" from-host "-v binds a host directory"
ok "a rw bind is writable and the write reaches the host" run -v "$host:/data:rw" sh -c 'echo x > /data/new'
is "$(cat "$host/new" 2>&1)" x "the file written in the container is on the host"
status_is 1 "a :ro bind refuses writes" run -v "$host:/data:ro" sh -c 'echo y > /data/new2'
[ ! -e "$host/new2" ] && pass "nothing was written through the :ro bind" || fail "nothing was written through the :ro bind"
mounts="$(run -v "$host:/data:ro" -v "$host:/rw" cat /proc/mounts 2>&1)"
like "$mounts" ' /data [^ ]+ ro,nosuid,nodev' "the :ro bind is ro,nosuid,nodev"
like "$mounts" ' /rw [^ ]+ rw,nosuid,nodev' "a rw bind is still nosuid,nodev"
is "$(run -v "$host/file:/etc/hostfile:ro" cat /etc/hostfile 2>&1)" from-host "a file can be bound on a new file"
mname="$(unique_name mnt)"
defer dray rm -f "$mname"
dray create --name "$mname" --rootfs "$rootfs" -v "$host:/data:ro" --tmpfs /scratch:size=1m true >/dev/null
mpath="$(busctl call org.dray1 /org/dray1 org.dray1.Manager GetContainer s "$mname" | cut -d'"' -f2)"
is "$(busctl get-property org.dray1 "$mpath" org.dray1.Container BindMounts TmpfsMounts | tr '\n' ' ')" \
        "a(ssb) 1 \"$host\" \"/data\" true a(ss) 1 \"/scratch\" \"size=1m\" " \
        "the BindMounts and TmpfsMounts properties list them"

# A rootfs symlink pointing at an absolute host path resolves inside the container root.
mkdir -p "$rootfs/opt"
ln -s /opt "$rootfs/optlink"
name="$(unique_name escape)"
ok "a bind through a rootfs symlink succeeds" run -v "$host:/optlink/dray-$name" true
[ ! -e "/opt/dray-$name" ] && pass "the host's /opt got no mount point" || fail "the host's /opt got no mount point"
[ -d "$rootfs/opt/dray-$name" ] && pass "the mount point was made inside the root" ||
        fail "the mount point was made inside the root"

# --- refusals ----------------------------------------------------------------------------------

for src in / /proc /sys/kernel /var/lib/dray; do
        out="$(run -v "$src:/x" true 2>&1)"; rc=$?
        if [ "$rc" -eq 125 ] && grep -q "refusing to bind '$src'" <<< "$out"; then
                pass "-v $src is refused"
        else
                fail "-v $src is refused" "exit status $rc" "$out"
        fi
done
like "$(run --privileged -v /sys/kernel:/hostsys:ro -v /:/host:ro sh -c 'ls /hostsys >/dev/null && ls /host/proc >/dev/null && echo bound' 2>&1)" \
        '^bound$' "--privileged may bind /sys and the host's / (the refusals are lifted)"
like "$(run -v "$host:/proc/x" true 2>&1)" "outside /proc and /sys" "a destination in /proc is refused"
like "$(run -v "./relative:/x" true 2>&1)" "an absolute host path as the source" \
        "a relative host path is refused (named volumes: 71-volumes.sh)"

# --- tmpfs and read-only roots ------------------------------------------------------------------

like "$(run --tmpfs /scratch:size=128k,mode=1777 cat /proc/mounts 2>&1)" \
        'tmpfs /scratch tmpfs rw,nosuid,nodev.*size=128k' "--tmpfs mounts a sized tmpfs, nosuid,nodev"
is "$(run --tmpfs /scratch:size=128k sh -c 'head -c 1000000 /dev/zero > /scratch/big 2>/dev/null || echo full' 2>&1)" \
        full "a sized tmpfs fills up instead of growing"
status_is 1 "--read-only makes the root read-only" run --read-only sh -c 'echo x > /etc/x'
ok "--read-only still has a writable /tmp and /run" run --read-only sh -c 'echo x > /tmp/x && echo y > /run/y'

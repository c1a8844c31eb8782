#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Named volumes through the real CLI and D-Bus: dray volume create|ls|inspect|rm|prune, -v NAME:/path
# creating the volume on first use and seeding it from the root's content there (from a rootfs and
# from an image), hostile symlinks in the seeded tree and at the mount point, a volume in use refused,
# --mount in its three types, --volumes-from, labels and filters, and volumes surviving drayd.
# Runs inside the sandbox (tools/test-all, or: tools/sandbox exec -- bash tests/integration/71-volumes.sh).
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require busctl jq

plan 51
setup_dray_test
mgr() { busctl -- call org.dray1 /org/dray1 org.dray1.Manager "$@"; }
tag="$(echo "$TEST_NAME-$$-$RANDOM" | tr -c 'a-zA-Z0-9\n' '-')"
vol() { echo "v$tag-$1"; }
volrm() { dray volume rm -f "$@" >/dev/null 2>&1 || true; }
run() { dray run --rm --rootfs "$rootfs" "$@"; }
voldir() { echo "/var/lib/dray/volumes/$1/_data"; }

# --- create, ls, inspect, labels ---------------------------------------------------------------

v1="$(vol one)"
defer volrm "$v1"
is "$(dray volume create --label tier=db --label note=x "$v1" 2>&1)" "$v1" "volume create prints the name"
like "$(dray volume ls 2>&1)" "local +$v1" "volume ls lists it"
doc="$(dray volume inspect "$v1" 2>&1)"
is "$(jq -r '.[0].Name + " " + .[0].Driver + " " + .[0].Mountpoint + " " + .[0].Labels.tier' <<<"$doc")" \
        "$v1 local $(voldir "$v1") db" "volume inspect shows name, driver, mountpoint and labels"
[ -d "$(voldir "$v1")" ] && pass "the volume's directory exists" || fail "the volume's directory exists"
is "$(dray volume ls -q --filter label=tier=db | grep -c "^$v1\$")" 1 "--filter label=KEY=VALUE matches"
is "$(dray volume ls -q --filter label=tier=web | grep -c "^$v1\$")" 0 "--filter label with another value does not"
is "$(dray volume ls --format json | jq -r --arg n "$v1" '.[] | select(.Name == $n) | .Labels.note')" x \
        "volume ls --format json carries the labels"
is "$(dray volume create "$v1" 2>&1)" "$v1" "creating an existing volume returns it, as docker does"
anon="$(dray volume create 2>&1)"
defer volrm "$anon"
like "$anon" '^[0-9a-f]{64}$' "volume create without a name makes a 64-hex name"
is "$(dray volume inspect "$anon" | jq -r '.[0].Anonymous')" true "and marks it anonymous"
status_is 125 "an invalid volume name is refused by the CLI" dray volume create 'bad/name'
like "$(mgr CreateVolume sa{sv} ../etc 0 2>&1)" "Invalid volume name" "and by the daemon (InvalidName)"
like "$(mgr CreateVolume sa{sv} "$(vol lbl)" 1 Labels as 1 '=novalue' 2>&1)" "Invalid label" \
        "a label without a key is refused"
vpath="$(mgr GetVolume s "$v1" | cut -d'"' -f2)"
is "$(busctl get-property org.dray1 "$vpath" org.dray1.Volume Mountpoint)" "s \"$(voldir "$v1")\"" \
        "the Volume object has the Mountpoint property"
like "$(dray volume inspect "$(vol missing)" 2>&1)" "No such volume" "inspect of a missing volume says so"

# --- -v NAME:/path: first use creates it, data outlives the container ---------------------------

v2="$(vol auto)"
defer volrm "$v2"
ok "-v NAME:/path creates the volume on first use" run -v "$v2:/data" sh -c 'echo kept > /data/f'
is "$(dray volume ls -q | grep -c "^$v2\$")" 1 "the volume now exists"
is "$(run -v "$v2:/data" cat /data/f 2>&1)" kept "a second container sees what the first wrote"
status_is 1 "a :ro volume refuses writes" run -v "$v2:/data:ro" sh -c 'echo y > /data/g'
like "$(run -v "$v2:/data:ro" cat /proc/mounts 2>&1)" ' /data [^ ]+ ro,nosuid,nodev' "the :ro volume is ro,nosuid,nodev"

# --- seeding from the root (Docker's rule: only while the volume is empty) ----------------------

mkdir -p "$rootfs/seed/sub"
echo from-root > "$rootfs/seed/hello"
echo deep > "$rootfs/seed/sub/inner"
chmod 0640 "$rootfs/seed/hello"
chown 1234:1235 "$rootfs/seed"
chmod 0750 "$rootfs/seed"
ln -s /etc/shadow "$rootfs/seed/evil"
v3="$(vol seed)"
defer volrm "$v3"
is "$(run -v "$v3:/seed" cat /seed/hello /seed/sub/inner 2>&1 | tr '\n' ' ')" "from-root deep " \
        "an empty volume is seeded with the root's content at the mount point"
is "$(stat -c '%a %U' "$(voldir "$v3")/hello" 2>&1)" "640 root" "the seeded file kept its mode and owner"
is "$(stat -c '%a %u:%g' "$(voldir "$v3")" 2>&1)" "750 1234:1235" "the volume took the mount point's mode and owner"
[ -L "$(voldir "$v3")/evil" ] && [ "$(readlink "$(voldir "$v3")/evil")" = /etc/shadow ] &&
        pass "a symlink in the seeded tree is copied as a link, not followed" ||
        fail "a symlink in the seeded tree is copied as a link, not followed" "$(ls -l "$(voldir "$v3")" 2>&1)"
echo changed > "$(voldir "$v3")/hello"
echo other > "$rootfs/seed/hello"
is "$(run -v "$v3:/seed" cat /seed/hello 2>&1)" changed "a volume with content is not seeded again"

# The mount point itself a symlink out of the root: it resolves inside the root, and the seed is the
# container's /etc, never the host's.
mkdir -p "$rootfs/etc"
echo container-etc > "$rootfs/etc/marker"
# The sandbox's /etc is a throwaway overlay: a file only the host side has.
echo host-etc > "/etc/dray-host-only-$tag"
defer rm -f "/etc/dray-host-only-$tag"
ln -s /etc "$rootfs/escape"
v4="$(vol escape)"
defer volrm "$v4"
ok "a volume on a mount point that is a symlink to /etc starts" run -v "$v4:/escape" true
[ -f "$(voldir "$v4")/marker" ] && [ ! -e "$(voldir "$v4")/dray-host-only-$tag" ] &&
        pass "the seed came from the container's /etc, not the host's" ||
        fail "the seed came from the container's /etc, not the host's" "$(ls "$(voldir "$v4")" 2>&1)"

# From an image.
img="localhost/t$tag-seed:1"
tar -C "$rootfs" -cf "$work/root.tar" .
defer dray image rm -f "$img"
ok "an image with content at /seed is imported" dray image import "$work/root.tar" "$img"
v5="$(vol img)"
defer volrm "$v5"
is "$(dray run --rm -v "$v5:/seed" "$img" cat /seed/hello 2>&1)" other "a volume is seeded from an image's content"

# --- in use ------------------------------------------------------------------------------------

cname="$(unique_name user)"
defer dray rm -f "$cname"
dray create --name "$cname" --rootfs "$rootfs" -v "$v2:/data" true >/dev/null
out="$(dray volume rm "$v2" 2>&1)"; rc=$?
[ "$rc" -eq 1 ] && grep -q "in use by container '$cname'" <<< "$out" &&
        pass "a volume in use cannot be removed; the error names the container" ||
        fail "a volume in use cannot be removed; the error names the container" "exit status $rc" "$out"
like "$(mgr RemoveVolume s "$v2" 2>&1)" "in use" "RemoveVolume refuses it too (VolumeInUse)"
cpath="$(mgr GetContainer s "$cname" | cut -d'"' -f2)"
is "$(busctl get-property org.dray1 "$cpath" org.dray1.Container Volumes)" "a(ssb) 1 \"$v2\" \"/data\" false" \
        "the container's Volumes property lists it"
is "$(busctl get-property org.dray1 "$vpath" org.dray1.Volume Containers)" "as 0" \
        "an unused volume's Containers property is empty"
dray rm "$cname" >/dev/null
ok "once the container is gone the volume can be removed" dray volume rm "$v2"
wait_until 10 test ! -e "/var/lib/dray/volumes/$v2" && pass "its directory is removed" ||
        fail "its directory is removed" "$(ls -a /var/lib/dray/volumes 2>&1)"

# --- --mount, --volumes-from ----------------------------------------------------------------------

v6="$(vol long)"
defer volrm "$v6"
mounts="$(run --mount "type=volume,src=$v6,dst=/m,readonly" --mount type=tmpfs,dst=/t,tmpfs-size=1m \
        --mount "type=bind,source=$rootfs/seed,target=/b" cat /proc/mounts /b/sub/inner 2>&1)"
like "$mounts" ' /m [^ ]+ ro,nosuid,nodev' "--mount type=volume,readonly mounts the volume read-only"
like "$mounts" 'tmpfs /t tmpfs [^ ]*size=1024k' "--mount type=tmpfs with tmpfs-size"
like "$mounts" 'deep' "--mount type=bind binds a host path"
status_is 125 "--mount with an unknown key is refused" run --mount dst=/x,propagation=shared true

v7="$(vol from)"
defer volrm "$v7"
src="$(unique_name src)"
defer dray rm -f "$src"
dray create --name "$src" --rootfs "$rootfs" -v "$v7:/shared" true >/dev/null
run -v "$v7:/shared" sh -c 'echo via-from > /shared/f' >/dev/null 2>&1
is "$(run --volumes-from "$src" cat /shared/f 2>&1)" via-from "--volumes-from mounts the other container's volumes"
status_is 1 "--volumes-from CONTAINER:ro mounts them read-only" run --volumes-from "$src:ro" sh -c 'echo x > /shared/g'
like "$(run --volumes-from "no-such-$tag" true 2>&1)" "No such container" "--volumes-from an unknown container is refused"

# --- anonymous volumes and prune ----------------------------------------------------------------

aname="$(unique_name anon)"
defer dray rm -f "$aname"
dray create --name "$aname" --rootfs "$rootfs" -v /scratch true >/dev/null
apath="$(mgr GetContainer s "$aname" | cut -d'"' -f2)"
avol="$(busctl get-property org.dray1 "$apath" org.dray1.Container Volumes | awk '{print $3}' | tr -d '"')"
like "$avol" '^[0-9a-f]{64}$' "-v /path makes an anonymous volume"
defer volrm "$avol"
v8="$(vol keep)"
defer volrm "$v8"
dray volume create "$v8" >/dev/null
dray volume prune -f >/dev/null 2>&1
is "$(dray volume ls -q | grep -c "^$avol\$")" 1 "prune keeps an anonymous volume in use"
dray rm "$aname" >/dev/null
pruned="$(dray volume prune -f 2>&1)"
like "$pruned" "$avol" "prune removes an unused anonymous volume"
is "$(dray volume ls -q | grep -c "^$v8\$")" 1 "prune keeps named volumes"
keep_user="$(unique_name keep)"
defer dray rm -f "$keep_user"
dray create --name "$keep_user" --rootfs "$rootfs" -v "$v1:/k" true >/dev/null
dray volume prune -a -f >/dev/null 2>&1
is "$(dray volume ls -q | grep -c "^$v8\$")" 0 "prune -a removes unused named volumes"
is "$(dray volume ls -q | grep -c "^$v1\$")" 1 "prune -a keeps volumes in use"
is "$(echo n | dray volume prune 2>/dev/null; dray volume ls -q | grep -c "^$v1\$")" 1 \
        "prune without -f asks, and 'n' removes nothing"

# --- drayd restart ------------------------------------------------------------------------------

systemctl restart drayd.service
wait_until 10 drayd_ready || diag "drayd did not come back"
is "$(dray volume inspect "$v1" | jq -r '.[0].Labels.tier')" db "volumes and their labels survive a drayd restart"
like "$(dray volume rm "$v1" 2>&1)" "in use by container '$keep_user'" "and so does the record of who uses them"

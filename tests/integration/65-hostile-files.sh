#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Hostile files in images and roots (issue 16): drayd never opens a file of an image, a layer or a
# container root that could block it (a FIFO /etc/passwd froze drayd in open(2)), and a --user gets
# the groups the image's /etc/group gives it, as Docker does (CVE-2022-36109), plus --group-add.
# Runs inside the sandbox (tools/test-all, or: tools/sandbox exec -- bash tests/integration/65-hostile-files.sh).
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require timeout tar

plan 15
setup_dray_test
tag="$RANDOM$$"
img() { echo "localhost/t$tag-$1:1"; }
rmi() { dray image rm -f "$1" >/dev/null 2>&1 || true; }

# image NAME DIR: imports DIR as the image NAME.
image() {
        defer rmi "$(img "$1")"
        tar -C "$2" -cf "$work/$1.tar" . && dray image import "$work/$1.tar" "$(img "$1")" >/dev/null
}

# --- a FIFO (or a device) where drayd reads passwd and group: refused at once, drayd answers ----------

for f in passwd group; do
        root="$work/fifo-$f"
        cp -a "$rootfs" "$root"
        echo 'app:x:1000:1000::/:/bin/sh' >> "$root/etc/passwd"
        rm -f "$root/etc/$f"
        mkfifo "$root/etc/$f"
        image "fifo-$f" "$root" || bail_out "cannot import an image with a FIFO /etc/$f"
        out="$(timeout 30 dray run --rm --user app "$(img "fifo-$f")" id 2>&1)"
        rc=$?
        if [ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q "/etc/$f is unusable: not a regular file" <<< "$out"; then
                pass "an image whose /etc/$f is a FIFO: --user app fails clearly ($out)"
        else
                fail "an image whose /etc/$f is a FIFO: --user app fails clearly" "exit status $rc" "$out"
        fi
        ok "drayd still answers (dray ps)" timeout 10 dray ps
        status_is 125 "the same FIFO in a --rootfs tree is refused too" \
                timeout 30 dray run --rm --user app --rootfs "$root" id
done
root="$work/dev-passwd"
cp -a "$rootfs" "$root"
rm -f "$root/etc/passwd"
mknod "$root/etc/passwd" c 1 3
like "$(timeout 30 dray run --rm --user app --rootfs "$root" id 2>&1)" '/etc/passwd is unusable: not a regular file' \
        "a device /etc/passwd is refused without being opened"
root="$work/link-passwd"
cp -a "$rootfs" "$root"
ln -sf /proc/self/fd/0 "$root/etc/passwd"
like "$(timeout 30 dray run --rm --user app --rootfs "$root" id 2>&1)" "User 'app' is not in the container's" \
        "a symlink /etc/passwd resolves inside the root, never to the host"

# --- groups: primary, the image's /etc/group memberships, --group-add ---------------------------------

root="$work/groups"
cp -a "$rootfs" "$root"
echo 'app:x:1000:1001::/:/bin/sh' >> "$root/etc/passwd"
printf '%s\n' 'apps:x:1001:' 'wheel:x:10:root,app' 'extra:x:2000:bob,app' 'other:x:3000:' >> "$root/etc/group"
image groups "$root" || bail_out "cannot import the groups image"
groups_of() { dray run --rm "$@" sh -c 'grep ^Groups: /proc/self/status | cut -f2 | xargs; id -g' 2>&1; }
is "$(groups_of --user app "$(img groups)")" "$(printf '10 1001 2000\n1001')" \
        "--user app: the primary group and the groups /etc/group lists it in"
is "$(groups_of --user app --group-add other --group-add 4242 "$(img groups)")" "$(printf '10 1001 2000 3000 4242\n1001')" \
        "--group-add adds a group by name and one by number"
is "$(groups_of --user 1000:3000 "$(img groups)")" "$(printf '10 2000 3000\n3000')" \
        "--user UID:GID keeps the memberships of the uid's name"
is "$(groups_of --user app --rootfs "$root")" "$(printf '10 1001 2000\n1001')" "the same from a --rootfs tree"
like "$(dray run --rm --user app --group-add nosuch "$(img groups)" true 2>&1)" "Group 'nosuch' is not in the container's /etc/group" \
        "an unknown --group-add name is refused, named"
is "$(groups_of "$(img groups)")" "$(printf '0 10\n0')" "without --user, root gets the groups /etc/group lists it in, as with docker"
name="$(unique_name ga)"
defer dray rm -f "$name"
dray create --name "$name" --user app --group-add other --group-add 4242 "$(img groups)" true >/dev/null
path="$(busctl call org.dray1 /org/dray1 org.dray1.Manager GetContainer s "$name" | cut -d'"' -f2)"
is "$(busctl get-property org.dray1 "$path" org.dray1.Container GroupAdd)" 'as 2 "other" "4242"' \
        "the GroupAdd property keeps --group-add as given"

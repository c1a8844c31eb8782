#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# dray run --device HOST[:CONTAINER][:PERMS]: the host's node appears at CONTAINER and is usable as
# PERMS says, enforced by the scope's device cgroup (DeviceAllow=: devices.allow on cgroup v1, BPF
# on v2), not by the node's mode; other host devices stay refused; a symbolic link, a file that is
# no device, a path with "..", or a destination outside /dev is refused before anything is created.
# The node is /dev/fuse (10:229): opening it does nothing until a FUSE mount uses it, and the device
# policy "closed" does not allow it by itself. (The polkit side is in 45-polkit.sh.)
# Runs inside the sandbox (tools/test-all, or: tools/sandbox exec -- bash tests/integration/34-device.sh).
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

plan 16
setup_dray_test

node=/dev/fuse
[ -c "$node" ] || skip_all "no $node here"
run() { dray run --rm --rootfs "$rootfs" "$@"; }
# opens: which of read and write opens of the node at $1 succeed, inside the container.
opens() { echo "exec 3<$1 && echo read; exec 4>$1 && echo write; true"; }

is "$(run --device "$node:/dev/f" sh -c "$(opens /dev/f)" 2>/dev/null | tr '\n' ' ')" "read write " \
        "--device HOST:CONTAINER: the node is there, opened for reading and writing"
is "$(run --device "$node" sh -c "ls -l $node | cut -c1" 2>&1)" c "--device HOST: the same path in the container"
is "$(run --device "$node:/dev/sub/dir/n" sh -c 'ls -l /dev/sub/dir/n | cut -c1' 2>&1)" c \
        "a destination in a subdirectory of /dev is made"
is "$(run --device "$node:/dev/ro:r" sh -c "$(opens /dev/ro)" 2>/dev/null | tr '\n' ' ')" "read " \
        "PERMS r: reading works, writing is refused by the device cgroup (the container is root)"
# closed_node MAJOR MINOR: mknod inside is refused, or the node it made cannot be opened.
closed_node() { echo "mknod /dev/t c $1 $2 2>/dev/null || { echo mknod-refused; exit 0; }; $(opens /dev/t)"; }
out="$(run sh -c "$(closed_node 10 229)" 2>/dev/null | tr '\n' ' ')"
unlike "$out" "read|write" "without --device the same node, made with mknod inside, cannot be opened ($out)"

c="$(unique_name dev)"
track "$c"
ok "a running container with the node twice" dray run -d --name "$c" --device "$node:/dev/a:w" \
        --device "$node:/dev/b:r" --rootfs "$rootfs" sleep 1000
allow="$(systemctl show -p DeviceAllow "dray-$c.scope")"
like "$allow" "DeviceAllow=$node rw" "the scope's DeviceAllow= has the node once, with the union rw"
is "$(dray inspect -f '{{range .HostConfig.Devices}}{{.PathOnHost}}>{{.PathInContainer}}:{{.CgroupPermissions}} {{end}}' "$c")" \
        "$node>/dev/a:w $node>/dev/b:r " "inspect: HostConfig.Devices"
is "$(dray exec "$c" sh -c "$(opens /dev/a)" 2>/dev/null | tr '\n' ' ')" "read write " "  both work through either name"
out="$(dray exec "$c" sh -c "$(closed_node 10 200)" 2>/dev/null | tr '\n' ' ')"
unlike "$out" "read|write" "another host device (/dev/net/tun's 10:200) stays closed ($out)"

ln -s "$node" "$work/link"
: > "$work/file"
# one_line CMD...: CMD fails with one line on stderr; prints it.
one_line() { local out rc=0; out="$("$@" 2>&1)" || rc=$?; [ "$rc" -ne 0 ] && [ "$(wc -l <<< "$out")" = 1 ] && echo "$out"; }
like "$(one_line dray create --device "$work/link:/dev/l" --rootfs "$rootfs" true)" "not a device node" \
        "a symbolic link to a device is refused"
like "$(one_line dray create --device "$work/file:/dev/f" --rootfs "$rootfs" true)" "not a device node" \
        "a regular file is refused"
like "$(one_line dray create --device "$node:/etc/x" --rootfs "$rootfs" true)" "Invalid --device value" \
        "a destination outside /dev is refused"
like "$(one_line dray create --device "/dev/../$node" --rootfs "$rootfs" true)" "Invalid --device value" \
        "a path with .. is refused"
like "$(one_line dray create --device "$node:/dev/x:rwz" --rootfs "$rootfs" true)" "Invalid --device value" \
        "permissions other than r, w, m are refused"
like "$(one_line busctl call org.dray1 /org/dray1 org.dray1.Manager CreateContainer 'sa{sv}' x 2 \
        Rootfs s "$rootfs" Devices as 1 "$work/link:/dev/l")" "not a device node" \
        "a raw CreateContainer with a link is refused by drayd itself"

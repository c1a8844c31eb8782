#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Booted containers (dray run --boot): a minimal Debian tree (tools/make-os-tree: systemd, dbus,
# busybox, built once on the host and cached in /var/cache/dray-test) boots with its own systemd as
# PID 1, from a directory (--ephemeral, so the shared tree is never written) and from an imported
# image. Checked as an admin would: `dray run -d --boot` returns when the system is up, `systemctl -M`
# says running or degraded with no failed unit that nspawn's boot of the same tree does not fail
# too, `machinectl shell` and `journalctl -M` reach it, a service of the inner systemd answers
# through -p, `dray stop` and `machinectl poweroff` power it off with status 0 and leave nothing,
# a reboot comes back with the same ID. Runs inside the sandbox.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require machinectl systemctl journalctl systemd-nspawn systemd-run wget busctl ip

plan 39
setup_dray_test
tree="$("$REPO_ROOT/tools/make-os-tree")" ||
        bail_out "no OS tree in /var/cache/dray-test: run tools/make-os-tree on the host (tools/test-all does)"
tar="$("$REPO_ROOT/tools/make-os-tree" --tar)" || bail_out "no OS tree tarball"

prop() { # prop CONTAINER PROPERTY: one property's value, as busctl prints it after the type
        local path
        path="$(busctl call org.dray1 /org/dray1 org.dray1.Manager GetContainer s "$1" | cut -d'"' -f2)" || return 1
        busctl get-property org.dray1 "$path" org.dray1.Container "$2" | cut -d' ' -f2- | tr -d '"'
}
system_up() { # the inner systemd finished booting
        case "$(systemctl -M "$1" is-system-running 2>/dev/null)" in running|degraded) return 0 ;; esac
        return 1
}
machine_gone() { ! machinectl show "$1" >/dev/null 2>&1; }
failed_units() { systemctl -M "$1" list-units --failed --plain --no-legend 2>/dev/null | awk '{ print $1 }' | sort; }

# --- the reference: nspawn boots the same tree ------------------------------------------------
ref="ref-$$"
systemd-run -q --unit="dray-test-$ref" -p Type=notify -p TimeoutStartSec=90 \
        systemd-nspawn -q --notify-ready=yes --ephemeral -D "$tree" -M "$ref" -b >/dev/null 2>&1
defer bash -c "systemctl stop dray-test-$ref.service || true"
wait_until 60 system_up "$ref" || diag "nspawn's boot of the tree did not come up"
nspawn_failed="$(failed_units "$ref")"
systemctl stop "dray-test-$ref.service" >/dev/null 2>&1

# --- from a directory ---------------------------------------------------------------------------
name="$(unique_name boot)"
port=$((20000 + RANDOM % 20000))
veths_before="$(ip -o link show type veth | wc -l)"
defer dray rm -f "$name"
id="$(dray run -d --boot --ephemeral --name "$name" -p "$port:80" --rootfs "$tree")"
like "$id" '^[0-9a-f]{64}$' "dray run -d --boot returns the container's ID"
is "$(prop "$name" State)" running "it is running when dray run -d --boot returns"
ok "the system is up when dray run -d --boot returns" system_up "$name"
is "$(failed_units "$name" | comm -23 - <(echo "$nspawn_failed") | tr '\n' ' ')" "" \
        "no unit failed that nspawn's boot of the same tree does not fail"
like "$(machinectl shell "$name" /bin/sh -c 'echo ok' 2>/dev/null | tr -d '\r')" '^ok$' "machinectl shell runs a command"
is "$(machinectl show "$name" -p Leader --value)" "$(prop "$name" Pid)" "machined's leader is the container's PID 1"
like "$(machinectl shell "$name" /bin/sh -c 'tr "\\0" "\\n" < /proc/1/environ | grep ^container=; cat /proc/1/comm' 2>/dev/null | tr -d '\r' | tr '\n' ' ')" \
        '^container=dray systemd $' "PID 1 is the tree's systemd, with container=dray"
uuid="$(machinectl shell "$name" /bin/cat /run/host/container-uuid 2>/dev/null | tr -d '\r-')"
is "$uuid" "${id:0:32}" "/run/host/container-uuid is the machine ID machined knows"
like "$(machinectl shell "$name" /bin/cat /etc/machine-id 2>/dev/null | tr -d '\r')" "^${id:0:32}$" \
        "the inner systemd took /etc/machine-id from container_uuid"
like "$(machinectl shell "$name" /bin/sh -c 'touch /proc/sys/kernel/hostname 2>&1; readlink /proc/self/ns/cgroup; cat /proc/self/cgroup | grep -c payload' 2>/dev/null | tr -d '\r' | tr '\n' ' ')" \
        'Read-only file system cgroup:\[[0-9]+\] 0 $' "/proc/sys is read-only and the container sees its own cgroup namespace"
is "$(wget -qO- "http://127.0.0.1:$port/")" "hello from a booted tree" "a service of the inner systemd answers through -p"
like "$(journalctl -M "$name" --no-pager -o cat 2>/dev/null)" 'Reached target .*Multi-User System' \
        "journalctl -M shows the inner journal"
like "$(journalctl -u "dray-$name.scope" --no-pager -o cat)" 'Welcome to Debian' "the console is relayed to the journal"
echo "copied $$" > "$work/copy-in"
machinectl copy-to "$name" "$work/copy-in" /root/copied >/dev/null 2>&1
machinectl copy-from "$name" /root/copied "$work/copy-out" >/dev/null 2>&1
is "$(cat "$work/copy-out" 2>/dev/null)" "copied $$" "machinectl copy-to and copy-from reach its file system"

# --- reboot: in place, same ID and scope --------------------------------------------------------
pid_before="$(prop "$name" Pid)"
machinectl reboot "$name" >/dev/null 2>&1
rebooted() { [ "$(prop "$name" Pid)" != "$pid_before" ] && [ "$(prop "$name" State)" = running ] && system_up "$name"; }
ok "machinectl reboot boots it again" wait_until 60 rebooted
is "$(prop "$name" Id)" "$id" "the same container ID after the reboot"
is "$(systemctl is-active "dray-$name.scope")" active "its scope dray-NAME.scope is active again"

# --- stop: a clean poweroff, nothing left ------------------------------------------------------
status_is 0 "dray stop powers it off" dray stop "$name"
is "$(prop "$name" ExitStatus)" 0 "a clean poweroff records exit status 0"
ok "no machine is left" wait_until 10 machine_gone "$name"
isnt "$(systemctl is-active "dray-$name.scope")" active "no scope is left"
is "$(mounts_of "$id")" "" "no mount of the container is left"
is "$(ip -o link show type veth | wc -l)" "$veths_before" "no veth is left"

# machinectl poweroff of a running one
dray start "$name" >/dev/null
machinectl poweroff "$name" >/dev/null 2>&1
exited() { [ "$(prop "$name" State)" = exited ]; }
ok "machinectl poweroff stops it" wait_until 30 exited
is "$(prop "$name" ExitStatus)" 0 "... with exit status 0"

# --- a directory booted in place (no --ephemeral): the tree is written ---------------------------
cp -a "$tree" "$work/inplace"
pname="$(unique_name bplace)"
defer dray rm -f "$pname"
dray run -d --boot --name "$pname" --rootfs "$work/inplace" >/dev/null
ok "--rootfs DIR --boot boots the directory itself" system_up "$pname"
pid="$(prop "$pname" Id)"
like "$(cat "$work/inplace/etc/machine-id")" "^${pid:0:32}$" "... which the inner systemd wrote to (/etc/machine-id)"
dray rm -f "$pname" >/dev/null

# --- run from a Type=notify service: active when the booted system is up -------------------------
sname="$(unique_name bsvc)"
defer bash -c "systemctl stop $sname.service 2>/dev/null; dray rm -f $sname 2>/dev/null; true"
ok "a Type=notify service running dray run --boot starts" \
        systemd-run --quiet --unit="$sname" -p Type=notify -p TimeoutStartSec=120 \
        dray run --rm --boot --ephemeral --name "$sname" --rootfs "$tree"
ok "... and the booted system is up the moment the service is active" system_up "$sname"
systemctl stop "$sname.service"
svc_gone() { ! busctl call org.dray1 /org/dray1 org.dray1.Manager GetContainer s "$sname" >/dev/null 2>&1; }
ok "stopping the service powers it off and removes it" wait_until 60 svc_gone

# --- from an image ------------------------------------------------------------------------------
image="dray-test/boot-$$:1"
defer dray image rm -f "$image"
ok "the tree's tarball imports as an image" dray image import "$tar" "$image"
iname="$(unique_name bimg)"
defer dray rm -f "$iname"
ok "dray run -d --boot IMAGE boots it" dray run -d --boot --name "$iname" "$image"
ok "the system from the image is up" system_up "$iname"
dray rm -f "$iname" >/dev/null

# --- --userns=auto: root inside is not root outside ---------------------------------------------
# idmapped mounts need a file system that has them: a tmpfs copy of the tree.
mkdir -p "$work/tmpfs"
mount -t tmpfs tmpfs "$work/tmpfs" && defer umount -l "$work/tmpfs"
cp -a "$tree" "$work/tmpfs/tree"
uname_="$(unique_name buserns)"
defer dray rm -f "$uname_"
dray run -d --boot --userns auto --ephemeral --name "$uname_" --rootfs "$work/tmpfs/tree" >/dev/null
ok "--userns=auto --boot boots" system_up "$uname_"
leader="$(prop "$uname_" Pid)"
like "$(ps -o uid= -p "${leader:-0}" | tr -d ' ')" '^[1-9][0-9]{4,}$' "its PID 1 runs as a shifted host UID"
is "$(failed_units "$uname_" | comm -23 - <(echo "$nspawn_failed") | tr '\n' ' ')" "" \
        "no unit failed in it that nspawn's boot does not fail (its httpd binds port 80)"
dray rm -f "$uname_" >/dev/null
# ... and from an image: an overlay of idmapped layers
uiname="$(unique_name buimg)"
defer dray rm -f "$uiname"
dray run -d --boot --userns auto --name "$uiname" "$image" >/dev/null
ok "--userns=auto --boot IMAGE boots" system_up "$uiname"
leader="$(prop "$uiname" Pid)"
like "$(ps -o uid= -p "${leader:-0}" | tr -d ' ')" '^[1-9][0-9]{4,}$' "its PID 1 runs as a shifted host UID too"
dray rm -f "$uiname" >/dev/null

# --- no init: a clear error ----------------------------------------------------------------------
rm -f "$rootfs/sbin/init"
out="$(dray run --rm --boot --rootfs "$rootfs" 2>&1)"
like "$out" 'no init' "--boot without an init in the tree fails, saying so"

#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Capabilities, seccomp and devices through the real CLI: Docker's default capability set,
# --cap-add/--cap-drop (ALL too), no capabilities at all for non-root payloads, no_new_privs, the
# default seccomp filter, --security-opt seccomp=FILE|unconfined, --privileged, and the scope's
# device policy. Runs inside the sandbox (tools/test-all, or:
# tools/sandbox exec -- bash tests/integration/55-security-opts.sh).
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require busctl systemctl

plan 26
setup_dray_test

run() { dray run --rm --rootfs "$rootfs" "$@"; }
status_field() { run "${@:2}" grep "^$1:" /proc/self/status | awk '{ print $2 }'; }

# --- capabilities ----------------------------------------------------------------------------

# chown dac_override fowner fsetid kill setgid setuid setpcap net_bind_service net_raw sys_chroot
# mknod audit_write setfcap: Docker's 14.
is "$(status_field CapEff)" 00000000a80425fb "the default payload has Docker's 14 capabilities"
is "$(status_field CapBnd)" 00000000a80425fb "and the same bounding set"
is "$(status_field CapAmb)" 0000000000000000 "and no ambient capabilities"
is "$(status_field CapEff --cap-drop ALL)" 0000000000000000 "--cap-drop ALL leaves none"
is "$(status_field CapEff --cap-drop ALL --cap-add NET_BIND_SERVICE)" 0000000000000400 \
        "--cap-drop ALL --cap-add NET_BIND_SERVICE leaves just that one"
is "$(status_field CapEff --cap-drop CHOWN)" 00000000a80425fa "--cap-drop CHOWN takes one away"
is "$(status_field CapEff --cap-add SYS_ADMIN)" 00000000a82425fb "--cap-add SYS_ADMIN adds one"
host_bnd="$(grep '^CapBnd:' /proc/self/status | awk '{ print $2 }')"
is "$(status_field CapEff --cap-add ALL)" "$host_bnd" "--cap-add ALL gives the whole bounding set drayd has"
for f in CapEff CapPrm CapInh CapAmb; do
        is "$(status_field $f -u 1000:1000 --cap-add ALL)" 0000000000000000 "a non-root payload has no $f, even with --cap-add ALL"
done

# --- no_new_privs and seccomp --------------------------------------------------------------------

is "$(status_field NoNewPrivs)" 1 "no_new_privs is set"
is "$(status_field Seccomp)" 2 "the default payload runs under a seccomp filter"
is "$(status_field Seccomp --security-opt no-new-privileges)" 2 "--security-opt no-new-privileges is accepted"
is "$(status_field Seccomp --security-opt seccomp=unconfined)" 0 "seccomp=unconfined runs without a filter"
like "$(run sh -c 'unshare -U true 2>&1; echo rc=$?')" 'rc=[1-9]' "the default filter refuses unshare -U"

cat > "$work/no-mkdir.json" <<'EOF'
{
        "defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [ { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO" } ]
}
EOF
like "$(run --security-opt "seccomp=$work/no-mkdir.json" sh -c 'mkdir /tmp/x 2>&1; echo rc=$?')" \
        'rc=1' "a custom profile (read by the CLI) is loaded: its mkdir rule holds"
echo '{"defaultAction": "SCMP_ACT_BOGUS"}' > "$work/bad.json"
out="$(run --security-opt "seccomp=$work/bad.json" true 2>&1)"; rc=$?
if [ "$rc" -eq 125 ] && grep -q "SeccompProfile" <<< "$out"; then
        pass "an invalid profile is refused at create, naming the option"
else
        fail "an invalid profile is refused at create, naming the option" "exit status $rc" "$out"
fi
like "$(run --security-opt seccomp=/no/such/profile.json true 2>&1)" "Failed to open seccomp profile '/no/such/profile.json'" \
        "a missing profile file is the CLI's error"

# --- devices and --privileged -------------------------------------------------------------------

like "$(run sh -c 'mknod /tmp/sda b 8 0 2>&1; echo rc=$?')" 'rc=1' "mknod of a disk is refused (device policy)"
name="$(unique_name sec)"
defer dray rm -f "$name"
dray run -d --name "$name" --rootfs "$rootfs" sleep 300 >/dev/null
is "$(systemctl show -P DevicePolicy "dray-$name.scope")" closed "the scope's DevicePolicy is closed"
path="$(busctl call org.dray1 /org/dray1 org.dray1.Manager GetContainer s "$name" | cut -d'"' -f2)"
is "$(busctl get-property org.dray1 "$path" org.dray1.Container SeccompProfile Privileged | tr '\n' ' ')" \
        's "default" b false ' "its SeccompProfile and Privileged properties say so"
is "$(status_field Seccomp --privileged)" 0 "--privileged runs without seccomp"
like "$(run --privileged sh -c 'grep " /sys " /proc/mounts; ls /dev')" ' /sys sysfs rw' "--privileged has a writable /sys"
n_default="$(run ls /dev | wc -l)"
n_privileged="$(run --privileged ls /dev | wc -l)"
if [ "$n_privileged" -gt "$n_default" ]; then
        pass "--privileged sees the host's devices ($n_privileged entries in /dev, not $n_default)"
else
        fail "--privileged sees the host's devices" "$n_privileged entries, default $n_default"
fi

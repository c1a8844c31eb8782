#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# dray-oci's device cgroup (issue 17): linux.resources.devices applied in order, last match winning
# (on a hybrid host too, where the v1 controller alone could not),
# after a deny of everything and before the runtime's default nodes and linux.devices, as runc does;
# enforced by a BPF program on the container's cgroup v2 directory (also on a hybrid host's unified
# one) and on a hybrid host by the v1 devices controller's lists; cgroupfs and --systemd-cgroup; exec'd
# processes under the same rules; podman --device; nothing left after delete. Opening a node of a major
# no driver has (4095) fails with ENXIO where the cgroup lets the open through and EPERM where it does
# not, so the rules are seen without a device of the host at stake.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require systemctl
# shellcheck source=tests/integration/lib-oci.sh
. "$(dirname "$0")/lib-oci.sh"
# IDs and cgroups of this file's own: other helpers' containers share the host's v1 hierarchies.
tag="ocidev$$"
oci_bg() { "${O[@]}" "$@" </dev/null >>"$work/containers.out" 2>&1; }
pure=false
[ -e /sys/fs/cgroup/cgroup.controllers ] && pure=true
v2root=/sys/fs/cgroup
$pure || v2root=/sys/fs/cgroup/unified

set_args() {
        python3 -c "import json,sys
c=json.load(open('$b/config.json'))
c['process']['args']=['sh','-c',sys.argv[1]]
json.dump(c,open('$b/config.json','w'))" "$1" || bail_out "cannot edit config.json"
}
# with_rules RULES SCRIPT: a fresh config with CAP_MKNOD, linux.resources.devices RULES (a Python
# list) and sh -c SCRIPT as its process.
with_rules() {
        rm -f "$b/config.json"
        (cd "$b" && "${O[@]}" spec) || bail_out "dray-oci spec failed"
        edit "c['process']['terminal']=False
for k in ('bounding','effective','permitted'): c['process']['capabilities'][k]+=['CAP_MKNOD']
c['linux']['resources']={'devices':$1}"
        set_args "$2"
}
# probe_script NODE... with NODE "name:type:major:minor:r|w": a script that makes each node in /dev and
# opens it for reading or writing, printing "NAME:open-ok" or "NAME:" and busybox's error.
probe_script() {
        local s="" n t ma mi m
        for node in "$@"; do
                IFS=: read -r n t ma mi m <<< "$node"
                s+="mknod /dev/$n $t $ma $mi 2>/dev/null || echo $n:mknod-refused; "
                if [ "$m" = r ]; then
                        s+="(: < /dev/$n) 2>/dev/null && echo $n:open-ok || (: < /dev/$n) 2>&1 | sed 's/.*: /$n:/'; "
                else
                        s+="(: > /dev/$n) 2>/dev/null && echo $n:open-ok || (: > /dev/$n) 2>&1 | sed 's/.*: /$n:/'; "
                fi
        done
        printf '%s' "$s"
}
edit_probe() { set_args "$(probe_script "$@")"; }
run_out() { (cd "$b" && "${O[@]}" "$@" 2>&1); }
EPERM="Operation not permitted"
ENXIO="No such device or address"
DENY_ALL="[{'allow':False,'access':'rwm'}]"

# --- deny all but the defaults: cgroupfs, then --systemd-cgroup ----------------------------------------
with_rules "$DENY_ALL" ""
edit_probe mem:c:1:1:r lc:c:10:237:r nodrv:c:4095:1:r nul:c:1:3:w
for mode in cgroupfs systemd; do
        if [ "$mode" = systemd ]; then
                # machine.slice, podman's: systemd 252 does not realize a delegated scope there in a
                # hybrid host's devices hierarchy, dray-oci makes that cgroup itself.
                G=(--systemd-cgroup); edit "c['linux']['cgroupsPath']='machine.slice:$tag:d$mode'"
        else
                G=(); edit "c['linux']['cgroupsPath']='/$tag/d$mode'"
        fi
        out="$(run_out "${G[@]}" run "${tag}d$mode")"
        unlike "$out" "mknod-refused" "$mode: mknod of any node is allowed (runc's default c *:* m)"
        like "$out" "^mem:$EPERM$" "$mode: a mknod'ed c 1:1 (mem) cannot be opened: EPERM"
        like "$out" "^lc:$EPERM$" "$mode: a mknod'ed /dev/loop-control (c 10:237) cannot be opened: EPERM"
        like "$out" "^nodrv:$EPERM$" "$mode: c 4095:1 is refused before its (missing) driver is asked"
        like "$out" "^nul:open-ok$" "$mode: c 1:3 (null), a default node, stays open to writes"
done
ok "cgroupfs: the cgroup is gone after run" sh -c "! test -e $v2root/$tag/dcgroupfs && ! test -e /sys/fs/cgroup/devices/$tag/dcgroupfs"
ok "systemd: the scope is gone after run" wait_until 10 sh -c "! systemctl is-active -q $tag-dsystemd.scope"
if ! $pure; then
        ok "systemd: the scope's devices cgroup is gone too" \
                wait_until 10 test ! -e "/sys/fs/cgroup/devices$(systemctl show -P ControlGroup machine.slice)/$tag-dsystemd.scope"
fi

# --- allow rules, wildcards, last match wins --------------------------------------------------------
with_rules "[{'allow':False,'access':'rwm'},{'allow':True,'type':'c','major':10,'minor':237,'access':'r'}]" ""
edit_probe lcr:c:10:237:r lcw:c:10:237:w
out="$(run_out run "${tag}a1")"
like "$out" "^lcr:open-ok$" "an allow rule (c 10:237 r) lets it open loop-control for reading"
like "$out" "^lcw:$EPERM$" "but not for writing: the rule names r only"

with_rules "[{'allow':False,'access':'rwm'},{'allow':True,'type':'c','major':4095,'access':'r'},{'allow':True,'type':'a','major':4094,'minor':-1,'access':'rw'}]" ""
edit_probe n1:c:4095:1:r n2:c:4095:77:r n3:b:4095:1:r n4:b:4094:3:w n5:c:4094:9:w n6:c:4093:1:r
out="$(run_out run "${tag}w1")"
like "$out" "^n1:$ENXIO$" "wildcard minor (absent): c 4095:1 passes the cgroup"
like "$out" "^n2:$ENXIO$" "wildcard minor (absent): c 4095:77 passes the cgroup"
like "$out" "^n3:$EPERM$" "the rule's type c does not let block 4095:1 through"
like "$out" "^n4:$ENXIO$" "type a, minor -1: a block node passes"
like "$out" "^n5:$ENXIO$" "type a, minor -1: a character node passes"
like "$out" "^n6:$EPERM$" "another major stays refused"

with_rules "[{'allow':False,'access':'rwm'},{'allow':True,'type':'c','major':4095,'access':'rw'},{'allow':False,'type':'c','major':4095,'minor':2,'access':'rw'}]" ""
edit_probe a:c:4095:1:r b:c:4095:2:r
out="$(run_out run "${tag}o1")"
like "$out" "^a:$ENXIO$" "last match wins: 4095:1 allowed by the wildcard"
like "$out" "^b:$EPERM$" "last match wins: a later deny of 4095:2 punches a hole in the earlier wildcard allow"
with_rules "[{'allow':False,'access':'rwm'},{'allow':False,'type':'c','major':4095,'minor':2,'access':'rw'},{'allow':True,'type':'c','major':4095,'access':'rw'}]" ""
edit_probe b:c:4095:2:r
like "$(run_out run "${tag}o2")" "^b:$ENXIO$" "last match wins: the wildcard allow after the deny lets 4095:2 through"
with_rules "[{'allow':True,'access':'rwm'},{'allow':False,'type':'c','major':4095,'access':'rw'},{'allow':True,'type':'c','major':4095,'minor':2,'access':'r'}]" ""
edit_probe a:c:4095:1:r b:c:4095:2:r c:c:4095:2:w d:b:4095:1:r
out="$(run_out run "${tag}o3")"
like "$out" "^a:$EPERM$" "after an allow of everything, a wildcard deny of c 4095:* refuses 4095:1"
like "$out" "^b:$ENXIO$" "last match wins: a later allow re-opens 4095:2 for reading inside the wildcard deny"
like "$out" "^c:$EPERM$" "but not for writing"
like "$out" "^d:$ENXIO$" "block 4095:1 stays allowed"

# --- linux.devices nodes are allowed, as runc allows them ----------------------------------------------
with_rules "$DENY_ALL" "(: <> /dev/myfuse) 2>&1 && echo myfuse-open-ok"
edit "c['linux']['devices']=[{'path':'/dev/myfuse','type':'c','major':10,'minor':229,'fileMode':0o20600}]"
like "$(run_out run "${tag}n1")" "^myfuse-open-ok$" "a node of linux.devices (/dev/fuse, 10:229) can be opened whatever the rules"

# --- create, exec, the cgroup's lists and program, delete ------------------------------------------------
with_rules "$DENY_ALL" "sleep 1000"
edit "c['linux']['cgroupsPath']='/$tag/c1'"
defer gone "${tag}c1"
ok "create" oci_bg create --bundle "$b" "${tag}c1"
ok "start" "${O[@]}" start "${tag}c1"
out="$("${O[@]}" exec "${tag}c1" sh -c 'mknod /dev/m2 c 1 1; (: < /dev/m2) 2>&1')"
like "$out" "$EPERM" "exec: the exec'd process is under the same device rules"
if ! $pure; then
        list="$(cat "/sys/fs/cgroup/devices/$tag/c1/devices.list" 2>&1)"
        like "$list" "^c 1:3 rwm$" "hybrid: the v1 devices cgroup lists /dev/null"
        unlike "$list" "^a " "hybrid: the v1 devices cgroup does not allow everything"
fi
# The program's ID, asked of the kernel (BPF_PROG_QUERY; no bpftool here), and whether an ID lives.
bpf_py='import ctypes,os,struct,sys
libc=ctypes.CDLL(None,use_errno=True)
def bpf(cmd,attr):
    buf=ctypes.create_string_buffer(attr,128)
    r=libc.syscall(321,cmd,buf,128)
    return r,buf.raw
if sys.argv[1]=="query":
    fd=os.open(sys.argv[2],os.O_RDONLY|os.O_DIRECTORY)
    ids=(ctypes.c_uint32*64)()
    r,raw=bpf(16,struct.pack("IIIIQI",fd,6,0,0,ctypes.addressof(ids),64))
    n=struct.unpack_from("I",raw,24)[0]
    print(" ".join(str(ids[i]) for i in range(n)) if r==0 else "error")
else:
    r,_=bpf(13,struct.pack("I",int(sys.argv[2])))
    if r>=0: os.close(r)
    sys.exit(0 if r>=0 else 1)'
ids="$(python3 -c "$bpf_py" query "$v2root/$tag/c1")"
like "$ids" "^[0-9]+$" "one device program attached to the container's cgroup v2 directory"
ok "delete --force" "${O[@]}" delete --force "${tag}c1"
ok "no cgroup directory left" sh -c "! test -e $v2root/$tag/c1 && ! test -e /sys/fs/cgroup/devices/$tag/c1"
if [[ "$ids" =~ ^[0-9]+$ ]]; then
        ok "the program went with the cgroup" wait_until 20 sh -c "! python3 -c '$bpf_py' id $ids"
else
        fail "the program went with the cgroup" "no program ID"
fi
rmdir "$v2root/$tag" "/sys/fs/cgroup/devices/$tag" "/sys/fs/cgroup/memory/$tag" "/sys/fs/cgroup/cpu/$tag" \
        "/sys/fs/cgroup/pids/$tag" 2>/dev/null

# --- hostile rules: refused, named, nothing left -----------------------------------------------------------
for bad in "[{'allow':True,'access':'rwx'}]|devices\\[0\\].access" "[{'type':'c'}]|devices\\[0\\].allow" \
           "[{'allow':False},{'allow':True,'major':70000}]|devices\\[1\\].major"; do
        with_rules "${bad%%|*}" "true"
        edit "c['linux']['cgroupsPath']='/$tag/h1'"
        rc=0; out="$("${O[@]}" create --bundle "$b" "${tag}h1" 2>&1)" || rc=$?
        isnt "$rc" 0 "hostile rule ${bad%%|*} refused"
        like "$out" "linux.resources.${bad#*|}" "the message names the key and index"
        ok "nothing left behind" sh -c "! test -e $root/${tag}h1 && ! test -e $v2root/$tag/h1"
done

# --- podman --runtime dray-oci: --device /dev/fuse ----------------------------------------------------------
if command -v podman >/dev/null && [ -c /dev/fuse ]; then
        rootfs="$(test_rootfs)" || bail_out "no test rootfs"
        runroot="$(mktemp -d /run/oci-d.XXXXXX)" || bail_out "mktemp failed"
        defer rm -rf "$runroot"
        P=(podman --events-backend=none --storage-driver=vfs --root "$work/podman" --runroot "$runroot"
           --runtime /usr/bin/dray-oci)
        defer rm -rf "$work/podman"
        defer sh -c "$(printf '%q ' "${P[@]}") rm -f -a -t 0 >/dev/null 2>&1"
        tar -C "$rootfs" -cf "$work/root.tar" . || bail_out "tar failed"
        "${P[@]}" import "$work/root.tar" localhost/oci-dev >/dev/null 2>&1 || bail_out "podman import failed"
        out="$("${P[@]}" run --rm --cidfile "$work/cid" --device /dev/fuse localhost/oci-dev sh -c '(: <> /dev/fuse) 2>&1 && echo fuse-open-ok')"
        like "$out" "^fuse-open-ok$" "podman run --device /dev/fuse: the container opens it"
        cid="$(cat "$work/cid" 2>/dev/null)"
        ok "podman run --rm: no cgroup of the container is left" wait_until 10 sh -c \
                "[ -n '$cid' ] && ! find /sys/fs/cgroup -maxdepth 6 -name 'libpod-$cid.scope' | grep -q ."
        out="$("${P[@]}" run --rm localhost/oci-dev sh -c 'mknod /dev/fuse c 10 229 2>&1 || echo mknod-refused')"
        like "$out" "mknod-refused" "podman run without --device cannot mknod /dev/fuse (podman grants no CAP_MKNOD)"
        out="$("${P[@]}" run --rm --cap-add MKNOD localhost/oci-dev sh -c 'mknod /dev/fuse c 10 229 && (: <> /dev/fuse) 2>&1; echo done')"
        like "$out" "$EPERM" "podman run --cap-add MKNOD without --device: a mknod'ed /dev/fuse cannot be opened"
else
        skip "podman --device /dev/fuse" "podman or /dev/fuse missing"
fi

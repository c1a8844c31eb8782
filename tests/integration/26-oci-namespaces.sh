#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# dray-oci: namespaces joined by path and user namespaces as runc makes them (issue 17): a second
# container in the first one's pid namespace sees its processes; a mount and a network namespace
# joined by path are the ones the container's root is built in and talks through; several uid and gid
# mapping ranges reach uid_map and gid_map as given; inheritable and ambient capabilities as the
# config says, in the container's process and in exec --process; bad paths and maps refused with the
# key named and nothing left behind.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require dray-oci jq python3 unshare nsenter ip
mkdir -p "$TEST_DIR"
work="$(mktemp -d "$TEST_DIR/$TEST_NAME.XXXXXX")" || bail_out "mktemp failed"
defer rm -rf "$work"
root="$work/state"
O=(dray-oci --root "$root")
b="$work/bundle"
mkdir -p "$b" "$work/data"
"$REPO_ROOT/tools/make-rootfs" "$b/rootfs" >/dev/null || bail_out "tools/make-rootfs failed"
gone() { "${O[@]}" delete --force "$1" >/dev/null 2>&1 || true; }
oci_bg() { "${O[@]}" "$@" </dev/null >>"$work/containers.out" 2>&1; }
status_is_now() { [ "$("${O[@]}" state "$1" 2>/dev/null | jq -r .status)" = "$2" ]; }
edit() {
        python3 -c "import json
c=json.load(open('$b/config.json'))
$1
json.dump(c,open('$b/config.json','w'))" || bail_out "cannot edit config.json"
}
fresh_config() {
        rm -f "$b/config.json"
        (cd "$b" && "${O[@]}" spec) || bail_out "dray-oci spec failed"
        edit "c['process']['terminal']=False"
}
# ns_path TYPE PATH: the config's namespace of that type joins PATH.
ns_path() {
        edit "c['linux']['namespaces']=[n for n in c['linux']['namespaces'] if n['type']!='$1']+[{'type':'$1','path':'$2'}]"
}
run_sh() {
        edit "c['process']['args']=['sh','-c',$(printf '%s' "$1" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))')]"
        (cd "$b" && "${O[@]}" run "p$RANDOM" 2>"$work/run.err")
}
# nothing_left ID: no state directory, cgroup or scope of the container.
nothing_left() {
        [ ! -e "$root/$1" ] && [ -z "$(find /sys/fs/cgroup -name "*$1*" -print -quit 2>/dev/null)" ] &&
                ! systemctl list-units --all --no-legend 2>/dev/null | grep -q -- "$1"
}

# --- a pid namespace by path: the second container is a member of the first's -----------------------
fresh_config
edit "c['process']['args']=['sleep','1000']"
defer gone p1
ok "the first container is created" oci_bg create --bundle "$b" --pid-file "$work/p1.pid" p1
ok "and started" oci_bg start p1
p1pid="$(cat "$work/p1.pid")"
ns_path pid "/proc/$p1pid/ns/pid"
out="$(run_sh 'readlink /proc/self/ns/pid; cat /proc/[0-9]*/cmdline 2>/dev/null | tr "\0" " "')"; rc=$?
is "$rc" 0 "namespaces[].path pid: the joining container runs"
is "$(echo "$out" | head -n 1)" "$(readlink "/proc/$p1pid/ns/pid")" "namespaces[].path pid: the same pid namespace"
like "$out" "sleep 1000" "namespaces[].path pid: the first container's process is seen"
isnt "$(readlink "/proc/$p1pid/ns/pid")" "$(readlink /proc/self/ns/pid)" "namespaces[].path pid: not the host's"
ok "the first container is still running" status_is_now p1 running
# Not PID 1 there: its payload must end with it all the same.
edit "c['process']['args']=['sleep','2000']"
defer gone p2
ok "a second container in that pid namespace is created" oci_bg create --bundle "$b" --pid-file "$work/p2.pid" p2
ok "and started" oci_bg start p2
ok "its payload runs" wait_until 30 pgrep -x -f "sleep 2000"
ok "kill of its init (no --all)" "${O[@]}" kill p2 KILL
ok "namespaces[].path pid: the payload ends with its init" wait_until 30 sh -c '! pgrep -x -f "sleep 2000"'
ok "the first container is still running" status_is_now p1 running
gone p2
gone p1

# --- mount and network namespaces by path, made by unshare ------------------------------------------
# Held by a process, not pinned by a bind mount: binding a mount namespace's file is refused at times
# on 6.18 (EINVAL, its loop check comparing namespace IDs that are not allocated in order).
unshare --mount --propagation private --net sleep 1000 &
holder=$!
defer kill "$holder"
wait_until 30 sh -c "[ \"\$(readlink /proc/$holder/ns/net)\" != \"\$(readlink /proc/self/ns/net)\" ]" ||
        bail_out "unshare made no network namespace"
nsenter -t "$holder" -m sh -c "mount -t tmpfs joined '$work/data' && echo in-joined > '$work/data/marker'" ||
        bail_out "cannot mount in the unshared mount namespace"
nsenter -t "$holder" -n ip link add ocins26 type veth peer name ocins26p || bail_out "cannot add a veth pair"
fresh_config
edit "c['mounts'].append({'destination':'/data','type':'bind','source':'$work/data','options':['rbind','ro']})"
out="$(run_sh 'cat /data/marker 2>/dev/null || echo none; grep -c ocins26: /proc/net/dev')"
is "$out" "$(printf 'none\n0')" \
        "without paths: the host's mounts, a network namespace of its own"
ns_path mount "/proc/$holder/ns/mnt"
ns_path network "/proc/$holder/ns/net"
out="$(run_sh 'cat /data/marker; grep -c ocins26: /proc/net/dev')"; rc=$?
is "$rc" 0 "namespaces[].path mount and network: the container runs"
is "$out" "$(printf 'in-joined\n1')" "namespaces[].path mount and network: the joined namespaces' mounts and links"
ok "the host's mounts are untouched" test ! -e "$work/data/marker"

# --- user namespaces: several mapping ranges --------------------------------------------------------
fresh_config
cp -a "$b/rootfs" "$work/rootfs-shifted" && chown -R 300000:300000 "$work/rootfs-shifted" ||
        bail_out "cannot prepare a rootfs owned by the mapped root"
edit "c['root']={'path':'$work/rootfs-shifted'}
c['linux']['namespaces'].append({'type':'user'})
c['linux']['uidMappings']=[{'containerID':0,'hostID':300000,'size':1000},{'containerID':1000,'hostID':410000,'size':64536}]
c['linux']['gidMappings']=[{'containerID':0,'hostID':300000,'size':2000},{'containerID':5000,'hostID':520000,'size':10}]"
out="$(run_sh 'cat /proc/self/uid_map /proc/self/gid_map | tr -s " " | sed "s/^ //"; id -u')"; rc=$?
is "$rc" 0 "two uid mapping ranges: the container runs"
[ "$rc" = 0 ] || diag "$(cat "$work/run.err")"
is "$out" "$(printf '0 300000 1000\n1000 410000 64536\n0 300000 2000\n5000 520000 10\n0')" \
        "two uid mapping ranges: both lines in uid_map and gid_map, the process is root of the namespace"

# --- a user namespace by path: one unshare made, with its map; joined first, the others made in it ------
unshare --user sleep 1000 &
member=$!
defer kill "$member"
wait_until 30 sh -c "[ \"\$(readlink /proc/$member/ns/user)\" != \"\$(readlink /proc/self/ns/user)\" ]" ||
        bail_out "unshare made no user namespace"
echo "0 300000 65536" > "/proc/$member/uid_map" && echo "0 300000 65536" > "/proc/$member/gid_map" ||
        bail_out "cannot write the unshared namespace's maps"
userns="/proc/$member/ns/user"
fresh_config
edit "c['root']={'path':'$work/rootfs-shifted'}
c['linux']['namespaces'].append({'type':'user','path':'$userns'})"
out="$(run_sh 'readlink /proc/self/ns/user; cat /proc/self/uid_map | tr -s " " | sed "s/^ //"; id -u; hostname; ls -n / | grep -c " 0 *0 "')"; rc=$?
is "$rc" 0 "namespaces[].path user: the container runs"
[ "$rc" = 0 ] || diag "$(cat "$work/run.err")"
is "$(echo "$out" | head -n 2)" "$(printf '%s\n0 300000 65536' "$(readlink "/proc/$member/ns/user")")" \
        "namespaces[].path user: the joined namespace, with its map"
is "$(echo "$out" | sed -n 3,4p)" "$(printf '0\ndray')" "namespaces[].path user: its root, in a UTS namespace it owns (host name set)"
isnt "$(echo "$out" | sed -n 5p)" 0 "namespaces[].path user: the shifted rootfs is owned by its root"

edit "c['process']['args']=['sleep','1000']"
defer gone u1
ok "a container in the joined user namespace is created" oci_bg create --bundle "$b" u1
ok "and started" oci_bg start u1
out="$("${O[@]}" exec u1 sh -c 'readlink /proc/self/ns/user; id -u' 2>&1)"
is "$out" "$(printf '%s\n0' "$(readlink "$userns")")" "exec: in the joined user namespace, as its root"
gone u1

# --- inheritable and ambient capabilities ------------------------------------------------------------
capmask() { python3 -c "import sys; print('%016x' % sum(1 << int(x) for x in sys.argv[1:]))" "$@"; }
fresh_config
edit "c['process']['capabilities']={'bounding':['CAP_KILL','CAP_NET_RAW','CAP_CHOWN'],'effective':['CAP_KILL'],
'permitted':['CAP_KILL'],'inheritable':['CAP_KILL','CAP_NET_RAW'],'ambient':['CAP_NET_RAW']}"
out="$(run_sh 'grep -E "^Cap(Inh|Amb)" /proc/self/status')"
is "$out" "$(printf 'CapInh:\t%s\nCapAmb:\t%s' "$(capmask 5 13)" "$(capmask 13)")" \
        "process.capabilities: the inheritable and ambient sets as given (root)"
edit "c['process']['user']={'uid':1000,'gid':1000}"
out="$(run_sh 'grep -E "^Cap(Inh|Eff|Amb)" /proc/self/status')"
is "$out" "$(printf 'CapInh:\t%s\nCapEff:\t%s\nCapAmb:\t%s' "$(capmask 5 13)" "$(capmask 13)" "$(capmask 13)")" \
        "process.capabilities: a non-root process keeps its ambient capabilities"
edit "c['process']['user']={'uid':0,'gid':0}; c['process']['args']=['sleep','1000']"
defer gone c1
ok "a container for exec is created" oci_bg create --bundle "$b" c1
ok "and started" oci_bg start c1
cat > "$work/process.json" <<EOF
{"args":["sh","-c","grep -E '^Cap(Inh|Amb)' /proc/self/status"],"cwd":"/","user":{"uid":0,"gid":0},
 "capabilities":{"bounding":["CAP_KILL","CAP_NET_RAW"],"effective":["CAP_KILL"],"permitted":["CAP_KILL"],
 "inheritable":["CAP_NET_RAW"],"ambient":["CAP_NET_RAW"]}}
EOF
out="$("${O[@]}" exec --process "$work/process.json" c1 2>&1)"
is "$out" "$(printf 'CapInh:\t%s\nCapAmb:\t%s' "$(capmask 13)" "$(capmask 13)")" \
        "exec --process: its inheritable and ambient sets"
out="$("${O[@]}" exec c1 sh -c 'grep -E "^Cap(Inh|Amb)" /proc/self/status' 2>&1)"
is "$out" "$(printf 'CapInh:\t%s\nCapAmb:\t%s' "$(capmask 5 13)" "$(capmask 13)")" \
        "exec: the container's own sets"
gone c1

# --- bad paths and maps: refused, named, nothing left behind ----------------------------------------
bad() {
        local what="$1" expect="$2"
        fresh_config
        edit "$3"
        out="$("${O[@]}" create --bundle "$b" bad26 2>&1)"
        isnt "$?" 0 "$what: refused"
        like "$out" "$expect" "$what: the message names it"
        ok "$what: nothing left behind" nothing_left bad26
}
bad "a pid namespace path to a network namespace" \
        "linux.namespaces\\[[0-9]\\].path: cannot join namespace '/proc/self/ns/net': its type is network, not pid" \
        "c['linux']['namespaces']=[n if n['type']!='pid' else {'type':'pid','path':'/proc/self/ns/net'} for n in c['linux']['namespaces']]"
bad "a mount namespace path to a plain file" \
        "linux.namespaces\\[[0-9]\\].path: cannot join namespace '$work/bundle/config.json': it is not a namespace file" \
        "c['linux']['namespaces']=[n if n['type']!='mount' else {'type':'mount','path':'$work/bundle/config.json'} for n in c['linux']['namespaces']]"
bad "overlapping uid mappings" "linux.uidMappings\\[1\\]: its host IDs overlap those of linux.uidMappings\\[0\\]" \
        "c['linux']['namespaces'].append({'type':'user'})
c['linux']['uidMappings']=[{'containerID':0,'hostID':300000,'size':1000},{'containerID':1000,'hostID':300500,'size':10}]
c['linux']['gidMappings']=[{'containerID':0,'hostID':300000,'size':1000}]"
bad "mappings with a user namespace path" \
        "linux.uidMappings: not allowed with a user namespace joined by path \\(linux.namespaces\\[[0-9]\\].path\\)" \
        "c['linux']['namespaces'].append({'type':'user','path':'$userns'})
c['linux']['uidMappings']=[{'containerID':0,'hostID':300000,'size':1000}]
c['linux']['gidMappings']=[{'containerID':0,'hostID':300000,'size':1000}]"
bad "a user namespace path to a pid namespace" "linux.namespaces\\[[0-9]\\].path: cannot join namespace '/proc/self/ns/pid': its type is pid, not user" \
        "c['linux']['namespaces'].append({'type':'user','path':'/proc/self/ns/pid'})"
bad "a mapping past the last ID" "linux.gidMappings\\[0\\]: the range ends past ID 4294967295" \
        "c['linux']['namespaces'].append({'type':'user'})
c['linux']['uidMappings']=[{'containerID':0,'hostID':300000,'size':1000}]
c['linux']['gidMappings']=[{'containerID':0,'hostID':4294967000,'size':1000}]"

#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# dray-oci, the OCI runtime command line (issue 17), driven the way engines drive runc: spec, the
# create/start split (state created → running → stopped), --pid-file, kill (tagged signals reach the
# payload), exec, ps, pause/resume, delete, run's exit status, --systemd-cgroup scopes with their
# limits, cgroupfs, hooks with the state on stdin, --log json, and hostile or unsupported configs
# refused with a message naming the key and nothing left behind.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require systemctl
# shellcheck source=tests/integration/lib-oci.sh
. "$(dirname "$0")/lib-oci.sh"
# The container inherits create's stdio, as from an engine: not the test's pipes, or $(...) would wait
# for the container to end.
oci_bg() { "${O[@]}" "$@" </dev/null >>"$work/containers.out" 2>&1; }
status_of() { "${O[@]}" state "$1" 2>/dev/null | jq -r .status; }
status_is_now() { [ "$(status_of "$1")" = "$2" ]; }

# --- spec, run ------------------------------------------------------------------------------
fresh_config
ok "spec writes a config.json that parses" jq -e .ociVersion "$b/config.json"
fails "spec refuses to overwrite config.json" sh -c "cd '$b' && dray-oci spec"
edit "c['process']['args']=['sh','-c','echo out-\$(hostname); echo err >&2; exit 3']"
out="$(cd "$b" && "${O[@]}" run r1 2>"$work/err")"; rc=$?
is "$rc" 3 "run returns the process's exit status"
is "$out" "out-dray" "run: stdout is the caller's, hostname from the config"
is "$(cat "$work/err")" "err" "run: stderr is the caller's"
fails "run removed the container afterwards" "${O[@]}" state r1

# --- linux.devices: the host's node of that number, at the config's path ---------------------------
fresh_config
edit "c['process']['args']=['sh','-c','stat -c %F:%t:%T /dev/sub/myzero; cmp -n 3 /dev/sub/myzero /dev/zero && echo zeros; echo x > /dev/sub/myzero && echo written']
c['linux']['devices']=[{'path':'/dev/sub/myzero','type':'c','major':1,'minor':5,'fileMode':0o666,'uid':0,'gid':0},{'path':'/dev/null','type':'c','major':1,'minor':3}]"
out="$(cd "$b" && "${O[@]}" run d1 2>"$work/err")"; rc=$?
is "$rc" 0 "linux.devices: the container runs"
is "$out" "$(printf 'character special file:1:5\nzeros\nwritten')" "linux.devices: the node is 1:5 (reads zeros, takes writes)"
bad_dev_rc=0
fresh_config
edit "c['linux']['devices']=[{'path':'/dev/x','type':'b','major':4095,'minor':1048575}]"
out="$("${O[@]}" create --bundle "$b" d2 2>&1)" || bad_dev_rc=$?
isnt "$bad_dev_rc" 0 "linux.devices: a device the host lacks is refused"
like "$out" "host has no block device 4095:1048575" "linux.devices: the message names it"
ok "linux.devices: nothing left behind" test ! -e "$root/d2"

# --- namespaces[].path for ipc and uts: a second container of a pod joins the first's -----------------
fresh_config
edit "c['process']['args']=['sleep','1000']; c['hostname']='pod1'"
defer gone p1
ok "a pod's first container is created" oci_bg create --bundle "$b" --pid-file "$work/p1.pid" p1
p1pid="$(cat "$work/p1.pid")"
edit "c['process']['args']=['sh','-c','hostname; readlink /proc/self/ns/ipc; readlink /proc/self/ns/uts']; c['hostname']='other'
c['linux']['namespaces']=[n if n['type'] not in ('ipc','uts') else dict(n, path='/proc/$p1pid/ns/'+n['type']) for n in c['linux']['namespaces']]"
out="$(cd "$b" && "${O[@]}" run j1 2>"$work/err")"; rc=$?
is "$rc" 0 "namespaces[].path: the joining container runs"
is "$out" "$(printf 'pod1\n%s\n%s' "$(readlink "/proc/$p1pid/ns/ipc")" "$(readlink "/proc/$p1pid/ns/uts")")" \
        "namespaces[].path: in the first one's IPC and UTS namespaces, its host name kept"
like "$(cat "$work/err")" "keeps its own host name" "namespaces[].path: the config's other hostname is a warning"
isnt "$(readlink "/proc/$p1pid/ns/ipc")" "$(readlink /proc/self/ns/ipc)" "namespaces[].path: not the host's IPC namespace"
edit "c['linux']['namespaces']=[n if n['type']!='ipc' else dict(n, path='/proc/$p1pid/ns/uts') for n in c['linux']['namespaces']]"
out="$(cd "$b" && "${O[@]}" run j2 2>&1)"; rc=$?
isnt "$rc" 0 "namespaces[].path: a namespace of another type is refused"
like "$out" "join namespace '/proc/$p1pid/ns/uts'" "namespaces[].path: the message names the path"
ok "namespaces[].path: nothing left behind" test ! -e "$root/j2"
gone p1

# --- create, start, state, kill, delete ----------------------------------------------------------
fresh_config
edit "c['process']['args']=['sh','-c','trap \"echo TERM > /tmp/got; exit 5\" TERM; echo up > /tmp/up; while :; do sleep 0.05; done']
c['root']['readonly']=False
c['annotations']={'org.test.a':'1'}"
defer gone c1
ok "create" oci_bg create --bundle "$b" --pid-file "$work/c1.pid" c1
is "$(status_of c1)" created "state: created after create"
pid="$(cat "$work/c1.pid")"
is "$("${O[@]}" state c1 | jq -r .pid)" "$pid" "state's pid is the pid file's"
is "$("${O[@]}" state c1 | jq -r '.annotations["org.test.a"]')" 1 "state carries the annotations"
is "$("${O[@]}" state c1 | jq -r .bundle)" "$b" "state carries the bundle"
fails "create of an existing ID is refused" "${O[@]}" create --bundle "$b" c1
ok "the process has not run before start" test ! -e "$b/rootfs/tmp/up"
ok "start" "${O[@]}" start c1
ok "the process runs after start" wait_until 10 test -e "$b/rootfs/tmp/up"
is "$(status_of c1)" running "state: running"
fails "start twice is refused" "${O[@]}" start c1
like "$("${O[@]}" ps c1)" "$pid" "ps lists the init"
is "$("${O[@]}" exec c1 sh -c 'echo in-$(hostname); exit 4')" in-dray "exec runs in the container"
status_is 4 "exec returns the process's status" "${O[@]}" exec c1 sh -c 'exit 4'
ok "pause" "${O[@]}" pause c1
is "$(status_of c1)" paused "state: paused"
ok "resume" "${O[@]}" resume c1
is "$(status_of c1)" running "state: running again"
fails "delete without --force of a running container is refused" "${O[@]}" delete c1
ok "kill TERM" "${O[@]}" kill c1 TERM
ok "the container stops" wait_until 10 status_is_now c1 stopped
is "$(cat "$b/rootfs/tmp/got" 2>/dev/null)" TERM "the payload got SIGTERM"
ok "delete" "${O[@]}" delete c1
fails "state after delete" "${O[@]}" state c1
ok "its directory is gone" test ! -e "$root/c1"
rm -f "$b/rootfs/tmp/up" "$b/rootfs/tmp/got"

# kill of a created container, delete --force of a running one
ok "create c2" oci_bg create --bundle "$b" c2
defer gone c2
ok "kill KILL of a created container" "${O[@]}" kill c2 KILL
ok "it stops" wait_until 10 status_is_now c2 stopped
ok "delete" "${O[@]}" delete c2
ok "create c3" oci_bg create --bundle "$b" c3
defer gone c3
ok "start c3" "${O[@]}" start c3
ok "delete --force of a running container" "${O[@]}" delete --force c3
ok "--force of a missing container succeeds" "${O[@]}" delete --force c3

# --- --systemd-cgroup: the scope and its limits; hooks ------------------------------------------
fresh_config
edit "c['process']['args']=['sleep','1000']
c['linux']['cgroupsPath']='system.slice:dray-oci-test:s1'
c['linux']['resources']={'memory':{'limit':104857600},'pids':{'limit':64},'cpu':{'quota':50000,'period':100000}}
c['linux']['sysctl']={'net.ipv4.ping_group_range':'0 0'}
c['root']['readonly']=False
# createContainer and startContainer run in the container's mount namespace: they write into its /tmp.
c['hooks']={k:[{'path':'/bin/sh','args':['sh','-c','cat > '+d+'/hook-'+k]}] for k,d in
 [('createRuntime','$work'),('createContainer','/tmp'),('startContainer','/tmp'),('poststart','$work'),('poststop','$work')]}"
defer sh -c 'systemctl stop dray-oci-test-s1.scope 2>/dev/null || true'
defer gone s1
ok "create with --systemd-cgroup" oci_bg --systemd-cgroup create --bundle "$b" s1
is "$(systemctl is-active dray-oci-test-s1.scope)" active "the scope PREFIX-NAME.scope runs"
is "$(systemctl show -P Slice dray-oci-test-s1.scope)" system.slice "in the slice of cgroupsPath"
is "$(systemctl show -P MemoryMax dray-oci-test-s1.scope)" 104857600 "memory.limit is MemoryMax"
is "$(systemctl show -P TasksMax dray-oci-test-s1.scope)" 64 "pids.limit is TasksMax"
is "$(systemctl show -P CPUQuotaPerSecUSec dray-oci-test-s1.scope)" 500ms "cpu quota/period is CPUQuotaPerSecUSec"
is "$(jq -r .status "$work/hook-createRuntime")" creating "createRuntime hook got the state on stdin"
is "$(jq -r .id "$b/rootfs/tmp/hook-createContainer")" s1 "createContainer hook ran in the container with the state"
ok "start" "${O[@]}" start s1
is "$(jq -r .status "$work/hook-poststart")" running "poststart hook ran after the start"
is "$(jq -r .id "$b/rootfs/tmp/hook-startContainer")" s1 "startContainer hook ran in the container"
is "$("${O[@]}" exec s1 cat /proc/sys/net/ipv4/ping_group_range | tr -s '\t ' ' ')" "0 0" "linux.sysctl is set in the container"
ok "kill --all KILL" "${O[@]}" kill --all s1 KILL
ok "it stops" wait_until 10 status_is_now s1 stopped
ok "delete" "${O[@]}" delete s1
is "$(jq -r .status "$work/hook-poststop")" stopped "poststop hook ran at delete"
ok "the scope is gone" wait_until 10 sh -c '! systemctl is-active -q dray-oci-test-s1.scope'

# --- cgroupfs ------------------------------------------------------------------------------------
fresh_config
edit "c['process']['args']=['sleep','1000']; c['linux']['cgroupsPath']='/dray-oci-test/f1'"
defer gone f1
ok "create with a cgroupfs path" oci_bg create --bundle "$b" f1
like "$("${O[@]}" state f1 >/dev/null; cat "$root/f1/state.json" | jq -r .cgroup)" "^/dray-oci-test/f1$" "the init is in cgroupsPath"
ok "start, pause, resume" sh -c "${O[*]} start f1 && ${O[*]} pause f1 && ${O[*]} resume f1"
ok "delete --force" "${O[@]}" delete --force f1
ok "the cgroup is removed" sh -c '! test -d /sys/fs/cgroup/dray-oci-test/f1 && ! test -d /sys/fs/cgroup/unified/dray-oci-test/f1'

# --- bad and unsupported configs: refused, named, nothing left -------------------------------------
bad() {
        local what="$1" expect="$2"
        fresh_config
        edit "$3"
        out="$("${O[@]}" --log "$work/log.json" --log-format json create --bundle "$b" bad1 2>&1)"
        status=$?
        isnt "$status" 0 "$what: refused"
        like "$out" "$expect" "$what: the message names it"
        ok "$what: nothing left behind" test ! -e "$root/bad1"
}
bad "no process" "process" "del c['process']"
bad "apparmor-free but intelRdt" "intelRdt" "c['linux']['intelRdt']={'closID':'x'}"
bad "a time namespace" "time namespace" "c['linux']['namespaces'].append({'type':'time'})"
bad "joining a pid namespace by a file of another type" "linux.namespaces\\[0\\].path: cannot join namespace '/proc/1/ns/net': its type is network, not pid" "c['linux']['namespaces'][0]['path']='/proc/1/ns/net'"
bad "an unknown capability" "CAP_BOGUS" "c['process']['capabilities']['bounding'].append('CAP_BOGUS')"
bad "a relative cwd" "process.cwd" "c['process']['cwd']='tmp'"
bad "a uid of the wrong type" "process.user.uid" "c['process']['user']['uid']='root'"
bad "an unknown mount type" "nfs" "c['mounts'].append({'destination':'/mnt','type':'nfs','source':'x:/y'})"
bad "a host sysctl" "kernel.panic" "c['linux']['sysctl']={'kernel.panic':'1'}"
bad "a bad seccomp action" "linux.seccomp" "c['linux']['seccomp']={'defaultAction':'SCMP_ACT_BOGUS'}"
bad "overlapping ID mappings" "linux.uidMappings\\[1\\]: its container IDs overlap" "c['linux']['namespaces'].append({'type':'user'}); c['linux']['uidMappings']=[{'containerID':0,'hostID':1000,'size':10},{'containerID':9,'hostID':2000,'size':1}]"
like "$(tail -n 1 "$work/log.json" | jq -r '.level + " " + .msg')" "^error linux.uidMappings" "--log-format json writes runc's log lines"
fails "an invalid container ID" "${O[@]}" create --bundle "$b" "../x"
fails "an unknown option" "${O[@]}" create --bogus --bundle "$b" x1
fails "an unknown command" "${O[@]}" frobnicate
ok "features prints JSON" sh -c "${O[*]} features | jq -e '.ociVersionMax'"
# linux.cgroup tells what dray-oci drives: the v1 controllers of a hybrid host (where it writes the
# limits), v2, the system manager's scopes; not the user manager's.
is "$("${O[@]}" features | jq -c '.linux.cgroup | [.v1, .v2, .systemd, .systemdUser]')" "[true,true,true,false]" \
        "features: linux.cgroup v1, v2 and systemd, not systemdUser"

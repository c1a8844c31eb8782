#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# dray-oci against what the OCI runtime-tools validation suite checks (run by hand, see README):
# the default mounts in the config's order with /dev/shm as the config gives it, rootfsPropagation
# and mount propagation options applied, process.user.umask, a soft RLIMIT_NOFILE below the hard one.
# Each assertion failed before its fix.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

# shellcheck source=tests/integration/lib-oci.sh
. "$(dirname "$0")/lib-oci.sh"

# run ID SCRIPT: the container's output (stderr to $work/err); its status in $rc.
run() {
        local id="$1"
        shift
        edit "c['process']['args']=['sh','-c',$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$1")]"
        out="$(cd "$b" && "${O[@]}" run "$id" 2>"$work/err" </dev/null)"
        rc=$?
}

# --- the spec's default mounts, in the config's order; /dev/shm as the config gives it ---------------
fresh_config
edit "c['mounts']=[m for m in c['mounts'] if m['destination']!='/dev/shm']
c['mounts'].insert(3,{'destination':'/dev/shm','type':'tmpfs','source':'shm','options':['nosuid','noexec','nodev','mode=1770','size=16m']})"
run m1 'awk "{print \$5, \$(NF-2), \$(NF-1)}" /proc/self/mountinfo; grep " /dev/shm " /proc/self/mounts'
is "$rc" 0 "default mounts: the container runs"
order="$(echo "$out" | awk '$1 ~ /^\/(proc|dev|dev\/pts|dev\/shm|dev\/mqueue|sys)$/ {print $1}' | tr '\n' ' ')"
is "$order" "/proc /dev /dev/pts /dev/shm /dev/mqueue /sys " "default mounts: mountinfo has them in the config's order (/sys after /dev/mqueue)"
like "$(echo "$out" | awk '$1 == "/dev/shm" {print $2, $3}')" "^tmpfs shm$" "/dev/shm: a tmpfs of source shm, as the config names it"
like "$(echo "$out" | grep '^shm ')" "size=16384k" "/dev/shm: the config's size"
like "$(echo "$out" | grep '^shm ')" "mode=1770" "/dev/shm: the config's mode"

# --- linux.rootfsPropagation and the mounts' propagation options ------------------------------------
fresh_config
edit "c['process']['capabilities']['bounding'].append('CAP_SYS_ADMIN'); c['process']['capabilities']['effective'].append('CAP_SYS_ADMIN')
c['process']['capabilities']['permitted'].append('CAP_SYS_ADMIN'); c['linux'].pop('seccomp', None)"
# The rootfs on a shared mount of the host's, so that a slave has a master to show.
mount --bind "$b/rootfs" "$b/rootfs" && mount --make-shared "$b/rootfs" || bail_out "cannot make the rootfs a shared mount"
defer umount -l "$b/rootfs"
mkdir -p "$work/shared-src"
for mode in shared slave private unbindable; do
        edit "c['linux']['rootfsPropagation']='$mode'"
        run "p-$mode" 'awk "\$5 == \"/\"" /proc/self/mountinfo; mkdir -p /tmp/t; mount --bind / /tmp/t 2>/dev/null && echo bound || echo refused'
        is "$rc" 0 "rootfsPropagation $mode: the container runs"
        case $mode in
        shared) like "$out" " shared:[0-9]+" "rootfsPropagation shared: the root is shared" ;;
        slave)
                like "$out" " master:[0-9]+" "rootfsPropagation slave: the root is a slave"
                unlike "$out" " shared:" "rootfsPropagation slave: the root is not shared"
                ;;
        private) unlike "$out" "shared:|master:|unbindable" "rootfsPropagation private: the root is private" ;;
        unbindable)
                like "$out" " unbindable" "rootfsPropagation unbindable: the root is unbindable"
                like "$out" "refused" "rootfsPropagation unbindable: a bind of / is refused"
                ;;
        esac
done
edit "c['linux'].pop('rootfsPropagation')
c['mounts'].append({'destination':'/data','type':'bind','source':'$work/shared-src','options':['rbind','rshared']})"
run p-mount 'awk "\$5 == \"/data\"" /proc/self/mountinfo'
is "$rc" 0 "a bind with rshared: the container runs"
like "$out" " shared:[0-9]+" "a bind with rshared: the mount is shared"
# As runtime-tools' mounts case: tmpfs options on binds (the kernel ignores them: a warning), each
# propagation mode on tmpfs and binds.
edit "c['mounts'].pop()
c['mounts']+=[{'destination':'/mnt/'+m,'type':'tmpfs','source':'tmpfs','options':['nosuid','mode=755','size=1k',m]} for m in ('shared','slave','private')]
c['mounts']+=[{'destination':'/mnt/b-'+m,'source':'$work/shared-src','options':['nosuid','mode=755','size=1k','bind' if m[0]!='r' else 'rbind',m]} for m in ('shared','rslave','private','runbindable')]"
run p-mounts 'for d in shared slave private b-shared b-rslave b-private b-runbindable; do awk -v d=/mnt/$d "\$5 == d {print d, \$7}" /proc/self/mountinfo; done'
is "$rc" 0 "tmpfs options on binds, every propagation mode: the container runs"
like "$(cat "$work/err")" "has no effect on a bind mount" "tmpfs options on a bind: a warning"
like "$(echo "$out" | tr '\n' ' ')" "^/mnt/shared shared:[0-9]+ /mnt/slave - /mnt/private - /mnt/b-shared shared:[0-9]+ " "tmpfs and bind mounts: shared ones shared, the others not"
like "$out" "/mnt/b-runbindable unbindable" "a bind with runbindable: unbindable"
edit "c['linux']['rootfsPropagation']='bogus'"
out="$("${O[@]}" create --bundle "$b" p-bad 2>&1)"
like "$out" "rootfsPropagation: 'bogus'" "an unknown rootfsPropagation is refused, naming it"
ok "an unknown rootfsPropagation: nothing left behind" test ! -e "$root/p-bad"

# --- process.user.umask ----------------------------------------------------------------------------
fresh_config
edit "c['process']['user']['umask']=0o077"
run u1 'umask; touch /tmp/f; stat -c %a /tmp/f'
is "$rc" 0 "process.user.umask: the container runs"
is "$out" "$(printf '0077\n600')" "process.user.umask: the process has it, and its files"
edit "c['process']['args']=['sleep','1000']"
defer "${O[@]}" delete --force u2
# Its output not ours: $(...) would wait for the container's end.
"${O[@]}" run -d --bundle "$b" u2 </dev/null >>"$work/containers.out" 2>&1
is "$?" 0 "process.user.umask: a detached container runs"
python3 -c "import json; c=json.load(open('$b/config.json')); p=c['process']; p['args']=['sh','-c','umask']; p['user']['umask']=0o027; json.dump(p,open('$work/proc.json','w'))"
is "$("${O[@]}" exec --process "$work/proc.json" u2 2>/dev/null)" "0027" "exec --process: its own process.user.umask"
is "$("${O[@]}" exec u2 sh -c umask 2>/dev/null)" "0077" "exec of a command: the container's umask"
"${O[@]}" delete --force u2 >/dev/null 2>&1

# --- process.rlimits: a soft limit below the hard one ------------------------------------------------
fresh_config
edit "c['process']['rlimits']=[{'type':'RLIMIT_NOFILE','soft':3000,'hard':4000}]"
run r1 'ulimit -Sn; ulimit -Hn'
is "$out" "$(printf '3000\n4000')" "process.rlimits: RLIMIT_NOFILE soft 3000 and hard 4000"

# --- a failing poststart or poststop hook: a warning, and the hooks after it still run ----------------
fresh_config
edit "c['process']['args']=['true']
c['hooks']={k:[{'path':'/bin/false','args':['false']},{'path':'/bin/sh','args':['sh','-c','echo '+k+' >> $work/hooks.out']}] for k in ('poststart','poststop')}"
oci_ok=0
"${O[@]}" create --bundle "$b" h1 </dev/null >>"$work/containers.out" 2>&1 || oci_ok=$?
"${O[@]}" start h1 2>"$work/err" || oci_ok=$?
is "$oci_ok" 0 "a failing poststart hook: create and start succeed"
like "$(cat "$work/err")" "poststart hook /bin/false exited with status 1" "a failing poststart hook: a warning naming it"
wait_until 10 sh -c "[ \"\$(${O[*]} state h1 | jq -r .status)\" = stopped ]"
"${O[@]}" delete h1 2>"$work/err"
is "$?" 0 "a failing poststop hook: delete succeeds"
is "$(cat "$work/hooks.out" 2>/dev/null)" "$(printf 'poststart\npoststop')" "the poststart and poststop hooks after a failing one run"

# --- linux.resources.memory.disableOOMKiller: a warning on cgroup v2 (no such switch), as runc's v2 ------
# (on a hybrid host memory.oom_control: 27-oci-resources.sh reads it back)
fresh_config
edit "c['process']['args']=['true']; c['linux']['resources']={'memory':{'disableOOMKiller':True}}"
run o1 'true'
is "$rc" 0 "disableOOMKiller: the container runs"
if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
        like "$(cat "$work/err")" "disableOOMKiller has no effect: cgroup v2" "disableOOMKiller: a warning naming it on cgroup v2"
else
        unlike "$(cat "$work/err")" "disableOOMKiller" "disableOOMKiller: no warning on a hybrid host (memory.oom_control)"
fi

# --- a user namespace in the host's cgroup namespace (runtime-tools' linux_uid_mappings): runs --------
fresh_config
cp -a "$b/rootfs" "$work/rootfs-shifted" && chown -R 300000:300000 "$work/rootfs-shifted" ||
        bail_out "cannot prepare a rootfs owned by the mapped root"
edit "c['root']={'path':'$work/rootfs-shifted'}
c['linux']['namespaces']=[n for n in c['linux']['namespaces'] if n['type']!='cgroup']+[{'type':'user'}]
c['linux']['uidMappings']=[{'containerID':0,'hostID':300000,'size':65536}]
c['linux']['gidMappings']=[{'containerID':0,'hostID':300000,'size':65536}]"
run n1 'id -u; ls /sys/fs/cgroup | wc -l'
is "$rc" 0 "a user namespace without a cgroup namespace: the container runs"
[ "$rc" = 0 ] || diag "$(cat "$work/err")"
like "$out" "^0" "a user namespace without a cgroup namespace: the process is root of its namespace"

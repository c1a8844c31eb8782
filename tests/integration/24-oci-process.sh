#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# dray-oci: what config.json's process and mounts become inside the container (issue 17): user and
# additional groups, capabilities, rlimits, noNewPrivileges both ways, oomScoreAdj, a read-only root,
# tmpfs and bind mounts with ro/noexec, masked paths of the config's own; the terminal sent over
# --console-socket as runc sends it; --preserve-fds; exec --process with an OCI process object.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

# shellcheck source=tests/integration/lib-oci.sh
. "$(dirname "$0")/lib-oci.sh"
mkdir -p "$work/data"
echo data > "$work/data/f"
# run_sh SCRIPT: runs it as the container's process with the current config, prints its output.
run_sh() {
        edit "c['process']['args']=['sh','-c',$(printf '%s' "$1" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))')]"
        (cd "$b" && "${O[@]}" run "p$RANDOM" 2>"$work/run.err")
}

# --- process --------------------------------------------------------------------------------------
fresh_config
edit "c['process']['user']={'uid':1000,'gid':1000,'additionalGids':[5,20]}
c['process']['rlimits']=[{'type':'RLIMIT_NOFILE','soft':123,'hard':456}]
c['process']['oomScoreAdj']=321
c['process']['noNewPrivileges']=True"
out="$(run_sh 'id -u; id -G; ulimit -n; ulimit -Hn; cat /proc/self/oom_score_adj; grep ^NoNewPrivs /proc/self/status; grep ^CapEff /proc/self/status')"
is "$(echo "$out" | sed -n 1p)" 1000 "process.user.uid"
is "$(echo "$out" | sed -n 2p)" "1000 5 20" "process.user.gid and additionalGids"
is "$(echo "$out" | sed -n 3p)" 123 "the soft RLIMIT_NOFILE"
is "$(echo "$out" | sed -n 4p)" 456 "the hard RLIMIT_NOFILE"
is "$(echo "$out" | sed -n 5p)" 321 "oomScoreAdj"
like "$(echo "$out" | sed -n 6p)" "1$" "noNewPrivileges true"
like "$(echo "$out" | sed -n 7p)" "0000000000000000$" "a non-root process has no effective capabilities"
like "$(cat "$work/run.err")" "not kept: CAP_AUDIT_WRITE CAP_KILL CAP_NET_BIND_SERVICE" "which is said, naming them"

fresh_config
edit "c['process']['noNewPrivileges']=False
c['process']['capabilities']={k:['CAP_KILL','CAP_SETUID'] for k in ['bounding','effective','permitted']}
c['linux']['seccomp']={'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['sethostname'],'action':'SCMP_ACT_ERRNO','errnoRet':1}]}"
out="$(run_sh 'grep ^NoNewPrivs /proc/self/status; grep ^CapBnd /proc/self/status; hostname foo 2>&1; echo rc=$?')"
like "$out" "NoNewPrivs:.0" "noNewPrivileges false: no no_new_privs (the filter loaded while still root)"
like "$out" "CapBnd:.00000000000000a0" "the bounding set is process.capabilities.bounding"
like "$out" "rc=1" "the config's seccomp filter applies"

# --- root and mounts -------------------------------------------------------------------------------
fresh_config
edit "c['root']['readonly']=True
c['mounts'].append({'destination':'/data','type':'bind','source':'$work/data','options':['rbind','ro']})
c['mounts'].append({'destination':'/scratch','type':'tmpfs','source':'tmpfs','options':['size=8m','noexec']})
c['linux']['maskedPaths']=['/proc/version']
c['linux']['readonlyPaths']=[]"
out="$(run_sh 'touch /x 2>/dev/null && echo root-rw || echo root-ro; cat /data/f; touch /data/g 2>/dev/null && echo data-rw || echo data-ro
cp /bin/busybox /scratch/bb && /scratch/bb true 2>/dev/null && echo scratch-exec || echo scratch-noexec
# /proc files show size 0: read a byte. A masked file is /dev/null bound on top.
[ -n "$(head -c 1 /proc/version)" ] && echo version-open || echo version-masked
[ -n "$(head -c 1 /proc/timer_list)" ] && echo timer_list-open || echo timer_list-masked')"
like "$out" "root-ro" "root.readonly"
like "$out" "data" "a bind mount"
like "$out" "data-ro" "its ro option"
like "$out" "scratch-noexec" "a tmpfs mount's noexec option"
like "$out" "version-masked" "the config's maskedPaths are masked"
like "$out" "timer_list-open" "and they replace Docker's list"

# --- --console-socket: the pty master arrives as runc sends it --------------------------------------
fresh_config
edit "c['process']['terminal']=True; c['process']['args']=['sh','-c','tty; echo tty-ok']"
cat > "$work/console.py" <<'PY'
import array, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(1)
print("listening", flush=True)
c, _ = s.accept()
fds = array.array("i")
msg, anc, _, _ = c.recvmsg(64, socket.CMSG_SPACE(fds.itemsize))
for level, kind, data in anc:
    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
        fds.frombytes(data[:fds.itemsize])
out = b""
while True:
    try:
        d = os.read(fds[0], 1024)
    except OSError:
        break
    if not d:
        break
    out += d
    if b"tty-ok" in out:
        break
print(msg.decode(), out.decode(errors="replace").replace("\r", ""), flush=True)
PY
coproc CONSOLE { python3 "$work/console.py" "$work/console.sock"; }
read -r -t 10 line <&"${CONSOLE[0]}"
is "$line" listening "the console socket listens"
defer gone t1
ok "create with --console-socket" sh -c "${O[*]} create --bundle '$b' --console-socket '$work/console.sock' t1 </dev/null >/dev/null 2>&1"
ok "start" "${O[@]}" start t1
out="$(timeout 10 cat <&"${CONSOLE[0]}")"
like "$out" "/dev/ptmx" "the message names the terminal, as runc's"
like "$out" "/dev/pts/0" "the process's stdio is a terminal of the container's devpts"
like "$out" "tty-ok" "its output came through the master"

# --- --preserve-fds, exec --process -----------------------------------------------------------------
fresh_config
edit "c['process']['args']=['sh','-c','cat <&3; echo; readlink /proc/self/fd/4 || echo no-fd-4']"
echo through-fd-3 > "$work/fd3"
out="$(cd "$b" && "${O[@]}" run --preserve-fds 1 pf1 3<"$work/fd3" 4<"$work/fd3" 2>&1)"
like "$out" "through-fd-3" "--preserve-fds 1 passes fd 3"
like "$out" "no-fd-4" "and no fd beyond it"

fresh_config
edit "c['process']['args']=['sleep','1000']"
defer gone e1
ok "create and start e1" sh -c "${O[*]} create --bundle '$b' e1 </dev/null >/dev/null 2>&1 && ${O[*]} start e1"
cat > "$work/process.json" <<'JSON'
{"args": ["sh", "-c", "echo $GREETING; id -u; pwd"], "env": ["GREETING=hello-process", "PATH=/bin"],
 "cwd": "/tmp", "user": {"uid": 65534, "gid": 65534}, "terminal": false}
JSON
out="$("${O[@]}" exec --process "$work/process.json" e1 2>&1)"
is "$out" "hello-process
65534
/tmp" "exec --process runs the OCI process object"
echo '{"args": [], "cwd": "/"}' > "$work/bad.json"
fails "exec --process without args is refused" "${O[@]}" exec --process "$work/bad.json" e1
ok "exec --detach --pid-file" sh -c "${O[*]} exec --detach --pid-file '$work/exec.pid' e1 sleep 100 </dev/null >/dev/null 2>&1"
ok "the pid file names a process of the container" sh -c "${O[*]} ps e1 | grep -qx \"\$(cat '$work/exec.pid')\""
ok "delete --force" "${O[@]}" delete --force e1

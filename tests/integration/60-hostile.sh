#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A hostile payload inside a default container: each attack either fails or is contained, and the
# test says which and by what (the errno tells: EPERM from seccomp or the device cgroup, EROFS from a
# read-only mount, ENODATA from a masked file, ESRCH from the pid namespace). The payload is
# tests/helpers/hostile.c, compiled -static here and copied into a busybox root. Runs inside the
# sandbox (tools/test-all, or: tools/sandbox exec -- bash tests/integration/60-hostile.sh).
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require busctl cc

plan 34
setup_dray_test
cc -static -O2 -D_GNU_SOURCE -o "$rootfs/bin/hostile" "$REPO_ROOT/tests/helpers/hostile.c" ||
        bail_out "cannot build the static hostile helper"
mkdir -p "$rootfs/mnt"

# blocked VERB [ARG] [-- DRAY-OPTIONS...]: the attack fails; the errno it got is shown.
blocked() {
        local verb="$1" out rc=0; shift
        local args=()
        while [ $# -gt 0 ] && [ "$1" != -- ]; do args+=("$1"); shift; done
        [ "${1:-}" = -- ] && shift
        out="$(dray run --rm --rootfs "${ROOT:-$rootfs}" "$@" hostile "$verb" "${args[@]}" 2>&1)" || rc=$?
        local desc="$verb${args[*]:+ ${args[*]}}${*:+ ($*)}"
        if [ "$rc" -eq 0 ] && grep -q "^BLOCKED $verb: " <<< "$out"; then
                pass "$desc fails: ${out#BLOCKED $verb: }"
        else
                fail "$desc fails" "exit status $rc" "$out"
        fi
}

# --- the kernel's attack surface: seccomp answers EPERM -------------------------------------------

for verb in keyctl add_key request_key bpf perf_event_open kexec_load open_by_handle_at mount umount2 \
            unshare-user clone-user iopl userfaultfd; do
        blocked "$verb"
done
blocked setns
blocked ptrace 1
blocked ptrace 99999
# The same inside a user namespace of its own (on a tmpfs, which has idmapped mounts: drayd does not
# chown a tree into the range).
mkdir -p "$work/utmp" && mount -t tmpfs tmpfs "$work/utmp" || bail_out "cannot mount a tmpfs"
defer umount -l "$work/utmp"
uroot="$work/utmp/uroot"
"$REPO_ROOT/tools/make-rootfs" "$uroot" >/dev/null && cp "$rootfs/bin/hostile" "$uroot/bin/" && mkdir -p "$uroot/mnt"
for verb in unshare-user mount keyctl; do
        ROOT="$uroot" blocked "$verb" -- --userns=auto
done

# --- the host's knobs: read-only, masked, device cgroup -------------------------------------------

blocked sysrq
blocked sys-write
blocked proc-sys-write
blocked kcore
blocked keys
blocked mknod

# --- resources: contained by the scope's limits ----------------------------------------------------

# Without the controller a fork bomb or a memory hog would take the host's resources: not run.
if controlled pids "a fork bomb against --pids-limit 64 is contained"; then
        out="$(dray run --rm --rootfs "$rootfs" --pids-limit 64 hostile forkbomb 2>&1)"
        like "$out" '^CONTAINED forkbomb: fork failed after [0-9]+ children' "a fork bomb against --pids-limit 64 is contained"
        n="$(printf '%s\n' "$out" | sed -n 's/.*after \([0-9]*\) children.*/\1/p')"
        [ "${n:-999}" -le 64 ] && pass "it got at most 64 processes ($n)" || fail "it got at most 64 processes" "$out"
else
        skip "it got at most 64 processes" "no pids controller in this cgroup layout"
fi
ok "the host still forks afterwards" sh -c 'true & wait'

name="$(unique_name hog)"
defer dray rm -f "$name"
if controlled memory "a memory hog starts with --memory 32m"; then
        ok "a memory hog starts with --memory 32m" dray run -d --name "$name" --rootfs "$rootfs" --memory 32m hostile memhog
        wait_until 30 sh -c "[ \"\$(dray inspect -f '{{.State}}' '$name')\" = exited ]"
        is "$(dray inspect -f '{{.State}}' "$name")" exited "the memory hog was stopped"
        is "$(dray inspect -f '{{.ExitStatus}}' "$name")" 137 "by SIGKILL (exit status 137)"
        is "$(dray inspect -f '{{.OOMKilled}}' "$name")" true "and recorded as OOM-killed (OOMKilled property)"
        like "$(journalctl -u drayd --no-pager -o cat 2>/dev/null | grep "$name" | tail -3)" 'out of memory' \
                "drayd logs the exit as out of memory"
else
        for d in "the memory hog was stopped" "by SIGKILL (exit status 137)" \
                 "and recorded as OOM-killed (OOMKilled property)" "drayd logs the exit as out of memory"; do
                skip "$d" "no memory controller in this cgroup layout"
        done
fi

out="$(dray run --rm --rootfs "$rootfs" --tmpfs /fill:size=1m hostile diskfill /fill/x 2>&1)"
like "$out" '^CONTAINED diskfill: ENOSPC after 10[0-9][0-9] KiB' "a disk filler in --tmpfs /fill:size=1m stops at 1 MiB (ENOSPC)"

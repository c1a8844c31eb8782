#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Docker habits around a container's life: --init is accepted and dray's own init reaps the zombies
# a payload leaves (an orphan that exits is gone, not <defunct>); anonymous volumes (-v /path) are
# removed by rm -v and by --rm, named ones never, and one another container still mounts stays;
# docker's tmpfs volumes (--opt type=tmpfs --opt device=tmpfs --opt o=size=…,uid=…): a tmpfs with
# those options, shared by the containers that mount it, unmounted with the volume.
# Runs inside the sandbox (tools/test-all, or: tools/sandbox exec -- bash tests/integration/33-init-volumes.sh).
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require jq

plan 27
setup_dray_test

# zombies_in PID: the processes in the pid namespace of host PID that are zombies (state Z).
zombies_in() {
        local ns p n=0
        ns="$(readlink "/proc/$1/ns/pid")" || return 1
        for p in /proc/[0-9]*; do
                [ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$ns" ] || continue
                grep -q '^State:[[:space:]]*Z' "$p/status" 2>/dev/null && n=$((n + 1))
        done
        echo "$n"
}
# in_ns PID: how many processes are in the pid namespace of host PID.
in_ns() {
        local ns p n=0
        ns="$(readlink "/proc/$1/ns/pid")" || return 1
        for p in /proc/[0-9]*; do
                [ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$ns" ] && n=$((n + 1))
        done
        echo "$n"
}

# --- --init: the zombies are reaped -------------------------------------------------------------

c="$(unique_name init)"
track "$c"
# The inner sh forks five short sleeps and exits at once: they are orphans, reparented to PID 1 of
# the container, and become zombies when they end unless PID 1 reaps them.
ok "run --init is accepted" dray run -d --init --name "$c" --rootfs "$rootfs" \
        sh -c 'sh -c "for i in 1 2 3 4 5; do sleep 1 & done"; exec sleep 1000'
wait_until 10 state_is "$c" running
pid="$(dray inspect -f '{{.State.Pid}}' "$c")"
# Bounded wait: the sleeps end after a second; then only the init and the payload's sleep are left.
only_two() { [ "$(in_ns "$pid")" = 2 ]; }
wait_until 20 only_two || diag "processes still there: $(in_ns "$pid")"
is "$(in_ns "$pid")" 2 "the orphans ended and are gone: only the init and the payload are left"
is "$(zombies_in "$pid")" 0 "  no zombie among them"
is "$(dray inspect -f '{{.HostConfig.Init}}' "$c")" true "inspect: HostConfig.Init is true"
ok "the container stops with its stop signal, forwarded by the init" dray stop -t 10 "$c"

# --- rm -v and --rm remove anonymous volumes -----------------------------------------------------

named="n$$-$RANDOM"
defer dray volume rm -f "$named"
a="$(unique_name anon)"
ok "a container with an anonymous and a named volume" \
        dray create --name "$a" -v /data -v "$named:/named" --rootfs "$rootfs" true
anon="$(dray inspect -f '{{range .Mounts}}{{if eq .Destination "/data"}}{{.Name}}{{end}}{{end}}' "$a")"
is "$(dray volume inspect -f '{{.Anonymous}}' "$anon" 2>&1)" true "-v /data made an anonymous volume"
b="$(unique_name share)"
ok "another container mounts it through --volumes-from" dray create --name "$b" --volumes-from "$a" --rootfs "$rootfs" true
ok "rm -v removes the first container" dray rm -v "$a"
is "$(dray volume ls -q | grep -cx -- "$anon")" 1 "  its anonymous volume stays while the other container mounts it"
ok "rm -v the second" dray rm -v "$b"
is "$(dray volume ls -q | grep -cx -- "$anon")" 0 "  now the anonymous volume is gone"
is "$(dray volume ls -q | grep -cx -- "$named")" 1 "  the named volume always stays"

before="$(dray volume ls -q | sort)"
dray run --rm -v /scratch --rootfs "$rootfs" true
# drayd removes an AutoRemove container (and its volumes) once it ended: bounded wait.
same_volumes() { [ "$(dray volume ls -q | sort)" = "$before" ]; }
wait_until 20 same_volumes
is "$(dray volume ls -q | sort)" "$before" "run --rm -v /scratch leaves no volume behind"

# --- tmpfs volumes -------------------------------------------------------------------------------

tv="t$$-$RANDOM"
defer dray volume rm -f "$tv"
ok "volume create --opt type=tmpfs --opt device=tmpfs --opt o=size=64m,uid=1000" \
        dray volume create --opt type=tmpfs --opt device=tmpfs --opt o=size=64m,uid=1000 "$tv"
mp="$(dray volume inspect -f '{{.Mountpoint}}' "$tv")"
is "$(findmnt -n -o FSTYPE,OPTIONS "$mp" | grep -o '^tmpfs\|size=65536k\|uid=1000' | tr '\n' ' ')" "tmpfs size=65536k uid=1000 " \
        "a tmpfs with the options is mounted on the volume's directory"
is "$(stat -c %u "$mp")" 1000 "  its root belongs to uid 1000"
is "$(dray volume inspect -f '{{.Options.type}} {{.Options.o}}' "$tv")" "tmpfs size=64m,uid=1000" "inspect shows the options"
ok "a container writes to it" dray run --rm -v "$tv:/cache" --rootfs "$rootfs" sh -c 'echo hello > /cache/f'
is "$(dray run --rm -v "$tv:/c" --rootfs "$rootfs" cat /c/f)" hello "another container reads it"
ok "drayd restarts" systemctl restart drayd
wait_until 20 drayd_ready
is "$(cat "$mp/f" 2>&1)" hello "  the tmpfs and its files are still there (mounted once, not again over them)"
# The --rm containers above may still be on their way out (drayd removes them once they ended).
wait_until 20 dray volume rm "$tv"
is "$(dray volume ls -q | grep -cx -- "$tv")" 0 "volume rm"
is "$(findmnt -n "$mp" | wc -l)" 0 "  the tmpfs is unmounted"
one_line() { local out rc=0; out="$("$@" 2>&1)" || rc=$?; [ "$rc" -ne 0 ] && [ "$(wc -l <<< "$out")" = 1 ] && echo "$out"; }
like "$(one_line dray volume create --opt type=nfs --opt o=addr=127.0.0.1 "x$tv")" "type=tmpfs only" \
        "another type is refused"
like "$(one_line dray volume create --opt type=tmpfs --opt o=exec "x$tv")" "o= takes tmpfs options" \
        "an unknown tmpfs option is refused"
is "$(dray volume ls -q | grep -c "^x$tv\$")" 0 "  and no volume was made"

#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# dray events: a container's life in order (create, start, pause, unpause, kill, die with its exit
# code, stop, destroy) read back from the journal with --since; a listener started half-way prints
# the past from the journal and the rest live, each event once; --until cuts; filters by type,
# event and container; Docker's time forms; volume and network events; the journal fields other
# tools match on; errors.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require journalctl

plan 16
setup_dray_test

t0="$(date +%s.%N)"
c="$(unique_name ev)"
track "$c"
dray run -d --name "$c" --rootfs "$rootfs" sleep 3600 >/dev/null
dray pause "$c" >/dev/null
dray unpause "$c" >/dev/null
dray stop -t 5 "$c" >/dev/null
dray rm "$c" >/dev/null
vol="$(unique_name vol)"
dray volume create "$vol" >/dev/null
dray volume rm "$vol" >/dev/null

net="$(unique_name net)"
defer sh -c 'dray network rm "$1" >/dev/null 2>&1; true' - "$net"
nc="$(unique_name evnet)"
track "$nc"
dray network create "$net" >/dev/null
dray create --name "$nc" --rootfs "$rootfs" true >/dev/null
dray network connect "$net" "$nc"
dray network disconnect "$net" "$nc"
dray network rm "$net" >/dev/null
img="ev-$TEST_NAME-$$:1"
tar -C "$rootfs" -cf "$work/root.tar" . && dray image import "$work/root.tar" "$img" >/dev/null 2>&1
dray tag "$img" "$img-b" >/dev/null
dray rmi "$img-b" >/dev/null
dray rmi "$img" >/dev/null

past() { dray events --since "$t0" --until 0s "$@"; }
is "$(past --filter container="$c" --format '{{.Action}}' | tr '\n' ' ')" \
        "create start pause unpause kill die stop destroy " "a container's life, in order, from the journal"
like "$(past --filter container="$c" --filter event=die --format '{{.Actor.Attributes.exitCode}} {{.Actor.Attributes.name}}')" \
        "^143 $c$" "die carries the exit code (SIGTERM: 143) and the name"
line="$(past --filter container="$c" --filter event=kill)"
like "$line" "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z container kill [0-9a-f]{64} \\(image=.*, name=$c, signal=15\\)$" \
        "docker's line: time, type, action, ID, attributes"
is "$(past --filter type=volume --filter volume="$vol" --format '{{.Type}} {{.Action}} {{.Actor.ID}}' | tr '\n' ' ')" \
        "volume create $vol volume destroy $vol " "volume events"
is "$(past --filter network="$net" --format '{{.Action}}' | tr '\n' ' ')" "create connect disconnect destroy " \
        "network events, in order"
like "$(past --filter type=image --format '{{.Action}} {{.Actor.Attributes.name}}' | grep "$img" | tr '\n' ' ')" \
        "^import docker.io/library/$img tag docker.io/library/$img-b untag docker.io/library/$img-b delete " \
        "image events: import, tag, untag, delete"
like "$(past --filter container="$c" --filter event=start --format json)" \
        '^\{"Type":"container","Action":"start","Actor":\{"ID":"[0-9a-f]{64}","Attributes":\{.*\}\},.*"timeNano":[0-9]+\}$' \
        "--format json: one object per line, docker's fields"

# --until cuts at the pause (its own time stamp, in unix seconds with a fraction).
ns="$(past --filter container="$c" --filter event=pause --format '{{.timeNano}}')"
until="$((ns / 1000000000)).$(printf %09d "$((ns % 1000000000))")"
is "$(dray events --since "$t0" --until "$until" --filter container="$c" --format '{{.Action}}' | tr '\n' ' ')" \
        "create start pause " "--until stops at the time given"
rfc="$(date -u -d "@${t0%.*}" +%Y-%m-%dT%H:%M:%SZ)"
is "$(dray events --since "$rfc" --until 0s --filter container="$c" --format '{{.Action}}' | wc -l)" 8 \
        "--since takes RFC 3339"

# A listener from the past into the present: the journal first, then live, nothing twice.
c2="$(unique_name ev2)"
track "$c2"
out="$work/events.out"
dray create --name "$c2" --rootfs "$rootfs" sleep 3600 >/dev/null
dray events --since "$t0" --filter container="$c2" --format '{{.Action}}' > "$out" 2>&1 &
listener=$!
defer sh -c 'kill "$1" 2>/dev/null; true' - "$listener"
wait_until 10 grep -qx create "$out" || diag "the listener printed: $(cat "$out")"
dray start "$c2" >/dev/null
dray kill "$c2" >/dev/null
dray wait "$c2" >/dev/null # the kill is asynchronous: rm of a running container would refuse
dray rm "$c2" >/dev/null
wait_until 10 grep -qx destroy "$out" && pass "the listener saw the container removed" ||
        fail "the listener saw the container removed" "$(cat "$out")"
is "$(tr '\n' ' ' < "$out")" "create start kill die destroy " "past and live events, in order, each once"
is "$(dray events --since "$t0" --until 0s --filter container="$c2" --filter container="$c" --format '{{.Action}}' | wc -l)" 13 \
        "two container filters: either one"

# Other clients: the journal fields are a contract of their own.
like "$(journalctl -q --since "@${t0%.*}" DRAY_EVENT_TYPE=container DRAY_EVENT_ACTION=pause DRAY_EVENT_NAME="$c" -o cat)" \
        "^Container $c: pause\\.$" "journalctl finds an event by its fields"
like "$(journalctl -q -u "dray-$c.scope" --since "@${t0%.*}" -o cat)" "Container $c: unpause\\." \
        "container events are in its unit's journal too"

like "$(dray events --filter colour=red 2>&1)" "Unknown --filter key 'colour'" "an unknown filter key is an error naming it"
status_is 125 "a bad time is a usage error" dray events --since yesterday-ish

#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Output for scripts: --format on ps, images, image history, network ls/inspect, volume ls/inspect
# (table, json, 'table TEMPLATE', TEMPLATE), and dray inspect's docker-shaped document read the way
# common docker scripts read it: {{.State.Status}}, {{.NetworkSettings.IPAddress}},
# {{range .Mounts}}…{{end}}, {{json .Config.Labels}}; bad templates are one-line errors naming the
# template and the position, and nothing runs.
# Runs inside the sandbox (tools/test-all, or: tools/sandbox exec -- bash tests/integration/32-format.sh).
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require jq

plan 45
setup_dray_test

one_line_error() {
        local desc="$1" regex="$2" err rc=0; shift 2
        err="$("$@" 2>&1 >/dev/null)" || rc=$?
        if [ "$rc" -ne 0 ] && [ "$(printf '%s\n' "$err" | wc -l)" = 1 ] && grep -Eq -- "$regex" <<< "$err"; then
                pass "$desc"
        else
                fail "$desc" "exit status: $rc" "stderr: $err" "expected one line matching /$regex/"
        fi
}

c="$(unique_name f)"
net="n$$-$RANDOM"
vol="v$$-$RANDOM"
defer dray network rm "$net"
defer dray volume rm -f "$vol"
track "$c" # removed first: the network and the volume are in use until then
mkdir -p "$work/bind"
ok "a network" dray network create "$net"
ok "a volume" dray volume create --label role=data "$vol"
ok "a container on it, with a bind mount, a volume, a tmpfs, labels, a port and limits" \
        dray run -d --name "$c" --network "$net" --network-alias www -v "$work/bind:/b:ro" -v "$vol:/v" --tmpfs /scratch \
        --label tier=web --label 'note=a b' -p 127.0.0.1::80 -m 64m --pids-limit 40 --cpus 0.5 \
        --restart on-failure:2 --stop-signal SIGINT --workdir /tmp -e X=1 --rootfs "$rootfs" sleep 1000
wait_until 10 state_is "$c" running

# --- inspect: docker's document ------------------------------------------------------------------

is "$(dray inspect -f '{{.State.Status}}' "$c")" running "inspect -f '{{.State.Status}}'"
is "$(dray inspect -f '{{.State}}' "$c")" running "  and '{{.State}}' still prints the state word"
is "$(dray inspect -f '{{.State.Running}} {{.State.Paused}} {{.State.ExitCode}}' "$c")" "true false 0" \
        "  State.Running, Paused, ExitCode"
is "$(dray inspect -f '{{.State.Pid}}' "$c")" "$(dray inspect -f '{{.Pid}}' "$c")" "  State.Pid is the container's Pid"
ip="$(dray inspect -f '{{.NetworkSettings.IPAddress}}' "$c")"
like "$ip" '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$' "{{.NetworkSettings.IPAddress}} is an IPv4 address"
is "$(dray inspect -f "{{(index .NetworkSettings.Networks \"$net\").IPAddress}}" "$c")" "$ip" \
        "  the same under NetworkSettings.Networks.NAME"
gw="$(dray network inspect -f '{{.Gateway}}' "$net")"
is "$(dray inspect -f '{{range .NetworkSettings.Networks}}{{.Gateway}}/{{.IPPrefixLen}}{{end}}' "$c")" "$gw/16" \
        "  with the network's gateway and prefix length"
is "$(dray inspect -f '{{range .NetworkSettings.Networks}}{{json .Aliases}} {{json .DNSNames}}{{end}}' "$c")" \
        "[\"www\"] [\"$c\",\"www\"]" "  its aliases, and the names its peers resolve"
mac="$(dray exec "$c" cat /sys/class/net/eth0/address 2>/dev/null)"
is "$(dray inspect -f '{{.NetworkSettings.MacAddress}}' "$c")" "$mac" "  MacAddress is the interface's, as the container sees it"
is "$(dray inspect -f '{{range .Mounts}}{{.Type}}:{{.Destination}}:{{.RW}} {{end}}' "$c")" \
        "bind:/b:false volume:/v:true tmpfs:/scratch:true " "{{range .Mounts}} lists bind, volume and tmpfs"
is "$(dray inspect -f '{{range .Mounts}}{{if eq .Type "volume"}}{{.Name}} {{.Source}}{{end}}{{end}}' "$c")" \
        "$vol $(dray volume inspect -f '{{.Mountpoint}}' "$vol")" "  the volume's Source is its mount point"
is "$(dray inspect -f '{{json .Config.Labels}}' "$c")" '{"tier":"web","note":"a b"}' "{{json .Config.Labels}}"
is "$(dray inspect -f '{{index .Config.Labels "note"}}|{{index .Config.Labels "none"}}|' "$c")" "a b||" \
        "{{index .Config.Labels KEY}}, empty for a missing key as in docker"
is "$(dray inspect -f '{{.Config.WorkingDir}} {{.Config.StopSignal}} {{.Path}} {{json .Args}}' "$c")" \
        '/tmp SIGINT sleep ["1000"]' "Config.WorkingDir, StopSignal, Path and Args"
is "$(dray inspect -f '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.NanoCpus}}' "$c")" \
        "67108864 40 500000000" "HostConfig.Memory, PidsLimit and NanoCpus"
is "$(dray inspect -f '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}' "$c")" \
        "on-failure:2" "HostConfig.RestartPolicy"
hp="$(dray inspect -f '{{(index (index .NetworkSettings.Ports "80/tcp") 0).HostPort}}' "$c")"
like "$hp" '^[0-9]+$' "NetworkSettings.Ports[80/tcp] has the host port"
like "$(dray port "$c")" "127.0.0.1:$hp" "  the one dray port shows"
is "$(dray inspect -f '{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}' "$c")" "note=a b;tier=web;" \
        "range with variables over a map, in key order"
like "$(dray inspect -f '{{.Created}}' "$c")" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$' "Created is an RFC 3339 time"
is "$(dray inspect "$c" | jq -r '.[0].State.Status + " " + .[0].Name + " " + (.[0].Config.Env | map(select(. == "X=1")) | .[0])')" \
        "running $c X=1" "the JSON has the same document"
is "$(dray inspect -f '{{.MemoryMax}} {{.TasksMax}} {{.Name}}' "$c")" "67108864 40 $c" "dray's own properties are still there"
is "$(dray inspect -f '{{if .State.Health}}health{{else}}none{{end}}' "$c")" none "{{if}} on a field that is not there is false"

# --- ps --format ---------------------------------------------------------------------------------

id="$(dray inspect -f '{{.Id}}' "$c")"
is "$(dray ps --format '{{.ID}} {{.Names}} {{.State}}' | grep -- " $c ")" "${id:0:12} $c running" \
        "ps --format '{{.ID}} {{.Names}} {{.State}}'"
out="$(dray ps --format 'table {{.ID}}\t{{.Names}}\t{{.Status}}')"
like "$(head -1 <<< "$out")" '^CONTAINER ID +NAMES +STATUS$' "ps --format 'table …': docker's header"
like "$out" "${id:0:12} +$c +Up" "  and aligned rows"
is "$(dray ps --format '{{json .}}' | jq -r --arg n "$c" 'select(.Names == $n) | .Id')" "$id" \
        "ps --format '{{json .}}': one JSON object per line"
is "$(dray ps --format json | jq -r --arg n "$c" '.[] | select(.Name == $n) | .Id')" "$id" "ps --format json is unchanged"
like "$(dray ps --format '{{.CreatedAt}}|{{.RunningFor}}' | head -1)" '^20[0-9-]+ [0-9:]+ \+0000 UTC\|.* ago$' \
        "ps templates: docker's CreatedAt and RunningFor"
is "$(dray ps --format table | head -1 | tr -s ' ')" "CONTAINER ID IMAGE COMMAND CREATED STATUS PORTS NAMES" \
        "ps --format table is the default table"

# --- the other listings --------------------------------------------------------------------------

is "$(dray network ls --format '{{.Name}} {{.Driver}}' | grep -- "^$net ")" "$net bridge" "network ls --format TEMPLATE"
like "$(dray network ls --format 'table {{.Name}}\t{{.Subnet}}')" "^NAME +SUBNET" "network ls --format 'table …'"
is "$(dray network ls --format json | jq -r --arg n "$net" '.[] | select(.Name == $n) | .Driver')" bridge "network ls --format json"
is "$(dray volume ls --format '{{.Name}} {{index .Labels "role"}}' | grep -- "^$vol ")" "$vol data" "volume ls --format TEMPLATE"
like "$(dray volume ls --format 'table {{.Name}}\t{{.Driver}}')" "^VOLUME NAME +DRIVER" "volume ls --format 'table …'"
is "$(dray volume inspect --format '{{.Name}} {{.Driver}}' "$vol")" "$vol local" "volume inspect --format"
is "$(dray network inspect --format '{{.Name}}' "$net")" "$net" "network inspect --format"

# --- errors --------------------------------------------------------------------------------------

one_line_error "an unclosed action: the template and the position" \
        "Invalid --format template '\{\{.Names': position 1: unclosed action" dray ps --format '{{.Names'
status_is 125 "  usage status 125" dray ps --format '{{.Names'
one_line_error "an unknown function is named" "function 'bogus' not defined" dray inspect -f '{{bogus .Id}}' "$c"
one_line_error "a missing field: no such property, named" "no such property '.Nope'" dray inspect -f '{{.Nope}}' "$c"
one_line_error "range over a string is refused at run time" "position 3: range can't iterate over a string" \
        dray inspect -f '{{range .Name}}x{{end}}' "$c"

#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The CLI as Docker users type it (issue 9): options after operands in every verb, the payload's
# arguments left alone, no abbreviated long options, errors naming the nested verb as typed,
# image inspect --format, Docker's container names (and how they map to machined and the host
# name), and inspect showing the limits the unit has now.
# shellcheck disable=SC2016 # the payloads' scripts are single-quoted on purpose
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require busctl systemctl machinectl jq tar timeout
setup_dray_test

gone() { dray rm -f "$@" >/dev/null 2>&1 || true; }
# one_line_error DESC REGEX CMD...: CMD fails with exactly one line on stderr, matching REGEX.
one_line_error() {
        local desc="$1" regex="$2" err rc=0; shift 2
        err="$("$@" 2>&1 >/dev/null)" || rc=$?
        if [ "$rc" -ne 0 ] && [ "$(printf '%s\n' "$err" | wc -l)" = 1 ] && grep -Eq -- "$regex" <<< "$err"; then
                pass "$desc"
        else
                fail "$desc" "exit status: $rc" "stderr: $err" "expected one line matching /$regex/"
        fi
}

# --- options after operands ----------------------------------------------------------------------

a="$(unique_name a)"; b="$(unique_name b)"
defer gone "$a" "$b"
ok "two running containers" dray run -d --name "$a" --rootfs "$rootfs" sleep 600
ok "  (the second)" dray run -d --name "$b" --rootfs "$rootfs" sleep 600
out="$(dray rm "$a" "$b" -f 2>&1)"
is "$?" 0 "dray rm a b -f: -f after the operands is an option"
fails "  and both are gone" sh -c "dray inspect '$a' || dray inspect '$b'"

net="n$RANDOM$$"
defer sh -c "dray network rm '$net' || true"
ok "dray network create NAME --subnet CIDR" dray network create "$net" --subnet 10.231.7.0/24
like "$(dray network inspect "$net" | jq -r '.[0].Subnet // .[0].Subnets // empty' 2>/dev/null)$(dray network ls | grep -w "$net")" \
        '10\.231\.7\.0/24' "and the network has that subnet"
ok "dray network rm NAME" dray network rm "$net"

img="localhost/t31-$RANDOM$$:1"
defer dray image rm -f "$img"
tar -C "$rootfs" -cf "$work/root.tar" .
ok "an image to save" dray image import "$work/root.tar" "$img"
ok "dray image save IMG -o FILE" dray image save "$img" -o "$work/saved.tar"
ok "  the file is an archive" tar -tf "$work/saved.tar"
ok "dray image rm IMG -f" dray image rm "$img" -f
ok "  (again, for the tests below)" dray image import "$work/root.tar" "$img"

# --- the payload's arguments are the payload's ----------------------------------------------------

is "$(dray run --rm --rootfs "$rootfs" sh -c 'echo "$@"' sh --rm -f --name x 2>&1)" "--rm -f --name x" \
        "after --rootfs's command, options are the command's"
is "$(dray run --rm "$img" sh -c 'echo "$@"' sh -d --pid=host 2>&1)" "-d --pid=host" \
        "after IMAGE, options are the command's"
c="$(unique_name x)"
defer gone "$c"
ok "a container to exec in" dray run -d --name "$c" --rootfs "$rootfs" sleep 600
is "$(dray exec "$c" sh -c 'echo "$@"' sh -i -t --user x 2>&1)" "-i -t --user x" \
        "after exec's CONTAINER, options are the command's"
is "$(dray exec -e V=1 "$c" sh -c 'echo $V' 2>&1)" "1" "exec's own options before the container still count"
gone "$c"

# --- no abbreviations; errors name the option as typed and the verb as typed ---------------------------

count_before="$(dray ps -a -q | wc -l)"
one_line_error "dray run --pid=host: unknown, named as typed" "Unknown option '--pid=host' for 'dray run'" \
        dray run --pid=host --rootfs "$rootfs" true
status_is 125 "  with status 125" dray run --pid=host --rootfs "$rootfs" true
one_line_error "dray run --mem 1g is no --memory" "Unknown option '--mem'" dray run --mem 1g --rootfs "$rootfs" true
one_line_error "dray rm --forc is no --force" "Unknown option '--forc' for 'dray rm'" dray rm --forc nothing
is "$(dray ps -a -q | wc -l)" "$count_before" "  nothing was created"
one_line_error "dray network create --driver: the verb is 'dray network create'" \
        "for 'dray network create'" dray network create --driver macvlan mv
one_line_error "dray network ls --bogus: the verb is 'dray network ls'" \
        "for 'dray network ls'" dray network ls --bogus json
one_line_error "dray image save -o without a file" "Option '-o' of 'dray image save' requires an argument" \
        dray image save "$img" -o
one_line_error "dray image pull --bogus: the verb is 'dray image pull'" "for 'dray image pull'" \
        dray image pull --bogus x
one_line_error "dray run --rm=yes: takes no value" "Option '--rm' of 'dray run' takes no value" \
        dray run --rm=yes --rootfs "$rootfs" true
like "$(dray rm --bogus nothing --help 2>&1)" '^Usage: dray rm' "--help anywhere still wins"
one_line_error "dray schedule rm JOB --bogus: the verb is 'dray schedule rm'" "Unknown option '--bogus' for 'dray schedule rm'" \
        dray schedule rm nojob --bogus

# --- image inspect --format --------------------------------------------------------------------------

id="$(dray image inspect "$img" | jq -r '.[0].Id')"
like "$id" '^sha256:[0-9a-f]{64}$' "image inspect has an Id"
out="$(dray image inspect --format '{{.Id}}' "$img" 2>&1)"
rc=$?
is "$rc:$out" "0:$id" "dray image inspect --format '{{.Id}}' IMG prints the Id, status 0"
is "$(dray image inspect "$img" -f '{{.Id}}' 2>&1)" "$id" "  and -f after the image"
one_line_error "a template naming no field fails" "no such property" dray image inspect --format '{{.Nope}}' "$img"

# --- Docker's container names ----------------------------------------------------------------------------

u="my_app$RANDOM"
defer gone "$u"
ok "--name with '_' is accepted" dray run -d --name "$u" --rootfs "$rootfs" sleep 600
cid="$(dray inspect -f '{{.Id}}' "$u")"
short="${cid:0:12}"
is "$(systemctl show -P ActiveState "dray-$u.scope")" "active" "its unit is dray-$u.scope"
is "$(dray exec "$u" hostname)" "$short" "its host name is its short ID ($short), as Docker's default"
wait_until 10 machinectl show "$short"
is "$(machinectl show -p Unit --value "$short" 2>/dev/null)" "dray-$u.scope" "machined knows it as $short, with its unit"
like "$(dray ps)" " $u\$" "dray ps lists it by its name"
ok "dray rm -f finds it by name" dray rm -f "$u"
wait_until 10 sh -c "! machinectl show '$short'"
fails "  and machined forgot it" machinectl show "$short"
d="web-$RANDOM.v2"
defer gone "$d"
ok "a host-name-like name" dray run -d --name "$d" --rootfs "$rootfs" sleep 600
is "$(dray exec "$d" hostname)" "$d" "  keeps itself as host name"
wait_until 10 machinectl show "$d"
ok "  and as machine name" machinectl show "$d"
gone "$d"
one_line_error "a name starting with '_' is refused" "Invalid container name '_x'" \
        dray run --name _x --rootfs "$rootfs" true
like "$(busctl call org.dray1 /org/dray1 org.dray1.Manager CreateContainer 'sa{sv}' "_bad" 2 \
        Rootfs s "$rootfs" Command as 1 true 2>&1)" "InvalidName|Invalid container name" \
        "drayd refuses it too (one rule in src/shared/name.c)"

# --- inspect shows the limits the unit has now ----------------------------------------------------------

l="$(unique_name lim)"
defer gone "$l"
ok "a container with limits" dray run -d --name "$l" -m 64m --pids-limit 20 --rootfs "$rootfs" sleep 600
is "$(dray inspect -f '{{.MemoryMax}} {{.TasksMax}}' "$l")" "67108864 20" "inspect shows the limits given"
ok "systemctl set-property on the running scope" systemctl set-property --runtime "dray-$l.scope" MemoryMax=100M TasksMax=33
is "$(dray inspect -f '{{.MemoryMax}} {{.TasksMax}}' "$l")" "104857600 33" \
        "inspect shows the unit's limits after set-property (the unit is the truth while it exists)"
like "$(dray inspect "$l")" '"MemoryMax": 104857600' "  in the JSON too"
ok "the container stops" dray stop -t 0 "$l"
is "$(dray inspect -f '{{.MemoryMax}} {{.TasksMax}}' "$l")" "67108864 20" \
        "once the unit is gone, inspect shows what the container was created with"

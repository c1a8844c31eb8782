#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A container's output in journald, end to end through drayd: the fields Docker's journald driver
# sets, journalctl -u of the scope, dray logs (-n, --since, -f), no line lost of 100,000, an over-long
# line in pieces, output without a final newline. Runs inside the sandbox (tools/test-all, or:
# tools/sandbox exec -- bash tests/integration/50-logs.sh).
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require busctl journalctl jq

plan 48
setup_dray_test

# journal NAME [ARGS...]: the container's entries, one JSON object a line, every field in full.
journal() {
        local n="$1"; shift
        journalctl --no-pager --all -o json "CONTAINER_NAME=$n" "$@"
}
journal_has() {
        journalctl --sync 2>/dev/null
        journalctl --no-pager -o cat "CONTAINER_NAME=$1" | grep -xF -- "$2" >/dev/null
}
go_file() { echo "$rootfs/tmp/go-$1"; }
wait_for_go() { echo "while [ ! -e /tmp/go-$1 ]; do sleep 0.05; done"; }

# --- fields -------------------------------------------------------------------------------------------

name="$(unique_name fields)"
track "$name"
dray run --name "$name" --rootfs "$rootfs" sh -c 'echo out-line; echo err-line >&2' >/dev/null 2>&1
id="$(prop "$name" Id)"
like "$id" '^[0-9a-f]{64}$' "the container ran and has an ID"
journalctl --sync
unit_log="$(journalctl --no-pager -o cat -u "dray-$name.scope" 2>&1)"
like "$unit_log" '^out-line$' "journalctl -u dray-NAME.scope has the stdout line"
like "$unit_log" '^err-line$' "journalctl -u dray-NAME.scope has the stderr line"
entries="$(journal "$name")"
out_e="$(jq -c 'select(.MESSAGE == "out-line")' <<< "$entries")"
err_e="$(jq -c 'select(.MESSAGE == "err-line")' <<< "$entries")"
is "$(jq -r .CONTAINER_NAME <<< "$out_e")" "$name" "journalctl CONTAINER_NAME=NAME finds the stdout line"
is "$(jq -r .CONTAINER_NAME <<< "$err_e")" "$name" "journalctl CONTAINER_NAME=NAME finds the stderr line"
is "$(jq -r .CONTAINER_ID <<< "$out_e")" "${id:0:12}" "CONTAINER_ID is the 12-digit short ID"
is "$(jq -r .CONTAINER_ID_FULL <<< "$out_e")" "$id" "CONTAINER_ID_FULL is the full ID"
image="$(prop "$name" Image)"
like "$(jq -r .IMAGE_NAME <<< "$out_e")" '.' "IMAGE_NAME is set"
is "$(jq -r .IMAGE_NAME <<< "$out_e")" "$image" "IMAGE_NAME is the container's Image ($image)"
is "$(jq -r .SYSLOG_IDENTIFIER <<< "$out_e")" "$name" "SYSLOG_IDENTIFIER is the name"
is "$(jq -r .PRIORITY <<< "$out_e")" 6 "stdout is PRIORITY=6"
is "$(jq -r .PRIORITY <<< "$err_e")" 3 "stderr is PRIORITY=3"
is "$(jq -r .CONTAINER_PARTIAL_MESSAGE <<< "$out_e")" null "a whole line is not marked partial"
like "$(journalctl --no-pager -o export "CONTAINER_ID=${id:0:12}" 2>&1)" '^MESSAGE=out-line$' \
        "journalctl CONTAINER_ID=SHORT finds it too (-o export)"
is "$(journalctl --no-pager -o cat "CONTAINER_ID_FULL=$id" PRIORITY=3 2>&1)" err-line \
        "journalctl CONTAINER_ID_FULL=ID PRIORITY=3 is exactly the stderr line"

is "$(dray logs "$name" 2>/dev/null)" out-line "dray logs prints stdout to stdout"
is "$(dray logs "$name" 2>&1 >/dev/null)" err-line "dray logs prints stderr to stderr"
is "$(dray logs "${id:0:12}" 2>/dev/null)" out-line "dray logs takes an ID prefix"

# --- -n ------------------------------------------------------------------------------------------------

name="$(unique_name tail)"
track "$name"
dray run --name "$name" --rootfs "$rootfs" seq 1 5 >/dev/null 2>&1
journalctl --sync
is "$(dray logs -n 2 "$name" 2>&1 | tr '\n' ' ')" "4 5 " "dray logs -n 2 prints the last two lines"
is "$(dray logs --tail 10 "$name" 2>&1 | tr '\n' ' ')" "1 2 3 4 5 " "-n larger than the output prints it all"
is "$(dray logs "$name" 2>&1 | tr '\n' ' ')" "1 2 3 4 5 " "dray logs prints every line in order"

# --- --since ---------------------------------------------------------------------------------------

name="$(unique_name since)"
track "$name"
dray run -d --name "$name" --rootfs "$rootfs" sh -c "echo early; $(wait_for_go "$name"); echo late" >/dev/null 2>&1
wait_until 10 journal_has "$name" early
since="$(date +%s.%6N)"
touch "$(go_file "$name")"
wait_until 10 journal_has "$name" late
wait_until 10 state_is "$name" exited
is "$(dray logs --since "$since" "$name" 2>&1)" late "dray logs --since EPOCH shows only what came after"
is "$(dray logs --since 10m "$name" 2>&1 | tr '\n' ' ')" "early late " "dray logs --since 10m shows both lines"
is "$(dray logs --since "$(date -d '+1 hour' '+%Y-%m-%d %H:%M:%S')" "$name" 2>&1)" "" \
        "dray logs --since a future date shows nothing"

# --- -f ----------------------------------------------------------------------------------------------

name="$(unique_name follow)"
track "$name"
dray run -d --name "$name" --rootfs "$rootfs" sh -c "echo f1; $(wait_for_go "$name"); echo f2; exit 4" >/dev/null 2>&1
wait_until 10 state_is "$name" running
timeout 30 dray logs -f "$name" > "$work/follow.out" 2>&1 &
follow_pid=$!
if wait_until 10 grep -qx f1 "$work/follow.out"; then
        pass "dray logs -f prints what is there"
else
        fail "dray logs -f prints what is there" "$(cat "$work/follow.out")"
fi
touch "$(go_file "$name")"
wait "$follow_pid"; rc=$?
is "$rc" 0 "dray logs -f ends (status 0) when the container ends (124: it did not end in 30 s)"
is "$(tr '\n' ' ' < "$work/follow.out")" "f1 f2 " "dray logs -f printed the later line too, once"
is "$(timeout 10 dray logs -f "$name" 2>&1 | tr '\n' ' ')" "f1 f2 " \
        "dray logs -f of an exited container prints everything and ends"

# --- 100,000 lines --------------------------------------------------------------------------------------

name="$(unique_name many)"
track "$name"
dray run --name "$name" --rootfs "$rootfs" seq 1 100000 > "$work/many.out" 2>&1; rc=$?
is "$rc" 0 "seq 1 100000 exits 0"
if cmp -s "$work/many.out" <(seq 1 100000); then
        pass "dray run's own output has all 100000 lines in order"
else
        fail "dray run's own output has all 100000 lines in order" "$(wc -l < "$work/many.out") lines" \
             "$(diff "$work/many.out" <(seq 1 100000) | head -5)"
fi
journalctl --sync
journalctl --no-pager -o cat "CONTAINER_NAME=$name" > "$work/many.journal" 2>&1
is "$(wc -l < "$work/many.journal")" 100000 "all 100000 lines reach the journal"
if cmp -s "$work/many.journal" <(seq 1 100000); then
        pass "in order"
else
        fail "in order" "$(diff "$work/many.journal" <(seq 1 100000) | head -5)"
fi
# (-u also shows what systemd and drayd logged about the unit: count the numbers only)
is "$(journalctl --no-pager -o cat -u "dray-$name.scope" | grep -cxE '[0-9]+')" 100000 \
        "journalctl -u dray-NAME.scope has all 100000"
if cmp -s <(dray logs "$name" 2>&1) <(seq 1 100000); then
        pass "dray logs prints all 100000 in order"
else
        fail "dray logs prints all 100000 in order" "$(dray logs "$name" 2>&1 | wc -l) lines"
fi

# Both streams at once, detached (nothing but the journal reads them): each stays whole and in order.
name="$(unique_name streams)"
track "$name"
dray run -d --name "$name" --rootfs "$rootfs" sh -c 'seq 1 50000 & seq 1 50000 >&2; wait' >/dev/null 2>&1
wait_until 60 state_is "$name" exited
is "$(prop "$name" ExitStatus)" 0 "two streams of 50000 lines at once: exits 0"
journalctl --sync
if cmp -s <(journalctl --no-pager -o cat "CONTAINER_NAME=$name" PRIORITY=6) <(seq 1 50000); then
        pass "stdout: all 50000 lines, in order"
else
        fail "stdout: all 50000 lines, in order" \
             "$(journalctl --no-pager -o cat "CONTAINER_NAME=$name" PRIORITY=6 | wc -l) lines"
fi
if cmp -s <(journalctl --no-pager -o cat "CONTAINER_NAME=$name" PRIORITY=3) <(seq 1 50000); then
        pass "stderr: all 50000 lines, in order"
else
        fail "stderr: all 50000 lines, in order" \
             "$(journalctl --no-pager -o cat "CONTAINER_NAME=$name" PRIORITY=3 | wc -l) lines"
fi
if cmp -s <(dray logs "$name" 2>/dev/null) <(seq 1 50000) && cmp -s <(dray logs "$name" 2>&1 >/dev/null) <(seq 1 50000); then
        pass "dray logs gives each stream back on its own fd"
else
        fail "dray logs gives each stream back on its own fd"
fi

# --- a 100 KB line -----------------------------------------------------------------------------------

name="$(unique_name long)"
track "$name"
dray run --name "$name" --rootfs "$rootfs" sh -c 'head -c 100000 /dev/zero | tr "\0" a; echo; echo after' \
        > "$work/long.out" 2>&1
is "$(head -n 1 "$work/long.out" | tr -d '\n' | wc -c)" 100000 "dray run passes the 100 KB line on whole"
journalctl --sync
pieces="$(journal "$name" | jq -r '"\(.MESSAGE | length) \(.CONTAINER_PARTIAL_MESSAGE // "-")"')"
n_partial="$(grep -c ' true$' <<< "$pieces")"
if [ "$n_partial" -ge 1 ]; then
        pass "the line arrives in pieces marked CONTAINER_PARTIAL_MESSAGE=true ($n_partial)"
else
        fail "the line arrives in pieces marked CONTAINER_PARTIAL_MESSAGE=true" "$pieces"
fi
is "$(head -n "$((n_partial + 1))" <<< "$pieces" | awk '{ s += $1 } END { print s }')" 100000 \
        "the pieces add up to 100000 bytes"
like "$(sed -n "$((n_partial + 1))p" <<< "$pieces")" '^[0-9]+ -$' "the last piece of the line is not marked partial"
is "$(tail -n 1 <<< "$pieces")" "5 -" "the next line, 'after', follows as an entry of its own"
dray logs "$name" > "$work/long.logs" 2>&1
is "$(wc -l < "$work/long.logs")" 2 "dray logs reassembles it: two lines"
if cmp -s "$work/long.logs" <(head -c 100000 /dev/zero | tr '\0' a; echo; echo after); then
        pass "dray logs prints the 100 KB line whole, then 'after'"
else
        fail "dray logs prints the 100 KB line whole, then 'after'" "$(head -c 200 "$work/long.logs")"
fi

# --- no final newline -------------------------------------------------------------------------------

name="$(unique_name nonl)"
track "$name"
dray run --name "$name" --rootfs "$rootfs" sh -c 'echo first; printf no-newline-at-end' > "$work/nonl.out" 2>&1
ok "dray run's output ends without a newline too" cmp "$work/nonl.out" <(printf 'first\nno-newline-at-end')
journalctl --sync
is "$(journal "$name" | jq -r 'select(.MESSAGE == "no-newline-at-end") | .PRIORITY')" 6 \
        "output without a final newline arrives in the journal"
dray logs "$name" > "$work/nonl.logs" 2>&1
if cmp -s "$work/nonl.logs" <(printf 'first\nno-newline-at-end'); then
        pass "dray logs prints it as it was"
else
        fail "dray logs prints it as it was" "$(od -c "$work/nonl.logs" | head -5)"
fi

#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Fast and robust pulls (issue 14) against registry-flaky.py on 127.0.0.1: layers fetched in
# parallel (overlapping requests in the server's log) or one at a time with --max-parallel=1; blobs
# already stored not fetched again; a connection cut mid-layer resumed with a Range request fetching
# only the rest, within one pull and across pulls (the partial kept in tmp/partial), and started
# over when the server ignores Range; a pull canceled mid-layer (its worker killed) resumed by the
# next; 429 and 503 retried after their Retry-After; a 404 failing at once naming the image, leaving
# nothing stored; --platform choosing from an index; a line per layer from the Transfer's Layers.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require jq python3 curl awk

command -v dray >/dev/null || bail_out "dray is not installed in the sandbox"
wait_until 10 drayd_ready || bail_out "drayd does not answer on the system bus"

mkdir -p "$TEST_DIR"
work="$(mktemp -d "$TEST_DIR/$TEST_NAME.XXXXXX")"
defer rm -rf "$work"
state=/var/lib/dray
log="$work/access.log"
: > "$log"
start_flaky_registry "$log"
tag="t$RANDOM$$"
rmi() { dray image rm -f "$1" >/dev/null 2>&1 || true; }
arch() { dray image inspect "$1" 2>/dev/null | jq -r '.[0].Os + "/" + .[0].Architecture' | sed 's|^linux/||'; }
# The most requests of repository $1 in flight at once, from the START/END lines of the log.
concurrency() {
        awk -v repo="$1" '$3 == repo && $2 == "START" { n++; if (n > max) max = n }
                          $3 == repo && $2 == "END" { n-- } END { print max + 0 }' "$log"
}
requests() { awk -v repo="$1" -v d="$2" '$2 == "START" && $3 == repo && $4 == d' "$log" | wc -l; }
layer_digests() { dray image inspect "$1" | jq -r '.[0].Layers[].Digest'; }
blob_size() { stat -c %s "$state/images/blobs/sha256/${1#sha256:}"; }

plan 44

# --- parallel, and what is stored is not fetched again -------------------------------------------------
out="$(dray pull "$reg/plain:$tag" 2>&1)"
is "$?" 0 "pull a 4-layer image"
defer rmi "$reg/plain:$tag"
is "$(printf '%s\n' "$out" | grep -cE '^Layer [0-9a-f]{12}  1\.0 MiB / 1\.0 MiB  .*done$')" 4 \
        "not on a terminal: a line per layer as it comes in, from the Transfer's Layers property"
c="$(concurrency plain)"
ok "its layers were fetched side by side ($c requests at once; 3 allowed)" test "$c" -ge 2 -a "$c" -le 3
diff_id="$(dray image inspect "$reg/plain:$tag" | jq -r '.[0].Layers[3].DiffID')"
ok "each layer is unpacked" test -f "$state/layers/${diff_id#sha256:}/layer3.bin"
before="$(grep -c "START plain" "$log")"
ok "pull the same image under another tag" dray pull "$reg/plain:$tag-again"
defer rmi "$reg/plain:$tag-again"
is "$(grep -c "START plain" "$log")" "$before" "no blob was fetched again"
rmi "$reg/plain:$tag"; rmi "$reg/plain:$tag-again"
ok "--max-parallel=1" dray pull --max-parallel=1 "$reg/plain1:$tag"
defer rmi "$reg/plain1:$tag"
is "$(concurrency plain1)" 1 "fetches one layer at a time"
rmi "$reg/plain1:$tag"
like "$(dray pull --max-parallel=0 "$reg/plain:$tag" 2>&1)" 'max-parallel' "--max-parallel=0 is refused"
like "$(busctl call org.dray1 /org/dray1 org.dray1.Manager PullImage 'sa{sv}' "$reg/plain:$tag" 1 MaxParallel u 99 2>&1)" \
        'MaxParallel must be between 1 and 16' "so is MaxParallel 99 on D-Bus"

# --- a connection cut mid-layer: resumed with Range ----------------------------------------------
ok "pull through cut connections" dray pull "$reg/cutonce:$tag"
defer rmi "$reg/cutonce:$tag"
resumed=0
for d in $(layer_digests "$reg/cutonce:$tag"); do
        size="$(blob_size "$d")"
        # The first answer was cut at half; the second was a 206 from there on, with the rest only.
        first="$(awk -v d="$d" '$2 == "END" && $3 == "cutonce" && $4 == d && $7 == "cut" { print $6; exit }' "$log")"
        range="$(awk -v d="$d" '$2 == "START" && $3 == "cutonce" && $4 == d && $5 != "range=-" { print $5; exit }' "$log")"
        rest="$(awk -v d="$d" '$2 == "END" && $3 == "cutonce" && $4 == d && $5 == 206 { print $6; exit }' "$log")"
        [ -n "$first" ] && [ "$range" = "range=bytes=$first-" ] && [ "$((first + rest))" = "$size" ] && resumed=$((resumed + 1))
done
is "$resumed" 4 "each of the 4 layers resumed at the byte where it was cut and fetched only the rest"

rmi "$reg/cutonce:$tag"
ok "pull where the server ignores Range" dray pull "$reg/norange:$tag"
defer rmi "$reg/norange:$tag"
is "$(awk '$2 == "END" && $3 == "norange" && $5 == 200 && $7 != "cut"' "$log" | grep -c .)" 5 \
        "the blobs came whole again (4 layers and the config, answered 200)"
rmi "$reg/norange:$tag"

# --- interrupted for good, then resumed by the next pull --------------------------------------------
out="$(dray pull "$reg/cutheal:$tag" 2>&1)"; rc=$?
isnt "$rc" 0 "a pull whose layer is cut off on every attempt fails"
like "$out" "cutheal:$tag: cannot fetch the layer sha256:.*(4 attempts)" "naming the image, the layer and the attempts"
fails "no image is named" dray image inspect "$reg/cutheal:$tag"
first_layer="$(awk '$2 == "START" && $3 == "cutheal" { print $4 }' "$log" | sort | uniq -c | sort -rn | awk '{ print $2; exit }')"
partial="$state/tmp/partial/${first_layer#sha256:}"
ok "what came of the cut layer is kept to resume ($partial)" test -s "$partial"
fails "and is not in the store" test -e "$state/images/blobs/sha256/${first_layer#sha256:}"
have="$(stat -c %s "$partial" 2>/dev/null || echo 0)"
curl -s "http://$reg/control/heal" >/dev/null
n="$(grep -c "START cutheal $first_layer" "$log")"
ok "the next pull succeeds" dray pull "$reg/cutheal:$tag"
defer rmi "$reg/cutheal:$tag"
like "$(grep "START cutheal $first_layer" "$log" | sed -n "$((n + 1))p")" "range=bytes=$have-" \
        "it asked for the rest only, from byte $have"
size="$(blob_size "$first_layer")"
is "$(awk -v d="$first_layer" '$2 == "END" && $3 == "cutheal" && $4 == d' "$log" | tail -1 | awk '{ print $6 }')" \
        "$((size - have))" "and got $((size - have)) of $size bytes"
fails "the partial file is gone" test -e "$partial"
rmi "$reg/cutheal:$tag"

# --- a pull canceled mid-layer (its worker killed), then pulled again ----------------------------------
dray pull "$reg/slow:$tag" > "$work/slow.out" 2>&1 &
pullpid=$!
partials() { find "$state/tmp/partial" -type f -size +0 2>/dev/null | wc -l; }
ok "the slow pull has layers on their way in tmp/partial" wait_until 30 sh -c "[ \"\$(find $state/tmp/partial -type f -size +0 | wc -l)\" -ge 2 ]"
# A second client reads the same numbers: the Transfer's Layers property, 4 layers on their way.
tpath="$(busctl -j call org.dray1 /org/dray1 org.dray1.Manager ListTransfers |
         jq -r --arg d "pull $reg/slow:$tag" '.data[0][] | select(.[3] == $d) | .[5]')"
layers="$(busctl -j get-property org.dray1 "$tpath" org.dray1.Transfer Layers)"
is "$(printf '%s' "$layers" | jq '.data | length')" 4 "busctl sees its 4 layers in Transfer.Layers"
is "$(printf '%s' "$layers" | jq '[.data[] | select((.[0] | startswith("sha256:")) and .[2] > 1000000 and .[1] <= .[2])] | length')" 4 \
        "each with its digest, its size (about 1 MiB) and the bytes held so far"
kill -INT "$pullpid"
wait "$pullpid"; rc=$?
isnt "$rc" 0 "Ctrl-C cancels it"
fails "no image is named" dray image inspect "$reg/slow:$tag"
ok "what came stays in tmp/partial ($(partials) files)" test "$(partials)" -ge 2
n="$(grep -c "START slow" "$log")"
ok "pull it again" dray pull "$reg/slow:$tag"
defer rmi "$reg/slow:$tag"
resumed="$(tail -n +1 "$log" | awk -v n="$n" '$2 == "START" && $3 == "slow" { k++; if (k > n && $5 ~ /^range=bytes=[1-9]/) r++ } END { print r + 0 }')"
ok "it resumed the layers it had begun ($resumed Range requests)" test "$resumed" -ge 2
rmi "$reg/slow:$tag"

# --- transient and permanent errors ----------------------------------------------------------------
ok "pull through a 429 and 503s with Retry-After" dray pull "$reg/busy:$tag"
defer rmi "$reg/busy:$tag"
is "$(awk '$2 == "START" && $3 == "busy"' "$log" | grep -c .)" 15 "each blob was asked 3 times (2 × 503, then 200)"
rmi "$reg/busy:$tag"
blobs_before="$(find "$state/images/blobs/sha256" -type f | wc -l)"
out="$(dray pull "$reg/missing:$tag" 2>&1)"; rc=$?
isnt "$rc" 0 "a pull with a missing layer fails"
like "$out" "missing:$tag: the registry has no layer \(HTTP 404\)" "naming the image and the cause"
missing_layer="$(awk '$2 == "END" && $3 == "missing" && $5 == 404 { print $4; exit }' "$log")"
is "$(requests missing "$missing_layer")" 1 "the 404 was not retried"
is "$(find "$state/images/blobs/sha256" -type f | wc -l)" "$blobs_before" "nothing of it stays in the store"

# --- platforms ----------------------------------------------------------------------------------
ok "pull --platform linux/arm64 from an index" dray pull --platform linux/arm64 "$reg/multi:$tag-arm64"
defer rmi "$reg/multi:$tag-arm64"
is "$(arch "$reg/multi:$tag-arm64")" arm64 "dray image inspect shows the arm64 one"
is "$(dray image inspect "$reg/multi:$tag-arm64" | jq -r '.[0].Variant')" v8 "with its variant"
ok "pull the index without --platform" dray pull "$reg/multi:$tag"
defer rmi "$reg/multi:$tag"
native="$(uname -m | sed 's/x86_64/amd64/; s/aarch64/arm64/')"
is "$(arch "$reg/multi:$tag")" "$native" "takes this host's platform ($native)"
like "$(dray pull --platform linux/s390x "$reg/multi:$tag-s390x" 2>&1)" 'no manifest for this platform \(linux/s390x\)' \
        "a platform the index lacks is named"
like "$(dray pull --platform linux "$reg/multi:$tag" 2>&1)" 'not a platform' "a malformed --platform is refused"

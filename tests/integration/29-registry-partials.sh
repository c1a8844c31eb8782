#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# What interrupted pulls leave in tmp/partial to resume (95-registry-resume.sh) is bounded in total:
# when a pull begins a blob, the newest 16 files of earlier pulls within 4 GiB in all are kept and
# the older ones removed, never one a transfer holds (flock). An image garbage collection (image rm,
# image prune, system prune) empties tmp/partial, but for the files a transfer holds, and waits for a
# pull that runs. The leftovers are made here as files with old mtimes (sparse ones for the sizes);
# the pulls go to registry-flaky.py on 127.0.0.1.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require python3 flock truncate touch

setup_dray_test
state=/var/lib/dray
pdir="$state/tmp/partial"
start_flaky_registry "$work/access.log"
tag="t$RANDOM$$"
rmi() { dray image rm -f "$1" >/dev/null 2>&1 || true; }
# leftover NAME SIZE HOURS: a partial blob of an earlier pull, last written HOURS ago.
leftover() { truncate -s "$2" "$pdir/$1" && touch -d "-$3 hours" "$pdir/$1"; }
leftovers() { find "$pdir" -maxdepth 1 -type f -name 'left-*' | wc -l; }
defer sh -c 'rm -f "$1"/left-*' - "$pdir"

plan 17

# --- by number, and one a transfer holds ------------------------------------------------------------
[ -d "$pdir" ] || mkdir -m 0700 "$pdir"
for i in $(seq -w 1 18); do leftover "left-$i" 1 "$i"; done
# The oldest is held as a pull holds its partial file: flock by this shell (fd 9) until released.
exec 9< "$pdir/left-18"
flock 9
ok "a pull with 18 partial blobs of earlier pulls left" dray pull "$reg/plain:$tag"
defer rmi "$reg/plain:$tag"
is "$(leftovers)" 17 "16 of them are kept, and the one held"
ok "the newest ones are kept" test -e "$pdir/left-01" -a -e "$pdir/left-16"
fails "the oldest one no transfer holds is gone" test -e "$pdir/left-17"
ok "the one held is not touched" test -e "$pdir/left-18"
exec 9<&-
is "$(find "$pdir" -maxdepth 1 -type f ! -name 'left-*' | wc -l)" 0 "the pull's own partial files are gone with it"
rm -f "$pdir"/left-*

# --- by size: beyond 4 GiB in all the older go, a small one too -------------------------------------
rmi "$reg/plain:$tag" # its garbage collection empties tmp/partial too
[ -d "$pdir" ] || mkdir -m 0700 "$pdir"
leftover left-big 3G 1
leftover left-bigger 2G 2
leftover left-small 1 3
ok "a pull with 3 GiB, 2 GiB and 1 byte left" dray pull "$reg/plain:$tag-size"
defer rmi "$reg/plain:$tag-size"
ok "the newest (3 GiB) is kept" test -e "$pdir/left-big"
fails "the next (2 GiB) would pass 4 GiB: gone" test -e "$pdir/left-bigger"
fails "and the older small one with it" test -e "$pdir/left-small"
is "$(awk '$2 == "START" { n++ } END { print n }' "$work/access.log")" 10 \
        "both pulls fetched their config and 4 layers (the first pull's went with its image)"

# --- garbage collection: what a transfer holds stays --------------------------------------------------
rmi "$reg/plain:$tag-size"
[ -d "$pdir" ] || mkdir -m 0700 "$pdir"
leftover left-held 4096 1
leftover left-free 4096 1
exec 9< "$pdir/left-held"
flock 9
ok "image prune with a partial blob held (as a pull holds its own)" dray image prune -f
ok "the one held stays" test -e "$pdir/left-held"
fails "the other one goes" test -e "$pdir/left-free"
exec 9<&-
dray image prune -f >/dev/null
fails "once released, the next prune takes it" test -e "$pdir/left-held"

# A prune while a pull is in the middle of its layers waits for it: the pull's partial files are not
# taken from under it, each layer comes once, without a Range request to make up for a loss.
: > "$work/access.log"
dray pull "$reg/slow:$tag-gc" > "$work/pull.out" 2>&1 &
pull=$!
wait_until 60 sh -c 'find "$1" -maxdepth 1 -type f -size +0 | grep -q .' - "$pdir" ||
        diag "no partial blob seen during the pull"
dray image prune -f >/dev/null
wait "$pull"
is "$?" 0 "a pull with a prune asked for in the middle of its layers succeeds"
defer rmi "$reg/slow:$tag-gc"
is "$(grep -c "START slow .* range=bytes" "$work/access.log")" 0 \
        "and fetched no layer twice (nothing to resume: its partial files were left alone)"

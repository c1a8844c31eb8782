#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# dray diff: A/C/D against the image, whiteouts and opaque directories read as overlayfs reads
# them, running or stopped; a --rootfs container has no image to compare. dray container prune and
# dray system prune remove only what nothing uses (running containers, used images, named and used
# volumes, used networks stay), ask first on a terminal, refuse without one unless -f, and say what
# they freed; dray system df counts and sizes what there is.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require script tar

plan 30
setup_dray_test

img="diff-$TEST_NAME-$$:1"
tar -C "$rootfs" -cf "$work/root.tar" . && dray image import "$work/root.tar" "$img" >/dev/null 2>&1 ||
        bail_out "cannot import a test image"
defer dray image rm -f "$img"

# ---- diff ----
c="$(unique_name diff)"
track "$c"
dray run --name "$c" "$img" sh -c 'echo x > /newfile; echo y >> /etc/passwd; rm /bin/ls; rm -rf /usr; mkdir /usr; touch /usr/z' >/dev/null
out="$(dray diff "$c")"
is "$(grep -E '^(C /bin|D /bin/ls|C /etc|C /etc/passwd|A /newfile|C /usr|D /usr/bin|A /usr/z)$' <<< "$out" | wc -l)" 8 \
        "diff: added, changed and deleted files"
unlike "$out" '^[ACD] /usr/bin/' "an opaque directory: what it hid is deleted once, not file by file"
unlike "$out" '^C /bin/(cat|sh)$' "untouched files of a changed directory are not listed"
is "$(sort -k2 <<< "$out")" "$out" "sorted by path"

r="$(unique_name diffrun)"
track "$r"
dray run -d --name "$r" "$img" sleep 3600 >/dev/null
dray exec "$r" sh -c 'mkdir -p /srv/new && echo hi > /srv/new/f'
like "$(dray diff "$r")" '^A /srv/new/f$' "diff of a running container"
is "$(dray diff "$(unique_name fresh)" 2>&1 | grep -c 'No single container')" 1 "an unknown container is an error"

fs="$(unique_name diffroot)"
track "$fs"
dray create --name "$fs" --rootfs "$rootfs" true >/dev/null
like "$(dray diff "$fs" 2>&1)" "runs from a root directory \\(--rootfs\\), not from an image: there is no image to compare" \
        "a --rootfs container: no image to compare, said clearly"
status_is 1 "  (and it fails)" dray diff "$fs"

# ---- container prune ----
stopped="$(unique_name stopped)"
track "$stopped"
dray create --name "$stopped" --label keep=no "$img" true >/dev/null
kept="$(unique_name kept)"
track "$kept"
dray create --name "$kept" --label keep=yes "$img" true >/dev/null
like "$(dray container prune 2>&1 < /dev/null)" "no terminal to confirm on; pass -f" "without a terminal and -f, prune refuses"
ok "  (and removed nothing)" dray inspect "$stopped"
like "$(printf 'n\n' | script -qec 'dray container prune' /dev/null)" "Are you sure you want to continue\\? \\[y/N\\]" \
        "on a terminal, prune asks"
ok "  (no: nothing removed)" dray inspect "$stopped"
sid="$(prop "$stopped" Id)"
out="$(dray container prune -f --filter label=keep=no)"
like "$out" "^Deleted Containers:" "prune -f says what it deleted"
is "$(grep -cE '^[0-9a-f]{64}$' <<< "$out") $(grep -c "^$sid$" <<< "$out")" "1 1" "  (exactly the container the label selects)"
like "$out" "^Total reclaimed space: [0-9.]+k?B$" "  and what it freed"
fails "  (it is gone)" dray inspect "$stopped"
ok "  (the other label stays)" dray inspect "$kept"
is "$(dray container prune -f --filter until=1h | grep -cE '^[0-9a-f]{64}$')" 0 "until=1h: nothing that new is removed"
dray container prune -f >/dev/null
fails "prune removes every stopped container" dray inspect "$kept"
is "$(prop "$r" State)" running "a running container stays"

# ---- system df ----
df="$(dray system df)"
like "$df" '^TYPE +TOTAL +ACTIVE +SIZE +RECLAIMABLE$' "system df: docker's columns"
like "$df" '^Images +[0-9]+ +[1-9][0-9]* +[0-9.]+[kMG]?B ' "  images, one at least in use"
like "$df" "^Containers +$(dray ps -aq | wc -l) +$(dray ps -q | wc -l) " "  containers: total and running"
like "$(dray system df -v)" "^[0-9a-f]{12} +$r +[0-9.]+[kMG]?B +running$" "system df -v: a line per container"

# ---- system prune ----
net="$(unique_name net)"
dray network create "$net" >/dev/null
defer sh -c 'dray network rm "$1" >/dev/null 2>&1; true' - "$net"
anon_c="$(unique_name anon)"
track "$anon_c"
before="$(dray volume ls -q)"
dray create --name "$anon_c" -v /scratch "$img" true >/dev/null
anon="$(dray volume ls -q | grep -vxF -e "$before" -e '' | head -n1)"
named="$(unique_name named)"
dray volume create "$named" >/dev/null
defer sh -c 'dray volume rm -f "$1" >/dev/null 2>&1; true' - "$named"
out="$(dray system prune -f --volumes)"
fails "system prune: the stopped container is gone" dray inspect "$anon_c"
like "$out" "^Deleted Networks:" "  the unused network is removed"
fails "  (it is gone)" dray network inspect "$net"
if [ -n "$anon" ]; then
        is "$(dray volume ls -q | grep -c "^$anon$")" 0 "  --volumes: the anonymous volume no container uses is removed"
else
        fail "  --volumes: the anonymous volume no container uses is removed" "-v /scratch made no volume"
fi
ok "  a named volume stays" dray volume inspect "$named"
ok "  the image a running container uses stays (even with -a)" sh -c "dray system prune -f -a >/dev/null && dray image inspect '$img' >/dev/null"

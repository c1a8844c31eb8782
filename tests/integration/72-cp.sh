#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# dray cp both ways, running and stopped, through the CLI and the raw API: contents, modes, owners
# and times kept, -a, '-' for a tar on stdin/stdout, docker's destination rules, and the hostile
# cases: symlinks in the container pointing at the host's / and /etc (CVE-2018-15664), a tar whose
# entries climb out or write through a symlink, a device node, a root drayd does not own.
# Runs inside the sandbox (tools/test-all, or: tools/sandbox exec -- bash tests/integration/72-cp.sh).
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require busctl python3

plan 34
setup_dray_test
tag="$(echo "$TEST_NAME-$$-$RANDOM" | tr -c 'a-zA-Z0-9\n' '-')"
img="localhost/t$tag:1"
out="$work/out"
mkdir -p "$out" "$rootfs/data"
echo container-etc > "$rootfs/etc/marker"
ln -s / "$rootfs/evil-root"
ln -s /etc "$rootfs/evil-etc"
# A file only the host's (the sandbox's throwaway) /etc has.
echo host-secret > "/etc/dray-host-only-$tag"
defer rm -f "/etc/dray-host-only-$tag"
tar -C "$rootfs" -cf "$work/root.tar" .
defer dray image rm -f "$img"
dray image import "$work/root.tar" "$img" >/dev/null 2>&1 || bail_out "image import failed"

c="$(unique_name cp)"
defer dray rm -f "$c"
dray run -d --name "$c" "$img" sleep 100000 >/dev/null || bail_out "cannot start the container"

# --- host → running container -------------------------------------------------------------------

mkdir -p "$work/src/sub"
echo one > "$work/src/a"
echo two > "$work/src/sub/b"
chmod 0751 "$work/src/sub"
chmod 0604 "$work/src/a"
touch -d '2001-02-03 04:05:06' "$work/src/a"
chown 1234:1235 "$work/src/sub/b"
ok "cp of a directory into a running container" dray cp "$work/src" "$c:/data/"
is "$(dray exec "$c" cat /data/src/a /data/src/sub/b 2>&1 | tr '\n' ' ')" "one two " "the files arrived"
is "$(dray exec "$c" stat -c '%a %Y' /data/src/a /data/src/sub 2>&1 | tr '\n' ' ')" \
        "604 $(stat -c %Y "$work/src/a") 751 $(stat -c %Y "$work/src/sub") " "modes and times are kept"
is "$(dray exec "$c" stat -c '%u:%g' /data/src/sub/b 2>&1)" "0:0" "without -a the files belong to root"
ok "cp -a" dray cp -a "$work/src/sub/b" "$c:/data/b-kept"
is "$(dray exec "$c" stat -c '%u:%g' /data/b-kept 2>&1)" "1234:1235" "-a keeps the source's owner"
ok "cp to a new name" dray cp "$work/src" "$c:/data/renamed"
is "$(dray exec "$c" cat /data/renamed/sub/b 2>&1)" two "a destination that does not exist gets the source's content"
ok "cp of a directory's content (SRC/.)" dray cp "$work/src/." "$c:/tmp"
is "$(dray exec "$c" sh -c 'cat /tmp/a; stat -c %a /tmp' 2>&1 | tr '\n' ' ')" "one 1777 " \
        "SRC/. copies the content and leaves the destination directory's mode alone"
dray exec "$c" mkdir -p /data/stdin >/dev/null 2>&1
ok "a tar on stdin" sh -c "tar -C '$work/src' -cf - a | dray cp - '$c:/data/stdin'"
is "$(dray exec "$c" cat /data/stdin/a 2>&1)" one "a tar from stdin lands in the directory"

# --- running container → host ---------------------------------------------------------------------

ok "cp of a file out of a running container" dray cp "$c:/data/src/a" "$out/"
is "$(cat "$out/a" 2>&1; stat -c %a "$out/a")" "one
604" "the file and its mode came out"
ok "cp of a directory out, to a new name" dray cp "$c:/data/src" "$out/copy"
is "$(cat "$out/copy/sub/b" 2>&1)" two "the directory came out under the new name"
is "$(dray cp "$c:/etc/marker" - | tar -tf - 2>&1)" marker "cp CONTAINER:PATH - writes a tar to stdout"
like "$(dray cp "$c:/no/such" "$out/" 2>&1)" "No such file or directory" "a missing path is an error naming it"
like "$(dray cp "$work/src/a" "no-such-$tag:/tmp" 2>&1)" "No single container" "an unknown container is an error"

# --- hostile symlinks in the container (CVE-2018-15664) ------------------------------------------

is "$(dray cp "$c:/evil-etc/marker" - | tar -xOf - 2>&1)" container-etc \
        "a symlink to /etc in the container reads the container's /etc"
like "$(dray cp "$c:/evil-root/etc/dray-host-only-$tag" "$out/" 2>&1)" "No such file" \
        "a symlink to / never reaches the host's /etc"
[ ! -e "$out/dray-host-only-$tag" ] && pass "nothing of the host's /etc came out" || fail "nothing of the host's /etc came out"
ok "cp into a symlink to /etc" dray cp "$work/src/a" "$c:/evil-etc/planted-$tag"
[ ! -e "/etc/planted-$tag" ] && pass "the host's /etc got nothing" || fail "the host's /etc got nothing"
is "$(dray exec "$c" cat "/etc/planted-$tag" 2>&1)" one "the file went to the container's /etc"
# A container that swaps a directory for a symlink to /etc in a loop while we copy out of it.
racer="$(unique_name race)"
defer dray rm -f "$racer"
dray run -d --name "$racer" "$img" sh -c 'mkdir -p /race/d; echo inside > /race/d/dray-host-only-'"$tag"'
        i=0; while [ $i -lt 3000 ]; do mv /race/d /race/d.x; ln -s /etc /race/d; rm /race/d; mv /race/d.x /race/d
        i=$((i+1)); done; exec sleep 100000' >/dev/null
leaked=0 copied=0
for i in $(seq 1 30); do
        got="$(dray cp "$racer:/race/d/dray-host-only-$tag" - 2>/dev/null | tar -xOf - 2>/dev/null)"
        [ "$got" = host-secret ] && leaked=$((leaked + 1))
        [ "$got" = inside ] && copied=$((copied + 1))
done
diag "racing copies: $copied of 30 got the container's file, the rest met the symlink"
# At least one copy found the real directory: reading through the worker works while the root moves.
wait_until 60 sh -c "dray cp '$racer:/race/d/dray-host-only-$tag' - 2>/dev/null | tar -xOf - 2>/dev/null | grep -qx inside"
ok "a copy out of the racing container reads the container's file" \
        sh -c "[ $copied -gt 0 ] || dray cp '$racer:/race/d/dray-host-only-$tag' - | tar -xOf - | grep -qx inside"
is "$leaked" 0 "racing a symlink swap never copies the host's file"

# --- hostile archives -----------------------------------------------------------------------------

python3 - "$work" <<'PY'
import io, sys, tarfile
w = sys.argv[1]
def mk(name, entries):
    with tarfile.open(f"{w}/{name}.tar", "w") as t:
        for e, data in entries:
            t.addfile(e, io.BytesIO(data) if data is not None else None)
def f(name, data=b"x"):
    i = tarfile.TarInfo(name); i.size = len(data); return (i, data)
def l(name, target):
    i = tarfile.TarInfo(name); i.type = tarfile.SYMTYPE; i.linkname = target; return (i, None)
def d(name, major=1, minor=1):
    i = tarfile.TarInfo(name); i.type = tarfile.CHRTYPE; i.devmajor = major; i.devminor = minor; return (i, None)
mk("dotdot", [f("../../../../etc/dray-pwned")])
mk("through-link", [l("lnk", "/etc"), f("lnk/dray-pwned")])
mk("device", [d("mem")])
PY
for k in dotdot through-link device; do
        out_k="$(dray cp - "$c:/data" < "$work/$k.tar" 2>&1)"; rc=$?
        [ "$rc" -ne 0 ] && pass "a hostile archive ($k) is refused" || fail "a hostile archive ($k) is refused" "$out_k"
done
is "$(dray exec "$c" sh -c 'ls /etc/dray-pwned /data/mem 2>&1 | grep -c "No such"')" 2 \
        "nothing of them was written in the container"

# --- stopped containers, roots drayd does not own ---------------------------------------------

dray stop -t 1 "$c" >/dev/null
ok "cp into a stopped container" dray cp "$work/src/a" "$c:/data/while-stopped"
is "$(dray cp "$c:/data/while-stopped" - | tar -xOf - 2>&1)" one "and out of it"
r="$(unique_name rootfs)"
defer dray rm -f "$r"
dray create --name "$r" --rootfs "$rootfs" true >/dev/null
like "$(dray cp "$work/src/a" "$r:/data/x" 2>&1)" "does not own" "a root drayd does not own is not written to"

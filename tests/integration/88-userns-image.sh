#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# --userns=auto for containers from images (issue 9): each layer of the image is mounted idmapped to
# the container's range (shared, unchanged on disk: no copy), the overlay is mounted inside the user
# namespace, and the container's own upper layer holds files owned by its range. A deleted file
# (whiteout) and an opaque directory of an upper layer hide the lower ones there too. In its own
# network namespace the payload binds port 80 (it was EACCES: the namespace is drayd's, and the
# payload's CAP_NET_BIND_SERVICE is its user namespace's).
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require curl python3

plan 16
setup_dray_test

img="localhost/userns-$$:latest"
a="$(unique_name a)"
b="$(unique_name b)"
port=$((20000 + ($$ + 7) % 20000))
defer dray image rm "$img"
defer dray rm -f "$a" "$b"

# Two layers: the busybox root, then one that deletes /etc/group and makes /opt opaque (its
# lower-layer content gone) with a new file in it.
mkdir -p "$rootfs/opt" && echo lower > "$rootfs/opt/old"
tar -C "$rootfs" -cf "$work/l1.tar" . || bail_out "tar failed"
mkdir -p "$work/l2/etc" "$work/l2/opt"
: > "$work/l2/etc/.wh.group"
: > "$work/l2/opt/.wh..wh..opq"
echo upper > "$work/l2/opt/new"
tar -C "$work/l2" -cf "$work/l2.tar" etc opt || bail_out "tar failed"
python3 - "$work" "$img" <<'PY' || bail_out "could not build the image archive"
import hashlib, json, sys, tarfile
w = sys.argv[1]
digests = [hashlib.sha256(open(f"{w}/{l}.tar", "rb").read()).hexdigest() for l in ("l1", "l2")]
config = json.dumps({"architecture": "amd64", "os": "linux",
                     "config": {"Cmd": ["sh"]},
                     "rootfs": {"type": "layers", "diff_ids": [f"sha256:{d}" for d in digests]}}).encode()
cd = hashlib.sha256(config).hexdigest()
open(f"{w}/{cd}.json", "wb").write(config)
manifest = [{"Config": f"{cd}.json", "RepoTags": [sys.argv[2]],
             "Layers": ["l1.tar", "l2.tar"]}]
open(f"{w}/manifest.json", "w").write(json.dumps(manifest))
with tarfile.open(f"{w}/image.tar", "w") as t:
    for n in ("manifest.json", f"{cd}.json", "l1.tar", "l2.tar"):
        t.add(f"{w}/{n}", arcname=n)
PY
ok "a two-layer image loads" dray image load -i "$work/image.tar"

out="$(dray run --rm --userns=auto "$img" sh -c 'cat /proc/self/uid_map; id -u; stat -c %u /bin/busybox /etc/passwd; echo x > /etc/x && stat -c %u /etc/x' 2>&1)"
like "$out" '^ +0 +[0-9]+ +65536$' "--userns=auto runs a container from an image, with a range of its own"
base="$(echo "$out" | awk 'NR == 1 { print $2 }')"
is "$(echo "$out" | sed -n '2,5p' | tr '\n' ' ')" "0 0 0 0 " \
        "its root is UID 0, and owns the image's files and the ones it writes"

layer_owner() { find /var/lib/dray -path '*/bin/busybox' -not -path '*/containers/*' -printf '%U\n' 2>/dev/null | sort -u | tr '\n' ' '; }
is "$(layer_owner)" "0 " "the shared layers are unchanged on disk (no chowned copy)"

is "$(dray run --rm --userns=auto "$img" sh -c 'test -e /etc/group && echo present || echo gone; ls /opt')" \
        "$(printf 'gone\nnew')" "a whiteout and an opaque directory of the upper layer hide the lower ones"

# Thirty layers: more than one fsconfig() string of /proc/self/fd/N paths holds (255 bytes).
python3 - "$work/many.tar" "$(echo "$img" | sed 's/:latest$/-many:1/')" <<'PY' || bail_out "could not build the image archive"
import hashlib, io, json, sys, tarfile
def layer(i):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w") as t:
        d = f"layer {i}\n".encode()
        f = tarfile.TarInfo(f"l{i:02}"); f.size = len(d); t.addfile(f, io.BytesIO(d))
    return b.getvalue()
layers = [open(sys.argv[1].replace("many.tar", "l1.tar"), "rb").read()] + [layer(i) for i in range(1, 30)]
cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["sh"]}, "rootfs": {"type": "layers",
      "diff_ids": ["sha256:" + hashlib.sha256(l).hexdigest() for l in layers]}}).encode()
with tarfile.open(sys.argv[1], "w") as t:
    files = [("c.json", cfg)] + [(f"{i}.tar", l) for i, l in enumerate(layers)]
    files.append(("manifest.json", json.dumps([{"Config": "c.json", "RepoTags": [sys.argv[2]],
                                                 "Layers": [f"{i}.tar" for i in range(len(layers))]}]).encode()))
    for n, d in files:
        i = tarfile.TarInfo(n); i.size = len(d); t.addfile(i, io.BytesIO(d))
PY
many="$(echo "$img" | sed 's/:latest$/-many:1/')"
defer dray image rm "$many"
dray image load -i "$work/many.tar" >/dev/null 2>&1
is "$(dray run --rm --userns=auto "$many" sh -c 'cat /l01 /l29; id -u')" "$(printf 'layer 1\nlayer 29\n0')" \
        "an image of 30 layers runs with --userns=auto"

ok "a container from the image runs detached with --userns=auto" \
        dray run -d --name "$a" --userns=auto -p "$port:80" "$img" httpd -f -p 80 -h /etc
ok "its root binds port 80 in its network namespace (was EACCES)" \
        wait_until 10 sh -c "curl -s -m 1 http://127.0.0.1:$port/passwd | grep -q '^root:'"
# The issue's case as it was met: a root file system, nginx-like on port 80, --userns=auto.
mkdir -p "$work/tmpfs" && mount -t tmpfs tmpfs "$work/tmpfs" || bail_out "cannot mount a tmpfs"
defer umount -l "$work/tmpfs"
"$REPO_ROOT/tools/make-rootfs" "$work/tmpfs/root" >/dev/null || bail_out "tools/make-rootfs failed"
ok "a --userns=auto container from a root file system binds port 80 too" \
        dray run --rm --userns=auto --rootfs "$work/tmpfs/root" sh -c 'httpd -p 80 -h /etc && sleep 0.1'
ok "a second one runs from the same image at the same time" \
        dray run -d --name "$b" --userns=auto "$img" sh -c 'echo mine > /tmp/f; sleep 300'
abase="$(dray exec "$a" cat /proc/self/uid_map | awk '{ print $2 }')"
bbase="$(dray exec "$b" cat /proc/self/uid_map | awk '{ print $2 }')"
isnt "$abase" "$bbase" "with another range"
dray exec "$a" sh -c "echo hello > /hello-$$"
upper_file="$(find /var/lib/dray/containers -name "hello-$$" 2>/dev/null | head -1)"
like "$(stat -c %u "${upper_file:-/nonexistent}" 2>/dev/null):$abase" '^([0-9]+):\1$' "what it writes lands in its upper layer owned by its range's root"
is "$(dray exec "$a" stat -c %u "/hello-$$")" 0 "which is its UID 0 inside"
ok "without --userns the image runs as before" dray run --rm "$img" sh -c 'test ! -e /etc/group && test -e /opt/new'
dray rm -f "$a" "$b" >/dev/null
ok "both are removed" sh -c "! dray ps -a --format '{{.Names}}' | grep -qx '$a'"
is "$(layer_owner)" "0 " "and the layers are still the host root's"

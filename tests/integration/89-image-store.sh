#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Images (issue 9): an OS tarball with device nodes (what mmdebstrap and debootstrap trees hold,
# `tar -czf root.tgz .`) imports: the nodes are skipped and counted in one line, and a container
# gets dray's own /dev; a failed import or load removes everything it wrote (/var/lib/dray is as
# before); the same image loaded in a second format is the one image, with no <none> beside it.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require jq mknod python3

plan 15
setup_dray_test
tag="$RANDOM$$"
img() { echo "localhost/t$tag-$1:1"; }
defer sh -c "dray image rm -f $(img dev) $(img fmt) $(img bad) $(img deb) >/dev/null 2>&1; true"
# Every file of the store, with its size: what a failed transfer must leave as it was.
store_state() { find /var/lib/dray/images /var/lib/dray/layers /var/lib/dray/tmp -printf '%p %s\n' 2>/dev/null | sort; }

# --- device nodes --------------------------------------------------------------------------------
tree="$work/os"
cp -a "$rootfs" "$tree"
rm -rf "$tree/dev" && mkdir "$tree/dev"
mknod "$tree/dev/null" c 1 3 && mknod "$tree/dev/full" c 1 7 && mknod "$tree/dev/zero" c 1 5 &&
        mknod "$tree/dev/loop9" b 7 9 || bail_out "mknod failed"
tar -C "$tree" -czf "$work/root.tgz" . || bail_out "tar failed"
out="$(dray image import "$work/root.tgz" "$(img dev)" 2>&1)"
is "$?" 0 "an OS tarball with device nodes imports"
like "$out" 'skipped 4 device nodes of the archive: a container gets dray.s own /dev' \
        "one line says how many device nodes were skipped"
ok "none is in the store" sh -c "! find /var/lib/dray/layers -type c -name full -o -type b -name loop9 | grep ."
is "$(dray run --rm "$(img dev)" sh -c 'echo x 2>/dev/null > /dev/full; echo $?; ls /dev/loop9 2>&1 | grep -c "No such"; head -c 3 /dev/zero | wc -c')" \
        "$(printf '1\n1\n3')" "a container gets dray's own /dev (full, zero; no loop9)"

# The real thing, when tools/make-os-tree has built its Debian tree (mmdebstrap; tools/test-all
# builds it on the host): `tar -czf root.tgz .` of the tree, device nodes and all.
if os_tree="$("$REPO_ROOT/tools/make-os-tree" 2>/dev/null)" && [ -d "$os_tree/dev" ]; then
        n_dev="$(find "$os_tree" -xdev \( -type c -o -type b \) | wc -l)"
        tar -C "$os_tree" -czf "$work/debian.tgz" . || bail_out "tar of the Debian tree failed"
        out="$(dray image import "$work/debian.tgz" "$(img deb)" 2>&1)"
        like "$out" "skipped $n_dev device nodes of the archive" \
                "an mmdebstrap Debian tree's tarball imports, its $n_dev device nodes skipped"
        rm -f "$work/debian.tgz"
        like "$(dray run --rm "$(img deb)" sh -c 'cat /etc/debian_version; stat -c %t,%T /dev/full' | tr '\n' ' ')" \
                '^12\.[0-9]+ 1,7 $' "a container of it runs, on dray's /dev"
        dray image rm "$(img deb)" >/dev/null 2>&1
else
        skip "an mmdebstrap Debian tree's tarball imports" "no OS tree (tools/make-os-tree builds it on the host)"
        skip "a container of it runs, on dray's /dev" "no OS tree"
fi

# --- a failed import, load or pull leaves nothing ------------------------------------------------
before="$(store_state)"
# A big layer (so that a leftover blob would show) whose last entry is hostile.
mkdir -p "$work/bad"
head -c 3000000 /dev/urandom > "$work/bad/big"
tar -C "$work/bad" -cf "$work/bad.tar" big
python3 - "$work/bad.tar" <<'PY' || bail_out "python failed"
import io, sys, tarfile
with tarfile.open(sys.argv[1], "a") as t:
    i = tarfile.TarInfo("../escaped"); i.size = 1
    t.addfile(i, io.BytesIO(b"x"))
PY
status_is 125 "an import that fails in the unpack is refused" dray image import "$work/bad.tar" "$(img bad)"
is "$(store_state)" "$before" "and leaves the store as it was (no blob, no layer, no staging)"
python3 "$REPO_ROOT/tests/integration/image-archives.py" wrong-diffid "$work/wrong.tar"
status_is 125 "a load that fails its diff ID check is refused" dray image load -i "$work/wrong.tar"
is "$(store_state)" "$before" "and leaves the store as it was"
# A docker-archive whose second layer fails: the first, good one is removed again too.
python3 - "$work" <<'PY' || bail_out "python failed"
import hashlib, io, json, sys, tarfile
w = sys.argv[1]
def layer(name, data):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w") as t:
        i = tarfile.TarInfo(name); i.size = len(data); t.addfile(i, io.BytesIO(data))
    return b.getvalue()
good = layer("good", b"g" * 100000 + w.encode())
bad = layer("../bad", b"b")
cfg = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers",
      "diff_ids": ["sha256:" + hashlib.sha256(x).hexdigest() for x in (good, bad)]}}).encode()
with tarfile.open(f"{w}/two.tar", "w") as t:
    for n, d in (("c.json", cfg), ("l1.tar", good), ("l2.tar", bad),
                 ("manifest.json", json.dumps([{"Config": "c.json", "RepoTags": ["localhost/two:1"],
                                                "Layers": ["l1.tar", "l2.tar"]}]).encode())):
        i = tarfile.TarInfo(n); i.size = len(d); t.addfile(i, io.BytesIO(d))
PY
status_is 125 "a load whose second layer fails is refused" dray image load -i "$work/two.tar"
is "$(store_state)" "$before" "and the first layer and its blob are gone again"

# --- one image in two formats --------------------------------------------------------------------
tar -C "$rootfs" -cf "$work/root.tar" .
dray image import "$work/root.tar" "$(img fmt)" >/dev/null 2>&1
id="$(dray image inspect "$(img fmt)" | jq -r '.[0].Id')"
dray image save --format docker-archive -o "$work/fmt-docker.tar" "$(img fmt)"
dray image save --format oci-archive -o "$work/fmt-oci.tar" "$(img fmt)"
dray image rm "$(img fmt)" >/dev/null
dray image load -i "$work/fmt-docker.tar" >/dev/null 2>&1
ok "the same image loads in a second format" dray image load -i "$work/fmt-oci.tar"
is "$(dray images | grep -c " ${id:7:12} ")" 1 \
        "it is the one image, with no <none> duplicate"
like "$(dray image inspect "$(img fmt)" | jq -r '.[0].Id')" "^$id\$" "with its ID"

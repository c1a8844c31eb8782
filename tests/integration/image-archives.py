#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Hostile image archives for tests/integration/85-images.sh.

image-archives.py KIND OUT: writes an archive of KIND to OUT. Layer kinds are root file system
tarballs (for dray image import); archive kinds are docker-archives (for dray image load).
"""
import hashlib
import io
import json
import sys
import tarfile

from oci_tar import add, sha, tarball


def layer(entries):
    return tarball(entries)


LAYERS = {
    "dotdot": [("../escaped-dotdot", b"x")],
    "absolute": [("/var/lib/dray-test/escaped-absolute", b"x")],
    "symlink-write": [("link", b"", {"type": tarfile.SYMTYPE, "linkname": "/var/lib/dray-test"}),
                      ("link/escaped-symlink", b"x")],
    "hardlink-out": [("hl", b"", {"type": tarfile.LNKTYPE, "linkname": "../../../../etc/shadow"})],
    "device": [("dev/sda", b"", {"type": tarfile.BLKTYPE, "devmajor": 8, "devminor": 0})],
    "badname": [("bad\udcff", b"x")],
}


def docker_archive(config, layers, tags, digest_override=None):
    buf = io.BytesIO()
    config_bytes = json.dumps(config).encode()
    config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        names = []
        for i, l in enumerate(layers):
            n = "layer%d/layer.tar" % i
            add(t, n, l)
            names.append(n)
        add(t, config_name, config_bytes)
        add(t, "manifest.json", json.dumps([{"Config": config_name, "RepoTags": tags, "Layers": names}]).encode())
    return buf.getvalue()


def main():
    kind, out = sys.argv[1], sys.argv[2]
    if kind in LAYERS:
        data = layer(LAYERS[kind])
    elif kind == "wrong-diffid":
        l = layer([("file", b"x")])
        cfg = {"rootfs": {"type": "layers", "diff_ids": ["sha256:" + "0" * 64]}}
        data = docker_archive(cfg, [l], ["localhost/hostile:wrong-diffid"])
    elif kind == "bad-manifest":
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as t:
            add(t, "manifest.json", b"[{\"Config\": 5}]")
        data = buf.getvalue()
    elif kind == "huge-manifest":
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as t:
            add(t, "manifest.json", b"[" + b" " * (5 * 1024 * 1024) + b"]")
        data = buf.getvalue()
    elif kind == "bad-blob":
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as t:
            add(t, "oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
            add(t, "blobs/sha256/" + "1" * 64, b"not what the name says")
            add(t, "index.json", b'{"schemaVersion":2,"manifests":[]}')
        data = buf.getvalue()
    elif kind == "layer-dotdot-archive":
        cfg = {"rootfs": {"type": "layers", "diff_ids": []}}
        l = layer(LAYERS["dotdot"])
        cfg["rootfs"]["diff_ids"] = [sha(l)]
        data = docker_archive(cfg, [l], ["localhost/hostile:dotdot"])
    else:
        sys.exit("unknown kind " + kind)
    with open(out, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()

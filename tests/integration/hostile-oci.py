#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Hostile OCI archives and layers for tests/integration/67-hostile-archives.sh.

hostile-oci.py KIND OUT [TAG]: writes an archive of KIND to OUT.
  good           an oci-archive of one small layer
  missing-layer  the same layer named by the manifest, its blob left out of the archive
  size-lie       the layer's descriptor declares one byte more than the blob has
  manifests-too  a manifest that also carries a 'manifests' list, as an index does
  deep           a layer tarball whose directories nest 10,000 deep (for dray image import)
"""
import io
import json
import sys
import tarfile

from oci_tar import add, sha, tarball


def oci_archive(kind, tag):
    layer = tarball([("hello", b"hello from a layer\n", {})])
    config = json.dumps({"architecture": "amd64", "os": "linux",
                         "config": {"Cmd": ["/hello"]}, "comment": kind,
                         "rootfs": {"type": "layers", "diff_ids": [sha(layer)]}}).encode()
    size = len(layer) + (1 if kind == "size-lie" else 0)
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                           "digest": sha(config), "size": len(config)},
                "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                            "digest": sha(layer), "size": size}]}
    if kind == "manifests-too":
        manifest["manifests"] = [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                                  "digest": sha(b"elsewhere"), "size": 9}]
    manifest_bytes = json.dumps(manifest).encode()
    index = {"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha(manifest_bytes),
         "size": len(manifest_bytes), "annotations": {"org.opencontainers.image.ref.name": tag}}]}
    entries = [("oci-layout", b'{"imageLayoutVersion":"1.0.0"}', {}),
               ("index.json", json.dumps(index).encode(), {}),
               ("blobs/sha256/" + sha(manifest_bytes)[7:], manifest_bytes, {}),
               ("blobs/sha256/" + sha(config)[7:], config, {})]
    if kind != "missing-layer":
        entries.append(("blobs/sha256/" + sha(layer)[7:], layer, {}))
    return tarball(entries)


def deep():
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        path = ""
        for i in range(10000):
            path += "d/"
            add(t, path.rstrip("/"), type=tarfile.DIRTYPE, mode=0o755)
    return buf.getvalue()


def main():
    kind, out = sys.argv[1], sys.argv[2]
    tag = sys.argv[3] if len(sys.argv) > 3 else "localhost/hostile-oci:" + kind
    if kind == "deep":
        data = deep()
    elif kind in ("good", "missing-layer", "size-lie", "manifests-too"):
        data = oci_archive(kind, tag)
    else:
        sys.exit("unknown kind " + kind)
    with open(out, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()

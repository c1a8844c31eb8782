#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A docker-archive of ROOT (one layer, Cmd ["sleep", "1000"]) with HEALTHCHECK (a JSON object, the
image config's Healthcheck) and the tag TAG, for `dray image load` in the health tests (49, 78).
Usage: health-image.py ROOT OUT TAG HEALTHCHECK"""
import hashlib
import io
import json
import sys
import tarfile

root, out, tag, healthcheck = sys.argv[1:5]
layer = io.BytesIO()
with tarfile.open(fileobj=layer, mode="w") as t:
    t.add(root, arcname=".")
layer = layer.getvalue()
config = {"architecture": "amd64", "os": "linux",
          "config": {"Cmd": ["sleep", "1000"], "Healthcheck": json.loads(healthcheck)},
          "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(layer).hexdigest()]}}
cfg = json.dumps(config).encode()
manifest = json.dumps([{"Config": "config.json", "RepoTags": [tag], "Layers": ["layer.tar"]}]).encode()
with tarfile.open(out, mode="w") as t:
    for name, data in (("layer.tar", layer), ("config.json", cfg), ("manifest.json", manifest)):
        info = tarfile.TarInfo(name)
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))

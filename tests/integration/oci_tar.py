# SPDX-License-Identifier: LGPL-2.1-or-later
"""Tar and digest helpers shared by the tests' archive writers (hostile-oci.py, image-archives.py):
imported from the script's own directory, which python puts first on sys.path."""
import hashlib
import io
import tarfile


def add(t, name, data=b"", **kw):
    """One entry: a regular file of data, or whatever TarInfo attributes kw sets (type, linkname,
    devmajor…), with no size check: the tests write hostile entries on purpose."""
    info = tarfile.TarInfo(name)
    for k, v in kw.items():
        setattr(info, k, v)
    if info.type == tarfile.REGTYPE:
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    else:
        t.addfile(info)


def tarball(entries):
    """A PAX tarball of (name, data) or (name, data, attributes) entries, as bytes."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for e in entries:
            add(t, e[0], e[1], **(e[2] if len(e) > 2 else {}))
    return buf.getvalue()


def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()

#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A hostile registry for tests/integration/86-registry.sh, on 127.0.0.1 only.

Writes its port to argv[1]. Repositories (any tag or digest):
  good      a valid one-layer image, behind an anonymous Bearer token (WWW-Authenticate)
  badblob   a manifest whose layer blob does not match its digest (the config is fine)
  big       a 5 MiB manifest
  ctype     a valid manifest served as text/html
  loop      a redirect to itself
  otherarch an OCI index with a manifest for another architecture only
  redirect  the good image, each blob redirected to /elsewhere/ (a bounded redirect)
  trickle   the good image's manifest at one byte a second
  private   the good image behind a Bearer token the token server gives only for Basic
            credentials alice:s3cret and the scope repository:private:pull (94-registry-token.sh)
"""
import base64, gzip, hashlib, http.server, io, json, sys, tarfile, time, urllib.parse

def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()

def layer():
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
        data = b"hello from the fake registry\n"
        info = tarfile.TarInfo("hello.txt")
        info.size, info.mtime, info.mode = len(data), 0, 0o644
        t.addfile(info, io.BytesIO(data))
    tar = raw.getvalue()
    return tar, gzip.compress(tar, mtime=0)

TAR, LAYER = layer()
STAMP = str(time.time())

def config(label):
    return json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/hello.txt"],
                       "Labels": {"stamp": STAMP + label}},
                       "rootfs": {"type": "layers", "diff_ids": [sha(TAR)]}}).encode()

BLOBS = {}

def manifest(label, layer_digest=None):
    c = config(label)
    BLOBS[sha(c)] = c
    BLOBS[sha(LAYER)] = LAYER
    return json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                  "digest": sha(c), "size": len(c)},
                       "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                                   "digest": layer_digest or sha(LAYER), "size": len(LAYER)}]}).encode()

OCI = "application/vnd.oci.image.manifest.v1+json"
GOOD = manifest("good")
BADBLOB = manifest("badblob", layer_digest=sha(b"not the layer"))
CTYPE = manifest("ctype")
INDEX = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                    "manifests": [{"mediaType": OCI, "digest": sha(GOOD), "size": len(GOOD),
                                   "platform": {"os": "linux", "architecture": "mips64le"}}]}).encode()
TOKEN = "tok-" + hashlib.sha256(STAMP.encode()).hexdigest()[:16]
PRIVATE_TOKEN = "private-" + TOKEN
PRIVATE_BASIC = "Basic " + base64.b64encode(b"alice:s3cret").decode()

class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, code, body=b"", ctype="application/json", headers=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        port = self.server.server_address[1]
        p = self.path.split("?")[0].split("/")
        if self.path.startswith("/token"):
            auth = self.headers.get("Authorization")
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            if auth is None:
                return self.send(200, json.dumps({"token": TOKEN}).encode())
            if auth != PRIVATE_BASIC:
                return self.send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}')
            # As a real token server: a token for what the user may do in the scope asked for.
            if query.get("scope") != ["repository:private:pull"] or query.get("service") != ["fake"]:
                return self.send(200, json.dumps({"token": TOKEN}).encode())
            return self.send(200, json.dumps({"access_token": PRIVATE_TOKEN}).encode())
        if p[:2] == ["", "elsewhere"] and p[2] in BLOBS:
            return self.send(200, BLOBS[p[2]], "application/octet-stream")
        if len(p) != 5 or p[:2] != ["", "v2"]:
            return self.send(404, b"{}")
        repo, kind, ref = p[2], p[3], p[4]
        if repo in ("good", "redirect") and self.headers.get("Authorization") != "Bearer " + TOKEN:
            realm = 'Bearer realm="http://127.0.0.1:%d/token",service="fake",scope="repository:%s:pull"' % (port, repo)
            return self.send(401, b'{"errors":[]}', headers=[("WWW-Authenticate", realm)])
        if repo == "private":
            if self.headers.get("Authorization") != "Bearer " + PRIVATE_TOKEN:
                # No scope in the challenge: the client must ask for the right one itself.
                realm = 'Bearer realm="http://127.0.0.1:%d/token?x=1",service="fake"' % port
                return self.send(401, b'{"errors":[]}', headers=[("WWW-Authenticate", realm)])
            repo = "good"
        if kind == "blobs":
            if repo == "redirect":
                return self.send(307, headers=[("Location", "/elsewhere/" + ref)])
            if repo == "badblob" and ref == sha(b"not the layer"):
                return self.send(200, LAYER, "application/octet-stream")
            if ref in BLOBS:
                return self.send(200, BLOBS[ref], "application/octet-stream")
            return self.send(404, b"{}")
        if kind != "manifests":
            return self.send(404, b"{}")
        if repo in ("good", "redirect"):
            return self.send(200, GOOD, OCI)
        if repo == "badblob":
            return self.send(200, BADBLOB, OCI)
        if repo == "trickle":
            self.send_response(200)
            self.send_header("Content-Type", OCI)
            self.send_header("Content-Length", str(len(GOOD)))
            self.end_headers()
            if self.command == "HEAD":
                return
            for i in range(len(GOOD)):
                try:
                    self.wfile.write(GOOD[i:i + 1])
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(1)
            return
        if repo == "big":
            return self.send(200, b"{" + b" " * (5 * 1024 * 1024) + b"}", OCI)
        if repo == "ctype":
            return self.send(200, CTYPE, "text/html")
        if repo == "loop":
            return self.send(302, headers=[("Location", self.path)])
        if repo == "otherarch":
            return self.send(200, INDEX, "application/vnd.oci.image.index.v1+json")
        return self.send(404, b"{}")

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()

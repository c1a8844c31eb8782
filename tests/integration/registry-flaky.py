#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A flaky registry for tests/integration/95-registry-resume.sh, on 127.0.0.1 only, anonymous.

Usage: registry-flaky.py PORTFILE LOGFILE. Every image has four layers of 1 MiB of random data each
(so they do not compress away), served in 64 KiB pieces 20 ms apart so that parallel requests
overlap however loaded the machine. The log has one line per blob request:
  START <t> <repo> <digest> range=<Range header or -> / END <t> <repo> <digest> <status> <bytes sent>
Repositories (any tag):
  plain     served as asked
  cutonce   the first request of each layer is cut off (connection closed) half-way; Range honoured
  cutheal   every request of the first layer is cut off half-way through what it sends, until
            GET /control/heal; Range honoured
  norange   as cutonce, but Range is ignored (a 200 with the whole blob)
  slow      as plain, 20 times slower (about 2 s a layer)
  busy      the manifest answers 429 (Retry-After: 1) once, each blob 503 (Retry-After: 1) twice
  missing   the third layer is 404
  multi     an OCI index: linux/amd64, linux/arm64/v8, linux/arm/v7 (configs saying so)
  poison    the first request of each layer sends other bytes and is cut off half-way; the next
            ones are 404 (what it leaves to resume must not spoil a pull from elsewhere)
"""
import gzip, hashlib, http.server, io, json, os, sys, tarfile, threading, time

def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()

def layer(i):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
        data = os.urandom(1024 * 1024)
        info = tarfile.TarInfo("layer%d.bin" % i)
        info.size, info.mtime, info.mode = len(data), 0, 0o644
        t.addfile(info, io.BytesIO(data))
    tar = raw.getvalue()
    return tar, gzip.compress(tar, compresslevel=1, mtime=0)

LAYERS = [layer(i) for i in range(4)]
BLOBS = {sha(gz): gz for _, gz in LAYERS}
OCI = "application/vnd.oci.image.manifest.v1+json"
INDEX_TYPE = "application/vnd.oci.image.index.v1+json"
STAMP = str(time.time())

def manifest(arch, variant=None):
    c = {"architecture": arch, "os": "linux", "config": {"Cmd": ["/bin/true"], "Labels": {"stamp": STAMP}},
         "rootfs": {"type": "layers", "diff_ids": [sha(tar) for tar, _ in LAYERS]}}
    if variant:
        c["variant"] = variant
    c = json.dumps(c).encode()
    BLOBS[sha(c)] = c
    return json.dumps({"schemaVersion": 2, "mediaType": OCI,
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha(c),
                                  "size": len(c)},
                       "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": sha(gz),
                                   "size": len(gz)} for _, gz in LAYERS]}).encode()

PLATFORMS = [("amd64", None), ("arm64", "v8"), ("arm", "v7")]
MANIFESTS = {arch: manifest(arch, variant) for arch, variant in PLATFORMS}
for m in MANIFESTS.values():
    BLOBS[sha(m)] = m
NATIVE = MANIFESTS["amd64"]
INDEX = json.dumps({"schemaVersion": 2, "mediaType": INDEX_TYPE, "manifests": [
    dict({"mediaType": OCI, "digest": sha(MANIFESTS[a]), "size": len(MANIFESTS[a])},
         platform=dict({"os": "linux", "architecture": a}, **({"variant": v} if v else {})))
    for a, v in PLATFORMS]}).encode()

LOCK = threading.Lock()
COUNT = {}
HEALED = [False]
LOG = open(sys.argv[2], "a", buffering=1)

def log(line):
    with LOCK:
        LOG.write("%.6f %s\n" % (time.time(), line))

def count(key):
    with LOCK:
        COUNT[key] = COUNT.get(key, 0) + 1
        return COUNT[key]

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

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

    def blob(self, repo, digest):
        data = BLOBS[digest]
        layer = digest in [sha(gz) for _, gz in LAYERS]
        first_layer = digest == sha(LAYERS[0][1])
        rng = self.headers.get("Range")
        log("START %s %s range=%s" % (repo, digest, rng or "-"))
        n = count((repo, digest))
        if repo == "busy" and n <= 2:
            log("END %s %s 503 0" % (repo, digest))
            return self.send(503, b'{"errors":[]}', headers=[("Retry-After", "1")])
        if repo == "missing" and digest == sha(LAYERS[2][1]):
            log("END %s %s 404 0" % (repo, digest))
            return self.send(404, b'{"errors":[{"code":"BLOB_UNKNOWN"}]}')
        if repo == "poison" and layer and n > 1:
            log("END %s %s 404 0" % (repo, digest))
            return self.send(404, b'{"errors":[{"code":"BLOB_UNKNOWN"}]}')
        if repo == "poison" and layer:
            data = os.urandom(len(data))
        start = 0
        if rng and repo != "norange":
            assert rng.startswith("bytes=") and rng.endswith("-"), rng
            start = int(rng[6:-1])
        body = data[start:]
        cut = layer and ((repo in ("cutonce", "norange", "poison") and n == 1) or
                         (repo == "cutheal" and first_layer and not HEALED[0]))
        self.send_response(206 if start else 200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        if start:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
        self.end_headers()
        if self.command == "HEAD":
            return
        limit = len(body) // 2 if cut else len(body)
        sent = 0
        # END is logged before the last piece goes: once the client has it all, it may start its
        # next request, whose START must come after this END in the log.
        ended = False
        try:
            while sent < limit:
                piece = body[sent:min(limit, sent + 65536)]
                if sent + len(piece) >= limit:
                    log("END %s %s %d %d%s" % (repo, digest, 206 if start else 200, limit, " cut" if cut else ""))
                    ended = True
                self.wfile.write(piece)
                self.wfile.flush()
                sent += len(piece)
                time.sleep(0.1 if repo == "slow" else 0.02)
        except OSError:
            pass
        if not ended:
            log("END %s %s %d %d%s" % (repo, digest, 206 if start else 200, sent, " cut" if cut else ""))
        if cut:
            self.close_connection = True
            try:
                self.connection.shutdown(2)
            except OSError:
                pass

    def do_GET(self):
        if self.path == "/control/heal":
            HEALED[0] = True
            return self.send(200, b"{}")
        if self.path == "/v2/":
            return self.send(200, b"{}")
        p = self.path.split("?")[0].split("/")
        if len(p) != 5 or p[:2] != ["", "v2"]:
            return self.send(404, b"{}")
        repo, kind, ref = p[2], p[3], p[4]
        if kind == "blobs":
            if ref in BLOBS:
                return self.blob(repo, ref)
            return self.send(404, b"{}")
        if kind != "manifests":
            return self.send(404, b"{}")
        if ref.startswith("sha256:"):
            if ref in BLOBS:
                return self.send(200, BLOBS[ref], OCI)
            return self.send(404, b"{}")
        if repo == "busy" and count((repo, "manifest")) == 1:
            return self.send(429, b'{"errors":[]}', headers=[("Retry-After", "1")])
        if repo == "multi":
            return self.send(200, INDEX, INDEX_TYPE)
        return self.send(200, NATIVE, OCI)

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()

#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A hostile registry for 99-review.sh: token auth on 127.0.0.1 (a token server of its own), whose
upload sessions point (Location) at a second listener, another host for the client (another port).
The second listener records every request's Authorization header in LOG and refuses the upload.

usage: registry-hostile-upload.py PORTFILE LOG"""
import http.server
import json
import sys
import threading

TOKEN = "hostile-secret-token"
portfile, logfile = sys.argv[1], sys.argv[2]
log_lock = threading.Lock()


def record(line):
    with log_lock, open(logfile, "a") as f:
        f.write(line + "\n")


class Thief(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self):
        n = int(self.headers.get("Content-Length") or 0)
        while n > 0:
            n -= len(self.rfile.read(min(n, 65536)))
        record("%s %s authorization=%s" % (self.command, self.path, self.headers.get("Authorization", "")))
        self.send_response(400)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_PUT = do_PATCH = do_POST = do_HEAD = answer


thief = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Thief)
thief_port = thief.server_address[1]


class Registry(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def answer(self):
        n = int(self.headers.get("Content-Length") or 0)
        while n > 0:
            n -= len(self.rfile.read(min(n, 65536)))
        host = "127.0.0.1:%d" % self.server.server_address[1]
        if self.path.startswith("/token"):
            return self.send(200, json.dumps({"token": TOKEN}).encode())
        if self.headers.get("Authorization") != "Bearer " + TOKEN:
            return self.send(401, headers=[("WWW-Authenticate",
                                            'Bearer realm="http://%s/token",service="hostile"' % host)])
        record("registry %s %s with the token" % (self.command, self.path))
        if self.command == "POST" and "/blobs/uploads/" in self.path:
            return self.send(202, headers=[("Location", "http://127.0.0.1:%d/stolen/upload" % thief_port)])
        return self.send(404)

    do_GET = do_PUT = do_PATCH = do_POST = do_HEAD = answer


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Registry)
threading.Thread(target=thief.serve_forever, daemon=True).start()
with open(portfile + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os  # noqa: E402
os.rename(portfile + ".tmp", portfile)
server.serve_forever()

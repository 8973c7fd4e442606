#!/usr/bin/env python3
"""Git Fusion's LFS endpoint, emulated for gfbridge's tests (../shared/reference/git-fusion.md
§8.4, read apart from gfbridge's own code).

Usage: lfs_server.py <fusion.git>   (prints the port, then serves 127.0.0.1 until killed)

- POST .../info/lfs/objects/batch: Content-Type must be application/vnd.git-lfs+json
  (optionally `; charset=utf-8`), else 406; the body needs operation upload|download|verify
  and objects with a 64-hex oid and an integer size >= 0, else 400. Always 200: the operation
  is ignored; a missing object gets an `upload` action, a present one `size` and `download`;
  no header, no verify. A missing http-url, or settings.json "lfs_refuse", gives every object
  {"error": {"code": 403, ...}}.
- PUT <http-url>/objects/<oid>: Content-Type exactly application/octet-stream, else 406; the
  body's SHA-256 must be the oid, else 400; the size is not checked. Stored in the upload
  cache (fusion/lfs-cache/<oid>), which the pre-receive hook also looks in; the post-receive
  copies what a push used to the depot path. settings.json "lfs_fail_uploads" answers 500.
  "lfs_hold_oid": a PUT of that object waits while the file fusion/lfs-hold exists, after
  writing fusion/lfs-holding (for kill tests).
- GET <http-url>/objects/<oid>: the content, or 404.
- Anything else but batch: 400 `Git LFS not enabled for this repo.` when git-lfs-enable is off.
Every request is appended to fusion/lfs-requests.log as `METHOD path status`.
"""
import hashlib
import http.server
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gitfusion  # noqa: E402

GIT_DIR = os.path.abspath(sys.argv[1])
MEDIA = "application/vnd.git-lfs+json"
OBJECT_PATH = re.compile(r"/objects/([0-9a-f]{64})$")


def repo():
    return gitfusion.Repo(GIT_DIR)  # read afresh: tests change the settings between runs


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", content_type="application/json"):
        with open(os.path.join(GIT_DIR, "fusion", "lfs-requests.log"), "a") as f:
            f.write(f"{self.command} {self.path} {status}\n")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_POST(self):
        data = self.body()
        r = repo()
        if not self.path.endswith("/info/lfs/objects/batch"):
            return self.answer(400, b'{"message": "Git LFS not enabled for this repo."}')
        media = (self.headers.get("Content-Type") or "").replace(" ", "").lower()
        if media not in (MEDIA, MEDIA + ";charset=utf-8"):
            return self.answer(406, b'{"message": "Not Acceptable"}')
        try:
            request = json.loads(data)
            assert request["operation"] in ("upload", "download", "verify")
            objects = request["objects"]
            for o in objects:
                assert re.fullmatch(r"[0-9a-fA-F]{64}", o["oid"])
                assert isinstance(o["size"], int) and not isinstance(o["size"], bool) and o["size"] >= 0
        except Exception:
            return self.answer(400, b'{"message": "Bad Request"}')
        http_url = r.config_value("perforce-to-git", "http-url", None)
        answers = []
        for o in objects:
            oid = o["oid"]
            if not http_url or r.settings.get("lfs_refuse"):
                answers.append({"oid": oid, "error": {"code": 403, "message": "Forbidden: LFS not configured or not permitted"}})
                continue
            href = http_url.replace("{repo}", r.encoded) + "/objects/" + oid
            stored = gitfusion.lfs_content_path(r, oid)
            if stored:
                answers.append({"oid": oid, "size": os.path.getsize(stored), "actions": {"download": {"href": href}}})
            else:
                answers.append({"oid": oid, "actions": {"upload": {"href": href}}})
        self.answer(200, json.dumps({"objects": answers}).encode(), MEDIA)

    def do_PUT(self):
        r = repo()
        match = OBJECT_PATH.search(self.path)
        if not r.lfs_enabled():
            self.body()
            return self.answer(400, b'{"message": "Git LFS not enabled for this repo."}')
        if self.headers.get("Content-Type") != "application/octet-stream":
            self.body()
            return self.answer(406, b'{"message": "Not Acceptable"}')
        if match and r.settings.get("lfs_hold_oid") == match.group(1):
            open(r.path("lfs-holding"), "w").close()
            while os.path.exists(r.path("lfs-hold")):
                time.sleep(0.05)  # a stand-in for a slow server; the test awaits lfs-holding
        data = self.body()
        if not match:
            return self.answer(404)
        if r.settings.get("lfs_fail_uploads"):
            return self.answer(500, b'{"message": "disk full"}')
        if hashlib.sha256(data).hexdigest() != match.group(1):
            return self.answer(400, b'{"message": "file checksum does not match oid"}')
        os.makedirs(r.path("lfs-cache"), exist_ok=True)
        with open(r.path("lfs-cache", match.group(1)), "wb") as f:
            f.write(data)
        self.answer(200)

    def do_GET(self):
        r = repo()
        match = OBJECT_PATH.search(self.path)
        if not r.lfs_enabled():
            return self.answer(400, b'{"message": "Git LFS not enabled for this repo."}')
        stored = match and gitfusion.lfs_content_path(r, match.group(1))
        if not stored:
            return self.answer(404, b'{"message": "Not Found"}')
        with open(stored, "rb") as f:
            self.answer(200, f.read(), "application/octet-stream")


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

"""The upload benchmark's Hub: the Python test hub for the API, nginx as the storage.

    client --HF_ENDPOINT--> test hub (tests/hub/testhub.py, in this process)
                              create, preupload, LFS batch, verify, commit,
                              and the multipart completion (a faster variant)
           --presigned PUT--> nginx :sink  /lfs-upload/{basic/<oid>,mp/<id>/<n>}
                              DAV PUT into <sink>/put/ (a tmpfs by default)

Why: the test hub's own storage (tests/hub/write_api.py h_cdn_put) reads every
PUT body into memory and md5s it in Python, and its completion reads all parts
back into one bytearray: for a multi-GB file the benchmark would measure
Python. The real Hub's storage is S3, which is never the client's bottleneck.

What the sink does not do that S3 (and the test hub) do, stated in
bench/README.md ("Uploads"):
  - its ETag is nginx's request id, not the md5 of the part; the completion
    here checks that every part is there with a non-empty ETag and that the
    sizes add up, and the sha256 of the parts in order is checked after the
    contender's clock stopped (check_completed; a mismatch fails the run),
    which catches a lost, short or misplaced part all the same;
  - the URL's check is nginx's secure_link (an md5 over the expiry, the path
    and a secret, added to each PUT URL as `bench_sig`) instead of the test
    hub's HMAC over the whole query; expired or tampered URLs still get 403;
  - a PUT carrying an Authorization header is refused (403) like on the test
    hub's CDN, and the log counts it (`auth` column), so a client that leaks
    its token to the storage shows in the report;
  - answers 201/204 (nginx DAV) instead of S3's 200; no S3 XML on success.

Everything behind the API is the test hub's own code, except three
benchmark-only replacements made in this process (never in tests/hub/):
the completion handler (the parts directory becomes the object by one
rename; the hash is checked untimed, see above), `stored_object` (an object that is already checked is
read from disk lazily instead of into memory), and the Blob the commit builds
for such an object (a DiskBlob: its bytes stay on disk).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import types
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "hub"))
import fixtures  # noqa: E402
import testhub  # noqa: E402
import write_api  # noqa: E402
from benchhub import DiskBlob, _free_port  # noqa: E402

WRITE_TOKEN = testhub.WRITE_TOKEN
USER = "alice"   # the owner of WRITE_TOKEN in the test hub's default tokens

SINK_CONF = """\
worker_processes 2;
daemon off;
{user}
pid {run}/sink-nginx.pid;
error_log {run}/sink-error.log warn;
events {{ worker_connections 4096; }}
http {{
    map $http_authorization $has_auth {{ "" 0; default 1; }}
    log_format sink '$msec $request_method $uri $status $request_length $has_auth';
    access_log {run}/sink-access.log sink;
    client_body_temp_path {sink}/tmp;
    client_max_body_size 0;
    client_body_buffer_size 1m;
    keepalive_timeout 75s;
    keepalive_requests 1000000;
    server {{
        listen 127.0.0.1:{port};
        location /lfs-upload/ {{
            limit_except PUT {{ deny all; }}
            if ($http_authorization) {{
                return 403 '<?xml version="1.0" encoding="UTF-8"?>\\n<Error><Code>AccessDenied</Code><Message>Only one auth mechanism allowed</Message></Error>';
            }}
            secure_link $arg_bench_sig,$arg_expires;
            secure_link_md5 "$secure_link_expires$uri {secret}";
            if ($secure_link = "") {{
                return 403 '<?xml version="1.0" encoding="UTF-8"?>\\n<Error><Code>AccessDenied</Code><Message>The request signature we calculated does not match the signature you provided.</Message></Error>';
            }}
            if ($secure_link = "0") {{
                return 403 '<?xml version="1.0" encoding="UTF-8"?>\\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>';
            }}
            alias {sink}/put/;
            dav_methods PUT;
            create_full_put_path on;
            dav_access user:rw group:r all:r;
            add_header ETag '"$request_id"';
        }}
    }}
}}
"""


class StoredObject:
    """An LFS object kept on disk: what the bench's stored_object answers
    instead of the object's bytes. A file (a single PUT, checked by the test
    hub's own code) or a directory of parts 1..N (a multipart completion,
    whose sha256 check_completed() makes after the run)."""

    def __init__(self, path: str, oid: str):
        self.path = path
        self.oid = oid
        if os.path.isdir(path):
            self.size = sum(e.stat().st_size for e in os.scandir(path))
        else:
            self.size = os.path.getsize(path)

    def __len__(self):
        return self.size


def _blob(data=None, **kw):
    if isinstance(data, StoredObject):
        return DiskBlob(data.path, data.size, data.oid, None, lfs=True)
    return fixtures.Blob(data, **kw)


class _Fixtures(types.ModuleType):
    """fixtures as write_api sees it in this process: Blob also takes a StoredObject."""

    def __getattr__(self, name):
        return getattr(fixtures, name)


class UploadHub:
    def __init__(self, run_dir: str, sink_dir: str):
        self.run = run_dir
        self.sink = sink_dir
        self.secret = base64.b32encode(os.urandom(10)).decode().lower()
        self.nginx = None
        self.server = None
        self.completions: list[dict] = []   # one per multipart completion: seconds, bytes

    # -- start/stop -------------------------------------------------------
    def start(self):
        shutil.rmtree(self.run, ignore_errors=True)
        os.makedirs(self.run)
        self.wipe()
        self._patch()
        self.state = testhub.State(name="hub", log_path=os.path.join(self.run, "testhub.jsonl"))
        self.server = testhub.Server(("127.0.0.1", 0), self.state)
        port = self.server.server_address[1]
        self.endpoint = self.state.base_url = f"http://127.0.0.1:{port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

        self.sink_port = _free_port()
        self.sink_url = f"http://127.0.0.1:{self.sink_port}"
        self.state.options.update({"upload_dir": self.sink, "cdn_url": self.sink_url,
                                   "cdn_secret": self.secret, "upload_url_ttl": 3600})
        user = ""
        if os.geteuid() == 0:
            # nginx's workers drop to nobody: give them the sink's writable part
            user = "user nobody nogroup;"
        conf = os.path.join(self.run, "sink-nginx.conf")
        with open(conf, "w", encoding="utf-8") as f:
            f.write(SINK_CONF.format(run=self.run, sink=self.sink, port=self.sink_port,
                                     secret=self.secret, user=user))
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.nginx = subprocess.Popen([nginx, "-c", conf, "-p", self.run],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.sink_port), 0.2).close()
                return self
            except OSError:
                if self.nginx.poll() is not None:
                    raise RuntimeError("nginx failed: " + self.nginx.stderr.read().decode())
                time.sleep(0.05)
        raise RuntimeError("nginx did not start")

    def stop(self):
        if self.nginx and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)
            try:
                self.nginx.wait(10)
            except subprocess.TimeoutExpired:
                self.nginx.kill()
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    def wipe(self):
        """Forget every repo and stored object, so the next contender uploads
        everything again (the LFS batch skips objects the storage holds)."""
        if self.server:
            with self.state.lock:
                self.state.registry = fixtures.Registry()
        shutil.rmtree(self.sink, ignore_errors=True)
        for d in ("put", "tmp", "objects"):
            os.makedirs(os.path.join(self.sink, d))
        if os.geteuid() == 0:
            for d in ("put", "tmp"):
                shutil.chown(os.path.join(self.sink, d), "nobody", "nogroup")

    # -- the benchmark-only replacements (see the module docstring) --------
    def _patch(self):
        hub = self
        orig_presign = write_api.presign
        orig_stored = write_api.stored_object

        def presign(state, base, method, path, extra=()):
            url = orig_presign(state, base, method, path, extra)
            if not path.startswith("/lfs-upload/"):
                return url      # the completion URL: checked by the hub's own HMAC
            return url + "&bench_sig=" + hub._secure_link(url, path)

        def stored_object(state, oid):
            p = os.path.join(write_api.upload_dir(state), "objects", oid)
            if os.path.exists(p):
                return StoredObject(p, oid)
            return orig_stored(state, oid)

        write_api.presign = presign
        write_api.stored_object = stored_object
        proxy = _Fixtures("fixtures")
        proxy.Blob = _blob
        write_api.fixtures = proxy
        testhub._COMPILED_ROUTES[:] = [
            (m, rx, hub._complete if h is write_api.h_complete_multipart else h)
            for m, rx, h in testhub._COMPILED_ROUTES]

    def _secure_link(self, url: str, path: str) -> str:
        q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
        digest = hashlib.md5(f"{q['Expires']}{path} {self.secret}".encode()).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def _complete(self, req):
        """POST /api/complete_multipart: like write_api.h_complete_multipart,
        except that the sha256 of the assembled object is checked later, by
        check_completed() after the contender's clock stopped. Here the parts
        (all present, sizes adding up) become the object by one rename, as
        cheap as S3's own completion is for the client; hashing 2 GiB in
        this handler would put seconds of the hub's CPU into the client's
        time."""
        t0 = time.monotonic()
        t = testhub
        bad = write_api.check_presigned(req)
        if bad is not None:
            return bad
        q = {k: v[0] for k, v in req.query.items()}
        upload_id, oid, size, n = q["uploadId"], q["oid"], int(q["size"]), int(q["parts"])
        body = write_api._json_body(req)
        if body is None or body.get("oid") != oid or not isinstance(body.get("parts"), list):
            return t.error_response(400, "Invalid multipart completion body")
        parts = body["parts"]
        if [p.get("partNumber") for p in parts] != list(range(1, n + 1)):
            return t.error_response(400, f"Expected parts 1..{n} in order")
        base = os.path.join(self.sink, "put", "mp", upload_id)
        total = 0
        for p in parts:
            path = os.path.join(base, str(p["partNumber"]))
            if not os.path.exists(path):
                return t.error_response(400, f"Part {p['partNumber']} was not uploaded")
            if not isinstance(p.get("etag"), str) or len(p["etag"]) < 3:
                return t.error_response(400, f"ETag of part {p['partNumber']} does not match")
            total += os.path.getsize(path)
        if total != size:
            return t.error_response(400, "Assembled object does not match its oid and size")
        dst = os.path.join(self.sink, "objects", oid)
        if not os.path.exists(dst):
            os.rename(base, dst)
        self.completions.append({"oid": oid, "parts": n, "bytes": size,
                                 "seconds": time.monotonic() - t0})
        return t.json_response({"oid": oid, "size": size})

    def check_completed(self) -> list:
        """sha256 of every object assembled since clear_counters(), parts read
        in order: [(oid, ok)]. Called between contenders, never timed."""
        out = []
        for c in self.completions:
            d = os.path.join(self.sink, "objects", c["oid"])
            h = hashlib.sha256()
            for i in range(1, c["parts"] + 1):
                with open(os.path.join(d, str(i)), "rb") as fh:
                    h.update(fh.read())
            out.append((c["oid"], h.hexdigest() == c["oid"]))
        return out

    # -- for the driver ------------------------------------------------------
    def api(self, method: str, path: str, body: dict) -> dict:
        r = urllib.request.Request(self.endpoint + path, method=method,
                                   data=json.dumps(body).encode(),
                                   headers={"Authorization": f"Bearer {WRITE_TOKEN}",
                                            "Content-Type": "application/json"})
        with urllib.request.urlopen(r, timeout=30) as resp:
            return json.loads(resp.read() or b"{}")

    def create_repo(self, name: str) -> str:
        self.api("POST", "/api/repos/create", {"name": name, "type": "model"})
        return f"{USER}/{name}"

    def repo_files(self, repo_id: str) -> dict:
        """{path: (size, lfs)} at the head of main."""
        repo = self.state.registry.get(repo_id, "model")
        head = repo.resolve("main")
        return {p: (f.size, f.lfs) for p, f in head.files.items()}

    def put_url(self, oid: str) -> str:
        """A presigned single-PUT URL, as an LFS batch answer would give one."""
        return write_api.presign(self.state, self.sink_url, "PUT", f"/lfs-upload/basic/{oid}",
                                 [("x-id", "PutObject")])

    def _sink_log(self):
        # nginx writes a request's log line after its answer: wait until the
        # log stops growing, so the last PUT of a run is counted
        log = os.path.join(self.run, "sink-access.log")
        size, deadline = -1, time.monotonic() + 2
        while time.monotonic() < deadline:
            now = os.path.getsize(log) if os.path.exists(log) else 0
            if now == size:
                break
            size = now
            time.sleep(0.05)
        try:
            with open(os.path.join(self.run, "sink-access.log"), encoding="utf-8") as f:
                for line in f:
                    parts = line.split()
                    if len(parts) >= 6:
                        yield parts
        except FileNotFoundError:
            return

    def sink_counters(self) -> dict:
        """PUTs the sink saw (2xx / other), request bytes, and PUTs carrying
        an Authorization header (a leaked credential)."""
        c = {"puts": 0, "put_failed": 0, "put_bytes": 0, "with_auth": 0}
        for parts in self._sink_log():
            c["puts"] += 1
            if not parts[3].startswith("2"):
                c["put_failed"] += 1
            c["put_bytes"] += int(parts[4])
            c["with_auth"] += int(parts[5])
        return c

    def phases(self, t0: float) -> dict:
        """Seconds from t0 (the contender's start) to: its first LFS batch
        request (every LFS file hashed), the first and last PUT the storage
        finished, and the commit request. Where the time of a run goes."""
        out = {}
        try:
            with open(self.state.log_path, encoding="utf-8") as f:
                for line in f:
                    e = json.loads(line)
                    t, path = e.get("time", 0) - t0, e.get("path", "")
                    if t < 0:
                        continue
                    if path.endswith("/info/lfs/objects/batch"):
                        out.setdefault("batch_s", t)
                    elif "/commit/" in path and e.get("method") == "POST":
                        out["commit_s"] = t
        except (OSError, ValueError):
            pass
        puts = [float(p[0]) - t0 for p in self._sink_log()]
        if puts:
            out["first_put_done_s"], out["last_put_done_s"] = min(puts), max(puts)
        return out

    def clear_counters(self):
        with open(os.path.join(self.run, "sink-access.log"), "w", encoding="utf-8"):
            pass
        self.completions.clear()

"""The benchmark's Hub: the test hub for the API, nginx for everything hot.

    client --HF_ENDPOINT--> nginx :hub  /<repo>/resolve/{main,<commit>}/<LFS file>
                                        answered by nginx itself: 302 to the CDN
                                        with the Hub's headers (X-Repo-Commit,
                                        ETag, X-Linked-Etag, X-Linked-Size)
                                  else  proxied to tests/hub/testhub.py (repo
                                        info, tree pages, regular files)
           --302--> nginx :cdn  /repos/<sha256>  static files, Range, sendfile

The real Hub answers resolve calls from a fast edge; the Python test hub
needs ~1 ms per request, which would measure Python, not the client.
`python_resolve=True` sends every resolve call to the test hub instead.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "hub"))
import fixtures  # noqa: E402
import testhub  # noqa: E402


class DiskBlob(fixtures.Blob):
    """A blob whose bytes stay in a file and whose hashes are known."""

    def __init__(self, path: str, size: int, sha256: str, sha1: str | None, lfs: bool):
        super().__init__(size=size, lfs=lfs)
        self.path = path
        self._sha256 = sha256
        self._sha1 = sha1 or "0" * 40  # never read for LFS files: their oid is the pointer's

    @property
    def data(self) -> bytes:
        with open(self.path, "rb") as f:
            return f.read()


def _free_port(host="127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


NGINX_CONF = """\
worker_processes 2;
daemon off;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    default_type application/octet-stream;
    log_format bench '$connection $request_method "$request_uri" $status $body_bytes_sent';
    access_log {run}/access.log bench;
    client_body_temp_path {run}/tmp/body;
    proxy_temp_path {run}/tmp/proxy;
    fastcgi_temp_path {run}/tmp/fastcgi;
    uwsgi_temp_path {run}/tmp/uwsgi;
    scgi_temp_path {run}/tmp/scgi;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 75s;
    keepalive_requests 1000000;
    upstream testhub {{ server 127.0.0.1:{api_port}; keepalive 16; }}
    server {{
        listen 127.0.0.1:{cdn_port};
        location /repos/ {{ alias {blobs}/; }}
    }}
    server {{
        listen 127.0.0.1:{hub_port};
        include {run}/resolve.conf;
        location / {{
            proxy_pass http://testhub;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_buffering off;
        }}
    }}
}}
"""


class BenchHub:
    def __init__(self, manifest: dict, data_dir: str, run_dir: str, python_resolve=False):
        self.manifest = manifest
        self.blobs = os.path.join(data_dir, "blobs")
        self.run = run_dir
        self.python_resolve = python_resolve
        self.nginx = None
        self.server = None
        self.repos = {}

    # -- start/stop -------------------------------------------------------
    def start(self):
        shutil.rmtree(self.run, ignore_errors=True)
        os.makedirs(os.path.join(self.run, "tmp"))
        self.api_log = os.path.join(self.run, "testhub.jsonl")
        state = testhub.State(name="hub", log_path=self.api_log)
        for r in self.manifest["repos"]:
            repo = fixtures.Repo(r["id"], r["type"])
            files = {e["path"]: fixtures.File(e["path"], DiskBlob(
                os.path.join(self.blobs, e["sha256"]), e["size"], e["sha256"], e["sha1"], e["lfs"]))
                for e in r["files"]}
            repo.add_commit("main", files)
            state.add_repo(repo)
            self.repos[r["id"]] = repo
        self.server = testhub.Server(("127.0.0.1", 0), state)
        api_port = self.server.server_address[1]
        state.base_url = f"http://127.0.0.1:{api_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

        self.hub_port, self.cdn_port = _free_port(), _free_port()
        self.endpoint = f"http://127.0.0.1:{self.hub_port}"
        self.cdn = f"http://127.0.0.1:{self.cdn_port}"
        state.options["cdn_url"] = self.cdn
        with open(os.path.join(self.run, "resolve.conf"), "w", encoding="utf-8") as f:
            if not self.python_resolve:
                f.write(self._resolve_locations())
        conf = os.path.join(self.run, "nginx.conf")
        with open(conf, "w", encoding="utf-8") as f:
            f.write(NGINX_CONF.format(run=self.run, blobs=self.blobs, api_port=api_port,
                                      hub_port=self.hub_port, cdn_port=self.cdn_port))
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.nginx = subprocess.Popen([nginx, "-c", conf, "-p", self.run],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.hub_port), 0.2).close()
                socket.create_connection(("127.0.0.1", self.cdn_port), 0.2).close()
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

    def _resolve_locations(self) -> str:
        out = []
        for repo in self.repos.values():
            commit = repo.main
            for f in commit.files.values():
                if not f.lfs:
                    continue
                url = self.cdn_url(f.sha256)
                for rev in ("main", commit.sha):
                    out.append(
                        f"location = /{repo.id}/resolve/{rev}/{f.path} {{\n"
                        f"  add_header X-Repo-Commit {commit.sha};\n"
                        f"  add_header ETag '\"{f.sha256}\"';\n"
                        f"  add_header X-Linked-Etag '\"{f.sha256}\"';\n"
                        f"  add_header X-Linked-Size {f.size};\n"
                        f"  add_header Accept-Ranges bytes;\n"
                        f"  return 302 '{url}';\n}}\n")
        return "".join(out)

    # -- for the contenders -------------------------------------------------
    def cdn_url(self, sha256: str) -> str:
        """The signed-looking URL a resolve answers with (nginx ignores the query)."""
        return (f"{self.cdn}/repos/{sha256}?X-Amz-Expires=3600&Expires={int(time.time()) + 86400}"
                f"&Key-Pair-Id=KBENCH&Signature=0")

    def files(self, repo_id: str) -> list:
        return sorted(self.repos[repo_id].main.files.values(), key=lambda f: f.path)

    # -- what a run cost the servers ------------------------------------------
    def counters(self) -> dict:
        """Requests seen by nginx (hub + CDN; proxied ones too) and bytes of
        file content sent from /repos/."""
        reqs = blob_bytes = 0
        try:
            with open(os.path.join(self.run, "access.log"), encoding="utf-8") as f:
                for line in f:
                    parts = line.split()
                    reqs += 1
                    if len(parts) >= 5 and parts[2].startswith('"/repos/'):
                        blob_bytes += int(parts[4])
        except FileNotFoundError:
            pass
        return {"requests": reqs, "blob_bytes": blob_bytes}

    def clear_counters(self):
        # nginx opens its log with O_APPEND: after truncation it writes at 0.
        with open(os.path.join(self.run, "access.log"), "w", encoding="utf-8"):
            pass


if __name__ == "__main__":
    import benchdata
    d = sys.argv[1] if len(sys.argv) > 1 else "/var/tmp/hf-bench"
    hub = BenchHub(benchdata.build(d), d, os.path.join(d, "run")).start()
    print(json.dumps({"endpoint": hub.endpoint, "cdn": hub.cdn}), flush=True)
    try:
        signal.pause()
    finally:
        hub.stop()

#!/usr/bin/env python3
"""proxy: a tiny HTTP CONNECT proxy for tests (python3 stdlib only).

In-process use (a daemon thread; stopped by stop() or the context manager):

    with proxy.ConnectProxy() as p:          # listens on 127.0.0.1:<free port>
        env = {"HTTPS_PROXY": p.url}         # http://127.0.0.1:<port>
        ...
        p.log   # [{"method": "CONNECT", "target": "127.0.0.1:443",
                #   "headers": {...}, "head": "<raw request head>", "status": 200}]

ConnectProxy(host="127.0.0.1", mode="tunnel", echo=None, port=0)
  mode "tunnel": answer CONNECT with 200 and relay bytes both ways;
  mode "deny":   answer CONNECT with 403 (nothing is relayed);
  mode "drop":   close the connection without a reply.
Requests other than CONNECT (plain-HTTP proxying) are logged and answered
501, so a test can see that a client sent one.

The log keeps the raw request head of every request, so a test can assert
that no Authorization header or token was sent to the proxy itself.

Command line (for manual use):
    python3 tests/hub/proxy.py [--host H] [--port N] [--mode tunnel|deny|drop]
prints {"port": N, "url": "http://H:N"} on stdout and logs one JSON line per
request on stderr.
"""

from __future__ import annotations

import argparse
import json
import select
import socket
import socketserver
import sys
import threading

HEAD_MAX = 64 * 1024


def _read_head(sock) -> bytes:
    """Read up to and including the blank line that ends the request head."""
    data = b""
    while b"\r\n\r\n" not in data and len(data) < HEAD_MAX:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def _relay(a, b):
    """Copy bytes both ways until either side closes."""
    socks = [a, b]
    try:
        while True:
            r, _, x = select.select(socks, [], socks, 30)
            if x or not r:
                return
            for s in r:
                data = s.recv(65536)
                if not data:
                    return
                (b if s is a else a).sendall(data)
    except OSError:
        return


class _Handler(socketserver.BaseRequestHandler):
    def handle(self):
        proxy = self.server.proxy
        head = _read_head(self.request)
        if not head:
            return
        text = head.split(b"\r\n\r\n", 1)[0].decode("latin-1")
        lines = text.split("\r\n")
        parts = lines[0].split(" ")
        method = parts[0] if parts else ""
        target = parts[1] if len(parts) > 1 else ""
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip()] = v.strip()
        entry = {"method": method, "target": target, "headers": headers, "head": text,
                 "status": None}
        # Logged before any reply, so the entry is there once the client is done.
        proxy._record(entry)
        if method != "CONNECT":
            entry["status"] = 501
            self.request.sendall(b"HTTP/1.1 501 Not Implemented\r\n"
                                 b"Content-Length: 0\r\nConnection: close\r\n\r\n")
            return
        if proxy.mode == "drop":
            return
        if proxy.mode == "deny":
            entry["status"] = 403
            self.request.sendall(b"HTTP/1.1 403 Forbidden\r\n"
                                 b"Content-Length: 0\r\nConnection: close\r\n\r\n")
            return
        host, _, port = target.rpartition(":")
        try:
            upstream = socket.create_connection((host.strip("[]"), int(port)), timeout=10)
        except (OSError, ValueError):
            entry["status"] = 502
            self.request.sendall(b"HTTP/1.1 502 Bad Gateway\r\n"
                                 b"Content-Length: 0\r\nConnection: close\r\n\r\n")
            return
        entry["status"] = 200
        with upstream:
            self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            _relay(self.request, upstream)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # a client that hangs up mid-relay is not an error here


class ConnectProxy:
    """See the module docstring."""

    def __init__(self, host="127.0.0.1", mode="tunnel", echo=None, port=0):
        if mode not in ("tunnel", "deny", "drop"):
            raise ValueError(f"bad mode {mode!r}")
        self.host = host
        self.mode = mode
        self.echo = echo  # a stream to write each log entry to (JSON), or None
        self._lock = threading.Lock()
        self._log: list[dict] = []
        self._server = None
        self._thread = None
        self._want_port = port
        self.port = None
        self.url = None

    def start(self):
        self._server = _Server((self.host, self._want_port), _Handler)
        self._server.proxy = self
        self.port = self._server.server_address[1]
        self.url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _record(self, entry):
        with self._lock:
            self._log.append(entry)
        if self.echo is not None:
            self.echo.write(json.dumps(entry) + "\n")
            self.echo.flush()

    @property
    def log(self) -> list:
        with self._lock:
            return list(self._log)

    def targets(self) -> list:
        """The CONNECT targets seen, oldest first ("host:port")."""
        return [e["target"] for e in self.log if e["method"] == "CONNECT"]

    def clear(self):
        with self._lock:
            self._log = []


def main(argv=None):
    ap = argparse.ArgumentParser(description="tiny CONNECT proxy for tests")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--mode", default="tunnel", choices=("tunnel", "deny", "drop"))
    args = ap.parse_args(argv)
    p = ConnectProxy(args.host, args.mode, echo=sys.stderr, port=args.port).start()
    print(json.dumps({"port": p.port, "url": p.url}), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        p.stop()


if __name__ == "__main__":
    main()

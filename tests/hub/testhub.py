#!/usr/bin/env python3
"""testhub: a local fake Hugging Face Hub for integration tests.

Standard library only (python >= 3.11).  Started by tests on a loopback
address; a second instance (``--name cdn --fail-on-auth``, usually on
127.0.0.2) plays the CDN that must never see a token.  harness.HubPair starts
both with the default fixtures (tests/integration/harness.py).

    python3 tests/hub/testhub.py --port 0 [--host 127.0.0.1] \
        [--tls-cert CERT --tls-key KEY] --log FILE.jsonl \
        [--config CONFIG.json] [--ready-file PATH] [--name hub] [--fail-on-auth] \
        [--fixtures default|none] [--cdn-url URL] [--cdn-secret S] \
        [--exit-with-parent] [--verbose]

Once listening it writes ``{"port": N, "url": "http://127.0.0.1:N"}`` to
--ready-file (atomically) and prints the same JSON as one line on stdout.
--fixtures (default "none") loads repos from tests/hub/fixtures.py before
--config; --cdn-url / --cdn-secret equal the config keys cdn_url / cdn_secret.

Layout of this file
  * DEFAULT_TOKENS / token_hash        - identities and the log's token hash
  * State                              - config, tokens, repos, faults, log
  * ROUTES                             - the one routing table
  * route handlers (h_*)               - one function per endpoint
  * Handler                            - HTTP plumbing, faults, Range, logging
  * main()
Repository content (Repo/Commit/File, generators, default set): fixtures.py.
Upload side (repos, preupload, LFS batch, presigned PUTs, commit, branches,
tags, /raw/): write_api.py, its routes appended to ROUTES; options and the
choices made where the protocol is not public: README.md "Write API".

Config file (JSON, every key optional):
  {"name": "hub", "fail_on_auth": false,
   "fixtures": "default",                  # load fixtures.py's default repos first
   "tokens": {"hf_...": {"user": "dave", "email": "...", "orgs": [...],
                         "role": "read", "displayName": "..."}},
   "faults": [FAULT, ...],
   "repos": [REPO, ...],                   # added/replaced by (type, id); format
                                           # in fixtures.py's docstring, e.g.
       {"id": "acme/x", "type": "model", "private": false, "gated": "manual",
        "granted_users": ["alice"], "pending_users": ["carl"],
        "revisions": {"main": {"files": {"config.json": "{}",
                                         "w.bin": {"size": 5000, "seed": 1}}},
                      "v1": {"base": "main", "files": {...}}, "stable": "main"}}
   "routes": [{"method": "GET", "path": "/exact" | "match": "regex",
               "status": 200, "headers": {...},
               "body": "text" | "body_b64": "..." | "json": {...}}],
   # options (also settable at runtime with POST /__control/config):
   "cdn_url": "http://127.0.0.2:P",        # where LFS 302s point (default: self)
   "cdn_secret": "s",                      # HMAC key; same on hub and CDN
   "cdn_url_ttl": 3600,                    # seconds; negative = already expired
   "cdn_clock_skew": 0,                    # CDN: seconds added to "now" on checks
   "tree_page_size": 1000,
   "public_url": null,                     # origin in tree Link headers
                                           # (default: scheme://<Host header>)
   "lenient_refs": false,                  # accept unescaped refs/pr/N in URLs
   "gzip_text": false,                     # resolve-cache GET of a regular file
                                           # with Accept-Encoding gzip (no Range):
                                           # gzip, chunked, no Content-Length
   "repo_not_found_anonymous_status": 404, # /api/... unknown/private, no token
   "resolve_repo_not_found_anonymous_status": 401}   # same on /resolve

Download routes (GET also answers HEAD; repo ids are not escaped):
  /{""|datasets/|spaces/}{repo}/resolve/{quote(rev, safe="")}/{quote(path)}
      regular file: 307, relative Location
        /api/resolve-cache/{models|datasets|spaces}/{repo}/{commit}/{quote(path)}?
        %2F{repo}%2Fresolve%2F{rev}%2F{path}=&etag=%22{git sha1}%22
        with ETag "<git blob sha1>", X-Repo-Commit; the body is a short text.
      LFS file: 302, absolute Location {cdn_url}/repos/{sha256}?
        response-content-disposition=..&response-content-type=..&X-Amz-Expires=..
        &Expires=<unix>&Key-Pair-Id=..&Signature=<hmac-sha256>, with ETag and
        X-Linked-Etag "<sha256>", X-Linked-Size, X-Repo-Commit; short text body.
      Always Accept-Ranges: bytes, X-Request-Id, Content-Length (of the body).
  /api/resolve-cache/{type}s/{repo}/{commit}/{path}   200 bytes (Range), ETag,
      X-Repo-Commit; same access checks as /resolve.
  /repos/{sha256}?...   signed-URL blob store (the CDN): 200/206/416, ETag
      "<sha256>", Content-Disposition from the URL; 403 (X-Error-Code
      MissingKey | SignatureDoesNotMatch | AccessDenied "Request has expired"),
      404 NoSuchKey.
  /api/{type}s/{repo}[/revision/{rev}][?blobs=true]     repo info (sha, siblings)
  /api/{type}s/{repo}/tree/{rev}[/{quote(path, safe="")}]?recursive=&expand=
      [&cursor=]   entries in git order (pre-order when recursive); pages of
      tree_page_size; next page in Link: <{origin}/api/...&cursor=C>; rel="next"
  Errors (X-Error-Code / X-Error-Message, JSON body {"error": msg}):
    bad token                   401 "Invalid credentials in Authorization header"
    unknown/private repo        401 RepoNotFound "Invalid username or password."
                                (anonymous; API: 404 unless configured), else
                                404 RepoNotFound "Repository not found"
    gated, no access            401 (anonymous) / 403 GatedRepo "Access to model
                                <id> is restricted. You must have access to it
                                and be authenticated to access it. Please log in."
    gated, request pending      403 GatedRepo "Your request to access model <id>
                                is awaiting a review from the repo authors."
    unknown revision            404 RevisionNotFound "Invalid rev id: <rev>"
    missing file                404 EntryNotFound "Entry not found" + X-Repo-Commit
  A repo's "moved_from" ids answer 307 with the path rewritten to the new id.

FAULT: {"match": "regex, re.search on path+query", "method": "GET" (optional),
        "times": N | null (always), "after": K (let the first K matches pass),
        "on_reuse": true (optional: only requests after the first on their
        connection, i.e. a reused keep-alive connection),
        "delay": seconds (optional, on any action), "action": ACTION, ...}
  Every fault that matches a request fires (so "delay" + "truncate" combine);
  "hits" counts matches, "fired" counts firings (GET /__control/faults).
  ACTION                       arguments (defaults)
  status                       "status" (503), "headers" {}, "body" | "json" | "body_b64"
  delay                        "seconds" - sleep before replying, then reply normally
  drop                         close the connection without any reply;
                               "rst": true resets it (RST) instead of FIN
  truncate                     "bytes" K (half): full Content-Length, K bytes, FIN
  reset                        "bytes" K (half): K bytes then RST (SO_LINGER 0)
  corrupt                      "offset" (middle), "count" (1): XOR 0xFF, same length
  ignore_range                 only with Range: answer 200 with the full body
  wrong_range                  only with Range: 206 whose Content-Range starts at
                               "start" (0, or 1 when 0 was asked), body to match
  slow                         "chunk" (1) bytes every "interval" (0.5) s
  swap_content                 every byte XOR "xor" (0x55), same length, applied
                               after Range (a file that changed between attempts);
                               "etag": replace the ETag header
  extend                       append "bytes" (1024) bytes (Content-Length grows)
  gzip                         gzip the body, Content-Encoding: gzip; "chunked"
  chunked                      Transfer-Encoding: chunked, "chunk_size" (16384);
                               "final": false omits the last chunk and closes
  headers                      "set" {name: value | null}, "remove" [names] on the
                               real response ({{url}} = own URL); removing
                               Content-Length makes the body close-delimited
  Range/206/416 is applied to "rangeable" bodies (config routes with status 200,
  resolve-cache and /repos/).

Control endpoints (never logged, never faulted, never auth-checked):
  POST /__control/faults  [FAULT...] (or {"faults": [...]}): replace the list
  GET  /__control/faults  current faults with hits/fired
  POST /__control/reset   drop faults and clear the log ({"log": false} keeps it)
  POST /__control/clear_log
  GET  /__control/log     JSON array of the log entries
  POST /__control/config  merge config keys (tokens, repos, routes, faults, ...)
  GET  /__control/ping
  GET  /__control/stats   {"body_bytes": N, "by_path": {path: N}}: response body
                          bytes written to clients (plain, "slow", "truncate" and
                          "reset" bodies; counted per 64 KiB piece once written,
                          so a client killed mid-body counts what it was sent);
                          cleared with the log

Log (JSONL, one object per request, written and flushed before the reply):
  time, seq, server, conn (connection number: keep-alive reuse), tls, method,
  path (with query), host, auth (token_hash of the credential or null),
  auth_scheme ("Bearer", other scheme, "malformed", or null), cookie (bool),
  range, user_agent, headers (Authorization/Cookie values "<redacted>"),
  status (null for drop), faults (actions fired, if any),
  violation ("authorization-received" | "token-in-url" | "token-in-header:<h>")
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import hmac
import http.server
import json
import os
import re
import signal
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixtures  # noqa: E402  (repository content: tests/hub/fixtures.py)
import write_api  # noqa: E402  (upload side: tests/hub/write_api.py)

# --------------------------------------------------------------------------
# Identities
# --------------------------------------------------------------------------

READ_TOKEN = "hf_testReadToken0000000000000000000wxyz"
WRITE_TOKEN = "hf_testWriteToken000000000000000000abcd"
FINE_TOKEN = "hf_testFineGrained00000000000000000fine"
NOORGS_TOKEN = "hf_testNoOrgsToken00000000000000000carl"

INVALID_CREDENTIALS = "Invalid credentials in Authorization header"

_ALICE = {"user": "alice", "email": "alice@example.com", "fullname": "Alice Example",
          "orgs": ["acme", "research"]}

DEFAULT_TOKENS = {
    READ_TOKEN: dict(_ALICE, role="read", displayName="alice-laptop"),
    WRITE_TOKEN: dict(_ALICE, role="write", displayName="alice-write"),
    FINE_TOKEN: {
        "user": "bob", "email": "bob@example.com", "fullname": "Bob Builder", "orgs": [],
        "role": "fineGrained", "displayName": "bob-ci",
        "fineGrained": {
            "canReadGatedRepos": True,
            "global": [],
            "scoped": [{
                "entity": {"_id": "b0b000000000000000000001", "type": "user", "name": "bob"},
                "permissions": ["repo.content.read"],
            }],
        },
    },
    NOORGS_TOKEN: {"user": "carl", "email": None, "fullname": "Carl", "orgs": [],
                   "role": "read", "displayName": "carl"},
}


def token_hash(tok) -> str:
    """First 12 hex chars of sha256(token); what the log records instead of a token."""
    if isinstance(tok, str):
        tok = tok.encode("utf-8", "surrogateescape")
    return hashlib.sha256(tok).hexdigest()[:12]


def _hexid(s: str, n: int = 24) -> str:
    return hashlib.sha1(s.encode()).hexdigest()[:n]


# --------------------------------------------------------------------------
# Server state (config, faults, log)
# --------------------------------------------------------------------------

REPO_TYPES = {"model": "models", "dataset": "datasets", "space": "spaces"}
PLURAL_TO_TYPE = {v: k for k, v in REPO_TYPES.items()}


class State:
    def __init__(self, name="hub", log_path=None, fail_on_auth=False):
        self.name = name
        self.fail_on_auth = fail_on_auth
        self.base_url = ""
        self.lock = threading.RLock()
        self.log_path = log_path
        self.log_file = open(log_path, "a", encoding="utf-8") if log_path else None
        self.log_entries: list[dict] = []
        self.req_counter = 0
        self.conn_counter = 0
        self.tokens: dict[str, dict] = dict(DEFAULT_TOKENS)
        self.registry = fixtures.Registry()
        self.routes: list[dict] = []
        self.faults: list[dict] = []
        self.options: dict = {}
        self.sent_bytes: dict[str, int] = {}  # path -> response body bytes written

    # -- config ---------------------------------------------------------
    @property
    def repos(self) -> dict:
        """{(type, id): fixtures.Repo}"""
        return self.registry.repos

    def load_fixtures(self, which: str):
        if which not in fixtures.FIXTURE_SETS:
            raise ValueError(f"unknown fixture set {which!r} (have {sorted(fixtures.FIXTURE_SETS)})")
        for r in fixtures.FIXTURE_SETS[which]():
            self.registry.add(r)

    def apply_config(self, cfg: dict, replace=False):
        with self.lock:
            if cfg.get("fixtures"):
                self.load_fixtures(cfg["fixtures"])
            if "name" in cfg:
                self.name = cfg["name"]
            if "fail_on_auth" in cfg:
                self.fail_on_auth = bool(cfg["fail_on_auth"])
            if "tokens" in cfg:
                toks = cfg["tokens"]
                if isinstance(toks, list):  # [{"token": ..., ...}]
                    toks = {t["token"]: {k: v for k, v in t.items() if k != "token"} for t in toks}
                if replace:
                    self.tokens = dict(DEFAULT_TOKENS)
                self.tokens.update(toks)
            if "repos" in cfg:
                if replace:
                    self.registry = fixtures.Registry()
                for r in cfg["repos"]:
                    self.add_repo(r)
            if "routes" in cfg:
                # routes always replace the previous list
                self.routes = [self._compile_route(r) for r in cfg["routes"]]
            if "faults" in cfg:
                self.set_faults(cfg["faults"])
            for k, v in cfg.items():
                if k not in ("name", "fail_on_auth", "tokens", "repos", "routes", "faults",
                             "fixtures"):
                    self.options[k] = v

    def add_repo(self, r):
        """Register one repo: a config dict (see fixtures.py) or a fixtures.Repo."""
        return self.registry.add(r)

    def option(self, key, default=None):
        with self.lock:
            v = self.options.get(key)
        return default if v is None else v

    @staticmethod
    def _compile_route(r: dict) -> dict:
        r = dict(r)
        if "path" in r:
            r["_re"] = re.compile(re.escape(r["path"]) + r"\Z")
        else:
            r["_re"] = re.compile(r.get("match", r"\A\Z"))
        return r

    def set_faults(self, faults):
        with self.lock:
            out = []
            for f in faults or []:
                f = dict(f)
                f["_re"] = re.compile(f.get("match", ""))
                f["hits"] = 0
                f["fired"] = 0
                out.append(f)
            self.faults = out

    def faults_public(self):
        with self.lock:
            return [{k: v for k, v in f.items() if not k.startswith("_")} for f in self.faults]

    def reset(self, clear_log=True):
        with self.lock:
            self.faults = []
            if clear_log:
                self.clear_log()

    def pick_faults(self, method: str, path: str, has_range: bool,
                    reused: bool = False) -> list[dict]:
        """Return the faults that fire for this request (consuming their counts).
        `reused`: not the first request on its connection (for "on_reuse")."""
        fired = []
        with self.lock:
            for f in self.faults:
                if f.get("method") and f["method"].upper() != method:
                    continue
                if f.get("on_reuse") and not reused:
                    continue
                if not f["_re"].search(path):
                    continue
                if f.get("action") in ("ignore_range", "wrong_range") and not has_range:
                    continue
                f["hits"] += 1
                if f["hits"] <= int(f.get("after") or 0):
                    continue
                times = f.get("times")
                if times is not None and f["fired"] >= int(times):
                    continue
                f["fired"] += 1
                fired.append(f)
        return fired

    # -- log ------------------------------------------------------------
    def next_conn(self) -> int:
        with self.lock:
            self.conn_counter += 1
            return self.conn_counter

    def log(self, entry: dict):
        with self.lock:
            self.req_counter += 1
            entry["seq"] = self.req_counter
            self.log_entries.append(entry)
            if self.log_file:
                self.log_file.write(json.dumps(entry, sort_keys=True) + "\n")
                self.log_file.flush()

    def count_sent(self, path: str, n: int):
        with self.lock:
            key = path.split("?", 1)[0]
            self.sent_bytes[key] = self.sent_bytes.get(key, 0) + n

    def sent_stats(self) -> dict:
        with self.lock:
            by_path = dict(self.sent_bytes)
        return {"body_bytes": sum(by_path.values()), "by_path": by_path}

    def clear_log(self):
        with self.lock:
            self.log_entries = []
            self.sent_bytes = {}
            if self.log_file:
                self.log_file.seek(0)
                self.log_file.truncate()
                self.log_file.flush()

    def close(self):
        with self.lock:
            if self.log_file:
                self.log_file.close()
                self.log_file = None


# --------------------------------------------------------------------------
# Request / response objects
# --------------------------------------------------------------------------

class Request:
    def __init__(self, method, target, headers, body, state):
        self.method = method
        self.target = target  # path + query, as sent
        parsed = urllib.parse.urlsplit(target)
        self.path = parsed.path
        self.query = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
        self.headers = headers
        self.body = body
        self.state = state
        self.match = None
        self.auth_header = headers.get("Authorization")
        self.auth_scheme = None
        self.token = None
        if self.auth_header is not None:
            parts = self.auth_header.strip().split(None, 1)
            if len(parts) == 2:
                self.auth_scheme, self.token = parts[0], parts[1].strip()
            else:
                self.auth_scheme, self.token = "malformed", self.auth_header.strip()
        self.identity = None
        if self.auth_scheme is not None and self.auth_scheme.lower() == "bearer":
            self.identity = state.tokens.get(self.token)

    @property
    def authenticated(self) -> bool:
        return self.identity is not None

    @property
    def bad_credentials(self) -> bool:
        """An Authorization header was sent but does not name a known token."""
        return self.auth_header is not None and self.identity is None


class Response:
    def __init__(self, status=200, body=b"", headers=None, rangeable=False):
        self.status = status
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.body = body
        self.headers = list((headers or {}).items()) if isinstance(headers, dict) else list(headers or [])
        self.rangeable = rangeable
        self.chunked = False  # send with Transfer-Encoding: chunked

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def set_header(self, name, value):
        self.headers = [(k, v) for k, v in self.headers if k.lower() != name.lower()]
        if value is not None:
            self.headers.append((name, value))


def json_response(obj, status=200, headers=None) -> Response:
    h = {"Content-Type": "application/json; charset=utf-8"}
    h.update(headers or {})
    return Response(status, json.dumps(obj, separators=(",", ":")), h)


def error_response(status, message, code=None, headers=None) -> Response:
    h = {"X-Error-Message": message}
    if code:
        h["X-Error-Code"] = code
    h.update(headers or {})
    return json_response({"error": message}, status, h)


def invalid_credentials() -> Response:
    return error_response(401, INVALID_CREDENTIALS)


# --------------------------------------------------------------------------
# Route handlers
# --------------------------------------------------------------------------

def h_whoami(req: Request) -> Response:
    ident = req.identity
    if ident is None:
        return invalid_credentials()
    user = ident["user"]
    body = {
        "type": "user",
        "id": _hexid("user:" + user),
        "name": user,
        "fullname": ident.get("fullname", user),
    }
    if ident.get("email") is not None:
        body["email"] = ident["email"]
        body["emailVerified"] = True
    body.update({
        "canPay": False,
        "isPro": False,
        "periodEnd": None,
        "avatarUrl": f"/avatars/{_hexid('avatar:' + user, 32)}.svg",
        "orgs": [{
            "type": "org", "id": _hexid("org:" + o), "name": o, "fullname": o.title(),
            "email": None, "canPay": False, "isEnterprise": False,
            "avatarUrl": f"/avatars/{_hexid('avatar:' + o, 32)}.svg", "roleInOrg": "read",
        } for o in ident.get("orgs", [])],
    })
    if ident.get("auth_type", "access_token") == "oauth":
        body["auth"] = {"type": "oauth", "expiresAt": "2099-01-01T00:00:00.000Z"}
    else:
        tok = {"role": ident.get("role", "read"), "createdAt": "2026-01-01T00:00:00.000Z"}
        if ident.get("displayName") is not None:
            tok = {"displayName": ident["displayName"], **tok}
        if ident.get("fineGrained") is not None:
            tok["fineGrained"] = ident["fineGrained"]
        body["auth"] = {"type": "access_token", "accessToken": tok}
    return json_response(body)


# -- repo access -------------------------------------------------------------

TYPE_WORD = {"model": "model", "dataset": "dataset", "space": "space"}
PREFIX_TO_TYPE = {None: "model", "": "model", "datasets": "dataset", "spaces": "space"}


def _user_names(ident) -> set:
    if ident is None:
        return set()
    return {ident["user"], *ident.get("orgs", [])}


def _can_see(req: Request, repo) -> bool:
    if not repo.private:
        return True
    names = _user_names(req.identity)
    return bool(names & ({repo.namespace} | set(repo.allowed_users)))


def _repo_not_found(req: Request, api: bool) -> Response:
    """401 "Invalid username or password." when anonymous (the Hub's answer on
    /resolve; on /api/ only with repo_not_found_anonymous_status=401), else 404."""
    if req.identity is None:
        if api:
            status = int(req.state.option("repo_not_found_anonymous_status", 404))
        else:
            status = int(req.state.option("resolve_repo_not_found_anonymous_status", 401))
    else:
        status = 404
    msg = "Invalid username or password." if status == 401 else "Repository not found"
    return error_response(status, msg, "RepoNotFound")


def _moved(req: Request, rtype: str, repo_id: str):
    """307 to the repo's new name (same host, path only), like a renamed repo."""
    new = req.state.registry.moved.get((rtype, repo_id))
    if new is None or req.state.registry.get(new, rtype) is None:
        return None
    raw = urllib.parse.urlsplit(req.target)
    path = raw.path.replace(f"/{repo_id}/", f"/{new}/", 1)
    if path == raw.path and raw.path.endswith("/" + repo_id):
        path = raw.path[: -len(repo_id)] + new
    loc = path + (f"?{raw.query}" if raw.query else "")
    body = f"Temporary Redirect. Redirecting to {loc}"
    return Response(307, body, {"Location": loc, "Content-Type": "text/plain; charset=utf-8"})


def find_repo(req: Request, rtype: str, repo_id: str, api: bool):
    """(repo, None) or (None, error/redirect Response)."""
    if req.bad_credentials:
        return None, invalid_credentials()
    repo = req.state.registry.get(repo_id, rtype)
    if repo is None:
        mv = _moved(req, rtype, repo_id)
        if mv is not None:
            return None, mv
    if repo is None or not _can_see(req, repo):
        return None, _repo_not_found(req, api)
    return repo, None


def _gate(req: Request, repo):
    """None when the caller may download from `repo`, else the GatedRepo error."""
    if not repo.gated:
        return None
    names = _user_names(req.identity)
    if names & ({repo.namespace} | set(repo.granted_users)):
        return None
    word = TYPE_WORD[repo.type]
    if req.identity is not None and req.identity["user"] in repo.pending_users:
        msg = (f"Your request to access {word} {repo.id} is awaiting a review from the "
               f"repo authors.")
        return error_response(403, msg, "GatedRepo")
    msg = (f"Access to {word} {repo.id} is restricted. You must have access to it and be "
           f"authenticated to access it. Please log in.")
    return error_response(401 if req.identity is None else 403, msg, "GatedRepo")


def _revision_not_found(rev: str) -> Response:
    return error_response(404, f"Invalid rev id: {rev}", "RevisionNotFound")


def _entry_not_found(commit) -> Response:
    return error_response(404, "Entry not found", "EntryNotFound",
                          {"X-Repo-Commit": commit.sha})


def _split_rev(req: Request, raw_rev: str, rest: str | None):
    """Decode the revision segment. With option lenient_refs, an unescaped
    refs/pr/N or refs/convert/X is accepted too (the default is strict: the
    revision must be one fully-escaped segment, refs%2Fpr%2F1)."""
    if req.state.option("lenient_refs") and raw_rev == "refs" and rest:
        m = re.match(r"((?:pr/\d+)|(?:convert/[^/]+))(?:/(.*))?\Z", rest)
        if m:
            return "refs/" + m.group(1), m.group(2)
    return urllib.parse.unquote(raw_rev), rest


def _origin(req: Request) -> str:
    """The hub's own origin as the client addressed it (for absolute Links)."""
    pub = req.state.option("public_url")
    if pub:
        return pub.rstrip("/")
    scheme = req.state.base_url.split(":", 1)[0] or "http"
    host = req.headers.get("Host")
    return f"{scheme}://{host}" if host else req.state.base_url


# -- repo info -------------------------------------------------------------------

def _truthy(v) -> bool:
    return str(v).lower() in ("1", "true", "yes")


def h_repo_info(req: Request) -> Response:
    rtype = PLURAL_TO_TYPE[req.match.group("plural")]
    rest = req.match.group("rest")
    rev = None
    if "/revision/" in rest:
        rest, rev = rest.split("/revision/", 1)
        rev = urllib.parse.unquote(rev)
    repo, err = find_repo(req, rtype, rest, api=True)
    if err is not None:
        return err
    commit = repo.resolve(rev if rev is not None else "main")
    if commit is None:
        return _revision_not_found(rev if rev is not None else "main")
    ns = repo.namespace
    body = {"_id": _hexid("repo:" + repo.id), "id": repo.id}
    if rtype == "model":
        body["modelId"] = repo.id
    blobs = _truthy((req.query.get("blobs") or ["false"])[0])
    siblings = []
    for path in sorted(commit.files):
        s = {"rfilename": path}
        if blobs:
            f = commit.files[path]
            s.update({"blobId": f.oid, "size": f.size})
            if f.lfs:
                s["lfs"] = {"sha256": f.sha256, "size": f.size, "pointerSize": f.pointer_size}
        siblings.append(s)
    body.update({
        "author": ns,
        "sha": commit.sha,
        "lastModified": "2026-01-01T00:00:00.000Z",
        "createdAt": "2026-01-01T00:00:00.000Z",
        "private": repo.private,
        "gated": repo.gated or False,
        "disabled": False,
        "downloads": 0,
        "likes": 0,
        "tags": list(repo.extra.get("tags") or []),
    })
    if rtype == "space":
        body["sdk"] = repo.extra.get("sdk", "gradio")
    body["siblings"] = siblings
    if blobs:
        body["usedStorage"] = sum(f.size for f in commit.files.values())
    return json_response(body)


# -- tree ------------------------------------------------------------------------

def _encode_cursor(obj) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode_cursor(cur: str):
    try:
        obj = json.loads(base64.urlsafe_b64decode(cur + "=" * (-len(cur) % 4)))
        if isinstance(obj, dict) and isinstance(obj.get("o"), int) and obj["o"] >= 0:
            return obj
    except (ValueError, TypeError):
        pass
    return None


def h_tree(req: Request) -> Response:
    rtype = PLURAL_TO_TYPE[req.match.group("plural")]
    repo, err = find_repo(req, rtype, req.match.group("repo"), api=True)
    if err is not None:
        return err
    rev, rest = _split_rev(req, req.match.group("rev"), req.match.group("path"))
    path = urllib.parse.unquote(rest or "").strip("/")
    commit = repo.resolve(rev)
    if commit is None:
        return _revision_not_found(rev)
    recursive = _truthy((req.query.get("recursive") or ["false"])[0])
    expand = _truthy((req.query.get("expand") or ["false"])[0])
    entries = commit.listing(path, recursive)
    if entries is None:
        return error_response(404, f"Entry not found: {path}" if path else "Entry not found",
                              "EntryNotFound", {"X-Repo-Commit": commit.sha})
    offset = 0
    cur = (req.query.get("cursor") or [None])[0]
    if cur:
        obj = _decode_cursor(cur)
        if obj is None:
            return error_response(400, "Invalid cursor", "BadRequest")
        offset = obj["o"]
    page_size = max(1, int(req.state.option("tree_page_size", 1000)))
    page = entries[offset:offset + page_size]
    if expand:
        page = [dict(e, lastCommit={"id": commit.sha, "title": f"Upload {e['path']}",
                                    "date": "2026-01-01T00:00:00.000Z"},
                     **({"securityFileStatus": {"status": "safe"}} if e["type"] == "file" else {}))
                for e in page]
    headers = {"X-Repo-Commit": commit.sha}
    if offset + page_size < len(entries):
        url = f"{_origin(req)}/api/{repo.plural}/{repo.id}/tree/{urllib.parse.quote(rev, safe='')}"
        if path:
            url += "/" + urllib.parse.quote(path, safe="")
        url += (f"?recursive={str(recursive).lower()}&expand={str(expand).lower()}"
                f"&cursor={_encode_cursor({'o': offset + page_size, 'c': commit.sha[:12]})}")
        headers["Link"] = f'<{url}>; rel="next"'
    return json_response(page, headers=headers)


# -- resolve ---------------------------------------------------------------------

def _cdn_secret(state) -> bytes:
    return str(state.option("cdn_secret", "testhub-cdn-secret")).encode()


def _cdn_canonical(sha256: str, query_pairs) -> bytes:
    q = urllib.parse.urlencode(sorted((k, v) for k, v in query_pairs if k != "Signature"))
    return f"/repos/{sha256}?{q}".encode()


def cdn_signed_url(state, f) -> str:
    """Absolute signed URL of an LFS file on the CDN (option cdn_url, else this
    server's own origin): /repos/<sha256>?...&Expires=<unix>&Signature=<hmac>."""
    base = (state.option("cdn_url") or state.base_url).rstrip("/")
    ttl = int(state.option("cdn_url_ttl", 3600))
    name = f.path.rsplit("/", 1)[-1]
    pairs = [
        ("response-content-disposition",
         f"inline; filename*=UTF-8''{urllib.parse.quote(name)}; filename=\"{name}\";"),
        ("response-content-type", "application/octet-stream"),
        ("X-Amz-Expires", str(ttl)),
        ("Expires", str(int(time.time()) + ttl)),
        ("Key-Pair-Id", "K3TESTHUB"),
    ]
    sig = hmac.new(_cdn_secret(state), _cdn_canonical(f.sha256, pairs), hashlib.sha256).hexdigest()
    pairs.append(("Signature", sig))
    return f"{base}/repos/{f.sha256}?{urllib.parse.urlencode(pairs, quote_via=urllib.parse.quote)}"


def _resolve_target(req: Request, rtype: str, repo_id: str, raw_rev: str, raw_rest: str):
    """Common checks of /resolve and /api/resolve-cache: (repo, commit, file) or Response."""
    repo, err = find_repo(req, rtype, repo_id, api=False)
    if err is not None:
        return err
    err = _gate(req, repo)
    if err is not None:
        return err
    rev, rest = _split_rev(req, raw_rev, raw_rest)
    commit = repo.resolve(rev)
    if commit is None:
        return _revision_not_found(rev)
    path = urllib.parse.unquote(rest or "")
    f = commit.files.get(path)
    if f is None:
        return _entry_not_found(commit)
    return repo, commit, f


def h_resolve(req: Request) -> Response:
    rtype = PREFIX_TO_TYPE[req.match.group("prefix")]
    t = _resolve_target(req, rtype, req.match.group("repo"), req.match.group("rev"),
                        req.match.group("path"))
    if isinstance(t, Response):
        return t
    repo, commit, f = t
    headers = {"Content-Type": "text/plain; charset=utf-8", "X-Repo-Commit": commit.sha,
               "Accept-Ranges": "bytes", "Vary": "Origin, Accept"}
    if not f.lfs:
        qpath = urllib.parse.quote(f.path, safe="/")
        marker = urllib.parse.quote(f"/{repo.id}/resolve/{req.match.group('rev')}/{qpath}", safe="")
        loc = (f"/api/resolve-cache/{repo.plural}/{repo.id}/{commit.sha}/{qpath}"
               f"?{marker}=&etag=%22{f.oid}%22")
        headers.update({"Location": loc, "ETag": f'"{f.oid}"'})
        return Response(307, f"Temporary Redirect. Redirecting to {loc}", headers)
    loc = cdn_signed_url(req.state, f)
    headers.update({"Location": loc, "ETag": f'"{f.sha256}"', "X-Linked-Etag": f'"{f.sha256}"',
                    "X-Linked-Size": str(f.size)})
    return Response(302, f"Found. Redirecting to {loc}", headers)


def h_resolve_cache(req: Request) -> Response:
    rtype = PLURAL_TO_TYPE[req.match.group("plural")]
    t = _resolve_target(req, rtype, req.match.group("repo"), req.match.group("commit"),
                        req.match.group("path"))
    if isinstance(t, Response):
        return t
    repo, commit, f = t
    headers = {"Content-Type": "text/plain; charset=utf-8" if not f.lfs else "application/octet-stream",
               "ETag": f'"{f.etag}"', "X-Repo-Commit": commit.sha,
               "Cache-Control": "public, max-age=31536000, immutable"}
    if f.lfs:
        headers.update({"X-Linked-Etag": f'"{f.sha256}"', "X-Linked-Size": str(f.size)})
    if (req.state.option("gzip_text") and not f.lfs and req.method == "GET"
            and "gzip" in (req.headers.get("Accept-Encoding") or "")
            and req.headers.get("Range") is None):
        # like the Hub: text files gzip-compressed, chunked, no Content-Length
        headers["Content-Encoding"] = "gzip"
        resp = Response(200, gzip.compress(f.data, mtime=0), headers)
        resp.chunked = True
        return resp
    return Response(200, f.data, headers, rangeable=True)


# -- CDN ---------------------------------------------------------------------------

def _s3_error(code: str, message: str, status=403) -> Response:
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
            f"<Message>{message}</Message></Error>")
    return Response(status, body, {"Content-Type": "application/xml", "X-Error-Code": code})


def h_cdn_blob(req: Request) -> Response:
    """/repos/<sha256>?...&Expires=&Signature=: the signed-URL blob store (any
    instance serves it; the CDN instance is the one the hub's 302s point at)."""
    sha = req.match.group("sha256")
    raw_q = urllib.parse.urlsplit(req.target).query
    pairs = urllib.parse.parse_qsl(raw_q, keep_blank_values=True)
    q = dict(pairs)
    if "Signature" not in q or "Expires" not in q:
        return _s3_error("MissingKey", "Query-string authentication requires the Signature, "
                                       "Expires and Key-Pair-Id query parameters")
    good = hmac.new(_cdn_secret(req.state), _cdn_canonical(sha, pairs), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(good, q["Signature"]):
        return _s3_error("SignatureDoesNotMatch", "The request signature we calculated does "
                                                  "not match the signature you provided.")
    try:
        expires = int(q["Expires"])
    except ValueError:
        return _s3_error("AccessDenied", "Invalid Expires")
    now = time.time() + float(req.state.option("cdn_clock_skew", 0))
    if now > expires:
        return _s3_error("AccessDenied", "Request has expired")
    f = req.state.registry.find_lfs(sha)
    data = f.data if f is not None else None
    if data is None:  # uploaded through the write API (write_api.py)
        p = os.path.join(write_api.upload_dir(req.state), "objects", sha)
        if os.path.exists(p):
            with open(p, "rb") as fh:
                data = fh.read()
    if data is None:
        return _s3_error("NoSuchKey", "The specified key does not exist.", 404)
    headers = {"Content-Type": q.get("response-content-type", "application/octet-stream"),
               "ETag": f'"{sha}"', "Last-Modified": "Thu, 01 Jan 2026 00:00:00 GMT",
               "X-Cache": "Miss from cloudfront", "Via": "1.1 testhub-cdn"}
    if q.get("response-content-disposition"):
        headers["Content-Disposition"] = q["response-content-disposition"]
    return Response(200, data, headers, rangeable=True)


def h_not_found(req: Request) -> Response:
    return error_response(404, "Not Found")


# The routing table: (methods, path regex matched with fullmatch on the raw URL
# path without query, handler).  GET routes also answer HEAD.  First match wins.
_REPO = r"(?P<repo>[^/]+(?:/[^/]+)?)"
ROUTES = [
    (("GET",), r"/api/whoami-v2", h_whoami),
    (("GET",), r"/api/resolve-cache/(?P<plural>models|datasets|spaces)/" + _REPO +
     r"/(?P<commit>[0-9a-f]{40})/(?P<path>.+)", h_resolve_cache),
    (("GET",), r"/api/(?P<plural>models|datasets|spaces)/" + _REPO +
     r"/tree/(?P<rev>[^/]+)(?:/(?P<path>.*))?", h_tree),
    (("GET",), r"/api/(?P<plural>models|datasets|spaces)/(?P<rest>[^/]+(?:/[^/]+)?(?:/revision/.+)?)",
     h_repo_info),
    (("GET",), r"/repos/(?P<sha256>[0-9a-f]{64})", h_cdn_blob),
    (("GET",), r"/(?:(?P<prefix>datasets|spaces)/)?" + _REPO +
     r"/resolve/(?P<rev>[^/]+)/(?P<path>.+)", h_resolve),
]
ROUTES += write_api.ROUTES
_COMPILED_ROUTES = [(m, re.compile(p), h) for m, p, h in ROUTES]


def config_route_response(route: dict, req: Request) -> Response:
    body = b""
    if "json" in route:
        body = json.dumps(route["json"]).encode()
    elif "body_b64" in route:
        body = base64.b64decode(route["body_b64"])
    elif "body" in route:
        body = route["body"].replace("{{url}}", req.state.base_url).encode("utf-8")
    headers = {}
    if "json" in route:
        headers["Content-Type"] = "application/json; charset=utf-8"
    for k, v in (route.get("headers") or {}).items():
        headers[k] = str(v).replace("{{url}}", req.state.base_url)
    status = int(route.get("status", 200))
    return Response(status, body, headers, rangeable=route.get("rangeable", status == 200))


def dispatch(req: Request) -> Response:
    method = "GET" if req.method == "HEAD" else req.method
    for route in req.state.routes:  # config routes win over built-ins
        if route.get("method", "GET").upper() not in (method, req.method):
            continue
        target = req.target if route.get("match_query") else req.path
        if route["_re"].search(target) if "match" in route else route["_re"].match(target):
            return config_route_response(route, req)
    for methods, rx, handler in _COMPILED_ROUTES:
        m = rx.fullmatch(req.path)
        if m and method in methods:
            req.match = m
            return handler(req)
    return h_not_found(req)


# --------------------------------------------------------------------------
# Range
# --------------------------------------------------------------------------

_RANGE_RE = re.compile(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*\Z")


def parse_range(value: str, size: int):
    """Return (start, end_inclusive), "unsatisfiable", or None (ignore header)."""
    m = _RANGE_RE.match(value or "")
    if not m:
        return None
    a, b = m.group(1), m.group(2)
    if a == "" and b == "":
        return None
    if a == "":
        n = int(b)
        if n == 0:
            return "unsatisfiable"
        return (max(0, size - n), size - 1) if size else "unsatisfiable"
    start = int(a)
    if b != "" and int(b) < start:
        return None  # syntactically invalid: ignore the header
    if start >= size:
        return "unsatisfiable"
    end = int(b) if b != "" else size - 1
    return (start, min(end, size - 1))


# --------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # small replies: no 40 ms delayed-ACK stalls
    server_version = "testhub/1.0"
    sys_version = ""
    timeout = 60  # idle keep-alive connections

    # -- connection setup (TLS handshake in the worker thread) ----------
    def setup(self):
        self.conn_id = self.server.state.next_conn()
        self.conn_requests = 0  # requests seen on this connection
        ctx = self.server.ssl_context
        if ctx is not None:
            self.request.settimeout(10)
            self.request = ctx.wrap_socket(self.request, server_side=True)
        super().setup()

    def finish(self):
        try:
            super().finish()
        finally:
            if self.server.ssl_context is not None:
                # the server closes only the raw socket it accepted (now
                # detached); close the TLS socket ourselves, FIN first.
                try:
                    self.request.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                try:
                    self.request.close()
                except OSError:
                    pass

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("testhub[%s]: %s\n" % (self.server.state.name, fmt % args))

    # -- request handling -----------------------------------------------
    def do_GET(self):
        self.handle_any()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    def read_body(self) -> bytes:
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            out = bytearray()
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(out)
                out += self.rfile.read(size)
                self.rfile.readline(65537)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def handle_any(self):
        state = self.server.state
        body = self.read_body()
        if self.path.startswith("/__control/"):
            return self.handle_control(body)
        self.conn_requests += 1
        req = Request(self.command, self.path, self.headers, body, state)
        entry = {
            "time": time.time(),
            "server": state.name,
            "conn": self.conn_id,
            "tls": self.server.ssl_context is not None,
            "method": self.command,
            "path": self.path,
            "host": self.headers.get("Host"),
            "auth": token_hash(req.token) if req.token is not None else None,
            "auth_scheme": req.auth_scheme,
            "cookie": self.headers.get("Cookie") is not None,
            "range": self.headers.get("Range"),
            "user_agent": self.headers.get("User-Agent"),
            "headers": self._redacted_headers(),
        }
        leak = self._token_leak(req)
        if leak:
            entry["violation"] = leak

        if state.fail_on_auth and (req.auth_header is not None
                                   or self.headers.get("Cookie") is not None):
            entry["violation"] = "authorization-received"
            if req.path.startswith("/lfs-upload/"):  # S3 refuses a second auth mechanism
                resp = _s3_error("AccessDenied", "Only one auth mechanism allowed; only the "
                                 "X-Amz-Algorithm query parameter, Signature query string "
                                 "parameter or the Authorization header should be specified")
            else:
                resp = error_response(400, "Authorization must not be sent to this server")
            faults = []
        else:
            faults = state.pick_faults(self.command, self.path, self.headers.get("Range") is not None,
                                       reused=self.conn_requests > 1)
            resp = None
            for f in faults:
                if f.get("action") == "status":
                    resp = self._fault_status(f)
                    break
            if resp is None:
                try:
                    resp = dispatch(req)
                except Exception as e:  # a bug in the hub: make it visible
                    import traceback
                    traceback.print_exc()
                    resp = error_response(500, f"testhub internal error: {e!r}")
        self.send_response_obj(req, resp, faults, entry)

    def _redacted_headers(self) -> dict:
        out = {}
        for k, v in self.headers.items():
            if k.lower() in ("authorization", "cookie", "proxy-authorization"):
                v = "<redacted>"
            out[k] = v
        return out

    def _token_leak(self, req):
        toks = [t for t in self.server.state.tokens if t]
        for t in toks:
            if t in self.path or urllib.parse.quote(t) in self.path:
                return "token-in-url"
            for k, v in self.headers.items():
                if k.lower() != "authorization" and t in v:
                    return "token-in-header:" + k.lower()
        return None

    @staticmethod
    def _fault_status(f) -> Response:
        code = int(f.get("status", f.get("code", 503)))
        headers = dict(f.get("headers") or {})
        if "json" in f:
            body = json.dumps(f["json"])
            headers.setdefault("Content-Type", "application/json; charset=utf-8")
        elif "body_b64" in f:
            body = base64.b64decode(f["body_b64"])
        elif "body" in f:
            body = f["body"]
        else:
            body = json.dumps({"error": f"injected {code}"})
            headers.setdefault("Content-Type", "application/json; charset=utf-8")
        return Response(code, body, headers)

    # -- sending ----------------------------------------------------------
    def send_response_obj(self, req, resp: Response, faults, entry):
        acts = {}
        for f in faults:
            acts.setdefault(f.get("action"), f)
        delay = sum(float(f.get("seconds", f.get("delay", 0)) or 0)
                    for f in faults if f.get("action") == "delay")
        delay += sum(float(f.get("delay") or 0) for f in faults if f.get("action") != "delay")

        status, body = resp.status, resp.body
        headers = list(resp.headers)
        rng = self.headers.get("Range")
        if resp.rangeable and status == 200:
            headers.append(("Accept-Ranges", "bytes"))
            if rng is not None and "ignore_range" not in acts:
                size = len(body)
                r = parse_range(rng, size)
                if r == "unsatisfiable":
                    status, body = 416, b""
                    headers.append(("Content-Range", f"bytes */{size}"))
                elif r is not None:
                    start, end = r
                    if "wrong_range" in acts:
                        f = acts["wrong_range"]
                        ws = f.get("start")
                        if ws is None:
                            ws = 0 if start != 0 else min(1, max(0, size - 1))
                        ws = int(ws)
                        end = max(ws, end) if ws < size else ws
                        start = ws
                    status = 206
                    body = body[start:end + 1] if start < size else b""
                    headers.append(("Content-Range", f"bytes {start}-{end}/{size}"))
        if "swap_content" in acts and body:
            # position-wise XOR: a Range slice of the swapped file is the swapped
            # slice, so resumed downloads see "the same file, changed"
            f = acts["swap_content"]
            x = int(f.get("xor", 0x55)) & 0xFF or 0x55
            body = body.translate(bytes(i ^ x for i in range(256)))
            if f.get("etag"):
                headers = [(k, v) for k, v in headers if k.lower() != "etag"]
                headers.append(("ETag", str(f["etag"])))
        if "corrupt" in acts and body:
            f = acts["corrupt"]
            b = bytearray(body)
            off = int(f.get("offset", len(b) // 2))
            cnt = int(f.get("count", 1))
            for i in range(max(0, off), min(len(b), off + cnt)):
                b[i] ^= 0xFF
            body = bytes(b)
        if "extend" in acts:
            n = int(acts["extend"].get("bytes", 1024))
            body = body + fixtures.gen_random(n, "extend")
        if "gzip" in acts:
            body = gzip.compress(body, mtime=0)
            headers = [(k, v) for k, v in headers if k.lower() != "content-encoding"]
            headers.append(("Content-Encoding", "gzip"))
        suppressed = set()
        if "headers" in acts:
            f = acts["headers"]
            changes = dict(f.get("set") or f.get("headers") or {})
            for k in f.get("remove") or []:
                changes[k] = None
            for k, v in changes.items():
                headers = [(hk, hv) for hk, hv in headers if hk.lower() != k.lower()]
                if v is None:
                    suppressed.add(k.lower())
                else:
                    headers.append((k, str(v).replace("{{url}}", self.server.state.base_url)))
        chunked = (resp.chunked or "chunked" in acts
                   or ("gzip" in acts and acts["gzip"].get("chunked")))

        entry["status"] = status
        if faults:
            entry["faults"] = [f.get("action") for f in faults]
        if "drop" in acts:
            entry["status"] = None
        self.server.state.log(entry)

        if delay > 0:
            time.sleep(delay)
        if "drop" in acts:
            self.close_connection = True
            if acts["drop"].get("rst"):
                self._rst()
            return

        # status line and headers
        self.send_response_only(status)
        seen = set(suppressed)
        close = "truncate" in acts or "reset" in acts
        for k, v in headers:
            if chunked and k.lower() == "content-length":
                continue
            seen.add(k.lower())
            self.send_header(k, v)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        elif "content-length" not in seen:
            self.send_header("Content-Length", str(len(body)))
        elif "content-length" in suppressed:
            close = True  # body delimited by the end of the connection
        if "x-request-id" not in seen:
            self.send_header("X-Request-Id", f"Root=1-testhub-{entry['seq']}")
        self.send_header("Date", self.date_time_string())
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()

        if self.command == "HEAD" or status in (204, 304) or 100 <= status < 200:
            return
        if chunked:
            f = acts.get("chunked") or acts.get("gzip") or {}
            size = max(1, int(f.get("chunk_size", 16384)))
            for i in range(0, len(body), size):
                part = body[i:i + size]
                self.wfile.write(b"%x\r\n" % len(part) + part + b"\r\n")
            if f.get("final", True):
                self.wfile.write(b"0\r\n\r\n")
            else:
                self.close_connection = True
            self.wfile.flush()
            return
        if "truncate" in acts or "reset" in acts:
            f = acts.get("truncate") or acts["reset"]
            k = int(f.get("bytes", len(body) // 2))
            self._write_counted(body[:k])
            self.close_connection = True
            if "reset" in acts:
                time.sleep(float(f.get("linger", 0.05)))
                self._rst()
            return
        if "slow" in acts:
            f = acts["slow"]
            chunk = max(1, int(f.get("chunk", 1)))
            interval = float(f.get("interval", 0.5))
            for i in range(0, len(body), chunk):
                self._write_counted(body[i:i + chunk])
                time.sleep(interval)
            return
        self._write_counted(body)

    def _write_counted(self, data: bytes, piece: int = 1 << 16):
        """Write and flush `data`, adding each piece to the stats once written."""
        for i in range(0, len(data), piece):
            part = data[i:i + piece]
            self.wfile.write(part)
            self.server.state.count_sent(self.path, len(part))
        self.wfile.flush()

    def _rst(self):
        sock = self.connection
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            fd = sock.detach()
            os.close(fd)
        except OSError:
            pass

    # -- control endpoints (never logged, never faulted) -------------------
    def handle_control(self, body: bytes):
        state = self.server.state
        path = urllib.parse.urlsplit(self.path).path
        try:
            data = json.loads(body) if body.strip() else None
        except ValueError as e:
            return self._send_plain(json_response({"error": f"bad json: {e}"}, 400))
        m = self.command
        if path == "/__control/faults" and m == "POST":
            state.set_faults(data if isinstance(data, list) else (data or {}).get("faults", []))
            resp = json_response({"ok": True, "faults": state.faults_public()})
        elif path == "/__control/faults" and m == "GET":
            resp = json_response(state.faults_public())
        elif path == "/__control/reset" and m == "POST":
            state.reset(clear_log=not (isinstance(data, dict) and data.get("log") is False))
            resp = json_response({"ok": True})
        elif path == "/__control/clear_log" and m == "POST":
            state.clear_log()
            resp = json_response({"ok": True})
        elif path == "/__control/log" and m == "GET":
            with state.lock:
                resp = json_response(list(state.log_entries))
        elif path == "/__control/config" and m == "POST":
            try:
                state.apply_config(data or {})
            except (ValueError, KeyError, TypeError, re.error) as e:
                return self._send_plain(json_response({"error": str(e)}, 400))
            resp = json_response({"ok": True})
        elif path == "/__control/stats" and m == "GET":
            resp = json_response(state.sent_stats())
        elif path == "/__control/ping":
            resp = json_response({"ok": True, "name": state.name, "url": state.base_url})
        else:
            resp = json_response({"error": "unknown control endpoint"}, 404)
        self._send_plain(resp)

    def _send_plain(self, resp: Response):
        self.send_response_only(resp.status)
        for k, v in resp.headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(resp.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(resp.body)
        self.wfile.flush()

    def send_error(self, code, message=None, explain=None):
        # Malformed request lines etc.: answer JSON with a Content-Length.
        self.close_connection = True
        body = json.dumps({"error": message or str(code)}).encode()
        try:
            self.send_response_only(code)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except OSError:
            pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr, state, ssl_context=None, verbose=False):
        self.state = state
        self.ssl_context = ssl_context
        self.verbose = verbose
        super().__init__(addr, Handler)

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, ssl.SSLError, TimeoutError, socket.timeout, BrokenPipeError)):
            if self.verbose:
                sys.stderr.write(f"testhub[{self.state.name}]: {client_address}: {exc!r}\n")
            return
        super().handle_error(request, client_address)


def write_ready(path, info):
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(info, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Fake Hugging Face Hub for tests")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--log", required=True, help="JSONL request log")
    ap.add_argument("--config", help="JSON config file")
    ap.add_argument("--ready-file")
    ap.add_argument("--name", default=None, help='server name in the log (default "hub")')
    ap.add_argument("--fail-on-auth", action="store_true",
                    help="answer 400 and flag any request carrying Authorization/Cookie")
    ap.add_argument("--exit-with-parent", action="store_true",
                    help="exit when the parent process goes away (no leaked hubs)")
    ap.add_argument("--fixtures", default="none", choices=sorted(fixtures.FIXTURE_SETS),
                    help='repository fixture set loaded before --config (default "none"; '
                         'config key "fixtures")')
    ap.add_argument("--cdn-url", help="origin of the CDN instance LFS files redirect to "
                                      '(default: this server; config key "cdn_url")')
    ap.add_argument("--cdn-secret", help="HMAC key of signed CDN URLs, the same on hub and CDN "
                                         '(config key "cdn_secret")')
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)

    state = State(name=args.name or "hub", log_path=args.log, fail_on_auth=args.fail_on_auth)
    state.load_fixtures(args.fixtures)
    if args.cdn_url:
        state.options["cdn_url"] = args.cdn_url
    if args.cdn_secret:
        state.options["cdn_secret"] = args.cdn_secret
    if args.config:
        with open(args.config, encoding="utf-8") as f:
            state.apply_config(json.load(f))
    if args.name:
        state.name = args.name
    if args.fail_on_auth:
        state.fail_on_auth = True

    ctx = None
    if args.tls_cert or args.tls_key:
        if not (args.tls_cert and args.tls_key):
            ap.error("--tls-cert and --tls-key go together")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)

    server = Server((args.host, args.port), state, ctx, args.verbose)
    port = server.server_address[1]
    scheme = "https" if ctx else "http"
    state.base_url = f"{scheme}://{args.host}:{port}"
    info = {"port": port, "url": state.base_url, "name": state.name, "pid": os.getpid()}

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())

    t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    t.start()
    if args.ready_file:
        write_ready(args.ready_file, info)
    sys.stdout.write(json.dumps(info) + "\n")
    sys.stdout.flush()

    parent = os.getppid()
    while not stop.wait(0.5):
        if args.exit_with_parent and os.getppid() != parent:
            break
    server.shutdown()
    server.server_close()
    state.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

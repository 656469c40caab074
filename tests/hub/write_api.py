"""testhub write API: repos, preupload, LFS batch/transfers, commits, branches, tags.

Imported by testhub.py, which puts these handlers in its routing table.  The
behaviour follows /work/shared/docs/upload-protocol.md; the choices made
where that document says [open] are listed in tests/hub/README.md ("Write
API").

Storage shared by the hub and its CDN: option "upload_dir" (a directory both
processes are given; default: a private temporary directory, enough when the
CDN is the hub itself).  Layout:
    <upload_dir>/put/<key>        bodies PUT to the CDN's presigned URLs
                                  (key "basic/<oid>" or "mp/<uploadId>/<part>")
    <upload_dir>/objects/<sha256> LFS objects once checked (the CDN serves them)
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import hmac
import json
import math
import os
import re
import tempfile
import threading
import time
import urllib.parse

import fixtures

DEFAULT_GITATTRIBUTES_PATTERNS = (
    "*.7z *.arrow *.bin *.bz2 *.ckpt *.ftz *.gz *.h5 *.joblib *.lfs.* *.mlmodel *.model "
    "*.msgpack *.npy *.npz *.onnx *.ot *.parquet *.pb *.pickle *.pkl *.pt *.pth *.rar "
    "*.safetensors saved_model/**/* *.tar.* *.tar *.tflite *.tgz *.wasm *.xz *.zip *.zst "
    "*tfevents*").split()
DEFAULT_GITATTRIBUTES = "".join(f"{p} filter=lfs diff=lfs merge=lfs -text\n"
                                for p in DEFAULT_GITATTRIBUTES_PATTERNS)

LFS_SIZE_THRESHOLD = 10 * 1024 * 1024      # [open] size >= this: lfs
BINARY_SIZE_THRESHOLD = 1_000_000          # [open] NUL in sample and size > this: lfs
DEFAULT_CHUNK_SIZE = 16_000_000            # [open] multipart part size
READ_TOKEN_UPLOAD = "you must use a write token to upload to a repository"
BRANCH_MOVED = "The branch was updated since you opened this page. Please refresh and try again."
COMMIT_QUOTA = ("You have exceeded our hourly quotas for action: commit. "
                "We invite you to retry later.")

_lock = threading.RLock()
_private_dir = None
_counter = [0]


def T():
    """The testhub module (imported lazily: it imports this module)."""
    import sys
    return sys.modules.get("testhub") or sys.modules["__main__"]


# -- storage ---------------------------------------------------------------------

def upload_dir(state) -> str:
    global _private_dir
    d = state.option("upload_dir")
    if not d:
        with _lock:
            if _private_dir is None:
                _private_dir = tempfile.mkdtemp(prefix="testhub-upload-")
            d = _private_dir
    return d


def _atomic_write(path: str, data: bytes):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.tmp{os.getpid()}.{threading.get_ident()}"
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def stored_object(state, oid: str) -> bytes | None:
    """Content of the LFS object `oid` if the hub has it (checked sha256)."""
    p = os.path.join(upload_dir(state), "objects", oid)
    if os.path.exists(p):
        with open(p, "rb") as fh:
            return fh.read()
    # a basic upload that nobody verified yet: check and promote it
    b = os.path.join(upload_dir(state), "put", "basic", oid)
    if os.path.exists(b):
        with open(b, "rb") as fh:
            data = fh.read()
        if hashlib.sha256(data).hexdigest() == oid:
            _atomic_write(p, data)
            return data
    f = state.registry.find_lfs(oid)
    return f.data if f is not None else None


def has_object(state, oid: str) -> bool:
    if os.path.exists(os.path.join(upload_dir(state), "objects", oid)):
        return True
    return state.registry.find_lfs(oid) is not None


# -- signing (presigned URLs, same secret on hub and CDN) ------------------------

def _sign(state, method: str, path: str, pairs) -> str:
    q = urllib.parse.urlencode(sorted((k, v) for k, v in pairs if k != "X-Amz-Signature"))
    msg = f"{method} {path}?{q}".encode()
    return hmac.new(T()._cdn_secret(state), msg, hashlib.sha256).hexdigest()


def presign(state, base: str, method: str, path: str, extra=()) -> str:
    ttl = int(state.option("upload_url_ttl", 900))
    pairs = list(extra) + [
        ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
        ("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD"),
        ("X-Amz-Credential", "TESTHUB/s3/aws4_request"),
        ("X-Amz-Date", time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())),
        ("X-Amz-Expires", str(ttl)),
        ("Expires", str(int(time.time()) + ttl)),
        ("X-Amz-SignedHeaders", "host"),
    ]
    pairs.append(("X-Amz-Signature", _sign(state, method, path, pairs)))
    return f"{base.rstrip('/')}{path}?{urllib.parse.urlencode(pairs, quote_via=urllib.parse.quote)}"


def check_presigned(req) -> object:
    """None when the request's URL carries a valid, unexpired signature, else an
    S3-like 403 AccessDenied XML response."""
    t = T()
    raw = urllib.parse.urlsplit(req.target)
    pairs = urllib.parse.parse_qsl(raw.query, keep_blank_values=True)
    q = dict(pairs)
    if "X-Amz-Signature" not in q or "Expires" not in q:
        return t._s3_error("AccessDenied", "Query-string authentication requires the "
                                           "Signature and Expires parameters")
    good = _sign(req.state, req.method, raw.path, pairs)
    if not hmac.compare_digest(good, q["X-Amz-Signature"]):
        return t._s3_error("AccessDenied", "The request signature we calculated does not "
                                           "match the signature you provided.")
    try:
        expires = int(q["Expires"])
    except ValueError:
        return t._s3_error("AccessDenied", "Invalid Expires")
    if time.time() + float(req.state.option("cdn_clock_skew", 0)) > expires:
        return t._s3_error("AccessDenied", "Request has expired")
    return None


# -- permissions -----------------------------------------------------------------

def can_write(ident, namespace: str) -> bool:
    if ident is None:
        return False
    role = ident.get("role")
    if role == "write" or role == "admin":
        return namespace in T()._user_names(ident)
    if role == "fineGrained":
        fg = ident.get("fineGrained") or {}
        for s in fg.get("scoped") or []:
            if (s.get("entity") or {}).get("name") == namespace and \
                    "repo.write" in (s.get("permissions") or []):
                return True
        return False
    return False


def write_repo(req, rtype: str, repo_id: str, pr_ok: bool = False):
    """(repo, None) when the caller may write to the repo, else (None, Response).
    pr_ok: the write opens or extends a pull request (create_pr=1, refs/pr/N),
    which a write token without rights on the repo may do unless the option
    "pull_requests_disabled" is set."""
    t = T()
    if req.identity is None:
        if req.bad_credentials:
            return None, t.invalid_credentials()
        return None, t.error_response(401, "Invalid username or password.")
    repo, err = t.find_repo(req, rtype, repo_id, api=True)
    if err is not None:
        return None, err
    if not can_write(req.identity, repo.namespace):
        if req.identity.get("role") == "read":
            return None, t.error_response(403, READ_TOKEN_UPLOAD)
        if pr_ok and req.identity.get("role") == "write" and \
                not req.state.option("pull_requests_disabled"):
            return repo, None
        if pr_ok:
            return None, t.error_response(403, "Authorization error.")
        return None, t.error_response(
            403, "Forbidden: pass `create_pr=1` as a query parameter to create a Pull Request")
    return repo, None


def _is_pr(req) -> bool:
    return _truthy_q(req, "create_pr") or \
        urllib.parse.unquote(req.match.group("rev")).startswith("refs/pr/")


def _truthy_q(req, name) -> bool:
    return str((req.query.get(name) or [""])[0]).lower() in ("1", "true", "yes")


def _json_body(req):
    try:
        v = json.loads(req.body or b"{}")
        return v if isinstance(v, dict) else None
    except ValueError:
        return None


def _repo_url(req, repo) -> str:
    prefix = "" if repo.type == "model" else repo.type + "s/"
    return f"{T()._origin(req)}/{prefix}{repo.id}"


# -- commits ---------------------------------------------------------------------

def new_commit(repo, parent, files: dict, title: str, ref: str | None) -> fixtures.Commit:
    with _lock:
        _counter[0] += 1
        n = _counter[0]
    sha = hashlib.sha1(f"{repo.type}:{repo.id}:{parent.sha if parent else ''}:{title}:{n}"
                       .encode()).hexdigest()
    c = fixtures.Commit(sha, title, files)
    c.parent = parent.sha if parent else None
    repo.commits[sha] = c
    if ref is not None:
        repo.refs[ref] = sha
    return c


def _text_file(path: str, text: str) -> fixtures.File:
    return fixtures.File(path, fixtures.Blob(text.encode(), lfs=False))


def h_repo_create(req):
    t = T()
    if req.identity is None:
        return t.invalid_credentials() if req.bad_credentials else \
            t.error_response(401, "Invalid username or password.")
    body = _json_body(req)
    if body is None or not isinstance(body.get("name"), str):
        return t.error_response(400, "Invalid request: name is required")
    rtype = body.get("type") or "model"
    if rtype not in t.REPO_TYPES:
        return t.error_response(400, f"Invalid repo type: {rtype}")
    name = body["name"]
    ns = body.get("organization") or None
    if "/" in name and ns is None:
        ns, name = name.split("/", 1)
    ns = ns or req.identity["user"]
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,96}", name) or "--" in name or ".." in name \
            or name[0] in "-." or name[-1] in "-." or name.endswith(".git"):
        return t.error_response(400, f"Invalid repo name: {name}")   # [open] wording
    if not can_write(req.identity, ns):
        return t.error_response(
            403, f'You don\'t have the rights to create a {rtype} under namespace "{ns}"')
    repo_id = f"{ns}/{name}"
    with req.state.lock:
        existing = req.state.registry.get(repo_id, rtype)
        if existing is not None:
            return t.json_response({"error": f"You already created this {rtype} repo",
                                    "url": _repo_url(req, existing)}, 409,
                                   {"X-Error-Message": f"You already created this {rtype} repo"})
        private = body.get("visibility") in ("private", "protected") or bool(body.get("private"))
        extra = {"sdk": body["sdk"]} if rtype == "space" and body.get("sdk") else {}
        repo = fixtures.Repo(repo_id, rtype, private=private, extra=extra)
        files = {".gitattributes": _text_file(".gitattributes", DEFAULT_GITATTRIBUTES)}
        if isinstance(body.get("license"), str):   # the Hub writes a README then
            files["README.md"] = _text_file("README.md",
                                            f"---\nlicense: {body['license']}\n---\n")
        for f in body.get("files") or []:
            data = base64.b64decode(f.get("content") or "") if f.get("encoding") == "base64" \
                else str(f.get("content") or "").encode()
            files[f["path"]] = fixtures.File(f["path"], fixtures.Blob(data, lfs=False))
        new_commit(repo, None, files, "initial commit", "main")
        req.state.registry.add(repo)
    return t.json_response({"url": _repo_url(req, repo), "name": repo_id,
                            "id": t._hexid("repo:" + repo_id)})


def h_repo_delete(req):
    t = T()
    if req.identity is None:
        return t.invalid_credentials() if req.bad_credentials else \
            t.error_response(401, "Invalid username or password.")
    body = _json_body(req) or {}
    rtype = body.get("type") or "model"
    name = body.get("name") or ""
    ns = body.get("organization") or None
    if "/" in name and ns is None:
        ns, name = name.split("/", 1)
    ns = ns or req.identity["user"]
    repo_id = f"{ns}/{name}"
    with req.state.lock:
        repo = req.state.registry.get(repo_id, rtype)
        if repo is None or not t._can_see(req, repo):
            return t.error_response(404, "Repository not found", "RepoNotFound")
        if not can_write(req.identity, ns):
            return t.error_response(403, f"You don't have the rights to delete {repo_id}")
        del req.state.registry.repos[(rtype, repo_id)]
    return t.Response(200, b"", {"Content-Type": "text/plain; charset=utf-8"})


# -- .gitattributes / .gitignore ---------------------------------------------------

def _pattern_match(pattern: str, path: str) -> bool:
    pattern = pattern.strip()
    if not pattern:
        return False
    anchored = pattern.startswith("/")
    pattern = pattern.lstrip("/")
    if pattern.endswith("/"):
        pattern += "**"
    if "/" in pattern or anchored:
        p = pattern.replace("**/", "*").replace("/**", "/*")
        return fnmatch.fnmatchcase(path, p) or fnmatch.fnmatchcase(path, pattern)
    return fnmatch.fnmatchcase(path.rsplit("/", 1)[-1], pattern) or \
        any(fnmatch.fnmatchcase(part, pattern) for part in path.split("/")[:-1])


def lfs_patterns(text: str) -> list:
    out = []
    for line in (text or "").splitlines():
        parts = line.split()
        if len(parts) >= 2 and not parts[0].startswith("#") and "filter=lfs" in parts[1:]:
            out.append(parts[0])
    return out


def is_ignored(gitignore: str, path: str) -> bool:
    ignored = False
    for line in (gitignore or "").splitlines():
        line = line.rstrip()
        if not line or line.startswith("#"):
            continue
        neg = line.startswith("!")
        pat = line[1:] if neg else line
        if _pattern_match(pat, path) or (pat.endswith("/") and
                                         path.startswith(pat.lstrip("/"))):
            ignored = not neg
    return ignored


def _file_text(commit, path: str) -> str:
    f = commit.files.get(path) if commit else None
    return f.data.decode("utf-8", "replace") if f is not None and not f.lfs else ""


def upload_mode(gitattributes: str, path: str, size: int, sample: bytes) -> str:
    if size == 0:
        return "regular"
    if any(_pattern_match(p, path) for p in lfs_patterns(gitattributes)):
        return "lfs"
    if size >= LFS_SIZE_THRESHOLD:
        return "lfs"
    if b"\0" in sample[:512] and size > BINARY_SIZE_THRESHOLD:
        return "lfs"
    return "regular"


def _rev_commit(req, repo, raw_rev: str):
    rev = urllib.parse.unquote(raw_rev)
    c = repo.resolve(rev)
    return rev, c


def h_preupload(req):
    t = T()
    rtype = t.PLURAL_TO_TYPE[req.match.group("plural")]
    repo, err = write_repo(req, rtype, req.match.group("repo"), pr_ok=_is_pr(req))
    if err is not None:
        return err
    rev, commit = _rev_commit(req, repo, req.match.group("rev"))
    if commit is None:
        return t._revision_not_found(rev)
    body = _json_body(req)
    if body is None or not isinstance(body.get("files"), list):
        return t.error_response(400, "Invalid request: files must be an array")
    attrs = body.get("gitAttributes")
    if not isinstance(attrs, str):
        attrs = _file_text(commit, ".gitattributes")
    ignore = body.get("gitIgnore")
    if not isinstance(ignore, str):
        ignore = _file_text(commit, ".gitignore")
    out = []
    for f in body["files"]:
        path = f.get("path")
        size = f.get("size")
        if not isinstance(path, str) or not isinstance(size, int):
            return t.error_response(400, "Invalid request: each file needs path and size")
        try:
            sample = base64.b64decode(f.get("sample") or "")
        except ValueError:
            return t.error_response(400, f"Invalid sample for {path}")
        mode = upload_mode(attrs, path, size, sample)
        e = {"path": path, "uploadMode": mode, "shouldIgnore": is_ignored(ignore, path)}
        old = commit.files.get(path)
        e["oid"] = None if old is None else (old.sha256 if mode == "lfs" else old.blob.git_sha1)
        out.append(e)
    return t.json_response({"files": out, "commitOid": commit.sha})


# -- LFS batch and transfers -------------------------------------------------------

def _batch_error(t, status, msg):
    return t.Response(status, json.dumps({"message": msg}),
                      {"Content-Type": "application/vnd.git-lfs+json", "X-Error-Message": msg})


def h_lfs_batch(req):
    t = T()
    rtype = {"datasets": "dataset", "spaces": "space"}.get(req.match.group("prefix"), "model")
    # the clients omit "ref" for PRs, so a batch cannot tell: the commit decides
    repo, err = write_repo(req, rtype, req.match.group("repo"), pr_ok=True)
    if err is not None:
        return err
    body = _json_body(req)
    if body is None or body.get("operation") != "upload" or not isinstance(body.get("objects"), list):
        return _batch_error(t, 422, "Invalid batch request")
    transfers = body.get("transfers") or ["basic"]
    chunk = int(req.state.option("multipart_chunk_size", DEFAULT_CHUNK_SIZE))
    threshold = int(req.state.option("multipart_threshold", chunk))
    cdn = (req.state.option("cdn_url") or req.state.base_url).rstrip("/")
    hub = t._origin(req)
    prefix = "" if rtype == "model" else rtype + "s/"
    multipart_used = False
    out = []
    for o in body["objects"]:
        oid, size = o.get("oid"), o.get("size")
        if not isinstance(oid, str) or not re.fullmatch(r"[0-9a-f]{64}", oid) \
                or not isinstance(size, int) or size < 0:
            out.append({"oid": oid, "size": size,
                        "error": {"code": 422, "message": "Invalid oid or size"}})
            continue
        e = {"oid": oid, "size": size}
        if has_object(req.state, oid):
            out.append(e)
            continue
        e["authenticated"] = True
        verify = {"href": f"{hub}/{prefix}{repo.id}.git/info/lfs/objects/verify"}
        if size > threshold and "multipart" in transfers:
            multipart_used = True
            upload_id = hashlib.sha256(os.urandom(16)).hexdigest()[:32]
            n = max(1, math.ceil(size / chunk))
            header = {"chunk_size": str(chunk)}
            for i in range(1, n + 1):
                header[f"{i:05d}"] = presign(req.state, cdn, "PUT",
                                             f"/lfs-upload/mp/{upload_id}/{i}",
                                             [("partNumber", str(i)), ("uploadId", upload_id)])
            href = presign(req.state, hub, "POST", "/api/complete_multipart",
                           [("uploadId", upload_id), ("oid", oid), ("size", str(size)),
                            ("parts", str(n))])
            e["actions"] = {"upload": {"href": href, "header": header}, "verify": verify}
        else:
            href = presign(req.state, cdn, "PUT", f"/lfs-upload/basic/{oid}",
                           [("x-id", "PutObject")])
            e["actions"] = {"upload": {"href": href}, "verify": verify}
        out.append(e)
    resp = {"transfer": "multipart" if multipart_used else "basic", "objects": out}
    return t.Response(200, json.dumps(resp), {"Content-Type": "application/vnd.git-lfs+json"})


def h_cdn_put(req):
    """PUT <cdn>/lfs-upload/<key>?<presigned>: store the body (S3 stand-in)."""
    t = T()
    bad = check_presigned(req)
    if bad is not None:
        return bad
    if req.headers.get("Content-Length") is None:
        return t._s3_error("MissingContentLength",
                           "You must provide the Content-Length HTTP header.", 411)
    if not req.body:
        return t._s3_error("NotImplemented", "A header you provided implies functionality "
                                              "that is not implemented", 501)
    key = req.match.group("key")
    _atomic_write(os.path.join(upload_dir(req.state), "put", key), req.body)
    etag = '"' + hashlib.md5(req.body).hexdigest() + '"'
    return t.Response(200, b"", {"ETag": etag, "Server": "AmazonS3"})


def h_complete_multipart(req):
    """POST <hub>/api/complete_multipart?<presigned>: assemble the parts."""
    t = T()
    bad = check_presigned(req)
    if bad is not None:
        return bad
    q = {k: v[0] for k, v in req.query.items()}
    upload_id, oid, size, n = q["uploadId"], q["oid"], int(q["size"]), int(q["parts"])
    body = _json_body(req)
    if body is None or body.get("oid") != oid or not isinstance(body.get("parts"), list):
        return t.error_response(400, "Invalid multipart completion body")
    parts = body["parts"]
    if [p.get("partNumber") for p in parts] != list(range(1, n + 1)):
        return t.error_response(400, f"Expected parts 1..{n} in order")
    base = os.path.join(upload_dir(req.state), "put", "mp", upload_id)
    data = bytearray()
    for p in parts:
        path = os.path.join(base, str(p["partNumber"]))
        if not os.path.exists(path):
            return t.error_response(400, f"Part {p['partNumber']} was not uploaded")
        with open(path, "rb") as fh:
            chunk = fh.read()
        if p.get("etag") != '"' + hashlib.md5(chunk).hexdigest() + '"':
            return t.error_response(400, f"ETag of part {p['partNumber']} does not match")
        data += chunk
    if len(data) != size or hashlib.sha256(data).hexdigest() != oid:
        return t.error_response(400, "Assembled object does not match its oid and size")
    _atomic_write(os.path.join(upload_dir(req.state), "objects", oid), bytes(data))
    return t.json_response({"oid": oid, "size": size})


def h_lfs_verify(req):
    t = T()
    rtype = {"datasets": "dataset", "spaces": "space"}.get(req.match.group("prefix"), "model")
    # the clients omit "ref" for PRs, so a batch cannot tell: the commit decides
    repo, err = write_repo(req, rtype, req.match.group("repo"), pr_ok=True)
    if err is not None:
        return err
    body = _json_body(req) or {}
    oid, size = body.get("oid"), body.get("size")
    data = stored_object(req.state, oid) if isinstance(oid, str) else None
    if data is None or len(data) != size:
        return _batch_error(t, 404, f"Object {oid} not found")
    return t.json_response({"success": True})


# -- commit ------------------------------------------------------------------------

_BAD_PATH = re.compile(r"(\A|/)(\.\.?|\.git|)(/|\Z)|\\|\A/")


def h_commit(req):
    t = T()
    rtype = t.PLURAL_TO_TYPE[req.match.group("plural")]
    repo, err = write_repo(req, rtype, req.match.group("repo"), pr_ok=_is_pr(req))
    if err is not None:
        return err
    rev, head = _rev_commit(req, repo, req.match.group("rev"))
    if head is None:
        return t._revision_not_found(rev)
    create_pr = _truthy_q(req, "create_pr")
    lines = []
    try:
        for line in (req.body or b"").decode("utf-8").splitlines():
            if line.strip():
                lines.append(json.loads(line))
    except ValueError:
        return t.error_response(400, "Invalid NDJSON payload")
    if not lines or lines[0].get("key") != "header":
        return t.error_response(400, "The first line must be the header")
    header = lines[0].get("value") or {}
    summary = header.get("summary")
    if not isinstance(summary, str) or not summary.strip():
        return t.error_response(400, "summary is required")
    with req.state.lock:
        if create_pr and not is_branch(repo, rev):
            return t._revision_not_found(rev)     # a PR starts from a branch
        parent = header.get("parentCommit")
        base = head
        if parent:
            match = [c for c in repo.commits.values() if c.sha.startswith(parent)]
            if len(parent) < 7 or len(match) != 1:
                return t._revision_not_found(parent)
            if create_pr:
                base = match[0]
            elif match[0].sha != head.sha:
                return t.error_response(412, BRANCH_MOVED)
        files = dict(base.files)
        attrs = _file_text(base, ".gitattributes")
        attrs_changed = False
        for op in lines[1:]:
            key, v = op.get("key"), op.get("value") or {}
            path = v.get("path")
            if not isinstance(path, str) or not path or _BAD_PATH.search(path.rstrip("/")
                                                                       if key == "deletedFolder"
                                                                       else path):
                return t.error_response(422, f"Invalid path: {path!r}")
            if key == "file":
                try:
                    data = base64.b64decode(v.get("content") or "") \
                        if v.get("encoding", "base64") == "base64" \
                        else str(v.get("content") or "").encode()
                except ValueError:
                    return t.error_response(400, f"Invalid base64 content for {path}")
                if upload_mode("", path, len(data), data[:512]) == "lfs":   # [open] wording
                    return t.error_response(
                        422, f"{path} is too large or binary for a regular file: it must be "
                             f"uploaded with LFS (as the preupload answer says)")
                if v.get("oldPath"):
                    files.pop(v["oldPath"], None)
                files[path] = fixtures.File(path, fixtures.Blob(data, lfs=False))
                if path == ".gitattributes":
                    attrs = data.decode("utf-8", "replace")
            elif key == "lfsFile":
                oid = v.get("oid")
                if v.get("algo", "sha256") != "sha256" or not isinstance(oid, str):
                    return t.error_response(400, f"Invalid lfsFile line for {path}")
                data = stored_object(req.state, oid)
                if data is None or ("size" in v and v["size"] != len(data)):
                    return t.error_response(    # [open] wording
                        422, f"LFS object {oid} of {path} was not uploaded (upload it "
                             f"with the LFS batch API before committing)")
                if v.get("oldPath"):
                    files.pop(v["oldPath"], None)
                files[path] = fixtures.File(path, fixtures.Blob(data, lfs=True))
                if not any(_pattern_match(p, path) for p in lfs_patterns(attrs)):
                    attrs += ("" if attrs.endswith("\n") or not attrs else "\n") + \
                        f"{path} filter=lfs diff=lfs merge=lfs -text\n"
                    attrs_changed = True
            elif key == "deletedFile":
                if path not in files:
                    return t.error_response(404, f"A file with this name doesn't exist: {path}",
                                            "EntryNotFound")
                del files[path]
            elif key == "deletedFolder":
                pre = path.rstrip("/") + "/"
                gone = [p for p in files if p.startswith(pre)]
                if not gone:
                    return t.error_response(404, f"A folder with this name doesn't exist: {path}",
                                            "EntryNotFound")
                for p in gone:
                    del files[p]
            else:
                return t.error_response(400, f"Unknown line key: {key!r}")
        if attrs_changed:
            files[".gitattributes"] = _text_file(".gitattributes", attrs)
        title = summary.strip()
        if create_pr:
            n = 1 + max([int(r.split("/")[2]) for r in repo.refs if r.startswith("refs/pr/")] or [0])
            ref = f"refs/pr/{n}"
        else:
            ref = rev if rev in repo.refs else None
        c = new_commit(repo, base, files, title, ref)
        c.description = header.get("description") or ""
        if ref is None:      # committing on a detached sha: [open] refuse instead?
            pass
    url = _repo_url(req, repo)
    out = {"success": True, "commitOid": c.sha, "commitUrl": f"{url}/commit/{c.sha}",
           "hookOutput": ""}
    if create_pr:
        out["pullRequestUrl"] = f"{url}/discussions/{ref.split('/')[2]}"
    return t.json_response(out)


# -- branches and tags -----------------------------------------------------------
#
# repo.refs maps every name a revision can be given by (branches, tags,
# refs/pr/N) to its commit, so that the read side resolves them.  Tags are
# kept apart as well: tags() {name: message} and tag_shas() {name: sha}
# (fixture repos declare theirs with "tag_refs"), and a branch that shares a
# tag's name (the Hub allows it) is listed in shadow_branches(), refs[name]
# then being the branch's commit.

def tags(repo) -> dict:
    d = repo.__dict__.get("tags")
    if d is None:
        names = [n for n in repo.extra.get("tag_refs") or [] if n in repo.refs]
        d = repo.__dict__["tags"] = {n: "" for n in names}
        repo.__dict__["tag_shas"] = {n: repo.refs[n] for n in names}
    return d


def tag_shas(repo) -> dict:
    tags(repo)
    return repo.__dict__.setdefault("tag_shas", {})


def shadow_branches(repo) -> set:
    return repo.__dict__.setdefault("shadow_branches", set())


def is_branch(repo, name: str) -> bool:
    if name.startswith("refs/") or name not in repo.refs:
        return False
    return name not in tags(repo) or name in shadow_branches(repo)


def _find_commit(repo, rev: str):
    """A ref, a full commit id, or a unique prefix of 7 or more hex digits."""
    c = repo.resolve(rev)
    if c is not None:
        return c
    if len(rev) >= 7 and re.fullmatch(r"[0-9a-f]+", rev):
        match = [x for x in repo.commits.values() if x.sha.startswith(rev)]
        if len(match) == 1:
            return match[0]
    return None


def h_refs(req):
    """GET /api/{t}/{repo}/refs[?include_prs=1]: branches, converts, tags (and PRs)."""
    t = T()
    rtype = t.PLURAL_TO_TYPE[req.match.group("plural")]
    repo, err = t.find_repo(req, rtype, req.match.group("repo"), api=True)
    if err is not None:
        return err
    with req.state.lock:
        branches = [{"name": n, "ref": f"refs/heads/{n}", "targetCommit": repo.refs[n]}
                    for n in sorted(repo.refs) if is_branch(repo, n)]
        tag_list = [{"name": n, "ref": f"refs/tags/{n}", "targetCommit": sha}
                    for n, sha in sorted(tag_shas(repo).items())]
        prs = sorted((r for r in repo.refs if re.fullmatch(r"refs/pr/\d+", r)),
                     key=lambda r: int(r.split("/")[2]))
        out = {"branches": branches, "converts": [], "tags": tag_list}
        if _truthy_q(req, "include_prs"):
            out["pullRequests"] = [{"name": r, "ref": r, "targetCommit": repo.refs[r]}
                                   for r in prs]
    return t.json_response(out)


def h_branch(req):
    t = T()
    rtype = t.PLURAL_TO_TYPE[req.match.group("plural")]
    repo, err = write_repo(req, rtype, req.match.group("repo"))
    if err is not None:
        return err
    name = urllib.parse.unquote(req.match.group("name"))
    with req.state.lock:
        if req.method == "DELETE":
            if name == "main":
                return t.error_response(403, "You cannot delete the default branch")
            if not is_branch(repo, name):
                return t._revision_not_found(name)
            if name in shadow_branches(repo):    # the tag of that name stays
                shadow_branches(repo).discard(name)
                repo.refs[name] = tag_shas(repo)[name]
            else:
                del repo.refs[name]
            return t.json_response({})
        if name.startswith("refs/") or not re.fullmatch(r"[A-Za-z0-9_.\-/]+", name):
            return t.error_response(400, "Invalid reference for a branch")
        body = _json_body(req) or {}
        empty = body.get("emptyBranch") is True
        if is_branch(repo, name):
            # "overwrite" resets an existing branch; without a start point or
            # emptyBranch that is a no-op (the JS client's documented contract)
            if body.get("overwrite") is not True:
                return t.error_response(409, f"Reference refs/heads/{name} already exists")
            if not empty and not body.get("startingPoint"):
                return t.json_response({})
        if empty:      # [open] a branch without history: here a root commit with no file
            c = new_commit(repo, None, {}, "empty branch", None)
        else:
            start = body.get("startingPoint") or "main"
            c = _find_commit(repo, start)
            if c is None:
                return t._revision_not_found(start)
        if name in tags(repo):
            shadow_branches(repo).add(name)
        repo.refs[name] = c.sha
    return t.json_response({})


def h_tag_create(req):
    t = T()
    rtype = t.PLURAL_TO_TYPE[req.match.group("plural")]
    repo, err = write_repo(req, rtype, req.match.group("repo"))
    if err is not None:
        return err
    rev = urllib.parse.unquote(req.match.group("rev"))
    body = _json_body(req) or {}
    tag = body.get("tag")
    if not isinstance(tag, str) or not re.fullmatch(r"[A-Za-z0-9_.\-/]+", tag) or \
            tag.startswith("refs/"):
        return t.error_response(400, f"Invalid tag name: {tag!r}")
    with req.state.lock:
        c = _find_commit(repo, rev)
        if c is None:
            return t._revision_not_found(rev)
        if tag in tags(repo):
            return t.error_response(409, f"Tag {tag} already exists")
        tags(repo)[tag] = body.get("message") or ""
        tag_shas(repo)[tag] = c.sha
        if tag in repo.refs and not tag.startswith("refs/"):
            shadow_branches(repo).add(tag)       # a branch of that name: it keeps the name
        else:
            repo.refs[tag] = c.sha
    return t.json_response({})


def h_tag_delete(req):
    t = T()
    rtype = t.PLURAL_TO_TYPE[req.match.group("plural")]
    repo, err = write_repo(req, rtype, req.match.group("repo"))
    if err is not None:
        return err
    tag = urllib.parse.unquote(req.match.group("rev"))
    with req.state.lock:
        if tag == "main":
            return t.error_response(500, "Internal Error")     # the Hub's moon-landing#4223
        if tag not in tags(repo):
            return t._revision_not_found(tag)
        del tags(repo)[tag]
        tag_shas(repo).pop(tag, None)
        if tag in shadow_branches(repo):
            shadow_branches(repo).discard(tag)
        else:
            repo.refs.pop(tag, None)
    return t.json_response({})


# -- move and settings -------------------------------------------------------------

def h_repo_move(req):
    """POST /api/repos/move {"fromRepo", "toRepo", "type"}: rename or transfer.
    The old name then answers 307 to the new one, as a renamed repo does."""
    t = T()
    if req.identity is None:
        return t.invalid_credentials() if req.bad_credentials else \
            t.error_response(401, "Invalid username or password.")
    body = _json_body(req) or {}
    src, dst, rtype = body.get("fromRepo"), body.get("toRepo"), body.get("type") or "model"
    if rtype not in t.REPO_TYPES or not isinstance(src, str) or not isinstance(dst, str) \
            or src.count("/") != 1 or dst.count("/") != 1:
        return t.error_response(400, "Invalid request: fromRepo and toRepo are namespace/name")
    ns, name = dst.split("/")
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,96}", name) or "--" in name or ".." in name \
            or name[0] in "-." or name[-1] in "-." or name.endswith(".git"):
        return t.error_response(400, f"Invalid repo name: {name}")   # [open] wording
    with req.state.lock:
        reg = req.state.registry
        repo = reg.get(src, rtype)
        if repo is None or not t._can_see(req, repo):
            return t.error_response(404, "Repository not found", "RepoNotFound")
        if not can_write(req.identity, repo.namespace) or not can_write(req.identity, ns):
            if req.identity.get("role") == "read":
                return t.error_response(403, READ_TOKEN_UPLOAD)
            return t.error_response(403, f"You don't have the rights to move {src} to {dst}")
        if reg.get(dst, rtype) is not None:
            return t.error_response(409, f"A {rtype} repository called {dst} already exists")
        del reg.repos[(rtype, src)]
        repo.id = dst
        reg.repos[(rtype, dst)] = repo
        reg.moved[(rtype, src)] = dst
        for key, new in list(reg.moved.items()):      # older names follow it too
            if key[0] == rtype and new == src:
                reg.moved[key] = dst
        reg.moved.pop((rtype, dst), None)
    return t.json_response({})


def h_repo_settings(req):
    """PUT /api/{t}/{repo}/settings {"visibility" | "private", "gated"}."""
    t = T()
    rtype = t.PLURAL_TO_TYPE[req.match.group("plural")]
    repo, err = write_repo(req, rtype, req.match.group("repo"))
    if err is not None:
        return err
    body = _json_body(req)
    if body is None:
        return t.error_response(400, "Invalid JSON body")
    vis, private, gated = body.get("visibility"), body.get("private"), body.get("gated", None)
    if vis is not None and vis not in ("public", "private", "protected"):
        return t.error_response(400, f"Invalid visibility: {vis}")
    if vis == "protected" and rtype != "space":
        return t.error_response(400, "Only Spaces can be protected")   # [open] wording
    if private is not None and not isinstance(private, bool):
        return t.error_response(400, "private must be a boolean")
    if "gated" in body and gated not in ("auto", "manual", False):
        return t.error_response(400, f"Invalid gated value: {gated!r}")
    if vis is None and private is None and "gated" not in body:
        return t.error_response(400, "Nothing to update")               # [open] wording
    with req.state.lock:
        if vis is not None:
            repo.private = vis in ("private", "protected")
        elif private is not None:
            repo.private = private
        if "gated" in body:
            repo.gated = gated or False
    return t.json_response({})


def h_raw(req):
    """GET /{prefix}{repo}/raw/{rev}/{path}: the git blob (an LFS file's pointer)."""
    t = T()
    rtype = {"datasets": "dataset", "spaces": "space"}.get(req.match.group("prefix"), "model")
    repo, err = t.find_repo(req, rtype, req.match.group("repo"), api=False)
    if err is not None:
        return err
    gate = t._gate(req, repo)
    if gate is not None:
        return gate
    rev = urllib.parse.unquote(req.match.group("rev"))
    c = repo.resolve(rev)
    if c is None:
        return t._revision_not_found(rev)
    f = c.files.get(urllib.parse.unquote(req.match.group("path")))
    if f is None:
        return t._entry_not_found(c)
    data = f.pointer if f.lfs else f.data
    return t.Response(200, data, {"Content-Type": "text/plain; charset=utf-8",
                                  "ETag": f'"{f.oid}"', "X-Repo-Commit": c.sha},
                      rangeable=True)


def h_commits(req):
    """GET /api/{t}/{repo}/commits/{rev}: the history of rev, newest first (the
    real Hub's list_repo_commits endpoint): [{"id", "title", "message",
    "authors", "date"}]. One page (no Link cursor); fixture commits made
    without a parent end the list."""
    t = T()
    rtype = t.PLURAL_TO_TYPE[req.match.group("plural")]
    repo, err = t.find_repo(req, rtype, req.match.group("repo"), api=True)
    if err is not None:
        return err
    rev = urllib.parse.unquote(req.match.group("rev"))
    c = repo.resolve(rev)
    if c is None:
        return t._revision_not_found(rev)
    out = []
    while c is not None and len(out) < 1000:
        desc = getattr(c, "description", "") or ""
        out.append({"id": c.sha, "title": c.name, "message": c.name + ("\n\n" + desc if desc else ""),
                    "authors": [], "date": "2026-01-01T00:00:00.000Z"})
        parent = getattr(c, "parent", None)
        c = repo.commits.get(parent) if parent else None
    return t.json_response(out)


def h_validate_yaml(req):
    """POST /api/validate-yaml {"content", "repoType"}: a README's front matter."""
    t = T()
    body = _json_body(req)
    if body is None or not isinstance(body.get("content"), str):
        return t.error_response(400, "content is required")
    text = body["content"].replace("\r\n", "\n")
    if text.startswith("---\n"):
        end = text.find("\n---", 3)
        if end < 0:
            return t.error_response(400, "Invalid YAML: the metadata block is not closed with ---")
        for line in text[4:end].splitlines():
            if line.strip() and not line.startswith((" ", "-", "#")) and ":" not in line:
                return t.error_response(400, f"Invalid YAML: cannot parse line {line!r}")
    return t.json_response({"errors": [], "warnings": []})


_P = r"(?P<plural>models|datasets|spaces)/(?P<repo>[^/]+/[^/]+)"
ROUTES = [
    (("POST",), r"/api/repos/create", h_repo_create),
    (("POST",), r"/api/repos/move", h_repo_move),
    (("GET",), r"/api/" + _P + r"/refs", h_refs),
    (("PUT",), r"/api/" + _P + r"/settings", h_repo_settings),
    (("DELETE",), r"/api/repos/delete", h_repo_delete),
    (("POST",), r"/api/" + _P + r"/preupload/(?P<rev>[^/]+)", h_preupload),
    (("POST",), r"/api/" + _P + r"/commit/(?P<rev>[^/]+)", h_commit),
    (("POST", "DELETE"), r"/api/" + _P + r"/branch/(?P<name>[^/]+)", h_branch),
    (("POST",), r"/api/" + _P + r"/tag/(?P<rev>[^/]+)", h_tag_create),
    (("DELETE",), r"/api/" + _P + r"/tag/(?P<rev>[^/]+)", h_tag_delete),
    (("POST",), r"/api/complete_multipart", h_complete_multipart),
    (("POST",), r"/api/validate-yaml", h_validate_yaml),
    (("GET",), r"/api/" + _P + r"/commits/(?P<rev>[^/]+)", h_commits),
    (("POST",), r"/(?:(?P<prefix>datasets|spaces)/)?(?P<repo>[^/]+/[^/]+?)\.git/info/lfs/objects/batch",
     h_lfs_batch),
    (("POST",), r"/(?:(?P<prefix>datasets|spaces)/)?(?P<repo>[^/]+/[^/]+?)\.git/info/lfs/objects/verify",
     h_lfs_verify),
    (("GET",), r"/(?:(?P<prefix>datasets|spaces)/)?(?P<repo>[^/]+/[^/]+)/raw/(?P<rev>[^/]+)/(?P<path>.+)",
     h_raw),
    (("PUT",), r"/lfs-upload/(?P<key>(?:basic/[0-9a-f]{64})|(?:mp/[0-9a-f]{32}/\d+))", h_cdn_put),
]

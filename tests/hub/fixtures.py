"""Deterministic repository content for the test hub (standard library only).

Shared by tests/hub/testhub.py (which serves it) and tests/integration/harness.py
(which lets tests compute the exact bytes, hashes and commits they expect).
Nothing big is committed: content is generated from (size, seed) on first use
and memoised per process.

Model
  Repo     id, type ("model" | "dataset" | "space"), private, gated, the users
           who may see it / pass its gate, commits {sha: Commit}, refs {name: sha}
  Commit   sha (40 hex), name, files {path: Blob}
  Blob     one file's content (bytes, or generated lazily) plus its LFS flag;
           .data .size .lfs .sha256 .git_sha1 .pointer .oid .etag

Config form of a repo (what testhub's "repos" config key takes; all optional
except "id"):
  {"id": "acme/x", "type": "model", "private": false,
   "gated": false | "auto" | "manual",
   "allowed_users": [...],            # private: users/orgs besides the namespace
   "granted_users": [...],            # gated: users/orgs that passed the gate
   "pending_users": [...],            # gated: users whose request is pending
   "moved_from": ["old/name"],        # old ids answered with a 307 to this repo
   "tag_refs": ["v1"],                # revisions that are tags, not branches (refs API)
   "files": {PATH: FILE},             # legacy: the files of "main"
   "sha": "<40hex>",                  # legacy: the commit of "main"
   "revisions": {NAME: REV}}
  REV  = {"files": {PATH: FILE}, "base": "other revision name" (start from its
          files), "remove": [paths], "sha": "<40hex>"}
       | "other revision name"        (an alias: the same commit)
       | "<40hex>"                    (legacy: alias if that commit exists, else a
                                       commit with this sha and the files of main)
  FILE = "text" | bytes | Blob
       | {"text": "..."} | {"b64": "..."} | {"data": b"..."}
       | {"size": N, "seed": S, "kind": "random" | "text" | "safetensors" | "json"}
       each dict may add "lfs": true/false.
  Default LFS flag: size > 10 KiB, or the extension is in LFS_EXTENSIONS.
  Default commit sha: commit_sha(type, id, revision_name)
                      = sha1("<type>:<id>:<revision name>").
"""

from __future__ import annotations

import base64
import hashlib
import inspect
import json
import os
import random
import re
import sys
import tempfile
import threading

LFS_THRESHOLD = 10 * 1024
LFS_EXTENSIONS = (".safetensors", ".bin", ".gguf", ".pt", ".pth", ".onnx", ".model",
                  ".h5", ".ckpt", ".msgpack", ".parquet")
REPO_TYPES = ("model", "dataset", "space")
HEX40 = re.compile(r"[0-9a-f]{40}\Z")
LFS_POINTER_VERSION = "https://git-lfs.github.com/spec/v1"
_MIB = 1 << 20


# --------------------------------------------------------------------------
# Content generators (all exact-size and deterministic)
# --------------------------------------------------------------------------

def _seed_bytes(seed) -> bytes:
    return hashlib.sha256(f"testhub-fixture:{seed}".encode()).digest()


def gen_random(size: int, seed) -> bytes:
    """Seeded pseudo-random bytes. Up to 1 MiB: SHAKE-128 output; beyond, each
    1 MiB chunk i is a distinct window of a (1 MiB + 64 KiB) SHAKE buffer
    (fast: 64 MiB in ~50 ms; no two chunks of a file are equal)."""
    if size <= _MIB:
        return hashlib.shake_128(_seed_bytes(seed)).digest(size)
    span = 1 << 16
    base = hashlib.shake_128(_seed_bytes(seed)).digest(_MIB + span)
    parts = []
    n = 0
    i = 0
    while n < size:
        off = (i * 0x9E3779B1) % span
        k = min(_MIB, size - n)
        parts.append(base[off:off + k])
        n += k
        i += 1
    return b"".join(parts)


_WORDS = ("the model tiny hub file cache token lfs commit branch revision tensor layer "
          "weight bias dataset space download upload config license policy use "
          "attention head vocab merge split shard range etag blob snapshot ref pull "
          "request test fixture deterministic seed byte line word alpha beta gamma "
          "delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho").split()


def gen_text(size: int, seed) -> bytes:
    """Printable ASCII lines of words, exactly `size` bytes, ending in "\\n"."""
    if size <= 0:
        return b""
    rnd = random.Random(_seed_bytes(seed))
    out = []
    n = 0
    line = []
    while n < size:
        w = rnd.choice(_WORDS)
        line.append(w)
        if len(line) >= 12:
            s = " ".join(line) + "\n"
            out.append(s)
            n += len(s)
            line = []
    data = "".join(out).encode()[:size - 1] + b"\n"
    return data


def gen_json(size: int, seed) -> bytes:
    """A tokenizer.json-like JSON document padded with spaces to exactly `size`."""
    rnd = random.Random(_seed_bytes(seed))
    head = ('{"version":"1.0","truncation":null,"padding":null,"added_tokens":[],'
            '"normalizer":null,"pre_tokenizer":{"type":"Whitespace"},'
            '"post_processor":null,"decoder":null,'
            '"model":{"type":"WordLevel","unk_token":"[UNK]","vocab":{')
    tail = "}}}\n"
    parts = [head]
    n = len(head) + len(tail)
    i = 0
    while True:
        tok = "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rnd.randint(2, 9)))
        item = f'{"," if i else ""}"{tok}{i}":{i}'
        if n + len(item) > size - 1:
            break
        parts.append(item)
        n += len(item)
        i += 1
    parts.append(tail)
    data = "".join(parts).encode()
    if len(data) > size:
        raise ValueError(f"json fixture too small: {size}")
    return data[:-1] + b" " * (size - len(data)) + b"\n"


def gen_safetensors(size: int, seed) -> bytes:
    """A valid safetensors file of exactly `size` bytes: one U8 tensor "weight"
    holding seeded random bytes (header padded with spaces to 8 bytes)."""
    def header(n):
        h = json.dumps({"__metadata__": {"format": "pt", "testhub_seed": str(seed)},
                        "weight": {"dtype": "U8", "shape": [n], "data_offsets": [0, n]}},
                       separators=(",", ":"))
        return h + " " * (-len(h) % 8)
    n = size
    for _ in range(10):
        h = header(n)
        n2 = size - 8 - len(h)
        if n2 == n:
            break
        n = n2
    h = header(n).encode()
    if n < 0 or 8 + len(h) + n != size:
        return gen_random(size, seed)
    return len(h).to_bytes(8, "little") + h + gen_random(n, seed)


GENERATORS = {"random": gen_random, "text": gen_text, "json": gen_json,
              "safetensors": gen_safetensors}


def gen_bytes(size: int, seed, kind: str = "random") -> bytes:
    return GENERATORS[kind](int(size), seed)


# --------------------------------------------------------------------------
# Persistent hash cache for big generated blobs
# --------------------------------------------------------------------------
# Generating and hashing 64 MiB costs ~1 s per process on a slow machine, and a
# hub, its CDN and the test process all need the sha256. Hashes of generated
# blobs >= HASH_CACHE_MIN are kept in a per-user JSON file keyed by a
# fingerprint of the generator source and the Python version, so a changed
# generator never reuses old hashes. TESTHUB_HASH_CACHE=0 disables it;
# TESTHUB_HASH_CACHE=/path/file.json moves it.

HASH_CACHE_MIN = 1 << 20
_fp = None
_hash_cache = None
_hash_cache_lock = threading.Lock()


def _fingerprint() -> str:
    src = "".join(inspect.getsource(f) for f in (_seed_bytes, gen_random, gen_text, gen_json,
                                                 gen_safetensors))
    return hashlib.sha1(f"{sys.version_info[:2]}\n{_WORDS}\n{src}".encode()).hexdigest()[:16]


def _hash_cache_file():
    v = os.environ.get("TESTHUB_HASH_CACHE")
    if v is not None and v.strip() in ("", "0"):
        return None
    if v:
        return v
    d = os.path.join(tempfile.gettempdir(), f"hf-testhub-{os.getuid()}")
    try:
        os.makedirs(d, mode=0o700, exist_ok=True)
        st = os.lstat(d)
        if st.st_uid != os.getuid() or (st.st_mode & 0o077):
            return None
    except OSError:
        return None
    return os.path.join(d, "fixture-hashes.json")


def _cache_key(blob) -> str | None:
    if blob.seed is None or blob.size < HASH_CACHE_MIN:
        return None
    global _fp
    if _fp is None:
        _fp = _fingerprint()
    return f"{_fp}:{blob.kind}:{blob.size}:{blob.seed}"


def _cache_get(key):
    global _hash_cache
    with _hash_cache_lock:
        if _hash_cache is None:
            _hash_cache = {}
            path = _hash_cache_file()
            if path:
                try:
                    with open(path, encoding="utf-8") as f:
                        d = json.load(f)
                    if isinstance(d, dict):
                        _hash_cache = d
                except (OSError, ValueError):
                    pass
        v = _hash_cache.get(key)
    return v if isinstance(v, dict) else None


def _cache_put(key, entry):
    path = _hash_cache_file()
    with _hash_cache_lock:
        if _hash_cache is not None:
            _hash_cache[key] = entry
        if not path:
            return
        try:
            try:
                with open(path, encoding="utf-8") as f:
                    d = json.load(f)
                if not isinstance(d, dict):
                    d = {}
            except (OSError, ValueError):
                d = {}
            d[key] = entry
            tmp = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(d, f)
            os.replace(tmp, path)
        except OSError:
            pass


# --------------------------------------------------------------------------
# Hashes
# --------------------------------------------------------------------------

def git_blob_sha1(data: bytes) -> str:
    """sha1("blob <len>\\0" + data): git's object id, the Hub's ETag of a regular file."""
    h = hashlib.sha1(b"blob %d\0" % len(data))
    h.update(data)
    return h.hexdigest()


def lfs_pointer(sha256: str, size: int) -> bytes:
    return f"version {LFS_POINTER_VERSION}\noid sha256:{sha256}\nsize {size}\n".encode()


def commit_sha(repo_type: str, repo_id: str, name: str) -> str:
    return hashlib.sha1(f"{repo_type}:{repo_id}:{name}".encode()).hexdigest()


def repo_folder_name(repo_id: str, repo_type: str = "model") -> str:
    """The cache folder: models--org--name, datasets--..., spaces--..."""
    return f"{repo_type}s--" + repo_id.replace("/", "--")


def default_lfs(path: str, size: int) -> bool:
    return size > LFS_THRESHOLD or path.lower().endswith(LFS_EXTENSIONS)


# --------------------------------------------------------------------------
# Blob / Commit / Repo
# --------------------------------------------------------------------------

class Blob:
    """One file's content. Generated content is produced on first access of
    .data (thread-safe, once) and kept in memory; hashes are memoised too."""

    def __init__(self, data: bytes | None = None, *, size: int | None = None, seed=None,
                 kind: str = "random", lfs: bool | None = None):
        if data is None and size is None:
            raise ValueError("Blob needs data or size")
        self._data = bytes(data) if data is not None else None
        self._size = len(self._data) if self._data is not None else int(size)
        self.seed = seed
        self.kind = kind
        self._lfs = lfs
        self._lock = threading.Lock()
        self._sha256 = None
        self._sha1 = None

    def __repr__(self):
        return f"Blob(size={self._size}, lfs={self._lfs}, seed={self.seed!r})"

    @property
    def size(self) -> int:
        return self._size

    @property
    def data(self) -> bytes:
        if self._data is None:
            with self._lock:
                if self._data is None:
                    d = gen_bytes(self._size, self.seed, self.kind)
                    assert len(d) == self._size, (len(d), self._size)
                    self._data = d
        return self._data

    def lfs_for(self, path: str) -> bool:
        return self._lfs if self._lfs is not None else default_lfs(path, self._size)

    def _hashes(self):
        key = _cache_key(self) if self._data is None else None
        got = _cache_get(key) if key else None
        if got and isinstance(got.get("sha256"), str) and isinstance(got.get("sha1"), str):
            self._sha256, self._sha1 = got["sha256"], got["sha1"]
            return
        data = self.data
        self._sha256 = hashlib.sha256(data).hexdigest()
        self._sha1 = git_blob_sha1(data)
        key = _cache_key(self)
        if key:
            _cache_put(key, {"sha256": self._sha256, "sha1": self._sha1})

    @property
    def sha256(self) -> str:
        if self._sha256 is None:
            self._hashes()
        return self._sha256

    @property
    def git_sha1(self) -> str:
        """git blob sha1 of the content itself."""
        if self._sha1 is None:
            self._hashes()
        return self._sha1


class File:
    """A Blob at a path in a commit (the LFS flag depends on the path)."""

    __slots__ = ("path", "blob", "lfs")

    def __init__(self, path: str, blob: Blob):
        self.path = path
        self.blob = blob
        self.lfs = blob.lfs_for(path)

    def __repr__(self):
        return f"File({self.path!r}, size={self.size}, lfs={self.lfs})"

    size = property(lambda self: self.blob.size)
    data = property(lambda self: self.blob.data)
    sha256 = property(lambda self: self.blob.sha256)

    @property
    def pointer(self) -> bytes:
        return lfs_pointer(self.blob.sha256, self.blob.size)

    @property
    def pointer_size(self) -> int:
        return len(self.pointer)

    @property
    def oid(self) -> str:
        """The git blob sha1 stored in git: of the LFS pointer for LFS files, of the
        content otherwise (the tree API's "oid", the repo API's "blobId")."""
        return git_blob_sha1(self.pointer) if self.lfs else self.blob.git_sha1

    @property
    def etag(self) -> str:
        """Unquoted ETag the client caches under: sha256 (LFS) or git sha1."""
        return self.blob.sha256 if self.lfs else self.blob.git_sha1


class Commit:
    def __init__(self, sha: str, name: str, files: dict):
        self.sha = sha
        self.name = name
        self.files: dict[str, File] = files
        self._lock = threading.Lock()
        self._tree = None
        self._listing: dict = {}

    def __repr__(self):
        return f"Commit({self.sha[:10]}, {self.name!r}, {len(self.files)} files)"

    # nested tree {name: File | dict}
    def _build_tree(self):
        if self._tree is None:
            root: dict = {}
            for path, f in self.files.items():
                node = root
                parts = path.split("/")
                for p in parts[:-1]:
                    node = node.setdefault(p, {})
                node[parts[-1]] = f
            self._tree = root
        return self._tree

    @staticmethod
    def _git_order(node):
        return sorted(node, key=lambda n: n + "/" if isinstance(node[n], dict) else n)

    def _tree_oid(self, node) -> str:
        out = bytearray()
        for name in self._git_order(node):
            child = node[name]
            if isinstance(child, dict):
                out += b"40000 " + name.encode() + b"\0" + bytes.fromhex(self._tree_oid(child))
            else:
                out += b"100644 " + name.encode() + b"\0" + bytes.fromhex(child.oid)
        h = hashlib.sha1(b"tree %d\0" % len(out))
        h.update(out)
        return h.hexdigest()

    def listing(self, path: str = "", recursive: bool = False):
        """Tree API entries under `path` (git order, pre-order when recursive):
        dicts {"type": "file"|"directory", "oid", "size", "path", ["lfs"]}.
        None when `path` does not exist; [file entry] when it names a file."""
        key = (path, recursive)
        with self._lock:
            if key in self._listing:
                return self._listing[key]
            root = self._build_tree()
            node = root
            if path:
                for p in path.split("/"):
                    if not isinstance(node, dict) or p not in node:
                        self._listing[key] = None
                        return None
                    node = node[p]
            out: list = []
            if not isinstance(node, dict):
                out.append(self._file_entry(node))
            else:
                self._walk(node, path, recursive, out)
            self._listing[key] = out
            return out

    def _file_entry(self, f: File) -> dict:
        e = {"type": "file", "oid": f.oid, "size": f.size}
        if f.lfs:
            e["lfs"] = {"oid": f.sha256, "size": f.size, "pointerSize": f.pointer_size}
        e["path"] = f.path
        return e

    def _walk(self, node, prefix, recursive, out):
        for name in self._git_order(node):
            child = node[name]
            p = f"{prefix}/{name}" if prefix else name
            if isinstance(child, dict):
                out.append({"type": "directory", "oid": self._tree_oid(child), "size": 0, "path": p})
                if recursive:
                    self._walk(child, p, recursive, out)
            else:
                out.append(self._file_entry(child))


class Repo:
    def __init__(self, repo_id: str, repo_type: str = "model", *, private=False, gated=False,
                 allowed_users=(), granted_users=(), pending_users=(), moved_from=(),
                 extra=None):
        if repo_type not in REPO_TYPES:
            raise ValueError(f"bad repo type {repo_type!r}")
        self.id = repo_id
        self.type = repo_type
        self.private = bool(private)
        self.gated = gated or False
        self.allowed_users = list(allowed_users or [])
        self.granted_users = list(granted_users or [])
        self.pending_users = list(pending_users or [])
        self.moved_from = list(moved_from or [])
        self.extra = dict(extra or {})
        self.commits: dict[str, Commit] = {}
        self.refs: dict[str, str] = {}

    def __repr__(self):
        return f"Repo({self.type}:{self.id}, refs={sorted(self.refs)})"

    @property
    def namespace(self):
        return self.id.split("/")[0] if "/" in self.id else None

    @property
    def plural(self):
        return self.type + "s"

    def add_commit(self, name: str, files: dict, sha: str | None = None) -> Commit:
        sha = sha or commit_sha(self.type, self.id, name)
        c = Commit(sha, name, {p: (f if isinstance(f, File) else File(p, make_blob(f)))
                               for p, f in files.items()})
        self.commits[sha] = c
        self.refs[name] = sha
        return c

    def resolve(self, revision: str) -> Commit | None:
        """A branch/tag/ref name, or a full commit sha of this repo."""
        sha = self.refs.get(revision)
        if sha is None and HEX40.match(revision or ""):
            sha = revision
        return self.commits.get(sha) if sha else None

    @property
    def main(self) -> Commit:
        return self.resolve("main")


def make_blob(spec) -> Blob:
    if isinstance(spec, Blob):
        return spec
    if isinstance(spec, File):
        return spec.blob
    if isinstance(spec, (bytes, bytearray)):
        return Blob(bytes(spec))
    if isinstance(spec, str):
        return Blob(spec.encode("utf-8"))
    if isinstance(spec, dict):
        lfs = spec.get("lfs")
        if "text" in spec:
            return Blob(spec["text"].encode("utf-8"), lfs=lfs)
        if "b64" in spec:
            return Blob(base64.b64decode(spec["b64"]), lfs=lfs)
        if "data" in spec:
            return Blob(bytes(spec["data"]), lfs=lfs)
        if "size" in spec:
            kind = spec.get("kind", "random")
            if kind not in GENERATORS:
                raise ValueError(f"unknown generator kind {kind!r}")
            return Blob(size=int(spec["size"]), seed=spec.get("seed", 0), kind=kind, lfs=lfs)
    raise ValueError(f"bad file spec: {spec!r}")


def repo_from_config(d) -> Repo:
    """Build a Repo from its config dict (module docstring)."""
    if isinstance(d, Repo):
        return d
    d = dict(d)
    repo = Repo(d["id"], d.get("type", "model"), private=d.get("private", False),
                gated=d.get("gated", False), allowed_users=d.get("allowed_users"),
                granted_users=d.get("granted_users"), pending_users=d.get("pending_users"),
                moved_from=d.get("moved_from"),
                extra={k: v for k, v in d.items() if k in ("tags", "card_data", "sdk", "tag_refs")})
    revs = dict(d.get("revisions") or {})
    main = revs.get("main")
    if not isinstance(main, dict):
        legacy = {"files": d.get("files") or {}}
        if d.get("sha"):
            legacy["sha"] = d["sha"]
        if isinstance(main, str) and HEX40.match(main):
            legacy["sha"] = main
            main = None
        if main is None:
            revs["main"] = legacy
    elif d.get("files"):
        revs["main"] = dict(main, files={**d["files"], **(main.get("files") or {})})

    done: dict[str, Commit] = {}

    def build(name, stack=()):
        if name in done:
            return done[name]
        if name in stack:
            raise ValueError(f"{repo.id}: revision cycle at {name!r}")
        spec = revs[name]
        if isinstance(spec, str):
            if spec in revs:
                c = build(spec, stack + (name,))
                repo.refs[name] = c.sha
            elif HEX40.match(spec):
                c = next((x for x in repo.commits.values() if x.sha == spec), None)
                if c is None:
                    c = repo.add_commit(name, dict(build("main", stack + (name,)).files), sha=spec)
                repo.refs[name] = c.sha
            else:
                raise ValueError(f"{repo.id}: revision {name!r} -> unknown {spec!r}")
            done[name] = c
            return c
        files = {}
        if spec.get("base"):
            files.update(build(spec["base"], stack + (name,)).files)
        for p in spec.get("remove") or []:
            files.pop(p, None)
        for p, f in (spec.get("files") or {}).items():
            files[p] = File(p, make_blob(f))
        c = repo.add_commit(name, files, sha=spec.get("sha"))
        done[name] = c
        return c

    # dict revisions first (so 40-hex aliases can find them), then the rest
    for name in sorted(revs, key=lambda n: (not isinstance(revs[n], dict), n != "main", n)):
        build(name)
    return repo


class Registry:
    """Repos by (type, id), renames, and LFS blobs by sha256 (indexed lazily)."""

    def __init__(self, repos=()):
        self.repos: dict[tuple[str, str], Repo] = {}
        self.moved: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()
        self._lfs_index: dict[str, File] = {}
        self._indexed: dict = {}  # id(blob) -> blob (the reference keeps ids unique)
        for r in repos:
            self.add(r)

    def add(self, repo) -> Repo:
        repo = repo_from_config(repo)
        with self._lock:
            self.repos[(repo.type, repo.id)] = repo
            for old in repo.moved_from:
                self.moved[(repo.type, old)] = repo.id
        return repo

    def get(self, repo_id: str, repo_type: str = "model") -> Repo | None:
        return self.repos.get((repo_type, repo_id))

    def find_lfs(self, sha256: str) -> File | None:
        """An LFS file whose content has this sha256 (hashing lazily, small first)."""
        f = self._lfs_index.get(sha256)
        if f is not None:
            return f
        with self._lock:
            todo = []
            for key, repo in self.repos.items():
                for c in repo.commits.values():
                    for file in c.files.values():
                        if file.lfs and id(file.blob) not in self._indexed:
                            todo.append(file)
            todo.sort(key=lambda x: x.size)
            seen = set()
            for file in todo:
                if id(file.blob) in seen:
                    continue
                seen.add(id(file.blob))
                self._indexed[id(file.blob)] = file.blob
                self._lfs_index.setdefault(file.sha256, file)
                if file.sha256 == sha256:
                    break
        return self._lfs_index.get(sha256)

    # -- conveniences for tests -------------------------------------------
    def file(self, repo_id, path, revision="main", repo_type="model") -> File:
        repo = self.get(repo_id, repo_type)
        if repo is None:
            raise KeyError(f"no {repo_type} repo {repo_id!r}")
        c = repo.resolve(revision)
        if c is None:
            raise KeyError(f"{repo_id}: no revision {revision!r}")
        if path not in c.files:
            raise KeyError(f"{repo_id}@{revision}: no file {path!r}")
        return c.files[path]


# --------------------------------------------------------------------------
# The default fixture set
# --------------------------------------------------------------------------

def _j(obj) -> str:
    return json.dumps(obj, indent=2) + "\n"


TINY_CONFIG = _j({"architectures": ["TinyForCausalLM"], "hidden_size": 64, "model_type": "tiny",
                  "num_hidden_layers": 2, "torch_dtype": "float32", "vocab_size": 1000})
TINY_CONFIG_V1 = _j({"architectures": ["TinyForCausalLM"], "hidden_size": 32, "model_type": "tiny",
                     "num_hidden_layers": 1, "vocab_size": 1000})

GITATTRIBUTES = "".join(
    f"{p} filter=lfs diff=lfs merge=lfs -text\n" for p in (
        "*.7z", "*.arrow", "*.bin", "*.bz2", "*.ckpt", "*.ftz", "*.gz", "*.h5", "*.joblib",
        "*.lfs.*", "*.mlmodel", "*.model", "*.msgpack", "*.npy", "*.npz", "*.onnx", "*.ot",
        "*.parquet", "*.pb", "*.pickle", "*.pkl", "*.pt", "*.pth", "*.rar", "*.safetensors",
        "saved_model/**/*", "*.tar.*", "*.tar", "*.tflite", "*.tgz", "*.wasm", "*.xz", "*.zip",
        "*.zst", "*tfevents*", "tokenizer.json")
)

LLAMA_CONFIG = _j({
    "architectures": ["LlamaForCausalLM"], "attention_bias": False, "attention_dropout": 0.0,
    "bos_token_id": 128000, "eos_token_id": 128001, "head_dim": 64, "hidden_act": "silu",
    "hidden_size": 2048, "initializer_range": 0.02, "intermediate_size": 8192,
    "max_position_embeddings": 131072, "mlp_bias": False, "model_type": "llama",
    "num_attention_heads": 32, "num_hidden_layers": 16, "num_key_value_heads": 8,
    "pretraining_tp": 1, "rms_norm_eps": 1e-05,
    "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                     "original_max_position_embeddings": 8192, "rope_type": "llama3"},
    "rope_theta": 500000.0, "tie_word_embeddings": True, "torch_dtype": "bfloat16",
    "transformers_version": "4.45.0.dev0", "use_cache": True, "vocab_size": 128256})


def default_repo_configs() -> list:
    """The default fixture repos, in config form (see module docstring)."""
    tiny_main = {
        "config.json": TINY_CONFIG,
        "README.md": "---\nlicense: mit\nlibrary_name: transformers\n---\n# acme/tiny\n\nA tiny test model.\n",
        "tokenizer.json": {"size": 30 * 1024 + 123, "seed": "acme/tiny/tokenizer.json", "kind": "json"},
        "model.safetensors": {"size": 1 * _MIB, "seed": "acme/tiny/model.safetensors", "kind": "safetensors"},
        "onnx/model.onnx": {"size": 200 * 1024, "seed": "acme/tiny/onnx/model.onnx"},
        "weird name+1.txt": "a file with a space and a plus in its name\n",
    }
    many = {f"shard-{i // 500}/file-{i:04d}.txt": f"many-files #{i}\n" for i in range(2500)}
    return [
        {"id": "acme/tiny", "type": "model", "moved_from": ["acme/tiny-old-name"],
         "tag_refs": ["v1.0"],
         "revisions": {
             "main": {"files": tiny_main},
             "v1.0": {"base": "main", "files": {"config.json": TINY_CONFIG_V1}},
             "refs/pr/1": {"base": "main", "files": {"pr-1-extra.txt": "added by pull request 1\n"}},
         }},
        {"id": "meta-llama/Llama-3.2-1B", "type": "model", "gated": "manual",
         "granted_users": ["alice"], "pending_users": ["carl"],
         "files": {
             ".gitattributes": GITATTRIBUTES,
             "LICENSE.txt": {"size": 7712, "seed": "llama/LICENSE.txt", "kind": "text"},
             "README.md": {"size": 41742, "seed": "llama/README.md", "kind": "text", "lfs": False},
             "USE_POLICY.md": {"size": 6021, "seed": "llama/USE_POLICY.md", "kind": "text"},
             "config.json": LLAMA_CONFIG,
             "generation_config.json": _j({"_from_model_config": True, "bos_token_id": 128000,
                                           "do_sample": True, "eos_token_id": 128001,
                                           "temperature": 0.6, "top_p": 0.9,
                                           "transformers_version": "4.45.0.dev0"}),
             "model.safetensors": {"size": 4 * _MIB, "seed": "llama/model.safetensors",
                                   "kind": "safetensors"},
             "original/consolidated.00.pth": {"size": 512 * 1024, "seed": "llama/consolidated.00.pth"},
             "original/params.json": _j({"dim": 2048, "ffn_dim_multiplier": 1.5, "multiple_of": 256,
                                         "n_heads": 32, "n_kv_heads": 8, "n_layers": 16,
                                         "norm_eps": 1e-05, "rope_theta": 500000.0,
                                         "use_scaled_rope": True, "vocab_size": 128256}),
             "original/tokenizer.model": {"size": 200 * 1024, "seed": "llama/tokenizer.model"},
             "special_tokens_map.json": _j({"bos_token": "<|begin_of_text|>",
                                            "eos_token": "<|end_of_text|>"}),
             "tokenizer.json": {"size": 90 * 1024, "seed": "llama/tokenizer.json", "kind": "json"},
             "tokenizer_config.json": {"size": 54528, "seed": "llama/tokenizer_config.json",
                                       "kind": "json", "lfs": False},
         }},
        {"id": "acme/private-model", "type": "model", "private": True,
         "files": {
             "config.json": _j({"model_type": "private", "hidden_size": 16}),
             "README.md": "# acme/private-model\n\nOnly acme members can see this.\n",
             "model.safetensors": {"size": 64 * 1024, "seed": "acme/private-model/model.safetensors",
                                   "kind": "safetensors"},
         }},
        {"id": "acme/many-files", "type": "model", "files": many},
        {"id": "acme/tiny-dataset", "type": "dataset",
         "files": {
             "README.md": "---\nlicense: cc0-1.0\n---\n# acme/tiny-dataset\n",
             "data/train.csv": "id,text,label\n" + "".join(
                 f"{i},sample text number {i},{i % 2}\n" for i in range(50)),
         }},
        {"id": "acme/tiny-space", "type": "space",
         "files": {
             "README.md": "---\ntitle: Tiny Space\nsdk: gradio\napp_file: app.py\n---\n",
             "app.py": "import gradio as gr\n\ngr.Interface(lambda x: x, 'text', 'text').launch()\n",
         }},
        {"id": "acme/big", "type": "model",
         "files": {"model.safetensors": {"size": 64 * _MIB, "seed": "acme/big/model.safetensors",
                                         "kind": "safetensors"}}},
    ]


def default_repos() -> list:
    """Fresh Repo objects for the default fixture set (content generated lazily)."""
    return [repo_from_config(d) for d in default_repo_configs()]


_default_registry = None
_default_lock = threading.Lock()


def default_registry() -> Registry:
    """A per-process Registry of the default fixtures (memoised: content generated
    once per process)."""
    global _default_registry
    with _default_lock:
        if _default_registry is None:
            _default_registry = Registry(default_repos())
        return _default_registry


FIXTURE_SETS = {"default": default_repos, "none": lambda: []}


if __name__ == "__main__":  # print a summary of the default fixtures
    import sys
    reg = default_registry()
    for (rtype, rid), repo in reg.repos.items():
        flags = [f for f in ("private" if repo.private else "",
                             f"gated={repo.gated}" if repo.gated else "") if f]
        print(f"{rtype} {rid} {' '.join(flags)}")
        for name, sha in sorted(repo.refs.items()):
            c = repo.commits[sha]
            print(f"  {name} -> {sha} ({len(c.files)} files)")
            if "-v" in sys.argv or len(c.files) < 30:
                for p, f in sorted(c.files.items()):
                    print(f"    {p!r:45} {f.size:>9} {'lfs' if f.lfs else 'git'} {f.etag}")

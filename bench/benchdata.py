"""Benchmark fixtures: two repositories written once to disk, with a manifest.

    <data>/blobs/<sha256>       every file's bytes, named by content (nginx
                                serves this directory as the CDN's /repos/)
    <data>/manifest.json        repos -> files (path, size, sha256, git sha1, lfs)

bench/Llama-3.2-1B   the real repo's file names and sizes (without the second
                     2.47 GB copy, original/consolidated.00.pth):
                     model.safetensors is 2,471,645,608 bytes.
bench/small-files    2,000 files of 1 to 64 KB (seeded sizes), stored in LFS
                     like a dataset of images or parquet shards, so their
                     bytes come from the CDN.

Content is deterministic: the big file is AES-128-CTR keystream from
`openssl enc` (fast, incompressible), small files come from the test hub's
generators. A finished manifest is reused; delete the directory to rebuild.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "hub"))
import fixtures  # noqa: E402  (content generators and git blob hashing)

MANIFEST_VERSION = 2
BIG_SIZE = 2_471_645_608
SMALL_COUNT = 2000
SMALL_MIN, SMALL_MAX = 1000, 64000

# (path, size, kind, lfs) of the Llama-3.2-1B repo, sizes as on the Hub.
LLAMA_FILES = [
    (".gitattributes", 1519, "text", False),
    ("LICENSE.txt", 7712, "text", False),
    ("README.md", 41742, "text", False),
    ("USE_POLICY.md", 6021, "text", False),
    ("config.json", 843, "text", False),
    ("generation_config.json", 185, "text", False),
    ("original/params.json", 220, "text", False),
    ("original/tokenizer.model", 2183982, "random", True),
    ("special_tokens_map.json", 301, "text", False),
    ("tokenizer.json", 9085657, "json", True),
    ("tokenizer_config.json", 54528, "json", False),
]


def _store(blobs: str, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    path = os.path.join(blobs, sha)
    if not os.path.exists(path):
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    return sha


def _entry(path, data_or_size, sha256, lfs, sha1=None):
    size = data_or_size if isinstance(data_or_size, int) else len(data_or_size)
    if sha1 is None and not isinstance(data_or_size, int):
        sha1 = fixtures.git_blob_sha1(data_or_size)
    return {"path": path, "size": size, "sha256": sha256, "sha1": sha1, "lfs": lfs}


def _big_file(blobs: str, size: int) -> str:
    """Write `size` bytes of keystream while hashing it; return its sha256."""
    tmp = os.path.join(blobs, "big.tmp")
    cmd = ["openssl", "enc", "-aes-128-ctr", "-nosalt", "-K", "00" * 16, "-iv", "00" * 16,
           "-in", "/dev/zero"]
    h = hashlib.sha256()
    left = size
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, bufsize=0) as p, open(tmp, "wb") as out:
        while left:
            chunk = p.stdout.read(min(left, 4 << 20))
            if not chunk:
                raise RuntimeError("openssl enc stopped early")
            h.update(chunk)
            out.write(chunk)
            left -= len(chunk)
        p.kill()
    sha = h.hexdigest()
    os.replace(tmp, os.path.join(blobs, sha))
    return sha


def build(data_dir: str, log=print) -> dict:
    """Create (or reuse) the fixtures under data_dir; return the manifest."""
    blobs = os.path.join(data_dir, "blobs")
    mpath = os.path.join(data_dir, "manifest.json")
    try:
        with open(mpath, encoding="utf-8") as f:
            m = json.load(f)
        if m.get("version") == MANIFEST_VERSION and all(
                os.path.getsize(os.path.join(blobs, e["sha256"])) == e["size"]
                for r in m["repos"] for e in r["files"]):
            return m
    except (OSError, ValueError, KeyError):
        pass
    os.makedirs(blobs, exist_ok=True)
    os.chmod(data_dir, 0o755)

    llama = []
    for path, size, kind, lfs in LLAMA_FILES:
        data = fixtures.gen_bytes(size, f"bench/llama/{path}", kind)
        llama.append(_entry(path, data, _store(blobs, data), lfs))
    log(f"benchdata: writing model.safetensors ({BIG_SIZE:,} bytes) to {blobs}")
    big_sha = _big_file(blobs, BIG_SIZE)
    llama.append(_entry("model.safetensors", BIG_SIZE, big_sha, True, sha1=""))
    llama.sort(key=lambda e: e["path"])

    rnd = random.Random(20261128)
    small = []
    for i in range(SMALL_COUNT):
        data = fixtures.gen_random(rnd.randint(SMALL_MIN, SMALL_MAX), f"bench/small/{i}")
        small.append(_entry(f"data/part-{i:04d}.bin", data, _store(blobs, data), True))

    m = {"version": MANIFEST_VERSION, "repos": [
        {"id": "bench/Llama-3.2-1B", "type": "model", "files": llama},
        {"id": "bench/small-files", "type": "model", "files": small},
    ]}
    tmp = mpath + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(m, f, indent=1)
    os.replace(tmp, mpath)
    return m


if __name__ == "__main__":
    out = build(sys.argv[1] if len(sys.argv) > 1 else "/var/tmp/hf-bench")
    for r in out["repos"]:
        print(r["id"], len(r["files"]), "files", sum(e["size"] for e in r["files"]), "bytes")

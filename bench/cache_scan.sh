#!/bin/sh
# Scan speed of `hf cache ls` on a big cache, as a ratio against `du -s`
# on the same tree (issue 4: 10,000 repos and 100,000 files "well under a
# second"). Never fails on a number: it only reports.
#
#   bench/cache_scan.sh [path/to/hf]
#
# Environment:
#   HF_BIN                the hf binary (default: $1, else build/hf)
#   BENCH_REPOS           repositories (default 10000)
#   BENCH_FILES           files per repository (default 10)
#   BENCH_ROUNDS          timed rounds, hf and du alternating (default 7)
#   BENCH_DIR             where to build the cache (default $TMPDIR or /tmp);
#                         on a disk with slow metadata use a tmpfs (/dev/shm)
#   BENCH_KEEP=1          keep the generated cache
#
# The cache is what hf download writes: per repository refs/main, blobs/
# with small files (1 B to 4 KiB, ten per repository, two of them shared
# by a second revision in one repository out of ten), snapshots/<commit>/
# with relative links (one more "../" per sub-directory), models, datasets
# and spaces, and a .locks/ folder.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
HF=${HF_BIN:-${1:-$here/../build/hf}}
if [ ! -x "$HF" ]; then
	echo "hf not found at $HF: build it (cmake --build build) or pass its path" >&2
	exit 2
fi
command -v du >/dev/null || { echo "du not found" >&2; exit 2; }

exec python3 - "$HF" <<'PY'
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

hf = os.path.abspath(sys.argv[1])
repos = int(os.environ.get("BENCH_REPOS", "10000"))
per_repo = int(os.environ.get("BENCH_FILES", "10"))
rounds = int(os.environ.get("BENCH_ROUNDS", "7"))
base = os.environ.get("BENCH_DIR") or os.environ.get("TMPDIR") or "/tmp"
keep = os.environ.get("BENCH_KEEP") == "1"

root = tempfile.mkdtemp(prefix="hf-bench-cache-", dir=base)
cache = os.path.join(root, "hub")


def generate():
    types = ["models"] * 16 + ["datasets"] * 3 + ["spaces"]
    files = blobs = 0
    os.makedirs(os.path.join(cache, ".locks"))
    with open(os.path.join(cache, "CACHEDIR.TAG"), "w") as f:
        f.write("Signature: 8a477f597d28d172789f06886806bc55\n")
    for i in range(repos):
        folder = f"{types[i % len(types)]}--org{i % 97}--repo-{i:05d}"
        repo = os.path.join(cache, folder)
        commits = [f"{i:08x}{0:032x}"]
        if i % 10 == 0:
            commits.append(f"{i:08x}{1:032x}")
        os.makedirs(os.path.join(repo, "blobs"))
        os.makedirs(os.path.join(repo, "refs"))
        os.makedirs(os.path.join(cache, ".locks", folder))
        for n, commit in enumerate(commits):
            with open(os.path.join(repo, "refs", "main" if n == 0 else "v1.0"), "w") as f:
                f.write(commit)
        # The first revision has per_repo files; a second one (if any) shares two of
        # its blobs and adds none, so the file count stays repos * per_repo.
        share = 2 if len(commits) > 1 else 0
        for n, commit in enumerate(commits):
            snap = os.path.join(repo, "snapshots", commit)
            os.makedirs(os.path.join(snap, "onnx", "fp16"))
            count = per_repo - share if n == 0 else share
            for j in range(count):
                name = f"{i:032x}{j:032x}"
                if n == 0:
                    with open(os.path.join(repo, "blobs", name), "wb") as f:
                        f.write(b"\0" * (1 + (i * 31 + j * 977) % 4096))
                    blobs += 1
                depth = j % 3
                rel = ["", "onnx/", "onnx/fp16/"][depth] + f"file-{j}.bin"
                os.symlink("../../" + "../" * depth + "blobs/" + name, os.path.join(snap, rel))
                files += 1
    return files, blobs


def timed(cmd):
    t = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit(f"{cmd[0]} failed ({p.returncode}): {p.stderr.decode(errors='replace')}")
    return dt, p.stdout


try:
    t0 = time.perf_counter()
    files, blobs = generate()
    gen = time.perf_counter() - t0
    print(f"cache: {cache}")
    print(f"  {repos} repositories, {files} files ({blobs} blobs), generated in {gen:.1f}s")
    hf_cmd = [hf, "cache", "ls", "--format", "quiet", "--cache-dir", cache]
    du_cmd = ["du", "-s", cache]
    # One untimed run of each: both start from a warm dentry/inode cache.
    _, out = timed(hf_cmd)
    listed = len(out.splitlines())
    if listed != repos:
        sys.exit(f"hf listed {listed} repositories, expected {repos}")
    timed(du_cmd)
    hf_t, du_t = [], []
    for r in range(rounds):
        pair = [("hf", hf_cmd), ("du", du_cmd)]
        if r % 2:
            pair.reverse()
        for name, cmd in pair:
            dt, _ = timed(cmd)
            (hf_t if name == "hf" else du_t).append(dt)
        print(f"  round {r + 1}: hf {hf_t[-1]:.3f}s  du {du_t[-1]:.3f}s")
    mh, md = statistics.median(hf_t), statistics.median(du_t)
    print(f"median of {rounds}: hf cache ls {mh:.3f}s, du -s {md:.3f}s, ratio hf/du {mh / md:.2f}")
    print(f"  ({files / mh:,.0f} files/s for hf cache ls, whole process included)")
finally:
    if keep:
        print(f"kept {root}")
    else:
        shutil.rmtree(root, ignore_errors=True)
PY

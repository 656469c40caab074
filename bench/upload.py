#!/usr/bin/env python3
"""Upload benchmark: hf upload against the JS client and curl -T, in one run.

Usually started by bench/upload.sh (which installs nginx, node/npm and the
build tools, builds hf in Release mode and runs `npm ci` in bench/js). Every
contender runs once per round, in an order that rotates between rounds, and
each one starts from an empty storage and a fresh repository (the LFS batch
skips objects the storage already holds). Nothing here passes or fails: the
machine is shared and noisy, so only ratios measured in one run mean anything.

    python3 bench/upload.py --hf build-bench/hf [--rounds 3] [--only big,small]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "hub"))
import fixtures  # noqa: E402  (content generators)
from bench import measure, median, runstat, settle  # noqa: E402
import uploadhub  # noqa: E402

MB = 1_000_000
MANIFEST_VERSION = 1
BIG_NAME = "model.safetensors"
BIG_SIZE = 2 * 1024 ** 3           # 2 GiB: 135 parts of 16,000,000 bytes
SMALL_COUNT = 1200
SMALL_MIN, SMALL_MAX = 1000, 64000


# --------------------------------------------------------------------------
# Fixtures (written once into <data>/upload/)
# --------------------------------------------------------------------------

def _keystream(path: str, size: int) -> str:
    """Write `size` bytes of AES-128-CTR keystream (fast, incompressible; a
    key of its own so no download fixture shares it); return the sha256."""
    cmd = ["openssl", "enc", "-aes-128-ctr", "-nosalt", "-K", "75" * 16, "-iv", "00" * 16,
           "-in", "/dev/zero"]
    h = hashlib.sha256()
    left = size
    tmp = path + ".tmp"
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, bufsize=0) as p, open(tmp, "wb") as out:
        while left:
            chunk = p.stdout.read(min(left, 4 << 20))
            if not chunk:
                raise RuntimeError("openssl enc stopped early")
            h.update(chunk)
            out.write(chunk)
            left -= len(chunk)
        p.kill()
    os.replace(tmp, path)
    return h.hexdigest()


def build_data(data_dir: str, big_size: int, small_count: int, log=print) -> dict:
    """<data>/upload/big/model.safetensors and <data>/upload/small/ (a third
    LFS by the default .gitattributes patterns: *.bin, *.parquet; the rest
    regular: .txt, .json). Reused while the manifest matches."""
    root = os.path.join(data_dir, "upload")
    mpath = os.path.join(root, "manifest.json")
    want = {"version": MANIFEST_VERSION, "big_size": big_size, "small_count": small_count}
    try:
        with open(mpath, encoding="utf-8") as f:
            m = json.load(f)
        if all(m.get(k) == v for k, v in want.items()) and \
                os.path.getsize(m["big_path"]) == big_size:
            return m
    except (OSError, ValueError, KeyError):
        pass
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(os.path.join(root, "big"))
    big = os.path.join(root, "big", BIG_NAME)
    log(f"upload data: writing {BIG_NAME} ({big_size:,} bytes) to {big}")
    sha = _keystream(big, big_size)

    small = os.path.join(root, "small")
    rnd = random.Random(20261203)
    total = lfs = 0
    for i in range(small_count):
        size = rnd.randint(SMALL_MIN, SMALL_MAX)
        kind = i % 6
        if kind == 0:
            rel, data = f"shards/part-{i:05d}.bin", fixtures.gen_random(size, f"up/{i}")
        elif kind == 1:
            rel, data = f"tables/t-{i:05d}.parquet", fixtures.gen_random(size, f"up/{i}")
        elif kind in (2, 3):
            rel, data = f"text/doc-{i:05d}.txt", fixtures.gen_bytes(size, f"up/{i}", "text")
        else:
            rel, data = f"meta/{i % 10}/m-{i:05d}.json", fixtures.gen_bytes(size, f"up/{i}", "json")
        lfs += kind < 2
        total += len(data)
        p = os.path.join(small, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
    m = dict(want, big_path=big, big_sha256=sha, small_dir=small, small_bytes=total,
             small_lfs=lfs)
    with open(mpath + ".tmp", "w", encoding="utf-8") as f:
        json.dump(m, f, indent=1)
    os.replace(mpath + ".tmp", mpath)
    return m


# --------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------

class Bench:
    def __init__(self, args):
        self.args = args
        self.hf = os.path.abspath(args.hf)
        self.node_script = os.path.join(HERE, "js", "upload.mjs")
        self.results: dict[str, list] = {}
        self.n = 0

    def env(self, **kw):
        e = dict(os.environ)
        for k in list(e):
            if k.startswith(("HF_", "HUGGING")):
                del e[k]
        e.update({"HF_ENDPOINT": self.hub.endpoint, "HF_TOKEN": uploadhub.WRITE_TOKEN,
                  "HF_HOME": os.path.join(self.args.data_dir, "upload-home"),
                  "HF_HUB_DISABLE_TELEMETRY": "1", "NO_COLOR": "1"})
        e.update(kw)
        return e

    def fresh_repo(self, tag: str) -> str:
        """Empty storage, no repos, no state left by an earlier hf run (its
        per-folder hash cache <folder>/.cache/huggingface/upload-hashes, its
        multipart resume files under HF_HOME), then one new repo (not timed).
        Every contender starts cold: nothing hashed, nothing stored."""
        self.hub.wipe()
        for d in (self.data["small_dir"], os.path.dirname(self.data["big_path"])):
            shutil.rmtree(os.path.join(d, ".cache"), ignore_errors=True)
        shutil.rmtree(self.env()["HF_HOME"], ignore_errors=True)
        settle()
        self.n += 1
        repo = self.hub.create_repo(f"up-{tag}-{self.n}")
        self.hub.clear_counters()
        self.t0 = time.time()
        return repo

    def record(self, name, m, repo=None, want=None, **info):
        """Keep one measurement, with what the sink saw and, for a commit,
        a check that the repo holds what was sent (a fast wrong upload is no
        result)."""
        m.update(info)
        m.update(self.hub.sink_counters())
        m["completion_s"] = sum(c["seconds"] for c in self.hub.completions)
        if repo:
            m.update(self.hub.phases(self.t0))
        if repo and want:
            got = self.hub.repo_files(repo)
            missing = [p for p, v in want.items() if got.get(p) != v]
            if missing:
                raise RuntimeError(f"{name}: {len(missing)} files missing or wrong in {repo}, "
                                   f"e.g. {missing[0]} -> {got.get(missing[0])}")
        bad = [oid for oid, ok in self.hub.check_completed() if not ok]
        if bad:
            raise RuntimeError(f"{name}: assembled object {bad[0]} does not match its sha256")
        m["objects_checked"] = len(self.hub.completions)
        if m.get("with_auth"):
            raise RuntimeError(f"{name}: sent an Authorization header to the storage")
        self.results.setdefault(name, []).append(m)

    # -- one big file ---------------------------------------------------------
    def big_want(self):
        return {BIG_NAME: (self.data["big_size"], True)}

    def big_hf(self):
        repo = self.fresh_repo("hf")
        m = measure([self.hf, "upload", repo, self.data["big_path"], BIG_NAME, "-q"], self.env())
        self.record("big: hf upload", m, repo, self.big_want(), bytes=self.data["big_size"])

    def big_js(self):
        repo = self.fresh_repo("js")
        m = measure(["node", self.node_script, self.hub.endpoint, repo, self.data["big_path"],
                     BIG_NAME], self.env())
        self.record("big: JS client (@huggingface/hub commit)", m, repo, self.big_want(),
                    bytes=self.data["big_size"])

    def big_curl(self):
        self.fresh_repo("curl")
        url = self.hub.put_url(self.data["big_sha256"])
        m = measure(["curl", "-sS", "--fail", "-o", "/dev/null", "-T", self.data["big_path"], url])
        self.record("big: curl -T (reference: one PUT, no hashing)", m,
                    bytes=self.data["big_size"])

    def big_sha256(self):
        self.hub.clear_counters()
        m = measure(["openssl", "dgst", "-sha256", self.data["big_path"]])
        self.record("big: openssl dgst -sha256 (reference: hash only)", m,
                    bytes=self.data["big_size"])

    # -- many small files -------------------------------------------------------
    def small_want(self):
        if not hasattr(self, "_small_want"):
            w = {}
            root = self.data["small_dir"]
            for d, dirs, names in os.walk(root):
                dirs[:] = [x for x in dirs if x != ".cache"]
                for n in names:
                    p = os.path.join(d, n)
                    rel = os.path.relpath(p, root)
                    w[rel] = (os.path.getsize(p), rel.endswith((".bin", ".parquet")))
            self._small_want = w
        return self._small_want

    def small_hf(self):
        repo = self.fresh_repo("hf")
        m = measure([self.hf, "upload", repo, self.data["small_dir"], ".", "-q"], self.env())
        self.record("small: hf upload", m, repo, self.small_want(), files=len(self.small_want()))

    def small_js(self):
        repo = self.fresh_repo("js")
        m = measure(["node", self.node_script, self.hub.endpoint, repo, self.data["small_dir"]],
                    self.env())
        self.record("small: JS client (@huggingface/hub commit)", m, repo, self.small_want(),
                    files=len(self.small_want()))

    # -- driver -------------------------------------------------------------------
    def run(self):
        a = self.args
        self.data = build_data(a.data_dir, a.big_size, a.small_count,
                               log=lambda s: print(s, flush=True))
        runstat()   # compiled now, not inside the first contender's phases
        sink = a.sink or default_sink(a.data_dir, a.big_size)
        self.hub = uploadhub.UploadHub(os.path.join(a.data_dir, "upload-run"), sink).start()
        print(f"hub {self.hub.endpoint}, storage sink {self.hub.sink_url} -> {sink}", flush=True)
        try:
            only = set(a.only.split(","))
            groups = []
            if "big" in only:
                g = [self.big_hf, self.big_js, self.big_curl, self.big_sha256]
                groups.append([f for f in g if f.__name__ not in a.skip.split(",")])
            if "small" in only:
                g = [self.small_hf, self.small_js]
                groups.append([f for f in g if f.__name__ not in a.skip.split(",")])
            for r in range(a.rounds):
                print(f"round {r + 1}/{a.rounds}", flush=True)
                for g in groups:
                    k = r % len(g)
                    for fn in g[k:] + g[:k]:  # rotate who goes first
                        fn()
        finally:
            self.hub.stop()
            shutil.rmtree(sink, ignore_errors=True)

    # -- report ---------------------------------------------------------------------
    def summary(self) -> dict:
        s = {}
        for name, runs in self.results.items():
            row = {"runs": len(runs), "wall_s": median([m["wall"] for m in runs]),
                   "cpu_s": median([m["cpu"] for m in runs]),
                   "machine_busy": median([m["machine_busy"] for m in runs]),
                   "peak_rss_mb": max(m["rss_kb"] for m in runs) / 1024,
                   "puts": max(m["puts"] for m in runs),
                   "completion_s": median([m["completion_s"] for m in runs])}
            for k in ("batch_s", "first_put_done_s", "last_put_done_s", "commit_s"):
                if all(k in m for m in runs):
                    row[k] = median([m[k] for m in runs])
            if "bytes" in runs[0]:
                row["MB_per_s"] = runs[0]["bytes"] / row["wall_s"] / MB
            if "files" in runs[0]:
                row["files_per_s"] = runs[0]["files"] / row["wall_s"]
            s[name] = row
        return s

    def targets(self, s) -> list:
        """(target, measured, met) for each stated goal present in this run."""
        out = []

        def get(name, key):
            return s.get(name, {}).get(key)

        hf, js = get("big: hf upload", "MB_per_s"), \
            get("big: JS client (@huggingface/hub commit)", "MB_per_s")
        curl = get("big: curl -T (reference: one PUT, no hashing)", "MB_per_s")
        sha = get("big: openssl dgst -sha256 (reference: hash only)", "MB_per_s")
        if hf and js:
            out.append(("big file: hf MB/s / JS client MB/s >= 3", f"{hf / js:.2f}", hf / js >= 3))
        if hf and curl:
            out.append(("(info) big file: hf MB/s / curl -T MB/s", f"{hf / curl:.2f}", True))
        if hf and sha:
            out.append(("(info) big file: hf MB/s / openssl sha256 MB/s", f"{hf / sha:.2f}", True))
        hfs = get("small: hf upload", "files_per_s")
        jss = get("small: JS client (@huggingface/hub commit)", "files_per_s")
        if hfs and jss:
            out.append(("(info) small files: hf files/s / JS client files/s", f"{hfs / jss:.2f}",
                        True))
        rss = [row["peak_rss_mb"] for name, row in s.items() if "hf upload" in name]
        if rss:
            out.append(("hf peak RSS < 32 MB (every hf run)", f"{max(rss):.1f} MB", max(rss) < 32))
        return out

    def report(self):
        s = self.summary()
        print()
        print(f"{'contender':52} {'median s':>9} {'CPU s':>7} {'RSS MB':>7} {'busy':>5} "
              f"{'PUTs':>5} {'compl s':>7}  rate")
        for name, row in s.items():
            rate = ""
            if "MB_per_s" in row:
                rate = f"{row['MB_per_s']:.0f} MB/s"
            elif "files_per_s" in row:
                rate = f"{row['files_per_s']:.0f} files/s"
            busy = row["machine_busy"]
            busy = f"{busy:5.0%}" if busy == busy else "    -"
            print(f"{name:52} {row['wall_s']:9.3f} {row['cpu_s']:7.3f} {row['peak_rss_mb']:7.1f} "
                  f"{busy} {row['puts']:5d} {row['completion_s']:7.2f}  {rate}")
        print()
        print("where the time goes (median s from the start: first LFS batch = hashing done,"
              " first/last PUT done, commit sent):")
        for name, row in s.items():
            if "commit_s" in row:
                ph = " ".join(f"{k[:-2]}={row[k]:.2f}" for k in
                              ("batch_s", "first_put_done_s", "last_put_done_s", "commit_s")
                              if k in row)
                print(f"  {name:50} {ph}")
        print()
        t = self.targets(s)
        for goal, got, met in t:
            tag = "    " if goal.startswith("(info)") else ("met " if met else "MISS")
            print(f"{tag}  {goal:62} {got}")
        load = os.getloadavg()
        doc = {"when": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "host": platform.node(),
               "rounds": self.args.rounds, "loadavg": load, "nproc": os.cpu_count(),
               "big_size": self.data["big_size"], "small_count": self.data["small_count"],
               "small_bytes": self.data["small_bytes"], "small_lfs": self.data["small_lfs"],
               "summary": s, "targets": [{"goal": g, "measured": v, "met": m} for g, v, m in t],
               "runs": self.results}
        out = os.path.join(self.args.data_dir, "upload-results.json")
        with open(out, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)
        print(f"\nload average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
              f"every run: {out}")


def default_sink(data_dir: str, big_size: int) -> str:
    """A tmpfs when /dev/shm has room for the parts and the assembled object
    twice over (so the storage's disk is never what is measured), else the
    data directory."""
    try:
        st = os.statvfs("/dev/shm")
        if st.f_bavail * st.f_frsize > 4 * big_size + (1 << 30):
            return f"/dev/shm/hf-bench-sink-{os.getuid()}"
    except OSError:
        pass
    return os.path.join(data_dir, "upload-sink")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hf", required=True, help="the hf binary to measure")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", default="big,small", help="comma-separated groups: big, small")
    ap.add_argument("--skip", default="", help="contenders to leave out, e.g. big_js,small_hf")
    ap.add_argument("--data-dir", default=os.environ.get("HF_BENCH_DIR", "/var/tmp/hf-bench"),
                    help="fixtures (about 2.2 GB) and results")
    ap.add_argument("--sink", default=os.environ.get("HF_BENCH_SINK"),
                    help="where the storage writes (default: a /dev/shm directory when it has "
                         "room, else <data-dir>/upload-sink); emptied before every contender")
    ap.add_argument("--big-size", type=int, default=BIG_SIZE)
    ap.add_argument("--small-count", type=int, default=SMALL_COUNT)
    args = ap.parse_args(argv)
    for tool in ("curl", "nginx", "openssl", "node"):
        if not shutil.which(tool) and not os.path.exists(f"/usr/sbin/{tool}"):
            ap.error(f"{tool} is not installed (bench/upload.sh installs it)")
    if not os.path.isdir(os.path.join(HERE, "js", "node_modules", "@huggingface", "hub")):
        ap.error("bench/js has no node_modules: run `npm ci` there (bench/upload.sh does)")
    resource.setrlimit(resource.RLIMIT_NOFILE, (4096, 4096))
    b = Bench(args)
    b.run()
    b.report()
    return 0


if __name__ == "__main__":
    sys.exit(main())

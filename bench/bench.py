#!/usr/bin/env python3
"""Download benchmark: hf against curl and aria2c on the same URLs.

Usually started by bench/run.sh (which installs nginx/aria2c and builds hf in
Release mode). Every contender runs once per round, in an order that rotates
between rounds; the report gives medians, peak RSS, CPU seconds and the
ratios the project's performance targets are stated in. Nothing here passes
or fails: the machine is shared and noisy, so only ratios measured in one run
mean anything.

    python3 bench/bench.py --hf build-bench/hf [--rounds 3] [--only big,small,warm,start]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import benchdata  # noqa: E402
import benchhub  # noqa: E402

LLAMA = "bench/Llama-3.2-1B"
SMALL = "bench/small-files"
BIG_FILE = "model.safetensors"
MB = 1_000_000


# --------------------------------------------------------------------------
# One measured process
# --------------------------------------------------------------------------

RUNSTAT = None  # bench/runstat.c, compiled on first use


def runstat() -> str:
    global RUNSTAT
    if RUNSTAT is None:
        src = os.path.join(HERE, "runstat.c")
        exe = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"hf-bench-runstat-{os.getuid()}")
        if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
            subprocess.run(["cc", "-O2", "-o", exe, src], check=True)
        RUNSTAT = exe
    return RUNSTAT


def cpu_ticks():
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    with open("/proc/stat", encoding="ascii") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    idle = v[3] + v[4]
    return sum(v) - idle, sum(v)


def measure(argv, env=None) -> dict:
    """Wall time, peak RSS and CPU of one process (and its children),
    measured by bench/runstat.c so the peak RSS is the command's own; and
    how busy the whole machine was meanwhile (every core: server, kernel,
    other jobs), which shows when a run was bound by CPU."""
    stat = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"hf-bench-stat-{os.getpid()}")
    b0, t0 = cpu_ticks()
    p = subprocess.run([runstat(), stat] + argv, env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if p.returncode != 0:
        err = p.stderr.decode(errors="replace").strip()[-500:]
        raise RuntimeError(f"{argv[0]} exited {p.returncode}: {err}")
    b1, t1 = cpu_ticks()
    with open(stat, encoding="ascii") as f:
        wall, rss, cpu = f.read().split()
    os.unlink(stat)
    return {"wall": float(wall), "rss_kb": int(rss), "cpu": float(cpu),
            "machine_busy": (b1 - b0) / (t1 - t0) if t1 > t0 else float("nan")}


def settle():
    """Write back earlier contenders' dirty pages so nobody pays for another."""
    os.sync()


def median(xs):
    return statistics.median(xs) if xs else float("nan")


# --------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------

class Bench:
    def __init__(self, args):
        self.args = args
        self.hf = os.path.abspath(args.hf)
        self.work = os.path.join(args.data_dir, "work")
        self.results: dict[str, list] = {}
        self.extra: dict[str, dict] = {}

    def env(self, **kw):
        e = dict(os.environ)
        for k in list(e):
            if k.startswith(("HF_", "HUGGING")):
                del e[k]
        e.update({"HF_ENDPOINT": self.hub.endpoint, "HF_HOME": os.path.join(self.work, "home"),
                  "HF_HUB_DISABLE_TELEMETRY": "1", "NO_COLOR": "1"})
        e.update(kw)
        return e

    def path(self, *parts):
        return os.path.join(self.work, *parts)

    def fresh(self, *parts):
        p = self.path(*parts)
        shutil.rmtree(p, ignore_errors=True)
        os.makedirs(p)
        return p

    def record(self, name, m, **info):
        m.update(info)
        self.results.setdefault(name, []).append(m)

    # -- contenders: one big file ------------------------------------------
    def big_hf(self):
        cache = self.fresh("hf-big")
        settle()
        m = measure([self.hf, "download", LLAMA, BIG_FILE, "--cache-dir", cache, "-q"], self.env())
        self.record("big: hf download (cold)", m, bytes=self.big.size)

    def big_curl(self):
        out = self.fresh("curl-big")
        settle()
        m = measure(["curl", "-sS", "--fail", "-o", os.path.join(out, BIG_FILE),
                     self.hub.cdn_url(self.big.sha256)])
        self.record("big: curl -o", m, bytes=self.big.size)

    def big_curl_sync(self):
        """curl -o, then fsync of the file: the durability hf gives before it
        publishes (coreutils `sync FILE` is an fsync of that file)."""
        out = self.fresh("curl-sync-big")
        settle()
        dst = os.path.join(out, BIG_FILE)
        m = measure(["sh", "-c", 'curl -sS --fail -o "$1" "$2" && sync "$1"', "sh", dst,
                     self.hub.cdn_url(self.big.sha256)])
        self.record("big: curl -o, then fsync (durable like hf)", m, bytes=self.big.size)

    def big_curl_null(self):
        m = measure(["curl", "-sS", "--fail", "-o", "/dev/null", self.hub.cdn_url(self.big.sha256)])
        self.record("big: curl -o /dev/null (reference: no disk)", m, bytes=self.big.size)

    def big_sha256(self):
        m = measure(["openssl", "dgst", "-sha256", os.path.join(self.hub.blobs, self.big.sha256)])
        self.record("big: openssl dgst -sha256 (reference: hash only)", m, bytes=self.big.size)

    def big_aria2(self):
        out = self.fresh("aria2-big")
        settle()
        m = measure(["aria2c", "-q", "-x8", "-s8", "--file-allocation=falloc",
                     "--allow-overwrite=true", "-d", out, "-o", BIG_FILE,
                     self.hub.cdn_url(self.big.sha256)])
        self.record("big: aria2c -x8 -s8", m, bytes=self.big.size)

    # -- contenders: many small files ---------------------------------------
    def small_hf(self):
        cache = self.fresh("hf-small")
        settle()
        m = measure([self.hf, "download", SMALL, "--cache-dir", cache, "-q"], self.env())
        self.record("small: hf download (cold)", m, files=len(self.small))

    def small_curl(self):
        out = self.fresh("curl-small")
        cfg = self.path("curl-small.cfg")
        with open(cfg, "w", encoding="utf-8") as f:
            for e in self.small:
                f.write(f'url = "{self.hub.cdn_url(e.sha256)}"\n'
                        f'output = "{os.path.join(out, e.path)}"\n')
        settle()
        m = measure(["curl", "-sS", "--fail", "--create-dirs", "-K", cfg])
        self.record("small: curl, one keep-alive connection", m, files=len(self.small))

    def small_aria2(self):
        out = self.fresh("aria2-small")
        lst = self.path("aria2-small.txt")
        with open(lst, "w", encoding="utf-8") as f:
            for e in self.small:
                f.write(f"{self.hub.cdn_url(e.sha256)}\n  out={e.path}\n")
        settle()
        m = measure(["aria2c", "-q", "-j16", "--allow-overwrite=true", "-d", out, "-i", lst])
        self.record("small: aria2c -j16", m, files=len(self.small))

    # -- contenders: everything cached, and start-up --------------------------
    def warm(self, name, argv, env):
        self.hub.clear_counters()
        m = measure(argv, env)
        m.update(self.hub.counters())
        self.record(name, m)

    def warm_all(self):
        big_cache, small_cache = self.path("hf-warm-big"), self.path("hf-warm-small")
        big = [self.hf, "download", LLAMA, BIG_FILE, "--cache-dir", big_cache, "-q"]
        small = [self.hf, "download", SMALL, "--cache-dir", small_cache, "-q"]
        self.warm("warm: hf download file (online)", big, self.env())
        self.warm("warm: hf download file (HF_HUB_OFFLINE=1)", big, self.env(HF_HUB_OFFLINE="1"))
        self.warm("warm: hf download 2,000-file repo (online)", small, self.env())
        self.warm("warm: hf download 2,000-file repo (HF_HUB_OFFLINE=1)", small,
                  self.env(HF_HUB_OFFLINE="1"))

    def startup(self):
        for _ in range(self.args.startup_reps):
            self.record("start: /bin/true", measure(["/bin/true"]))
            self.record("start: hf --version", measure([self.hf, "--version"], self.env()))

    # -- driver ---------------------------------------------------------------
    def prepare_warm(self):
        """Fill the caches the warm contenders re-run against (not timed)."""
        shutil.rmtree(self.path("hf-warm-big"), ignore_errors=True)
        shutil.rmtree(self.path("hf-warm-small"), ignore_errors=True)
        measure([self.hf, "download", LLAMA, BIG_FILE, "--cache-dir", self.path("hf-warm-big"), "-q"],
                self.env())
        measure([self.hf, "download", SMALL, "--cache-dir", self.path("hf-warm-small"), "-q"],
                self.env())

    def run(self):
        a = self.args
        manifest = benchdata.build(a.data_dir, log=lambda s: print(s, flush=True))
        self.hub = benchhub.BenchHub(manifest, a.data_dir, os.path.join(a.data_dir, "run"),
                                     python_resolve=a.python_resolve).start()
        try:
            os.makedirs(self.work, exist_ok=True)
            self.big = next(f for f in self.hub.files(LLAMA) if f.path == BIG_FILE)
            self.small = self.hub.files(SMALL)
            only = set(a.only.split(","))
            groups = []
            if "big" in only:
                groups.append([self.big_hf, self.big_curl, self.big_curl_sync, self.big_aria2,
                               self.big_curl_null, self.big_sha256])
            if "small" in only:
                groups.append([self.small_hf, self.small_curl, self.small_aria2])
            if "warm" in only:
                self.prepare_warm()
                groups.append([self.warm_all])
            if "start" in only:
                groups.append([self.startup])
            for r in range(a.rounds):
                print(f"round {r + 1}/{a.rounds}", flush=True)
                for g in groups:
                    k = r % len(g)
                    for fn in g[k:] + g[:k]:  # rotate who goes first
                        fn()
        finally:
            self.hub.stop()
            if not a.keep:
                shutil.rmtree(self.work, ignore_errors=True)

    # -- report ---------------------------------------------------------------
    def summary(self) -> dict:
        s = {}
        for name, runs in self.results.items():
            row = {"runs": len(runs), "wall_s": median([m["wall"] for m in runs]),
                   "cpu_s": median([m["cpu"] for m in runs]),
                   "machine_busy": median([m["machine_busy"] for m in runs]),
                   "peak_rss_mb": max(m["rss_kb"] for m in runs) / 1024}
            if "bytes" in runs[0]:
                row["MB_per_s"] = runs[0]["bytes"] / row["wall_s"] / MB
            if "files" in runs[0]:
                row["files_per_s"] = runs[0]["files"] / row["wall_s"]
            if "requests" in runs[0]:
                row["requests"] = max(m["requests"] for m in runs)
                row["blob_bytes"] = max(m["blob_bytes"] for m in runs)
            s[name] = row
        return s

    def targets(self, s) -> list:
        """(target, measured, met) for each stated goal present in this run."""
        out = []

        def get(name, key):
            return s.get(name, {}).get(key)

        hf_big, curl_big = get("big: hf download (cold)", "wall_s"), get("big: curl -o", "wall_s")
        if hf_big and curl_big:
            r = hf_big / curl_big
            out.append(("cold big file: hf wall / curl -o wall <= 0.60", f"{r:.2f}", r <= 0.6))
        curl_sync = get("big: curl -o, then fsync (durable like hf)", "wall_s")
        if hf_big and curl_sync:
            r = hf_big / curl_sync
            out.append(("(info) cold big file: hf wall / (curl -o + fsync) wall", f"{r:.2f}", r <= 1))
        hf_fs = get("small: hf download (cold)", "files_per_s")
        curl_fs = get("small: curl, one keep-alive connection", "files_per_s")
        aria_fs = get("small: aria2c -j16", "files_per_s")
        if hf_fs and curl_fs:
            r = hf_fs / curl_fs
            out.append(("small files: hf files/s / curl files/s >= 0.50", f"{r:.2f}", r >= 0.5))
        if hf_fs and aria_fs:
            r = hf_fs / aria_fs
            out.append(("small files: hf files/s / aria2c -j16 files/s > 1", f"{r:.2f}", r > 1))
        ver = get("start: hf --version", "wall_s")
        true = get("start: /bin/true", "wall_s")
        for name, row in s.items():
            if not name.startswith("warm:"):
                continue
            offline = "OFFLINE" in name
            limit = 0 if offline else 1
            out.append((f"{name}: requests <= {limit}, file bytes = 0",
                        f"{row['requests']} requests, {row['blob_bytes']} bytes",
                        row["requests"] <= limit and row["blob_bytes"] == 0))
            if ver:
                r = row["wall_s"] / ver
                out.append((f"{name}: wall / hf --version <= 10", f"{r:.1f}", r <= 10))
        rss = [row["peak_rss_mb"] for name, row in s.items() if "hf download" in name]
        if rss:
            out.append(("hf peak RSS < 16 MB (every hf run)", f"{max(rss):.1f} MB", max(rss) < 16))
        if ver and true:
            r = ver / true
            out.append(("hf --version / /bin/true <= 5", f"{r:.1f}", r <= 5))
        return out

    def report(self):
        s = self.summary()
        print()
        print(f"{'contender':58} {'median s':>9} {'CPU s':>7} {'RSS MB':>7} {'busy':>5}  rate")
        for name, row in s.items():
            rate = ""
            if "MB_per_s" in row:
                rate = f"{row['MB_per_s']:.0f} MB/s"
            elif "files_per_s" in row:
                rate = f"{row['files_per_s']:.0f} files/s"
            elif "requests" in row:
                rate = f"{row['requests']} requests, {row['blob_bytes']} file bytes"
            busy = row["machine_busy"]
            busy = f"{busy:5.0%}" if busy == busy else "    -"  # NaN: too short to see
            print(f"{name:58} {row['wall_s']:9.4f} {row['cpu_s']:7.3f} {row['peak_rss_mb']:7.1f} "
                  f"{busy}  {rate}")
        print()
        t = self.targets(s)
        for goal, got, met in t:
            print(f"{'met ' if met else 'MISS'}  {goal:70} {got}")
        load = os.getloadavg()
        doc = {"when": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "host": platform.node(),
               "rounds": self.args.rounds, "loadavg": load, "summary": s,
               "targets": [{"goal": g, "measured": v, "met": m} for g, v, m in t],
               "runs": self.results}
        out = os.path.join(self.args.data_dir, "results.json")
        with open(out, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)
        print(f"\nload average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
              f"every run: {out}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hf", required=True, help="the hf binary to measure")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", default="big,small,warm,start",
                    help="comma-separated groups: big, small, warm, start")
    ap.add_argument("--data-dir", default=os.environ.get("HF_BENCH_DIR", "/var/tmp/hf-bench"),
                    help="fixtures and scratch space (about 3 GB + 3x2.5 GB while running)")
    ap.add_argument("--startup-reps", type=int, default=20,
                    help="start-up measurements per round")
    ap.add_argument("--python-resolve", action="store_true",
                    help="send resolve calls to the Python test hub instead of nginx")
    ap.add_argument("--keep", action="store_true", help="keep the downloaded copies")
    args = ap.parse_args(argv)
    for tool in ("curl", "aria2c", "nginx", "openssl"):
        if not shutil.which(tool) and not os.path.exists(f"/usr/sbin/{tool}"):
            ap.error(f"{tool} is not installed (bench/run.sh installs it)")
    resource.setrlimit(resource.RLIMIT_NOFILE, (4096, 4096))
    b = Bench(args)
    b.run()
    b.report()
    return 0


if __name__ == "__main__":
    sys.exit(main())

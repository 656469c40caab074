#!/usr/bin/env python3
"""Crash loop: a throttled multi-file download killed with SIGKILL again and again.

RUNS runs of `hf download acme/crash-loop` (a 64 MiB file, at the split
threshold, two multi-MiB and one smaller LFS files, small regular files)
against a CDN throttled to about 3 MB/s per connection, each killed with
SIGKILL at a random moment (seeded RNG; the seed is printed, HF_CRASH_SEED
replays it), then one clean run. The first run is killed only once the big
file is coming over several ranged connections (a split download: the fetch engine
splits a fresh download of a large file when its first 16 MiB came slowly),
so at least one kill lands in one. Checked (reliability.md (b) 45-47):

  * after every kill: each published blob hashes to its name, each snapshot
    link present resolves (relative, ../../blobs/<etag>) to such a blob,
    refs/main is absent or holds the commit (never empty, never partial);
  * the clean run succeeds; the cache is complete and correct (every blob,
    link and ref), `hf cache verify` agrees; leftovers of killed runs, if
    any, go with `hf cache prune` and nothing else is removed by it;
  * REPORTED, not asserted: the bytes the hub and CDN served beyond the
    repository's size (transferred more than once). The test prints them
    and writes <build dir>/crash-loop-report.json (the directory of HF_BIN):
    totals, per file, and per run (bytes served, best resume checkpoint).

Under the sanitizers (HF_SANITIZE_RUN=1) fewer runs (SANITIZE_RUNS) keep
the test short; the output says so. HF_CRASH_RUNS overrides the count.

    cd tests/integration && HF_BIN=/path/to/hf python3 -m unittest -v test_crash_loop
"""

import json
import os
import random
import re
import sys
import tempfile
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

MiB = 1 << 20
REPO = "acme/crash-loop"
BIG = "model-big.safetensors"          # >= the 64 MiB split threshold
SPLIT_THRESHOLD = 64 * MiB             # hf_download_options.split_threshold default

RUNS = 50
SANITIZE_RUNS = 20
# Kill moment after the start, seconds (uniform), and pause before the next run.
KILL_AFTER = (0.05, 1.6)
PAUSE = (0.0, 0.15)
# CDN throttle: 32 KiB every 10 ms per connection (about 3 MB/s each; the
# download takes many runs). The hub's regular files come a little late.
CDN_THROTTLE = {"match": "^/repos/", "action": "slow", "chunk": 32 * 1024, "interval": 0.01}
HUB_DELAY = {"match": "^/api/resolve-cache/", "action": "delay", "seconds": 0.05}

FILES = {
    BIG: {"size": 64 * MiB, "seed": "crash-loop/big", "kind": "safetensors"},
    "shard-00001.safetensors": {"size": 6 * MiB, "seed": "crash-loop/s1", "kind": "safetensors"},
    "shard-00002.safetensors": {"size": 5 * MiB + 4321, "seed": "crash-loop/s2",
                                "kind": "safetensors"},
    "onnx/model.onnx": {"size": 3 * MiB + 123, "seed": "crash-loop/onnx"},
    "tokenizer.json": {"size": 300 * 1024 + 7, "seed": "crash-loop/tok", "kind": "json"},
    "vocab.txt": {"size": 9000, "seed": "crash-loop/vocab", "kind": "text"},
    "config.json": '{"model_type": "crash-loop", "hidden_size": 64}\n',
    "generation_config.json": '{"do_sample": false}\n',
    "README.md": "# acme/crash-loop\n\nKilled many times, complete at last.\n",
}
REPO_CONFIG = {"id": REPO, "type": "model", "files": FILES}


def report_dir():
    """Where the report goes: the build directory (that of HF_BIN)."""
    d = os.path.dirname(harness.hf_bin())
    return d if os.access(d, os.W_OK) else tempfile.gettempdir()


class CrashLoopTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pair = harness.HubPair(config={"repos": [REPO_CONFIG]})

    @classmethod
    def tearDownClass(cls):
        cls.pair.stop()

    def setUp(self):
        self.pair.reset()
        self.sb = harness.Sandbox(self, hub=self.pair)
        self.cache = self.sb.hub_cache
        self.repo_dir = os.path.join(self.cache, harness.repo_folder_name(REPO))
        self.commit = self.pair.commit(REPO)
        self.verified = {}  # (path, ino, size, mtime_ns) of blobs already hashed

    def tearDown(self):
        self.assertEqual(self.pair.violations(), [])

    # -- invariants after a kill -------------------------------------------
    def blob_ok(self, path, name):
        st = os.lstat(path)
        key = (path, st.st_ino, st.st_size, st.st_mtime_ns)
        if key not in self.verified:
            if not os.path.isfile(path) or os.path.islink(path):
                return False
            with open(path, "rb") as f:
                self.verified[key] = harness.content_hash(f.read(), name) == name
        return self.verified[key]

    def check_invariants(self, run):
        """What another process could see right after a SIGKILL."""
        where = f"after run {run}"
        blobs = os.path.join(self.repo_dir, "blobs")
        published = set()
        if os.path.isdir(blobs):
            for name in os.listdir(blobs):
                if any(m in name for m in harness.TEMP_MARKERS):
                    continue
                p = os.path.join(blobs, name)
                self.assertTrue(re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", name),
                                f"{where}: odd name in blobs/: {name}")
                self.assertTrue(self.blob_ok(p, name), f"{where}: published blob {name} is wrong")
                published.add(name)
        snaps = os.path.join(self.repo_dir, "snapshots")
        if os.path.isdir(snaps):
            self.assertEqual(os.listdir(snaps), [self.commit], where)
            root = os.path.join(snaps, self.commit)
            for dirpath, _dirs, names in os.walk(root):
                for n in names:
                    p = os.path.join(dirpath, n)
                    rel = os.path.relpath(p, root)
                    if any(m in n for m in harness.TEMP_MARKERS):
                        continue  # a link not yet renamed into place (prune must take it)
                    self.assertTrue(os.path.islink(p), f"{where}: {rel} is not a link")
                    etag = self.pair.etag(REPO, rel)
                    self.assertEqual(os.readlink(p), harness.snapshot_link_target(rel, etag),
                                     f"{where}: {rel}")
                    self.assertIn(etag, published, f"{where}: {rel} links to a missing blob")
        ref = os.path.join(self.repo_dir, "refs", "main")
        if os.path.lexists(ref):
            with open(ref, "rb") as f:
                self.assertEqual(f.read(), self.commit.encode(), f"{where}: refs/main")
        return published

    def resumable(self):
        """{repo path: largest checkpoint (verified prefix) a partial of it has}."""
        blobs = os.path.join(self.repo_dir, "blobs")
        best = {}
        names = os.listdir(blobs) if os.path.isdir(blobs) else []
        for p in self.pair.files(REPO):
            etag = self.pair.etag(REPO, p)
            for n in names:
                if n.startswith(etag + ".") and n.endswith(".resume"):
                    with open(os.path.join(blobs, n)) as f:
                        lines = f.read().split("\n")
                    if len(lines) >= 4 and lines[0] == "hf-resume 1" and lines[1] == etag:
                        best[p] = max(best.get(p, 0), int(lines[3]))
        return best

    # -- what the servers sent ------------------------------------------------
    def served(self):
        """{repo path: body bytes the hub or CDN sent of that file's content},
        plus the bytes of everything else (API answers, redirects)."""
        by_sha, by_quoted = {}, {}
        for p in self.pair.files(REPO):
            f = self.pair.file(REPO, p)
            if f.lfs:
                by_sha[f.sha256] = p
            else:
                by_quoted[urllib.parse.quote(p)] = p
        content = {p: 0 for p in self.pair.files(REPO)}
        other = 0
        prefix = f"/api/resolve-cache/models/{REPO}/{self.commit}/"
        for server in (self.pair.hub, self.pair.cdn):
            for path, n in server.control("GET", "stats")["by_path"].items():
                if path.startswith("/repos/") and path[7:] in by_sha:
                    content[by_sha[path[7:]]] += n
                elif path.startswith(prefix) and path[len(prefix):] in by_quoted:
                    content[by_quoted[path[len(prefix):]]] += n
                else:
                    other += n
        return content, other

    def split_attempts(self, since):
        """(number of CDN GETs of the big blob, how many of those after log
        index `since` asked for a closed range in the middle of the file,
        which only the ranged workers of a split download do)."""
        size = self.pair.size(REPO, BIG)
        gets = self.pair.cdn.requests(r"^/repos/" + self.pair.sha256(REPO, BIG), "GET")
        hits = 0
        for e in gets[since:]:
            m = re.fullmatch(r"bytes=(\d+)-(\d+)", e.get("range") or "")
            hits += bool(m and 0 < int(m.group(1)) and int(m.group(2)) < size - 1)
        return len(gets), hits

    # -- the test ---------------------------------------------------------------
    def test_crash_loop(self):
        t0 = time.monotonic()
        seed = int(os.environ.get("HF_CRASH_SEED") or random.SystemRandom().randrange(1 << 32))
        runs = int(os.environ.get("HF_CRASH_RUNS") or (SANITIZE_RUNS if harness.SANITIZE else RUNS))
        note = (f" (sanitizer build: {runs} runs instead of {RUNS})"
                if harness.SANITIZE and runs != RUNS else "")
        sys.stderr.write(f"\n[crash loop: seed {seed} (HF_CRASH_SEED={seed} replays it), "
                         f"{runs} killed runs{note}]\n")
        rng = random.Random(seed)
        self.assertGreaterEqual(self.pair.size(REPO, BIG), SPLIT_THRESHOLD)
        total = sum(self.pair.size(REPO, p) for p in self.pair.files(REPO))

        self.pair.cdn.set_faults([CDN_THROTTLE])
        self.pair.hub.set_faults([HUB_DELAY])
        killed = finished = split_kills = 0
        big_gets = served_so_far = 0
        timeline = []
        for run in range(1, runs + 1):
            after = rng.uniform(*KILL_AFTER)
            proc = harness.spawn_hf(self.sb, ["download", REPO, "-q"])
            start = time.monotonic()
            if run == 1:
                # Whatever the resume policy, one kill lands in a 4-connection
                # download: the first run's, once its ranges are under way.
                harness.wait_until(lambda: self.split_attempts(0)[1] or proc.poll() is not None,
                                   60, 0.01)
                after = time.monotonic() - start + rng.uniform(0.05, 0.8)
            deadline = start + after
            while time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.005)
            was_running = proc.poll() is None
            if was_running:
                proc.kill()
            r = harness.finish_hf(self.sb, proc, timeout=60)
            if was_running and r.returncode == -9:
                killed += 1
            else:
                self.assertEqual(r.returncode, 0, f"run {run}: {r.stderr}")
                finished += 1
            n_gets, split = self.split_attempts(big_gets)
            big_gets = n_gets
            split_kills += bool(split) and r.returncode == -9
            published = self.check_invariants(run)
            content, _ = self.served()
            sent = sum(content.values())
            timeline.append({"run": run, "kill_after_s": round(after, 3), "rc": r.returncode,
                             "split": bool(split), "published_blobs": len(published),
                             "served": sent - served_so_far,
                             "checkpoints": self.resumable()})
            served_so_far = sent
            time.sleep(rng.uniform(*PAUSE))
        loop_s = time.monotonic() - t0
        content_before, _ = self.served()
        blobs_dir = os.path.join(self.repo_dir, "blobs")
        leftovers = harness.find_temp_files(self.repo_dir)
        resumable = self.resumable()

        # The clean run (no throttle): complete and correct.
        self.pair.cdn.set_faults([])
        self.pair.hub.set_faults([])
        r = self.sb.run(["download", REPO, "-q"], timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        snap = os.path.join(self.repo_dir, "snapshots", self.commit)
        self.assertEqual(r.stdout.strip(), snap)
        harness.assert_repo_cached(self, self.pair, self.cache, REPO)
        self.check_invariants("clean")
        content, other = self.served()
        served = sum(content.values())
        self.assertGreaterEqual(served, total)  # every byte came at least once
        for p, n in content.items():
            self.assertGreaterEqual(n, self.pair.size(REPO, p), p)

        # Leftovers of killed runs: what the clean run did not adopt; prune
        # takes them (and nothing else), after which nothing temporary is left.
        after_clean = harness.find_temp_files(self.repo_dir)
        r = self.sb.run(["cache", "prune", "-y"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(harness.find_temp_files(self.sb.root), [])
        self.assertEqual(harness.bad_blobs(self.cache), [])
        self.assertEqual(sorted(os.listdir(blobs_dir)),
                         sorted({self.pair.etag(REPO, p) for p in self.pair.files(REPO)}))
        harness.assert_repo_cached(self, self.pair, self.cache, REPO)
        r = self.sb.run(["cache", "verify", REPO, "--fail-on-missing-files",
                         "--fail-on-extra-files"], env={"HF_HUB_OFFLINE": "1"})
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.pair.reset()
        r = self.sb.run(["download", REPO, "-q"], env={"HF_HUB_OFFLINE": "1"})
        self.assertEqual((r.returncode, r.stdout.strip()), (0, snap), r.stderr)

        retransferred = served - total
        per_file = {p: {"size": self.pair.size(REPO, p), "served": content[p],
                        "extra": content[p] - self.pair.size(REPO, p)}
                    for p in sorted(content)}
        report = {
            "test": "test_crash_loop", "seed": seed, "runs": runs,
            "kill_after_s": KILL_AFTER, "pause_s": PAUSE, "cdn_throttle": CDN_THROTTLE,
            "hub_delay": HUB_DELAY,
            "sanitizer_build": harness.SANITIZE, "killed": killed,
            "finished_before_kill": finished, "kills_during_split_download": split_kills,
            "repo_bytes": total, "served_content_bytes": served,
            "served_during_loop": sum(content_before.values()),
            "served_in_clean_run": served - sum(content_before.values()),
            "retransferred_bytes": retransferred,
            "retransferred_ratio": round(retransferred / total, 3),
            "served_other_bytes": other,
            "temp_files_before_clean_run": len(leftovers),
            "checkpoints_before_clean_run": resumable,
            "temp_files_left_by_clean_run": len(after_clean),
            "loop_seconds": round(loop_s, 1),
            "total_seconds": round(time.monotonic() - t0, 1),
            "per_file": per_file, "timeline": timeline,
        }
        out = os.path.join(report_dir(), "crash-loop-report.json")
        with open(out, "w") as f:
            json.dump(report, f, indent=1)
        sys.stderr.write(
            f"[crash loop: {killed} killed ({split_kills} during a 4-connection download), "
            f"{finished} finished before the kill; repo {total / MiB:.1f} MiB, served "
            f"{served / MiB:.1f} MiB: {retransferred / MiB:.1f} MiB transferred more than once "
            f"({100 * retransferred / total:.0f}%); {len(leftovers)} temp files before the "
            f"clean run, {len(after_clean)} after it (pruned); {report['total_seconds']} s; "
            f"report {out}]\n")
        for p, v in per_file.items():
            if v["extra"]:
                sys.stderr.write(f"    {p}: {v['extra'] / MiB:.2f} MiB extra\n")
        # The 4-connection path was exercised (fresh starts of the big file).
        if runs >= 10:
            self.assertGreaterEqual(split_kills, 1, timeline)


if __name__ == "__main__":
    unittest.main()

#!/usr/bin/env python3
"""Several `hf download` processes filling one cache at the same time.

With working locks each blob is fetched once (the others wait, then link
it); with flock() made a no-op (an LD_PRELOAD shim, as on Lustre/GPFS or
some NFS, huggingface_hub#4306) every process may fetch, but the cache must
still end up correct: unique temporaries, verified before publish, never an
append to a published blob (reliability.md (b) 43, 44).

EightProcessesTest: 8 processes on a multi-file repo whose 64 MiB file is
fetched over 4 ranged connections; once alone (each blob crosses the
network once), once with the JavaScript client (@huggingface/hub, skipped
without node/npm) downloading into the same cache at the same time, once
with flock() a no-op (duplicate transfers allowed, a wrong published byte
never: a watcher hashes every blob it sees while they run).

    cd tests/integration && HF_BIN=/path/to/hf python3 -m unittest -v test_download_concurrency
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

TINY = "acme/tiny"
BIG = "acme/big"
MiB = 1 << 20
MULTI = "acme/concurrent"
MULTI_BIG = "model.safetensors"   # 64 MiB: the split threshold, 4 ranged connections
MULTI_CONFIG = {"id": MULTI, "type": "model", "files": {
    MULTI_BIG: {"size": 64 * MiB, "seed": "concurrent/model", "kind": "safetensors"},
    "shards/extra.bin": {"size": 3 * MiB + 17, "seed": "concurrent/extra"},
    "onnx/model.onnx": {"size": 1 * MiB, "seed": "concurrent/onnx"},
    "tokenizer.json": {"size": 200 * 1024 + 3, "seed": "concurrent/tok", "kind": "json"},
    "vocab.txt": {"size": 8000, "seed": "concurrent/vocab", "kind": "text"},
    "config.json": '{"model_type": "concurrent", "hidden_size": 8}\n',
    "README.md": "# acme/concurrent\n\nEight at once.\n",
}}

NOFLOCK_C = r"""
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

/* flock() that "succeeds" without locking, and says so in $FLOCK_SHIM_LOG. */
int flock(int fd, int op)
{
	const char *log = getenv("FLOCK_SHIM_LOG");

	(void)fd;
	(void)op;
	if (log) {
		int f = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		if (f >= 0) {
			(void)write(f, "x", 1);
			close(f);
		}
	}
	return 0;
}
"""


def build_noflock_shim(testcase):
    """Compile the no-op flock() shim; returns the .so path (skips without cc)."""
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if not cc:
        testcase.skipTest("no C compiler (cc) to build the LD_PRELOAD flock shim")
    d = tempfile.mkdtemp(prefix="hf-noflock-")
    testcase.addCleanup(shutil.rmtree, d, True)
    src, so = os.path.join(d, "noflock.c"), os.path.join(d, "noflock.so")
    with open(src, "w") as f:
        f.write(NOFLOCK_C)
    r = subprocess.run([cc, "-shared", "-fPIC", "-O2", "-o", so, src], capture_output=True,
                       text=True)
    if r.returncode != 0:
        testcase.fail(f"cannot build the flock shim:\n{r.stderr}")
    return so


class ConcurrencyTest(harness.HubPairCase):
    def run_together(self, argvs, env=None):
        """Start every hf at once, wait for all; returns their results."""
        procs = [harness.spawn_hf(self.sb, ["download", *a], env=env) for a in argvs]
        return [harness.finish_hf(self.sb, p, timeout=120) for p in procs]

    def check_cache(self, results, repos):
        for r in results:
            self.assertEqual(r.returncode, 0, r.stderr)
        paths = {}
        for r in results:
            paths.setdefault(r.args[2], set()).add(r.stdout.strip())
        for repo_id in repos:
            snap = os.path.join(self.cache, harness.repo_folder_name(repo_id), "snapshots",
                                self.pair.commit(repo_id))
            self.assertEqual(paths[repo_id], {snap})  # same path for everyone
            harness.assert_repo_cached(self, self.pair, self.cache, repo_id)
        self.assertEqual(harness.bad_blobs(self.cache), [])
        self.assertEqual(harness.find_temp_files(self.sb.root), [])

    def assert_fetched_once(self, repo_id):
        """Each LFS blob crossed the network once (ranges of one fetch count
        as one), and each regular file was asked of the hub once."""
        gets = harness.cdn_blob_gets(self.pair.cdn)
        for path in self.pair.files(repo_id):
            if self.pair.is_lfs(repo_id, path):
                sha, size = self.pair.sha256(repo_id, path), self.pair.size(repo_id, path)
                got = gets.get(sha, [])
                self.assertEqual(sum(harness.range_bytes(g, size) for g in got), size,
                                 f"{path}: CDN GETs {got}")
        n_regular = sum(not self.pair.is_lfs(repo_id, p) for p in self.pair.files(repo_id))
        resolves = self.pair.hub.requests(r"^/api/resolve-cache/models/" + repo_id + "/", "GET")
        self.assertEqual(len(resolves), n_regular, [e["path"] for e in resolves])

    def slow_cdn(self):
        # Long enough that the processes overlap.
        self.pair.cdn.set_faults([{"match": "^/repos/", "action": "delay", "seconds": 0.4}])
        self.pair.hub.set_faults([{"match": "^/api/resolve-cache/", "action": "delay",
                                   "seconds": 0.3}])

    def test_two_processes_big(self):
        self.slow_cdn()
        results = self.run_together([[BIG, "-q"], [BIG, "-q"]])
        self.check_cache(results, [BIG])
        self.assert_fetched_once(BIG)  # one fetch, however it was split

    def test_four_processes_tiny(self):
        self.slow_cdn()
        results = self.run_together([[TINY, "-q"]] * 4)
        self.check_cache(results, [TINY])
        self.assert_fetched_once(TINY)

    def test_four_processes_mixed(self):
        self.slow_cdn()
        results = self.run_together([[BIG, "-q"], [TINY, "-q"], [BIG, "-q"],
                                     [TINY, "-q", "--max-workers", "1"]])
        self.check_cache(results, [BIG, TINY])
        self.assert_fetched_once(BIG)
        self.assert_fetched_once(TINY)

    def test_without_working_flock(self):
        env, log = noflock_env(self, self.sb)
        self.slow_cdn()
        results = self.run_together([[BIG, "-q"], [BIG, "-q"], [TINY, "-q"], [TINY, "-q"]],
                                    env=env)
        self.check_cache(results, [BIG, TINY])
        # The shim was in use: every lock "succeeded" without locking.
        self.assertTrue(os.path.exists(log), "the flock shim was never called")
        with open(log) as f:
            self.assertGreaterEqual(len(f.read()), 2 * 6 + 2)
        # Every fetch that happened was complete and verified on its own.
        sha = self.pair.sha256(BIG, "model.safetensors")
        big = harness.cdn_blob_gets(self.pair.cdn)[sha]
        size = self.pair.size(BIG, "model.safetensors")
        self.assertEqual(sum(harness.range_bytes(g, size) for g in big) % size, 0)
        # Run again without the shim: nothing to fetch, nothing to fix.
        self.pair.reset()
        r = self.sb.run(["download", BIG, "-q"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.pair.cdn.requests(), [])


def noflock_env(testcase, sandbox):
    """Environment that makes every flock() of hf a no-op (and logs the calls)."""
    so = build_noflock_shim(testcase)
    log = os.path.join(sandbox.root, "flock-calls")
    env = {"LD_PRELOAD": so, "FLOCK_SHIM_LOG": log}
    if harness.SANITIZE:  # ASan wants to be first; the shim does not interpose on it
        env["ASAN_OPTIONS"] = sandbox.env().get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"
    return env, log


class BlobWatcher:
    """While downloads run, hashes every version of every published blob
    (cache/*/blobs/<etag>, temporaries aside) it can see: each time a path's
    inode, size or mtime changes it is read again. A version that does not
    hash to its name (half written, appended to, wrong bytes) goes to .bad."""

    def __init__(self, cache_dir):
        self.cache_dir = cache_dir
        self.seen = set()
        self.bad = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(60)
        self.scan()

    def _run(self):
        while not self._stop.is_set():
            self.scan()
            self._stop.wait(0.01)

    def scan(self):
        try:
            repos = os.listdir(self.cache_dir)
        except OSError:
            return
        for repo in repos:
            bdir = os.path.join(self.cache_dir, repo, "blobs")
            try:
                names = os.listdir(bdir)
            except OSError:
                continue
            for name in names:
                if any(m in name for m in harness.TEMP_MARKERS):
                    continue
                self.check(os.path.join(bdir, name), name)

    def check(self, path, name):
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            return
        try:
            st = os.fstat(fd)
            key = (path, st.st_ino, st.st_size, st.st_mtime_ns)
            if key in self.seen:
                return
            algo = hashlib.sha256() if len(name) == 64 else hashlib.sha1(b"blob %d\0" % st.st_size)
            n = 0
            while True:
                b = os.read(fd, 1 << 20)
                if not b:
                    break
                algo.update(b)
                n += len(b)
            st2 = os.fstat(fd)
        finally:
            os.close(fd)
        self.seen.add(key)
        if n != st.st_size or (st2.st_size, st2.st_mtime_ns) != (st.st_size, st.st_mtime_ns):
            self.bad.append(f"{path}: changed while published ({st.st_size} -> {st2.st_size} bytes)")
        elif algo.hexdigest() != name:
            self.bad.append(f"{path}: {st.st_size} bytes that do not hash to the name")

    @property
    def versions(self):
        return len(self.seen)


class EightProcessesTest(harness.HubPairCase):
    """8 `hf download` of a multi-file repo (64 MiB split file) at once."""

    N = 8

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pair.add_repos([MULTI_CONFIG])

    def overlap(self):
        # Every process is under way before the first blob is complete, and
        # the CDN caps each connection (about 30 MB/s), as real ones do: the
        # 64 MiB file is worth splitting.
        self.pair.cdn.set_faults([{"match": "^/repos/", "action": "slow", "chunk": 128 * 1024,
                                   "interval": 0.004, "delay": 0.5}])
        self.pair.hub.set_faults([{"match": "^/api/resolve-cache/", "action": "delay",
                                   "seconds": 0.3}])

    def run_eight(self, env=None, alongside=None):
        """Start the 8 (and `alongside()`, started in between), wait for all."""
        with BlobWatcher(self.cache) as watcher:
            procs = [harness.spawn_hf(self.sb, ["download", MULTI, "-q"], env=env)
                     for _ in range(self.N // 2)]
            other = alongside() if alongside else None
            procs += [harness.spawn_hf(self.sb, ["download", MULTI, "-q"], env=env)
                      for _ in range(self.N - self.N // 2)]
            results = [harness.finish_hf(self.sb, p, timeout=300) for p in procs]
            other_result = other() if other else None
        self.assertEqual(watcher.bad, [])
        self.assertGreaterEqual(watcher.versions, len(self.pair.files(MULTI)))
        return results, other_result, watcher

    def check_cache(self, results):
        snap = os.path.join(self.cache, harness.repo_folder_name(MULTI), "snapshots",
                            self.pair.commit(MULTI))
        for r in results:
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout.strip(), snap)
        harness.assert_repo_cached(self, self.pair, self.cache, MULTI)
        self.assertEqual(harness.bad_blobs(self.cache), [])
        self.assertEqual(harness.find_temp_files(self.sb.root), [])
        return snap

    def transfers(self, hf_only=False):
        """{path: [(range, user agent), ...]} of the successful content GETs
        (CDN blob GETs for LFS files, hub resolve-cache GETs for the others)."""
        out = {p: [] for p in self.pair.files(MULTI)}
        by_sha = {self.pair.sha256(MULTI, p): p for p in out if self.pair.is_lfs(MULTI, p)}
        prefix = f"/api/resolve-cache/models/{MULTI}/{self.pair.commit(MULTI)}/"
        entries = (self.pair.cdn.requests(r"^/repos/", "GET") +
                   self.pair.hub.requests("^" + prefix, "GET"))
        for e in entries:
            if e.get("status") not in (200, 206):
                continue
            if hf_only and "libhf/" not in (e.get("user_agent") or ""):
                continue
            path = e["path"].split("?", 1)[0]
            if path.startswith("/repos/"):
                p = by_sha.get(path[7:])
            else:
                p = urllib.parse.unquote(path[len(prefix):])
            if p in out:
                out[p].append((e.get("range"), e.get("user_agent")))
        return out

    def fetched(self, path, gets):
        """How many whole copies of `path` these GETs carry."""
        size = self.pair.size(MULTI, path)
        total = sum(harness.range_bytes(r, size) for r, _ua in gets)
        self.assertEqual(total % size, 0, f"{path}: {gets}")
        return total // size

    def test_eight_processes_one_transfer_each(self):
        self.overlap()
        results, _, watcher = self.run_eight()
        self.check_cache(results)
        stats = {**self.pair.hub.control("GET", "stats")["by_path"],
                 **self.pair.cdn.control("GET", "stats")["by_path"]}
        for path, gets in self.transfers().items():
            self.assertEqual(self.fetched(path, gets), 1, f"{path}: {gets}")
            self.assertTrue(all("libhf/" in (ua or "") for _r, ua in gets), gets)
            if self.pair.is_lfs(MULTI, path):
                # bytes actually written by the CDN, not only asked for
                self.assertEqual(stats["/repos/" + self.pair.sha256(MULTI, path)],
                                 self.pair.size(MULTI, path), path)
        # The one fetch of the big file went over several connections at once.
        size = self.pair.size(MULTI, MULTI_BIG)
        ranged = {e["conn"] for e in self.pair.cdn.requests(
            "^/repos/" + self.pair.sha256(MULTI, MULTI_BIG), "GET")
            if re.fullmatch(r"bytes=\d+-\d+", e.get("range") or "")
            and harness.range_bytes(e["range"], size) < size}
        self.assertGreaterEqual(len(ranged), 2, self.transfers()[MULTI_BIG])
        sys.stderr.write(f"[8 processes: every blob once, {watcher.versions} blob versions "
                         f"watched] ")

    def test_eight_processes_and_the_js_client(self):
        from test_interop_js import js_client_dir
        js = js_client_dir()  # skips, with the reason, without node/npm
        self.overlap()

        def start_js():
            p = subprocess.Popen(["node", os.path.join(js, "download.mjs"), self.pair.url,
                                  self.cache, MULTI, "main"], cwd=js,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 env={"PATH": os.environ.get("PATH", ""), "HOME": self.sb.home})

            def finish():
                try:
                    out, err = p.communicate(timeout=300)
                except subprocess.TimeoutExpired:
                    p.kill()
                    out, err = p.communicate()
                return p.returncode, out.decode(errors="replace"), err.decode(errors="replace")
            return finish

        results, (js_rc, js_out, js_err), _w = self.run_eight(alongside=start_js)
        self.assertEqual(js_rc, 0, js_err[-3000:])
        snap = self.check_cache(results)
        self.assertEqual(json.loads(js_out.strip().splitlines()[-1])["path"], snap)
        # hf's processes share each fetch among themselves: at most one copy
        # each (none when the JS client had published the blob first); the
        # JS client, which takes no lock, at most one copy of its own.
        by_js = by_hf = 0
        for path, gets in self.transfers().items():
            hf = [g for g in gets if "libhf/" in (g[1] or "")]
            # (the JS client probes with "bytes=0-0" before its GET)
            other = [g for g in gets if "libhf/" not in (g[1] or "") and g[0] != "bytes=0-0"]
            self.assertLessEqual(self.fetched(path, hf), 1, f"{path}: {hf}")
            self.assertLessEqual(self.fetched(path, other), 1, f"{path}: {other}")
            self.assertGreaterEqual(len(gets), 1, path)
            by_hf += bool(hf)
            by_js += bool(other)
        sys.stderr.write(f"[8 processes + JS: {by_hf} files fetched by hf, {by_js} by the JS "
                         f"client, of {len(self.pair.files(MULTI))}] ")

    def test_eight_processes_without_working_flock(self):
        env, log = noflock_env(self, self.sb)
        self.overlap()
        results, _, watcher = self.run_eight(env=env)
        self.check_cache(results)
        self.assertTrue(os.path.exists(log), "the flock shim was never called")
        copies = {p: self.fetched(p, g) for p, g in self.transfers().items()}
        self.assertTrue(all(1 <= c <= self.N for c in copies.values()), copies)
        sys.stderr.write(f"[8 processes, flock a no-op: copies fetched {copies}, "
                         f"{watcher.versions} blob versions watched, none wrong] ")
        # Run again with locks: nothing to fetch, nothing to fix.
        self.pair.reset()
        r = self.sb.run(["download", MULTI, "-q"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.pair.cdn.requests(), [])


if __name__ == "__main__":
    unittest.main()

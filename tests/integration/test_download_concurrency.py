#!/usr/bin/env python3
"""Several `hf download` processes filling one cache at the same time.

With working locks each blob is fetched once (the others wait, then link
it); with flock() made a no-op (an LD_PRELOAD shim, as on Lustre/GPFS or
some NFS, huggingface_hub#4306) every process may fetch, but the cache must
still end up correct: unique temporaries, verified before publish, never an
append to a published blob (reliability.md (b) 43, 44).

    cd tests/integration && HF_BIN=/path/to/hf python3 -m unittest -v test_download_concurrency
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

TINY = "acme/tiny"
BIG = "acme/big"

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
        self.assert_fetched_once(BIG)
        self.assertEqual(len(harness.cdn_blob_gets(self.pair.cdn)[self.pair.sha256(
            BIG, "model.safetensors")]), 4)  # one fetch, in 4 ranges

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
        so = build_noflock_shim(self)
        log = os.path.join(self.sb.root, "flock-calls")
        env = {"LD_PRELOAD": so, "FLOCK_SHIM_LOG": log}
        if harness.SANITIZE:  # ASan wants to be first; the shim does not interpose on it
            env["ASAN_OPTIONS"] = (self.sb.env().get("ASAN_OPTIONS", "") +
                                   ":verify_asan_link_order=0")
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


if __name__ == "__main__":
    unittest.main()

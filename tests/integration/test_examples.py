#!/usr/bin/env python3
"""The programs of examples/ against the test hub + CDN (harness.HubPair).

Each example is run as a user would run it (a clean HOME, HF_ENDPOINT set to
the test hub) and checked on what it prints and on the cache it leaves:
the official layout, every blob hashing to its name, no token in the output.
The examples are built beside hf: <dirname(HF_BIN)>/examples/<name>
(HF_BUILD_EXAMPLES=ON, the default); the tests skip when they are not.

    cd tests/integration && HF_BIN=/path/to/build/hf python3 -m unittest -v test_examples
"""

import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

READ, FINE, CARL = harness.READ_TOKEN, harness.FINE_TOKEN, harness.NOORGS_TOKEN
TINY = "acme/tiny"
LLAMA = "meta-llama/Llama-3.2-1B"
DATASET = "acme/tiny-dataset"
PROGRESS_RE = re.compile(r"^progress: files (\d+)/(\d+) bytes (\d+)/(\d+)"
                         r"(?: file (.+) (\d+)/(\d+))?$")


def examples_dir():
    return os.path.join(os.path.dirname(harness.hf_bin()), "examples")


class ExamplesCase(harness.HubPairCase):
    """harness.HubPairCase: a fresh sandbox per test; no token ever reaches the CDN."""

    @classmethod
    def setUpClass(cls):
        exe = os.path.join(examples_dir(), "download_file")
        if not os.access(exe, os.X_OK):
            raise unittest.SkipTest(f"examples not built ({exe} missing): "
                                    "configure with -DHF_BUILD_EXAMPLES=ON")
        super().setUpClass()

    # -- helpers ---------------------------------------------------------------
    def run_example(self, name, *args, env=None, rc=0, timeout=60):
        exe = os.path.join(examples_dir(), name)
        argv = [exe, *args]
        try:
            p = subprocess.run(argv, env=self.sb.env(env), capture_output=True, text=True,
                               errors="replace", timeout=timeout, cwd=self.sb.cwd,
                               stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            self.fail(f"{name} {args} timed out after {timeout}s")
        self.sb.check_sanitizer(p.returncode, p.stderr, name)
        for t in harness.DEFAULT_TOKENS:
            harness.assert_no_token(self, t, p.stdout, p.stderr)
        if rc is not None:
            self.assertEqual(p.returncode, rc, f"{name} {args}\n--- stdout\n{p.stdout}"
                                               f"--- stderr\n{p.stderr}")
        return p

    def field(self, out, key):
        """The value of the single `key: value` line of out."""
        vals = [ln[len(key) + 2:] for ln in out.splitlines() if ln.startswith(key + ": ")]
        self.assertEqual(len(vals), 1, f"one '{key}:' line expected in:\n{out}")
        return vals[0]

    def blobs(self, repo_id, repo_type="model"):
        d = os.path.join(self.cache, harness.repo_folder_name(repo_id, repo_type), "blobs")
        return sorted(os.listdir(d)) if os.path.isdir(d) else []

    # -- download_file ---------------------------------------------------------
    def test_download_file_uses_the_token_file(self):
        """The guide's automatic token: `hf auth login` wrote the token file;
        the program passes no token and gets the gated file."""
        self.sb.write_token(READ)
        p = self.run_example("download_file", LLAMA, "config.json")
        self.assertEqual(self.field(p.stdout, "token"), "hf_****wxyz (token file)")
        cp = self.pair.cache_paths(self.cache, LLAMA, "config.json")
        self.assertEqual(self.field(p.stdout, "path"), cp["snapshot"])
        harness.assert_repo_cached(self, self.pair, self.cache, LLAMA, ["config.json"])
        # The gated file was asked for with alice's token, and only with it.
        auths = {e["auth"] for e in self.pair.hub.requests(r"/meta-llama/Llama-3\.2-1B/resolve/")}
        self.assertEqual(auths, {harness.token_hash(READ)})

    def test_download_file_token_sources(self):
        # HF_TOKEN beats the token file (which holds carl's, refused by the gate).
        self.sb.write_token(CARL)
        p = self.run_example("download_file", LLAMA, "generation_config.json",
                             env={"HF_TOKEN": READ})
        self.assertEqual(self.field(p.stdout, "token"), "hf_****wxyz (HF_TOKEN)")
        harness.assert_repo_cached(self, self.pair, self.cache, LLAMA,
                                   ["generation_config.json"])
        # The token file alone: carl's request is still pending (exit code 4).
        p = self.run_example("download_file", LLAMA, "config.json", rc=4)
        self.assertIn("(HF_EGATED)", p.stderr)
        self.assertIn("hint: ", p.stderr)
        self.assertNotIn("path: ", p.stdout)
        # No token at all is fine for a public repo, at a tag.
        os.unlink(self.sb.token_path)
        p = self.run_example("download_file", TINY, "config.json", "v1.0")
        self.assertEqual(self.field(p.stdout, "token"), "none (none)")
        cp = self.pair.cache_paths(self.cache, TINY, "config.json", revision="v1.0")
        self.assertEqual(self.field(p.stdout, "path"), cp["snapshot"])
        harness.assert_repo_cached(self, self.pair, self.cache, TINY, ["config.json"],
                                   revision="v1.0")
        # A missing file: the hf command's exit code and the client's message.
        p = self.run_example("download_file", TINY, "nope.json", rc=5)
        self.assertIn("'nope.json'", p.stderr)
        self.assertIn("(HF_ENOTFOUND)", p.stderr)
        self.assertEqual(harness.bad_blobs(self.cache), [])

    # -- download_repo ---------------------------------------------------------
    def test_download_repo_with_patterns(self):
        p = self.run_example("download_repo", TINY, "--include", "*.json", "--include", "*.md",
                             "--exclude", "tokenizer*")
        commit = self.pair.commit(TINY)
        snap = os.path.join(self.cache, harness.repo_folder_name(TINY, "model"), "snapshots",
                            commit)
        self.assertEqual(self.field(p.stdout, "path"), snap)
        self.assertEqual(sorted(os.listdir(snap)), ["README.md", "config.json"])
        harness.assert_repo_cached(self, self.pair, self.cache, TINY, ["README.md", "config.json"])
        self.assertEqual(self.blobs(TINY), sorted({self.pair.etag(TINY, "README.md"),
                                                   self.pair.etag(TINY, "config.json")}))
        # Nothing that was filtered out was fetched.
        self.assertEqual(self.pair.cdn.requests(), [])
        for e in self.pair.hub.requests(r"/resolve/"):
            self.assertRegex(e["path"], r"/(README\.md|config\.json)$")

    def test_download_repo_dataset_and_usage(self):
        p = self.run_example("download_repo", DATASET, "--repo-type", "dataset")
        self.assertTrue(self.field(p.stdout, "path").endswith(
            "/datasets--acme--tiny-dataset/snapshots/" + self.pair.commit(DATASET, repo_type="dataset")))
        harness.assert_repo_cached(self, self.pair, self.cache, DATASET, repo_type="dataset")
        p = self.run_example("download_repo", rc=2)
        self.assertIn("usage:", p.stderr)
        p = self.run_example("download_repo", "acme/no-such-repo", rc=5)
        self.assertIn("(HF_ENOTFOUND)", p.stderr)

    # -- multiple_accounts -----------------------------------------------------
    def test_multiple_accounts_two_explicit_tokens(self):
        """Each account's client sends its own token; neither HF_TOKEN nor the
        token file (bob's, both) is used. carl's request to the gate is pending,
        alice's is granted."""
        self.sb.write_token(FINE)
        p = self.run_example("multiple_accounts", LLAMA, "config.json", rc=1,
                             env={"WORK_TOKEN": CARL, "PERSONAL_TOKEN": READ, "HF_TOKEN": FINE})
        lines = p.stdout.splitlines()
        self.assertEqual(lines[0], "[work] user: carl (token hf_****carl, role read)")
        self.assertRegex(lines[1], r"^\[work\] error: .*awaiting approval.* \(HF_EGATED\)$")
        self.assertTrue(lines[2].startswith("[work] hint: "), lines)
        self.assertEqual(lines[3], "[personal] user: alice (token hf_****wxyz, role read)")
        cp = self.pair.cache_paths(self.cache, LLAMA, "config.json")
        self.assertEqual(lines[4], "[personal] path: " + cp["snapshot"])
        self.assertEqual(len(lines), 5, lines)
        harness.assert_repo_cached(self, self.pair, self.cache, LLAMA, ["config.json"])
        used = {e["auth"] for e in self.pair.hub.requests() if e["auth"]}
        self.assertEqual(used, {harness.token_hash(CARL), harness.token_hash(READ)})

    def test_multiple_accounts_public_repo_and_missing_token(self):
        p = self.run_example("multiple_accounts", TINY, "config.json",
                             env={"WORK_TOKEN": READ, "PERSONAL_TOKEN": CARL})
        cp = self.pair.cache_paths(self.cache, TINY, "config.json")
        self.assertEqual(p.stdout.splitlines(), [
            "[work] user: alice (token hf_****wxyz, role read)",
            "[work] path: " + cp["snapshot"],
            "[personal] user: carl (token hf_****carl, role read)",
            "[personal] path: " + cp["snapshot"],
        ])
        p = self.run_example("multiple_accounts", TINY, "config.json", rc=1,
                             env={"WORK_TOKEN": READ})
        self.assertIn("[personal] skipped: PERSONAL_TOKEN is not set", p.stdout)

    # -- progress --------------------------------------------------------------
    def parse_progress(self, out):
        calls = []
        for ln in out.splitlines():
            m = PROGRESS_RE.match(ln)
            if m:
                g = m.groups()
                calls.append({"files_done": int(g[0]), "files_total": int(g[1]),
                              "bytes_done": int(g[2]), "bytes_total": int(g[3]),
                              "file": g[4], "file_done": int(g[5]) if g[5] else None,
                              "file_total": int(g[6]) if g[6] else None})
        self.assertEqual(int(self.field(out, "calls")), len(calls), out)
        return calls

    def test_progress_callback(self):
        files = self.pair.files(TINY)
        total = sum(self.pair.size(TINY, f) for f in files)
        p = self.run_example("progress", TINY)
        calls = self.parse_progress(p.stdout)
        self.assertTrue(calls, p.stdout)
        for prev, cur in zip(calls, calls[1:]):
            self.assertLessEqual(prev["bytes_done"], cur["bytes_done"])
            self.assertLessEqual(prev["files_done"], cur["files_done"])
        for c in calls:
            self.assertEqual((c["files_total"], c["bytes_total"]), (len(files), total))
            self.assertLessEqual(c["bytes_done"], total)
            if c["file"] is not None:
                self.assertIn(c["file"], files)
                self.assertEqual(c["file_total"], self.pair.size(TINY, c["file"]))
                self.assertLessEqual(c["file_done"], c["file_total"])
        last = calls[-1]
        self.assertEqual((last["files_done"], last["bytes_done"]), (len(files), total))
        # Every file is reported once complete.
        complete = {c["file"] for c in calls if c["file"] and c["file_done"] == c["file_total"]}
        self.assertEqual(complete, set(files))
        harness.assert_repo_cached(self, self.pair, self.cache, TINY)
        # Again: everything is cached; one call, about the whole download.
        p = self.run_example("progress", TINY)
        calls = self.parse_progress(p.stdout)
        self.assertEqual(len(calls), 1, p.stdout)
        self.assertEqual(calls[0]["file"], None)
        self.assertEqual((calls[0]["files_done"], calls[0]["bytes_done"]), (len(files), total))

    def test_progress_cancel_then_resume(self):
        p = self.run_example("progress", TINY, "--cancel-after", "100000", rc=130)
        self.assertIn("download cancelled (HF_ECANCELLED)", p.stderr)
        self.assertNotIn("path: ", p.stdout)
        calls = self.parse_progress(p.stdout)
        self.assertGreaterEqual(calls[-1]["bytes_done"], 100000)
        # Nothing half-written was published, no link points nowhere.
        self.assertEqual(harness.bad_blobs(self.cache), [])
        for dirpath, _, names in os.walk(self.cache):
            for n in names:
                path = os.path.join(dirpath, n)
                if os.path.islink(path):
                    self.assertTrue(os.path.exists(path), f"dangling link {path}")
        p = self.run_example("progress", TINY)
        self.assertEqual(self.field(p.stdout, "path"), os.path.dirname(
            self.pair.cache_paths(self.cache, TINY, "config.json")["snapshot"]))
        harness.assert_repo_cached(self, self.pair, self.cache, TINY)

    # -- list_cache ------------------------------------------------------------
    def test_list_cache(self):
        self.run_example("download_repo", TINY, "--exclude", "*.safetensors")
        self.run_example("download_repo", DATASET, "--repo-type", "dataset")
        p = self.run_example("list_cache")
        out = p.stdout.splitlines()
        self.assertEqual(out[0], "cache: " + self.cache)
        tiny = [f for f in self.pair.files(TINY) if not f.endswith(".safetensors")]
        ds = self.pair.files(DATASET, repo_type="dataset")
        tiny_size = sum(self.pair.size(TINY, f) for f in tiny)
        ds_size = sum(self.pair.size(DATASET, f, repo_type="dataset") for f in ds)
        # One block per repository (their order is the scan's: compared as a dict).
        blocks = {
            "model": [f"repo: model {TINY} files {len(tiny)} size {tiny_size} revisions 1",
                      f"  revision: {self.pair.commit(TINY)} refs main files {len(tiny)} "
                      f"size {tiny_size}"]
                     + [f"    file: {f} {self.pair.size(TINY, f)}" for f in tiny],
            "dataset": [f"repo: dataset {DATASET} files {len(ds)} size {ds_size} revisions 1",
                        f"  revision: {self.pair.commit(DATASET, repo_type='dataset')} refs main "
                        f"files {len(ds)} size {ds_size}"]
                       + [f"    file: {f} {self.pair.size(DATASET, f, repo_type='dataset')}"
                          for f in ds],
        }
        body = out[1:-1]
        got = {}
        for ln in body:
            if ln.startswith("repo: "):
                kind = ln.split()[1]
                got[kind] = []
            got[kind].append(ln)
        self.assertEqual(got, blocks, p.stdout)
        self.assertEqual(out[-1], f"total: repos 2 size {tiny_size + ds_size}")
        # A cache that is not there is an error, not an empty list.
        p = self.run_example("list_cache", os.path.join(self.sb.root, "nowhere"), rc=5)
        self.assertIn("(HF_ENOTFOUND)", p.stderr)


if __name__ == "__main__":
    unittest.main()

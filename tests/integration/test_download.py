#!/usr/bin/env python3
"""`hf download` against the test hub + CDN (harness.HubPair).

What lands on disk must be byte-for-byte what the official client writes
(hub-protocol.md §4, §5), with as few requests as the official client makes,
and the errors the guide promises (guide-contract.md). Faults and resume are
in test_download_faults.py, several processes in test_download_concurrency.py.

    cd tests/integration && HF_BIN=/path/to/hf python3 -m unittest -v test_download
"""

import json
import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

READ, WRITE, FINE, CARL = (harness.READ_TOKEN, harness.WRITE_TOKEN, harness.FINE_TOKEN,
                           harness.NOORGS_TOKEN)
TINY = "acme/tiny"
LLAMA = "meta-llama/Llama-3.2-1B"
TINY_FILES = ["README.md", "config.json", "model.safetensors", "onnx/model.onnx",
              "tokenizer.json", "weird name+1.txt"]
CACHEDIR_TAG = (b"Signature: 8a477f597d28d172789f06886806bc55\n"
                b"# This file is a cache directory tag created by huggingface_hub.\n"
                b"# For information about cache directory tags, see:\n"
                b"#\thttps://bford.info/cachedir/\n")


def human_path(r):
    """The path of `hf download`'s human output ("✓ Downloaded" / "  path: <p>")."""
    lines = r.stdout.splitlines()
    if len(lines) != 2 or "Downloaded" not in lines[0] or not lines[1].startswith("  path: "):
        raise AssertionError(f"unexpected human output: {r.stdout!r} (stderr {r.stderr!r})")
    return lines[1][len("  path: "):]


def walk_files(root):
    """Relative paths of the regular files and links under root, sorted."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        for n in filenames:
            out.append(os.path.relpath(os.path.join(dirpath, n), root))
    return sorted(out)


class DownloadCase(harness.HubPairCase):
    """One HubPair per class; logs and faults are reset before each test."""

    # -- helpers ---------------------------------------------------------------
    def hf(self, *args, env=None, ok=True, **kw):
        r = self.sb.run(["download", *args], env=env, **kw)
        if ok:
            self.assertEqual(r.returncode, 0, f"hf download {args}: {r.stderr}")
        for t in harness.DEFAULT_TOKENS:
            harness.assert_no_token(self, t, r)
        return r

    def snap(self, repo_id=TINY, revision="main", repo_type="model"):
        return os.path.join(self.cache, harness.repo_folder_name(repo_id, repo_type), "snapshots",
                            self.pair.commit(repo_id, revision, repo_type))

    def repo_dir(self, repo_id=TINY, repo_type="model"):
        return os.path.join(self.cache, harness.repo_folder_name(repo_id, repo_type))

    def assert_no_temps(self, root=None):
        self.assertEqual(harness.find_temp_files(root or self.sb.root), [])

    def hub_log(self, regex=None, method=None):
        return self.pair.hub.requests(regex, method)

    def cdn_log(self, regex=None, method=None):
        return self.pair.cdn.requests(regex, method)


class CacheLayoutTest(DownloadCase):
    """The cache is byte-exact with the official client's (hub-protocol.md §4)."""

    def test_snapshot_layout_is_the_official_one(self):
        r = self.hf(TINY)
        commit = self.pair.commit(TINY)
        self.assertEqual(human_path(r), self.snap())
        harness.assert_repo_cached(self, self.pair, self.cache, TINY)
        repo = self.repo_dir()
        # Links by hand too: relative, one more "../" per sub-directory.
        self.assertEqual(os.readlink(os.path.join(repo, "snapshots", commit, "onnx/model.onnx")),
                         "../../../blobs/" + self.pair.sha256(TINY, "onnx/model.onnx"))
        self.assertEqual(os.readlink(os.path.join(repo, "snapshots", commit, "config.json")),
                         "../../blobs/" + self.pair.git_sha1(TINY, "config.json"))
        # Blob names: sha256 for LFS files, git blob sha1 for the others.
        want_blobs = sorted({self.pair.sha256(TINY, p) if self.pair.is_lfs(TINY, p)
                             else self.pair.git_sha1(TINY, p) for p in TINY_FILES})
        self.assertEqual(sorted(os.listdir(os.path.join(repo, "blobs"))), want_blobs)
        self.assertEqual(harness.bad_blobs(self.cache), [])
        self.assertEqual(sorted(os.listdir(os.path.join(repo, "snapshots", commit))),
                         sorted({p.split("/")[0] for p in TINY_FILES}))
        with open(os.path.join(repo, "refs", "main"), "rb") as f:
            self.assertEqual(f.read(), commit.encode())
        with open(os.path.join(self.cache, "CACHEDIR.TAG"), "rb") as f:
            self.assertEqual(f.read(), CACHEDIR_TAG)
        with open(os.path.join(repo, "trees", commit + ".json")) as f:
            tree = json.load(f)
        self.assertEqual(tree["format_version"], 1)
        self.assertEqual(sorted(tree["files"]), TINY_FILES)
        self.assertEqual(tree["files"]["config.json"]["blob_id"],
                         self.pair.git_sha1(TINY, "config.json"))
        self.assertEqual(tree["files"]["model.safetensors"]["lfs_sha256"],
                         self.pair.sha256(TINY, "model.safetensors"))
        locks = os.path.join(self.cache, ".locks", "models--acme--tiny")
        self.assertEqual(sorted(os.listdir(locks)), sorted(b + ".lock" for b in want_blobs))
        self.assertEqual(sorted(os.listdir(self.cache)),
                         [".locks", "CACHEDIR.TAG", "models--acme--tiny"])
        self.assert_no_temps()

    def test_single_file_prints_its_snapshot_path(self):
        want = os.path.join(self.snap(), "config.json")
        r = self.hf(TINY, "config.json")
        self.assertEqual(human_path(r), want)
        self.assertTrue(r.stdout.startswith("✓ Downloaded\n"), r.stdout)
        with open(want, "rb") as f:
            self.assertEqual(f.read(), self.pair.file_bytes(TINY, "config.json"))
        harness.assert_repo_cached(self, self.pair, self.cache, TINY, ["config.json"])
        # Only that file was fetched.
        self.assertEqual(os.listdir(os.path.join(self.repo_dir(), "blobs")),
                         [self.pair.git_sha1(TINY, "config.json")])
        r = self.hf(TINY, "config.json", "-q")
        self.assertEqual(r.stdout, want + "\n")
        r = self.hf(TINY, "config.json", "--format", "json")
        self.assertEqual(json.loads(r.stdout), {"path": want})
        r = self.sb.run(["download", TINY, "config.json"], prog="huggingface-cli")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, want + "\n")
        self.assert_no_temps()

    def test_nested_single_file_and_quoted_name(self):
        r = self.hf(TINY, "onnx/model.onnx", "-q")
        self.assertEqual(r.stdout.strip(), os.path.join(self.snap(), "onnx/model.onnx"))
        r = self.hf(TINY, "weird name+1.txt", "-q")
        self.assertEqual(r.stdout.strip(), os.path.join(self.snap(), "weird name+1.txt"))
        harness.assert_repo_cached(self, self.pair, self.cache, TINY,
                                   ["onnx/model.onnx", "weird name+1.txt"])
        # The file name is quoted in the URL (space -> %20, + -> %2B).
        self.assertTrue(self.hub_log(r"/resolve/main/weird%20name%2B1\.txt$", "HEAD"))


class RequestEconomyTest(DownloadCase):
    """No more requests than the official client; a cached file transfers nothing."""

    def test_cold_snapshot_requests(self):
        self.hf(TINY)
        commit = self.pair.commit(TINY)
        api = self.hub_log(r"^/api/models/acme/tiny/(revision|tree)/")
        self.assertEqual([e["path"] for e in api],
                         ["/api/models/acme/tiny/revision/main",
                          f"/api/models/acme/tiny/tree/{commit}?recursive=true&expand=false"])
        self.assertEqual(self.hub_log(method="HEAD"), [])
        self.assertEqual(self.cdn_log(method="HEAD"), [])
        resolves = self.hub_log(r"/resolve/", "GET")
        self.assertEqual(len(resolves), len(TINY_FILES), [e["path"] for e in resolves])
        for e in resolves:  # pinned to the commit, not "main"
            self.assertIn(f"/resolve/{commit}/", e["path"])
        # LFS bytes come from the CDN, once each and whole; regular files from resolve-cache.
        gets = harness.cdn_blob_gets(self.pair.cdn)
        self.assertEqual(gets, {self.pair.sha256(TINY, p): [None] for p in TINY_FILES
                                if self.pair.is_lfs(TINY, p)})
        self.assertEqual(len(self.hub_log(r"^/api/resolve-cache/", "GET")), 3)

    def test_cold_single_file_requests(self):
        # HEAD, then straight to where it pointed (as the official client).
        self.hf(TINY, "model.safetensors", "--token", READ)
        self.assertEqual([(e["method"], e["path"], e["auth"]) for e in self.hub_log()],
                         [("HEAD", "/acme/tiny/resolve/main/model.safetensors",
                           harness.token_hash(READ))])
        self.assertEqual([(e["method"], e["range"], e["auth"]) for e in self.cdn_log()],
                         [("GET", None, None)])
        self.pair.reset()
        self.hf(TINY, "config.json")
        log = self.hub_log()
        self.assertEqual([e["method"] for e in log], ["HEAD", "HEAD", "GET"], log)
        self.assertEqual(log[0]["path"], "/acme/tiny/resolve/main/config.json")
        self.assertTrue(all(e["path"].startswith("/api/resolve-cache/") for e in log[1:]), log)
        self.assertEqual(self.cdn_log(), [])

    def test_warm_rerun_online_asks_only_the_revision(self):
        path = human_path(self.hf(TINY))
        self.pair.reset()
        self.assertEqual(human_path(self.hf(TINY)), path)
        self.assertEqual([e["path"] for e in self.hub_log()], ["/api/models/acme/tiny/revision/main"])
        self.assertEqual(self.cdn_log(), [])

    def test_offline_rerun_makes_no_request(self):
        path = human_path(self.hf(TINY))
        self.pair.reset()
        r = self.hf(TINY, env={"HF_HUB_OFFLINE": "1"})
        self.assertEqual(human_path(r), path)
        r = self.hf(TINY, "config.json", "-q", env={"HF_HUB_OFFLINE": "1"})
        self.assertEqual(r.stdout.strip(), os.path.join(path, "config.json"))
        self.assertEqual(self.hub_log(), [])
        self.assertEqual(self.cdn_log(), [])

    def test_pinned_commit_cached_makes_no_request(self):
        self.hf(TINY)
        commit = self.pair.commit(TINY)
        self.pair.reset()
        r = self.hf(TINY, "config.json", "--revision", commit, "-q")
        self.assertEqual(r.stdout.strip(), os.path.join(self.snap(), "config.json"))
        r = self.hf(TINY, "--revision", commit, "-q")
        self.assertEqual(r.stdout.strip(), self.snap())
        self.assertEqual(self.hub_log(), [])
        self.assertEqual(self.cdn_log(), [])

    def test_cached_single_file_online_is_one_head(self):
        self.hf(TINY, "model.safetensors")
        self.hf(TINY, "config.json")
        self.pair.reset()
        r = self.hf(TINY, "model.safetensors", "-q")
        self.assertEqual(r.stdout.strip(), os.path.join(self.snap(), "model.safetensors"))
        log = self.hub_log()
        self.assertEqual([(e["method"], e["path"]) for e in log],
                         [("HEAD", "/acme/tiny/resolve/main/model.safetensors")])
        # A regular file: the HEAD follows the relative redirect to resolve-cache, no GET.
        self.pair.reset()
        self.hf(TINY, "config.json")
        log = self.hub_log()
        self.assertEqual([e["method"] for e in log], ["HEAD", "HEAD"], log)
        self.assertEqual(log[0]["path"], "/acme/tiny/resolve/main/config.json")
        self.assertTrue(log[1]["path"].startswith("/api/resolve-cache/"), log[1]["path"])
        self.assertEqual(self.cdn_log(), [])


class RevisionTest(DownloadCase):
    """Branches, tags, PR refs, commits, and what is not there."""

    def test_tag(self):
        r = self.hf(TINY, "--revision", "v1.0")
        self.assertEqual(human_path(r), self.snap(revision="v1.0"))
        self.assertNotEqual(self.pair.commit(TINY, "v1.0"), self.pair.commit(TINY))
        harness.assert_repo_cached(self, self.pair, self.cache, TINY, revision="v1.0")
        with open(os.path.join(self.snap(revision="v1.0"), "config.json"), "rb") as f:
            data = f.read()
        self.assertEqual(data, self.pair.file_bytes(TINY, "config.json", "v1.0"))
        self.assertNotEqual(data, self.pair.file_bytes(TINY, "config.json"))
        self.assertFalse(os.path.exists(os.path.join(self.repo_dir(), "refs", "main")))
        # The tag's single-file form uses the same ref.
        r = self.hf(TINY, "config.json", "--revision", "v1.0", "-q")
        self.assertEqual(r.stdout.strip(), os.path.join(self.snap(revision="v1.0"), "config.json"))

    def test_pr_ref(self):
        r = self.hf(TINY, "--revision", "refs/pr/1")
        self.assertEqual(human_path(r), self.snap(revision="refs/pr/1"))
        harness.assert_repo_cached(self, self.pair, self.cache, TINY, revision="refs/pr/1")
        self.assertTrue(os.path.isfile(os.path.join(self.repo_dir(), "refs", "refs", "pr", "1")))
        self.assertIn("pr-1-extra.txt", os.listdir(self.snap(revision="refs/pr/1")))
        self.assertEqual(len(self.hub_log(r"^/api/models/acme/tiny/revision/refs%2Fpr%2F1$")), 1)
        self.assertEqual(self.hub_log(r"refs/pr/1"), [])
        self.pair.reset()
        r = self.hf(TINY, "pr-1-extra.txt", "--revision", "refs/pr/1", "-q")
        self.assertEqual(r.stdout.strip(), os.path.join(self.snap(revision="refs/pr/1"),
                                                        "pr-1-extra.txt"))
        self.assertEqual([e["path"] for e in self.hub_log(method="HEAD")][:1],
                         ["/acme/tiny/resolve/refs%2Fpr%2F1/pr-1-extra.txt"])

    def test_full_commit(self):
        commit = self.pair.commit(TINY, "v1.0")
        r = self.hf(TINY, "--revision", commit)
        self.assertEqual(human_path(r), self.snap(revision="v1.0"))
        harness.assert_repo_cached(self, self.pair, self.cache, TINY, revision="v1.0", ref=False)
        # No revision API call and no ref for a commit.
        self.assertEqual(self.hub_log(r"/revision/"), [])
        self.assertFalse(os.path.exists(os.path.join(self.repo_dir(), "refs")))

    def test_unknown_revision(self):
        r = self.hf(TINY, "--revision", "no-such-branch", ok=False)
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("no-such-branch", r.stderr)
        self.assertIn("revision", r.stderr.lower())
        self.assertEqual(r.stdout, "")
        r = self.hf(TINY, "config.json", "--revision", "no-such-branch", ok=False)
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("no-such-branch", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.repo_dir(), "snapshots")))

    def test_missing_file_is_remembered(self):
        r = self.hf(TINY, "nope.json", ok=False)
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("nope.json", r.stderr)
        self.assertIn("not found", r.stderr)
        self.assertNotIn("repository", r.stderr.split("\n")[0].lower())
        marker = os.path.join(self.repo_dir(), ".no_exist", self.pair.commit(TINY), "nope.json")
        self.assertTrue(os.path.isfile(marker))
        self.assertEqual(os.path.getsize(marker), 0)
        with open(os.path.join(self.repo_dir(), "refs", "main"), "rb") as f:
            self.assertEqual(f.read(), self.pair.commit(TINY).encode())
        self.assertFalse(os.path.exists(os.path.join(self.repo_dir(), "snapshots")))

    def test_unknown_repo(self):
        r = self.hf("acme/does-not-exist", ok=False)
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertRegex(r.stderr, r"[Rr]epository 'acme/does-not-exist' not found")
        r = self.hf("acme/does-not-exist", "config.json", ok=False)
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("acme/does-not-exist", r.stderr)
        self.assertIn("not found", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.cache, "models--acme--does-not-exist",
                                                     "snapshots")))

    def test_dataset_both_spellings(self):
        ds = "acme/tiny-dataset"
        r = self.hf(ds, "--repo-type", "dataset")
        self.assertEqual(human_path(r), self.snap(ds, repo_type="dataset"))
        self.assertIn("datasets--acme--tiny-dataset", human_path(r))
        harness.assert_repo_cached(self, self.pair, self.cache, ds, repo_type="dataset")
        self.assertTrue(self.hub_log(r"^/api/datasets/acme/tiny-dataset/revision/main$"))
        self.assertTrue(self.hub_log(r"^/datasets/acme/tiny-dataset/resolve/"))
        sb2 = harness.Sandbox(self, hub=self.pair)
        r2 = sb2.run(["download", "datasets/" + ds, "data/train.csv", "-q"])
        self.assertEqual(r2.returncode, 0, r2.stderr)
        self.assertEqual(r2.stdout.strip(), os.path.join(
            sb2.hub_cache, "datasets--acme--tiny-dataset", "snapshots",
            self.pair.commit(ds, repo_type="dataset"), "data/train.csv"))
        harness.assert_repo_cached(self, self.pair, sb2.hub_cache, ds, ["data/train.csv"],
                                   repo_type="dataset")
        # Naming the type twice is a usage error.
        r3 = self.hf("datasets/" + ds, "--repo-type", "dataset", ok=False)
        self.assertEqual(r3.returncode, 2, r3.stderr)
        # The same id as a model does not exist.
        r4 = self.hf(ds, ok=False)
        self.assertEqual(r4.returncode, 5, r4.stderr)

    def test_space(self):
        sp = "acme/tiny-space"
        r = self.hf(sp, "--repo-type", "space")
        self.assertEqual(human_path(r), self.snap(sp, repo_type="space"))
        harness.assert_repo_cached(self, self.pair, self.cache, sp, repo_type="space")
        r = self.hf("spaces/" + sp, "app.py", "-q")
        self.assertEqual(r.stdout.strip(), os.path.join(self.snap(sp, repo_type="space"), "app.py"))
        self.assertTrue(self.hub_log(r"^/spaces/acme/tiny-space/resolve/main/app\.py$", "HEAD"))


class PatternTest(DownloadCase):
    """--include / --exclude / dir/ / several names / --dry-run (hub-protocol.md §5.3)."""

    def cached(self):
        snap = self.snap()
        return walk_files(snap) if os.path.isdir(snap) else []

    def test_include_star_crosses_slash(self):
        self.hf(TINY, "--include", "*.json", "--include", "*.onnx")
        self.assertEqual(self.cached(), ["config.json", "onnx/model.onnx", "tokenizer.json"])
        harness.assert_repo_cached(self, self.pair, self.cache, TINY, self.cached())
        self.assertEqual(len(self.hub_log(r"/resolve/", "GET")), 3)

    def test_include_is_case_sensitive(self):
        self.hf(TINY, "--include", "*.JSON")
        self.assertEqual(self.cached(), [])
        self.assertEqual(self.hub_log(r"/resolve/"), [])

    def test_exclude(self):
        self.hf(TINY, "--exclude", "*.safetensors", "--exclude", "onnx/*")
        self.assertEqual(self.cached(), ["README.md", "config.json", "tokenizer.json",
                                         "weird name+1.txt"])
        self.assertEqual(self.cdn_log(r"/repos/" + self.pair.sha256(TINY, "model.safetensors")), [])

    def test_include_and_exclude(self):
        self.hf(TINY, "--include", "*.json", "--exclude", "tok*")
        self.assertEqual(self.cached(), ["config.json"])

    def test_directory_argument(self):
        r = self.hf(TINY, "onnx/")
        self.assertEqual(human_path(r), self.snap())
        self.assertEqual(self.cached(), ["onnx/model.onnx"])
        harness.assert_repo_cached(self, self.pair, self.cache, TINY, ["onnx/model.onnx"])

    def test_several_filenames(self):
        r = self.hf(TINY, "config.json", "README.md", "--include", "*.safetensors")
        self.assertEqual(human_path(r), self.snap())
        self.assertEqual(self.cached(), ["README.md", "config.json"])
        self.assertIn("Ignoring `--include`", r.stderr)

    def test_dry_run_downloads_nothing(self):
        total = sum(self.pair.size(TINY, p) for p in TINY_FILES)
        r = self.hf(TINY, "--dry-run")
        first = r.stdout.splitlines()[0]
        self.assertRegex(first, r"^\[dry-run\] Will download 6 files \(out of 6\) totalling "
                                r"[0-9.]+ [kMG]?B\.$")
        self.assertIn(f"{total / 1e6:.1f} MB", first)
        self.assertRegex(r.stdout, r"\nFILE +SIZE\n")
        for p in TINY_FILES:
            self.assertIn(p, r.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.repo_dir(), "blobs")))
        self.assertFalse(os.path.exists(os.path.join(self.repo_dir(), "snapshots")))
        self.assertEqual(self.hub_log(r"/resolve/"), [])
        self.assertEqual(self.cdn_log(), [])
        r = self.hf(TINY, "--dry-run", "--include", "*.json")
        self.assertRegex(r.stdout.splitlines()[0],
                         r"^\[dry-run\] Will download 2 files \(out of 6\) totalling ")
        self.assertNotIn("model.safetensors", r.stdout)

    def test_dry_run_after_download(self):
        self.hf(TINY, "--include", "*.json")
        r = self.hf(TINY, "--dry-run")
        self.assertIn("[dry-run] Will download 4 files (out of 6)", r.stdout)
        self.assertRegex(r.stdout, r"\nconfig\.json +-\n")
        self.hf(TINY)
        self.pair.reset()
        r = self.hf(TINY, "--dry-run")
        self.assertIn("[dry-run] Will download 0 files (out of 6) totalling 0 B.", r.stdout)
        self.assertEqual(self.hub_log(r"/resolve/"), [])


class AuthGatingTest(DownloadCase):
    """Tokens reach the hub and never the CDN; gated and private repos fail in the guide's words."""

    def tearDown(self):
        for t in harness.DEFAULT_TOKENS:
            harness.assert_tree_has_no_token(self, self.sb.root, t, allow=["token", "stored_tokens"])
        super().tearDown()

    def assert_hub_saw(self, token):
        auths = {e["auth"] for e in self.hub_log()}
        self.assertEqual(auths, {harness.token_hash(token)})
        self.assertLessEqual({e["auth"] for e in self.cdn_log()}, {None})

    def test_gated_anonymous(self):
        r = self.hf(LLAMA, ok=False)
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("requires gating", r.stderr)
        self.assertIn(f"{self.pair.url}/{LLAMA}", r.stderr)
        self.assertIn("Request access", r.stderr)
        r = self.hf(LLAMA, "config.json", ok=False)
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn(f"{self.pair.url}/{LLAMA}", r.stderr)
        self.assertEqual(self.cdn_log(), [])
        self.assertEqual(harness.find_temp_files(self.cache), [])

    def test_gated_pending_and_refused(self):
        r = self.hf(LLAMA, env={"HF_TOKEN": CARL}, ok=False)
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("awaiting approval", r.stderr)
        r = self.hf(LLAMA, "config.json", env={"HF_TOKEN": FINE}, ok=False)
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn(LLAMA, r.stderr)

    def test_gated_granted_env_token(self):
        r = self.hf(LLAMA, env={"HF_TOKEN": READ})
        self.assertEqual(human_path(r), self.snap(LLAMA))
        harness.assert_repo_cached(self, self.pair, self.cache, LLAMA)
        self.assert_hub_saw(READ)
        self.assertTrue(self.cdn_log())

    def test_gated_granted_option_token(self):
        r = self.hf(LLAMA, "config.json", "--token", WRITE, env={"HF_TOKEN": FINE})
        self.assertEqual(human_path(r), os.path.join(self.snap(LLAMA), "config.json"))
        self.assert_hub_saw(WRITE)

    def test_gated_granted_login_file(self):
        self.sb.write_token(READ)
        r = self.hf(LLAMA, "--include", "*.safetensors", "--include", "config.json")
        self.assertEqual(human_path(r), self.snap(LLAMA))
        harness.assert_repo_cached(self, self.pair, self.cache, LLAMA,
                                   ["config.json", "model.safetensors"])
        self.assert_hub_saw(READ)

    def test_private_repo(self):
        r = self.hf("acme/private-model", ok=False)
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("acme/private-model", r.stderr)
        self.assertIn("not found", r.stderr)
        r = self.hf("acme/private-model", "config.json", env={"HF_TOKEN": CARL}, ok=False)
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("acme/private-model", r.stderr)
        self.hf("acme/private-model", env={"HF_TOKEN": READ})
        harness.assert_repo_cached(self, self.pair, self.cache, "acme/private-model")
        self.assertEqual({e["auth"] for e in self.hub_log()} - {None},
                         {harness.token_hash(CARL), harness.token_hash(READ)})

    def test_invalid_env_token(self):
        bad = "hf_thisTokenIsNotValid00000000000000000"
        r = self.hf(TINY, env={"HF_TOKEN": bad}, ok=False)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("HF_TOKEN", r.stderr)
        harness.assert_no_token(self, bad, r)
        r = self.hf(TINY, "config.json", env={"HF_TOKEN": bad}, ok=False)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("HF_TOKEN", r.stderr)
        self.assertEqual(harness.scan_tree_for_token(self.sb.root, bad), [])

    def test_invalid_env_token_after_a_failed_gated_attempt(self):
        # A first anonymous attempt leaves refs/main behind; a bad token must
        # still be reported as a bad token, not as an unreachable Hub.
        self.hf(LLAMA, ok=False)
        bad = "hf_thisTokenIsNotValid00000000000000000"
        r = self.hf(LLAMA, env={"HF_TOKEN": bad}, ok=False)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("HF_TOKEN", r.stderr)

    def test_disable_implicit_token(self):
        self.sb.write_token(READ)
        env = {"HF_HUB_DISABLE_IMPLICIT_TOKEN": "1"}
        r = self.hf(LLAMA, "config.json", env=env, ok=False)
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertEqual({e["auth"] for e in self.hub_log()}, {None})
        self.pair.reset()
        r = self.hf(LLAMA, "config.json", "--token", READ, env=env)
        self.assertEqual(human_path(r), os.path.join(self.snap(LLAMA), "config.json"))
        self.assert_hub_saw(READ)


class LocalDirTest(DownloadCase):
    """--local-dir: real files plus .cache/huggingface bookkeeping (hub-protocol.md §5.4)."""

    def setUp(self):
        super().setUp()
        self.ld = os.path.join(self.sb.root, "out")

    def meta(self, path):
        with open(os.path.join(self.ld, ".cache", "huggingface", "download",
                               path + ".metadata")) as f:
            return f.read()

    def test_offline_returns_the_filled_local_dir(self):
        self.hf(TINY, "--local-dir", self.ld)
        self.pair.reset()
        r = self.hf(TINY, "--local-dir", self.ld, env={"HF_HUB_OFFLINE": "1"})
        self.assertEqual(human_path(r), os.path.realpath(self.ld))
        self.assertEqual(self.pair.hub.count() + self.pair.cdn.count(), 0)
        empty = os.path.join(self.sb.root, "empty")
        os.makedirs(empty)
        r = self.hf(TINY, "--local-dir", empty, env={"HF_HUB_OFFLINE": "1"}, ok=False)
        self.assertEqual(r.returncode, 11, r.stderr)
        self.assertIn("offline mode", r.stderr)

    def test_real_files_and_metadata(self):
        r = self.hf(TINY, "--local-dir", self.ld)
        self.assertEqual(human_path(r), os.path.realpath(self.ld))
        for p in TINY_FILES:
            fp = os.path.join(self.ld, p)
            self.assertFalse(os.path.islink(fp), p)
            self.assertTrue(os.path.isfile(fp), p)
            with open(fp, "rb") as f:
                self.assertEqual(f.read(), self.pair.file_bytes(TINY, p), p)
            lines = self.meta(p).split("\n")
            self.assertEqual(len(lines), 4, lines)  # three lines, each ending in "\n"
            self.assertEqual(lines[0], self.pair.commit(TINY))
            self.assertEqual(lines[1], self.pair.etag(TINY, p))
            self.assertRegex(lines[2], r"^\d+\.\d+$")
            self.assertLess(abs(float(lines[2]) - time.time()), 120)
            self.assertEqual(lines[3], "")
        with open(os.path.join(self.ld, ".cache", "huggingface", ".gitignore"), "rb") as f:
            self.assertEqual(f.read(), b"*")
        top = sorted(os.listdir(self.ld))
        self.assertEqual(top, sorted([".cache"] + list({p.split("/")[0] for p in TINY_FILES})))
        # Nothing went to the cache.
        self.assertFalse(os.path.exists(self.repo_dir()))
        self.assert_no_temps()
        r = self.hf(TINY, "config.json", "--local-dir", self.ld, "-q")
        self.assertEqual(r.stdout.strip(), os.path.join(self.ld, "config.json"))

    def test_second_run_downloads_nothing(self):
        self.hf(TINY, "--local-dir", self.ld)
        tree = os.path.join(self.ld, ".cache", "huggingface", "trees",
                            self.pair.commit(TINY) + ".json")
        with open(tree) as f:
            self.assertEqual(sorted(json.load(f)["files"]), TINY_FILES)
        self.pair.reset()
        self.hf(TINY, "--local-dir", self.ld)
        # Only the revision is asked; the listing comes from the local dir's tree cache.
        self.assertEqual([e["path"] for e in self.hub_log()], ["/api/models/acme/tiny/revision/main"])
        self.assertEqual(self.cdn_log(), [])
        self.hf(TINY, "model.safetensors", "--local-dir", self.ld)
        self.assertEqual(self.hub_log(r"/resolve", "GET"), [])
        self.assertEqual(self.cdn_log(), [])

    def test_modified_file_is_downloaded_again(self):
        self.hf(TINY, "--local-dir", self.ld)
        cfg = os.path.join(self.ld, "config.json")
        with open(cfg, "wb") as f:
            f.write(b'{"edited": true}\n')
        future = time.time() + 30
        os.utime(cfg, (future, future))
        self.pair.reset()
        self.hf(TINY, "--local-dir", self.ld)
        with open(cfg, "rb") as f:
            self.assertEqual(f.read(), self.pair.file_bytes(TINY, "config.json"))
        fetched = [e["path"] for e in self.hub_log(r"/resolve/", "GET")]
        self.assertEqual(len(fetched), 1, fetched)
        self.assertIn("/config.json", fetched[0])
        self.assertEqual(self.cdn_log(), [])

    def test_cached_blobs_are_copied(self):
        self.hf(TINY)
        self.pair.reset()
        self.hf(TINY, "--local-dir", self.ld)
        for p in TINY_FILES:
            fp = os.path.join(self.ld, p)
            self.assertFalse(os.path.islink(fp))
            with open(fp, "rb") as f:
                self.assertEqual(f.read(), self.pair.file_bytes(TINY, p), p)
        self.assertEqual(self.hub_log(r"/resolve"), [])
        self.assertEqual(self.hub_log(r"/api/resolve-cache"), [])
        self.assertEqual(self.cdn_log(), [])
        self.assert_no_temps()


class ManyFilesTest(DownloadCase):
    """2,500 files: tree pagination followed, every file there."""

    def test_many_files(self):
        repo = "acme/many-files"
        t0 = time.monotonic()
        r = self.hf(repo, "--max-workers", "8", "-q", timeout=180)
        elapsed = time.monotonic() - t0
        snap = r.stdout.strip()
        self.assertEqual(snap, self.snap(repo))
        files = self.pair.files(repo)
        self.assertEqual(len(files), 2500)
        self.assertEqual(walk_files(snap), files)
        trees = self.hub_log(r"^/api/models/acme/many-files/tree/")
        self.assertEqual(len(trees), 3, [e["path"] for e in trees])
        self.assertEqual(sum("cursor=" in e["path"] for e in trees), 2)
        self.assertEqual(len(self.hub_log(r"/resolve/", "GET")), 2500)
        for p in files[::97] + files[-1:]:
            with open(os.path.join(snap, p), "rb") as f:
                self.assertEqual(f.read(), self.pair.file_bytes(repo, p), p)
        self.assertEqual(len(os.listdir(os.path.join(self.repo_dir(repo), "blobs"))),
                         len({self.pair.etag(repo, p) for p in files}))
        self.assertEqual(harness.bad_blobs(self.cache), [])
        self.assert_no_temps()
        sys.stderr.write(f"[many-files: 2,500 files in {elapsed:.1f}s] ")


class OfflineTest(DownloadCase):
    """HF_HUB_OFFLINE=1 uses only the cache; a stopped hub falls back to it."""

    OFF = {"HF_HUB_OFFLINE": "1"}

    def test_empty_cache(self):
        r = self.hf(TINY, env=self.OFF, ok=False)
        self.assertEqual(r.returncode, 11, r.stderr)
        self.assertIn("offline mode", r.stderr)
        r = self.hf(TINY, "config.json", env=self.OFF, ok=False)
        self.assertEqual(r.returncode, 11, r.stderr)
        self.assertIn("offline mode", r.stderr)
        self.assertEqual(self.hub_log(), [])
        self.assertEqual(self.cdn_log(), [])

    def test_partial_cache(self):
        self.hf(TINY, "--include", "config.json")
        self.pair.reset()
        r = self.hf(TINY, env=self.OFF, ok=False)
        self.assertEqual(r.returncode, 11, r.stderr)
        self.assertIn("incomplete", r.stderr)
        self.assertIn("offline mode", r.stderr)
        # What is cached is still served.
        r = self.hf(TINY, "config.json", "-q", env=self.OFF)
        self.assertEqual(r.stdout.strip(), os.path.join(self.snap(), "config.json"))
        r = self.hf(TINY, "--include", "*.json", env=self.OFF, ok=False)
        self.assertEqual(r.returncode, 11, r.stderr)
        self.assertIn("tokenizer.json", r.stderr)
        self.assertEqual(self.hub_log(), [])
        self.assertEqual(self.cdn_log(), [])

    def test_hub_down_serves_the_cache(self):
        pair = harness.HubPair(self)
        sb = harness.Sandbox(self, hub=pair)
        r = sb.run(["download", TINY, "-q"])
        self.assertEqual(r.returncode, 0, r.stderr)
        path = r.stdout.strip()
        pair.stop()
        t0 = time.monotonic()
        r = sb.run(["download", TINY, "-q"], timeout=60)
        elapsed = time.monotonic() - t0
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), path)
        r = sb.run(["download", TINY, "config.json", "-q"], timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), os.path.join(path, "config.json"))
        # The revision call is not retried when the Hub cannot be reached
        # (hub-protocol.md §5.1): the cache answers at once.
        self.assertLess(elapsed, 5.0)
        # Not cached: a clear error, not a hang.
        r = sb.run(["download", "acme/tiny-space", "--repo-type", "space"], timeout=60)
        self.assertNotEqual(r.returncode, 0)
        self.assertTrue(r.stderr.startswith("Error:"), r.stderr)


if __name__ == "__main__":
    unittest.main()

#!/usr/bin/env python3
"""Cache interop with the official JavaScript client (@huggingface/hub).

The JS client (installed with npm into tests/integration/js/node_modules on
first use, pinned in js/package.json) downloads acme/tiny from the test hub
into a cache; `hf download` must serve it offline, and a cache written by
`hf` must have the same layout (link targets, blob names, bytes) as the JS
one (reliability.md (b) 60). Skipped, with the reason, when node/npm are
missing or npm cannot install the package.

    cd tests/integration && HF_BIN=/path/to/hf python3 -m unittest -v test_interop_js
"""

import json
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

JS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "js")
PACKAGE = "@huggingface/hub"
TINY = "acme/tiny"


def js_client_dir():
    """js/ with @huggingface/hub installed, or raise unittest.SkipTest saying why."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        raise unittest.SkipTest("node and npm are needed for the JavaScript interop test")
    with open(os.path.join(JS_DIR, "package.json")) as f:
        want = json.load(f)["dependencies"][PACKAGE]
    installed = os.path.join(JS_DIR, "node_modules", *PACKAGE.split("/"), "package.json")
    if os.path.exists(installed):
        with open(installed) as f:
            if json.load(f).get("version") == want:
                return JS_DIR
    try:
        r = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--no-save",
                            "--no-package-lock", "--loglevel=error"],
                           cwd=JS_DIR, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        raise unittest.SkipTest(f"npm install {PACKAGE}@{want} timed out (no network?)")
    if r.returncode != 0 or not os.path.exists(installed):
        tail = (r.stderr or r.stdout).strip().splitlines()[-3:]
        raise unittest.SkipTest(f"npm install {PACKAGE}@{want} failed (no network?): "
                                + " | ".join(tail))
    return JS_DIR


def layout(cache, repo_id="acme/tiny"):
    """{relative path: ("link", target) | ("file", bytes)} of a repo folder,
    leaving out what only one client writes (trees/ and .no_exist/)."""
    root = os.path.join(cache, harness.repo_folder_name(repo_id))
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        if rel_dir.split(os.sep)[0] in ("trees", ".no_exist"):
            continue
        for n in filenames:
            p = os.path.join(dirpath, n)
            rel = os.path.relpath(p, root)
            if os.path.islink(p):
                out[rel] = ("link", os.readlink(p))
            else:
                with open(p, "rb") as f:
                    out[rel] = ("file", f.read())
    return out


class JsInteropTest(unittest.TestCase):
    pair = None

    @classmethod
    def setUpClass(cls):
        cls.js = js_client_dir()
        cls.pair = harness.HubPair()

    @classmethod
    def tearDownClass(cls):
        if cls.pair:
            cls.pair.stop()

    def setUp(self):
        self.pair.reset()
        self.sb = harness.Sandbox(self, hub=self.pair)

    def tearDown(self):
        self.assertEqual(self.pair.violations(), [])

    def js_download(self, cache, repo_id=TINY, revision="main"):
        r = subprocess.run(["node", os.path.join(self.js, "download.mjs"), self.pair.url, cache,
                            repo_id, revision], cwd=self.js, capture_output=True, text=True,
                           timeout=120, env={"PATH": os.environ.get("PATH", ""),
                                             "HOME": self.sb.home})
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout.strip().splitlines()[-1])
        self.assertTrue(any("/resolve/" in q for q in out["requests"]), out["requests"])
        return out["path"]

    def test_hf_serves_a_js_cache_offline(self):
        cache = os.path.join(self.sb.root, "js-cache")
        js_path = self.js_download(cache)
        self.assertEqual(js_path, os.path.join(cache, "models--acme--tiny", "snapshots",
                                               self.pair.commit(TINY)))
        harness.assert_repo_cached(self, self.pair, cache, TINY)  # the JS client's layout
        self.pair.reset()
        env = {"HF_HUB_OFFLINE": "1", "HF_HUB_CACHE": cache}
        r = self.sb.run(["download", TINY, "-q"], env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), js_path)
        for p in ["config.json", "onnx/model.onnx", "weird name+1.txt"]:
            r = self.sb.run(["download", TINY, p, "-q"], env=env)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout.strip(), os.path.join(js_path, p))
            with open(r.stdout.strip(), "rb") as f:
                self.assertEqual(f.read(), self.pair.file_bytes(TINY, p))
        self.assertEqual(self.pair.hub.requests(), [])
        self.assertEqual(self.pair.cdn.requests(), [])
        # Online, hf finds everything in place and fetches no bytes.
        r = self.sb.run(["download", TINY, "-q"], env={"HF_HUB_CACHE": cache})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), js_path)
        self.assertEqual(self.pair.hub.requests(r"/resolve"), [])
        self.assertEqual(self.pair.cdn.requests(), [])

    def test_same_layout_as_js(self):
        js_cache = os.path.join(self.sb.root, "js-cache")
        self.js_download(js_cache)
        r = self.sb.run(["download", TINY, "-q"])
        self.assertEqual(r.returncode, 0, r.stderr)
        ours, theirs = layout(self.sb.hub_cache), layout(js_cache)
        self.assertEqual(sorted(ours), sorted(theirs))
        for rel in theirs:
            self.assertEqual(ours[rel], theirs[rel], rel)
        # Relative links: both caches stay valid when moved.
        moved = os.path.join(self.sb.root, "moved")
        shutil.move(self.sb.hub_cache, moved)
        r = self.sb.run(["download", TINY, "-q"], env={"HF_HUB_OFFLINE": "1",
                                                        "HF_HUB_CACHE": moved})
        self.assertEqual(r.returncode, 0, r.stderr)
        harness.assert_repo_cached(self, self.pair, moved, TINY)

    def test_js_completes_a_cache_hf_started(self):
        r = self.sb.run(["download", TINY, "--include", "*.json", "-q"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.pair.reset()
        self.js_download(self.sb.hub_cache)
        harness.assert_repo_cached(self, self.pair, self.sb.hub_cache, TINY)
        # The JS client reused hf's blobs: no CDN fetch of tokenizer.json again.
        self.assertEqual(self.pair.cdn.requests(r"^/repos/" + self.pair.sha256(TINY,
                                                                                "tokenizer.json")), [])
        self.assertEqual(harness.find_temp_files(self.sb.hub_cache), [])


if __name__ == "__main__":
    unittest.main()

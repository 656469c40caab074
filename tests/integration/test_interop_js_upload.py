#!/usr/bin/env python3
"""Upload interop with the official JavaScript client (@huggingface/hub).

- What the JS client commits (a regular file and a multipart LFS file), `hf
  download` gets byte for byte;
- what `hf upload` commits, the JS client downloads byte for byte;
- the same files uploaded by each give the same remote tree: paths, sizes,
  which files are LFS, blob and LFS ids.

The hub makes 1 MiB parts above 2 MiB, so both clients go multipart. Skipped,
with the reason, when node/npm are missing (test_interop_js.js_client_dir).

    cd tests/integration && HF_BIN=/path/to/hf python3 -m unittest -v test_interop_js_upload
"""

import base64
import json
import os
import subprocess
import sys
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from test_interop_js import js_client_dir  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "hub"))
import testhub  # noqa: E402

WRITE = testhub.WRITE_TOKEN
MiB = 1 << 20


def files_of(seed):
    """A regular file, a small LFS file (by .gitattributes) and a multipart LFS file."""
    rnd = __import__("random").Random(seed)
    return {
        "config.json": json.dumps({"seed": seed, "hidden_size": 64}).encode(),
        "tokenizer/vocab.txt": "\n".join(f"tok{i}" for i in range(500)).encode(),
        "small.bin": bytes(rnd.getrandbits(8) for _ in range(5000)),
        "model.safetensors": rnd.randbytes(3 * MiB + 17),
    }


class JsUploadInteropTest(unittest.TestCase):
    pair = None
    n = 0

    @classmethod
    def setUpClass(cls):
        cls.js = js_client_dir()
        cls.pair = harness.HubPair(config={"multipart_chunk_size": MiB,
                                           "multipart_threshold": 2 * MiB})

    @classmethod
    def tearDownClass(cls):
        if cls.pair:
            cls.pair.stop()

    def setUp(self):
        self.pair.reset()
        self.sb = harness.Sandbox(self, hub=self.pair)

    def tearDown(self):
        self.assertEqual(self.pair.violations(), [])

    # -- helpers ---------------------------------------------------------------
    def new_repo(self):
        JsUploadInteropTest.n += 1
        repo = f"alice/interop-{os.getpid()}-{JsUploadInteropTest.n}"
        r = self.hf("repos", "create", repo)
        self.assertEqual(r.returncode, 0, r.stderr)
        return repo

    def hf(self, *args):
        return self.sb.run(list(args), env={"HF_TOKEN": WRITE}, timeout=120)

    def js_commit(self, repo, files, title="Upload with the JS client"):
        spec = {"commit": {"title": title, "files": [
            {"path": p, "b64": base64.b64encode(d).decode()} for p, d in sorted(files.items())]}}
        r = subprocess.run(["node", os.path.join(self.js, "upload.mjs"), self.pair.url, WRITE, repo],
                           cwd=self.js, input=json.dumps(spec), capture_output=True, text=True,
                           timeout=180, env={"PATH": os.environ.get("PATH", ""),
                                             "HOME": self.sb.home})
        self.assertEqual(r.returncode, 0, r.stderr)

    def js_download(self, repo, cache):
        r = subprocess.run(["node", os.path.join(self.js, "download.mjs"), self.pair.url, cache,
                            repo, "main"], cwd=self.js, capture_output=True, text=True,
                           timeout=180, env={"PATH": os.environ.get("PATH", ""),
                                             "HOME": self.sb.home})
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout.strip().splitlines()[-1])["path"]

    def write_folder(self, files):
        root = os.path.join(self.sb.root, "src-" + os.urandom(4).hex())
        for p, d in files.items():
            path = os.path.join(root, p)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(d)
        return root

    def tree(self, repo):
        """{path: (size, oid, lfs oid or None)} of main, recursively."""
        url = f"{self.pair.url}/api/models/{repo}/tree/main?recursive=true"
        with urllib.request.urlopen(url, timeout=30) as r:
            entries = json.loads(r.read())
        return {e["path"]: (e["size"], e["oid"], (e.get("lfs") or {}).get("oid"))
                for e in entries if e["type"] == "file"}

    def assert_folder(self, root, files):
        for p, d in files.items():
            with open(os.path.join(root, p), "rb") as f:
                self.assertEqual(f.read(), d, p)

    # -- tests -------------------------------------------------------------------
    def test_js_upload_then_hf_download(self):
        repo, files = self.new_repo(), files_of(1)
        self.js_commit(repo, files)
        self.assertGreater(len(self.pair.cdn.requests(r"^/lfs-upload/mp/", "PUT")), 1,
                           "the JS client did not go multipart")
        out = os.path.join(self.sb.root, "dl")
        r = self.hf("download", repo, "--local-dir", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assert_folder(out, files)

    def test_hf_upload_then_js_download(self):
        repo, files = self.new_repo(), files_of(2)
        r = self.hf("upload", repo, self.write_folder(files), ".")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertGreater(len(self.pair.cdn.requests(r"^/lfs-upload/mp/", "PUT")), 1,
                           "hf did not go multipart")
        snapshot = self.js_download(repo, os.path.join(self.sb.root, "js-cache"))
        self.assert_folder(snapshot, files)

    def test_same_remote_tree_as_js(self):
        files = files_of(3)
        by_js, by_hf = self.new_repo(), self.new_repo()
        self.js_commit(by_js, files)
        r = self.hf("upload", by_hf, self.write_folder(files), ".")
        self.assertEqual(r.returncode, 0, r.stderr)
        js_tree, hf_tree = self.tree(by_js), self.tree(by_hf)
        self.assertEqual(hf_tree, js_tree)
        # LFS by the server's rules, for both: the .bin and .safetensors files.
        self.assertEqual(sorted(p for p, v in hf_tree.items() if v[2]),
                         ["model.safetensors", "small.bin"])


if __name__ == "__main__":
    unittest.main()

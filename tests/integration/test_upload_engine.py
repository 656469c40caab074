#!/usr/bin/env python3
"""The commit engine (hf_upload_folder) end to end, through examples/upload_folder.c,
against the test hub + CDN (harness.HubPair; write API: tests/hub/write_api.py).

What is checked goes through the hub's read side (tree, raw, commits, revision)
and its request logs: files and bytes, which are LFS, the commit message, the
no-op rerun (no commit, no PUT), the hash cache (nothing read again), a file
that grows during the upload (HF_ECHANGED, exit 13, nothing committed), a read
token (HF_EFORBIDDEN, exit 4), multipart, --delete, README checks, pull
requests, a lost commit answer, and that no token ever reaches the CDN.

    cd tests/integration && HF_BIN=/path/to/build/hf python3 -m unittest -v test_upload_engine
"""

import hashlib
import json
import os
import resource
import subprocess
import sys
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from test_examples import examples_dir  # noqa: E402

WRITE, READ = harness.WRITE_TOKEN, harness.READ_TOKEN
MiB = 1024 * 1024
# hf_remedy values (include/hf/errors.h)
REMEDY_WRITE_TOKEN, REMEDY_CREATE_REPO = 13, 15


def call(method, url, token=None, body=None):
    h = {}
    if body is not None:
        body = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    if token:
        h["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=body, headers=h, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def blob_sha1(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class UploadEngineTest(harness.HubPairCase):
    n = 0

    @classmethod
    def setUpClass(cls):
        exe = os.path.join(examples_dir(), "upload_folder")
        if not os.access(exe, os.X_OK):
            raise unittest.SkipTest(f"examples not built ({exe} missing)")
        cls.exe = exe
        super().setUpClass()

    def setUp(self):
        super().setUp()
        self.pair.hub.update_config({"multipart_chunk_size": 16_000_000,
                                     "multipart_threshold": 16_000_000})
        self.hub = self.pair.hub.url
        UploadEngineTest.n += 1
        self.name = f"engine-{os.getpid()}-{UploadEngineTest.n}"
        self.repo = "alice/" + self.name
        st, b = call("POST", f"{self.hub}/api/repos/create", WRITE,
                     {"name": self.name, "type": "model"})
        self.assertEqual(st, 200, b)
        self.folder = os.path.join(self.sb.root, "folder")
        os.makedirs(self.folder)
        self.pair.reset()

    def tearDown(self):
        # no credential of any kind ever reached the CDN (presigned URLs only)
        self.assertEqual([e for e in self.pair.cdn.requests()
                          if e.get("auth") or e.get("auth_scheme")], [])
        super().tearDown()

    # -- helpers -------------------------------------------------------------
    def write(self, rel, data):
        p = os.path.join(self.folder, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        return p

    def run_exe(self, exe, args, env=None, max_files=None):
        """Run an example program as a user would (the sandbox's clean env)."""
        def limit():
            if max_files is not None:
                resource.setrlimit(resource.RLIMIT_NOFILE, (max_files, max_files))
        try:
            p = subprocess.run([exe, *args], env=self.sb.env(env), capture_output=True, text=True,
                               errors="replace", timeout=120, cwd=self.sb.cwd,
                               stdin=subprocess.DEVNULL, preexec_fn=limit)
        except subprocess.TimeoutExpired:
            self.fail(f"{exe} {args} timed out")
        self.sb.check_sanitizer(p.returncode, p.stderr, os.path.basename(exe))
        return p

    def run_upload(self, *args, token=WRITE, env=None, rc=0, max_files=None):
        e = {"HF_TOKEN": token}
        e.update(env or {})
        p = self.run_exe(self.exe, [self.repo, self.folder, *args], env=e, max_files=max_files)
        for t in harness.DEFAULT_TOKENS:
            harness.assert_no_token(self, t, p.stdout, p.stderr)
        self.assertEqual(p.returncode, rc, f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}")
        return p

    def out(self, p):
        vals = {}
        for ln in p.stdout.splitlines():
            if ln.startswith("added: "):
                parts = ln.split()
                for k, v in zip(parts[0::2], parts[1::2]):
                    vals[k.rstrip(":")] = int(v)
            elif ": " in ln:
                k, v = ln.split(": ", 1)
                vals[k] = v
        return vals

    def tree(self, rev="main"):
        st, b = call("GET", f"{self.hub}/api/models/{self.repo}/tree/{rev}?recursive=true", WRITE)
        self.assertEqual(st, 200, b)
        return {e["path"]: e for e in json.loads(b) if e["type"] == "file"}

    def raw(self, path, rev="main"):
        st, b = call("GET", f"{self.hub}/{self.repo}/raw/{rev}/{path}", WRITE)
        self.assertEqual(st, 200, b)
        return b

    def head(self, rev="main"):
        st, b = call("GET", f"{self.hub}/api/models/{self.repo}/revision/{rev}", WRITE)
        self.assertEqual(st, 200, b)
        return json.loads(b)["sha"]

    def commits(self, rev="main"):
        st, b = call("GET", f"{self.hub}/api/models/{self.repo}/commits/{rev}", WRITE)
        self.assertEqual(st, 200, b)
        return json.loads(b)

    def hub_paths(self, method=None):
        return [e["path"] for e in self.pair.hub.requests(method=method)]

    # -- tests ---------------------------------------------------------------
    def test_folder_regular_lfs_then_noop_from_cache(self):
        big = os.urandom(3000)
        self.write("a.txt", "hello\n")
        self.write("sub/b.txt", "bbb\n")
        self.write("model.bin", big)                         # LFS by the default .gitattributes
        self.write(".git/config", "[core]\n")                # never uploaded
        self.write(".cache/huggingface/other", "x")          # never uploaded
        p = self.run_upload()
        calls = self.hub_paths()
        o = self.out(p)
        self.assertRegex(o["commit"], r"\A[0-9a-f]{40}\Z")
        self.assertEqual(o["url"], f"{self.hub}/{self.repo}/commit/{o['commit']}")
        self.assertEqual((o["no_op"], o["added"], o["deleted"], o["lfs_sent"], o["lfs_skipped"],
                          o["bytes_sent"]), ("0", 3, 0, 1, 0, 3000))
        self.assertEqual(o["bytes_to_hash"], str(6 + 4 + 3000))
        # every phase reported, never two calls at once, the last one complete
        self.assertRegex(o["progress"], r"\Aphases 15 calls \d+ overlaps 0 last phase 3 "
                                        r"files 3/3 sent 3000/3000 hashed 3010\Z")
        self.assertEqual(self.head(), o["commit"])
        tree = self.tree()
        self.assertEqual(sorted(tree), [".gitattributes", "a.txt", "model.bin", "sub/b.txt"])
        self.assertEqual(self.raw("a.txt"), b"hello\n")
        self.assertEqual(tree["a.txt"]["oid"], blob_sha1(b"hello\n"))
        self.assertNotIn("lfs", tree["a.txt"])
        self.assertEqual(tree["model.bin"]["lfs"]["oid"], hashlib.sha256(big).hexdigest())
        self.assertEqual(self.raw("model.bin"),
                         b"version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize 3000\n"
                         % hashlib.sha256(big).hexdigest().encode())
        c = self.commits()
        self.assertEqual(c[0]["id"], o["commit"])
        self.assertEqual(c[0]["title"], "Upload folder using huggingface_hub")
        # the order of the calls (upload-protocol.md §1)
        self.assertEqual(calls, [
            f"/api/models/{self.repo}/preupload/main",
            f"/{self.repo}.git/info/lfs/objects/batch",
            f"/{self.repo}.git/info/lfs/objects/verify",
            f"/api/models/{self.repo}/revision/main",
            f"/api/models/{self.repo}/commit/main"])
        self.assertEqual([(e["method"], e["path"].split("?")[0]) for e in self.pair.cdn.requests()],
                         [("PUT", f"/lfs-upload/basic/{hashlib.sha256(big).hexdigest()}")])
        self.assertTrue(os.path.exists(os.path.join(self.folder, ".cache/huggingface/upload-hashes")))

        # the same again: nothing read (hash cache), nothing sent, no commit
        self.pair.reset()
        o2 = self.out(self.run_upload())
        calls = self.hub_paths()
        self.assertEqual((o2["no_op"], o2["commit"], o2["bytes_to_hash"], o2["lfs_sent"]),
                         ("1", o["commit"], "0", 0))
        self.assertRegex(o2["progress"], r"\Aphases 13 calls \d+ overlaps 0 last phase 3 "
                                         r"files 3/3 sent 0/0 hashed 0\Z")
        self.assertEqual(o2["url"], o["url"])
        self.assertEqual(self.pair.cdn.requests(), [])
        self.assertEqual(calls, [f"/api/models/{self.repo}/preupload/main",
                                 f"/api/models/{self.repo}/revision/main"])
        self.assertEqual(self.head(), o["commit"])

        # without the cache every file is read again
        o3 = self.out(self.run_upload("--no-hash-cache"))
        self.assertEqual((o3["no_op"], o3["bytes_to_hash"]), ("1", str(3010)))

        # a changed file (same size, new mtime) is read again, and only it
        self.write("a.txt", "HELLO\n")
        o4 = self.out(self.run_upload("--message", "second"))
        self.assertEqual((o4["no_op"], o4["added"], o4["bytes_to_hash"]), ("0", 1, "6"))
        self.assertEqual(self.raw("a.txt"), b"HELLO\n")
        self.assertEqual(self.commits()[0]["title"], "second")

    def test_more_files_than_open_descriptors(self):
        # 300 files (some LFS) with at most 64 descriptors: each file is open
        # only while it is read
        for i in range(270):
            self.write(f"many/f{i:03d}.txt", f"file {i}\n")
        for i in range(30):
            self.write(f"many/w{i:02d}.bin", os.urandom(100 + i))
        o = self.out(self.run_upload(max_files=64))
        self.assertEqual((o["added"], o["lfs_sent"]), (300, 30))
        tree = self.tree()
        self.assertEqual(len(tree), 301)
        self.assertEqual(self.raw("many/f123.txt"), b"file 123\n")
        o = self.out(self.run_upload(max_files=64))
        self.assertEqual((o["no_op"], o["bytes_to_hash"]), ("1", "0"))

    def test_file_replaced_after_hashing(self):
        # same size and bytes, another inode: not the file that was hashed
        self.write("a.txt", "hello\n")
        p = self.run_upload(env={"UPLOAD_EXAMPLE_REPLACE": os.path.join(self.folder, "a.txt")},
                            rc=13)
        self.assertIn("a.txt' changed during the upload: nothing was committed", p.stderr)
        self.assertEqual(self.pair.hub.count(r"/commit/", "POST"), 0)

    def test_file_growing_during_upload_is_not_committed(self):
        self.write("a.txt", "hello\n")
        grow = self.write("model.bin", os.urandom(5000))
        before = self.head()
        p = self.run_upload(env={"UPLOAD_EXAMPLE_GROW": grow}, rc=13)
        self.assertIn("changed during the upload: nothing was committed", p.stderr)
        self.assertIn("model.bin", p.stderr)
        self.assertIn("(HF_ECHANGED)", p.stderr)
        self.assertEqual(self.pair.hub.count(r"/commit/", "POST"), 0)
        self.assertEqual(self.head(), before)

    def test_regular_file_growing_before_commit(self):
        grow = self.write("a.txt", "hello\n")
        before = self.head()
        self.run_upload(env={"UPLOAD_EXAMPLE_GROW": grow}, rc=13)
        self.assertEqual(self.pair.hub.count(r"/commit/", "POST"), 0)
        self.assertEqual(self.head(), before)

    def test_read_token_is_refused_with_remedy(self):
        self.write("a.txt", "hello\n")
        p = self.run_upload(token=READ, rc=4)
        self.assertIn("Error: access to model '%s' denied (403): you must use a write token" % self.repo,
                      p.stderr)
        self.assertIn(f"Hint: the token is read-only: create one with write access at "
                      f"{self.hub}/settings/tokens", p.stderr)
        self.assertIn(f"remedy: {REMEDY_WRITE_TOKEN}", p.stdout)
        self.assertEqual(self.pair.hub.count(r"/commit/", "POST"), 0)

    def test_missing_repo_suggests_creating_it(self):
        self.write("a.txt", "hello\n")
        self.repo = "alice/does-not-exist"
        p = self.run_upload(rc=5)
        self.assertIn("repository 'alice/does-not-exist' not found", p.stderr)
        self.assertIn(f"remedy: {REMEDY_CREATE_REPO}", p.stdout)

    def test_no_token(self):
        self.write("a.txt", "hello\n")
        p = self.run_upload(token="", rc=3)
        self.assertIn("(HF_ENOTOKEN)", p.stderr)
        self.assertEqual(self.pair.hub.requests(), [])

    def test_offline_fails_at_once(self):
        self.write("a.txt", "hello\n")
        p = self.run_upload(env={"HF_HUB_OFFLINE": "1"}, rc=11)
        self.assertIn("(HF_EOFFLINE)", p.stderr)
        self.assertEqual(self.pair.hub.requests(), [])

    def test_multipart(self):
        self.pair.hub.update_config({"multipart_chunk_size": MiB, "multipart_threshold": MiB})
        data = os.urandom(2 * MiB + 12345)
        self.write("weights.bin", data)
        o = self.out(self.run_upload())
        oid = hashlib.sha256(data).hexdigest()
        self.assertEqual((o["lfs_sent"], o["bytes_sent"]), (1, len(data)))
        puts = [e["path"].split("?")[0] for e in self.pair.cdn.requests(method="PUT")]
        self.assertEqual(len(puts), 3)
        self.assertTrue(all(p.startswith("/lfs-upload/mp/") for p in puts), puts)
        done = self.pair.hub.requests(r"^/api/complete_multipart", "POST")
        self.assertEqual(len(done), 1)
        self.assertIsNone(done[0]["auth"])     # presigned: no credential
        self.assertEqual(self.tree()["weights.bin"]["lfs"]["oid"], oid)
        self.assertEqual(self.tree()["weights.bin"]["size"], len(data))

    def test_delete_patterns_and_path_in_repo(self):
        self.write("a.txt", "one\n")
        self.run_upload("data")
        self.write("b.txt", "two\n")
        os.remove(os.path.join(self.folder, "a.txt"))
        o = self.out(self.run_upload("data/", "--delete", "*.txt"))
        self.assertEqual((o["added"], o["deleted"]), (1, 1))
        self.assertEqual(sorted(self.tree()), [".gitattributes", "data/b.txt"])
        # a remote file that is also added is replaced, not deleted
        self.write("b.txt", "three\n")
        o = self.out(self.run_upload("data", "--delete", "*"))
        self.assertEqual((o["added"], o["deleted"]), (1, 0))
        self.assertEqual(self.raw("data/b.txt"), b"three\n")
        # .gitattributes at the root is never deleted
        o = self.out(self.run_upload("", "--delete", "*", "--include", "none"))
        self.assertEqual(sorted(self.tree()), [".gitattributes"])

    def test_dataset_repo(self):
        st, b = call("POST", f"{self.hub}/api/repos/create", WRITE,
                     {"name": self.name + "-ds", "type": "dataset"})
        self.assertEqual(st, 200, b)
        self.repo += "-ds"
        data = os.urandom(1500)
        self.write("train.parquet", data)
        self.write("README.md", "---\nlicense: mit\n---\n")
        self.pair.reset()
        o = self.out(self.run_upload("--type", "dataset"))
        self.assertEqual(o["url"], f"{self.hub}/datasets/{self.repo}/commit/{o['commit']}")
        self.assertEqual(self.pair.hub.requests(r"/api/validate-yaml")[0]["method"], "POST")
        self.assertEqual(self.pair.hub.count(rf"^/datasets/{self.repo}\.git/info/lfs/objects/batch$"),
                         1)
        st, b = call("GET", f"{self.hub}/api/datasets/{self.repo}/tree/main", WRITE)
        files = {e["path"]: e for e in json.loads(b)}
        self.assertEqual(files["train.parquet"]["lfs"]["oid"], hashlib.sha256(data).hexdigest())

    def test_include_exclude(self):
        self.write("a.txt", "a\n")
        self.write("sub/b.json", "{}\n")
        self.write("sub/c.txt", "c\n")
        self.run_upload("--include", "*.txt", "--exclude", "sub/*")
        self.assertEqual(sorted(self.tree()), [".gitattributes", "a.txt"])

    def test_symlink_out_of_folder_is_skipped(self):
        outside = os.path.join(self.sb.root, "secret.txt")
        with open(outside, "w") as f:
            f.write("secret\n")
        self.write("a.txt", "a\n")
        os.symlink(outside, os.path.join(self.folder, "leak.txt"))
        os.symlink("a.txt", os.path.join(self.folder, "alias.txt"))
        self.run_upload()
        self.assertEqual(sorted(self.tree()), [".gitattributes", "a.txt", "alias.txt"])
        self.assertEqual(self.raw("alias.txt"), b"a\n")

    def test_readme_metadata(self):
        self.write("README.md", "---\nlicense: mit\nthis is: [not closed\n")
        p = self.run_upload(rc=2)
        self.assertIn("Error: Invalid metadata in README.md", p.stderr)
        self.assertEqual(self.hub_paths(), ["/api/validate-yaml"])
        self.write("README.md", "---\nlicense: mit\n---\n# hi\n")
        self.run_upload()
        self.assertEqual(self.raw("README.md"), b"---\nlicense: mit\n---\n# hi\n")

    def test_create_pr(self):
        self.write("a.txt", "a\n")
        o = self.out(self.run_upload("--create-pr"))
        self.assertEqual(o["pr"], f"refs/pr/1 {self.hub}/{self.repo}/discussions/1")
        self.assertEqual(sorted(self.tree("refs%2Fpr%2F1")), [".gitattributes", "a.txt"])
        self.assertEqual(sorted(self.tree()), [".gitattributes"])
        self.assertIn(f"/api/models/{self.repo}/commit/main?create_pr=1", self.hub_paths("POST"))
        # a folder PR starts from main only (as the official client)
        p = self.run_upload("--create-pr", "--revision", "dev", rc=2)
        self.assertIn("create_pr", p.stderr)

    def test_commit_answer_lost_but_committed(self):
        # the hub makes the commit, then the connection drops without an answer
        self.write("a.txt", "a\n")
        self.pair.hub.set_faults([{"match": r"/commit/main", "method": "POST", "times": 1,
                                   "action": "drop"}])
        o = self.out(self.run_upload("--message", "lost answer"))
        self.assertEqual(self.head(), o["commit"])
        self.assertEqual(self.commits()[0]["title"], "lost answer")
        self.assertEqual(self.pair.hub.count(r"/commit/", "POST"), 1)   # never sent twice

    def test_commit_answer_lost_and_not_committed(self):
        # a 500 before the hub did anything: the head did not move
        self.write("a.txt", "a\n")
        before = self.head()
        self.pair.hub.set_faults([{"match": r"/commit/main", "method": "POST",
                                   "action": "status", "status": 500}])
        p = self.run_upload(rc=6)
        self.assertIn("the commit's answer was lost and it is not on the branch: nothing was "
                      "committed", p.stderr)
        self.assertEqual(self.pair.hub.count(r"/commit/", "POST"), 1)
        self.assertEqual(self.head(), before)

    def test_cancel_commits_nothing(self):
        self.write("model.bin", os.urandom(4000))
        before = self.head()
        p = self.run_upload("--cancel-when", "sending", rc=130)
        self.assertIn("(HF_ECANCELLED)", p.stderr)
        self.assertEqual(self.pair.hub.count(r"/commit/", "POST"), 0)
        self.assertEqual(self.head(), before)

    # -- hf_commit and hf_upload_file (examples/commit_ops.c) ------------------
    def run_ops(self, *args, token=WRITE, rc=0):
        exe = os.path.join(examples_dir(), "commit_ops")
        p = self.run_exe(exe, [self.repo, *args], env={"HF_TOKEN": token})
        for t in harness.DEFAULT_TOKENS:
            harness.assert_no_token(self, t, p.stdout, p.stderr)
        self.assertEqual(p.returncode, rc, f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}")
        return p

    def test_commit_ops_buffers_deletes_copies(self):
        local = self.write("w.bin", os.urandom(2000))
        o = self.out(self.run_ops("--message", "first", "put:a.txt=hello", "put:dir/b.txt=b",
                                  "put:dir/c.txt=c", "add:w.bin=" + local,
                                  "put:blob.bin=" + "x" * 100,      # a buffer that goes LFS
                                  "put:later.txt=one", "put:later.txt=two"))
        self.assertEqual((o["added"], o["lfs_sent"]), (6, 2))
        self.assertEqual(self.raw("later.txt"), b"two")          # a later add wins
        self.assertEqual(self.tree()["blob.bin"]["lfs"]["oid"],
                         hashlib.sha256(b"x" * 100).hexdigest())
        self.assertEqual(self.commits()[0]["title"], "first")
        o = self.out(self.run_ops("--message", "second", "del:a.txt", "deldir:dir/",
                                  "copy:copy.txt=later.txt", "copy:copy.bin=w.bin"))
        self.assertEqual((o["added"], o["deleted"], o["lfs_sent"]), (2, 2, 0))
        tree = self.tree()
        self.assertEqual(sorted(tree), [".gitattributes", "blob.bin", "copy.bin", "copy.txt",
                                        "later.txt", "w.bin"])
        self.assertEqual(self.raw("copy.txt"), b"two")
        self.assertEqual(tree["copy.bin"]["lfs"]["oid"], tree["w.bin"]["lfs"]["oid"])
        # nothing new: no commit (an add of the same bytes, a copy onto the same content)
        o = self.out(self.run_ops("--message", "third", "put:later.txt=two",
                                  "copy:copy.txt=later.txt", "copy:copy.bin=w.bin"))
        self.assertEqual((o["no_op"], o["commit"]), ("1", self.head()))
        self.assertEqual(self.pair.hub.count(r"/commit/", "POST"), 2)

    def test_commit_needs_a_message_and_checks_paths(self):
        p = self.run_ops("put:a.txt=x", rc=2)
        self.assertIn("a commit message is required", p.stderr)
        p = self.run_ops("--message", "m", "put:../a.txt=x", rc=2)
        self.assertIn("invalid path in repo '../a.txt'", p.stderr)
        p = self.run_ops("--message", "m", "put:.git/config=x", rc=2)
        self.assertIn("invalid path in repo '.git/config'", p.stderr)
        p = self.run_ops("--message", "m", "add:x=/nonexistent/file", rc=2)
        self.assertIn("cannot read '/nonexistent/file'", p.stderr)
        p = self.run_ops("--message", "m", "add:x=" + self.folder, rc=2)
        self.assertIn("is not a regular file", p.stderr)
        self.assertEqual(self.pair.hub.requests(), [])

    def test_parent_commit_conflict(self):
        old = self.head()
        self.run_ops("--message", "moves the branch", "put:a.txt=1")
        p = self.run_ops("--message", "m", "--parent", old, "put:b.txt=2", rc=12)
        self.assertIn("(HF_ECONFLICT)", p.stderr)
        self.assertNotIn("b.txt", self.tree())
        self.run_ops("--message", "m", "--parent", self.head(), "put:b.txt=2")
        self.assertIn("b.txt", self.tree())

    def test_delete_of_a_missing_file(self):
        p = self.run_ops("--message", "m", "del:nope.txt", rc=5)
        self.assertIn("(HF_ENOTFOUND)", p.stderr)

    def test_upload_file_default_message_and_revision(self):
        local = self.write("local name.txt", "content\n")
        call("POST", f"{self.hub}/api/models/{self.repo}/branch/dev", WRITE, {})
        o = self.out(self.run_ops("--file", local, "docs/readme.txt", "--revision", "dev"))
        self.assertEqual(self.commits("dev")[0]["title"], "Upload docs/readme.txt with huggingface_hub")
        self.assertEqual(self.raw("docs/readme.txt", "dev"), b"content\n")
        self.assertEqual(self.head("dev"), o["commit"])
        self.assertNotIn("docs/readme.txt", self.tree())
        self.out(self.run_ops("--file", local))
        self.assertEqual(self.commits()[0]["title"], "Upload local name.txt with huggingface_hub")

    @unittest.skipIf(os.geteuid() == 0, "root writes into read-only folders")
    def test_read_only_folder_gets_no_cache(self):
        self.write("a.txt", "a\n")
        os.chmod(self.folder, 0o555)
        try:
            self.run_upload()
            self.assertFalse(os.path.exists(os.path.join(self.folder, ".cache")))
        finally:
            os.chmod(self.folder, 0o755)
        self.assertEqual(self.raw("a.txt"), b"a\n")


if __name__ == "__main__":
    unittest.main()

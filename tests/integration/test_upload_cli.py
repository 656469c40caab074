#!/usr/bin/env python3
"""`hf upload`, `hf upload-large-folder` and `hf repos delete-files` against
the test hub's write API (tests/hub/write_api.py) and its CDN.

The order of calls is that of /work/shared/docs/upload-protocol.md §1; the
outputs are those of docs/cli.md; commits are read back through the hub
(GET /api/{t}/{repo}/commits/{rev}) and files through `hf download`.

    cd tests/integration && HF_BIN=/path/to/hf python3 -m unittest -v test_upload_cli
"""

import json
import os
import signal
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

READ, WRITE = harness.READ_TOKEN, harness.WRITE_TOKEN
MARK = "\u2713"
ULF_MESSAGE = "Add files using upload-large-folder tool"
BANNER_RULE = "=" * 80


def get(url, token=None):
    """(status, body bytes) of a GET."""
    req = urllib.request.Request(url)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def write(path, data):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


class UploadBase(harness.HubPairCase):
    """Helpers; the hub and its CDN are shared by a class."""

    # -- helpers -----------------------------------------------------------------
    def hf(self, *args, token=WRITE, code=0, env=None, **kw):
        e = {"HF_TOKEN": token}
        e.update(env or {})
        r = self.sb.run(list(args), env=e, **kw)
        if code is not None:
            self.assertEqual(r.returncode, code, f"hf {args}:\n{r.stdout}\n{r.stderr}")
        for t in harness.DEFAULT_TOKENS:
            harness.assert_no_token(self, t, r)
        return r

    def api(self, path, token=WRITE):
        st, body = get(self.pair.url + path, token)
        self.assertEqual(st, 200, body)
        return json.loads(body)

    def head(self, repo, rev="main", plural="models"):
        return self.api(f"/api/{plural}/{repo}/revision/{urllib.parse.quote(rev, safe='')}")["sha"]

    def files(self, repo, rev="main", plural="models"):
        info = self.api(f"/api/{plural}/{repo}/revision/{urllib.parse.quote(rev, safe='')}")
        return sorted(s["rfilename"] for s in info["siblings"])

    def titles(self, repo, rev="main", plural="models"):
        return [c["title"] for c in self.api(
            f"/api/{plural}/{repo}/commits/{urllib.parse.quote(rev, safe='')}")]

    def commits(self, repo, rev="main"):
        return self.api(f"/api/models/{repo}/commits/{urllib.parse.quote(rev, safe='')}")

    def raw(self, repo, path, rev="main"):
        r = self.hf("download", repo, path, "--revision", rev, "-q")
        with open(r.stdout.strip(), "rb") as f:
            return f.read()

    def api_calls(self):
        """(method, path without query) of the hub's /api/ and LFS requests, in order."""
        out = []
        for e in self.pair.hub.requests():
            p = e["path"].split("?")[0]
            if p.startswith("/api/") or ".git/info/lfs" in p:
                out.append((e["method"], p))
        return out

    def commit_posts(self):
        return [p for m, p in self.api_calls() if m == "POST" and "/commit/" in p]

    def cwd(self, *parts):
        return os.path.join(self.sb.cwd, *parts)


class UploadCase(UploadBase):

    # -- hf upload: one file -----------------------------------------------------
    def test_single_file_human_output_calls_and_message(self):
        write(self.cwd("weights.txt"), "hello\n")
        r = self.hf("upload", "alice/up-file", "weights.txt")
        sha = self.head("alice/up-file")
        self.assertEqual(r.stdout, f"{MARK} Uploaded\n  url: {self.pair.url}/alice/up-file/commit/{sha}\n")
        self.assertEqual(r.stderr, "")
        # the writes, in the order of upload-protocol.md §1 (the engine's reads
        # in between are its own business: tests/integration/test_upload*.py)
        self.assertEqual([c for c in self.api_calls() if c[0] == "POST"], [
            ("POST", "/api/repos/create"),
            ("POST", "/api/models/alice/up-file/preupload/main"),
            ("POST", "/api/models/alice/up-file/commit/main"),
        ])
        self.assertEqual(self.titles("alice/up-file"),
                         ["Upload weights.txt with huggingface_hub", "initial commit"])
        self.assertEqual(self.files("alice/up-file"), [".gitattributes", "weights.txt"])
        self.assertEqual(self.raw("alice/up-file", "weights.txt"), b"hello\n")

    def test_path_in_repo_quiet_json_agent(self):
        write(self.cwd("a.txt"), "A\n")
        r = self.hf("upload", "alice/up-fmt", "a.txt", "docs/renamed.txt", "-q")
        sha = self.head("alice/up-fmt")
        url = f"{self.pair.url}/alice/up-fmt/commit/{sha}"
        self.assertEqual(r.stdout, url + "\n")
        self.assertEqual(self.files("alice/up-fmt"), [".gitattributes", "docs/renamed.txt"])
        self.assertEqual(self.titles("alice/up-fmt")[0], "Upload docs/renamed.txt with huggingface_hub")
        write(self.cwd("a.txt"), "A2\n")
        r = self.hf("upload", "alice/up-fmt", "a.txt", "--format", "json",
                    "--commit-message", "mine", "--commit-description", "why")
        sha = self.head("alice/up-fmt")
        url = f"{self.pair.url}/alice/up-fmt/commit/{sha}"
        self.assertEqual(json.loads(r.stdout), {"url": url, "commit_url": url, "commit_oid": sha,
                                                "pr_url": None, "pr_revision": None, "no_op": False})
        c = self.commits("alice/up-fmt")[0]
        self.assertEqual((c["title"], c["message"]), ("mine", "mine\n\nwhy"))
        write(self.cwd("a.txt"), "A4\n")
        r = self.sb.run(["upload", "alice/up-fmt", "a.txt"], env={"HF_TOKEN": WRITE}, prog="huggingface-cli")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, f"{self.pair.url}/alice/up-fmt/commit/{self.head('alice/up-fmt')}\n")
        write(self.cwd("a.txt"), "A3\n")
        r = self.hf("upload", "alice/up-fmt", "a.txt", "--format", "agent")
        self.assertEqual(r.stdout, f"url={self.pair.url}/alice/up-fmt/commit/{self.head('alice/up-fmt')}\n")

    def test_repo_name_as_local_path(self):
        # LOCAL_PATH omitted: the file or folder named like the repository
        write(self.cwd("my-model", "x.txt"), "x\n")
        self.hf("upload", "alice/my-model")
        self.assertEqual(self.files("alice/my-model"), [".gitattributes", "x.txt"])
        self.assertEqual(self.titles("alice/my-model")[0], "Upload folder using huggingface_hub")
        # a name without namespace: the token's user's (the URL the Hub gives back)
        r = self.hf("upload", "my-model", "-q")
        self.assertEqual(r.stdout, f"{self.pair.url}/alice/my-model/commit/{self.head('alice/my-model')}\n")
        r = self.hf("upload", "alice/absent-name", code=2)
        self.assertEqual(r.stdout, "")
        self.assertEqual(r.stderr.splitlines()[0], "Error: 'absent-name' is not a local file or folder")

    # -- hf upload: folders ------------------------------------------------------
    def test_folder_include_exclude_path_in_repo(self):
        d = self.cwd("folder")
        write(os.path.join(d, "a.txt"), "a\n")
        write(os.path.join(d, "b.bin"), b"\x00" * 10)
        write(os.path.join(d, "sub", "c.txt"), "c\n")
        write(os.path.join(d, "sub", "d.txt"), "d\n")
        write(os.path.join(d, ".git", "HEAD"), "ref\n")
        self.hf("upload", "alice/up-dir", "folder", "data", "--include", "*.txt", "--exclude", "sub/d*")
        self.assertEqual(self.files("alice/up-dir"),
                         [".gitattributes", "data/a.txt", "data/sub/c.txt"])
        self.assertEqual(self.titles("alice/up-dir")[0], "Upload folder using huggingface_hub")

    def test_delete_in_the_same_commit(self):
        d = self.cwd("v1")
        write(os.path.join(d, "keep.md"), "k\n")
        write(os.path.join(d, "old.txt"), "o\n")
        write(os.path.join(d, "logs", "l.txt"), "l\n")
        self.hf("upload", "alice/up-del", "v1")
        d2 = self.cwd("v2")
        write(os.path.join(d2, "new.txt"), "n\n")
        self.pair.reset()
        self.hf("upload", "alice/up-del", "v2", "--delete", "*.txt")
        # new.txt is added, the other .txt files (also under logs/) deleted; .gitattributes kept
        self.assertEqual(self.files("alice/up-del"), [".gitattributes", "keep.md", "new.txt"])
        self.assertEqual(len(self.commit_posts()), 1)

    def test_wildcard_local_path(self):
        write(self.cwd("w1.json"), "{}\n")
        write(self.cwd("w2.json"), "[]\n")
        write(self.cwd("w.txt"), "t\n")
        self.hf("upload", "alice/up-wild", "*.json")
        self.assertEqual(self.files("alice/up-wild"), [".gitattributes", "w1.json", "w2.json"])
        r = self.hf("upload", "alice/up-wild", "*.json", "--include", "x", code=2)
        self.assertIn("wildcard", r.stderr.splitlines()[0])

    # -- revisions, pull requests, visibility -------------------------------------
    def test_revision_creates_missing_branch(self):
        write(self.cwd("f.txt"), "on dev\n")
        self.hf("upload", "alice/up-rev", "f.txt")
        self.pair.reset()
        write(self.cwd("g.txt"), "on dev too\n")
        r = self.hf("upload", "alice/up-rev", "g.txt", "--revision", "dev")
        calls = self.api_calls()
        self.assertIn(("POST", "/api/models/alice/up-rev/branch/dev"), calls)
        self.assertLess(calls.index(("POST", "/api/models/alice/up-rev/branch/dev")),
                        calls.index(("POST", "/api/models/alice/up-rev/commit/dev")))
        self.assertEqual(self.files("alice/up-rev", "dev"), [".gitattributes", "f.txt", "g.txt"])
        self.assertEqual(self.files("alice/up-rev"), [".gitattributes", "f.txt"])
        self.assertIn(f"/commit/{self.head('alice/up-rev', 'dev')}", r.stdout)
        # the branch exists now: not created again
        self.pair.reset()
        write(self.cwd("g.txt"), "changed\n")
        self.hf("upload", "alice/up-rev", "g.txt", "--revision", "dev")
        self.assertEqual([c for c in self.api_calls() if "/branch/" in c[1]], [])

    def test_create_pr(self):
        write(self.cwd("f.txt"), "base\n")
        self.hf("upload", "alice/up-pr", "f.txt")
        write(self.cwd("f.txt"), "proposed\n")
        r = self.hf("upload", "alice/up-pr", "f.txt", "--create-pr")
        sha = self.head("alice/up-pr", "refs/pr/1")
        self.assertEqual(r.stdout, f"{MARK} Uploaded\n  url: {self.pair.url}/alice/up-pr/commit/{sha}\n"
                                   f"  pr_url: {self.pair.url}/alice/up-pr/discussions/1\n")
        self.assertEqual(self.raw("alice/up-pr", "f.txt", "refs/pr/1"), b"proposed\n")
        self.assertEqual(self.raw("alice/up-pr", "f.txt"), b"base\n")
        r = self.hf("upload", "alice/up-pr", "f.txt", "--create-pr", "--json")
        self.assertEqual(json.loads(r.stdout)["pr_url"], f"{self.pair.url}/alice/up-pr/discussions/2")
        self.assertEqual(json.loads(r.stdout)["pr_revision"], "refs/pr/2")

    def test_private(self):
        write(self.cwd("f.txt"), "secret\n")
        self.hf("upload", "alice/up-private", "f.txt", "--private")
        self.assertTrue(self.api("/api/models/alice/up-private")["private"])
        self.assertEqual(get(self.pair.url + "/api/models/alice/up-private")[0] in (401, 404), True)

    def test_dataset_type(self):
        write(self.cwd("t.csv"), "a,b\n")
        self.hf("upload", "alice/up-ds", "t.csv", "--repo-type", "dataset")
        self.assertEqual(self.files("alice/up-ds", plural="datasets"), [".gitattributes", "t.csv"])
        self.hf("upload", "alice/up-ds", "t.csv", "x.csv", "--type", "dataset")
        self.assertIn("x.csv", self.files("alice/up-ds", plural="datasets"))

    # -- no-op, errors ---------------------------------------------------------------
    def test_noop_rerun_makes_no_commit(self):
        d = self.cwd("same")
        write(os.path.join(d, "a.txt"), "a\n")
        write(os.path.join(d, "b.txt"), "b\n")
        self.hf("upload", "alice/up-noop", "same")
        sha = self.head("alice/up-noop")
        self.pair.reset()
        r = self.hf("upload", "alice/up-noop", "same")
        self.assertEqual(self.commit_posts(), [])
        self.assertEqual(r.stderr, "No files have been modified since last commit. "
                                   "Skipping to prevent empty commit.\n")
        self.assertEqual(r.stdout, f"{MARK} Uploaded\n  url: {self.pair.url}/alice/up-noop/commit/{sha}\n")
        self.assertEqual(self.head("alice/up-noop"), sha)
        r = self.hf("upload", "alice/up-noop", "same", "--json")
        self.assertTrue(json.loads(r.stdout)["no_op"])

    def test_read_token_is_refused_before_any_byte(self):
        write(self.cwd("big.bin"), os.urandom(2_000_000))
        self.hf("upload", "alice/up-ro", "big.bin", "--commit-message", "first")
        self.pair.reset()
        write(self.cwd("big.bin"), os.urandom(2_000_000))
        r = self.hf("upload", "alice/up-ro", "big.bin", token=READ, code=4)
        self.assertEqual(r.stdout, "")
        lines = r.stderr.splitlines()
        self.assertEqual(len(lines), 2, r.stderr)
        self.assertTrue(lines[0].startswith("Error: "), lines)
        self.assertTrue(lines[1].startswith("Hint: "), lines)
        self.assertIn("settings/tokens", r.stderr)
        self.assertIn("hf auth login --force", lines[1])
        self.assertEqual(self.pair.cdn.requests(method="PUT"), [])
        self.assertEqual(self.commit_posts(), [])

    def test_missing_local_path_and_every(self):
        r = self.hf("upload", "alice/up-none", "nope", code=2)
        self.assertEqual(r.stdout, "")
        self.assertEqual(r.stderr, "Error: no such file or directory: 'nope'\nHint: check LOCAL_PATH\n")
        write(self.cwd("f.txt"), "f\n")
        r = self.hf("upload", "alice/up-none", "f.txt", "--every", "5", code=2)
        self.assertEqual(r.stderr.splitlines()[0],
                         "Error: --every (scheduled commits) is not supported by this client")
        self.assertEqual(self.api_calls(), [])

    def test_global_help_lists_the_write_exit_codes(self):
        r = self.hf("--help")
        self.assertIn("10 locked, 11 offline, 12 conflict, 13 local file changed, 130 interrupted\n",
                      r.stdout)
        self.assertIn("\n  upload     Upload a file or a folder to the Hub in one commit\n", r.stdout)

    def test_round_trip_with_lfs(self):
        d = self.cwd("rt")
        blobs = {"model.safetensors": os.urandom(3 * 1024 * 1024 + 5), "config.json": b'{"a": 1}\n',
                 "sub/tok.bin": os.urandom(1_500_000), "empty.txt": b""}
        for k, v in blobs.items():
            write(os.path.join(d, k), v)
        self.hf("upload", "alice/up-rt", "rt")
        sha = self.head("alice/up-rt")
        r = self.hf("download", "alice/up-rt", "--revision", sha, "--local-dir", self.cwd("back"), "-q")
        for k, v in blobs.items():
            with open(os.path.join(self.cwd("back"), k), "rb") as f:
                self.assertEqual(f.read(), v, k)
        self.assertGreaterEqual(len(self.pair.cdn.requests(method="PUT")), 1)

    def test_progress_only_on_a_terminal(self):
        write(self.cwd("p.bin"), os.urandom(2_000_000))
        r = self.sb.run_pty(["upload", "alice/up-tty", "p.bin"],
                            env={"HF_TOKEN": WRITE, "NO_COLOR": "1"})
        self.assertEqual(r.returncode, 0, r.text)
        self.assertIn("Committing 1 file", r.text)
        self.assertNotIn("\x1b", r.text)
        self.assertIn("Uploaded", r.text)
        # a pipe, or -q on a terminal: no progress
        write(self.cwd("p.bin"), os.urandom(2_000_000))
        r = self.sb.run_pty(["upload", "alice/up-tty", "p.bin", "-q"],
                            env={"HF_TOKEN": WRITE, "NO_COLOR": "1"})
        self.assertEqual(r.returncode, 0, r.text)
        self.assertNotIn("Committing", r.text)
        write(self.cwd("p.bin"), os.urandom(2_000_000))
        r = self.hf("upload", "alice/up-tty", "p.bin")
        self.assertNotIn("Committing", r.stderr)

    # -- hf upload-large-folder ---------------------------------------------------------
    def ulf(self, repo, folder, *extra, env=None, **kw):
        e = {"HF_HUB_LARGE_FOLDER_BATCH": "2"}
        e.update(env or {})
        return self.hf("upload-large-folder", repo, folder, *extra, env=e, **kw)

    def meta(self, folder, rel):
        with open(os.path.join(folder, ".cache", "huggingface", "upload", rel + ".metadata")) as f:
            return f.read().split("\n")

    def test_large_folder_full_then_rerun(self):
        d = self.cwd("big")
        for i in range(5):
            write(os.path.join(d, f"part-{i}.txt"), f"part {i}\n")
        write(os.path.join(d, "sub", "w.bin"), os.urandom(1_200_000))
        r = self.ulf("alice/big-up", "big")
        self.assertEqual(r.stderr,
                         "Warning: \n" + BANNER_RULE + "\n"
                         "`hf upload-large-folder` is DEPRECATED and will be removed in a future release.\n"
                         "\nUse `hf upload` instead:\n\n"
                         "    hf upload alice/big-up 'big' --repo-type model\n" + BANNER_RULE + "\n")
        self.assertEqual(r.stdout, f"{MARK} Uploaded\n  url: {self.pair.url}/alice/big-up\n")
        self.assertEqual(self.titles("alice/big-up"), [ULF_MESSAGE] * 3 + ["initial commit"])
        self.assertEqual(self.files("alice/big-up"),
                         [".gitattributes"] + [f"part-{i}.txt" for i in range(5)] + ["sub/w.bin"])
        m = self.meta(d, "sub/w.bin")
        self.assertEqual(len(m), 9)          # eight lines, the last one ended
        self.assertEqual((m[1], m[7]), ("1200000", "1"))
        self.assertTrue(os.path.exists(os.path.join(d, ".cache", "huggingface", "upload", "sub", "w.bin.lock")))
        with open(os.path.join(d, ".cache", "huggingface", ".gitignore")) as f:
            self.assertEqual(f.read(), "*")
        # rerun: nothing left, no commit
        self.pair.reset()
        self.ulf("alice/big-up", "big")
        self.assertEqual(self.commit_posts(), [])
        # a touched file is sent again, alone
        time.sleep(0.02)
        write(os.path.join(d, "part-3.txt"), "part 3 changed\n")
        self.ulf("alice/big-up", "big")
        self.assertEqual(len(self.commit_posts()), 1)
        self.assertEqual(self.raw("alice/big-up", "part-3.txt"), b"part 3 changed\n")

    def ulf_until_first_commit(self, repo, folder, output):
        """hf upload-large-folder, one file a commit, running until the Hub
        has seen its first commit POST (or 30 s, or its end)."""
        exe, argv = self.sb._argv(["upload-large-folder", repo, folder], None)
        env = self.sb.env({"HF_TOKEN": WRITE, "HF_HUB_LARGE_FOLDER_BATCH": "1"})
        p = subprocess.Popen(argv, executable=exe, env=env, cwd=self.sb.cwd,
                             stdout=output, stderr=output)
        deadline = time.monotonic() + 30
        while not self.commit_posts() and time.monotonic() < deadline and p.poll() is None:
            time.sleep(0.005)
        return p

    def test_large_folder_resumes_after_kill(self):
        d = self.cwd("killed")
        n = 30
        for i in range(n):
            write(os.path.join(d, f"f{i:02d}.txt"), f"file {i}\n")
        p = self.ulf_until_first_commit("alice/big-kill", "killed", subprocess.DEVNULL)
        p.send_signal(signal.SIGKILL)
        p.wait()
        first = [t for t in self.titles("alice/big-kill") if t == ULF_MESSAGE]
        self.assertGreaterEqual(len(first), 1)
        self.pair.reset()
        self.hf("upload-large-folder", "alice/big-kill", "killed",
                env={"HF_HUB_LARGE_FOLDER_BATCH": "1"})
        # the rerun committed only what was left: every file is there, and
        # each was committed once (a file whose state was not saved before the
        # kill is a no-op the second time: no commit)
        self.assertEqual(self.files("alice/big-kill"),
                         [".gitattributes"] + [f"f{i:02d}.txt" for i in range(n)])
        self.assertEqual(len([t for t in self.titles("alice/big-kill") if t == ULF_MESSAGE]), n)
        self.assertLessEqual(len(self.commit_posts()), n - len(first) + 1)

    def test_large_folder_ctrl_c_then_rerun(self):
        d = self.cwd("sig")
        n = 40
        for i in range(n):
            write(os.path.join(d, f"x{i:02d}.bin"), os.urandom(300_000))
        p = self.ulf_until_first_commit("alice/big-sig", "sig", subprocess.PIPE)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=30)
        self.assertEqual(p.returncode, 130, err)
        self.assertEqual(out, b"")
        self.assertTrue(err.decode().endswith(
            "Error: interrupted\nHint: run the same command again: it uploads only what is left\n"), err)
        done = len(self.commit_posts())
        self.assertLess(done, n)
        self.pair.reset()
        self.hf("upload-large-folder", "alice/big-sig", "sig", env={"HF_HUB_LARGE_FOLDER_BATCH": "1"})
        self.assertEqual(len(self.commit_posts()), n - done)
        self.assertEqual(len(self.files("alice/big-sig")), n + 1)

    def test_large_folder_reads_official_state(self):
        # a state written by the official tool: committed, saved after the file's mtime
        d = self.cwd("official")
        write(os.path.join(d, "done.txt"), "done\n")
        write(os.path.join(d, "todo.txt"), "todo\n")
        mdir = os.path.join(d, ".cache", "huggingface", "upload")
        os.makedirs(mdir)
        with open(os.path.join(mdir, "done.txt.metadata"), "w") as f:
            f.write(f"{time.time() + 5}\n5\n0\n{'0' * 64}\nregular\n\n0\n1\n")
        self.ulf("alice/big-official", "official")
        self.assertEqual(self.files("alice/big-official"), [".gitattributes", "todo.txt"])
        with open(os.path.join(mdir, "todo.txt.metadata")) as f:
            lines = f.read().split("\n")
        self.assertEqual(lines[1:], ["5", "", "", "", "", "0", "1", ""])
        float(lines[0])

    def test_large_folder_not_a_folder(self):
        write(self.cwd("f.txt"), "f\n")
        r = self.hf("upload-large-folder", "alice/big-up", "f.txt", code=2)
        self.assertEqual(r.stderr.splitlines()[0], "Error: large upload is only supported for folders")
        self.assertEqual(self.api_calls(), [])

    # -- hf repos delete-files ------------------------------------------------------------
    def test_delete_files(self):
        d = self.cwd("del")
        for p in ("a.txt", "b.json", "c.json", "dir/x.txt", "dir/y/z.txt", "keep.md"):
            write(os.path.join(d, p), p + "\n")
        self.hf("upload", "alice/up-rm", "del")
        r = self.hf("repos", "delete-files", "alice/up-rm", "a.txt")
        sha = self.head("alice/up-rm")
        self.assertEqual(r.stdout, f"{MARK} Files deleted\n  repo_id: alice/up-rm\n"
                                   f"  commit_url: {self.pair.url}/alice/up-rm/commit/{sha}\n")
        self.assertEqual(self.titles("alice/up-rm")[0], "Delete files a.txt with huggingface_hub")
        self.assertNotIn("a.txt", self.files("alice/up-rm"))
        self.hf("repos", "delete-files", "alice/up-rm", "dir/")
        self.assertEqual(self.files("alice/up-rm"), [".gitattributes", "b.json", "c.json", "keep.md"])
        r = self.hf("repos", "delete-files", "alice/up-rm", "*.json", "*.gitattributes", "--json")
        self.assertEqual(json.loads(r.stdout)["deleted"], ["b.json", "c.json"])
        self.assertEqual(self.titles("alice/up-rm")[0],
                         "Delete files *.json *.gitattributes with huggingface_hub")
        self.assertEqual(self.files("alice/up-rm"), [".gitattributes", "keep.md"])
        r = self.hf("repos", "delete-files", "alice/up-rm", "nothing*", code=5)
        self.assertEqual(r.stderr.splitlines()[0], "Error: no file of the repository matches the patterns")


OTHER = "hf_testOtherWriter000000000000000000dave"   # a write token of another user


class OtherUserCase(UploadBase):
    """dave, with a write token, outside alice's namespace."""

    @classmethod
    def setUpClass(cls):
        cls.pair = harness.HubPair(config={"tokens": {OTHER: {
            "user": "dave", "email": "dave@example.com", "orgs": [], "role": "write",
            "displayName": "dave-write"}}})

    def test_no_right_to_push_suggests_create_pr(self):
        write(self.cwd("f.txt"), "alice's\n")
        self.hf("upload", "alice/shared", "f.txt")
        write(self.cwd("f.txt"), "dave's\n")
        self.pair.reset()
        r = self.hf("upload", "alice/shared", "f.txt", token=OTHER, code=4)
        lines = r.stderr.splitlines()
        self.assertEqual(len(lines), 2, r.stderr)
        self.assertTrue(lines[0].startswith("Error: no right to push"), lines)
        self.assertTrue(lines[1].startswith("Hint: ") and lines[1].endswith("(add --create-pr)"), lines)
        self.assertEqual(self.commit_posts(), [])
        # as the hint says: a pull request is allowed
        r = self.hf("upload", "alice/shared", "f.txt", "--create-pr", "-q", token=OTHER)
        self.assertEqual(self.raw("alice/shared", "f.txt", "refs/pr/1"), b"dave's\n")
        self.assertEqual(self.raw("alice/shared", "f.txt"), b"alice's\n")


if __name__ == "__main__":
    unittest.main()

#!/usr/bin/env python3
"""`hf repos` (and the deprecated `hf repo`) against the test hub's write API
(tests/hub/write_api.py; upload-protocol.md §2-3): exact outputs and exit
codes of every subcommand, the requests sent (the hub's log), and the hub's
state after each, read back through its read endpoints.

    cd tests/integration && HF_BIN=/path/to/hf python3 -m unittest -v test_repos_cli
"""

import json
import os
import re
import sys
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

WRITE = harness.WRITE_TOKEN
READ = harness.READ_TOKEN
OK = "\u2713"   # the success mark under LANG=C.UTF-8
TOKEN_HINT = "settings/tokens"


def get(url, token=None):
    """(status, JSON or None) of a GET on the hub (no redirects followed)."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.build_opener(NoRedirect).open(req, timeout=30) as r:
            body = r.read()
            return r.status, json.loads(body) if body else None
    except urllib.error.HTTPError as e:
        return e.code, None


class ReposCli(harness.HubPairCase):
    def hf(self, *args, token=WRITE, **kw):
        env = dict(kw.pop("env", {}) or {})
        env["HF_TOKEN"] = token
        return harness.run_checked(self, self.sb, list(args), env=env, **kw)

    def info(self, repo_id, rtype="model", token=WRITE):
        return get(f"{self.pair.url}/api/{rtype}s/{repo_id}", token)

    def refs(self, repo_id):
        st, r = get(f"{self.pair.url}/api/models/{repo_id}/refs", WRITE)
        self.assertEqual(st, 200)
        return r

    def sent(self, method=None):
        """(method, path) of every API request the hub got."""
        return [(e["method"], e["path"]) for e in self.pair.hub.requests(r"^/api/", method)]

    def make(self, repo_id, rtype="model"):
        r = self.hf("repos", "create", repo_id, "--repo-type", rtype)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.pair.hub.clear_log()

    # -- create ----------------------------------------------------------------
    def test_create_outputs_and_state(self):
        r = self.hf("repos", "create", "alice/r1")
        self.assertEqual((r.returncode, r.stderr), (0, ""))
        self.assertEqual(r.stdout, f"{OK} Repo created\n  repo_id: alice/r1\n"
                                   f"  url: {self.pair.url}/alice/r1\n")
        self.assertEqual(self.sent(), [("POST", "/api/repos/create")])
        st, info = self.info("alice/r1")
        self.assertEqual((st, info["private"]), (200, False))
        # the name alone goes to the token's namespace: the id comes from the URL
        r = self.hf("repos", "create", "r2", "--format", "json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout), {"repo_id": "alice/r2",
                                                "url": f"{self.pair.url}/alice/r2"})
        r = self.hf("repos", "create", "alice/r3", "--private", "-q")
        self.assertEqual((r.returncode, r.stdout), (0, "alice/r3\n"))
        self.assertTrue(self.info("alice/r3")[1]["private"])
        self.assertEqual(self.info("alice/r3", token=None)[0], 404)
        r = self.hf("repos", "create", "acme/d", "--type", "dataset")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"  url: {self.pair.url}/datasets/acme/d\n", r.stdout)
        self.assertEqual(self.info("acme/d", "dataset")[0], 200)

    def test_create_space_sdk(self):
        self.assertEqual(self.hf("repos", "create", "alice/s1", "--repo-type", "space").returncode, 0)
        self.assertEqual(self.info("alice/s1", "space")[1]["sdk"], "gradio")
        r = self.hf("repos", "create", "alice/s2", "--repo-type", "space", "--space-sdk", "docker")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"  url: {self.pair.url}/spaces/alice/s2\n", r.stdout)
        self.assertEqual(self.info("alice/s2", "space")[1]["sdk"], "docker")

    def test_create_exists_and_exist_ok(self):
        self.make("alice/dup")
        r = self.hf("repos", "create", "alice/dup")
        self.assertEqual(r.returncode, 12)
        self.assertEqual(r.stdout, "")
        self.assertEqual(r.stderr.splitlines()[0], "Error: model 'alice/dup' already exists (409)")
        self.assertTrue(r.stderr.splitlines()[1].startswith("Hint: "))
        r = self.hf("repos", "create", "alice/dup", "--exist-ok")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"  url: {self.pair.url}/alice/dup\n", r.stdout)
        # a read token may not create, but with --exist-ok a readable repo is fine
        self.pair.hub.clear_log()
        r = self.hf("repos", "create", "alice/dup", "--exist-ok", token=READ)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.sent(), [("POST", "/api/repos/create"), ("GET", "/api/models/alice/dup")])

    def test_create_refusals(self):
        r = self.hf("repos", "create", "alice/ro", token=READ)
        self.assertEqual(r.returncode, 4)
        self.assertIn("You don't have the rights to create a model under namespace \"alice\"",
                      r.stderr)
        self.assertIn(TOKEN_HINT, r.stderr.splitlines()[1])
        self.assertEqual(self.info("alice/ro")[0], 404)
        self.pair.hub.clear_log()
        r = self.hf("repos", "create", "alice/nt", token=None)
        self.assertEqual(r.returncode, 3)
        self.assertTrue(r.stderr.startswith("Error: not logged in"), r.stderr)
        self.assertIn("hf auth login", r.stderr)
        r = self.hf("repos", "create", "alice/bt", token="hf_notAValidToken00000000000000000000")
        self.assertEqual(r.returncode, 3)
        self.assertIn("invalid token (from HF_TOKEN)", r.stderr.splitlines()[0])
        self.pair.hub.clear_log()
        for bad in ("alice/bad--name", "alice/x.git", "a/b/c", "alice/-lead", "alice/sp ace"):
            r = self.hf("repos", "create", bad)
            self.assertEqual(r.returncode, 2, bad)
            self.assertTrue(r.stderr.startswith(f"Error: invalid repo id '{bad}': it "), r.stderr)
        r = self.hf("repos", "create", "alice/x", "--repo-type", "bucket")
        self.assertEqual(r.returncode, 2)
        self.assertEqual(self.sent(), [])     # nothing was sent for any of these

    def test_create_retries_conflicting_operation(self):
        msg = "Cannot create repo: another conflicting operation is in progress"
        self.pair.hub.set_faults([{"match": "^/api/repos/create", "times": 2, "action": "status",
                                   "status": 409, "json": {"error": msg},
                                   "headers": {"X-Error-Message": msg}}])
        r = self.hf("repos", "create", "alice/busy")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.sent(), [("POST", "/api/repos/create")] * 3)
        self.assertEqual(self.info("alice/busy")[0], 200)

    # -- delete ----------------------------------------------------------------
    def test_delete(self):
        self.make("alice/del")
        r = self.hf("repos", "delete", "alice/del")
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stderr, "Error: refusing to delete without confirmation: standard input "
                                   "is not a terminal\nHint: pass -y (--yes) to confirm\n")
        self.assertEqual((self.sent(), self.info("alice/del")[0]), ([], 200))
        self.pair.hub.clear_log()
        r = self.hf("repos", "delete", "alice/del", "-y")
        self.assertEqual((r.returncode, r.stdout), (0, f"{OK} Repo deleted\n  repo_id: alice/del\n"))
        self.assertEqual(self.sent(), [("DELETE", "/api/repos/delete")])
        self.assertEqual(self.info("alice/del")[0], 404)
        r = self.hf("repos", "delete", "alice/del", "--yes")
        self.assertEqual(r.returncode, 5)
        self.assertEqual(r.stderr.splitlines()[0], "Error: repository 'alice/del' not found (model)")
        r = self.hf("repos", "delete", "alice/del", "--yes", "--missing-ok", "--format", "json")
        self.assertEqual((r.returncode, r.stdout), (0, '{"repo_id": "alice/del"}\n'))
        self.make("alice/del2")
        r = self.hf("repos", "delete", "alice/del2", "-y", token=READ)
        self.assertEqual(r.returncode, 4)
        self.assertIn(TOKEN_HINT, r.stderr)

    def test_delete_asks_on_a_terminal(self):
        self.make("alice/tty")
        env = {"HF_TOKEN": WRITE}
        q = re.escape("You are about to permanently delete model 'alice/tty'. Proceed? [y/N]:")
        p = self.sb.run_pty(["repos", "delete", "alice/tty"], [(q, "n\n")], env=env)
        self.assertEqual(p.returncode, 1)
        self.assertIn("Aborted!", p.text)
        self.assertEqual(self.info("alice/tty")[0], 200)
        p = self.sb.run_pty(["repos", "delete", "alice/tty"], [(q, "y\n")], env=env)
        self.assertEqual(p.returncode, 0, p.text)
        self.assertIn("Repo deleted", p.text)
        self.assertEqual(self.info("alice/tty")[0], 404)

    # -- move and settings -----------------------------------------------------
    def test_move(self):
        self.make("alice/old")
        self.make("acme/taken")
        r = self.hf("repos", "move", "alice/old", "acme/new")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, f"{OK} Repo moved\n  from_id: alice/old\n  to_id: acme/new\n")
        self.assertEqual(self.sent(), [("POST", "/api/repos/move")])
        self.assertEqual(self.info("acme/new")[0], 200)
        self.assertEqual(self.info("alice/old")[0], 307)
        r = self.hf("repos", "move", "acme/new", "acme/taken")
        self.assertEqual(r.returncode, 12)
        self.assertEqual(r.stderr.splitlines()[0],
                         "Error: A model repository called acme/taken already exists (409)")
        r = self.hf("repos", "move", "acme/new", "nonamespace")
        self.assertEqual(r.returncode, 2)
        self.assertIn("has no namespace", r.stderr)
        r = self.hf("repos", "move", "acme/missing", "acme/x")
        self.assertEqual(r.returncode, 5)

    def test_settings(self):
        self.make("alice/set")
        r = self.hf("repos", "settings", "alice/set", "--private")
        self.assertEqual((r.returncode, r.stdout), (0, f"{OK} Repo settings updated\n  repo_id: alice/set\n"))
        self.assertEqual(self.sent(), [("PUT", "/api/models/alice/set/settings")])
        self.assertTrue(self.info("alice/set")[1]["private"])
        self.assertEqual(self.info("alice/set", token=None)[0], 404)
        r = self.hf("repos", "settings", "alice/set", "--public", "--gated", "manual")
        self.assertEqual(r.returncode, 0, r.stderr)
        st, info = self.info("alice/set", token=None)
        self.assertEqual((st, info["private"], info["gated"]), (200, False, "manual"))
        r = self.hf("repos", "settings", "alice/set", "--gated", "false")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(self.info("alice/set")[1]["gated"])
        self.pair.hub.clear_log()
        r = self.hf("repos", "settings", "alice/set")
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stderr, "Error: no setting to update\nHint: pass --private, --public or --gated\n")
        r = self.hf("repos", "settings", "alice/set", "--gated", "sometimes")
        self.assertEqual(r.returncode, 2)
        self.assertEqual(self.sent(), [])
        r = self.hf("repos", "settings", "alice/set", "--private", token=READ)
        self.assertEqual(r.returncode, 4)
        self.assertIn(TOKEN_HINT, r.stderr)
        r = self.hf("repos", "settings", "alice/none", "--private")
        self.assertEqual(r.returncode, 5)

    # -- branches --------------------------------------------------------------
    def test_branches(self):
        self.make("alice/br")
        head = self.refs("alice/br")["branches"][0]["targetCommit"]
        self.pair.hub.clear_log()
        r = self.hf("repos", "branch", "create", "alice/br", "dev")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, f"{OK} Branch created\n  branch: dev\n  repo_type: model\n"
                                   f"  repo_id: alice/br\n")
        self.assertEqual(self.sent(), [("POST", "/api/models/alice/br/branch/dev")])
        self.assertEqual([(b["name"], b["targetCommit"]) for b in self.refs("alice/br")["branches"]],
                         [("dev", head), ("main", head)])
        r = self.hf("repos", "branch", "create", "alice/br", "dev")
        self.assertEqual(r.returncode, 12)
        self.assertEqual(r.stderr.splitlines()[0],
                         "Error: branch 'dev' already exists in model 'alice/br' (409)")
        r = self.hf("repos", "branch", "create", "alice/br", "dev", "--exist-ok")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.hf("repos", "branch", "create", "alice/br", "feature/x", "--revision", head[:7])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(("POST", "/api/models/alice/br/branch/feature%2Fx"), self.sent())
        r = self.hf("repos", "branch", "create", "alice/br", "refs/pr/1")
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stderr.splitlines()[0],
                         "Error: the Hub refused the request (400): Invalid reference for a branch")
        r = self.hf("repos", "branch", "create", "alice/br", "x", "--revision", "nope")
        self.assertEqual(r.returncode, 5)
        r = self.hf("repos", "branch", "create", "alice/br", "y", token=READ)
        self.assertEqual(r.returncode, 4)
        self.assertIn(TOKEN_HINT, r.stderr)
        r = self.hf("repos", "branch", "delete", "alice/br", "dev")
        self.assertEqual((r.returncode, r.stdout), (0, f"{OK} Branch deleted\n  branch: dev\n"
                                                       f"  repo_type: model\n  repo_id: alice/br\n"))
        self.assertEqual([b["name"] for b in self.refs("alice/br")["branches"]], ["feature/x", "main"])
        r = self.hf("repos", "branch", "delete", "alice/br", "dev")
        self.assertEqual(r.returncode, 5)
        self.assertEqual(r.stderr.splitlines()[0], "Error: branch 'dev' not found in model 'alice/br'")
        r = self.hf("repos", "branch", "create", "alice/none", "dev")
        self.assertEqual(r.returncode, 5)

    # -- tags ------------------------------------------------------------------
    def test_tags(self):
        self.make("alice/tg")
        head = self.refs("alice/tg")["branches"][0]["targetCommit"]
        r = self.hf("repos", "tag", "list", "alice/tg")
        self.assertEqual((r.returncode, r.stdout), (0, "No results found.\n"))
        r = self.hf("repos", "tag", "create", "alice/tg", "v1", "-m", "first")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, f"{OK} Tag created\n  tag: v1\n  repo_type: model\n  repo_id: alice/tg\n")
        self.assertEqual(self.sent("POST"), [("POST", "/api/models/alice/tg/tag/main")])
        r = self.hf("repos", "tag", "create", "alice/tg", "v1")
        self.assertEqual(r.returncode, 12)
        self.assertEqual(r.stderr.splitlines()[0], "Error: Tag 'v1' already exists on 'alice/tg'.")
        r = self.hf("repos", "tag", "create", "alice/tg", "v2", "--revision", "nope")
        self.assertEqual(r.returncode, 5)
        self.assertEqual(r.stderr.splitlines()[0], "Error: Revision 'nope' not found.")
        r = self.hf("repos", "tag", "create", "alice/tg", "v0.9", "--revision", head[:7])
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.hf("repos", "tag", "list", "alice/tg")
        lines = r.stdout.splitlines()
        # the official table: columns padded to their widest cell, one space apart
        self.assertEqual(lines[0], "NAME TARGET_COMMIT" + " " * 27 + " REF" + " " * 11)
        self.assertEqual(lines[1], "---- " + "-" * 40 + " " + "-" * 14)
        self.assertEqual(lines[2:], [f"v0.9 {head} refs/tags/v0.9", f"v1   {head} refs/tags/v1  "])
        r = self.hf("repos", "tag", "ls", "alice/tg", "--format", "json", token=None)
        self.assertEqual(json.loads(r.stdout), [
            {"name": "v0.9", "target_commit": head, "ref": "refs/tags/v0.9"},
            {"name": "v1", "target_commit": head, "ref": "refs/tags/v1"}])
        r = self.hf("repos", "tag", "list", "alice/tg", "-q")
        self.assertEqual(r.stdout, "v0.9\nv1\n")
        # delete: confirmation, then the tag is gone
        r = self.hf("repos", "tag", "delete", "alice/tg", "v1")
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stdout, "You are about to delete tag v1 on model alice/tg\n")
        self.assertEqual([t["name"] for t in self.refs("alice/tg")["tags"]], ["v0.9", "v1"])
        r = self.hf("repos", "tag", "delete", "alice/tg", "v1", "-y")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "You are about to delete tag v1 on model alice/tg\n"
                                   f"{OK} Tag deleted\n  tag: v1\n  repo_type: model\n  repo_id: alice/tg\n")
        self.assertEqual([t["name"] for t in self.refs("alice/tg")["tags"]], ["v0.9"])
        r = self.hf("repos", "tag", "delete", "alice/tg", "v1", "-y")
        self.assertEqual(r.returncode, 5)
        self.assertEqual(r.stderr.splitlines()[0], "Error: Tag 'v1' not found on 'alice/tg'.")
        r = self.hf("repos", "tag", "list", "alice/none")
        self.assertEqual(r.returncode, 5)
        self.assertEqual(r.stderr.splitlines()[0], "Error: Model 'alice/none' not found.")
        r = self.hf("repos", "tag", "create", "alice/tg", "v3", token=READ)
        self.assertEqual(r.returncode, 4)
        self.assertIn(TOKEN_HINT, r.stderr)

    def test_fixture_tags_listed_without_token(self):
        r = self.hf("repos", "tag", "list", "acme/tiny", "--format", "agent", token=None)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "name\ttarget_commit\tref\n"
                                   f"v1.0\t{self.pair.commit('acme/tiny', 'v1.0')}\trefs/tags/v1.0\n")
        e = self.pair.hub.requests("/refs$")
        self.assertEqual([x["auth"] for x in e], [None])

    # -- the library through examples/release_tag.c --------------------------------
    def test_library_exist_ok_and_missing_ok(self):
        """exist_ok on create, branch and tag, missing_ok on tag delete, refs with PRs,
        and a read token: forgiven where the official client forgives it (create and
        branch that exist), refused at the first real write."""
        exe = os.path.join(os.path.dirname(harness.hf_bin()), "examples", "release_tag")
        if not os.access(exe, os.X_OK):
            self.skipTest("examples not built (HF_BUILD_EXAMPLES=OFF)")

        def run(*args, token=WRITE):
            import subprocess
            p = subprocess.run([exe, *args], env=self.sb.env({"HF_TOKEN": token}),
                               capture_output=True, text=True, timeout=60)
            self.assertNotIn(token, p.stdout + p.stderr)
            return p

        p = run("alice/rel", "v1.0", "v1.0-rc1")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        head = self.refs("alice/rel")["branches"][0]["targetCommit"]
        expected = (f"repo: {self.pair.url}/alice/rel\nbranch: release\ntag: v1.0 on release\n"
                    f"removed: v1.0-rc1 (already gone)\nbranch main {head}\n"
                    f"branch release {head}\ntag v1.0 {head}\n")
        self.assertEqual(p.stdout, expected)
        # again: everything exists, nothing fails, the same refs
        self.pair.hub.clear_log()
        p = run("alice/rel", "v1.0", "v1.0-rc1")
        self.assertEqual((p.returncode, p.stdout), (0, expected))
        self.assertEqual(self.sent(), [
            ("POST", "/api/repos/create"), ("POST", "/api/models/alice/rel/branch/release"),
            ("POST", "/api/models/alice/rel/tag/release"), ("GET", "/api/models/alice/rel/refs"),
            ("DELETE", "/api/models/alice/rel/tag/v1.0-rc1"),
            ("GET", "/api/models/alice/rel/refs?include_prs=1")])
        # an old tag that is there goes
        self.assertEqual(self.hf("repos", "tag", "create", "alice/rel", "v0.9").returncode, 0)
        p = run("alice/rel", "v1.0", "v0.9")
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertIn("removed: v0.9\n", p.stdout)
        self.assertEqual([t["name"] for t in self.refs("alice/rel")["tags"]], ["v1.0"])
        # a read token: create and branch are forgiven (they exist), the tag is refused
        self.pair.hub.clear_log()
        p = run("alice/rel", "v2.0", token=READ)
        self.assertEqual(p.returncode, 1)
        lines = p.stdout.splitlines()
        self.assertEqual(lines[:2], [f"repo: {self.pair.url}/alice/rel", "branch: release"])
        self.assertEqual(lines[2], "error: tag the release: access to model 'alice/rel' denied (403): "
                                   "you must use a write token to upload to a repository (HF_EFORBIDDEN)")
        self.assertEqual(lines[3], "hint: this needs a token with write access to the namespace (a "
                                   "read token cannot do it): create one at "
                                   f"{self.pair.url}/settings/tokens")
        self.assertEqual(self.sent(), [
            ("POST", "/api/repos/create"), ("GET", "/api/models/alice/rel"),
            ("POST", "/api/models/alice/rel/branch/release"), ("GET", "/api/models/alice/rel/refs"),
            ("POST", "/api/models/alice/rel/tag/release")])
        # a read token where nothing exists: the create itself is refused
        p = run("alice/other", "v1", token=READ)
        self.assertEqual(p.returncode, 1)
        self.assertTrue(p.stdout.startswith("error: create the repository: "), p.stdout)
        self.assertIn("(HF_EFORBIDDEN)", p.stdout)

    # -- the group ---------------------------------------------------------------
    def test_repo_alias_warns(self):
        r = self.hf("repo", "create", "alice/alias", "-q")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "Warning: `hf repo` is deprecated in favor of `hf repos`.\n")
        self.assertEqual(r.stdout, "alice/alias\n")
        r = self.hf("repos", "nope")
        self.assertEqual(r.returncode, 2)
        r = self.hf("repos", "--help")
        self.assertEqual(r.returncode, 0)
        for sub in ("create", "delete", "move", "settings", "branch", "tag"):
            self.assertIn(f"\n  {sub} ", r.stdout)


if __name__ == "__main__":
    unittest.main()

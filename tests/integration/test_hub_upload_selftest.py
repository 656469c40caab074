#!/usr/bin/env python3
"""Self-test of the test hub's write API (tests/hub/write_api.py).

Drives the endpoints with urllib the way the official clients do (the order of
/work/shared/docs/upload-protocol.md section 1: create repo, preupload, LFS
batch, PUTs to presigned CDN URLs, multipart completion, verify, NDJSON
commit), then reads the new revision back through the read side.  Does not
need hf."""

import base64
import hashlib
import json
import os
import sys
import unittest
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "hub"))
import testhub  # noqa: E402

WRITE = testhub.WRITE_TOKEN
READ = testhub.READ_TOKEN
MiB = 1024 * 1024
OTHER = "hf_testOtherWriter000000000000000000dave"   # a write token of another user


def call(method, url, token=None, body=None, headers=None):
    """(status, headers, body bytes); a dict body is sent as JSON."""
    h = dict(headers or {})
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
        h.setdefault("Content-Type", "application/json")
    if token is not None:
        h["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=body, headers=h, method=method)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None


def ndjson(header, *ops):
    lines = [{"key": "header", "value": header}] + [{"key": k, "value": v} for k, v in ops]
    return "\n".join(json.dumps(x) for x in lines).encode()


def blob_sha1(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class UploadTest(unittest.TestCase):
    pair = None

    @classmethod
    def setUpClass(cls):
        # HubPair gives the hub and the CDN one shared upload_dir
        cls.pair = harness.HubPair(config={"tokens": {OTHER: {
            "user": "dave", "email": "dave@example.com", "orgs": [], "role": "write",
            "displayName": "dave-write"}}})

    @classmethod
    def tearDownClass(cls):
        cls.pair.stop()

    def setUp(self):
        self.pair.reset()
        self.hub = self.pair.hub.url

    def tearDown(self):
        cdn = self.pair.cdn.requests()
        self.assertEqual([e for e in cdn if e.get("auth") or e.get("auth_scheme")], [])
        self.assertEqual(self.pair.violations(), [])

    # -- helpers -------------------------------------------------------------
    def create(self, name, token=WRITE, **kw):
        body = {"name": name, "organization": kw.pop("organization", None), "type": "model"}
        body.update(kw)
        return call("POST", f"{self.hub}/api/repos/create", token, body)

    def json_ok(self, res, status=200):
        st, h, b = res
        self.assertEqual(st, status, b)
        return json.loads(b) if b else None

    def commit(self, repo, header, *ops, token=WRITE, rev="main", query=""):
        return call("POST", f"{self.hub}/api/models/{repo}/commit/{urllib.parse.quote(rev, safe='')}"
                    f"{query}", token, ndjson(header, *ops),
                    {"Content-Type": "application/x-ndjson"})

    def lfs_upload(self, repo, data):
        """Preupload-independent: LFS batch, then basic PUT or parts + completion, verify."""
        oid = hashlib.sha256(data).hexdigest()
        st, h, b = call("POST", f"{self.hub}/{repo}.git/info/lfs/objects/batch", WRITE,
                        json.dumps({"operation": "upload", "transfers": ["basic", "multipart"],
                                    "objects": [{"oid": oid, "size": len(data)}],
                                    "hash_algo": "sha256", "ref": {"name": "main"}}).encode(),
                        {"Accept": "application/vnd.git-lfs+json",
                         "Content-Type": "application/vnd.git-lfs+json"})
        self.assertEqual(st, 200, b)
        ans = json.loads(b)
        obj = ans["objects"][0]
        self.assertEqual((obj["oid"], obj["size"]), (oid, len(data)))
        if "actions" not in obj:
            return oid, ans["transfer"], None
        up = obj["actions"]["upload"]
        parts = {k: v for k, v in (up.get("header") or {}).items() if k.isdigit()}
        if parts:
            chunk = int(up["header"]["chunk_size"])
            keys = sorted(parts, key=int)
            self.assertEqual(len(keys), -(-len(data) // chunk))
            done = []
            for i, k in enumerate(keys):
                self.assertTrue(parts[k].startswith(self.pair.cdn.url), parts[k])
                st, h, b = call("PUT", parts[k], None, data[i * chunk:(i + 1) * chunk])
                self.assertEqual(st, 200, b)
                self.assertEqual(h["ETag"], '"%s"' % hashlib.md5(data[i * chunk:(i + 1) * chunk]).hexdigest())
                done.append({"partNumber": int(k), "etag": h["ETag"]})
            self.assertTrue(up["href"].startswith(self.hub + "/api/complete_multipart?"))
            st, h, b = call("POST", up["href"], None, json.dumps({"oid": oid, "parts": done}).encode(),
                            {"Accept": "application/vnd.git-lfs+json",
                             "Content-Type": "application/vnd.git-lfs+json"})
            self.assertEqual(st, 200, b)
            # a retried completion is answered the same; a tampered one is refused
            st2, h, b2 = call("POST", up["href"], None,
                              json.dumps({"oid": oid, "parts": done}).encode())
            self.assertEqual((st2, b2), (st, b))
            st, h, b = call("POST", up["href"].replace("parts=", "parts=1"), None,
                            json.dumps({"oid": oid, "parts": done}).encode())
            self.assertEqual(st, 403)
            self.assertIn(b"<Code>AccessDenied</Code>", b)
        else:
            self.assertTrue(up["href"].startswith(self.pair.cdn.url), up["href"])
            st, h, b = call("PUT", up["href"], None, data)
            self.assertEqual(st, 200, b)
        v = obj["actions"].get("verify")
        if v:
            st, h, b = call("POST", v["href"], WRITE, {"oid": oid, "size": len(data)})
            self.assertEqual(st, 200, b)
        return oid, ans["transfer"], up

    # -- 1. repos ----------------------------------------------------------
    def test_create_exists_forbidden_delete(self):
        ans = self.json_ok(self.create("created-1"))
        self.assertEqual(ans["url"], f"{self.hub}/alice/created-1")
        self.assertEqual(ans["name"], "alice/created-1")
        self.assertRegex(ans["id"], r"\A[0-9a-f]{24}\Z")
        st, h, b = self.create("created-1")
        self.assertEqual(st, 409)
        self.assertEqual(json.loads(b), {"error": "You already created this model repo",
                                         "url": f"{self.hub}/alice/created-1"})
        st, h, b = self.create("x", token=READ)
        self.assertEqual(st, 403)
        self.assertEqual(h["X-Error-Message"],
                         'You don\'t have the rights to create a model under namespace "alice"')
        self.assertIsNone(h["X-Error-Code"])
        st, h, b = self.create("x", organization="someone-else")
        self.assertEqual(st, 403)
        self.assertIn('under namespace "someone-else"', h["X-Error-Message"])
        self.assertEqual(self.create("x", organization="acme")[0], 200)   # alice's org
        self.json_ok(self.create("lic", license="mit"))
        st, h, b = call("GET", f"{self.hub}/alice/lic/raw/main/README.md")
        self.assertEqual((st, b), (200, b"---\nlicense: mit\n---\n"))
        # the new repo: one "initial commit" with the default .gitattributes
        info = self.json_ok(call("GET", f"{self.hub}/api/models/alice/created-1", WRITE))
        self.assertEqual([s["rfilename"] for s in info["siblings"]], [".gitattributes"])
        st, h, ga = call("GET", f"{self.hub}/alice/created-1/raw/main/.gitattributes")
        self.assertEqual(st, 200)
        self.assertIn(b"*.safetensors filter=lfs diff=lfs merge=lfs -text\n", ga)
        self.assertIn(b"saved_model/**/* filter=lfs", ga)
        tree = self.json_ok(call("GET", f"{self.hub}/api/models/alice/created-1/tree/main"))
        self.assertEqual(tree[0]["oid"], blob_sha1(ga))
        # delete
        body = {"name": "created-1", "organization": "alice", "type": "model"}
        self.assertEqual(call("DELETE", f"{self.hub}/api/repos/delete", WRITE, body)[0], 200)
        self.assertEqual(call("GET", f"{self.hub}/api/models/alice/created-1", WRITE)[0], 404)
        st, h, b = call("DELETE", f"{self.hub}/api/repos/delete", WRITE, body)
        self.assertEqual((st, h["X-Error-Code"]), (404, "RepoNotFound"))

    # -- 2. preupload -------------------------------------------------------
    def test_preupload_modes_ignore_oid(self):
        self.json_ok(self.create("pre"))
        txt = b"hello\n"
        self.json_ok(self.commit("alice/pre", {"summary": "add a"},
                                 ("file", {"path": "a.txt", "content": base64.b64encode(txt).decode(),
                                           "encoding": "base64"})))

        def f(path, size, sample=b"x"):
            return {"path": path, "size": size, "sample": base64.b64encode(sample[:512]).decode()}
        ans = self.json_ok(call("POST", f"{self.hub}/api/models/alice/pre/preupload/main", WRITE, {
            "files": [f("a.txt", 6, txt), f("w.bin", 4), f("big.txt", 10 * MiB),
                      f("almost.txt", 10 * MiB - 1), f("bin.dat", 1_000_001, b"a\0b"),
                      f("smallbin.dat", 1_000_000, b"a\0b"), f("empty.bin", 0, b""),
                      f("logs/x.log", 3), f("test.lfs.txt", 5)],
            "gitIgnore": "*.log\n"}))
        got = {e["path"]: (e["uploadMode"], e["shouldIgnore"], e.get("oid")) for e in ans["files"]}
        self.assertEqual(got, {
            "a.txt": ("regular", False, blob_sha1(txt)), "w.bin": ("lfs", False, None),
            "big.txt": ("lfs", False, None), "almost.txt": ("regular", False, None),
            "bin.dat": ("lfs", False, None), "smallbin.dat": ("regular", False, None),
            "empty.bin": ("regular", False, None), "logs/x.log": ("regular", True, None),
            "test.lfs.txt": ("lfs", False, None)})
        # read token: refused with the Hub's wording
        st, h, b = call("POST", f"{self.hub}/api/models/alice/pre/preupload/main", READ,
                        {"files": [f("a.txt", 6)]})
        self.assertEqual((st, h["X-Error-Message"]),
                         (403, "you must use a write token to upload to a repository"))
        self.assertEqual(call("POST", f"{self.hub}/api/models/alice/pre/preupload/nope", WRITE,
                              {"files": []})[0], 404)

    # -- 3 + 4. LFS transfers, commit, read-back ---------------------------------
    def test_upload_roundtrip_basic_and_multipart(self):
        self.pair.hub.control("POST", "config", {"multipart_chunk_size": MiB,
                                                 "multipart_threshold": 2 * MiB})
        self.addCleanup(self.pair.hub.control, "POST", "config",
                        {"multipart_chunk_size": None, "multipart_threshold": None})
        self.json_ok(self.create("rt"))
        small = os.urandom(1000)
        large = os.urandom(3 * MiB + 12345)
        reg = b'{"a": 1}\n'
        soid, stransfer, sup = self.lfs_upload("alice/rt", small)
        self.assertEqual(stransfer, "basic")
        self.assertNotIn("header", sup)
        loid, ltransfer, lup = self.lfs_upload("alice/rt", large)
        self.assertEqual(ltransfer, "multipart")
        self.assertEqual(lup["header"]["chunk_size"], str(MiB))
        self.assertEqual(sorted(k for k in lup["header"] if k.isdigit()),
                         ["00001", "00002", "00003", "00004"])
        # a second batch for a stored object: no actions
        self.assertIsNone(self.lfs_upload("alice/rt", small)[2])
        ans = self.json_ok(self.commit(
            "alice/rt", {"summary": "Upload with urllib", "description": ""},
            ("file", {"path": "config.json", "content": base64.b64encode(reg).decode(),
                      "encoding": "base64"}),
            ("lfsFile", {"path": "small.bin", "algo": "sha256", "oid": soid, "size": len(small)}),
            ("lfsFile", {"path": "data/large.txt", "algo": "sha256", "oid": loid,
                         "size": len(large)})))
        self.assertEqual(set(ans), {"success", "commitOid", "commitUrl", "hookOutput"})
        self.assertTrue(ans["success"])
        self.assertEqual(ans["commitUrl"], f"{self.hub}/alice/rt/commit/{ans['commitOid']}")
        sha = ans["commitOid"]
        info = self.json_ok(call("GET", f"{self.hub}/api/models/alice/rt/revision/main"))
        self.assertEqual(info["sha"], sha)
        # the history, newest first (list_repo_commits' endpoint)
        hist = self.json_ok(call("GET", f"{self.hub}/api/models/alice/rt/commits/main"))
        self.assertEqual([(c["id"], c["title"]) for c in hist][:1], [(sha, "Upload with urllib")])
        self.assertEqual(hist[-1]["title"], "initial commit")
        self.assertEqual(call("GET", f"{self.hub}/api/models/alice/rt/commits/nope")[0], 404)
        tree = self.json_ok(call("GET", f"{self.hub}/api/models/alice/rt/tree/main?recursive=true"))
        by = {e["path"]: e for e in tree}
        self.assertEqual(by["data/large.txt"]["lfs"]["oid"], loid)
        self.assertEqual(by["config.json"]["oid"], blob_sha1(reg))
        # .gitattributes now tracks the LFS .txt path
        st, h, ga = call("GET", f"{self.hub}/alice/rt/raw/main/.gitattributes")
        self.assertIn(b"data/large.txt filter=lfs diff=lfs merge=lfs -text", ga)
        st, h, ptr = call("GET", f"{self.hub}/alice/rt/raw/main/data/large.txt")
        self.assertEqual(ptr, f"version https://git-lfs.github.com/spec/v1\noid sha256:{loid}\n"
                              f"size {len(large)}\n".encode())
        for path, data, oid in (("data/large.txt", large, loid), ("small.bin", small, soid)):
            st, h, _ = call("HEAD", f"{self.hub}/alice/rt/resolve/main/{path}", WRITE)
            self.assertEqual(st, 302)
            self.assertEqual(h["X-Linked-Etag"], f'"{oid}"')
            self.assertEqual(h["X-Repo-Commit"], sha)
            st, h, got = call("GET", h["Location"])
            self.assertEqual((st, hashlib.sha256(got).hexdigest()), (200, oid))
        st, h, _ = call("HEAD", f"{self.hub}/alice/rt/resolve/main/config.json")
        self.assertEqual((st, h["ETag"]), (307, f'"{blob_sha1(reg)}"'))
        # the CDN saw every PUT, none with a token
        puts = self.pair.cdn.requests(r"^/lfs-upload/", "PUT")
        self.assertEqual(len(puts), 5)
        self.assertTrue(all(e["auth"] is None and e["auth_scheme"] is None for e in puts))
        self.assertEqual(self.pair.hub.requests(r"^/lfs-upload/"), [])

    def test_cdn_refuses_auth_tampered_expired(self):
        self.json_ok(self.create("cdnref"))
        data = os.urandom(100)
        oid = hashlib.sha256(data).hexdigest()
        ans = self.json_ok(call("POST", f"{self.hub}/alice/cdnref.git/info/lfs/objects/batch", WRITE,
                                {"operation": "upload", "transfers": ["basic"],
                                 "objects": [{"oid": oid, "size": 100}]}))
        href = ans["objects"][0]["actions"]["upload"]["href"]
        st, h, b = call("PUT", href.replace("X-Amz-Expires=900", "X-Amz-Expires=901"), None, data)
        self.assertEqual(st, 403)
        self.assertIn(b"<Code>AccessDenied</Code>", b)
        # a token on the CDN: refused (and recorded as a violation; cleared here)
        st, h, b = call("PUT", href, WRITE, data)
        self.assertEqual(st, 403)
        self.assertIn(b"<Code>AccessDenied</Code>", b)
        self.assertEqual([e.get("violation") for e in self.pair.cdn.requests()],
                         [None, "authorization-received"])
        self.pair.cdn.clear_log()
        # expired: the hub signs URLs already expired
        self.pair.hub.control("POST", "config", {"upload_url_ttl": -10})
        self.addCleanup(self.pair.hub.control, "POST", "config", {"upload_url_ttl": None})
        ans = self.json_ok(call("POST", f"{self.hub}/alice/cdnref.git/info/lfs/objects/batch", WRITE,
                                {"operation": "upload", "objects": [{"oid": oid, "size": 100}]}))
        st, h, b = call("PUT", ans["objects"][0]["actions"]["upload"]["href"], None, data)
        self.assertEqual(st, 403)
        self.assertIn(b"Request has expired", b)
        # read token on the batch endpoint
        st, h, b = call("POST", f"{self.hub}/alice/cdnref.git/info/lfs/objects/batch", READ,
                        {"operation": "upload", "objects": [{"oid": oid, "size": 100}]})
        self.assertEqual(st, 403)

    def test_commit_errors_pr_and_quota(self):
        self.json_ok(self.create("ce"))
        first = self.json_ok(self.commit("alice/ce", {"summary": "one"},
                                         ("file", {"path": "a.txt", "content": "YQ==",
                                                   "encoding": "base64"})))["commitOid"]
        head0 = self.json_ok(call("GET", f"{self.hub}/api/models/alice/ce"))["sha"]
        self.assertEqual(head0, first)
        self.json_ok(self.commit("alice/ce", {"summary": "two", "parentCommit": first},
                                 ("file", {"path": "b.txt", "content": "Yg==", "encoding": "base64"})))
        st, h, b = self.commit("alice/ce", {"summary": "three", "parentCommit": first},
                               ("file", {"path": "c.txt", "content": "Yw==", "encoding": "base64"}))
        self.assertEqual((st, h["X-Error-Message"]), (412, testhub.write_api.BRANCH_MOVED))
        st, h, b = self.commit("alice/ce", {"summary": "del"}, ("deletedFile", {"path": "zzz"}))
        self.assertEqual(st, 404)
        self.assertIn("A file with this name doesn't exist", json.loads(b)["error"])
        st, h, b = self.commit("alice/ce", {"summary": "x"}, ("file", {"path": "q", "content": ""}),
                               token=READ)
        self.assertEqual((st, json.loads(b)["error"]),
                         (403, "you must use a write token to upload to a repository"))
        self.assertEqual(self.commit("alice/ce", {"summary": ""})[0], 400)
        self.assertEqual(self.commit("alice/ce", {"summary": "x"},
                                     ("file", {"path": "../x", "content": ""}))[0], 422)
        st, h, b = self.commit("alice/ce", {"summary": "x"},
                               ("lfsFile", {"path": "m.bin", "algo": "sha256", "oid": "0" * 64,
                                            "size": 3}))
        self.assertEqual(st, 422)
        big = base64.b64encode(b"\0" * 1_000_001).decode()
        st, h, b = self.commit("alice/ce", {"summary": "x"}, ("file", {"path": "z.dat", "content": big}))
        self.assertEqual(st, 422)
        self.assertIn("must be uploaded with LFS", json.loads(b)["error"])
        # deletedFolder
        self.json_ok(self.commit("alice/ce", {"summary": "dir"},
                                 ("file", {"path": "d/1", "content": "MQ=="}),
                                 ("file", {"path": "d/e/2", "content": "Mg=="})))
        self.json_ok(self.commit("alice/ce", {"summary": "rm dir"}, ("deletedFolder", {"path": "d/"})))
        files = [s["rfilename"] for s in
                 self.json_ok(call("GET", f"{self.hub}/api/models/alice/ce"))["siblings"]]
        self.assertEqual(files, [".gitattributes", "a.txt", "b.txt"])
        # create_pr: refs/pr/1 then a commit to it
        ans = self.json_ok(self.commit("alice/ce", {"summary": "pr"},
                                       ("file", {"path": "p.txt", "content": "cA=="}),
                                       query="?create_pr=1"))
        self.assertEqual(ans["pullRequestUrl"], f"{self.hub}/alice/ce/discussions/1")
        st, h, b = self.commit("alice/ce", {"summary": "pr"}, rev=ans["commitOid"],
                               query="?create_pr=1")
        self.assertEqual((st, h["X-Error-Code"]), (404, "RevisionNotFound"))
        ans2 = self.json_ok(self.commit("alice/ce", {"summary": "pr2"},
                                        ("file", {"path": "p2.txt", "content": "cA=="}),
                                        rev="refs/pr/1"))
        self.assertNotIn("pullRequestUrl", ans2)
        pr = self.json_ok(call("GET", f"{self.hub}/api/models/alice/ce/revision/refs%2Fpr%2F1"))
        self.assertEqual(pr["sha"], ans2["commitOid"])
        self.assertIn("p.txt", [s["rfilename"] for s in pr["siblings"]])
        main = self.json_ok(call("GET", f"{self.hub}/api/models/alice/ce/revision/main"))
        self.assertNotIn("p.txt", [s["rfilename"] for s in main["siblings"]])
        # the commit quota, as a fault
        self.pair.hub.set_faults([{"match": "/commit/", "times": 1, "action": "status", "status": 429,
                                   "json": {"error": testhub.write_api.COMMIT_QUOTA},
                                   "headers": {"X-Error-Message": testhub.write_api.COMMIT_QUOTA}}])
        st, h, b = self.commit("alice/ce", {"summary": "q"})
        self.assertEqual((st, json.loads(b)["error"]), (429, testhub.write_api.COMMIT_QUOTA))

    # -- 5. branches and tags ------------------------------------------------
    def test_branches_and_tags(self):
        self.json_ok(self.create("bt"))
        api = f"{self.hub}/api/models/alice/bt"
        self.assertEqual(call("POST", f"{api}/branch/dev", WRITE, {})[0], 200)
        st, h, b = call("POST", f"{api}/branch/dev", WRITE, {})
        self.assertEqual((st, h["X-Error-Message"]), (409, "Reference refs/heads/dev already exists"))
        st, h, b = call("POST", f"{api}/branch/main", WRITE, {})
        self.assertEqual((st, h["X-Error-Message"]), (409, "Reference refs/heads/main already exists"))
        self.assertEqual(call("POST", f"{api}/branch/refs%2Fpr%2F5", WRITE, {})[0], 400)
        info = self.json_ok(call("GET", f"{api}/revision/dev"))
        self.assertEqual(info["sha"], self.json_ok(call("GET", api))["sha"])
        self.assertEqual(call("POST", f"{api}/branch/feature%2Fx", WRITE, {"startingPoint": "dev"})[0], 200)
        self.assertEqual(call("GET", f"{api}/revision/feature%2Fx")[0], 200)
        self.assertEqual(call("DELETE", f"{api}/branch/dev", WRITE)[0], 200)
        self.assertEqual(call("GET", f"{api}/revision/dev")[0], 404)
        # tags
        self.assertEqual(call("POST", f"{api}/tag/main", WRITE, {"tag": "v1", "message": "m"})[0], 200)
        self.assertEqual(call("POST", f"{api}/tag/main", WRITE, {"tag": "v1"})[0], 409)
        self.assertEqual(call("POST", f"{api}/tag/main", WRITE, {"tag": "v1"})[0], 409)
        st, h, b = call("POST", f"{api}/tag/nope", WRITE, {"tag": "v2"})
        self.assertEqual((st, h["X-Error-Code"]), (404, "RevisionNotFound"))
        self.assertNotEqual(call("POST", f"{api}/tag/main", WRITE, {"tag": "a b"})[0], 200)
        self.assertEqual(call("GET", f"{api}/revision/v1")[0], 200)
        self.assertEqual(call("DELETE", f"{api}/tag/v1", WRITE)[0], 200)
        st, h, b = call("DELETE", f"{api}/tag/v1", WRITE)
        self.assertEqual((st, h["X-Error-Code"]), (404, "RevisionNotFound"))
        self.assertEqual(call("POST", f"{api}/branch/x", READ, {})[0], 403)

    def refs(self, api, prs=False, token=WRITE):
        return self.json_ok(call("GET", f"{api}/refs" + ("?include_prs=1" if prs else ""), token))

    def test_refs_branch_named_like_tag_and_prefixes(self):
        self.json_ok(self.create("refs"))
        api = f"{self.hub}/api/models/alice/refs"
        head = self.json_ok(call("GET", api))["sha"]
        r = self.refs(api)
        self.assertEqual(r, {"branches": [{"name": "main", "ref": "refs/heads/main",
                                           "targetCommit": head}],
                             "converts": [], "tags": []})
        self.assertNotIn("pullRequests", r)
        self.assertEqual(self.refs(api, prs=True)["pullRequests"], [])
        # a 7-character commit prefix is a revision for tags and branches
        self.assertEqual(call("POST", f"{api}/tag/{head[:7]}", WRITE, {"tag": "v1"})[0], 200)
        self.assertEqual(call("POST", f"{api}/tag/{head[:6]}", WRITE, {"tag": "v2"})[0], 404)
        # a branch may share a tag's name; both are listed, each with its commit
        self.json_ok(self.commit("alice/refs", {"summary": "second"},
                                 ("file", {"path": "a.txt", "content": "YQ==", "encoding": "base64"})))
        new = self.json_ok(call("GET", api))["sha"]
        self.assertEqual(call("POST", f"{api}/branch/v1", WRITE, {})[0], 200)
        r = self.refs(api)
        self.assertEqual([(b["name"], b["targetCommit"]) for b in r["branches"]],
                         [("main", new), ("v1", new)])
        self.assertEqual(r["tags"], [{"name": "v1", "ref": "refs/tags/v1", "targetCommit": head}])
        st, h, b = call("POST", f"{api}/branch/v1", WRITE, {})
        self.assertEqual((st, h["X-Error-Message"]), (409, "Reference refs/heads/v1 already exists"))
        st, h, b = call("POST", f"{api}/branch/refs%2Fpr%2F1", WRITE, {})
        self.assertEqual((st, h["X-Error-Message"]), (400, "Invalid reference for a branch"))
        # deleting the branch leaves the tag, deleting main is refused, tag "main" is a 500
        self.assertEqual(call("DELETE", f"{api}/branch/v1", WRITE)[0], 200)
        self.assertEqual(self.refs(api)["tags"][0]["targetCommit"], head)
        self.assertEqual(call("GET", f"{api}/revision/v1")[0], 200)
        self.assertEqual(call("DELETE", f"{api}/branch/main", WRITE)[0], 403)
        self.assertEqual(call("DELETE", f"{api}/tag/main", WRITE)[0], 500)
        # a PR is listed only with include_prs
        self.json_ok(self.commit("alice/refs", {"summary": "pr"}, query="?create_pr=1"))
        r = self.refs(api, prs=True)
        self.assertEqual([p["name"] for p in r["pullRequests"]], ["refs/pr/1"])
        self.assertEqual(r["pullRequests"][0]["ref"], "refs/pr/1")
        # fixtures declare their tags: acme/tiny has branch main and tag v1.0
        r = self.refs(f"{self.hub}/api/models/acme/tiny", token=None)
        self.assertEqual([b["name"] for b in r["branches"]], ["main"])
        self.assertEqual([t["name"] for t in r["tags"]], ["v1.0"])
        self.assertEqual(call("GET", f"{self.hub}/api/models/alice/none/refs", WRITE)[0], 404)

    def test_move_and_settings(self):
        self.json_ok(self.create("mv"))
        self.json_ok(self.create("taken"))
        move = f"{self.hub}/api/repos/move"
        st, h, b = call("POST", move, WRITE, {"fromRepo": "alice/mv", "toRepo": "alice/taken",
                                              "type": "model"})
        self.assertEqual((st, json.loads(b)["error"]),
                         (409, "A model repository called alice/taken already exists"))
        self.assertEqual(call("POST", move, READ, {"fromRepo": "alice/mv", "toRepo": "acme/mv",
                                                   "type": "model"})[0], 403)
        self.assertEqual(call("POST", move, WRITE, {"fromRepo": "alice/nope", "toRepo": "acme/x",
                                                    "type": "model"})[0], 404)
        self.assertEqual(call("POST", move, WRITE, {"fromRepo": "alice/mv", "toRepo": "acme/mv",
                                                    "type": "model"})[0], 200)
        self.assertEqual(call("GET", f"{self.hub}/api/models/acme/mv")[0], 200)
        st, h, b = call("GET", f"{self.hub}/api/models/alice/mv")
        self.assertEqual((st, h["Location"]), (307, "/api/models/acme/mv"))
        # settings: private hides it from anonymous reads, gated gates downloads
        api = f"{self.hub}/api/models/acme/mv"
        self.assertEqual(call("PUT", f"{api}/settings", READ, {"visibility": "private"})[0], 403)
        self.assertEqual(call("PUT", f"{api}/settings", WRITE, {})[0], 400)
        self.assertEqual(call("PUT", f"{api}/settings", WRITE, {"gated": "sometimes"})[0], 400)
        self.assertEqual(call("PUT", f"{api}/settings", WRITE, {"visibility": "private"})[0], 200)
        self.assertEqual(call("GET", api)[0], 404)
        self.assertEqual(call("GET", f"{self.hub}/acme/mv/resolve/main/.gitattributes")[0], 401)
        self.assertTrue(self.json_ok(call("GET", api, WRITE))["private"])
        self.assertEqual(call("PUT", f"{api}/settings", WRITE,
                              {"visibility": "public", "gated": "manual"})[0], 200)
        info = self.json_ok(call("GET", api))
        self.assertEqual((info["private"], info["gated"]), (False, "manual"))
        self.assertEqual(call("GET", f"{self.hub}/acme/mv/resolve/main/.gitattributes")[0], 401)
        self.assertEqual(call("PUT", f"{api}/settings", WRITE, {"gated": False})[0], 200)
        self.assertEqual(call("GET", f"{self.hub}/acme/mv/resolve/main/.gitattributes")[0], 307)   # a regular file: 307 to resolve-cache


    # -- the whole sequence, in the Python client's order (doc section 1) ----------
    def test_python_client_call_order(self):
        self.json_ok(self.create("flow"))
        self.pair.hub.clear_log()
        self.pair.cdn.clear_log()
        files = {"README.md": b"# flow\n", "model.safetensors": os.urandom(5000),
                 "notes.txt": b"n\n", "skip.tmp": b"x"}
        # 1. create_repo(exist_ok=True): the 409 carries the url
        st, h, b = self.create("flow")
        self.assertEqual((st, json.loads(b)["url"]), (409, f"{self.hub}/alice/flow"))
        # 5. preupload (the .gitignore goes as gitIgnore)
        pre = self.json_ok(call("POST", f"{self.hub}/api/models/alice/flow/preupload/main", WRITE, {
            "files": [{"path": p, "size": len(d), "sample": base64.b64encode(d[:512]).decode()}
                      for p, d in files.items()], "gitIgnore": "*.tmp\n"}))
        modes = {e["path"]: (e["uploadMode"], e["shouldIgnore"]) for e in pre["files"]}
        self.assertEqual(modes, {"README.md": ("regular", False),
                                 "model.safetensors": ("lfs", False),
                                 "notes.txt": ("regular", False), "skip.tmp": ("regular", True)})
        # 6-7. LFS batch + PUT + verify
        oid, transfer, up = self.lfs_upload("alice/flow", files["model.safetensors"])
        self.assertEqual(transfer, "basic")
        # 9. commit
        ops = [("file", {"path": p, "content": base64.b64encode(files[p]).decode(),
                         "encoding": "base64"}) for p in ("README.md", "notes.txt")]
        ops.append(("lfsFile", {"path": "model.safetensors", "algo": "sha256", "oid": oid,
                                "size": len(files["model.safetensors"])}))
        ans = self.json_ok(self.commit("alice/flow", {"summary": "Upload folder using huggingface_hub",
                                                      "description": ""}, *ops))
        order = [(e["method"], e["path"].split("?")[0]) for e in self.pair.hub.requests()]
        self.assertEqual(order, [
            ("POST", "/api/repos/create"), ("POST", "/api/models/alice/flow/preupload/main"),
            ("POST", "/alice/flow.git/info/lfs/objects/batch"),
            ("POST", "/alice/flow.git/info/lfs/objects/verify"),
            ("POST", "/api/models/alice/flow/commit/main")])
        self.assertEqual([(e["method"], e["auth"]) for e in self.pair.cdn.requests()],
                         [("PUT", None)])
        # a second preupload now reports the remote oids: sha256 for LFS, git sha1 else
        pre = self.json_ok(call("POST", f"{self.hub}/api/models/alice/flow/preupload/main", WRITE, {
            "files": [{"path": p, "size": len(d), "sample": base64.b64encode(d[:512]).decode()}
                      for p, d in files.items()]}))
        oids = {e["path"]: e["oid"] for e in pre["files"]}
        self.assertEqual(oids, {"README.md": blob_sha1(files["README.md"]), "model.safetensors": oid,
                                "notes.txt": blob_sha1(files["notes.txt"]), "skip.tmp": None})
        self.assertEqual(self.json_ok(call("GET", f"{self.hub}/api/models/alice/flow"))["sha"],
                         ans["commitOid"])
        # a fine-grained token with read scope only: the write-without-rights answer
        st, h, b = call("POST", f"{self.hub}/api/models/alice/flow/preupload/main",
                        testhub.FINE_TOKEN, {"files": []})
        self.assertEqual((st, h["X-Error-Message"]), (403, "Forbidden: pass `create_pr=1` as a "
                                                           "query parameter to create a Pull Request"))

    def test_pull_requests_from_another_user_and_validate_yaml(self):
        self.json_ok(self.create("prs"))
        add = ("file", {"path": "d.txt", "content": "ZA==", "encoding": "base64"})
        st, h, b = self.commit("alice/prs", {"summary": "direct"}, add, token=OTHER)
        self.assertEqual((st, h["X-Error-Message"]), (403, "Forbidden: pass `create_pr=1` as a "
                                                           "query parameter to create a Pull Request"))
        pre = call("POST", f"{self.hub}/api/models/alice/prs/preupload/main?create_pr=1", OTHER,
                   {"files": [{"path": "d.txt", "size": 1, "sample": "ZA=="}]})
        self.assertEqual(pre[0], 200, pre[2])
        ans = self.json_ok(self.commit("alice/prs", {"summary": "pr"}, add, token=OTHER,
                                       query="?create_pr=1"))
        self.assertEqual(ans["pullRequestUrl"], f"{self.hub}/alice/prs/discussions/1")
        self.json_ok(self.commit("alice/prs", {"summary": "pr 2"}, add, token=OTHER, rev="refs/pr/1"))
        self.pair.hub.control("POST", "config", {"pull_requests_disabled": True})
        self.addCleanup(self.pair.hub.control, "POST", "config", {"pull_requests_disabled": None})
        st, h, b = self.commit("alice/prs", {"summary": "pr"}, add, token=OTHER, query="?create_pr=1")
        self.assertEqual((st, h["X-Error-Message"]), (403, "Authorization error."))
        # validate-yaml
        url = f"{self.hub}/api/validate-yaml"
        self.assertEqual(self.json_ok(call("POST", url, WRITE, {
            "content": "---\nlicense: mit\ntags:\n- a\n---\n# x\n", "repoType": "model"})),
            {"errors": [], "warnings": []})
        self.assertEqual(call("POST", url, WRITE, {"content": "---\nlicense: mit\n# x\n",
                                                   "repoType": "model"})[0], 400)

    def test_dataset_prefix_roundtrip(self):
        self.json_ok(call("POST", f"{self.hub}/api/repos/create", WRITE,
                          {"name": "ds", "organization": "acme", "type": "dataset",
                           "visibility": "private"}))
        data = os.urandom(3000)
        oid = hashlib.sha256(data).hexdigest()
        ans = self.json_ok(call("POST", f"{self.hub}/datasets/acme/ds.git/info/lfs/objects/batch",
                                WRITE, {"operation": "upload", "transfers": ["basic"],
                                        "objects": [{"oid": oid, "size": len(data)}]}))
        up = ans["objects"][0]["actions"]
        self.assertEqual(up["verify"]["href"],
                         f"{self.hub}/datasets/acme/ds.git/info/lfs/objects/verify")
        self.assertEqual(call("PUT", up["upload"]["href"], None, data)[0], 200)
        ans = self.json_ok(call("POST", f"{self.hub}/api/datasets/acme/ds/commit/main", WRITE,
                                ndjson({"summary": "data"}, ("lfsFile", {
                                    "path": "train.parquet", "algo": "sha256", "oid": oid,
                                    "size": len(data)})),
                                {"Content-Type": "application/x-ndjson"}))
        self.assertEqual(ans["commitUrl"], f"{self.hub}/datasets/acme/ds/commit/{ans['commitOid']}")
        self.assertEqual(call("GET", f"{self.hub}/api/datasets/acme/ds")[0], 404)   # private
        st, h, _ = call("GET", f"{self.hub}/datasets/acme/ds/resolve/main/train.parquet", WRITE)
        self.assertEqual(st, 302)
        st, h, got = call("GET", h["Location"])
        self.assertEqual((st, got), (200, data))

    # -- the official JS client ----------------------------------------------
    def test_js_client_repo_and_branch_calls(self):
        import subprocess
        import test_interop_js
        js = test_interop_js.js_client_dir()      # SkipTest without node/npm/network
        r = subprocess.run(["node", os.path.join(js, "repos.mjs"), self.hub, WRITE, "alice/js-br"],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr[-3000:])
        out = json.loads(r.stdout.strip().splitlines()[-1])
        self.assertEqual(out["created"]["repoUrl"], f"{self.hub}/alice/js-br")
        main = out["afterCreate"]["main"]
        self.assertEqual(out["afterCreate"]["dev"], main)
        empty = out["afterCreate"]["empty"]
        self.assertNotEqual(empty, main)
        self.assertEqual(out["again"], 409)
        self.assertEqual(out["afterNoop"]["dev"], main)          # overwrite alone: no-op
        self.assertEqual(out["afterOverwrite"]["dev"], empty)    # overwrite from "empty"
        self.assertEqual(sorted(out["afterDelete"]), ["dev", "main"])
        self.assertEqual((out["existsBefore"], out["existsAfter"]), (True, False))
        posts = [(e["method"], e["path"]) for e in self.pair.hub.requests(r"/branch/")]
        self.assertEqual(posts, [("POST", "/api/models/alice/js-br/branch/dev"),
                                 ("POST", "/api/models/alice/js-br/branch/empty"),
                                 ("POST", "/api/models/alice/js-br/branch/dev"),
                                 ("POST", "/api/models/alice/js-br/branch/dev"),
                                 ("POST", "/api/models/alice/js-br/branch/dev"),
                                 ("DELETE", "/api/models/alice/js-br/branch/empty")])

    def test_js_client_upload_file_and_commit(self):
        import subprocess
        import test_interop_js
        js = test_interop_js.js_client_dir()      # SkipTest without node/npm/network
        self.pair.hub.control("POST", "config", {"multipart_chunk_size": 5 * MiB,
                                                 "multipart_threshold": 6 * MiB})
        self.addCleanup(self.pair.hub.control, "POST", "config",
                        {"multipart_chunk_size": None, "multipart_threshold": None})
        self.json_ok(self.create("js-up"))
        small = b"hello from js\n"
        lfs_small = os.urandom(2000)
        large = os.urandom(11 * MiB + 7)
        b64 = lambda d: base64.b64encode(d).decode()
        spec = {"uploadFile": {"path": "hello.txt", "b64": b64(small)},
                "commit": {"title": "JS commit", "files": [
                    {"path": "w.bin", "b64": b64(lfs_small)},
                    {"path": "big.safetensors", "b64": b64(large)}]}}
        r = subprocess.run(["node", os.path.join(js, "upload.mjs"), self.hub, WRITE, "alice/js-up"],
                           input=json.dumps(spec), capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr[-3000:])
        out = json.loads(r.stdout.strip().splitlines()[-1])
        sha = out["commit"]["commit"]["oid"]
        self.assertEqual(out["commit"]["commit"]["url"], f"{self.hub}/alice/js-up/commit/{sha}")
        info = self.json_ok(call("GET", f"{self.hub}/api/models/alice/js-up/revision/main"))
        self.assertEqual(info["sha"], sha)
        # multipart was used for the large file, basic for the small LFS one
        puts = [e["path"] for e in self.pair.cdn.requests(r"^/lfs-upload/", "PUT")]
        self.assertEqual(sum(p.startswith("/lfs-upload/mp/") for p in puts), 3)
        self.assertEqual(sum(p.startswith("/lfs-upload/basic/") for p in puts), 1)
        self.assertEqual(len(self.pair.hub.requests(r"^/api/complete_multipart", "POST")), 1)
        st, h, got = call("GET", f"{self.hub}/alice/js-up/resolve/main/hello.txt")
        self.assertEqual(st, 307)
        st, h, got = call("GET", self.hub + h["Location"])
        self.assertEqual((st, got), (200, small))
        for path, data in (("w.bin", lfs_small), ("big.safetensors", large)):
            st, h, _ = call("GET", f"{self.hub}/alice/js-up/resolve/main/{path}")
            self.assertEqual(st, 302)
            st, h, got = call("GET", h["Location"])
            self.assertEqual((st, hashlib.sha256(got).hexdigest()),
                             (200, hashlib.sha256(data).hexdigest()))


if __name__ == "__main__":
    unittest.main()

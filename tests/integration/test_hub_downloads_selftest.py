#!/usr/bin/env python3
"""Self-test of the test hub's download protocol (hub + CDN + fixtures).

Talks to harness.HubPair with http.client only (does not need hf): resolve
HEAD/GET for regular and LFS files, resolve-cache, signed CDN URLs, Range,
tree pagination, repo info, gated/private repos, error codes, faults.
"""

import gzip
import hashlib
import http.client
import json
import os
import ssl
import sys
import threading
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

fixtures = harness.hub_fixtures
READ, WRITE, FINE, CARL = (harness.READ_TOKEN, harness.WRITE_TOKEN, harness.FINE_TOKEN,
                           harness.NOORGS_TOKEN)
TINY_FILES = ["README.md", "config.json", "model.safetensors", "onnx/model.onnx",
              "tokenizer.json", "weird name+1.txt"]
LLAMA_FILES = [".gitattributes", "LICENSE.txt", "README.md", "USE_POLICY.md", "config.json",
               "generation_config.json", "model.safetensors", "original/consolidated.00.pth",
               "original/params.json", "original/tokenizer.model", "special_tokens_map.json",
               "tokenizer.json", "tokenizer_config.json"]
GATED_MSG = ("Access to model meta-llama/Llama-3.2-1B is restricted. You must have access to "
             "it and be authenticated to access it. Please log in.")


def call(method, url, token=None, headers=None, context=None, timeout=10):
    """One request, no redirects followed: (status, headers, body bytes)."""
    u = urllib.parse.urlsplit(url)
    if u.scheme == "https":
        c = http.client.HTTPSConnection(u.hostname, u.port, timeout=timeout, context=context)
    else:
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    h = dict(headers or {})
    if token is not None:
        h["Authorization"] = f"Bearer {token}"
    try:
        c.request(method, u.path + (f"?{u.query}" if u.query else ""), headers=h)
        r = c.getresponse()
        return r.status, r.headers, r.read()
    finally:
        c.close()


def resolve_url(base, repo_id, path, revision="main", repo_type="model"):
    prefix = {"model": "", "dataset": "datasets/", "space": "spaces/"}[repo_type]
    return (f"{base}/{prefix}{repo_id}/resolve/{urllib.parse.quote(revision, safe='')}/"
            f"{urllib.parse.quote(path, safe='/')}")


def download(pair, repo_id, path, revision="main", repo_type="model", token=None, context=None):
    """What huggingface_hub does: HEAD (following relative redirects only, path
    replaced, auth kept), then GET the Location; Authorization only when the
    host is the hub's. Returns (metadata headers, body)."""
    url = resolve_url(pair.url, repo_id, path, revision, repo_type)
    hub = urllib.parse.urlsplit(pair.url)
    for _ in range(5):
        st, h, _ = call("HEAD", url, token, {"Accept-Encoding": "identity"}, context)
        loc = h.get("Location")
        if 300 <= st < 400 and loc and not urllib.parse.urlsplit(loc).netloc:
            meta = h
            url = urllib.parse.urlunsplit(hub[:2] + (urllib.parse.urlsplit(loc).path, "", ""))
            continue
        break
    if st >= 400:
        raise AssertionError(f"HEAD {url}: {st} {h.get('X-Error-Code')}")
    meta = h
    target = loc if (300 <= st < 400 and loc) else url
    if not urllib.parse.urlsplit(target).netloc:
        target = pair.url + target
    same = urllib.parse.urlsplit(target).netloc == hub.netloc
    st, gh, body = call("GET", target, token if same else None, context=context)
    if st != 200:
        raise AssertionError(f"GET {target}: {st}")
    return meta, body


class DownloadProtocolTest(unittest.TestCase):
    pair = None

    @classmethod
    def setUpClass(cls):
        cls.pair = harness.HubPair()

    @classmethod
    def tearDownClass(cls):
        cls.pair.stop()

    def setUp(self):
        self.pair.reset()

    def tearDown(self):
        while _conns:
            _conns.pop().close()
        self.assertEqual(self.pair.hub.violations(), [])

    def r(self, repo_id, path, revision="main", repo_type="model"):
        return resolve_url(self.pair.url, repo_id, path, revision, repo_type)

    def api(self, path):
        return self.pair.url + path

    def assert_error(self, resp, status, code, message=None):
        st, h, body = resp
        self.assertEqual(st, status, body)
        self.assertEqual(h.get("X-Error-Code"), code)
        if message is not None:
            self.assertEqual(h.get("X-Error-Message"), message)
            if body:
                self.assertEqual(json.loads(body), {"error": message})

    # -- resolve: regular files ----------------------------------------------------
    def test_head_regular_file_relative_307_then_resolve_cache(self):
        p = self.pair
        commit = p.commit("acme/tiny")
        sha1 = p.git_sha1("acme/tiny", "config.json")
        self.assertEqual(sha1, fixtures.git_blob_sha1(p.file_bytes("acme/tiny", "config.json")))
        for method in ("HEAD", "GET"):
            st, h, body = call(method, self.r("acme/tiny", "config.json"), READ)
            self.assertEqual(st, 307)
            loc = h["Location"]
            self.assertTrue(loc.startswith(f"/api/resolve-cache/models/acme/tiny/{commit}/config.json?"),
                            loc)
            self.assertTrue(loc.endswith(f"etag=%22{sha1}%22"), loc)
            self.assertEqual(h["ETag"], f'"{sha1}"')
            self.assertEqual(h["X-Repo-Commit"], commit)
            self.assertEqual(h["Accept-Ranges"], "bytes")
            self.assertIn("X-Request-Id", h)
            self.assertIsNone(h.get("X-Linked-Size"))
            self.assertIsNone(h.get("X-Linked-Etag"))
            self.assertNotEqual(int(h["Content-Length"]), p.size("acme/tiny", "config.json"))
            if method == "GET":
                self.assertEqual(int(h["Content-Length"]), len(body))
        # the python client drops the query string of a relative redirect
        path = urllib.parse.urlsplit(loc).path
        st, h, _ = call("HEAD", self.api(path), READ)
        self.assertEqual(st, 200)
        self.assertEqual(int(h["Content-Length"]), p.size("acme/tiny", "config.json"))
        self.assertEqual((h["ETag"], h["X-Repo-Commit"]), (f'"{sha1}"', commit))
        st, h, body = call("GET", self.api(loc), READ)
        self.assertEqual((st, body), (200, p.file_bytes("acme/tiny", "config.json")))
        st, h, body = call("GET", self.api(path), headers={"Range": "bytes=2-5"})
        self.assertEqual((st, body), (206, p.file_bytes("acme/tiny", "config.json")[2:6]))

    def test_weird_file_name(self):
        name = "weird name+1.txt"
        url = self.r("acme/tiny", name)
        self.assertTrue(url.endswith("/weird%20name%2B1.txt"))
        st, h, _ = call("HEAD", url)
        self.assertEqual(st, 307)
        self.assertIn("/weird%20name%2B1.txt?", h["Location"])
        meta, body = download(self.pair, "acme/tiny", name)
        self.assertEqual(body, self.pair.file_bytes("acme/tiny", name))
        # unescaped "+" is a literal plus (no form decoding); the space must be escaped
        self.assertEqual(call("HEAD", self.api("/acme/tiny/resolve/main/weird%20name+1.txt"))[0], 307)

    # -- resolve: LFS files ----------------------------------------------------------
    def test_head_lfs_file_302_to_cdn(self):
        p = self.pair
        sha = p.sha256("acme/tiny", "model.safetensors")
        size = p.size("acme/tiny", "model.safetensors")
        self.assertEqual(size, 1 << 20)
        for method in ("HEAD", "GET"):
            st, h, body = call(method, self.r("acme/tiny", "model.safetensors"), READ)
            self.assertEqual(st, 302)
            self.assertEqual(h["X-Repo-Commit"], p.commit("acme/tiny"))
            self.assertEqual(h["X-Linked-Etag"], f'"{sha}"')
            self.assertEqual(h["ETag"], f'"{sha}"')
            self.assertEqual(int(h["X-Linked-Size"]), size)
            self.assertEqual(h["Accept-Ranges"], "bytes")
            self.assertLess(int(h["Content-Length"]), 2000)  # the redirect body, not the file
            if method == "GET":
                self.assertEqual(int(h["Content-Length"]), len(body))
                self.assertTrue(body.startswith(b"Found. Redirecting to "))
        loc = urllib.parse.urlsplit(h["Location"])
        self.assertEqual(f"{loc.scheme}://{loc.netloc}", p.cdn.url)
        self.assertEqual(loc.path, f"/repos/{sha}")
        q = urllib.parse.parse_qs(loc.query)
        for k in ("Expires", "Signature", "X-Amz-Expires", "response-content-disposition"):
            self.assertIn(k, q)
        self.assertGreater(int(q["Expires"][0]), time.time() + 3000)
        st, ch, body = call("GET", h["Location"])
        self.assertEqual(st, 200)
        self.assertEqual(body, p.file_bytes("acme/tiny", "model.safetensors"))
        self.assertEqual(hashlib.sha256(body).hexdigest(), sha)
        self.assertEqual((int(ch["Content-Length"]), ch["ETag"]), (size, f'"{sha}"'))
        self.assertEqual(ch["Accept-Ranges"], "bytes")
        self.assertIn('filename="model.safetensors"', ch["Content-Disposition"])
        st, ch, _ = call("HEAD", h["Location"])
        self.assertEqual((st, int(ch["Content-Length"])), (200, size))
        log = p.cdn.requests(r"^/repos/")
        self.assertEqual([(e["method"], e["auth"], e["status"]) for e in log],
                         [("GET", None, 200), ("HEAD", None, 200)])
        self.assertEqual(p.cdn.violations(), [])
        # the hub logged the token's hash on the resolve calls
        self.assertEqual({e["auth"] for e in p.hub.requests("/resolve/")}, {harness.token_hash(READ)})
        self.assertNotIn(READ, p.hub.log_text())

    def test_cdn_rejects_authorization(self):
        st, h, _ = call("HEAD", self.r("acme/tiny", "onnx/model.onnx"), READ)
        self.assertEqual(st, 302)
        st, _, _ = call("GET", h["Location"], READ)
        self.assertEqual(st, 400)
        v = self.pair.cdn.violations()
        self.assertEqual([e["violation"] for e in v], ["authorization-received"])
        self.assertEqual(v[0]["auth"], harness.token_hash(READ))
        self.assertNotIn(READ, self.pair.cdn.log_text())
        self.pair.cdn.clear_log()

    def test_cdn_ranges(self):
        data = self.pair.file_bytes("acme/tiny", "onnx/model.onnx")
        n = len(data)
        loc = call("HEAD", self.r("acme/tiny", "onnx/model.onnx"))[1]["Location"]
        st, h, body = call("GET", loc, headers={"Range": "bytes=100-199"})
        self.assertEqual((st, body, h["Content-Range"]), (206, data[100:200], f"bytes 100-199/{n}"))
        self.assertEqual(int(h["Content-Length"]), 100)
        st, h, body = call("GET", loc, headers={"Range": f"bytes={n - 10}-"})
        self.assertEqual((st, body), (206, data[-10:]))
        st, h, body = call("GET", loc, headers={"Range": "bytes=-7"})
        self.assertEqual((st, body), (206, data[-7:]))
        st, h, _ = call("GET", loc, headers={"Range": f"bytes={n}-"})
        self.assertEqual((st, h["Content-Range"]), (416, f"bytes */{n}"))
        self.assertEqual([e["range"] for e in self.pair.cdn.requests(r"^/repos/")],
                         ["bytes=100-199", f"bytes={n - 10}-", "bytes=-7", f"bytes={n}-"])

    def test_big_file_parallel_ranges(self):
        p = self.pair
        st, h, _ = call("HEAD", self.r("acme/big", "model.safetensors"))
        size = int(h["X-Linked-Size"])
        self.assertEqual((st, size), (302, 64 << 20))
        loc = h["Location"]
        parts = {}
        step = size // 4

        def fetch(i):
            end = size - 1 if i == 3 else (i + 1) * step - 1
            st, rh, body = call("GET", loc, headers={"Range": f"bytes={i * step}-{end}"}, timeout=60)
            parts[i] = (st, rh["Content-Range"], body)

        threads = [threading.Thread(target=fetch, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual([parts[i][0] for i in range(4)], [206] * 4)
        self.assertEqual(parts[1][1], f"bytes {step}-{2 * step - 1}/{size}")
        data = b"".join(parts[i][2] for i in range(4))
        self.assertEqual(hashlib.sha256(data).hexdigest(), p.sha256("acme/big", "model.safetensors"))
        self.assertEqual(h["X-Linked-Etag"], f'"{p.sha256("acme/big", "model.safetensors")}"')
        self.assertEqual(len(p.cdn.requests(r"^/repos/")), 4)

    # -- errors ---------------------------------------------------------------------
    def test_unknown_repo_revision_entry(self):
        url = self.r("acme/nope", "config.json")
        for m in ("HEAD", "GET"):
            self.assert_error(call(m, url), 401, "RepoNotFound", "Invalid username or password.")
            self.assert_error(call(m, url, READ), 404, "RepoNotFound", "Repository not found")
            self.assert_error(call(m, url, "hf_invalidTokenxxxxxxxxxxxxxxxxxxxxxx"), 401, None,
                              harness.INVALID_CREDENTIALS)
        # invalid token on an existing public repo too
        self.assert_error(call("HEAD", self.r("acme/tiny", "config.json"), "hf_bad"), 401, None,
                          harness.INVALID_CREDENTIALS)
        st, h, body = call("GET", self.r("acme/tiny", "config.json", "nope"))
        self.assert_error((st, h, body), 404, "RevisionNotFound", "Invalid rev id: nope")
        self.assertIsNone(h.get("X-Repo-Commit"))
        for m in ("HEAD", "GET"):
            st, h, body = call(m, self.r("acme/tiny", "missing.bin"), READ)
            self.assert_error((st, h, body), 404, "EntryNotFound", "Entry not found")
            self.assertEqual(h["X-Repo-Commit"], self.pair.commit("acme/tiny"))
        st, h, _ = call("HEAD", self.r("acme/tiny", "pr-1-extra.txt", "v1.0"))
        self.assertEqual((st, h["X-Repo-Commit"]), (404, self.pair.commit("acme/tiny", "v1.0")))

    def test_revisions(self):
        p = self.pair
        shas = {r: p.commit("acme/tiny", r) for r in ("main", "v1.0", "refs/pr/1")}
        self.assertEqual(len(set(shas.values())), 3)
        self.assertEqual(shas["main"], fixtures.commit_sha("model", "acme/tiny", "main"))
        for rev, sha in shas.items():
            for spelled in (rev, sha):
                st, h, _ = call("HEAD", self.r("acme/tiny", "config.json", spelled))
                self.assertEqual((st, h["X-Repo-Commit"]), (307, sha), spelled)
        self.assertIn("/resolve/refs%2Fpr%2F1/", self.r("acme/tiny", "x", "refs/pr/1"))
        meta, body = download(p, "acme/tiny", "config.json", "v1.0")
        self.assertEqual(body, p.file_bytes("acme/tiny", "config.json", "v1.0"))
        self.assertNotEqual(body, p.file_bytes("acme/tiny", "config.json"))
        meta, body = download(p, "acme/tiny", "pr-1-extra.txt", "refs/pr/1")
        self.assertEqual(body, b"added by pull request 1\n")
        self.assertEqual(meta["X-Repo-Commit"], shas["refs/pr/1"])
        # v1.0 shares the LFS blob with main
        self.assertEqual(p.etag("acme/tiny", "model.safetensors", "v1.0"),
                         p.etag("acme/tiny", "model.safetensors"))
        # strict by default: an unescaped refs/pr/1 is the revision "refs"
        st, h, body = call("HEAD", self.api("/acme/tiny/resolve/refs/pr/1/pr-1-extra.txt"))
        self.assertEqual((st, h["X-Error-Code"]), (404, "RevisionNotFound"))
        p.hub.update_config({"lenient_refs": True})
        try:
            st, h, _ = call("HEAD", self.api("/acme/tiny/resolve/refs/pr/1/pr-1-extra.txt"))
            self.assertEqual((st, h["X-Repo-Commit"]), (307, shas["refs/pr/1"]))
        finally:
            p.hub.update_config({"lenient_refs": False})

    def test_repo_info_api(self):
        p = self.pair
        st, _, body = call("GET", self.api("/api/models/acme/tiny"))
        j = json.loads(body)
        self.assertEqual((st, j["id"], j["sha"]), (200, "acme/tiny", p.commit("acme/tiny")))
        self.assertEqual([s["rfilename"] for s in j["siblings"]], TINY_FILES)
        self.assertEqual((j["private"], j["gated"]), (False, False))
        for rev in ("v1.0", "refs/pr/1", "main"):
            st, _, body = call("GET", self.api("/api/models/acme/tiny/revision/"
                                               + urllib.parse.quote(rev, safe="")))
            self.assertEqual((st, json.loads(body)["sha"]), (200, p.commit("acme/tiny", rev)))
        st, _, body = call("GET", self.api(f"/api/models/acme/tiny/revision/{p.commit('acme/tiny', 'v1.0')}"))
        self.assertEqual(json.loads(body)["sha"], p.commit("acme/tiny", "v1.0"))
        st, _, body = call("GET", self.api("/api/models/acme/tiny/revision/refs%2Fpr%2F1"))
        self.assertIn("pr-1-extra.txt", [s["rfilename"] for s in json.loads(body)["siblings"]])
        self.assert_error(call("GET", self.api("/api/models/acme/tiny/revision/nope")), 404,
                          "RevisionNotFound", "Invalid rev id: nope")
        st, _, body = call("GET", self.api("/api/models/acme/tiny/revision/main?blobs=true"))
        sib = {s["rfilename"]: s for s in json.loads(body)["siblings"]}
        self.assertEqual(sib["model.safetensors"]["lfs"],
                         {"sha256": p.sha256("acme/tiny", "model.safetensors"), "size": 1 << 20,
                          "pointerSize": 132})
        self.assertEqual(sib["config.json"]["blobId"], p.git_sha1("acme/tiny", "config.json"))
        self.assertNotIn("lfs", sib["config.json"])
        st, _, body = call("GET", self.api("/api/datasets/acme/tiny-dataset"))
        j = json.loads(body)
        self.assertEqual((st, j["sha"]), (200, p.commit("acme/tiny-dataset", repo_type="dataset")))
        self.assertNotIn("modelId", j)
        st, _, body = call("GET", self.api("/api/spaces/acme/tiny-space/revision/main"))
        self.assertEqual(json.loads(body)["sha"], p.commit("acme/tiny-space", repo_type="space"))

    # -- tree --------------------------------------------------------------------------
    def test_tree_entries(self):
        p = self.pair
        st, h, body = call("GET", self.api("/api/models/acme/tiny/tree/main?recursive=true&expand=false"))
        self.assertEqual(st, 200)
        self.assertIsNone(h.get("Link"))
        entries = json.loads(body)
        files = [e["path"] for e in entries if e["type"] == "file"]
        self.assertEqual(sorted(files), TINY_FILES)
        d = [e for e in entries if e["type"] == "directory"]
        self.assertEqual([(e["path"], e["size"]) for e in d], [("onnx", 0)])
        self.assertRegex(d[0]["oid"], r"^[0-9a-f]{40}$")
        by = {e["path"]: e for e in entries}
        self.assertEqual(list(by["model.safetensors"]), ["type", "oid", "size", "lfs", "path"])
        self.assertEqual(by["model.safetensors"]["lfs"],
                         {"oid": p.sha256("acme/tiny", "model.safetensors"), "size": 1 << 20,
                          "pointerSize": 132})
        self.assertEqual(by["model.safetensors"]["oid"], p.git_sha1("acme/tiny", "model.safetensors"))
        self.assertEqual(by["config.json"], {"type": "file", "oid": p.git_sha1("acme/tiny", "config.json"),
                                             "size": p.size("acme/tiny", "config.json"),
                                             "path": "config.json"})
        self.assertTrue(by["tokenizer.json"]["lfs"])
        # not recursive: top level only; a sub-path; refs%2Fpr%2F1; a commit sha
        top = json.loads(call("GET", self.api("/api/models/acme/tiny/tree/main"))[2])
        self.assertNotIn("onnx/model.onnx", [e["path"] for e in top])
        self.assertIn("onnx", [e["path"] for e in top])
        sub = json.loads(call("GET", self.api("/api/models/acme/tiny/tree/main/onnx?recursive=true"))[2])
        self.assertEqual([e["path"] for e in sub], ["onnx/model.onnx"])
        pr = json.loads(call("GET", self.api("/api/models/acme/tiny/tree/refs%2Fpr%2F1?recursive=true"))[2])
        self.assertIn("pr-1-extra.txt", [e["path"] for e in pr])
        c = p.commit("acme/tiny", "v1.0")
        v1 = json.loads(call("GET", self.api(f"/api/models/acme/tiny/tree/{c}?recursive=true"))[2])
        self.assertEqual({e["path"]: e["oid"] for e in v1}["config.json"],
                         p.git_sha1("acme/tiny", "config.json", "v1.0"))
        ex = json.loads(call("GET", self.api("/api/models/acme/tiny/tree/main?recursive=true&expand=true"))[2])
        self.assertEqual(ex[0]["lastCommit"]["id"], p.commit("acme/tiny"))
        self.assert_error(call("GET", self.api("/api/models/acme/tiny/tree/nope")), 404, "RevisionNotFound",
                          "Invalid rev id: nope")
        self.assertEqual(call("GET", self.api("/api/models/acme/tiny/tree/main/nodir"))[0], 404)
        self.assertEqual(call("GET", self.api("/api/models/acme/nope/tree/main"))[0], 404)
        st, _, body = call("GET", self.api("/api/datasets/acme/tiny-dataset/tree/main?recursive=true"))
        self.assertEqual(sorted(e["path"] for e in json.loads(body)),
                         ["README.md", "data", "data/train.csv"])

    def test_tree_pagination_2500_files(self):
        p = self.pair
        url = self.api("/api/models/acme/many-files/tree/main?recursive=true&expand=false")
        pages, links = [], []
        while url:
            st, h, body = call("GET", url)
            self.assertEqual(st, 200, body)
            pages.append(json.loads(body))
            link = h.get("Link")
            url = None
            if link:
                self.assertRegex(link, r'^<[^>]+>; rel="next"$')
                url = link[1:link.index(">")]
                links.append(url)
        self.assertEqual([len(x) for x in pages], [1000, 1000, 505])
        for u in links:
            self.assertTrue(u.startswith(p.url + "/api/models/acme/many-files/tree/main?"), u)
            q = urllib.parse.parse_qs(urllib.parse.urlsplit(u).query)
            self.assertEqual((q["recursive"], q["expand"]), (["true"], ["false"]))
            self.assertTrue(q["cursor"][0])
        entries = [e for page in pages for e in page]
        files = [e["path"] for e in entries if e["type"] == "file"]
        self.assertEqual(len(files), 2500)
        self.assertEqual(len(set(files)), 2500)
        self.assertEqual(sorted(e["path"] for e in entries if e["type"] == "directory"),
                         [f"shard-{i}" for i in range(5)])
        self.assertEqual(sorted(files), p.files("acme/many-files"))
        e = next(x for x in entries if x["path"] == "shard-3/file-1999.txt")
        self.assertEqual(e["oid"], p.git_sha1("acme/many-files", "shard-3/file-1999.txt"))
        self.assertEqual(p.file_bytes("acme/many-files", "shard-3/file-1999.txt"), b"many-files #1999\n")
        self.assertEqual(call("GET", self.api("/api/models/acme/many-files/tree/main?cursor=%%%"))[0], 400)
        p.hub.update_config({"tree_page_size": 700})
        try:
            n, url = 0, self.api("/api/models/acme/many-files/tree/main?recursive=true")
            while url:
                st, h, body = call("GET", url)
                n += 1
                url = h.get("Link", "<>")[1:].split(">")[0] or None
            self.assertEqual(n, 4)
        finally:
            p.hub.update_config({"tree_page_size": 1000})

    # -- gated / private ----------------------------------------------------------
    def test_gated_repo(self):
        p = self.pair
        url = self.r("meta-llama/Llama-3.2-1B", "config.json")
        for m in ("HEAD", "GET"):
            self.assert_error(call(m, url), 401, "GatedRepo", GATED_MSG)
            self.assert_error(call(m, url, FINE), 403, "GatedRepo", GATED_MSG)
            st, h, body = call(m, url, CARL)
            self.assertEqual((st, h["X-Error-Code"]), (403, "GatedRepo"))
            self.assertIn("awaiting a review", h["X-Error-Message"])
            self.assertIn("meta-llama/Llama-3.2-1B", h["X-Error-Message"])
        for tok in (READ, WRITE):
            st, h, _ = call("HEAD", url, tok)
            self.assertEqual((st, h["X-Repo-Commit"]), (307, p.commit("meta-llama/Llama-3.2-1B")))
        meta, body = download(p, "meta-llama/Llama-3.2-1B", "model.safetensors", token=READ)
        self.assertEqual(len(body), 4 << 20)
        self.assertEqual(hashlib.sha256(body).hexdigest(),
                         p.sha256("meta-llama/Llama-3.2-1B", "model.safetensors"))
        # the resolve-cache endpoint is gated too
        loc = call("HEAD", url, READ)[1]["Location"]
        self.assertEqual(call("GET", self.api(loc))[0], 401)
        self.assertEqual(call("GET", self.api(loc), READ)[0], 200)
        # metadata is public
        st, _, body = call("GET", self.api("/api/models/meta-llama/Llama-3.2-1B"))
        j = json.loads(body)
        self.assertEqual((st, j["gated"]), (200, "manual"))
        self.assertEqual([s["rfilename"] for s in j["siblings"]], LLAMA_FILES)
        st, _, body = call("GET", self.api("/api/models/meta-llama/Llama-3.2-1B/tree/main?recursive=true"))
        self.assertEqual(sorted(e["path"] for e in json.loads(body) if e["type"] == "file"), LLAMA_FILES)
        self.assertEqual(p.files("meta-llama/Llama-3.2-1B"), LLAMA_FILES)

    def test_private_repo(self):
        p = self.pair
        url = self.r("acme/private-model", "model.safetensors")
        self.assert_error(call("HEAD", url), 401, "RepoNotFound", "Invalid username or password.")
        self.assert_error(call("HEAD", url, CARL), 404, "RepoNotFound", "Repository not found")
        self.assert_error(call("HEAD", url, FINE), 404, "RepoNotFound")
        meta, body = download(p, "acme/private-model", "model.safetensors", token=READ)
        self.assertEqual(body, p.file_bytes("acme/private-model", "model.safetensors"))
        meta, body = download(p, "acme/private-model", "config.json", token=WRITE)
        self.assertEqual(body, p.file_bytes("acme/private-model", "config.json"))
        self.assertEqual(call("GET", self.api("/api/models/acme/private-model"))[0], 404)
        self.assertEqual(call("GET", self.api("/api/models/acme/private-model"), CARL)[0], 404)
        st, _, body = call("GET", self.api("/api/models/acme/private-model"), READ)
        self.assertEqual((st, json.loads(body)["private"]), (200, True))
        self.assertEqual(call("GET", self.api("/api/models/acme/private-model/tree/main"))[0], 404)
        self.assertEqual(call("GET", self.api("/api/models/acme/private-model/tree/main"), READ)[0], 200)
        loc = call("HEAD", self.r("acme/private-model", "config.json"), READ)[1]["Location"]
        self.assertEqual(call("GET", self.api(loc))[0], 401)
        self.assertEqual(call("GET", self.api(loc), CARL)[0], 404)

    # -- repo types ----------------------------------------------------------------
    def test_dataset_and_space_prefixes(self):
        p = self.pair
        st, h, _ = call("HEAD", self.r("acme/tiny-dataset", "data/train.csv", repo_type="dataset"))
        self.assertEqual(st, 307)
        c = p.commit("acme/tiny-dataset", repo_type="dataset")
        self.assertTrue(h["Location"].startswith(f"/api/resolve-cache/datasets/acme/tiny-dataset/{c}/data/train.csv?"))
        self.assertTrue(self.r("acme/tiny-dataset", "x", repo_type="dataset").startswith(p.url + "/datasets/"))
        meta, body = download(p, "acme/tiny-dataset", "data/train.csv", repo_type="dataset")
        self.assertEqual(body, p.file_bytes("acme/tiny-dataset", "data/train.csv", repo_type="dataset"))
        self.assertTrue(body.startswith(b"id,text,label\n"))
        meta, body = download(p, "acme/tiny-space", "app.py", repo_type="space")
        self.assertEqual(body, p.file_bytes("acme/tiny-space", "app.py", repo_type="space"))
        self.assertEqual(meta["X-Repo-Commit"], p.commit("acme/tiny-space", repo_type="space"))
        # wrong type: not found
        self.assert_error(call("HEAD", self.r("acme/tiny-dataset", "README.md")), 401, "RepoNotFound")
        self.assert_error(call("HEAD", self.r("acme/tiny-dataset", "README.md"), READ), 404, "RepoNotFound")
        self.assert_error(call("HEAD", self.r("acme/tiny", "README.md", repo_type="space"), READ), 404,
                          "RepoNotFound")

    def test_moved_repo_relative_307(self):
        st, h, _ = call("HEAD", self.api("/acme/tiny-old-name/resolve/main/config.json"), READ)
        self.assertEqual((st, h["Location"]), (307, "/acme/tiny/resolve/main/config.json"))
        st, h, _ = call("GET", self.api("/api/models/acme/tiny-old-name/revision/main"))
        self.assertEqual((st, h["Location"]), (307, "/api/models/acme/tiny/revision/main"))
        meta, body = download(self.pair, "acme/tiny-old-name", "config.json")
        self.assertEqual(body, self.pair.file_bytes("acme/tiny", "config.json"))

    # -- expiry / signatures -----------------------------------------------------
    def test_cdn_url_expiry_and_signature(self):
        p = self.pair
        url = self.r("acme/tiny", "tokenizer.json")
        fresh = call("HEAD", url)[1]["Location"]
        p.hub.update_config({"cdn_url_ttl": -5})
        try:
            stale = call("HEAD", url)[1]["Location"]
        finally:
            p.hub.update_config({"cdn_url_ttl": 3600})
        st, h, body = call("GET", stale)
        self.assertEqual((st, h["X-Error-Code"]), (403, "AccessDenied"))
        self.assertIn(b"Request has expired", body)
        self.assertEqual(call("GET", fresh)[0], 200)
        tampered = fresh.replace("Expires=", "Expires=9")
        self.assertEqual(call("GET", tampered)[1]["X-Error-Code"], "SignatureDoesNotMatch")
        u = urllib.parse.urlsplit(fresh)
        self.assertEqual(call("GET", f"{p.cdn.url}{u.path}")[1]["X-Error-Code"], "MissingKey")
        # move the CDN's clock: links already handed out expire
        p.cdn.update_config({"cdn_clock_skew": 7200})
        try:
            self.assertEqual(call("GET", fresh)[0], 403)
        finally:
            p.cdn.update_config({"cdn_clock_skew": 0})
        self.assertEqual(call("GET", fresh)[0], 200)
        # another secret (another hub) does not sign for this CDN
        other = harness.Hub(self, config={"fixtures": "default", "cdn_url": p.cdn.url,
                                          "cdn_secret": "not-the-secret"})
        loc = call("HEAD", resolve_url(other.url, "acme/tiny", "tokenizer.json"))[1]["Location"]
        self.assertTrue(loc.startswith(p.cdn.url))
        self.assertEqual(call("GET", loc)[0], 403)

    # -- faults ------------------------------------------------------------------------
    def test_faults_on_resolve(self):
        p = self.pair
        url = self.r("acme/tiny", "config.json")
        p.hub.set_faults([{"match": r"/resolve/", "times": 1, "action": "status", "status": 429,
                           "headers": {"Retry-After": "1"}},
                          {"match": r"/resolve/", "after": 1, "times": 2, "action": "status",
                           "status": 503}])
        res = [call("HEAD", url) for _ in range(4)]
        self.assertEqual([x[0] for x in res], [429, 503, 503, 307])
        self.assertEqual(res[0][1]["Retry-After"], "1")
        self.assertEqual([e["status"] for e in p.hub.requests("/resolve/")], [429, 503, 503, 307])
        p.hub.set_faults([{"match": r"/resolve/", "method": "HEAD", "times": 1, "action": "drop"}])
        c = http_conn(p.hub)
        c.request("HEAD", urllib.parse.urlsplit(url).path)
        with self.assertRaises(http.client.RemoteDisconnected):
            c.getresponse()
        self.assertEqual(call("HEAD", url)[0], 307)
        # faults on the resolve-cache body
        data = p.file_bytes("acme/tiny", "config.json")
        p.hub.set_faults([{"match": r"^/api/resolve-cache/", "times": 1, "action": "truncate",
                           "bytes": 10}])
        c = http_conn(p.hub)
        c.request("GET", f"/api/resolve-cache/models/acme/tiny/{p.commit('acme/tiny')}/config.json")
        r = c.getresponse()
        self.assertEqual(int(r.getheader("Content-Length")), len(data))
        with self.assertRaises(http.client.IncompleteRead) as cm:
            r.read()
        self.assertEqual(cm.exception.partial, data[:10])
        p.hub.set_faults([{"match": r"^/api/resolve-cache/", "method": "GET", "times": 1,
                           "action": "corrupt", "offset": 0}])
        meta, body = download(p, "acme/tiny", "config.json")
        self.assertEqual((len(body), body[1:]), (len(data), data[1:]))
        self.assertNotEqual(body, data)
        p.hub.set_faults([{"match": r"^/api/resolve-cache/", "action": "slow", "chunk": 64,
                           "interval": 0.05}])
        t0 = time.monotonic()
        meta, body = download(p, "acme/tiny", "config.json")
        self.assertEqual(body, data)
        self.assertGreater(time.monotonic() - t0, 0.1)

    def test_faults_on_cdn(self):
        p = self.pair
        data = p.file_bytes("acme/tiny", "onnx/model.onnx")
        n = len(data)
        loc = call("HEAD", self.r("acme/tiny", "onnx/model.onnx"))[1]["Location"]
        path = loc[len(p.cdn.url):]
        # 503 then success
        p.cdn.set_faults([{"match": r"^/repos/", "times": 1, "action": "status", "status": 503}])
        self.assertEqual([call("GET", loc)[0] for _ in range(2)], [503, 200])
        # truncate: full Content-Length, part of the body, FIN
        p.cdn.set_faults([{"match": r"^/repos/", "times": 1, "action": "truncate", "bytes": 1000}])
        c = http_conn(p.cdn)
        c.request("GET", path)
        r = c.getresponse()
        self.assertEqual(int(r.getheader("Content-Length")), n)
        with self.assertRaises(http.client.IncompleteRead) as cm:
            r.read()
        self.assertEqual(cm.exception.partial, data[:1000])
        # reset mid-body
        p.cdn.set_faults([{"match": r"^/repos/", "times": 1, "action": "reset", "bytes": 5000}])
        with self.assertRaises((ConnectionResetError, http.client.IncompleteRead,
                                http.client.RemoteDisconnected)):
            call("GET", loc)
        # ignore_range / wrong_range
        p.cdn.set_faults([{"match": r"^/repos/", "times": 1, "action": "ignore_range"}])
        st, h, body = call("GET", loc, headers={"Range": "bytes=1000-"})
        self.assertEqual((st, body), (200, data))
        p.cdn.set_faults([{"match": r"^/repos/", "times": 1, "action": "wrong_range"}])
        st, h, body = call("GET", loc, headers={"Range": "bytes=1000-"})
        self.assertEqual((st, h["Content-Range"], body), (206, f"bytes 0-{n - 1}/{n}", data))
        # swap_content: same length, other bytes; Range slices of the swapped file
        p.cdn.set_faults([{"match": r"^/repos/", "times": 2, "action": "swap_content"}])
        st, h, body = call("GET", loc)
        self.assertEqual((st, len(body), int(h["Content-Length"])), (200, n, n))
        self.assertEqual(h["ETag"], f'"{p.sha256("acme/tiny", "onnx/model.onnx")}"')
        self.assertNotEqual(hashlib.sha256(body).hexdigest(), p.sha256("acme/tiny", "onnx/model.onnx"))
        st, h, tail = call("GET", loc, headers={"Range": "bytes=1000-"})
        self.assertEqual((st, tail), (206, body[1000:]))
        self.assertTrue(all(a != b for a, b in zip(tail[:100], data[1000:1100])))
        self.assertEqual(call("GET", loc)[2], data)  # used up
        # corrupt + delay
        p.cdn.set_faults([{"match": r"^/repos/", "times": 1, "action": "corrupt", "offset": 7,
                           "delay": 0.2}])
        t0 = time.monotonic()
        body = call("GET", loc)[2]
        self.assertGreaterEqual(time.monotonic() - t0, 0.2)
        self.assertEqual((body[:7], body[8:]), (data[:7], data[8:]))
        self.assertEqual(body[7], data[7] ^ 0xFF)
        self.assertEqual([e["faults"] for e in p.cdn.requests() if "faults" in e],
                         [["status"], ["truncate"], ["reset"], ["ignore_range"], ["wrong_range"],
                          ["swap_content"], ["swap_content"], ["corrupt"]])

    def test_header_gzip_chunked_faults(self):
        p = self.pair
        url = self.r("acme/tiny", "config.json")
        p.hub.set_faults([{"match": r"/resolve/", "times": 1, "action": "headers",
                           "set": {"ETag": 'W/"../x"'}, "remove": ["X-Repo-Commit"]}])
        st, h, _ = call("HEAD", url)
        self.assertEqual((st, h["ETag"], h.get("X-Repo-Commit")), (307, 'W/"../x"', None))
        # 302 with an enormous Content-Length header (the body is the real one)
        p.hub.set_faults([{"match": r"/resolve/", "times": 1, "action": "headers",
                           "set": {"Content-Length": "10000000000"}}])
        st, h, _ = call("HEAD", self.r("acme/tiny", "model.safetensors"))
        self.assertEqual((st, h["Content-Length"], h["X-Linked-Size"]), (302, "10000000000", str(1 << 20)))
        data = p.file_bytes("acme/tiny", "config.json")
        rc = f"/api/resolve-cache/models/acme/tiny/{p.commit('acme/tiny')}/config.json"
        p.hub.set_faults([{"match": r"^/api/resolve-cache/", "times": 1, "action": "gzip",
                           "chunked": True}])
        st, h, body = call("GET", self.api(rc), headers={"Accept-Encoding": "gzip"})
        self.assertEqual((st, h["Content-Encoding"], h.get("Content-Length")), (200, "gzip", None))
        self.assertEqual(h["Transfer-Encoding"], "chunked")
        self.assertEqual(gzip.decompress(body), data)
        p.hub.update_config({"gzip_text": True})
        try:
            st, h, body = call("GET", self.api(rc), headers={"Accept-Encoding": "gzip, deflate"})
            self.assertEqual((h["Content-Encoding"], h["Transfer-Encoding"]), ("gzip", "chunked"))
            self.assertEqual(gzip.decompress(body), data)
            st, h, body = call("GET", self.api(rc), headers={"Accept-Encoding": "identity"})
            self.assertEqual((h.get("Content-Encoding"), body), (None, data))
        finally:
            p.hub.update_config({"gzip_text": False})
        p.hub.set_faults([{"match": r"^/api/resolve-cache/", "times": 1, "action": "chunked",
                           "chunk_size": 16, "final": False}])
        c = http_conn(p.hub)
        c.request("GET", rc)
        r = c.getresponse()
        with self.assertRaises(http.client.IncompleteRead):
            r.read()
        p.hub.set_faults([{"match": r"^/api/resolve-cache/", "times": 1, "action": "extend",
                           "bytes": 100}])
        st, h, body = call("GET", self.api(rc))
        self.assertEqual((len(body), body[:len(data)]), (len(data) + 100, data))

    # -- fixtures / harness ---------------------------------------------------------
    def test_fixture_helpers(self):
        p = self.pair
        self.assertIn(p.cdn.host, ("127.0.0.2", "127.0.0.1"))
        self.assertNotEqual(p.cdn.url, p.hub.url)
        self.assertEqual(p.env(), {"HF_ENDPOINT": p.hub.url})
        self.assertEqual(p.files("acme/tiny"), TINY_FILES)
        self.assertEqual(p.files("acme/tiny", "refs/pr/1"), sorted(TINY_FILES + ["pr-1-extra.txt"]))
        lfs = {f for f in TINY_FILES if p.is_lfs("acme/tiny", f)}
        self.assertEqual(lfs, {"model.safetensors", "onnx/model.onnx", "tokenizer.json"})
        self.assertEqual(p.size("acme/tiny", "onnx/model.onnx"), 200 * 1024)
        st = p.file_bytes("acme/tiny", "model.safetensors")
        hlen = int.from_bytes(st[:8], "little")
        self.assertEqual(json.loads(st[8:8 + hlen])["weight"]["dtype"], "U8")  # a real safetensors
        json.loads(p.file_bytes("acme/tiny", "tokenizer.json"))  # valid JSON
        self.assertEqual(p.etag("acme/tiny", "config.json"), p.git_sha1("acme/tiny", "config.json"))
        self.assertEqual(p.etag("acme/tiny", "tokenizer.json"), p.sha256("acme/tiny", "tokenizer.json"))
        self.assertEqual(len(p.files("acme/many-files")), 2500)
        cp = p.cache_paths("/c", "acme/tiny", "onnx/model.onnx", "refs/pr/1")
        self.assertEqual(cp["ref"], "/c/models--acme--tiny/refs/refs/pr/1")
        self.assertEqual(cp["blob"], "/c/models--acme--tiny/blobs/" + p.sha256("acme/tiny", "onnx/model.onnx"))
        self.assertEqual(cp["snapshot"], f"/c/models--acme--tiny/snapshots/{p.commit('acme/tiny', 'refs/pr/1')}"
                                         "/onnx/model.onnx")
        self.assertEqual(harness.repo_folder_name("acme/tiny-dataset", "dataset"), "datasets--acme--tiny-dataset")
        # every file of every acme/tiny revision downloads to the fixture bytes, with the
        # etag/commit the harness predicts
        for rev in ("main", "v1.0", "refs/pr/1"):
            for f in p.files("acme/tiny", rev):
                meta, body = download(p, "acme/tiny", f, rev, token=READ)
                self.assertEqual(body, p.file_bytes("acme/tiny", f, rev), (rev, f))
                etag = (meta.get("X-Linked-Etag") or meta["ETag"]).strip('"')
                self.assertEqual(etag, p.etag("acme/tiny", f, rev))
                self.assertEqual(meta["X-Repo-Commit"], p.commit("acme/tiny", rev))
        self.assertEqual(p.cdn.violations(), [])
        # whoami still works on the fixture hub
        st, _, body = call("GET", self.api("/api/whoami-v2"), READ)
        self.assertEqual((st, json.loads(body)["name"]), (200, "alice"))

    def test_add_repos_reaches_hub_and_cdn(self):
        p = self.pair
        p.add_repos([{"id": "acme/added", "files": {
            "w.bin": {"size": 5000, "seed": "added"}, "notes.txt": "hello\n"}}])
        self.assertTrue(p.is_lfs("acme/added", "w.bin"))  # .bin
        meta, body = download(p, "acme/added", "w.bin")
        self.assertEqual(body, p.file_bytes("acme/added", "w.bin"))
        self.assertEqual(len(body), 5000)
        meta, body = download(p, "acme/added", "notes.txt")
        self.assertEqual(body, b"hello\n")


_conns = []


def http_conn(hub, timeout=10):
    c = http.client.HTTPConnection(hub.host, hub.port, timeout=timeout)
    _conns.append(c)
    return c


class TlsPairTest(unittest.TestCase):
    def test_tls_pair(self):
        p = harness.start_hub_with_cdn(self, tls=True)
        self.assertTrue(p.url.startswith("https://127.0.0.1:"))
        self.assertTrue(p.cdn.url.startswith("https://"))
        self.assertEqual(p.env()["SSL_CERT_FILE"], p.hub.ca_cert)
        ctx = ssl.create_default_context(cafile=p.hub.ca_cert)
        meta, body = download(p, "acme/tiny", "model.safetensors", token=READ, context=ctx)
        self.assertEqual(hashlib.sha256(body).hexdigest(), p.sha256("acme/tiny", "model.safetensors"))
        self.assertEqual(urllib.parse.urlsplit(meta["Location"]).scheme, "https")
        meta, body = download(p, "acme/tiny", "config.json", token=READ, context=ctx)
        self.assertEqual(body, p.file_bytes("acme/tiny", "config.json"))
        st, h, _ = call("GET", p.url + "/api/models/acme/many-files/tree/main?recursive=true", context=ctx)
        self.assertTrue(h["Link"].startswith(f'<{p.url}/api/models/acme/many-files/tree/main?'))
        self.assertEqual(p.violations(), [])
        self.assertTrue(all(e["tls"] for e in p.cdn.requests()))

    def test_cdn_host_fallback(self):
        # an address that cannot be bound: the CDN falls back to 127.0.0.1
        p = harness.HubPair(self, cdn_host="192.0.2.1")
        self.assertEqual(p.cdn.host, "127.0.0.1")
        self.assertNotEqual(p.cdn.port, p.hub.port)
        st, h, _ = call("HEAD", resolve_url(p.url, "acme/tiny", "tokenizer.json"))
        self.assertTrue(h["Location"].startswith(p.cdn.url + "/repos/"))
        self.assertEqual(call("GET", h["Location"])[0], 200)

    def test_standalone_hub_serves_lfs_itself(self):
        hub = harness.Hub(self, config={"fixtures": "default"})
        st, h, _ = call("HEAD", resolve_url(hub.url, "acme/tiny", "tokenizer.json"))
        self.assertEqual(st, 302)
        self.assertTrue(h["Location"].startswith(hub.url + "/repos/"))
        st, _, body = call("GET", h["Location"])
        self.assertEqual(len(body), fixtures.default_registry().file("acme/tiny", "tokenizer.json").size)


if __name__ == "__main__":
    unittest.main()

#!/usr/bin/env python3
"""Self-test of the upload benchmark's storage (bench/uploadhub.py): nginx as
the presigned-URL storage in front of the test hub's write API, and the
benchmark-only completion. Not a timed test: it checks that the benchmark
measures a storage that still refuses what S3 refuses (a credential, a
tampered or expired URL) and that a wrong upload cannot pass as a fast one.
Skipped when nginx is not installed (bench/upload.sh installs it). Does not
need hf."""

import base64
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "bench"))

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)


def put(url, data, headers=None):
    """(status, headers) of a PUT with the body `data`."""
    r = urllib.request.Request(url, data=data, method="PUT", headers=headers or {})
    try:
        with urllib.request.urlopen(r, timeout=30) as resp:
            return resp.status, resp.headers
    except urllib.error.HTTPError as e:
        return e.code, e.headers


@unittest.skipUnless(NGINX, "nginx is not installed (bench/upload.sh installs it)")
class SinkTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        import uploadhub
        cls.uploadhub = uploadhub
        cls.tmp = tempfile.mkdtemp(prefix="hf-bench-sink-test-")
        os.chmod(cls.tmp, 0o755)   # nginx's workers (nobody, under root) walk into it
        cls.hub = uploadhub.UploadHub(os.path.join(cls.tmp, "run"),
                                      os.path.join(cls.tmp, "sink")).start()

    @classmethod
    def tearDownClass(cls):
        cls.hub.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.hub.wipe()
        self.hub.state.options["upload_url_ttl"] = 3600
        self.hub.clear_counters()

    def api(self, path, body, ctype="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        r = urllib.request.Request(self.hub.endpoint + path, data=data, method="POST",
                                   headers={"Authorization": f"Bearer {self.uploadhub.WRITE_TOKEN}",
                                            "Content-Type": ctype})
        with urllib.request.urlopen(r, timeout=30) as resp:
            return json.loads(resp.read() or b"{}")

    def test_single_put_is_stored_with_an_etag(self):
        data = os.urandom(5000)
        oid = hashlib.sha256(data).hexdigest()
        status, headers = put(self.hub.put_url(oid), data)
        self.assertIn(status, (200, 201))
        self.assertRegex(headers["ETag"], r'^"[0-9a-f]{32}"$')
        with open(os.path.join(self.hub.sink, "put", "basic", oid), "rb") as f:
            self.assertEqual(f.read(), data)
        c = self.hub.sink_counters()
        self.assertEqual((c["puts"], c["put_failed"], c["with_auth"]), (1, 0, 0))
        self.assertGreaterEqual(c["put_bytes"], 5000)

    def test_refusals(self):
        data = b"x" * 1000
        oid = hashlib.sha256(data).hexdigest()
        url = self.hub.put_url(oid)
        cases = {
            "credential": (url, {"Authorization": "Bearer hf_not_for_the_storage"}),
            "other path": (url.replace(oid, "0" * 64), None),
            "no signature": (re.sub(r"&bench_sig=[^&]*", "", url), None),
            "expiry moved": (re.sub(r"([?&]Expires=)(\d+)",
                                    lambda m: m.group(1) + str(int(m.group(2)) + 60), url), None),
        }
        for name, (u, h) in cases.items():
            with self.subTest(name):
                status, headers = put(u, data, h)
                self.assertEqual(status, 403)
        self.hub.state.options["upload_url_ttl"] = -10
        status, _ = put(self.hub.put_url(oid), data)
        self.assertEqual(status, 403)
        self.assertFalse(os.path.exists(os.path.join(self.hub.sink, "put", "basic", oid)))
        c = self.hub.sink_counters()
        self.assertEqual((c["puts"], c["put_failed"], c["with_auth"]), (5, 5, 1))

    def multipart(self, repo, data, chunk):
        """LFS batch + part PUTs through the sink; returns (oid, completion href, etags)."""
        self.hub.state.options["multipart_chunk_size"] = chunk
        oid = hashlib.sha256(data).hexdigest()
        ans = self.api(f"/{repo}.git/info/lfs/objects/batch",
                       {"operation": "upload", "transfers": ["basic", "multipart"],
                        "objects": [{"oid": oid, "size": len(data)}], "hash_algo": "sha256"},
                       "application/vnd.git-lfs+json")
        up = ans["objects"][0]["actions"]["upload"]
        keys = sorted((k for k in up["header"] if k.isdigit()), key=int)
        etags = []
        for i, k in enumerate(keys):
            status, headers = put(up["header"][k], data[i * chunk:(i + 1) * chunk])
            self.assertIn(status, (200, 201))
            etags.append(headers["ETag"])
        return oid, up["href"], etags

    def complete(self, href, oid, etags):
        body = {"oid": oid, "parts": [{"partNumber": i + 1, "etag": e} for i, e in enumerate(etags)]}
        r = urllib.request.Request(href, data=json.dumps(body).encode(), method="POST",
                                   headers={"Content-Type": "application/vnd.git-lfs+json"})
        with urllib.request.urlopen(r, timeout=30) as resp:
            return resp.status

    def test_multipart_completion_and_commit(self):
        repo = self.hub.create_repo("sink-mp")
        data = os.urandom(250_000)
        oid, href, etags = self.multipart(repo, data, 100_000)
        self.assertEqual(len(etags), 3)
        self.assertEqual(self.complete(href, oid, etags), 200)
        self.assertEqual(self.hub.check_completed(), [(oid, True)])
        # verify and commit see the object on disk, with its size
        self.assertEqual(self.api(f"/{repo}.git/info/lfs/objects/verify",
                                  {"oid": oid, "size": len(data)}), {"success": True})
        ndjson = "\n".join(json.dumps(x) for x in [
            {"key": "header", "value": {"summary": "s"}},
            {"key": "lfsFile", "value": {"path": "w.bin", "algo": "sha256", "oid": oid,
                                         "size": len(data)}},
            {"key": "file", "value": {"path": "a.txt", "content": base64.b64encode(b"hi").decode(),
                                      "encoding": "base64"}}])
        self.assertTrue(self.api(f"/api/models/{repo}/commit/main", ndjson.encode(),
                                 "application/x-ndjson")["success"])
        files = self.hub.repo_files(repo)
        self.assertEqual(files["w.bin"], (250_000, True))
        self.assertEqual(files["a.txt"], (2, False))
        # an object the storage holds is skipped by the next batch
        ans = self.api(f"/{repo}.git/info/lfs/objects/batch",
                       {"operation": "upload", "objects": [{"oid": oid, "size": len(data)}]},
                       "application/vnd.git-lfs+json")
        self.assertNotIn("actions", ans["objects"][0])
        # ... until the storage is wiped between contenders
        self.hub.wipe()
        repo = self.hub.create_repo("sink-mp2")
        ans = self.api(f"/{repo}.git/info/lfs/objects/batch",
                       {"operation": "upload", "objects": [{"oid": oid, "size": len(data)}]},
                       "application/vnd.git-lfs+json")
        self.assertIn("actions", ans["objects"][0])

    def test_a_wrong_part_is_caught_after_the_run(self):
        repo = self.hub.create_repo("sink-bad")
        data = os.urandom(250_000)
        oid, href, etags = self.multipart(repo, data, 100_000)
        # as if the client had sent part 2 with the right size and other bytes
        with open(os.path.join(self.hub.sink, "put", "mp", os.listdir(
                os.path.join(self.hub.sink, "put", "mp"))[0], "2"), "r+b") as f:
            f.write(b"\0" * 10)
        self.assertEqual(self.complete(href, oid, etags), 200)
        self.assertEqual(self.hub.check_completed(), [(oid, False)])

    def test_completion_refuses_a_missing_part(self):
        repo = self.hub.create_repo("sink-missing")
        data = os.urandom(250_000)
        oid, href, etags = self.multipart(repo, data, 100_000)
        mp = os.path.join(self.hub.sink, "put", "mp")
        os.unlink(os.path.join(mp, os.listdir(mp)[0], "3"))
        with self.assertRaises(urllib.error.HTTPError) as e:
            self.complete(href, oid, etags)
        self.assertEqual(e.exception.code, 400)
        self.assertEqual(self.hub.check_completed(), [])


if __name__ == "__main__":
    unittest.main()

#!/usr/bin/env python3
"""Self-test of tests/hub/testhub.py and the harness (does not need hf)."""

import http.client
import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

BLOB = bytes(range(256)) * 8  # 2048 bytes


def get(url, token=None, headers=None, context=None, method="GET", timeout=5):
    """(status, headers, body) via urllib; HTTP errors are returned, not raised."""
    h = dict(headers or {})
    if token is not None:
        h["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, headers=h, method=method)
    try:
        with urllib.request.urlopen(req, context=context, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


class HubTest(unittest.TestCase):
    hub = None

    @classmethod
    def setUpClass(cls):
        cls.hub = harness.Hub(config={
            "repos": [{"id": "acme/tiny", "type": "model", "sha": "a" * 40,
                       "files": {"config.json": "{}", "README.md": "# tiny"},
                       "revisions": {"v1": "b" * 40}},
                      {"id": "acme/secret", "private": True}],
            "routes": [{"path": "/blob", "body_b64": __import__("base64").b64encode(BLOB).decode()},
                       {"path": "/go", "status": 302, "headers": {"Location": "{{url}}/blob"}}],
            "tokens": {"hf_extraConfigToken0000000000000000dave": {
                "user": "dave", "email": "dave@example.com", "orgs": ["acme"],
                "role": "write", "displayName": "dave-box"}},
        })
        cls.hub.start()

    @classmethod
    def tearDownClass(cls):
        cls.hub.stop()

    def setUp(self):
        self.hub.reset()

    def url(self, path):
        return self.hub.url + path

    def conn(self):
        c = http.client.HTTPConnection(self.hub.host, self.hub.port, timeout=5)
        self.addCleanup(c.close)
        return c

    # -- whoami ---------------------------------------------------------------
    def test_whoami_default_tokens(self):
        expect = {
            harness.READ_TOKEN: ("alice", "read", "alice-laptop", ["acme", "research"], "alice@example.com"),
            harness.WRITE_TOKEN: ("alice", "write", "alice-write", ["acme", "research"], "alice@example.com"),
            harness.FINE_TOKEN: ("bob", "fineGrained", "bob-ci", [], "bob@example.com"),
            harness.NOORGS_TOKEN: ("carl", "read", "carl", [], None),
        }
        for tok, (name, role, disp, orgs, email) in expect.items():
            with self.subTest(user=name, role=role):
                st, _, body = get(self.url("/api/whoami-v2"), tok)
                self.assertEqual(st, 200)
                j = json.loads(body)
                self.assertEqual(j["type"], "user")
                self.assertEqual(j["name"], name)
                self.assertEqual([o["name"] for o in j["orgs"]], orgs)
                self.assertTrue(all(o["type"] == "org" for o in j["orgs"]))
                self.assertEqual(j.get("email"), email)
                if email is None:
                    self.assertNotIn("email", j)
                for k in ("id", "fullname", "canPay", "isPro", "avatarUrl"):
                    self.assertIn(k, j)
                self.assertEqual(j["auth"]["type"], "access_token")
                at = j["auth"]["accessToken"]
                self.assertEqual((at["role"], at["displayName"]), (role, disp))
                self.assertIn("createdAt", at)
                if role == "fineGrained":
                    self.assertTrue(at["fineGrained"]["canReadGatedRepos"])
                    self.assertIsInstance(at["fineGrained"]["scoped"], list)
                else:
                    self.assertNotIn("fineGrained", at)

    def test_whoami_config_token(self):
        st, _, body = get(self.url("/api/whoami-v2"), "hf_extraConfigToken0000000000000000dave")
        self.assertEqual(st, 200)
        self.assertEqual(json.loads(body)["name"], "dave")

    def test_whoami_401(self):
        cases = {
            "bad token": {"Authorization": "Bearer hf_nope"},
            "missing": {},
            "no credentials": {"Authorization": "Bearer"},
            "basic": {"Authorization": "Basic " + harness.READ_TOKEN},
            "empty": {"Authorization": ""},
        }
        for what, headers in cases.items():
            with self.subTest(what):
                st, h, body = get(self.url("/api/whoami-v2"), headers=headers)
                self.assertEqual(st, 401)
                self.assertEqual(json.loads(body), {"error": harness.INVALID_CREDENTIALS})
                self.assertEqual(h["X-Error-Message"], harness.INVALID_CREDENTIALS)

    # -- log ------------------------------------------------------------------
    def test_log_hashes_tokens(self):
        get(self.url("/api/whoami-v2"), harness.READ_TOKEN, headers={"Range": "bytes=0-1"})
        get(self.url("/api/whoami-v2?x=1"), headers={"User-Agent": "ua-test/1"})
        get(self.url("/api/whoami-v2"), "hf_unknownButLoggedHashed000000000000")
        log = self.hub.requests()
        self.assertEqual(len(log), 3)
        a, b, c = log
        self.assertEqual(a["auth"], harness.token_hash(harness.READ_TOKEN))
        self.assertEqual(len(a["auth"]), 12)
        self.assertEqual(a["auth_scheme"], "Bearer")
        self.assertEqual((a["method"], a["path"], a["status"], a["server"]),
                         ("GET", "/api/whoami-v2", 200, "hub"))
        self.assertEqual(a["range"], "bytes=0-1")
        self.assertEqual(a["host"], f"127.0.0.1:{self.hub.port}")
        self.assertEqual(a["headers"]["Authorization"], "<redacted>")
        self.assertIsNone(b["auth"])
        self.assertIsNone(b["auth_scheme"])
        self.assertEqual(b["path"], "/api/whoami-v2?x=1")
        self.assertEqual(b["user_agent"], "ua-test/1")
        self.assertEqual(b["status"], 401)
        self.assertEqual(c["auth"], harness.token_hash("hf_unknownButLoggedHashed000000000000"))
        text = self.hub.log_text()
        self.assertNotIn(harness.READ_TOKEN, text)
        self.assertNotIn("hf_unknownButLoggedHashed", text)
        # the control endpoint returns the same entries, and control calls are not logged
        self.assertEqual(self.hub.control("GET", "log"), log)
        self.assertEqual(self.hub.count(), 3)
        self.assertEqual(self.hub.count(r"\?x=1"), 1)
        self.hub.clear_log()
        self.assertEqual(self.hub.requests(), [])
        self.assertEqual(self.hub.control("GET", "log"), [])

    def test_keep_alive(self):
        c = self.conn()
        for _ in range(3):
            c.request("GET", "/api/whoami-v2", headers={"Authorization": "Bearer " + harness.READ_TOKEN})
            r = c.getresponse()
            self.assertEqual(r.status, 200)
            self.assertEqual(int(r.getheader("Content-Length")), len(r.read()))
        c.request("GET", "/nope")
        r = c.getresponse()
        self.assertEqual(r.status, 404)
        r.read()
        self.assertEqual(len({e["conn"] for e in self.hub.requests()}), 1)

    def test_token_in_url_flagged(self):
        get(self.url("/api/whoami-v2?token=" + harness.WRITE_TOKEN))
        self.assertEqual(self.hub.violations()[0]["violation"], "token-in-url")

    # -- repos ------------------------------------------------------------------
    def test_repo_info(self):
        st, _, body = get(self.url("/api/models/acme/tiny"))
        self.assertEqual(st, 200)
        j = json.loads(body)
        self.assertEqual((j["id"], j["sha"]), ("acme/tiny", "a" * 40))
        self.assertEqual([s["rfilename"] for s in j["siblings"]], ["README.md", "config.json"])
        st, _, body = get(self.url("/api/models/acme/tiny/revision/v1"))
        self.assertEqual(json.loads(body)["sha"], "b" * 40)
        st, h, _ = get(self.url("/api/models/acme/tiny/revision/nope"))
        self.assertEqual((st, h["X-Error-Code"]), (404, "RevisionNotFound"))
        st, h, _ = get(self.url("/api/models/acme/missing"))
        self.assertEqual((st, h["X-Error-Code"]), (404, "RepoNotFound"))
        st, h, _ = get(self.url("/api/datasets/acme/tiny"))
        self.assertEqual((st, h["X-Error-Code"]), (404, "RepoNotFound"))
        st, _, _ = get(self.url("/api/models/acme/tiny"), "hf_bad")
        self.assertEqual(st, 401)
        # private: only visible to acme members
        self.assertEqual(get(self.url("/api/models/acme/secret"))[0], 404)
        self.assertEqual(get(self.url("/api/models/acme/secret"), harness.NOORGS_TOKEN)[0], 404)
        self.assertEqual(get(self.url("/api/models/acme/secret"), harness.READ_TOKEN)[0], 200)

    # -- faults -------------------------------------------------------------------
    def test_fault_status_once_then_ok(self):
        self.hub.set_faults([{"match": "^/api/whoami-v2", "times": 1, "action": "status",
                              "status": 503, "headers": {"Retry-After": "1"}}])
        st, h, _ = get(self.url("/api/whoami-v2"), harness.READ_TOKEN)
        self.assertEqual((st, h["Retry-After"]), (503, "1"))
        st, _, _ = get(self.url("/api/whoami-v2"), harness.READ_TOKEN)
        self.assertEqual(st, 200)
        self.assertEqual([e["status"] for e in self.hub.requests()], [503, 200])
        self.assertEqual(self.hub.faults()[0]["fired"], 1)

    def test_fault_after_and_method(self):
        self.hub.set_faults([{"match": "/blob", "method": "GET", "after": 1, "times": 2,
                              "action": "status", "status": 500}])
        self.assertEqual(get(self.url("/blob"), method="HEAD")[0], 200)
        codes = [get(self.url("/blob"))[0] for _ in range(4)]
        self.assertEqual(codes, [200, 500, 500, 200])

    def test_fault_drop(self):
        self.hub.set_faults([{"match": "/blob", "action": "drop", "times": 1}])
        c = self.conn()
        c.request("GET", "/blob")
        with self.assertRaises(http.client.RemoteDisconnected):
            c.getresponse()
        self.assertEqual(get(self.url("/blob"))[2], BLOB)
        self.assertEqual(self.hub.requests()[0]["faults"], ["drop"])

    def test_fault_truncate(self):
        self.hub.set_faults([{"match": "/blob", "action": "truncate", "bytes": 100}])
        c = self.conn()
        c.request("GET", "/blob")
        r = c.getresponse()
        self.assertEqual(r.status, 200)
        self.assertEqual(int(r.getheader("Content-Length")), len(BLOB))
        with self.assertRaises(http.client.IncompleteRead) as cm:
            r.read()
        self.assertEqual(cm.exception.partial, BLOB[:100])

    def test_fault_reset(self):
        self.hub.set_faults([{"match": "/blob", "action": "reset", "bytes": 10}])
        s = socket.create_connection((self.hub.host, self.hub.port), timeout=5)
        self.addCleanup(s.close)
        s.sendall(b"GET /blob HTTP/1.1\r\nHost: x\r\n\r\n")
        got = b""
        with self.assertRaises(ConnectionResetError):
            while True:
                d = s.recv(65536)
                if not d:
                    break
                got += d
        self.assertTrue(got == b"" or got.startswith(b"HTTP/1.1 200"), got[:50])

    def test_fault_corrupt_delay(self):
        self.hub.set_faults([{"match": "/blob", "action": "corrupt", "offset": 5, "count": 3},
                             {"match": "/blob", "action": "delay", "seconds": 0.3}])
        t0 = time.monotonic()
        st, _, body = get(self.url("/blob"))
        self.assertGreaterEqual(time.monotonic() - t0, 0.3)
        self.assertEqual((st, len(body)), (200, len(BLOB)))
        self.assertNotEqual(body, BLOB)
        self.assertEqual(body[:5], BLOB[:5])
        self.assertEqual(body[5:8], bytes(b ^ 0xFF for b in BLOB[5:8]))
        self.assertEqual(body[8:], BLOB[8:])

    def test_range_and_range_faults(self):
        st, h, body = get(self.url("/blob"), headers={"Range": "bytes=100-"})
        self.assertEqual((st, body, h["Content-Range"]), (206, BLOB[100:], f"bytes 100-2047/{len(BLOB)}"))
        st, h, body = get(self.url("/blob"), headers={"Range": "bytes=-10"})
        self.assertEqual((st, body), (206, BLOB[-10:]))
        st, h, _ = get(self.url("/blob"), headers={"Range": "bytes=5000-"})
        self.assertEqual((st, h["Content-Range"]), (416, f"bytes */{len(BLOB)}"))
        self.hub.set_faults([{"match": "/blob", "action": "ignore_range", "times": 1}])
        st, _, body = get(self.url("/blob"))  # no Range: range faults don't fire
        self.assertEqual((st, body), (200, BLOB))
        st, _, body = get(self.url("/blob"), headers={"Range": "bytes=100-"})
        self.assertEqual((st, body), (200, BLOB))  # ignore_range
        st, _, body = get(self.url("/blob"), headers={"Range": "bytes=100-"})
        self.assertEqual((st, body), (206, BLOB[100:]))  # used up
        self.hub.set_faults([{"match": "/blob", "action": "wrong_range", "times": 1}])
        st, h, body = get(self.url("/blob"), headers={"Range": "bytes=100-"})
        self.assertEqual(st, 206)  # wrong_range: start 0 instead of 100
        self.assertEqual(h["Content-Range"], f"bytes 0-2047/{len(BLOB)}")
        self.assertEqual(body, BLOB)

    def test_config_route_redirect_template(self):
        c = self.conn()
        c.request("GET", "/go")
        r = c.getresponse()
        r.read()
        self.assertEqual((r.status, r.getheader("Location")), (302, self.hub.url + "/blob"))

    def test_runtime_config(self):
        self.hub.update_config({"tokens": {"hf_runtimeToken000000000000000000000eve":
                                           {"user": "eve", "orgs": [], "role": "read"}}})
        st, _, body = get(self.url("/api/whoami-v2"), "hf_runtimeToken000000000000000000000eve")
        self.assertEqual((st, json.loads(body)["name"]), (200, "eve"))


class TlsAndCdnTest(unittest.TestCase):
    def test_https_with_ca(self):
        hub = harness.Hub(self, tls=True)
        self.assertTrue(hub.url.startswith("https://127.0.0.1:"))
        ctx = ssl.create_default_context(cafile=hub.ca_cert)
        st, _, body = get(hub.url + "/api/whoami-v2", harness.READ_TOKEN, context=ctx)
        self.assertEqual((st, json.loads(body)["name"]), (200, "alice"))
        # localhost is in the certificate too
        st, _, _ = get(f"https://localhost:{hub.port}/api/whoami-v2", harness.READ_TOKEN, context=ctx)
        self.assertEqual(st, 200)
        # without the CA, verification fails; the hub survives the failed handshake
        with self.assertRaises(urllib.error.URLError) as cm:
            get(hub.url + "/api/whoami-v2", context=ssl.create_default_context(cafile=None))
        self.assertIsInstance(cm.exception.reason, ssl.SSLCertVerificationError)
        self.assertEqual(get(hub.url + "/api/whoami-v2", context=ctx)[0], 401)
        self.assertTrue(all(e["tls"] for e in hub.requests()))
        ca, cert, key = harness.make_ca()
        self.assertEqual(ca, hub.ca_cert)

    def test_cdn_fail_on_auth_second_address(self):
        cdn = harness.Hub(self, host="127.0.0.2", fail_on_auth=True, tls=True,
                          config={"routes": [{"path": "/file", "body": "payload"}]})
        self.assertTrue(cdn.url.startswith("https://127.0.0.2:"))
        ctx = ssl.create_default_context(cafile=cdn.ca_cert)
        st, _, body = get(cdn.url + "/file", context=ctx)
        self.assertEqual((st, body), (200, b"payload"))
        self.assertEqual(cdn.violations(), [])
        st, _, _ = get(cdn.url + "/file", harness.READ_TOKEN, context=ctx)
        self.assertEqual(st, 400)
        st, _, _ = get(cdn.url + "/file", headers={"Cookie": "token=x"}, context=ctx)
        self.assertEqual(st, 400)
        v = cdn.violations()
        self.assertEqual([e["violation"] for e in v], ["authorization-received"] * 2)
        self.assertEqual(v[0]["auth"], harness.token_hash(harness.READ_TOKEN))
        self.assertEqual(v[0]["server"], "cdn")
        self.assertEqual(v[0]["host"], f"127.0.0.2:{cdn.port}")
        self.assertNotIn(harness.READ_TOKEN, cdn.log_text())

    def test_hub_start_failure_reports_stderr(self):
        bad = harness.Hub(config={"faults": [{"match": "(", "action": "drop"}]}, start=False)
        with self.assertRaises(RuntimeError) as cm:
            bad.start()
        self.assertIn("re.error", str(cm.exception).replace("error: missing", "re.error"))
        self.assertIsNone(bad.proc)

    def test_sigterm_stops_quickly(self):
        hub = harness.Hub(self)
        proc = hub.proc
        t0 = time.monotonic()
        hub.stop()
        self.assertEqual(proc.returncode, 0)
        self.assertLess(time.monotonic() - t0, 2)


class HarnessTest(unittest.TestCase):
    """Sandbox, pty and leak helpers, with a fake hf (a python script)."""

    def setUp(self):
        d = tempfile.mkdtemp(prefix="fake-hf-")
        self.addCleanup(__import__("shutil").rmtree, d, True)
        self.fake = os.path.join(d, "hf")
        with open(self.fake, "w") as f:
            f.write(f"#!{sys.executable}\n" + r'''
import getpass, json, os, sys
if sys.argv[1:2] == ["env"]:
    print(json.dumps(dict(os.environ)))
elif sys.argv[1:2] == ["login"]:
    tok = getpass.getpass("Token: ")
    ans = input("Add token as git credential? (Y/n) ")
    print("got", len(tok), "chars, answer", ans)
    sys.exit(3)
elif sys.argv[1:2] == ["argv0"]:
    print(os.path.basename(sys.argv[0]))
elif sys.argv[1:2] == ["cat"]:
    sys.stdout.write(sys.stdin.read())
''')
        os.chmod(self.fake, 0o755)
        old = os.environ.get("HF_BIN")
        os.environ["HF_BIN"] = self.fake
        self.addCleanup(lambda: os.environ.__setitem__("HF_BIN", old) if old is not None
                        else os.environ.pop("HF_BIN", None))
        os.environ["HF_TOKEN"] = "hf_developerTokenMustNotLeak0000000000"
        self.addCleanup(os.environ.pop, "HF_TOKEN", None)

    def test_clean_env(self):
        hub = harness.Hub(self, tls=True)
        sb = harness.Sandbox(self, hub=hub)
        r = sb.run(["env"], env={"HF_DEBUG": "1", "PATH": None})
        self.assertEqual(r.returncode, 0, r.stderr)
        env = json.loads(r.stdout)
        env.pop("LC_CTYPE", None)  # python itself may add it
        expect = {"HOME": sb.home, "LANG": "C.UTF-8", "HF_ENDPOINT": hub.url,
                  "SSL_CERT_FILE": hub.ca_cert, "HF_DEBUG": "1"}
        if harness.SANITIZE:
            expect["ASAN_OPTIONS"] = env["ASAN_OPTIONS"]
            expect["UBSAN_OPTIONS"] = env["UBSAN_OPTIONS"]
        self.assertEqual(env, expect)
        self.assertEqual(sb.run("argv0", prog="huggingface-cli").stdout.strip(), "huggingface-cli")
        self.assertEqual(sb.run(["cat"], input="abc").stdout, "abc")

    def test_run_pty(self):
        sb = harness.Sandbox(self)
        tok = harness.READ_TOKEN
        res = sb.run_pty(["login"], [(r"Token: ", tok + "\n"),
                                     (r"git credential\? \(Y/n\) ", "n\n")], timeout=10)
        self.assertEqual(res.returncode, 3)
        self.assertIn(f"got {len(tok)} chars, answer n", res.text)
        harness.assert_no_token(self, tok, res)  # getpass turned echo off

    def test_run_pty_missed_expectation_fails_fast(self):
        sb = harness.Sandbox(self)
        t0 = time.monotonic()
        with self.assertRaises(AssertionError) as cm:
            sb.run_pty(["argv0"], [("never printed", None)], timeout=10)
        self.assertIn("EOF", str(cm.exception))
        self.assertIn("hf", str(cm.exception))  # the transcript
        with self.assertRaises(AssertionError) as cm:
            sb.run_pty(["login"], [("never printed", None)], timeout=1)
        self.assertIn("timeout", str(cm.exception))
        self.assertLess(time.monotonic() - t0, 5)

    def test_missing_binary_fails_clearly(self):
        os.environ["HF_BIN"] = "/nonexistent/hf"
        with self.assertRaises(AssertionError) as cm:
            harness.Sandbox(self).run(["version"])
        self.assertIn("/nonexistent/hf", str(cm.exception))

    def test_leak_helpers(self):
        tok = harness.WRITE_TOKEN
        r = subprocess.CompletedProcess([], 0, "ok", f"Error: bad {tok}")
        with self.assertRaises(AssertionError):
            harness.assert_no_token(self, tok + "\r\n", r)
        with self.assertRaises(AssertionError):
            harness.assert_no_token(self, tok, b"x" + tok.encode())
        harness.assert_no_token(self, tok, "hf_****abcd", b"", None)
        sb = harness.Sandbox(self)
        sb.write_token(tok)
        with open(sb.stored_tokens_path, "w") as f:
            f.write(f"[x]\nhf_token = {tok}\n")
        leak = os.path.join(sb.hf_home, "hub", "leak.log")
        os.makedirs(os.path.dirname(leak))
        with open(leak, "w") as f:
            f.write(tok)
        os.symlink(leak, os.path.join(sb.home, "link"))
        self.assertEqual(harness.scan_tree_for_token(sb.root, tok), [leak])
        self.assertEqual(harness.scan_tree_for_token(sb.root, tok, allow=["token", "stored_tokens", leak]), [])


if __name__ == "__main__":
    unittest.main()

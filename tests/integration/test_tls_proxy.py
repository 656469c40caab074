"""Integration tests: TLS trust (SSL_CERT_FILE / REQUESTS_CA_BUNDLE /
CURL_CA_BUNDLE), HTTPS_PROXY through a CONNECT proxy (tests/hub/proxy.py),
NO_PROXY, and network failures (refused, dropped, slow) with their exit
codes and hints. No error message may hold a token.

    cd tests/integration && HF_BIN=../../build/hf python3 -m unittest -v test_tls_proxy
"""

import os
import sys
import tempfile
import time
import unittest

import harness
from harness import READ_TOKEN, WRITE_TOKEN, token_hash

sys.path.insert(0, harness.HUB_DIR)
import proxy  # noqa: E402  (tests/hub/proxy.py)


class NetCase(unittest.TestCase):
    tls = True

    @classmethod
    def setUpClass(cls):
        cls.hub = harness.Hub(tls=cls.tls)

    @classmethod
    def tearDownClass(cls):
        cls.hub.stop()

    def setUp(self):
        self.hub.reset()
        # The sandbox gets only HF_ENDPOINT: each test chooses its trust settings.
        self.sb = harness.checked_sandbox(self, env={"HF_ENDPOINT": self.hub.url})

    def hf(self, args, **kw):
        return harness.run_checked(self, self.sb, args, **kw)

    def whoami(self, env):
        return self.hf(["auth", "whoami", "--token", READ_TOKEN], env=env)

    def assertWorked(self, r):
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.splitlines()[0], "username: alice")
        reqs = self.hub.requests("^/api/whoami-v2")
        self.assertEqual([(e["auth"], e["tls"]) for e in reqs],
                         [(token_hash(READ_TOKEN), self.tls)])


class TlsTrustTest(NetCase):
    def test_ca_variables(self):
        for var in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
            with self.subTest(var=var):
                self.hub.clear_log()
                r = self.whoami({var: self.hub.ca_cert})
                self.assertWorked(r)

    def test_ca_variable_precedence(self):
        bogus = os.path.join(self.sb.root, "missing-ca.pem")
        r = self.whoami({"SSL_CERT_FILE": self.hub.ca_cert, "REQUESTS_CA_BUNDLE": bogus})
        self.assertWorked(r)
        r = self.hf(["env"], env={"SSL_CERT_FILE": self.hub.ca_cert, "CURL_CA_BUNDLE": bogus})
        self.assertIn(f"CA bundle: {self.hub.ca_cert} (from SSL_CERT_FILE)", r.stdout)

    def check_tls_failure(self, r):
        self.assertEqual(r.returncode, 6, r.stderr)
        self.assertIn("TLS", r.stderr)
        self.assertIn("certificate", r.stderr.lower())
        self.assertIn("Hint:", r.stderr)
        self.assertIn("SSL_CERT_FILE", r.stderr)
        self.assertEqual(r.stdout, "")
        self.assertEqual(self.hub.count(), 0, "no HTTP request may pass a failed handshake")

    def test_untrusted_without_ca(self):
        self.check_tls_failure(self.whoami({}))

    def test_untrusted_with_another_ca(self):
        other = harness.make_ca(tempfile.mkdtemp(prefix="hf-other-ca-", dir=self.sb.root))
        self.check_tls_failure(self.whoami({"SSL_CERT_FILE": other.ca_cert}))

    def test_login_over_tls(self):
        r = self.hf(["auth", "login", "--token", WRITE_TOKEN],
                    env={"SSL_CERT_FILE": self.hub.ca_cert})
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(self.sb.token_path) as f:
            self.assertEqual(f.read(), WRITE_TOKEN)
        r = self.hf(["auth", "login", "--token", READ_TOKEN, "--force"])
        self.assertEqual(r.returncode, 6, r.stderr)
        with open(self.sb.token_path) as f:
            self.assertEqual(f.read(), WRITE_TOKEN, "a failed login must not change the token")

    def test_missing_ca_file(self):
        missing = os.path.join(self.sb.root, "nope.pem")
        r = self.whoami({"SSL_CERT_FILE": missing})
        self.assertEqual(r.returncode, 6, r.stderr)
        self.assertIn("Hint:", r.stderr)
        self.assertEqual(self.hub.count(), 0)


class WrongHostCertTest(NetCase):
    """A certificate from the trusted CA, but for another host name."""

    @classmethod
    def setUpClass(cls):
        ca = harness.make_ca()
        cls.certdir = tempfile.mkdtemp(prefix="hf-wrong-host-")
        cert = harness.make_cert(cls.certdir, "wrong", sans=("DNS:wrong.example",), ca=ca)
        cls.hub = harness.Hub(tls=True, cert=cert)

    @classmethod
    def tearDownClass(cls):
        cls.hub.stop()
        harness._rmtree(cls.certdir)

    def setUp(self):
        # No hub.reset(): the harness's own control client would refuse this
        # certificate too. The log is read from its file and starts empty.
        self.sb = harness.checked_sandbox(self, env={"HF_ENDPOINT": self.hub.url})

    def test_host_name_mismatch(self):
        r = self.whoami({"SSL_CERT_FILE": self.hub.ca_cert})
        self.assertEqual(r.returncode, 6, r.stderr)
        self.assertIn("TLS", r.stderr)
        self.assertEqual(self.hub.count(), 0)


class ProxyTest(NetCase):
    def setUp(self):
        super().setUp()
        self.proxy = proxy.ConnectProxy().start()
        self.addCleanup(self.proxy.stop)
        self.trust = {"SSL_CERT_FILE": self.hub.ca_cert}

    def connects(self, deadline=2.0):
        end = time.monotonic() + deadline
        while not self.proxy.targets() and time.monotonic() < end:
            time.sleep(0.02)
        return self.proxy.targets()

    def assertProxyNeverSawToken(self):
        for e in self.proxy.log:
            self.assertNotIn("authorization", {k.lower() for k in e["headers"]})
            for t in harness.DEFAULT_TOKENS:
                self.assertNotIn(t, e["head"])

    def test_https_proxy_is_used(self):
        for var in ("HTTPS_PROXY", "https_proxy"):
            with self.subTest(var=var):
                self.proxy.clear()
                self.hub.clear_log()
                r = self.whoami({**self.trust, var: self.proxy.url})
                self.assertWorked(r)
                self.assertEqual(self.connects(), [f"127.0.0.1:{self.hub.port}"])
                self.assertEqual(self.proxy.log[0]["status"], 200)
                self.assertProxyNeverSawToken()

    def test_no_proxy_bypasses(self):
        for no_proxy in ("127.0.0.1", "localhost,127.0.0.1", "*"):
            with self.subTest(no_proxy=no_proxy):
                self.hub.clear_log()
                r = self.whoami({**self.trust, "HTTPS_PROXY": self.proxy.url,
                                 "NO_PROXY": no_proxy})
                self.assertWorked(r)
        self.assertEqual(self.proxy.log, [])

    def test_proxy_refusing_tunnel(self):
        self.proxy.mode = "deny"
        r = self.whoami({**self.trust, "HTTPS_PROXY": self.proxy.url})
        self.assertEqual(r.returncode, 6, r.stderr)
        self.assertIn("Hint:", r.stderr)
        self.assertEqual(self.connects(), [f"127.0.0.1:{self.hub.port}"])
        self.assertProxyNeverSawToken()
        self.assertEqual(self.hub.count(), 0)

    def test_proxy_down(self):
        dead = f"http://127.0.0.1:{harness.free_port()}"
        r = self.whoami({**self.trust, "HTTPS_PROXY": dead})
        self.assertEqual(r.returncode, 6, r.stderr)
        self.assertIn("cannot reach", r.stderr)
        self.assertIn("HTTPS_PROXY", r.stderr)
        self.assertEqual(self.hub.count(), 0)

    def test_offline_never_touches_proxy(self):
        r = self.hf(["auth", "whoami"], env={**self.trust, "HTTPS_PROXY": self.proxy.url,
                                             "HF_HUB_OFFLINE": "1", "HF_TOKEN": READ_TOKEN})
        self.assertEqual(r.returncode, 11, r.stderr)
        self.assertIn("offline", r.stderr)
        time.sleep(0.1)
        self.assertEqual(self.proxy.log, [])
        self.assertEqual(self.hub.count(), 0)


class NetworkFailureTest(NetCase):
    tls = False

    def test_connection_refused(self):
        url = f"http://127.0.0.1:{harness.free_port()}"
        for args in (["auth", "whoami", "--token", READ_TOKEN],
                     ["auth", "login", "--token", READ_TOKEN]):
            with self.subTest(args=args[:2]):
                r = self.hf(args, env={"HF_ENDPOINT": url})
                self.assertEqual(r.returncode, 6, r.stderr)
                self.assertIn("cannot reach", r.stderr)
                self.assertIn(url, r.stderr)
                self.assertIn("Hint:", r.stderr)
                self.assertFalse(os.path.exists(self.sb.token_path))

    def test_dropped_connection(self):
        self.hub.set_faults([{"match": "^/api/whoami-v2", "action": "drop"}])
        r = self.whoami({})
        self.assertEqual(r.returncode, 6, r.stderr)
        self.assertIn("Hint:", r.stderr)

    def test_stalled_reply_times_out(self):
        self.hub.set_faults([{"match": "^/api/whoami-v2", "action": "delay", "seconds": 8}])
        t0 = time.monotonic()
        r = self.whoami({"HF_HUB_DOWNLOAD_TIMEOUT": "1"})
        elapsed = time.monotonic() - t0
        self.assertEqual(r.returncode, 6, r.stderr)
        self.assertIn("timed out", r.stderr)
        self.assertLess(elapsed, 6, "HF_HUB_DOWNLOAD_TIMEOUT=1 must bound the wait")

    def test_plain_http_hub_works(self):
        self.assertWorked(self.whoami({}))


if __name__ == "__main__":
    unittest.main()

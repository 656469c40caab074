"""Hostile input from a Hub, a mirror posing as one, a redirect or the network
(shared/docs/reliability.md (b)). Every test names its case in its docstring
("reliability (b) N"). Outside HostileListingTest every hf run carries a
token (HF_TOKEN), and every test checks the exit code and message, that no
blob is published that does not hash to its name, and that the token went
nowhere it must not (the CDN of a HubPair fails on any Authorization; the
hubs log a hash of every credential; outputs and sandboxes are scanned).
Faults come from tests/hub/testhub.py (FAULT list; "on_reuse" and
"drop"/"rst" exist for (b) 34).

Where each (b) case is tested (this file unless named):
   1, 2  test_download.py:AuthGatingTest (the CDN on 127.0.0.2 fails on any token)
   3     RedirectTlsTest.test_https_to_http_redirect_is_refused,
         ...test_https_to_http_location_of_a_head_is_refused
   4     RedirectTest.test_redirect_to_other_schemes_is_refused
   5     RedirectTest.test_redirect_to_another_host_gets_no_token
   6     RedirectTest.test_redirect_loop_and_long_chain_stop, test_head_redirect_loop_is_bounded,
         test_head_redirect_loop_says_so
   7     RedirectTest.test_relative_location_is_normalised
   8     RedirectTest.test_userinfo_in_location_is_refused
   11,12 HostileListingTest.test_hostile_commit_and_etag_in_headers
   14    HeaderFloodTest
   15    ApiBodyTest
   16    HostileListingTest.test_unsafe_names_in_listing_are_refused, test_invalid_oid_in_listing_is_refused
   17    ListingTest.test_names_differing_by_case_are_both_kept
   18    ListingTest.test_shard_index_is_not_followed (no index is ever read)
   19    RedirectTest.test_content_disposition_is_ignored
   24    RedirectTest.test_gzip_despite_identity_is_refused
   29    TimeoutTest; test_tls_proxy.py:NetworkFailureTest.test_stalled_reply_times_out;
         TimeoutTest.test_slow_loris_file_body_is_bounded
   30    BadTlsTest; test_tls_proxy.py:TlsTrustTest, WrongHostCertTest
   31    RetryTest.test_retry_after_*, test_download_faults.py:TransientFaultTest.test_429_with_retry_after;
         RetryTest.test_retry_after_http_date_is_honoured
   34    RetryTest.test_408_is_retried, test_stale_keep_alive_connection_is_retried
   41    PlainEndpointTest

    cd tests/integration && HF_BIN=/path/to/hf python3 -m unittest -v test_hostile
HF_TEST_SLOW=1 also runs the tests that wait out the 60 s Retry-After cap.
"""

import base64
import email.utils
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse
import zlib

import harness

READ = harness.READ_TOKEN
READ_HASH = harness.token_hash(READ)
TINY = "acme/tiny"
PRIVATE = "acme/private-model"
TOKENIZER = "tokenizer.json"   # LFS (30 KB): the hub answers 302 to the CDN
CONFIG = "config.json"         # regular: the hub answers 307 to its resolve cache
SLOW = os.environ.get("HF_TEST_SLOW") == "1"

COMMIT = "a" * 40
OID = "b" * 40
SHA = "c" * 64


def listing(path):
    return [{"type": "file", "oid": OID, "size": 5, "path": path}]


def location_fault(path, location, repo=TINY):
    """Replace the Location of the hub's answer to /<repo>/resolve/<rev>/<path>."""
    return {"match": r"^/%s/resolve/[^/]+/%s$" % (re.escape(repo), re.escape(path)),
            "action": "headers", "set": {"Location": location}}


def gzip_bomb(decoded_mib, tail=b""):
    """A gzip stream that inflates to `decoded_mib` MiB of spaces (+ tail) but
    is about 1 KiB per MiB: deflate blocks after a full flush repeat exactly.
    Its trailer (CRC, size) is wrong; a client that stops at its size cap
    never reads it."""
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b" " * (1 << 20)
    first = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    unit = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    return first + unit * (decoded_mib - 1) + c.compress(tail) + c.flush()


def run_measured(testcase, sb, args, env=None, timeout=60):
    """Run hf ARGS; returns (CompletedProcess, peak resident memory in KiB)."""
    p = harness.spawn_hf(sb, args, env=env)
    got = {}

    def reader(name, f):
        got[name] = f.read()

    threads = [threading.Thread(target=reader, args=("out", p.stdout)),
               threading.Thread(target=reader, args=("err", p.stderr))]
    for t in threads:
        t.start()
    deadline = time.monotonic() + timeout
    timed_out = False
    while True:
        pid, status, usage = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            p.kill()
            pid, status, usage = os.wait4(p.pid, 0)
            timed_out = True
            break
        time.sleep(0.02)
    for t in threads:
        t.join()
    p.stdout.close()
    p.stderr.close()
    p.returncode = os.waitstatus_to_exitcode(status)
    harness._unregister(p)
    if timed_out:
        testcase.fail(f"hf {args} did not finish within {timeout}s: {got.get('err')!r}")
    r = subprocess.CompletedProcess(p.args, p.returncode, got["out"].decode("utf-8", "replace"),
                                    got["err"].decode("utf-8", "replace"))
    sb.check_sanitizer(r.returncode, r.stderr, f"hf {args}")
    return r, usage.ru_maxrss


_shared = {}


def shared(name, factory):
    """One server (or pair) per module for the classes that can share it."""
    if name not in _shared:
        _shared[name] = factory()
    return _shared[name]


def tearDownModule():
    for server in _shared.values():
        server.stop()


# Peak memory allowed to a run fed a hostile reply (the body caps are 8 and
# 64 MiB; AddressSanitizer's shadow memory counts too).
RSS_LIMIT_KIB = (1024 if harness.SANITIZE else 256) * 1024


# --------------------------------------------------------------------------
# Names and hashes that would become paths
# --------------------------------------------------------------------------

def fixtures_hub():
    return harness.Hub(config={"fixtures": "default"})


class SharedHubCase(unittest.TestCase):
    """One hub (default fixtures, shared by the module); faults and config
    routes cleared before each test."""

    @classmethod
    def setUpClass(cls):
        cls.hub = shared("hub", fixtures_hub)

    def setUp(self):
        self.hub.reset()
        self.hub.update_config({"routes": []})


class HostileListingTest(SharedHubCase):
    def setUp(self):
        super().setUp()
        self.sb = harness.Sandbox(self, hub=self.hub)
        self.outside = os.path.join(self.sb.root, "outside")

    def serve(self, routes):
        self.hub.update_config({"routes": routes})

    def repo_routes(self, tree):
        return [
            {"method": "GET", "match": r"^/api/models/evil/repo/revision/", "json": {"sha": COMMIT}},
            {"method": "GET", "match": r"^/api/models/evil/repo/tree/", "json": tree},
            {"method": "GET", "match": r"^/evil/repo/resolve/", "status": 200, "body": "pwned",
             "headers": {"X-Repo-Commit": COMMIT, "ETag": '"%s"' % OID}},
        ]

    def assert_nothing_written(self):
        cache = self.sb.hub_cache
        for root, dirs, files in os.walk(self.sb.root):
            for f in files:
                with open(os.path.join(root, f), "rb") as fh:
                    self.assertNotIn(b"pwned", fh.read(), os.path.join(root, f))
        self.assertFalse(os.path.exists(self.outside))
        blobs = os.path.join(cache, "models--evil--repo", "blobs")
        self.assertFalse(os.path.isdir(blobs) and os.listdir(blobs), "a blob was written")
        # The bytes were never even asked for.
        self.assertEqual(self.hub.count(r"^/evil/repo/resolve/"), 0)

    def test_unsafe_names_in_listing_are_refused(self):
        """reliability (b) 16: unsafe names in a listing are refused by name, nothing written."""
        for name in ["../../outside", "/abs/outside", "a/../../outside", "C:\\x", "a\\..\\b",
                     "a//b", "./a", "dir/", "CON", "x."]:
            with self.subTest(name=name):
                self.serve(self.repo_routes(listing(name)))
                r = self.sb.run(["download", "evil/repo"])
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertIn("unsafe file name", r.stderr)
                self.assert_nothing_written()

    def test_control_characters_and_huge_names_in_listing_are_refused(self):
        """reliability (b) 16: a NUL (JSON \\u0000), a newline, a 5,000-character name,
        a trailing space, a reserved device name with an extension: refused
        (by the JSON parser or by name), nothing written."""
        for name in ["a\x00b", "a\nb", "x" * 5000, "x ", "aux.txt"]:
            with self.subTest(name=name[:20]):
                self.serve(self.repo_routes(listing(name)))
                r = self.sb.run(["download", "evil/repo"])
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertEqual(r.stderr.count("Error:"), 1, r.stderr)
                self.assert_nothing_written()

    def test_invalid_oid_in_listing_is_refused(self):
        """reliability (b) 16 (object ids): an oid that is not 40 hex is refused."""
        self.serve(self.repo_routes([{"type": "file", "oid": "../x", "size": 5, "path": "ok.txt"}]))
        r = self.sb.run(["download", "evil/repo"])
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assert_nothing_written()

    def test_hostile_commit_and_etag_in_headers(self):
        """reliability (b) 11, 12: X-Repo-Commit and ETag become paths only as plain hashes."""
        # A single-file download trusts the HEAD's X-Repo-Commit and ETag:
        # neither may become a path unless it is a plain hash.
        for commit, etag in [("../../outside", '"%s"' % OID), ("A" * 40, '"%s"' % OID),
                             (COMMIT, '"../outside"'), (COMMIT, '"a/b"'), (COMMIT, '""'),
                             ("a" * 39, '"%s"' % OID), (COMMIT, 'W/"%s"' % ("d" * 63))]:
            with self.subTest(commit=commit, etag=etag):
                self.serve([{"method": "GET", "match": r"^/evil/repo/resolve/", "status": 200,
                             "body": "pwned", "headers": {"X-Repo-Commit": commit, "ETag": etag}}])
                r = self.sb.run(["download", "evil/repo", "file.txt"])
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertIn("does not look like a Hub resource", r.stderr)
                self.assertFalse(os.path.exists(self.outside))
                self.assertFalse(os.path.exists(os.path.join(self.sb.hub_cache, "models--evil--repo",
                                                             "snapshots")))

    def test_user_supplied_names_are_refused_before_any_request(self):
        """reliability (b) 61: names given by the user are checked before any request."""
        for args in [["download", "../x"], ["download", "a/b/c"], ["download", "x.git"],
                     ["download", "evil/repo", "../../outside"],
                     ["download", "evil/repo", "--revision", "../../x"]]:
            with self.subTest(args=args):
                r = self.sb.run(args)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn("invalid", r.stderr)
        self.assertEqual(self.hub.count(), 0)


# --------------------------------------------------------------------------
# Redirects (hub + CDN on 127.0.0.2)
# --------------------------------------------------------------------------

class HostileCase(harness.HubPairCase):
    """One HubPair, shared by the classes of this module. Every hf run carries
    READ as HF_TOKEN; at the end of each test no blob may fail its hash, no
    file may hold the token, and the CDN must not have seen it (HubPairCase;
    fresh() checks that too before it clears the logs)."""

    @classmethod
    def setUpClass(cls):
        cls.pair = shared("pair", harness.HubPair)

    @classmethod
    def tearDownClass(cls):
        pass

    def setUp(self):
        super().setUp()
        self.sandboxes = [self.sb]

    def tearDown(self):
        for sb in self.sandboxes:
            self.assertEqual(harness.bad_blobs(sb.hub_cache), [])
            harness.assert_tree_has_no_token(self, sb.root, READ)
        super().tearDown()

    def fresh(self, env=None):
        """Check the servers' logs so far, clear them, and give a new sandbox."""
        self.assertEqual(self.pair.violations(), [])
        self.pair.reset()
        sb = harness.Sandbox(self, hub=self.pair, env=env)
        self.sandboxes.append(sb)
        return sb

    def hf(self, *args, sb=None, env=None, timeout=60):
        e = {"HF_TOKEN": READ}
        e.update(env or {})
        r = (sb or self.sb).run(["download", *args], env=e, timeout=timeout)
        harness.assert_no_token(self, READ, r)
        return r

    def assert_not_published(self, sb, path, repo=TINY):
        cp = self.pair.cache_paths(sb.hub_cache, repo, path)
        self.assertFalse(os.path.lexists(cp["blob"]), f"{path}: blob published")
        self.assertFalse(os.path.lexists(cp["snapshot"]), f"{path}: snapshot link published")

    def auths(self, server, path_regex=None):
        return {e["auth"] for e in server.requests(path_regex)}

    def cdn_host(self):
        host = self.pair.cdn.url.split("//", 1)[1]
        if not host.startswith("127.0.0.2:"):
            self.skipTest("127.0.0.2 cannot be bound here: the CDN shares the hub's host")
        return host


SINGLE = "single file (HEAD, then GET)"
SNAPSHOT = "snapshot (tree listing, then GET)"


def both_ways(path):
    """The two download paths: (label, args)."""
    return [(SINGLE, [TINY, path]), (SNAPSHOT, [TINY, "--include", path])]


class RedirectTest(HostileCase):
    def test_redirect_to_other_schemes_is_refused(self):
        """reliability (b) 4: a redirect to file://, ftp://, scp:// or gopher:// is refused
        with a clear error before any connection; nothing is published."""
        for loc in ("file:///etc/passwd", "ftp://127.0.0.1/x", "scp://127.0.0.1/x",
                    "gopher://127.0.0.1:70/x"):
            for way, args in both_ways(TOKENIZER):
                with self.subTest(location=loc, way=way):
                    sb = self.fresh()
                    self.pair.hub.set_faults([location_fault(TOKENIZER, loc)])
                    r = self.hf(*args, sb=sb)
                    self.assertEqual(r.returncode, 1, r.stderr)
                    self.assertIn(f"refusing a redirect for '{TOKENIZER}' to an unsafe location",
                                  r.stderr)
                    self.assertEqual(self.pair.cdn.count(), 0)
                    self.assert_not_published(sb, TOKENIZER)

    def test_redirect_to_another_host_gets_no_token(self):
        """reliability (b) 5, the testable part: the hub (127.0.0.1) redirects to
        another loopback host (127.0.0.2, which fails on any Authorization): the
        redirect is followed without the token, and the file is published only
        because it hashes to its etag. Policy: there is no refusal by address —
        a redirect to 127.0.0.1 or 169.254.169.254 from a public endpoint is
        followed like one to any other origin, never with the token; a public
        endpoint cannot be had here, and tests never connect to 169.254.169.254."""
        cdn = self.cdn_host()
        commit = self.pair.commit(TINY)
        cases = [
            # LFS file: the hub's HEAD and GET point at a "hub" on another host.
            (SINGLE, [TINY, TOKENIZER],
             location_fault(TOKENIZER, f"http://{cdn}/{TINY}/resolve/main/{TOKENIZER}"), TOKENIZER),
            (SNAPSHOT, [TINY, "--include", TOKENIZER],
             location_fault(TOKENIZER, f"http://{cdn}/{TINY}/resolve/main/{TOKENIZER}"), TOKENIZER),
            # Regular file, protocol-relative Location: same scheme, other host.
            (SNAPSHOT, [TINY, "--include", CONFIG],
             location_fault(CONFIG, f"//{cdn}/api/resolve-cache/models/{TINY}/{commit}/{CONFIG}"),
             CONFIG),
        ]
        for way, args, fault, path in cases:
            with self.subTest(way=way, path=path):
                sb = self.fresh()
                self.pair.hub.set_faults([fault])
                r = self.hf(*args, sb=sb)
                self.assertEqual(r.returncode, 0, r.stderr)
                harness.assert_repo_cached(self, self.pair, sb.hub_cache, TINY, [path], ref=False)
                self.assertEqual(self.auths(self.pair.hub), {READ_HASH})
                self.assertGreater(self.pair.cdn.count(), 0)
                self.assertEqual(self.auths(self.pair.cdn), {None})

    def test_redirect_loop_and_long_chain_stop(self):
        """reliability (b) 6: a redirect loop, and a chain of 50 hops, stop after at most
        10 redirects with "too many redirects"; no hop off the hub's origin gets the
        token; nothing is published."""
        cdn = self.pair.cdn.url
        chain = [{"method": "GET", "path": f"/hop/{i}", "status": 302,
                  "headers": {"Location": f"/hop/{i + 1}"}, "body": ""} for i in range(50)]
        chain.append({"method": "GET", "path": "/hop/50", "status": 200, "body": "end"})
        loop = [{"method": "GET", "path": "/loop", "status": 302,
                 "headers": {"Location": "{{url}}/loop"}, "body": ""}]
        self.pair.cdn.update_config({"routes": loop + chain})
        self.addCleanup(self.pair.cdn.update_config, {"routes": []})
        for name, start in (("loop", "/loop"), ("50 hops", "/hop/0")):
            for way, args in both_ways(TOKENIZER):
                with self.subTest(chain=name, way=way):
                    sb = self.fresh()
                    self.pair.hub.set_faults([location_fault(TOKENIZER, cdn + start)])
                    r = self.hf(*args, sb=sb)
                    self.assertEqual(r.returncode, 1, r.stderr)
                    self.assertIn(f"too many redirects for '{TOKENIZER}'", r.stderr)
                    hops = self.pair.cdn.count()  # the hub's redirect + at most 10 more
                    self.assertGreaterEqual(hops, 2)
                    self.assertLessEqual(hops, 11)
                    self.assertEqual(self.pair.cdn.count("^/hop/50"), 0)
                    self.assertEqual(self.auths(self.pair.cdn), {None})
                    self.assert_not_published(sb, TOKENIZER)
        # A loop on the hub itself (same origin: the token rides along, by design).
        sb = self.fresh()
        self.pair.hub.set_faults([location_fault(CONFIG, f"/{TINY}/resolve/main/{CONFIG}")])
        r = self.hf(TINY, "--include", CONFIG, sb=sb)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(f"too many redirects for '{CONFIG}'", r.stderr)
        self.assertLessEqual(self.pair.hub.count(r"/resolve/"), 11)
        self.assert_not_published(sb, CONFIG)

    def test_head_redirect_loop_is_bounded(self):
        """reliability (b) 6, single file: the HEAD follows relative redirects 10 times
        at most, then fails; nothing is published."""
        self.pair.hub.set_faults([location_fault(CONFIG, f"/{TINY}/resolve/main/{CONFIG}")])
        r = self.hf(TINY, CONFIG)
        self.assertNotEqual(r.returncode, 0, r.stderr)
        self.assertLessEqual(self.pair.hub.count(r"/resolve/"), 10)
        self.assertEqual(self.pair.hub.count(method="GET"), 0)
        self.assert_not_published(self.sb, CONFIG)

    def test_head_redirect_loop_says_so(self):
        """reliability (b) 6, single file: a HEAD redirect loop is reported as one."""
        self.pair.hub.set_faults([location_fault(CONFIG, f"/{TINY}/resolve/main/{CONFIG}")])
        r = self.hf(TINY, CONFIG)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("redirect", r.stderr)

    def test_relative_location_is_normalised(self):
        """reliability (b) 7: a relative Location with ../ is resolved (RFC 3986, curl_url)
        before use: the hub sees a normalised path, never "..". Implemented policy
        (http.c hf__http_perform, the request's credential scope): the token follows a
        redirect only while the URL stays on the endpoint's origin (scheme, host, port); the origin,
        not the repository, is the boundary — the Hub answers a renamed repository
        with a same-origin redirect to another repository id. A same-origin redirect
        to another (private) repository therefore carries the token, and what comes
        back must still hash to the listed etag: nothing of that repository is kept."""
        loc = "../../other/private/resolve/main/x"
        sb = self.fresh()
        self.pair.hub.set_faults([location_fault(CONFIG, loc)])
        r = self.hf(TINY, "--include", CONFIG, sb=sb)
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn(CONFIG, r.stderr)
        paths = [e["path"] for e in self.pair.hub.requests()]
        self.assertIn(f"/{TINY}/other/private/resolve/main/x", paths)
        self.assertFalse([p for p in paths if ".." in p], paths)
        self.assert_not_published(sb, CONFIG)

        # Up and out of acme/tiny into acme/private-model, on the same origin.
        loc = f"../../../../{PRIVATE}/resolve/main/{CONFIG}"
        sb = self.fresh()
        self.pair.hub.set_faults([location_fault(CONFIG, loc)])
        r = self.hf(TINY, "--include", CONFIG, sb=sb)
        # Its bytes are not the listed file's: a short body is resumed with a
        # Range the other file cannot satisfy (416), a long one is cut, one of
        # the right size fails the hash.
        self.assertIn(r.returncode, (1, 8), r.stderr)
        self.assertIn(f"'{CONFIG}'", r.stderr)
        other = self.pair.hub.requests(r"^/%s/resolve/main/" % re.escape(PRIVATE))
        self.assertTrue(other)
        self.assertEqual({e["auth"] for e in other}, {READ_HASH})
        self.assertFalse([e for e in self.pair.hub.requests() if ".." in e["path"]])
        self.assert_not_published(sb, CONFIG)
        self.assertFalse(os.path.exists(os.path.join(
            sb.hub_cache, harness.repo_folder_name(PRIVATE))))

    def test_userinfo_in_location_is_refused(self):
        """reliability (b) 8: a Location with user information is parsed by curl_url
        (the host is what follows the last '@', "%2F" is no separator) and refused
        whatever it holds; nothing reaches that host, nothing is published."""
        cdn = self.pair.cdn.url.split("//", 1)[1]
        hub = self.pair.hub.url.split("//", 1)[1]
        for loc in (f"https://127.0.0.1%2F@{cdn}/", f"http://{hub}%2F@{cdn}/x",
                    f"http://{hub}@{cdn}/x", f"http://user:secret@{cdn}/x"):
            for way, args in both_ways(TOKENIZER):
                with self.subTest(location=loc, way=way):
                    sb = self.fresh()
                    self.pair.hub.set_faults([location_fault(TOKENIZER, loc)])
                    r = self.hf(*args, sb=sb)
                    self.assertEqual(r.returncode, 1, r.stderr)
                    self.assertIn("unsafe location", r.stderr)
                    self.assertEqual(self.pair.cdn.count(), 0)
                    self.assert_not_published(sb, TOKENIZER)

    def test_content_disposition_is_ignored(self):
        """reliability (b) 19: Content-Disposition: filename="../../.bashrc" (and its
        filename* form) from the CDN never names a file: the bytes go to the blob
        (or --local-dir/<listed name>), nothing else is written."""
        self.pair.cdn.set_faults([{"match": "^/repos/", "action": "headers", "set": {
            "Content-Disposition": "attachment; filename=\"../../.bashrc\"; "
                                   "filename*=UTF-8''..%2F..%2F.bashrc"}}])
        r = self.hf(TINY, TOKENIZER)
        self.assertEqual(r.returncode, 0, r.stderr)
        harness.assert_repo_cached(self, self.pair, self.cache, TINY, [TOKENIZER])
        r = self.hf(TINY, "model.safetensors", "--local-dir", "ld")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(self.sb.cwd, "ld", "model.safetensors"), "rb") as f:
            self.assertEqual(f.read(), self.pair.file_bytes(TINY, "model.safetensors"))
        self.assertGreaterEqual(self.pair.cdn.count(), 2)
        for root, dirs, files in os.walk(self.sb.root):
            self.assertNotIn(".bashrc", files + dirs, root)

    def test_gzip_despite_identity_is_refused(self):
        """reliability (b) 24: file bytes are asked for with Accept-Encoding: identity; a
        body that comes back gzip-encoded anyway is never decoded, hashed or kept:
        one clean restart, then an error. (API replies may be compressed: libcurl
        decodes them, under the size caps of ApiBodyTest.)"""
        for server, match, path in ((self.pair.cdn, "^/repos/", TOKENIZER),
                                    (self.pair.hub, "^/api/resolve-cache/", CONFIG)):
            for way, args in both_ways(path):
                with self.subTest(path=path, way=way):
                    sb = self.fresh()
                    server.set_faults([{"match": match, "action": "gzip"}])
                    r = self.hf(*args, sb=sb)
                    self.assertEqual(r.returncode, 1, r.stderr)
                    self.assertIn(f"'{path}'", r.stderr)
                    gets = server.requests(match, "GET")
                    self.assertIn(len(gets), (1, 2), [e["path"] for e in gets])
                    for e in gets:
                        self.assertEqual(e["headers"].get("Accept-Encoding"), "identity")
                    self.assert_not_published(sb, path)
        # A hub that compresses text files when asked (gzip_text) is not asked.
        sb = self.fresh()
        self.pair.hub.update_config({"gzip_text": True})
        self.addCleanup(self.pair.hub.update_config, {"gzip_text": False})
        r = self.hf(TINY, "--include", CONFIG, sb=sb)
        self.assertEqual(r.returncode, 0, r.stderr)
        harness.assert_repo_cached(self, self.pair, sb.hub_cache, TINY, [CONFIG])


class RedirectTlsTest(HostileCase):
    """An https hub and CDN, and a plain-http server on another port."""

    @classmethod
    def setUpClass(cls):
        cls.pair = harness.HubPair(tls=True)
        cls.plain = harness.Hub(config={"fixtures": "default", "cdn_secret": cls.pair.secret},
                                name="plain")

    @classmethod
    def tearDownClass(cls):
        cls.plain.stop()
        cls.pair.stop()

    def setUp(self):
        super().setUp()
        self.plain.reset()

    def tearDown(self):
        self.assertEqual(self.plain.violations(), [])
        self.assertEqual({e["auth"] for e in self.plain.requests()} - {None}, set())
        super().tearDown()

    def test_https_to_http_redirect_is_refused(self):
        """reliability (b) 3: over an https endpoint, a redirect to http:// is refused
        (the request layer, http.c); the token never travels in plaintext."""
        for path in (TOKENIZER, CONFIG):
            with self.subTest(path=path):
                sb = self.fresh()
                self.plain.reset()
                self.pair.hub.set_faults([location_fault(
                    path, f"{self.plain.url}/{TINY}/resolve/main/{path}")])
                r = self.hf(TINY, "--include", path, sb=sb)
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertIn(f"refusing a redirect for '{path}' to an unsafe location", r.stderr)
                self.assertEqual(self.plain.count(), 0)
                self.assertEqual(self.auths(self.pair.hub), {READ_HASH})
                self.assert_not_published(sb, path)
        # A regular file's HEAD does not follow an absolute Location at all.
        sb = self.fresh()
        self.plain.reset()
        self.pair.hub.set_faults([location_fault(CONFIG, f"{self.plain.url}/{TINY}/resolve/main/{CONFIG}")])
        r = self.hf(TINY, CONFIG, sb=sb)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(self.plain.count(), 0)
        self.assert_not_published(sb, CONFIG)

    def test_https_to_http_location_of_a_head_is_refused(self):
        """reliability (b) 3, single file: a 302 to http:// answering the HEAD is refused."""
        sb = self.fresh()
        self.pair.hub.set_faults([location_fault(TOKENIZER, f"{self.plain.url}/{TINY}/resolve/main/{TOKENIZER}")])
        r = self.hf(TINY, TOKENIZER, sb=sb)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("unsafe location", r.stderr)
        self.assertEqual(self.plain.count(), 0)
        self.assert_not_published(sb, TOKENIZER)


class PlainEndpointTest(HostileCase):
    def test_plain_http_endpoint_token_only_to_its_exact_origin(self):
        """reliability (b) 41: HF_ENDPOINT=http://<mirror>: the token goes to that exact
        origin (scheme, host name, port) and nowhere else — not to the same server
        under another host name, not to the CDN. What the code does (config.c
        check_endpoint, http.c): plain http is accepted for any host, loopback or
        not, with no opt-in, and the token is sent to it in clear."""
        try:
            if socket.gethostbyname("localhost") != "127.0.0.1":
                self.skipTest("localhost does not resolve to 127.0.0.1 here")
        except OSError:
            self.skipTest("localhost does not resolve here")
        port = self.pair.hub.port
        mirror = f"http://localhost:{port}"
        env = {"HF_ENDPOINT": mirror}
        # A private repository: served only because the token reached the mirror.
        sb = self.fresh()
        r = self.hf(PRIVATE, sb=sb, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        harness.assert_repo_cached(self, self.pair, sb.hub_cache, PRIVATE)
        reqs = self.pair.hub.requests()
        self.assertTrue(reqs)
        self.assertEqual({(e["host"], e["auth"]) for e in reqs}, {(f"localhost:{port}", READ_HASH)})
        self.assertGreater(self.pair.cdn.count(), 0)  # its LFS file, without the token
        # The same server under another name is another origin: no token.
        sb = self.fresh()
        self.pair.hub.set_faults([location_fault(
            CONFIG, f"http://127.0.0.1:{port}/{PRIVATE}/resolve/main/{CONFIG}", repo=PRIVATE)])
        r = self.hf(PRIVATE, "--include", CONFIG, sb=sb, env=env)
        self.assertNotEqual(r.returncode, 0, r.stderr)
        other = [e for e in self.pair.hub.requests() if e["host"] == f"127.0.0.1:{port}"]
        self.assertEqual([e["auth"] for e in other], [None])
        self.assertEqual({e["auth"] for e in self.pair.hub.requests()
                          if e["host"] == f"localhost:{port}"}, {READ_HASH})
        self.assert_not_published(sb, CONFIG, repo=PRIVATE)


# --------------------------------------------------------------------------
# Hostile replies to the API: headers and bodies
# --------------------------------------------------------------------------

class ApiCase(SharedHubCase):
    def setUp(self):
        super().setUp()
        self.sb = harness.checked_sandbox(self, hub=self.hub, tokens=[READ])

    def tearDown(self):
        self.assertEqual(harness.bad_blobs(self.sb.hub_cache), [])

    def hf(self, *args):
        r, rss = run_measured(self, self.sb, ["download", *args], env={"HF_TOKEN": READ})
        harness.assert_no_token(self, READ, r)
        self.assertLess(rss, RSS_LIMIT_KIB, f"peak memory {rss} KiB")
        return r

    def serve(self, routes):
        self.hub.update_config({"routes": routes})

    def assert_nothing_written(self, repo="evil/repo"):
        folder = os.path.join(self.sb.hub_cache, harness.repo_folder_name(repo))
        for sub in ("blobs", "snapshots"):
            d = os.path.join(folder, sub)
            self.assertFalse(os.path.isdir(d) and os.listdir(d), f"{d} holds files")
        self.assertEqual(self.hub.count(r"/resolve/", "GET"), 0)


class HeaderFloodTest(ApiCase):
    def test_huge_header_line_and_many_headers(self):
        """reliability (b) 14: a 1 MB header line, and 10,000 headers (400 KB), on the
        revision API and on a file's HEAD: libcurl refuses them, the error says
        "oversized headers", memory stays bounded, no crash (ASan run too)."""
        huge = {"X-Big": "a" * (1 << 20)}
        many = {"X-Flood-%05d" % i: "v" * 24 for i in range(10000)}
        for name, headers in (("1 MB line", huge), ("10,000 headers", many)):
            with self.subTest(headers=name):
                self.serve([
                    {"method": "GET", "match": r"^/api/models/acme/tiny/revision/", "status": 200,
                     "json": {"sha": COMMIT}, "headers": headers},
                    {"method": "GET", "match": r"^/acme/tiny/resolve/", "status": 302,
                     "headers": headers, "body": ""}])
                for args in ([TINY], [TINY, CONFIG]):
                    r = self.hf(*args)
                    self.assertEqual(r.returncode, 1, r.stderr)
                    self.assertIn("oversized headers", r.stderr)
                    self.assert_nothing_written(TINY)

    def test_many_small_headers_are_harmless(self):
        """reliability (b) 14: 10,000 small headers (130 KB, within libcurl's limits) on
        the revision API are read and ignored; the download works."""
        sha = harness.hub_fixtures.commit_sha("model", TINY, "main")
        many = {"X-H%05d" % i: "v" for i in range(10000)}
        self.serve([{"method": "GET", "match": r"^/api/models/acme/tiny/revision/", "status": 200,
                     "json": {"sha": sha}, "headers": many}])
        r = self.hf(TINY, "--include", CONFIG)
        self.assertEqual(r.returncode, 0, r.stderr)
        link = os.path.join(self.sb.hub_cache, harness.repo_folder_name(TINY), "snapshots", sha,
                            CONFIG)
        self.assertTrue(os.path.isfile(link), link)  # its blob hashes to its name (tearDown)


class ApiBodyTest(ApiCase):
    def evil(self, tree_body=None, revision_body=None, headers=None):
        h = {"Content-Type": "application/json"}
        h.update(headers or {})
        rev = ({"json": {"sha": COMMIT}} if revision_body is None
               else {"body_b64": base64.b64encode(revision_body).decode(), "headers": h})
        routes = [dict({"method": "GET", "match": r"^/api/models/evil/repo/revision/",
                        "status": 200}, **rev)]
        if tree_body is not None:
            routes.append({"method": "GET", "match": r"^/api/models/evil/repo/tree/", "status": 200,
                           "headers": h, "body_b64": base64.b64encode(tree_body).decode()})
        routes.append({"method": "GET", "match": r"^/evil/repo/resolve/", "status": 200,
                       "body": "pwned", "headers": {"X-Repo-Commit": COMMIT, "ETag": '"%s"' % OID}})
        self.serve(routes)

    def test_malformed_listing(self):
        """reliability (b) 15: a tree listing that is truncated, 100,000 levels deep, holds a
        huge number, a wrong type or invalid UTF-8 is a clean parse error (jansson's
        depth limit; strict sizes in tree.c); nothing is written or fetched."""
        entry = b'{"type":"file","oid":"' + OID.encode() + b'","size":%s,"path":%s}'
        cases = {
            "truncated": ((b"[" + entry % (b"5", b'"x.txt"'))[:-3], "not valid JSON"),
            "100,000 deep": (b"[" * 100000 + b"]" * 100000, "not valid JSON"),
            "huge number": (b"[" + entry % (b"1" + b"0" * 400, b'"x.txt"') + b"]", "not valid JSON"),
            "2^64 size": (b"[" + entry % (b"18446744073709551616", b'"x.txt"') + b"]",
                          "not valid JSON"),
            "negative size": (b"[" + entry % (b"-5", b'"x.txt"') + b"]", "without a valid size"),
            "float size": (b"[" + entry % (b"5.0", b'"x.txt"') + b"]", "without a valid size"),
            "string size": (b"[" + entry % (b'"5"', b'"x.txt"') + b"]", "without a valid size"),
            "path is a list": (b"[" + entry % (b"5", b'["x"]') + b"]", "unsafe file name"),
            "oid is a number": (b'[{"type":"file","oid":5,"size":5,"path":"x.txt"}]',
                                "without a valid git object id"),
            "no type": (b'[{"oid":"' + OID.encode() + b'","size":5,"path":"x.txt"}]',
                        "without a type"),
            "lfs not an object": (b"[" + (entry % (b"5", b'"x.bin"'))[:-1]
                                  + b',"lfs":"' + SHA.encode() + b'"}]', "without a valid size"),
            "invalid UTF-8": (b"[" + entry % (b"5", b'"\xff\xfe.txt"') + b"]", "not valid JSON"),
            "an object": (b'{"type":"file"}', "not a JSON array"),
            "empty": (b"", "not valid JSON"),
        }
        for name, (body, msg) in cases.items():
            with self.subTest(case=name):
                self.evil(tree_body=body)
                r = self.hf("evil/repo")
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertIn(msg, r.stderr)
                self.assertIn("nothing was written", r.stderr)
                self.assert_nothing_written()

    def test_malformed_revision_answer(self):
        """reliability (b) 15: a revision answer that is not JSON, too deep, truncated,
        of the wrong type or with invalid UTF-8 gives "no valid commit"; nothing is
        listed or written."""
        for body in (b'{"sha": 5}', b'{"sha": ["' + COMMIT.encode() + b'"]}', b"[" * 100000,
                     b'{"sha":"' + COMMIT.encode() + b'","x":"\xff"}', b'{"sha":"' + COMMIT.encode(),
                     b'{"sha":"' + COMMIT.upper().encode() + b'"}', b"null", b""):
            with self.subTest(body=body[:40]):
                self.hub.clear_log()
                self.evil(revision_body=body)
                r = self.hf("evil/repo")
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertIn("has no valid commit", r.stderr)
                self.assertEqual(self.hub.count(r"/tree/"), 0)
                self.assert_nothing_written()

    def test_huge_bodies_hit_the_size_caps(self):
        """reliability (b) 15: an endless API body is cut at our caps (8 MiB for the
        revision answer, 64 MiB per listing page) with a clear error and bounded
        memory, even when it is a gzip bomb (1 KiB on the wire per MiB decoded)."""
        bomb = gzip_bomb(160, b"[]")
        self.evil(tree_body=bomb, headers={"Content-Encoding": "gzip"})
        r = self.hf("evil/repo")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("reply larger than 67108864 bytes", r.stderr)
        self.assert_nothing_written()
        self.hub.clear_log()
        self.evil(revision_body=gzip_bomb(32, b'{"sha":"%s"}' % COMMIT.encode()),
                  headers={"Content-Encoding": "gzip"})
        r = self.hf("evil/repo")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("reply larger than 8388608 bytes", r.stderr)
        self.assertEqual(self.hub.count(r"/tree/"), 0)
        self.assert_nothing_written()


# --------------------------------------------------------------------------
# Links planted in the cache by someone else
# --------------------------------------------------------------------------

class SameHostOtherPortTest(harness.HubPairCase):
    """reliability (b) 2: the CDN on the hub's own host, another port (curl's
    CVE-2022-27776 class): another origin, so no token; it fails the test
    (fail_on_auth) if one arrives."""

    @classmethod
    def setUpClass(cls):
        cls.pair = harness.HubPair(cdn_host="127.0.0.1")

    def test_lfs_bytes_from_the_same_host_get_no_token(self):
        self.assertEqual(urllib.parse.urlsplit(self.pair.cdn.url).hostname, "127.0.0.1")
        r = self.sb.run(["download", TINY, "model.safetensors"], env={"HF_TOKEN": READ})
        self.assertEqual(r.returncode, 0, r.stderr)
        harness.assert_repo_cached(self, self.pair, self.sb.hub_cache, TINY, ["model.safetensors"],
                                   ref=False)
        self.assertTrue(self.pair.cdn.requests("^/repos/"))
        self.assertEqual({e["auth"] for e in self.pair.cdn.requests()}, {None})
        self.assertEqual(self.pair.violations(), [])


class PlantedLinkTest(HostileCase):
    """reliability (b) 51, 52: links planted where hf writes are never written,
    truncated or followed; a non-regular blob counts as corrupt."""

    MODEL = "model.safetensors"

    def victim(self):
        path = os.path.join(self.sb.root, "victim.txt")
        with open(path, "w") as f:
            f.write("someone else's file\n")
        return path

    def assert_victim_intact(self, path):
        with open(path) as f:
            self.assertEqual(f.read(), "someone else's file\n")

    def test_planted_blob_link_is_replaced_not_followed(self):
        # A complete-looking snapshot whose blob is a link to another file:
        # not a cache hit; the verified download replaces the link itself.
        victim = self.victim()
        cp = self.pair.cache_paths(self.sb.hub_cache, TINY, self.MODEL)
        os.makedirs(os.path.dirname(cp["blob"]))
        os.makedirs(os.path.dirname(cp["snapshot"]))
        os.symlink(victim, cp["blob"])
        os.symlink(os.path.relpath(cp["blob"], os.path.dirname(cp["snapshot"])), cp["snapshot"])
        r = self.hf(TINY, self.MODEL)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(os.path.islink(cp["blob"]))
        harness.assert_repo_cached(self, self.pair, self.sb.hub_cache, TINY, [self.MODEL], ref=False)
        self.assert_victim_intact(victim)

    def test_planted_lock_link_is_not_written(self):
        victim = self.victim()
        cp = self.pair.cache_paths(self.sb.hub_cache, TINY, self.MODEL)
        locks = os.path.join(self.sb.hub_cache, ".locks", os.path.basename(cp["repo"]))
        os.makedirs(locks)
        os.symlink(victim, os.path.join(locks, cp["etag"] + ".lock"))
        r = self.hf(TINY, self.MODEL)
        self.assertEqual(r.returncode, 0, r.stderr)
        harness.assert_repo_cached(self, self.pair, self.sb.hub_cache, TINY, [self.MODEL], ref=False)
        self.assert_victim_intact(victim)
        self.assertEqual(oct(os.stat(victim).st_mode & 0o777), oct(0o644 & ~0o022))

    def test_planted_snapshot_directory_link_is_refused(self):
        # snapshots/<commit> is a link to a directory outside the cache:
        # nothing may be created through it.
        outside = os.path.join(self.sb.root, "outside")
        os.makedirs(outside)
        cp = self.pair.cache_paths(self.sb.hub_cache, TINY, self.MODEL)
        os.makedirs(os.path.join(cp["repo"], "snapshots"))
        os.symlink(outside, os.path.join(cp["repo"], "snapshots", cp["commit"]))
        r = self.hf(TINY, self.MODEL)
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertEqual(r.stderr.count("Error:"), 1, r.stderr)
        self.assertEqual(os.listdir(outside), [])


# --------------------------------------------------------------------------
# Listings that name more than they should
# --------------------------------------------------------------------------

class ListingTest(HostileCase):
    def test_names_differing_by_case_are_both_kept(self):
        """reliability (b) 17: README.md / readme.md / Readme.MD and NFC / NFD spellings of
        one name are distinct files on Linux: each is downloaded to its own blob and
        link, none replaces another. Not testable here: a case-insensitive or
        normalising file system (macOS, Windows), where two such links are one entry."""
        files = {"README.md": "upper\n", "readme.md": "lower\n", "Readme.MD": "mixed\n",
                 "caf\u00e9.txt": "nfc\n", "cafe\u0301.txt": "nfd\n"}
        self.pair.add_repos([{"id": "acme/cases", "files": files}])
        for args in (["acme/cases"], ["acme/cases", "--local-dir", "ld"]):
            with self.subTest(args=args):
                r = self.hf(*args)
                self.assertEqual(r.returncode, 0, r.stderr)
        harness.assert_repo_cached(self, self.pair, self.cache, "acme/cases")
        blobs = os.listdir(os.path.join(self.cache, "models--acme--cases", "blobs"))
        self.assertEqual(len(blobs), len(files))
        for name, text in files.items():
            with open(os.path.join(self.sb.cwd, "ld", name), encoding="utf-8") as f:
                self.assertEqual(f.read(), text, name)

    def test_shard_index_is_not_followed(self):
        """reliability (b) 18: not applicable as written — the client never reads
        model.safetensors.index.json (src/lib has no weight_map parsing): it fetches
        what the tree listing names. Checked: an index whose weight_map points into
        another repository is downloaded as a plain file, and the servers see no
        request for anything but this repository's files."""
        index = json.dumps({"metadata": {"total_size": 10}, "weight_map": {
            "a": "../../acme/private-model/model.safetensors",
            "b": "/acme/private-model/resolve/main/model.safetensors",
            "c": "https://127.0.0.1/acme/private-model/resolve/main/model.safetensors",
            "d": "model-00001-of-00001.safetensors"}})
        self.pair.add_repos([{"id": "evil/sharded", "files": {
            "model.safetensors.index.json": index,
            "model-00001-of-00001.safetensors": {"size": 2048, "seed": "evil-shard"}}}])
        r = self.hf("evil/sharded")
        self.assertEqual(r.returncode, 0, r.stderr)
        harness.assert_repo_cached(self, self.pair, self.cache, "evil/sharded")
        sha = self.pair.sha256("evil/sharded", "model-00001-of-00001.safetensors")
        for e in self.pair.hub.requests() + self.pair.cdn.requests():
            self.assertTrue("/evil/sharded/" in e["path"] or e["path"].startswith(f"/repos/{sha}?"),
                            e["path"])
        self.assertFalse(os.path.exists(os.path.join(self.cache, "models--acme--private-model")))


# --------------------------------------------------------------------------
# Slow, silent and rate-limiting servers
# --------------------------------------------------------------------------

class SilentServer:
    """A TCP port that completes the handshake (kernel backlog) but never
    accepts nor answers: accept-then-silence at the socket level."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]

    def close(self):
        self.sock.close()


class TimeoutTest(HostileCase):
    TIMEOUTS = {"HF_HUB_ETAG_TIMEOUT": "1", "HF_HUB_DOWNLOAD_TIMEOUT": "1"}

    def timed(self, *args, sb=None, env=None, bound=8):
        t0 = time.monotonic()
        r = self.hf(*args, sb=sb, env={**self.TIMEOUTS, **(env or {})}, timeout=bound + 20)
        elapsed = time.monotonic() - t0
        self.assertLess(elapsed, bound, f"hf download {args} took {elapsed:.1f}s: {r.stderr}")
        return r

    def test_accept_then_silence_times_out(self):
        """reliability (b) 29: a server that accepts the connection and never says a
        word (plain http: no reply to a HEAD; https: no TLS handshake for the revision
        call) is given up on after
        HF_HUB_ETAG_TIMEOUT / HF_HUB_DOWNLOAD_TIMEOUT seconds: exit 6 "timed out"."""
        silent = SilentServer()
        self.addCleanup(silent.close)
        for scheme, args in (("http", [TINY, CONFIG]), ("https", [TINY])):
            with self.subTest(scheme=scheme, args=args):
                env = {"HF_ENDPOINT": f"{scheme}://127.0.0.1:{silent.port}"}
                r = self.timed(*args, env=env, bound=6)
                self.assertEqual(r.returncode, 6, r.stderr)
                self.assertIn("timed out", r.stderr)
                self.assertIn("HF_HUB_", r.stderr)  # the hint names the knobs

    def test_silent_or_trickling_api_times_out(self):
        """reliability (b) 29: the Hub's HEAD or API answer held back, or sent one byte
        every 2 s (slow-loris), fails after the timeout: exit 6, bounded time."""
        faults = [("silent HEAD", [TINY, CONFIG], {"match": r"/resolve/", "action": "delay",
                                                   "seconds": 20}),
                  ("slow-loris API", [TINY], {"match": r"/revision/", "action": "slow", "chunk": 1,
                                              "interval": 2})]
        for name, args, fault in faults:
            with self.subTest(fault=name):
                sb = self.fresh()
                self.pair.hub.set_faults([fault])
                r = self.timed(*args, sb=sb, bound=8)
                self.assertEqual(r.returncode, 6, r.stderr)
                self.assertIn("timed out", r.stderr)
                self.assert_not_published(sb, CONFIG)

    def test_silent_download_is_retried(self):
        """reliability (b) 29: a CDN that accepts a file request and then says nothing
        is given up on after HF_HUB_DOWNLOAD_TIMEOUT, and the next attempt succeeds."""
        self.pair.cdn.set_faults([{"match": "^/repos/", "action": "delay", "seconds": 20,
                                   "times": 1}])
        r = self.timed(TINY, TOKENIZER, bound=10)
        self.assertEqual(r.returncode, 0, r.stderr)
        harness.assert_repo_cached(self, self.pair, self.cache, TINY, [TOKENIZER])
        self.assertEqual(len(self.pair.cdn.requests("^/repos/")), 2)

    def test_slow_loris_file_body_is_bounded(self):
        """reliability (b) 29: a CDN trickling one byte every 3 s makes the download fail
        within a bound, nothing published."""
        self.pair.cdn.set_faults([{"match": "^/repos/", "action": "slow", "chunk": 1,
                                   "interval": 3}])
        r = self.timed(TINY, TOKENIZER, bound=60)  # about 25 s alone: 5 attempts and 15 s of backoff
        self.assertNotEqual(r.returncode, 0, r.stderr)
        self.assert_not_published(self.sb, TOKENIZER)


class RetryTest(HostileCase):
    def retry_gap(self, server, match):
        reqs = server.requests(match, "GET")
        self.assertEqual([e["status"] for e in reqs], [429, 200])
        return reqs[1]["time"] - reqs[0]["time"]

    def test_retry_after_garbage_uses_default_backoff(self):
        """reliability (b) 31: a Retry-After that is neither delta-seconds nor a date
        ("garbage", "-5") falls back to the default backoff (1 s for the first
        retry), and the download succeeds."""
        for value in ("garbage", "-5"):
            with self.subTest(retry_after=value):
                sb = self.fresh()
                self.pair.cdn.set_faults([{"match": "^/repos/", "action": "status", "status": 429,
                                           "headers": {"Retry-After": value}, "times": 1}])
                r = self.hf(TINY, TOKENIZER, sb=sb)
                self.assertEqual(r.returncode, 0, r.stderr)
                harness.assert_repo_cached(self, self.pair, sb.hub_cache, TINY, [TOKENIZER])
                gap = self.retry_gap(self.pair.cdn, "^/repos/")
                self.assertGreaterEqual(gap, 0.9)
                self.assertLess(gap, 3)

    def test_retry_after_http_date_is_honoured(self):
        """reliability (b) 31: Retry-After as an HTTP-date (4 s ahead) is parsed and honoured."""
        when = email.utils.formatdate(time.time() + 4, usegmt=True)
        self.pair.cdn.set_faults([{"match": "^/repos/", "action": "status", "status": 429,
                                   "headers": {"Retry-After": when}, "times": 1}])
        r = self.hf(TINY, TOKENIZER)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertGreaterEqual(self.retry_gap(self.pair.cdn, "^/repos/"), 2.5)

    def test_retry_after_huge_is_capped(self):
        """reliability (b) 31: Retry-After: 99999 is honoured up to the 60 s cap, no more.
        Fast form: the client is still waiting after 2.5 s (it did not retry at the
        default backoff) and is then killed. With HF_TEST_SLOW=1 the wait is measured:
        the retry comes 60 s later and the download succeeds. The revision API is
        under the same policy (retry.h): it waits too."""
        sb = self.fresh()
        self.pair.hub.set_faults([{"match": "/revision/", "action": "status", "status": 429,
                                   "headers": {"Retry-After": "99999"}, "times": 1}])
        p = harness.spawn_hf(sb, ["download", TINY, "--include", CONFIG],
                             env={"HF_TOKEN": READ})
        self.addCleanup(lambda: p.poll() is None and p.kill())
        self.assertTrue(harness.wait_until(lambda: self.pair.hub.count("/revision/"), 10))
        time.sleep(2.5)
        self.assertIsNone(p.poll(), "hf exited instead of waiting")
        self.assertEqual(self.pair.hub.count("/revision/"), 1)
        p.kill()
        harness.finish_hf(sb, p)
        self.pair.hub.set_faults([])

        sb = self.fresh()
        self.pair.cdn.set_faults([{"match": "^/repos/", "action": "status", "status": 429,
                                   "headers": {"Retry-After": "99999"}, "times": 1}])
        p = harness.spawn_hf(sb, ["download", TINY, TOKENIZER], env={"HF_TOKEN": READ})
        self.addCleanup(lambda: p.poll() is None and p.kill())
        self.assertTrue(harness.wait_until(lambda: self.pair.cdn.count("^/repos/"), 10))
        if not SLOW:
            time.sleep(2.5)
            self.assertIsNone(p.poll(), "hf exited instead of waiting")
            self.assertEqual(self.pair.cdn.count("^/repos/"), 1)
            p.kill()
            r = harness.finish_hf(sb, p)
            harness.assert_no_token(self, READ, r)
            self.assert_not_published(sb, TOKENIZER)
            return
        r = harness.finish_hf(sb, p, timeout=75)
        self.assertEqual(r.returncode, 0, r.stderr)
        gap = self.retry_gap(self.pair.cdn, "^/repos/")
        self.assertGreaterEqual(gap, 55)
        self.assertLess(gap, 65)

    def test_ctrl_c_during_retry_wait_is_prompt(self):
        """reliability (b) 31 / rule 5 (every wait ends): Ctrl-C during a Retry-After wait
        stops hf within a second or two (exit 130)."""
        self.pair.cdn.set_faults([{"match": "^/repos/", "action": "status", "status": 429,
                                   "headers": {"Retry-After": "99999"}, "times": 1}])
        p = harness.spawn_hf(self.sb, ["download", TINY, TOKENIZER], env={"HF_TOKEN": READ})
        self.addCleanup(lambda: p.poll() is None and p.kill())
        self.assertTrue(harness.wait_until(lambda: self.pair.cdn.count("^/repos/"), 10))
        time.sleep(0.5)
        os.kill(p.pid, signal.SIGINT)
        t0 = time.monotonic()
        r = harness.finish_hf(self.sb, p, timeout=70)
        self.assertEqual(r.returncode, 130, r.stderr)
        self.assertLess(time.monotonic() - t0, 3)
        self.assertEqual(self.pair.cdn.count("^/repos/"), 1)

    def test_408_is_retried(self):
        """reliability (b) 34: 408 Request Timeout from the CDN, the revision API or the
        tree API is retried (1 s backoff) and the download succeeds."""
        cases = [(self.pair.cdn, "^/repos/", [TINY, TOKENIZER], TOKENIZER),
                 (self.pair.hub, "/revision/", [TINY, "--include", CONFIG], CONFIG),
                 (self.pair.hub, "/tree/", [TINY, "--include", CONFIG], CONFIG)]
        for server, match, args, path in cases:
            with self.subTest(where=match):
                sb = self.fresh()
                server.set_faults([{"match": match, "action": "status", "status": 408,
                                    "times": 1}])
                r = self.hf(*args, sb=sb)
                self.assertEqual(r.returncode, 0, r.stderr)
                harness.assert_repo_cached(self, self.pair, sb.hub_cache, TINY, [path], ref=False)
                self.assertEqual([e["status"] for e in server.requests(match)], [408, 200])

    def test_stale_keep_alive_connection_is_retried(self):
        """reliability (b) 34: a keep-alive connection that dies when it is reused (the
        server closes or resets it on the next request, without a reply) is retried
        on a fresh connection, and the download succeeds."""
        cases = [("tree on the reused hub connection", self.pair.hub, "/tree/",
                  [TINY, "--include", CONFIG]),
                 ("second file on the reused CDN connection", self.pair.cdn, "^/repos/",
                  [TINY, "--include", "*.json", "--include", "*.onnx", "--max-workers", "1"])]
        for name, server, match, args in cases:
            for rst in (False, True):
                with self.subTest(case=name, rst=rst):
                    sb = self.fresh()
                    server.set_faults([{"match": match, "action": "drop", "rst": rst,
                                        "on_reuse": True, "times": 1}])
                    r = self.hf(*args, sb=sb)
                    self.assertEqual(r.returncode, 0, r.stderr)
                    if server is self.pair.cdn and not server.faults()[0]["fired"]:
                        self.skipTest("the download used a new connection per file")
                    self.assertEqual(server.faults()[0]["fired"], 1, "no connection was reused")
                    reqs = server.requests(match)
                    dropped = [e for e in reqs if e["status"] is None]
                    self.assertEqual(len(dropped), 1)
                    self.assertIsNotNone(reqs[reqs.index(dropped[0]) + 1]["status"])
                    self.assertEqual(harness.bad_blobs(sb.hub_cache), [])
                    harness.assert_repo_cached(self, self.pair, sb.hub_cache, TINY,
                                               [CONFIG] if match == "/tree/" else
                                               ["config.json", TOKENIZER, "onnx/model.onnx"],
                                               ref=False)


# --------------------------------------------------------------------------
# Bad TLS
# --------------------------------------------------------------------------

def make_expired_cert(ca, out_dir):
    """A server certificate for 127.0.0.1 signed by `ca` (trusted), valid only
    on 1-2 Jan 2020. Returns (cert_path, key_path)."""
    os.makedirs(out_dir, exist_ok=True)
    key, csr, cert = (os.path.join(out_dir, n) for n in ("expired.key", "expired.csr",
                                                          "expired.pem"))
    cnf = os.path.join(out_dir, "ca.cnf")
    with open(cnf, "w") as f:
        f.write("[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\n"
                "default_md=sha256\npolicy=p\ncopy_extensions=none\n[p]\ncommonName=supplied\n"
                "[ext]\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n"
                "subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    open(os.path.join(out_dir, "index.txt"), "w").close()
    with open(os.path.join(out_dir, "serial"), "w") as f:
        f.write("01\n")
    harness._openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                     "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=localhost")
    harness._openssl("ca", "-batch", "-config", cnf, "-keyfile", ca.ca_key, "-cert", ca.ca_cert,
                     "-in", csr, "-out", cert, "-startdate", "20200101000000Z",
                     "-enddate", "20200102000000Z", "-extensions", "ext", "-notext", cwd=out_dir)
    return cert, key


class BadTlsTest(unittest.TestCase):
    """Hubs whose certificate must not be accepted, with the throwaway CA trusted."""

    @classmethod
    def setUpClass(cls):
        cls.ca = harness.make_ca()
        cls.dir = tempfile.mkdtemp(prefix="hf-bad-tls-")
        cls.hubs = {
            "self-signed": harness.Hub(tls=True, name="selfsigned", config={"fixtures": "default"},
                                       cert=harness.make_cert(cls.dir, "self", ca=None)),
            "expired": harness.Hub(tls=True, name="expired", config={"fixtures": "default"},
                                   cert=make_expired_cert(cls.ca, os.path.join(cls.dir, "exp"))),
        }

    @classmethod
    def tearDownClass(cls):
        for h in cls.hubs.values():
            h.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_bad_certificates_fail_without_leaking(self):
        """reliability (b) 30: a self-signed or expired certificate (wrong host name:
        test_tls_proxy.py:WrongHostCertTest) fails the handshake: exit 6, a TLS
        error, no HTTP request ever reaches the server, no token in any output.
        Nothing turns verification off: GIT_SSL_NO_VERIFY, an empty CURL_CA_BUNDLE
        or PYTHONHTTPSVERIFY=0 change nothing."""
        for name, hub in self.hubs.items():
            for args in (["download", TINY, CONFIG], ["download", TINY], ["auth", "whoami"]):
                with self.subTest(cert=name, args=args):
                    sb = harness.checked_sandbox(self, env={"HF_ENDPOINT": hub.url},
                                                 tokens=[READ])
                    r = sb.run(args, env={"HF_TOKEN": READ, "SSL_CERT_FILE": self.ca.ca_cert,
                                          "GIT_SSL_NO_VERIFY": "1", "CURL_CA_BUNDLE": "",
                                          "PYTHONHTTPSVERIFY": "0"})
                    harness.assert_no_token(self, READ, r)
                    self.assertEqual(r.returncode, 6, r.stderr)
                    self.assertIn("TLS", r.stderr)
                    self.assertIn("certificate", r.stderr.lower())
                    self.assertEqual(hub.count(), 0, "an HTTP request passed a bad handshake")
                    self.assertFalse(os.path.exists(os.path.join(
                        sb.hub_cache, harness.repo_folder_name(TINY), "blobs")))


if __name__ == "__main__":
    unittest.main()

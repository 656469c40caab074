#!/usr/bin/env python3
"""`hf download` under network faults, and resume after kill -9 / Ctrl-C.

Faults are injected by the test hub and its CDN (testhub.py FAULT list);
reliability.md (b) 20-34 and 45. Whatever happens, a blob in the cache
hashes to its name, and nothing half-written is ever published.

    cd tests/integration && HF_BIN=/path/to/hf python3 -m unittest -v test_download_faults
"""

import hashlib
import os
import re
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

TINY = "acme/tiny"
BIG = "acme/big"
MODEL = "model.safetensors"
MiB = 1 << 20


class FaultCase(harness.HubPairCase):
    def tearDown(self):
        super().tearDown()
        # Every Range asked for is a real one (first <= last).
        for e in self.pair.hub.requests() + self.pair.cdn.requests():
            m = re.fullmatch(r"bytes=(\d+)-(\d*)", e.get("range") or "bytes=0-")
            self.assertTrue(m and (not m.group(2) or int(m.group(1)) <= int(m.group(2))),
                            f"bad Range {e.get('range')!r} sent to {e['path']}")
        self.assertEqual(harness.find_temp_files(self.sb.root) if self.expect_clean else [], [])
        self.assertEqual(harness.bad_blobs(self.cache), [])

    expect_clean = True  # no temporaries may be left (per test)

    def hf(self, *args, env=None, timeout=60):
        return self.sb.run(["download", *args], env=env, timeout=timeout)

    def cdn_faults(self, *faults):
        self.pair.cdn.set_faults(list(faults))

    def blob_path(self, repo_id, path):
        return self.pair.cache_paths(self.cache, repo_id, path)["blob"]

    def cdn_gets(self, repo_id=TINY, path=MODEL):
        sha = self.pair.sha256(repo_id, path)
        return [e for e in self.pair.cdn.requests(r"^/repos/" + sha, "GET")]

    def assert_ok(self, r, repo_id=TINY, paths=(MODEL,)):
        self.assertEqual(r.returncode, 0, r.stderr)
        harness.assert_repo_cached(self, self.pair, self.cache, repo_id, list(paths), ref=False)

    def assert_nothing_published(self, repo_id=TINY, path=MODEL):
        cp = self.pair.cache_paths(self.cache, repo_id, path)
        self.assertFalse(os.path.lexists(cp["blob"]), "blob published")
        self.assertFalse(os.path.lexists(cp["snapshot"]), "snapshot link published")
        blobs = os.path.join(cp["repo"], "blobs")
        self.assertEqual(os.listdir(blobs) if os.path.isdir(blobs) else [], [])


class TransientFaultTest(FaultCase):
    """Faults that go away: every run ends with a correct cache and exit 0."""

    def test_truncated_body_is_resumed(self):
        self.cdn_faults({"match": "^/repos/", "action": "truncate", "bytes": 300000, "times": 1})
        self.assert_ok(self.hf(TINY, MODEL))
        gets = self.cdn_gets()
        self.assertEqual([e["range"] for e in gets], [None, "bytes=300000-1048575"])
        self.assertEqual(gets[1]["status"], 206)

    def test_reset_mid_body(self):
        self.cdn_faults({"match": "^/repos/", "action": "reset", "bytes": 100000, "times": 1})
        self.assert_ok(self.hf(TINY, MODEL))
        gets = self.cdn_gets()
        self.assertEqual(len(gets), 2, gets)
        self.assertIsNone(gets[0]["range"])
        self.assertRegex(gets[1]["range"] or "", r"^bytes=\d+-1048575$")

    def test_chunked_without_final_chunk(self):
        self.cdn_faults({"match": "^/repos/", "action": "chunked", "final": False, "times": 1})
        # Every byte arrived but the stream did not end properly: the hash
        # decides, and nothing is asked again.
        self.assert_ok(self.hf(TINY, MODEL))
        self.assertEqual([e["range"] for e in self.cdn_gets()], [None])

    def test_503_once(self):
        self.cdn_faults({"match": "^/repos/", "action": "status", "status": 503, "times": 1})
        self.pair.hub.set_faults([{"match": r"/revision/main$", "action": "status",
                                   "status": 503, "times": 1}])
        r = self.hf(TINY, "--include", "*.safetensors")
        self.assert_ok(r)
        self.assertEqual([e["status"] for e in self.cdn_gets()], [503, 200])
        self.assertEqual([e["status"] for e in self.pair.hub.requests(r"/revision/main$")],
                         [503, 200])

    def test_429_with_retry_after(self):
        self.cdn_faults({"match": "^/repos/", "action": "status", "status": 429,
                         "headers": {"Retry-After": "1"}, "times": 1})
        t0 = time.monotonic()
        self.assert_ok(self.hf(TINY, MODEL))
        gets = self.cdn_gets()
        self.assertEqual([e["status"] for e in gets], [429, 200])
        # Retry-After: 1 means wait at least a second (the official client waits N+1).
        self.assertGreaterEqual(gets[1]["time"] - gets[0]["time"], 0.95)
        self.assertLess(time.monotonic() - t0, 15)

    def test_head_of_single_file_is_retried(self):
        """The metadata request of `hf download REPO FILE` (the HEAD on /resolve/)
        is retried like every other request (retry.h): a 429 with Retry-After: 1,
        and a 503, each once, end in success; the wait honours Retry-After."""
        for status, headers in ((429, {"Retry-After": "1"}), (503, {})):
            with self.subTest(status=status):
                self.pair.reset()
                sb = harness.Sandbox(self, hub=self.pair)
                self.pair.hub.set_faults([{"match": r"/resolve/main/config\.json$", "method": "HEAD",
                                           "action": "status", "status": status,
                                           "headers": headers, "times": 1}])
                r = sb.run(["download", TINY, "config.json"])
                self.assertEqual(r.returncode, 0, r.stderr)
                harness.assert_repo_cached(self, self.pair, sb.hub_cache, TINY, ["config.json"],
                                           ref=False)
                heads = self.pair.hub.requests(r"/resolve/main/config\.json$", "HEAD")
                # The second HEAD gets the Hub's answer (a 307 to the resolve cache).
                self.assertEqual([e["status"] for e in heads], [status, 307])
                if status == 429:
                    self.assertGreaterEqual(heads[1]["time"] - heads[0]["time"], 0.95)

    def test_head_not_retried_when_file_is_cached(self):
        """With the file cached at the revision, an ailing Hub is not waited for:
        one HEAD answered 503, then the cached copy (as for the revision call)."""
        self.assert_ok(self.hf(TINY, "config.json"), paths=("config.json",))
        self.pair.hub.clear_log()
        self.pair.hub.set_faults([{"match": r"/resolve/main/config\.json$", "method": "HEAD",
                                   "action": "status", "status": 503}])
        t0 = time.monotonic()
        r = self.hf(TINY, "config.json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertLess(time.monotonic() - t0, 5)
        heads = [e for e in self.pair.hub.requests(r"/resolve/main/config\.json$", "HEAD")
                 if e["status"] == 503]
        self.assertEqual(len(heads), 1)

    def test_dropped_connection(self):
        self.cdn_faults({"match": "^/repos/", "action": "drop", "times": 1})
        self.pair.hub.set_faults([{"match": r"/resolve/.*/config\.json$", "action": "drop",
                                   "times": 1}])
        self.assert_ok(self.hf(TINY, "--include", "config.json", "--include", MODEL),
                       paths=("config.json", MODEL))
        self.assertEqual([e["status"] for e in self.cdn_gets()], [None, 200])

    def test_truncated_regular_file(self):
        self.pair.hub.set_faults([{"match": r"^/api/resolve-cache/.*/config\.json",
                                   "action": "truncate", "bytes": 50, "times": 1}])
        self.assert_ok(self.hf(TINY, "config.json"), paths=("config.json",))

    def test_range_ignored_on_resume_is_never_spliced(self):
        self.cdn_faults({"match": "^/repos/", "action": "truncate", "bytes": 400000, "times": 1},
                        {"match": "^/repos/", "action": "ignore_range"})
        self.assert_ok(self.hf(TINY, MODEL))
        gets = self.cdn_gets()
        # truncated; a ranged retry answered 200 (refused, not appended); a clean restart.
        self.assertEqual([(e["range"], e["status"]) for e in gets],
                         [(None, 200), ("bytes=400000-1048575", 200), (None, 200)])

    def test_wrong_content_range_restarts(self):
        self.cdn_faults({"match": "^/repos/", "action": "truncate", "bytes": 400000, "times": 1},
                        {"match": "^/repos/", "action": "wrong_range", "start": 0})
        self.assert_ok(self.hf(TINY, MODEL))
        gets = self.cdn_gets()
        self.assertEqual([(e["range"], e["status"]) for e in gets],
                         [(None, 200), ("bytes=400000-1048575", 206), (None, 200)])

    def test_expired_cdn_link_is_resolved_again(self):
        # The hub signs a 2 s link, then takes 3 s to answer: it has expired
        # when the client uses it. The client must ask the hub again.
        self.pair.hub.update_config({"cdn_url_ttl": 2})
        self.addCleanup(self.pair.hub.update_config, {"cdn_url_ttl": 3600})
        slow_resolve = {"match": r"/resolve/.*/model\.safetensors$", "action": "delay",
                        "seconds": 3, "times": 1}
        for args in ([TINY, MODEL], [TINY, "--include", MODEL]):  # after a HEAD; from the tree
            self.pair.reset()
            self.pair.hub.set_faults([slow_resolve])
            sb = harness.Sandbox(self, hub=self.pair)
            r = sb.run(["download", *args])
            self.assertEqual(r.returncode, 0, r.stderr)
            harness.assert_repo_cached(self, self.pair, sb.hub_cache, TINY, [MODEL], ref=False)
            self.assertEqual([e["status"] for e in self.cdn_gets()], [403, 200], args)
            resolves = self.pair.hub.requests(r"/resolve/.*/model\.safetensors$")
            self.assertEqual(len(resolves), 2, [(e["method"], e["path"]) for e in resolves])
            self.assertEqual(resolves[-1]["method"], "GET")


class PermanentFaultTest(FaultCase):
    """Faults that stay: a clear error, bounded effort, nothing published."""

    def test_wrong_bytes_every_time(self):
        self.cdn_faults({"match": "^/repos/", "action": "corrupt", "offset": 1000, "count": 4})
        r = self.hf(TINY, MODEL)
        self.assertEqual(r.returncode, 8, r.stderr)
        data = bytearray(self.pair.file_bytes(TINY, MODEL))
        for i in range(1000, 1004):
            data[i] ^= 0xFF
        actual = hashlib.sha256(bytes(data)).hexdigest()
        self.assertIn("hash mismatch", r.stderr)
        self.assertIn(self.pair.sha256(TINY, MODEL), r.stderr)
        self.assertIn(actual, r.stderr)
        self.assert_nothing_published()

    def test_wrong_bytes_regular_file(self):
        self.pair.hub.set_faults([{"match": r"^/api/resolve-cache/.*/config\.json",
                                   "action": "corrupt"}])
        r = self.hf(TINY, "config.json")
        self.assertEqual(r.returncode, 8, r.stderr)
        self.assertIn("hash mismatch", r.stderr)
        self.assertIn(self.pair.git_sha1(TINY, "config.json"), r.stderr)
        self.assert_nothing_published(TINY, "config.json")

    def test_swapped_content_is_not_published(self):
        self.cdn_faults({"match": "^/repos/", "action": "swap_content"})
        r = self.hf(TINY, "--include", "*.safetensors")
        self.assertEqual(r.returncode, 8, r.stderr)
        self.assertIn("hash mismatch", r.stderr)
        self.assert_nothing_published()

    def test_content_changed_during_resume_restarts_clean(self):
        # The file changed between two attempts of one download: the spliced
        # result fails the hash, is dropped, and one clean restart fixes it.
        self.cdn_faults({"match": "^/repos/", "action": "truncate", "bytes": 500000, "times": 1},
                        {"match": "^/repos/", "action": "swap_content", "after": 1, "times": 1})
        self.assert_ok(self.hf(TINY, MODEL))
        self.assertEqual([(e["range"], e["status"]) for e in self.cdn_gets()],
                         [(None, 200), ("bytes=500000-1048575", 206), (None, 200)])

    def test_cdn_404(self):
        self.cdn_faults({"match": "^/repos/", "action": "status", "status": 404})
        r = self.hf(TINY, MODEL)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(MODEL, r.stderr)
        self.assertNotIn("repository", r.stderr.lower())
        self.assertEqual(len(self.cdn_gets()), 1)  # a 404 is not retried
        self.assert_nothing_published()
        self.pair.reset()
        self.cdn_faults({"match": "^/repos/", "action": "status", "status": 404,
                         "headers": {"X-Error-Code": "NoSuchKey"}})
        r = self.hf(TINY, "--include", MODEL)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(MODEL, r.stderr)
        self.assertNotIn("repository", r.stderr.lower())
        self.assert_nothing_published()

    def test_link_always_expired(self):
        self.pair.hub.update_config({"cdn_url_ttl": -60})
        self.addCleanup(self.pair.hub.update_config, {"cdn_url_ttl": 3600})
        t0 = time.monotonic()
        r = self.hf(TINY, MODEL)
        # The storage keeps refusing fresh links: a server-side problem (exit 7).
        self.assertEqual(r.returncode, 7, r.stderr)
        self.assertIn("HTTP 403", r.stderr)
        self.assertIn(MODEL, r.stderr)
        self.assertLess(time.monotonic() - t0, 30)
        n = len(self.cdn_gets())
        self.assertGreaterEqual(n, 2)   # resolved again at least once
        self.assertLessEqual(n, 10)     # but not forever
        self.assert_nothing_published()

    def test_cdn_clock_skew(self):
        self.pair.cdn.update_config({"cdn_clock_skew": 7200})
        self.addCleanup(self.pair.cdn.update_config, {"cdn_clock_skew": 0})
        r = self.hf(TINY, MODEL)
        self.assertNotEqual(r.returncode, 0)
        self.assertLessEqual(len(self.cdn_gets()), 10)
        self.assertTrue(all(e["status"] == 403 for e in self.cdn_gets()))
        self.assert_nothing_published()

    def test_5xx_forever_is_bounded(self):
        self.cdn_faults({"match": "^/repos/", "action": "status", "status": 503})
        t0 = time.monotonic()
        r = self.hf(TINY, "tokenizer.json", timeout=90)
        elapsed = time.monotonic() - t0
        self.assertEqual(r.returncode, 7, r.stderr)
        self.assertIn("503", r.stderr)
        self.assertIn("tokenizer.json", r.stderr)
        n = len(self.cdn_gets(TINY, "tokenizer.json"))
        self.assertGreaterEqual(n, 3)
        self.assertLessEqual(n, 6)
        self.assertLess(elapsed, 60)
        self.assert_nothing_published(TINY, "tokenizer.json")
        sys.stderr.write(f"[5xx forever: {n} attempts, gave up after {elapsed:.1f}s] ")


# --------------------------------------------------------------------------
# Resume across runs (fetch engine, docs/internals/download.md: "<etag>.<8hex>.incomplete" + ".resume")
# --------------------------------------------------------------------------

def partial_files(blobs_dir, sha):
    """(incomplete path, resume path) of a partial download of sha, or None."""
    if not os.path.isdir(blobs_dir):
        return None
    for n in os.listdir(blobs_dir):
        if re.fullmatch(re.escape(sha) + r"\.[0-9a-f]{8}\.incomplete", n):
            p = os.path.join(blobs_dir, n)
            return p, p + ".resume"
    return None


def checkpoint(resume_path):
    """The verified offset recorded in a .resume file (0 if unreadable)."""
    try:
        with open(resume_path) as f:
            lines = f.read().split("\n")
    except OSError:
        return 0
    if len(lines) >= 4 and lines[0] == "hf-resume 1":
        return int(lines[3])
    return 0


def written_bytes(partial, data, chunk=16 * MiB):
    """Bytes of `data` present in `partial`, counted as the matching prefix of
    every 16 MiB range (the ranged writers fill each range from its start)."""
    total = 0
    with open(partial, "rb") as f:
        got = f.read()
    for a in range(0, len(data), chunk):
        want = data[a:a + chunk]
        have = got[a:a + chunk]
        n = 0
        step = 64 * 1024
        while n < len(have) and have[n:n + step] == want[n:n + step]:
            n += step
        total += min(n, len(have))
    return total


class ReliabilityCaseTest(FaultCase):
    """More of reliability.md (b), one case per test (the number in the name)."""

    def hub_faults(self, *faults):
        self.pair.hub.set_faults(list(faults))

    def test_b9_redirect_content_length_is_not_the_size(self):
        # The HEAD's 302 claims a 10 GB body: the size is X-Linked-Size.
        self.hub_faults({"match": r"/resolve/main/model\.safetensors$", "method": "HEAD",
                         "action": "headers", "set": {"Content-Length": "10000000000"}})
        self.assert_ok(self.hf(TINY, MODEL))

    def test_b10_missing_hub_headers(self):
        for missing in (["X-Repo-Commit"], ["ETag", "X-Linked-Etag"], ["X-Linked-Size"]):
            with self.subTest(missing=missing):
                self.pair.reset()
                self.sb = self.fresh_sandbox()
                self.hub_faults({"match": r"/resolve/main/model\.safetensors$", "method": "HEAD",
                                 "action": "headers", "remove": missing})
                r = self.hf(TINY, MODEL)
                self.assertNotEqual(r.returncode, 0, r.stderr)
                self.assertIn("does not look like a Hub resource", r.stderr)
                self.assertEqual(self.cdn_gets(), [])
                self.assert_nothing_published()

    def test_b11_control_bytes_in_the_commit_header(self):
        for commit in ("a" * 20 + "\x00" + "a" * 19, "../../tmp/x", "A" * 40, "a" * 41):
            with self.subTest(commit=commit[:24]):
                self.pair.reset()
                self.sb = self.fresh_sandbox()
                self.hub_faults({"match": r"/resolve/main/model\.safetensors$", "method": "HEAD",
                                 "action": "headers", "set": {"X-Repo-Commit": commit}})
                r = self.hf(TINY, MODEL)
                self.assertNotEqual(r.returncode, 0, r.stderr)
                self.assertEqual(self.cdn_gets(), [])
                self.assert_nothing_published()
                self.assertFalse(os.path.exists(os.path.join(self.cache, "models--acme--tiny",
                                                             "snapshots")))

    def test_b40_endpoint_without_a_host(self):
        for endpoint in ("http://", "https:///api", "http://:8080", "http://user@"):
            with self.subTest(endpoint=endpoint):
                r = self.hf(TINY, MODEL, env={"HF_ENDPOINT": endpoint})
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn("HF_ENDPOINT", r.stderr)
                self.assertEqual(r.stderr.count("Error:"), 1, r.stderr)
        self.assertEqual(self.pair.hub.requests(), [])

    def test_b13_hostile_linked_size(self):
        for value in ("-1", "1e3", "99999999999999999999999", "0x100000", "1048576 1"):
            with self.subTest(size=value):
                self.pair.reset()
                self.sb = self.fresh_sandbox()
                self.hub_faults({"match": r"/resolve/main/model\.safetensors$", "method": "HEAD",
                                 "action": "headers", "set": {"X-Linked-Size": value}})
                r = self.hf(TINY, MODEL)
                self.assertNotEqual(r.returncode, 0, r.stderr)
                self.assertEqual(self.cdn_gets(), [])
                self.assert_nothing_published()
        # A well-formed size that is not the body's: fails before publishing.
        self.pair.reset()
        self.sb = self.fresh_sandbox()
        self.hub_faults({"match": r"/resolve/main/model\.safetensors$", "method": "HEAD",
                         "action": "headers", "set": {"X-Linked-Size": "1048577"}})
        r = self.hf(TINY, MODEL)
        self.assertNotEqual(r.returncode, 0, r.stderr)
        self.assert_nothing_published()

    def test_b22_longer_body_is_cut(self):
        # Once: the reply is refused as soon as it passes the size, then a
        # clean retry succeeds. Always: an error, nothing published.
        self.cdn_faults({"match": "^/repos/", "action": "extend", "bytes": 4096, "times": 1})
        self.assert_ok(self.hf(TINY, MODEL))
        self.pair.reset()
        self.sb = self.fresh_sandbox()
        self.cdn_faults({"match": "^/repos/", "action": "extend", "bytes": 1 << 20})
        r = self.hf(TINY, MODEL)
        self.assertNotEqual(r.returncode, 0, r.stderr)
        self.assert_nothing_published()

    def fresh_sandbox(self):
        sb = harness.Sandbox(self, hub=self.pair)
        self.cache = sb.hub_cache
        return sb

    def test_b26_resume_reply_with_wrong_total_or_no_content_range(self):
        for fault in ({"set": {"Content-Range": "bytes 300000-1048575/999"}},
                      {"remove": ["Content-Range"]}):
            with self.subTest(fault=fault):
                self.pair.reset()
                self.sb = self.fresh_sandbox()
                self.cdn_faults({"match": "^/repos/", "action": "truncate", "bytes": 300000,
                                 "times": 1},
                                dict({"match": "^/repos/", "action": "headers", "after": 1,
                                      "times": 1}, **fault))
                self.assert_ok(self.hf(TINY, MODEL))
                gets = self.cdn_gets()
                # The resume's reply does not fit: discarded, restarted from 0.
                self.assertEqual([e["range"] for e in gets], [None, "bytes=300000-1048575", None])

    def plant_partial(self, data, etag, offset):
        blobs = os.path.join(self.cache, "models--acme--big", "blobs")
        os.makedirs(blobs, exist_ok=True)
        inc = os.path.join(blobs, f"{self.pair.sha256(BIG, MODEL)}.0badcafe.incomplete")
        with open(inc, "wb") as f:
            f.write(data)
        with open(inc + ".resume", "w") as f:
            f.write(f"hf-resume 1\n{etag}\n{len(self.pair.file_bytes(BIG, MODEL))}\n{offset}\n")
        old = time.time() - 10
        os.utime(inc, (old, old))
        return inc

    def test_b27_complete_partial_is_rehashed(self):
        size = self.pair.size(BIG, MODEL)
        sha = self.pair.sha256(BIG, MODEL)
        # Right bytes: nothing is fetched; the hash decides.
        self.plant_partial(self.pair.file_bytes(BIG, MODEL), sha, size)
        self.assert_ok(self.hf(BIG, "-q"), BIG)
        self.assertEqual(self.cdn_gets(BIG, MODEL), [])
        # Wrong bytes of the right size: the hash fails, one clean restart.
        self.pair.reset()
        self.sb = self.fresh_sandbox()
        self.plant_partial(b"\0" * size, sha, size)
        self.assert_ok(self.hf(BIG, "-q"), BIG)
        gets = self.cdn_gets(BIG, MODEL)
        self.assertTrue(gets)
        self.assertTrue((gets[0]["range"] or "bytes=0-").startswith("bytes=0-"), gets[0]["range"])

    def test_b28_partial_of_another_version_is_not_adopted(self):
        data = self.pair.file_bytes(BIG, MODEL)
        inc = self.plant_partial(data[:32 * MiB], "a" * 64, 32 * MiB)
        self.assert_ok(self.hf(BIG, "-q"), BIG)
        gets = self.cdn_gets(BIG, MODEL)
        self.assertTrue((gets[0]["range"] or "bytes=0-").startswith("bytes=0-"), gets[0]["range"])
        self.assertEqual(sum(harness.range_bytes(e["range"], len(data)) for e in gets), len(data))
        # Someone else's (as far as we know): left for hf cache prune.
        self.assertTrue(os.path.exists(inc))
        os.unlink(inc)
        os.unlink(inc + ".resume")

    def test_b32_5xx_then_success(self):
        for status, times in ((500, 1), (502, 2), (504, 1)):
            with self.subTest(status=status):
                self.pair.reset()
                self.sb = self.fresh_sandbox()
                self.cdn_faults({"match": "^/repos/", "action": "status", "status": status,
                                 "times": times})
                t0 = time.monotonic()
                self.assert_ok(self.hf(TINY, MODEL))
                self.assertEqual([e["status"] for e in self.cdn_gets()], [status] * times + [200])
                # Backoff 1 s, then 2 s.
                self.assertGreaterEqual(time.monotonic() - t0, {1: 1, 2: 3}[times] - 0.1)

    def test_b42_debug_trace_of_a_download_hides_the_token(self):
        token = harness.READ_TOKEN
        r = self.hf(TINY, MODEL, "config.json", env={"HF_DEBUG": "1", "HF_TOKEN": token})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("authorization: Bearer <redacted>", r.stderr)
        self.assertIn("/repos/", r.stderr)  # the CDN request is traced too...
        self.assertNotIn("Signature=", r.stderr)  # ...without its signed query
        harness.assert_no_token(self, token, r)

    def test_b33_hub_refusals_are_not_retried(self):
        for status, code in ((401, "RepoNotFound"), (403, "GatedRepo"), (404, "EntryNotFound")):
            with self.subTest(status=status):
                self.pair.reset()
                self.sb = self.fresh_sandbox()
                self.hub_faults({"match": r"/resolve/main/model\.safetensors$", "action": "status",
                                 "status": status, "headers": {"X-Error-Code": code}})
                r = self.hf(TINY, MODEL)
                self.assertNotEqual(r.returncode, 0, r.stderr)
                self.assertEqual(len(self.pair.hub.requests(r"/resolve/main/model\.safetensors$")),
                                 1, "asked again")
                self.assertEqual(self.cdn_gets(), [])


class SplitTest(FaultCase):
    """A file of the split threshold or more (acme/big, 64 MiB) starts as one
    stream: its first 16 MiB, timed. A fast connection asks for the rest on
    the same connection; a slow one (a CDN capping each connection) hands
    the rest to 4 ranged connections on the 16 MiB grid. Either way every
    byte crosses the network once."""

    def served(self):
        return sorted((e["range"], e["conn"]) for e in self.cdn_gets(BIG, MODEL))

    def test_fast_connection_streams_the_rest(self):
        # A first download elsewhere makes the hub generate the 64 MiB: the
        # timed one then measures the transfer alone.
        r = self.hf(BIG, "-q", "--cache-dir", os.path.join(self.sb.root, "warm-up"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.pair.reset()
        r = self.hf(BIG, "-q")
        self.assert_ok(r, BIG)
        gets = sorted(self.cdn_gets(BIG, MODEL), key=lambda e: e["seq"])
        self.assertEqual(gets[0]["range"], "bytes=0-16777215")
        self.assertEqual(sum(harness.range_bytes(e["range"], 64 * MiB) for e in gets), 64 * MiB)
        # The second request starts when the first 16 MiB are in: their rate
        # is what the client judged. Loopback is fast unless the machine is
        # saturated; only a clearly fast first part must be followed by one
        # request for the rest on the same connection.
        rate = 16 * MiB / max(gets[1]["time"] - gets[0]["time"], 1e-6)
        if rate < 150e6:
            self.skipTest(f"loopback delivered only {rate / 1e6:.0f} MB/s (busy machine)")
        self.assertEqual([e["range"] for e in gets], ["bytes=0-16777215", "bytes=16777216-67108863"])
        self.assertEqual(gets[0]["conn"], gets[1]["conn"], "the rest must reuse the connection")

    def test_slow_connection_splits_into_ranges(self):
        # About 12 MB/s per connection: under the 100 MB/s split threshold.
        self.cdn_faults({"match": "^/repos/", "action": "slow", "chunk": 256 * 1024,
                         "interval": 0.02})
        r = self.hf(BIG, "-q")
        self.assert_ok(r, BIG)
        gets = self.served()
        self.assertEqual(sorted(g[0] for g in gets),
                         ["bytes=0-16777215", "bytes=16777216-33554431",
                          "bytes=33554432-50331647", "bytes=50331648-67108863"])
        self.assertGreaterEqual(len({g[1] for g in gets[1:]}), 2, "ranges on several connections")
        self.assertEqual(sum(harness.range_bytes(g[0], 64 * MiB) for g in gets), 64 * MiB)


class ResumeTest(FaultCase):
    """kill -9 and Ctrl-C in the middle of acme/big (64 MiB, 4 ranges), then resume."""

    expect_clean = True

    def start_slow_download(self):
        self.size = self.pair.size(BIG, MODEL)
        self.sha = self.pair.sha256(BIG, MODEL)
        self.blobs = os.path.join(self.cache, "models--acme--big", "blobs")
        # About 2.5 MB/s per connection: 64 MiB would take ~6 s over 4.
        self.cdn_faults({"match": "^/repos/", "action": "slow", "chunk": 65536,
                         "interval": 0.025})
        proc = harness.spawn_hf(self.sb, ["download", BIG, "-q"])
        self.addCleanup(lambda: proc.poll() is None and proc.kill())

        def has_checkpoint():
            pf = partial_files(self.blobs, self.sha)
            return pf if pf and checkpoint(pf[1]) >= 2 * MiB else None

        pf = harness.wait_until(has_checkpoint, 30)
        if pf is None or proc.poll() is not None:
            proc.kill()
            r = harness.finish_hf(self.sb, proc)
            self.fail(f"no checkpoint appeared (rc={r.returncode}): {r.stderr}")
        return proc

    def resume_and_check(self, off):
        """Age the partial, rerun without faults: it must continue at `off`."""
        inc, res = partial_files(self.blobs, self.sha)
        old = time.time() - 10
        os.utime(inc, (old, old))
        os.utime(res, (old, old))
        self.pair.reset()
        r = self.hf(BIG, "-q")
        self.assertEqual(r.returncode, 0, r.stderr)
        harness.assert_repo_cached(self, self.pair, self.cache, BIG)
        gets = self.cdn_gets(BIG, MODEL)
        self.assertTrue(gets)
        self.assertEqual(gets[0]["range"], f"bytes={off}-{self.size - 1}")
        fetched = sum(harness.range_bytes(e["range"], self.size) for e in gets)
        self.assertEqual(fetched, self.size - off)
        self.assertEqual(partial_files(self.blobs, self.sha), None)
        return fetched

    def test_kill9_then_resume(self):
        proc = self.start_slow_download()
        time.sleep(0.5)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        harness.finish_hf(self.sb, proc)
        self.assertEqual(proc.returncode, -signal.SIGKILL)
        pf = partial_files(self.blobs, self.sha)
        self.assertIsNotNone(pf, os.listdir(self.blobs))
        inc, res = pf
        self.assertTrue(os.path.isfile(inc) and os.path.isfile(res))
        off = checkpoint(res)
        self.assertGreater(off, 0)
        self.assertLess(off, self.size)
        self.assertFalse(os.path.exists(os.path.join(self.blobs, self.sha)))
        data = self.pair.file_bytes(BIG, MODEL)
        run1 = written_bytes(inc, data)
        self.assertGreaterEqual(run1, off)
        # Not adopted while it may still be someone's live download (< 2 s idle).
        fetched = self.resume_and_check(off)
        twice = run1 - off
        sys.stderr.write(f"[kill -9: checkpoint {off / MiB:.1f} MiB, run 1 wrote "
                         f"{run1 / MiB:.1f} MiB, run 2 fetched {fetched / MiB:.1f} MiB, "
                         f"transferred twice {twice / MiB:.1f} MiB] ")

    def test_sigint_keeps_partial_then_resume(self):
        proc = self.start_slow_download()
        os.kill(proc.pid, signal.SIGINT)
        r = harness.finish_hf(self.sb, proc, timeout=30)
        self.assertEqual(r.returncode, 130, r.stderr)
        self.assertIn("interrupted", r.stderr)
        self.assertEqual(r.stdout, "")
        pf = partial_files(self.blobs, self.sha)
        self.assertIsNotNone(pf, os.listdir(self.blobs))
        off = checkpoint(pf[1])
        self.assertGreaterEqual(off, 2 * MiB)
        self.assertFalse(os.path.exists(os.path.join(self.blobs, self.sha)))
        self.resume_and_check(off)

    def test_kill9_during_split_keeps_the_filled_cells(self):
        # ~13 MB/s per connection: the first 16 MiB stream, then 4 ranged
        # connections. Killed while they run, the checkpoint records how far
        # each cell past the verified prefix got ("cells" line, written after
        # fdatasync); the next run fetches only what is missing.
        self.size = self.pair.size(BIG, MODEL)
        self.sha = self.pair.sha256(BIG, MODEL)
        self.blobs = os.path.join(self.cache, "models--acme--big", "blobs")
        self.cdn_faults({"match": "^/repos/", "action": "slow", "chunk": 256 * 1024,
                         "interval": 0.02})
        proc = harness.spawn_hf(self.sb, ["download", BIG, "-q"])
        self.addCleanup(lambda: proc.poll() is None and proc.kill())

        def cells_recorded():
            pf = partial_files(self.blobs, self.sha)
            if not pf:
                return None
            try:
                with open(pf[1], encoding="ascii") as f:
                    lines = f.read().splitlines()
            except OSError:
                return None
            for ln in lines:
                if ln.startswith("cells "):
                    size = int(ln.split()[1])
                    off = checkpoint(pf[1])
                    kept = sum(int(p) - max(int(c) * size, off)
                               for c, p in (x.split(":") for x in ln.split()[2:]))
                    return ln if kept >= 4 * MiB else None
            return None

        self.assertIsNotNone(harness.wait_until(cells_recorded, 30),
                             "no 4 MiB of cells were recorded")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        harness.finish_hf(self.sb, proc)
        inc, res = partial_files(self.blobs, self.sha)
        off = checkpoint(res)
        with open(res, encoding="ascii") as f:
            line = [ln for ln in f.read().splitlines() if ln.startswith("cells ")][0]
        cell_size = int(line.split()[1])
        self.assertEqual(cell_size, 16 * MiB)
        kept = 0
        data = self.pair.file_bytes(BIG, MODEL)
        with open(inc, "rb") as f:
            for item in line.split()[2:]:
                c, pos = (int(x) for x in item.split(":"))
                # A cell past the prefix, or the prefix's own cell beyond it.
                a = max(c * cell_size, off)
                self.assertTrue(c * cell_size <= a < pos <= (c + 1) * cell_size, item)
                f.seek(a)
                self.assertEqual(f.read(pos - a), data[a:pos], f"cell {c} holds wrong bytes")
                kept += pos - a
        self.assertGreater(kept, 0)
        self.pair.reset()
        r = self.hf(BIG, "-q")
        self.assertEqual(r.returncode, 0, r.stderr)
        harness.assert_repo_cached(self, self.pair, self.cache, BIG)
        fetched = sum(harness.range_bytes(e["range"], self.size) for e in self.cdn_gets(BIG, MODEL))
        self.assertEqual(fetched, self.size - off - kept)
        sys.stderr.write(f"[split kill: prefix {off / MiB:.1f} MiB + cells {kept / MiB:.1f} MiB "
                         f"kept, run 2 fetched {fetched / MiB:.1f} MiB] ")

    def owner_line(self, res):
        with open(res, encoding="ascii") as f:
            lines = f.read().splitlines()
        self.assertEqual(len(lines), 5, lines)
        self.assertRegex(lines[4], r"^owner \S+ pid:\[\d+\] \d+$")
        return lines

    def test_fresh_partial_of_a_live_writer_is_not_adopted(self):
        # A partial touched a moment ago whose writer is still alive may be
        # someone's live download on a file system without flock: a new run
        # must not take it over. (This process stands in for the writer.)
        proc = self.start_slow_download()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        harness.finish_hf(self.sb, proc)
        inc, res = partial_files(self.blobs, self.sha)
        lines = self.owner_line(res)
        lines[4] = lines[4].rsplit(" ", 1)[0] + f" {os.getpid()}"
        with open(res, "w", encoding="ascii") as f:
            f.write("\n".join(lines) + "\n")
        now = time.time()
        os.utime(inc, (now, now))
        self.pair.reset()
        r = self.hf(BIG, "-q")
        self.assertEqual(r.returncode, 0, r.stderr)
        harness.assert_repo_cached(self, self.pair, self.cache, BIG)
        first = min(self.cdn_gets(BIG, MODEL), key=lambda e: e["seq"])
        self.assertTrue((first["range"] or "bytes=0-").startswith("bytes=0-"),
                        f"the download must start from byte 0, not {first['range']}")
        # The orphan is left alone (someone else's, as far as we know).
        self.assertTrue(os.path.exists(inc))
        os.unlink(inc)
        os.unlink(res)

    def test_partial_of_a_killed_writer_is_adopted_at_once(self):
        # The checkpoint names its writer (boot, pid namespace, pid): once
        # that process is gone, the next run resumes without waiting for the
        # partial to go idle.
        proc = self.start_slow_download()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        harness.finish_hf(self.sb, proc)
        inc, res = partial_files(self.blobs, self.sha)
        self.owner_line(res)
        off = checkpoint(res)
        self.assertGreater(off, 0)
        self.pair.reset()
        r = self.hf(BIG, "-q")
        self.assertEqual(r.returncode, 0, r.stderr)
        harness.assert_repo_cached(self, self.pair, self.cache, BIG)
        gets = self.cdn_gets(BIG, MODEL)
        self.assertEqual(gets[0]["range"], f"bytes={off}-{self.size - 1}")
        self.assertEqual(partial_files(self.blobs, self.sha), None)

if __name__ == "__main__":
    unittest.main()

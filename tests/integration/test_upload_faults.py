#!/usr/bin/env python3
"""`hf upload` under faults: part PUTs that fail, resets mid-part, expired part
URLs, kill -9 during a multipart upload, a file changed while it is sent, a
lost commit answer and the hourly commit quota.

Faults are injected by the test hub and its CDN (testhub.py FAULT list). The
promises: whatever happens, nothing half-done is committed (the branch head
moves only to a commit whose files are all there and byte-exact), parts the
storage accepted before a crash are not sent again while their URLs are
valid, and the Hub token never reaches the storage (HubPairCase checks the
CDN's violations after every test).

    cd tests/integration && HF_BIN=/path/to/hf python3 -m unittest -v test_upload_faults
"""

import json
import os
import re
import signal
import sys
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "hub"))
import testhub  # noqa: E402

WRITE = testhub.WRITE_TOKEN
READ = testhub.READ_TOKEN
MiB = 1 << 20
CHUNK = 1 * MiB          # the hub's multipart part size for these tests
THRESHOLD = 2 * MiB      # objects above this go multipart


def wait_for(cond, timeout=30.0, step=0.05):
    """Poll cond() until it is true; fail (AssertionError) after timeout seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(step)
    raise AssertionError(f"condition not met within {timeout}s")


class UploadFaultCase(harness.HubPairCase):
    """A hub whose LFS batch makes 1 MiB parts above 2 MiB; one fresh repo per test."""

    @classmethod
    def setUpClass(cls):
        cls.pair = harness.HubPair(config={"multipart_chunk_size": CHUNK,
                                           "multipart_threshold": THRESHOLD})

    n = 0

    def setUp(self):
        super().setUp()
        UploadFaultCase.n += 1
        self.repo = f"alice/faults-{os.getpid()}-{UploadFaultCase.n}"
        self.work = os.path.join(self.sb.root, "upload-src")
        os.makedirs(self.work)
        r = self.hf("repos", "create", self.repo)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.initial_head = self.head()
        self.pair.reset()

    # -- helpers ---------------------------------------------------------------
    def env(self, token=WRITE, extra=None):
        e = {"HF_TOKEN": token}
        e.update(extra or {})
        return e

    def hf(self, *args, token=WRITE, env=None, timeout=120):
        return self.sb.run(list(args), env=self.env(token, env), timeout=timeout)

    def upload(self, *args, **kw):
        return self.hf("upload", self.repo, *args, **kw)

    def api(self, path):
        with urllib.request.urlopen(self.pair.url + path, timeout=30) as r:
            return json.loads(r.read())

    def head(self, rev="main"):
        req = urllib.request.Request(f"{self.pair.url}/api/models/{self.repo}/revision/{rev}",
                                     headers={"Authorization": f"Bearer {WRITE}"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())["sha"]

    def remote_bytes(self, path, rev="main"):
        """The file's bytes as a download of the new revision gives them."""
        out = os.path.join(self.sb.root, "dl-" + os.urandom(4).hex())
        r = self.hf("download", self.repo, path, "--revision", rev, "--local-dir", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(out, path), "rb") as f:
            return f.read()

    def write(self, name, data):
        path = os.path.join(self.work, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def part_puts(self, method="PUT"):
        return self.pair.cdn.requests(r"^/lfs-upload/mp/", method)

    def ok_puts(self):
        """Part PUTs answered 200 at once (the log is written before a "delay"
        fault sleeps, so a delayed entry's answer may never have arrived)."""
        return [e for e in self.part_puts() if e["status"] == 200 and not e.get("faults")]

    @staticmethod
    def part_number(entry):
        return int(re.match(r"^/lfs-upload/mp/[^/]+/(\d+)", entry["path"]).group(1))

    def assert_nothing_committed(self):
        self.assertEqual(self.head(), self.initial_head, "the branch moved")


class TransientPartFaultTest(UploadFaultCase):
    """Faults that go away: the upload ends with exit 0 and the exact bytes."""

    def test_part_503_is_retried(self):
        data = os.urandom(3 * MiB + 5)
        self.pair.cdn.set_faults([{"match": "^/lfs-upload/mp/", "method": "PUT",
                                   "action": "status", "status": 503, "times": 2}])
        r = self.upload(self.write("w.bin", data), "w.bin")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.remote_bytes("w.bin"), data)
        # 4 parts, 2 of the attempts answered 503 and were sent again
        self.assertEqual(len(self.part_puts()), 4 + 2)
        self.assertEqual(sorted(self.part_number(e) for e in self.ok_puts()), [1, 2, 3, 4])

    def test_reset_mid_part_is_retried(self):
        data = os.urandom(3 * MiB)
        self.pair.cdn.set_faults([{"match": "^/lfs-upload/mp/[^/]+/2", "method": "PUT",
                                   "action": "drop", "rst": True, "times": 1}])
        r = self.upload(self.write("w.bin", data), "w.bin")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.remote_bytes("w.bin"), data)
        self.assertEqual(sorted(self.part_number(e) for e in self.ok_puts()), [1, 2, 3])

    def test_basic_put_503_then_ok(self):
        data = os.urandom(MiB)  # under the threshold: one PUT
        self.pair.cdn.set_faults([{"match": "^/lfs-upload/basic/", "method": "PUT",
                                   "action": "status", "status": 503, "times": 1}])
        r = self.upload(self.write("w.bin", data), "w.bin")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(self.pair.cdn.requests(r"^/lfs-upload/basic/", "PUT")), 2)
        self.assertEqual(self.remote_bytes("w.bin"), data)


class PermanentFaultTest(UploadFaultCase):
    """Faults that stay: a clear error, the documented exit code, nothing committed."""

    def test_parts_failing_forever_commit_nothing(self):
        data = os.urandom(3 * MiB)
        self.pair.cdn.set_faults([{"match": "^/lfs-upload/mp/", "method": "PUT",
                                   "action": "status", "status": 500}])
        r = self.upload(self.write("w.bin", data), "w.bin", timeout=240)
        self.assertEqual(r.returncode, 7, r.stderr)
        self.assertIn("Error: ", r.stderr)
        self.assert_nothing_committed()
        self.assertEqual(self.pair.hub.count(r"/commit/", "POST"), 0)

    def test_expired_part_urls(self):
        data = os.urandom(3 * MiB)
        self.pair.cdn.update_config({"cdn_clock_skew": 100000})
        try:
            r = self.upload(self.write("w.bin", data), "w.bin")
        finally:
            self.pair.cdn.update_config({"cdn_clock_skew": 0})
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("Request has expired", r.stderr)
        self.assertIn("run the upload again", r.stderr)
        self.assert_nothing_committed()

    def test_read_token_sends_no_byte(self):
        data = os.urandom(3 * MiB)
        r = self.upload(self.write("w.bin", data), "w.bin", token=READ)
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("settings/tokens", r.stderr)
        self.assertEqual(self.pair.cdn.requests(r"^/lfs-upload/"), [])
        self.assert_nothing_committed()

    def test_commit_quota_429(self):
        msg = "You have exceeded our hourly quotas for action: commit. We invite you to retry later."
        self.pair.hub.set_faults([{"match": r"/commit/", "method": "POST", "action": "status",
                                   "status": 429, "headers": {"X-Error-Message": msg},
                                   "json": {"error": msg}}])
        data = os.urandom(3 * MiB)
        path = self.write("w.bin", data)
        r = self.upload(path, "w.bin", timeout=240)
        self.assertEqual(r.returncode, 7, r.stderr)
        self.assertIn("hourly quotas for action: commit", r.stderr)
        self.assert_nothing_committed()
        # Lifted: the object is already stored, so the rerun sends no byte.
        self.pair.reset()
        r = self.upload(path, "w.bin")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.pair.cdn.requests(r"^/lfs-upload/", "PUT"), [])
        self.assertEqual(self.remote_bytes("w.bin"), data)


class CommitAnswerTest(UploadFaultCase):
    """The commit POST is never sent twice blindly."""

    def test_lost_answer_after_commit_is_found_on_the_branch(self):
        # The hub makes the commit, then the connection dies before the answer's body.
        self.pair.hub.set_faults([{"match": r"/commit/main", "method": "POST",
                                   "action": "truncate", "bytes": 0, "times": 1}])
        data = b"hello\n"
        r = self.upload(self.write("a.txt", data), "a.txt", "--format", "json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.pair.hub.count(r"/commit/", "POST"), 1)
        out = json.loads(r.stdout)
        self.assertEqual(out["commit_oid"], self.head())
        self.assertEqual(self.remote_bytes("a.txt"), data)

    def test_reset_instead_of_the_answer_is_not_resent(self):
        # The hub commits, then resets the connection instead of answering, every time.
        self.pair.hub.set_faults([{"match": r"/commit/main", "method": "POST",
                                   "action": "drop", "rst": True}])
        r = self.upload(self.write("a.txt", b"x\n"), "a.txt", "--format", "json", timeout=240)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.pair.hub.count(r"/commit/", "POST"), 1)
        self.assertEqual(json.loads(r.stdout)["commit_oid"], self.head())


class ChangedFileTest(UploadFaultCase):
    def test_file_growing_during_upload_is_refused(self):
        data = os.urandom(3 * MiB)
        path = self.write("w.bin", data)
        # Slow the parts down so that the file can change under the upload.
        self.pair.cdn.set_faults([{"match": "^/lfs-upload/mp/", "method": "PUT",
                                   "action": "delay", "seconds": 1.0}])
        p = harness.spawn_hf(self.sb, ["upload", self.repo, path, "w.bin"], env=self.env())
        wait_for(lambda: len(self.part_puts()) >= 1, timeout=30)
        with open(path, "ab") as f:
            f.write(b"more")
        r = harness.finish_hf(self.sb, p, timeout=120)
        self.assertEqual(r.returncode, 13, r.stderr)
        self.assertIn("changed", r.stderr)
        self.assertIn("w.bin", r.stderr)
        self.assert_nothing_committed()


class KillResumeTest(UploadFaultCase):
    """kill -9 during a multipart upload, then the same command again."""

    def start_and_kill_after(self, folder, accepted):
        p = harness.spawn_hf(self.sb, ["upload", self.repo, folder, "."], env=self.env())
        # Kill once the resume file records `accepted` parts (the hub logs a
        # part before the client has its answer, so the log is not the clock).
        wait_for(lambda: self.saved_etags() >= accepted, timeout=60)
        p.send_signal(signal.SIGKILL)
        p.communicate(timeout=30)
        harness._unregister(p)

    def saved_etags(self):
        n = 0
        for root, _, files in os.walk(os.path.join(self.work, ".cache")):
            for f in files:
                if f.endswith(".multipart"):
                    try:
                        with open(os.path.join(root, f)) as fh:
                            n = max(n, sum(1 for line in fh if line.startswith("etag ")))
                    except OSError:
                        pass
        return n

    def test_rerun_sends_only_the_missing_parts(self):
        data = os.urandom(8 * MiB)  # 8 parts
        self.write("w.bin", data)
        # Parts after the first three hang, so the kill comes mid-upload.
        self.pair.cdn.set_faults([{"match": "^/lfs-upload/mp/", "method": "PUT",
                                   "after": 3, "action": "delay", "seconds": 60}])
        self.start_and_kill_after(self.work, 3)
        first = sorted({self.part_number(e) for e in self.ok_puts()})
        self.assertEqual(len(first), 3)
        self.assert_nothing_committed()
        self.pair.reset()
        r = self.upload(self.work, ".")
        self.assertEqual(r.returncode, 0, r.stderr)
        again = sorted(self.part_number(e) for e in self.ok_puts())
        self.assertEqual(sorted(set(again) | set(first)), list(range(1, 9)))
        self.assertEqual(set(again) & set(first), set(), "accepted parts were sent again")
        self.assertEqual(self.remote_bytes("w.bin"), data)
        # The resume file is gone once the object is complete.
        mp = os.path.join(self.work, ".cache", "huggingface")
        left = [f for _, _, fs in os.walk(mp) for f in fs if f.endswith(".multipart")]
        self.assertEqual(left, [])

    def test_expired_resume_state_falls_back_to_a_fresh_upload(self):
        data = os.urandom(4 * MiB)
        self.write("w.bin", data)
        self.pair.cdn.set_faults([{"match": "^/lfs-upload/mp/", "method": "PUT",
                                   "after": 2, "action": "delay", "seconds": 60}])
        self.start_and_kill_after(self.work, 2)
        self.pair.reset()
        # Every URL of the first run has expired by now (the CDN's clock jumps ahead);
        # the new batch answer's URLs are signed with the jump included.
        self.pair.hub.update_config({"upload_url_ttl": 200000})
        self.pair.cdn.update_config({"cdn_clock_skew": 100000})
        try:
            r = self.upload(self.work, ".")
        finally:
            self.pair.hub.update_config({"upload_url_ttl": 900})
            self.pair.cdn.update_config({"cdn_clock_skew": 0})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sorted(self.part_number(e) for e in self.ok_puts()), [1, 2, 3, 4])
        self.assertEqual(self.remote_bytes("w.bin"), data)


if __name__ == "__main__":
    unittest.main()

"""Hostile answers from a Hub (or a mirror posing as one): names and hashes
that would become paths are refused before anything is written
(shared/docs/reliability.md (b) 11, 12, 16)."""

import os
import unittest

import harness

COMMIT = "a" * 40
OID = "b" * 40
SHA = "c" * 64


def listing(path):
    return [{"type": "file", "oid": OID, "size": 5, "path": path}]


class HostileListingTest(unittest.TestCase):
    def setUp(self):
        self.hub = harness.Hub(self)
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
                self.assertNotIn("pwned", open(os.path.join(root, f), "rb").read().decode("latin-1"),
                                 os.path.join(root, f))
        self.assertFalse(os.path.exists(self.outside))
        blobs = os.path.join(cache, "models--evil--repo", "blobs")
        self.assertFalse(os.path.isdir(blobs) and os.listdir(blobs), "a blob was written")
        # The bytes were never even asked for.
        self.assertEqual(self.hub.count(r"^/evil/repo/resolve/"), 0)

    def test_unsafe_names_in_listing_are_refused(self):
        for name in ["../../outside", "/abs/outside", "a/../../outside", "C:\\x", "a\\..\\b",
                     "a//b", "./a", "dir/", "CON", "x."]:
            with self.subTest(name=name):
                self.serve(self.repo_routes(listing(name)))
                r = self.sb.run(["download", "evil/repo"])
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertIn("unsafe file name", r.stderr)
                self.assert_nothing_written()

    def test_invalid_oid_in_listing_is_refused(self):
        self.serve(self.repo_routes([{"type": "file", "oid": "../x", "size": 5, "path": "ok.txt"}]))
        r = self.sb.run(["download", "evil/repo"])
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assert_nothing_written()

    def test_hostile_commit_and_etag_in_headers(self):
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
        for args in [["download", "../x"], ["download", "a/b/c"], ["download", "x.git"],
                     ["download", "evil/repo", "../../outside"],
                     ["download", "evil/repo", "--revision", "../../x"]]:
            with self.subTest(args=args):
                r = self.sb.run(args)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn("invalid", r.stderr)
        self.assertEqual(self.hub.count(), 0)


if __name__ == "__main__":
    unittest.main()

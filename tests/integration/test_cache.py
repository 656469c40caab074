#!/usr/bin/env python3
"""`hf cache info|ls|rm|delete|prune|verify`, `huggingface-cli scan-cache` and
`hf env` against caches built by real `hf download` runs (harness.HubPair),
plus hand-built caches with corrupt entries planted (hub-protocol.md §4, §6;
reliability.md 51-53, 59, 62).

Every test gets its own copy of one template cache, downloaded once per
module: acme/tiny at main, v1.0 and refs/pr/1 (blobs shared between them),
meta-llama/Llama-3.2-1B (gated; only config.json), acme/tiny-dataset and
acme/tiny-space.

    cd tests/integration && HF_BIN=/path/to/hf python3 -m unittest -v test_cache
"""

import fcntl
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

TINY = "acme/tiny"
LLAMA = "meta-llama/Llama-3.2-1B"
DATASET = "acme/tiny-dataset"
SPACE = "acme/tiny-space"
JS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "js")

PAIR = None      # the hub + CDN of this module
TEMPLATE = None  # the template cache (a directory; copied into each test)
_TEMPLATE_SB = None


def setUpModule():
    global PAIR, TEMPLATE, _TEMPLATE_SB
    PAIR = harness.HubPair()
    sb = harness.Sandbox(None, hub=PAIR)
    _TEMPLATE_SB = sb
    for args, env in ((["download", TINY], None),
                      (["download", TINY, "--revision", "v1.0"], None),
                      (["download", TINY, "--revision", "refs/pr/1"], None),
                      (["download", LLAMA, "config.json"], {"HF_TOKEN": harness.READ_TOKEN}),
                      (["download", DATASET, "--repo-type", "dataset"], None),
                      (["download", SPACE, "--repo-type", "space"], None)):
        r = sb.run(args, env=env, timeout=60)
        if r.returncode != 0:
            raise RuntimeError(f"template cache: hf {args} failed ({r.returncode}):\n{r.stderr}")
    TEMPLATE = sb.hub_cache


def tearDownModule():
    if PAIR is not None:
        PAIR.stop()
    if _TEMPLATE_SB is not None:
        _TEMPLATE_SB.cleanup()


# --------------------------------------------------------------------------
# Expected values, computed from the fixtures (never from hf's output)
# --------------------------------------------------------------------------

def short_size(num) -> str:
    """The official size string: "%3.1f" with a decimal unit ("1.3M", "843.0")."""
    num = float(num)
    for unit in ("", "K", "M", "G", "T", "P", "E"):
        if abs(num) < 1000.0:
            return f"{num:3.1f}{unit}"
        num /= 1000.0
    return f"{num:3.1f}Z"


def rev_blobs(repo_id, revision="main", repo_type="model", paths=None) -> dict:
    """{etag: size} of a cached revision (paths: the files downloaded, default all)."""
    paths = PAIR.files(repo_id, revision, repo_type) if paths is None else paths
    return {PAIR.etag(repo_id, p, revision, repo_type): PAIR.size(repo_id, p, revision, repo_type)
            for p in paths}


TINY_REVS = ("main", "v1.0", "refs/pr/1")


def expected_repos() -> list:
    """The template's repositories: dicts with the scan's numbers (unique blobs)."""
    out = []
    specs = [("model", TINY, TINY_REVS, None),
             ("model", LLAMA, ("main",), ["config.json"]),
             ("dataset", DATASET, ("main",), None),
             ("space", SPACE, ("main",), None)]
    for repo_type, repo_id, revs, paths in specs:
        blobs, revisions = {}, []
        for rev in revs:
            b = rev_blobs(repo_id, rev, repo_type, paths)
            blobs.update(b)
            revisions.append({"commit": PAIR.commit(repo_id, rev, repo_type), "refs": [rev],
                              "size": sum(b.values()),
                              "nb_files": len(paths or PAIR.files(repo_id, rev, repo_type))})
        revisions.sort(key=lambda v: v["commit"])
        out.append({"type": repo_type, "id": repo_id, "cache_id": f"{repo_type}/{repo_id}",
                    "size": sum(blobs.values()), "nb_files": len(blobs), "revisions": revisions,
                    "refs": sorted(rev for rev in revs),
                    "folder": harness.repo_folder_name(repo_id, repo_type)})
    return out


def ls_lines(rows, revisions=False) -> list:
    """`hf cache ls` table lines: two spaces between columns, ID padded to the
    widest id, SIZE right-aligned in 8, times padded to 18."""
    w = max([2] + [len(r[0]) for r in rows])
    if revisions:
        head = f"{'ID':<{w}}  {'REVISION':<40}  {'SIZE':>8}  {'LAST_MODIFIED':<18}  REFS"
        body = [f"{i:<{w}}  {c:<40}  {s:>8}  {m:<18}  {refs}" for i, c, s, m, refs in rows]
    else:
        head = f"{'ID':<{w}}  {'SIZE':>8}  {'LAST_ACCESSED':<18}  {'LAST_MODIFIED':<18}  REFS"
        body = [f"{i:<{w}}  {s:>8}  {a:<18}  {m:<18}  {refs}" for i, s, a, m, refs in rows]
    return [head] + body


def tabulate(rows, headers) -> list:
    """The 0.x `scan-cache` table: each cell padded to its column's width and
    followed by one space (numbers right-aligned), a dashes line under the headers."""
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows)]

    def line(cells):
        return "".join((f"{c:>{w}} " if isinstance(c, int) else f"{c:<{w}} ")
                       for c, w in zip(cells, widths))
    return [line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows]


def git_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def set_times(paths, when):
    for p in paths:
        os.utime(p, (when, when), follow_symlinks=False)


def blobs_of(cache, folder) -> list:
    d = os.path.join(cache, folder, "blobs")
    return [os.path.join(d, n) for n in sorted(os.listdir(d))] if os.path.isdir(d) else []


def tree_state(root) -> list:
    """Everything under root (links not followed): path, kind, size, link target."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        for n in sorted(dirnames + filenames):
            p = os.path.join(dirpath, n)
            st = os.lstat(p)
            out.append((os.path.relpath(p, root), st.st_mode >> 12, st.st_size,
                        os.readlink(p) if os.path.islink(p) else None))
    return sorted(out)


class HeldLock:
    """Hold a blob's download lock as a running `hf download` does (flock on
    <cache>/.locks/<folder>/<etag>.lock)."""

    def __init__(self, cache, folder, name):
        self.path = os.path.join(cache, ".locks", folder, name + ".lock")
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o664)
        fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def release(self):
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


# --------------------------------------------------------------------------
# Base class
# --------------------------------------------------------------------------

class CacheCase(unittest.TestCase):
    """A fresh copy of the template cache at sb.hub_cache (the default cache of
    the sandbox's HOME), every blob touched "now"."""

    copy_template = True

    def setUp(self):
        self.pair = PAIR
        self.pair.reset()
        self.sb = harness.Sandbox(self, hub=self.pair)
        self.cache = self.sb.hub_cache
        self.outside = os.path.join(self.sb.root, "outside")
        os.makedirs(self.outside)
        self.outside_file = os.path.join(self.outside, "precious.txt")
        with open(self.outside_file, "w") as f:
            f.write("not part of any cache\n")
        if self.copy_template:
            os.makedirs(os.path.dirname(self.cache), exist_ok=True)
            shutil.copytree(TEMPLATE, self.cache, symlinks=True)
            now = time.time()
            for folder in os.listdir(self.cache):
                set_times(blobs_of(self.cache, folder), now)
        self.repos = expected_repos()
        self.locks = []

    def tearDown(self):
        for lock in self.locks:
            lock.release()
        self.assertEqual(self.pair.violations(), [])
        # Whatever a test did, nothing outside the cache was touched.
        with open(self.outside_file) as f:
            self.assertEqual(f.read(), "not part of any cache\n")

    # -- helpers ---------------------------------------------------------------
    def hf(self, *args, code=0, env=None, prog=None, **kw):
        r = self.sb.run(list(args), env=env, prog=prog, **kw)
        self.assertEqual(r.returncode, code,
                         f"hf {args}: exit {r.returncode}\n--- stdout\n{r.stdout}\n--- stderr\n{r.stderr}")
        return r

    def repo(self, repo_id, repo_type="model") -> dict:
        return next(r for r in self.repos if r["id"] == repo_id and r["type"] == repo_type)

    def repo_dir(self, repo_id=TINY, repo_type="model"):
        return os.path.join(self.cache, harness.repo_folder_name(repo_id, repo_type))

    def hold(self, folder, name) -> HeldLock:
        lock = HeldLock(self.cache, folder, name)
        self.locks.append(lock)
        return lock

    def hub_requests(self) -> list:
        return self.pair.hub.requests() + self.pair.cdn.requests()


# --------------------------------------------------------------------------
# Listing
# --------------------------------------------------------------------------

class ListTest(CacheCase):
    """`hf cache ls`: columns, footer, filters, sort, limit, quiet, json."""

    def default_rows(self):
        repos = sorted(self.repos, key=lambda r: r["cache_id"])
        return [(r["cache_id"], short_size(r["size"]), "a few seconds ago", "a few seconds ago",
                 ", ".join(r["refs"])) for r in repos]

    def test_table_and_footer(self):
        r = self.hf("cache", "ls")
        total = sum(x["size"] for x in self.repos)
        want = ls_lines(self.default_rows()) + [
            "", f"Found 4 repo(s) for a total of 6 revision(s) and {short_size(total)} on disk."]
        self.assertEqual(r.stdout.splitlines(), want)
        self.assertEqual(r.stderr, "")
        # The numbers behind it: acme/tiny counts each shared blob once.
        tiny = self.repo(TINY)
        self.assertEqual(tiny["nb_files"], 8)
        self.assertEqual(short_size(tiny["size"]), "1.3M")
        self.assertRegex(r.stdout, r"model/acme/tiny\s+1\.3M  a few seconds ago   a few seconds ago"
                                   r"   main, refs/pr/1, v1\.0\n")
        # The alias and an explicit --cache-dir give the same.
        self.assertEqual(self.hf("cache", "list").stdout, r.stdout)
        self.assertEqual(self.hf("cache", "ls", "--cache-dir", self.cache).stdout, r.stdout)

    def test_revisions(self):
        r = self.hf("cache", "ls", "--revisions")
        rows = []
        for repo in sorted(self.repos, key=lambda x: x["cache_id"]):
            for v in repo["revisions"]:
                rows.append((repo["cache_id"], v["commit"], short_size(v["size"]), "a few seconds ago",
                             ", ".join(v["refs"])))
        # The official footer adds up the revisions' sizes (shared blobs once per revision).
        total = sum(v["size"] for x in self.repos for v in x["revisions"])
        self.assertEqual(r.stdout.splitlines(), ls_lines(rows, revisions=True) + [
            "", f"Found 4 repo(s) for a total of 6 revision(s) and {short_size(total)} on disk."])
        r = self.hf("cache", "ls", "--revisions", "-q")
        self.assertEqual(r.stdout.splitlines(), [row[1] for row in rows])

    def test_quiet_and_json(self):
        r = self.hf("cache", "ls", "-q")
        self.assertEqual(r.stdout.splitlines(),
                         [x["id"] for x in sorted(self.repos, key=lambda x: x["cache_id"])])
        self.assertEqual(self.hf("cache", "ls", "--format", "quiet").stdout, r.stdout)
        r = self.hf("cache", "ls", "--format", "json")
        data = json.loads(r.stdout)
        self.assertEqual([d["id"] for d in data], sorted(x["cache_id"] for x in self.repos))
        for d in data:
            want = self.repo(d["repo_id"], d["repo_type"])
            self.assertEqual(d["id"], want["cache_id"])
            self.assertEqual(d["size"], short_size(want["size"]))
            self.assertEqual(d["size_on_disk"], want["size"])
            self.assertEqual(d["last_accessed"], "a few seconds ago")
            self.assertEqual(d["last_modified"], "a few seconds ago")
            self.assertEqual(d["refs"], ", ".join(want["refs"]))
        self.assertEqual(json.loads(self.hf("cache", "ls", "--json").stdout), data)
        r = self.hf("cache", "ls", "--revisions", "--format", "json")
        data = json.loads(r.stdout)
        self.assertEqual(len(data), 6)
        pr = next(d for d in data if d["refs"] == "refs/pr/1")
        self.assertEqual(pr["revision"], PAIR.commit(TINY, "refs/pr/1"))
        self.assertEqual(pr["size_on_disk"], sum(rev_blobs(TINY, "refs/pr/1").values()))

    def test_filters(self):
        def ids(*args):
            return self.hf("cache", "ls", "-q", *args).stdout.splitlines()

        self.assertEqual(ids("--filter", "size>1M"), [TINY])
        self.assertEqual(ids("-f", "size>1MB"), [TINY])
        self.assertEqual(ids("-f", "size<=1K"), [LLAMA, SPACE])
        self.assertEqual(ids("-f", "type=dataset"), [DATASET])
        self.assertEqual(ids("-f", "type=model", "-f", "size<1M"), [LLAMA])
        self.assertEqual(ids("-f", "refs=v1.0"), [TINY])
        self.assertEqual(ids("-f", "refs=refs/pr/1"), [TINY])
        self.assertEqual(ids("-f", "refs=nope"), [])
        self.assertEqual(ids("--revisions", "-f", "refs=v1.0"), [PAIR.commit(TINY, "v1.0")])
        # Revision rows in "type/id" order: model/acme/tiny, then model/meta-llama/...
        self.assertEqual(ids("--revisions", "-f", "refs=main", "-f", "type=model"),
                         [PAIR.commit(TINY), PAIR.commit(LLAMA)])
        # Ages from the blobs' times: the dataset was last used 10 days ago.
        old = time.time() - 10 * 86400
        set_times(blobs_of(self.cache, "datasets--acme--tiny-dataset"), old)
        self.assertEqual(ids("-f", "accessed>1d"), [DATASET])
        self.assertEqual(ids("-f", "accessed>7d"), [DATASET])
        self.assertEqual(ids("-f", "accessed>2w"), [])
        self.assertEqual(ids("-f", "modified>1w"), [DATASET])
        self.assertEqual(ids("-f", "accessed<1h"), [TINY, LLAMA, SPACE])
        r = self.hf("cache", "ls", "-f", "accessed>1d")
        self.assertEqual(r.stdout.splitlines()[:2], ls_lines([(
            "dataset/" + DATASET, short_size(self.repo(DATASET, "dataset")["size"]),
            "1 week ago", "1 week ago", "main")]))
        self.assertEqual(r.stdout.splitlines()[-1],
                         f"Found 1 repo(s) for a total of 1 revision(s) and "
                         f"{short_size(self.repo(DATASET, 'dataset')['size'])} on disk.")
        r = self.hf("cache", "ls", "-f", "size>100G")
        self.assertEqual(r.stdout, "No results found.\n")
        for bad in ("size>>1", "size>lots", "colour=red", "accessed>3parsecs", "size"):
            r = self.hf("cache", "ls", "-f", bad, code=2)
            self.assertIn(f"Error: invalid filter '{bad}'", r.stderr)
            self.assertEqual(r.stdout, "")

    def test_sort_and_limit(self):
        def ids(*args):
            return self.hf("cache", "ls", "-q", *args).stdout.splitlines()

        by_size = [x["id"] for x in sorted(self.repos, key=lambda x: -x["size"])]
        self.assertEqual(ids("--sort", "size"), by_size)
        self.assertEqual(ids("--sort", "size:desc"), by_size)
        self.assertEqual(ids("--sort", "size:asc"), by_size[::-1])
        by_name = [x["id"] for x in sorted(self.repos, key=lambda x: x["cache_id"].lower())]
        self.assertEqual(ids("--sort", "name"), by_name)
        self.assertEqual(ids("--sort", "name:desc"), by_name[::-1])
        self.assertEqual(ids("--sort", "size", "--limit", "2"), by_size[:2])
        self.assertEqual(ids("--limit", "0"), [])
        # accessed: newest first.
        now = time.time()
        for i, x in enumerate(sorted(self.repos, key=lambda x: x["id"])):
            set_times(blobs_of(self.cache, x["folder"]), now - 3600 * (i + 1))
        by_acc = [x["id"] for x in sorted(self.repos, key=lambda x: x["id"])]
        self.assertEqual(ids("--sort", "accessed"), by_acc)
        self.assertEqual(ids("--sort", "modified:asc"), by_acc[::-1])
        # The human table follows the same order, and --limit shapes the footer.
        r = self.hf("cache", "ls", "--sort", "size", "--limit", "1")
        self.assertEqual(r.stdout.splitlines()[-1],
                         f"Found 1 repo(s) for a total of 3 revision(s) and "
                         f"{short_size(self.repo(TINY)['size'])} on disk.")
        for bad in ("biggest", "size:up"):
            r = self.hf("cache", "ls", "--sort", bad, code=2)
            self.assertIn("Error: invalid --sort", r.stderr)

    def test_refs_are_sorted_by_name(self):
        # A tag named before the others, on the commit that sorts last.
        with open(os.path.join(self.repo_dir(), "refs", "a-release"), "w") as f:
            f.write(PAIR.commit(TINY, "v1.0"))
        r = self.hf("cache", "ls", "-f", "refs=a-release")
        self.assertIn("  a-release, main, refs/pr/1, v1.0\n", r.stdout)
        r = self.hf("cache", "ls", "--revisions", "-f", "refs=v1.0")
        self.assertTrue(r.stdout.splitlines()[1].endswith("  a-release, v1.0"), r.stdout)

    def test_future_times_give_no_negative_ages(self):
        future = time.time() + 5 * 365 * 86400
        set_times(blobs_of(self.cache, "models--acme--tiny"), future)
        r = self.hf("cache", "ls")
        self.assertNotRegex(r.stdout, r"-\d+ \w+ ago")
        self.assertRegex(r.stdout, r"\nmodel/acme/tiny +1\.3M  a few seconds ago   a few seconds ago  ")
        r = self.hf("cache", "ls", "--revisions", "--format", "json")
        for d in json.loads(r.stdout):
            self.assertEqual(d["last_modified"], "a few seconds ago")
        self.assertEqual(self.hf("cache", "ls", "-q", "-f", "accessed<1d").stdout.splitlines(),
                         [DATASET, TINY, LLAMA, SPACE])
        self.assertEqual(self.hf("cache", "ls", "-q", "-f", "accessed>1d").stdout, "")
        self.hf("cache", "info")
        self.hf("cache", "prune", "--dry-run")
        self.hf("scan-cache", prog="huggingface-cli")

    def test_missing_cache_dir(self):
        missing = os.path.join(self.sb.root, "no-such-cache")
        for args in (["cache", "ls"], ["cache", "info"], ["cache", "rm", TINY, "-y"], ["cache", "prune", "-y"]):
            r = self.hf(*args, "--cache-dir", missing, code=5)
            self.assertEqual(r.stderr.splitlines()[0], f"Error: Cache directory not found: {missing}")
            self.assertEqual(r.stdout, "")
        r = self.hf("cache", "ls", env={"HF_HUB_CACHE": missing}, code=5)
        self.assertIn(f"Error: Cache directory not found: {missing}", r.stderr)


class InfoEnvTest(CacheCase):
    """`hf cache info`, `hf env` (where the cache is, which variable chose it)
    and the legacy `huggingface-cli scan-cache`."""

    def info_lines(self, cache_dir, source):
        repos = self.repos  # library order: models, datasets, spaces; then by id
        w = max([7] + [len(x["id"]) for x in repos])
        lines = [f"{'REPO ID':<{w}}  {'TYPE':<7}  {'SIZE':>8}  {'FILES':>6}  {'LAST USED':<18}  REFS"]
        for x in repos:
            lines.append(f"{x['id']:<{w}}  {x['type']:<7}  {short_size(x['size']):>8}  "
                         f"{x['nb_files']:>6}  {'a few seconds ago':<18}  {', '.join(x['refs'])}")
        total = sum(x["size"] for x in repos)
        return lines + ["", f"Cache directory: {cache_dir} (set by {source})",
                        f"Total: 4 repo(s), {short_size(total)} on disk."]

    def test_info_by_variable(self):
        r = self.hf("cache", "info", env={"HF_HUB_CACHE": self.cache})
        self.assertEqual(r.stdout.splitlines(), self.info_lines(self.cache, "HF_HUB_CACHE"))
        self.assertEqual(r.stderr, "")
        self.assertEqual(self.hf("cache", "info").stdout.splitlines(),
                         self.info_lines(self.cache, "default"))
        r = self.hf("cache", "info", env={"HF_HOME": self.sb.hf_home})
        self.assertEqual(r.stdout.splitlines()[-2], f"Cache directory: {self.cache} (set by HF_HOME)")
        r = self.hf("cache", "info", env={"HUGGINGFACE_HUB_CACHE": self.cache})
        self.assertEqual(r.stdout.splitlines()[-2],
                         f"Cache directory: {self.cache} (set by HUGGINGFACE_HUB_CACHE)")
        # The new name wins over the legacy one.
        r = self.hf("cache", "info", env={"HF_HUB_CACHE": self.cache,
                                          "HUGGINGFACE_HUB_CACHE": "/nonexistent"})
        self.assertEqual(r.stdout.splitlines()[-2], f"Cache directory: {self.cache} (set by HF_HUB_CACHE)")
        other = os.path.join(self.sb.root, "elsewhere")
        shutil.copytree(self.cache, other, symlinks=True)
        r = self.hf("cache", "info", "--cache-dir", other)
        self.assertEqual(r.stdout.splitlines()[-2], f"Cache directory: {other} (set by --cache-dir)")
        # A relative HF_HUB_CACHE is made absolute.
        r = self.hf("cache", "info", env={"HF_HUB_CACHE": "../home/.cache/huggingface/hub"})
        m = re.fullmatch(r"Cache directory: (/.*) \(set by HF_HUB_CACHE\)", r.stdout.splitlines()[-2])
        self.assertTrue(m, r.stdout)
        self.assertEqual(os.path.realpath(m.group(1)), os.path.realpath(self.cache))

    def test_info_json_and_empty(self):
        r = self.hf("cache", "info", "--format", "json", env={"HF_HUB_CACHE": self.cache})
        data = json.loads(r.stdout)
        self.assertEqual(data["cache_dir"], self.cache)
        self.assertEqual(data["cache_dir_source"], "HF_HUB_CACHE")
        self.assertEqual(data["size_on_disk"], sum(x["size"] for x in self.repos))
        self.assertEqual([(d["repo_type"], d["repo_id"], d["size_on_disk"], d["nb_files"], d["nb_revisions"])
                          for d in data["repos"]],
                         [(x["type"], x["id"], x["size"], x["nb_files"], len(x["revisions"]))
                          for x in self.repos])
        self.assertEqual(data["warnings"], 0)
        empty = os.path.join(self.sb.root, "empty-cache")
        os.makedirs(empty)
        r = self.hf("cache", "info", "--cache-dir", empty)
        self.assertEqual(r.stdout.splitlines(), [
            "No cached repositories.", "", f"Cache directory: {empty} (set by --cache-dir)",
            "Total: 0 repo(s), 0.0 on disk."])
        r = self.hf("cache", "ls", "--cache-dir", empty)
        self.assertEqual(r.stdout, "No results found.\n")

    def test_env_shows_cache_and_source(self):
        r = self.hf("env", env={"HF_HUB_CACHE": self.cache})
        self.assertIn(f"- HF_HUB_CACHE: {self.cache} (from HF_HUB_CACHE)\n", r.stdout)
        r = self.hf("env")
        self.assertIn(f"- HF_HUB_CACHE: {self.cache} (from default)\n", r.stdout)
        r = self.hf("env", env={"HF_HOME": os.path.join(self.sb.root, "hh")})
        self.assertIn(f"- HF_HUB_CACHE: {os.path.join(self.sb.root, 'hh', 'hub')} (from HF_HOME)\n", r.stdout)

    def test_scan_cache_legacy(self):
        def rows(verbose):
            out = []
            for x in sorted(self.repos, key=lambda x: x["folder"]):
                path = os.path.join(self.cache, x["folder"])
                if not verbose:
                    out.append([x["id"], x["type"], f"{short_size(x['size']):>12}", x["nb_files"],
                                "a few seconds ago", "a few seconds ago", ", ".join(x["refs"]), path])
                    continue
                for v in x["revisions"]:
                    out.append([x["id"], x["type"], v["commit"], f"{short_size(v['size']):>12}",
                                v["nb_files"], "a few seconds ago", ", ".join(v["refs"]),
                                os.path.join(path, "snapshots", v["commit"])])
            return out

        total = short_size(sum(x["size"] for x in self.repos))
        footer = re.compile(r"Done in \d+\.\ds\. Scanned 4 repo\(s\) for a total of " + re.escape(total)
                            + r"\.$")
        r = self.hf("scan-cache", prog="huggingface-cli")
        lines = r.stdout.splitlines()
        self.assertEqual(lines[:-2], tabulate(rows(False), [
            "REPO ID", "REPO TYPE", "SIZE ON DISK", "NB FILES", "LAST_ACCESSED", "LAST_MODIFIED",
            "REFS", "LOCAL PATH"]))
        self.assertEqual(lines[-2], "")
        self.assertRegex(lines[-1], footer)
        verbose = tabulate(rows(True), ["REPO ID", "REPO TYPE", "REVISION", "SIZE ON DISK", "NB FILES",
                                        "LAST_MODIFIED", "REFS", "LOCAL PATH"])
        for flags in (["-v"], ["--verbose"], ["-vvv"]):
            r = self.hf("scan-cache", *flags, prog="huggingface-cli")
            self.assertEqual(r.stdout.splitlines()[:-2], verbose, flags)
            self.assertRegex(r.stdout.splitlines()[-1], footer)
        r = self.hf("scan-cache", "--dir", self.cache, prog="huggingface-cli")
        self.assertEqual(r.stdout.splitlines()[:-2], lines[:-2])
        # `hf cache scan` (0.34-0.36) is the same command.
        self.assertEqual(self.hf("cache", "scan").stdout.splitlines()[:-1], lines[:-1])
        self.hf("scan-cache", "-x", prog="huggingface-cli", code=2)


# --------------------------------------------------------------------------
# Corrupt caches
# --------------------------------------------------------------------------

C1 = "1" * 40


def hand_repo(cache, folder, files, commit=C1, refs=None):
    """A repository written by hand as the official client lays it out:
    {path: bytes} -> blobs/<git sha1> and relative snapshot links."""
    root = os.path.join(cache, folder)
    for path, data in files.items():
        name = git_sha1(data)
        os.makedirs(os.path.join(root, "blobs"), exist_ok=True)
        with open(os.path.join(root, "blobs", name), "wb") as f:
            f.write(data)
        link = os.path.join(root, "snapshots", commit, path)
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(harness.snapshot_link_target(path, name), link)
    for ref, c in (refs if refs is not None else {"main": commit}).items():
        p = os.path.join(root, "refs", ref)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(c)
    return root


class CorruptCacheTest(CacheCase):
    """Corrupt entries are warnings; the rest is still listed; nothing is followed."""

    def plant(self):
        c = self.cache
        r = hand_repo(c, "models--bad--broken", {"a.txt": b"x\n"})
        os.symlink("../../blobs/" + "0" * 40, os.path.join(r, "snapshots", C1, "gone.txt"))
        os.makedirs(os.path.join(c, "models--bad--nosnap", ".no_exist", C1))
        r = hand_repo(c, "models--bad--stray", {"a.txt": b"z\n"})
        with open(os.path.join(r, "snapshots", "stray.txt"), "w") as f:
            f.write("stray")
        hand_repo(c, "kernels--acme--kern", {"k.py": b"k\n"})
        with open(os.path.join(c, "version.txt"), "w") as f:
            f.write("1")
        os.makedirs(os.path.join(c, "no_dashes_here"))
        r = hand_repo(c, "models--bad--outside", {"a.txt": b"y\n"})
        os.symlink(self.outside_file, os.path.join(r, "snapshots", C1, "evil.txt"))
        r = hand_repo(c, "models--bad--missingref", {"a.txt": b"m\n"}, refs={"main": C1, "v2": "2" * 40})
        # Stray files that are not repositories at all: skipped silently.
        for name in (".DS_Store", "Thumbs.db", "desktop.ini"):
            with open(os.path.join(c, name), "w") as f:
                f.write("")
        return [f"{c}/models--bad--broken/snapshots/{C1}/gone.txt",
                f"{c}/models--bad--nosnap/snapshots",
                f"{c}/models--bad--stray/snapshots/stray.txt",
                f"{c}/kernels--acme--kern",
                f"{c}/version.txt",
                f"{c}/no_dashes_here",
                f"{c}/models--bad--outside/snapshots/{C1}/evil.txt",
                f"{c}/models--bad--missingref"]

    def test_warnings_and_the_rest_is_listed(self):
        where = self.plant()
        r = self.hf("cache", "ls")
        total = sum(x["size"] for x in self.repos)
        rows = [(x["cache_id"], short_size(x["size"]), "a few seconds ago", "a few seconds ago",
                 ", ".join(x["refs"])) for x in sorted(self.repos, key=lambda x: x["cache_id"])]
        self.assertEqual(r.stdout.splitlines(), ls_lines(rows) + [
            "", f"Found 4 repo(s) for a total of 6 revision(s) and {short_size(total)} on disk."])
        self.assertEqual(r.stderr.splitlines(), [
            f"Found {len(where)} cache inconsistencies. Re-run with `--show-warnings` to display them."])
        r = self.hf("cache", "ls", "--show-warnings")
        warnings = r.stderr.splitlines()
        self.assertEqual(len(warnings), len(where), r.stderr)
        for w in warnings:
            self.assertTrue(w.startswith("Warning: "), w)
        for path in where:
            self.assertTrue(any(path in w for w in warnings), f"no warning for {path}:\n{r.stderr}")
        self.assertTrue(any("Blob missing (broken symlink)" in w and w.endswith("gone.txt")
                            for w in warnings), r.stderr)
        self.assertTrue(any("Reference(s) refer to missing commit hashes" in w and "2" * 40 in w
                            for w in warnings), r.stderr)
        self.assertTrue(any("`kernel`" in w for w in warnings), r.stderr)
        # info, json, quiet and the legacy command go on too.
        r = self.hf("cache", "info", "--show-warnings")
        self.assertEqual(r.stdout.splitlines()[-1],
                         f"Total: 4 repo(s), {short_size(total)} on disk.")
        self.assertEqual(len(r.stderr.splitlines()), len(where))
        self.assertEqual(len(json.loads(self.hf("cache", "ls", "--format", "json").stdout)), 4)
        self.assertEqual(json.loads(self.hf("cache", "info", "--json").stdout)["warnings"], len(where))
        self.assertEqual(len(self.hf("cache", "ls", "-q").stdout.splitlines()), 4)
        r = self.hf("scan-cache", prog="huggingface-cli")
        self.assertEqual(r.stdout.splitlines()[-1],
                         f"Got {len(where)} warning(s) while scanning. Use -vvv to print details.")
        r = self.hf("scan-cache", "-vvv", prog="huggingface-cli")
        self.assertIn(f"Got {len(where)} warning(s) while scanning.\n", r.stdout)
        for path in where[:3]:
            self.assertIn(path, r.stdout)
        self.assertTrue(os.path.exists(self.outside_file))

    def test_rm_repo_with_a_snapshot_link_out_of_the_cache(self):
        snap = os.path.join(self.repo_dir(), "snapshots", PAIR.commit(TINY))
        os.symlink(self.outside_file, os.path.join(snap, "evil.txt"))
        os.symlink(self.outside, os.path.join(snap, "evil-dir"))
        os.symlink("../../../../outside/precious.txt", os.path.join(snap, "onnx", "evil-rel.txt"))
        r = self.hf("cache", "ls", "--show-warnings")
        self.assertNotIn("model/acme/tiny ", r.stdout)
        self.assertIn("Warning: Snapshot link points outside the repository's blobs: " + snap, r.stderr)
        before = tree_state(self.outside)
        r = self.hf("cache", "rm", "model/acme/tiny", "-y")
        self.assertEqual(r.stdout.splitlines(), [
            "About to delete 1 repo(s) and 0 revision(s) totalling 0.0.",
            "  model/acme/tiny: (entire repo, corrupt)",
            "Deleted 1 repo(s) and 0 revision(s); freed 0.0."])
        self.assertFalse(os.path.lexists(self.repo_dir()))
        self.assertEqual(tree_state(self.outside), before)
        self.assertTrue(os.path.isdir(self.repo_dir(DATASET, "dataset")))
        self.assertEqual(self.hf("cache", "ls", "-q").stdout.splitlines(), [DATASET, LLAMA, SPACE])

    def test_blob_replaced_by_a_link_out_of_the_cache(self):
        etag = PAIR.etag(TINY, "config.json")
        blob = os.path.join(self.repo_dir(), "blobs", etag)
        os.unlink(blob)
        os.symlink(self.outside_file, blob)
        r = self.hf("cache", "ls", "--show-warnings")
        self.assertIn(f"Warning: Blob missing (broken symlink): {self.repo_dir()}/snapshots/", r.stderr)
        self.assertEqual(self.hf("cache", "ls", "-q").stdout.splitlines(), [DATASET, LLAMA, SPACE])
        # Dry run first: nothing moves.
        before = tree_state(self.cache)
        r = self.hf("cache", "delete", "--repo-id", TINY, "--dry-run")
        self.assertEqual(r.stdout.splitlines()[0], "About to delete 1 repo(s) and 0 revision(s) totalling 0.0.")
        self.assertEqual(tree_state(self.cache), before)
        r = self.hf("cache", "delete", "--repo-id", TINY, "-y")
        self.assertEqual(r.stdout.splitlines()[-1], "Deleted 1 repo(s) and 0 revision(s); freed 0.0.")
        self.assertFalse(os.path.lexists(self.repo_dir()))
        # The link went, not what it pointed at.
        with open(self.outside_file) as f:
            self.assertEqual(f.read(), "not part of any cache\n")

    def test_repo_folder_that_is_a_link(self):
        # A "repository" that is itself a link to a directory outside is never entered.
        shutil.copytree(os.path.join(self.cache, "spaces--acme--tiny-space"),
                        os.path.join(self.outside, "spaces--x--y"), symlinks=True)
        os.symlink(os.path.join(self.outside, "spaces--x--y"), os.path.join(self.cache, "spaces--x--y"))
        before = tree_state(self.outside)
        r = self.hf("cache", "ls", "--show-warnings")
        self.assertIn("spaces--x--y", r.stderr)
        self.assertNotIn("space/x/y", r.stdout)
        r = self.hf("cache", "rm", "space/x/y", "-y")
        self.assertEqual(r.stdout, "Nothing to delete.\n")
        self.assertEqual(r.stderr, "Warning: Could not find in cache:\n  - space/x/y\n")
        self.assertEqual(tree_state(self.outside), before)

    def test_kernels_folder_is_left_alone(self):
        kern = hand_repo(self.cache, "kernels--acme--kern", {"k.py": b"k\n"})
        r = self.hf("cache", "rm", "kernels/acme/kern", "-y")
        self.assertEqual(r.stdout, "Nothing to delete.\n")
        self.assertTrue(os.path.isdir(kern))
        self.hf("cache", "prune", "-y")
        self.assertTrue(os.path.isdir(kern))


# --------------------------------------------------------------------------
# Deleting
# --------------------------------------------------------------------------

class RmTest(CacheCase):
    """`hf cache rm` / `hf cache delete`: revisions, repos, confirmation, locks."""

    def test_rm_revision_keeps_shared_blobs(self):
        v1 = PAIR.commit(TINY, "v1.0")
        only_v1 = set(rev_blobs(TINY, "v1.0")) - set(rev_blobs(TINY, "main")) \
            - set(rev_blobs(TINY, "refs/pr/1"))
        self.assertEqual(only_v1, {PAIR.etag(TINY, "config.json", "v1.0")})
        freed = sum(rev_blobs(TINY, "v1.0")[e] for e in only_v1)
        v1_size = sum(rev_blobs(TINY, "v1.0").values())
        r = self.hf("cache", "rm", v1, "-y")
        self.assertEqual(r.stdout.splitlines(), [
            f"About to delete 0 repo(s) and 1 revision(s) totalling {short_size(freed)}.",
            f"  model/acme/tiny: {v1} v1.0 {short_size(v1_size)}",
            f"Deleted 0 repo(s) and 1 revision(s); freed {short_size(freed)}."])
        self.assertEqual(r.stderr, "")
        repo = self.repo_dir()
        self.assertFalse(os.path.exists(os.path.join(repo, "snapshots", v1)))
        self.assertFalse(os.path.exists(os.path.join(repo, "refs", "v1.0")))
        for e in only_v1:
            self.assertFalse(os.path.exists(os.path.join(repo, "blobs", e)))
        # Every blob of the other revisions stays, and they are intact.
        harness.assert_repo_cached(self, PAIR, self.cache, TINY)
        harness.assert_repo_cached(self, PAIR, self.cache, TINY, revision="refs/pr/1")
        self.assertEqual(self.hf("cache", "ls", "--revisions", "-q", "-f", "type=model").stdout.splitlines(),
                         sorted([PAIR.commit(TINY), PAIR.commit(TINY, "refs/pr/1")]) + [PAIR.commit(LLAMA)])
        self.hf("cache", "verify", TINY)
        # The pr ref lives in refs/refs/pr/1: deleting that revision removes it.
        pr = PAIR.commit(TINY, "refs/pr/1")
        r = self.hf("cache", "rm", pr, "--yes")
        self.assertIn(f"  model/acme/tiny: {pr} refs/pr/1 ", r.stdout)
        self.assertFalse(os.path.exists(os.path.join(repo, "refs", "refs", "pr", "1")))
        self.assertFalse(os.path.exists(os.path.join(repo, "blobs", PAIR.etag(TINY, "pr-1-extra.txt", pr))))
        harness.assert_repo_cached(self, PAIR, self.cache, TINY)

    def test_rm_whole_repos_and_unknown_targets(self):
        tiny = self.repo(TINY)
        ds = self.repo(DATASET, "dataset")
        r = self.hf("cache", "rm", "model/acme/tiny", "dataset/acme/tiny-dataset", "model/acme/nope", "-y")
        freed = short_size(tiny["size"] + ds["size"])
        self.assertEqual(r.stdout.splitlines(), [
            f"About to delete 2 repo(s) and 0 revision(s) totalling {freed}.",
            f"  model/acme/tiny: (entire repo) {short_size(tiny['size'])}",
            f"  dataset/acme/tiny-dataset: (entire repo) {short_size(ds['size'])}",
            f"Deleted 2 repo(s) and 0 revision(s); freed {freed}."])
        self.assertEqual(r.stderr, "Warning: Could not find in cache:\n  - model/acme/nope\n")
        self.assertFalse(os.path.lexists(self.repo_dir()))
        self.assertFalse(os.path.lexists(self.repo_dir(DATASET, "dataset")))
        self.assertEqual(sorted(os.listdir(self.cache)),
                         [".locks", "CACHEDIR.TAG", "models--meta-llama--Llama-3.2-1B",
                          "spaces--acme--tiny-space"])
        # All revisions of a repo named by hash: the whole repo.
        commit = PAIR.commit(SPACE, repo_type="space")
        r = self.hf("cache", "rm", commit, "-y")
        self.assertEqual(r.stdout.splitlines()[-1],
                         f"Deleted 1 repo(s) and 0 revision(s); freed {short_size(self.repo(SPACE, 'space')['size'])}.")
        self.assertFalse(os.path.lexists(self.repo_dir(SPACE, "space")))

    def test_target_spellings(self):
        tiny_line = f"  model/acme/tiny: (entire repo) {short_size(self.repo(TINY)['size'])}"
        ds_line = f"  dataset/acme/tiny-dataset: (entire repo) {short_size(self.repo(DATASET, 'dataset')['size'])}"
        before = tree_state(self.cache)
        for target, line in (("acme/tiny", tiny_line), ("MODEL/ACME/TINY", tiny_line),
                             ("models/acme/tiny", tiny_line), ("hf://acme/tiny", tiny_line),
                             ("hf://datasets/acme/tiny-dataset", ds_line),
                             ("dataset/acme/tiny-dataset", ds_line)):
            r = self.hf("cache", "rm", target, "--dry-run")
            self.assertEqual(r.stdout.splitlines()[1:], [line], target)
        self.assertEqual(tree_state(self.cache), before)
        for target in ("acme/tiny-dataset", "space/acme/tiny", "0" * 40, "../acme/tiny"):
            r = self.hf("cache", "rm", target, "-y")
            self.assertEqual(r.stdout, "Nothing to delete.\n", target)
            self.assertEqual(r.stderr, f"Warning: Could not find in cache:\n  - {target}\n")
        self.assertEqual(tree_state(self.cache), before)

    def test_non_terminal_without_yes_deletes_nothing(self):
        before = tree_state(self.cache)
        r = self.hf("cache", "rm", "model/acme/tiny", code=2)
        self.assertEqual(r.stderr.splitlines(), [
            "Error: refusing to delete without confirmation: standard input is not a terminal",
            "Hint: pass -y (--yes) to confirm, or --dry-run to only see what would go"])
        self.assertNotIn("Proceed", r.stdout + r.stderr)
        self.assertNotIn("Deleted", r.stdout)
        # Even with something on stdin: it is not a terminal, so it is not an answer.
        r = self.hf("cache", "rm", PAIR.commit(TINY, "v1.0"), input="y\n", code=2)
        r = self.hf("cache", "delete", "--repo-id", TINY, code=2)
        self.assertIn("-y", r.stderr)
        r = self.hf("cache", "prune", input="y\n", code=0)  # nothing to prune: nothing asked
        self.assertEqual(tree_state(self.cache), before)

    def test_terminal_confirmation(self):
        v1 = PAIR.commit(TINY, "v1.0")
        before = tree_state(self.cache)
        res = self.sb.run_pty(["cache", "rm", v1], script=[(r"Proceed with deletion\? \[y/N\] ", "n\n")])
        self.assertEqual(res.returncode, 0, res.text)
        self.assertIn("Deletion cancelled.", res.text)
        self.assertEqual(tree_state(self.cache), before)
        res = self.sb.run_pty(["cache", "rm", v1], script=[(r"Proceed with deletion\? \[y/N\] ", "\n")])
        self.assertEqual(res.returncode, 0, res.text)
        self.assertEqual(tree_state(self.cache), before)  # the default is No
        res = self.sb.run_pty(["cache", "rm", v1], script=[(r"Proceed with deletion\? \[y/N\] ", "y\n")])
        self.assertEqual(res.returncode, 0, res.text)
        self.assertIn("About to delete 0 repo(s) and 1 revision(s)", res.text)
        self.assertIn("Deleted 0 repo(s) and 1 revision(s)", res.text)
        self.assertFalse(os.path.exists(os.path.join(self.repo_dir(), "snapshots", v1)))
        res = self.sb.run_pty(["cache", "delete", "--repo-id", DATASET, "--repo-type", "dataset"],
                              script=[(r"Proceed with deletion\? \[y/N\] ", "y\n")])
        self.assertEqual(res.returncode, 0, res.text)
        self.assertFalse(os.path.lexists(self.repo_dir(DATASET, "dataset")))

    def test_cache_delete_command(self):
        r = self.hf("cache", "delete", "--repo-id", DATASET, "--repo-type", "dataset", "-y")
        ds = short_size(self.repo(DATASET, "dataset")["size"])
        self.assertEqual(r.stdout.splitlines(), [
            f"About to delete 1 repo(s) and 0 revision(s) totalling {ds}.",
            f"  dataset/acme/tiny-dataset: (entire repo) {ds}",
            f"Deleted 1 repo(s) and 0 revision(s); freed {ds}."])
        self.assertFalse(os.path.lexists(self.repo_dir(DATASET, "dataset")))
        r = self.hf("cache", "delete", "--repo-id", "acme/nope", "-y", code=5)
        self.assertIn("Error: repository not found in the cache", r.stderr)
        r = self.hf("cache", "delete", "--repo-id", SPACE, "-y", code=5)  # it is a space, not a model
        self.assertTrue(os.path.isdir(self.repo_dir(SPACE, "space")))
        self.hf("cache", "delete", "-y", code=2)
        self.hf("cache", "delete", "--repo-id", TINY, "--repo-type", "bucket", "-y", code=2)
        self.assertTrue(os.path.isdir(self.repo_dir()))

    def test_rm_while_a_download_holds_a_lock(self):
        pr = PAIR.commit(TINY, "refs/pr/1")
        extra = PAIR.etag(TINY, "pr-1-extra.txt", "refs/pr/1")
        self.hold("models--acme--tiny", extra)
        blob = os.path.join(self.repo_dir(), "blobs", extra)
        # The whole repository: refused with exit 10, nothing deleted.
        before = tree_state(self.cache)
        for args in (["cache", "rm", "model/acme/tiny", "-y"],
                     ["cache", "delete", "--repo-id", TINY, "-y"],
                     ["cache", "rm", PAIR.commit(TINY), PAIR.commit(TINY, "v1.0"), pr, "-y"]):
            r = self.hf(*args, code=10)
            self.assertEqual(r.stderr.splitlines(), [
                "Error: a download of model 'acme/tiny' is running",
                "Hint: wait for the download to finish, then retry"], args)
            self.assertNotIn("Deleted", r.stdout)
        self.assertEqual(tree_state(self.cache), before)
        # One revision: it goes, but the blob being written stays (with a warning).
        r = self.hf("cache", "rm", pr, "-y")
        self.assertEqual(r.stdout.splitlines()[-1], "Deleted 0 repo(s) and 1 revision(s); freed 0.0.")
        self.assertEqual(r.stderr, "Warning: kept 1 blob(s) that a running download is writing\n")
        self.assertFalse(os.path.exists(os.path.join(self.repo_dir(), "snapshots", pr)))
        self.assertTrue(os.path.isfile(blob))
        # Other repositories are not affected.
        self.hf("cache", "rm", "dataset/acme/tiny-dataset", "-y")

    def test_rm_racing_a_real_download(self):
        # A slow CDN keeps `hf download` of model.safetensors running (holding its lock).
        shutil.rmtree(self.cache)
        self.hf("download", TINY, "config.json")
        sha = PAIR.sha256(TINY, "model.safetensors")
        PAIR.cdn.set_faults([{"match": sha, "method": "GET", "action": "slow",
                              "chunk": 65536, "interval": 0.2}])
        proc = harness.spawn_hf(self.sb, ["download", TINY, "model.safetensors"])
        blobs = os.path.join(self.repo_dir(), "blobs")
        partial = harness.wait_until(lambda: glob.glob(os.path.join(blobs, sha + ".*.incomplete")), 15)
        self.assertTrue(partial, "the download never started")
        r = self.hf("cache", "rm", "model/acme/tiny", "-y", code=10)
        self.assertIn("Error: a download of model 'acme/tiny' is running", r.stderr)
        r = self.hf("cache", "prune", "-y")
        self.assertTrue(os.path.exists(partial[0]) or proc.poll() is not None)
        r = harness.finish_hf(self.sb, proc, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        PAIR.cdn.set_faults([])
        harness.assert_repo_cached(self, PAIR, self.cache, TINY, ["config.json", "model.safetensors"])
        self.assertEqual(harness.find_temp_files(self.cache), [])
        # Finished: now it can go.
        self.hf("cache", "rm", "model/acme/tiny", "-y")
        self.assertFalse(os.path.lexists(self.repo_dir()))


# --------------------------------------------------------------------------
# Prune
# --------------------------------------------------------------------------

class PruneTest(CacheCase):
    """`hf cache prune`: detached revisions and leftovers of dead downloads."""

    copy_template = False

    def build(self):
        self.hf("download", TINY)
        v1 = PAIR.commit(TINY, "v1.0")
        self.hf("download", TINY, "--revision", v1)  # by hash: no ref points at it
        repo = self.repo_dir()
        self.assertEqual(sorted(os.listdir(os.path.join(repo, "refs"))), ["main"])
        blobs = os.path.join(repo, "blobs")
        dead = os.path.join(blobs, "a" * 64 + ".0badf00d.incomplete")
        with open(dead, "wb") as f:
            f.write(b"x" * 1500)
        with open(dead + ".resume", "w") as f:
            f.write("{}")
        old_style = os.path.join(blobs, "b" * 40 + ".incomplete")
        with open(old_style, "wb") as f:
            f.write(b"y" * 500)
        running = os.path.join(blobs, "c" * 64 + ".12345678.incomplete")
        with open(running, "wb") as f:
            f.write(b"z" * 1000)
        self.hold("models--acme--tiny", "c" * 64)
        return v1, dead, old_style, running

    def test_prune(self):
        v1, dead, old_style, running = self.build()
        repo = self.repo_dir()
        v1_only = PAIR.etag(TINY, "config.json", "v1.0")
        r = self.hf("cache", "ls")
        self.assertEqual(r.stderr, "Found 3 incomplete download(s) totalling 3.0K. "
                                   "Remove them with 'hf cache prune'.\n")
        self.assertIn("main\n", r.stdout)
        freed = PAIR.size(TINY, "config.json", "v1.0") + 1500 + 500
        before = tree_state(self.cache)
        r = self.hf("cache", "prune", "--dry-run")
        self.assertEqual(r.stdout, "About to delete 0 repo(s) and 1 revision(s) and incomplete downloads "
                                   f"({short_size(freed)} total).\n")
        self.assertEqual(tree_state(self.cache), before)
        r = self.hf("cache", "prune", code=2)
        self.assertIn("Error: refusing to delete without confirmation", r.stderr)
        self.assertEqual(tree_state(self.cache), before)
        r = self.hf("cache", "prune", "-y")
        self.assertEqual(r.stdout.splitlines(), [
            f"About to delete 0 repo(s) and 1 revision(s) and incomplete downloads ({short_size(freed)} total).",
            f"Deleted 0 repo(s) and 1 revision(s); freed {short_size(freed)}."])
        self.assertFalse(os.path.exists(os.path.join(repo, "snapshots", v1)))
        self.assertFalse(os.path.exists(os.path.join(repo, "blobs", v1_only)))
        self.assertFalse(os.path.exists(dead))
        self.assertFalse(os.path.exists(dead + ".resume"))
        self.assertFalse(os.path.exists(old_style))
        self.assertTrue(os.path.exists(running))  # its download still holds the lock
        harness.assert_repo_cached(self, PAIR, self.cache, TINY)
        self.hf("cache", "verify", TINY)
        r = self.hf("cache", "prune", "-y")
        self.assertEqual(r.stdout, "Nothing to prune.\n")
        self.assertTrue(os.path.exists(running))
        # Once the download is gone, its leftover goes too.
        for lock in self.locks:
            lock.release()
        r = self.hf("cache", "prune", "-y")
        self.assertEqual(r.stdout.splitlines()[-1], "Deleted 0 repo(s) and 0 revision(s); freed 1.0K.")
        self.assertFalse(os.path.exists(running))
        self.assertEqual(harness.find_temp_files(self.cache), [])

    def test_prune_on_a_terminal(self):
        v1, dead, old_style, running = self.build()
        before = tree_state(self.cache)
        res = self.sb.run_pty(["cache", "prune"], script=[(r"Proceed\? \[y/N\] ", "n\n")])
        self.assertEqual(res.returncode, 0, res.text)
        self.assertEqual(tree_state(self.cache), before)
        res = self.sb.run_pty(["cache", "prune"], script=[(r"Proceed\? \[y/N\] ", "y\n")])
        self.assertEqual(res.returncode, 0, res.text)
        self.assertIn("Deleted 0 repo(s) and 1 revision(s)", res.text)
        self.assertFalse(os.path.exists(os.path.join(self.repo_dir(), "snapshots", v1)))
        self.assertFalse(os.path.exists(dead))

    def test_prune_whole_detached_repo(self):
        commit = PAIR.commit(DATASET, repo_type="dataset")
        self.hf("download", DATASET, "--repo-type", "dataset", "--revision", commit)
        self.hf("download", SPACE, "--repo-type", "space")
        r = self.hf("cache", "prune", "-y")
        self.assertEqual(r.stdout.splitlines()[-1],
                         f"Deleted 1 repo(s) and 0 revision(s); freed "
                         f"{short_size(sum(rev_blobs(DATASET, 'main', 'dataset').values()))}.")
        self.assertFalse(os.path.lexists(self.repo_dir(DATASET, "dataset")))
        self.assertTrue(os.path.isdir(self.repo_dir(SPACE, "space")))


# --------------------------------------------------------------------------
# Verify
# --------------------------------------------------------------------------

def flip_byte(path, offset=100):
    """Flip one byte of a blob in place (same size, other content); returns the new bytes."""
    os.chmod(path, 0o644)
    with open(path, "r+b") as f:
        data = bytearray(f.read())
        data[offset % len(data)] ^= 0x01
        f.seek(0)
        f.write(data)
    return bytes(data)


class VerifyTest(CacheCase):
    """`hf cache verify`: against the Hub's tree, offline against the blob names."""

    def test_clean(self):
        for rev, n in (("main", 6), ("v1.0", 6), ("refs/pr/1", 7)):
            args = ["cache", "verify", TINY] + (["--revision", rev] if rev != "main" else [])
            r = self.hf(*args)
            self.assertEqual(r.stdout, f"Verified {n} file(s) for model 'acme/tiny'. All checksums match.\n")
            self.assertEqual(r.stderr, "")
        r = self.hf("cache", "verify", DATASET, "--repo-type", "dataset")
        self.assertEqual(r.stdout, "Verified 2 file(s) for dataset 'acme/tiny-dataset'. All checksums match.\n")
        r = self.hf("cache", "verify", LLAMA, env={"HF_TOKEN": harness.READ_TOKEN})
        # Only config.json is cached: the other files are missing (a warning, not a failure).
        self.assertEqual(r.stdout, "Verified 1 file(s) for model 'meta-llama/Llama-3.2-1B'. "
                                   "All checksums match.\n")
        self.assertIn("Warning: model.safetensors: missing", r.stderr)
        self.hf("cache", "verify", LLAMA, "--fail-on-missing-files", env={"HF_TOKEN": harness.READ_TOKEN},
                code=8)
        r = self.hf("cache", "verify", "acme/many-files", code=5)
        self.assertIn("Error: ", r.stderr)

    def flip(self):
        st = PAIR.etag(TINY, "model.safetensors")
        cfg = PAIR.etag(TINY, "config.json")
        bad_st = flip_byte(os.path.join(self.repo_dir(), "blobs", st))
        bad_cfg = flip_byte(os.path.join(self.repo_dir(), "blobs", cfg), 3)
        return [f"Error: config.json: hash mismatch: expected git-sha1 {cfg}, got {git_sha1(bad_cfg)}",
                f"Error: model.safetensors: hash mismatch: expected sha256 {st}, "
                f"got {hashlib.sha256(bad_st).hexdigest()}"]

    def test_flipped_bytes(self):
        want = self.flip()
        r = self.hf("cache", "verify", TINY, code=8)
        self.assertEqual(r.stdout, "")
        lines = r.stderr.splitlines()
        self.assertEqual(sorted(lines[:2]), want)
        self.assertEqual(lines[2:], ["Error: verification failed",
                                     "Hint: re-download the damaged files with 'hf download --force-download'"])
        # v1.0 has its own config.json but shares model.safetensors.
        r = self.hf("cache", "verify", TINY, "--revision", "v1.0", code=8)
        self.assertIn(want[1], r.stderr)
        self.assertNotIn("config.json", r.stderr)
        # A forced download repairs it.
        self.hf("download", TINY, "--force-download")
        self.hf("cache", "verify", TINY)

    def test_offline(self):
        want = self.flip()
        self.pair.reset()
        env = {"HF_HUB_OFFLINE": "1"}
        r = self.hf("cache", "verify", TINY, env=env, code=8)
        self.assertEqual(sorted(r.stderr.splitlines()[:2]), want)
        # Without the cached tree listing: against the blob names alone.
        shutil.rmtree(os.path.join(self.repo_dir(), "trees"))
        r = self.hf("cache", "verify", TINY, env=env, code=8)
        self.assertEqual(sorted(r.stderr.splitlines()[:2]), want)
        r = self.hf("cache", "verify", TINY, "--revision", "refs/pr/1", env=env, code=8)
        self.assertIn(want[1], r.stderr)
        r = self.hf("cache", "verify", DATASET, "--repo-type", "dataset", env=env)
        self.assertEqual(r.stdout, "Verified 2 file(s) for dataset 'acme/tiny-dataset'. All checksums match.\n")
        self.assertEqual(self.hub_requests(), [])

    def test_local_dir(self):
        local = os.path.join(self.sb.root, "local")
        self.hf("download", TINY, "--local-dir", local)
        r = self.hf("cache", "verify", TINY, "--local-dir", local)
        self.assertEqual(r.stdout, "Verified 6 file(s) for model 'acme/tiny'. All checksums match.\n")
        with open(os.path.join(local, "extra.txt"), "w") as f:
            f.write("mine\n")
        r = self.hf("cache", "verify", TINY, "--local-dir", local)
        self.assertEqual(r.stderr, "Warning: extra.txt: not in the repository\n")
        r = self.hf("cache", "verify", TINY, "--local-dir", local, "--fail-on-extra-files", code=8)
        os.unlink(os.path.join(local, "extra.txt"))
        os.unlink(os.path.join(local, "weird name+1.txt"))
        r = self.hf("cache", "verify", TINY, "--local-dir", local)
        self.assertEqual(r.stderr, "Warning: weird name+1.txt: missing\n")
        self.hf("cache", "verify", TINY, "--local-dir", local, "--fail-on-missing-files", code=8)
        data = flip_byte(os.path.join(local, "onnx", "model.onnx"))
        r = self.hf("cache", "verify", TINY, "--local-dir", local, code=8)
        self.assertIn(f"Error: onnx/model.onnx: hash mismatch: expected sha256 "
                      f"{PAIR.sha256(TINY, 'onnx/model.onnx')}, got {hashlib.sha256(data).hexdigest()}",
                      r.stderr)
        r = self.hf("cache", "verify", TINY, "--local-dir", local, "--cache-dir", self.cache, code=2)
        self.assertIn("--cache-dir and --local-dir cannot be used together", r.stderr)


# --------------------------------------------------------------------------
# A cache written by the JavaScript client
# --------------------------------------------------------------------------

class JsClientCacheTest(CacheCase):
    """A cache written by @huggingface/hub (tests/integration/js) is read, verified and deleted."""

    copy_template = False

    def test_js_written_cache(self):
        node = shutil.which("node")
        client = os.path.join(JS_DIR, "node_modules", "@huggingface", "hub", "package.json")
        if not node:
            self.skipTest("node is not installed")
        if not os.path.isfile(client):
            self.skipTest("@huggingface/hub is not installed in tests/integration/js "
                          "(run `npm ci` there to enable this test)")
        os.makedirs(self.cache, exist_ok=True)
        p = subprocess.run([node, os.path.join(JS_DIR, "download.mjs"), PAIR.url, self.cache, TINY],
                           capture_output=True, text=True, timeout=120, cwd=JS_DIR)
        self.assertEqual(p.returncode, 0, p.stderr)
        tiny = self.repo(TINY)
        main = rev_blobs(TINY)
        r = self.hf("cache", "ls", "--revisions")
        self.assertIn(f"model/acme/tiny  {PAIR.commit(TINY)}  {short_size(sum(main.values())):>8}",
                      r.stdout)
        r = self.hf("cache", "ls", "--format", "json")
        data = json.loads(r.stdout)
        self.assertEqual([(d["id"], d["size_on_disk"], d["refs"]) for d in data],
                         [(tiny["cache_id"], sum(main.values()), "main")])
        r = self.hf("cache", "verify", TINY)
        self.assertEqual(r.stdout, "Verified 6 file(s) for model 'acme/tiny'. All checksums match.\n")
        self.hf("cache", "rm", "model/acme/tiny", "-y")
        self.assertFalse(os.path.lexists(self.repo_dir()))


# --------------------------------------------------------------------------
# A big cache
# --------------------------------------------------------------------------

class ScaleTest(CacheCase):
    """1,000 repositories of 10 files: listed completely and quickly (the full
    10,000-repo benchmark is bench/cache_scan.sh)."""

    copy_template = False

    def test_thousand_repos(self):
        # On tmpfs when there is one: creating 20,000 inodes on some disks takes longer than the test.
        shm = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
        cache = tempfile.mkdtemp(prefix="hf-cache-scale-", dir=shm)
        self.addCleanup(shutil.rmtree, cache, True)
        for i in range(1000):
            root = os.path.join(cache, f"models--org{i % 10}--repo-{i:04d}")
            commit = f"{i:040x}"
            os.makedirs(os.path.join(root, "blobs"))
            os.makedirs(os.path.join(root, "snapshots", commit, "sub"))
            os.makedirs(os.path.join(root, "refs"))
            with open(os.path.join(root, "refs", "main"), "w") as f:
                f.write(commit)
            for j in range(10):
                name = f"{i:020x}{j:020x}"
                with open(os.path.join(root, "blobs", name), "wb") as f:
                    f.write(b"x" * (j + 1))
                rel = f"sub/f{j}.bin" if j % 2 else f"f{j}.bin"
                os.symlink(harness.snapshot_link_target(rel, name),
                           os.path.join(root, "snapshots", commit, rel))
        t0 = time.monotonic()
        r = self.hf("cache", "ls", env={"HF_HUB_CACHE": cache})
        elapsed = time.monotonic() - t0
        lines = r.stdout.splitlines()
        self.assertEqual(len(lines), 1 + 1000 + 2)
        self.assertTrue(lines[1].startswith("model/org0/repo-0000  "), lines[1])
        self.assertEqual(lines[-1], "Found 1000 repo(s) for a total of 1000 revision(s) and 55.0K on disk.")
        if not harness.SANITIZE:
            self.assertLess(elapsed, 3.0, "listing 1,000 repositories / 10,000 files took too long")


if __name__ == "__main__":
    unittest.main()

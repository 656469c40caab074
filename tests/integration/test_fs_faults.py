#!/usr/bin/env python3
"""`hf download` and the cache commands when the file system misbehaves
(shared/docs/reliability.md (b) 48-50, 53-56, 62).

Faults come from the faultfs LD_PRELOAD shim (tests/shims/faultfs.c, built
by CMake, path in $FAULTFS_SO): a chosen call (open, write, fsync, close,
symlink, flock, ...) on a path matching a substring fails with a chosen
errno. Where root may mount, a real tmpfs that fills up and a read-only
remount are used as well. Whatever happens, every blob in the cache hashes
to its name, nothing half-written is published, refs hold a whole commit,
no temporary file is left behind, the cache commands still read the cache
and no token appears in any output.

    cd tests/integration && HF_BIN=/path/to/hf FAULTFS_SO=/path/to/faultfs.so \\
        python3 -m unittest -v test_fs_faults
"""

import hashlib
import json
import os
import re
import stat
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

TINY = "acme/tiny"
BIG = "acme/big"
DATASET = "acme/tiny-dataset"
MODEL = "model.safetensors"
CONFIG = "config.json"
MiB = 1 << 20
NOBODY = 65534  # uid and gid of nobody/nogroup on Debian

EXIT_DISK = 9        # docs/EXIT-CODES.md: cannot read or write, no space left
EXIT_INTEGRITY = 8   # size or hash mismatch (hf cache verify)
EXIT_OFFLINE = 11    # offline and not cached



# --------------------------------------------------------------------------
# The shim and privileged helpers
# --------------------------------------------------------------------------

def shim_path(testcase):
    """The faultfs shim ($FAULTFS_SO, else <dir of hf>/tests/faultfs.so)."""
    path = os.environ.get("FAULTFS_SO")
    if path:
        if not os.path.isfile(path):
            testcase.fail(f"FAULTFS_SO={path} does not exist (build the faultfs target)")
        return path
    path = os.path.join(os.path.dirname(harness.hf_bin(testcase)), "tests", "faultfs.so")
    if not os.path.isfile(path):
        testcase.skipTest("faultfs shim not built: build the faultfs target or set FAULTFS_SO")
    return path


def need_root(testcase, what):
    if os.geteuid() != 0:
        testcase.skipTest(f"{what} needs root")


def mount(testcase, args, what):
    """Run mount ARGS; skip the test with the reason when it is not permitted."""
    need_root(testcase, what)
    r = subprocess.run(["mount", *args], capture_output=True, text=True)
    if r.returncode != 0:
        testcase.skipTest(f"{what}: 'mount {' '.join(args)}' is not permitted here "
                          f"({r.stderr.strip() or r.returncode})")


def mount_tmpfs(testcase, path, options):
    """A fresh tmpfs at path (created), unmounted when the test ends."""
    os.makedirs(path, exist_ok=True)
    mount(testcase, ["-t", "tmpfs", "-o", options, "hf-test-tmpfs", path], "a tmpfs cache")

    def unmount():
        if subprocess.run(["umount", path], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", path], capture_output=True)

    testcase.addCleanup(unmount)  # runs before the sandbox is removed (LIFO)


def remount(testcase, path, options):
    r = subprocess.run(["mount", "-o", "remount," + options, path], capture_output=True,
                       text=True)
    testcase.assertEqual(r.returncode, 0, f"remount {options}: {r.stderr}")


def tree_state(root):
    """Everything a write would change under root (links not followed):
    {relative path: (type and mode, size, mtime ns, ctime ns, link target)}."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in [""] + dirnames + filenames:
            p = os.path.join(dirpath, name) if name else dirpath
            st = os.lstat(p)
            target = os.readlink(p) if stat.S_ISLNK(st.st_mode) else None
            state[os.path.relpath(p, root)] = (st.st_mode, st.st_size, st.st_mtime_ns,
                                               st.st_ctime_ns, target)
    return state


def repo_of_folder(folder):
    """("model", "acme/tiny") for models--acme--tiny."""
    kind, _, rest = folder.partition("--")
    return kind[:-1], rest.replace("--", "/")


# --------------------------------------------------------------------------
# Base class: running hf, injecting faults, checking the cache
# --------------------------------------------------------------------------

class FsCase(harness.HubPairCase):
    """Every run carries a token (it must never show); the cache is checked
    by assert_cache_sane() at the points each test chooses."""

    def setUp(self):
        super().setUp()
        self.base_env = {"HF_TOKEN": harness.READ_TOKEN}
        self.faults = 0

    # -- running hf --------------------------------------------------------
    def run_hf(self, args, env=None, user=None, umask=None, timeout=60, prog=None):
        """hf ARGS in the sandbox (optionally as another uid, or under a
        umask); fails on a token in the output or a sanitizer report."""
        env = {**self.base_env, **(env or {})}
        if user is None and umask is None:
            r = self.sb.run(args, env=env, timeout=timeout, prog=prog)
        else:
            exe, argv = self.sb._argv(args, prog)
            kw = {"umask": umask} if umask is not None else {}
            if user is not None:
                kw.update(user=user, group=user, extra_groups=[])
            try:
                p = subprocess.run(argv, executable=exe, env=self.sb.env(env),
                                   stdin=subprocess.DEVNULL, capture_output=True,
                                   timeout=timeout, cwd=self.sb.root, **kw)
            except subprocess.TimeoutExpired:
                self.fail(f"hf {args} timed out after {timeout}s")
            r = subprocess.CompletedProcess(argv, p.returncode, p.stdout.decode("utf-8", "replace"),
                                            p.stderr.decode("utf-8", "replace"))
            self.sb.check_sanitizer(r.returncode, r.stderr, f"hf {args}")
        for t in harness.DEFAULT_TOKENS:
            harness.assert_no_token(self, t, r)
        return r

    def download(self, *args, env=None, **kw):
        return self.run_hf(["download", *args, "-q"], env=env, **kw)

    # -- faults --------------------------------------------------------------
    def fault_env(self, op, substr, err="ENOSPC", **more):
        """Environment that loads the shim: op on paths containing substr
        fails with err. more: after_bytes=, skip=, times=. The log of the
        faults injected is at env["FAULTFS_LOG"]."""
        self.faults += 1
        env = {"LD_PRELOAD": shim_path(self), "FAULTFS_OP": op, "FAULTFS_PATH_SUBSTR": substr,
               "FAULTFS_ERRNO": err,
               "FAULTFS_LOG": os.path.join(self.sb.root, f"faults-{self.faults}.log")}
        for k, v in more.items():
            env["FAULTFS_" + k.upper()] = str(v)
        if harness.SANITIZE:  # ASan wants to come first; the shim does not interpose on it
            env["ASAN_OPTIONS"] = self.sb.env().get("ASAN_OPTIONS", "") + \
                ":verify_asan_link_order=0"
        return env

    def assert_fired(self, env, op=None):
        """The shim really injected a fault (else the test proved nothing)."""
        try:
            with open(env["FAULTFS_LOG"]) as f:
                lines = f.read().splitlines()
        except FileNotFoundError:
            lines = []
        self.assertTrue(lines, f"the fault {env['FAULTFS_OP']} on "
                               f"{env['FAULTFS_PATH_SUBSTR']!r} never fired")
        if op:
            self.assertTrue(any(line.split(" ", 1)[0] == op for line in lines), lines)
        return lines

    # -- expectations --------------------------------------------------------
    def assert_error(self, r, code, *needles):
        """Exit `code`, nothing on stdout, exactly one "Error:" line (an
        optional "Hint:" line after it) holding every needle."""
        self.assertEqual(r.returncode, code, f"exit {r.returncode}\n{r.stdout}\n{r.stderr}")
        self.assertEqual(r.stdout, "")
        lines = [line for line in r.stderr.splitlines() if line.strip()]
        errors = [line for line in lines if line.startswith("Error: ")]
        self.assertEqual(len(errors), 1, r.stderr)
        self.assertEqual(lines[0], errors[0], r.stderr)
        self.assertTrue(all(line.startswith(("Error: ", "Hint: ")) for line in lines), r.stderr)
        for n in needles:
            self.assertIn(n, errors[0])
        return errors[0]

    def assert_path(self, r, repo_id, path, revision="main", cache=None):
        """Exit 0 and the snapshot path of the file printed, holding the right bytes."""
        self.assertEqual(r.returncode, 0, r.stderr)
        cp = self.pair.cache_paths(cache or self.cache, repo_id, path, revision)
        self.assertEqual(r.stdout.strip(), cp["snapshot"])
        with open(cp["snapshot"], "rb") as f:
            self.assertEqual(f.read(), self.pair.file_bytes(repo_id, path, revision))

    def assert_nothing_published(self, repo_id, path, cache=None):
        cp = self.pair.cache_paths(cache or self.cache, repo_id, path)
        self.assertFalse(os.path.lexists(cp["blob"]), "blob published")
        self.assertFalse(os.path.lexists(cp["snapshot"]), "snapshot link published")

    def resumable_leftovers(self, cache):
        """The *.incomplete files left in cache, each checked to be a partial
        download a later run may resume: a .resume beside it naming the
        etag, and the recorded prefix holding exactly the file's bytes."""
        partials = []
        for p in harness.find_temp_files(cache):
            name = os.path.basename(p)
            m = re.fullmatch(r"([0-9a-f]{64}|[0-9a-f]{40})\.[0-9a-f]{8}\.incomplete(\.resume)?",
                             name)
            self.assertTrue(m, f"unexpected temporary file {p}")
            if m.group(2):
                self.assertTrue(os.path.exists(p[:-len(".resume")]), f"orphan {p}")
                continue
            with open(p + ".resume") as f:
                lines = f.read().split("\n")
            self.assertEqual(lines[0], "hf-resume 1", p)
            self.assertEqual(lines[1], m.group(1), p)
            size, off = int(lines[2]), int(lines[3])
            repo = os.path.basename(os.path.dirname(os.path.dirname(p)))
            _, repo_id = repo_of_folder(repo)
            want = next(self.pair.file_bytes(repo_id, f) for f in self.pair.files(repo_id)
                        if self.pair.etag(repo_id, f) == m.group(1))
            self.assertEqual(size, len(want))
            with open(p, "rb") as f:
                self.assertEqual(f.read(off), want[:off], f"{p}: recorded prefix is wrong")
            partials.append(p)
        return partials

    def assert_cache_sane(self, cache=None, resumable=False):
        """The invariants every fault must leave intact: blobs hash to their
        names, no temporary files (resumable=True: only resumable partials),
        every snapshot link reaches a blob, every ref holds a whole commit,
        and hf cache ls / hf cache verify still read the cache."""
        cache = cache or self.cache
        self.assertEqual(harness.bad_blobs(cache), [])
        if resumable:
            self.resumable_leftovers(cache)
        else:
            self.assertEqual(harness.find_temp_files(cache), [])
        if not os.path.isdir(cache):
            return
        env = {"HF_HUB_CACHE": cache, "HF_HUB_OFFLINE": "1"}
        r = self.run_hf(["cache", "ls", "--revisions"], env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        for folder in sorted(os.listdir(cache)):
            repo = os.path.join(cache, folder)
            if folder.startswith(".") or not os.path.isdir(repo):
                continue
            for dirpath, _, files in os.walk(os.path.join(repo, "snapshots")):
                for name in files:
                    p = os.path.join(dirpath, name)
                    self.assertTrue(os.path.isfile(p), f"dangling snapshot entry {p}")
            refs = os.path.join(repo, "refs")
            for dirpath, _, files in os.walk(refs):
                for name in files:
                    with open(os.path.join(dirpath, name), "rb") as f:
                        data = f.read()
                    self.assertTrue(re.fullmatch(rb"[0-9a-f]{40}", data),
                                    f"{dirpath}/{name} holds {data!r}")
            main = os.path.join(refs, "main")
            if not os.path.isfile(main):
                continue
            kind, repo_id = repo_of_folder(folder)
            with open(main) as f:
                commit = f.read()
            r = self.run_hf(["cache", "verify", repo_id, "--repo-type", kind], env=env)
            if os.path.isdir(os.path.join(repo, "snapshots", commit)):
                self.assertEqual(r.returncode, 0, r.stderr)
            else:  # the ref was written, no file made it: "not in the cache", clearly
                self.assert_error(r, 5, "not in the cache")


# --------------------------------------------------------------------------
# (b) 48, 49: no space, over quota, I/O errors
# --------------------------------------------------------------------------

class DiskFaultTest(FsCase):
    """Each fault: the documented exit code (9), one clear line, nothing
    half-published, the cache intact; the same command then succeeds."""

    def fail_then_recover(self, args, env, needle, repo_id=TINY, path=CONFIG, op=None):
        r = self.download(*args, env=env)
        self.assert_fired(env, op)
        self.assert_error(r, EXIT_DISK, needle)
        self.assert_nothing_published(repo_id, path)
        self.assert_cache_sane()
        r = self.download(*args)
        if len(args) == 2:
            self.assert_path(r, repo_id, path)
        else:
            self.assertEqual(r.returncode, 0, r.stderr)
        harness.assert_repo_cached(self, self.pair, self.cache, repo_id,
                                   None if len(args) == 1 else [path])
        self.assert_cache_sane()
        return r

    def test_enospc_creating_the_temporary_file(self):
        env = self.fault_env("open", ".incomplete")
        self.fail_then_recover([TINY, CONFIG], env, "No space left on device", op="open")

    def test_enospc_mid_write(self):
        # 300 kB of the 1 MiB file reach the disk, then the disk is full.
        env = self.fault_env("write", ".incomplete", after_bytes=300000)
        self.fail_then_recover([TINY, MODEL], env, "No space left on device", path=MODEL,
                               op="write")

    def test_enospc_mid_write_whole_repo(self):
        # Eight workers; the disk fills during the big files. The small ones
        # that made it are whole and linked; the rest is not there at all.
        env = self.fault_env("write", ".incomplete", after_bytes=400000)
        r = self.download(TINY, env=env)
        self.assert_fired(env, "write")
        self.assert_error(r, EXIT_DISK, "No space left on device")
        self.assert_nothing_published(TINY, MODEL)
        for path in self.pair.files(TINY):
            cp = self.pair.cache_paths(self.cache, TINY, path)
            if os.path.lexists(cp["snapshot"]):
                harness.assert_repo_cached(self, self.pair, self.cache, TINY, [path])
        self.assert_cache_sane()
        self.assertEqual(self.download(TINY).returncode, 0)
        harness.assert_repo_cached(self, self.pair, self.cache, TINY)
        self.assert_cache_sane()

    def test_enospc_mid_write_ranged_big_file(self):
        # acme/big (64 MiB) takes the large-file path: several threads, and
        # resume points recorded as the hash advances. At most a resumable
        # partial may stay (its recorded prefix checked byte for byte); the
        # next run goes on from there.
        env = self.fault_env("write", ".incomplete", after_bytes=20 * MiB)
        r = self.download(BIG, env=env, timeout=120)
        self.assert_fired(env, "write")
        self.assert_error(r, EXIT_DISK, "No space left on device")
        self.assert_nothing_published(BIG, MODEL)
        self.assert_cache_sane(resumable=True)
        offsets = []
        for p in self.resumable_leftovers(self.cache):  # old enough to be adopted
            old = time.time() - 10
            os.utime(p, (old, old))
            with open(p + ".resume") as f:
                offsets.append(int(f.read().split("\n")[3]))
        self.pair.reset()
        r = self.download(BIG, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        harness.assert_repo_cached(self, self.pair, self.cache, BIG)
        if offsets:  # it went on from the recorded point, not from 0
            gets = harness.cdn_blob_gets(self.pair.cdn)[self.pair.sha256(BIG, MODEL)]
            starts = [int(re.match(r"bytes=(\d+)-", g or "bytes=0-").group(1)) for g in gets]
            self.assertEqual(min(starts), max(offsets), gets)
        self.assert_cache_sane()

    def test_enospc_at_fsync(self):
        env = self.fault_env("fsync", ".incomplete")
        self.fail_then_recover([TINY, CONFIG], env, "No space left on device", op="fsync")

    def test_edquot_and_eio_on_write_and_fsync(self):
        for err, text in (("EDQUOT", "Disk quota exceeded"), ("EIO", "Input/output error")):
            for op in ("write", "fsync"):
                with self.subTest(errno=err, op=op):
                    self.pair.reset()
                    self.sb = harness.Sandbox(self, hub=self.pair)
                    self.cache = self.sb.hub_cache
                    env = self.fault_env(op, ".incomplete", err)
                    self.fail_then_recover([TINY, MODEL], env, text, path=MODEL, op=op)

    def test_edquot_and_eio_on_close(self):
        for err, text in (("EDQUOT", "Disk quota exceeded"), ("EIO", "Input/output error")):
            with self.subTest(errno=err):
                self.pair.reset()
                self.sb = harness.Sandbox(self, hub=self.pair)
                self.cache = self.sb.hub_cache
                env = self.fault_env("close", ".incomplete", err)
                self.fail_then_recover([TINY, CONFIG], env, text, op="close")

    def test_enospc_creating_the_lock(self):
        # The lock only saves duplicate work (reliability.md 6.3; the same
        # choice as for ENOLCK): without it the download still publishes
        # correctly, through a unique temporary and a no-replace rename.
        env = self.fault_env("open", ".lock")
        r = self.download(TINY, CONFIG, env=env)
        self.assert_fired(env, "open")
        self.assert_path(r, TINY, CONFIG)
        harness.assert_repo_cached(self, self.pair, self.cache, TINY, [CONFIG])
        self.assertFalse(os.listdir(os.path.join(self.cache, ".locks", "models--acme--tiny")))
        self.assert_cache_sane()

    def test_enospc_creating_the_snapshot_link(self):
        env = self.fault_env("symlink", "/snapshots/")
        r = self.download(TINY, CONFIG, env=env)
        self.assert_fired(env, "symlink")
        self.assert_error(r, EXIT_DISK, "No space left on device", CONFIG)
        cp = self.pair.cache_paths(self.cache, TINY, CONFIG)
        self.assertFalse(os.path.lexists(cp["snapshot"]))
        self.assert_cache_sane()  # the blob itself is whole: it may stay
        self.pair.reset()
        self.assert_path(self.download(TINY, CONFIG), TINY, CONFIG)
        # The blob already there was reused, not fetched again.
        self.assertEqual(self.pair.hub.requests(r"^/api/resolve-cache/", "GET"), [])
        self.assert_cache_sane()

    def test_enospc_writing_refs(self):
        # refs/main already names an older commit (v1.0, cached). Writing
        # the new one fails: the file is fetched and returned (a ref update
        # is best effort, hub-protocol.md 5.1 step 4), and refs/main still
        # holds a whole commit, never an empty or cut file.
        old = self.pair.commit(TINY, "v1.0")
        self.assertEqual(self.download(TINY, CONFIG, "--revision", "v1.0").returncode, 0)
        refs = os.path.join(self.cache, "models--acme--tiny", "refs")
        with open(os.path.join(refs, "main"), "w") as f:
            f.write(old)
        for op in ("open", "write", "fsync", "close", "rename"):
            with self.subTest(op=op):
                env = self.fault_env(op, "/refs/main")
                r = self.download(TINY, "README.md", env=env)
                self.assert_fired(env, op)
                if r.returncode == 0:
                    self.assert_path(r, TINY, "README.md")
                else:
                    self.assert_error(r, EXIT_DISK)
                with open(os.path.join(refs, "main")) as f:
                    self.assertEqual(f.read(), old)
                self.assertEqual(sorted(os.listdir(refs)), ["main", "v1.0"])
                self.assert_cache_sane()
        self.assert_path(self.download(TINY, "README.md"), TINY, "README.md")
        with open(os.path.join(refs, "main")) as f:
            self.assertEqual(f.read(), self.pair.commit(TINY))


class TmpfsTest(FsCase):
    """A real small tmpfs as HF_HUB_CACHE: it runs out of blocks or inodes."""

    def setUp(self):
        super().setUp()
        self.mnt = os.path.join(self.sb.root, "tmpfs")
        mount_tmpfs(self, self.mnt, "size=512k,mode=0755")
        self.cache = os.path.join(self.mnt, "hub")
        self.base_env["HF_HUB_CACHE"] = self.cache

    def test_tmpfs_too_small_for_the_repo(self):
        r = self.download(TINY)
        self.assert_error(r, EXIT_DISK, "No space left on device")
        self.assert_nothing_published(TINY, MODEL, self.cache)
        self.assert_cache_sane()
        remount(self, self.mnt, "size=4m")
        r = self.download(TINY)
        self.assertEqual(r.returncode, 0, r.stderr)
        harness.assert_repo_cached(self, self.pair, self.cache, TINY)
        self.assert_cache_sane()

    def test_tmpfs_without_free_inodes_or_blocks(self):
        remount(self, self.mnt, "size=4m")
        old = self.pair.commit(TINY, "v1.0")
        self.assertEqual(self.download(TINY, CONFIG, "--revision", "v1.0").returncode, 0)
        refs = os.path.join(self.cache, "models--acme--tiny", "refs")
        with open(os.path.join(refs, "main"), "w") as f:
            f.write(old)
        st = os.statvfs(self.mnt)
        used_inodes = st.f_files - st.f_ffree
        used_bytes = (st.f_blocks - st.f_bfree) * st.f_frsize
        for what, opts in (("inodes", f"nr_inodes={used_inodes}"),
                           ("blocks", f"nr_inodes={used_inodes + 100},size={used_bytes}")):
            with self.subTest(full=what):
                remount(self, self.mnt, opts)
                r = self.download(TINY, "README.md")
                self.assert_error(r, EXIT_DISK, "No space left on device")
                self.assert_nothing_published(TINY, "README.md", self.cache)
                with open(os.path.join(refs, "main")) as f:
                    self.assertEqual(f.read(), old)  # never emptied
                self.assert_cache_sane()
        remount(self, self.mnt, f"nr_inodes={used_inodes + 100},size=4m")
        self.assert_path(self.download(TINY, "README.md"), TINY, "README.md", cache=self.cache)
        self.assert_cache_sane()


# --------------------------------------------------------------------------
# (b) 50: read-only caches
# --------------------------------------------------------------------------

class ReadOnlyCacheTest(FsCase):
    """Hits return the path and write nothing; misses fail clearly; when
    main moved on the Hub the old file is never returned as current.

    Choice (as the official client, hub-protocol.md 3.8): online, the Hub's
    answer decides, so a moved ref needs the new file and fails on a
    read-only cache with exit 9; offline, refs/main is all there is to go
    by, and its snapshot is returned."""

    def fill(self):
        """main complete, v1.0's config.json, refs/main naming main."""
        self.assertEqual(self.download(TINY).returncode, 0)
        self.assertEqual(self.download(TINY, CONFIG, "--revision", "v1.0").returncode, 0)
        self.snap = os.path.join(self.cache, "models--acme--tiny", "snapshots",
                                 self.pair.commit(TINY))

    def hits(self, **kw):
        """Every kind of hit: offline and online, one file and the repo."""
        before = tree_state(self.cache)
        for args, env, out in (([TINY, CONFIG], {"HF_HUB_OFFLINE": "1"}, "file"),
                               ([TINY, CONFIG], {}, "file"),
                               ([TINY], {"HF_HUB_OFFLINE": "1"}, "snap"),
                               ([TINY], {}, "snap"),
                               ([TINY, "--include", "*.json"], {}, "snap")):
            with self.subTest(args=args, env=env, **kw):
                r = self.download(*args, env=env, **kw)
                if out == "file":
                    self.assert_path(r, TINY, CONFIG)
                else:
                    self.assertEqual(r.returncode, 0, r.stderr)
                    self.assertEqual(r.stdout.strip(), self.snap)
                self.assertEqual(tree_state(self.cache), before, "a cache hit wrote")

    def misses_and_moved_ref(self, reason, **kw):
        before = tree_state(self.cache)
        # Not cached at all; cached blob but no snapshot entry for v1.0.
        for args in ([DATASET, "--repo-type", "dataset"], [TINY, "tokenizer.json", "--revision",
                                                            "v1.0"]):
            with self.subTest(args=args, **kw):
                self.assert_error(self.download(*args, **kw), EXIT_DISK, reason)
        self.assertEqual(tree_state(self.cache), before)
        # main moved on: the cache has main at v1.0, the Hub has a newer
        # commit the cache does not hold (its blobs are still there).
        old = self.pair.commit(TINY, "v1.0")
        self.rewind_main(old)
        before = tree_state(self.cache)
        for args in ([TINY, CONFIG], [TINY], [TINY, "README.md"]):
            with self.subTest(args=args, **kw):
                r = self.download(*args, **kw)
                self.assert_error(r, EXIT_DISK, reason)  # and nothing on stdout
                self.assertNotIn(os.path.join("snapshots", old), r.stderr)
        # Offline, the cached refs/main is the only truth there is.
        r = self.download(TINY, CONFIG, env={"HF_HUB_OFFLINE": "1"}, **kw)
        self.assert_path(r, TINY, CONFIG, revision="v1.0")
        self.assertEqual(tree_state(self.cache), before)

    def rewind_main(self, old):
        """refs/main := old, and main's own snapshot gone (as root, which
        ignores modes; a read-only mount is made writable meanwhile)."""
        repo = os.path.join(self.cache, "models--acme--tiny")
        if self.remounted:
            remount(self, self.mnt, "rw")
        with open(os.path.join(repo, "refs", "main"), "w") as f:
            f.write(old)
        subprocess.run(["rm", "-rf", os.path.join(repo, "snapshots", self.pair.commit(TINY))],
                       check=True)
        if self.remounted:
            remount(self, self.mnt, "ro")

    remounted = False

    def test_hits_write_nothing_on_a_writable_cache(self):
        self.fill()
        self.hits()
        self.assert_cache_sane()

    def test_mode_read_only_cache_as_a_user(self):
        # Root ignores modes: the cache belongs to nobody, who runs hf, and
        # nothing in it is writable (EACCES).
        need_root(self, "running hf as user nobody")
        self.fill()
        os.chmod(self.sb.root, 0o755)
        probe = self.run_hf(["version"], user=NOBODY)
        if probe.returncode != 0:
            self.skipTest(f"user nobody cannot run {harness.hf_bin(self)}: {probe.stderr}")
        for dirpath, dirnames, filenames in os.walk(self.cache):
            for name in [dirpath] + [os.path.join(dirpath, n) for n in filenames + dirnames]:
                os.lchown(name, NOBODY, NOBODY)
        for dirpath, dirnames, filenames in os.walk(self.cache, topdown=False):
            for name in filenames + dirnames:
                p = os.path.join(dirpath, name)
                if not os.path.islink(p):
                    os.chmod(p, stat.S_IMODE(os.lstat(p).st_mode) & ~0o222)
        os.chmod(self.cache, 0o555)
        self.hits(user=NOBODY)
        self.misses_and_moved_ref("Permission denied", user=NOBODY)
        self.assert_cache_sane()

    def test_read_only_mount(self):
        self.mnt = os.path.join(self.sb.root, "ro")
        mount_tmpfs(self, self.mnt, "size=8m,mode=0755")
        self.cache = os.path.join(self.mnt, "hub")
        self.base_env["HF_HUB_CACHE"] = self.cache
        self.fill()
        remount(self, self.mnt, "ro")
        self.remounted = True
        self.hits()
        self.misses_and_moved_ref("Read-only file system")
        self.assert_cache_sane()


# --------------------------------------------------------------------------
# (b) 53: damaged blobs
# --------------------------------------------------------------------------

class DamagedBlobTest(FsCase):
    def test_truncated_and_bitflipped_blobs(self):
        self.assertEqual(self.download(TINY).returncode, 0)
        big = self.pair.cache_paths(self.cache, TINY, MODEL)["blob"]
        small = self.pair.cache_paths(self.cache, TINY, CONFIG)["blob"]
        with open(big, "r+b") as f:
            f.truncate(MiB // 2)
        with open(small, "r+b") as f:
            f.seek(10)
            c = f.read(1)
            f.seek(10)
            f.write(bytes([c[0] ^ 0x01]))
        self.assertEqual(sorted(harness.bad_blobs(self.cache)), sorted([big, small]))
        for env in ({}, {"HF_HUB_OFFLINE": "1"}):
            with self.subTest(env=env):
                r = self.run_hf(["cache", "verify", TINY], env=env)
                self.assertEqual(r.returncode, EXIT_INTEGRITY, r.stderr)
                self.assertRegex(r.stderr, r"Error: model\.safetensors: (size|hash) mismatch")
                self.assertRegex(r.stderr, r"Error: config\.json: hash mismatch")
                self.assertIn("Error: verification failed", r.stderr)
        # A forced download that runs out of space leaves the damaged blob as
        # it was: a replacement is a rename of a whole verified file.
        ino = os.stat(big).st_ino
        env = self.fault_env("write", ".incomplete", after_bytes=100000)
        r = self.download(TINY, MODEL, "--force-download", env=env)
        self.assert_fired(env, "write")
        self.assert_error(r, EXIT_DISK, "No space left on device")
        self.assertEqual((os.stat(big).st_ino, os.path.getsize(big)), (ino, MiB // 2))
        self.assertEqual(harness.find_temp_files(self.cache), [])
        # The forced download replaces both; a reader of the old file keeps it.
        with open(big, "rb") as reader:
            r = self.download(TINY, "--force-download")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(len(reader.read()), MiB // 2)
        self.assertNotEqual(os.stat(big).st_ino, ino)
        harness.assert_repo_cached(self, self.pair, self.cache, TINY)
        r = self.run_hf(["cache", "verify", TINY])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assert_cache_sane()


# --------------------------------------------------------------------------
# (b) 54: refs/main that is not a commit
# --------------------------------------------------------------------------

class BadRefTest(FsCase):
    def test_bad_refs_are_absent_never_paths(self):
        self.assertEqual(self.download(TINY, CONFIG).returncode, 0)
        commit = self.pair.commit(TINY)
        repo = os.path.join(self.cache, "models--acme--tiny")
        ref = os.path.join(repo, "refs", "main")
        # Decoys where a bad ref taken as a path would lead (a regular file
        # in a snapshot is a valid entry for a cache made without links).
        up40 = "../" + "b" * 37                    # 40 characters, as a commit is
        slash40 = commit[:20] + "/" + commit[21:]
        decoys = [os.path.join(repo, "x", CONFIG),                        # ../x
                  os.path.join(repo, "b" * 37, CONFIG),                   # up40
                  os.path.join(repo, "snapshots", "x", CONFIG),           # x
                  os.path.join(repo, "snapshots", commit[:39], CONFIG),   # 39 hex
                  os.path.join(repo, "snapshots", commit.upper(), CONFIG),
                  os.path.join(repo, "snapshots", slash40, CONFIG),
                  os.path.join(repo, "snapshots", CONFIG)]                # ""
        for decoy in decoys:
            os.makedirs(os.path.dirname(decoy), exist_ok=True)
            with open(decoy, "w") as f:
                f.write("decoy")
        missing = hashlib.sha1(b"no such snapshot").hexdigest()
        offline = {"HF_HUB_OFFLINE": "1"}
        for content in ("", "\n", "../x", up40, "x", commit[:39], commit + "0", commit.upper(),
                        missing, slash40, "\0" + commit):
            with self.subTest(ref=content):
                with open(ref, "w") as f:
                    f.write(content)
                for args in ([TINY, CONFIG], [TINY]):
                    r = self.download(*args, env=offline)
                    self.assert_error(r, EXIT_OFFLINE, "not in the cache")
                r = self.run_hf(["cache", "ls", "--revisions"], env=offline)
                self.assertEqual(r.returncode, 0, r.stderr)
                r = self.run_hf(["cache", "verify", TINY], env=offline)
                self.assertIn(r.returncode, (5, EXIT_OFFLINE), r.stderr)
                self.assertNotIn("decoy", r.stdout + r.stderr)
                # Online, the Hub's answer replaces it with the commit itself.
                self.assert_path(self.download(TINY, CONFIG), TINY, CONFIG)
                with open(ref) as f:
                    self.assertEqual(f.read(), commit)
        for decoy in decoys:
            os.unlink(decoy)
            d = os.path.dirname(decoy)
            while os.path.basename(d) not in ("snapshots", "models--acme--tiny"):
                os.rmdir(d)
                d = os.path.dirname(d)
        # White space around a commit is tolerated (files written by hand).
        for content in (commit + "\n", " " + commit + " \r\n", "\t" + commit):
            with self.subTest(ref=content):
                with open(ref, "w") as f:
                    f.write(content)
                self.assert_path(self.download(TINY, CONFIG, env=offline), TINY, CONFIG)
                r = self.download(TINY, "--include", CONFIG, env=offline)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(r.stdout.strip(), os.path.join(repo, "snapshots", commit))
                r = self.run_hf(["cache", "ls", "--revisions"], env=offline)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertRegex(r.stdout, commit + r".*\bmain\b")
        with open(ref, "w") as f:
            f.write(commit)
        self.assert_cache_sane()


# --------------------------------------------------------------------------
# (b) 55: flock that fails
# --------------------------------------------------------------------------

class FlockFailureTest(FsCase):
    def test_flock_enolck_and_enosys(self):
        self.pair.cdn.set_faults([{"match": "^/repos/", "action": "delay", "seconds": 0.3}])
        self.pair.hub.set_faults([{"match": "^/api/resolve-cache/", "action": "delay",
                                   "seconds": 0.2}])
        for err in ("ENOLCK", "ENOSYS"):
            with self.subTest(errno=err):
                self.sb = harness.Sandbox(self, hub=self.pair)
                self.cache = self.sb.hub_cache
                env = {**self.base_env, **self.fault_env("flock", ".lock", err)}
                procs = [harness.spawn_hf(self.sb, ["download", TINY, "-q"], env=env)
                         for _ in range(2)]
                results = [harness.finish_hf(self.sb, p, timeout=60) for p in procs]
                snap = os.path.join(self.cache, "models--acme--tiny", "snapshots",
                                    self.pair.commit(TINY))
                for r in results:
                    self.assertEqual(r.returncode, 0, r.stderr)
                    self.assertEqual(r.stdout.strip(), snap)
                    for t in harness.DEFAULT_TOKENS:
                        harness.assert_no_token(self, t, r)
                self.assertGreaterEqual(len(self.assert_fired(env, "flock")), 2)
                harness.assert_repo_cached(self, self.pair, self.cache, TINY)
                self.assert_cache_sane()


# --------------------------------------------------------------------------
# (b) 56: a cache shared by a group
# --------------------------------------------------------------------------

class SharedCacheModesTest(FsCase):
    def test_setgid_cache_with_umasks_002_and_022(self):
        need_root(self, "a group-owned cache")
        shared = os.path.join(self.sb.root, "shared")
        os.mkdir(shared)
        os.chown(shared, 0, NOBODY)
        os.chmod(shared, 0o2775)
        self.base_env["HF_HUB_CACHE"] = self.cache = shared
        for umask, args in ((0o022, [TINY, CONFIG]), (0o002, [TINY, "README.md"]),
                            (0o002, [DATASET, "--repo-type", "dataset"]), (0o022, [TINY, MODEL])):
            r = self.download(*args, umask=umask)
            self.assertEqual(r.returncode, 0, r.stderr)
        modes = {}
        for dirpath, dirnames, filenames in os.walk(shared):
            for name in [dirpath] + [os.path.join(dirpath, n) for n in dirnames + filenames]:
                st = os.lstat(name)
                if stat.S_ISLNK(st.st_mode):
                    continue
                rel = os.path.relpath(name, shared)
                modes[rel] = oct(stat.S_IMODE(st.st_mode))
                self.assertFalse(st.st_mode & stat.S_IWOTH, f"{rel} is world-writable")
                self.assertTrue(st.st_mode & stat.S_IRGRP, f"{rel} is not group-readable")
                self.assertEqual(st.st_gid, NOBODY, f"{rel}: group not inherited")
                if stat.S_ISDIR(st.st_mode):
                    self.assertTrue(st.st_mode & stat.S_ISGID, f"{rel}: setgid lost")
                    self.assertTrue(st.st_mode & stat.S_IXGRP, rel)
        # Locks are group-writable whatever the umask (another member takes them).
        locks = os.path.join(shared, ".locks")
        for dirpath, _, filenames in os.walk(locks):
            for n in filenames:
                self.assertEqual(stat.S_IMODE(os.stat(os.path.join(dirpath, n)).st_mode), 0o664)
        # Blobs follow the umask of whoever wrote them.
        blob = self.pair.cache_paths(shared, TINY, "README.md")["blob"]
        self.assertEqual(stat.S_IMODE(os.stat(blob).st_mode), 0o664)
        blob = self.pair.cache_paths(shared, TINY, CONFIG)["blob"]
        self.assertEqual(stat.S_IMODE(os.stat(blob).st_mode), 0o644)
        self.assertTrue(modes)
        self.assert_cache_sane()


# --------------------------------------------------------------------------
# (b) 62: timestamps from the future (or the distant past)
# --------------------------------------------------------------------------

class ClockSkewTest(FsCase):
    # "3 days ago", "a few seconds ago": the count before the unit.
    AGE = re.compile(r"([-\w]+)\s+(?:second|minute|hour|day|week|month|year)s?\s+ago\b")

    def stamp(self, root, when):
        for dirpath, dirnames, filenames in os.walk(root):
            for name in [dirpath] + [os.path.join(dirpath, n) for n in dirnames + filenames]:
                os.utime(name, (when, when), follow_symlinks=False)

    def test_future_and_ancient_mtimes(self):
        self.assertEqual(self.download(TINY).returncode, 0)
        self.assertEqual(self.download(TINY, CONFIG, "--revision", "v1.0").returncode, 0)
        self.assertEqual(self.download(DATASET, "--repo-type", "dataset").returncode, 0)
        tiny = os.path.join(self.cache, "models--acme--tiny")
        # A dead download, and everything of acme/tiny, ten years from now;
        # the dataset in 1960 (before the epoch).
        partial = os.path.join(tiny, "blobs", self.pair.etag(TINY, MODEL) + ".0badf00d.incomplete")
        with open(partial, "wb") as f:
            f.write(b"x" * 1000)
        self.stamp(tiny, time.time() + 10 * 365 * 86400)
        self.stamp(os.path.join(self.cache, "datasets--acme--tiny-dataset"), -10 * 365 * 86400)
        for args, prog in ((["cache", "ls"], None), (["cache", "ls", "--revisions"], None),
                           (["cache", "ls", "--sort", "accessed"], None),
                           (["cache", "ls", "--sort", "modified:asc", "--format", "json"], None),
                           (["cache", "ls", "-f", "modified<1h"], None),
                           (["cache", "info"], None), (["cache", "info", "--format", "json"], None),
                           (["scan-cache", "-vvv"], "huggingface-cli")):
            with self.subTest(args=args):
                r = self.run_hf(args, prog=prog)
                self.assertEqual(r.returncode, 0, r.stderr)
                if args[:2] == ["cache", "info"] and "json" in args:
                    repos = json.loads(r.stdout)["repos"]  # times, not ages
                    self.assertEqual(len(repos), 2)
                    for k in ("last_accessed", "last_modified"):
                        self.assertTrue(all(isinstance(x[k], int) for x in repos), repos)
                    continue
                ages = self.AGE.findall(r.stdout)
                self.assertTrue(ages, r.stdout)
                for n in ages:  # never "-3 days ago"
                    self.assertRegex(n, r"^(few|\d+)$", r.stdout)
                if "json" in args:
                    self.assertEqual(len(json.loads(r.stdout)), 2)
        # The future repo is not "older than a week"; the 1960 one is.
        r = self.run_hf(["cache", "ls", "-q", "-f", "accessed>7d"])
        self.assertEqual((r.returncode, r.stdout.split()), (0, [DATASET]), r.stderr)
        r = self.run_hf(["cache", "prune", "--dry-run"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.exists(partial))
        r = self.run_hf(["cache", "prune", "-y"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(os.path.exists(partial))  # a leftover nobody holds, whatever its date
        harness.assert_repo_cached(self, self.pair, self.cache, TINY)
        harness.assert_repo_cached(self, self.pair, self.cache, DATASET, repo_type="dataset")
        self.assert_cache_sane()


if __name__ == "__main__":
    unittest.main()

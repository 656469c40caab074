#!/usr/bin/env python3
"""`cmake --install` of this build, and programs built against the result.

The build under test (the directory of HF_BIN, or HF_BUILD_DIR) is installed
into a temporary user prefix (<tmp>/home/.local, as `--prefix ~/.local`),
then:
  - the layout: hf, the huggingface-cli link, libhf.so.N with its soname,
    libhf.a, the headers with version.h, hf.pc, the CMake package; every
    file under the prefix and nothing outside it (the manifest agrees);
  - the installed hf runs from there and finds the libhf.so beside it
    (RUNPATH $ORIGIN/../lib), also through PATH and as huggingface-cli;
  - tests/consumer/main.c is built with `pkg-config --cflags --libs hf`
    (and statically with `pkg-config --static`), and as a CMake project with
    find_package(hf) (hf::hf and hf::hf_static), and each build downloads
    acme/tiny's config.json from the test hub into the official cache layout;
  - DESTDIR staging, and uninstall (the `uninstall` target and
    cmake/Uninstall.cmake) removes exactly what install put.

The build's own install_manifest.txt is put back as it was after each
install. Under ASan/UBSan the consumer is compiled with the same sanitizer
flags (an instrumented libhf needs the sanitizer runtime first).

Skipped (with the reason) when cmake, pkg-config or a C compiler is missing.

    cd tests/integration && HF_BIN=/path/to/build/hf python3 -m unittest -v test_install
"""

import contextlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

REPO = harness.REPO_ROOT
CONSUMER = os.path.join(REPO, "tests", "consumer")
UNINSTALL = os.path.join(REPO, "cmake", "Uninstall.cmake")
TINY = "acme/tiny"
SAN_FLAGS = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all",
             "-fno-omit-frame-pointer"]


def tool_env(extra=None):
    """The environment for cmake, cc and pkg-config: ours, minus anything
    that could point them at another libhf."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PKG_CONFIG_PATH", "PKG_CONFIG_LIBDIR", "CMAKE_PREFIX_PATH",
                        "LD_LIBRARY_PATH", "CFLAGS", "LDFLAGS", "DESTDIR", "MAKEFLAGS")}
    env.update(extra or {})
    return env


def run(argv, env=None, cwd=None, timeout=300):
    return subprocess.run(argv, env=tool_env(env), cwd=cwd, capture_output=True, text=True,
                          errors="replace", timeout=timeout, stdin=subprocess.DEVNULL)


def elf_dynamic(path):
    """(soname or None, [NEEDED...], runpath or None) from `readelf -d`."""
    r = run(["readelf", "-d", path])
    if r.returncode != 0:
        raise AssertionError(f"readelf -d {path}: {r.stderr}")
    soname = (re.findall(r"\(SONAME\)\s+Library soname: \[(.*)\]", r.stdout) or [None])[0]
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.*)\]", r.stdout)
    rpath = (re.findall(r"\((?:RUNPATH|RPATH)\)\s+Library r(?:un)?path: \[(.*)\]", r.stdout)
             or [None])[0]
    return soname, needed, rpath


def files_under(root):
    """Every file and link under root (not directories), as absolute paths."""
    out = set()
    for dirpath, dirnames, filenames in os.walk(root):
        for n in filenames:
            out.add(os.path.join(dirpath, n))
        for n in dirnames:
            p = os.path.join(dirpath, n)
            if os.path.islink(p):
                out.add(p)
    return out


class InstallCase(unittest.TestCase):
    tmp = None
    pair = None

    @classmethod
    def setUpClass(cls):
        cls.cmake = os.environ.get("HF_CMAKE") or shutil.which("cmake")
        cls.cc = os.environ.get("HF_CC") or shutil.which("cc") or shutil.which("gcc")
        cls.pkg_config = shutil.which("pkg-config") or shutil.which("pkgconf")
        missing = [n for n, v in (("cmake", cls.cmake), ("pkg-config", cls.pkg_config),
                                  ("a C compiler (cc)", cls.cc)) if not v]
        if missing:
            raise unittest.SkipTest("install tests need " + ", ".join(missing))
        cls.readelf = shutil.which("readelf")
        cls.build = os.path.abspath(os.environ.get("HF_BUILD_DIR")
                                    or os.path.dirname(harness.hf_bin()))
        if not os.path.isfile(os.path.join(cls.build, "cmake_install.cmake")):
            raise unittest.SkipTest(f"{cls.build} is not a CMake build directory")
        cls.tmp = tempfile.mkdtemp(prefix="hf-install-")
        cls.prefix = os.path.join(cls.tmp, "home", ".local")
        cls.manifest = cls.install(cls.prefix)
        libs = [p for p in cls.manifest if p.endswith("/libhf.a")]
        if len(libs) != 1:
            raise AssertionError(f"libhf.a not installed exactly once: {cls.manifest}")
        cls.libdir = os.path.dirname(libs[0])
        cls.lib_so = os.path.join(cls.libdir, "libhf.so")
        cls.sanitized = False
        if cls.readelf:
            cls.sanitized = any(n.startswith(("libasan", "libubsan"))
                                for n in elf_dynamic(cls.lib_so)[1])
        else:
            cls.sanitized = os.environ.get("HF_SANITIZE_BUILD", "").upper() in ("ON", "1", "TRUE")
        cls.pair = harness.HubPair()

    @classmethod
    def tearDownClass(cls):
        if cls.pair is not None:
            cls.pair.stop()
        if cls.tmp:
            harness._rmtree(cls.tmp)

    @classmethod
    @contextlib.contextmanager
    def manifest_restored(cls):
        """Run an install/uninstall of the build, then put the build's own
        install_manifest.txt back as it was (a real install stays uninstallable)."""
        path = os.path.join(cls.build, "install_manifest.txt")
        saved = None
        if os.path.exists(path):
            with open(path, "rb") as f:
                saved = f.read()
        try:
            yield path
        finally:
            if saved is None:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
            else:
                with open(path, "wb") as f:
                    f.write(saved)

    @classmethod
    def install(cls, prefix, destdir=None, keep_manifest=None):
        """cmake --install <build> --prefix <prefix>; returns the manifest's paths."""
        env = {"DESTDIR": destdir} if destdir else None
        with cls.manifest_restored() as path:
            r = run([cls.cmake, "--install", cls.build, "--prefix", prefix], env=env)
            if r.returncode != 0:
                raise AssertionError(f"cmake --install failed:\n{r.stdout}\n{r.stderr}")
            with open(path) as f:
                lines = [ln for ln in f.read().splitlines() if ln]
            if keep_manifest:
                shutil.copy(path, keep_manifest)
        return lines

    def setUp(self):
        self.pair.reset()
        self.sb = harness.Sandbox(self, hub=self.pair)

    # -- helpers ---------------------------------------------------------------
    def run_program(self, exe, args=(), env=None, what=None):
        p = subprocess.run([exe, *args], env=self.sb.env(env), capture_output=True, text=True,
                           errors="replace", timeout=60, cwd=self.sb.cwd,
                           stdin=subprocess.DEVNULL)
        self.sb.check_sanitizer(p.returncode, p.stderr, what or exe)
        return p

    def check_download(self, exe):
        """exe (a consumer build) downloads acme/tiny config.json into the cache."""
        p = self.run_program(exe)
        self.assertEqual(p.returncode, 0, f"{exe}: {p.stdout}\n{p.stderr}")
        cp = self.pair.cache_paths(self.sb.hub_cache, TINY, "config.json")
        self.assertEqual(p.stdout, cp["snapshot"] + "\n")
        harness.assert_repo_cached(self, self.pair, self.sb.hub_cache, TINY, ["config.json"])

    def links_libhf_so(self, exe):
        self.assertTrue(self.readelf, "readelf is needed for this check")
        return "libhf.so.0" in elf_dynamic(exe)[1]

    def cc_flags(self):
        return SAN_FLAGS if self.sanitized else []

    def pkg(self, *args):
        r = run([self.pkg_config, *args, "hf"],
                env={"PKG_CONFIG_PATH": os.path.join(self.libdir, "pkgconfig")})
        self.assertEqual(r.returncode, 0, f"pkg-config {args}: {r.stderr}")
        return r.stdout.strip()

    # -- the layout ------------------------------------------------------------
    def test_layout(self):
        p = self.prefix
        self.assertEqual(set(self.manifest), files_under(p), "manifest vs. prefix")
        for path in self.manifest:
            self.assertTrue(path.startswith(p + "/"), f"installed outside the prefix: {path}")
        bindir = os.path.join(p, "bin")
        self.assertTrue(os.access(os.path.join(bindir, "hf"), os.X_OK))
        self.assertEqual(os.readlink(os.path.join(bindir, "huggingface-cli")), "hf")
        self.assertEqual(os.readlink(self.lib_so), "libhf.so.0")
        real = os.path.join(self.libdir, os.readlink(os.path.join(self.libdir, "libhf.so.0")))
        self.assertRegex(os.path.basename(real), r"^libhf\.so\.0\.\d+\.\d+$")
        self.assertTrue(os.path.isfile(real) and not os.path.islink(real))
        if self.readelf:
            self.assertEqual(elf_dynamic(real)[0], "libhf.so.0")
        self.assertTrue(os.path.isfile(os.path.join(self.libdir, "libhf.a")))
        inc = os.path.join(p, "include", "hf")
        want = sorted(os.listdir(os.path.join(REPO, "include", "hf")))
        want = sorted(h for h in want if h.endswith(".h")) + ["version.h"]
        self.assertEqual(sorted(os.listdir(inc)), sorted(want))
        with open(os.path.join(inc, "version.h")) as f:
            version = re.search(r'#define HF_VERSION "([^"]+)"', f.read()).group(1)
        self.assertEqual(self.pkg("--modversion"), version)
        for name in ("hfConfig.cmake", "hfConfigVersion.cmake", "hfTargets.cmake",
                     "hfStaticTargets.cmake"):
            self.assertTrue(os.path.isfile(os.path.join(self.libdir, "cmake", "hf", name)), name)
        with open(os.path.join(self.libdir, "pkgconfig", "hf.pc")) as f:
            pc = f.read()
        self.assertIn(f"prefix={p}\n", pc)

    def test_installed_hf_runs_and_finds_its_library(self):
        bindir = os.path.join(self.prefix, "bin")
        hf = os.path.join(bindir, "hf")
        r = self.run_program(hf, ["version"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(self.pkg("--modversion"), r.stdout)
        if self.readelf and self.links_libhf_so(hf):
            # RUNPATH relative to the binary: the prefix can move.
            self.assertTrue(elf_dynamic(hf)[2].startswith("$ORIGIN/"), elf_dynamic(hf))
        if shutil.which("ldd"):
            out = run(["ldd", hf]).stdout
            for ln in out.splitlines():
                if "libhf.so" in ln:
                    self.assertIn(f"=> {self.libdir}/", ln.replace(bindir + "/../", self.prefix + "/"))
        # The README's fix for `hf: command not found`: the prefix's bin on PATH.
        path = bindir + ":" + self.sb.env()["PATH"]
        r = subprocess.run(["sh", "-c", "command -v hf && huggingface-cli version"],
                           env=self.sb.env({"PATH": path}), capture_output=True, text=True,
                           timeout=60, cwd=self.sb.cwd)
        self.sb.check_sanitizer(r.returncode, r.stderr, "huggingface-cli version")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.splitlines()[0], hf)
        self.assertIn("huggingface-cli, version", r.stdout)
        # And it downloads.
        r = self.run_program(hf, ["download", TINY, "config.json", "-q"])
        self.assertEqual(r.returncode, 0, r.stderr)
        cp = self.pair.cache_paths(self.sb.hub_cache, TINY, "config.json")
        self.assertEqual(r.stdout.strip(), cp["snapshot"])

    # -- consumers ---------------------------------------------------------------
    def test_pkg_config_consumer(self):
        cflags = self.pkg("--cflags")
        libs = self.pkg("--libs")
        self.assertIn(f"-I{self.prefix}/include", cflags)
        self.assertEqual(shlex.split(libs)[-2:], [f"-L{self.libdir}", "-lhf"])
        out = os.path.join(self.tmp, "consumer-pc")
        argv = [self.cc, *self.cc_flags(), "-Wall", "-Wextra", "-Werror",
                os.path.join(CONSUMER, "main.c"), "-o", out, *shlex.split(cflags),
                *shlex.split(libs), f"-Wl,-rpath,{self.libdir}"]
        r = run(argv)
        self.assertEqual(r.returncode, 0, f"{shlex.join(argv)}\n{r.stderr}")
        if self.readelf:
            self.assertTrue(self.links_libhf_so(out))
        self.check_download(out)

    def test_pkg_config_static_consumer(self):
        """libhf.a in a program otherwise linked dynamically: `pkg-config
        --static` adds libcurl, libcrypto, jansson and pthread (Libs.private)."""
        libs = shlex.split(self.pkg("--static", "--libs"))
        self.assertIn("-lhf", libs)
        for lib in ("-lcurl", "-lcrypto", "-ljansson", "-lpthread"):
            self.assertIn(lib, libs)
        libs = [os.path.join(self.libdir, "libhf.a") if a == "-lhf" else a for a in libs]
        out = os.path.join(self.tmp, "consumer-pc-static")
        argv = [self.cc, *self.cc_flags(), os.path.join(CONSUMER, "main.c"), "-o", out,
                *shlex.split(self.pkg("--cflags")), *libs]
        r = run(argv)
        self.assertEqual(r.returncode, 0, f"{shlex.join(argv)}\n{r.stderr}")
        if self.readelf:
            self.assertFalse(self.links_libhf_so(out))
        self.check_download(out)

    def cmake_consumer(self, name, static):
        bdir = os.path.join(self.tmp, name)
        argv = [self.cmake, "-S", CONSUMER, "-B", bdir, f"-DCMAKE_PREFIX_PATH={self.prefix}",
                f"-DCMAKE_C_COMPILER={self.cc}", f"-DCONSUMER_STATIC={'ON' if static else 'OFF'}"]
        if self.sanitized:
            argv += ["-DCMAKE_C_FLAGS=" + " ".join(SAN_FLAGS),
                     "-DCMAKE_EXE_LINKER_FLAGS=" + SAN_FLAGS[0]]
        r = run(argv)
        self.assertEqual(r.returncode, 0, f"{shlex.join(argv)}\n{r.stdout}\n{r.stderr}")
        target = "hf::hf_static" if static else "hf::hf"
        self.assertIn(f"from {self.libdir}/cmake/hf: {target}", r.stdout)
        r = run([self.cmake, "--build", bdir])
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        exe = os.path.join(bdir, "consumer")
        if self.readelf:
            self.assertEqual(self.links_libhf_so(exe), not static)
        self.check_download(exe)

    def test_cmake_consumer_shared(self):
        self.cmake_consumer("consumer-cmake", static=False)

    def test_cmake_consumer_static(self):
        self.cmake_consumer("consumer-cmake-static", static=True)

    # -- DESTDIR and uninstall -------------------------------------------------------
    def test_destdir_staging(self):
        stage = os.path.join(self.tmp, "stage")
        prefix = "/usr/local"
        outside = os.path.join(prefix, "bin", "huggingface-cli")
        existed = os.path.lexists(outside)
        manifest = self.install(prefix, destdir=stage)
        self.assertEqual(os.path.lexists(outside), existed, "wrote outside DESTDIR")
        self.assertTrue(manifest)
        for path in manifest:
            self.assertTrue(path.startswith(prefix + "/"), path)
            self.assertTrue(os.path.lexists(stage + path), f"{stage + path} missing")
        self.assertEqual({stage + p for p in manifest}, files_under(stage))
        self.assertEqual(os.readlink(os.path.join(stage + prefix, "bin", "huggingface-cli")), "hf")
        pcs = [p for p in manifest if p.endswith("/pkgconfig/hf.pc")]
        with open(stage + pcs[0]) as f:
            self.assertIn(f"prefix={prefix}\n", f.read())
        # Uninstall with the same DESTDIR empties the staging tree.
        mcopy = os.path.join(self.tmp, "stage-manifest.txt")
        with open(mcopy, "w") as f:
            f.write("\n".join(manifest))
        r = run([self.cmake, f"-DHF_MANIFEST={mcopy}", "-P", UNINSTALL], env={"DESTDIR": stage})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(files_under(stage), set())

    def test_uninstall_target(self):
        """`cmake --build build --target uninstall` after an install into a
        second user prefix: every installed file and libhf's own directories
        go; the shared bin/ and lib/ stay, with what else they hold."""
        prefix = os.path.join(self.tmp, "home2", ".local")
        other = os.path.join(prefix, "bin", "someone-else")
        os.makedirs(os.path.dirname(other))
        with open(other, "w") as f:
            f.write("not ours\n")
        with self.manifest_restored() as path:
            r = run([self.cmake, "--install", self.build, "--prefix", prefix])
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(path) as f:
                manifest = [ln for ln in f.read().splitlines() if ln]
            self.assertIn(os.path.join(prefix, "bin", "huggingface-cli"), manifest)
            r = run([self.cmake, "--build", self.build, "--target", "uninstall"])
            self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        self.assertEqual(files_under(prefix), {other})
        for p in manifest:
            self.assertFalse(os.path.lexists(p), p)
        self.assertFalse(os.path.exists(os.path.join(prefix, "include", "hf")))
        libdir = os.path.dirname([p for p in manifest if p.endswith("/libhf.a")][0])
        self.assertFalse(os.path.exists(os.path.join(libdir, "cmake", "hf")))
        self.assertTrue(os.path.isdir(os.path.join(prefix, "bin")))


if __name__ == "__main__":
    unittest.main()

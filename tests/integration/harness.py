"""Shared helpers for hf integration tests (python3 stdlib, unittest).

    import harness
    class T(unittest.TestCase):
        def test_x(self):
            hub = harness.Hub(self)                 # started, stopped by addCleanup
            sb = harness.Sandbox(self, hub=hub)     # fresh HOME, HF_ENDPOINT=hub.url
            r = sb.run(["auth", "whoami"], env={"HF_TOKEN": harness.READ_TOKEN})
            self.assertEqual(r.returncode, 0, r.stderr)
            harness.assert_no_token(self, harness.READ_TOKEN, r)

Environment:
    HF_BIN           path of the built `hf` (default <repo>/build/hf)
    HF_SANITIZE_RUN  =1: run hf with ASan/UBSan options, fail on reports;
                     =thread: run hf with TSan options (tests/tsan.supp), fail on reports
    HF_TEST_KEEP     =1: keep hub logs and sandboxes (paths printed on stderr)
"""

from __future__ import annotations

import atexit
import collections
import http.client
import json
import os
import re
import select
import shlex
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HUB_DIR = os.path.join(REPO_ROOT, "tests", "hub")
TESTHUB = os.path.join(HUB_DIR, "testhub.py")

if HUB_DIR not in sys.path:
    sys.path.insert(0, HUB_DIR)
import testhub  # noqa: E402  (token constants, token_hash)

READ_TOKEN = testhub.READ_TOKEN        # alice, role read,  displayName alice-laptop
WRITE_TOKEN = testhub.WRITE_TOKEN      # alice, role write, displayName alice-write
FINE_TOKEN = testhub.FINE_TOKEN        # bob, role fineGrained, displayName bob-ci, no orgs
NOORGS_TOKEN = testhub.NOORGS_TOKEN    # carl, role read, no email, no orgs
DEFAULT_TOKENS = testhub.DEFAULT_TOKENS
INVALID_CREDENTIALS = testhub.INVALID_CREDENTIALS
token_hash = testhub.token_hash

SANITIZE = os.environ.get("HF_SANITIZE_RUN") == "1"        # an ASan + UBSan build
TSAN = os.environ.get("HF_SANITIZE_RUN") == "thread"       # a ThreadSanitizer build
# The races TSan must not report (each entry says why, or that it goes when fixed).
TSAN_SUPPRESSIONS = os.path.join(REPO_ROOT, "tests", "tsan.supp")
KEEP = os.environ.get("HF_TEST_KEEP") == "1"
SANITIZER_EXIT = 99
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                     "AddressSanitizer:DEADLYSIGNAL", "WARNING: ThreadSanitizer",
                     "ERROR: ThreadSanitizer", "ThreadSanitizer:DEADLYSIGNAL")


def _fail(testcase, msg):
    if testcase is not None:
        testcase.fail(msg)
    raise AssertionError(msg)


# --------------------------------------------------------------------------
# The binary
# --------------------------------------------------------------------------

def hf_bin(testcase=None) -> str:
    """Path of the hf binary ($HF_BIN, else <repo>/build/hf); fails the test if missing."""
    path = os.environ.get("HF_BIN") or os.path.join(REPO_ROOT, "build", "hf")
    path = os.path.abspath(path)
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        _fail(testcase, f"hf binary not found or not executable: {path} "
                        f"(build it, or set HF_BIN=/path/to/hf)")
    return path


# --------------------------------------------------------------------------
# Process bookkeeping: nothing outlives the test run
# --------------------------------------------------------------------------

_live_procs: set = set()
_live_lock = threading.Lock()


def _register(proc):
    with _live_lock:
        _live_procs.add(proc)


def _unregister(proc):
    with _live_lock:
        _live_procs.discard(proc)


def _stop_proc(proc, grace=3.0):
    if proc.poll() is None:
        try:
            proc.send_signal(signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            try:
                proc.kill()
            except ProcessLookupError:
                pass
            proc.wait(5)
    _unregister(proc)


@atexit.register
def _kill_all():
    with _live_lock:
        procs = list(_live_procs)
    for p in procs:
        try:
            _stop_proc(p, grace=1.0)
        except Exception:
            pass


def _rmtree(path):
    if KEEP:
        sys.stderr.write(f"[harness] kept {path}\n")
        return
    shutil.rmtree(path, ignore_errors=True)


# --------------------------------------------------------------------------
# TLS material
# --------------------------------------------------------------------------

class CA:
    """TLS material from make_ca(); unpacks as (ca_cert, server_cert, server_key)."""

    def __init__(self, ca_cert, server_cert, server_key, ca_key, dir):
        self.ca_cert, self.server_cert, self.server_key = ca_cert, server_cert, server_key
        self.ca_key, self.dir = ca_key, dir

    def __iter__(self):
        return iter((self.ca_cert, self.server_cert, self.server_key))

    def __repr__(self):
        return f"CA(ca_cert={self.ca_cert!r}, server_cert={self.server_cert!r})"


_ca_cache: dict = {}
_ca_lock = threading.Lock()
DEFAULT_SANS = ("IP:127.0.0.1", "IP:127.0.0.2", "DNS:localhost")


def _openssl(*args, cwd=None):
    r = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)} failed:\n{r.stderr}")


def make_cert(out_dir, name, sans=DEFAULT_SANS, ca=None, days=2):
    """Create <out_dir>/<name>.pem + .key, signed by `ca` (a CA from make_ca) or
    self-signed when ca is None. Returns (cert_path, key_path)."""
    os.makedirs(out_dir, exist_ok=True)
    key = os.path.join(out_dir, name + ".key")
    cert = os.path.join(out_dir, name + ".pem")
    ext = os.path.join(out_dir, name + ".ext")
    with open(ext, "w") as f:
        f.write("basicConstraints=critical,CA:FALSE\n"
                "keyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\n"
                "subjectKeyIdentifier=hash\n"
                + ("authorityKeyIdentifier=keyid,issuer\n" if ca else "")
                + "subjectAltName=" + ",".join(sans) + "\n")
    cn = next((s.split(":", 1)[1] for s in sans if s.startswith("DNS:")), "localhost")
    if ca is None:
        _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                 "-nodes", "-keyout", key, "-out", cert, "-days", str(days),
                 "-subj", f"/CN={cn}", "-extensions", "v3_req", "-config", _req_cnf(out_dir, ext))
    else:
        csr = os.path.join(out_dir, name + ".csr")
        _openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                 "-nodes", "-keyout", key, "-out", csr, "-subj", f"/CN={cn}")
        _openssl("x509", "-req", "-in", csr, "-CA", ca.ca_cert, "-CAkey", ca.ca_key,
                 "-CAcreateserial", "-out", cert, "-days", str(days), "-extfile", ext)
    os.chmod(key, 0o600)
    return cert, key


def _req_cnf(out_dir, ext):
    cnf = os.path.join(out_dir, "req.cnf")
    with open(ext) as f:
        exts = f.read()
    with open(cnf, "w") as f:
        f.write("[req]\ndistinguished_name=dn\n[dn]\n[v3_req]\n" + exts)
    return cnf


def make_ca(tmpdir=None) -> CA:
    """Throwaway CA plus a server cert for 127.0.0.1, 127.0.0.2 and localhost.

    Returns CA(ca_cert, server_cert, server_key, ca_key, dir); it unpacks as the
    3-tuple (ca_cert, server_cert, server_key). Cached per process (per tmpdir)."""
    key = tmpdir or "<default>"
    with _ca_lock:
        if key in _ca_cache:
            return _ca_cache[key]
        if tmpdir is None:
            d = tempfile.mkdtemp(prefix="hf-test-ca-")
            atexit.register(_rmtree, d)
        else:
            d = tmpdir
            os.makedirs(d, exist_ok=True)
        ca_key = os.path.join(d, "ca.key")
        ca_cert = os.path.join(d, "ca.pem")
        cnf = os.path.join(d, "ca.cnf")
        with open(cnf, "w") as f:
            f.write("[req]\ndistinguished_name=dn\n[dn]\n[v3_ca]\n"
                    "basicConstraints=critical,CA:TRUE\n"
                    "keyUsage=critical,keyCertSign,cRLSign\n"
                    "subjectKeyIdentifier=hash\n")
        _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                 "-nodes", "-keyout", ca_key, "-out", ca_cert, "-days", "2",
                 "-subj", "/CN=hf-test throwaway CA", "-extensions", "v3_ca", "-config", cnf)
        partial = CA(ca_cert, None, None, ca_key, d)
        server_cert, server_key = make_cert(d, "server", DEFAULT_SANS, ca=partial)
        ca = CA(ca_cert, server_cert, server_key, ca_key, d)
        _ca_cache[key] = ca
        return ca


def tls_env(ca_cert) -> dict:
    """Environment that makes hf (libcurl) trust `ca_cert`."""
    return {"SSL_CERT_FILE": ca_cert}


# --------------------------------------------------------------------------
# Hub
# --------------------------------------------------------------------------

class Hub:
    """A testhub.py subprocess on a free port.

    Hub(testcase=None, *, tls=False, host="127.0.0.1", fail_on_auth=False,
        config=None, name=None, start=True, verbose=False)

    With a testcase the hub starts at once and is stopped by addCleanup; it is
    also usable as a context manager. Always killed at interpreter exit."""

    def __init__(self, testcase=None, *, tls=False, host="127.0.0.1", fail_on_auth=False,
                 config=None, name=None, start=True, verbose=False, cert=None):
        self.testcase = testcase
        self.tls = tls
        self.host = host
        self.fail_on_auth = fail_on_auth
        self.config = dict(config or {})
        self.name = name or ("cdn" if fail_on_auth else "hub")
        self.verbose = verbose
        self.cert = cert  # (cert_path, key_path) to override the CA's server cert
        self.proc = None
        self.dir = None
        self.port = None
        self.url = None
        self.ca = make_ca() if tls else None
        if start:
            self.start()
            if testcase is not None:
                testcase.addCleanup(self.stop)

    # -- lifecycle ---------------------------------------------------------
    @property
    def ca_cert(self):
        return self.ca.ca_cert if self.ca else None

    @property
    def log_path(self):
        return os.path.join(self.dir, "requests.jsonl") if self.dir else None

    def env(self) -> dict:
        """Env for hf to talk to this hub: HF_ENDPOINT (+ SSL_CERT_FILE for TLS)."""
        e = {"HF_ENDPOINT": self.url}
        if self.ca:
            e.update(tls_env(self.ca.ca_cert))
        return e

    def start(self, timeout=10.0):
        if self.proc is not None:
            return self
        self.dir = tempfile.mkdtemp(prefix=f"hf-testhub-{self.name}-")
        ready = os.path.join(self.dir, "ready.json")
        cmd = [sys.executable, TESTHUB, "--port", "0", "--host", self.host,
               "--log", self.log_path, "--ready-file", ready, "--name", self.name,
               "--exit-with-parent"]
        if self.config:
            cfg = os.path.join(self.dir, "config.json")
            with open(cfg, "w") as f:
                json.dump(self.config, f)
            cmd += ["--config", cfg]
        if self.tls:
            cert, key = self.cert or (self.ca.server_cert, self.ca.server_key)
            cmd += ["--tls-cert", cert, "--tls-key", key]
        if self.fail_on_auth:
            cmd.append("--fail-on-auth")
        if self.verbose:
            cmd.append("--verbose")
        self._stderr = open(os.path.join(self.dir, "stderr.txt"), "w+b")
        self._stdout = open(os.path.join(self.dir, "stdout.txt"), "w+b")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self._stdout,
                                     stderr=self._stderr, start_new_session=True)
        _register(self.proc)
        deadline = time.monotonic() + timeout
        while True:
            if os.path.exists(ready):
                with open(ready) as f:
                    info = json.load(f)
                self.port, self.url = info["port"], info["url"]
                return self
            if self.proc.poll() is not None or time.monotonic() > deadline:
                err = self.stderr()
                rc = self.proc.poll()
                self.stop()
                raise RuntimeError(f"testhub did not come up (rc={rc}) within {timeout}s:\n{err}")
            time.sleep(0.01)

    def stderr(self) -> str:
        try:
            with open(os.path.join(self.dir, "stderr.txt"), "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self):
        if self.proc is None:
            return
        _stop_proc(self.proc)
        self.proc = None
        for f in (self._stderr, self._stdout):
            try:
                f.close()
            except Exception:
                pass
        if self.dir:
            _rmtree(self.dir)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- control ---------------------------------------------------------------
    def _conn(self, timeout=10):
        if self.tls:
            ctx = ssl.create_default_context(cafile=self.ca.ca_cert)
            return http.client.HTTPSConnection(self.host, self.port, timeout=timeout, context=ctx)
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def control(self, method, path, body=None):
        """Call a /__control/ endpoint; returns the decoded JSON reply."""
        conn = self._conn()
        try:
            data = None if body is None else json.dumps(body).encode()
            headers = {"Content-Type": "application/json"} if data is not None else {}
            conn.request(method, "/__control/" + path.lstrip("/"), body=data, headers=headers)
            r = conn.getresponse()
            payload = r.read()
            if r.status != 200:
                raise RuntimeError(f"control {method} {path}: {r.status} {payload!r}")
            return json.loads(payload)
        finally:
            conn.close()

    def set_faults(self, faults):
        """Replace the fault list (see testhub docstring for the fault format)."""
        return self.control("POST", "faults", list(faults))

    def faults(self):
        """Current faults with their "hits" (matched) and "fired" counters."""
        return self.control("GET", "faults")

    def update_config(self, cfg: dict):
        """Merge config keys at runtime (tokens, repos, routes, faults, options)."""
        return self.control("POST", "config", cfg)

    def reset(self):
        """Drop all faults and clear the log."""
        return self.control("POST", "reset")

    def clear_log(self):
        return self.control("POST", "clear_log")

    def requests(self, path_regex=None, method=None) -> list:
        """Parsed log entries (read from the JSONL file), optionally filtered by
        re.search(path_regex, entry["path"]) and method."""
        out = []
        if not self.log_path or not os.path.exists(self.log_path):
            return out
        with open(self.log_path, encoding="utf-8") as f:
            for line in f:
                if not line.endswith("\n"):
                    break  # an entry still being written
                line = line.strip()
                if not line:
                    continue
                e = json.loads(line)
                if path_regex is not None and not re.search(path_regex, e["path"]):
                    continue
                if method is not None and e["method"] != method.upper():
                    continue
                out.append(e)
        return out

    def count(self, path_regex=None, method=None) -> int:
        return len(self.requests(path_regex, method))

    def violations(self) -> list:
        """Log entries flagged by the server (authorization-received, token-in-url, ...)."""
        return [e for e in self.requests() if e.get("violation")]

    def log_text(self) -> str:
        if not self.log_path or not os.path.exists(self.log_path):
            return ""
        with open(self.log_path, encoding="utf-8") as f:
            return f.read()


# --------------------------------------------------------------------------
# Sandbox: a clean environment per test
# --------------------------------------------------------------------------

PtyResult = collections.namedtuple("PtyResult", "transcript returncode")
PtyResult.text = property(lambda self: self.transcript.decode("utf-8", "replace"))


class Sandbox:
    """Fresh temp HOME; runs hf with a clean environment.

    Sandbox(testcase=None, hub=None, env=None)
      .root  temp dir (removed on cleanup)   .home = root/home   .cwd = root/work
      .hf_home = home/.cache/huggingface     .token_path = hf_home/token
      .stored_tokens_path = hf_home/stored_tokens   .hub_cache = hf_home/hub
    The child env is PATH, HOME, LANG=C.UTF-8 (+ hub.env() when hub is given,
    + sanitizer options with HF_SANITIZE_RUN=1 or =thread) + the sandbox's env
    + run(env=)."""

    def __init__(self, testcase=None, hub=None, env=None):
        self.testcase = testcase
        self.root = tempfile.mkdtemp(prefix="hf-sandbox-")
        self.home = os.path.join(self.root, "home")
        self.cwd = os.path.join(self.root, "work")
        os.makedirs(self.home, mode=0o755)
        os.makedirs(self.cwd)
        self.hf_home = os.path.join(self.home, ".cache", "huggingface")
        self.token_path = os.path.join(self.hf_home, "token")
        self.stored_tokens_path = os.path.join(self.hf_home, "stored_tokens")
        self.hub_cache = os.path.join(self.hf_home, "hub")
        self.extra_env = dict(env or {})
        if hub is not None:
            self.extra_env = {**hub.env(), **self.extra_env}
        if testcase is not None:
            testcase.addCleanup(self.cleanup)

    def cleanup(self):
        _rmtree(self.root)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()

    def write_token(self, token, path=None, mode=0o600, newline=True):
        """Write a token file by hand (as a person would)."""
        path = path or self.token_path
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(token + ("\n" if newline else ""))
        os.chmod(path, mode)
        return path

    def env(self, extra=None) -> dict:
        e = {
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "HOME": self.home,
            "LANG": "C.UTF-8",
        }
        if SANITIZE:
            e["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=0:exitcode=99"
            e["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1:exitcode=99"
        if TSAN:
            # The first race ends hf with SANITIZER_EXIT (so a report cannot be
            # lost in a run that the test kills a moment later).
            e["TSAN_OPTIONS"] = ("halt_on_error=1:exitcode=99:second_deadlock_stack=1:"
                                 "suppressions=" + TSAN_SUPPRESSIONS)
        e.update(self.extra_env)
        for k, v in (extra or {}).items():
            if v is None:
                e.pop(k, None)
            else:
                e[k] = str(v)
        return e

    def _argv(self, args, prog):
        if isinstance(args, str):
            args = shlex.split(args)
        exe = hf_bin(self.testcase)
        if prog:  # argv[0] = .../prog through a symlink (works for scripts too)
            bindir = os.path.join(self.root, "bin")
            os.makedirs(bindir, exist_ok=True)
            link = os.path.join(bindir, prog)
            if not os.path.lexists(link):
                os.symlink(exe, link)
            exe = link
        return exe, [exe, *[str(a) for a in args]]

    def check_sanitizer(self, returncode, stderr_text, what="hf"):
        if (SANITIZE or TSAN) and returncode == SANITIZER_EXIT:
            _fail(self.testcase, f"{what} exited {SANITIZER_EXIT} (sanitizer report):\n{stderr_text}")
        for m in SANITIZER_MARKERS:
            if m in stderr_text:
                _fail(self.testcase, f"sanitizer report ({m!r}) from {what}:\n{stderr_text}")

    def run(self, args, env=None, input=None, timeout=30, cwd=None, prog=None):
        """Run hf ARGS (list or shell-like string). Returns a CompletedProcess with
        str .stdout/.stderr (utf-8, replace) and bytes .stdout_bytes/.stderr_bytes.
        env values of None remove a variable. `prog` sets argv[0] (e.g.
        "huggingface-cli"). A timeout fails the test."""
        exe, argv = self._argv(args, prog)
        if isinstance(input, str):
            input = input.encode()
        try:
            p = subprocess.run(argv, executable=exe, env=self.env(env), input=input,
                               stdin=None if input is not None else subprocess.DEVNULL,
                               capture_output=True, timeout=timeout, cwd=cwd or self.cwd)
        except subprocess.TimeoutExpired as e:
            out = (e.stdout or b"").decode("utf-8", "replace")
            err = (e.stderr or b"").decode("utf-8", "replace")
            _fail(self.testcase, f"hf {argv[1:]} timed out after {timeout}s\n"
                                 f"--- stdout\n{out}\n--- stderr\n{err}")
        r = subprocess.CompletedProcess(argv, p.returncode,
                                        p.stdout.decode("utf-8", "replace"),
                                        p.stderr.decode("utf-8", "replace"))
        r.stdout_bytes, r.stderr_bytes = p.stdout, p.stderr
        self.check_sanitizer(r.returncode, r.stderr, f"hf {argv[1:]}")
        return r

    def run_pty(self, args, script=(), env=None, timeout=30, cwd=None, prog=None,
                step_timeout=None):
        """Run hf on a pseudo-terminal (stdin/stdout/stderr, controlling tty).

        script: [(expect_regex, send_text), ...]; each regex (str or bytes) is
        searched in the output after the previous match, then send_text (str,
        bytes or None) is written. Returns PtyResult(transcript: bytes,
        returncode: int, negative = signal) with .text. A missed expectation or
        overall timeout kills hf and fails the test with the transcript.
        Note: the tty turns "\\n" into "\\r\\n" in the transcript."""
        import pty
        exe, argv = self._argv(args, prog)
        child_env = self.env(env)
        cwd = cwd or self.cwd
        pid, fd = pty.fork()
        if pid == 0:  # child
            try:
                os.chdir(cwd)
                os.execve(exe, argv, child_env)
            except BaseException:
                pass
            os._exit(127)

        buf = bytearray()
        deadline = time.monotonic() + timeout
        eof = False
        status = None

        def pump(wait):
            nonlocal eof
            if eof:
                return False
            try:
                r, _, _ = select.select([fd], [], [], wait)
            except InterruptedError:
                return True
            if not r:
                return False
            try:
                data = os.read(fd, 65536)
            except OSError:  # EIO: slave side closed
                data = b""
            if not data:
                eof = True
                return False
            buf.extend(data)
            return True

        def reap(block=False):
            nonlocal status
            if status is None:
                try:
                    p, st = os.waitpid(pid, 0 if block else os.WNOHANG)
                except ChildProcessError:
                    p, st = pid, 0
                if p == pid:
                    status = os.waitstatus_to_exitcode(st)
            return status

        def abort(msg):
            if reap() is None:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                reap(block=True)
            try:
                os.close(fd)
            except OSError:
                pass
            _fail(self.testcase, f"{msg}\n--- transcript\n"
                                 f"{bytes(buf).decode('utf-8', 'replace')}")

        pos = 0
        try:
            for expect, send in script:
                rx = re.compile(expect.encode() if isinstance(expect, str) else expect)
                step_deadline = min(deadline, time.monotonic() + step_timeout) \
                    if step_timeout else deadline
                while True:
                    m = rx.search(buf, pos)
                    if m:
                        pos = m.end()
                        break
                    if eof or time.monotonic() > step_deadline:
                        abort(f"run_pty: expected {expect!r} not seen "
                              f"({'EOF' if eof else 'timeout'})")
                    pump(0.05)
                if send is not None:
                    data = send.encode() if isinstance(send, str) else send
                    os.write(fd, data)
            # read to EOF; once the child has exited, drain briefly then stop
            # (a grandchild may hold the tty open)
            exited_at = None
            while not eof:
                if time.monotonic() > deadline:
                    abort(f"run_pty: hf {argv[1:]} did not finish within {timeout}s")
                got = pump(0.05)
                if reap() is not None:
                    if exited_at is None:
                        exited_at = time.monotonic()
                    elif not got and time.monotonic() - exited_at > 0.5:
                        break
            if reap() is None:
                remaining = max(0.1, deadline - time.monotonic())
                end = time.monotonic() + remaining
                while reap() is None and time.monotonic() < end:
                    time.sleep(0.02)
                if status is None:
                    abort(f"run_pty: hf {argv[1:]} did not exit within {timeout}s")
        finally:
            try:
                os.close(fd)
            except OSError:
                pass
        res = PtyResult(bytes(buf), status)
        self.check_sanitizer(status, res.text, f"hf {argv[1:]} (pty)")
        return res


# --------------------------------------------------------------------------
# Leak checks
# --------------------------------------------------------------------------

def _texts(items):
    for t in items:
        if t is None:
            continue
        if isinstance(t, subprocess.CompletedProcess):
            yield from _texts([t.stdout, t.stderr])
        elif isinstance(t, PtyResult):
            yield t.transcript
        elif isinstance(t, (list, tuple)):
            yield from _texts(t)
        else:
            yield t


def token_forms(token) -> list:
    """The token as given and cleaned of CR/LF and surrounding whitespace."""
    forms = {token, token.replace("\r", "").replace("\n", ""), token.strip(),
             token.replace("\r", "").replace("\n", "").strip()}
    return [f for f in forms if len(f) >= 8]


def mask(token) -> str:
    return f"{token[:3]}****{token[-4:]}" if len(token) > 8 else "****"


def assert_no_token(testcase, token, *texts):
    """Fail if `token` (or its CR/LF-cleaned form) appears in any text. Texts may
    be str, bytes, CompletedProcess (stdout+stderr), PtyResult or lists of them."""
    for i, t in enumerate(_texts(texts)):
        for form in token_forms(token):
            needle = form.encode() if isinstance(t, (bytes, bytearray)) else form
            if needle in t:
                _fail(testcase, f"token {mask(token)} leaked in output #{i}")


def scan_tree_for_token(root, token, allow=None) -> list:
    """Walk `root` (symlinks are neither followed nor read) and return the paths of
    regular files containing the token. `allow`: paths (absolute or relative to
    root) or bare basenames to skip; default ["token", "stored_tokens"]."""
    if allow is None:
        allow = ["token", "stored_tokens"]
    allow_paths = {os.path.normpath(a if os.path.isabs(a) else os.path.join(root, a))
                   for a in allow if os.sep in a or os.path.isabs(a)}
    allow_names = {a for a in allow if os.sep not in a and not os.path.isabs(a)}
    needles = [f.encode() for f in token_forms(token)]
    hits = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in filenames:
            p = os.path.join(dirpath, name)
            if name in allow_names or os.path.normpath(p) in allow_paths:
                continue
            try:
                st = os.lstat(p)
            except OSError:
                continue
            if not (st.st_mode & 0o170000 == 0o100000):  # regular files only
                continue
            try:
                with open(p, "rb") as f:
                    data = f.read()
            except OSError:
                continue
            if any(n in data for n in needles):
                hits.append(p)
    return sorted(hits)


def assert_tree_has_no_token(testcase, root, token, allow=None):
    hits = scan_tree_for_token(root, token, allow)
    if hits:
        _fail(testcase, f"token {mask(token)} found in files: {hits}")


# --------------------------------------------------------------------------
# Helpers for the auth / env / git credential / TLS suites
# --------------------------------------------------------------------------

def file_mode(path) -> int:
    """Permission bits of `path` itself (a symlink is not followed)."""
    import stat
    return stat.S_IMODE(os.lstat(path).st_mode)


def free_port(host="127.0.0.1") -> int:
    """A TCP port that was free a moment ago (nothing listens on it)."""
    import socket
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind((host, 0))
        return s.getsockname()[1]
    finally:
        s.close()


def assert_in_order(testcase, text, needles, msg=""):
    """Fail unless every needle occurs in `text`, each after the previous one."""
    pos = 0
    for n in needles:
        i = text.find(n, pos)
        if i < 0:
            where = "at all" if n not in text else "after the previous expected text"
            _fail(testcase, f"{msg}{n!r} not found {where} in:\n{text}")
        pos = i + len(n)


def run_checked(testcase, sandbox, args, tokens=None, **kw):
    """sandbox.run(args, **kw), then assert_no_token for every token in
    `tokens` (default: DEFAULT_TOKENS) on its stdout and stderr."""
    r = sandbox.run(args, **kw)
    for t in (DEFAULT_TOKENS if tokens is None else tokens):
        assert_no_token(testcase, t, r)
    return r


def git_env(sandbox) -> dict:
    """Environment for running the real git against the sandbox HOME only."""
    return {"PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "HOME": sandbox.home, "GIT_CONFIG_NOSYSTEM": "1", "LANG": "C"}


def git_config_global(sandbox, key, value):
    """`git config --global KEY VALUE` in the sandbox HOME (~/.gitconfig)."""
    subprocess.run(["git", "config", "--global", key, value], env=git_env(sandbox),
                   check=True, capture_output=True)


FAKE_GIT = r'''#!{python}
# Fake git for tests: records argv, stdin and whether the environment holds
# a secret, as one JSON line per call; answers `config --list`.
import json, os, sys
data = sys.stdin.buffer.read() if sys.argv[1:2] == ["credential"] else b""
rec = {{"argv": sys.argv[1:], "stdin": data.decode("utf-8", "surrogateescape"),
        "env": dict(os.environ)}}
with open({log!r}, "a") as f:
    f.write(json.dumps(rec) + "\n")
if sys.argv[1:3] == ["config", "--list"]:
    sys.stdout.write({config!r})
sys.exit({status})
'''


def make_fake_git(dirpath, helpers=("store",), status=0):
    """Write an executable fake `git` in dirpath (put dirpath first on PATH).

    Each call appends {"argv", "stdin", "env"} to dirpath/git.log (read it
    with read_fake_git(dirpath)). `git config --list` prints one
    credential.helper line per name in `helpers`. Exits with `status`."""
    os.makedirs(dirpath, exist_ok=True)
    log = os.path.join(dirpath, "git.log")
    config = "".join(f"credential.helper={h}\n" for h in helpers) + "user.name=Test\n"
    path = os.path.join(dirpath, "git")
    with open(path, "w") as f:
        f.write(FAKE_GIT.format(python=sys.executable, log=log, config=config, status=status))
    os.chmod(path, 0o755)
    return path


def read_fake_git(dirpath) -> list:
    """The calls recorded by make_fake_git(dirpath), oldest first."""
    log = os.path.join(dirpath, "git.log")
    if not os.path.exists(log):
        return []
    with open(log) as f:
        return [json.loads(line) for line in f if line.strip()]


def checked_sandbox(testcase, hub=None, env=None, tokens=None, allow=None):
    """A Sandbox whose tree is scanned for tokens when the test ends.

    Before the sandbox is removed, scan_tree_for_token runs for every token in
    `tokens` (default DEFAULT_TOKENS); a hit outside the allowed files fails
    the test. Allowed: basenames token, stored_tokens, .git-credentials, plus
    `allow` and whatever the test appends to sandbox.allow_token_files
    (absolute paths or basenames)."""
    sb = Sandbox(testcase, hub=hub, env=env)
    sb.allow_token_files = ["token", "stored_tokens", ".git-credentials", *(allow or [])]
    toks = list(DEFAULT_TOKENS if tokens is None else tokens)

    def scan():
        for t in toks:
            hits = scan_tree_for_token(sb.root, t, allow=sb.allow_token_files)
            if hits:
                _fail(testcase, f"token {mask(t)} found in files: {hits}")

    testcase.addCleanup(scan)  # runs before the sandbox's own cleanup (LIFO)
    return sb


# --------------------------------------------------------------------------
# HubPair: hub + CDN serving the repository fixtures (tests/hub/fixtures.py)
# --------------------------------------------------------------------------

import fixtures as hub_fixtures  # noqa: E402  (tests/hub/fixtures.py; HUB_DIR is on sys.path)

repo_folder_name = hub_fixtures.repo_folder_name


class HubPair:
    """A hub and its CDN, both serving the same repository fixtures.

    HubPair(testcase=None, *, tls=False, config=None, cdn_config=None,
            fixtures="default", cdn_host="127.0.0.2", verbose=False, start=True)

    The CDN (name "cdn", --fail-on-auth) starts first on cdn_host (falling back
    to 127.0.0.1 on another port when 127.0.0.2 cannot be bound), then the hub
    with cdn_url pointing at it; both get the same random cdn_secret. `config`
    goes to the hub; its "repos" also go to the CDN (which must know the LFS
    blobs). `cdn_config` goes to the CDN only. With a testcase both are stopped
    by addCleanup. Both share one "upload_dir" (a temporary directory removed
    at stop, unless config names one) so that LFS objects uploaded through the
    hub's write API (tests/hub/write_api.py) reach the CDN.

      .hub .cdn          Hub objects (.url .requests() .set_faults() ...)
      .url               the hub's URL;  .env() -> {"HF_ENDPOINT": ..., [SSL_CERT_FILE]}
      .registry          fixtures.Registry of what the servers serve
      .reset()           drop faults and logs on both;  .violations() on both
      .add_repos(repos)  add/replace repos (config dicts) on both and locally
      file(repo_id, path, revision="main", repo_type="model") -> fixtures.File
      file_bytes / sha256 / git_sha1 / etag / size / is_lfs (same arguments)
      commit(repo_id, revision="main", repo_type="model") -> 40-hex sha
      files(repo_id, revision="main", repo_type="model") -> sorted paths
      cache_paths(cache_dir, repo_id, path, revision="main", repo_type="model")
    """

    def __init__(self, testcase=None, *, tls=False, config=None, cdn_config=None,
                 fixtures="default", cdn_host="127.0.0.2", verbose=False, start=True):
        self.testcase = testcase
        self.tls = tls
        self.config = dict(config or {})
        self.cdn_config = dict(cdn_config or {})
        self.fixtures = fixtures
        self.cdn_host = cdn_host
        self.verbose = verbose
        self.secret = "cdn-secret-" + os.urandom(8).hex()
        self.registry = hub_fixtures.Registry(hub_fixtures.FIXTURE_SETS[fixtures]())
        for r in self.config.get("repos") or []:
            self.registry.add(r)
        self.hub = None
        self.cdn = None
        if start:
            self.start()
            if testcase is not None:
                testcase.addCleanup(self.stop)

    def start(self):
        """Start the CDN and the hub concurrently, then point the hub at the CDN."""
        if self.hub is not None:
            return self
        if not self.config.get("upload_dir"):
            self._upload_tmp = tempfile.mkdtemp(prefix="testhub-upload-")
            self.config["upload_dir"] = self._upload_tmp
        cdn_cfg = {"fixtures": self.fixtures, "cdn_secret": self.secret,
                   "upload_dir": self.config["upload_dir"]}
        if self.config.get("repos"):
            cdn_cfg["repos"] = self.config["repos"]
        cdn_cfg.update(self.cdn_config)
        hub_cfg = {"fixtures": self.fixtures, "cdn_secret": self.secret}
        hub_cfg.update(self.config)
        hub = Hub(None, tls=self.tls, config=hub_cfg, start=False, verbose=self.verbose)
        hub_err = []

        def start_hub():
            try:
                hub.start()
            except Exception as e:  # re-raised below
                hub_err.append(e)

        t = threading.Thread(target=start_hub, daemon=True)
        t.start()
        cdn = None
        try:
            hosts = [self.cdn_host] + (["127.0.0.1"] if self.cdn_host != "127.0.0.1" else [])
            for i, host in enumerate(hosts):
                cdn = Hub(None, tls=self.tls, host=host, fail_on_auth=True, name="cdn",
                          config=cdn_cfg, start=False, verbose=self.verbose)
                try:
                    cdn.start()
                    break
                except RuntimeError:
                    cdn = None
                    if i == len(hosts) - 1:
                        raise
        finally:
            t.join()
            if hub_err or cdn is None:
                hub.stop()
                if cdn is not None:
                    cdn.stop()
        if hub_err:
            raise hub_err[0]
        self.hub, self.cdn = hub, cdn
        self.hub.config["cdn_url"] = cdn.url  # kept if the hub is restarted
        self.hub.update_config({"cdn_url": cdn.url})
        return self

    def stop(self):
        hubs = [h for h in (self.hub, self.cdn) if h is not None and h.proc is not None]
        for h in hubs:  # signal both first: they shut down in parallel
            try:
                h.proc.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
        for h in hubs:
            h.stop()
        tmp = getattr(self, "_upload_tmp", None)
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
            self._upload_tmp = None
            self.config.pop("upload_dir", None)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        return self.hub.url

    def env(self) -> dict:
        return self.hub.env()

    def reset(self):
        self.hub.reset()
        self.cdn.reset()

    def violations(self) -> list:
        return self.hub.violations() + self.cdn.violations()

    def add_repos(self, repos):
        repos = list(repos)
        for r in repos:
            self.registry.add(r)
        self.hub.update_config({"repos": repos})
        self.cdn.update_config({"repos": repos})

    # -- what the servers serve ---------------------------------------------------
    def file(self, repo_id, path, revision="main", repo_type="model"):
        return self.registry.file(repo_id, path, revision, repo_type)

    def file_bytes(self, repo_id, path, revision="main", repo_type="model") -> bytes:
        return self.file(repo_id, path, revision, repo_type).data

    def sha256(self, repo_id, path, revision="main", repo_type="model") -> str:
        return self.file(repo_id, path, revision, repo_type).sha256

    def git_sha1(self, repo_id, path, revision="main", repo_type="model") -> str:
        """Git blob id as in the tree API "oid" (for LFS files: of the pointer)."""
        return self.file(repo_id, path, revision, repo_type).oid

    def etag(self, repo_id, path, revision="main", repo_type="model") -> str:
        """Unquoted ETag = cache blob name: sha256 (LFS) or git blob sha1."""
        return self.file(repo_id, path, revision, repo_type).etag

    def size(self, repo_id, path, revision="main", repo_type="model") -> int:
        return self.file(repo_id, path, revision, repo_type).size

    def is_lfs(self, repo_id, path, revision="main", repo_type="model") -> bool:
        return self.file(repo_id, path, revision, repo_type).lfs

    def commit(self, repo_id, revision="main", repo_type="model") -> str:
        repo = self.registry.get(repo_id, repo_type)
        c = repo.resolve(revision) if repo else None
        if c is None:
            raise KeyError(f"{repo_type} {repo_id}: no revision {revision!r}")
        return c.sha

    def files(self, repo_id, revision="main", repo_type="model") -> list:
        repo = self.registry.get(repo_id, repo_type)
        return sorted(repo.resolve(revision).files)

    def cache_paths(self, cache_dir, repo_id, path, revision="main", repo_type="model") -> dict:
        """Where hf_hub_download puts the file under cache_dir (the hub cache):
        {"repo", "ref" (refs/<revision>), "blob", "snapshot", "no_exist", "commit", "etag"}."""
        f = self.file(repo_id, path, revision, repo_type)
        commit = self.commit(repo_id, revision, repo_type)
        root = os.path.join(cache_dir, repo_folder_name(repo_id, repo_type))
        return {"repo": root, "ref": os.path.join(root, "refs", revision),
                "blob": os.path.join(root, "blobs", f.etag),
                "snapshot": os.path.join(root, "snapshots", commit, path),
                "no_exist": os.path.join(root, ".no_exist", commit, path),
                "commit": commit, "etag": f.etag}


class HubPairCase(unittest.TestCase):
    """One HubPair per test class; logs and faults reset before each test, a
    fresh Sandbox (self.sb, self.cache) per test, and the CDN must never
    have seen a token, whatever the test did."""

    pair = None

    @classmethod
    def setUpClass(cls):
        cls.pair = HubPair()

    @classmethod
    def tearDownClass(cls):
        cls.pair.stop()

    def setUp(self):
        self.pair.reset()
        self.sb = Sandbox(self, hub=self.pair)
        self.cache = self.sb.hub_cache

    def tearDown(self):
        self.assertEqual(self.pair.violations(), [])


def start_hub_with_cdn(testcase, tls=False, config=None, **kw) -> HubPair:
    """HubPair(testcase, tls=tls, config=config, **kw), started and cleaned up."""
    return HubPair(testcase, tls=tls, config=config, **kw)


# --------------------------------------------------------------------------
# Download suites (test_download*.py, test_interop_js.py)
# --------------------------------------------------------------------------

TEMP_MARKERS = (".incomplete", ".resume", ".tmp")


def content_hash(data, etag) -> str:
    """What a cache blob named `etag` must hash to: sha256 for a 64-hex etag
    (LFS), else the git blob sha1 ("blob <len>\\0" + data)."""
    import hashlib
    if len(etag) == 64:
        return hashlib.sha256(data).hexdigest()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def snapshot_link_target(path, etag) -> str:
    """The relative link the official client writes at snapshots/<commit>/<path>."""
    return "../../" + "../" * path.count("/") + "blobs/" + etag


def find_temp_files(root) -> list:
    """Paths under root (symlinks not followed) whose name marks a download
    temporary: *.incomplete, *.resume, *.tmp (also with a suffix after them)."""
    hits = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in filenames + dirnames:
            if any(name.endswith(m) or (m + ".") in name for m in TEMP_MARKERS):
                hits.append(os.path.join(dirpath, name))
    return sorted(hits)


def bad_blobs(cache_dir) -> list:
    """Blobs under cache_dir/*/blobs/ that are not regular files or whose
    content does not hash to their name (temporaries are ignored)."""
    bad = []
    if not os.path.isdir(cache_dir):
        return bad
    for repo in sorted(os.listdir(cache_dir)):
        bdir = os.path.join(cache_dir, repo, "blobs")
        if not os.path.isdir(bdir):
            continue
        for name in sorted(os.listdir(bdir)):
            p = os.path.join(bdir, name)
            if any(m in name for m in TEMP_MARKERS):
                continue
            if not os.path.isfile(p) or os.path.islink(p):
                bad.append(p)
                continue
            with open(p, "rb") as f:
                if content_hash(f.read(), name) != name:
                    bad.append(p)
    return bad


def assert_repo_cached(testcase, pair, cache_dir, repo_id, paths=None, revision="main",
                       repo_type="model", ref=True):
    """Fail unless every file of `paths` (default: all files of the revision)
    is in cache_dir exactly as the official client lays it out: a relative
    link snapshots/<commit>/<path> -> ../../[../]blobs/<etag>, the blob a
    regular file holding the fixture bytes, and (ref=True, revision not a
    commit) refs/<revision> holding the commit with no newline."""
    commit = pair.commit(repo_id, revision, repo_type)
    for path in (pair.files(repo_id, revision, repo_type) if paths is None else paths):
        cp = pair.cache_paths(cache_dir, repo_id, path, revision, repo_type)
        snap = cp["snapshot"]
        if not os.path.islink(snap):
            _fail(testcase, f"{snap} is not a symbolic link")
        target = os.readlink(snap)
        want = snapshot_link_target(path, cp["etag"])
        if target != want:
            _fail(testcase, f"{path}: link target {target!r}, expected {want!r}")
        blob = cp["blob"]
        if os.path.islink(blob) or not os.path.isfile(blob):
            _fail(testcase, f"{blob} is not a regular file")
        with open(blob, "rb") as f:
            data = f.read()
        if data != pair.file_bytes(repo_id, path, revision, repo_type):
            _fail(testcase, f"{path}: blob bytes differ from the fixture")
        if content_hash(data, cp["etag"]) != cp["etag"]:
            _fail(testcase, f"{path}: blob does not hash to its name")
    if ref and revision != commit:
        with open(os.path.join(cache_dir, repo_folder_name(repo_id, repo_type), "refs",
                               revision), "rb") as f:
            got = f.read()
        if got != commit.encode():
            _fail(testcase, f"refs/{revision} holds {got!r}, expected {commit!r}")


def cdn_blob_gets(cdn) -> dict:
    """{sha256: [range or None, ...]} of the CDN's successful blob GETs."""
    out = {}
    for e in cdn.requests(r"^/repos/", method="GET"):
        if e.get("status") not in (200, 206):
            continue
        sha = e["path"].split("?", 1)[0].rsplit("/", 1)[1]
        out.setdefault(sha, []).append(e.get("range"))
    return out


def range_bytes(rng, size) -> int:
    """Bytes a "bytes=a-b" / "bytes=a-" request covers in a file of `size`."""
    if not rng:
        return size
    a, _, b = rng.split("=", 1)[1].partition("-")
    return (int(b) if b else size - 1) - int(a) + 1


def spawn_hf(sandbox, args, env=None, prog=None):
    """Start hf ARGS in the sandbox without waiting (for kill, SIGINT and
    concurrent runs). Returns a Popen with stdout/stderr pipes (bytes);
    read them with .communicate(). Killed at interpreter exit."""
    exe, argv = sandbox._argv(args, prog)
    p = subprocess.Popen(argv, executable=exe, env=sandbox.env(env), stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=sandbox.cwd)
    _register(p)
    return p


def finish_hf(sandbox, proc, timeout=60):
    """Wait for a spawn_hf() process; returns a CompletedProcess like
    Sandbox.run (sanitizer reports fail the test). A timeout kills it and
    fails the test."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        _unregister(proc)
        _fail(sandbox.testcase, f"hf {proc.args[1:]} did not finish within {timeout}s\n"
                                f"--- stderr\n{err.decode('utf-8', 'replace')}")
    _unregister(proc)
    r = subprocess.CompletedProcess(proc.args, proc.returncode, out.decode("utf-8", "replace"),
                                    err.decode("utf-8", "replace"))
    r.stdout_bytes, r.stderr_bytes = out, err
    if proc.returncode >= 0:
        sandbox.check_sanitizer(r.returncode, r.stderr, f"hf {proc.args[1:]}")
    return r


def wait_until(predicate, timeout, interval=0.05):
    """Poll predicate() until it returns a true value (returned) or timeout (None)."""
    deadline = time.monotonic() + timeout
    while True:
        v = predicate()
        if v:
            return v
        if time.monotonic() > deadline:
            return None
        time.sleep(interval)

"""Man pages, shell completion and output conventions of `hf` (issue 7).

- Man pages: one per command and subcommand, generated from --help by
  scripts/gen-man.py; every option of the help is on its page; the roff is
  well formed (checked in python; with groff/man too when installed); the
  build's pages (build/man/man1) are what the binary prints now.
- Completion: the generated lists in completions/ match --help; bash
  completes commands, subcommands, every flag of every command, option
  values and repo ids from a cache built by hand; zsh and fish parse
  (and fish completes) when those shells are installed.
- Output: the JSON of every command that runs without a hub parses and has
  exactly the fields docs/cli.md documents; no escape sequence on a pipe or
  with NO_COLOR, colour on a terminal; the download progress line only on
  a terminal, without escapes under NO_COLOR.

    cd tests/integration && HF_BIN=/path/to/hf python3 -m unittest -v test_man_completion
"""

import functools
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

REPO = harness.REPO_ROOT
GEN = os.path.join(REPO, "scripts", "gen-man.py")
COMPLETIONS = os.path.join(REPO, "completions")
CLI_MD = os.path.join(REPO, "docs", "cli.md")
ESC = b"\x1b"


def load_gen():
    spec = importlib.util.spec_from_file_location("gen_man", GEN)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


gen = load_gen()


def hf_path():
    return harness.hf_bin()


def build_dir():
    return os.path.dirname(hf_path())


_TREES = {}


def trees():
    """gen-man's parse of `hf` and `huggingface-cli` (once per run)."""
    if not _TREES:
        _TREES.update({p: gen.parse_tree(hf_path(), p) for p in gen.PROGS})
    return _TREES


def help_text(words, prog="hf"):
    return _help_text(tuple(words), prog)


@functools.lru_cache(maxsize=None)
def _help_text(words, prog):
    r = subprocess.run([prog] + list(words) + ["--help"], executable=hf_path(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                       env=dict(os.environ, ASAN_OPTIONS="detect_leaks=0"))
    assert r.returncode == 0, (words, r.stderr)
    return r.stdout


def help_long_options(text):
    """Long options of a help's Options: section, read with a plain regex (not gen-man's parser)."""
    opts = set()
    inside = False
    for line in text.splitlines():
        if line.strip() in ("Options:", "Global options:"):
            inside = True
            continue
        if inside and not line.strip():
            break
        if inside:
            spec = re.split(r"\s{2,}", line.strip())[0]
            opts.update(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", spec))
    return opts


def leaf_paths(tree):
    return [n["words"] for n, _ in gen.walk(tree) if "subcommands" not in n]


def make_cache(root):
    """A cache by hand: model acme/tiny (main, v1.0), model gpt2, dataset acme/data."""
    def repo(folder, files, commit, refs=("main",)):
        d = os.path.join(root, folder)
        snap = os.path.join(d, "snapshots", commit)
        os.makedirs(os.path.join(d, "blobs"), exist_ok=True)
        os.makedirs(os.path.join(d, "refs"), exist_ok=True)
        os.makedirs(snap, exist_ok=True)
        for ref in refs:
            with open(os.path.join(d, "refs", ref), "w") as f:
                f.write(commit)
        for name, data in files.items():
            h = hashlib.sha256(data).hexdigest()
            with open(os.path.join(d, "blobs", h), "wb") as f:
                f.write(data)
            os.symlink(os.path.join("..", "..", "blobs", h), os.path.join(snap, name))
        return d
    repo("models--acme--tiny", {"config.json": b"{}\n", "model.bin": b"x" * 2000}, "a" * 40,
         ("main", "v1.0"))
    repo("models--gpt2", {"config.json": b'{"n": 1}\n'}, "c" * 40)
    repo("datasets--acme--data", {"a.csv": b"1,2\n"}, "b" * 40)
    return root


# --------------------------------------------------------------------------
# Man pages
# --------------------------------------------------------------------------

KNOWN_MACROS = {"TH", "SH", "SS", "TP", "PP", "RS", "RE", "nf", "fi", "B", "I", "BR", "IR",
                "nh", '\\"'}


def roff_text(page):
    """The page's text with roff escapes resolved enough to search for options."""
    return re.sub(r"\\f[BIRP]", "", page).replace("\\-", "-").replace("\\e", "\\").replace("\\&", "")


class ManPageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="hf-man-")
        cls.fresh = os.path.join(cls.tmp, "man1")
        cls.names = gen.write_man(hf_path(), cls.fresh, REPO, [trees()[p] for p in gen.PROGS])
        cls.tree = trees()["hf"]

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def page(self, name):
        path = os.path.join(self.fresh, name + ".1")
        self.assertTrue(os.path.isfile(path), f"no man page {name}.1 (have {self.names})")
        with open(path, encoding="utf-8") as f:
            return f.read()

    def test_a_page_for_every_command(self):
        want = {"hf.1", "huggingface-cli.1"}
        for node, _ in gen.walk(self.tree):
            want.add("hf-" + "-".join(node["words"]) + ".1")
        self.assertEqual(set(self.names), want)
        # The brief's examples, and every command the top help lists.
        for name in ("hf-download", "hf-auth-login", "hf-cache-ls", "hf-cache-verify", "hf-auth",
                     "hf-cache", "hf-whoami", "hf-env", "hf-version"):
            self.assertIn(name + ".1", self.names)
        for cmd in re.findall(r"(?m)^  ([a-z][a-z-]*)\s", help_text([]).split("Global options:")[0]):
            self.assertIn(f"hf-{cmd}.1", self.names)

    def test_sections(self):
        for name in self.names:
            with self.subTest(page=name):
                page = self.page(name[:-2])
                self.assertRegex(page, r'(?m)^\.TH "%s" "1" ' % re.escape(name[:-2].upper()))
                sections = re.findall(r"(?m)^\.SH (.+)$", page)
                for s in ("NAME", "SYNOPSIS", "DESCRIPTION", "EXIT STATUS", "SEE ALSO"):
                    self.assertIn(s, sections)
                self.assertTrue("OPTIONS" in sections or "COMMANDS" in sections, sections)
                if name != "hf.1":
                    self.assertIn("\\fBhf\\fR(1)", page)
        hf1 = self.page("hf")
        self.assertIn("ENVIRONMENT", re.findall(r"(?m)^\.SH (.+)$", hf1))
        env = roff_text(hf1.split(".SH ENVIRONMENT")[1].split(".SH ")[0])
        for var in ("HF_TOKEN", "HF_HOME", "HF_HUB_CACHE", "HF_ENDPOINT", "HF_HUB_OFFLINE", "NO_COLOR"):
            self.assertIn(var, env)
        # EXIT STATUS is the table of docs/EXIT-CODES.md.
        codes = gen.read_exit_codes(REPO)
        self.assertIn(("130", "interrupted"), codes)
        status = self.page("hf-download").split(".SH EXIT STATUS")[1].split(".SH ")[0]
        self.assertEqual(re.findall(r"(?m)^\.B (\d+)$", status), [c for c, _ in codes])

    def test_every_option_on_its_page(self):
        """Read from each --help with a plain regex, not with the generator's parser."""
        for node, _ in gen.walk(self.tree):
            with self.subTest(command=node["words"]):
                text = roff_text(self.page("hf-" + "-".join(node["words"])))
                want = help_long_options(help_text(node["words"]))
                if "subcommands" not in node:
                    self.assertIn("--help", want)
                opts_section = text.split(".SH OPTIONS")[-1] if ".SH OPTIONS" in text else ""
                for opt in want:
                    self.assertRegex(opts_section, r"(?m)^\.TP\n.*(?<![\w-])" + re.escape(opt) + r"(?![\w-])")
                if "subcommands" in node:
                    for sub in node["subcommands"]:
                        self.assertIn("hf-" + "-".join(sub["words"]) + "(1)", text)
        top = roff_text(self.page("hf"))
        for opt in help_long_options(help_text([])):
            self.assertIn(opt, top)
        legacy = roff_text(self.page("huggingface-cli"))
        for cmd in ("scan-cache", "delete-cache"):
            for opt in help_long_options(help_text([cmd], prog="huggingface-cli")):
                self.assertIn(opt, legacy.split(".SH " + cmd.upper())[1])

    def test_roff_structure(self):
        """Only known macros, .TH first, balanced .nf/.fi and .RS/.RE, escaped hyphens."""
        for name in self.names:
            with self.subTest(page=name):
                lines = self.page(name[:-2]).splitlines()
                macros = [ln for ln in lines if ln.startswith(".")]
                self.assertTrue(macros[0].startswith('.\\"'), macros[0])
                self.assertTrue(macros[1].startswith(".TH "), macros[1])
                depth = {"nf": 0, "RS": 0}
                for ln in lines:
                    self.assertFalse(ln.startswith("'"), ln)
                    if not ln.startswith("."):
                        # Escapes are the few the generator writes; no bare hyphen.
                        self.assertEqual(re.findall(r"\\(?!f[BIR]|-|e|&)", ln), [], ln)
                        self.assertNotRegex(ln, r"(?<!\\)-", ln)
                        continue
                    m = re.match(r"^\.(\S+)", ln)
                    self.assertIn(m.group(1), KNOWN_MACROS, ln)
                    if m.group(1) in ("nf", "RS"):
                        depth[m.group(1)] += 1
                    elif m.group(1) in ("fi", "RE"):
                        key = "nf" if m.group(1) == "fi" else "RS"
                        depth[key] -= 1
                        self.assertGreaterEqual(depth[key], 0, ln)
                self.assertEqual(depth, {"nf": 0, "RS": 0})

    def test_renders(self):
        groff, man = shutil.which("groff"), shutil.which("man")
        if not groff and not man:
            self.skipTest("neither groff nor man is installed (the roff is checked in python)")
        for name in self.names:
            path = os.path.join(self.fresh, name)
            with self.subTest(page=name):
                if groff:
                    r = subprocess.run([groff, "-man", "-Tutf8", "-ww", "-z", path],
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       universal_newlines=True)
                    self.assertEqual((r.returncode, r.stderr), (0, ""))
                if man and name in ("hf.1", "hf-download.1", "hf-cache.1"):
                    r = subprocess.run([man, "-l", path], stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, universal_newlines=True,
                                       env=dict(os.environ, MANWIDTH="80", MANPAGER="cat",
                                                PAGER="cat", MAN_KEEP_FORMATTING=""))
                    self.assertEqual(r.returncode, 0, r.stderr)
                    self.assertIn("NAME", r.stdout)
                    self.assertIn(name[:-2], r.stdout)
        if man:
            r = subprocess.run([man, "-l", os.path.join(self.fresh, "hf-download.1")],
                               stdout=subprocess.PIPE, universal_newlines=True,
                               env=dict(os.environ, MANWIDTH="80", MANPAGER="cat", PAGER="cat"))
            out = re.sub(r".\x08", "", r.stdout)
            self.assertIn("--revision REV", out)

    def test_build_pages_are_current(self):
        """build/man/man1 holds exactly what the generator writes from this hf (cannot drift)."""
        cache = os.path.join(build_dir(), "CMakeCache.txt")
        enabled = False
        if os.path.isfile(cache):
            with open(cache) as f:
                enabled = re.search(r"(?m)^HF_MAN_PAGES:BOOL=(ON|1|TRUE|YES)$", f.read()) is not None
        built = os.path.join(build_dir(), "man", "man1")
        if not enabled and not os.path.isdir(built):
            self.skipTest("this build does not generate man pages (HF_MAN_PAGES off or not configured)")
        self.assertTrue(os.path.isdir(built), f"{built} missing: build the 'man' target")
        self.assertEqual(sorted(f for f in os.listdir(built) if f.endswith(".1")), sorted(self.names))
        for name in self.names:
            with open(os.path.join(built, name), encoding="utf-8") as a, \
                    open(os.path.join(self.fresh, name), encoding="utf-8") as b:
                self.assertEqual(a.read(), b.read(), f"{name} is stale: rebuild")


# --------------------------------------------------------------------------
# Completion
# --------------------------------------------------------------------------

BASH_DRIVER = r"""
source "$1"
shift
while IFS= read -r line; do
	eval "COMP_WORDS=($line)"
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_hf
	printf '%s\n' "${COMPREPLY[*]}"
done
"""


class CompletionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.trees = trees()

    def setUp(self):
        self.sb = harness.Sandbox(self)
        self.cache = make_cache(self.sb.hub_cache)
        os.makedirs(self.sb.hf_home, exist_ok=True)
        with open(self.sb.stored_tokens_path, "w") as f:
            f.write("[alice-laptop]\nhf_token = hf_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaawxyz\n\n"
                    "[bob-ci]\nhf_token = hf_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbabcd\n")

    def env(self):
        return self.sb.env({"HF_HUB_OFFLINE": "1"})

    def bash(self, lines):
        """COMPREPLY (as a list) for each command line, given as bash words."""
        if not shutil.which("bash"):
            self.skipTest("bash is not installed")
        r = subprocess.run(["bash", "-c", BASH_DRIVER, "bash", os.path.join(COMPLETIONS, "hf.bash")],
                           input="\n".join(lines) + "\n", stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True, env=self.env(),
                           cwd=self.sb.cwd, timeout=60)
        self.assertEqual((r.returncode, r.stderr), (0, ""))
        out = r.stdout.split("\n")[:len(lines)]
        self.assertEqual(len(out), len(lines), r.stdout)
        return [o.split() for o in out]

    def test_generated_lists_match_help(self):
        stale = gen.completions(hf_path(), REPO, update=False, trees=[trees()[p] for p in gen.PROGS])
        self.assertEqual(stale, [], "run: python3 scripts/gen-man.py completions --hf BUILD/hf --update")

    def test_bash_commands_and_flags(self):
        hf = hf_path()
        q = lambda *w: " ".join(f"'{x}'" for x in (hf,) + w)  # noqa: E731
        got = self.bash([q("dow"), q("cache", ""), q("download", "--rev"), q(""),
                         q("auth", ""), q("auth", "ls", "--j"), q("cache", "ls", "--format", ""),
                         q("cache", "ls", "--format=j"), q("download", "--repo-type", "d"),
                         q("auth", "logout", "--token-name", ""), q("--env-file", self.sb.cwd[:-2])])
        self.assertEqual(got[0], ["download"])
        self.assertEqual(set(got[1]), {"info", "ls", "list", "rm", "delete", "prune", "verify"})
        self.assertEqual(got[2], ["--revision"])
        top = [n["words"][0] for n in self.trees["hf"]["commands"]]
        self.assertEqual(got[3], top)
        self.assertTrue({"login", "logout", "whoami", "status", "list", "switch", "token"} <= set(got[4]))
        self.assertEqual(got[5], ["--json"])
        self.assertEqual(got[6], ["human", "json", "quiet"])
        self.assertEqual(got[7], ["json"])
        self.assertEqual(got[8], ["dataset"])
        self.assertEqual(got[9], ["alice-laptop", "bob-ci"])
        self.assertEqual(got[10], [self.sb.cwd])

    def test_bash_every_flag_of_every_command(self):
        """`hf <command> --<TAB>` offers exactly the long options its --help prints."""
        lines, want = [], []
        for prog, tree in self.trees.items():
            for words in leaf_paths(tree):
                lines.append(" ".join([prog] + words + ["--"]))
                want.append(help_long_options(help_text(words, prog)) |
                            {"--no-" + o["long"] for n, _ in gen.walk(tree) if n["words"] == words
                             for o in n["options"] if o["negatable"]})
        for got, w, line in zip(self.bash(lines), want, lines):
            self.assertEqual(set(got), w, line)

    def test_bash_repo_ids_from_cache(self):
        hf = hf_path()
        q = lambda *w: " ".join(f"'{x}'" for x in (hf,) + w)  # noqa: E731
        got = self.bash([
            q("download", ""), q("download", "--repo-type", "dataset", ""), q("download", "acme/tiny", ""),
            q("cache", "rm", ""), q("cache", "verify", ""), q("cache", "verify", "--repo-type=dataset", ""),
            q("cache", "delete", "--repo-id", ""), q("cache", "delete", "--repo-type", "dataset", "--repo-id", ""),
            q("cache", "verify", "--cache-dir", self.sb.cwd, ""), q("download", "ac"),
        ])
        self.assertEqual(set(got[0]), {"acme/tiny", "gpt2", "datasets/acme/data"})
        self.assertEqual(got[1], ["acme/data"])
        self.assertEqual(got[2], [])  # FILENAMES are not cached repos
        self.assertEqual(set(got[3]), {"model/acme/tiny", "model/gpt2", "dataset/acme/data"})
        self.assertEqual(set(got[4]), {"acme/tiny", "gpt2"})
        self.assertEqual(got[5], ["acme/data"])
        self.assertEqual(set(got[6]), {"acme/tiny", "gpt2"})
        self.assertEqual(got[7], ["acme/data"])
        self.assertEqual(got[8], [])  # that --cache-dir is empty
        self.assertEqual(got[9], ["acme/tiny"])
        # What the completion reads: `hf cache ls -q` prints bare ids, so the
        # type comes from --format json's "id" ("model/acme/tiny").
        r = self.sb.run(["cache", "ls", "-q"], env={"HF_HUB_CACHE": self.cache})
        self.assertEqual(r.stdout.split(), ["acme/data", "acme/tiny", "gpt2"])

    def test_bash_legacy_name(self):
        got = self.bash(["huggingface-cli ''", "huggingface-cli scan-cache --", "huggingface-cli login --t"])
        top = [n["words"][0] for n in self.trees["huggingface-cli"]["commands"]]
        self.assertEqual(got[0], top)
        self.assertIn("scan-cache", got[0])
        self.assertEqual(set(got[1]), {"--dir", "--verbose", "--help"})
        self.assertEqual(set(got[2]), {"--token", "--token-stdin"})

    def test_zsh_parses(self):
        zsh = shutil.which("zsh")
        if not zsh:
            self.skipTest("zsh is not installed")
        path = os.path.join(COMPLETIONS, "hf.zsh")
        r = subprocess.run([zsh, "-n", path], stderr=subprocess.PIPE, universal_newlines=True)
        self.assertEqual((r.returncode, r.stderr), (0, ""))
        # Its data function answers (as _hf reads it) without compinit.
        r = subprocess.run([zsh, "-fc", f"compdef() {{ :; }}; source {path}; "
                            "_hf_data subcommands hf cache; _hf_data choices hf 'cache ls --format'"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        self.assertEqual((r.returncode, r.stderr), (0, ""))
        self.assertIn("verify:Re-hash cached files against the Hub's hashes", r.stdout.splitlines())
        self.assertEqual(r.stdout.splitlines()[-3:], ["human", "json", "quiet"])

    def test_fish(self):
        fish = shutil.which("fish")
        if not fish:
            self.skipTest("fish is not installed")
        path = os.path.join(COMPLETIONS, "hf.fish")
        r = subprocess.run([fish, "-n", path], stderr=subprocess.PIPE, universal_newlines=True)
        self.assertEqual((r.returncode, r.stderr), (0, ""))
        hf = hf_path()
        lines = ["hf dow", "hf cache ", "hf download --rev", f"{hf} download ", f"{hf} cache rm "]
        script = f"source {path}\n" + "".join(
            f"complete -C {json.dumps(ln)} | string split -f1 \\t | string join ' '; echo '#'\n"
            for ln in lines)
        r = subprocess.run([fish, "--no-config", "-c", script], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True, env=self.env(), timeout=60)
        self.assertEqual((r.returncode, r.stderr), (0, ""))
        got = [set(x.split()) for x in r.stdout.split("#\n")[:len(lines)]]
        self.assertEqual(got[0], {"download"})
        self.assertEqual(got[1], {"info", "ls", "list", "rm", "delete", "prune", "verify"})
        self.assertEqual(got[2], {"--revision"})
        self.assertEqual(got[3], {"acme/tiny", "gpt2", "datasets/acme/data"})
        self.assertEqual(got[4], {"model/acme/tiny", "model/gpt2", "dataset/acme/data"})


# --------------------------------------------------------------------------
# Output conventions
# --------------------------------------------------------------------------

def documented_fields(title):
    """Field names of the table under `### <title>` in docs/cli.md: {'': top, 'repos': item fields}."""
    with open(CLI_MD, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"(?m)^### " + re.escape(title) + r".*?\n(.*?)(?=^### |^## |\Z)", text, re.S)
    assert m, f"docs/cli.md has no section '### {title}'"
    fields = {}
    for name in re.findall(r"(?m)^\| `([a-z_\[\].]+)` \|", m.group(1)):
        parent, _, leaf = name.rpartition(".")
        fields.setdefault(parent.replace("[]", ""), set()).add(leaf)
    return fields


class OutputTest(unittest.TestCase):
    def setUp(self):
        self.sb = harness.Sandbox(self)
        self.cache = make_cache(self.sb.hub_cache)
        os.makedirs(self.sb.hf_home, exist_ok=True)

    def hf(self, *args, code=0, env=None):
        e = {"HF_HUB_OFFLINE": "1", "NO_COLOR": None}
        e.update(env or {})
        r = self.sb.run(list(args), env=e)
        self.assertEqual(r.returncode, code, f"hf {args}: {r.stdout}\n{r.stderr}")
        self.assertNotIn(ESC, r.stdout_bytes + r.stderr_bytes, f"hf {args}: escape on a pipe")
        return r

    def json_of(self, *args, code=0):
        r = self.hf(*args, code=code)
        try:
            return json.loads(r.stdout)
        except ValueError:
            self.fail(f"hf {args}: not JSON: {r.stdout!r}")

    def assertFields(self, obj, fields, where):
        self.assertEqual(set(obj), fields, f"{where}: fields differ from docs/cli.md")

    def write_tokens(self):
        with open(self.sb.stored_tokens_path, "w") as f:
            f.write("[alice-laptop]\nhf_token = hf_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaawxyz\n\n"
                    "[bob-ci]\nhf_token = hf_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbabcd\nexpires_at = 1700000000\n")
        self.sb.write_token("hf_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaawxyz", newline=False)

    def test_auth_list_json_and_quiet(self):
        self.assertEqual(self.json_of("auth", "list", "--format", "json"), [])
        self.write_tokens()
        doc = documented_fields("`hf auth list --format json`")
        for args in (["--format", "json"], ["--json"]):
            data = self.json_of("auth", "list", *args)
            self.assertEqual([d["name"] for d in data], ["alice-laptop", "bob-ci"])
            for d in data:
                self.assertFields(d, doc[""], "auth list")
            self.assertEqual([d["token"] for d in data], ["hf_****wxyz", "hf_****abcd"])
            self.assertEqual([d["active"] for d in data], [True, False])
            self.assertEqual([d["expires"] for d in data], [None, 1700000000])
        self.assertEqual(self.hf("auth", "list", "-q").stdout, "alice-laptop\nbob-ci\n")
        self.assertEqual(self.hf("auth", "ls", "--format", "quiet").stdout, "alice-laptop\nbob-ci\n")
        r = self.hf("auth", "list", "--json")
        harness.assert_no_token(self, "hf_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaawxyz", r)

    def test_cache_verify_json(self):
        doc = documented_fields("`hf cache verify --format json`")
        data = self.json_of("cache", "verify", "acme/tiny", "--format", "json")
        self.assertFields(data, doc[""], "cache verify")
        self.assertFields(data["mismatches"] and data["mismatches"][0] or {"file": 0, "problem": 0},
                          doc["mismatches"], "cache verify mismatches[]")
        self.assertEqual((data["repo_id"], data["repo_type"], data["revision"], data["verified"]),
                         ("acme/tiny", "model", "a" * 40, 2))
        self.assertEqual((data["mismatches"], data["missing"], data["extra"]), ([], [], []))
        self.assertEqual(self.hf("cache", "verify", "acme/tiny", "-q").stdout, "")
        self.assertEqual(self.json_of("cache", "verify", "acme/data", "--repo-type", "dataset",
                                      "--json")["verified"], 1)
        # A flipped blob: the report is still printed, the exit code is 8.
        blob = os.path.join(self.cache, "models--acme--tiny", "blobs", hashlib.sha256(b"x" * 2000).hexdigest())
        with open(blob, "wb") as f:
            f.write(b"y" * 2000)
        data = self.json_of("cache", "verify", "acme/tiny", "--json", code=8)
        self.assertEqual(data["verified"], 1)
        self.assertEqual([m["file"] for m in data["mismatches"]], ["model.bin"])
        self.assertFields(data["mismatches"][0], doc["mismatches"], "cache verify mismatches[]")
        self.assertRegex(data["mismatches"][0]["problem"], r"^hash mismatch: expected sha256 [0-9a-f]{64}")
        r = self.hf("cache", "verify", "acme/tiny", "-q", code=8)
        self.assertEqual(r.stdout, "")
        self.assertIn("Error: model.bin: hash mismatch", r.stderr)

    def test_documented_json_shapes(self):
        """Every JSON a command prints without a hub has the fields docs/cli.md lists."""
        self.write_tokens()
        self.assertFields(self.json_of("version", "--json"),
                          documented_fields("`hf version --format json`")[""], "version")
        doc = documented_fields("`hf auth status --format json`")
        data = self.json_of("auth", "status", "--no-check", "--json")
        self.assertFields(data, doc[""], "auth status")
        for s in data["sources"]:
            self.assertFields(s, doc["sources"], "auth status sources[]")
        self.assertIsNone(data["valid"])
        doc = documented_fields("`hf cache info --format json`")
        data = self.json_of("cache", "info", "--json")
        self.assertFields(data, doc[""], "cache info")
        self.assertEqual(len(data["repos"]), 3)
        for r in data["repos"]:
            self.assertFields(r, doc["repos"], "cache info repos[]")
            self.assertIsInstance(r["size_on_disk"], int)
            self.assertIsInstance(r["last_accessed"], int)
        doc = documented_fields("`hf cache ls --format json`")
        for args, extra in ((["--json"], set()), (["--revisions", "--json"], {"revision"})):
            data = self.json_of("cache", "ls", *args)
            self.assertEqual(len(data), 3)
            for r in data:
                self.assertFields(r, doc[""] - {"revision"} | extra, f"cache ls {args}")
        self.assertEqual([r["id"] for r in self.json_of("cache", "ls", "--json")],
                         ["dataset/acme/data", "model/acme/tiny", "model/gpt2"])
        # hf env: keys as listed (in prose) in docs/cli.md, values all strings.
        data = self.json_of("env", "--json")
        with open(CLI_MD, encoding="utf-8") as f:
            section = f.read().split("### `hf env --format json`")[1].split("###")[0]
        listed = {k for k in re.findall(r"`([^`]+)`", section.split("them):", 1)[1])
                  if not k.startswith('"')}
        self.assertEqual(set(data), listed)
        self.assertTrue(all(isinstance(v, str) for v in data.values()))

    def test_no_escapes_on_a_pipe(self):
        """Errors, warnings, tables: no escape sequence when not on a terminal, NO_COLOR or not."""
        for nc in (None, "1"):
            env = {"NO_COLOR": nc}
            self.hf("cache", "verify", "nosuch/repo", code=11, env=env)
            self.hf("bogus", code=2, env=env)
            self.hf("cache", "ls", env=env)
            self.hf("cache", "info", env=env)
            self.hf("auth", "status", "--no-check", env=env)
            self.hf("download", "acme/tiny", "config.json", code=0, env=env)

    def pty(self, args, env):
        e = {"HF_HUB_OFFLINE": "1"}
        e.update(env)
        return self.sb.run_pty(args, env=e)

    def test_colour_only_on_a_terminal_without_no_color(self):
        r = self.pty(["cache", "verify", "nosuch/repo"], {})
        self.assertEqual(r.returncode, 11, r.text)
        self.assertIn(b"\x1b[31mError:\x1b[0m", r.transcript)
        for nc in ("1", "yes"):
            r = self.pty(["cache", "verify", "nosuch/repo"], {"NO_COLOR": nc})
            self.assertEqual(r.returncode, 11, r.text)
            self.assertIn(b"Error:", r.transcript)
            self.assertNotIn(ESC, r.transcript)
        # An empty NO_COLOR does not count (no-color.org).
        r = self.pty(["cache", "verify", "nosuch/repo"], {"NO_COLOR": ""})
        self.assertIn(b"\x1b[31m", r.transcript)


class ProgressTest(unittest.TestCase):
    """The download progress line: terminal only; no escape sequences under NO_COLOR."""

    @classmethod
    def setUpClass(cls):
        cls.pair = harness.HubPair()

    @classmethod
    def tearDownClass(cls):
        cls.pair.stop()

    def test_progress_line(self):
        sb = harness.Sandbox(self, hub=self.pair)
        r = sb.run(["download", "acme/tiny"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")  # no progress on a pipe
        self.assertNotIn(ESC, r.stdout_bytes)
        r = sb.run_pty(["download", "acme/tiny", "--force-download"], env={"NO_COLOR": None})
        self.assertEqual(r.returncode, 0, r.text)
        self.assertIn(b"Fetching", r.transcript)
        self.assertIn(b"\r\x1b[K", r.transcript)
        r = sb.run_pty(["download", "acme/tiny", "--force-download"], env={"NO_COLOR": "1"})
        self.assertEqual(r.returncode, 0, r.text)
        self.assertIn(b"Fetching", r.transcript)
        self.assertNotIn(ESC, r.transcript)
        # The line is wiped with spaces before the result is printed.
        self.assertRegex(r.transcript, rb"\r +\r[^\r]*Downloaded")
        for args in (["-q"], ["--format", "json"]):
            r = sb.run_pty(["download", "acme/tiny", "--force-download", *args], env={"NO_COLOR": None})
            self.assertEqual(r.returncode, 0, r.text)
            self.assertNotIn(b"Fetching", r.transcript)
            self.assertNotIn(ESC, r.transcript)


if __name__ == "__main__":
    unittest.main()

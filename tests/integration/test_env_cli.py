"""Integration tests: hf env, hf version, the huggingface-cli compat name,
--help everywhere, usage errors, and --env-file.

    cd tests/integration && HF_BIN=../../build/hf python3 -m unittest -v test_env_cli
"""

import json
import os
import re
import unittest

import harness
from harness import FINE_TOKEN, READ_TOKEN, WRITE_TOKEN, token_hash


def project_version():
    with open(os.path.join(harness.REPO_ROOT, "CMakeLists.txt")) as f:
        m = re.search(r"project\(\s*hf\s+VERSION\s+([0-9][0-9.]*)", f.read())
    return m.group(1)


def env_rows(text):
    """The `- key: value` lines of `hf env` as a dict."""
    rows = {}
    for line in text.splitlines():
        if line.startswith("- ") and ": " in line:
            k, v = line[2:].split(": ", 1)
            rows[k] = v
        elif line.startswith("- ") and line.endswith(":"):
            rows[line[2:-1]] = ""
    return rows


class CliCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hub = harness.Hub()

    @classmethod
    def tearDownClass(cls):
        cls.hub.stop()

    def setUp(self):
        self.hub.reset()
        self.sb = harness.checked_sandbox(self, hub=self.hub, env={"GIT_CONFIG_NOSYSTEM": "1"})

    def hf(self, args, sb=None, **kw):
        return harness.run_checked(self, sb or self.sb, args, **kw)

    def env(self, extra=None):
        r = self.hf(["env"], env=extra)
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = env_rows(r.stdout)
        self.assertIn("ENDPOINT", rows, r.stdout)
        return rows


# --------------------------------------------------------------------------
# hf env
# --------------------------------------------------------------------------

class EnvTest(CliCase):
    def test_header_and_defaults(self):
        r = self.hf(["env"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Copy-and-paste the text below in your GitHub issue.", r.stdout)
        rows = env_rows(r.stdout)
        sb = self.sb
        self.assertEqual(rows["ENDPOINT"], f"{self.hub.url} (from HF_ENDPOINT)")
        self.assertEqual(rows["HF_HOME"], f"{sb.hf_home} (from default)")
        self.assertEqual(rows["HF_HUB_CACHE"], f"{sb.hub_cache} (from default)")
        self.assertEqual(rows["HF_TOKEN_PATH"], f"{sb.token_path} (from default)")
        self.assertEqual(rows["HF_STORED_TOKENS_PATH"], sb.stored_tokens_path)
        self.assertEqual(rows["HF_HUB_OFFLINE"], "False")
        self.assertEqual(rows["HF_HUB_DISABLE_PROGRESS_BARS"], "None")
        self.assertEqual(rows["HF_HUB_ETAG_TIMEOUT"], "10")
        self.assertEqual(rows["HF_HUB_DOWNLOAD_TIMEOUT"], "10")
        self.assertEqual(rows["Token source"], "none")
        self.assertEqual(self.hub.count(), 0)

    def test_default_endpoint(self):
        rows = self.env({"HF_ENDPOINT": None})
        self.assertEqual(rows["ENDPOINT"], "https://huggingface.co (from default)")
        rows = self.env({"HF_ENDPOINT": self.hub.url + "//"})
        self.assertEqual(rows["ENDPOINT"], f"{self.hub.url} (from HF_ENDPOINT)")

    def test_hf_home_moves_everything(self):
        home = os.path.join(self.sb.root, "hfh")
        rows = self.env({"HF_HOME": home})
        self.assertEqual(rows["HF_HOME"], f"{home} (from HF_HOME)")
        self.assertEqual(rows["HF_HUB_CACHE"], f"{home}/hub (from HF_HOME)")
        self.assertEqual(rows["HF_TOKEN_PATH"], f"{home}/token (from HF_HOME)")
        self.assertEqual(rows["HF_STORED_TOKENS_PATH"], f"{home}/stored_tokens")
        self.assertEqual(rows["HF_ASSETS_CACHE"], f"{home}/assets")
        self.assertFalse(os.path.exists(home), "hf env must not create directories")

    def test_hf_home_expands_home(self):
        rows = self.env({"HF_HOME": "~/hfx"})
        self.assertEqual(rows["HF_HOME"], f"{self.sb.home}/hfx (from HF_HOME)")

    def test_xdg_cache_home(self):
        xdg = os.path.join(self.sb.root, "xdg")
        rows = self.env({"XDG_CACHE_HOME": xdg})
        self.assertEqual(rows["HF_HOME"], f"{xdg}/huggingface (from XDG_CACHE_HOME)")
        self.assertEqual(rows["HF_TOKEN_PATH"], f"{xdg}/huggingface/token (from XDG_CACHE_HOME)")
        rows = self.env({"XDG_CACHE_HOME": xdg, "HF_HOME": "/srv/hf"})
        self.assertEqual(rows["HF_HOME"], "/srv/hf (from HF_HOME)")

    def test_hub_cache_precedence(self):
        new, old = os.path.join(self.sb.root, "new"), os.path.join(self.sb.root, "old")
        rows = self.env({"HUGGINGFACE_HUB_CACHE": old})
        self.assertEqual(rows["HF_HUB_CACHE"], f"{old} (from HUGGINGFACE_HUB_CACHE)")
        rows = self.env({"HUGGINGFACE_HUB_CACHE": old, "HF_HUB_CACHE": new})
        self.assertEqual(rows["HF_HUB_CACHE"], f"{new} (from HF_HUB_CACHE)")
        rows = self.env({"HF_HUB_CACHE": new, "HF_HOME": "/srv/hf"})
        self.assertEqual(rows["HF_HUB_CACHE"], f"{new} (from HF_HUB_CACHE)")
        self.assertEqual(rows["HF_TOKEN_PATH"], "/srv/hf/token (from HF_HOME)")

    def test_token_path(self):
        p = os.path.join(self.sb.root, "t", "mytok")
        rows = self.env({"HF_TOKEN_PATH": p, "HF_HOME": "/srv/hf"})
        self.assertEqual(rows["HF_TOKEN_PATH"], f"{p} (from HF_TOKEN_PATH)")
        self.assertEqual(rows["HF_STORED_TOKENS_PATH"], os.path.join(self.sb.root, "t",
                                                                      "stored_tokens"))
        self.assertEqual(rows["Token path ?"], p)

    def test_booleans_use_official_parsing(self):
        names = ("HF_HUB_OFFLINE", "HF_HUB_DISABLE_TELEMETRY", "HF_HUB_DISABLE_IMPLICIT_TOKEN",
                 "HF_HUB_DISABLE_PROGRESS_BARS")
        for value, expect in (("1", "True"), ("ON", "True"), ("yes", "True"), ("true", "True"),
                              ("TRUE", "True"), ("On", "True"), ("0", "False"), ("no", "False"),
                              ("", "False"), ("false", "False"), ("2", "False"), ("y", "False"),
                              (" 1", "False"), ("enabled", "False")):
            with self.subTest(value=value):
                rows = self.env({n: value for n in names})
                for n in names:
                    self.assertEqual(rows[n], expect, n)
        self.assertEqual(self.env({"TRANSFORMERS_OFFLINE": "yes"})["HF_HUB_OFFLINE"], "True")
        self.assertEqual(self.env({"DO_NOT_TRACK": "1"})["HF_HUB_DISABLE_TELEMETRY"], "True")
        self.assertEqual(self.env({"HF_HUB_OFFLINE": "0", "TRANSFORMERS_OFFLINE": "0"})
                         ["HF_HUB_OFFLINE"], "False")

    def test_timeouts(self):
        for value, shown in (("30", "30"), ("0", "10"), (" 7 ", "7"), ("1_0", "10"),
                             ("+5", "5"), ("", "10")):
            with self.subTest(value=value):
                rows = self.env({"HF_HUB_ETAG_TIMEOUT": value, "HF_HUB_DOWNLOAD_TIMEOUT": value})
                self.assertEqual(rows["HF_HUB_ETAG_TIMEOUT"], shown)
                self.assertEqual(rows["HF_HUB_DOWNLOAD_TIMEOUT"], shown)

    def test_invalid_timeout_is_a_usage_error(self):
        for var in ("HF_HUB_ETAG_TIMEOUT", "HF_HUB_DOWNLOAD_TIMEOUT"):
            for value in ("abc", "1.5", "-5", "10s", "1__0"):
                with self.subTest(var=var, value=value):
                    r = self.hf(["env"], env={var: value})
                    self.assertEqual(r.returncode, 2, r.stdout)
                    self.assertIn(var, r.stderr)
                    self.assertIn(value, r.stderr)
                    self.assertIn("whole number", r.stderr)
                    self.assertEqual(r.stdout, "")
        # Every command reads the configuration, not only hf env.
        r = self.hf(["auth", "whoami"], env={"HF_HUB_ETAG_TIMEOUT": "abc",
                                             "HF_TOKEN": READ_TOKEN})
        self.assertEqual(r.returncode, 2)
        self.assertEqual(self.hub.count(), 0)

    def test_token_source_is_masked(self):
        rows = self.env({"HF_TOKEN": READ_TOKEN})
        self.assertEqual(rows["Token source"], "HF_TOKEN (hf_****wxyz)")
        self.sb.write_token(WRITE_TOKEN)
        rows = self.env()
        self.assertEqual(rows["Token source"], "token file (hf_****abcd)")
        self.assertEqual(rows["Has saved token ?"], "True")
        rows = self.env({"HUGGING_FACE_HUB_TOKEN": FINE_TOKEN})
        self.assertEqual(rows["Token source"], "HUGGING_FACE_HUB_TOKEN (hf_****fine)")
        self.assertEqual(self.hub.count(), 0, "hf env must not use the network")

    def test_proxy_credentials_are_masked(self):
        cases = (
            ("HTTPS_PROXY", "http://bob:s3cr3tPassw0rd@127.0.0.1:3128",
             "http://****@127.0.0.1:3128"),
            ("https_proxy", "http://bob:s3cr3tPassw0rd@proxy.example:8080/",
             "http://****@proxy.example:8080/"),
            ("HTTP_PROXY", "socks5h://bob:s3cr3t@Passw0rd@10.0.0.1:1080",
             "socks5h://****@10.0.0.1:1080"),
            ("http_proxy", "bob:s3cr3tPassw0rd@10.0.0.1:1080", "****@10.0.0.1:1080"),
        )
        for var, value, shown in cases:
            with self.subTest(var=var):
                r = self.hf(["env"], env={var: value})
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertNotIn("s3cr3t", r.stdout + r.stderr)
                self.assertNotIn("bob", r.stdout + r.stderr)
                rows = env_rows(r.stdout)
                self.assertEqual(rows[var.upper()], shown)
        rows = self.env({"HTTPS_PROXY": "http://127.0.0.1:3128", "NO_PROXY": "127.0.0.1"})
        self.assertEqual(rows["HTTPS_PROXY"], "http://127.0.0.1:3128")
        self.assertEqual(rows["NO_PROXY"], "127.0.0.1")

    def test_git_helpers_shown(self):
        self.assertEqual(self.env()["Configured git credential helpers"], "")
        harness.git_config_global(self.sb, "credential.helper", "store")
        self.assertEqual(self.env()["Configured git credential helpers"], "store")

    def test_json(self):
        for args in (["env", "--json"], ["env", "--format", "json"]):
            with self.subTest(args=args):
                r = self.hf(args, env={"HF_TOKEN": READ_TOKEN, "HF_HOME": "/srv/hf"})
                self.assertEqual(r.returncode, 0, r.stderr)
                d = json.loads(r.stdout)
                self.assertEqual(d["ENDPOINT"], f"{self.hub.url} (from HF_ENDPOINT)")
                self.assertEqual(d["HF_HUB_CACHE"], "/srv/hf/hub (from HF_HOME)")
                self.assertEqual(d["Token source"], "HF_TOKEN (hf_****wxyz)")
                self.assertEqual(d["HF_HUB_OFFLINE"], "False")


# --------------------------------------------------------------------------
# Version and the huggingface-cli name
# --------------------------------------------------------------------------

class VersionTest(CliCase):
    def setUp(self):
        super().setUp()
        self.version = project_version()

    def test_version_human(self):
        r = self.hf(["version"])
        self.assertEqual((r.returncode, r.stdout, r.stderr),
                         (0, f"\u2713 hf version\n  version: {self.version}\n", ""))
        for env in ({"LANG": "C"}, {"LANG": "C.UTF-8", "LC_ALL": "C"}, {"LANG": None}):
            with self.subTest(env=env):
                r = self.hf(["version"], env=env)
                self.assertEqual(r.stdout, f"[OK] hf version\n  version: {self.version}\n")

    def test_version_other_formats(self):
        self.assertEqual(self.hf(["version", "-q"]).stdout, self.version + "\n")
        self.assertEqual(json.loads(self.hf(["version", "--json"]).stdout),
                         {"version": self.version})
        self.assertEqual(self.hf(["version", "--format", "agent"]).stdout,
                         f"version={self.version}\n")

    def test_bare_version_flags(self):
        for flag in ("--version", "-v"):
            with self.subTest(flag=flag):
                r = self.hf([flag])
                self.assertEqual((r.returncode, r.stdout), (0, self.version + "\n"))

    def test_huggingface_cli_version(self):
        r = self.hf(["version"], prog="huggingface-cli")
        self.assertEqual((r.returncode, r.stdout),
                         (0, f"huggingface-cli, version {self.version}\n"))
        r = self.hf(["--version"], prog="huggingface-cli")
        self.assertEqual(r.stdout, self.version + "\n")


class HuggingfaceCliTest(CliCase):
    def cli(self, args, **kw):
        return self.hf(args, prog="huggingface-cli", **kw)

    def test_login_whoami_logout(self):
        r = self.cli(["login", "--token", READ_TOKEN])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Login successful.", r.stdout)
        with open(self.sb.token_path) as f:
            self.assertEqual(f.read(), READ_TOKEN)
        r = self.cli(["whoami"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.splitlines()[0], "username: alice")
        self.assertEqual([e["auth"] for e in self.hub.requests("whoami")],
                         [token_hash(READ_TOKEN)] * 2)
        r = self.cli(["auth", "list"])
        self.assertIn("alice-laptop", r.stdout)
        r = self.cli(["logout"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Successfully logged out from all access tokens.", r.stdout)
        self.assertFalse(os.path.exists(self.sb.token_path))

    def test_env(self):
        r = self.cli(["env"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("ENDPOINT", env_rows(r.stdout))

    def test_help_names_huggingface_cli(self):
        r = self.cli(["--help"])
        self.assertEqual(r.returncode, 0)
        self.assertIn("Usage: huggingface-cli", r.stdout)
        for verb in ("login", "logout", "whoami", "env", "version"):
            self.assertRegex(r.stdout, rf"(?m)^\s+{verb}\s")

    def test_hf_only_verbs_are_not_legacy(self):
        r = self.cli(["status"])
        self.assertEqual(r.returncode, 2)
        r = self.hf(["login", "--token", READ_TOKEN])
        self.assertEqual(r.returncode, 2, "'hf login' is not a command; 'hf auth login' is")
        self.assertFalse(os.path.exists(self.sb.token_path))


# --------------------------------------------------------------------------
# Help and usage errors
# --------------------------------------------------------------------------

def listed_commands(help_text, section):
    """Names listed under `section:` in a help text (two-space indented)."""
    out, inside = [], False
    for line in help_text.splitlines():
        if line.strip() == section + ":":
            inside = True
            continue
        if inside:
            m = re.match(r"^  (\S+)\s", line)
            if not m:
                if line.strip():
                    break
                if out:
                    break
                continue
            out.append(m.group(1))
    return out


class HelpTest(CliCase):
    def assertHelp(self, args, prog=None):
        r = self.hf(args, prog=prog)
        self.assertEqual(r.returncode, 0, f"{args}: {r.stderr}")
        self.assertIn("Usage:", r.stdout, args)
        self.assertEqual(r.stderr, "", args)
        return r.stdout

    def test_help_everywhere(self):
        top = self.assertHelp(["--help"])
        self.assertEqual(self.assertHelp(["-h"]), top)
        cmds = listed_commands(top, "Commands")
        self.assertTrue({"auth", "env", "version", "whoami"} <= set(cmds), cmds)
        for cmd in cmds:
            with self.subTest(cmd=cmd):
                text = self.assertHelp([cmd, "--help"])
                for sub in listed_commands(text, "Subcommands"):
                    with self.subTest(sub=sub):
                        self.assertHelp([cmd, sub, "--help"])
        auth = listed_commands(self.assertHelp(["auth", "--help"]), "Subcommands")
        self.assertTrue({"login", "logout", "whoami", "status", "list", "switch", "token"}
                        <= set(auth), auth)
        self.assertHelp(["auth", "ls", "--help"])
        self.assertHelp(["auth", "login", "-h"])
        self.assertEqual(self.hub.count(), 0)

    def test_help_for_huggingface_cli(self):
        top = self.assertHelp(["--help"], prog="huggingface-cli")
        cmds = listed_commands(top, "Commands")
        self.assertTrue({"login", "logout", "whoami", "env", "version"} <= set(cmds), cmds)
        for cmd in cmds:
            with self.subTest(cmd=cmd):
                self.assertHelp([cmd, "--help"], prog="huggingface-cli")

    def test_help_lists_options(self):
        text = self.assertHelp(["auth", "login", "--help"])
        for opt in ("--token", "--token-stdin", "--add-to-git-credential", "--force"):
            self.assertIn(opt, text)
        text = self.assertHelp(["auth", "logout", "--help"])
        self.assertIn("--token-name", text)

    def test_usage_errors_exit_2(self):
        cases = (
            [], ["bogus"], ["--bogus"], ["auth"], ["auth", "bogus"],
            ["auth", "login", "--bogus"], ["auth", "whoami", "--format", "xml"],
            ["env", "--bogus"], ["env", "extra-arg"], ["version", "--format", "xml"],
            ["auth", "logout", "--token-name"], ["auth", "login", "--force=yes"],
            ["--env-file"],
        )
        for args in cases:
            with self.subTest(args=args):
                r = self.hf(args)
                self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
                self.assertNotEqual(r.stderr, "")
        r = self.hf(["bogus"])
        self.assertIn("bogus", r.stderr)
        self.assertEqual(self.hub.count(), 0)


# --------------------------------------------------------------------------
# --env-file
# --------------------------------------------------------------------------

class EnvFileTest(CliCase):
    def setUp(self):
        super().setUp()
        self.sb.allow_token_files.append(".env")
        self.path = os.path.join(self.sb.root, "cfg", ".env")
        os.makedirs(os.path.dirname(self.path))

    def write(self, text):
        with open(self.path, "w") as f:
            f.write(text)

    def auth_hashes(self):
        return [e["auth"] for e in self.hub.requests("whoami")]

    def test_loads_token(self):
        self.write(f"# my settings\nHF_TOKEN={READ_TOKEN}\n")
        r = self.hf(["--env-file", self.path, "auth", "whoami"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("username: alice", r.stdout)
        self.assertEqual(self.auth_hashes(), [token_hash(READ_TOKEN)])
        r = self.hf([f"--env-file={self.path}", "whoami", "-q"])
        self.assertEqual(r.stdout, "alice\n")

    def test_python_dotenv_syntax(self):
        self.write(f"export HF_TOKEN=\"{FINE_TOKEN}\"  # comment\n"
                   "HF_HOME='/srv/from env file'\n")
        r = self.hf(["--env-file", self.path, "auth", "whoami", "-q"])
        self.assertEqual((r.returncode, r.stdout), (0, "bob\n"), r.stderr)
        r = self.hf(["--env-file", self.path, "env"])
        rows = env_rows(r.stdout)
        self.assertEqual(rows["HF_HOME"], "/srv/from env file (from HF_HOME)")
        self.assertEqual(rows["Env file"], self.path)

    def test_existing_variable_wins(self):
        self.write(f"HF_TOKEN={READ_TOKEN}\n")
        r = self.hf(["--env-file", self.path, "auth", "whoami", "-q"],
                    env={"HF_TOKEN": WRITE_TOKEN})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.auth_hashes(), [token_hash(WRITE_TOKEN)])

    def test_env_file_endpoint(self):
        self.write(f"HF_ENDPOINT={self.hub.url}\nHF_TOKEN={READ_TOKEN}\n")
        r = self.hf(["--env-file", self.path, "auth", "whoami", "-q"],
                    env={"HF_ENDPOINT": None})
        self.assertEqual((r.returncode, r.stdout), (0, "alice\n"), r.stderr)

    def test_missing_file(self):
        missing = os.path.join(self.sb.root, "nope.env")
        r = self.hf(["--env-file", missing, "auth", "whoami"], env={"HF_TOKEN": READ_TOKEN})
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(missing, r.stderr)
        self.assertIn("env file", r.stderr)
        self.assertEqual(r.stdout, "")
        self.assertEqual(self.hub.count(), 0)

    def test_directory_is_not_an_env_file(self):
        r = self.hf(["--env-file", self.sb.root, "env"])
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("env file", r.stderr)


if __name__ == "__main__":
    unittest.main()

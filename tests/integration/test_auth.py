"""Integration tests: hf auth login / whoami / status / list / switch / token /
logout, token priority and token files, against the test hub.

Every command's stdout and stderr is checked for every known token (except
`hf auth token`, whose job is to print it), and every sandbox is scanned for
tokens before removal: a token may only be in token, stored_tokens and
.git-credentials.

    cd tests/integration && HF_BIN=../../build/hf python3 -m unittest -v test_auth
"""

import itertools
import json
import os
import re
import subprocess
import unittest

import harness
from harness import FINE_TOKEN, NOORGS_TOKEN, READ_TOKEN, WRITE_TOKEN, token_hash

BAD_TOKEN = "hf_thisTokenIsNotKnownToTheHub000000stal"
ALL_TOKENS = list(harness.DEFAULT_TOKENS) + [BAD_TOKEN]

NOTE_HF_TOKEN = ("Note: Environment variable`HF_TOKEN` is set and is the current active "
                 "token independently from the token you've just configured.")


class AuthCase(unittest.TestCase):
    """One hub per class; a fresh, token-scanned sandbox per test."""

    hub_config = None
    tokens = ALL_TOKENS

    @classmethod
    def setUpClass(cls):
        cls.hub = harness.Hub(config=cls.hub_config)

    @classmethod
    def tearDownClass(cls):
        cls.hub.stop()

    def setUp(self):
        self.hub.reset()

    def sandbox(self, env=None, allow=None):
        return harness.checked_sandbox(self, hub=self.hub, env=env, tokens=self.tokens,
                                       allow=allow)

    def hf(self, sb, args, **kw):
        """Run hf and check that no token leaked on stdout/stderr."""
        return harness.run_checked(self, sb, args, tokens=self.tokens, **kw)

    def login(self, sb, token, env=None):
        r = self.hf(sb, ["auth", "login", "--token", token], env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r

    def auth_hashes(self, path_regex=r"^/api/whoami-v2"):
        return [e["auth"] for e in self.hub.requests(path_regex)]

    def read(self, path, mode="r"):
        with open(path, mode) as f:
            return f.read()

    def assertNoFile(self, path):
        self.assertFalse(os.path.lexists(path), f"{path} should not exist")

    def seed(self, sb, active, **named):
        """Write token + stored_tokens as the official client does (0600, no
        newline, configparser format), without running hf."""
        os.makedirs(sb.hf_home, mode=0o700, exist_ok=True)
        with open(sb.stored_tokens_path, "w") as f:
            for name in sorted(named):
                f.write(f"[{name}]\nhf_token = {named[name]}\n\n")
        os.chmod(sb.stored_tokens_path, 0o600)
        sb.write_token(active, newline=False)


# --------------------------------------------------------------------------
# Login with --token / stdin
# --------------------------------------------------------------------------

class LoginTest(AuthCase):
    hub_config = {"tokens": {
        "hf_oauthDaveToken00000000000000000dave": {
            "user": "dave", "email": "dave@example.com", "orgs": [], "auth_type": "oauth"},
    }}
    tokens = ALL_TOKENS + ["hf_oauthDaveToken00000000000000000dave"]

    def test_login_prints_guide_lines_in_order(self):
        sb = self.sandbox()
        r = self.login(sb, READ_TOKEN)
        harness.assert_in_order(self, r.stdout, [
            "Token is valid (permission: read).\n",
            f"The token `alice-laptop` has been saved to {sb.stored_tokens_path}\n",
            f"Your token has been saved to {sb.token_path}\n",
            "Login successful.\n",
            "The current active token is: `alice-laptop`\n",
        ])
        self.assertNotIn("Note: Environment variable", r.stdout)
        self.assertEqual(self.auth_hashes(), [token_hash(READ_TOKEN)])

    def test_token_file_is_raw_token_private(self):
        sb = self.sandbox()
        self.login(sb, READ_TOKEN)
        self.assertEqual(self.read(sb.token_path, "rb"), READ_TOKEN.encode())
        self.assertEqual(harness.file_mode(sb.token_path), 0o600)
        self.assertEqual(self.read(sb.stored_tokens_path, "rb"),
                         f"[alice-laptop]\nhf_token = {READ_TOKEN}\n\n".encode())
        self.assertEqual(harness.file_mode(sb.stored_tokens_path), 0o600)
        # No temporary files are left beside them.
        self.assertEqual(sorted(os.listdir(sb.hf_home)), ["stored_tokens", "token"])

    def test_new_hf_home_is_created_0700(self):
        sb = self.sandbox()
        home = os.path.join(sb.root, "fresh", "hfhome")
        self.login(sb, READ_TOKEN, env={"HF_HOME": home})
        self.assertEqual(harness.file_mode(home), 0o700)
        self.assertEqual(self.read(os.path.join(home, "token")), READ_TOKEN)
        self.assertNoFile(sb.token_path)

    def test_existing_hf_home_mode_is_kept(self):
        sb = self.sandbox()
        home = os.path.join(sb.root, "shared")
        os.mkdir(home)
        os.chmod(home, 0o751)
        self.login(sb, READ_TOKEN, env={"HF_HOME": home})
        self.assertEqual(harness.file_mode(home), 0o751)
        self.assertEqual(harness.file_mode(os.path.join(home, "token")), 0o600)

    def test_login_replaces_world_readable_token_file(self):
        sb = self.sandbox()
        sb.write_token(WRITE_TOKEN, mode=0o644)
        self.login(sb, READ_TOKEN)
        self.assertEqual(self.read(sb.token_path), READ_TOKEN)
        self.assertEqual(harness.file_mode(sb.token_path), 0o600)

    def test_more_logins_add_sorted_sections(self):
        sb = self.sandbox()
        self.login(sb, FINE_TOKEN)
        self.login(sb, WRITE_TOKEN)
        r = self.login(sb, READ_TOKEN)
        self.assertIn("The current active token is: `alice-laptop`", r.stdout)
        expected = (f"[alice-laptop]\nhf_token = {READ_TOKEN}\n\n"
                    f"[alice-write]\nhf_token = {WRITE_TOKEN}\n\n"
                    f"[bob-ci]\nhf_token = {FINE_TOKEN}\n\n")
        self.assertEqual(self.read(sb.stored_tokens_path), expected)
        self.assertEqual(self.read(sb.token_path), READ_TOKEN)
        # Logging in again with a known name replaces its section, no duplicate.
        self.login(sb, WRITE_TOKEN)
        self.assertEqual(self.read(sb.stored_tokens_path), expected)
        self.assertEqual(self.read(sb.token_path), WRITE_TOKEN)

    def test_permission_is_reported(self):
        for tok, line in ((WRITE_TOKEN, "Token is valid (permission: write)."),
                          (FINE_TOKEN, "Token is valid (permission: fineGrained).")):
            with self.subTest(line=line):
                sb = self.sandbox()
                r = self.login(sb, tok)
                self.assertIn(line + "\n", r.stdout)

    def test_oauth_token_without_display_name(self):
        sb = self.sandbox()
        tok = "hf_oauthDaveToken00000000000000000dave"
        r = self.login(sb, tok)
        self.assertEqual(r.stdout.splitlines()[0], "Token is valid.")
        self.assertIn("The token `oauth-dave` has been saved to", r.stdout)
        self.assertEqual(self.read(sb.stored_tokens_path),
                         f"[oauth-dave]\nhf_token = {tok}\n\n")

    def test_invalid_token_writes_nothing(self):
        sb = self.sandbox()
        r = self.hf(sb, ["auth", "login", "--token", BAD_TOKEN])
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("invalid", r.stderr.lower())
        self.assertIn(f"{self.hub.url}/settings/tokens", r.stderr)
        self.assertNotIn("Login successful", r.stdout)
        self.assertNoFile(sb.token_path)
        self.assertNoFile(sb.stored_tokens_path)
        self.assertEqual(self.auth_hashes(), [token_hash(BAD_TOKEN)])

    def test_invalid_token_keeps_previous_login(self):
        sb = self.sandbox()
        self.login(sb, READ_TOKEN)
        before = self.read(sb.stored_tokens_path, "rb")
        r = self.hf(sb, ["auth", "login", "--token", BAD_TOKEN])
        self.assertEqual(r.returncode, 3)
        self.assertEqual(self.read(sb.token_path), READ_TOKEN)
        self.assertEqual(self.read(sb.stored_tokens_path, "rb"), before)

    def test_org_token_refused(self):
        sb = self.sandbox()
        r = self.hf(sb, ["auth", "login", "--token", "api_org_abcdefghijklmnopqrstuvwxyz"])
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("personal account token, not an organization token", r.stderr)
        self.assertNotIn("api_org_abcdefghijklmnop", r.stdout + r.stderr)
        self.assertEqual(self.hub.count(), 0)
        self.assertNoFile(sb.token_path)

    def test_login_from_stdin(self):
        cases = (
            ("--token-stdin", ["auth", "login", "--token-stdin"], READ_TOKEN + "\n"),
            ("--token -", ["auth", "login", "--token", "-"], READ_TOKEN + "\n"),
            ("piped, no newline", ["auth", "login"], READ_TOKEN),
            ("piped", ["auth", "login"], READ_TOKEN + "\nignored second line\n"),
        )
        for name, args, data in cases:
            with self.subTest(name):
                self.hub.clear_log()
                sb = self.sandbox()
                r = self.hf(sb, args, input=data)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertNotIn(READ_TOKEN, " ".join(r.args))
                self.assertIn("Login successful.", r.stdout)
                self.assertEqual(self.read(sb.token_path), READ_TOKEN)
                self.assertEqual(self.auth_hashes(), [token_hash(READ_TOKEN)])

    def test_empty_stdin_is_refused(self):
        for data in ("", "\n", "   \r\n"):
            with self.subTest(data=data):
                sb = self.sandbox()
                r = self.hf(sb, ["auth", "login", "--token-stdin"], input=data)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn("Error:", r.stderr)
                self.assertNoFile(sb.token_path)
        self.assertEqual(self.hub.count(), 0)

    def test_whitespace_and_crlf_are_cleaned(self):
        cases = (
            ("--token", ["auth", "login", "--token", f"  {READ_TOKEN} \r\n"], None),
            ("--token tab", ["auth", "login", "--token", f"\t{READ_TOKEN}\t"], None),
            ("stdin CRLF", ["auth", "login", "--token-stdin"], f" {READ_TOKEN}\r\n"),
        )
        for name, args, data in cases:
            with self.subTest(name):
                self.hub.clear_log()
                sb = self.sandbox()
                r = self.hf(sb, args, input=data)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(self.read(sb.token_path, "rb"), READ_TOKEN.encode())
                self.assertIn(f"hf_token = {READ_TOKEN}\n", self.read(sb.stored_tokens_path))
                self.assertEqual(self.auth_hashes(), [token_hash(READ_TOKEN)])

    def test_login_with_hf_token_set_prints_note(self):
        sb = self.sandbox()
        r = self.login(sb, READ_TOKEN, env={"HF_TOKEN": WRITE_TOKEN})
        self.assertIn(NOTE_HF_TOKEN + "\n", r.stdout)
        self.assertNotIn("The current active token is", r.stdout)
        # --token wins for the validation; the file gets the new token.
        self.assertEqual(self.auth_hashes(), [token_hash(READ_TOKEN)])
        self.assertEqual(self.read(sb.token_path), READ_TOKEN)

    def test_token_with_control_byte_is_refused(self):
        sb = self.sandbox()
        r = self.hf(sb, ["auth", "login", "--token", "hf_abc\x01defghijklmnop"])
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("control", r.stderr)
        self.assertEqual(self.hub.count(), 0)
        self.assertNoFile(sb.token_path)


# --------------------------------------------------------------------------
# Interactive login on a terminal
# --------------------------------------------------------------------------

class InteractiveLoginTest(AuthCase):
    GIT_Q = r"Add token as git credential\? \(Y/n\)"

    def setUp(self):
        super().setUp()
        self.sb = self.sandbox(env={"GIT_CONFIG_NOSYSTEM": "1"})
        self.fakebin = os.path.join(self.sb.root, "fakebin")

    def pty(self, args, script, env=None):
        r = self.sb.run_pty(args, script=script, env=env, timeout=20)
        for t in self.tokens:
            harness.assert_no_token(self, t, r)
        return r

    def test_prompt_hides_token_and_no_git(self):
        harness.make_fake_git(self.fakebin)
        path = self.fakebin + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin")
        r = self.pty(["auth", "login"], [("Token: ", READ_TOKEN + "\n"),
                                         (self.GIT_Q, "n\n")], env={"PATH": path})
        self.assertEqual(r.returncode, 0, r.text)
        harness.assert_in_order(self, r.text, [
            f"{self.hub.url}/settings/tokens", "Token:", "Token is valid (permission: read).",
            "Add token as git credential? (Y/n)", "Login successful.",
            "The current active token is: `alice-laptop`"])
        self.assertEqual(self.read(self.sb.token_path), READ_TOKEN)
        self.assertEqual(harness.read_fake_git(self.fakebin), [], "git must not run on 'n'")
        self.assertEqual(self.auth_hashes(), [token_hash(READ_TOKEN)])

    def test_token_typed_right_after_prompt(self):
        # The prompt must only show once echo is off: a token sent the moment
        # "Token:" appears is neither echoed nor thrown away (a race, so try
        # several times).
        for i in range(6):
            with self.subTest(i=i):
                r = self.sb.run_pty(["auth", "login", "--force"],
                                    script=[("Token: ", READ_TOKEN + "\n"), (self.GIT_Q, "n\n")],
                                    timeout=20, step_timeout=5)
                self.assertEqual(r.returncode, 0, r.text)
                harness.assert_no_token(self, READ_TOKEN, r)

    def test_answer_yes_stores_git_credential(self):
        harness.git_config_global(self.sb, "credential.helper", "store")
        for answer in ("Y\n", "\n"):  # the default is yes
            with self.subTest(answer=answer):
                r = self.pty(["auth", "login", "--force"],
                             [("Token: ", READ_TOKEN + "\n"), (self.GIT_Q, answer)])
                self.assertEqual(r.returncode, 0, r.text)
                self.assertIn("Your token has been saved in your configured git credential "
                              "helpers (store).", r.text)
                creds = self.read(os.path.join(self.sb.home, ".git-credentials"))
                self.assertRegex(creds, r"(?m)^http://hf_user:" + re.escape(READ_TOKEN)
                                 + r"@127\.0\.0\.1(:|%3[aA])" + str(self.hub.port) + "$")
                subprocess.run(["git", "credential", "reject"], env=harness.git_env(self.sb),
                               input=f"url={self.hub.url}\n\n", text=True, check=True)

    def test_already_logged_in(self):
        for env, setup in (({}, lambda: self.sb.write_token(READ_TOKEN)),
                           ({"HF_TOKEN": WRITE_TOKEN}, lambda: None)):
            with self.subTest(env=sorted(env)):
                setup()
                r = self.pty(["auth", "login"], [], env=env)
                self.assertEqual(r.returncode, 0, r.text)
                self.assertIn("User is already logged in. Use `hf auth login --force` to "
                              "force re-login.", r.text)
                self.assertNotIn("Token:", r.text)
        self.assertEqual(self.hub.count(), 0)

    def test_force_prompts_again(self):
        self.sb.write_token(READ_TOKEN)
        r = self.pty(["auth", "login", "--force"], [("Token: ", WRITE_TOKEN + "\n"),
                                                    (self.GIT_Q, "n\n")])
        self.assertEqual(r.returncode, 0, r.text)
        self.assertIn("Token is valid (permission: write).", r.text)
        self.assertEqual(self.read(self.sb.token_path), WRITE_TOKEN)
        self.assertEqual(self.auth_hashes(), [token_hash(WRITE_TOKEN)])

    def test_invalid_token_at_prompt(self):
        r = self.pty(["auth", "login"], [("Token: ", BAD_TOKEN + "\n")])
        self.assertEqual(r.returncode, 3, r.text)
        self.assertNotIn("Add token as git credential", r.text)
        self.assertNoFile(self.sb.token_path)


# --------------------------------------------------------------------------
# whoami
# --------------------------------------------------------------------------

class WhoamiTest(AuthCase):
    def test_guide_format(self):
        sb = self.sandbox()
        for args in (["whoami"], ["auth", "whoami"]):
            with self.subTest(args=args):
                r = self.hf(sb, args, env={"HF_TOKEN": READ_TOKEN})
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(r.stdout.splitlines()[:3], [
                    "username: alice", "email: alice@example.com", "orgs: [acme, research]"])
                self.assertEqual(r.stderr, "")

    def test_no_orgs_and_no_email(self):
        sb = self.sandbox()
        r = self.hf(sb, ["auth", "whoami"], env={"HF_TOKEN": FINE_TOKEN})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.splitlines()[:3],
                         ["username: bob", "email: bob@example.com", "orgs: []"])
        r = self.hf(sb, ["auth", "whoami"], env={"HF_TOKEN": NOORGS_TOKEN})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.splitlines()[:2], ["username: carl", "orgs: []"])
        self.assertNotIn("email", r.stdout)

    def test_json(self):
        sb = self.sandbox()
        for args in (["auth", "whoami", "--format", "json"], ["auth", "whoami", "--json"]):
            with self.subTest(args=args):
                r = self.hf(sb, args, env={"HF_TOKEN": READ_TOKEN})
                self.assertEqual(r.returncode, 0, r.stderr)
                d = json.loads(r.stdout)
                self.assertEqual(d["user"], "alice")
                self.assertEqual(d["email"], "alice@example.com")
                self.assertEqual(d["orgs"], ["acme", "research"])
        r = self.hf(sb, ["auth", "whoami", "--format", "json"], env={"HF_TOKEN": NOORGS_TOKEN})
        d = json.loads(r.stdout)
        self.assertEqual((d["user"], d["orgs"], d.get("email")), ("carl", [], None))

    def test_quiet(self):
        sb = self.sandbox()
        for args in (["auth", "whoami", "-q"], ["whoami", "--format", "quiet"]):
            with self.subTest(args=args):
                r = self.hf(sb, args, env={"HF_TOKEN": FINE_TOKEN})
                self.assertEqual((r.returncode, r.stdout), (0, "bob\n"), r.stderr)

    def test_bad_format(self):
        sb = self.sandbox()
        r = self.hf(sb, ["auth", "whoami", "--format", "yaml"], env={"HF_TOKEN": READ_TOKEN})
        self.assertEqual(r.returncode, 2)
        self.assertEqual(self.hub.count(), 0)

    def test_not_logged_in(self):
        sb = self.sandbox()
        r = self.hf(sb, ["auth", "whoami"])
        self.assertEqual(r.returncode, 3)
        self.assertIn("Error: Not logged in", r.stderr)
        self.assertEqual(r.stdout, "")
        self.assertEqual(self.hub.count(), 0)

    def test_invalid_hf_token_names_its_source(self):
        sb = self.sandbox()
        sb.write_token(READ_TOKEN)  # a good saved login does not help: HF_TOKEN wins
        r = self.hf(sb, ["auth", "whoami"], env={"HF_TOKEN": BAD_TOKEN})
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("HF_TOKEN", r.stderr)
        self.assertIn(f"{self.hub.url}/settings/tokens", r.stderr)
        self.assertIn("precedence", r.stderr)
        self.assertEqual(self.auth_hashes(), [token_hash(BAD_TOKEN)])

    def test_invalid_saved_token_says_login_force(self):
        sb = self.sandbox()
        sb.write_token(BAD_TOKEN)
        r = self.hf(sb, ["auth", "whoami"])
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("hf auth login --force", r.stderr)
        self.assertIn(f"{self.hub.url}/settings/tokens", r.stderr)
        self.assertNotIn("HF_TOKEN environment", r.stderr)

    def test_explicit_token_option_wins(self):
        sb = self.sandbox()
        r = self.hf(sb, ["auth", "whoami", "--token", FINE_TOKEN], env={"HF_TOKEN": READ_TOKEN})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("username: bob", r.stdout)
        self.assertEqual(self.auth_hashes(), [token_hash(FINE_TOKEN)])

    def test_debug_logging_never_shows_token(self):
        sb = self.sandbox()
        env = {"HF_DEBUG": "1", "HF_HUB_VERBOSITY": "debug"}
        r = self.hf(sb, ["auth", "login", "--token", READ_TOKEN], env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        for args in (["auth", "whoami"], ["auth", "status"], ["env"]):
            r = self.hf(sb, args, env=env)
            self.assertEqual(r.returncode, 0, r.stderr)
        r = self.hf(sb, ["auth", "whoami"], env={**env, "HF_TOKEN": BAD_TOKEN})
        self.assertEqual(r.returncode, 3)

    def test_rate_limited_and_server_error(self):
        sb = self.sandbox()
        self.hub.set_faults([{"match": "^/api/whoami-v2", "action": "status", "status": 429,
                              "times": 1}])
        r = self.hf(sb, ["auth", "whoami"], env={"HF_TOKEN": READ_TOKEN})
        self.assertEqual(r.returncode, 7, r.stderr)
        self.assertIn("rate limit", r.stderr)
        self.hub.set_faults([{"match": "^/api/whoami-v2", "action": "status", "status": 500}])
        r = self.hf(sb, ["auth", "whoami"], env={"HF_TOKEN": READ_TOKEN})
        self.assertEqual(r.returncode, 7, r.stderr)
        self.assertIn("500", r.stderr)


# --------------------------------------------------------------------------
# Token priority and token files
# --------------------------------------------------------------------------

PRIO = [  # (source, token, user), highest priority first
    ("explicit", "hf_prioExplicit000000000000000000000exp", "u-explicit"),
    ("HF_TOKEN", "hf_prioHfToken00000000000000000000000hft", "u-hf-token"),
    ("HUGGING_FACE_HUB_TOKEN", "hf_prioHuggingFaceHubToken00000000000hfh", "u-hfhub"),
    ("HUGGINGFACE_TOKEN", "hf_prioHuggingfaceToken0000000000000hgf", "u-huggingface"),
    ("file", "hf_prioTokenFile0000000000000000000000fil", "u-file"),
]


class TokenPriorityTest(AuthCase):
    hub_config = {"tokens": {tok: {"user": user, "email": None, "orgs": [], "role": "read",
                                   "displayName": user} for _, tok, user in PRIO}}
    tokens = ALL_TOKENS + [tok for _, tok, _ in PRIO]

    def whoami(self, sb, sources, extra_env=None):
        """Run `hf auth whoami` with the given PRIO sources set."""
        args = ["auth", "whoami"]
        env = {}
        for name, tok, _ in PRIO:
            if name not in sources:
                continue
            if name == "explicit":
                args += ["--token", tok]
            elif name == "file":
                sb.write_token(tok)
            else:
                env[name] = tok
        env.update(extra_env or {})
        self.hub.clear_log()
        return self.hf(sb, args, env=env)

    def assertUsed(self, r, tok, user):
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.splitlines()[0], f"username: {user}")
        self.assertEqual(self.auth_hashes(), [token_hash(tok)])

    def test_whole_matrix(self):
        names = [p[0] for p in PRIO]
        for k in range(len(names) + 1):
            for combo in itertools.combinations(names, k):
                with self.subTest(sources=combo):
                    sb = self.sandbox()
                    r = self.whoami(sb, combo)
                    if not combo:
                        self.assertEqual(r.returncode, 3)
                        self.assertIn("Not logged in", r.stderr)
                        self.assertEqual(self.hub.count(), 0)
                        continue
                    _, tok, user = next(p for p in PRIO if p[0] == combo[0])
                    self.assertUsed(r, tok, user)

    def test_empty_variables_count_as_unset(self):
        _, hfh, hfh_user = PRIO[2]
        _, hgf, hgf_user = PRIO[3]
        _, fil, fil_user = PRIO[4]
        sb = self.sandbox()
        r = self.whoami(sb, ("HUGGING_FACE_HUB_TOKEN", "file"), {"HF_TOKEN": ""})
        self.assertUsed(r, hfh, hfh_user)
        r = self.whoami(sb, ("HUGGINGFACE_TOKEN", "file"),
                        {"HF_TOKEN": "", "HUGGING_FACE_HUB_TOKEN": ""})
        self.assertUsed(r, hgf, hgf_user)
        r = self.whoami(sb, ("file",), {"HF_TOKEN": "", "HUGGING_FACE_HUB_TOKEN": "",
                                        "HUGGINGFACE_TOKEN": ""})
        self.assertUsed(r, fil, fil_user)

    def test_blank_hf_token_skips_env_and_uses_file(self):
        _, fil, fil_user = PRIO[4]
        sb = self.sandbox()
        r = self.whoami(sb, ("HUGGING_FACE_HUB_TOKEN", "HUGGINGFACE_TOKEN", "file"),
                        {"HF_TOKEN": "   "})
        self.assertUsed(r, fil, fil_user)
        os.unlink(sb.token_path)
        r = self.whoami(sb, ("HUGGING_FACE_HUB_TOKEN",), {"HF_TOKEN": " \t "})
        self.assertEqual(r.returncode, 3, r.stdout)
        self.assertEqual(self.hub.count(), 0)

    def test_env_token_is_cleaned(self):
        sb = self.sandbox()
        for value in (f" {READ_TOKEN}\r\n", f"{READ_TOKEN}\n", f"\t{READ_TOKEN} "):
            with self.subTest(value=value):
                self.hub.clear_log()
                r = self.hf(sb, ["auth", "whoami"], env={"HF_TOKEN": value})
                self.assertUsed(r, READ_TOKEN, "alice")

    def test_env_token_with_control_bytes_is_refused(self):
        sb = self.sandbox()
        for value in (READ_TOKEN[:10] + "\x01" + READ_TOKEN[10:],
                      READ_TOKEN + "\x1b[2J", READ_TOKEN[:10] + "\x7f" + READ_TOKEN[10:]):
            with self.subTest(value=value):
                r = self.hf(sb, ["auth", "whoami"], env={"HF_TOKEN": value})
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn("HF_TOKEN", r.stderr)
                self.assertIn("control", r.stderr)
        self.assertEqual(self.hub.count(), 0, "nothing may be sent with such a token")

    def test_header_injection_through_env_token(self):
        # CR/LF are removed before use, so no second header can be smuggled in.
        sb = self.sandbox()
        r = self.hf(sb, ["auth", "whoami"], env={"HF_TOKEN": READ_TOKEN + "\r\nX-Evil: 1"})
        self.assertEqual(r.returncode, 3, r.stderr)
        reqs = self.hub.requests("^/api/whoami-v2")
        self.assertEqual(len(reqs), 1)
        self.assertNotIn("x-evil", {k.lower() for k in reqs[0]["headers"]})
        self.assertEqual(reqs[0]["auth"], token_hash(READ_TOKEN + "X-Evil: 1"))

    def test_token_path_is_a_directory(self):
        sb = self.sandbox()
        os.makedirs(sb.token_path)
        r = self.hf(sb, ["auth", "whoami"])
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("cannot read token file", r.stderr)
        self.assertIn(sb.token_path, r.stderr)
        self.assertEqual(self.hub.count(), 0)
        # An environment token does not need the file.
        r = self.hf(sb, ["auth", "whoami"], env={"HF_TOKEN": READ_TOKEN})
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_token_file_by_hand(self):
        sb = self.sandbox()
        for content in (READ_TOKEN, READ_TOKEN + "\n", READ_TOKEN + "\r\n",
                        f"  {READ_TOKEN}  \n", f"\n{READ_TOKEN}\n\n"):
            with self.subTest(content=content):
                sb.write_token(content, newline=False)
                self.hub.clear_log()
                r = self.hf(sb, ["auth", "whoami"])
                self.assertUsed(r, READ_TOKEN, "alice")

    def test_empty_token_file_is_no_token(self):
        sb = self.sandbox()
        for content in ("", "\n", "  \r\n"):
            with self.subTest(content=content):
                sb.write_token(content, newline=False)
                r = self.hf(sb, ["auth", "whoami"])
                self.assertEqual(r.returncode, 3)
                self.assertIn("Not logged in", r.stderr)
        self.assertEqual(self.hub.count(), 0)

    def test_hf_token_path_moves_token_and_stored_tokens(self):
        sb = self.sandbox(allow=["mytoken"])
        alt = os.path.join(sb.root, "alt", "dir")
        path = os.path.join(alt, "mytoken")
        r = self.login(sb, READ_TOKEN, env={"HF_TOKEN_PATH": path})
        self.assertIn(f"Your token has been saved to {path}\n", r.stdout)
        self.assertIn(f"has been saved to {os.path.join(alt, 'stored_tokens')}\n", r.stdout)
        self.assertEqual(self.read(path), READ_TOKEN)
        self.assertTrue(os.path.isfile(os.path.join(alt, "stored_tokens")))
        self.assertNoFile(sb.token_path)
        self.assertNoFile(sb.stored_tokens_path)
        self.hub.clear_log()
        r = self.hf(sb, ["auth", "whoami"])
        self.assertEqual(r.returncode, 3, "the default token file must not be used")
        r = self.hf(sb, ["auth", "whoami"], env={"HF_TOKEN_PATH": path})
        self.assertUsed(r, READ_TOKEN, "alice")
        r = self.hf(sb, ["auth", "status", "--no-check"], env={"HF_TOKEN_PATH": path})
        self.assertIn(path, r.stdout)

    def test_token_file_with_a_nul_byte_is_refused(self):
        """reliability (b) 35: a NUL in the token file would cut the token short:
        the file is refused (exit 2), nothing is sent with a shortened token."""
        sb = self.sandbox(allow=["token"])
        os.makedirs(os.path.dirname(sb.token_path), exist_ok=True)
        with open(sb.token_path, "wb") as f:
            f.write(READ_TOKEN[:18].encode() + b"\0" + READ_TOKEN[19:].encode() + b"\n")
        for args in (["auth", "whoami"], ["auth", "token"]):
            with self.subTest(args=args):
                self.hub.clear_log()
                r = self.hf(sb, args)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn("holds a NUL byte", r.stderr)
                self.assertEqual(r.stdout, "")
                self.assertEqual(self.hub.count(), 0)

    def test_hf_token_path_expands_home(self):
        sb = self.sandbox(allow=["tok"])
        self.login(sb, READ_TOKEN, env={"HF_TOKEN_PATH": "~/secrets/tok"})
        self.assertEqual(self.read(os.path.join(sb.home, "secrets", "tok")), READ_TOKEN)
        self.assertTrue(os.path.isfile(os.path.join(sb.home, "secrets", "stored_tokens")))

    def test_hf_home_moves_both(self):
        sb = self.sandbox()
        home = os.path.join(sb.root, "hfh")
        self.login(sb, WRITE_TOKEN, env={"HF_HOME": home})
        self.assertEqual(self.read(os.path.join(home, "token")), WRITE_TOKEN)
        self.assertTrue(os.path.isfile(os.path.join(home, "stored_tokens")))
        self.assertFalse(os.path.exists(sb.hf_home))
        self.hub.clear_log()
        r = self.hf(sb, ["auth", "whoami"], env={"HF_HOME": home})
        self.assertUsed(r, WRITE_TOKEN, "alice")

    def test_xdg_cache_home_fallback(self):
        sb = self.sandbox()
        xdg = os.path.join(sb.root, "xdg")
        self.login(sb, READ_TOKEN, env={"XDG_CACHE_HOME": xdg})
        self.assertEqual(self.read(os.path.join(xdg, "huggingface", "token")), READ_TOKEN)
        self.assertFalse(os.path.exists(sb.hf_home))
        # HF_HOME beats XDG_CACHE_HOME.
        home = os.path.join(sb.root, "hfh")
        self.login(sb, WRITE_TOKEN, env={"XDG_CACHE_HOME": xdg, "HF_HOME": home})
        self.assertEqual(self.read(os.path.join(home, "token")), WRITE_TOKEN)
        self.assertEqual(self.read(os.path.join(xdg, "huggingface", "token")), READ_TOKEN)


# --------------------------------------------------------------------------
# hf auth status
# --------------------------------------------------------------------------

class StatusTest(AuthCase):
    def line(self, text, start):
        for ln in text.splitlines():
            if ln.lstrip().startswith(start):
                return ln
        self.fail(f"no line starting with {start!r} in:\n{text}")

    def test_sources_masks_active_and_overridden(self):
        sb = self.sandbox()
        sb.write_token(WRITE_TOKEN)
        r = self.hf(sb, ["auth", "status"], env={"HF_TOKEN": READ_TOKEN,
                                                 "HUGGINGFACE_TOKEN": FINE_TOKEN})
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout
        for src in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HUGGINGFACE_TOKEN", "token file"):
            self.assertIn(src, out)
        self.assertIn("explicit", out)
        hf = self.line(out, "2. HF_TOKEN")
        self.assertIn("hf_****wxyz", hf)
        self.assertIn("active", hf)
        self.assertNotIn("overridden", hf)
        self.assertIn("not set", self.line(out, "3. HUGGING_FACE_HUB_TOKEN"))
        hgf = self.line(out, "4. HUGGINGFACE_TOKEN")
        self.assertIn("hf_****fine", hgf)
        self.assertIn("overridden", hgf)
        fil = self.line(out, "5. token file")
        self.assertIn("hf_****abcd", fil)
        self.assertIn("overridden", fil)
        self.assertNotIn("active", fil)
        self.assertIn(sb.token_path, out)
        self.assertIn("valid, user alice, permission: read", out)
        self.assertEqual(self.auth_hashes(), [token_hash(READ_TOKEN)])

    def test_explicit_token_and_file_only(self):
        sb = self.sandbox()
        sb.write_token(READ_TOKEN)
        r = self.hf(sb, ["auth", "status", "--token", FINE_TOKEN])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("active", self.line(r.stdout, "1."))
        self.assertIn("hf_****fine", self.line(r.stdout, "1."))
        self.assertIn("overridden", self.line(r.stdout, "5. token file"))
        self.assertIn("valid, user bob, permission: fineGrained", r.stdout)
        self.assertEqual(self.auth_hashes(), [token_hash(FINE_TOKEN)])

    def test_stale_hf_token_with_good_file(self):
        sb = self.sandbox()
        sb.write_token(READ_TOKEN)
        r = self.hf(sb, ["auth", "status"], env={"HF_TOKEN": BAD_TOKEN})
        self.assertEqual(r.returncode, 3, r.stdout)
        self.assertIn("HF_TOKEN", r.stderr)
        self.assertIn("active", self.line(r.stdout, "2. HF_TOKEN"))
        self.assertIn("overridden", self.line(r.stdout, "5. token file"))
        self.assertEqual(self.auth_hashes(), [token_hash(BAD_TOKEN)])

    def test_json(self):
        sb = self.sandbox()
        sb.write_token(WRITE_TOKEN)
        r = self.hf(sb, ["auth", "status", "--json"], env={"HF_TOKEN": READ_TOKEN})
        self.assertEqual(r.returncode, 0, r.stderr)
        d = json.loads(r.stdout)
        self.assertEqual(len(d["sources"]), 5)
        self.assertEqual(d["active"], "HF_TOKEN")
        self.assertIs(d["valid"], True)
        self.assertEqual((d["user"], d["permission"]), ("alice", "read"))
        self.assertEqual(d["token_path"], sb.token_path)
        active = [s for s in d["sources"] if s["active"]]
        self.assertEqual(len(active), 1)
        self.assertEqual(active[0]["token"], "hf_****wxyz")
        fil = d["sources"][-1]
        self.assertEqual((fil["set"], fil["token"], fil["active"]), (True, "hf_****abcd", False))

    def test_write_token_note(self):
        sb = self.sandbox()
        sb.write_token(WRITE_TOKEN)
        r = self.hf(sb, ["auth", "status"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("permission: write", r.stdout)
        self.assertIn('"Read" token', r.stdout)
        sb.write_token(READ_TOKEN)
        r = self.hf(sb, ["auth", "status"])
        self.assertNotIn('"Read" token', r.stdout)

    def test_offline_makes_no_request(self):
        sb = self.sandbox()
        sb.write_token(READ_TOKEN)
        for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
            with self.subTest(var=var):
                r = self.hf(sb, ["auth", "status"], env={var: "1"})
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("not checked", r.stdout)
                self.assertIn("hf_****wxyz", r.stdout)
        r = self.hf(sb, ["auth", "status", "--no-check"])
        self.assertIn("not checked", r.stdout)
        self.assertEqual(self.hub.count(), 0)

    def test_no_token(self):
        sb = self.sandbox()
        r = self.hf(sb, ["auth", "status"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Active token: none", r.stdout)
        self.assertEqual(r.stdout.count("not set"), 5)
        self.assertEqual(self.hub.count(), 0)

    def test_dotenv_with_token_not_ignored_warns(self):
        sb = self.sandbox(env={"GIT_CONFIG_NOSYSTEM": "1"}, allow=[".env"])
        subprocess.run(["git", "init", "-q", sb.cwd], env=harness.git_env(sb), check=True)
        with open(os.path.join(sb.cwd, ".env"), "w") as f:
            f.write(f"HF_TOKEN={READ_TOKEN}\n")
        r = self.hf(sb, ["auth", "status", "--no-check"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(".env", r.stderr)
        self.assertIn(".gitignore", r.stderr)
        r = self.hf(sb, ["auth", "status", "--no-check", "--json"])
        self.assertIs(json.loads(r.stdout)["dotenv_exposed"], True)
        with open(os.path.join(sb.cwd, ".gitignore"), "w") as f:
            f.write(".env\n")
        r = self.hf(sb, ["auth", "status", "--no-check"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn(".env", r.stderr)
        r = self.hf(sb, ["auth", "status", "--no-check", "--json"])
        self.assertIs(json.loads(r.stdout)["dotenv_exposed"], False)

    def test_dotenv_without_token_or_outside_git_is_quiet(self):
        sb = self.sandbox(env={"GIT_CONFIG_NOSYSTEM": "1"}, allow=[".env"])
        with open(os.path.join(sb.cwd, ".env"), "w") as f:
            f.write(f"HF_TOKEN={READ_TOKEN}\n")
        r = self.hf(sb, ["auth", "status", "--no-check"])  # not a git work tree
        self.assertNotIn(".env", r.stderr)
        subprocess.run(["git", "init", "-q", sb.cwd], env=harness.git_env(sb), check=True)
        with open(os.path.join(sb.cwd, ".env"), "w") as f:
            f.write("DEBUG=1\nHF_HOME=/tmp/x\n")
        r = self.hf(sb, ["auth", "status", "--no-check"])
        self.assertNotIn(".env", r.stderr)


# --------------------------------------------------------------------------
# list / switch / token
# --------------------------------------------------------------------------

class ListSwitchTokenTest(AuthCase):
    def two_logins(self, sb):
        # As two `hf auth login` (or Python `hf auth login`) would leave them.
        self.seed(sb, WRITE_TOKEN, **{"alice-laptop": READ_TOKEN, "alice-write": WRITE_TOKEN})

    def rows(self, out):
        return {m.group(2): (m.group(1), m.group(3)) for m in
                re.finditer(r"(?m)^([ *]) (\S+) +(\S+)\s*$", out)}

    def test_list_table(self):
        sb = self.sandbox()
        self.two_logins(sb)
        r = self.hf(sb, ["auth", "list"])
        self.assertEqual(r.returncode, 0, r.stderr)
        header = r.stdout.splitlines()[0]
        self.assertRegex(header, r"name +token")
        self.assertRegex(r.stdout.splitlines()[1], r"^[- ]+$")
        rows = self.rows(r.stdout)
        self.assertEqual(rows["alice-laptop"], (" ", "hf_****wxyz"))
        self.assertEqual(rows["alice-write"], ("*", "hf_****abcd"))
        self.assertEqual(len([ln for ln in r.stdout.splitlines() if ln.startswith("*")]), 1)
        r2 = self.hf(sb, ["auth", "ls"])
        self.assertEqual(r2.stdout, r.stdout)
        self.assertEqual(self.hub.count(), 0)

    def test_list_marks_env_token(self):
        sb = self.sandbox()
        self.two_logins(sb)
        r = self.hf(sb, ["auth", "list"], env={"HF_TOKEN": READ_TOKEN})
        rows = self.rows(r.stdout)
        self.assertEqual(rows["alice-laptop"][0], "*")
        self.assertEqual(rows["alice-write"][0], " ")
        self.assertIn("Environment variable `HF_TOKEN` is set", r.stdout)

    def test_list_empty(self):
        sb = self.sandbox()
        r = self.hf(sb, ["auth", "list"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("No access tokens found.", r.stdout)
        r = self.hf(sb, ["auth", "list"], env={"HF_TOKEN": READ_TOKEN})
        self.assertIn("No stored access tokens found.", r.stdout)

    def test_switch_without_network(self):
        sb = self.sandbox()
        self.two_logins(sb)
        self.assertEqual(self.read(sb.token_path), WRITE_TOKEN)
        before = self.read(sb.stored_tokens_path)
        r = self.hf(sb, ["auth", "switch", "--token-name", "alice-laptop"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"Your token has been saved to {sb.token_path}", r.stdout)
        self.assertIn("The current active token is: alice-laptop", r.stdout)
        self.assertEqual(self.read(sb.token_path, "rb"), READ_TOKEN.encode())
        self.assertEqual(harness.file_mode(sb.token_path), 0o600)
        self.assertEqual(self.read(sb.stored_tokens_path), before)
        self.assertEqual(self.hub.count(), 0)
        self.assertEqual(self.rows(self.hf(sb, ["auth", "list"]).stdout)["alice-laptop"][0], "*")

    def test_switch_unknown_name(self):
        sb = self.sandbox()
        self.two_logins(sb)
        r = self.hf(sb, ["auth", "switch", "--token-name", "nope"])
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("nope", r.stderr)
        self.assertIn("not found", r.stderr)
        self.assertEqual(self.read(sb.token_path), WRITE_TOKEN)
        self.assertEqual(self.hub.count(), 0)

    def test_switch_warns_when_hf_token_set(self):
        sb = self.sandbox()
        self.two_logins(sb)
        r = self.hf(sb, ["auth", "switch", "--token-name", "alice-laptop"],
                    env={"HF_TOKEN": FINE_TOKEN})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("HF_TOKEN", r.stderr)
        self.assertIn("override", r.stderr)

    def test_switch_needs_a_name_without_terminal(self):
        sb = self.sandbox()
        self.two_logins(sb)
        r = self.hf(sb, ["auth", "switch"])
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(self.read(sb.token_path), WRITE_TOKEN)

    def test_token_prints_raw_token(self):
        sb = self.sandbox()
        sb.write_token(READ_TOKEN + "\r\n")
        r = sb.run(["auth", "token"])  # the one command allowed to print it
        self.assertEqual((r.returncode, r.stdout, r.stderr), (0, READ_TOKEN + "\n", ""))
        r = sb.run(["auth", "token"], env={"HF_TOKEN": WRITE_TOKEN})
        self.assertEqual(r.stdout, WRITE_TOKEN + "\n")
        self.assertEqual(self.hub.count(), 0)

    def test_token_not_logged_in(self):
        sb = self.sandbox()
        r = self.hf(sb, ["auth", "token"])
        self.assertEqual(r.returncode, 3)
        self.assertEqual(r.stdout, "")
        self.assertIn("Not logged in", r.stderr)


# --------------------------------------------------------------------------
# logout
# --------------------------------------------------------------------------

class LogoutTest(AuthCase):
    def setUp(self):
        super().setUp()
        self.sb = self.sandbox(env={"GIT_CONFIG_NOSYSTEM": "1"})
        self.seed(self.sb, WRITE_TOKEN, **{"alice-laptop": READ_TOKEN,
                                           "alice-write": WRITE_TOKEN})

    def test_logout_all(self):
        r = self.hf(self.sb, ["auth", "logout"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Successfully logged out from all access tokens.", r.stdout)
        self.assertNoFile(self.sb.token_path)
        self.assertNoFile(self.sb.stored_tokens_path)
        self.assertEqual(self.hub.count(), 0)
        r = self.hf(self.sb, ["auth", "whoami"])
        self.assertEqual(r.returncode, 3)

    def test_logout_active_by_name(self):
        r = self.hf(self.sb, ["auth", "logout", "--token-name", "alice-write"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Active token 'alice-write' has been deleted.", r.stderr)
        self.assertIn("Successfully logged out from access token: alice-write.", r.stdout)
        self.assertNoFile(self.sb.token_path)
        self.assertEqual(self.read(self.sb.stored_tokens_path),
                         f"[alice-laptop]\nhf_token = {READ_TOKEN}\n\n")

    def test_logout_other_by_name(self):
        r = self.hf(self.sb, ["auth", "logout", "--token-name", "alice-laptop"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("has been deleted", r.stderr)
        self.assertIn("Successfully logged out from access token: alice-laptop.", r.stdout)
        self.assertEqual(self.read(self.sb.token_path), WRITE_TOKEN)
        self.assertEqual(self.read(self.sb.stored_tokens_path),
                         f"[alice-write]\nhf_token = {WRITE_TOKEN}\n\n")

    def test_logout_when_not_logged_in(self):
        self.hf(self.sb, ["auth", "logout"])
        r = self.hf(self.sb, ["auth", "logout"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Warning: Not logged in!", r.stderr)
        self.assertNotIn("Successfully", r.stdout)

    def test_logout_with_env_token_still_set(self):
        for var in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"):
            with self.subTest(var=var):
                self.seed(self.sb, READ_TOKEN, **{"alice-laptop": READ_TOKEN})
                r = self.hf(self.sb, ["auth", "logout"], env={var: FINE_TOKEN})
                self.assertNotEqual(r.returncode, 0)
                self.assertIn("still logged in", r.stderr)
                self.assertIn("HF_TOKEN", r.stderr)
                self.assertIn("HUGGING_FACE_HUB_TOKEN", r.stderr)
                self.assertNoFile(self.sb.token_path)
                self.assertNoFile(self.sb.stored_tokens_path)

    def test_logout_without_git_installed(self):
        empty = os.path.join(self.sb.root, "emptybin")
        os.mkdir(empty)
        r = self.hf(self.sb, ["auth", "logout"], env={"PATH": empty})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNoFile(self.sb.token_path)


# --------------------------------------------------------------------------
# Symbolic links are never written through
# --------------------------------------------------------------------------

class SymlinkSafetyTest(AuthCase):
    def setUp(self):
        super().setUp()
        self.sb = self.sandbox()
        self.victim = os.path.join(self.sb.root, "victim.txt")
        with open(self.victim, "w") as f:
            f.write("precious\n")
        os.chmod(self.victim, 0o644)

    def assertVictimIntact(self):
        self.assertEqual(self.read(self.victim), "precious\n")
        self.assertEqual(harness.file_mode(self.victim), 0o644)

    def test_token_path_symlink_refused(self):
        os.makedirs(self.sb.hf_home)
        os.symlink(self.victim, self.sb.token_path)
        r = self.hf(self.sb, ["auth", "login", "--token", READ_TOKEN])
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("symbolic link", r.stderr)
        self.assertNotIn("Login successful", r.stdout)
        self.assertTrue(os.path.islink(self.sb.token_path))
        self.assertVictimIntact()

    def test_hf_token_path_symlink_refused(self):
        link = os.path.join(self.sb.root, "link-token")
        os.symlink(self.victim, link)
        r = self.hf(self.sb, ["auth", "login", "--token", READ_TOKEN],
                    env={"HF_TOKEN_PATH": link})
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("symbolic link", r.stderr)
        self.assertTrue(os.path.islink(link))
        self.assertVictimIntact()

    def test_stored_tokens_symlink_refused(self):
        os.makedirs(self.sb.hf_home)
        os.symlink(self.victim, self.sb.stored_tokens_path)
        r = self.hf(self.sb, ["auth", "login", "--token", READ_TOKEN])
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("symbolic link", r.stderr)
        self.assertVictimIntact()

    def test_switch_refuses_symlinked_token(self):
        self.login(self.sb, READ_TOKEN)
        os.unlink(self.sb.token_path)
        os.symlink(self.victim, self.sb.token_path)
        r = self.hf(self.sb, ["auth", "switch", "--token-name", "alice-laptop"])
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("symbolic link", r.stderr)
        self.assertVictimIntact()

    def test_logout_removes_link_not_target(self):
        self.login(self.sb, READ_TOKEN)
        os.unlink(self.sb.token_path)
        os.symlink(self.victim, self.sb.token_path)
        r = self.hf(self.sb, ["auth", "logout"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNoFile(self.sb.token_path)
        self.assertVictimIntact()


if __name__ == "__main__":
    unittest.main()

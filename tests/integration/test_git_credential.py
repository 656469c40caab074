"""Integration tests: the git credential step of login / switch / logout
(hub-protocol.md §2.3, reliability.md items 35 and 40).

Two kinds of git:
  * the real git with its `store` helper, configured in the sandbox HOME only
    (GIT_CONFIG_NOSYSTEM=1, so the machine's /etc/gitconfig plays no part);
  * a fake `git` first on PATH that records its argv, stdin and environment,
    to check that the token reaches git on stdin only, in the credential
    protocol's exact format, and that unsafe values never reach git at all.

    cd tests/integration && HF_BIN=../../build/hf python3 -m unittest -v test_git_credential
"""

import os
import re
import subprocess
import unittest

import harness
from harness import FINE_TOKEN, READ_TOKEN, WRITE_TOKEN

SAVED_STORE = ("Your token has been saved in your configured git credential helpers "
               "(store).")
NO_HELPER = ("Cannot authenticate through git-credential as no helper is defined on your "
             "machine.")


class GitCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hub = harness.Hub()

    @classmethod
    def tearDownClass(cls):
        cls.hub.stop()

    def setUp(self):
        self.hub.reset()
        self.sb = harness.checked_sandbox(self, hub=self.hub, env={"GIT_CONFIG_NOSYSTEM": "1"})
        self.creds = os.path.join(self.sb.home, ".git-credentials")

    def hf(self, args, **kw):
        return harness.run_checked(self, self.sb, args, **kw)

    def read(self, path):
        with open(path) as f:
            return f.read()

    def cred_line_re(self, token):
        # git's store format; git < 2.42 writes the port's ':' as %3a.
        return (r"(?m)^http://hf_user:" + re.escape(token) + r"@127\.0\.0\.1(:|%3[aA])"
                + str(self.hub.port) + r"$")


class RealGitStoreTest(GitCase):
    def setUp(self):
        super().setUp()
        harness.git_config_global(self.sb, "credential.helper", "store")

    def test_login_add_to_git_credential(self):
        r = self.hf(["auth", "login", "--token", READ_TOKEN, "--add-to-git-credential"])
        self.assertEqual(r.returncode, 0, r.stderr)
        harness.assert_in_order(self, r.stdout, [
            "Token is valid (permission: read).\n",
            f"Your token has been saved to {self.sb.token_path}\n",
            SAVED_STORE + "\n",
            "Login successful.\n"])
        self.assertNotIn("has not been saved to the git credentials helper", r.stdout)
        self.assertRegex(self.read(self.creds), self.cred_line_re(READ_TOKEN))
        self.assertEqual(self.read(self.sb.token_path), READ_TOKEN)

    def test_login_without_flag_leaves_git_alone(self):
        r = self.hf(["auth", "login", "--token", READ_TOKEN])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("has not been saved to the git credentials helper", r.stdout)
        self.assertIn("--add-to-git-credential", r.stdout)
        self.assertNotIn(SAVED_STORE, r.stdout)
        self.assertFalse(os.path.exists(self.creds))
        r = self.hf(["auth", "login", "--token", WRITE_TOKEN, "--no-add-to-git-credential"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(os.path.exists(self.creds))

    def test_relogin_replaces_credential(self):
        self.hf(["auth", "login", "--token", READ_TOKEN, "--add-to-git-credential"])
        self.hf(["auth", "login", "--token", WRITE_TOKEN, "--add-to-git-credential"])
        creds = self.read(self.creds)
        self.assertRegex(creds, self.cred_line_re(WRITE_TOKEN))
        self.assertNotIn(READ_TOKEN, creds)

    def test_logout_rejects_credential(self):
        self.hf(["auth", "login", "--token", READ_TOKEN, "--add-to-git-credential"])
        self.assertIn(READ_TOKEN, self.read(self.creds))
        r = self.hf(["auth", "logout"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn(READ_TOKEN, self.read(self.creds))
        self.assertNotIn("hf_user", self.read(self.creds))

    def test_logout_by_name_rejects_credential(self):
        self.hf(["auth", "login", "--token", READ_TOKEN, "--add-to-git-credential"])
        r = self.hf(["auth", "logout", "--token-name", "alice-laptop"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn(READ_TOKEN, self.read(self.creds))

    def test_switch_add_to_git_credential(self):
        self.hf(["auth", "login", "--token", READ_TOKEN])
        self.hf(["auth", "login", "--token", FINE_TOKEN])
        self.hub.clear_log()
        r = self.hf(["auth", "switch", "--token-name", "alice-laptop", "--add-to-git-credential"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(SAVED_STORE, r.stdout)
        self.assertRegex(self.read(self.creds), self.cred_line_re(READ_TOKEN))
        self.assertNotIn(FINE_TOKEN, self.read(self.creds))
        self.assertEqual(self.hub.count(), 0)

    def test_several_helpers_are_listed_sorted(self):
        # A second helper, named by path, that records what git gives it.
        rec = os.path.join(self.sb.root, "rec_helper")
        out = os.path.join(self.sb.root, "rec_helper_out")
        self.sb.allow_token_files.append(out)
        with open(rec, "w") as f:
            f.write(f"#!/bin/sh\necho \"op=$1\" >> {out}\ncat >> {out}\n")
        os.chmod(rec, 0o755)
        harness.git_config_global(self.sb, "credential.helper", rec)
        # `git config --global A B` replaces; add the second value with --add.
        subprocess.run(["git", "config", "--global", "--add", "credential.helper", "store"],
                       env=harness.git_env(self.sb), check=True)
        r = self.hf(["auth", "login", "--token", READ_TOKEN, "--add-to-git-credential"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Your token has been saved in your configured git credential helpers "
                      f"({rec},store).", r.stdout)
        self.assertRegex(self.read(self.creds), self.cred_line_re(READ_TOKEN))
        got = self.read(out)
        self.assertIn("op=store", got)
        self.assertIn(f"password={READ_TOKEN}\n", got)
        self.assertIn("username=hf_user\n", got)


class NoHelperTest(GitCase):
    def check_no_helper(self):
        r = self.hf(["auth", "login", "--token", READ_TOKEN, "--add-to-git-credential"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(NO_HELPER, r.stdout)
        self.assertIn("git config --global credential.helper store", r.stdout)
        self.assertIn("Warning: Token has not been saved to git credential helper.", r.stderr)
        self.assertNotIn(SAVED_STORE, r.stdout)
        self.assertIn("Login successful.", r.stdout)
        self.assertEqual(self.read(self.sb.token_path), READ_TOKEN)
        self.assertFalse(os.path.exists(self.creds))

    def test_no_helper_configured(self):
        self.check_no_helper()

    def test_url_scoped_helper_is_not_a_helper(self):
        harness.git_config_global(self.sb, "credential.https://example.com.helper", "store")
        self.check_no_helper()

    def test_git_not_installed(self):
        empty = os.path.join(self.sb.root, "emptybin")
        os.mkdir(empty)
        r = self.hf(["auth", "login", "--token", READ_TOKEN, "--add-to-git-credential"],
                    env={"PATH": empty})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(NO_HELPER, r.stdout)
        self.assertEqual(self.read(self.sb.token_path), READ_TOKEN)


class FakeGitTest(GitCase):
    def setUp(self):
        super().setUp()
        self.fakebin = os.path.join(self.sb.root, "fakebin")
        harness.make_fake_git(self.fakebin)
        # The fake records what it is given, token included: that file is allowed.
        self.sb.allow_token_files.append(os.path.join(self.fakebin, "git.log"))
        self.path = self.fakebin + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin")

    def calls(self):
        return harness.read_fake_git(self.fakebin)

    def assertNoTokenInArgvOrEnv(self, calls, token):
        for c in calls:
            self.assertNotIn(token, " ".join(c["argv"]), c["argv"])
            self.assertFalse(any(token in v for v in c["env"].values()),
                             "token found in git's environment")

    def test_approve_gets_token_on_stdin_only(self):
        r = self.hf(["auth", "login", "--token", READ_TOKEN, "--add-to-git-credential"],
                    env={"PATH": self.path})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(SAVED_STORE, r.stdout)
        calls = self.calls()
        self.assertEqual([c["argv"] for c in calls],
                         [["config", "--list"], ["credential", "approve"]])
        self.assertEqual(calls[1]["stdin"],
                         f"url={self.hub.url}\nusername=hf_user\npassword={READ_TOKEN}\n\n")
        self.assertNoTokenInArgvOrEnv(calls, READ_TOKEN)

    def test_reject_has_no_password(self):
        self.hf(["auth", "login", "--token", READ_TOKEN], env={"PATH": self.path})
        self.assertEqual(self.calls(), [], "login without the flag must not run git")
        r = self.hf(["auth", "logout"], env={"PATH": self.path})
        self.assertEqual(r.returncode, 0, r.stderr)
        calls = self.calls()
        self.assertEqual([c["argv"] for c in calls], [["credential", "reject"]])
        self.assertEqual(calls[0]["stdin"], f"url={self.hub.url}\nusername=hf_user\n\n")
        self.assertNoTokenInArgvOrEnv(calls, READ_TOKEN)

    def test_endpoint_trailing_slash_is_stripped(self):
        r = self.hf(["auth", "login", "--token", READ_TOKEN, "--add-to-git-credential"],
                    env={"PATH": self.path, "HF_ENDPOINT": self.hub.url + "/"})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(self.calls()[-1]["stdin"].startswith(f"url={self.hub.url}\n"))

    def test_failing_git_is_reported(self):
        harness.make_fake_git(self.fakebin, status=1)
        r = self.hf(["auth", "login", "--token", READ_TOKEN, "--add-to-git-credential"],
                    env={"PATH": self.path})
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("git credential approve", r.stderr)
        self.assertNotIn(SAVED_STORE, r.stdout)

    def test_control_byte_in_token_never_reaches_git(self):
        for tok in ("hf_abc\x01defghijklmnop", "hf_abc\x1bdefghijklmnop",
                    "hf_abc\x7fdefghijklmnop", "hf_abc\tdefghijklmnop"):
            with self.subTest(tok=tok):
                r = self.hf(["auth", "login", "--token", tok, "--add-to-git-credential"],
                            env={"PATH": self.path})
                self.assertNotEqual(r.returncode, 0)
                self.assertEqual(self.calls(), [])
                self.assertFalse(os.path.exists(self.sb.token_path))
        self.assertEqual(self.hub.count(), 0)

    def test_newline_injection_never_reaches_git(self):
        # CR/LF are removed by cleaning: the "token" is then unknown (401).
        r = self.hf(["auth", "login", "--token", READ_TOKEN + "\nhost=evil.example",
                     "--add-to-git-credential"], env={"PATH": self.path})
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertEqual(self.calls(), [])
        self.assertFalse(os.path.exists(self.sb.token_path))

    def test_endpoint_with_control_chars_cannot_be_configured(self):
        for ep in (self.hub.url + "\x01", self.hub.url + "\nhost=evil.example",
                   self.hub.url + "\r", "http://user:pw@127.0.0.1:1", "http://127.0.0.1:1/a b"):
            with self.subTest(endpoint=ep):
                for args in (["auth", "login", "--token", READ_TOKEN, "--add-to-git-credential"],
                             ["auth", "logout"]):
                    r = self.hf(args, env={"PATH": self.path, "HF_ENDPOINT": ep})
                    self.assertEqual(r.returncode, 2, r.stderr)
                    self.assertIn("endpoint", r.stderr)
        self.assertEqual(self.calls(), [])
        self.assertEqual(self.hub.count(), 0)
        self.assertFalse(os.path.exists(self.sb.token_path))


if __name__ == "__main__":
    unittest.main()

/*
 * hf auth login|logout|whoami|status|list|switch|token, with the prompts
 * and output lines shown in README.md ("Logging in") and docs/cli.md, and
 * the official client's flags; token handling is in
 * docs/internals/tokens.md. Tokens are shown only masked, except by
 * `hf auth token`.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static const char *const auth_help =
	"  login    Log in with an access token and save it\n"
	"  logout   Remove the saved token(s) and the git credential\n"
	"  whoami   Show the user the active token belongs to\n"
	"  status   Show every token source, which one wins, and whether it is valid\n"
	"  list     List the stored tokens (alias: ls)\n"
	"  switch   Make another stored token the active one\n"
	"  token    Print the active token (for scripts)\n";

static void print_git_helpers_saved(const hf_strlist *helpers)
{
	size_t i;

	printf("Your token has been saved in your configured git credential helpers (");
	for (i = 0; i < helpers->count; i++)
		printf("%s%s", i ? "," : "", helpers->items[i]);
	printf(").\n");
}

/* The git step of login and switch; returns 0 or an exit code. */
static int add_git_credential(hf_client *client, const char *token)
{
	hf_strlist helpers = { NULL, 0 };
	int rc;

	hf_git_credential_helpers(&helpers, client);
	if (helpers.count == 0) {
		printf("Cannot authenticate through git-credential as no helper is defined on your machine.\n"
		       "You might want to set the 'store' credential helper as default:\n\n"
		       "    git config --global credential.helper store\n\n"
		       "Read https://git-scm.com/book/en/v2/Git-Tools-Credential-Storage for more details.\n");
		cli_warn("Token has not been saved to git credential helper.");
		return 0;
	}
	rc = hf_git_credential_approve(client, token);
	if (rc) {
		hf_strlist_dispose(&helpers);
		return cli_fail(client, rc);
	}
	print_git_helpers_saved(&helpers);
	hf_strlist_dispose(&helpers);
	return 0;
}

/*
 * Clean a token in place as the resolver does (docs/internals/tokens.md):
 * drop every CR and LF, then strip surrounding white space, so a pasted or
 * piped "hf_x\r\n" is saved as "hf_x".
 */
static void clean_token(char *token)
{
	size_t i, n = 0, start = 0;

	for (i = 0; token[i]; i++)
		if (token[i] != '\r' && token[i] != '\n')
			token[n++] = token[i];
	while (n > 0 && strchr(" \t\v\f", token[n - 1]))
		n--;
	token[n] = '\0';
	while (token[start] && strchr(" \t\v\f", token[start]))
		start++;
	memmove(token, token + start, n - start + 1);
}

static int env_token_set(void)
{
	const char *v = getenv("HF_TOKEN");

	return v && *v;
}

int cmd_auth_login(int argc, char **argv)
{
	const char *token_arg = NULL;
	int token_stdin = 0, add_git = -1, force = 0, npos, rc, exit_code = 0;
	int interactive = 0;
	char **pos;
	char *token = NULL, *name = NULL;
	hf_client *client = NULL;
	hf_whoami *who = NULL;
	const hf_config *cfg;
	cli_opt opts[] = {
		{ "token", 0, CLI_OPT_STRING, &token_arg, "TOKEN", "Token to log in with; '-' reads it from standard input.", 0 },
		{ "token-stdin", 0, CLI_OPT_BOOL, &token_stdin, NULL, "Read the token from standard input (keeps it out of ps and shell history).", 0 },
		{ "add-to-git-credential", 0, CLI_OPT_BOOL, &add_git, NULL, "Also save the token in the configured git credential helpers.", 1 },
		{ "force", 0, CLI_OPT_BOOL, &force, NULL, "Log in again even if a token is already set.", 1 },
		CLI_OPT_END
	};
	const cli_command cmd = {
		"hf auth login", "[OPTIONS]",
		"Log in with a Hugging Face access token and save it.",
		"On a terminal the token is asked for with input hidden. Without a terminal, or with\n"
		"--token-stdin, the first line of standard input is the token:\n"
		"    hf auth login --token-stdin < token.txt\n"
		"Create tokens at https://huggingface.co/settings/tokens (\"Read\" is enough to download).",
		opts, 0, 0
	};

	rc = cli_parse(&cmd, argc, argv, &pos, &npos);
	if (rc)
		return rc > 0 ? 0 : CLI_EXIT_USAGE;
	free(pos);
	if (token_arg && strcmp(token_arg, "-") == 0) {
		token_arg = NULL;
		token_stdin = 1;
	}
	if (cli_client(&client, NULL, &exit_code))
		return exit_code;
	cfg = hf_client_config(client);

	if (token_arg) {
		token = strdup(token_arg);
	} else if (token_stdin || !cli_interactive()) {
		token = cli_read_stdin_line();
		if (!token || !*token) {
			cli_error_line("no token on standard input",
				       "pass the token on standard input, with --token, or run on a terminal");
			exit_code = CLI_EXIT_USAGE;
			goto done;
		}
	} else {
		char *existing = NULL;

		if (!force && hf_token_resolve(&existing, NULL, client, NULL) == HF_OK && existing) {
			hf_free_secret(existing);
			printf("User is already logged in. Use `hf auth login --force` to force re-login.\n");
			goto done;
		}
		interactive = 1;
		printf("    To log in, `hf` requires a token generated from %s/settings/tokens .\n",
		       cfg->endpoint);
		fflush(stdout);
		token = cli_prompt_secret("Token: ");
		if (!token || !*token) {
			cli_error_line("no token entered", "paste the token at the prompt, or pass --token");
			exit_code = CLI_EXIT_USAGE;
			goto done;
		}
	}
	if (!token) {
		exit_code = cli_fail(client, HF_ENOMEM);
		goto done;
	}
	clean_token(token);
	if (!*token) {
		cli_error_line("the token is empty",
			       "pass the token with --token, on standard input or at the prompt");
		exit_code = CLI_EXIT_USAGE;
		goto done;
	}
	if (strncmp(token, "api_org", 7) == 0) {
		cli_error_line("Invalid value. You must use your personal account token, not an organization token.",
			       NULL);
		exit_code = CLI_EXIT_USAGE;
		goto done;
	}
	rc = hf_whoami_get(&who, client, token);
	if (rc) {
		exit_code = cli_fail(client, rc);
		goto done;
	}
	if (who->token_role)
		printf("Token is valid (permission: %s).\n", who->token_role);
	else
		printf("Token is valid.\n");
	if (add_git < 0 && interactive)
		add_git = cli_prompt_yes_no("Add token as git credential? (Y/n)", 1);

	if (who->token_name) {
		name = strdup(who->token_name);
	} else {
		size_t n = strlen(who->name) + 7;

		name = malloc(n);
		if (name)
			snprintf(name, n, "oauth-%s", who->name);
	}
	if (!name) {
		exit_code = cli_fail(client, HF_ENOMEM);
		goto done;
	}
	rc = hf_token_save(client, name, token);
	if (rc) {
		exit_code = cli_fail(client, rc);
		goto done;
	}
	printf("The token `%s` has been saved to %s\n", name, cfg->stored_tokens_path);
	printf("Your token has been saved to %s\n", cfg->token_path);
	if (add_git > 0) {
		exit_code = add_git_credential(client, token);
		if (exit_code)
			goto done;
	} else {
		printf("The token has not been saved to the git credentials helper. "
		       "Pass `--add-to-git-credential` if you want to set the git credential as well.\n");
	}
	printf("Login successful.\n");
	if (env_token_set())
		printf("Note: Environment variable`HF_TOKEN` is set and is the current active token "
		       "independently from the token you've just configured.\n");
	else
		printf("The current active token is: `%s`\n", name);
done:
	hf_free_secret(token);
	free(name);
	hf_whoami_free(who);
	hf_client_free(client);
	return exit_code;
}

int cmd_auth_logout(int argc, char **argv)
{
	const char *token_name = NULL;
	int npos, rc, exit_code = 0;
	char **pos;
	hf_client *client = NULL;
	hf_logout_result res = HF_LOGOUT_RESULT_INIT;
	const char *v1, *v2;
	cli_opt opts[] = {
		{ "token-name", 0, CLI_OPT_STRING, &token_name, "NAME", "Remove only this stored token.", 0 },
		CLI_OPT_END
	};
	const cli_command cmd = {
		"hf auth logout", "[OPTIONS]",
		"Log out: remove the saved token and stored tokens (or one of them), and the git credential.",
		NULL, opts, 0, 0
	};

	rc = cli_parse(&cmd, argc, argv, &pos, &npos);
	if (rc)
		return rc > 0 ? 0 : CLI_EXIT_USAGE;
	free(pos);
	if (cli_client(&client, NULL, &exit_code))
		return exit_code;
	rc = hf_token_logout(&res, client, token_name);
	if (rc) {
		exit_code = cli_fail(client, rc);
		goto done;
	}
	if (!res.had_tokens) {
		cli_warn("Not logged in!");
	} else if (!token_name) {
		printf("Successfully logged out from all access tokens.\n");
	} else {
		if (res.removed_active)
			cli_warn("Active token '%s' has been deleted.", token_name);
		if (res.found_name)
			printf("Successfully logged out from access token: %s.\n", token_name);
		else
			cli_warn("No stored access token named '%s'.", token_name);
	}
	/* The credential is erased whatever was stored, as the official client does. */
	rc = hf_git_credential_reject(client);
	if (rc && rc != HF_EGIT) {
		exit_code = cli_fail(client, rc);
		goto done;
	}
	v1 = getenv("HF_TOKEN");
	v2 = getenv("HUGGING_FACE_HUB_TOKEN");
	if ((v1 && *v1) || (v2 && *v2)) {
		cli_error_line("Token has been deleted from your machine but you are still logged in.",
			       "to log out, you must clear out both `HF_TOKEN` and `HUGGING_FACE_HUB_TOKEN` "
			       "environment variables");
		exit_code = 1;
	}
done:
	hf_client_free(client);
	return exit_code;
}

int cmd_auth_whoami(int argc, char **argv)
{
	const char *format = NULL, *token_arg = NULL;
	int json = 0, quiet = 0, npos, rc, exit_code = 0;
	char **pos;
	cli_format fmt;
	hf_client *client = NULL;
	hf_whoami *who = NULL;
	const hf_config *cfg;
	size_t i;
	cli_opt opts[] = {
		{ "token", 0, CLI_OPT_STRING, &token_arg, "TOKEN", "Check this token instead of the active one.", 0 },
		{ "format", 0, CLI_OPT_STRING, &format, "FORMAT", "Output format: auto, human, json, agent or quiet.", 0 },
		{ "json", 0, CLI_OPT_BOOL, &json, NULL, "Same as --format json.", 0 },
		{ "quiet", 'q', CLI_OPT_BOOL, &quiet, NULL, "Print only the user name.", 0 },
		CLI_OPT_END
	};
	const cli_command cmd = {
		"hf auth whoami", "[OPTIONS]",
		"Show the user, email and organisations of the active token.",
		NULL, opts, 0, 0
	};

	rc = cli_parse(&cmd, argc, argv, &pos, &npos);
	if (rc)
		return rc > 0 ? 0 : CLI_EXIT_USAGE;
	free(pos);
	if (cli_format_resolve(format, json, quiet, &fmt) < 0)
		return CLI_EXIT_USAGE;
	if (cli_client(&client, NULL, &exit_code))
		return exit_code;
	cfg = hf_client_config(client);
	rc = hf_whoami_get(&who, client, token_arg);
	if (rc) {
		if (rc == HF_ENOTOKEN)
			cli_error_line("Not logged in", "run 'hf auth login' or set HF_TOKEN");
		else
			cli_fail(client, rc);
		exit_code = hf_exit_code(rc);
		goto done;
	}
	switch (fmt) {
	case CLI_FMT_JSON:
		printf("{\"user\": ");
		cli_json_string(stdout, who->name);
		printf(", \"email\": ");
		cli_json_string(stdout, who->email);
		printf(", \"fullname\": ");
		cli_json_string(stdout, who->fullname);
		printf(", \"orgs\": [");
		for (i = 0; i < who->orgs.count; i++) {
			if (i)
				printf(", ");
			cli_json_string(stdout, who->orgs.items[i]);
		}
		printf("], \"token_role\": ");
		cli_json_string(stdout, who->token_role);
		printf(", \"endpoint\": ");
		cli_json_string(stdout, cfg->endpoint);
		printf("}\n");
		break;
	case CLI_FMT_QUIET:
		printf("%s\n", who->name);
		break;
	case CLI_FMT_AGENT:
		printf("user=%s orgs=", who->name);
		for (i = 0; i < who->orgs.count; i++)
			printf("%s%s", i ? "," : "", who->orgs.items[i]);
		printf("\n");
		break;
	case CLI_FMT_HUMAN:
	default:
		printf("username: %s\n", who->name);
		if (who->email)
			printf("email: %s\n", who->email);
		printf("orgs: [");
		for (i = 0; i < who->orgs.count; i++)
			printf("%s%s", i ? ", " : "", who->orgs.items[i]);
		printf("]\n");
		if (strcmp(cfg->endpoint_source, "default") != 0)
			printf("endpoint: %s\n", cfg->endpoint);
	}
done:
	hf_whoami_free(who);
	hf_client_free(client);
	return exit_code;
}

/* 1 when a .env in the working directory holds a token and git does not ignore it. */
static int dotenv_token_exposed(void)
{
	hf_strlist keys, values;
	struct stat st;
	size_t i;
	int has_token = 0, ignored = 0;

	if (stat(".env", &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	if (hf_dotenv_read(&keys, &values, ".env", NULL, 0) != HF_OK)
		return 0;
	for (i = 0; i < keys.count; i++)
		if (strstr(keys.items[i], "TOKEN") && values.items[i][0])
			has_token = 1;
	hf_strlist_dispose(&keys);
	for (i = 0; i < values.count; i++)
		memset(values.items[i], 0, strlen(values.items[i]));
	hf_strlist_dispose(&values);
	if (!has_token)
		return 0;
	/* git check-ignore exits 0 when the path is ignored; 128 outside a repo. */
	{
		int status = system("git check-ignore -q .env >/dev/null 2>&1");

		ignored = status == 0;
		if (status != -1 && WEXITSTATUS(status) == 128)
			return 0; /* not a git work tree: nothing to commit by mistake */
	}
	return !ignored;
}

int cmd_auth_status(int argc, char **argv)
{
	const char *format = NULL, *token_arg = NULL;
	int json = 0, no_check = 0, npos, rc, exit_code = 0;
	char **pos;
	cli_format fmt;
	hf_client *client = NULL;
	hf_token_candidate *cands = NULL;
	size_t n = 0, i;
	const hf_token_candidate *active = NULL;
	hf_whoami *who = NULL;
	const hf_config *cfg;
	int check_rc = HF_OK, checked = 0, exposed;
	cli_opt opts[] = {
		{ "token", 0, CLI_OPT_STRING, &token_arg, "TOKEN", "Include an explicit token, as a library call's token= would.", 0 },
		{ "no-check", 0, CLI_OPT_BOOL, &no_check, NULL, "Do not ask the Hub whether the token is valid.", 0 },
		{ "format", 0, CLI_OPT_STRING, &format, "FORMAT", "Output format: human or json.", 0 },
		{ "json", 0, CLI_OPT_BOOL, &json, NULL, "Same as --format json.", 0 },
		CLI_OPT_END
	};
	const cli_command cmd = {
		"hf auth status", "[OPTIONS]",
		"Show every place a token can come from, which one is used, and whether it is valid.",
		"Order, first found wins: explicit token > HF_TOKEN > HUGGING_FACE_HUB_TOKEN >\n"
		"HUGGINGFACE_TOKEN > the token file > none. Tokens are shown masked.",
		opts, 0, 0
	};

	rc = cli_parse(&cmd, argc, argv, &pos, &npos);
	if (rc)
		return rc > 0 ? 0 : CLI_EXIT_USAGE;
	free(pos);
	if (cli_format_resolve(format, json, 0, &fmt) < 0)
		return CLI_EXIT_USAGE;
	if (cli_client(&client, NULL, &exit_code))
		return exit_code;
	cfg = hf_client_config(client);
	rc = hf_token_candidates(&cands, &n, client, token_arg);
	if (rc) {
		exit_code = cli_fail(client, rc);
		goto done;
	}
	for (i = 0; i < n; i++)
		if (cands[i].active)
			active = &cands[i];
	if (active && !no_check && !cfg->offline) {
		checked = 1;
		check_rc = hf_whoami_get(&who, client, token_arg);
	}
	exposed = dotenv_token_exposed();

	if (fmt == CLI_FMT_JSON) {
		printf("{\"sources\": [");
		for (i = 0; i < n; i++) {
			char *mask = hf_token_mask(cands[i].token);

			printf("%s{\"source\": ", i ? ", " : "");
			cli_json_string(stdout, hf_token_source_name(cands[i].source));
			printf(", \"where\": ");
			cli_json_string(stdout, cands[i].where);
			printf(", \"set\": %s, \"token\": ", cands[i].is_set ? "true" : "false");
			cli_json_string(stdout, mask);
			printf(", \"active\": %s}", cands[i].active ? "true" : "false");
			hf_free(mask);
		}
		printf("], \"active\": ");
		cli_json_string(stdout, active ? hf_token_source_name(active->source) : NULL);
		printf(", \"valid\": %s",
		       !checked ? "null" : check_rc == HF_OK ? "true" : check_rc == HF_EAUTH ? "false" : "null");
		printf(", \"user\": ");
		cli_json_string(stdout, who ? who->name : NULL);
		printf(", \"permission\": ");
		cli_json_string(stdout, who ? who->token_role : NULL);
		printf(", \"token_path\": ");
		cli_json_string(stdout, cfg->token_path);
		printf(", \"endpoint\": ");
		cli_json_string(stdout, cfg->endpoint);
		printf(", \"dotenv_exposed\": %s}\n", exposed ? "true" : "false");
	} else {
		printf("Token sources, in priority order (first found wins):\n");
		for (i = 0; i < n; i++) {
			char label[64], *mask = hf_token_mask(cands[i].token);
			const char *state;

			if (cands[i].source == HF_TOKEN_SOURCE_FILE)
				snprintf(label, sizeof(label), "token file");
			else if (cands[i].source == HF_TOKEN_SOURCE_EXPLICIT)
				snprintf(label, sizeof(label), "--token (explicit)");
			else
				snprintf(label, sizeof(label), "%s", cands[i].where);
			if (!cands[i].is_set)
				state = "not set";
			else if (cands[i].error)
				state = "unreadable";
			else if (!cands[i].token)
				state = "set but blank (ignored)";
			else
				state = "set";
			printf("  %zu. %-24s %-10s %s%s%s\n", i + 1, label, state, mask ? mask : "",
			       cands[i].active ? "  <- active" : "",
			       cands[i].token && !cands[i].active ? "  (overridden)" : "");
			hf_free(mask);
		}
		printf("Token file: %s (from %s)\n", cfg->token_path, cfg->token_path_source);
		if (!active) {
			printf("Active token: none (public repos work; gated and private ones need a token: "
			       "run 'hf auth login' or set HF_TOKEN)\n");
		} else {
			char *mask = hf_token_mask(active->token);

			printf("Active token: %s from %s\n", mask, hf_token_source_name(active->source));
			hf_free(mask);
			if (!checked)
				printf("Validity: not checked%s\n", cfg->offline ? " (offline mode)" : "");
			else if (check_rc == HF_OK)
				printf("Validity: valid, user %s, permission: %s\n", who->name,
				       who->token_role ? who->token_role : "unknown");
		}
		if (cfg->disable_implicit_token)
			printf("Note: HF_HUB_DISABLE_IMPLICIT_TOKEN is set: the token is sent only when "
			       "given explicitly.\n");
		if (who && who->token_role && strcmp(who->token_role, "write") == 0)
			printf("Note: the active token can write; a \"Read\" token is enough to download "
			       "and is safer on this machine.\n");
	}
	if (exposed)
		cli_warn("./.env holds a token and git does not ignore it: add .env to .gitignore.");
	if (checked && check_rc) {
		exit_code = cli_fail(client, check_rc);
	}
done:
	hf_whoami_free(who);
	hf_token_candidates_free(cands, n);
	hf_client_free(client);
	return exit_code;
}

static void print_expires(long long at)
{
	char day[16];
	time_t t = (time_t)at;
	struct tm tm;

	if (!at || !gmtime_r(&t, &tm)) {
		printf("%-22s", "");
		return;
	}
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	printf("%s%-12s", day, at < (long long)time(NULL) ? " (expired)" : "");
}

/* The stored tokens as JSON: [{"name", "token" (masked), "active", "expires"}]. */
static void print_token_list_json(const hf_stored_tokens *list, const char *active)
{
	size_t i;

	printf("[");
	for (i = 0; i < list->count; i++) {
		char *mask = hf_token_mask(list->items[i].token);

		printf("%s{\"name\": ", i ? ", " : "");
		cli_json_string(stdout, list->items[i].name);
		printf(", \"token\": ");
		cli_json_string(stdout, mask);
		printf(", \"active\": %s, \"expires\": ",
		       active && strcmp(active, list->items[i].token) == 0 ? "true" : "false");
		if (list->items[i].expires_at)
			printf("%lld}", list->items[i].expires_at);
		else
			printf("null}");
		hf_free(mask);
	}
	printf("]\n");
}

int cmd_auth_list(int argc, char **argv)
{
	const char *format = NULL;
	int json = 0, quiet = 0, npos, rc, exit_code = 0, any_expiry = 0;
	char **pos;
	cli_format fmt;
	hf_client *client = NULL;
	hf_stored_tokens *list = NULL;
	char *active = NULL;
	size_t i, w = 4;
	cli_opt opts[] = {
		{ "format", 0, CLI_OPT_STRING, &format, "FORMAT", "Output format: human, json or quiet.", 0 },
		{ "json", 0, CLI_OPT_BOOL, &json, NULL, "Same as --format json.", 0 },
		{ "quiet", 'q', CLI_OPT_BOOL, &quiet, NULL, "Print only the token names.", 0 },
		CLI_OPT_END
	};
	const cli_command cmd = { "hf auth list", "[OPTIONS]", "List the stored access tokens (masked).",
				  NULL, opts, 0, 0 };

	rc = cli_parse(&cmd, argc, argv, &pos, &npos);
	if (rc)
		return rc > 0 ? 0 : CLI_EXIT_USAGE;
	free(pos);
	if (cli_format_resolve(format, json, quiet, &fmt) < 0)
		return CLI_EXIT_USAGE;
	if (cli_client(&client, NULL, &exit_code))
		return exit_code;
	rc = hf_stored_tokens_load(&list, client);
	if (rc) {
		exit_code = cli_fail(client, rc);
		goto done;
	}
	if (hf_client_error(client)->code == HF_EPROTOCOL)
		cli_warn("%s", hf_client_error(client)->message);
	hf_token_resolve(&active, NULL, client, NULL);
	if (fmt == CLI_FMT_JSON) {
		print_token_list_json(list, active);
		goto done;
	}
	if (fmt == CLI_FMT_QUIET) {
		for (i = 0; i < list->count; i++)
			printf("%s\n", list->items[i].name);
		goto done;
	}
	if (list->count == 0) {
		if (env_token_set())
			printf("No stored access tokens found.\n");
		else
			printf("No access tokens found.\n");
	} else {
		for (i = 0; i < list->count; i++) {
			if (strlen(list->items[i].name) > w)
				w = strlen(list->items[i].name);
			if (list->items[i].expires_at)
				any_expiry = 1;
		}
		printf("  %-*s %-11s%s\n", (int)w, "name", "token", any_expiry ? " expires" : "");
		printf("- %.*s %s%s\n", (int)w, "----------------------------------------------------------------",
		       "-----------", any_expiry ? " ----------" : "");
		for (i = 0; i < list->count; i++) {
			char *mask = hf_token_mask(list->items[i].token);
			int is_active = active && strcmp(active, list->items[i].token) == 0;

			printf("%s %-*s %-11s", is_active ? "*" : " ", (int)w, list->items[i].name, mask);
			if (any_expiry) {
				printf(" ");
				print_expires(list->items[i].expires_at);
			}
			printf("\n");
			hf_free(mask);
		}
	}
	if (env_token_set())
		printf("Note: Environment variable `HF_TOKEN` is set and is the current active token "
		       "independently from the stored tokens listed above.\n");
	else if (!active)
		printf("Note: No active token is set and no environment variable `HF_TOKEN` is found. "
		       "Use `hf auth login` to log in.\n");
done:
	hf_free_secret(active);
	hf_stored_tokens_free(list);
	hf_client_free(client);
	return exit_code;
}

int cmd_auth_switch(int argc, char **argv)
{
	const char *token_name = NULL;
	int add_git = 0, npos, rc, exit_code = 0;
	char **pos;
	hf_client *client = NULL;
	hf_stored_tokens *list = NULL;
	char *chosen = NULL;
	const hf_config *cfg;
	size_t i;
	cli_opt opts[] = {
		{ "token-name", 0, CLI_OPT_STRING, &token_name, "NAME", "The stored token to switch to.", 0 },
		{ "add-to-git-credential", 0, CLI_OPT_BOOL, &add_git, NULL, "Also save it in the git credential helpers.", 1 },
		CLI_OPT_END
	};
	const cli_command cmd = {
		"hf auth switch", "[OPTIONS]",
		"Make another stored token the active one (no network request is made).",
		NULL, opts, 0, 0
	};

	rc = cli_parse(&cmd, argc, argv, &pos, &npos);
	if (rc)
		return rc > 0 ? 0 : CLI_EXIT_USAGE;
	free(pos);
	if (cli_client(&client, NULL, &exit_code))
		return exit_code;
	cfg = hf_client_config(client);
	rc = hf_stored_tokens_load(&list, client);
	if (rc) {
		exit_code = cli_fail(client, rc);
		goto done;
	}
	if (!token_name) {
		char *line;
		char *end;
		long k;

		if (list->count == 0) {
			cli_error_line("No access tokens found.", "log in first with 'hf auth login'");
			exit_code = 3;
			goto done;
		}
		if (!cli_interactive()) {
			cli_error_line("no token name given", "pass --token-name NAME (see 'hf auth list')");
			exit_code = CLI_EXIT_USAGE;
			goto done;
		}
		printf("Select a token to switch to:\n");
		for (i = 0; i < list->count; i++)
			printf("  %zu. %s\n", i + 1, list->items[i].name);
		printf("Enter a number: ");
		fflush(stdout);
		line = cli_read_stdin_line();
		k = line ? strtol(line, &end, 10) : 0;
		free(line);
		if (k < 1 || (size_t)k > list->count) {
			cli_error_line("invalid choice", NULL);
			exit_code = CLI_EXIT_USAGE;
			goto done;
		}
		token_name = list->items[k - 1].name;
	}
	rc = hf_token_switch(client, token_name);
	if (rc) {
		exit_code = cli_fail(client, rc);
		goto done;
	}
	printf("Your token has been saved to %s\n", cfg->token_path);
	if (add_git) {
		for (i = 0; i < list->count; i++)
			if (strcmp(list->items[i].name, token_name) == 0)
				chosen = list->items[i].token;
		if (chosen) {
			exit_code = add_git_credential(client, chosen);
			if (exit_code)
				goto done;
		}
	}
	printf("The current active token is: %s\n", token_name);
	if (env_token_set())
		cli_warn("The environment variable `HF_TOKEN` is set and will override the access token "
			 "you've just switched to.");
done:
	hf_stored_tokens_free(list);
	hf_client_free(client);
	return exit_code;
}

int cmd_auth_token(int argc, char **argv)
{
	int npos, rc, exit_code = 0;
	char **pos;
	hf_client *client = NULL;
	char *token = NULL;
	cli_opt opts[] = { CLI_OPT_END };
	const cli_command cmd = {
		"hf auth token", "[OPTIONS]",
		"Print the active token to standard output (the only command that shows it unmasked).",
		NULL, opts, 0, 0
	};

	rc = cli_parse(&cmd, argc, argv, &pos, &npos);
	if (rc)
		return rc > 0 ? 0 : CLI_EXIT_USAGE;
	free(pos);
	if (cli_client(&client, NULL, &exit_code))
		return exit_code;
	rc = hf_token_resolve(&token, NULL, client, NULL);
	if (rc) {
		exit_code = cli_fail(client, rc);
	} else if (!token) {
		cli_error_line("Not logged in. Run `hf auth login` first.", NULL);
		exit_code = hf_exit_code(HF_ENOTOKEN);
	} else {
		printf("%s\n", token);
	}
	hf_free_secret(token);
	hf_client_free(client);
	return exit_code;
}

int cmd_auth(int argc, char **argv)
{
	static const cli_sub subs[] = {
		{ "login", cmd_auth_login }, { "logout", cmd_auth_logout },
		{ "whoami", cmd_auth_whoami }, { "status", cmd_auth_status },
		{ "list", cmd_auth_list }, { "ls", cmd_auth_list },
		{ "switch", cmd_auth_switch }, { "token", cmd_auth_token },
	};

	return cli_dispatch("auth", "Manage authentication.", auth_help, subs,
			    sizeof(subs) / sizeof(subs[0]), argc, argv);
}

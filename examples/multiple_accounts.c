/*
 * multiple_accounts: the guide's "several accounts" case. A work account
 * and a personal one, each with its own token, in one program: each
 * account gets its own client, created with that token as the explicit
 * token, which beats HF_TOKEN and the token file.
 *
 *     WORK_TOKEN=hf_... PERSONAL_TOKEN=hf_... multiple_accounts <repo_id> <filename>
 *
 * The tokens come from the environment, not the command line (where `ps`
 * and the shell history would show them). For each account the program
 * asks the Hub who the token belongs to, then downloads the file with
 * it. Both clients share one cache, as two runs of the official client
 * would: like it, a client that the Hub refuses falls back on a copy
 * already in the cache. To keep the accounts' files apart, give each
 * client a cache of its own (hf_client_options.cache_dir).
 *
 *     [work] user: carl (token hf_****carl, role read)
 *     [work] error: your request to access model 'org/name' is awaiting approval (HF_EGATED)
 *     [work] hint: the repository's authors must approve it; ...
 *     [personal] user: alice (token hf_****wxyz, role read)
 *     [personal] path: /home/me/.cache/huggingface/hub/models--org--name/snapshots/<commit>/config.json
 *
 * One call with a token of its own needs no client of its own: set
 * hf_download_options.token (or pass the token to hf_whoami_get()).
 *
 * Exit status: 0 when every account got the file, else 1.
 */
#include <stdio.h>
#include <stdlib.h>

#include <hf/hf.h>

static void print_error(const char *account, hf_client *client, int rc)
{
	const hf_error *e = hf_client_error(client);

	printf("[%s] error: %s (%s)\n", account,
	       e->code == rc ? e->message : hf_strerror(rc), hf_error_name(rc));
	if (e->code == rc && e->hint)
		printf("[%s] hint: %s\n", account, e->hint);
}

/* Everything one account does. Returns HF_OK or the failed call's code. */
static int run_account(const char *account, const char *token, const char *repo_id,
		       const char *filename)
{
	hf_client_options copts = HF_CLIENT_OPTIONS_INIT;
	hf_client *client = NULL;
	hf_whoami *me = NULL;
	char *masked, *path = NULL;
	int rc;

	/* The client copies the token, and wipes its copy in hf_client_free(). */
	copts.token = token;
	rc = hf_client_new(&client, &copts);
	if (rc != HF_OK) {
		printf("[%s] error: %s\n", account, hf_strerror(rc));
		return rc;
	}

	/* NULL token: the client's own (explicit) token. */
	rc = hf_whoami_get(&me, client, NULL);
	if (rc != HF_OK) {
		print_error(account, client, rc);
		hf_client_free(client);
		return rc;
	}
	masked = hf_token_mask(token);
	printf("[%s] user: %s (token %s, role %s)\n", account, me->name, masked ? masked : "?",
	       me->token_role ? me->token_role : "unknown");
	hf_free(masked);
	hf_whoami_free(me);

	/* NULL options: the defaults, and the client's token. */
	rc = hf_download_file(&path, client, repo_id, filename, NULL);
	if (rc == HF_OK)
		printf("[%s] path: %s\n", account, path);
	else
		print_error(account, client, rc);
	hf_free(path);
	hf_client_free(client);
	return rc;
}

int main(int argc, char **argv)
{
	static const char *const accounts[][2] = {
		{ "work", "WORK_TOKEN" },
		{ "personal", "PERSONAL_TOKEN" },
	};
	size_t i, failed = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: WORK_TOKEN=... PERSONAL_TOKEN=... "
				"multiple_accounts <repo_id> <filename>\n");
		return 2;
	}
	for (i = 0; i < sizeof(accounts) / sizeof(accounts[0]); i++) {
		const char *token = getenv(accounts[i][1]);

		if (!token || !*token) {
			printf("[%s] skipped: %s is not set\n", accounts[i][0], accounts[i][1]);
			failed++;
			continue;
		}
		if (run_account(accounts[i][0], token, argv[1], argv[2]) != HF_OK)
			failed++;
		fflush(stdout);
	}
	return failed ? 1 : 0;
}

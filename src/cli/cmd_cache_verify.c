/* hf cache verify: re-hash a cached revision (or a --local-dir download) against the expected hashes. */
#include <stdlib.h>

#include "cmd_cache.h"

/* {"repo_id", "repo_type", "revision", "verified", "mismatches": [{"file", "problem"}], "missing": [...], "extra": [...]} */
static void print_verify_json(const char *repo_id, hf_repo_type type, const hf_verify_result *r)
{
	static const struct {
		hf_verify_issue_kind kind;
		const char *key;
	} lists[] = { { HF_VERIFY_MISMATCH, "mismatches" }, { HF_VERIFY_MISSING, "missing" },
		      { HF_VERIFY_EXTRA, "extra" } };
	size_t i, l;

	printf("{\"repo_id\": ");
	cli_json_string(stdout, repo_id);
	printf(", \"repo_type\": \"%s\", \"revision\": ", hf_repo_type_name(type));
	cli_json_string(stdout, r->commit[0] ? r->commit : NULL);
	printf(", \"verified\": %zu", r->verified);
	for (l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
		int first = 1;

		printf(", \"%s\": [", lists[l].key);
		for (i = 0; i < r->nb_issues; i++) {
			if (r->issues[i].kind != lists[l].kind)
				continue;
			printf("%s", first ? "" : ", ");
			first = 0;
			if (lists[l].kind == HF_VERIFY_MISMATCH) {
				printf("{\"file\": ");
				cli_json_string(stdout, r->issues[i].file);
				printf(", \"problem\": ");
				cli_json_string(stdout, r->issues[i].problem);
				printf("}");
			} else {
				cli_json_string(stdout, r->issues[i].file);
			}
		}
		printf("]");
	}
	printf("}\n");
}

int cmd_cache_verify(int argc, char **argv)
{
	const char *cache_dir = NULL, *local_dir = NULL, *repo_type = NULL, *revision = NULL, *token = NULL;
	const char *format = NULL;
	int fail_missing = 0, fail_extra = 0, json = 0, quiet = 0, npos, rc, exit_code = 0;
	char **pos;
	size_t i;
	cli_format fmt;
	hf_client *client = NULL;
	hf_verify_result *r = NULL;
	hf_cache_verify_options o = HF_CACHE_VERIFY_OPTIONS_INIT;
	cli_opt opts[] = {
		{ "repo-type", 0, CLI_OPT_STRING, &repo_type, "TYPE", "model (default), dataset or space.", 0 },
		{ "revision", 0, CLI_OPT_STRING, &revision, "REV", "Branch, tag or commit (default: main).", 0 },
		{ "cache-dir", 0, CLI_OPT_STRING, &cache_dir, "DIR", "Cache directory (default: HF_HUB_CACHE).", 0 },
		{ "local-dir", 0, CLI_OPT_STRING, &local_dir, "DIR", "Verify a --local-dir download instead.", 0 },
		{ "fail-on-missing-files", 0, CLI_OPT_BOOL, &fail_missing, NULL, "Exit non-zero when a file is missing.", 0 },
		{ "fail-on-extra-files", 0, CLI_OPT_BOOL, &fail_extra, NULL, "Exit non-zero on files the repo does not have.", 0 },
		{ "token", 0, CLI_OPT_STRING, &token, "TOKEN", "Token to list a private or gated repository.", 0 },
		{ "format", 0, CLI_OPT_STRING, &format, "FORMAT", "Output format: human, json or quiet.", 0 },
		{ "json", 0, CLI_OPT_BOOL, &json, NULL, "Same as --format json.", 0 },
		{ "quiet", 'q', CLI_OPT_BOOL, &quiet, NULL, "Print nothing; only the exit code tells.", 0 },
		CLI_OPT_END
	};
	const cli_command cmd = {
		"hf cache verify", "REPO_ID [OPTIONS]",
		"Re-hash every cached file of a revision (sha256 for LFS files, git sha1 for the others).",
		"Online the expected hashes come from the Hub's file list; offline (HF_HUB_OFFLINE=1)\n"
		"from the blob names, which are those hashes.",
		opts, 1, 1
	};

	rc = cli_parse(&cmd, argc, argv, &pos, &npos);
	if (rc)
		return rc > 0 ? 0 : CLI_EXIT_USAGE;
	if (cli_format_resolve(format, json, quiet, &fmt) < 0) {
		exit_code = CLI_EXIT_USAGE;
		goto done;
	}
	if (cache_dir && local_dir) {
		cli_error_line("--cache-dir and --local-dir cannot be used together", NULL);
		exit_code = CLI_EXIT_USAGE;
		goto done;
	}
	if (cli_repo_type_arg(repo_type, &o.repo_type)) {
		exit_code = CLI_EXIT_USAGE;
		goto done;
	}
	o.revision = revision;
	o.cache_dir = cache_dir;
	o.local_dir = local_dir;
	o.token = token;
	if (cli_client(&client, NULL, &exit_code))
		goto done;
	rc = hf_cache_verify(&r, client, pos[0], &o);
	if (rc) {
		exit_code = cli_fail(client, rc);
		goto done;
	}
	if (fmt == CLI_FMT_JSON)
		print_verify_json(pos[0], o.repo_type, r);
	for (i = 0; i < r->nb_issues && fmt != CLI_FMT_JSON; i++) {
		const hf_verify_issue *is = &r->issues[i];

		if (is->kind == HF_VERIFY_MISMATCH)
			fprintf(stderr, "Error: %s: %s\n", is->file, is->problem);
		else
			cli_warn("%s: %s", is->file, is->problem);
	}
	if (r->mismatches || (fail_missing && r->missing) || (fail_extra && r->extra)) {
		cli_error_line("verification failed",
			       "re-download the damaged files with 'hf download --force-download'");
		exit_code = hf_exit_code(HF_EINTEGRITY);
		goto done;
	}
	if (fmt == CLI_FMT_HUMAN || fmt == CLI_FMT_AGENT)
		printf("Verified %zu file(s) for %s '%s'. All checksums match.\n", r->verified,
		       hf_repo_type_name(o.repo_type), pos[0]);
done:
	hf_verify_result_free(r);
	free(pos);
	hf_client_free(client);
	return exit_code;
}

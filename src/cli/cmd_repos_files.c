/*
 * hf repos delete-files REPO_ID PATTERNS... (docs/cli.md): one commit
 * deleting every file of the revision that a pattern matches, as
 * huggingface_hub v1.28 delete_files does: fnmatch patterns on the repo
 * paths where '*' crosses '/', a pattern ending in '/' means everything
 * under that folder, and the root `.gitattributes` is never deleted.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_upload.h"

/* fnmatch without FNM_PATHNAME lets '*' cross '/', as Python's fnmatch. */
static int pattern_match(const char *pattern, const char *path)
{
	size_t n = strlen(pattern);

	if (n && pattern[n - 1] == '/') {
		char *p = malloc(n + 2);
		int m;

		if (!p)
			return 0;
		memcpy(p, pattern, n);
		p[n] = '*';
		p[n + 1] = '\0';
		m = fnmatch(p, path, 0) == 0;
		free(p);
		return m;
	}
	return fnmatch(pattern, path, 0) == 0;
}

int cmd_repos_delete_files(int argc, char **argv)
{
	const char *repo_type = NULL, *revision = NULL, *message = NULL, *description = NULL;
	const char *token = NULL, *format = NULL;
	int create_pr = 0, json = 0, quiet = 0, npos, rc, exit_code = 0, i;
	char **pos = NULL, *default_message = NULL;
	size_t k, n_ops = 0, len = 0;
	cli_format fmt;
	hf_client *client = NULL;
	hf_plan *plan = NULL;
	hf_commit_op *ops = NULL;
	hf_commit_info *info = NULL;
	hf_download_options dopt = HF_DOWNLOAD_OPTIONS_INIT;
	hf_upload_options uo = HF_UPLOAD_OPTIONS_INIT;
	cli_opt opts[] = {
		CLI_OPTS_REPO_TYPE(repo_type),
		{ "revision", 0, CLI_OPT_STRING, &revision, "REV", "Branch to commit to (default: main).", 0 },
		CLI_OPTS_COMMIT_TEXT(message, description),
		{ "create-pr", 0, CLI_OPT_BOOL, &create_pr, NULL, "Delete in a new pull request.", 0 },
		CLI_OPT_HUB_TOKEN(token),
		CLI_OPTS_FORMAT(format, json),
		{ "quiet", 'q', CLI_OPT_BOOL, &quiet, NULL, "Print only the commit URL.", 0 },
		CLI_OPT_END
	};
	const cli_command cmd = {
		"hf repos delete-files", "REPO_ID PATTERNS... [OPTIONS]",
		"Delete files from a repo on the Hub, in one commit.",
		"PATTERNS are fnmatch patterns where '*' matches files recursively; a\n"
		"pattern ending in '/' deletes that folder. .gitattributes is always kept.\n"
		"  hf repos delete-files my-model file.txt\n"
		"  hf repos delete-files my-model \"*.json\"\n"
		"  hf repos delete-files my-model folder/",
		opts, 2, -1
	};

	rc = cli_parse(&cmd, argc, argv, &pos, &npos);
	if (rc)
		return rc > 0 ? 0 : CLI_EXIT_USAGE;
	if (cli_format_resolve(format, json, quiet, &fmt) < 0) {
		exit_code = CLI_EXIT_USAGE;
		goto done;
	}
	if (cli_repo_type_arg(repo_type, &uo.repo_type)) {
		exit_code = CLI_EXIT_USAGE;
		goto done;
	}
	if (cli_client(&client, token, &exit_code))
		goto done;
	/* The revision's file list. */
	dopt.repo_type = uo.repo_type;
	dopt.revision = revision;
	dopt.token = token;
	rc = hf_download_plan(&plan, client, pos[0], NULL, &dopt);
	if (rc) {
		exit_code = cli_fail(client, rc);
		goto done;
	}
	ops = calloc(plan->count ? plan->count : 1, sizeof(*ops));
	if (!ops) {
		exit_code = hf_exit_code(HF_ENOMEM);
		goto done;
	}
	for (k = 0; k < plan->count; k++) {
		const char *path = plan->files[k].path;

		if (strcmp(path, ".gitattributes") == 0)
			continue;
		for (i = 1; i < npos; i++) {
			if (pattern_match(pos[i], path)) {
				ops[n_ops].kind = HF_COMMIT_DELETE_FILE;
				ops[n_ops].path_in_repo = path;
				n_ops++;
				break;
			}
		}
	}
	if (n_ops == 0) {
		cli_error_line("no file of the repository matches the patterns",
			       "list the files with 'hf download REPO_ID --dry-run'");
		exit_code = hf_exit_code(HF_ENOTFOUND);
		goto done;
	}
	if (!message) {
		/* "Delete files <patterns joined by spaces> with huggingface_hub" */
		for (i = 1; i < npos; i++)
			len += strlen(pos[i]) + 1;
		default_message = malloc(len + 64);
		if (!default_message) {
			exit_code = hf_exit_code(HF_ENOMEM);
			goto done;
		}
		strcpy(default_message, "Delete files");
		for (i = 1; i < npos; i++) {
			strcat(default_message, " ");
			strcat(default_message, pos[i]);
		}
		strcat(default_message, " with huggingface_hub");
		message = default_message;
	}
	uo.revision = revision;
	uo.commit_message = message;
	uo.commit_description = description;
	uo.create_pr = create_pr;
	uo.token = token;
	rc = hf_commit(&info, client, pos[0], ops, n_ops, &uo);
	if (rc) {
		exit_code = cli_fail(client, rc);
		goto done;
	}
	switch (fmt) {
	case CLI_FMT_JSON:
		printf("{\"repo_id\": ");
		cli_json_string(stdout, pos[0]);
		printf(", \"commit_url\": ");
		cli_json_string(stdout, info->commit_url);
		printf(", \"commit_oid\": ");
		cli_json_string(stdout, info->commit_oid);
		printf(", \"pr_url\": ");
		cli_json_string(stdout, info->pr_url);
		printf(", \"deleted\": [");
		for (k = 0; k < n_ops; k++) {
			printf("%s", k ? ", " : "");
			cli_json_string(stdout, ops[k].path_in_repo);
		}
		printf("]}\n");
		break;
	case CLI_FMT_AGENT:
		printf("repo_id=%s commit_url=%s\n", pos[0], info->commit_url);
		break;
	case CLI_FMT_QUIET:
		/* the official quiet output is the first value: the repo id */
		printf("%s\n", pos[0]);
		break;
	case CLI_FMT_HUMAN:
	default:
		printf("%s Files deleted\n  repo_id: %s\n  commit_url: %s\n", cli_ok_mark(), pos[0],
		       info->commit_url);
		if (info->pr_url)
			printf("  pr_url: %s\n", info->pr_url);
	}
done:
	hf_commit_info_free(info);
	hf_plan_free(plan);
	free(ops);
	free(default_message);
	free(pos);
	hf_client_free(client);
	return exit_code;
}

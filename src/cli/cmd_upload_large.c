/*
 * hf upload-large-folder REPO_ID LOCAL_PATH (docs/cli.md): deprecated in
 * huggingface_hub v1.28 in favour of `hf upload`, whose banner it prints;
 * creates the repository when missing, then hf_upload_large_folder(),
 * which commits in batches and resumes after an interruption.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cmd_upload.h"

#define RULE "================================================================================"

/* The official banner, with the equivalent `hf upload` command. */
static void banner(const char *repo_id, const char *path, const char *type, const char *revision,
		   int private_, const cli_list *include, const cli_list *exclude)
{
	size_t i;

	fprintf(stderr, "Warning: \n" RULE "\n"
			"`hf upload-large-folder` is DEPRECATED and will be removed in a future release.\n"
			"\nUse `hf upload` instead:\n\n"
			"    hf upload %s '%s' --repo-type %s", repo_id, path, type);
	if (revision)
		fprintf(stderr, " --revision '%s'", revision);
	if (private_)
		fputs(" --private", stderr);
	for (i = 0; i < include->count; i++)
		fprintf(stderr, " --include '%s'", include->items[i]);
	for (i = 0; i < exclude->count; i++)
		fprintf(stderr, " --exclude '%s'", exclude->items[i]);
	fputs("\n" RULE "\n", stderr);
}

int cmd_upload_large_folder(int argc, char **argv)
{
	const char *repo_type = NULL, *revision = NULL, *token = NULL;
	cli_list include = { NULL, 0 }, exclude = { NULL, 0 };
	int private_ = 0, no_report = 0, no_bars = 0, npos, rc, exit_code = 0;
	long num_workers = 0;
	char **pos = NULL, *url = NULL, *repo_id = NULL;
	hf_client *client = NULL;
	hf_upload_options uo = HF_UPLOAD_OPTIONS_INIT;
	cli_progress_line view;
	struct sigaction old_sa;
	struct stat st;
	cli_opt opts[] = {
		CLI_OPTS_REPO_TYPE(repo_type),
		{ "revision", 0, CLI_OPT_STRING, &revision, "REV", "Branch to commit to (default: main).", 0 },
		CLI_OPTS_UPLOAD_FILES(private_, include, exclude),
		CLI_OPT_HUB_TOKEN(token),
		{ "num-workers", 0, CLI_OPT_INT, &num_workers, "N", "Files hashed and sent at once (default: half the CPUs).", 0 },
		{ "no-report", 0, CLI_OPT_BOOL, &no_report, NULL, "Accepted for compatibility (no periodic report is printed).", 0 },
		{ "no-bars", 0, CLI_OPT_BOOL, &no_bars, NULL, "No progress line.", 0 },
		CLI_OPT_END
	};
	const cli_command cmd = {
		"hf upload-large-folder", "REPO_ID LOCAL_PATH [OPTIONS]",
		"[Deprecated] Upload a large folder to the Hub. Use `hf upload` instead.",
		"Commits the folder in batches of files (\"Add files using upload-large-folder\n"
		"tool\"); the state of each file is kept in LOCAL_PATH/.cache/huggingface/upload,\n"
		"so after an interruption the same command uploads only what is left.\n"
		"  hf upload-large-folder Wauplin/my-cool-model ./large_model_dir\n"
		"  hf upload-large-folder Wauplin/my-cool-model ./large_model_dir --revision v1.0",
		opts, 2, 2
	};

	rc = cli_parse(&cmd, argc, argv, &pos, &npos);
	if (rc)
		return rc > 0 ? 0 : CLI_EXIT_USAGE;
	if (cli_repo_type_arg(repo_type, &uo.repo_type)) {
		exit_code = CLI_EXIT_USAGE;
		goto done;
	}
	if (stat(pos[1], &st) != 0 || !S_ISDIR(st.st_mode)) {
		cli_error_line("large upload is only supported for folders", "give LOCAL_PATH as a folder");
		exit_code = CLI_EXIT_USAGE;
		goto done;
	}
	if (num_workers < 0 || num_workers > 256) {
		cli_error_line("--num-workers must be between 1 and 256", NULL);
		exit_code = CLI_EXIT_USAGE;
		goto done;
	}
	(void)no_report;
	banner(pos[0], pos[1], hf_repo_type_name(uo.repo_type), revision, private_, &include, &exclude);
	if (cli_client(&client, token, &exit_code))
		goto done;
	exit_code = cli_upload_create_repo(&url, &repo_id, client, pos[0], uo.repo_type, token, private_);
	if (exit_code)
		goto done;
	uo.revision = revision;
	uo.token = token;
	uo.max_workers = (int)num_workers;
	uo.include = include.items;
	uo.include_count = include.count;
	uo.exclude = exclude.items;
	uo.exclude_count = exclude.count;
	cli_progress_init(&view, !no_bars && isatty(STDERR_FILENO) &&
					    hf_client_config(client)->disable_progress_bars != 1);
	uo.progress = cli_upload_progress;
	uo.progress_payload = &view;
	cli_catch_sigint(&old_sa);
	rc = hf_upload_large_folder(client, repo_id, pos[1], &uo);
	sigaction(SIGINT, &old_sa, NULL);
	cli_progress_clear(&view);
	exit_code = cli_upload_exit(client, rc, "interrupted",
				    "run the same command again: it uploads only what is left");
	if (exit_code)
		goto done;
	printf("%s Uploaded\n  url: %s\n", cli_ok_mark(), url);
done:
	hf_free(url);
	free(repo_id);
	free(pos);
	cli_list_dispose(&include);
	cli_list_dispose(&exclude);
	hf_client_free(client);
	return exit_code;
}

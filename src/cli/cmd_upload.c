/*
 * hf upload REPO_ID [LOCAL_PATH] [PATH_IN_REPO] (docs/cli.md "hf upload"):
 * the steps of huggingface_hub v1.28 cli/upload.py, as
 * /work/shared/docs/upload-protocol.md §1 lists them: create the
 * repository (exist_ok), create a missing --revision branch, then one
 * commit through hf_upload_file() or hf_upload_folder(). Progress goes to
 * standard error on a terminal; the commit URL to standard output.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cmd_upload.h"

/* The download command's one-line style (cmd_download.c), per phase. */
int cli_upload_progress(const hf_upload_progress *p, void *payload)
{
	cli_progress_line *v = payload;
	char done[32], total[32], rate[32], line[256];
	double elapsed, speed;
	int len;

	if (cli_interrupted())
		return 1;
	if (!v->show)
		return 0;
	elapsed = cli_progress_elapsed(v);
	switch (p->phase) {
	case HF_UPLOAD_HASHING:
		cli_format_size(done, sizeof(done), (double)p->bytes_hashed);
		cli_format_size(total, sizeof(total), (double)p->bytes_to_hash);
		len = snprintf(line, sizeof(line), "Hashing %zu/%zu files  %s / %s  %.40s", p->files_done,
			       p->files_total, done, total, p->file ? p->file : "");
		break;
	case HF_UPLOAD_SENDING:
		speed = elapsed > 0.2 ? (double)p->bytes_sent / elapsed : 0;
		cli_format_size(done, sizeof(done), (double)p->bytes_sent);
		cli_format_size(total, sizeof(total), (double)p->bytes_to_send);
		cli_format_size(rate, sizeof(rate), speed);
		len = snprintf(line, sizeof(line), "Uploading %zu/%zu files  %s / %s  %s/s  %.40s",
			       p->files_done, p->files_total, done, total, rate, p->file ? p->file : "");
		break;
	case HF_UPLOAD_COMMITTING:
		len = snprintf(line, sizeof(line), "Committing %zu file%s", p->files_total,
			       p->files_total == 1 ? "" : "s");
		break;
	default:
		cli_progress_clear(v);
		return 0;
	}
	cli_progress_draw(v, line, len);
	return 0;
}

char *cli_repo_id_from_url(const char *url, const char *fallback)
{
	/* "<endpoint>/<prefix><ns>/<name>": the last two components. */
	const char *end, *p;
	int slashes = 0;
	size_t n;
	char *id;

	if (!url || !*url)
		return strdup(fallback);
	n = strlen(url);
	while (n && url[n - 1] == '/')
		n--;
	end = url + n;
	for (p = end; p > url; p--) {
		if (p[-1] == '/' && ++slashes == 2)
			break;
	}
	if (slashes < 2 || p >= end)
		return strdup(fallback);
	id = malloc((size_t)(end - p) + 1);
	if (id) {
		memcpy(id, p, (size_t)(end - p));
		id[end - p] = '\0';
	}
	return id;
}

int cli_upload_create_repo(char **url, char **repo_id, hf_client *client, const char *id,
			   hf_repo_type type, const char *token, int private_)
{
	hf_repo_options ro = HF_REPO_OPTIONS_INIT;
	int rc;

	/* A missing Space is made with gradio, as the official CLI does. */
	ro.repo_type = type;
	ro.token = token;
	ro.exist_ok = 1;
	if (private_)
		ro.visibility = HF_VISIBILITY_PRIVATE;
	if (type == HF_REPO_SPACE)
		ro.space_sdk = "gradio";
	rc = hf_repo_create(url, client, id, &ro);
	if (rc)
		return cli_fail(client, rc);
	*repo_id = cli_repo_id_from_url(*url, id);
	return *repo_id ? 0 : hf_exit_code(HF_ENOMEM);
}

int cli_upload_exit(hf_client *client, int rc, const char *interrupted_msg, const char *hint)
{
	if (!rc)
		return 0;
	if (cli_interrupted()) {
		cli_error_line(interrupted_msg, hint);
		return 130;
	}
	return cli_fail(client, rc);
}

/*
 * hf upload --revision R without --create-pr: a branch R that does not
 * exist yet is created from the default branch (exist_ok, as the official
 * CLI does against a concurrent creation). R may also be a tag, a pull
 * request ref or a commit: those are left for the commit to accept or
 * refuse, as the official CLI's revision check finds them and moves on.
 */
static int ensure_branch(hf_client *client, const char *repo_id, const hf_repo_options *ro,
			 const char *revision)
{
	hf_refs *refs = NULL;
	hf_repo_options bo = *ro;
	size_t i, n = strlen(revision);
	int rc, found = 0, is_hex = n >= 7 && n <= 40;

	for (i = 0; i < n && is_hex; i++)
		is_hex = (revision[i] >= '0' && revision[i] <= '9') ||
			 (revision[i] >= 'a' && revision[i] <= 'f');
	if (is_hex || strncmp(revision, "refs/", 5) == 0)
		return HF_OK;
	rc = hf_refs_list(&refs, client, repo_id, 0, ro);
	if (rc)
		return rc;
	for (i = 0; i < refs->n_branches && !found; i++)
		found = strcmp(refs->branches[i].name, revision) == 0;
	for (i = 0; i < refs->n_tags && !found; i++)
		found = strcmp(refs->tags[i].name, revision) == 0;
	hf_refs_free(refs);
	if (found)
		return HF_OK;
	bo.exist_ok = 1;
	bo.revision = NULL;
	return hf_branch_create(client, repo_id, revision, &bo);
}

void cli_print_commit(const hf_commit_info *info, cli_format fmt)
{
	switch (fmt) {
	case CLI_FMT_JSON:
		printf("{\"url\": ");
		cli_json_string(stdout, info->commit_url);
		printf(", \"commit_url\": ");
		cli_json_string(stdout, info->commit_url);
		printf(", \"commit_oid\": ");
		cli_json_string(stdout, info->commit_oid);
		printf(", \"pr_url\": ");
		cli_json_string(stdout, info->pr_url);
		printf(", \"pr_revision\": ");
		cli_json_string(stdout, info->pr_revision);
		printf(", \"no_op\": %s}\n", info->no_op ? "true" : "false");
		break;
	case CLI_FMT_AGENT:
		printf("url=%s", info->commit_url);
		if (info->pr_url)
			printf(" pr_url=%s", info->pr_url);
		printf("\n");
		break;
	case CLI_FMT_QUIET:
		printf("%s\n", info->commit_url);
		break;
	case CLI_FMT_HUMAN:
	default:
		/* the legacy huggingface-cli upload printed the URL alone */
		if (strcmp(cli_g.argv0_name, "huggingface-cli") == 0) {
			printf("%s\n", info->commit_url);
			break;
		}
		printf("%s Uploaded\n  url: %s\n", cli_ok_mark(), info->commit_url);
		if (info->pr_url)
			printf("  pr_url: %s\n", info->pr_url);
	}
}

/* The official CLI says a wildcard is anything with '*', '?' or '['. */
static int has_wildcard(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static const char *last_component(const char *path)
{
	size_t n = strlen(path);
	const char *p;

	while (n > 1 && path[n - 1] == '/')
		n--;
	for (p = path + n; p > path && p[-1] != '/'; p--)
		;
	return p;
}

int cmd_upload(int argc, char **argv)
{
	const char *repo_type = NULL, *revision = NULL, *message = NULL, *description = NULL;
	const char *token = NULL, *format = NULL, *every = NULL;
	const char *local_path = NULL, *path_in_repo = NULL;
	cli_list include = { NULL, 0 }, exclude = { NULL, 0 }, del = { NULL, 0 };
	int private_ = 0, create_pr = 0, json = 0, quiet = 0, npos, rc, exit_code = 0, is_file;
	char **pos = NULL, *url = NULL, *repo_id = NULL, *base = NULL;
	const char *wildcard[1];
	cli_format fmt;
	hf_client *client = NULL;
	hf_commit_info *info = NULL;
	hf_upload_options uo = HF_UPLOAD_OPTIONS_INIT;
	hf_repo_options ro = HF_REPO_OPTIONS_INIT;
	cli_progress_line view;
	struct sigaction old_sa;
	struct stat st;
	cli_opt opts[] = {
		CLI_OPTS_REPO_TYPE(repo_type),
		{ "revision", 0, CLI_OPT_STRING, &revision, "REV", "Branch to commit to (created from main when missing).", 0 },
		CLI_OPTS_UPLOAD_FILES(private_, include, exclude),
		{ "delete", 0, CLI_OPT_LIST, &del, "PATTERN", "Glob patterns for files to delete from the repo in the same commit.", 0 },
		CLI_OPTS_COMMIT_TEXT(message, description),
		{ "create-pr", 0, CLI_OPT_BOOL, &create_pr, NULL, "Upload as a new pull request.", 0 },
		{ "every", 0, CLI_OPT_STRING, &every, "MINUTES", "Scheduled commits: not supported by this client.", 0 },
		CLI_OPT_HUB_TOKEN(token),
		CLI_OPTS_FORMAT(format, json),
		{ "quiet", 'q', CLI_OPT_BOOL, &quiet, NULL, "Print only the commit URL; no progress.", 0 },
		CLI_OPT_END
	};
	const cli_command cmd = {
		"hf upload", "REPO_ID [LOCAL_PATH] [PATH_IN_REPO] [OPTIONS]",
		"Upload a file or a folder to the Hub in one commit.",
		"LOCAL_PATH defaults to the file or folder named like the repository; a\n"
		"file goes to its base name, a folder to the root (or PATH_IN_REPO). The\n"
		"repository is created when missing; a missing --revision branch too.\n"
		"  hf upload my-cool-model . .\n"
		"  hf upload Wauplin/my-cool-model ./models/model.safetensors\n"
		"  hf upload Wauplin/my-cool-dataset ./data /train --repo-type=dataset\n"
		"  hf upload bigcode/the-stack . . --repo-type dataset --create-pr",
		opts, 1, 3
	};

	rc = cli_parse(&cmd, argc, argv, &pos, &npos);
	if (rc)
		return rc > 0 ? 0 : CLI_EXIT_USAGE;
	if (cli_format_resolve(format, json, quiet, &fmt) < 0) {
		exit_code = CLI_EXIT_USAGE;
		goto done;
	}
	if (every) {
		cli_error_line("--every (scheduled commits) is not supported by this client",
			       "run 'hf upload' again when you want a new commit (e.g. from cron)");
		exit_code = CLI_EXIT_USAGE;
		goto done;
	}
	if (cli_repo_type_arg(repo_type, &uo.repo_type)) {
		exit_code = CLI_EXIT_USAGE;
		goto done;
	}
	ro.repo_type = uo.repo_type;
	local_path = npos > 1 ? pos[1] : NULL;
	path_in_repo = npos > 2 ? pos[2] : NULL;

	/* The official _resolve_upload_paths rules. */
	if (local_path && has_wildcard(local_path)) {
		if (include.count) {
			cli_error_line("cannot set --include when LOCAL_PATH contains a wildcard",
				       "put the pattern in --include and LOCAL_PATH '.'");
			exit_code = CLI_EXIT_USAGE;
			goto done;
		}
		if (path_in_repo && strcmp(path_in_repo, ".") != 0) {
			cli_error_line("cannot set PATH_IN_REPO when LOCAL_PATH contains a wildcard", NULL);
			exit_code = CLI_EXIT_USAGE;
			goto done;
		}
		wildcard[0] = local_path;
		uo.include = wildcard;
		uo.include_count = 1;
		local_path = ".";
		path_in_repo = ".";
	} else {
		uo.include = include.items;
		uo.include_count = include.count;
		if (!local_path) {
			const char *name = last_component(pos[0]);

			if (stat(name, &st) != 0 || (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))) {
				char *msg = NULL;

				if (asprintf(&msg, "'%s' is not a local file or folder", name) < 0)
					msg = NULL;
				cli_error_line(msg ? msg : "no local path", "give LOCAL_PATH explicitly");
				free(msg);
				exit_code = CLI_EXIT_USAGE;
				goto done;
			}
			local_path = name;
			if (!path_in_repo)
				path_in_repo = S_ISREG(st.st_mode) ? name : ".";
		}
	}
	if (stat(local_path, &st) != 0 || (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))) {
		char *msg = NULL;

		if (asprintf(&msg, "no such file or directory: '%s'", local_path) < 0)
			msg = NULL;
		cli_error_line(msg ? msg : "no such file or directory", "check LOCAL_PATH");
		free(msg);
		exit_code = CLI_EXIT_USAGE;
		goto done;
	}
	is_file = S_ISREG(st.st_mode);
	if (is_file) {
		if (uo.include_count)
			cli_warn("Ignoring --include since a single file is uploaded.");
		if (exclude.count)
			cli_warn("Ignoring --exclude since a single file is uploaded.");
		if (del.count)
			cli_warn("Ignoring --delete since a single file is uploaded.");
		if (!path_in_repo) {
			base = strdup(last_component(local_path));
			path_in_repo = base;
		}
	} else if (!path_in_repo) {
		path_in_repo = ".";
	}
	if (cli_client(&client, token, &exit_code))
		goto done;

	/* 1. the repository, created when missing. */
	exit_code = cli_upload_create_repo(&url, &repo_id, client, pos[0], uo.repo_type, token, private_);
	if (exit_code)
		goto done;
	/* 2. the branch. */
	ro.token = token;
	if (revision && !create_pr) {
		rc = ensure_branch(client, repo_id, &ro, revision);
		if (rc) {
			exit_code = cli_fail(client, rc);
			goto done;
		}
	}
	/* 3. the commit. */
	uo.revision = revision;
	uo.commit_message = message;
	uo.commit_description = description;
	uo.create_pr = create_pr;
	uo.token = token;
	uo.exclude = exclude.items;
	uo.exclude_count = exclude.count;
	uo.delete_patterns = del.items;
	uo.delete_count = del.count;
	cli_progress_init(&view, fmt == CLI_FMT_HUMAN && isatty(STDERR_FILENO) &&
					    hf_client_config(client)->disable_progress_bars != 1);
	uo.progress = cli_upload_progress;
	uo.progress_payload = &view;
	cli_catch_sigint(&old_sa);
	if (is_file)
		rc = hf_upload_file(&info, client, repo_id, local_path,
				    strcmp(path_in_repo, ".") == 0 ? NULL : path_in_repo, &uo);
	else
		rc = hf_upload_folder(&info, client, repo_id, local_path,
				      strcmp(path_in_repo, ".") == 0 ? NULL : path_in_repo, &uo);
	sigaction(SIGINT, &old_sa, NULL);
	cli_progress_clear(&view);
	exit_code = cli_upload_exit(client, rc, "interrupted: nothing was committed",
				    "run the same command again: files already sent are not sent again");
	if (exit_code)
		goto done;
	if (info->no_op)
		fprintf(stderr, "No files have been modified since last commit. Skipping to prevent empty commit.\n");
	cli_print_commit(info, fmt);
done:
	hf_commit_info_free(info);
	hf_free(url);
	free(repo_id);
	free(base);
	free(pos);
	cli_list_dispose(&include);
	cli_list_dispose(&exclude);
	cli_list_dispose(&del);
	hf_client_free(client);
	return exit_code;
}

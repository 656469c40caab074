/* Shared by the upload commands (cmd_upload.c, cmd_upload_large.c, cmd_repos_files.c) and hf repos. */
#ifndef HF_CMD_UPLOAD_H
#define HF_CMD_UPLOAD_H

#include "cli.h"
#include "progress.h"

/* --private, --include and --exclude of hf upload and hf upload-large-folder. */
#define CLI_OPTS_UPLOAD_FILES(private_, include, exclude) \
	{ "private", 0, CLI_OPT_BOOL, &(private_), NULL, "Create the repository private (when it does not exist).", 0 }, \
	{ "include", 0, CLI_OPT_LIST, &(include), "PATTERN", "Glob patterns to match files to upload (repeatable).", 0 }, \
	{ "exclude", 0, CLI_OPT_LIST, &(exclude), "PATTERN", "Glob patterns to exclude from files to upload (repeatable).", 0 }
/* --commit-message and --commit-description of the commands that make a commit. */
#define CLI_OPTS_COMMIT_TEXT(message, description) \
	{ "commit-message", 0, CLI_OPT_STRING, &(message), "TEXT", "The summary / title / first line of the commit.", 0 }, \
	{ "commit-description", 0, CLI_OPT_STRING, &(description), "TEXT", "The description of the commit.", 0 }

/* An hf_upload_progress_cb drawing on a cli_progress_line; cancels after SIGINT (cli_catch_sigint). */
int cli_upload_progress(const hf_upload_progress *p, void *payload);
/* "ns/name" from a repository URL "<endpoint>/<prefix>ns/name" (heap); fallback when it has no two components. */
char *cli_repo_id_from_url(const char *url, const char *fallback);
/*
 * hf_repo_create() with exist_ok (private_: a new one is private; a Space
 * gets gradio), then the repo id of the URL it answers (*repo_id, heap).
 * 0, or the exit code (the error printed).
 */
int cli_upload_create_repo(char **url, char **repo_id, hf_client *client, const char *id,
			   hf_repo_type type, const char *token, int private_);
/* The exit code of an upload that returned rc: 0; 130 after Ctrl-C, printing interrupted_msg and hint; else cli_fail(). */
int cli_upload_exit(hf_client *client, int rc, const char *interrupted_msg, const char *hint);
/* The result of a commit in the chosen format (docs/cli.md "hf upload"). */
void cli_print_commit(const hf_commit_info *info, cli_format fmt);

#endif

/* Shared by the upload commands (cmd_upload.c, cmd_upload_large.c, cmd_repos_files.c). */
#ifndef HF_CMD_UPLOAD_H
#define HF_CMD_UPLOAD_H

#include "cli.h"
#include "progress.h"

/* An hf_upload_progress_cb drawing on a cli_progress_line; cancels after SIGINT (cli_catch_sigint). */
int cli_upload_progress(const hf_upload_progress *p, void *payload);
/* "ns/name" from a repository URL "<endpoint>/<prefix>ns/name" (heap); fallback when it has no two components. */
char *cli_repo_id_from_url(const char *url, const char *fallback);
/* The result of a commit in the chosen format (docs/cli.md "hf upload"). */
void cli_print_commit(const hf_commit_info *info, cli_format fmt);

#endif

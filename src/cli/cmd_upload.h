/* Shared by the upload commands (cmd_upload.c, cmd_upload_large.c, cmd_repos_files.c). */
#ifndef HF_CMD_UPLOAD_H
#define HF_CMD_UPLOAD_H

#include <signal.h>

#include "cli.h"

/* The progress line of an upload on standard error (only when show). */
typedef struct cli_upload_view {
	int show;
	int ansi;	/* may erase with ESC[K (cli_color); else pad with spaces */
	double start;
	int drawn;	/* width of the line on screen, 0: none */
} cli_upload_view;

void cli_upload_view_init(cli_upload_view *v, int show);
/* Take the progress line off the screen. */
void cli_upload_view_clear(cli_upload_view *v);
/* An hf_upload_progress_cb drawing on a cli_upload_view; cancels after SIGINT. */
int cli_upload_progress(const hf_upload_progress *p, void *payload);
/* Route SIGINT to a flag that cancels the upload; *old gets the previous action. */
void cli_upload_catch_sigint(struct sigaction *old);
/* 1 after a SIGINT caught by cli_upload_catch_sigint(). */
int cli_upload_interrupted(void);
/* "ns/name" from a repository URL "<endpoint>/<prefix>ns/name" (heap); fallback when it has no two components. */
char *cli_repo_id_from_url(const char *url, const char *fallback);
/* The result of a commit in the chosen format (docs/cli.md "hf upload"). */
void cli_print_commit(const hf_commit_info *info, cli_format fmt);

#endif

/*
 * The one-line progress display on standard error and the Ctrl-C flag
 * that the long commands share (cmd_download.c, cmd_upload.c,
 * cmd_upload_large.c).
 */
#ifndef HF_CLI_PROGRESS_H
#define HF_CLI_PROGRESS_H

#include <signal.h>

/* The progress line on standard error (drawn only when show). */
typedef struct cli_progress_line {
	int show;
	int ansi;	/* may erase with ESC[K (cli_color); else pad with spaces */
	double start;
	int drawn;	/* width of the line on screen, 0: none */
} cli_progress_line;

/* Start the clock; ansi from cli_color(stderr). */
void cli_progress_init(cli_progress_line *v, int show);
/* Seconds since cli_progress_init(). */
double cli_progress_elapsed(const cli_progress_line *v);
/* Draw line over the previous one; len is what snprintf returned for it (< 0: nothing drawn). */
void cli_progress_draw(cli_progress_line *v, const char *line, int len);
/* Take the progress line off the screen. */
void cli_progress_clear(cli_progress_line *v);
/* Route SIGINT to a flag (cli_interrupted); *old gets the previous action to restore. */
void cli_catch_sigint(struct sigaction *old);
/* 1 after a SIGINT caught by cli_catch_sigint(): progress callbacks then cancel. */
int cli_interrupted(void);

#endif

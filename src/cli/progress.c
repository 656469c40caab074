/* The shared progress line and Ctrl-C flag (progress.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "progress.h"

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_progress_init(cli_progress_line *v, int show)
{
	memset(v, 0, sizeof(*v));
	v->show = show;
	v->ansi = cli_color(stderr);
	v->start = now_s();
}

double cli_progress_elapsed(const cli_progress_line *v)
{
	return now_s() - v->start;
}

void cli_progress_draw(cli_progress_line *v, const char *line, int len)
{
	if (len < 0)
		return;
	/* snprintf's len counts what did not fit: the line on screen is what did. */
	len = (int)strlen(line);
	if (v->ansi)
		fprintf(stderr, "\r\033[K%s", line);
	else
		fprintf(stderr, "\r%s%*s", line, v->drawn > len ? v->drawn - len : 0, "");
	fflush(stderr);
	if (len > v->drawn || v->ansi)
		v->drawn = len;
}

void cli_progress_clear(cli_progress_line *v)
{
	if (!v->drawn)
		return;
	if (v->ansi)
		fputs("\r\033[K", stderr);
	else
		fprintf(stderr, "\r%*s\r", v->drawn, "");
	fflush(stderr);
	v->drawn = 0;
}

void cli_catch_sigint(struct sigaction *old)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, old);
}

int cli_interrupted(void)
{
	return interrupted != 0;
}

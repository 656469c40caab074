/*
 * git credential helpers (docs/internals/tokens.md). The token reaches git on
 * its standard input only: never on a command line, never in the
 * environment.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "client_int.h"
#include "parse.h"
#include "util.h"


/*
 * Run git with argv, feeding input on stdin; when output is not NULL,
 * capture stdout (bounded). Returns git's exit status, or -1 when git
 * could not be started. SIGPIPE is blocked while writing, so a git that
 * exits early cannot kill the caller.
 */
static int run_git(char *const argv[], const char *input, hf__buf *output)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 };
	posix_spawn_file_actions_t fa;
	sigset_t pipe_set, old_set;
	int status = -1, devnull;
	pid_t pid;
	int spawned;

	if (pipe2(in, O_CLOEXEC) != 0)
		return -1;
	if (pipe2(out, O_CLOEXEC) != 0) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	if (output)
		posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	else if (devnull >= 0)
		posix_spawn_file_actions_adddup2(&fa, devnull, 1);
	if (devnull >= 0)
		posix_spawn_file_actions_adddup2(&fa, devnull, 2);
	spawned = posix_spawnp(&pid, "git", &fa, NULL, argv, environ) == 0;
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	if (devnull >= 0)
		close(devnull);

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
	if (spawned && input) {
		size_t left = strlen(input);
		const char *p = input;

		while (left > 0) {
			ssize_t n = write(in[1], p, left);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			p += n;
			left -= (size_t)n;
		}
	}
	close(in[1]);
	if (spawned && output) {
		char chunk[4096];
		ssize_t n;

		while ((n = read(out[0], chunk, sizeof(chunk))) != 0) {
			if (n < 0) {
				if (errno == EINTR)
					continue;
				break;
			}
			if (hf__buf_append(output, chunk, (size_t)n) < 0)
				break;
		}
	}
	close(out[0]);
	{
		/* Drop a SIGPIPE raised by our writes before unblocking. */
		struct timespec zero = { 0, 0 };

		while (sigtimedwait(&pipe_set, NULL, &zero) > 0)
			;
	}
	pthread_sigmask(SIG_SETMASK, &old_set, NULL);
	if (!spawned)
		return -1;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int is_helper_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_' || ch == '-' || ch == '/';
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Parse `git config --list` output into sorted, unique helper names. */
static int parse_helpers(const char *text, hf_strlist *out)
{
	const char *line = text;
	const char *key = "credential.helper";
	size_t klen = strlen(key);

	while (line && *line) {
		const char *end = strchr(line, '\n');
		const char *p = line, *v;

		if (!end)
			end = line + strlen(line);
		while (p < end && isspace((unsigned char)*p))
			p++;
		if ((size_t)(end - p) > klen && strncasecmp(p, key, klen) == 0) {
			p += klen;
			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
			if (p < end && *p == '=') {
				p++;
				while (p < end && (*p == ' ' || *p == '\t'))
					p++;
				v = p;
				while (p < end && is_helper_char(*p))
					p++;
				if (p > v && (p == end || isspace((unsigned char)*p))) {
					char *name = hf__strndup(v, (size_t)(p - v));
					int bad = !name || hf__strlist_push(out, name) < 0;

					free(name);
					if (bad)
						return -1;
				}
			}
		}
		line = *end ? end + 1 : NULL;
	}
	if (out->count > 1) {
		size_t i, j = 0;

		qsort(out->items, out->count, sizeof(char *), cmp_str);
		for (i = 0; i < out->count; i++) {
			if (j && strcmp(out->items[j - 1], out->items[i]) == 0)
				free(out->items[i]);
			else
				out->items[j++] = out->items[i];
		}
		out->count = j;
	}
	return 0;
}

int hf_git_credential_helpers(hf_strlist *out, hf_client *c)
{
	char *argv[] = { (char *)"git", (char *)"config", (char *)"--list", NULL };
	hf__buf text = HF__BUF_INIT;
	int rc = HF_OK;

	if (!c || !out)
		return HF_EINVAL;
	hf__error_clear(c);
	out->items = NULL;
	out->count = 0;
	text.max = 4 << 20;
	run_git(argv, NULL, &text);
	if (text.data && parse_helpers(text.data, out) < 0) {
		hf_strlist_dispose(out);
		rc = hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
	}
	hf__buf_dispose(&text);
	return rc;
}

/* Refuse values that would let git read another field or another host. */
static int check_value(hf_client *c, const char *what, const char *v)
{
	if (!v || !*v || !hf__token_is_safe(v))
		return hf__error_set(c, HF_EINVAL, NULL,
				     "refusing to pass the %s to git: it is empty or holds control characters",
				     what);
	return HF_OK;
}

static int credential(hf_client *c, const char *verb, const char *token)
{
	char *argv[] = { (char *)"git", (char *)"credential", (char *)verb, NULL };
	hf__buf input = HF__BUF_INIT;
	int rc, status;

	rc = check_value(c, "endpoint", c->endpoint);
	if (!rc && token)
		rc = check_value(c, "token", token);
	if (rc)
		return rc;
	if (hf__buf_printf(&input, "url=%s\nusername=hf_user\n", c->endpoint) < 0 ||
	    (token && hf__buf_printf(&input, "password=%s\n", token) < 0) ||
	    hf__buf_puts(&input, "\n") < 0) {
		hf__buf_wipe(&input);
		return hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
	}
	status = run_git(argv, input.data, NULL);
	hf__buf_wipe(&input);
	if (status < 0)
		return hf__error_set(c, HF_EGIT, "install git, or log in without --add-to-git-credential",
				     "cannot run 'git credential %s': is git installed?", verb);
	if (status != 0)
		return hf__error_set(c, HF_EGIT, NULL, "'git credential %s' failed with exit status %d",
				     verb, status);
	return HF_OK;
}

int hf_git_credential_approve(hf_client *c, const char *token)
{
	if (!c || !token)
		return HF_EINVAL;
	hf__error_clear(c);
	return credential(c, "approve", token);
}

int hf_git_credential_reject(hf_client *c)
{
	if (!c)
		return HF_EINVAL;
	hf__error_clear(c);
	return credential(c, "reject", NULL);
}

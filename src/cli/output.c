/* Output conventions: Error:/Hint:/Warning: on stderr, JSON strings, marks. */
#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"

int cli_repo_type_arg(const char *name, hf_repo_type *out)
{
	if (name && hf_repo_type_parse(out, name) != HF_OK) {
		cli_error_line("invalid --repo-type: use model, dataset or space", NULL);
		return -1;
	}
	return 0;
}

int cli_format_resolve(const char *format, int json, int quiet, cli_format *out)
{
	*out = CLI_FMT_HUMAN;
	if (json)
		*out = CLI_FMT_JSON;
	if (quiet)
		*out = CLI_FMT_QUIET;
	if (!format || strcmp(format, "auto") == 0)
		return 0;
	if (strcmp(format, "human") == 0)
		*out = CLI_FMT_HUMAN;
	else if (strcmp(format, "json") == 0)
		*out = CLI_FMT_JSON;
	else if (strcmp(format, "quiet") == 0)
		*out = CLI_FMT_QUIET;
	else if (strcmp(format, "agent") == 0)
		*out = CLI_FMT_AGENT;
	else {
		fprintf(stderr, "Error: invalid --format '%s': use auto, human, json, agent or quiet\n",
			format);
		return -1;
	}
	return 0;
}

const char *cli_ok_mark(void)
{
	const char *cs;

	setlocale(LC_CTYPE, "");
	cs = nl_langinfo(CODESET);
	return cs && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0) ? "\xe2\x9c\x93"
										   : "[OK]";
}

int cli_color(FILE *stream)
{
	const char *nc = getenv("NO_COLOR");

	if (nc && *nc)
		return 0;
	return isatty(fileno(stream));
}

void cli_error_line(const char *msg, const char *hint)
{
	int color = cli_color(stderr);

	fprintf(stderr, "%sError:%s %s\n", color ? "\033[31m" : "", color ? "\033[0m" : "", msg);
	if (hint && !cli_g.quiet_hints)
		fprintf(stderr, "Hint: %s\n", hint);
}

const char *cli_remedy_command(int remedy)
{
	switch (remedy) {
	case HF_REMEDY_LOGIN:
		return "hf auth login";
	case HF_REMEDY_NEW_TOKEN:
		return "hf auth login --force";
	case HF_REMEDY_FREE_SPACE:
		return "hf cache prune, hf cache rm";
	case HF_REMEDY_LIST_CACHE:
		return "hf cache ls";
	case HF_REMEDY_DOWNLOAD_FIRST:
		return "hf download";
	case HF_REMEDY_LIST_TOKENS:
		return "hf auth list";
	case HF_REMEDY_WRITE_TOKEN:
		return "hf auth login --force";
	case HF_REMEDY_CREATE_PR:
		return "add --create-pr";
	case HF_REMEDY_CREATE_REPO:
		return "hf repos create REPO_ID";
	default:
		return NULL;
	}
}

int cli_fail(hf_client *client, int rc)
{
	const hf_error *e = hf_client_error(client);

	if (e && e->code == rc) {
		/* The library's hint says what to do; this command says with what. */
		const char *cmd = cli_remedy_command(e->remedy);
		char *hint = NULL;

		if (e->hint && cmd && asprintf(&hint, "%s (%s)", e->hint, cmd) < 0)
			hint = NULL;
		cli_error_line(e->message, hint ? hint : e->hint ? e->hint : cmd);
		free(hint);
	} else {
		cli_error_line(hf_strerror(rc), NULL);
	}
	return hf_exit_code(rc);
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	fputs("Warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_json_string(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	for (; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			if (*p < 0x20)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

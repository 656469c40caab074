/* A small table-driven option parser; the same table prints --help. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_list_dispose(cli_list *l)
{
	free(l->items);
	l->items = NULL;
	l->count = 0;
}

static const cli_opt *find_long(const cli_opt *opts, const char *name, size_t len, int *negated)
{
	const cli_opt *o;

	*negated = 0;
	for (o = opts; o && o->name; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	if (len > 3 && strncmp(name, "no-", 3) == 0) {
		for (o = opts; o && o->name; o++)
			if (o->negatable && strlen(o->name) == len - 3 &&
			    strncmp(o->name, name + 3, len - 3) == 0) {
				*negated = 1;
				return o;
			}
	}
	return NULL;
}

static const cli_opt *find_short(const cli_opt *opts, char ch)
{
	const cli_opt *o;

	for (o = opts; o && o->name; o++)
		if (o->short_name == ch)
			return o;
	return NULL;
}

static int usage_error(const cli_command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int usage_error(const cli_command *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "Error: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nRun '%s --help' for usage.\n", cmd->path);
	return -1;
}

static int set_value(const cli_command *cmd, const cli_opt *o, const char *v, int negated)
{
	switch (o->type) {
	case CLI_OPT_BOOL:
		*(int *)o->value = !negated;
		return 0;
	case CLI_OPT_STRING:
		*(const char **)o->value = v;
		return 0;
	case CLI_OPT_LIST: {
		cli_list *l = o->value;
		const char **items = realloc(l->items, (l->count + 1) * sizeof(char *));

		if (!items)
			return usage_error(cmd, "%s", "out of memory");
		l->items = items;
		l->items[l->count++] = v;
		return 0;
	}
	case CLI_OPT_INT: {
		char *end;
		long n;

		errno = 0;
		n = strtol(v, &end, 10);
		if (errno || !*v || *end)
			return usage_error(cmd, "'%s' is not a whole number", v);
		*(long *)o->value = n;
		return 0;
	}
	}
	return -1;
}

int cli_parse(const cli_command *cmd, int argc, char **argv, char ***pos, int *npos)
{
	char **args = calloc((size_t)argc + 1, sizeof(char *));
	int i, n = 0, only_args = 0;

	*pos = NULL;
	*npos = 0;
	if (!args)
		return usage_error(cmd, "%s", "out of memory");
	for (i = 0; i < argc; i++) {
		char *a = argv[i];
		const cli_opt *o;
		const char *v = NULL;
		int negated = 0;

		if (only_args || a[0] != '-' || a[1] == '\0') {
			args[n++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_args = 1;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			cli_print_help(stdout, cmd);
			free(args);
			return 1;
		}
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);

			o = find_long(cmd->opts, a + 2, len, &negated);
			if (!o) {
				free(args);
				return usage_error(cmd, "no such option: %s", a);
			}
			if (eq) {
				if (o->type == CLI_OPT_BOOL) {
					free(args);
					return usage_error(cmd, "option %s takes no value", a);
				}
				v = eq + 1;
			}
		} else {
			o = find_short(cmd->opts, a[1]);
			if (!o || (a[2] && o->type == CLI_OPT_BOOL)) {
				free(args);
				return usage_error(cmd, "no such option: %s", a);
			}
			if (a[2])
				v = a + 2;
		}
		if (o->type != CLI_OPT_BOOL && !v) {
			if (i + 1 >= argc) {
				free(args);
				return usage_error(cmd, "option %s requires a value", a);
			}
			v = argv[++i];
		}
		if (set_value(cmd, o, v, negated) < 0) {
			free(args);
			return -1;
		}
	}
	if (n < cmd->min_args || (cmd->max_args >= 0 && n > cmd->max_args)) {
		free(args);
		if (n < cmd->min_args)
			return usage_error(cmd, "%s", "missing argument");
		return usage_error(cmd, "unexpected argument '%s'", argv[argc - 1]);
	}
	*pos = args;
	*npos = n;
	return 0;
}

void cli_print_help(FILE *out, const cli_command *cmd)
{
	const cli_opt *o;
	const char *path = cmd->path;
	const char *args = cmd->args && *cmd->args ? cmd->args : "[OPTIONS]";

	/* Under the legacy name, show the legacy name. */
	if (strncmp(path, "hf ", 3) == 0 && strcmp(cli_g.argv0_name, "hf") != 0)
		fprintf(out, "Usage: %s %s %s\n\n  %s\n", cli_g.argv0_name, path + 3, args,
			cmd->summary);
	else
		fprintf(out, "Usage: %s %s\n\n  %s\n", path, args, cmd->summary);
	fprintf(out, "\nOptions:\n");
	for (o = cmd->opts; o && o->name; o++) {
		char left[96];

		if (o->type == CLI_OPT_BOOL)
			snprintf(left, sizeof(left), "%s%c%s--%s%s%s", o->short_name ? "-" : "",
				 o->short_name ? o->short_name : ' ', o->short_name ? ", " : " ",
				 o->name, o->negatable ? " / --no-" : "", o->negatable ? o->name : "");
		else
			snprintf(left, sizeof(left), "%s%c%s--%s %s", o->short_name ? "-" : "",
				 o->short_name ? o->short_name : ' ', o->short_name ? ", " : " ",
				 o->name, o->metavar ? o->metavar : "TEXT");
		if (!o->short_name)
			memmove(left, left + 2, strlen(left + 2) + 1);
		/* Too wide for the column: the help goes on the next line. */
		if (strlen(left) > 35)
			fprintf(out, "  %s\n  %-36s %s\n", left, "", o->help);
		else
			fprintf(out, "  %-36s %s\n", left, o->help);
	}
	fprintf(out, "  %-36s %s\n", "-h, --help", "Show this message and exit.");
	if (cmd->details)
		fprintf(out, "\n%s\n", cmd->details);
}

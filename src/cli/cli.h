/* Shared declarations of the hf command. The CLI uses only the public API. */
#ifndef HF_CLI_H
#define HF_CLI_H

#include <stdio.h>

#include "hf/hf.h"

#define CLI_EXIT_USAGE 2

/* ---- options (opt.c) ---- */
typedef enum cli_opt_type {
	CLI_OPT_BOOL,   /* --x / --no-x (when negatable); value is int */
	CLI_OPT_STRING, /* --x V / --x=V; value is const char * */
	CLI_OPT_LIST,   /* repeatable --x V; value is cli_list */
	CLI_OPT_INT     /* --x N; value is long */
} cli_opt_type;

typedef struct cli_list {
	const char **items;
	size_t count;
} cli_list;

typedef struct cli_opt {
	const char *name;  /* long name without "--" */
	char short_name;   /* 0 when none */
	cli_opt_type type;
	void *value;
	const char *metavar;
	const char *help;
	int negatable;     /* accepts --no-<name> */
} cli_opt;

/* Ends an option table. */
#define CLI_OPT_END { NULL, 0, CLI_OPT_BOOL, NULL, NULL, NULL, 0 }

/* --repo-type / --type TYPE into var (const char *); parse it with cli_repo_type_arg(). */
#define CLI_OPTS_REPO_TYPE(var) \
	{ "repo-type", 0, CLI_OPT_STRING, &(var), "TYPE", "model (default), dataset or space.", 0 }, \
	{ "type", 0, CLI_OPT_STRING, &(var), "TYPE", "Same as --repo-type.", 0 }
/* --token TOKEN for a command that talks to the Hub. */
#define CLI_OPT_HUB_TOKEN(var) \
	{ "token", 0, CLI_OPT_STRING, &(var), "TOKEN", "Token to use (beats HF_TOKEN and the login).", 0 }
/* --format FORMAT and --json, for cli_format_resolve() (with a command's own -q). */
#define CLI_OPTS_FORMAT(format, json) \
	{ "format", 0, CLI_OPT_STRING, &(format), "FORMAT", "Output format: auto, human, json, agent or quiet.", 0 }, \
	{ "json", 0, CLI_OPT_BOOL, &(json), NULL, "Same as --format json.", 0 }

typedef struct cli_command {
	const char *path;      /* "hf auth login" */
	const char *args;      /* "[OPTIONS]" or "REPO_ID [FILES]..." */
	const char *summary;   /* one line */
	const char *details;   /* paragraphs after the options, or NULL */
	const cli_opt *opts;   /* ends with { NULL } */
	int min_args, max_args; /* positional bounds; max -1: unbounded */
} cli_command;

/*
 * Parse argv (after the command words) against cmd. Positional arguments
 * are returned in *pos (a NULL-ended array allocated here, free()).
 * Returns 0 to run, 1 when --help was printed (exit 0), -1 on a usage
 * error (already printed; exit CLI_EXIT_USAGE).
 */
int cli_parse(const cli_command *cmd, int argc, char **argv, char ***pos, int *npos);
void cli_print_help(FILE *out, const cli_command *cmd);
void cli_list_dispose(cli_list *l);

/* ---- output (output.c) ---- */
typedef enum cli_format { CLI_FMT_HUMAN, CLI_FMT_JSON, CLI_FMT_QUIET, CLI_FMT_AGENT } cli_format;

/* Resolve --format/--json/-q into a format; -1 with a printed error on a bad value. */
int cli_format_resolve(const char *format, int json, int quiet, cli_format *out);
/* --repo-type into *out (left as is when name is NULL); -1 with a printed error on a bad name. */
int cli_repo_type_arg(const char *name, hf_repo_type *out);
/* "✓" where the terminal can show it, else "[OK]". */
const char *cli_ok_mark(void);
/* Print "Error: <msg>" and, unless quiet, "Hint: <hint>" to stderr. */
void cli_error_line(const char *msg, const char *hint);
/* The command of this program for an hf_remedy, or NULL. */
const char *cli_remedy_command(int remedy);
/*
 * Print the client's last error, its hint followed by the command that
 * carries it out (cli_remedy_command); returns the exit code for it.
 */
int cli_fail(hf_client *client, int rc);
/* The official short size: "2.7M". */
void cli_short_size(char *out, size_t len, double num);
/* Decimal human size: "2.5 GB". */
void cli_format_size(char *out, size_t len, double bytes);
/* Print "Warning: ..." to stderr. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Write s as a JSON string literal (with quotes) to out. */
void cli_json_string(FILE *out, const char *s);
/* 1 when colour may be used on this stream (a terminal, NO_COLOR unset). */
int cli_color(FILE *stream);

/* ---- terminal prompts (prompt.c) ---- */
/* Read a secret from the terminal with echo off. Heap string or NULL. */
char *cli_prompt_secret(const char *prompt);
/* Ask a yes/no question on the terminal; def is the answer to an empty line. */
int cli_prompt_yes_no(const char *question, int def);
/* Read one line from stdin (for piped tokens). Heap string or NULL. */
char *cli_read_stdin_line(void);
/* 1 when stdin and a controlling terminal are available for prompts. */
int cli_interactive(void);

/* ---- global state (main.c) ---- */
typedef struct cli_globals {
	const char *env_file;
	int quiet_hints;
	const char *argv0_name; /* "hf" or "huggingface-cli" */
} cli_globals;
extern cli_globals cli_g;

/* Create a client from the environment, printing a configuration error. */
int cli_client(hf_client **out, const char *token, int *exit_code);

/* ---- command groups (main.c) ---- */
typedef struct cli_sub {
	const char *name;
	int (*fn)(int argc, char **argv);
} cli_sub;

/*
 * Run the subcommand argv[0] of group ("auth", "cache"); summary and
 * listing make up the group's help. Unknown or missing: usage error.
 */
int cli_dispatch(const char *group, const char *summary, const char *listing, const cli_sub *subs,
		 size_t n, int argc, char **argv);

/* ---- commands ---- */
int cmd_auth(int argc, char **argv);
int cmd_auth_login(int argc, char **argv);
int cmd_auth_logout(int argc, char **argv);
int cmd_auth_whoami(int argc, char **argv);
int cmd_auth_status(int argc, char **argv);
int cmd_auth_list(int argc, char **argv);
int cmd_auth_switch(int argc, char **argv);
int cmd_auth_token(int argc, char **argv);
int cmd_env(int argc, char **argv);
int cmd_download(int argc, char **argv);
int cmd_cache(int argc, char **argv);
int cmd_scan_cache(int argc, char **argv);
int cmd_delete_cache(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_upload(int argc, char **argv);
int cmd_upload_large_folder(int argc, char **argv);
int cmd_repos(int argc, char **argv);
int cmd_repo_alias(int argc, char **argv); /* warns, then cmd_repos */
int cmd_repos_delete_files(int argc, char **argv);

#endif

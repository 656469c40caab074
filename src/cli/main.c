/* hf: entry point, global options and command dispatch. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

cli_globals cli_g;

typedef struct cli_entry {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} cli_entry;

static const cli_entry commands[] = {
	{ "auth", cmd_auth, "Manage authentication (login, logout, whoami, status, ...)" },
	{ "cache", cmd_cache, "See, verify and clean the cache (info, ls, rm, delete, prune, verify)" },
	{ "download", cmd_download, "Download files or a whole repository into the cache" },
	{ "env", cmd_env, "Print information about the environment" },
	{ "repos", cmd_repos, "Manage repos on the Hub (create, delete, move, settings, branch, tag)" },
	{ "repo", cmd_repo_alias, NULL }, /* deprecated alias of repos: not listed */
	{ "upload", cmd_upload, "Upload a file or a folder to the Hub in one commit" },
	{ "upload-large-folder", cmd_upload_large_folder, "[Deprecated] Upload a large folder in many resumable commits" },
	{ "version", cmd_version, "Print the version" },
	{ "whoami", cmd_auth_whoami, "Show who you are logged in as (same as 'hf auth whoami')" },
	{ NULL, NULL, NULL }
};

/* The legacy verbs answered when invoked as huggingface-cli. */
static const cli_entry legacy_commands[] = {
	{ "login", cmd_auth_login, "Log in with a token (hf auth login)" },
	{ "logout", cmd_auth_logout, "Log out (hf auth logout)" },
	{ "whoami", cmd_auth_whoami, "Show who you are logged in as (hf auth whoami)" },
	{ "auth", cmd_auth, "Manage authentication (hf auth)" },
	{ "download", cmd_download, "Download files from the Hub (hf download)" },
	{ "scan-cache", cmd_scan_cache, "Scan the cache (hf cache ls)" },
	{ "delete-cache", cmd_delete_cache, "Choose cached revisions to delete (hf cache rm)" },
	{ "cache", cmd_cache, "Manage the cache (hf cache)" },
	{ "env", cmd_env, "Print information about the environment (hf env)" },
	{ "upload", cmd_upload, "Upload a file or a folder (hf upload)" },
	{ "upload-large-folder", cmd_upload_large_folder, "Upload a large folder (hf upload-large-folder)" },
	{ "version", cmd_version, "Print the version (hf version)" },
	{ NULL, NULL, NULL }
};

static void print_usage(FILE *out, const cli_entry *table)
{
	const cli_entry *e;

	fprintf(out, "Usage: %s [--env-file PATH] <command> [<args>]\n\n", cli_g.argv0_name);
	fprintf(out, "The Hugging Face Hub client (libhf %s).\n\nCommands:\n", hf_version());
	for (e = table; e->name; e++)
		if (e->summary)
			fprintf(out, "  %-10s %s\n", e->name, e->summary);
	fprintf(out, "\nGlobal options:\n"
		     "  --env-file PATH  Load KEY=VALUE lines from PATH first (existing variables win)\n"
		     "  -v, --version    Print the version and exit\n"
		     "  -h, --help       Show this message and exit\n"
		     "\nRun '%s <command> --help' for a command's options.\n"
		     "Exit codes: 0 success, 1 error, 2 usage, 3 authentication, 4 access denied,\n"
		     "5 not found, 6 network, 7 rate limit or server, 8 integrity, 9 disk,\n"
		     "10 locked, 11 offline, 12 conflict, 13 local file changed, 130 interrupted\n"
		     "(docs/EXIT-CODES.md).\n",
		     cli_g.argv0_name);
}

int cli_client(hf_client **out, const char *token, int *exit_code)
{
	hf_client_options opts = HF_CLIENT_OPTIONS_INIT;
	char err[256];
	int rc;

	opts.token = token;
	opts.user_agent = "hf/" HF_VERSION;
	rc = hf_client_new_err(out, &opts, err, sizeof(err));
	if (rc) {
		cli_error_line(err[0] ? err : hf_strerror(rc),
			       rc == HF_EINVAL ? "fix the environment variable named above" : NULL);
		*exit_code = hf_exit_code(rc);
		return rc;
	}
	return HF_OK;
}

int cli_dispatch(const char *group, const char *summary, const char *listing, const cli_sub *subs,
		 size_t n, int argc, char **argv)
{
	size_t i;

	if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
		FILE *out = argc < 1 ? stderr : stdout;

		fprintf(out, "Usage: %s %s <subcommand> [OPTIONS]\n\n  %s\n\nSubcommands:\n%s"
			     "\nRun '%s %s <subcommand> --help' for its options.\n",
			cli_g.argv0_name, group, summary, listing, cli_g.argv0_name, group);
		return argc < 1 ? CLI_EXIT_USAGE : 0;
	}
	for (i = 0; i < n; i++)
		if (strcmp(subs[i].name, argv[0]) == 0)
			return subs[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "Error: no such command: '%s %s'\nRun '%s %s --help' for the list.\n", group,
		argv[0], cli_g.argv0_name, group);
	return CLI_EXIT_USAGE;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

int main(int argc, char **argv)
{
	const cli_entry *table = commands, *e;
	int i = 1;

	cli_g.argv0_name = "hf";
	if (argc > 0 && strcmp(base_name(argv[0]), "huggingface-cli") == 0) {
		cli_g.argv0_name = "huggingface-cli";
		table = legacy_commands;
	}
	while (i < argc && argv[i][0] == '-') {
		const char *a = argv[i];

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			print_usage(stdout, table);
			return 0;
		}
		if (strcmp(a, "--version") == 0 || strcmp(a, "-v") == 0) {
			printf("%s\n", hf_version());
			return 0;
		}
		if (strcmp(a, "--env-file") == 0 && i + 1 < argc) {
			cli_g.env_file = argv[i + 1];
			i += 2;
		} else if (strncmp(a, "--env-file=", 11) == 0) {
			cli_g.env_file = a + 11;
			i++;
		} else {
			fprintf(stderr, "Error: no such option: %s\nRun '%s --help' for usage.\n", a,
				cli_g.argv0_name);
			return CLI_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		print_usage(stderr, table);
		return CLI_EXIT_USAGE;
	}
	if (cli_g.env_file) {
		char err[512];
		int rc = hf_dotenv_load(cli_g.env_file, 0, err, sizeof(err));

		if (rc) {
			cli_error_line(err, "check the path given to --env-file");
			return hf_exit_code(rc);
		}
	}
	for (e = table; e->name; e++)
		if (strcmp(e->name, argv[i]) == 0)
			return e->fn(argc - i - 1, argv + i + 1);
	fprintf(stderr, "Error: no such command: '%s'\nRun '%s --help' for the list of commands.\n",
		argv[i], cli_g.argv0_name);
	return CLI_EXIT_USAGE;
}

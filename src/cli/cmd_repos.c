/*
 * hf repos (alias: hf repo): create, delete, move and configure
 * repositories; branches and tags (docs/cli.md "hf repos",
 * docs/internals/repos.md). Names, arguments and printed text follow the
 * official command; the library (hf/repo.h) does the work.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_upload.h"

/* The options every subcommand takes. */
typedef struct common {
	const char *repo_type, *token, *format;
	int json, quiet;
	cli_format fmt;
	hf_repo_options o;
	char **pos; /* the positional arguments */
	int npos;
	hf_client *client;
} common;

#define COMMON_OPTS(cm) \
	{ "repo-type", 0, CLI_OPT_STRING, &(cm).repo_type, "TYPE", "model (default), dataset or space.", 0 }, \
	{ "type", 0, CLI_OPT_STRING, &(cm).repo_type, "TYPE", "model (default), dataset or space. Same as --repo-type.", 0 }, \
	CLI_OPT_HUB_TOKEN((cm).token), \
	CLI_OPTS_FORMAT((cm).format, (cm).json), \
	{ "quiet", 'q', CLI_OPT_BOOL, &(cm).quiet, NULL, "Print only the main value.", 0 }

/* Resolve the common options; 0 to go on, else the exit code (already explained). */
static int common_setup(common *cm)
{
	hf_repo_options_init(&cm->o, HF_REPO_OPTIONS_VERSION);
	if (cli_format_resolve(cm->format, cm->json, cm->quiet, &cm->fmt) < 0)
		return CLI_EXIT_USAGE;
	if (cli_repo_type_arg(cm->repo_type, &cm->o.repo_type))
		return CLI_EXIT_USAGE;
	cm->o.token = cm->token;
	return 0;
}

static const char *type_name(const common *cm)
{
	return hf_repo_type_name(cm->o.repo_type);
}

/*
 * The official summary of a success: "✓ message" and "  key: value" lines
 * (human), "key=value ..." (agent), a JSON object (json), the first value
 * (quiet). keys and values end with NULL keys; NULL values are left out.
 */
static void result(const common *cm, const char *message, const char *const *kv)
{
	size_t i;
	int first = 1, color;

	switch (cm->fmt) {
	case CLI_FMT_JSON:
		printf("{");
		for (i = 0; kv[i]; i += 2) {
			if (!kv[i + 1])
				continue;
			printf("%s", first ? "" : ", ");
			cli_json_string(stdout, kv[i]);
			printf(": ");
			cli_json_string(stdout, kv[i + 1]);
			first = 0;
		}
		printf("}\n");
		break;
	case CLI_FMT_QUIET:
		if (kv[0] && kv[1])
			printf("%s\n", kv[1]);
		break;
	case CLI_FMT_AGENT:
		for (i = 0; kv[i]; i += 2) {
			if (!kv[i + 1])
				continue;
			printf("%s%s=%s", first ? "" : " ", kv[i], kv[i + 1]);
			first = 0;
		}
		printf("%s\n", first ? message : "");
		break;
	case CLI_FMT_HUMAN:
	default:
		color = cli_color(stdout);
		printf("%s%s %s%s\n", color ? "\033[32m" : "", cli_ok_mark(), message, color ? "\033[0m" : "");
		for (i = 0; kv[i]; i += 2)
			if (kv[i + 1])
				printf("  %s: %s\n", kv[i], kv[i + 1]);
	}
	fflush(stdout);
}

/* Ask on a terminal; without one, refuse unless -y (as hf cache rm). 1 to go on. */
static int confirm(int yes, const char *question, int *exit_code)
{
	char *q = NULL;

	if (yes)
		return 1;
	if (!cli_interactive()) {
		cli_error_line("refusing to delete without confirmation: standard input is not a terminal",
			       "pass -y (--yes) to confirm");
		*exit_code = CLI_EXIT_USAGE;
		return 0;
	}
	if (asprintf(&q, "%s [y/N]:", question) < 0)
		q = NULL;
	if (!q || !cli_prompt_yes_no(q, 0)) {
		free(q);
		fprintf(stderr, "Aborted!\n");
		*exit_code = 1;
		return 0;
	}
	free(q);
	return 1;
}

/* Parse and set up. 0 to run; else *exit_code says how to end. */
static int start(const cli_command *cmd, int argc, char **argv, common *cm, int *exit_code)
{
	int rc = cli_parse(cmd, argc, argv, &cm->pos, &cm->npos);

	cm->client = NULL;
	if (rc) {
		*exit_code = rc > 0 ? 0 : CLI_EXIT_USAGE;
		return -1;
	}
	if ((*exit_code = common_setup(cm)) != 0)
		return -1;
	return 0;
}

static int make_client(common *cm, int *exit_code)
{
	return cli_client(&cm->client, cm->token, exit_code) ? -1 : 0;
}

/* The end of a call: its failure explained, else its summary (result()). The exit code. */
static int outcome(const common *cm, int rc, const char *message, const char *const *kv)
{
	if (rc)
		return cli_fail(cm->client, rc);
	result(cm, message, kv);
	return 0;
}

/* What start() and make_client() made, freed. Returns exit_code. */
static int finish(common *cm, int exit_code)
{
	free(cm->pos);
	hf_client_free(cm->client);
	return exit_code;
}

static int repos_create(int argc, char **argv)
{
	common cm = { 0 };
	const char *sdk = NULL;
	int private_ = 0, public_ = 0, exist_ok = 0, exit_code = 0, rc;
	char *url = NULL, *id = NULL;
	cli_opt opts[] = {
		COMMON_OPTS(cm),
		{ "space-sdk", 0, CLI_OPT_STRING, &sdk, "SDK", "Spaces SDK: gradio (default), docker or static.", 0 },
		{ "sdk", 0, CLI_OPT_STRING, &sdk, "SDK", "Same as --space-sdk.", 0 },
		{ "private", 0, CLI_OPT_BOOL, &private_, NULL, "Create a private repository.", 1 },
		{ "public", 0, CLI_OPT_BOOL, &public_, NULL, "Create a public repository (the Hub's default).", 0 },
		{ "exist-ok", 0, CLI_OPT_BOOL, &exist_ok, NULL, "Do not fail if the repository already exists.", 1 },
		CLI_OPT_END
	};
	const cli_command cmd = {
		"hf repos create", "REPO_ID [OPTIONS]", "Create a new repo on the Hub.",
		"REPO_ID is 'name' (in your namespace) or 'namespace/name'. Prints the URL.\n"
		"Exit codes: 12 when it exists (without --exist-ok), 4 when the token may not\n"
		"create in that namespace (a read token), 3 without a token.",
		opts, 1, 1
	};

	if (start(&cmd, argc, argv, &cm, &exit_code) || make_client(&cm, &exit_code))
		return finish(&cm, exit_code);
	cm.o.exist_ok = exist_ok;
	cm.o.space_sdk = sdk;
	cm.o.visibility = private_ ? HF_VISIBILITY_PRIVATE : public_ ? HF_VISIBILITY_PUBLIC : HF_VISIBILITY_UNSET;
	rc = hf_repo_create(&url, cm.client, cm.pos[0], &cm.o);
	/* The official RepoUrl's repo_id: the last two components of the URL. */
	if (!rc && !(id = cli_repo_id_from_url(url, cm.pos[0])))
		rc = HF_ENOMEM;
	{
		const char *kv[] = { "repo_id", id, "url", url, NULL, NULL };

		exit_code = outcome(&cm, rc, "Repo created", kv);
	}
	free(id);
	hf_free(url);
	return finish(&cm, exit_code);
}

static int repos_delete(int argc, char **argv)
{
	common cm = { 0 };
	int missing_ok = 0, yes = 0, exit_code = 0;
	char *question = NULL;
	cli_opt opts[] = {
		COMMON_OPTS(cm),
		{ "missing-ok", 0, CLI_OPT_BOOL, &missing_ok, NULL, "Do not fail if the repository does not exist.", 1 },
		{ "yes", 'y', CLI_OPT_BOOL, &yes, NULL, "Answer Yes to prompt automatically.", 0 },
		CLI_OPT_END
	};
	const cli_command cmd = {
		"hf repos delete", "REPO_ID [OPTIONS]",
		"Delete a repo from the Hub. This is an irreversible operation.",
		"On a terminal you are asked to confirm; elsewhere pass -y (without it the\n"
		"command refuses, exit 2).",
		opts, 1, 1
	};

	if (start(&cmd, argc, argv, &cm, &exit_code))
		return finish(&cm, exit_code);
	if (asprintf(&question, "You are about to permanently delete %s '%s'. Proceed?", type_name(&cm),
		     cm.pos[0]) < 0) {
		question = NULL;
		exit_code = 1;
	} else if (confirm(yes, question, &exit_code) && !make_client(&cm, &exit_code)) {
		const char *kv[] = { "repo_id", cm.pos[0], NULL, NULL };

		cm.o.missing_ok = missing_ok;
		exit_code = outcome(&cm, hf_repo_delete(cm.client, cm.pos[0], &cm.o), "Repo deleted", kv);
	}
	free(question);
	return finish(&cm, exit_code);
}

static int repos_move(int argc, char **argv)
{
	common cm = { 0 };
	int exit_code = 0;
	cli_opt opts[] = { COMMON_OPTS(cm), CLI_OPT_END };
	const cli_command cmd = {
		"hf repos move", "FROM_ID TO_ID [OPTIONS]",
		"Move a repository from a namespace to another namespace.",
		"Both ids are 'namespace/name'. Exit code 12 when the target exists.", opts, 2, 2
	};

	if (start(&cmd, argc, argv, &cm, &exit_code) || make_client(&cm, &exit_code))
		return finish(&cm, exit_code);
	{
		const char *kv[] = { "from_id", cm.pos[0], "to_id", cm.pos[1], NULL, NULL };

		exit_code = outcome(&cm, hf_repo_move(cm.client, cm.pos[0], cm.pos[1], &cm.o), "Repo moved", kv);
	}
	return finish(&cm, exit_code);
}

static int repos_settings(int argc, char **argv)
{
	common cm = { 0 };
	const char *gated = NULL;
	int private_ = 0, public_ = 0, exit_code = 0;
	cli_opt opts[] = {
		COMMON_OPTS(cm),
		{ "gated", 0, CLI_OPT_STRING, &gated, "auto|manual|false", "The gated status for the repository.", 0 },
		{ "private", 0, CLI_OPT_BOOL, &private_, NULL, "Make the repository private.", 1 },
		{ "public", 0, CLI_OPT_BOOL, &public_, NULL, "Make the repository public.", 0 },
		CLI_OPT_END
	};
	const cli_command cmd = {
		"hf repos settings", "REPO_ID [OPTIONS]", "Update the settings of a repository.",
		"Give --private, --public, --gated or several of them.", opts, 1, 1
	};

	if (start(&cmd, argc, argv, &cm, &exit_code))
		return finish(&cm, exit_code);
	if (gated && strcmp(gated, "auto") && strcmp(gated, "manual") && strcmp(gated, "false")) {
		cli_error_line("invalid --gated: use auto, manual or false", NULL);
		return finish(&cm, CLI_EXIT_USAGE);
	}
	if (!gated && !private_ && !public_) {
		cli_error_line("no setting to update", "pass --private, --public or --gated");
		return finish(&cm, CLI_EXIT_USAGE);
	}
	if (make_client(&cm, &exit_code))
		return finish(&cm, exit_code);
	cm.o.gated = gated;
	cm.o.visibility = private_ ? HF_VISIBILITY_PRIVATE : public_ ? HF_VISIBILITY_PUBLIC : HF_VISIBILITY_UNSET;
	{
		const char *kv[] = { "repo_id", cm.pos[0], NULL, NULL };

		exit_code = outcome(&cm, hf_repo_update_settings(cm.client, cm.pos[0], &cm.o),
				    "Repo settings updated", kv);
	}
	return finish(&cm, exit_code);
}

static int branch_create(int argc, char **argv)
{
	common cm = { 0 };
	const char *revision = NULL;
	int exist_ok = 0, exit_code = 0;
	cli_opt opts[] = {
		COMMON_OPTS(cm),
		{ "revision", 0, CLI_OPT_STRING, &revision, "REV", "Start the branch here (default: the head of main).", 0 },
		{ "exist-ok", 0, CLI_OPT_BOOL, &exist_ok, NULL, "Do not fail if the branch already exists.", 1 },
		CLI_OPT_END
	};
	const cli_command cmd = {
		"hf repos branch create", "REPO_ID BRANCH [OPTIONS]", "Create a new branch for a repo on the Hub.",
		"Exit code 12 when the branch exists (without --exist-ok).", opts, 2, 2
	};

	if (start(&cmd, argc, argv, &cm, &exit_code) || make_client(&cm, &exit_code))
		return finish(&cm, exit_code);
	cm.o.revision = revision;
	cm.o.exist_ok = exist_ok;
	{
		const char *kv[] = { "branch", cm.pos[1], "repo_type", type_name(&cm), "repo_id", cm.pos[0], NULL, NULL };

		exit_code = outcome(&cm, hf_branch_create(cm.client, cm.pos[0], cm.pos[1], &cm.o),
				    "Branch created", kv);
	}
	return finish(&cm, exit_code);
}

static int branch_delete(int argc, char **argv)
{
	common cm = { 0 };
	int yes = 0, exit_code = 0;
	cli_opt opts[] = {
		COMMON_OPTS(cm),
		/* Accepted for scripts; like the official command this one does not ask. */
		{ "yes", 'y', CLI_OPT_BOOL, &yes, NULL, "Accepted for compatibility (nothing is asked).", 0 },
		CLI_OPT_END
	};
	const cli_command cmd = {
		"hf repos branch delete", "REPO_ID BRANCH [OPTIONS]", "Delete a branch from a repo on the Hub.",
		NULL, opts, 2, 2
	};

	if (start(&cmd, argc, argv, &cm, &exit_code) || make_client(&cm, &exit_code))
		return finish(&cm, exit_code);
	{
		const char *kv[] = { "branch", cm.pos[1], "repo_type", type_name(&cm), "repo_id", cm.pos[0], NULL, NULL };

		exit_code = outcome(&cm, hf_branch_delete(cm.client, cm.pos[0], cm.pos[1], &cm.o),
				    "Branch deleted", kv);
	}
	return finish(&cm, exit_code);
}

/* "Model 'x' not found." and the official command's other tag messages. */
enum { NAME_NONE, NAME_REVISION, NAME_TAG };

static int tag_fail(int rc, const common *cm, int kind, const char *name)
{
	const char *repo_id = cm->pos[0];
	const hf_error *e = hf_client_error(cm->client);
	char msg[512], type[16];

	if (rc == HF_ENOTFOUND && e && e->hub_code && strcmp(e->hub_code, "RevisionNotFound") == 0 && kind != NAME_NONE) {
		if (kind == NAME_REVISION)
			snprintf(msg, sizeof(msg), "Revision '%s' not found.", name);
		else
			snprintf(msg, sizeof(msg), "Tag '%s' not found on '%s'.", name, repo_id);
		cli_error_line(msg, "list the branches and tags: hf repos tag list");
		return hf_exit_code(rc);
	}
	if (rc == HF_ENOTFOUND && e && e->http_status == 404) {
		snprintf(type, sizeof(type), "%s", type_name(cm));
		type[0] = (char)(type[0] - 'a' + 'A');
		snprintf(msg, sizeof(msg), "%s '%s' not found.", type, repo_id);
		cli_error_line(msg, "check the name and --repo-type; a private repository needs a token "
				    "that can read it");
		return hf_exit_code(rc);
	}
	return cli_fail(cm->client, rc);
}

static int tag_create(int argc, char **argv)
{
	common cm = { 0 };
	const char *revision = NULL, *message = NULL;
	int exit_code = 0, rc;
	char msg[512];
	cli_opt opts[] = {
		COMMON_OPTS(cm),
		{ "message", 'm', CLI_OPT_STRING, &message, "MSG", "The description of the tag to create.", 0 },
		{ "revision", 0, CLI_OPT_STRING, &revision, "REV", "The revision to tag (default: main).", 0 },
		CLI_OPT_END
	};
	const cli_command cmd = {
		"hf repos tag create", "REPO_ID TAG [OPTIONS]", "Create a tag for a repo.",
		"Exit code 12 when the tag exists.", opts, 2, 2
	};

	if (start(&cmd, argc, argv, &cm, &exit_code) || make_client(&cm, &exit_code))
		return finish(&cm, exit_code);
	cm.o.revision = revision;
	cm.o.message = message;
	rc = hf_tag_create(cm.client, cm.pos[0], cm.pos[1], &cm.o);
	if (rc == HF_EEXISTS) {
		snprintf(msg, sizeof(msg), "Tag '%s' already exists on '%s'.", cm.pos[1], cm.pos[0]);
		cli_error_line(msg, "choose another name, or delete the tag first: hf repos tag delete");
		exit_code = hf_exit_code(rc);
	} else if (rc) {
		exit_code = tag_fail(rc, &cm, NAME_REVISION, revision ? revision : "main");
	} else {
		const char *kv[] = { "tag", cm.pos[1], "repo_type", type_name(&cm), "repo_id", cm.pos[0], NULL, NULL };

		result(&cm, "Tag created", kv);
	}
	return finish(&cm, exit_code);
}

static void pad(const char *s, size_t width, int last)
{
	size_t n = strlen(s);

	fputs(s, stdout);
	for (; n < width; n++)
		fputc(' ', stdout);
	if (!last)
		fputc(' ', stdout);
}

/* The official table: NAME TARGET_COMMIT REF, padded, a dashed line under the header. */
static void tags_table(const common *cm, const hf_refs *refs)
{
	static const char *const head[] = { "NAME", "TARGET_COMMIT", "REF" };
	size_t w[3], i, j;

	if (!refs->n_tags) {
		if (cm->fmt == CLI_FMT_JSON)
			printf("[]\n");
		else if (cm->fmt != CLI_FMT_QUIET)
			printf("No results found.\n");
		return;
	}
	switch (cm->fmt) {
	case CLI_FMT_JSON:
		printf("[");
		for (i = 0; i < refs->n_tags; i++) {
			printf("%s{\"name\": ", i ? ", " : "");
			cli_json_string(stdout, refs->tags[i].name);
			printf(", \"target_commit\": ");
			cli_json_string(stdout, refs->tags[i].commit);
			printf(", \"ref\": ");
			cli_json_string(stdout, refs->tags[i].ref);
			printf("}");
		}
		printf("]\n");
		return;
	case CLI_FMT_QUIET:
		for (i = 0; i < refs->n_tags; i++)
			printf("%s\n", refs->tags[i].name);
		return;
	case CLI_FMT_AGENT:
		printf("name\ttarget_commit\tref\n");
		for (i = 0; i < refs->n_tags; i++)
			printf("%s\t%s\t%s\n", refs->tags[i].name, refs->tags[i].commit, refs->tags[i].ref);
		return;
	case CLI_FMT_HUMAN:
	default:
		break;
	}
	for (j = 0; j < 3; j++)
		w[j] = strlen(head[j]);
	for (i = 0; i < refs->n_tags; i++) {
		const char *cell[3] = { refs->tags[i].name, refs->tags[i].commit, refs->tags[i].ref };

		for (j = 0; j < 3; j++)
			if (strlen(cell[j]) > w[j])
				w[j] = strlen(cell[j]);
	}
	for (j = 0; j < 3; j++)
		pad(head[j], w[j], j == 2);
	printf("\n");
	for (j = 0; j < 3; j++) {
		size_t k;

		for (k = 0; k < w[j]; k++)
			fputc('-', stdout);
		if (j < 2)
			fputc(' ', stdout);
	}
	printf("\n");
	for (i = 0; i < refs->n_tags; i++) {
		pad(refs->tags[i].name, w[0], 0);
		pad(refs->tags[i].commit, w[1], 0);
		pad(refs->tags[i].ref, w[2], 1);
		printf("\n");
	}
}

static int tag_list(int argc, char **argv)
{
	common cm = { 0 };
	int exit_code = 0, rc;
	hf_refs *refs = NULL;
	cli_opt opts[] = { COMMON_OPTS(cm), CLI_OPT_END };
	const cli_command cmd = { "hf repos tag list", "REPO_ID [OPTIONS]", "List tags for a repo.",
				  "Alias: hf repos tag ls.", opts, 1, 1 };

	if (start(&cmd, argc, argv, &cm, &exit_code) || make_client(&cm, &exit_code))
		return finish(&cm, exit_code);
	rc = hf_refs_list(&refs, cm.client, cm.pos[0], 0, &cm.o);
	if (rc)
		exit_code = tag_fail(rc, &cm, NAME_NONE, NULL);
	else
		tags_table(&cm, refs);
	hf_refs_free(refs);
	return finish(&cm, exit_code);
}

static int tag_delete(int argc, char **argv)
{
	common cm = { 0 };
	int yes = 0, exit_code = 0, rc;
	cli_opt opts[] = {
		COMMON_OPTS(cm),
		{ "yes", 'y', CLI_OPT_BOOL, &yes, NULL, "Answer Yes to prompt automatically.", 0 },
		CLI_OPT_END
	};
	const cli_command cmd = {
		"hf repos tag delete", "REPO_ID TAG [OPTIONS]", "Delete a tag for a repo.",
		"On a terminal you are asked to confirm; elsewhere pass -y (without it the\n"
		"command refuses, exit 2).",
		opts, 2, 2
	};

	if (start(&cmd, argc, argv, &cm, &exit_code))
		return finish(&cm, exit_code);
	if (cm.fmt == CLI_FMT_HUMAN || cm.fmt == CLI_FMT_AGENT)
		printf("You are about to delete tag %s on %s %s\n", cm.pos[1], type_name(&cm), cm.pos[0]);
	fflush(stdout);
	if (!confirm(yes, "Proceed?", &exit_code) || make_client(&cm, &exit_code))
		return finish(&cm, exit_code);
	rc = hf_tag_delete(cm.client, cm.pos[0], cm.pos[1], &cm.o);
	if (rc) {
		exit_code = tag_fail(rc, &cm, NAME_TAG, cm.pos[1]);
	} else {
		const char *kv[] = { "tag", cm.pos[1], "repo_type", type_name(&cm), "repo_id", cm.pos[0], NULL, NULL };

		result(&cm, "Tag deleted", kv);
	}
	return finish(&cm, exit_code);
}

static int cmd_repos_branch(int argc, char **argv)
{
	static const cli_sub subs[] = { { "create", branch_create }, { "delete", branch_delete } };

	return cli_dispatch("repos branch", "Manage branches for a repo on the Hub.",
			    "  create   Create a new branch for a repo on the Hub\n"
			    "  delete   Delete a branch from a repo on the Hub\n",
			    subs, sizeof(subs) / sizeof(subs[0]), argc, argv);
}

static int cmd_repos_tag(int argc, char **argv)
{
	static const cli_sub subs[] = { { "create", tag_create }, { "list", tag_list }, { "ls", tag_list },
					{ "delete", tag_delete } };

	return cli_dispatch("repos tag", "Manage tags for a repo on the Hub.",
			    "  create   Create a tag for a repo\n"
			    "  list     List tags for a repo (alias: ls)\n"
			    "  delete   Delete a tag for a repo\n",
			    subs, sizeof(subs) / sizeof(subs[0]), argc, argv);
}

int cmd_repos(int argc, char **argv)
{
	static const cli_sub subs[] = {
		{ "create", repos_create },     { "delete", repos_delete }, { "move", repos_move },
		{ "settings", repos_settings }, { "branch", cmd_repos_branch }, { "tag", cmd_repos_tag },
		{ "delete-files", cmd_repos_delete_files }, /* cmd_repos_files.c */
	};

	return cli_dispatch("repos", "Manage repos on the Hub.",
			    "  create     Create a new repo on the Hub\n"
			    "  delete     Delete a repo from the Hub (irreversible)\n"
			    "  delete-files Delete files from a repo on the Hub, in one commit\n"
			    "  move       Move a repository from a namespace to another namespace\n"
			    "  settings   Update the settings of a repository\n"
			    "  branch     Manage branches for a repo on the Hub (create, delete)\n"
			    "  tag        Manage tags for a repo on the Hub (create, list, delete)\n",
			    subs, sizeof(subs) / sizeof(subs[0]), argc, argv);
}

int cmd_repo_alias(int argc, char **argv)
{
	cli_warn("`hf repo` is deprecated in favor of `hf repos`.");
	return cmd_repos(argc, argv);
}

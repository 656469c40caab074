/* hf cache rm, delete and prune: resolving targets, showing the plan, confirming, deleting. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd_cache.h"

/* Ask on a terminal; refuse on a non-terminal without --yes. */
static int confirm(int yes, const char *question, int *exit_code)
{
	if (yes)
		return 1;
	if (!cli_interactive()) {
		cli_error_line("refusing to delete without confirmation: standard input is not a terminal",
			       "pass -y (--yes) to confirm, or --dry-run to only see what would go");
		*exit_code = CLI_EXIT_USAGE;
		return 0;
	}
	if (!cli_prompt_yes_no(question, 0)) {
		printf("Deletion cancelled.\n");
		return 0;
	}
	return 1;
}

/* Resolve "type/id", "id" (a model) or a 40-hex commit against the scan. */
int cache_resolve_target(const hf_cache_info *info, const char *arg, cache_target *t)
{
	size_t i, j;
	const char *slash = strchr(arg, '/');
	int is_hex = strlen(arg) == 40;

	for (i = 0; is_hex && arg[i]; i++)
		is_hex = isxdigit((unsigned char)arg[i]) && !isupper((unsigned char)arg[i]);
	memset(t, 0, sizeof(*t));
	if (is_hex) {
		for (i = 0; i < info->nb_repos; i++)
			for (j = 0; j < info->repos[i].nb_revisions; j++)
				if (strcmp(info->repos[i].revisions[j].commit_hash, arg) == 0) {
					t->type = info->repos[i].repo_type;
					snprintf(t->repo_id, sizeof(t->repo_id), "%s", info->repos[i].repo_id);
					t->revision = arg;
					return 0;
				}
		return -1;
	}
	if (strncmp(arg, "hf://", 5) == 0)
		arg += 5;
	if (slash) {
		char type[16];
		size_t tl = (size_t)(slash - arg);

		if (tl < sizeof(type)) {
			snprintf(type, sizeof(type), "%.*s", (int)tl, arg);
			if (hf_repo_type_parse(&t->type, type) == HF_OK && strchr(slash + 1, '/'))
				arg = slash + 1;
			else if (hf_repo_type_parse(&t->type, type) == HF_OK && strchr(slash + 1, '/') == NULL) {
				/* "model/gpt2": a type and a one-part id, if cached. */
				for (i = 0; i < info->nb_repos; i++)
					if (info->repos[i].repo_type == t->type &&
					    strcasecmp(info->repos[i].repo_id, slash + 1) == 0) {
						snprintf(t->repo_id, sizeof(t->repo_id), "%s", info->repos[i].repo_id);
						return 0;
					}
				t->type = HF_REPO_MODEL;
			} else {
				t->type = HF_REPO_MODEL;
			}
		}
	}
	for (i = 0; i < info->nb_repos; i++)
		if (info->repos[i].repo_type == t->type && strcasecmp(info->repos[i].repo_id, arg) == 0) {
			snprintf(t->repo_id, sizeof(t->repo_id), "%s", info->repos[i].repo_id);
			return 0;
		}
	return -1;
}

static const hf_cached_repo *find_repo(const hf_cache_info *info, const cache_target *t)
{
	size_t i;

	for (i = 0; i < info->nb_repos; i++)
		if (info->repos[i].repo_type == t->type && strcmp(info->repos[i].repo_id, t->repo_id) == 0)
			return &info->repos[i];
	return NULL;
}

/* Delete the targets (grouped per repository), after showing the plan. */
int cache_delete_targets(hf_client *client, const char *cache_dir, const hf_cache_info *info,
			 cache_target *ts, size_t nt, int yes, int dry_run)
{
	hf_cache_delete_result total = HF_CACHE_DELETE_RESULT_INIT;
	size_t i, k, plan_len = 0;
	int exit_code = 0, pass;
	char size[32], *plan_text = NULL;
	FILE *plan = NULL;

	for (pass = 0; pass < 2; pass++) {
		int real = pass == 1;

		if (real && dry_run)
			break;
		hf_cache_delete_result_init(&total, HF_CACHE_DELETE_RESULT_VERSION);
		/* The plan is printed after its "About to delete" line. */
		if (!real && !(plan = open_memstream(&plan_text, &plan_len)))
			return 1;
		for (i = 0; i < nt; i++) {
			const char *revs[256];
			size_t nrev = 0, done_before = 0;
			hf_cache_delete_result res = HF_CACHE_DELETE_RESULT_INIT;
			hf_cache_delete_options dopts = HF_CACHE_DELETE_OPTIONS_INIT;
			int rc;

			for (k = 0; k < i; k++)
				done_before |= ts[k].type == ts[i].type && !strcmp(ts[k].repo_id, ts[i].repo_id);
			if (done_before)
				continue;
			for (k = i; k < nt; k++) {
				if (ts[k].type != ts[i].type || strcmp(ts[k].repo_id, ts[i].repo_id))
					continue;
				if (!ts[k].revision) {
					nrev = 0;
					break;
				}
				if (nrev < 256)
					revs[nrev++] = ts[k].revision;
			}
			if (!real) {
				const hf_cached_repo *r = find_repo(info, &ts[i]);
				char sz[32];

				if (!r)
					fprintf(plan, "  %s/%s: (entire repo, corrupt)\n", hf_repo_type_name(ts[i].type),
						ts[i].repo_id);
				if (r && nrev == 0) {
					cli_short_size(sz, sizeof(sz), (double)r->size_on_disk);
					fprintf(plan, "  %s/%s: (entire repo) %s\n", hf_repo_type_name(r->repo_type),
						r->repo_id, sz);
				}
				for (k = 0; r && k < nrev; k++) {
					size_t q;

					for (q = 0; q < r->nb_revisions; q++)
						if (!strcmp(r->revisions[q].commit_hash, revs[k])) {
							cli_short_size(sz, sizeof(sz), (double)r->revisions[q].size_on_disk);
							fprintf(plan, "  %s/%s: %s %s %s\n", hf_repo_type_name(r->repo_type),
								r->repo_id, revs[k],
								r->revisions[q].refs.count ? r->revisions[q].refs.items[0]
											   : "(detached)", sz);
						}
				}
			}
			dopts.repo_type = ts[i].type;
			dopts.revisions = nrev ? revs : NULL;
			dopts.revision_count = nrev;
			dopts.cache_dir = cache_dir;
			dopts.dry_run = !real;
			rc = hf_cache_delete(&res, client, ts[i].repo_id, &dopts);
			if (rc) {
				exit_code = cli_fail(client, rc);
				goto done;
			}
			total.repos_deleted += res.repos_deleted;
			total.revisions_deleted += res.revisions_deleted;
			total.freed += res.freed;
			total.skipped_locked += res.skipped_locked;
		}
		cli_short_size(size, sizeof(size), (double)total.freed);
		if (!real) {
			fclose(plan);
			plan = NULL;
			printf("About to delete %zu repo(s) and %zu revision(s) totalling %s.\n",
			       total.repos_deleted, total.revisions_deleted, size);
			fputs(plan_text, stdout);
			fflush(stdout);
			if (dry_run || !confirm(yes, "Proceed with deletion? [y/N]", &exit_code))
				goto done;
		} else {
			printf("Deleted %zu repo(s) and %zu revision(s); freed %s.\n", total.repos_deleted,
			       total.revisions_deleted, size);
			if (total.skipped_locked)
				cli_warn("kept %zu blob(s) that a running download is writing", total.skipped_locked);
		}
	}
done:
	if (plan)
		fclose(plan);
	free(plan_text);
	return exit_code;
}

/* A repository folder the scan left out (corrupt) that can still be deleted whole. */
static int unscanned_on_disk(hf_client *client, const char *cache_dir, const cache_target *t)
{
	hf_cache_delete_result res = HF_CACHE_DELETE_RESULT_INIT;
	hf_cache_delete_options opts = HF_CACHE_DELETE_OPTIONS_INIT;
	int rc;

	opts.repo_type = t->type;
	opts.cache_dir = cache_dir;
	opts.dry_run = 1;
	rc = hf_cache_delete(&res, client, t->repo_id, &opts);

	return rc == HF_OK || rc == HF_ELOCKED;
}

/* Resolve "[type/]id" against the folders on disk, for corrupt repositories. */
static int resolve_unscanned(hf_client *client, const char *cache_dir, const char *arg, cache_target *t)
{
	const char *slash;
	char type[16];

	memset(t, 0, sizeof(*t));
	if (strncmp(arg, "hf://", 5) == 0)
		arg += 5;
	slash = strchr(arg, '/');
	if (slash && (size_t)(slash - arg) < sizeof(type)) {
		snprintf(type, sizeof(type), "%.*s", (int)(slash - arg), arg);
		if (hf_repo_type_parse(&t->type, type) == HF_OK) {
			snprintf(t->repo_id, sizeof(t->repo_id), "%s", slash + 1);
			if (unscanned_on_disk(client, cache_dir, t))
				return 0;
		}
	}
	t->type = HF_REPO_MODEL;
	snprintf(t->repo_id, sizeof(t->repo_id), "%s", arg);
	return unscanned_on_disk(client, cache_dir, t) ? 0 : -1;
}

int cmd_cache_rm(int argc, char **argv)
{
	const char *cache_dir = NULL;
	int yes = 0, dry_run = 0, npos, rc, exit_code = 0, i;
	char **pos;
	hf_client *client = NULL;
	hf_cache_info *info = NULL;
	cache_target *ts = NULL;
	size_t nt = 0;
	cli_opt opts[] = {
		{ "cache-dir", 0, CLI_OPT_STRING, &cache_dir, "DIR", "Cache directory (default: HF_HUB_CACHE).", 0 },
		{ "yes", 'y', CLI_OPT_BOOL, &yes, NULL, "Do not ask for confirmation.", 0 },
		{ "dry-run", 0, CLI_OPT_BOOL, &dry_run, NULL, "Show what would be deleted, delete nothing.", 0 },
		CLI_OPT_END
	};
	const cli_command cmd = {
		"hf cache rm", "TARGET... [OPTIONS]",
		"Delete cached repositories (model/ID, dataset/ID, space/ID, or ID for a model) or revisions (a commit hash).",
		"Blobs still used by another revision stay. On a terminal you are asked to confirm;\n"
		"elsewhere pass -y.",
		opts, 1, -1
	};

	rc = cli_parse(&cmd, argc, argv, &pos, &npos);
	if (rc)
		return rc > 0 ? 0 : CLI_EXIT_USAGE;
	if (cache_scan(&client, cache_dir, &info, &exit_code))
		goto done;
	ts = calloc((size_t)npos, sizeof(*ts));
	if (!ts) {
		exit_code = 1;
		goto done;
	}
	for (i = 0; i < npos; i++) {
		if (cache_resolve_target(info, pos[i], &ts[nt]) == 0 ||
		    resolve_unscanned(client, cache_dir, pos[i], &ts[nt]) == 0)
			nt++;
		else
			fprintf(stderr, "Warning: Could not find in cache:\n  - %s\n", pos[i]);
	}
	if (!nt) {
		printf("Nothing to delete.\n");
		goto done;
	}
	exit_code = cache_delete_targets(client, cache_dir, info, ts, nt, yes, dry_run);
done:
	free(ts);
	free(pos);
	hf_cache_info_free(info);
	hf_client_free(client);
	return exit_code;
}

/* `hf cache delete --repo-id ID` (docs/cache.md, "Deleting"). */
int cmd_cache_delete(int argc, char **argv)
{
	const char *cache_dir = NULL, *repo_id = NULL, *repo_type = "model";
	int yes = 0, dry_run = 0, npos, rc, exit_code = 0;
	char **pos;
	hf_client *client = NULL;
	hf_cache_info *info = NULL;
	cache_target t;
	cli_opt opts[] = {
		{ "repo-id", 0, CLI_OPT_STRING, &repo_id, "ID", "The repository to delete (required).", 0 },
		{ "repo-type", 0, CLI_OPT_STRING, &repo_type, "TYPE", "model (default), dataset or space.", 0 },
		{ "cache-dir", 0, CLI_OPT_STRING, &cache_dir, "DIR", "Cache directory (default: HF_HUB_CACHE).", 0 },
		{ "yes", 'y', CLI_OPT_BOOL, &yes, NULL, "Do not ask for confirmation.", 0 },
		{ "dry-run", 0, CLI_OPT_BOOL, &dry_run, NULL, "Show what would be deleted, delete nothing.", 0 },
		CLI_OPT_END
	};
	const cli_command cmd = { "hf cache delete", "--repo-id ID [OPTIONS]",
				  "Delete one repository from the cache.", NULL, opts, 0, 0 };

	rc = cli_parse(&cmd, argc, argv, &pos, &npos);
	if (rc)
		return rc > 0 ? 0 : CLI_EXIT_USAGE;
	free(pos);
	memset(&t, 0, sizeof(t));
	if (!repo_id || hf_repo_type_parse(&t.type, repo_type) != HF_OK) {
		cli_error_line(!repo_id ? "--repo-id is required" : "invalid --repo-type: use model, dataset or space",
			       "example: hf cache delete --repo-id meta-llama/Llama-3.2-1B");
		return CLI_EXIT_USAGE;
	}
	if (cache_scan(&client, cache_dir, &info, &exit_code))
		goto done;
	snprintf(t.repo_id, sizeof(t.repo_id), "%s", repo_id);
	if (!find_repo(info, &t)) {
		size_t i;

		for (i = 0; i < info->nb_repos; i++)
			if (info->repos[i].repo_type == t.type && !strcasecmp(info->repos[i].repo_id, repo_id))
				snprintf(t.repo_id, sizeof(t.repo_id), "%s", info->repos[i].repo_id);
	}
	if (!find_repo(info, &t) && !unscanned_on_disk(client, cache_dir, &t)) {
		cli_error_line("repository not found in the cache", "list what is cached with 'hf cache info'");
		exit_code = hf_exit_code(HF_ENOTFOUND);
		goto done;
	}
	exit_code = cache_delete_targets(client, cache_dir, info, &t, 1, yes, dry_run);
done:
	hf_cache_info_free(info);
	hf_client_free(client);
	return exit_code;
}

int cmd_cache_prune(int argc, char **argv)
{
	const char *cache_dir = NULL;
	int yes = 0, dry_run = 0, npos, rc, exit_code = 0;
	char **pos, size[32];
	hf_client *client = NULL;
	hf_cache_delete_result res = HF_CACHE_DELETE_RESULT_INIT;
	hf_cache_prune_options popts = HF_CACHE_PRUNE_OPTIONS_INIT;
	cli_opt opts[] = {
		{ "cache-dir", 0, CLI_OPT_STRING, &cache_dir, "DIR", "Cache directory (default: HF_HUB_CACHE).", 0 },
		{ "yes", 'y', CLI_OPT_BOOL, &yes, NULL, "Do not ask for confirmation.", 0 },
		{ "dry-run", 0, CLI_OPT_BOOL, &dry_run, NULL, "Show what would be deleted, delete nothing.", 0 },
		CLI_OPT_END
	};
	const cli_command cmd = {
		"hf cache prune", "[OPTIONS]",
		"Delete detached revisions (no ref points at them) and leftovers of dead downloads.",
		NULL, opts, 0, 0
	};

	rc = cli_parse(&cmd, argc, argv, &pos, &npos);
	if (rc)
		return rc > 0 ? 0 : CLI_EXIT_USAGE;
	free(pos);
	if (cli_client(&client, NULL, &exit_code))
		return exit_code;
	popts.cache_dir = cache_dir;
	popts.dry_run = 1;
	rc = hf_cache_prune(&res, client, &popts);
	if (rc) {
		exit_code = cli_fail(client, rc);
		goto done;
	}
	cli_short_size(size, sizeof(size), (double)res.freed);
	if (!res.revisions_deleted && !res.repos_deleted && !res.freed) {
		printf("Nothing to prune.\n");
		goto done;
	}
	printf("About to delete %zu repo(s) and %zu revision(s) and incomplete downloads (%s total).\n",
	       res.repos_deleted, res.revisions_deleted, size);
	if (dry_run || !confirm(yes, "Proceed? [y/N]", &exit_code))
		goto done;
	popts.dry_run = 0;
	rc = hf_cache_prune(&res, client, &popts);
	if (rc) {
		exit_code = cli_fail(client, rc);
		goto done;
	}
	cli_short_size(size, sizeof(size), (double)res.freed);
	printf("Deleted %zu repo(s) and %zu revision(s); freed %s.\n", res.repos_deleted,
	       res.revisions_deleted, size);
done:
	hf_client_free(client);
	return exit_code;
}

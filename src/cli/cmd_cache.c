/* hf cache: the dispatcher, `hf cache info`, and the helpers the cache commands share (docs/cache.md). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd_cache.h"

/* The official short size: "%3.1f" and a decimal unit ("2.7M"). */
void cli_short_size(char *out, size_t len, double num)
{
	static const char *const units[] = { "", "K", "M", "G", "T", "P", "E", "Z" };
	int u;

	for (u = 0; u < 7 && fabs(num) >= 1000.0; u++)
		num /= 1000.0;
	snprintf(out, len, "%3.1f%s", num, units[u]);
}

/* The official "time since": "a few seconds ago", "3 days ago". */
void cache_time_since(char *out, size_t len, int64_t ts)
{
	static const struct {
		const char *label;
		double divider;
		long max;
	} chunks[] = { { "second", 1, 60 },	     { "minute", 60, 60 },	     { "hour", 3600, 24 },
		       { "day", 86400, 6 },	     { "week", 604800, 6 },	     { "month", 2592000, 11 },
		       { "year", 31536000, -1 } };
	double delta = difftime(time(NULL), (time_t)ts);
	long value = 0;
	size_t i;

	if (delta < 20) {
		snprintf(out, len, "a few seconds ago");
		return;
	}
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		value = lround(delta / chunks[i].divider);
		if (chunks[i].max >= 0 && value <= chunks[i].max)
			break;
	}
	if (i == sizeof(chunks) / sizeof(chunks[0]))
		i--;
	snprintf(out, len, "%ld %s%s ago", value, chunks[i].label, value > 1 ? "s" : "");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The refs of rev (NULL: of every revision), sorted as the official client does, joined with ", ". */
void cache_join_refs(char *out, size_t len, const hf_cached_repo *repo, const hf_cached_revision *rev)
{
	const char **names;
	size_t i, j, n = 0;

	out[0] = '\0';
	for (i = 0; i < repo->nb_revisions; i++)
		if (!rev || rev == &repo->revisions[i])
			n += repo->revisions[i].refs.count;
	names = n ? malloc(n * sizeof(*names)) : NULL;
	if (!names)
		return;
	n = 0;
	for (i = 0; i < repo->nb_revisions; i++)
		for (j = 0; (!rev || rev == &repo->revisions[i]) && j < repo->revisions[i].refs.count; j++)
			names[n++] = repo->revisions[i].refs.items[j];
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		if (i)
			strncat(out, ", ", len - strlen(out) - 1);
		strncat(out, names[i], len - strlen(out) - 1);
	}
	free(names);
}

static const char *var_for_cache(const hf_config *cfg, const char *cache_dir)
{
	return cache_dir ? "--cache-dir" : cfg->hub_cache_source;
}

int cache_scan(hf_client **client, const char *cache_dir, hf_cache_info **info, int *exit_code)
{
	int rc;

	if (cli_client(client, NULL, exit_code))
		return -1;
	rc = hf_cache_scan(info, *client, cache_dir);
	if (rc) {
		*exit_code = cli_fail(*client, rc);
		return -1;
	}
	return 0;
}

void cache_print_footer_notes(const hf_cache_info *info, int show_warnings)
{
	size_t i;
	char size[32];

	if (show_warnings) {
		for (i = 0; i < info->warnings.count; i++)
			cli_warn("%s", info->warnings.items[i]);
	} else if (info->warnings.count) {
		fprintf(stderr, "Found %zu cache inconsistencies. Re-run with `--show-warnings` to display them.\n",
			info->warnings.count);
	}
	if (info->incomplete_files.count) {
		cli_short_size(size, sizeof(size), (double)info->incomplete_size);
		fprintf(stderr, "Found %zu incomplete download(s) totalling %s. Remove them with 'hf cache prune'.\n",
			info->incomplete_files.count, size);
	}
}

/* ---- hf cache info (docs/cache.md, "Where it is") ---- */

int cmd_cache_info(int argc, char **argv)
{
	const char *cache_dir = NULL, *format = NULL;
	int json = 0, show_warnings = 0, npos, rc, exit_code = 0;
	char **pos;
	cli_format fmt;
	hf_client *client = NULL;
	hf_cache_info *info = NULL;
	size_t i, w = 7;
	cli_opt opts[] = {
		{ "cache-dir", 0, CLI_OPT_STRING, &cache_dir, "DIR", "Cache directory (default: HF_HUB_CACHE).", 0 },
		{ "format", 0, CLI_OPT_STRING, &format, "FORMAT", "Output format: human or json.", 0 },
		{ "json", 0, CLI_OPT_BOOL, &json, NULL, "Same as --format json.", 0 },
		{ "show-warnings", 0, CLI_OPT_BOOL, &show_warnings, NULL, "List the cache's inconsistencies.", 0 },
		CLI_OPT_END
	};
	const cli_command cmd = {
		"hf cache info", "[OPTIONS]",
		"Show every cached repository with its size, files, last use and refs, then where the cache is.",
		NULL, opts, 0, 0
	};

	rc = cli_parse(&cmd, argc, argv, &pos, &npos);
	if (rc)
		return rc > 0 ? 0 : CLI_EXIT_USAGE;
	free(pos);
	if (cli_format_resolve(format, json, 0, &fmt) < 0)
		return CLI_EXIT_USAGE;
	if (cache_scan(&client, cache_dir, &info, &exit_code)) {
		hf_client_free(client);
		return exit_code;
	}
	if (fmt == CLI_FMT_JSON) {
		printf("{\"cache_dir\": ");
		cli_json_string(stdout, info->cache_dir);
		printf(", \"cache_dir_source\": ");
		cli_json_string(stdout, var_for_cache(hf_client_config(client), cache_dir));
		printf(", \"size_on_disk\": %llu, \"repos\": [", (unsigned long long)info->size_on_disk);
		for (i = 0; i < info->nb_repos; i++) {
			const hf_cached_repo *r = &info->repos[i];
			char refs[1024];

			cache_join_refs(refs, sizeof(refs), r, NULL);
			printf("%s{\"repo_id\": ", i ? ", " : "");
			cli_json_string(stdout, r->repo_id);
			printf(", \"repo_type\": \"%s\", \"size_on_disk\": %llu, \"nb_files\": %zu, "
			       "\"nb_revisions\": %zu, \"last_accessed\": %lld, \"last_modified\": %lld, \"refs\": ",
			       hf_repo_type_name(r->repo_type), (unsigned long long)r->size_on_disk, r->nb_files,
			       r->nb_revisions, (long long)r->last_accessed, (long long)r->last_modified);
			cli_json_string(stdout, refs);
			printf(", \"repo_path\": ");
			cli_json_string(stdout, r->repo_path);
			printf("}");
		}
		printf("], \"warnings\": %zu, \"incomplete_files\": %zu}\n", info->warnings.count,
		       info->incomplete_files.count);
		goto done;
	}
	for (i = 0; i < info->nb_repos; i++)
		if (strlen(info->repos[i].repo_id) > w)
			w = strlen(info->repos[i].repo_id);
	if (info->nb_repos) {
		printf("%-*s  %-7s  %8s  %6s  %-18s  %s\n", (int)w, "REPO ID", "TYPE", "SIZE", "FILES",
		       "LAST USED", "REFS");
		for (i = 0; i < info->nb_repos; i++) {
			const hf_cached_repo *r = &info->repos[i];
			char size[32], used[48], refs[1024];

			cli_short_size(size, sizeof(size), (double)r->size_on_disk);
			cache_time_since(used, sizeof(used), r->last_accessed);
			cache_join_refs(refs, sizeof(refs), r, NULL);
			printf("%-*s  %-7s  %8s  %6zu  %-18s  %s\n", (int)w, r->repo_id,
			       hf_repo_type_name(r->repo_type), size, r->nb_files, used, refs);
		}
		printf("\n");
	} else {
		printf("No cached repositories.\n\n");
	}
	{
		char total[32];

		cli_short_size(total, sizeof(total), (double)info->size_on_disk);
		printf("Cache directory: %s (set by %s)\n", info->cache_dir,
		       var_for_cache(hf_client_config(client), cache_dir));
		printf("Total: %zu repo(s), %s on disk.\n", info->nb_repos, total);
	}
	cache_print_footer_notes(info, show_warnings);
done:
	hf_cache_info_free(info);
	hf_client_free(client);
	return exit_code;
}

int cmd_cache(int argc, char **argv)
{
	static const cli_sub subs[] = {
		{ "info", cmd_cache_info },	    { "ls", cmd_cache_ls },		 { "list", cmd_cache_ls },
		{ "rm", cmd_cache_rm },	    { "delete", cmd_cache_delete },	 { "prune", cmd_cache_prune },
		{ "verify", cmd_cache_verify }, { "scan", cmd_scan_cache },
	};

	return cli_dispatch("cache", "Manage the local cache.",
			    "  info     Every cached repository, its size and last use, and where the cache is\n"
			    "  ls       List repositories or revisions (filters, sorting, JSON) (alias: list)\n"
			    "  rm       Delete repositories or revisions\n"
			    "  delete   Delete one repository: --repo-id ID\n"
			    "  prune    Delete detached revisions and leftovers of dead downloads\n"
			    "  verify   Re-hash cached files against the Hub's hashes\n",
			    subs, sizeof(subs) / sizeof(subs[0]), argc, argv);
}

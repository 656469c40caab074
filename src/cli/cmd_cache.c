/*
 * hf cache info | ls | rm | delete | prune | verify (docs/cache.md),
 * and the legacy huggingface-cli scan-cache.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

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
static void time_since(char *out, size_t len, int64_t ts)
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
static void join_refs(char *out, size_t len, const hf_cached_repo *repo, const hf_cached_revision *rev)
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

static int scan(hf_client **client, const char *cache_dir, hf_cache_info **info, int *exit_code)
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

static void print_footer_notes(const hf_cache_info *info, int show_warnings)
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

static int cache_info(int argc, char **argv)
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
	if (scan(&client, cache_dir, &info, &exit_code)) {
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

			join_refs(refs, sizeof(refs), r, NULL);
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
			time_since(used, sizeof(used), r->last_accessed);
			join_refs(refs, sizeof(refs), r, NULL);
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
	print_footer_notes(info, show_warnings);
done:
	hf_cache_info_free(info);
	hf_client_free(client);
	return exit_code;
}

/* ---- hf cache ls ---- */

typedef struct row {
	const hf_cached_repo *repo;
	const hf_cached_revision *rev; /* --revisions */
} row;

static int parse_size(const char *s, double *out)
{
	static const struct {
		const char *u;
		double m;
	} units[] = { { "KB", 1e3 }, { "MB", 1e6 }, { "GB", 1e9 }, { "TB", 1e12 }, { "K", 1e3 },
		      { "M", 1e6 },  { "G", 1e9 },  { "T", 1e12 }, { "B", 1 } };
	char *end;
	size_t i;
	double v = strtod(s, &end);

	if (end == s)
		return -1;
	while (*end == ' ')
		end++;
	if (!*end) {
		*out = v;
		return 0;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcasecmp(end, units[i].u) == 0) {
			*out = v * units[i].m;
			return 0;
		}
	return -1;
}

static int parse_age(const char *s, double *out)
{
	static const struct {
		const char *u;
		double m;
	} units[] = { { "mo", 2592000 }, { "s", 1 }, { "m", 60 }, { "h", 3600 },
		      { "d", 86400 },    { "w", 604800 }, { "y", 31536000 } };
	char *end;
	size_t i;
	double v = strtod(s, &end);

	if (end == s)
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(end, units[i].u) == 0) {
			*out = v * units[i].m;
			return 0;
		}
	return -1;
}

typedef struct filter {
	char key[16];
	char op[3];
	const char *value;
} filter;

static int parse_filter(const char *expr, filter *f)
{
	static const char *const ops[] = { ">=", "<=", "!=", "=", ">", "<" };
	size_t i, k = 0;

	while (expr[k] && (isalpha((unsigned char)expr[k]) || expr[k] == '_'))
		k++;
	if (k == 0 || k >= sizeof(f->key))
		return -1;
	memcpy(f->key, expr, k);
	f->key[k] = '\0';
	while (expr[k] == ' ')
		k++;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i]);

		if (strncmp(expr + k, ops[i], n) == 0) {
			snprintf(f->op, sizeof(f->op), "%s", ops[i]);
			f->value = expr + k + n;
			while (*f->value == ' ')
				f->value++;
			break;
		}
	}
	if (i == sizeof(ops) / sizeof(ops[0]) || !*f->value)
		return -1;
	if (strcmp(f->key, "size") && strcmp(f->key, "accessed") && strcmp(f->key, "modified") &&
	    strcmp(f->key, "type") && strcmp(f->key, "refs"))
		return -1;
	return 0;
}

static int compare(double a, const char *op, double b)
{
	if (!strcmp(op, ">"))
		return a > b;
	if (!strcmp(op, "<"))
		return a < b;
	if (!strcmp(op, ">="))
		return a >= b;
	if (!strcmp(op, "<="))
		return a <= b;
	if (!strcmp(op, "!="))
		return a != b;
	return a == b;
}

static int filter_ok(const filter *f, const row *r)
{
	double v = 0, now = (double)time(NULL); /* the filter was validated when parsed */

	if (!strcmp(f->key, "size")) {
		parse_size(f->value, &v);
		return compare((double)(r->rev ? r->rev->size_on_disk : r->repo->size_on_disk), f->op, v);
	}
	if (!strcmp(f->key, "accessed") || !strcmp(f->key, "modified")) {
		int64_t ts = !strcmp(f->key, "accessed") ? r->repo->last_accessed
			     : r->rev ? r->rev->last_modified : r->repo->last_modified;

		parse_age(f->value, &v);
		return compare(now - (double)ts, f->op, v);
	}
	if (!strcmp(f->key, "type")) {
		int eq = strcasecmp(hf_repo_type_name(r->repo->repo_type), f->value) == 0;

		return !strcmp(f->op, "!=") ? !eq : eq;
	}
	{
		/* The refs of the revision row, or of the whole repository; case-insensitive. */
		char refs[1024], *tok, *save = NULL;
		int has = 0;

		join_refs(refs, sizeof(refs), r->repo, r->rev);
		for (tok = strtok_r(refs, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save))
			has |= strcasecmp(tok, f->value) == 0;
		return !strcmp(f->op, "!=") ? !has : has;
	}
}

static const char *sort_key;
static int sort_desc;

/* The official order: by "type/id", then by revision. */
static int cmp_default(const row *x, const row *y)
{
	int c = strcmp(hf_repo_type_name(x->repo->repo_type), hf_repo_type_name(y->repo->repo_type));

	if (!c)
		c = strcmp(x->repo->repo_id, y->repo->repo_id);
	if (!c && x->rev && y->rev)
		c = strcmp(x->rev->commit_hash, y->rev->commit_hash);
	return c;
}

/* Sort by sort_key; ties keep the default order (the official sort is stable). */
static int cmp_rows(const void *a, const void *b)
{
	const row *x = a, *y = b;
	double vx = 0, vy = 0;
	int c;

	if (!sort_key)
		return cmp_default(x, y);
	if (!strcmp(sort_key, "name")) {
		c = strcasecmp(hf_repo_type_name(x->repo->repo_type), hf_repo_type_name(y->repo->repo_type));
		if (!c)
			c = strcasecmp(x->repo->repo_id, y->repo->repo_id);
		return c ? (sort_desc ? -c : c) : cmp_default(x, y);
	}
	if (!strcmp(sort_key, "size")) {
		vx = (double)(x->rev ? x->rev->size_on_disk : x->repo->size_on_disk);
		vy = (double)(y->rev ? y->rev->size_on_disk : y->repo->size_on_disk);
	} else if (!strcmp(sort_key, "accessed")) {
		vx = (double)x->repo->last_accessed;
		vy = (double)y->repo->last_accessed;
	} else {
		vx = (double)(x->rev ? x->rev->last_modified : x->repo->last_modified);
		vy = (double)(y->rev ? y->rev->last_modified : y->repo->last_modified);
	}
	c = vx < vy ? -1 : vx > vy ? 1 : 0;
	return c ? (sort_desc ? -c : c) : cmp_default(x, y);
}

static int cache_ls(int argc, char **argv)
{
	const char *cache_dir = NULL, *format = NULL, *sort = NULL;
	cli_list filters = { NULL, 0 };
	int revisions = 0, json = 0, quiet = 0, show_warnings = 0, npos, rc, exit_code = 0;
	long limit = -1;
	char **pos;
	cli_format fmt;
	hf_client *client = NULL;
	hf_cache_info *info = NULL;
	filter *fs = NULL;
	row *rows = NULL;
	size_t i, j, n = 0, total_revs = 0, total_repos = 0;
	uint64_t total = 0;
	cli_opt opts[] = {
		{ "cache-dir", 0, CLI_OPT_STRING, &cache_dir, "DIR", "Cache directory (default: HF_HUB_CACHE).", 0 },
		{ "revisions", 0, CLI_OPT_BOOL, &revisions, NULL, "One row per revision instead of per repository.", 0 },
		{ "filter", 'f', CLI_OPT_LIST, &filters, "EXPR", "Keep rows matching EXPR: size>1GB, accessed>7d, modified<1h, type=model, refs=main (repeatable).", 0 },
		{ "sort", 0, CLI_OPT_STRING, &sort, "KEY[:asc|desc]", "Sort by accessed, modified, size or name.", 0 },
		{ "limit", 0, CLI_OPT_INT, &limit, "N", "Show at most N rows.", 0 },
		{ "format", 0, CLI_OPT_STRING, &format, "FORMAT", "Output format: human, json or quiet.", 0 },
		{ "json", 0, CLI_OPT_BOOL, &json, NULL, "Same as --format json.", 0 },
		{ "quiet", 'q', CLI_OPT_BOOL, &quiet, NULL, "Print only the ids (or revisions).", 0 },
		{ "show-warnings", 0, CLI_OPT_BOOL, &show_warnings, NULL, "List the cache's inconsistencies.", 0 },
		CLI_OPT_END
	};
	const cli_command cmd = { "hf cache ls", "[OPTIONS]", "List cached repositories (or revisions).",
				  NULL, opts, 0, 0 };

	rc = cli_parse(&cmd, argc, argv, &pos, &npos);
	if (rc)
		return rc > 0 ? 0 : CLI_EXIT_USAGE;
	free(pos);
	if (cli_format_resolve(format, json, quiet, &fmt) < 0) {
		exit_code = CLI_EXIT_USAGE;
		goto done;
	}
	fs = calloc(filters.count + 1, sizeof(*fs));
	for (i = 0; fs && i < filters.count; i++) {
		double dummy;

		if (parse_filter(filters.items[i], &fs[i]) < 0 ||
		    (!strcmp(fs[i].key, "size") && parse_size(fs[i].value, &dummy) < 0) ||
		    ((!strcmp(fs[i].key, "accessed") || !strcmp(fs[i].key, "modified")) &&
		     parse_age(fs[i].value, &dummy) < 0)) {
			fprintf(stderr, "Error: invalid filter '%s'\nHint: use e.g. size>1GB, accessed>7d, "
					"modified<=2w, type=dataset, refs=main\n", filters.items[i]);
			exit_code = CLI_EXIT_USAGE;
			goto done;
		}
	}
	sort_key = NULL;
	sort_desc = 0;
	if (sort) {
		static char key[16];
		const char *colon = strchr(sort, ':');
		size_t kl = colon ? (size_t)(colon - sort) : strlen(sort);

		snprintf(key, sizeof(key), "%.*s", (int)kl, sort);
		sort_key = key;
		sort_desc = strcmp(key, "name") != 0;
		if (colon)
			sort_desc = strcmp(colon + 1, "desc") == 0 ? 1 : strcmp(colon + 1, "asc") == 0 ? 0 : -1;
		if (sort_desc < 0 || (strcmp(key, "name") && strcmp(key, "size") && strcmp(key, "accessed") &&
				      strcmp(key, "modified"))) {
			cli_error_line("invalid --sort: use accessed, modified, size or name, optionally :asc or :desc", NULL);
			exit_code = CLI_EXIT_USAGE;
			goto done;
		}
	}
	if (scan(&client, cache_dir, &info, &exit_code))
		goto done;
	for (i = 0; i < info->nb_repos; i++)
		n += revisions ? info->repos[i].nb_revisions : 1;
	rows = calloc(n + 1, sizeof(*rows));
	if (!rows) {
		exit_code = 1;
		goto done;
	}
	n = 0;
	for (i = 0; i < info->nb_repos; i++) {
		for (j = 0; j < (revisions ? info->repos[i].nb_revisions : 1); j++) {
			row r = { &info->repos[i], revisions ? &info->repos[i].revisions[j] : NULL };
			size_t k;
			int keep = 1;

			for (k = 0; k < filters.count; k++)
				keep &= filter_ok(&fs[k], &r);
			if (keep)
				rows[n++] = r;
		}
	}
	if (n > 1)
		qsort(rows, n, sizeof(*rows), cmp_rows);
	if (limit >= 0 && (size_t)limit < n)
		n = (size_t)limit;
	for (i = 0; i < n; i++) {
		size_t k;
		int first = 1;

		total += rows[i].rev ? rows[i].rev->size_on_disk : rows[i].repo->size_on_disk;
		total_revs += rows[i].rev ? 1 : rows[i].repo->nb_revisions;
		/* Rows of one repository: count it once (few revisions each). */
		for (k = 0; rows[i].rev && k < i && first; k++)
			first = rows[k].repo != rows[i].repo;
		total_repos += first;
	}
	if (fmt == CLI_FMT_QUIET) {
		for (i = 0; i < n; i++)
			printf("%s\n", rows[i].rev ? rows[i].rev->commit_hash : rows[i].repo->repo_id);
	} else if (fmt == CLI_FMT_JSON) {
		printf("[");
		for (i = 0; i < n; i++) {
			const row *r = &rows[i];
			char id[600], size[32], acc[48], mod[48], refs[1024];

			snprintf(id, sizeof(id), "%s/%s", hf_repo_type_name(r->repo->repo_type), r->repo->repo_id);
			cli_short_size(size, sizeof(size),
				       (double)(r->rev ? r->rev->size_on_disk : r->repo->size_on_disk));
			time_since(acc, sizeof(acc), r->repo->last_accessed);
			time_since(mod, sizeof(mod), r->rev ? r->rev->last_modified : r->repo->last_modified);
			join_refs(refs, sizeof(refs), r->repo, r->rev);
			printf("%s{\"id\": ", i ? ", " : "");
			cli_json_string(stdout, id);
			printf(", \"repo_id\": ");
			cli_json_string(stdout, r->repo->repo_id);
			printf(", \"repo_type\": \"%s\"", hf_repo_type_name(r->repo->repo_type));
			if (r->rev)
				printf(", \"revision\": \"%s\"", r->rev->commit_hash);
			printf(", \"size\": \"%s\", \"size_on_disk\": %llu, \"last_accessed\": \"%s\", "
			       "\"last_modified\": \"%s\", \"refs\": ",
			       size, (unsigned long long)(r->rev ? r->rev->size_on_disk : r->repo->size_on_disk),
			       acc, mod);
			cli_json_string(stdout, refs);
			printf("}");
		}
		printf("]\n");
	} else if (n == 0) {
		printf("No results found.\n");
	} else {
		size_t w = 2;

		for (i = 0; i < n; i++) {
			size_t l = strlen(rows[i].repo->repo_id) + strlen(hf_repo_type_name(rows[i].repo->repo_type)) + 1;

			if (l > w)
				w = l;
		}
		if (revisions)
			printf("%-*s  %-40s  %8s  %-18s  %s\n", (int)w, "ID", "REVISION", "SIZE", "LAST_MODIFIED", "REFS");
		else
			printf("%-*s  %8s  %-18s  %-18s  %s\n", (int)w, "ID", "SIZE", "LAST_ACCESSED", "LAST_MODIFIED",
			       "REFS");
		for (i = 0; i < n; i++) {
			const row *r = &rows[i];
			char id[600], size[32], acc[48], mod[48], refs[1024];

			snprintf(id, sizeof(id), "%s/%s", hf_repo_type_name(r->repo->repo_type), r->repo->repo_id);
			cli_short_size(size, sizeof(size),
				       (double)(r->rev ? r->rev->size_on_disk : r->repo->size_on_disk));
			time_since(acc, sizeof(acc), r->repo->last_accessed);
			time_since(mod, sizeof(mod), r->rev ? r->rev->last_modified : r->repo->last_modified);
			join_refs(refs, sizeof(refs), r->repo, r->rev);
			if (r->rev)
				printf("%-*s  %-40s  %8s  %-18s  %s\n", (int)w, id, r->rev->commit_hash, size, mod, refs);
			else
				printf("%-*s  %8s  %-18s  %-18s  %s\n", (int)w, id, size, acc, mod, refs);
		}
		{
			char tot[32];

			cli_short_size(tot, sizeof(tot), (double)total);
			printf("\nFound %zu repo(s) for a total of %zu revision(s) and %s on disk.\n",
			       total_repos, total_revs, tot);
		}
	}
	if (fmt == CLI_FMT_HUMAN)
		print_footer_notes(info, show_warnings);
done:
	free(rows);
	free(fs);
	cli_list_dispose(&filters);
	hf_cache_info_free(info);
	hf_client_free(client);
	return exit_code;
}

/* ---- deleting ---- */

typedef struct target {
	hf_repo_type type;
	char repo_id[256];
	const char *revision; /* a commit, or NULL for the whole repo */
} target;

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
static int resolve_target(const hf_cache_info *info, const char *arg, target *t)
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

static const hf_cached_repo *find_repo(const hf_cache_info *info, const target *t)
{
	size_t i;

	for (i = 0; i < info->nb_repos; i++)
		if (info->repos[i].repo_type == t->type && strcmp(info->repos[i].repo_id, t->repo_id) == 0)
			return &info->repos[i];
	return NULL;
}

/* Delete the targets (grouped per repository), after showing the plan. */
static int delete_targets(hf_client *client, const char *cache_dir, const hf_cache_info *info,
			  target *ts, size_t nt, int yes, int dry_run)
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
static int unscanned_on_disk(hf_client *client, const char *cache_dir, const target *t)
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
static int resolve_unscanned(hf_client *client, const char *cache_dir, const char *arg, target *t)
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

static int cache_rm(int argc, char **argv)
{
	const char *cache_dir = NULL;
	int yes = 0, dry_run = 0, npos, rc, exit_code = 0, i;
	char **pos;
	hf_client *client = NULL;
	hf_cache_info *info = NULL;
	target *ts = NULL;
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
	if (scan(&client, cache_dir, &info, &exit_code))
		goto done;
	ts = calloc((size_t)npos, sizeof(*ts));
	if (!ts) {
		exit_code = 1;
		goto done;
	}
	for (i = 0; i < npos; i++) {
		if (resolve_target(info, pos[i], &ts[nt]) == 0 ||
		    resolve_unscanned(client, cache_dir, pos[i], &ts[nt]) == 0)
			nt++;
		else
			fprintf(stderr, "Warning: Could not find in cache:\n  - %s\n", pos[i]);
	}
	if (!nt) {
		printf("Nothing to delete.\n");
		goto done;
	}
	exit_code = delete_targets(client, cache_dir, info, ts, nt, yes, dry_run);
done:
	free(ts);
	free(pos);
	hf_cache_info_free(info);
	hf_client_free(client);
	return exit_code;
}

/* `hf cache delete --repo-id ID` (docs/cache.md, "Deleting"). */
static int cache_delete(int argc, char **argv)
{
	const char *cache_dir = NULL, *repo_id = NULL, *repo_type = "model";
	int yes = 0, dry_run = 0, npos, rc, exit_code = 0;
	char **pos;
	hf_client *client = NULL;
	hf_cache_info *info = NULL;
	target t;
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
	if (scan(&client, cache_dir, &info, &exit_code))
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
	exit_code = delete_targets(client, cache_dir, info, &t, 1, yes, dry_run);
done:
	hf_cache_info_free(info);
	hf_client_free(client);
	return exit_code;
}

static int cache_prune(int argc, char **argv)
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

/* {"repo_id", "repo_type", "revision", "verified", "mismatches": [{"file", "problem"}], "missing": [...], "extra": [...]} */
static void print_verify_json(const char *repo_id, hf_repo_type type, const hf_verify_result *r)
{
	static const struct {
		hf_verify_issue_kind kind;
		const char *key;
	} lists[] = { { HF_VERIFY_MISMATCH, "mismatches" }, { HF_VERIFY_MISSING, "missing" },
		      { HF_VERIFY_EXTRA, "extra" } };
	size_t i, l;

	printf("{\"repo_id\": ");
	cli_json_string(stdout, repo_id);
	printf(", \"repo_type\": \"%s\", \"revision\": ", hf_repo_type_name(type));
	cli_json_string(stdout, r->commit[0] ? r->commit : NULL);
	printf(", \"verified\": %zu", r->verified);
	for (l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
		int first = 1;

		printf(", \"%s\": [", lists[l].key);
		for (i = 0; i < r->nb_issues; i++) {
			if (r->issues[i].kind != lists[l].kind)
				continue;
			printf("%s", first ? "" : ", ");
			first = 0;
			if (lists[l].kind == HF_VERIFY_MISMATCH) {
				printf("{\"file\": ");
				cli_json_string(stdout, r->issues[i].file);
				printf(", \"problem\": ");
				cli_json_string(stdout, r->issues[i].problem);
				printf("}");
			} else {
				cli_json_string(stdout, r->issues[i].file);
			}
		}
		printf("]");
	}
	printf("}\n");
}

static int cache_verify(int argc, char **argv)
{
	const char *cache_dir = NULL, *local_dir = NULL, *repo_type = NULL, *revision = NULL, *token = NULL;
	const char *format = NULL;
	int fail_missing = 0, fail_extra = 0, json = 0, quiet = 0, npos, rc, exit_code = 0;
	char **pos;
	size_t i;
	cli_format fmt;
	hf_client *client = NULL;
	hf_verify_result *r = NULL;
	hf_cache_verify_options o = HF_CACHE_VERIFY_OPTIONS_INIT;
	cli_opt opts[] = {
		{ "repo-type", 0, CLI_OPT_STRING, &repo_type, "TYPE", "model (default), dataset or space.", 0 },
		{ "revision", 0, CLI_OPT_STRING, &revision, "REV", "Branch, tag or commit (default: main).", 0 },
		{ "cache-dir", 0, CLI_OPT_STRING, &cache_dir, "DIR", "Cache directory (default: HF_HUB_CACHE).", 0 },
		{ "local-dir", 0, CLI_OPT_STRING, &local_dir, "DIR", "Verify a --local-dir download instead.", 0 },
		{ "fail-on-missing-files", 0, CLI_OPT_BOOL, &fail_missing, NULL, "Exit non-zero when a file is missing.", 0 },
		{ "fail-on-extra-files", 0, CLI_OPT_BOOL, &fail_extra, NULL, "Exit non-zero on files the repo does not have.", 0 },
		{ "token", 0, CLI_OPT_STRING, &token, "TOKEN", "Token to list a private or gated repository.", 0 },
		{ "format", 0, CLI_OPT_STRING, &format, "FORMAT", "Output format: human, json or quiet.", 0 },
		{ "json", 0, CLI_OPT_BOOL, &json, NULL, "Same as --format json.", 0 },
		{ "quiet", 'q', CLI_OPT_BOOL, &quiet, NULL, "Print nothing; only the exit code tells.", 0 },
		CLI_OPT_END
	};
	const cli_command cmd = {
		"hf cache verify", "REPO_ID [OPTIONS]",
		"Re-hash every cached file of a revision (sha256 for LFS files, git sha1 for the others).",
		"Online the expected hashes come from the Hub's file list; offline (HF_HUB_OFFLINE=1)\n"
		"from the blob names, which are those hashes.",
		opts, 1, 1
	};

	rc = cli_parse(&cmd, argc, argv, &pos, &npos);
	if (rc)
		return rc > 0 ? 0 : CLI_EXIT_USAGE;
	if (cli_format_resolve(format, json, quiet, &fmt) < 0) {
		exit_code = CLI_EXIT_USAGE;
		goto done;
	}
	if (cache_dir && local_dir) {
		cli_error_line("--cache-dir and --local-dir cannot be used together", NULL);
		exit_code = CLI_EXIT_USAGE;
		goto done;
	}
	if (repo_type && hf_repo_type_parse(&o.repo_type, repo_type) != HF_OK) {
		cli_error_line("invalid --repo-type: use model, dataset or space", NULL);
		exit_code = CLI_EXIT_USAGE;
		goto done;
	}
	o.revision = revision;
	o.cache_dir = cache_dir;
	o.local_dir = local_dir;
	o.token = token;
	if (cli_client(&client, NULL, &exit_code))
		goto done;
	rc = hf_cache_verify(&r, client, pos[0], &o);
	if (rc) {
		exit_code = cli_fail(client, rc);
		goto done;
	}
	if (fmt == CLI_FMT_JSON)
		print_verify_json(pos[0], o.repo_type, r);
	for (i = 0; i < r->nb_issues && fmt != CLI_FMT_JSON; i++) {
		const hf_verify_issue *is = &r->issues[i];

		if (is->kind == HF_VERIFY_MISMATCH)
			fprintf(stderr, "Error: %s: %s\n", is->file, is->problem);
		else
			cli_warn("%s: %s", is->file, is->problem);
	}
	if (r->mismatches || (fail_missing && r->missing) || (fail_extra && r->extra)) {
		cli_error_line("verification failed",
			       "re-download the damaged files with 'hf download --force-download'");
		exit_code = hf_exit_code(HF_EINTEGRITY);
		goto done;
	}
	if (fmt == CLI_FMT_HUMAN || fmt == CLI_FMT_AGENT)
		printf("Verified %zu file(s) for %s '%s'. All checksums match.\n", r->verified,
		       hf_repo_type_name(o.repo_type), pos[0]);
done:
	hf_verify_result_free(r);
	free(pos);
	hf_client_free(client);
	return exit_code;
}

/* ---- huggingface-cli scan-cache: the 0.x table ---- */

enum { SCAN_COLS = 8 };

static int cmp_repo_path(const void *a, const void *b)
{
	return strcmp((*(const hf_cached_repo *const *)a)->repo_path, (*(const hf_cached_repo *const *)b)->repo_path);
}

/* One cell of the table: a repository row (v NULL) or a revision row (-v). */
static void scan_cell(const hf_cached_repo *r, const hf_cached_revision *v, int col, char *out, size_t len)
{
	char tmp[48];

	switch (col) {
	case 0:
		snprintf(out, len, "%s", r->repo_id);
		break;
	case 1:
		snprintf(out, len, "%s", hf_repo_type_name(r->repo_type));
		break;
	case 2:
		if (v) {
			snprintf(out, len, "%s", v->commit_hash);
		} else {
			cli_short_size(tmp, sizeof(tmp), (double)r->size_on_disk);
			snprintf(out, len, "%12s", tmp);
		}
		break;
	case 3:
		if (v) {
			cli_short_size(tmp, sizeof(tmp), (double)v->size_on_disk);
			snprintf(out, len, "%12s", tmp);
		} else {
			snprintf(out, len, "%zu", r->nb_files);
		}
		break;
	case 4:
		if (v)
			snprintf(out, len, "%zu", v->nb_files);
		else
			time_since(out, len, r->last_accessed);
		break;
	case 5:
		time_since(out, len, v ? v->last_modified : r->last_modified);
		break;
	case 6:
		join_refs(out, len, r, v);
		break;
	default:
		snprintf(out, len, "%s", v ? v->snapshot_path : r->repo_path);
		break;
	}
}

/*
 * Print the rows as the official tabulate(): every cell padded to its
 * column's width and followed by one space, numbers right-aligned, then a
 * line of dashes under the headers.
 */
static void scan_table(const hf_cached_repo *const *repos, size_t n, int verbose)
{
	static const char *const heads[2][SCAN_COLS] = {
		{ "REPO ID", "REPO TYPE", "SIZE ON DISK", "NB FILES", "LAST_ACCESSED", "LAST_MODIFIED", "REFS",
		  "LOCAL PATH" },
		{ "REPO ID", "REPO TYPE", "REVISION", "SIZE ON DISK", "NB FILES", "LAST_MODIFIED", "REFS",
		  "LOCAL PATH" },
	};
	const char *const *h = heads[verbose ? 1 : 0];
	int number_col = verbose ? 4 : 3, pass, c;
	size_t width[SCAN_COLS], i, j;
	char cell[4096];

	for (c = 0; c < SCAN_COLS; c++)
		width[c] = strlen(h[c]);
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			for (c = 0; c < SCAN_COLS; c++)
				printf("%-*s ", (int)width[c], h[c]);
			printf("\n");
			for (c = 0; c < SCAN_COLS; c++) {
				for (j = 0; j < width[c]; j++)
					putchar('-');
				putchar(' ');
			}
			printf("\n");
		}
		for (i = 0; i < n; i++) {
			const hf_cached_repo *r = repos[i];

			for (j = 0; j < (verbose ? r->nb_revisions : 1); j++) {
				for (c = 0; c < SCAN_COLS; c++) {
					scan_cell(r, verbose ? &r->revisions[j] : NULL, c, cell, sizeof(cell));
					if (pass == 0 && strlen(cell) > width[c])
						width[c] = strlen(cell);
					else if (pass == 1)
						printf(c == number_col ? "%*s " : "%-*s ", (int)width[c], cell);
				}
				if (pass == 1)
					printf("\n");
			}
		}
	}
}

/* huggingface-cli scan-cache [--dir D] [-v] [-vvv]. */
int cmd_scan_cache(int argc, char **argv)
{
	const char *dir = NULL;
	int verbose = 0, verbosity = 0, npos, rc, exit_code = 0, i, nargs = 0;
	char **pos, **args, total[32];
	hf_client *client = NULL;
	hf_cache_info *info = NULL;
	const hf_cached_repo **repos = NULL;
	size_t k;
	struct timespec t0, t1;
	cli_opt opts[] = {
		{ "dir", 0, CLI_OPT_STRING, &dir, "DIR", "Cache directory (default: HF_HUB_CACHE).", 0 },
		{ "verbose", 'v', CLI_OPT_BOOL, &verbose, NULL,
		  "One row per revision; -vvv also prints the warnings.", 0 },
		CLI_OPT_END
	};
	const cli_command cmd = { "huggingface-cli scan-cache", "[OPTIONS]",
				  "Scan the cache (legacy; see 'hf cache ls').", NULL, opts, 0, 0 };

	/* -v counts (-v, -vv, -vvv, --verbose repeated): take them out before parsing. */
	args = calloc((size_t)argc + 1, sizeof(*args));
	if (!args)
		return 1;
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--verbose") == 0) {
			verbosity++;
		} else if (argv[i][0] == '-' && argv[i][1] == 'v' && strspn(argv[i] + 1, "v") == strlen(argv[i] + 1)) {
			verbosity += (int)strlen(argv[i] + 1);
		} else {
			args[nargs++] = argv[i];
			if (strcmp(argv[i], "--") == 0)
				break;
		}
	}
	while (++i < argc)
		args[nargs++] = argv[i];
	rc = cli_parse(&cmd, nargs, args, &pos, &npos);
	free(args);
	if (rc)
		return rc > 0 ? 0 : CLI_EXIT_USAGE;
	free(pos);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (scan(&client, dir, &info, &exit_code))
		goto done;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* Ordered by path as the official client does (datasets, models, spaces). */
	repos = calloc(info->nb_repos + 1, sizeof(*repos));
	if (!repos) {
		exit_code = 1;
		goto done;
	}
	for (k = 0; k < info->nb_repos; k++)
		repos[k] = &info->repos[k];
	qsort(repos, info->nb_repos, sizeof(*repos), cmp_repo_path);
	scan_table(repos, info->nb_repos, verbosity > 0);
	cli_short_size(total, sizeof(total), (double)info->size_on_disk);
	printf("\nDone in %.1fs. Scanned %zu repo(s) for a total of %s.\n",
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, info->nb_repos, total);
	if (info->warnings.count && verbosity >= 3) {
		printf("Got %zu warning(s) while scanning.\n", info->warnings.count);
		for (k = 0; k < info->warnings.count; k++)
			printf("%s\n", info->warnings.items[k]);
	} else if (info->warnings.count) {
		printf("Got %zu warning(s) while scanning. Use -vvv to print details.\n", info->warnings.count);
	}
done:
	free(repos);
	hf_cache_info_free(info);
	hf_client_free(client);
	return exit_code;
}

int cmd_cache(int argc, char **argv)
{
	static const cli_sub subs[] = {
		{ "info", cache_info },	    { "ls", cache_ls },		 { "list", cache_ls },
		{ "rm", cache_rm },	    { "delete", cache_delete },	 { "prune", cache_prune },
		{ "verify", cache_verify }, { "scan", cmd_scan_cache },
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

/*
 * huggingface-cli delete-cache: the official --disable-tui flow for every
 * mode (there is no TUI here): a file lists every revision commented out;
 * the user uncomments those to delete, saves, and confirms.
 */
int cmd_delete_cache(int argc, char **argv)
{
	const char *dir = NULL;
	int disable_tui = 0, npos, rc, exit_code = 0, fd;
	char **pos, path[] = "/tmp/hf-delete-cache-XXXXXX", line[1024];
	hf_client *client = NULL;
	hf_cache_info *info = NULL;
	target *ts = NULL;
	size_t i, j, nt = 0, total_revs = 0;
	FILE *f;
	cli_opt opts[] = {
		{ "dir", 0, CLI_OPT_STRING, &dir, "DIR", "Cache directory (default: HF_HUB_CACHE).", 0 },
		{ "disable-tui", 0, CLI_OPT_BOOL, &disable_tui, NULL, "Select revisions by editing a file (always the case here).", 0 },
		CLI_OPT_END
	};
	const cli_command cmd = { "huggingface-cli delete-cache", "[OPTIONS]",
				  "Choose revisions to delete by editing a file (legacy; see 'hf cache rm').",
				  NULL, opts, 0, 0 };

	rc = cli_parse(&cmd, argc, argv, &pos, &npos);
	if (rc)
		return rc > 0 ? 0 : CLI_EXIT_USAGE;
	free(pos);
	if (!cli_interactive()) {
		cli_error_line("delete-cache needs a terminal to confirm", "use 'hf cache rm TARGET... -y' in scripts");
		return CLI_EXIT_USAGE;
	}
	if (scan(&client, dir, &info, &exit_code))
		goto done;
	fd = mkstemp(path);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		cli_error_line("cannot create a temporary file", NULL);
		exit_code = 1;
		goto done;
	}
	fprintf(f, "# INSTRUCTIONS\n# ------------\n# This is a temporary file created by running `huggingface-cli delete-cache`.\n"
		   "# Uncomment (remove the leading '#') the revisions you want to delete, save, and confirm.\n"
		   "# Uncomment the line below to cancel the deletion.\n#\n# CANCEL_DELETION\n\n");
	for (i = 0; i < info->nb_repos; i++) {
		const hf_cached_repo *r = &info->repos[i];

		fprintf(f, "# %s: %s\n", hf_repo_type_name(r->repo_type), r->repo_id);
		for (j = 0; j < r->nb_revisions; j++) {
			char refs[1024], mod[48];

			join_refs(refs, sizeof(refs), r, &r->revisions[j]);
			time_since(mod, sizeof(mod), r->revisions[j].last_modified);
			fprintf(f, "#    %s # Refs: %s # modified %s\n", r->revisions[j].commit_hash,
				refs[0] ? refs : "(detached)", mod);
			total_revs++;
		}
		fprintf(f, "\n");
	}
	fclose(f);
	printf("TUI is disabled. In order to select which revisions you want to delete, please edit the\n"
	       "following file using the text editor of your choice. Instructions for manual editing are\n"
	       "located at the beginning of the file. Edit the file, save it and confirm to continue.\n"
	       "File to edit: %s\n", path);
	cli_prompt_yes_no("Press <enter> once you've finished editing the file.", 1);
	f = fopen(path, "r");
	ts = calloc(total_revs + 1, sizeof(*ts));
	while (f && ts && fgets(line, sizeof(line), f)) {
		char *p = line, hash[41];

		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "CANCEL_DELETION", 15) == 0) {
			printf("Deletion is cancelled. Do nothing.\n");
			fclose(f);
			unlink(path);
			goto done;
		}
		if (*p == '#' || strlen(p) < 40)
			continue;
		snprintf(hash, sizeof(hash), "%.40s", p);
		for (i = 0; i < info->nb_repos && nt < total_revs; i++)
			for (j = 0; j < info->repos[i].nb_revisions; j++)
				if (!strcmp(info->repos[i].revisions[j].commit_hash, hash) &&
				    resolve_target(info, info->repos[i].revisions[j].commit_hash, &ts[nt]) == 0)
					nt++;
	}
	if (f)
		fclose(f);
	unlink(path);
	if (!nt) {
		printf("Deletion is cancelled. Do nothing.\n");
		goto done;
	}
	exit_code = delete_targets(client, dir, info, ts, nt, 0, 0);
done:
	free(ts);
	hf_cache_info_free(info);
	hf_client_free(client);
	return exit_code;
}

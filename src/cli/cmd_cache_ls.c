/* hf cache ls (alias list): filters, sorting, and the table, JSON and quiet outputs. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cmd_cache.h"

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

		cache_join_refs(refs, sizeof(refs), r->repo, r->rev);
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

int cmd_cache_ls(int argc, char **argv)
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
	if (cache_scan(&client, cache_dir, &info, &exit_code))
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
		if (first)
			total_repos++;
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
			cache_time_since(acc, sizeof(acc), r->repo->last_accessed);
			cache_time_since(mod, sizeof(mod), r->rev ? r->rev->last_modified : r->repo->last_modified);
			cache_join_refs(refs, sizeof(refs), r->repo, r->rev);
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
			cache_time_since(acc, sizeof(acc), r->repo->last_accessed);
			cache_time_since(mod, sizeof(mod), r->rev ? r->rev->last_modified : r->repo->last_modified);
			cache_join_refs(refs, sizeof(refs), r->repo, r->rev);
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
		cache_print_footer_notes(info, show_warnings);
done:
	free(rows);
	free(fs);
	cli_list_dispose(&filters);
	hf_cache_info_free(info);
	hf_client_free(client);
	return exit_code;
}

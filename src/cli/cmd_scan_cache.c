/* The legacy huggingface-cli verbs scan-cache (the 0.x table) and delete-cache (edit a file, confirm). */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd_cache.h"

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
			cache_time_since(out, len, r->last_accessed);
		break;
	case 5:
		cache_time_since(out, len, v ? v->last_modified : r->last_modified);
		break;
	case 6:
		cache_join_refs(out, len, r, v);
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
	if (cache_scan(&client, dir, &info, &exit_code))
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
	cache_target *ts = NULL;
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
	if (cache_scan(&client, dir, &info, &exit_code))
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

			cache_join_refs(refs, sizeof(refs), r, &r->revisions[j]);
			cache_time_since(mod, sizeof(mod), r->revisions[j].last_modified);
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
				    cache_resolve_target(info, info->repos[i].revisions[j].commit_hash, &ts[nt]) == 0)
					nt++;
	}
	if (f)
		fclose(f);
	unlink(path);
	if (!nt) {
		printf("Deletion is cancelled. Do nothing.\n");
		goto done;
	}
	exit_code = cache_delete_targets(client, dir, info, ts, nt, 0, 0);
done:
	free(ts);
	hf_cache_info_free(info);
	hf_client_free(client);
	return exit_code;
}

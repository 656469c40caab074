/*
 * hf download REPO_ID [FILENAMES]... (README.md "Downloading"; the engine
 * is described in docs/internals/download.md): one file
 * through hf_download_file(), anything else through
 * hf_download_snapshot(). Progress goes to standard error on a terminal;
 * the path goes to standard output.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "progress.h"

void cli_format_size(char *out, size_t len, double bytes)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB" };
	int u = 0;

	while (bytes >= 1000 && u < 5) {
		bytes /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(out, len, "%.0f %s", bytes, units[u]);
	else
		snprintf(out, len, "%.1f %s", bytes, units[u]);
}

static int on_progress(const hf_progress *p, void *payload)
{
	cli_progress_line *v = payload;
	char done[32], total[32], rate[32], eta[32] = "--:--", line[256];
	double elapsed, speed;
	int len;

	if (cli_interrupted())
		return 1;
	if (!v->show)
		return 0;
	elapsed = cli_progress_elapsed(v);
	speed = elapsed > 0.2 ? (double)p->bytes_done / elapsed : 0;
	cli_format_size(done, sizeof(done), (double)p->bytes_done);
	cli_format_size(total, sizeof(total), (double)p->bytes_total);
	cli_format_size(rate, sizeof(rate), speed);
	if (speed > 0 && p->bytes_total > p->bytes_done) {
		long s = (long)((double)(p->bytes_total - p->bytes_done) / speed);

		snprintf(eta, sizeof(eta), "%ld:%02ld", s / 60, s % 60);
	}
	len = snprintf(line, sizeof(line), "Fetching %zu/%zu files  %s / %s  %s/s  ETA %s  %.40s",
		       p->files_done, p->files_total, done, total, rate, eta, p->file ? p->file : "");
	cli_progress_draw(v, line, len);
	return 0;
}

/* "datasets/org/x" and "spaces/org/x" name the type in the id. */
static const char *split_type_prefix(const char *id, const char **type_out)
{
	static const char *const prefixes[][2] = { { "datasets/", "dataset" }, { "spaces/", "space" },
						   { "models/", "model" } };
	size_t i;

	for (i = 0; i < 3; i++) {
		size_t n = strlen(prefixes[i][0]);

		if (strncmp(id, prefixes[i][0], n) == 0 && strchr(id + n, '/')) {
			*type_out = prefixes[i][1];
			return id + n;
		}
	}
	*type_out = NULL;
	return id;
}

static int print_plan(const hf_plan *plan, cli_format fmt)
{
	size_t i, n = 0, width = 4;
	uint64_t total = 0;
	char size[32];

	for (i = 0; i < plan->count; i++) {
		if (plan->files[i].will_download) {
			n++;
			total += plan->files[i].size;
		}
		if (plan->files[i].selected && strlen(plan->files[i].path) > width)
			width = strlen(plan->files[i].path);
	}
	if (fmt == CLI_FMT_JSON) {
		printf("{\"commit\": \"%s\", \"files\": [", plan->commit);
		for (i = 0; i < plan->count; i++) {
			printf("%s{\"path\": ", i ? ", " : "");
			cli_json_string(stdout, plan->files[i].path);
			printf(", \"size\": %llu, \"selected\": %s, \"will_download\": %s}",
			       (unsigned long long)plan->files[i].size,
			       plan->files[i].selected ? "true" : "false",
			       plan->files[i].will_download ? "true" : "false");
		}
		printf("]}\n");
		return 0;
	}
	cli_format_size(size, sizeof(size), (double)total);
	printf("[dry-run] Will download %zu files (out of %zu) totalling %s.\n", n, plan->count, size);
	printf("%-*s %s\n", (int)width, "FILE", "SIZE");
	for (i = 0; i < plan->count; i++) {
		if (!plan->files[i].selected)
			continue;
		cli_format_size(size, sizeof(size), (double)plan->files[i].size);
		printf("%-*s %s\n", (int)width, plan->files[i].path,
		       plan->files[i].will_download ? size : "-");
	}
	return 0;
}

int cmd_download(int argc, char **argv)
{
	const char *repo_type = NULL, *revision = NULL, *cache_dir = NULL, *local_dir = NULL;
	const char *token = NULL, *format = NULL, *type_from_id = NULL, *repo_id;
	cli_list include = { NULL, 0 }, exclude = { NULL, 0 };
	int force = 0, dry_run = 0, json = 0, quiet = 0, npos, rc, exit_code = 0;
	long max_workers = 8;
	char **pos = NULL, *path = NULL;
	const char **patterns = NULL;
	cli_format fmt;
	hf_client *client = NULL;
	hf_download_options o = HF_DOWNLOAD_OPTIONS_INIT;
	cli_progress_line view;
	struct sigaction old_sa;
	const hf_config *cfg;
	cli_opt opts[] = {
		CLI_OPTS_REPO_TYPE(repo_type),
		{ "revision", 0, CLI_OPT_STRING, &revision, "REV", "Branch, tag, refs/pr/N or commit (default: main).", 0 },
		{ "include", 0, CLI_OPT_LIST, &include, "PATTERN", "Only files matching this pattern (repeatable; '*' crosses '/').", 0 },
		{ "exclude", 0, CLI_OPT_LIST, &exclude, "PATTERN", "Leave out files matching this pattern (repeatable).", 0 },
		{ "cache-dir", 0, CLI_OPT_STRING, &cache_dir, "DIR", "Cache directory (default: HF_HUB_CACHE).", 0 },
		{ "local-dir", 0, CLI_OPT_STRING, &local_dir, "DIR", "Write real files into DIR instead of the cache.", 0 },
		{ "force-download", 0, CLI_OPT_BOOL, &force, NULL, "Download again even if cached.", 1 },
		{ "dry-run", 0, CLI_OPT_BOOL, &dry_run, NULL, "Show what would be downloaded, download nothing.", 1 },
		CLI_OPT_HUB_TOKEN(token),
		{ "max-workers", 0, CLI_OPT_INT, &max_workers, "N", "Files downloaded at once (default 8).", 0 },
		CLI_OPTS_FORMAT(format, json),
		{ "quiet", 'q', CLI_OPT_BOOL, &quiet, NULL, "Print only the path; no progress.", 0 },
		CLI_OPT_END
	};
	const cli_command cmd = {
		"hf download", "REPO_ID [FILENAMES]... [OPTIONS]",
		"Download files from the Hub into the cache (or --local-dir) and print their path.",
		"One file name downloads that file and prints its path; none (or several, or\n"
		"patterns) downloads a snapshot and prints its folder. Every file is verified\n"
		"(sha256 or git sha1) before it is kept; an interrupted download resumes.\n"
		"  hf download meta-llama/Llama-3.2-1B\n"
		"  hf download gpt2 config.json\n"
		"  hf download datasets/org/name --include '*.csv'",
		opts, 1, -1
	};

	rc = cli_parse(&cmd, argc, argv, &pos, &npos);
	if (rc)
		return rc > 0 ? 0 : CLI_EXIT_USAGE;
	if (cli_format_resolve(format, json, quiet, &fmt) < 0) {
		exit_code = CLI_EXIT_USAGE;
		goto done;
	}
	repo_id = split_type_prefix(pos[0], &type_from_id);
	if (type_from_id && repo_type) {
		cli_error_line("the repository type is given twice (in the id and with --repo-type)",
			       "drop the 'datasets/' or 'spaces/' prefix, or --repo-type");
		exit_code = CLI_EXIT_USAGE;
		goto done;
	}
	if (type_from_id)
		repo_type = type_from_id;
	if (cli_repo_type_arg(repo_type, &o.repo_type)) {
		exit_code = CLI_EXIT_USAGE;
		goto done;
	}
	if (cache_dir && local_dir) {
		cli_error_line("--cache-dir and --local-dir cannot be used together", NULL);
		exit_code = CLI_EXIT_USAGE;
		goto done;
	}
	if (max_workers < 1 || max_workers > 256) {
		cli_error_line("--max-workers must be between 1 and 256", NULL);
		exit_code = CLI_EXIT_USAGE;
		goto done;
	}
	o.revision = revision;
	o.cache_dir = cache_dir;
	o.local_dir = local_dir;
	o.token = token;
	o.force = force;
	o.max_workers = (int)max_workers;
	if (npos > 1) {
		int i;

		if (include.count)
			cli_warn("Ignoring `--include` since filenames have been explicitly set.");
		if (exclude.count)
			cli_warn("Ignoring `--exclude` since filenames have been explicitly set.");
		patterns = calloc((size_t)npos, sizeof(char *));
		if (!patterns) {
			exit_code = 1;
			goto done;
		}
		for (i = 1; i < npos; i++)
			patterns[i - 1] = pos[i];
		o.include = patterns;
		o.include_count = (size_t)npos - 1;
	} else {
		o.include = include.items;
		o.include_count = include.count;
		o.exclude = exclude.items;
		o.exclude_count = exclude.count;
	}
	if (cli_client(&client, NULL, &exit_code))
		goto done;
	cfg = hf_client_config(client);

	if (dry_run) {
		hf_plan *plan = NULL;

		rc = hf_download_plan(&plan, client, repo_id,
				      npos == 2 && pos[1][strlen(pos[1]) - 1] != '/' ? pos[1] : NULL, &o);
		if (rc)
			exit_code = cli_fail(client, rc);
		else
			print_plan(plan, fmt);
		hf_plan_free(plan);
		goto done;
	}

	/* Never on a non-terminal; NO_COLOR keeps it but without escape sequences. */
	cli_progress_init(&view, fmt == CLI_FMT_HUMAN && isatty(STDERR_FILENO) &&
					 cfg->disable_progress_bars != 1);
	o.progress = on_progress;
	o.progress_payload = &view;
	cli_catch_sigint(&old_sa);
	if (npos == 2 && pos[1][strlen(pos[1]) - 1] != '/') {
		o.include = NULL;
		o.include_count = 0;
		rc = hf_download_file(&path, client, repo_id, pos[1], &o);
	} else {
		/* "dir/" means everything under it. */
		int i;

		for (i = 1; i < npos && patterns; i++) {
			size_t n = strlen(pos[i]);

			if (n && pos[i][n - 1] == '/') {
				char *pat = malloc(n + 2);

				if (pat) {
					snprintf(pat, n + 2, "%s*", pos[i]);
					patterns[i - 1] = pat;
				}
			}
		}
		rc = hf_download_snapshot(&path, client, repo_id, &o);
		for (i = 1; i < npos && patterns; i++)
			if (patterns[i - 1] != pos[i])
				free((char *)(uintptr_t)patterns[i - 1]);
	}
	sigaction(SIGINT, &old_sa, NULL);
	cli_progress_clear(&view);
	if (rc) {
		exit_code = cli_interrupted() ? 130 : cli_fail(client, rc);
		if (cli_interrupted())
			cli_error_line("interrupted", "run the same command again: the download resumes where it stopped");
		goto done;
	}
	switch (fmt) {
	case CLI_FMT_JSON:
		printf("{\"path\": ");
		cli_json_string(stdout, path);
		printf("}\n");
		break;
	case CLI_FMT_AGENT:
		printf("path=%s\n", path);
		break;
	case CLI_FMT_QUIET:
		printf("%s\n", path);
		break;
	case CLI_FMT_HUMAN:
	default:
		if (strcmp(cli_g.argv0_name, "huggingface-cli") == 0)
			printf("%s\n", path);
		else
			printf("%s Downloaded\n  path: %s\n", cli_ok_mark(), path);
	}
done:
	hf_free(path);
	free(patterns);
	free(pos);
	cli_list_dispose(&include);
	cli_list_dispose(&exclude);
	hf_client_free(client);
	return exit_code;
}

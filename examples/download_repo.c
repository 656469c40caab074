/*
 * download_repo: download a whole repository revision, or the part of it
 * that matches some patterns, into the cache (or into a plain folder).
 *
 *     download_repo <repo_id> [--include PATTERN]... [--exclude PATTERN]...
 *                   [--revision REV] [--repo-type model|dataset|space]
 *                   [--local-dir DIR]
 *     download_repo acme/tiny --include '*.json' --exclude 'tokenizer*'
 *
 * Patterns are shell patterns (fnmatch) on the path in the repository; a
 * file is kept when it matches an --include (or none is given) and no
 * --exclude. Files are fetched several at a time and each is verified
 * before it is published. The program prints the snapshot folder, whose
 * entries are links into the cache's blobs:
 *
 *     path: /home/me/.cache/huggingface/hub/models--acme--tiny/snapshots/<commit>
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hf/hf.h>

static int usage(void)
{
	fprintf(stderr, "usage: download_repo <repo_id> [--include PATTERN]... [--exclude PATTERN]...\n"
			"                     [--revision REV] [--repo-type TYPE] [--local-dir DIR]\n");
	return 2;
}

int main(int argc, char **argv)
{
	hf_download_options opts = HF_DOWNLOAD_OPTIONS_INIT;
	const char *repo_id = NULL;
	const char **include, **exclude;
	size_t n_include = 0, n_exclude = 0;
	hf_client *client = NULL;
	char *path = NULL;
	int i, rc;

	/* At most argc patterns of each kind: no need to grow these. */
	include = calloc((size_t)argc, sizeof(*include));
	exclude = calloc((size_t)argc, sizeof(*exclude));
	if (!include || !exclude) {
		fprintf(stderr, "download_repo: out of memory\n");
		return 1;
	}
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char *value = i + 1 < argc ? argv[i + 1] : NULL;

		if (arg[0] != '-') {
			if (repo_id) {
				rc = usage();
				goto out;
			}
			repo_id = arg;
			continue;
		}
		if (!value) {
			rc = usage();
			goto out;
		}
		i++;
		if (!strcmp(arg, "--include")) {
			include[n_include++] = value;
		} else if (!strcmp(arg, "--exclude")) {
			exclude[n_exclude++] = value;
		} else if (!strcmp(arg, "--revision")) {
			opts.revision = value;
		} else if (!strcmp(arg, "--local-dir")) {
			opts.local_dir = value;
		} else if (!strcmp(arg, "--repo-type")) {
			if (hf_repo_type_parse(&opts.repo_type, value) != HF_OK) {
				rc = usage();
				goto out;
			}
		} else {
			rc = usage();
			goto out;
		}
	}
	if (!repo_id) {
		rc = usage();
		goto out;
	}
	/* The options only borrow these arrays, for the duration of the call. */
	if (n_include) {
		opts.include = include;
		opts.include_count = n_include;
	}
	if (n_exclude) {
		opts.exclude = exclude;
		opts.exclude_count = n_exclude;
	}

	rc = hf_client_new(&client, NULL);
	if (rc != HF_OK) {
		fprintf(stderr, "download_repo: %s (check HF_ENDPOINT and the timeouts)\n",
			hf_strerror(rc));
		rc = hf_exit_code(rc);
		goto out;
	}
	rc = hf_download_snapshot(&path, client, repo_id, &opts);
	if (rc == HF_OK) {
		printf("path: %s\n", path);
	} else {
		const hf_error *e = hf_client_error(client);

		fprintf(stderr, "download_repo: %s (%s)\n", e->message, hf_error_name(rc));
		if (e->hint)
			fprintf(stderr, "hint: %s\n", e->hint);
	}
	rc = hf_exit_code(rc);
	hf_free(path);
	hf_client_free(client);
out:
	free(include);
	free(exclude);
	return rc;
}

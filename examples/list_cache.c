/*
 * list_cache: what is in the cache (the one shared with the Python
 * client), the way `hf cache ls --revisions` sees it.
 *
 *     list_cache [<cache_dir>]
 *
 * Without an argument the client's cache is scanned: HF_HUB_CACHE, else
 * $HF_HOME/hub, else ~/.cache/huggingface/hub. The scan reads the disk
 * only; it never contacts the Hub. Output, sizes in bytes:
 *
 *     cache: /home/me/.cache/huggingface/hub
 *     repo: model acme/tiny files 6 size 1325106 revisions 1
 *       revision: 6f1c... refs main files 6 size 1325106
 *         file: config.json 46
 *     total: repos 1 size 1325106
 *
 * Sizes count each blob once, however many revisions share it. Damaged
 * entries are reported as warnings (and left out), not errors.
 */
#include <inttypes.h>
#include <stdio.h>

#include <hf/hf.h>

static void print_revision(const hf_cached_revision *rev)
{
	size_t i;

	printf("  revision: %s refs", rev->commit_hash);
	if (!rev->refs.count)
		printf(" (none)");
	for (i = 0; i < rev->refs.count; i++)
		printf("%s%s", i ? "," : " ", rev->refs.items[i]);
	printf(" files %zu size %" PRIu64 "\n", rev->nb_files, rev->size_on_disk);
	for (i = 0; i < rev->nb_files; i++)
		printf("    file: %s %" PRIu64 "\n", rev->files[i].file_name,
		       rev->files[i].size_on_disk);
}

int main(int argc, char **argv)
{
	hf_cache_info *info = NULL;
	hf_client *client = NULL;
	size_t i, j;
	int rc;

	if (argc > 2) {
		fprintf(stderr, "usage: list_cache [<cache_dir>]\n");
		return 2;
	}
	rc = hf_client_new(&client, NULL);
	if (rc != HF_OK) {
		fprintf(stderr, "list_cache: %s\n", hf_strerror(rc));
		return hf_exit_code(rc);
	}
	/* NULL: the client's hub cache. The report belongs to the caller. */
	rc = hf_cache_scan(&info, client, argc == 2 ? argv[1] : NULL);
	if (rc != HF_OK) {
		fprintf(stderr, "list_cache: %s (%s)\n", hf_client_error(client)->message,
			hf_error_name(rc));
		hf_client_free(client);
		return hf_exit_code(rc);
	}

	printf("cache: %s\n", info->cache_dir);
	for (i = 0; i < info->nb_repos; i++) {
		const hf_cached_repo *repo = &info->repos[i];

		printf("repo: %s %s files %zu size %" PRIu64 " revisions %zu\n",
		       hf_repo_type_name(repo->repo_type), repo->repo_id, repo->nb_files,
		       repo->size_on_disk, repo->nb_revisions);
		for (j = 0; j < repo->nb_revisions; j++)
			print_revision(&repo->revisions[j]);
	}
	for (i = 0; i < info->warnings.count; i++)
		printf("warning: %s\n", info->warnings.items[i]);
	if (info->incomplete_files.count)
		printf("incomplete: files %zu size %" PRIu64 "\n", info->incomplete_files.count,
		       info->incomplete_size);
	printf("total: repos %zu size %" PRIu64 "\n", info->nb_repos, info->size_on_disk);

	hf_cache_info_free(info);
	hf_client_free(client);
	return 0;
}

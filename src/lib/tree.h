/*
 * The file list of a commit: the tree API with cursor pagination
 * (docs/internals/download.md) and its cache trees/<commit>.json (docs/internals/cache.md).
 */
#ifndef HF_TREE_H
#define HF_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "hf/auth.h"
#include "hf/download.h"
#include "client_int.h"

typedef struct hf__tree_file {
	char *path;
	uint64_t size;
	char blob_id[41];     /* git blob sha1 */
	char lfs_sha256[65];  /* "" when not an LFS file */
	char xet_hash[65];    /* "" when absent */
} hf__tree_file;

typedef struct hf__tree {
	hf__tree_file *files;
	size_t count, cap;
} hf__tree;

/* The etag that names this file's blob: the sha256 for LFS files, else the sha1. */
const char *hf__tree_file_etag(const hf__tree_file *f);

/*
 * Append the files of one tree API page (a JSON array) to tree.
 * Directories are skipped. Every file name is validated; a bad entry
 * fails the page. Returns 0, -1 (malformed; msg set) or -2 (no memory).
 */
int hf__tree_parse_page(hf__tree *tree, const char *json, size_t len, char *msg, size_t msglen);

/*
 * Extract the rel="next" URL from a Link header. Heap string or NULL.
 */
char *hf__link_next(const char *link);

/* Load trees/<commit>.json; 0 when loaded, -1 when absent or unusable. */
int hf__tree_cache_load(hf__tree *tree, const char *path);
/* Write it atomically. 0 or -errno. */
int hf__tree_cache_save(const hf__tree *tree, const char *path);

/*
 * List every file of commit through the API (following Link cursors on
 * the endpoint's origin only), each page under the retry policy of API
 * calls (retry.h). Errors go to the client's record, in the words of
 * subject (hub_error.h).
 */
struct hf__hub_subject;
int hf__tree_fetch(hf_client *c, hf_repo_type type, const char *repo_id, const char *commit,
		   const char *token, const struct hf__hub_subject *subject, hf__tree *out);

/* Sort by path (for binary search with hf__tree_find). */
void hf__tree_sort(hf__tree *tree);
const hf__tree_file *hf__tree_find(const hf__tree *tree, const char *path);
void hf__tree_dispose(hf__tree *tree);

#endif

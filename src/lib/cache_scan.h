/* Internals shared by the cache scan, deletion and prune. */
#ifndef HF_CACHE_SCAN_H
#define HF_CACHE_SCAN_H

#include "hf/hf.h"
#include "client_int.h"

/*
 * Scan one repository folder (root/name) into repo. Returns 0, or -1 with
 * a one-line warning in warn (the repo is then corrupt and left out), or
 * -2 when out of memory. Incomplete downloads are appended to info.
 */
int hf__scan_repo(const char *root, const char *name, hf_cached_repo *repo, hf_cache_info *info,
		  char *warn, size_t warnlen);
void hf__cached_repo_dispose(hf_cached_repo *repo);
/* Resolve cache_dir (NULL: the client's) to a heap string. */
char *hf__cache_root(hf_client *c, const char *cache_dir);

#endif

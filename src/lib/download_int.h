/* What download.c shares with the rest of the library. */
#ifndef HF_DOWNLOAD_INT_H
#define HF_DOWNLOAD_INT_H

#include "hf/hf.h"
#include "tree.h"

/*
 * Resolve opts->revision of repo_id and list its files exactly as
 * hf_download_snapshot() would (offline mode and cache fallbacks
 * included). *listed is 0 when no listing could be had (offline without
 * a cached tree): tree is then empty. *repo_dir receives the repository's
 * cache folder (hf_free()).
 */
int hf__download_listing(hf_client *c, const char *repo_id, const hf_download_options *opts,
			 char commit[41], hf__tree *tree, int *listed, char **repo_dir);

#endif

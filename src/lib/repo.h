/*
 * Repository naming: cache folder names (docs/internals/cache.md) and Hub
 * URLs (docs/internals/requests.md).
 */
#ifndef HF_LIB_REPO_H
#define HF_LIB_REPO_H

#include "hf/download.h"
#include "client_int.h"

/* "models", "datasets", "spaces". */
const char *hf__repo_type_plural(hf_repo_type type);
/* "<type>s--" + repo_id with '/' as "--". Heap string. */
char *hf__repo_folder(hf_repo_type type, const char *repo_id);
/* {endpoint}/{prefix}{repo_id}/resolve/{quote(rev)}/{quote(file, "/")}. Heap string. */
char *hf__resolve_url(const hf_client *c, hf_repo_type type, const char *repo_id,
		      const char *revision, const char *filename);
/* {endpoint}/api/{type}s/{repo_id}{suffix}, suffix already quoted. Heap string. */
char *hf__api_url(const hf_client *c, hf_repo_type type, const char *repo_id, const char *suffix);
/* quote(s, safe) into a heap string. */
char *hf__quote(const char *s, const char *safe);

#endif

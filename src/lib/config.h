/* Configuration from options and the environment (hub-protocol.md §1.3, §8). */
#ifndef HF_CONFIG_H
#define HF_CONFIG_H

#include <stddef.h>

#include "client_int.h"

typedef const char *(*hf__getenv_fn)(const char *name, void *payload);

/*
 * Expand a leading "~" (with $HOME) and $NAME / ${NAME} (unknown names are
 * left as they are), as Python's expanduser(expandvars()). Heap result.
 */
char *hf__expand_path(const char *path, hf__getenv_fn lookup, void *payload);

/* Make a relative path absolute against the working directory. Heap result. */
char *hf__absolute_path(const char *path);

/*
 * Fill c->cfg and the strings behind it. Returns HF_OK, HF_ENOMEM or
 * HF_EINVAL with a one-line message in errbuf.
 */
int hf__config_load(hf_client *c, const hf_client_options *opts, char *errbuf, size_t errlen);

#endif

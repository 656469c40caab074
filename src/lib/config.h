/*
 * Configuration from options and the environment, read once per client
 * (docs/internals/configuration.md). Knows nothing of the client: it fills
 * an hf__settings, which the client embeds.
 */
#ifndef HF_CONFIG_H
#define HF_CONFIG_H

#include <stddef.h>

#include "hf/client.h"
#include "env.h"

/* The resolved configuration and the strings it owns. */
typedef struct hf__settings {
	hf_config cfg; /* the public view: its strings point at the fields below */
	char *endpoint, *hf_home, *hub_cache, *assets_cache, *token_path,
		*stored_tokens_path, *ca_bundle, *ca_path;
	char *ua_origin; /* HF_HUB_USER_AGENT_ORIGIN, or NULL */
} hf__settings;

/*
 * Expand a leading "~" (with $HOME) and $NAME / ${NAME} (unknown names are
 * left as they are), as Python's expanduser(expandvars()). Heap result.
 */
char *hf__expand_path(const char *path, hf__getenv_fn lookup, void *payload);

/* Make a relative path absolute against the working directory. Heap result. */
char *hf__absolute_path(const char *path);

/*
 * Fill s from opts (may be NULL) and the environment. Returns HF_OK,
 * HF_ENOMEM or HF_EINVAL with a one-line message in errbuf. On failure s
 * may be partly filled: hf__settings_dispose() it either way.
 */
int hf__settings_load(hf__settings *s, const hf__env *env, const hf_client_options *opts,
		      char *errbuf, size_t errlen);
void hf__settings_dispose(hf__settings *s);

#endif

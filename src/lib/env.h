/*
 * Environment lookup: the one place the library reads a variable, through
 * the client's hook (hf_client_options.getenv_fn, getenv() by default).
 * A value object with no dependency on the client, so that configuration
 * and the transport can read settings without knowing what a client is.
 */
#ifndef HF_ENV_H
#define HF_ENV_H

typedef const char *(*hf__getenv_fn)(const char *name, void *payload);

typedef struct hf__env {
	hf__getenv_fn fn;  /* never NULL once initialised */
	void *payload;
} hf__env;

/* Set up e with fn (NULL: getenv()) and its payload. */
void hf__env_init(hf__env *e, hf__getenv_fn fn, void *payload);
/* The value of name, or NULL when unset. */
const char *hf__env_get(const hf__env *e, const char *name);
/* Like hf__env_get, but NULL for an empty value too. */
const char *hf__env_nonempty(const hf__env *e, const char *name);

#endif

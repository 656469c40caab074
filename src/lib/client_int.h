/* The client's private state, shared by the library's modules. */
#ifndef HF_CLIENT_INT_H
#define HF_CLIENT_INT_H

#include "hf/hf.h"
#include "buf.h"

struct hf_client {
	hf_config cfg;
	/* Owned copies behind the cfg pointers. */
	char *endpoint, *hf_home, *hub_cache, *assets_cache, *token_path,
		*stored_tokens_path, *ca_bundle, *ca_path;
	char *explicit_token; /* hf_client_options.token, cleaned */
	char *user_agent;     /* full User-Agent */
	const char *(*getenv_fn)(const char *name, void *payload);
	void *getenv_payload;

	/* Last error. Strings owned here. */
	hf_error err;
	char *err_message, *err_hint, *err_url, *err_request_id;

	void *http; /* lazily created transport (http.c) */
};

/* Environment lookup through the client's getenv hook. */
const char *hf__getenv(const hf_client *c, const char *name);
/* Like hf__getenv, but NULL for an empty value. */
const char *hf__getenv_nonempty(const hf_client *c, const char *name);

/* Reset the error record to HF_OK (called at the start of each API call). */
void hf__error_clear(hf_client *c);
/*
 * Set the error record; returns code. message is printf-style, one line.
 * The hint may be NULL. Neither may contain a token.
 */
int hf__error_set(hf_client *c, int code, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Attach HTTP context to the current error. */
void hf__error_http(hf_client *c, long status, const char *url, const char *request_id);
void hf__error_errno(hf_client *c, int os_errno);

#endif

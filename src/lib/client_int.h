/* The client's private state, shared by the library's modules. */
#ifndef HF_CLIENT_INT_H
#define HF_CLIENT_INT_H

#include "hf/hf.h"
#include "buf.h"
#include "env.h"
#include "http.h"
#include "retry.h"

struct hf_client {
	hf_config cfg;
	/* Owned copies behind the cfg pointers (moved here from hf__settings). */
	char *endpoint, *hf_home, *hub_cache, *assets_cache, *token_path,
		*stored_tokens_path, *ca_bundle, *ca_path;
	char *explicit_token; /* hf_client_options.token, cleaned */
	hf__env env;          /* the getenv hook */

	/* Last error. Strings owned here. */
	hf_error err;
	char *err_message, *err_hint, *err_url, *err_request_id, *err_hub_code;

	hf__transport *transport; /* settings for every connection; no connection yet */
	hf__conn *conn;           /* the calling thread's connection, made on first use */
};

/* Reset the error record to HF_OK (called at the start of each API call). */
void hf__error_clear(hf_client *c);
/*
 * Set the error record; returns code. message is printf-style, one line.
 * The hint may be NULL. Neither may contain a token. The remedy is reset
 * to HF_REMEDY_NONE: set it after with hf__error_remedy().
 */
int hf__error_set(hf_client *c, int code, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Attach HTTP context to the current error. */
void hf__error_http(hf_client *c, long status, const char *url, const char *request_id);
/* Attach the Hub's X-Error-Code (or NULL) to the current error. */
void hf__error_hub_code(hf_client *c, const char *hub_code);
/* Say what the user can do about the current error. */
void hf__error_remedy(hf_client *c, hf_remedy remedy);
void hf__error_errno(hf_client *c, int os_errno);

/* The credential scope of the Hub: token (may be NULL) for the endpoint's origin only. */
hf__scope hf__hub_scope(const hf_client *c, const char *token);

/* The calling thread's connection (the client is used by one thread at a time). */
hf__conn *hf__client_conn(hf_client *c);

/*
 * One request on the client's connection under the retry policy of cls
 * (retry.h). Returns like hf__http_perform(); when no server answered, the
 * client's error record says why (with a hint). rs is the caller's to
 * dispose.
 */
int hf__client_send(hf_client *c, const hf__request *rq, hf__response *rs, hf__retry_class cls);
/* The same under a policy the caller set up (hf__retry_init, then adjust). */
int hf__client_send_with(hf_client *c, const hf__request *rq, hf__response *rs, hf__retry *policy);

#endif

#include "hub_error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util.h"

void hf__invalid_token_hint(char *buf, size_t size, hf_token_source source, const char *endpoint)
{
	const char *var = NULL;

	switch (source) {
	case HF_TOKEN_SOURCE_HF_TOKEN:
	case HF_TOKEN_SOURCE_HUGGING_FACE_HUB_TOKEN:
	case HF_TOKEN_SOURCE_HUGGINGFACE_TOKEN:
		var = hf_token_source_name(source);
		snprintf(buf, size,
			 "the token from the %s environment variable is wrong or expired, and it "
			 "takes precedence over 'hf auth login': unset %s or replace it with a new "
			 "token from %s/settings/tokens", var, var, endpoint);
		break;
	case HF_TOKEN_SOURCE_FILE:
		snprintf(buf, size,
			 "the saved token is wrong, expired or lacks permission: generate a new one at "
			 "%s/settings/tokens (\"Read\" is enough to download), then run "
			 "'hf auth login --force'", endpoint);
		break;
	case HF_TOKEN_SOURCE_EXPLICIT:
		snprintf(buf, size,
			 "the token given explicitly is wrong, expired or lacks permission: generate a "
			 "new one at %s/settings/tokens (\"Read\" is enough to download)", endpoint);
		break;
	case HF_TOKEN_SOURCE_NONE:
	default:
		snprintf(buf, size, "log in with 'hf auth login' or set HF_TOKEN (tokens: %s/settings/tokens)",
			 endpoint);
	}
}

/*
 * The server's own words: X-Error-Message, else the JSON "error" string,
 * made one printable line (a hostile server's "\n" or escape sequences
 * must not reach the terminal the message is printed on).
 */
static char *server_text(const hf__xfer *r)
{
	json_t *root, *err;
	char *out = NULL;

	if (r->error_message && *r->error_message)
		return hf__one_line(strdup(r->error_message));
	if (!r->body.data || !r->body.len)
		return NULL;
	root = json_loadb(r->body.data, r->body.len, JSON_DECODE_ANY, NULL);
	if (!root)
		return NULL;
	err = json_is_object(root) ? json_object_get(root, "error") : NULL;
	if (json_is_string(err))
		out = strdup(json_string_value(err));
	json_decref(root);
	return hf__one_line(out);
}

int hf__hub_error(hf_client *c, const hf__xfer *r, const char *url,
		  hf_token_source source)
{
	char *text = server_text(r);
	char hint[512];
	const char *said = text ? text : "";
	const char *sep = text ? ": " : "";
	int rc;

	hf__invalid_token_hint(hint, sizeof(hint), source, c->cfg.endpoint);
	if (r->status == 401 && source != HF_TOKEN_SOURCE_NONE &&
	    (!r->error_message || strcmp(r->error_message, "Invalid credentials in Authorization header") == 0))
		rc = hf__error_set(c, HF_EAUTH, hint,
				   "invalid token (from %s): the Hub answered 401 Unauthorized",
				   hf_token_source_name(source));
	else if (r->status == 401)
		rc = hf__error_set(c, HF_EAUTH, hint,
				   "authentication required (401)%s%s", sep, said);
	else if (r->status == 403)
		rc = hf__error_set(c, HF_EFORBIDDEN,
				   "make sure your token has the permissions this needs",
				   "access denied (403)%s%s", sep, said);
	else if (r->status == 404)
		rc = hf__error_set(c, HF_ENOTFOUND, NULL, "not found (404)%s%s", sep, said);
	else if (r->status == 429)
		rc = hf__error_set(c, HF_ERATELIMIT, "wait a few minutes and retry",
				   "rate limited by the Hub (429)%s%s", sep, said);
	else if (r->status >= 500)
		rc = hf__error_set(c, HF_ESERVER, "retry later",
				   "the Hub failed with HTTP %ld%s%s", r->status, sep, said);
	else
		rc = hf__error_set(c, HF_EPROTOCOL, NULL, "unexpected HTTP %ld%s%s",
				   r->status, sep, said);
	hf__error_http(c, r->status, url, r->request_id);
	free(text);
	return rc;
}

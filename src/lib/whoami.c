/* GET /api/whoami-v2: who a token belongs to (docs/internals/tokens.md). */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "client_int.h"
#include "http.h"
#include "hub_error.h"
#include "util.h"

static char *dup_str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? hf__strdup(json_string_value(v)) : NULL;
}

static int parse_whoami(const char *body, size_t len, hf_whoami **out)
{
	json_t *root, *orgs, *auth, *at, *fg;
	hf_whoami *w;
	size_t i, n;
	int rc = HF_EPROTOCOL;

	root = json_loadb(body, len, 0, NULL);
	if (!json_is_object(root) || !json_is_string(json_object_get(root, "name"))) {
		json_decref(root);
		return HF_EPROTOCOL;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		json_decref(root);
		return HF_ENOMEM;
	}
	w->can_read_gated = -1;
	w->name = dup_str(root, "name");
	w->type = dup_str(root, "type");
	w->fullname = dup_str(root, "fullname");
	w->email = dup_str(root, "email");
	orgs = json_object_get(root, "orgs");
	n = json_is_array(orgs) ? json_array_size(orgs) : 0;
	if (n && !(w->orgs.items = calloc(n, sizeof(char *))))
		goto fail;
	for (i = 0; i < n; i++) {
		char *name = dup_str(json_array_get(orgs, i), "name");

		if (name)
			w->orgs.items[w->orgs.count++] = name;
	}
	auth = json_object_get(root, "auth");
	at = json_is_object(auth) ? json_object_get(auth, "accessToken") : NULL;
	if (json_is_object(at)) {
		w->token_role = dup_str(at, "role");
		w->token_name = dup_str(at, "displayName");
		fg = json_object_get(at, "fineGrained");
		if (json_is_object(fg) && json_is_boolean(json_object_get(fg, "canReadGatedRepos")))
			w->can_read_gated = json_is_true(json_object_get(fg, "canReadGatedRepos"));
	}
	if (!w->name)
		goto fail;
	json_decref(root);
	*out = w;
	return HF_OK;
fail:
	rc = HF_ENOMEM;
	json_decref(root);
	hf_whoami_free(w);
	return rc;
}

int hf_whoami_get(hf_whoami **out, hf_client *c, const char *token)
{
	hf__request rq = { 0 };
	hf__response rs = HF__RESPONSE_INIT;
	hf_token_source source = HF_TOKEN_SOURCE_EXPLICIT;
	hf__hub_subject subject;
	char *tok = NULL, *url = NULL;
	int rc;

	if (!c || !out)
		return HF_EINVAL;
	*out = NULL;
	hf__error_clear(c);
	rc = hf_token_resolve(&tok, &source, c, token);
	if (rc)
		return rc;
	if (!tok) {
		hf__error_set(c, HF_ENOTOKEN, "log in, or set HF_TOKEN", "not logged in: no token found");
		hf__error_remedy(c, HF_REMEDY_LOGIN);
		return HF_ENOTOKEN;
	}
	url = hf__strcat2(c->endpoint, "/api/whoami-v2");
	if (!url) {
		rc = hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
		goto done;
	}
	rq.url = url;
	rq.scope = hf__hub_scope(c, tok);
	rq.connect_timeout_s = c->cfg.download_timeout;
	rq.stall_timeout_s = c->cfg.download_timeout;
	/* One attempt: the whoami endpoint is strictly rate limited. */
	rc = hf__client_send(c, &rq, &rs, HF__RETRY_ONCE);
	if (rc)
		goto done;
	if (rs.status != 200) {
		subject = hf__hub_subject_plain(c, 1, source);
		rc = hf__hub_error(c, &subject, &rs, url);
		if (rs.status == 429) {
			hf__error_set(c, HF_ERATELIMIT, "wait a few minutes before asking again",
				      "the Hub's whoami endpoint is strictly rate limited (429)");
			hf__error_remedy(c, HF_REMEDY_RETRY_LATER);
		}
		goto done;
	}
	rc = parse_whoami(rs.body.data, rs.body.len, out);
	if (rc == HF_EPROTOCOL)
		hf__error_set(c, rc, "check HF_ENDPOINT: it should be a Hugging Face Hub",
			      "unexpected reply from '%s': not a whoami record", url);
	else if (rc)
		hf__error_set(c, rc, NULL, "out of memory");
done:
	hf__response_dispose(&rs);
	hf_free_secret(tok);
	free(url);
	return rc;
}

void hf_whoami_free(hf_whoami *w)
{
	if (!w)
		return;
	free(w->type);
	free(w->name);
	free(w->fullname);
	free(w->email);
	hf_strlist_dispose(&w->orgs);
	free(w->token_role);
	free(w->token_name);
	free(w);
}

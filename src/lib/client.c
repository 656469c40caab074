/* Clients: configuration, the transport, the calling thread's connection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_int.h"
#include "config.h"
#include "parse.h"
#include "util.h"

HF__DEFINE_INIT(hf_client_options_init, hf_client_options, HF_CLIENT_OPTIONS_INIT, HF_CLIENT_OPTIONS_VERSION)

/* Move the settings' strings into the client (which frees them). */
static void adopt_settings(hf_client *c, hf__settings *s)
{
	c->cfg = s->cfg;
	c->endpoint = s->endpoint;
	c->hf_home = s->hf_home;
	c->hub_cache = s->hub_cache;
	c->assets_cache = s->assets_cache;
	c->token_path = s->token_path;
	c->stored_tokens_path = s->stored_tokens_path;
	c->ca_bundle = s->ca_bundle;
	c->ca_path = s->ca_path;
	free(s->ua_origin);
	memset(s, 0, sizeof(*s));
}

static int make_transport(hf_client *c, const hf__settings *s, const hf_client_options *opts)
{
	hf__transport_settings ts;

	memset(&ts, 0, sizeof(ts));
	ts.user_agent = opts ? opts->user_agent : NULL;
	ts.ua_origin = s->ua_origin;
	ts.ca_bundle = s->ca_bundle;
	ts.ca_path = s->ca_path;
	ts.debug = s->cfg.debug;
	ts.offline = s->cfg.offline;
	c->transport = hf__transport_new(&ts);
	return c->transport ? HF_OK : HF_ENOMEM;
}

int hf_client_new_err(hf_client **out, const hf_client_options *opts, char *errbuf, size_t errlen)
{
	char scratch[256];
	hf__settings s;
	hf_client *c;
	int rc;

	if (!out)
		return HF_EINVAL;
	*out = NULL;
	if (!errbuf || !errlen) {
		errbuf = scratch;
		errlen = sizeof(scratch);
	}
	errbuf[0] = '\0';
	if (opts && opts->version != HF_CLIENT_OPTIONS_VERSION) {
		snprintf(errbuf, errlen, "hf_client_options version %u is not supported", opts->version);
		return HF_EINVAL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return HF_ENOMEM;
	memset(&s, 0, sizeof(s));
	hf__env_init(&c->env, opts ? opts->getenv_fn : NULL, opts ? opts->getenv_payload : NULL);
	hf__error_clear(c);
	rc = hf__settings_load(&s, &c->env, opts, errbuf, errlen);
	if (!rc)
		rc = make_transport(c, &s, opts);
	adopt_settings(c, &s);
	if (!rc && opts && opts->token && *opts->token) {
		int oom = 0;

		c->explicit_token = hf__token_clean(opts->token, &oom);
		if (oom)
			rc = HF_ENOMEM;
	}
	if (rc) {
		if (rc == HF_ENOMEM && !errbuf[0])
			snprintf(errbuf, errlen, "out of memory");
		hf_client_free(c);
		return rc;
	}
	*out = c;
	return HF_OK;
}

int hf_client_new(hf_client **out, const hf_client_options *opts)
{
	return hf_client_new_err(out, opts, NULL, 0);
}

void hf_client_free(hf_client *c)
{
	if (!c)
		return;
	hf__conn_free(c->conn);
	hf__transport_free(c->transport);
	hf__error_clear(c);
	hf_free_secret(c->explicit_token);
	free(c->endpoint);
	free(c->hf_home);
	free(c->hub_cache);
	free(c->assets_cache);
	free(c->token_path);
	free(c->stored_tokens_path);
	free(c->ca_bundle);
	free(c->ca_path);
	free(c);
}

const hf_config *hf_client_config(const hf_client *c)
{
	return c ? &c->cfg : NULL;
}

hf__scope hf__hub_scope(const hf_client *c, const char *token)
{
	hf__scope s;

	s.token = token;
	s.origin = c->endpoint;
	return s;
}

hf__conn *hf__client_conn(hf_client *c)
{
	if (!c->conn)
		c->conn = hf__conn_new(c->transport);
	return c->conn;
}

/* What to do about a request that no server answered. */
static const char *transport_hint(int rc)
{
	switch (rc) {
	case HF_ETIMEOUT:
		return "check your network; HF_HUB_ETAG_TIMEOUT and HF_HUB_DOWNLOAD_TIMEOUT set the limits";
	case HF_ETLS:
		return "behind a proxy that inspects TLS, point SSL_CERT_FILE (or REQUESTS_CA_BUNDLE) "
		       "at its CA bundle";
	case HF_ENETWORK:
		return "check your internet connection, HF_ENDPOINT and any proxy settings "
		       "(HTTPS_PROXY, NO_PROXY)";
	case HF_EOFFLINE:
		return "unset HF_HUB_OFFLINE to allow network access";
	default:
		return NULL;
	}
}

int hf__client_send_with(hf_client *c, const hf__request *rq, hf__response *rs, hf__retry *policy)
{
	hf__conn *conn = NULL;
	int rc;

	if (!c->cfg.offline) {
		conn = hf__client_conn(c);
		if (!conn)
			return hf__error_set(c, HF_ENOMEM, NULL, "cannot initialise libcurl");
	}
	if (!policy->cancel)
		policy->cancel = rq->cancel;
	rc = conn ? hf__retry_send(conn, rq, rs, policy) : hf__http_offline(rq, rs);
	if (rc) {
		hf__error_set(c, rc, transport_hint(rc), "%s", rs->errmsg);
		if (rc == HF_EOFFLINE)
			hf__error_remedy(c, HF_REMEDY_GO_ONLINE);
	}
	return rc;
}

int hf__client_send(hf_client *c, const hf__request *rq, hf__response *rs, hf__retry_class cls)
{
	hf__retry policy;

	hf__retry_init(&policy, cls);
	return hf__client_send_with(c, rq, rs, &policy);
}

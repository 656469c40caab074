#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_int.h"
#include "config.h"
#include "http.h"
#include "parse.h"
#include "util.h"

static const char *default_getenv(const char *name, void *payload)
{
	(void)payload;
	return getenv(name);
}

const char *hf__getenv(const hf_client *c, const char *name)
{
	return c->getenv_fn(name, c->getenv_payload);
}

const char *hf__getenv_nonempty(const hf_client *c, const char *name)
{
	const char *v = hf__getenv(c, name);

	return v && *v ? v : NULL;
}

int hf_client_options_init(hf_client_options *opts, unsigned int version)
{
	hf_client_options def = HF_CLIENT_OPTIONS_INIT;

	if (!opts || version != HF_CLIENT_OPTIONS_VERSION)
		return HF_EINVAL;
	*opts = def;
	return HF_OK;
}

int hf_client_new_err(hf_client **out, const hf_client_options *opts, char *errbuf, size_t errlen)
{
	char scratch[256];
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
	c->getenv_fn = opts && opts->getenv_fn ? opts->getenv_fn : default_getenv;
	c->getenv_payload = opts ? opts->getenv_payload : NULL;
	hf__error_clear(c);
	rc = hf__config_load(c, opts, errbuf, errlen);
	if (!rc && opts && opts->token && *opts->token) {
		int oom = 0;

		c->explicit_token = hf__token_clean(opts->token, &oom);
		if (oom)
			rc = HF_ENOMEM;
	}
	if (!rc && opts && opts->user_agent) {
		c->user_agent = hf__strdup(opts->user_agent);
		if (!c->user_agent)
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
	hf__http_free(c);
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
	free(c->user_agent);
	free(c);
}

const hf_config *hf_client_config(const hf_client *c)
{
	return c ? &c->cfg : NULL;
}

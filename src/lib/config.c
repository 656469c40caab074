#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"
#include "parse.h"
#include "util.h"

#define HF__DEFAULT_ENDPOINT "https://huggingface.co"

static int is_name_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_';
}

char *hf__expand_path(const char *path, hf__getenv_fn lookup, void *payload)
{
	hf__buf out = HF__BUF_INIT;
	const char *p = path;
	int ok = 1;

	if (!path)
		return NULL;
	/* expandvars first, as Python's expanduser(expandvars(p)) does. */
	while (*p && ok) {
		if (*p == '$' && (p[1] == '{' || is_name_char(p[1]))) {
			const char *start = p + 1, *end;
			char *name;
			const char *value;

			if (*start == '{') {
				end = strchr(start + 1, '}');
				if (!end) {
					ok = hf__buf_puts(&out, p) == 0;
					break;
				}
				name = hf__strndup(start + 1, (size_t)(end - start - 1));
				end++;
			} else {
				end = start;
				while (is_name_char(*end))
					end++;
				name = hf__strndup(start, (size_t)(end - start));
			}
			if (!name) {
				ok = 0;
				break;
			}
			value = lookup(name, payload);
			free(name);
			if (value)
				ok = hf__buf_puts(&out, value) == 0;
			else
				ok = hf__buf_append(&out, p, (size_t)(end - p)) == 0;
			p = end;
		} else {
			ok = hf__buf_append(&out, p, 1) == 0;
			p++;
		}
	}
	if (ok && out.data && out.data[0] == '~' && (out.data[1] == '/' || out.data[1] == '\0')) {
		const char *home = lookup("HOME", payload);
		hf__buf h = HF__BUF_INIT;

		if (home && *home) {
			if (hf__buf_puts(&h, home) < 0 || hf__buf_puts(&h, out.data + 1) < 0)
				ok = 0;
			hf__buf_dispose(&out);
			out = h;
		}
	}
	if (!ok) {
		hf__buf_dispose(&out);
		return NULL;
	}
	return hf__buf_detach(&out);
}

char *hf__absolute_path(const char *path)
{
	char cwd[4096];

	if (!path)
		return NULL;
	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return hf__strdup(path);
	return hf__path_join(cwd, path);
}


/*
 * Check an endpoint, http(s)://host[:port][/path]: `url` as given (for the
 * message), `source` the variable or option it came from.
 */
static int check_endpoint(const char *url, const char *source, char *errbuf, size_t errlen)
{
	const char *host;
	size_t i;

	for (i = 0; url[i]; i++) {
		unsigned char ch = (unsigned char)url[i];

		if (ch <= 0x20 || ch == 0x7f || ch == '@') {
			/* Not echoed: a newline in it would forge a second line. */
			snprintf(errbuf, errlen,
				 "%s holds a space, control character or user name: not a usable endpoint URL",
				 source);
			return HF_EINVAL;
		}
	}
	if (hf__starts_with(url, "https://"))
		host = url + 8;
	else if (hf__starts_with(url, "http://"))
		host = url + 7;
	else
		host = NULL;
	/* A host name or address must come first: not '/', ':port' or nothing. */
	if (!host || !*host || *host == '/' || *host == ':') {
		snprintf(errbuf, errlen,
			 "%s='%.200s' is not an http:// or https:// endpoint URL with a host", source, url);
		return HF_EINVAL;
	}
	return HF_OK;
}

static int set_timeout(const hf__env *e, const char *name, long *out, char *errbuf, size_t errlen)
{
	const char *v = hf__env_get(e, name);

	if (!v || !*v) {
		*out = 10;
		return HF_OK;
	}
	if (hf__parse_timeout(v, 10, out) < 0) {
		snprintf(errbuf, errlen, "%s='%.40s' is not a whole number of seconds", name, v);
		return HF_EINVAL;
	}
	return HF_OK;
}

/* Pick the first set variable of names; returns its value and name. */
static const char *first_env(const hf__env *e, const char *const *names, const char **which)
{
	for (; *names; names++) {
		const char *v = hf__env_nonempty(e, *names);

		if (v) {
			*which = *names;
			return v;
		}
	}
	return NULL;
}

static char *expand(const hf__env *e, const char *p)
{
	return hf__expand_path(p, e->fn, e->payload);
}

int hf__settings_load(hf__settings *c, const hf__env *e, const hf_client_options *opts,
		      char *errbuf, size_t errlen)
{
	static const char *const cache_vars[] = { "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", NULL };
	static const char *const assets_vars[] = { "HF_ASSETS_CACHE", "HUGGINGFACE_ASSETS_CACHE", NULL };
	static const char *const ca_vars[] = { "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", NULL };
	hf_config *cfg = &c->cfg;
	const char *v, *which = NULL;
	char *tmp;
	int rc;

	/* Endpoint. */
	if (opts && opts->endpoint && *opts->endpoint) {
		v = opts->endpoint;
		cfg->endpoint_source = "option";
	} else if ((v = hf__env_nonempty(e, "HF_ENDPOINT"))) {
		cfg->endpoint_source = "HF_ENDPOINT";
	} else {
		v = HF__DEFAULT_ENDPOINT;
		cfg->endpoint_source = "default";
	}
	rc = check_endpoint(v, cfg->endpoint_source, errbuf, errlen);
	if (rc)
		return rc;
	c->endpoint = hf__strdup(v);
	if (!c->endpoint)
		return HF_ENOMEM;
	while (strlen(c->endpoint) > 0 && c->endpoint[strlen(c->endpoint) - 1] == '/')
		c->endpoint[strlen(c->endpoint) - 1] = '\0';
	rc = check_endpoint(c->endpoint, cfg->endpoint_source, errbuf, errlen);
	if (rc)
		return rc;

	/* HF_HOME: option > $HF_HOME > $XDG_CACHE_HOME/huggingface > ~/.cache/huggingface. */
	if (opts && opts->hf_home && *opts->hf_home) {
		c->hf_home = expand(e, opts->hf_home);
		cfg->hf_home_source = "option";
	} else if ((v = hf__env_nonempty(e, "HF_HOME"))) {
		c->hf_home = expand(e, v);
		cfg->hf_home_source = "HF_HOME";
	} else if ((v = hf__env_get(e, "XDG_CACHE_HOME"))) {
		/* An empty XDG_CACHE_HOME gives a relative "huggingface", as upstream. */
		tmp = *v ? hf__path_join(v, "huggingface") : hf__strdup("huggingface");
		c->hf_home = tmp ? expand(e, tmp) : NULL;
		free(tmp);
		cfg->hf_home_source = "XDG_CACHE_HOME";
	} else {
		c->hf_home = expand(e, "~/.cache/huggingface");
		cfg->hf_home_source = "default";
	}
	if (!c->hf_home)
		return HF_ENOMEM;

	/* Hub cache, made absolute. */
	if (opts && opts->cache_dir && *opts->cache_dir) {
		tmp = expand(e, opts->cache_dir);
		cfg->hub_cache_source = "option";
	} else if ((v = first_env(e, cache_vars, &which))) {
		tmp = expand(e, v);
		cfg->hub_cache_source = which;
	} else {
		tmp = hf__path_join(c->hf_home, "hub");
		cfg->hub_cache_source = strcmp(cfg->hf_home_source, "default") ? cfg->hf_home_source : "default";
	}
	c->hub_cache = hf__absolute_path(tmp);
	free(tmp);

	if ((v = first_env(e, assets_vars, &which)))
		tmp = expand(e, v);
	else
		tmp = hf__path_join(c->hf_home, "assets");
	c->assets_cache = hf__absolute_path(tmp);
	free(tmp);

	/* Token file; stored_tokens always sits beside it. */
	if (opts && opts->token_path && *opts->token_path) {
		c->token_path = expand(e, opts->token_path);
		cfg->token_path_source = "option";
	} else if ((v = hf__env_nonempty(e, "HF_TOKEN_PATH"))) {
		c->token_path = expand(e, v);
		cfg->token_path_source = "HF_TOKEN_PATH";
	} else {
		c->token_path = hf__path_join(c->hf_home, "token");
		cfg->token_path_source = cfg->hf_home_source;
	}
	if (!c->hub_cache || !c->assets_cache || !c->token_path)
		return HF_ENOMEM;
	tmp = hf__dirname(c->token_path);
	c->stored_tokens_path = tmp ? hf__path_join(tmp, "stored_tokens") : NULL;
	free(tmp);
	if (!c->stored_tokens_path)
		return HF_ENOMEM;

	/* TLS trust: a named bundle, else the system's. */
	if ((v = first_env(e, ca_vars, &which))) {
		c->ca_bundle = expand(e, v);
		cfg->ca_bundle_source = which;
		if (!c->ca_bundle)
			return HF_ENOMEM;
	}
	if ((v = hf__env_nonempty(e, "SSL_CERT_DIR"))) {
		c->ca_path = expand(e, v);
		if (!c->ca_path)
			return HF_ENOMEM;
	}

	cfg->offline = hf__parse_bool(hf__env_get(e, "HF_HUB_OFFLINE")) ||
		       hf__parse_bool(hf__env_get(e, "TRANSFORMERS_OFFLINE"));
	cfg->disable_implicit_token = hf__parse_bool(hf__env_get(e, "HF_HUB_DISABLE_IMPLICIT_TOKEN"));
	cfg->disable_telemetry = hf__parse_bool(hf__env_get(e, "HF_HUB_DISABLE_TELEMETRY")) ||
				 hf__parse_bool(hf__env_get(e, "DISABLE_TELEMETRY")) ||
				 hf__parse_bool(hf__env_get(e, "DO_NOT_TRACK"));
	v = hf__env_get(e, "HF_HUB_DISABLE_PROGRESS_BARS");
	cfg->disable_progress_bars = v ? hf__parse_bool(v) : -1;
	cfg->no_color = hf__env_nonempty(e, "NO_COLOR") != NULL;
	cfg->debug = hf__parse_bool(hf__env_get(e, "HF_DEBUG"));
	rc = set_timeout(e, "HF_HUB_ETAG_TIMEOUT", &cfg->etag_timeout, errbuf, errlen);
	if (!rc)
		rc = set_timeout(e, "HF_HUB_DOWNLOAD_TIMEOUT", &cfg->download_timeout, errbuf, errlen);
	if (rc)
		return rc;

	cfg->endpoint = c->endpoint;
	cfg->hf_home = c->hf_home;
	cfg->hub_cache = c->hub_cache;
	cfg->assets_cache = c->assets_cache;
	cfg->token_path = c->token_path;
	cfg->stored_tokens_path = c->stored_tokens_path;
	cfg->ca_bundle = c->ca_bundle;
	cfg->ca_path = c->ca_path;
	if ((v = hf__env_nonempty(e, "HF_HUB_USER_AGENT_ORIGIN"))) {
		c->ua_origin = hf__strdup(v);
		if (!c->ua_origin)
			return HF_ENOMEM;
	}
	return HF_OK;
}

void hf__settings_dispose(hf__settings *s)
{
	free(s->endpoint);
	free(s->hf_home);
	free(s->hub_cache);
	free(s->assets_cache);
	free(s->token_path);
	free(s->stored_tokens_path);
	free(s->ca_bundle);
	free(s->ca_path);
	free(s->ua_origin);
	memset(s, 0, sizeof(*s));
}

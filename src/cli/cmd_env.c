/* hf env: everything that decides where files go and which token is used. */
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cli.h"

typedef struct kv {
	const char *key;
	char *value; /* heap */
} kv;

#define ENV_MAX_ROWS 40

/* "<value> (from <source>)" */
static char *with_source(const char *value, const char *source)
{
	size_t n = strlen(value) + strlen(source) + 9;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s (from %s)", value, source);
	return s;
}

static char *dup_or_none(const char *s)
{
	return s ? strdup(s) : strdup("None");
}

static char *py_bool(int v)
{
	return strdup(v ? "True" : "False");
}

/* A proxy URL may carry a password: show it without user information. */
static char *proxy_value(const char *name)
{
	const char *v = getenv(name);
	const char *at, *scheme;
	size_t plen = 0, n;
	char *s;

	if (!v || !*v)
		return strdup("None");
	at = strrchr(v, '@');
	if (!at)
		return strdup(v);
	scheme = strstr(v, "://");
	if (scheme && scheme < at)
		plen = (size_t)(scheme + 3 - v);
	n = plen + 4 + strlen(at) + 1;
	s = malloc(n);
	if (s)
		snprintf(s, n, "%.*s****%s", (int)plen, v, at);
	return s;
}

int cmd_env(int argc, char **argv)
{
	const char *format = NULL;
	int json = 0, npos, rc, exit_code = 0;
	char **pos;
	cli_format out_fmt;
	hf_client *client = NULL;
	const hf_config *cfg;
	hf_token_candidate *cands = NULL;
	size_t ncands = 0, i, n = 0;
	hf_strlist helpers = { NULL, 0 };
	struct utsname un;
	kv rows[ENV_MAX_ROWS];
	char ts[32], hs[32];
	const cli_opt opts[] = {
		{ "format", 0, CLI_OPT_STRING, &format, "FORMAT", "Output format: human or json.", 0 },
		{ "json", 0, CLI_OPT_BOOL, &json, NULL, "Same as --format json.", 0 },
		CLI_OPT_END
	};
	const cli_command cmd = {
		"hf env", "[OPTIONS]",
		"Print the version, endpoint, paths, settings and token source (masked).",
		"Nothing is sent over the network. Paths show which variable chose them.",
		opts, 0, 0
	};

	rc = cli_parse(&cmd, argc, argv, &pos, &npos);
	if (rc)
		return rc > 0 ? 0 : CLI_EXIT_USAGE;
	free(pos);
	if (cli_format_resolve(format, json, 0, &out_fmt) < 0)
		return CLI_EXIT_USAGE;
	if (cli_client(&client, NULL, &exit_code))
		return exit_code;
	cfg = hf_client_config(client);
	if (hf_token_candidates(&cands, &ncands, client, NULL) != HF_OK)
		ncands = 0;
	hf_git_credential_helpers(&helpers, client);

#define ROW(k, v) do { rows[n].key = (k); rows[n].value = (v); n++; } while (0)
	ROW("hf version", dup_or_none(hf_version()));
	if (uname(&un) == 0) {
		char plat[512];

		snprintf(plat, sizeof(plat), "%s-%s-%s", un.sysname, un.release, un.machine);
		ROW("Platform", dup_or_none(plat));
	}
	ROW("Token path ?", dup_or_none(cfg->token_path));
	ROW("Has saved token ?", py_bool(ncands && cands[ncands - 1].token != NULL));
	{
		const hf_token_candidate *active = NULL;

		for (i = 0; i < ncands; i++)
			if (cands[i].active)
				active = &cands[i];
		if (active) {
			char *mask = hf_token_mask(active->token);

			{
				size_t len = strlen(mask) + 32;
				char *v = malloc(len);

				if (v)
					snprintf(v, len, "%s (%s)", hf_token_source_name(active->source), mask);
				ROW("Token source", v);
			}
			hf_free(mask);
		} else {
			ROW("Token source", dup_or_none("none"));
		}
	}
	{
		char joined[512] = "";

		for (i = 0; i < helpers.count; i++) {
			if (i)
				strncat(joined, ", ", sizeof(joined) - strlen(joined) - 1);
			strncat(joined, helpers.items[i], sizeof(joined) - strlen(joined) - 1);
		}
		ROW("Configured git credential helpers", dup_or_none(joined));
	}
	ROW("ENDPOINT", with_source(cfg->endpoint, cfg->endpoint_source));
	ROW("HF_HOME", with_source(cfg->hf_home, cfg->hf_home_source));
	ROW("HF_HUB_CACHE", with_source(cfg->hub_cache, cfg->hub_cache_source));
	ROW("HF_ASSETS_CACHE", dup_or_none(cfg->assets_cache));
	ROW("HF_TOKEN_PATH", with_source(cfg->token_path, cfg->token_path_source));
	ROW("HF_STORED_TOKENS_PATH", dup_or_none(cfg->stored_tokens_path));
	ROW("HF_HUB_OFFLINE", py_bool(cfg->offline));
	ROW("HF_HUB_DISABLE_TELEMETRY", py_bool(cfg->disable_telemetry));
	ROW("HF_HUB_DISABLE_PROGRESS_BARS",
	    cfg->disable_progress_bars < 0 ? dup_or_none(NULL) : py_bool(cfg->disable_progress_bars));
	ROW("HF_HUB_DISABLE_IMPLICIT_TOKEN", py_bool(cfg->disable_implicit_token));
	snprintf(ts, sizeof(ts), "%ld", cfg->etag_timeout);
	snprintf(hs, sizeof(hs), "%ld", cfg->download_timeout);
	ROW("HF_HUB_ETAG_TIMEOUT", dup_or_none(ts));
	ROW("HF_HUB_DOWNLOAD_TIMEOUT", dup_or_none(hs));
	ROW("NO_COLOR", py_bool(cfg->no_color));
	ROW("CA bundle", cfg->ca_bundle ? with_source(cfg->ca_bundle, cfg->ca_bundle_source)
					: dup_or_none("system default"));
	ROW("SSL_CERT_DIR", dup_or_none(cfg->ca_path));
	ROW("HTTPS_PROXY", proxy_value(getenv("HTTPS_PROXY") ? "HTTPS_PROXY" : "https_proxy"));
	ROW("HTTP_PROXY", proxy_value(getenv("HTTP_PROXY") ? "HTTP_PROXY" : "http_proxy"));
	ROW("NO_PROXY", dup_or_none(getenv("NO_PROXY") ? getenv("NO_PROXY") : getenv("no_proxy")));
	ROW("Env file", dup_or_none(cli_g.env_file));
#undef ROW

	if (out_fmt == CLI_FMT_JSON) {
		fputs("{", stdout);
		for (i = 0; i < n; i++) {
			if (i)
				fputs(", ", stdout);
			cli_json_string(stdout, rows[i].key);
			fputs(": ", stdout);
			cli_json_string(stdout, rows[i].value ? rows[i].value : "");
		}
		fputs("}\n", stdout);
	} else {
		printf("\nCopy-and-paste the text below in your GitHub issue.\n\n");
		for (i = 0; i < n; i++)
			printf("- %s: %s\n", rows[i].key, rows[i].value ? rows[i].value : "");
		printf("\n");
	}
	for (i = 0; i < n; i++)
		free(rows[i].value);
	hf_strlist_dispose(&helpers);
	hf_token_candidates_free(cands, ncands);
	hf_client_free(client);
	return 0;
}

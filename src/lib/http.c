#include "http.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/rand.h>

#include "parse.h"
#include "util.h"

/* curl_global_init is done once, and only when a request needs it. */
static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct hf__conn {
	CURL *easy; /* kept between requests for connection reuse */
};

typedef struct http_state {
	hf__conn *conn; /* the calling thread's connection */
	char *ua;
} http_state;

hf__conn *hf__conn_new(hf_client *c)
{
	hf__conn *conn;

	(void)hf__http_user_agent(c); /* computed here, before any worker thread */
	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK)
		return NULL;
	conn = calloc(1, sizeof(*conn));
	if (!conn)
		return NULL;
	conn->easy = curl_easy_init();
	if (!conn->easy) {
		free(conn);
		return NULL;
	}
	return conn;
}

void hf__conn_free(hf__conn *conn)
{
	if (!conn)
		return;
	curl_easy_cleanup(conn->easy);
	free(conn);
}

static http_state *state_get(hf_client *c)
{
	http_state *st = c->http;

	if (st)
		return st;
	st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	c->http = st;
	return st;
}

void hf__http_free(hf_client *c)
{
	http_state *st = c->http;

	if (!st)
		return;
	hf__conn_free(st->conn);
	free(st->ua);
	free(st);
	c->http = NULL;
}

const char *hf__http_user_agent(hf_client *c)
{
	http_state *st = state_get(c);
	const curl_version_info_data *v;
	const char *origin;
	hf__buf b = HF__BUF_INIT;

	if (!st)
		return "libhf/" HF_VERSION;
	if (st->ua)
		return st->ua;
	v = curl_version_info(CURLVERSION_NOW);
	if (c->user_agent && *c->user_agent)
		hf__buf_printf(&b, "%s; ", c->user_agent);
	hf__buf_printf(&b, "libhf/%s; curl/%s", HF_VERSION, v ? v->version : "unknown");
	origin = hf__getenv_nonempty(c, "HF_HUB_USER_AGENT_ORIGIN");
	if (origin)
		hf__buf_printf(&b, "; origin/%s", origin);
	st->ua = hf__buf_detach(&b);
	return st->ua ? st->ua : "libhf/" HF_VERSION;
}

/* Origin = scheme, host (case-insensitive) and port, defaulted by scheme. */
static int get_origin(const char *url, char **scheme, char **host, char **port)
{
	CURLU *u = curl_url();
	int ok;

	*scheme = *host = *port = NULL;
	if (!u)
		return 0;
	ok = curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	     curl_url_get(u, CURLUPART_SCHEME, scheme, 0) == CURLUE_OK &&
	     curl_url_get(u, CURLUPART_HOST, host, 0) == CURLUE_OK &&
	     curl_url_get(u, CURLUPART_PORT, port, CURLU_DEFAULT_PORT) == CURLUE_OK;
	curl_url_cleanup(u);
	return ok;
}

int hf__same_origin(const char *a, const char *b)
{
	char *s1, *h1, *p1, *s2, *h2, *p2;
	int same = get_origin(a, &s1, &h1, &p1);

	same = get_origin(b, &s2, &h2, &p2) && same;
	same = same && strcasecmp(s1, s2) == 0 && strcasecmp(h1, h2) == 0 &&
	       strcmp(p1, p2) == 0;
	curl_free(s1);
	curl_free(h1);
	curl_free(p1);
	curl_free(s2);
	curl_free(h2);
	curl_free(p2);
	return same;
}

long long hf__http_date(const char *text)
{
	time_t t = curl_getdate(text, NULL);

	return t == (time_t)-1 ? -1 : (long long)t;
}

char *hf__url_resolve(const char *base, const char *location)
{
	CURLU *u = curl_url();
	char *out = NULL, *scheme = NULL, *user = NULL, *result = NULL;

	if (!u)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, location, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0) &&
	    /* user information in a redirect is refused (reliability.md b8) */
	    curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_NO_USER &&
	    curl_url_get(u, CURLUPART_URL, &out, 0) == CURLUE_OK)
		result = hf__strdup(out);
	curl_free(out);
	curl_free(scheme);
	curl_free(user);
	curl_url_cleanup(u);
	return result;
}

typedef struct perform_ctx {
	hf__xfer *x;
	int in_2xx;
	int overflow;
	int body_seen;       /* a body byte arrived: the headers are complete */
	size_t header_bytes; /* bytes of header lines received */
} perform_ctx;

/*
 * No real reply has this much in its headers. libcurl refuses a header
 * line over 100 KB (reported as "out of memory") and 300 KB of headers in
 * all (a receive error): both mean a hostile or broken server, not an
 * out-of-memory client or a network problem.
 */
#define HEADERS_TOO_LARGE ((size_t)200 << 10)

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	perform_ctx *ctx = userdata;
	hf__xfer *x = ctx->x;
	size_t n = size * nmemb;

	ctx->body_seen = 1;
	if (ctx->in_2xx && x->sink) {
		if (x->sink(ptr, n, x->sink_payload) != n) {
			x->sink_aborted = 1;
			return 0;
		}
		return n;
	}
	if (hf__buf_append(&x->body, ptr, n) < 0) {
		if (ctx->in_2xx) {
			ctx->overflow = 1;
			return 0;
		}
		/* Error bodies are only for messages: keep what fits. */
	}
	return n;
}

static char *header_value(const char *line, size_t len, const char *name)
{
	size_t nlen = strlen(name);
	const char *v, *end = line + len;

	if (len <= nlen || strncasecmp(line, name, nlen) != 0 || line[nlen] != ':')
		return NULL;
	v = line + nlen + 1;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	return hf__strndup(v, (size_t)(end - v));
}

static void keep_header(char **slot, const char *line, size_t len, const char *name)
{
	char *v = header_value(line, len, name);

	if (v) {
		free(*slot);
		*slot = v;
	}
}

static void clear_headers(hf__xfer *x)
{
	char **slots[] = { &x->location, &x->content_range, &x->content_encoding, &x->etag,
			   &x->linked_etag, &x->linked_size, &x->repo_commit, &x->error_code,
			   &x->error_message, &x->request_id, &x->retry_after, &x->link,
			   &x->ratelimit };
	size_t i;

	for (i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
		free(*slots[i]);
		*slots[i] = NULL;
	}
	x->content_length = -1;
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *userdata)
{
	perform_ctx *ctx = userdata;
	hf__xfer *x = ctx->x;
	size_t len = size * nmemb;
	char *cl;

	ctx->header_bytes += len;
	if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
		/* A new response (after 1xx): forget the previous headers. */
		const char *sp = memchr(line, ' ', len);
		long status = sp ? strtol(sp + 1, NULL, 10) : 0;

		clear_headers(x);
		/* Known before the body arrives, so a sink can check it. */
		x->status = status;
		ctx->in_2xx = status >= 200 && status < 300;
		return len;
	}
	keep_header(&x->location, line, len, "Location");
	keep_header(&x->content_range, line, len, "Content-Range");
	keep_header(&x->content_encoding, line, len, "Content-Encoding");
	keep_header(&x->etag, line, len, "ETag");
	keep_header(&x->linked_etag, line, len, "X-Linked-Etag");
	keep_header(&x->linked_size, line, len, "X-Linked-Size");
	keep_header(&x->repo_commit, line, len, "X-Repo-Commit");
	keep_header(&x->error_code, line, len, "X-Error-Code");
	keep_header(&x->error_message, line, len, "X-Error-Message");
	/* Printed in error messages: one line, no escape sequence from the server. */
	hf__one_line(x->error_message);
	keep_header(&x->retry_after, line, len, "Retry-After");
	keep_header(&x->link, line, len, "Link");
	keep_header(&x->ratelimit, line, len, "RateLimit");
	keep_header(&x->request_id, line, len, "X-Request-Id");
	cl = header_value(line, len, "Content-Length");
	if (cl) {
		unsigned long long v;

		x->content_length = hf__parse_u64(cl, strlen(cl), &v) == 0 ? (int64_t)v : -1;
		free(cl);
	}
	return len;
}

static void new_trace_id(char out[37])
{
	unsigned char b[16];
	static const char hex[] = "0123456789abcdef";
	int i, j = 0;

	if (RAND_bytes(b, sizeof(b)) != 1)
		memset(b, 0, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[j++] = '-';
		out[j++] = hex[b[i] >> 4];
		out[j++] = hex[b[i] & 15];
	}
	out[j] = '\0';
}

/* Strip the query (signatures) from a URL for messages. */
static void url_for_message(const char *url, char *out, size_t size)
{
	size_t n = strcspn(url, "?#");

	snprintf(out, size, "%.*s", (int)(n > 160 ? 160 : n), url);
}

static int map_curl_error(hf__xfer *x, CURLcode cc, const char *detail)
{
	const char *msg = detail && *detail ? detail : curl_easy_strerror(cc);
	char url[192];

	url_for_message(x->url, url, sizeof(url));
	switch (cc) {
	case CURLE_OPERATION_TIMEDOUT:
		snprintf(x->errmsg, sizeof(x->errmsg), "timed out talking to '%s': %s", url, msg);
		return HF_ETIMEOUT;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
		snprintf(x->errmsg, sizeof(x->errmsg), "TLS failure with '%s': %s", url, msg);
		return HF_ETLS;
	case CURLE_OUT_OF_MEMORY:
		snprintf(x->errmsg, sizeof(x->errmsg), "out of memory");
		return HF_ENOMEM;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		snprintf(x->errmsg, sizeof(x->errmsg), "malformed URL '%s': %s", url, msg);
		return HF_EINVAL;
	default:
		snprintf(x->errmsg, sizeof(x->errmsg), "cannot reach '%s': %s", url, msg);
		return HF_ENETWORK;
	}
}

static const char *hint_for(int rc)
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
	default:
		return NULL;
	}
}

int hf__xfer_perform(hf_client *c, hf__conn *conn, hf__xfer *x)
{
	char errbuf[CURL_ERROR_SIZE];
	char trace[64], id[37], range[96];
	struct curl_slist *headers = NULL, *tmp;
	const char *method = x->method ? x->method : "GET";
	hf__buf auth = HF__BUF_INIT;
	perform_ctx ctx;
	CURL *h = conn->easy;
	CURLcode cc;
	int rc = HF_OK;

	hf__xfer_clear(x);
	x->errmsg[0] = '\0';
	errbuf[0] = '\0';
	curl_easy_reset(h);
	x->body.max = x->max_body ? x->max_body : (size_t)8 << 20;
	memset(&ctx, 0, sizeof(ctx));
	ctx.x = x;

	curl_easy_setopt(h, CURLOPT_URL, x->url);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_USERAGENT, hf__http_user_agent(c));
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &ctx);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &ctx);
	/* Large reads: fewer, bigger writes to disk. */
	curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 256L * 1024L); /* x8 workers: RSS */
	if (!x->identity)
		curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	if (x->connect_timeout_s > 0)
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, x->connect_timeout_s);
	if (x->stall_timeout_s > 0) {
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, x->stall_timeout_s);
	}
	if (c->ca_bundle)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_bundle);
	if (c->ca_path)
		curl_easy_setopt(h, CURLOPT_CAPATH, c->ca_path);
	if (strcmp(method, "HEAD") == 0) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, x->body_in ? x->body_in : "");
	} else if (strcmp(method, "GET") != 0) {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	}
	if (x->range) {
		snprintf(range, sizeof(range), "Range: bytes=%s", x->range);
		tmp = curl_slist_append(headers, range);
		if (tmp)
			headers = tmp;
	}
	if (x->identity) {
		tmp = curl_slist_append(headers, "Accept-Encoding: identity");
		if (tmp)
			headers = tmp;
	}
	new_trace_id(id);
	snprintf(trace, sizeof(trace), "X-Amzn-Trace-Id: %s", id);
	tmp = curl_slist_append(headers, trace);
	if (tmp)
		headers = tmp;
	if (x->token && *x->token) {
		if (!hf__token_is_safe(x->token)) {
			snprintf(x->errmsg, sizeof(x->errmsg),
				 "refusing to send a token that holds control characters");
			rc = HF_EINVAL;
			goto done;
		}
		/* The token goes only to the endpoint's own origin. */
		if (hf__same_origin(x->url, c->endpoint)) {
			if (hf__buf_printf(&auth, "Authorization: Bearer %s", x->token) < 0) {
				snprintf(x->errmsg, sizeof(x->errmsg), "out of memory");
				rc = HF_ENOMEM;
				goto done;
			}
			tmp = curl_slist_append(headers, auth.data);
			if (tmp)
				headers = tmp;
		}
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);

	if (c->cfg.debug) {
		char shown[192];

		/* HF_DEBUG: requests on stderr; never a token, never a signed query. */
		url_for_message(x->url, shown, sizeof(shown));
		fprintf(stderr, "[hf] %s %s%s%s%s\n", method, shown, strchr(x->url, '?') ? "?..." : "",
			x->range ? " range=" : "", x->range ? x->range : "");
		if (auth.data)
			fprintf(stderr, "[hf]   authorization: Bearer <redacted>\n");
	}
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &x->status);
	if (c->cfg.debug)
		fprintf(stderr, "[hf]   -> %ld%s%s\n", x->status, cc != CURLE_OK ? " " : "",
			cc != CURLE_OK ? curl_easy_strerror(cc) : "");
	if (x->sink_aborted) {
		snprintf(x->errmsg, sizeof(x->errmsg), "transfer aborted");
		rc = HF_ECANCELLED;
	} else if (ctx.overflow) {
		snprintf(x->errmsg, sizeof(x->errmsg), "reply larger than %zu bytes", x->body.max);
		rc = HF_EPROTOCOL;
	} else if (cc != CURLE_OK && !ctx.body_seen &&
		   (cc == CURLE_OUT_OF_MEMORY || ctx.header_bytes >= HEADERS_TOO_LARGE)) {
		char url[192];

		url_for_message(x->url, url, sizeof(url));
		/* A long curl message is cut to fit errmsg (the value keeps gcc -O0 quiet). */
		if (snprintf(x->errmsg, sizeof(x->errmsg), "the reply from '%s' has oversized headers (%s)",
			     url, *errbuf ? errbuf : curl_easy_strerror(cc)) < 0)
			x->errmsg[0] = '\0';
		rc = HF_EPROTOCOL;
	} else if (cc != CURLE_OK) {
		rc = map_curl_error(x, cc, errbuf);
	} else if (!x->body.data) {
		hf__buf_puts(&x->body, "");
	}
done:
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
	if (headers) {
		/* The Authorization line is in the list: wipe it before freeing. */
		for (tmp = headers; tmp; tmp = tmp->next)
			hf__wipe(tmp->data, strlen(tmp->data));
		curl_slist_free_all(headers);
	}
	hf__buf_wipe(&auth);
	return rc;
}

void hf__xfer_clear(hf__xfer *x)
{
	clear_headers(x);
	hf__buf_dispose(&x->body);
	x->status = 0;
	x->sink_aborted = 0;
}

int hf__request(hf_client *c, hf__xfer *x)
{
	http_state *st;
	int rc;

	if (c->cfg.offline) {
		char url[192];

		url_for_message(x->url, url, sizeof(url));
		return hf__error_set(c, HF_EOFFLINE, "unset HF_HUB_OFFLINE to allow network access",
				     "cannot reach '%s': offline mode is enabled", url);
	}
	st = state_get(c);
	if (st && !st->conn)
		st->conn = hf__conn_new(c);
	if (!st || !st->conn)
		return hf__error_set(c, HF_ENOMEM, NULL, "cannot initialise libcurl");
	rc = hf__xfer_perform(c, st->conn, x);
	if (rc)
		hf__error_set(c, rc, hint_for(rc), "%s", x->errmsg);
	return rc;
}

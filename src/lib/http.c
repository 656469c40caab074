#include "http.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

typedef struct http_state {
	CURL *easy;   /* kept for connection reuse */
	char *ua;
} http_state;

static http_state *state_get(hf_client *c)
{
	http_state *st = c->http;

	if (st)
		return st;
	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK)
		return NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	st->easy = curl_easy_init();
	if (!st->easy) {
		free(st);
		return NULL;
	}
	c->http = st;
	return st;
}

void hf__http_free(hf_client *c)
{
	http_state *st = c->http;

	if (!st)
		return;
	curl_easy_cleanup(st->easy);
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

typedef struct body_sink {
	hf__buf *buf;
	int overflow;
} body_sink;

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	body_sink *sink = userdata;
	size_t n = size * nmemb;

	if (hf__buf_append(sink->buf, ptr, n) < 0) {
		sink->overflow = 1;
		return 0;
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

static size_t on_header(char *line, size_t size, size_t nmemb, void *userdata)
{
	hf__http_response *r = userdata;
	size_t len = size * nmemb;

	if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
		/* A new response (after 1xx): forget the previous headers. */
		free(r->location);
		free(r->error_code);
		free(r->error_message);
		r->location = r->error_code = r->error_message = NULL;
		return len;
	}
	keep_header(&r->location, line, len, "Location");
	keep_header(&r->error_code, line, len, "X-Error-Code");
	keep_header(&r->error_message, line, len, "X-Error-Message");
	keep_header(&r->content_type, line, len, "Content-Type");
	if (!r->request_id)
		keep_header(&r->request_id, line, len, "X-Request-Id");
	keep_header(&r->request_id, line, len, "x-request-id");
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

static int map_curl_error(hf_client *c, CURLcode cc, const char *url, const char *detail)
{
	const char *msg = detail && *detail ? detail : curl_easy_strerror(cc);

	switch (cc) {
	case CURLE_OPERATION_TIMEDOUT:
		return hf__error_set(c, HF_ETIMEOUT,
				     "check your network; HF_HUB_ETAG_TIMEOUT and HF_HUB_DOWNLOAD_TIMEOUT set the limits",
				     "timed out talking to '%s': %s", url, msg);
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
		return hf__error_set(c, HF_ETLS,
				     "behind a proxy that inspects TLS, point SSL_CERT_FILE (or REQUESTS_CA_BUNDLE) at its CA bundle",
				     "TLS failure with '%s': %s", url, msg);
	case CURLE_OUT_OF_MEMORY:
		return hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return hf__error_set(c, HF_EINVAL, NULL, "malformed URL '%s': %s", url, msg);
	default:
		return hf__error_set(c, HF_ENETWORK,
				     "check your internet connection, HF_ENDPOINT and any proxy settings (HTTPS_PROXY, NO_PROXY)",
				     "cannot reach '%s': %s", url, msg);
	}
}

int hf__http_perform(hf_client *c, const hf__http_request *req, hf__http_response *resp)
{
	char errbuf[CURL_ERROR_SIZE];
	char trace[64], id[37];
	struct curl_slist *headers = NULL, *tmp;
	const char *method = req->method ? req->method : "GET";
	hf__buf auth = HF__BUF_INIT;
	body_sink sink;
	http_state *st;
	CURL *h;
	CURLcode cc;
	int rc = HF_OK;
	size_t i;

	resp->status = 0;
	if (c->cfg.offline)
		return hf__error_set(c, HF_EOFFLINE, "unset HF_HUB_OFFLINE to allow network access",
				     "cannot reach '%s': offline mode is enabled", req->url);
	st = state_get(c);
	if (!st)
		return hf__error_set(c, HF_ENOMEM, NULL, "cannot initialise libcurl");
	h = st->easy;
	curl_easy_reset(h);
	errbuf[0] = '\0';
	resp->body.max = req->max_body ? req->max_body : (size_t)8 << 20;
	sink.buf = &resp->body;
	sink.overflow = 0;

	curl_easy_setopt(h, CURLOPT_URL, req->url);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_USERAGENT, hf__http_user_agent(c));
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, resp);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	if (req->timeout_s > 0) {
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, req->timeout_s);
		/* A stall longer than the timeout ends the transfer. */
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, req->timeout_s);
	}
	if (c->ca_bundle)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_bundle);
	if (c->ca_path)
		curl_easy_setopt(h, CURLOPT_CAPATH, c->ca_path);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? req->body : "");
	} else if (strcmp(method, "GET") != 0)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);

	new_trace_id(id);
	snprintf(trace, sizeof(trace), "X-Amzn-Trace-Id: %s", id);
	tmp = curl_slist_append(headers, trace);
	if (tmp)
		headers = tmp;
	for (i = 0; req->headers && req->headers[i]; i++) {
		tmp = curl_slist_append(headers, req->headers[i]);
		if (tmp)
			headers = tmp;
	}
	if (req->token && *req->token) {
		if (!hf__token_is_safe(req->token)) {
			rc = hf__error_set(c, HF_EINVAL, "check the token for stray control characters",
					   "refusing to send a token that holds control characters");
			goto done;
		}
		/* The token goes only to the endpoint's own origin. */
		if (hf__same_origin(req->url, c->endpoint)) {
			if (hf__buf_printf(&auth, "Authorization: Bearer %s", req->token) < 0) {
				rc = hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
				goto done;
			}
			tmp = curl_slist_append(headers, auth.data);
			if (tmp)
				headers = tmp;
		}
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);

	cc = curl_easy_perform(h);
	if (cc != CURLE_OK && !(cc == CURLE_WRITE_ERROR && sink.overflow)) {
		rc = map_curl_error(c, cc, req->url, errbuf);
		goto done;
	}
	if (sink.overflow) {
		rc = hf__error_set(c, HF_EPROTOCOL, NULL, "reply from '%s' is larger than %zu bytes",
				   req->url, resp->body.max);
		goto done;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
	if (!resp->body.data)
		hf__buf_puts(&resp->body, "");
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

void hf__http_response_dispose(hf__http_response *r)
{
	hf__buf_dispose(&r->body);
	free(r->location);
	free(r->request_id);
	free(r->error_code);
	free(r->error_message);
	free(r->content_type);
	memset(r, 0, sizeof(*r));
}

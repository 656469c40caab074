/* The request layer (http.h, docs/internals/requests.md). */
#include "http.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/rand.h>

#include "hf/errors.h"
#include "hf/version.h"
#include "parse.h"
#include "util.h"

/* Requests in one chain of redirects (the first included). */
#define MAX_HOPS 10
#define DEFAULT_MAX_BODY ((size_t)8 << 20)

/*
 * No real reply has this much in its headers. libcurl refuses a header
 * line over 100 KB (reported as "out of memory") and 300 KB of headers in
 * all (a receive error): both mean a hostile or broken server, not an
 * out-of-memory client or a network problem.
 */
#define HEADERS_TOO_LARGE ((size_t)200 << 10)

/* curl_global_init is done once, and only when a request needs it. */
static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct hf__transport {
	char *user_agent, *ua_origin, *ca_bundle, *ca_path;
	int debug, offline;
	pthread_mutex_t mu;
	char *ua; /* the full User-Agent, made on first use (it names libcurl's version) */
};

struct hf__conn {
	hf__transport *t;
	CURL *easy; /* kept between requests for connection reuse */
};

/* ---- transport and connections ---- */

hf__transport *hf__transport_new(const hf__transport_settings *s)
{
	hf__transport *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->user_agent = hf__strdup(s->user_agent);
	t->ua_origin = hf__strdup(s->ua_origin);
	t->ca_bundle = hf__strdup(s->ca_bundle);
	t->ca_path = hf__strdup(s->ca_path);
	t->debug = s->debug;
	t->offline = s->offline;
	pthread_mutex_init(&t->mu, NULL);
	if ((s->user_agent && !t->user_agent) || (s->ua_origin && !t->ua_origin) ||
	    (s->ca_bundle && !t->ca_bundle) || (s->ca_path && !t->ca_path)) {
		hf__transport_free(t);
		return NULL;
	}
	return t;
}

void hf__transport_free(hf__transport *t)
{
	if (!t)
		return;
	free(t->user_agent);
	free(t->ua_origin);
	free(t->ca_bundle);
	free(t->ca_path);
	free(t->ua);
	pthread_mutex_destroy(&t->mu);
	free(t);
}

const char *hf__transport_user_agent(hf__transport *t)
{
	const char *ua;

	pthread_mutex_lock(&t->mu);
	if (!t->ua) {
		const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
		hf__buf b = HF__BUF_INIT;

		if (t->user_agent && *t->user_agent)
			hf__buf_printf(&b, "%s; ", t->user_agent);
		hf__buf_printf(&b, "libhf/%s; curl/%s", HF_VERSION, v ? v->version : "unknown");
		if (t->ua_origin)
			hf__buf_printf(&b, "; origin/%s", t->ua_origin);
		t->ua = hf__buf_detach(&b);
	}
	ua = t->ua ? t->ua : "libhf/" HF_VERSION;
	pthread_mutex_unlock(&t->mu);
	return ua;
}

hf__conn *hf__conn_new(hf__transport *t)
{
	hf__conn *conn;

	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK)
		return NULL;
	(void)hf__transport_user_agent(t);
	conn = calloc(1, sizeof(*conn));
	if (!conn)
		return NULL;
	conn->t = t;
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

hf__transport *hf__conn_transport(const hf__conn *conn)
{
	return conn->t;
}

/* ---- URLs, origins and scopes ---- */

/* Origin = scheme, host (case-insensitive) and port, defaulted by scheme. */
static int get_origin(const char *url, char **scheme, char **host, char **port)
{
	CURLU *u;
	int ok;

	*scheme = *host = *port = NULL;
	if (!url || !(u = curl_url()))
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
	same = same && strcasecmp(s1, s2) == 0 && strcasecmp(h1, h2) == 0 && strcmp(p1, p2) == 0;
	curl_free(s1);
	curl_free(h1);
	curl_free(p1);
	curl_free(s2);
	curl_free(h2);
	curl_free(p2);
	return same;
}

int hf__scope_allows(const hf__scope *scope, const char *url)
{
	return scope && scope->token && *scope->token && scope->origin &&
	       hf__same_origin(url, scope->origin);
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
	    /* user information in a redirect is refused (docs/reliability-checklist.md, row 8) */
	    curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_NO_USER &&
	    curl_url_get(u, CURLUPART_URL, &out, 0) == CURLUE_OK)
		result = hf__strdup(out);
	curl_free(out);
	curl_free(scheme);
	curl_free(user);
	curl_url_cleanup(u);
	return result;
}

int hf__location_is_relative(const char *loc)
{
	const char *p = loc;

	if (!loc || (loc[0] == '/' && loc[1] == '/'))
		return 0;
	/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
	if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) {
		while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		       *p == '+' || *p == '-' || *p == '.')
			p++;
		if (*p == ':')
			return 0;
	}
	return 1;
}

void hf__url_for_message(const char *url, char *out, size_t size)
{
	size_t n = url ? strcspn(url, "?#") : 0;

	snprintf(out, size, "%.*s", (int)(n > 160 ? 160 : n), url ? url : "");
}

/* ---- responses ---- */

const char *hf__response_header(const hf__response *rs, const char *name)
{
	size_t i = rs->nheaders;

	while (i-- > 0)
		if (strcasecmp(rs->headers[i].name, name) == 0)
			return rs->headers[i].value;
	return NULL;
}

static void clear_headers(hf__response *rs)
{
	size_t i;

	for (i = 0; i < rs->nheaders; i++)
		free((char *)(uintptr_t)rs->headers[i].name); /* value lives in the same block */
	free(rs->headers);
	rs->headers = NULL;
	rs->nheaders = 0;
	rs->content_length = -1;
}

void hf__response_dispose(hf__response *rs)
{
	clear_headers(rs);
	hf__buf_dispose(&rs->body);
	free(rs->url);
	rs->url = NULL;
	rs->status = 0;
	rs->hops = 0;
	rs->sent = 0;
	rs->failure = HF__FAIL_NONE;
	rs->sink_aborted = 0;
	rs->bad_redirect = HF__REDIRECT_OK;
	rs->errmsg[0] = '\0';
}

/* ---- one exchange ---- */

typedef struct exchange {
	const hf__request *rq;
	hf__response *rs;
	int in_2xx;
	int overflow;
	int body_seen;       /* a body byte arrived: the headers are complete */
	int header_alloc;    /* an allocation failed while keeping a header */
	size_t header_bytes; /* bytes of header lines received */
	uint64_t body_pos;   /* next byte of the request body to send */
} exchange;

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	exchange *ex = userdata;
	hf__response *rs = ex->rs;
	size_t n = size * nmemb;

	ex->body_seen = 1;
	if (ex->in_2xx && ex->rq->sink) {
		if (ex->rq->sink(ptr, n, ex->rq->sink_payload) != n) {
			rs->sink_aborted = 1;
			return 0;
		}
		return n;
	}
	if (hf__buf_append(&rs->body, ptr, n) < 0) {
		if (ex->in_2xx && !ex->rq->sink) {
			ex->overflow = 1;
			return 0;
		}
		/* Error bodies are only for messages: keep what fits. */
		if (rs->body.max > rs->body.len)
			(void)hf__buf_append(&rs->body, ptr, rs->body.max - rs->body.len);
	}
	return n;
}

static int keep_header(hf__response *rs, const char *line, size_t len)
{
	const char *colon = memchr(line, ':', len), *v, *end = line + len;
	size_t nlen, vlen;
	hf__header *grown;
	char *block;

	if (!colon || colon == line)
		return 0; /* the status line's CRLF end, or not a header */
	nlen = (size_t)(colon - line);
	v = colon + 1;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	vlen = (size_t)(end - v);
	grown = realloc(rs->headers, (rs->nheaders + 1) * sizeof(*grown));
	if (!grown)
		return -1;
	rs->headers = grown;
	block = malloc(nlen + vlen + 2);
	if (!block)
		return -1;
	memcpy(block, line, nlen);
	block[nlen] = '\0';
	memcpy(block + nlen + 1, v, vlen);
	block[nlen + 1 + vlen] = '\0';
	/* Values reach messages and terminals: one printable line, no escapes. */
	hf__one_line(block + nlen + 1);
	rs->headers[rs->nheaders].name = block;
	rs->headers[rs->nheaders].value = block + nlen + 1;
	rs->nheaders++;
	if (strcasecmp(block, "Content-Length") == 0) {
		unsigned long long cl;

		rs->content_length = hf__parse_u64(v, vlen, &cl) == 0 ? (int64_t)cl : -1;
	}
	return 0;
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *userdata)
{
	exchange *ex = userdata;
	hf__response *rs = ex->rs;
	size_t len = size * nmemb;

	ex->header_bytes += len;
	if (ex->header_bytes >= HEADERS_TOO_LARGE)
		return 0;
	if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
		/* A new response (after 1xx): forget the previous headers. */
		const char *sp = memchr(line, ' ', len);

		clear_headers(rs);
		/* Known before the body arrives, so a sink can check it. */
		rs->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		ex->in_2xx = rs->status >= 200 && rs->status < 300;
		return len;
	}
	if (keep_header(rs, line, len) < 0) {
		ex->header_alloc = 1;
		return 0;
	}
	return len;
}

static size_t on_read(char *buf, size_t size, size_t nitems, void *userdata)
{
	exchange *ex = userdata;
	const hf__body *b = &ex->rq->body;
	size_t want = size * nitems;
	uint64_t left = b->len >= 0 && (uint64_t)b->len > ex->body_pos ? (uint64_t)b->len - ex->body_pos : 0;
	size_t n;

	switch (b->kind) {
	case HF__BODY_MEMORY:
		n = left < want ? (size_t)left : want;
		memcpy(buf, (const char *)b->data + ex->body_pos, n);
		break;
	case HF__BODY_FILE: {
		ssize_t got;

		n = left < want ? (size_t)left : want;
		if (!n)
			break;
		do
			got = pread(b->fd, buf, n, (off_t)(b->offset + ex->body_pos));
		while (got < 0 && errno == EINTR);
		if (got <= 0) {
			snprintf(ex->rs->errmsg, sizeof(ex->rs->errmsg), "cannot read the body to send: %s",
				 got < 0 ? strerror(errno) : "the file is shorter than announced");
			ex->rs->sink_aborted = 1;
			return CURL_READFUNC_ABORT;
		}
		n = (size_t)got;
		break;
	}
	case HF__BODY_CALLBACK:
		n = b->read(buf, want, b->payload);
		if (n == (size_t)-1) {
			ex->rs->sink_aborted = 1;
			return CURL_READFUNC_ABORT;
		}
		break;
	default:
		n = 0;
	}
	ex->body_pos += n;
	return n;
}

/* libcurl asks to start the body again (a resend within one exchange). */
static int on_seek(void *userdata, curl_off_t offset, int origin)
{
	exchange *ex = userdata;
	const hf__body *b = &ex->rq->body;

	if (origin != SEEK_SET || offset != 0)
		return CURL_SEEKFUNC_CANTSEEK;
	if (b->kind == HF__BODY_CALLBACK && (!b->rewind || b->rewind(b->payload) != 0))
		return CURL_SEEKFUNC_CANTSEEK;
	ex->body_pos = 0;
	return CURL_SEEKFUNC_OK;
}

static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	exchange *ex = userdata;

	(void)dltotal;
	(void)ultotal;
	if (ex->rq->cancel && atomic_load(ex->rq->cancel))
		return 1;
	if (ex->rq->progress &&
	    ex->rq->progress(ex->rq->progress_payload, (uint64_t)dlnow, (uint64_t)ulnow))
		return 1;
	return 0;
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

static hf__failure_kind failure_kind(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
		return HF__FAIL_CONNECT;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
		return HF__FAIL_TLS;
	case CURLE_OUT_OF_MEMORY:
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_ABORTED_BY_CALLBACK:
	case CURLE_READ_ERROR:
	case CURLE_WRITE_ERROR:
		return HF__FAIL_LOCAL;
	default:
		return HF__FAIL_TRANSFER;
	}
}

static int map_curl_error(hf__response *rs, const char *url, CURLcode cc, const char *detail)
{
	const char *msg = detail && *detail ? detail : curl_easy_strerror(cc);
	char shown[192];

	hf__url_for_message(url, shown, sizeof(shown));
	switch (cc) {
	case CURLE_OPERATION_TIMEDOUT:
		snprintf(rs->errmsg, sizeof(rs->errmsg), "timed out talking to '%s': %s", shown, msg);
		return HF_ETIMEOUT;
	case CURLE_OUT_OF_MEMORY:
		snprintf(rs->errmsg, sizeof(rs->errmsg), "out of memory");
		return HF_ENOMEM;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		snprintf(rs->errmsg, sizeof(rs->errmsg), "malformed URL '%s': %s", shown, msg);
		return HF_EINVAL;
	default:
		if (failure_kind(cc) == HF__FAIL_TLS) {
			snprintf(rs->errmsg, sizeof(rs->errmsg), "TLS failure with '%s': %s", shown, msg);
			return HF_ETLS;
		}
		snprintf(rs->errmsg, sizeof(rs->errmsg), "cannot reach '%s': %s", shown, msg);
		return HF_ENETWORK;
	}
}

static struct curl_slist *add_line(struct curl_slist *list, const char *line, int *oom)
{
	struct curl_slist *tmp = curl_slist_append(list, line);

	if (!tmp)
		*oom = 1;
	return tmp ? tmp : list;
}

/* A header line of our own for curl's list; NULL when it does not fit one line. */
static int header_line(hf__buf *b, const char *name, const char *value)
{
	const char *p;

	for (p = name; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == ':' || *p == 0x7f)
			return -1;
	for (p = value; *p; p++)
		if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f)
			return -1;
	/* "Name:" alone tells libcurl to send the header empty, not to drop it. */
	return *value ? hf__buf_printf(b, "%s: %s", name, value) : hf__buf_printf(b, "%s;", name);
}

/*
 * One request to url (one hop), with_auth deciding the credential. The
 * request's own settings otherwise. Fills rs; returns as hf__http_perform.
 */
static int exchange_once(hf__conn *conn, const hf__request *rq, const char *url, int with_auth,
			 hf__response *rs)
{
	hf__transport *t = conn->t;
	CURL *h = conn->easy;
	const char *method = rq->method ? rq->method : "GET";
	char errbuf[CURL_ERROR_SIZE], trace[64], id[37], range[96];
	struct curl_slist *headers = NULL, *tmp;
	hf__buf auth = HF__BUF_INIT, line = HF__BUF_INIT;
	exchange ex;
	CURLcode cc;
	long request_size = 0;
	int rc = HF_OK, oom = 0;
	size_t i;

	clear_headers(rs);
	hf__buf_dispose(&rs->body);
	rs->status = 0;
	rs->sink_aborted = 0;
	rs->failure = HF__FAIL_NONE;
	rs->errmsg[0] = '\0';
	rs->body.max = rq->max_body ? rq->max_body : DEFAULT_MAX_BODY;
	errbuf[0] = '\0';
	memset(&ex, 0, sizeof(ex));
	ex.rq = rq;
	ex.rs = rs;
	curl_easy_reset(h);

	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_USERAGENT, hf__transport_user_agent(t));
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L); /* redirects are ours: see http.h */
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	/*
	 * libcurl sends a request again by itself when a reused connection
	 * turns out dead before any answer; the server may have acted on the
	 * first copy, so a request that must not run twice never rides on a
	 * reused connection (and leaves none behind).
	 */
	if (rq->fresh_connection) {
		curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
	}
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &ex);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &ex);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, &ex);
	/* Large bodies from a file: fewer preads and sends (a 2 GiB upload made
	 * 33k sends of 64 KiB). Bounded: parts in flight times files in flight. */
	if (rq->body.kind == HF__BODY_FILE && rq->body.len > (int64_t)(1 << 20))
		curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, 512L * 1024L);
	/* Large reads: fewer, bigger writes to disk. */
	curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 256L * 1024L); /* x8 workers: RSS */
	if (!rq->identity)
		curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	if (rq->connect_timeout_s > 0)
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, rq->connect_timeout_s);
	if (rq->stall_timeout_s > 0) {
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, rq->stall_timeout_s);
	}
	if (t->ca_bundle)
		curl_easy_setopt(h, CURLOPT_CAINFO, t->ca_bundle);
	if (t->ca_path)
		curl_easy_setopt(h, CURLOPT_CAPATH, t->ca_path);

	if (strcmp(method, "HEAD") == 0) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else if (rq->body.kind != HF__BODY_NONE) {
		curl_off_t len = rq->body.len >= 0 ? (curl_off_t)rq->body.len : -1;

		curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(h, CURLOPT_READDATA, &ex);
		curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, on_seek);
		curl_easy_setopt(h, CURLOPT_SEEKDATA, &ex);
		if (strcmp(method, "POST") == 0) {
			curl_easy_setopt(h, CURLOPT_POST, 1L);
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, len);
		} else {
			curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
			curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, len);
			if (strcmp(method, "PUT") != 0)
				curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
		}
	} else if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
	} else if (strcmp(method, "GET") != 0) {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	}

	if (rq->range) {
		snprintf(range, sizeof(range), "Range: bytes=%s", rq->range);
		headers = add_line(headers, range, &oom);
	}
	if (rq->identity)
		headers = add_line(headers, "Accept-Encoding: identity", &oom);
	new_trace_id(id);
	snprintf(trace, sizeof(trace), "X-Amzn-Trace-Id: %s", id);
	headers = add_line(headers, trace, &oom);
	for (i = 0; i < rq->nheaders; i++) {
		hf__buf_dispose(&line);
		/* A caller never sets the credential itself: the scope does. */
		if (strcasecmp(rq->headers[i].name, "Authorization") == 0 ||
		    header_line(&line, rq->headers[i].name, rq->headers[i].value) < 0) {
			snprintf(rs->errmsg, sizeof(rs->errmsg), "refusing to send the header '%.40s'",
				 rq->headers[i].name);
			rs->failure = HF__FAIL_LOCAL;
			rc = HF_EINVAL;
			goto done;
		}
		headers = add_line(headers, line.data, &oom);
	}
	if (with_auth) {
		if (!hf__token_is_safe(rq->scope.token)) {
			snprintf(rs->errmsg, sizeof(rs->errmsg),
				 "refusing to send a token that holds control characters");
			rs->failure = HF__FAIL_LOCAL;
			rc = HF_EINVAL;
			goto done;
		}
		if (hf__buf_printf(&auth, "Authorization: Bearer %s", rq->scope.token) < 0)
			oom = 1;
		else
			headers = add_line(headers, auth.data, &oom);
	}
	if (oom) {
		snprintf(rs->errmsg, sizeof(rs->errmsg), "out of memory");
		rs->failure = HF__FAIL_LOCAL;
		rc = HF_ENOMEM;
		goto done;
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);

	if (t->debug) {
		char shown[192];

		/* HF_DEBUG: requests on stderr; never a token, never a signed query. */
		hf__url_for_message(url, shown, sizeof(shown));
		fprintf(stderr, "[hf] %s %s%s%s%s\n", method, shown, strchr(url, '?') ? "?..." : "",
			rq->range ? " range=" : "", rq->range ? rq->range : "");
		if (with_auth)
			fprintf(stderr, "[hf]   authorization: Bearer <redacted>\n");
	}
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &rs->status);
	curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &request_size);
	if (request_size > 0)
		rs->sent = 1;
	if (t->debug)
		fprintf(stderr, "[hf]   -> %ld%s%s\n", rs->status, cc != CURLE_OK ? " " : "",
			cc != CURLE_OK ? curl_easy_strerror(cc) : "");
	if (cc == CURLE_ABORTED_BY_CALLBACK) {
		snprintf(rs->errmsg, sizeof(rs->errmsg), "transfer cancelled");
		rs->failure = HF__FAIL_LOCAL;
		rc = HF_ECANCELLED;
	} else if (rs->sink_aborted) {
		if (!rs->errmsg[0])
			snprintf(rs->errmsg, sizeof(rs->errmsg), "transfer aborted");
		rs->failure = HF__FAIL_LOCAL;
		rc = HF_ECANCELLED;
	} else if (ex.overflow) {
		snprintf(rs->errmsg, sizeof(rs->errmsg), "reply larger than %zu bytes", rs->body.max);
		rs->failure = HF__FAIL_LOCAL;
		rc = HF_EPROTOCOL;
	} else if (ex.header_alloc) {
		snprintf(rs->errmsg, sizeof(rs->errmsg), "out of memory");
		rs->failure = HF__FAIL_LOCAL;
		rc = HF_ENOMEM;
	} else if (cc != CURLE_OK && !ex.body_seen &&
		   (cc == CURLE_OUT_OF_MEMORY || ex.header_bytes >= HEADERS_TOO_LARGE)) {
		char shown[192];

		hf__url_for_message(url, shown, sizeof(shown));
		/* A long curl message is cut to fit errmsg (the value keeps gcc -O0 quiet). */
		if (snprintf(rs->errmsg, sizeof(rs->errmsg), "the reply from '%s' has oversized headers (%s)",
			     shown, *errbuf ? errbuf : "too many or too long") < 0)
			rs->errmsg[0] = '\0';
		rs->failure = HF__FAIL_LOCAL;
		rc = HF_EPROTOCOL;
	} else if (cc != CURLE_OK) {
		rs->failure = failure_kind(cc);
		/* A timeout before anything was sent never reached the server either. */
		if (rs->failure == HF__FAIL_TRANSFER && !request_size)
			rs->failure = HF__FAIL_CONNECT;
		rc = map_curl_error(rs, url, cc, errbuf);
	} else if (!rs->body.data) {
		hf__buf_puts(&rs->body, "");
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
	hf__buf_dispose(&line);
	return rc;
}

int hf__redirect_keeps_tls(const char *from, const char *to)
{
	return strncasecmp(from, "https:", 6) != 0 || strncasecmp(to, "https:", 6) == 0;
}

/*
 * Where a redirect from cur to location may go: the resolved URL, or NULL
 * when it is not http(s), carries user information, or leaves https.
 */
static char *redirect_target(const char *cur, const char *location)
{
	char *next = hf__url_resolve(cur, location);

	if (next && !hf__redirect_keeps_tls(cur, next)) {
		free(next);
		return NULL;
	}
	return next;
}

int hf__http_offline(const hf__request *rq, hf__response *rs)
{
	char shown[192];

	hf__response_dispose(rs);
	hf__url_for_message(rq->url, shown, sizeof(shown));
	snprintf(rs->errmsg, sizeof(rs->errmsg), "cannot reach '%s': offline mode is enabled", shown);
	rs->failure = HF__FAIL_LOCAL;
	return HF_EOFFLINE;
}

int hf__http_perform(hf__conn *conn, const hf__request *rq, hf__response *rs)
{
	const char *method = rq->method ? rq->method : "GET";
	int may_follow = rq->redirects != HF__REDIRECT_NONE &&
			 (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0);
	int with_auth, hop, rc;
	char *cur;

	if (conn->t->offline)
		return hf__http_offline(rq, rs);
	hf__response_dispose(rs);
	cur = hf__strdup(rq->url);
	if (!cur) {
		snprintf(rs->errmsg, sizeof(rs->errmsg), "out of memory");
		rs->failure = HF__FAIL_LOCAL;
		return HF_ENOMEM;
	}
	/* The credential goes only where its scope says, and is never regained. */
	with_auth = hf__scope_allows(&rq->scope, cur);
	for (hop = 0;; hop++) {
		const char *loc;
		char *next;

		rc = exchange_once(conn, rq, cur, with_auth, rs);
		if (rc || !may_follow || rs->status < 300 || rs->status >= 400 || rs->status == 304)
			break;
		loc = hf__response_header(rs, "Location");
		if (!loc || (rq->redirects == HF__REDIRECT_RELATIVE && !hf__location_is_relative(loc)))
			break;
		if (hop + 1 >= MAX_HOPS) {
			snprintf(rs->errmsg, sizeof(rs->errmsg), "too many redirects (more than %d)",
				 MAX_HOPS - 1);
			rs->failure = HF__FAIL_LOCAL;
			rs->bad_redirect = HF__REDIRECT_TOO_MANY;
			rc = HF_EPROTOCOL;
			break;
		}
		next = redirect_target(cur, loc);
		if (!next) {
			char shown[192];

			hf__url_for_message(cur, shown, sizeof(shown));
			snprintf(rs->errmsg, sizeof(rs->errmsg),
				 "refusing a redirect from '%s' to an unsafe location", shown);
			rs->failure = HF__FAIL_LOCAL;
			rs->bad_redirect = HF__REDIRECT_UNSAFE;
			rc = HF_EPROTOCOL;
			break;
		}
		with_auth = with_auth && hf__scope_allows(&rq->scope, next);
		free(cur);
		cur = next;
		rs->hops++;
	}
	rs->url = cur;
	return rc;
}

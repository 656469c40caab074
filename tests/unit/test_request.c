/*
 * The request layer of src/lib/http.h against an HTTP/1.1 server of this
 * file: where a credential goes (its scope, across redirects), which
 * redirects are followed, what a request sends (headers, bodies from
 * memory, a file range or a callback, chunked), how replies are read, and
 * hf__retry_send() under the retry policy (retry.h).
 *
 * Two servers, one on 127.0.0.1 and one on 127.0.0.2 (two origins), each
 * a thread on a listening socket bound to port 0. A server takes its
 * connections one after the other, reads the request (head, and body by
 * Content-Length or chunked), records it, and answers the next reply of
 * its script with "Connection: close". Nothing here leaves the loopback.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "hf/errors.h"
#include "http.h"
#include "retry.h"

/* ------------------------------------------------------------------ */
/* The test server */

#define MAX_SCRIPT 16
#define MAX_RECS 32
#define MAX_HDRS 64

typedef struct canned {
	int status;         /* 0: close the connection without a reply */
	char headers[1024]; /* extra header lines, each ending in CRLF */
	const void *body;
	size_t body_len;
} canned;

typedef struct recorded {
	char method[16];
	char path[1024];
	char *auth; /* the Authorization value, or NULL */
	int nauth;  /* Authorization headers received */
	char *names[MAX_HDRS], *values[MAX_HDRS];
	int nhdrs;
	unsigned char *body;
	size_t body_len;
	int chunked;
} recorded;

typedef struct server {
	const char *addr;
	int fd;
	int wake[2]; /* a byte on wake[1] stops the thread */
	int port;
	char origin[64]; /* "http://127.0.0.1:port" */
	pthread_t th;
	pthread_mutex_t mu;
	canned script[MAX_SCRIPT];
	int nscript, next, repeat_last;
	recorded recs[MAX_RECS];
	int nrecs;
	int nconns;
} server;

/* A buffered reader on a connection. */
typedef struct reader {
	int fd;
	unsigned char buf[16384];
	size_t pos, len;
} reader;

static int rd_fill(reader *r)
{
	ssize_t n;

	if (r->pos < r->len)
		return 1;
	do
		n = recv(r->fd, r->buf, sizeof(r->buf), 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return 0;
	r->pos = 0;
	r->len = (size_t)n;
	return 1;
}

/* A line without its CRLF into out; its length, or -1. */
static int rd_line(reader *r, char *out, size_t cap)
{
	size_t n = 0;

	for (;;) {
		unsigned char c;

		if (!rd_fill(r))
			return -1;
		c = r->buf[r->pos++];
		if (c == '\n')
			break;
		if (n + 1 < cap)
			out[n++] = (char)c;
	}
	if (n > 0 && out[n - 1] == '\r')
		n--;
	out[n] = '\0';
	return (int)n;
}

static int rd_append(reader *r, recorded *rec, size_t n)
{
	unsigned char *grown = realloc(rec->body, rec->body_len + n + 1);

	if (!grown)
		return -1;
	rec->body = grown;
	while (n > 0) {
		size_t k;

		if (!rd_fill(r))
			return -1;
		k = r->len - r->pos < n ? r->len - r->pos : n;
		memcpy(rec->body + rec->body_len, r->buf + r->pos, k);
		r->pos += k;
		rec->body_len += k;
		n -= k;
	}
	return 0;
}

static void send_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

static const char *rec_header(const recorded *rec, const char *name)
{
	int i;

	for (i = 0; i < rec->nhdrs; i++)
		if (strcasecmp(rec->names[i], name) == 0)
			return rec->values[i];
	return NULL;
}

static void rec_dispose(recorded *rec)
{
	int i;

	for (i = 0; i < rec->nhdrs; i++) {
		free(rec->names[i]);
		free(rec->values[i]);
	}
	free(rec->body);
	memset(rec, 0, sizeof(*rec));
}

/* Read one request from the connection into rec: 0, or -1 if it is not whole. */
static int read_request(int fd, reader *r, recorded *rec)
{
	char line[8192], *sp, *sp2;
	long long content_length = -1;
	int expect = 0;

	if (rd_line(r, line, sizeof(line)) <= 0)
		return -1;
	sp = strchr(line, ' ');
	sp2 = sp ? strchr(sp + 1, ' ') : NULL;
	if (!sp || !sp2)
		return -1;
	snprintf(rec->method, sizeof(rec->method), "%.*s", (int)(sp - line), line);
	snprintf(rec->path, sizeof(rec->path), "%.*s", (int)(sp2 - sp - 1), sp + 1);
	for (;;) {
		char *colon, *v;
		int n = rd_line(r, line, sizeof(line));

		if (n < 0)
			return -1;
		if (n == 0)
			break;
		colon = strchr(line, ':');
		if (!colon || rec->nhdrs == MAX_HDRS)
			continue;
		*colon = '\0';
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		rec->names[rec->nhdrs] = strdup(line);
		rec->values[rec->nhdrs] = strdup(v);
		if (strcasecmp(line, "Authorization") == 0) {
			rec->auth = rec->values[rec->nhdrs];
			rec->nauth++;
		} else if (strcasecmp(line, "Content-Length") == 0) {
			content_length = atoll(v);
		} else if (strcasecmp(line, "Transfer-Encoding") == 0 && strstr(v, "chunked")) {
			rec->chunked = 1;
		} else if (strcasecmp(line, "Expect") == 0 && strcasecmp(v, "100-continue") == 0) {
			expect = 1;
		}
		rec->nhdrs++;
	}
	if (expect)
		send_all(fd, "HTTP/1.1 100 Continue\r\n\r\n", 25);
	if (rec->chunked) {
		for (;;) {
			unsigned long size;

			if (rd_line(r, line, sizeof(line)) < 0)
				return -1;
			size = strtoul(line, NULL, 16);
			if (size == 0)
				break;
			if (rd_append(r, rec, size) < 0 || rd_line(r, line, sizeof(line)) != 0)
				return -1;
		}
		/* The trailer, up to an empty line. */
		while (rd_line(r, line, sizeof(line)) > 0)
			;
	} else if (content_length > 0) {
		if (rd_append(r, rec, (size_t)content_length) < 0)
			return -1;
	}
	return 0;
}

static void handle(server *s, int fd)
{
	reader *r = malloc(sizeof(*r));
	recorded rec;
	canned reply;
	char head[2048];
	int n, have = 0, is_head;
	struct timeval tv = { 5, 0 };

	if (!r)
		return;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memset(r, 0, sizeof(*r));
	memset(&rec, 0, sizeof(rec));
	r->fd = fd;
	if (read_request(fd, r, &rec) < 0) {
		rec_dispose(&rec);
		free(r);
		return;
	}
	free(r);
	is_head = strcmp(rec.method, "HEAD") == 0;
	pthread_mutex_lock(&s->mu);
	if (s->next < s->nscript) {
		reply = s->script[s->next++];
		have = 1;
	} else if (s->repeat_last && s->nscript > 0) {
		reply = s->script[s->nscript - 1];
		have = 1;
	}
	if (s->nrecs < MAX_RECS)
		s->recs[s->nrecs++] = rec;
	else
		rec_dispose(&rec);
	pthread_mutex_unlock(&s->mu);
	if (!have) {
		memset(&reply, 0, sizeof(reply));
		reply.status = 599; /* not in the script: the test fails on the count */
	}
	if (reply.status == 0)
		return; /* closed without a reply */
	n = snprintf(head, sizeof(head), "HTTP/1.1 %d Scripted\r\n%sContent-Length: %zu\r\n"
		     "Connection: close\r\n\r\n", reply.status, reply.headers, reply.body_len);
	send_all(fd, head, (size_t)n);
	if (reply.body_len && !is_head)
		send_all(fd, reply.body, reply.body_len);
}

static void *serve(void *arg)
{
	server *s = arg;

	for (;;) {
		struct pollfd p[2] = { { s->fd, POLLIN, 0 }, { s->wake[0], POLLIN, 0 } };
		int c;

		if (poll(p, 2, -1) < 0)
			continue;
		if (p[1].revents)
			return NULL;
		c = accept(s->fd, NULL, NULL);
		if (c < 0)
			continue;
		pthread_mutex_lock(&s->mu);
		s->nconns++;
		pthread_mutex_unlock(&s->mu);
		handle(s, c);
		shutdown(c, SHUT_WR);
		close(c);
	}
}

static void server_start(server *s, const char *addr)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int one = 1;

	memset(s, 0, sizeof(*s));
	s->addr = addr;
	pthread_mutex_init(&s->mu, NULL);
	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s->fd >= 0);
	setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = 0;
	assert_int_equal(inet_pton(AF_INET, addr, &sin.sin_addr), 1);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(s->fd, 16), 0);
	assert_int_equal(getsockname(s->fd, (struct sockaddr *)&sin, &len), 0);
	s->port = ntohs(sin.sin_port);
	snprintf(s->origin, sizeof(s->origin), "http://%s:%d", addr, s->port);
	assert_int_equal(pipe2(s->wake, O_CLOEXEC), 0);
	assert_int_equal(pthread_create(&s->th, NULL, serve, s), 0);
}

static void server_stop(server *s)
{
	int i;

	assert_int_equal(write(s->wake[1], "x", 1), 1);
	pthread_join(s->th, NULL);
	close(s->fd);
	close(s->wake[0]);
	close(s->wake[1]);
	for (i = 0; i < s->nrecs; i++)
		rec_dispose(&s->recs[i]);
	pthread_mutex_destroy(&s->mu);
}

/* Add a reply to the script; hfmt formats its extra header lines. */
__attribute__((format(printf, 4, 5)))
static void script(server *s, int status, const char *body, const char *hfmt, ...)
{
	canned *c;
	va_list ap;

	pthread_mutex_lock(&s->mu);
	assert_true(s->nscript < MAX_SCRIPT);
	c = &s->script[s->nscript++];
	c->status = status;
	c->body = body;
	c->body_len = body ? strlen(body) : 0;
	va_start(ap, hfmt);
	vsnprintf(c->headers, sizeof(c->headers), hfmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&s->mu);
}

static int nrecs(server *s)
{
	int n;

	pthread_mutex_lock(&s->mu);
	n = s->nrecs;
	pthread_mutex_unlock(&s->mu);
	return n;
}

static int nconns(server *s)
{
	int n;

	pthread_mutex_lock(&s->mu);
	n = s->nconns;
	pthread_mutex_unlock(&s->mu);
	return n;
}

/* The i-th request the server received (complete once the client has its reply). */
static const recorded *rec(server *s, int i)
{
	const recorded *r;

	pthread_mutex_lock(&s->mu);
	assert_true(i < s->nrecs);
	r = &s->recs[i];
	pthread_mutex_unlock(&s->mu);
	return r;
}

/* ------------------------------------------------------------------ */
/* Fixture: two servers (two origins), a transport and a connection */

typedef struct fixture {
	server a, b;
	hf__transport *t;
	hf__conn *conn;
	hf__response rs;
	char url[512];
} fixture;

static int setup(void **state)
{
	static const hf__transport_settings settings; /* all NULL and 0 */
	fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	server_start(&f->a, "127.0.0.1");
	server_start(&f->b, "127.0.0.2");
	f->t = hf__transport_new(&settings);
	assert_non_null(f->t);
	f->conn = hf__conn_new(f->t);
	assert_non_null(f->conn);
	{
		hf__response init = HF__RESPONSE_INIT;

		f->rs = init;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	hf__response_dispose(&f->rs);
	hf__conn_free(f->conn);
	hf__transport_free(f->t);
	server_stop(&f->a);
	server_stop(&f->b);
	free(f);
	return 0;
}

/* "<origin of s><path>" in f->url. */
static const char *url_of(fixture *f, server *s, const char *path)
{
	snprintf(f->url, sizeof(f->url), "%s%s", s->origin, path);
	return f->url;
}

static hf__request request(const char *url)
{
	hf__request rq;

	memset(&rq, 0, sizeof(rq));
	rq.url = url;
	return rq;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------ */
/* Credential scope */

static void test_scope_token_to_its_origin(void **state)
{
	fixture *f = *state;
	hf__request rq;

	script(&f->a, 200, "hello", "Content-Type: text/plain\r\n");
	rq = request(url_of(f, &f->a, "/api/whoami-v2"));
	rq.scope.token = "hf_hub";
	rq.scope.origin = f->a.origin;
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_OK);
	assert_int_equal(f->rs.status, 200);
	assert_string_equal(f->rs.body.data, "hello");
	assert_int_equal(f->rs.hops, 0);
	assert_int_equal(nrecs(&f->a), 1);
	assert_int_equal(nrecs(&f->b), 0);
	assert_string_equal(rec(&f->a, 0)->method, "GET");
	assert_string_equal(rec(&f->a, 0)->path, "/api/whoami-v2");
	assert_int_equal(rec(&f->a, 0)->nauth, 1);
	assert_string_equal(rec(&f->a, 0)->auth, "Bearer hf_hub");

	/* No token: nothing, even to the scope's origin. */
	script(&f->a, 200, "again", "%s", "");
	rq.scope.token = "";
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_OK);
	assert_int_equal(nrecs(&f->a), 2);
	assert_null(rec(&f->a, 1)->auth);
}

static void test_scope_not_across_redirect(void **state)
{
	fixture *f = *state;
	hf__request rq;
	char target[128];

	snprintf(target, sizeof(target), "%s/storage/blob?sig=1", f->b.origin);
	script(&f->a, 302, NULL, "Location: %s\r\n", target);
	script(&f->b, 200, "blob", "%s", "");
	rq = request(url_of(f, &f->a, "/repo/resolve/main/file"));
	rq.scope.token = "hf_hub";
	rq.scope.origin = f->a.origin;
	rq.redirects = HF__REDIRECT_ALL;
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_OK);
	assert_int_equal(f->rs.status, 200);
	assert_string_equal(f->rs.body.data, "blob");
	assert_int_equal(f->rs.hops, 1);
	assert_string_equal(f->rs.url, target);
	assert_int_equal(nrecs(&f->a), 1);
	assert_int_equal(nrecs(&f->b), 1);
	assert_string_equal(rec(&f->a, 0)->auth, "Bearer hf_hub");
	assert_string_equal(rec(&f->b, 0)->path, "/storage/blob?sig=1");
	assert_int_equal(rec(&f->b, 0)->nauth, 0);
	assert_null(rec(&f->b, 0)->auth);
}

static void test_scope_never_regained(void **state)
{
	fixture *f = *state;
	hf__request rq;

	script(&f->a, 302, NULL, "Location: %s/hop\r\n", f->b.origin);
	script(&f->b, 302, NULL, "Location: %s/back\r\n", f->a.origin);
	script(&f->a, 200, "done", "%s", "");
	rq = request(url_of(f, &f->a, "/start"));
	rq.scope.token = "hf_hub";
	rq.scope.origin = f->a.origin;
	rq.redirects = HF__REDIRECT_ALL;
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_OK);
	assert_int_equal(f->rs.status, 200);
	assert_int_equal(f->rs.hops, 2);
	assert_int_equal(nrecs(&f->a), 2);
	assert_int_equal(nrecs(&f->b), 1);
	assert_string_equal(rec(&f->a, 0)->path, "/start");
	assert_string_equal(rec(&f->a, 0)->auth, "Bearer hf_hub");
	assert_string_equal(rec(&f->b, 0)->path, "/hop");
	assert_null(rec(&f->b, 0)->auth);
	/* Back at the scope's origin: the credential stays lost. */
	assert_string_equal(rec(&f->a, 1)->path, "/back");
	assert_null(rec(&f->a, 1)->auth);
}

static void test_scope_second_token(void **state)
{
	fixture *f = *state;
	hf__request rq;

	/* A CAS token: to its CAS (B), not to the Hub (A) it redirects to. */
	script(&f->b, 302, NULL, "Location: %s/elsewhere\r\n", f->a.origin);
	script(&f->a, 200, "ok", "%s", "");
	rq = request(url_of(f, &f->b, "/xorb"));
	rq.scope.token = "cas_tok";
	rq.scope.origin = f->b.origin;
	rq.redirects = HF__REDIRECT_ALL;
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_OK);
	assert_int_equal(f->rs.status, 200);
	assert_int_equal(nrecs(&f->b), 1);
	assert_int_equal(nrecs(&f->a), 1);
	assert_string_equal(rec(&f->b, 0)->auth, "Bearer cas_tok");
	assert_null(rec(&f->a, 0)->auth);

	/* Straight to A with B's scope: nothing. */
	script(&f->a, 200, "ok", "%s", "");
	rq.url = url_of(f, &f->a, "/api");
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_OK);
	assert_int_equal(nrecs(&f->a), 2);
	assert_null(rec(&f->a, 1)->auth);
	assert_int_equal(nrecs(&f->b), 1);
}

static void test_scope_port_or_scheme_differs(void **state)
{
	fixture *f = *state;
	char origins[4][96];
	hf__request rq;
	int i;

	snprintf(origins[0], sizeof(origins[0]), "http://127.0.0.1:%d", f->a.port == 65535 ? 1 : f->a.port + 1);
	snprintf(origins[1], sizeof(origins[1]), "https://127.0.0.1:%d", f->a.port);
	snprintf(origins[2], sizeof(origins[2]), "http://127.0.0.2:%d", f->a.port);
	snprintf(origins[3], sizeof(origins[3]), "http://localhost:%d", f->a.port);
	rq = request(url_of(f, &f->a, "/api"));
	rq.scope.token = "hf_hub";
	for (i = 0; i < 4; i++) {
		script(&f->a, 200, "ok", "%s", "");
		rq.scope.origin = origins[i];
		assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_OK);
		assert_int_equal(nrecs(&f->a), i + 1);
		assert_null(rec(&f->a, i)->auth);
	}
	/* The same origin written differently (a path, an upper-case scheme): sent. */
	script(&f->a, 200, "ok", "%s", "");
	snprintf(origins[0], sizeof(origins[0]), "HTTP://127.0.0.1:%d/some/path?q=1", f->a.port);
	rq.scope.origin = origins[0];
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_OK);
	assert_int_equal(nrecs(&f->a), 5);
	assert_string_equal(rec(&f->a, 4)->auth, "Bearer hf_hub");
}

static void test_scope_caller_authorization_refused(void **state)
{
	static const char *names[] = { "Authorization", "authorization", "AUTHORIZATION" };
	fixture *f = *state;
	hf__header h[2] = { { "X-Fine", "1" }, { NULL, "Bearer stolen" } };
	hf__request rq;
	size_t i;

	for (i = 0; i < 3; i++) {
		h[1].name = names[i];
		rq = request(url_of(f, &f->a, "/api"));
		rq.headers = h;
		rq.nheaders = 2;
		assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_EINVAL);
		assert_int_equal(f->rs.failure, HF__FAIL_LOCAL);
		assert_null(strstr(f->rs.errmsg, "stolen"));
		/* With a scope too. */
		rq.scope.token = "hf_hub";
		rq.scope.origin = f->a.origin;
		assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_EINVAL);
	}
	assert_int_equal(nconns(&f->a), 0);
	assert_int_equal(nrecs(&f->a), 0);
}

static void test_scope_allows_cases(void **state)
{
	hf__scope hub = { "hf_x", "https://huggingface.co" };
	hf__scope hub_path = { "hf_x", "https://HuggingFace.CO/api/models?x=1" };
	hf__scope local = { "tok", "http://localhost" };
	hf__scope none = { NULL, "https://huggingface.co" };
	hf__scope empty = { "", "https://huggingface.co" };
	hf__scope no_origin = { "hf_x", NULL };
	hf__scope bad_origin = { "hf_x", "not a url" };

	(void)state;
	assert_int_equal(hf__scope_allows(&hub, "https://huggingface.co/api/whoami-v2"), 1);
	assert_int_equal(hf__scope_allows(&hub, "https://huggingface.co"), 1);
	assert_int_equal(hf__scope_allows(&hub, "https://HUGGINGFACE.co/x"), 1);
	assert_int_equal(hf__scope_allows(&hub, "HTTPS://huggingface.co/x"), 1);
	assert_int_equal(hf__scope_allows(&hub, "https://huggingface.co:443/x"), 1);
	assert_int_equal(hf__scope_allows(&hub_path, "https://huggingface.co/other"), 1);
	assert_int_equal(hf__scope_allows(&local, "http://localhost:80/x"), 1);
	assert_int_equal(hf__scope_allows(&local, "http://LocalHost/x"), 1);
	/* Another scheme, port or host. */
	assert_int_equal(hf__scope_allows(&hub, "http://huggingface.co/x"), 0);
	assert_int_equal(hf__scope_allows(&hub, "http://huggingface.co:443/x"), 0);
	assert_int_equal(hf__scope_allows(&hub, "https://huggingface.co:8443/x"), 0);
	assert_int_equal(hf__scope_allows(&hub, "https://cdn-lfs.huggingface.co/x"), 0);
	assert_int_equal(hf__scope_allows(&hub, "https://huggingface.co.evil.example/x"), 0);
	assert_int_equal(hf__scope_allows(&hub, "https://evil.example/huggingface.co"), 0);
	assert_int_equal(hf__scope_allows(&hub, "https://huggingface.co@evil.example/x"), 0);
	assert_int_equal(hf__scope_allows(&hub, "https://evil.example/?u=https://huggingface.co"), 0);
	assert_int_equal(hf__scope_allows(&local, "http://localhost:8080/x"), 0);
	assert_int_equal(hf__scope_allows(&local, "https://localhost/x"), 0);
	/* Unparsable URLs and incomplete scopes. */
	assert_int_equal(hf__scope_allows(&hub, "not a url"), 0);
	assert_int_equal(hf__scope_allows(&hub, ""), 0);
	assert_int_equal(hf__scope_allows(&hub, "https://"), 0);
	assert_int_equal(hf__scope_allows(&hub, "://huggingface.co"), 0);
	assert_int_equal(hf__scope_allows(&hub, "huggingface.co/x"), 0);
	assert_int_equal(hf__scope_allows(&hub, NULL), 0);
	assert_int_equal(hf__scope_allows(&none, "https://huggingface.co/x"), 0);
	assert_int_equal(hf__scope_allows(&empty, "https://huggingface.co/x"), 0);
	assert_int_equal(hf__scope_allows(&no_origin, "https://huggingface.co/x"), 0);
	assert_int_equal(hf__scope_allows(&bad_origin, "https://huggingface.co/x"), 0);
	assert_int_equal(hf__scope_allows(&bad_origin, "not a url"), 0);
	assert_int_equal(hf__scope_allows(NULL, "https://huggingface.co/x"), 0);
	/* hf__same_origin itself. */
	assert_int_equal(hf__same_origin("https://a.example/x", "https://A.EXAMPLE:443/y"), 1);
	assert_int_equal(hf__same_origin("https://a.example/x", "http://a.example/x"), 0);
	assert_int_equal(hf__same_origin("not a url", "not a url"), 0);
}

/* ------------------------------------------------------------------ */
/* Redirects */

static void test_redirect_none(void **state)
{
	fixture *f = *state;
	hf__request rq;

	script(&f->a, 302, "moved", "Location: %s/y\r\n", f->b.origin);
	rq = request(url_of(f, &f->a, "/x"));
	rq.redirects = HF__REDIRECT_NONE;
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_OK);
	assert_int_equal(f->rs.status, 302);
	assert_int_equal(f->rs.hops, 0);
	assert_int_equal(f->rs.bad_redirect, HF__REDIRECT_OK);
	assert_non_null(hf__response_header(&f->rs, "location"));
	assert_int_equal(nrecs(&f->a), 1);
	assert_int_equal(nrecs(&f->b), 0);
	assert_int_equal(nconns(&f->b), 0);
}

static void test_redirect_relative(void **state)
{
	fixture *f = *state;
	hf__request rq;
	char loc[128];

	/* A relative Location: followed. */
	script(&f->a, 307, NULL, "Location: /x2?a=b\r\n");
	script(&f->a, 200, "there", "%s", "");
	rq = request(url_of(f, &f->a, "/dir/x"));
	rq.redirects = HF__REDIRECT_RELATIVE;
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_OK);
	assert_int_equal(f->rs.status, 200);
	assert_int_equal(f->rs.hops, 1);
	assert_int_equal(nrecs(&f->a), 2);
	assert_string_equal(rec(&f->a, 1)->path, "/x2?a=b");
	assert_string_equal(f->rs.body.data, "there");

	/* Relative to the current path. */
	script(&f->a, 302, NULL, "Location: sibling\r\n");
	script(&f->a, 200, "sib", "%s", "");
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_OK);
	assert_int_equal(f->rs.status, 200);
	assert_int_equal(nrecs(&f->a), 4);
	assert_string_equal(rec(&f->a, 3)->path, "/dir/sibling");

	/* An absolute one (even to the same origin) or a scheme-relative one: returned. */
	script(&f->a, 302, NULL, "Location: %s/y\r\n", f->b.origin);
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_OK);
	assert_int_equal(f->rs.status, 302);
	assert_int_equal(f->rs.hops, 0);
	snprintf(loc, sizeof(loc), "%s/same", f->a.origin);
	script(&f->a, 302, NULL, "Location: %s\r\n", loc);
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_OK);
	assert_int_equal(f->rs.status, 302);
	script(&f->a, 302, NULL, "Location: //127.0.0.2:%d/y\r\n", f->b.port);
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_OK);
	assert_int_equal(f->rs.status, 302);
	assert_int_equal(nrecs(&f->a), 7);
	assert_int_equal(nconns(&f->b), 0);
}

static void test_redirect_loop(void **state)
{
	fixture *f = *state;
	hf__request rq;

	f->a.repeat_last = 1;
	script(&f->a, 302, NULL, "Location: /loop\r\n");
	rq = request(url_of(f, &f->a, "/loop"));
	rq.redirects = HF__REDIRECT_ALL;
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_EPROTOCOL);
	assert_int_equal(f->rs.bad_redirect, HF__REDIRECT_TOO_MANY);
	assert_int_equal(f->rs.failure, HF__FAIL_LOCAL);
	assert_true(f->rs.errmsg[0] != '\0');
	/* The first request and 9 redirects, no more. */
	assert_int_equal(nrecs(&f->a), 10);
}

static void test_redirect_nine_hops(void **state)
{
	fixture *f = *state;
	hf__request rq;
	int i;

	for (i = 0; i < 9; i++)
		script(&f->a, 301, NULL, "Location: /hop%d\r\n", i + 1);
	script(&f->a, 200, "end", "%s", "");
	rq = request(url_of(f, &f->a, "/hop0"));
	rq.redirects = HF__REDIRECT_ALL;
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_OK);
	assert_int_equal(f->rs.status, 200);
	assert_int_equal(f->rs.hops, 9);
	assert_int_equal(nrecs(&f->a), 10);
	assert_string_equal(rec(&f->a, 9)->path, "/hop9");
}

static void test_redirect_unsafe(void **state)
{
	fixture *f = *state;
	hf__request rq;
	int i;

	script(&f->a, 302, NULL, "Location: http://user:secretpw@127.0.0.2:%d/y\r\n", f->b.port);
	script(&f->a, 302, NULL, "Location: http://user@127.0.0.1:%d/y\r\n", f->a.port);
	script(&f->a, 302, NULL, "Location: ftp://127.0.0.2:%d/y\r\n", f->b.port);
	script(&f->a, 302, NULL, "Location: file:///etc/passwd\r\n");
	rq = request(url_of(f, &f->a, "/x"));
	rq.redirects = HF__REDIRECT_ALL;
	for (i = 0; i < 4; i++) {
		assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_EPROTOCOL);
		assert_int_equal(f->rs.bad_redirect, HF__REDIRECT_UNSAFE);
		assert_int_equal(f->rs.status, 302);
		assert_int_equal(f->rs.hops, 0);
		assert_null(strstr(f->rs.errmsg, "secretpw"));
	}
	assert_int_equal(nrecs(&f->a), 4);
	assert_int_equal(nconns(&f->b), 0);
}

static void test_redirect_methods(void **state)
{
	static const char *methods[] = { "POST", "PUT", "DELETE" };
	fixture *f = *state;
	hf__request rq;
	size_t i;

	/* POST (and the others that change something) is not followed. */
	for (i = 0; i < 3; i++) {
		script(&f->a, 307, NULL, "Location: /elsewhere\r\n");
		rq = request(url_of(f, &f->a, "/create"));
		rq.method = methods[i];
		rq.redirects = HF__REDIRECT_ALL;
		assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_OK);
		assert_int_equal(f->rs.status, 307);
		assert_int_equal(f->rs.hops, 0);
		assert_int_equal(nrecs(&f->a), (int)i + 1);
		assert_string_equal(rec(&f->a, (int)i)->method, methods[i]);
	}
	/* HEAD is. */
	script(&f->a, 302, NULL, "Location: %s/meta\r\n", f->b.origin);
	script(&f->b, 200, "not sent for HEAD", "X-Repo-Commit: abc\r\n");
	rq = request(url_of(f, &f->a, "/head"));
	rq.method = "HEAD";
	rq.redirects = HF__REDIRECT_ALL;
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_OK);
	assert_int_equal(f->rs.status, 200);
	assert_int_equal(f->rs.hops, 1);
	assert_string_equal(rec(&f->b, 0)->method, "HEAD");
	assert_string_equal(hf__response_header(&f->rs, "x-repo-commit"), "abc");
	assert_int_equal(f->rs.content_length, 17);
}

/* ------------------------------------------------------------------ */
/* Bodies and headers */

static void test_extra_headers(void **state)
{
	fixture *f = *state;
	hf__header h[] = { { "X-Test", "one" }, { "X-Other", "two words\tand a tab" }, { "X-Empty", "" } };
	hf__request rq;
	const recorded *r;

	script(&f->a, 200, "ok", "%s", "");
	rq = request(url_of(f, &f->a, "/h"));
	rq.headers = h;
	rq.nheaders = 3;
	rq.range = "10-19";
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_OK);
	assert_int_equal(nrecs(&f->a), 1);
	r = rec(&f->a, 0);
	assert_string_equal(rec_header(r, "X-Test"), "one");
	assert_string_equal(rec_header(r, "x-other"), "two words\tand a tab");
	assert_non_null(rec_header(r, "X-Empty"));
	assert_string_equal(rec_header(r, "X-Empty"), "");
	assert_string_equal(rec_header(r, "Range"), "bytes=10-19");
	assert_non_null(rec_header(r, "X-Amzn-Trace-Id"));
	assert_non_null(strstr(rec_header(r, "User-Agent"), "libhf/"));
	assert_null(r->auth);

	/* A value or a name that is not one line is refused, nothing is sent. */
	h[0].value = "a\r\nInjected: 1";
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_EINVAL);
	h[0].value = "one";
	h[1].name = "X-Bad Name";
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_EINVAL);
	h[1].name = "X-Bad:Name";
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_EINVAL);
	assert_int_equal(nconns(&f->a), 1);
}

static void test_body_memory_binary(void **state)
{
	fixture *f = *state;
	unsigned char data[1000];
	hf__request rq;
	size_t i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 7 + (i >> 8));
	data[0] = 0;
	data[500] = 0;
	script(&f->a, 200, "ok", "%s", "");
	script(&f->a, 201, "ok", "%s", "");
	rq = request(url_of(f, &f->a, "/post"));
	rq.method = "POST";
	rq.body.kind = HF__BODY_MEMORY;
	rq.body.data = data;
	rq.body.len = (int64_t)sizeof(data);
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_OK);
	assert_int_equal(f->rs.status, 200);
	rq.method = "PUT";
	rq.url = url_of(f, &f->a, "/put");
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_OK);
	assert_int_equal(f->rs.status, 201);
	assert_int_equal(nrecs(&f->a), 2);
	for (i = 0; i < 2; i++) {
		const recorded *r = rec(&f->a, (int)i);

		assert_string_equal(r->method, i ? "PUT" : "POST");
		assert_string_equal(rec_header(r, "Content-Length"), "1000");
		assert_int_equal(r->chunked, 0);
		assert_int_equal(r->body_len, sizeof(data));
		assert_memory_equal(r->body, data, sizeof(data));
	}
}

static void test_body_file_range(void **state)
{
	fixture *f = *state;
	const size_t size = (3u << 20) + 4321, off = 12345, len = (2u << 20) + 777;
	char path[] = "/tmp/hf_test_request_XXXXXX";
	unsigned char *data = malloc(size);
	uint32_t x = 2463534242u;
	hf__request rq;
	const recorded *r;
	size_t i;
	int fd;

	assert_non_null(data);
	for (i = 0; i < size; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		data[i] = (unsigned char)x;
	}
	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, data, size), (ssize_t)size);
	script(&f->a, 200, "stored", "%s", "");
	script(&f->a, 200, "stored", "%s", "");
	rq = request(url_of(f, &f->a, "/upload"));
	rq.method = "PUT";
	rq.body.kind = HF__BODY_FILE;
	rq.body.fd = fd;
	rq.body.offset = off;
	rq.body.len = (int64_t)len;
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_OK);
	assert_int_equal(f->rs.status, 200);
	/* And by POST, the file's tail. */
	rq.method = "POST";
	rq.body.offset = size - 70000;
	rq.body.len = 70000;
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_OK);
	assert_int_equal(nrecs(&f->a), 2);
	r = rec(&f->a, 0);
	assert_string_equal(r->method, "PUT");
	assert_int_equal(r->chunked, 0);
	assert_int_equal(r->body_len, len);
	assert_true(memcmp(r->body, data + off, len) == 0);
	r = rec(&f->a, 1);
	assert_string_equal(r->method, "POST");
	assert_int_equal(r->body_len, 70000);
	assert_true(memcmp(r->body, data + size - 70000, 70000) == 0);
	close(fd);
	free(data);
}

/* A callback body: pieces of odd sizes, and a count of rewinds. */
typedef struct source {
	const unsigned char *data;
	size_t len, pos, piece;
	int rewinds;
	int reads;
} source;

static size_t source_read(char *buf, size_t size, void *payload)
{
	source *s = payload;
	size_t n = s->len - s->pos;

	if (n > size)
		n = size;
	if (n > s->piece)
		n = s->piece;
	memcpy(buf, s->data + s->pos, n);
	s->pos += n;
	s->reads++;
	return n;
}

static int source_rewind(void *payload)
{
	source *s = payload;

	s->pos = 0;
	s->rewinds++;
	return 0;
}

static void test_body_callback_chunked(void **state)
{
	fixture *f = *state;
	const size_t len = 300001;
	unsigned char *data = malloc(len);
	source src;
	hf__request rq;
	size_t i;

	assert_non_null(data);
	for (i = 0; i < len; i++)
		data[i] = (unsigned char)((i * 131) ^ (i >> 9));
	script(&f->a, 200, "ok", "%s", "");
	script(&f->a, 200, "ok", "%s", "");
	memset(&src, 0, sizeof(src));
	src.data = data;
	src.len = len;
	src.piece = 7777;
	rq = request(url_of(f, &f->a, "/stream"));
	rq.method = "PUT";
	rq.body.kind = HF__BODY_CALLBACK;
	rq.body.len = -1;
	rq.body.read = source_read;
	rq.body.payload = &src;
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_OK);
	assert_int_equal(f->rs.status, 200);
	assert_true(src.reads > 1);
	src.pos = 0;
	rq.method = "POST";
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_OK);
	assert_int_equal(nrecs(&f->a), 2);
	for (i = 0; i < 2; i++) {
		const recorded *r = rec(&f->a, (int)i);

		assert_string_equal(r->method, i ? "POST" : "PUT");
		assert_int_equal(r->chunked, 1);
		assert_null(rec_header(r, "Content-Length"));
		assert_int_equal(r->body_len, len);
		assert_true(memcmp(r->body, data, len) == 0);
	}
	free(data);
}

static void test_methods(void **state)
{
	static const char *methods[] = { NULL, "GET", "HEAD", "DELETE", "POST", "PUT", "PATCH" };
	fixture *f = *state;
	hf__request rq;
	size_t i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		script(&f->a, 200, "body", "%s", "");
		rq = request(url_of(f, &f->a, "/m"));
		rq.method = methods[i];
		assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_OK);
		assert_int_equal(f->rs.status, 200);
		assert_string_equal(rec(&f->a, (int)i)->method, methods[i] ? methods[i] : "GET");
		assert_int_equal(rec(&f->a, (int)i)->body_len, 0);
		/* HEAD gets no body; the others get theirs. */
		assert_string_equal(f->rs.body.data, i == 2 ? "" : "body");
	}
	/* A POST without a body says so. */
	assert_string_equal(rec_header(rec(&f->a, 4), "Content-Length"), "0");
}

static void test_response_headers(void **state)
{
	fixture *f = *state;
	hf__request rq;

	script(&f->a, 200, "twelve bytes",
	       "X-Hello: world\r\nx-multi: first\r\nX-Multi: second\r\nETag:   \"abc\"  \r\n"
	       "X-Empty:\r\nLink: <https://x/?a=1>; rel=\"next\"\r\n");
	rq = request(url_of(f, &f->a, "/r"));
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_OK);
	assert_int_equal(f->rs.status, 200);
	assert_int_equal(f->rs.content_length, 12);
	assert_string_equal(f->rs.body.data, "twelve bytes");
	assert_string_equal(hf__response_header(&f->rs, "X-Hello"), "world");
	assert_string_equal(hf__response_header(&f->rs, "x-hello"), "world");
	assert_string_equal(hf__response_header(&f->rs, "X-HELLO"), "world");
	assert_string_equal(hf__response_header(&f->rs, "x-multi"), "second");
	assert_string_equal(hf__response_header(&f->rs, "etag"), "\"abc\"");
	assert_string_equal(hf__response_header(&f->rs, "x-empty"), "");
	assert_string_equal(hf__response_header(&f->rs, "LINK"), "<https://x/?a=1>; rel=\"next\"");
	assert_string_equal(hf__response_header(&f->rs, "content-length"), "12");
	assert_string_equal(hf__response_header(&f->rs, "Connection"), "close");
	assert_null(hf__response_header(&f->rs, "X-Missing"));
	assert_null(hf__response_header(&f->rs, "X-Hell"));
	assert_null(hf__response_header(&f->rs, "HTTP/1.1 200 Scripted"));
	/* The last hop's headers only. */
	script(&f->a, 302, NULL, "Location: /next\r\nX-First-Hop: 1\r\n");
	script(&f->a, 404, "{\"error\":\"nope\"}", "X-Error-Code: EntryNotFound\r\n");
	rq.redirects = HF__REDIRECT_ALL;
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_OK);
	assert_int_equal(f->rs.status, 404);
	assert_null(hf__response_header(&f->rs, "X-First-Hop"));
	assert_null(hf__response_header(&f->rs, "Location"));
	assert_string_equal(hf__response_header(&f->rs, "x-error-code"), "EntryNotFound");
	assert_string_equal(f->rs.body.data, "{\"error\":\"nope\"}");
}

static void test_response_header_one_line(void **state)
{
	fixture *f = *state;
	hf__request rq;
	const char *v;
	size_t i;

	script(&f->a, 200, "ok", "X-Evil: a\x1b[31mb\x01" "c\x7f" "d\r\nX-Cr: a\rb\tc\r\nX-Bytes: \xc2\x9b" "2J \xff ok\r\n");
	rq = request(url_of(f, &f->a, "/r"));
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_OK);
	for (i = 0; i < f->rs.nheaders; i++)
		for (v = f->rs.headers[i].value; *v; v++)
			assert_true((unsigned char)*v >= 0x20 && *v != 0x7f);
	assert_string_equal(hf__response_header(&f->rs, "X-Evil"), "a?[31mb?c?d");
	assert_string_equal(hf__response_header(&f->rs, "X-Cr"), "a b c");
	assert_string_equal(hf__response_header(&f->rs, "X-Bytes"), "?2J ? ok");
}

/* A 2xx body goes to the sink; a kept one is bounded by max_body. */
typedef struct sink_state {
	char got[256];
	size_t len;
	size_t stop_after; /* abort once this much arrived (0: never) */
} sink_state;

static size_t sink(const char *data, size_t len, void *payload)
{
	sink_state *s = payload;

	if (s->len + len >= sizeof(s->got))
		return 0;
	memcpy(s->got + s->len, data, len);
	s->len += len;
	if (s->stop_after && s->len >= s->stop_after)
		return len - 1;
	return len;
}

static void test_sink_and_max_body(void **state)
{
	fixture *f = *state;
	sink_state ss;
	hf__request rq;

	memset(&ss, 0, sizeof(ss));
	script(&f->a, 200, "to the sink", "%s", "");
	script(&f->a, 404, "an error body", "%s", "");
	script(&f->a, 200, "aborted by the sink", "%s", "");
	script(&f->a, 200, "longer than ten bytes", "%s", "");
	script(&f->a, 200, "ten bytes!", "%s", "");
	script(&f->a, 500, "an error body longer than ten bytes", "%s", "");
	rq = request(url_of(f, &f->a, "/file"));
	rq.sink = sink;
	rq.sink_payload = &ss;
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_OK);
	assert_int_equal(f->rs.status, 200);
	assert_int_equal(ss.len, 11);
	assert_memory_equal(ss.got, "to the sink", 11);
	assert_true(f->rs.body.len == 0);
	/* Not a 2xx: kept for the message, the sink sees nothing. */
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_OK);
	assert_int_equal(f->rs.status, 404);
	assert_string_equal(f->rs.body.data, "an error body");
	assert_int_equal(ss.len, 11);
	ss.len = 0;
	ss.stop_after = 1;
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_ECANCELLED);
	assert_int_equal(f->rs.sink_aborted, 1);
	assert_int_equal(f->rs.failure, HF__FAIL_LOCAL);
	/* No sink: at most max_body bytes are kept. */
	rq.sink = NULL;
	rq.max_body = 10;
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_EPROTOCOL);
	assert_int_equal(f->rs.status, 200);
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_OK);
	assert_string_equal(f->rs.body.data, "ten bytes!");
	/* An error body over the limit keeps what fits, for the message. */
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_OK);
	assert_int_equal(f->rs.status, 500);
	assert_string_equal(f->rs.body.data, "an error b");
	assert_int_equal(nrecs(&f->a), 6);
}

/* ------------------------------------------------------------------ */
/* Under the retry policy */

static void test_send_503_then_200(void **state)
{
	fixture *f = *state;
	hf__request rq;
	hf__retry policy;
	double t0, dt;

	script(&f->a, 503, "busy", "%s", "");
	script(&f->a, 200, "fine", "%s", "");
	rq = request(url_of(f, &f->a, "/api/models/x"));
	rq.scope.token = "hf_hub";
	rq.scope.origin = f->a.origin;
	hf__retry_init(&policy, HF__RETRY_API);
	t0 = now_s();
	assert_int_equal(hf__retry_send(f->conn, &rq, &f->rs, &policy), HF_OK);
	dt = now_s() - t0;
	assert_int_equal(f->rs.status, 200);
	assert_string_equal(f->rs.body.data, "fine");
	assert_int_equal(nrecs(&f->a), 2);
	/* The backoff of a first retry: 1 s and up to a quarter more. */
	assert_true(dt >= 0.9);
	assert_true(dt < 2.5);
	assert_string_equal(rec(&f->a, 1)->auth, "Bearer hf_hub");
	assert_string_equal(rec(&f->a, 1)->path, "/api/models/x");
}

static void test_send_429_retry_after(void **state)
{
	fixture *f = *state;
	hf__request rq;
	hf__retry policy;
	double t0, dt;

	script(&f->a, 429, "slow down", "Retry-After: 1\r\n");
	script(&f->a, 200, "fine", "%s", "");
	rq = request(url_of(f, &f->a, "/api/x"));
	hf__retry_init(&policy, HF__RETRY_API);
	t0 = now_s();
	assert_int_equal(hf__retry_send(f->conn, &rq, &f->rs, &policy), HF_OK);
	dt = now_s() - t0;
	assert_int_equal(f->rs.status, 200);
	assert_int_equal(nrecs(&f->a), 2);
	assert_true(dt >= 0.9);
	assert_true(dt < 3.0);
}

static void test_send_budget(void **state)
{
	fixture *f = *state;
	hf__request rq;
	hf__retry policy;

	f->a.repeat_last = 1;
	script(&f->a, 503, "down", "Retry-After: 0\r\n");
	rq = request(url_of(f, &f->a, "/api/x"));
	hf__retry_init(&policy, HF__RETRY_API);
	policy.max_attempts = 2;
	assert_int_equal(hf__retry_send(f->conn, &rq, &f->rs, &policy), HF_OK);
	assert_int_equal(f->rs.status, 503);
	assert_string_equal(f->rs.body.data, "down");
	assert_int_equal(nrecs(&f->a), 2);

	/* ONCE: one attempt whatever the answer. */
	hf__retry_init(&policy, HF__RETRY_ONCE);
	assert_int_equal(hf__retry_send(f->conn, &rq, &f->rs, &policy), HF_OK);
	assert_int_equal(f->rs.status, 503);
	assert_int_equal(nrecs(&f->a), 3);
}

static void test_send_create_500_not_retried(void **state)
{
	fixture *f = *state;
	static const char body[] = "{\"summary\":\"x\"}";
	hf__request rq;
	hf__retry policy;

	script(&f->a, 500, "oops", "Retry-After: 0\r\n");
	script(&f->a, 200, "should not be asked", "%s", "");
	rq = request(url_of(f, &f->a, "/api/models/x/commit/main"));
	rq.method = "POST";
	rq.body.kind = HF__BODY_MEMORY;
	rq.body.data = body;
	rq.body.len = (int64_t)strlen(body);
	hf__retry_init(&policy, HF__RETRY_CREATE);
	assert_int_equal(hf__retry_send(f->conn, &rq, &f->rs, &policy), HF_OK);
	assert_int_equal(f->rs.status, 500);
	assert_int_equal(nrecs(&f->a), 1);
	assert_memory_equal(rec(&f->a, 0)->body, body, strlen(body));
}

static void test_send_create_429_retried(void **state)
{
	fixture *f = *state;
	static const char body[] = "{\"summary\":\"x\"}";
	hf__request rq;
	hf__retry policy;
	int i;

	script(&f->a, 429, "later", "Retry-After: 0\r\n");
	script(&f->a, 200, "{\"commitOid\":\"1\"}", "%s", "");
	rq = request(url_of(f, &f->a, "/api/models/x/commit/main"));
	rq.method = "POST";
	rq.body.kind = HF__BODY_MEMORY;
	rq.body.data = body;
	rq.body.len = (int64_t)strlen(body);
	hf__retry_init(&policy, HF__RETRY_CREATE);
	assert_int_equal(hf__retry_send(f->conn, &rq, &f->rs, &policy), HF_OK);
	assert_int_equal(f->rs.status, 200);
	assert_int_equal(nrecs(&f->a), 2);
	for (i = 0; i < 2; i++) {
		assert_string_equal(rec(&f->a, i)->method, "POST");
		assert_int_equal(rec(&f->a, i)->body_len, strlen(body));
		assert_memory_equal(rec(&f->a, i)->body, body, strlen(body));
	}
}

/* A create that went out and got no reply may have taken effect. */
static void test_send_create_no_reply(void **state)
{
	fixture *f = *state;
	hf__request rq;
	hf__retry policy;

	script(&f->a, 0, NULL, "%s", "");
	script(&f->a, 200, "should not be asked", "%s", "");
	rq = request(url_of(f, &f->a, "/api/repos/create"));
	rq.method = "POST";
	hf__retry_init(&policy, HF__RETRY_CREATE);
	assert_int_equal(hf__retry_send(f->conn, &rq, &f->rs, &policy), HF_ENETWORK);
	assert_int_equal(f->rs.failure, HF__FAIL_TRANSFER);
	assert_int_equal(f->rs.sent, 1);
	assert_int_equal(hf__retry_judge(&policy, HF_ENETWORK, &f->rs), HF__RETRY_UNKNOWN);
	assert_int_equal(nrecs(&f->a), 1);
}

/* A port nobody listens on: no connection, not retried for an API call. */
static void test_send_connect_refused(void **state)
{
	fixture *f = *state;
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	hf__request rq;
	hf__retry policy;
	double t0;
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;
	char url[64];

	assert_true(fd >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);
	close(fd); /* bound, never listened: refused */
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/api", port);
	rq = request(url);
	hf__retry_init(&policy, HF__RETRY_API);
	t0 = now_s();
	assert_int_equal(hf__retry_send(f->conn, &rq, &f->rs, &policy), HF_ENETWORK);
	assert_true(now_s() - t0 < 0.8);
	assert_int_equal(f->rs.failure, HF__FAIL_CONNECT);
	assert_int_equal(f->rs.sent, 0);
	assert_int_equal(f->rs.status, 0);
	assert_int_equal(policy.failures, 0);
}

static atomic_int cancel_flag;

static void *cancel_later(void *arg)
{
	struct timespec ts = { 0, 300 * 1000000L };

	(void)arg;
	nanosleep(&ts, NULL);
	atomic_store(&cancel_flag, 1);
	return NULL;
}

static void test_send_cancel_during_wait(void **state)
{
	fixture *f = *state;
	hf__request rq;
	hf__retry policy;
	pthread_t th;
	double t0, dt;

	script(&f->a, 429, "later", "Retry-After: 30\r\n");
	script(&f->a, 200, "should not be asked", "%s", "");
	atomic_store(&cancel_flag, 0);
	rq = request(url_of(f, &f->a, "/api/x"));
	rq.cancel = &cancel_flag;
	hf__retry_init(&policy, HF__RETRY_API);
	policy.cancel = &cancel_flag;
	assert_int_equal(pthread_create(&th, NULL, cancel_later, NULL), 0);
	t0 = now_s();
	assert_int_equal(hf__retry_send(f->conn, &rq, &f->rs, &policy), HF_ECANCELLED);
	dt = now_s() - t0;
	pthread_join(th, NULL);
	assert_true(dt >= 0.25);
	assert_true(dt < 1.3);
	assert_int_equal(nrecs(&f->a), 1);
	assert_true(f->rs.errmsg[0] != '\0');

	/* The policy's flag alone ends the wait (the request has none). */
	atomic_store(&cancel_flag, 0);
	script(&f->b, 503, "busy", "Retry-After: 30\r\n");
	script(&f->b, 200, "should not be asked", "%s", "");
	rq.url = url_of(f, &f->b, "/api/x");
	rq.cancel = NULL;
	hf__retry_init(&policy, HF__RETRY_API);
	policy.cancel = &cancel_flag;
	assert_int_equal(pthread_create(&th, NULL, cancel_later, NULL), 0);
	t0 = now_s();
	assert_int_equal(hf__retry_send(f->conn, &rq, &f->rs, &policy), HF_ECANCELLED);
	dt = now_s() - t0;
	pthread_join(th, NULL);
	assert_true(dt >= 0.25);
	assert_true(dt < 1.3);
	assert_int_equal(nrecs(&f->b), 1);
	assert_int_equal(nrecs(&f->a), 1);
	atomic_store(&cancel_flag, 0);
}

static void test_send_rewinds_body(void **state)
{
	fixture *f = *state;
	const size_t len = 150000;
	unsigned char *data = malloc(len);
	source src;
	hf__request rq;
	hf__retry policy;
	int i;

	assert_non_null(data);
	for (i = 0; i < (int)len; i++)
		data[i] = (unsigned char)(i * 13 + 5);
	script(&f->a, 503, "busy", "Retry-After: 0\r\n");
	script(&f->a, 200, "ok", "%s", "");
	memset(&src, 0, sizeof(src));
	src.data = data;
	src.len = len;
	src.piece = 9999;
	rq = request(url_of(f, &f->a, "/xorb"));
	rq.method = "POST";
	rq.body.kind = HF__BODY_CALLBACK;
	rq.body.len = (int64_t)len;
	rq.body.read = source_read;
	rq.body.rewind = source_rewind;
	rq.body.payload = &src;
	hf__retry_init(&policy, HF__RETRY_TRANSFER);
	assert_int_equal(hf__retry_send(f->conn, &rq, &f->rs, &policy), HF_OK);
	assert_int_equal(f->rs.status, 200);
	assert_int_equal(nrecs(&f->a), 2);
	assert_true(src.rewinds >= 1);
	for (i = 0; i < 2; i++) {
		assert_int_equal(rec(&f->a, i)->body_len, len);
		assert_true(memcmp(rec(&f->a, i)->body, data, len) == 0);
	}

	/* Without a rewind, a body cannot be sent again: one attempt. */
	script(&f->a, 503, "busy", "Retry-After: 0\r\n");
	script(&f->a, 200, "should not be asked", "%s", "");
	src.pos = 0;
	rq.body.rewind = NULL;
	hf__retry_init(&policy, HF__RETRY_TRANSFER);
	assert_int_equal(hf__retry_send(f->conn, &rq, &f->rs, &policy), HF_OK);
	assert_int_equal(f->rs.status, 503);
	assert_int_equal(nrecs(&f->a), 3);
	assert_int_equal(rec(&f->a, 2)->body_len, len);
	free(data);
}

/* ------------------------------------------------------------------ */
/* Offline */

static void test_offline(void **state)
{
	fixture *f = *state;
	hf__transport_settings settings;
	hf__transport *t;
	hf__conn *conn;
	hf__request rq;
	hf__retry policy;

	memset(&settings, 0, sizeof(settings));
	settings.offline = 1;
	t = hf__transport_new(&settings);
	assert_non_null(t);
	conn = hf__conn_new(t);
	assert_non_null(conn);
	script(&f->a, 200, "should not be asked", "%s", "");
	rq = request(url_of(f, &f->a, "/api/x"));
	rq.scope.token = "hf_hub";
	rq.scope.origin = f->a.origin;
	assert_int_equal(hf__http_perform(conn, &rq, &f->rs), HF_EOFFLINE);
	assert_int_equal(f->rs.status, 0);
	assert_true(f->rs.errmsg[0] != '\0');
	hf__retry_init(&policy, HF__RETRY_TRANSFER);
	assert_int_equal(hf__retry_send(conn, &rq, &f->rs, &policy), HF_EOFFLINE);
	assert_int_equal(hf__http_offline(&rq, &f->rs), HF_EOFFLINE);
	assert_int_equal(nconns(&f->a), 0);
	assert_int_equal(nrecs(&f->a), 0);
	hf__conn_free(conn);
	hf__transport_free(t);
	/* The fixture's (online) connection does reach it. */
	assert_int_equal(hf__http_perform(f->conn, &rq, &f->rs), HF_OK);
	assert_int_equal(nrecs(&f->a), 1);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_scope_token_to_its_origin),
		T(test_scope_not_across_redirect),
		T(test_scope_never_regained),
		T(test_scope_second_token),
		T(test_scope_port_or_scheme_differs),
		T(test_scope_caller_authorization_refused),
		cmocka_unit_test(test_scope_allows_cases),
		T(test_redirect_none),
		T(test_redirect_relative),
		T(test_redirect_loop),
		T(test_redirect_nine_hops),
		T(test_redirect_unsafe),
		T(test_redirect_methods),
		T(test_extra_headers),
		T(test_body_memory_binary),
		T(test_body_file_range),
		T(test_body_callback_chunked),
		T(test_methods),
		T(test_response_headers),
		T(test_response_header_one_line),
		T(test_sink_and_max_body),
		T(test_send_503_then_200),
		T(test_send_429_retry_after),
		T(test_send_budget),
		T(test_send_create_500_not_retried),
		T(test_send_create_429_retried),
		T(test_send_create_no_reply),
		T(test_send_connect_refused),
		T(test_send_cancel_during_wait),
		T(test_send_rewinds_body),
		T(test_offline),
	};

	/* Never a proxy: every request of this file is for the loopback. */
	unsetenv("http_proxy");
	unsetenv("HTTP_PROXY");
	unsetenv("https_proxy");
	unsetenv("HTTPS_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	setenv("no_proxy", "*", 1);
	setenv("NO_PROXY", "*", 1);
	/* A hang (a server or a client waiting for the other) fails instead. */
	alarm(60);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

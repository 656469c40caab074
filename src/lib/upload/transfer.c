/*
 * Sending one LFS object: see transfer.h and docs/internals/upload.md
 * ("Transfers").
 */
#include "upload/transfer.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hf/errors.h"
#include "fsutil.h"
#include "pool.h"
#include "retry.h"
#include "upload/multipart_state.h"
#include "util.h"

/* The storage's answers are small: an S3 error document, a completion JSON. */
#define ANSWER_MAX ((size_t)64 << 10)

static const hf__header lfs_json_headers[] = {
	{ "Accept", "application/vnd.git-lfs+json" },
	{ "Content-Type", "application/vnd.git-lfs+json" },
};

static void say(hf__failure *f, int code, long status, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void say(hf__failure *f, int code, long status, const char *hint, const char *fmt, ...)
{
	va_list ap;

	memset(f, 0, sizeof(*f));
	f->code = code;
	f->status = status;
	va_start(ap, fmt);
	vsnprintf(f->message, sizeof(f->message), fmt, ap);
	va_end(ap);
	if (hint)
		snprintf(f->hint, sizeof(f->hint), "%s", hint);
}

/* The text between <tag> and </tag> of an S3 error document, or "". */
static void xml_field(const hf__response *rs, const char *tag, char *out, size_t size)
{
	char open[32], close[32];
	const char *a, *b, *body = rs->body.data;
	size_t i;

	out[0] = '\0';
	if (!body || rs->body.len == 0)
		return;
	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	a = strstr(body, open);
	if (!a)
		return;
	a += strlen(open);
	b = strstr(a, close);
	if (!b)
		return;
	for (i = 0; a < b && i + 1 < size; a++)
		out[i++] = (*a >= 0x20 && *a < 0x7f) ? *a : '?';
	out[i] = '\0';
}

/*
 * What a failed exchange with the storage (or the completion endpoint)
 * means. rc is hf__http_perform's; what names the step ("part 3 of
 * <oid>"). A 403 is what S3 answers for a presigned URL that expired.
 */
static void storage_failure(hf__failure *f, int rc, const hf__response *rs, const char *what)
{
	char code[64], msg[160];
	const char *hub_msg;

	if (rc != HF_OK) {
		say(f, rc, 0, rc == HF_ECANCELLED ? NULL : "check the network and run the upload again: "
		    "objects already stored are not sent again",
		    "upload of %s failed: %s", what, rs->errmsg[0] ? rs->errmsg : hf_strerror(rc));
		return;
	}
	xml_field(rs, "Code", code, sizeof(code));
	xml_field(rs, "Message", msg, sizeof(msg));
	hub_msg = hf__response_header(rs, "X-Error-Message");
	if (!msg[0] && hub_msg)
		snprintf(msg, sizeof(msg), "%s", hub_msg);
	if (rs->status == 403)
		say(f, HF_EFORBIDDEN, 403, "upload URLs are valid for a limited time: run the upload "
		    "again to get new ones", "the storage refused the upload of %s (HTTP 403%s%s%s%s)",
		    what, code[0] ? " " : "", code, msg[0] ? ": " : "", msg);
	else if (rs->status == 429)
		say(f, HF_ERATELIMIT, 429, "wait a moment and run the upload again",
		    "the storage is rate limiting the upload of %s", what);
	else if (rs->status >= 500)
		say(f, HF_ESERVER, rs->status, "the storage is failing: run the upload again later",
		    "the storage failed the upload of %s (HTTP %ld%s%s)", what, rs->status,
		    msg[0] ? ": " : "", msg);
	else
		say(f, HF_EPROTOCOL, rs->status, NULL, "the storage refused the upload of %s (HTTP %ld%s%s%s%s)",
		    what, rs->status, code[0] ? " " : "", code, msg[0] ? ": " : "", msg);
	snprintf(f->request_id, sizeof(f->request_id), "%s",
		 hf__response_header(rs, "x-amz-request-id") ? hf__response_header(rs, "x-amz-request-id")
		 : hf__request_id(rs) ? hf__request_id(rs) : "");
}

static int is_2xx(long status)
{
	return status >= 200 && status < 300;
}

static void base_request(const hf__lfs_send_ctx *ctx, hf__request *rq, const char *method,
			 const char *url)
{
	memset(rq, 0, sizeof(*rq));
	rq->method = method;
	rq->url = url;
	rq->scope.token = NULL;  /* presigned: no credential of ours, ever */
	rq->scope.origin = url;
	rq->connect_timeout_s = ctx->connect_timeout_s;
	rq->stall_timeout_s = ctx->stall_timeout_s;
	rq->redirects = HF__REDIRECT_NONE;
	rq->max_body = ANSWER_MAX;
	rq->cancel = ctx->cancel;
}

/* The file still has the size the hash was computed for. */
static int unchanged(int fd, uint64_t size, const char *oid, hf__failure *f)
{
	struct stat st;

	if (fstat(fd, &st) != 0) {
		say(f, HF_EIO, 0, NULL, "cannot read the file of object %.12s: %s", oid, strerror(errno));
		return -1;
	}
	if ((uint64_t)st.st_size != size) {
		say(f, HF_ECHANGED, 0, "run the upload again once the file is no longer being written",
		    "the file of object %.12s changed size while it was being uploaded (%" PRIu64
		    " bytes, now %lld): nothing was committed", oid, size, (long long)st.st_size);
		return -1;
	}
	return 0;
}

/*
 * PUT bytes [off, off + len) of fd to url. On success *etag (when not
 * NULL) gets the reply's ETag, kept verbatim (quotes included).
 */
static int put_range(const hf__lfs_send_ctx *ctx, hf__conn *conn, const char *url, int fd,
		     uint64_t off, uint64_t len, char **etag, const char *what, hf__failure *f)
{
	hf__request rq;
	hf__response rs = HF__RESPONSE_INIT;
	hf__retry policy;
	int rc;

	base_request(ctx, &rq, "PUT", url);
	rq.body.kind = HF__BODY_FILE;
	rq.body.fd = fd;
	rq.body.offset = off;
	rq.body.len = (int64_t)len;
	hf__retry_init(&policy, HF__RETRY_TRANSFER);
	policy.cancel = ctx->cancel;
	rc = hf__retry_send(conn, &rq, &rs, &policy);
	if (rc != HF_OK || !is_2xx(rs.status)) {
		storage_failure(f, rc, &rs, what);
		hf__response_dispose(&rs);
		return f->code;
	}
	if (etag) {
		const char *e = hf__response_header(&rs, "ETag");

		if (!e || !hf__mp_state_value_ok(e)) {
			say(f, HF_EPROTOCOL, rs.status, NULL, "the storage accepted %s without an ETag: "
			    "cannot complete the multipart upload", what);
			hf__response_dispose(&rs);
			return f->code;
		}
		*etag = hf__strdup(e);
		if (!*etag) {
			hf__response_dispose(&rs);
			say(f, HF_ENOMEM, 0, NULL, "out of memory");
			return HF_ENOMEM;
		}
	}
	hf__response_dispose(&rs);
	return HF_OK;
}

static int report_sent(const hf__lfs_send_ctx *ctx, uint64_t bytes, hf__failure *f)
{
	if (ctx->sent && ctx->sent(ctx->sent_payload, bytes) != 0) {
		say(f, HF_ECANCELLED, 0, NULL, "cancelled");
		return HF_ECANCELLED;
	}
	return HF_OK;
}

/* ---- multipart ---------------------------------------------------------- */

typedef struct mp_run {
	const hf__lfs_send_ctx *ctx;
	hf__mp_state *st;
	const char *state_path;    /* NULL: no resume file */
	int fd;
	size_t *todo;              /* part indexes (0-based) left to send */
	size_t n_todo;
	pthread_mutex_t mu;        /* st->etags, the resume file, f, the sent callback */
	hf__failure f;
	atomic_int stop;           /* a part failed: the others stop at once */
} mp_run;

/*
 * Write the resume file; failing to keep it costs only a resend, so errors
 * are ignored. Written after every part, so without an fsync (an fsync
 * per part cost 0.74 s on a 2 GiB upload, see bench/README.md): after a
 * machine crash the file may be old or empty, and a stale or torn file is
 * either still right (fewer ETags) or refused by the parser.
 */
static void save_state(const mp_run *r)
{
	hf__buf text = HF__BUF_INIT;

	if (!r->state_path)
		return;
	if (hf__mp_state_format(&text, r->st) == 0)
		(void)hf__write_file_atomic_nosync(r->state_path, text.data, text.len, 0600);
	hf__buf_dispose(&text);
}

static int mp_thread_init(void *payload, void **thread_ctx)
{
	mp_run *r = payload;

	*thread_ctx = hf__conn_new(r->ctx->transport);
	return *thread_ctx ? 0 : HF_ENOMEM;
}

static void mp_thread_free(void *payload, void *thread_ctx)
{
	(void)payload;
	hf__conn_free(thread_ctx);
}

static int mp_job(void *payload, void *thread_ctx, size_t index)
{
	mp_run *r = payload;
	size_t part = r->todo[index];
	uint64_t off = (uint64_t)part * r->st->chunk;
	uint64_t len = r->st->size - off < r->st->chunk ? r->st->size - off : r->st->chunk;
	char what[128], *etag = NULL;
	hf__failure f;
	int rc;

	if (atomic_load(&r->stop))
		return HF_ECANCELLED;
	snprintf(what, sizeof(what), "part %zu of %zu of object %.12s", part + 1, r->st->n_parts,
		 r->st->oid);
	rc = put_range(r->ctx, thread_ctx, r->st->parts[part], r->fd, off, len, &etag, what, &f);
	pthread_mutex_lock(&r->mu);
	if (rc == HF_OK) {
		r->st->etags[part] = etag;
		save_state(r);
		rc = report_sent(r->ctx, len, &f);
	}
	if (rc != HF_OK) {
		if (!r->f.code)
			r->f = f;
		atomic_store(&r->stop, 1);
	}
	pthread_mutex_unlock(&r->mu);
	return rc;
}

/* Send the parts st has no ETag for, parts_in_flight at once. */
static int send_parts(const hf__lfs_send_ctx *ctx, hf__conn *conn, hf__mp_state *st,
		      const char *state_path, int fd, hf__failure *f)
{
	static const hf__pool_ops ops = { mp_thread_init, mp_thread_free, mp_job, NULL };
	mp_run r;
	size_t i;
	int rc;

	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	r.st = st;
	r.state_path = state_path;
	r.fd = fd;
	r.todo = calloc(st->n_parts, sizeof(*r.todo));
	if (!r.todo) {
		say(f, HF_ENOMEM, 0, NULL, "out of memory");
		return HF_ENOMEM;
	}
	for (i = 0; i < st->n_parts; i++)
		if (!st->etags[i])
			r.todo[r.n_todo++] = i;
	pthread_mutex_init(&r.mu, NULL);
	atomic_init(&r.stop, 0);
	if (r.n_todo == 1 || ctx->parts_in_flight <= 1) {
		/* One at a time on the caller's connection: no thread, no extra connection. */
		for (i = 0, rc = HF_OK; i < r.n_todo && rc == HF_OK; i++) {
			hf__failure pf;
			size_t part = r.todo[i];
			uint64_t off = (uint64_t)part * st->chunk;
			uint64_t len = st->size - off < st->chunk ? st->size - off : st->chunk;
			char what[128], *etag = NULL;

			snprintf(what, sizeof(what), "part %zu of %zu of object %.12s", part + 1,
				 st->n_parts, st->oid);
			rc = put_range(ctx, conn, st->parts[part], fd, off, len, &etag, what, &pf);
			if (rc == HF_OK) {
				st->etags[part] = etag;
				save_state(&r);
				rc = report_sent(ctx, len, &pf);
			}
			if (rc != HF_OK)
				r.f = pf;
		}
	} else {
		rc = hf__pool_run(r.n_todo, (size_t)ctx->parts_in_flight, &ops, &r, NULL);
		if (rc != HF_OK && !r.f.code)
			say(&r.f, rc, 0, NULL, "upload of object %.12s failed: %s", st->oid, hf_strerror(rc));
	}
	pthread_mutex_destroy(&r.mu);
	free(r.todo);
	if (rc != HF_OK)
		*f = r.f;
	return rc;
}

static int complete(const hf__lfs_send_ctx *ctx, hf__conn *conn, const hf__mp_state *st,
		    hf__failure *f)
{
	hf__buf body = HF__BUF_INIT;
	hf__request rq;
	hf__response rs = HF__RESPONSE_INIT;
	hf__retry policy;
	char what[96];
	int rc;

	if (hf__lfs_completion_body(&body, st->oid, (const char *const *)st->etags, st->n_parts) < 0) {
		hf__buf_dispose(&body);
		say(f, HF_ENOMEM, 0, NULL, "cannot make the completion of object %.12s", st->oid);
		return f->code;
	}
	base_request(ctx, &rq, "POST", st->complete);
	rq.headers = lfs_json_headers;
	rq.nheaders = sizeof(lfs_json_headers) / sizeof(lfs_json_headers[0]);
	rq.body.kind = HF__BODY_MEMORY;
	rq.body.data = body.data;
	rq.body.len = (int64_t)body.len;
	hf__retry_init(&policy, HF__RETRY_TRANSFER);
	policy.cancel = ctx->cancel;
	rc = hf__retry_send(conn, &rq, &rs, &policy);
	hf__buf_dispose(&body);
	snprintf(what, sizeof(what), "object %.12s (completion)", st->oid);
	if (rc != HF_OK || !is_2xx(rs.status)) {
		storage_failure(f, rc, &rs, what);
		rc = f->code;
	}
	hf__response_dispose(&rs);
	return rc;
}

/* The state for a fresh upload as the batch answer gave it (URLs moved to the endpoint). */
static int state_from_action(hf__mp_state *st, const hf__lfs_action *a, const char *oid,
			     uint64_t size, const char *endpoint)
{
	size_t i;

	memset(st, 0, sizeof(*st));
	memcpy(st->oid, oid, 64);
	st->oid[64] = '\0';
	st->size = size;
	st->chunk = a->chunk_size;
	st->n_parts = a->n_parts;
	st->complete = hf__lfs_href_for_endpoint(a->href, endpoint);
	st->parts = calloc(a->n_parts, sizeof(*st->parts));
	st->etags = calloc(a->n_parts, sizeof(*st->etags));
	if (!st->complete || !st->parts || !st->etags)
		return -1;
	for (i = 0; i < a->n_parts; i++)
		if (!(st->parts[i] = hf__lfs_href_for_endpoint(a->parts[i], endpoint)))
			return -1;
	return 0;
}

/* A resume file for this very object (same oid, size and part size), or -1. */
static int state_load(hf__mp_state *st, const char *path, const char *oid, uint64_t size,
		      uint64_t chunk)
{
	char *text = NULL;
	size_t len = 0;

	if (!path || hf__read_file(path, (size_t)4 << 20, &text, &len) != 0)
		return -1;
	if (hf__mp_state_parse(text, len, st) != 0) {
		free(text);
		return -1;
	}
	free(text);
	if (strcmp(st->oid, oid) != 0 || st->size != size || st->chunk != chunk) {
		hf__mp_state_dispose(st);
		return -1;
	}
	return 0;
}

static int send_multipart(const hf__lfs_send_ctx *ctx, hf__conn *conn, const hf__lfs_action *a,
			  const char *oid, uint64_t size, int fd, hf__failure *f)
{
	hf__mp_state st;
	char *path = NULL;
	int resumed = 0, rc;
	size_t i;

	if (ctx->resume_dir && hf__mkdirs(ctx->resume_dir, 0700, NULL) == 0) {
		size_t n = strlen(ctx->resume_dir) + 64 + 16;

		path = malloc(n);
		if (path)
			snprintf(path, n, "%s/%s.multipart", ctx->resume_dir, oid);
	}
	for (;;) {
		if (!resumed && state_load(&st, path, oid, size, a->chunk_size) == 0) {
			uint64_t done = 0;

			resumed = 1;
			for (i = 0; i < st.n_parts; i++)
				if (st.etags[i])
					done += i + 1 < st.n_parts ? st.chunk : size - i * st.chunk;
			rc = report_sent(ctx, done, f);
			if (rc != HF_OK)
				break;
		} else {
			resumed = resumed ? 2 : 0; /* 2: a resume was tried and given up */
			if (state_from_action(&st, a, oid, size, ctx->endpoint) != 0) {
				hf__mp_state_dispose(&st);
				say(f, HF_ENOMEM, 0, NULL, "out of memory");
				rc = HF_ENOMEM;
				break;
			}
		}
		rc = send_parts(ctx, conn, &st, path, fd, f);
		if (rc == HF_OK)
			rc = complete(ctx, conn, &st, f);
		hf__mp_state_dispose(&st);
		/*
		 * An upload taken up again may have outlived its URLs (403) or
		 * the storage may have dropped it (4xx at completion): start a
		 * fresh one with the URLs of this batch answer, once.
		 */
		if (rc != HF_OK && resumed == 1 && f->status >= 400 && f->status < 500 &&
		    f->status != 429) {
			if (path)
				(void)hf__remove_file(path);
			continue;
		}
		break;
	}
	if (rc == HF_OK && path)
		(void)hf__remove_file(path);
	free(path);
	return rc;
}

/* ---- verify ------------------------------------------------------------- */

static int verify(const hf__lfs_send_ctx *ctx, hf__conn *conn, const hf__lfs_action *a,
		  const char *oid, uint64_t size, hf__failure *f)
{
	hf__buf body = HF__BUF_INIT;
	hf__request rq;
	hf__response rs = HF__RESPONSE_INIT;
	hf__retry policy;
	char *url;
	int rc;

	url = hf__lfs_href_for_endpoint(a->verify_href, ctx->endpoint);
	if (!url || hf__lfs_verify_body(&body, oid, size) < 0) {
		free(url);
		hf__buf_dispose(&body);
		say(f, HF_ENOMEM, 0, NULL, "out of memory");
		return HF_ENOMEM;
	}
	base_request(ctx, &rq, "POST", url);
	/*
	 * The verify call is the Hub's: it gets the Hub token, and only when
	 * it is on the Hub's origin. The answer's own verify headers are not
	 * used (they would carry a credential in a form of the server's
	 * choosing, and the request layer sets Authorization itself).
	 */
	if (hf__scope_allows(&ctx->hub_scope, url))
		rq.scope = ctx->hub_scope;
	rq.headers = lfs_json_headers;
	rq.nheaders = sizeof(lfs_json_headers) / sizeof(lfs_json_headers[0]);
	rq.body.kind = HF__BODY_MEMORY;
	rq.body.data = body.data;
	rq.body.len = (int64_t)body.len;
	hf__retry_init(&policy, HF__RETRY_API);
	policy.cancel = ctx->cancel;
	rc = hf__retry_send(conn, &rq, &rs, &policy);
	if (rc != HF_OK || !is_2xx(rs.status)) {
		char what[96];

		snprintf(what, sizeof(what), "object %.12s (verify)", oid);
		storage_failure(f, rc, &rs, what);
		if (rc == HF_OK && rs.status == 404)
			f->code = HF_EINTEGRITY;
		rc = f->code;
	}
	hf__response_dispose(&rs);
	hf__buf_dispose(&body);
	free(url);
	return rc;
}

int hf__lfs_send(const hf__lfs_send_ctx *ctx, hf__conn *conn, const hf__lfs_action *a,
		 const char *oid, uint64_t size, int fd, hf__failure *fail)
{
	int rc;

	memset(fail, 0, sizeof(*fail));
	if (!ctx || !conn || !a || !oid || strlen(oid) != 64 ||
	    (a->kind != HF__LFS_BASIC && a->kind != HF__LFS_MULTIPART) || !a->href) {
		say(fail, HF_EINVAL, 0, NULL, "invalid LFS transfer");
		return HF_EINVAL;
	}
	if (unchanged(fd, size, oid, fail) != 0)
		return fail->code;
	if (a->kind == HF__LFS_BASIC) {
		char *url = hf__lfs_href_for_endpoint(a->href, ctx->endpoint), what[96];

		if (!url) {
			say(fail, HF_ENOMEM, 0, NULL, "out of memory");
			return HF_ENOMEM;
		}
		snprintf(what, sizeof(what), "object %.12s", oid);
		rc = put_range(ctx, conn, url, fd, 0, size, NULL, what, fail);
		free(url);
		if (rc == HF_OK)
			rc = report_sent(ctx, size, fail);
	} else {
		rc = send_multipart(ctx, conn, a, oid, size, fd, fail);
	}
	/* A file that changed under a part is a changed file, whatever the storage said. */
	if (rc != HF_OK && rc != HF_ECANCELLED) {
		hf__failure changed;

		if (unchanged(fd, size, oid, &changed) != 0 && changed.code == HF_ECHANGED)
			*fail = changed;
		return fail->code;
	}
	if (rc == HF_OK && a->verify_href)
		rc = verify(ctx, conn, a, oid, size, fail);
	return rc;
}

/*
 * The HTTP side of a fetch: one exchange for a byte range (redirects
 * followed by the request layer, the reply's status, encoding and
 * Content-Range checked before the first byte is kept), the sink that
 * writes what arrives (into the file, or into the streaming ring of
 * fetch_stream.c), and the retry loop around it that resumes a broken
 * range where it stopped. Shared state: fetch_int.h. How it fits in the
 * download engine: docs/internals/download.md.
 */
#include "fetch_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "parse.h"
#include "retry.h"
#include "util.h"

/* ---- one HTTP exchange with redirects ---- */

typedef struct sink_ctx {
	shared *s;
	const hf__response *rs; /* the reply being received: its status and headers */
	uint64_t req_start;   /* first byte asked for */
	uint64_t off;         /* next byte to write */
	uint64_t end;         /* one past the last byte asked for */
	int checked;
	int ranged;           /* a Range header was sent */
	int single;           /* the one writer: it moves the frontier itself */
	size_t chunk;         /* ranged mode: the chunk being written */
	int range_ignored, bad_range, too_long, io_error;
	int encoded;          /* a Content-Encoding although identity was asked */
} sink_ctx;

/* "bytes a-b/total" (or "*" for the total) must be exactly what was asked. */
static int content_range_ok(const char *v, uint64_t a, uint64_t b_incl, uint64_t total)
{
	unsigned long long ra, rb, rt;
	int known;

	if (!v || hf__parse_content_range(v, &ra, &rb, &rt, &known) != 0)
		return 0;
	return ra == a && rb == b_incl && (!known || rt == total);
}

static size_t on_data(const char *data, size_t len, void *payload)
{
	sink_ctx *k = payload;
	shared *s = k->s;

	if (!k->checked) {
		k->checked = 1;
		const char *enc = hf__response_header(k->rs, "Content-Encoding");

		if (enc && strcasecmp(enc, "identity") != 0) {
			k->encoded = 1;
			return 0;
		}
		if (k->ranged && k->rs->status == 200) {
			/* Range ignored: never splice a full body onto a partial. */
			k->range_ignored = 1;
			return 0;
		}
		if (k->ranged && !content_range_ok(hf__response_header(k->rs, "Content-Range"),
						   k->req_start, k->end - 1, s->f->size)) {
			k->bad_range = 1;
			return 0;
		}
	}
	if (hf__fetch_stopped(s))
		return 0;
	if (len > k->end - k->off) {
		k->too_long = 1;
		return 0;
	}
	if (s->streaming) {
		if (s->deliver(s, data, len) != 0)
			return 0;
		k->off += len;
		return len;
	}
	k->io_error = hf__fetch_pwrite_all(s->fd, (const unsigned char *)data, len, k->off);
	if (k->io_error)
		return 0;
	if (s->inline_hash)
		hf__hash_update(&s->hash, data, len);
	k->off += len;
	if (k->single) {
		pthread_mutex_lock(&s->mu);
		s->frontier = k->off;
		s->f->bytes_fetched += len;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
	} else {
		pthread_mutex_lock(&s->mu);
		s->f->bytes_fetched += len;
		s->chunk_pos[k->chunk] = k->off;
		/* The lowest unfinished chunk extends the contiguous prefix. */
		if (k->chunk == s->first_undone) {
			s->frontier = k->off;
			pthread_cond_broadcast(&s->cv);
		}
		pthread_mutex_unlock(&s->mu);
	}
	hf__fetch_report_progress(s, len);
	return len;
}

/* Fill the error for a final HTTP status from the Hub or the storage. */
static void http_failure(shared *s, const hf__response *rs)
{
	hf__failure fl;

	hf__hub_describe_response(&s->f->subject, rs, &fl);
	pthread_mutex_lock(&s->mu);
	if (!s->f->failure.code)
		s->f->failure = fl;
	s->stop = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* Kept for the message if the retries run out. */
static void note(shared *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(shared *s, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&s->mu);
	if (!s->f->failure.code) {
		va_start(ap, fmt);
		vsnprintf(s->f->failure.message, sizeof(s->f->failure.message), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&s->mu);
}

/*
 * Ask for bytes [k->off, k->end) (no Range when asking for the whole
 * file). The request layer follows the redirects and sends the token only
 * while the URL stays on the Hub's origin (http.h).
 */
static int exchange(shared *s, hf__conn *conn, sink_ctx *k, hf__response *rs)
{
	hf__fetch *f = s->f;
	hf__request rq;
	char range[64];
	char *start;
	int rc, from_cdn;

	pthread_mutex_lock(&s->mu);
	start = hf__strdup(s->cdn_url ? s->cdn_url : f->url);
	pthread_mutex_unlock(&s->mu);
	if (!start) {
		hf__fetch_set_error(s, HF_ENOMEM, 0, NULL, "out of memory");
		return EX_FATAL;
	}
	k->ranged = !(k->off == 0 && k->end == f->size);
	k->req_start = k->off;
	k->checked = 0;
	k->rs = rs;
	snprintf(range, sizeof(range), "%llu-%llu", (unsigned long long)k->off,
		 (unsigned long long)(k->end - 1));
	memset(&rq, 0, sizeof(rq));
	rq.url = start;
	rq.scope = f->scope;
	rq.range = k->ranged ? range : NULL;
	rq.identity = 1;
	rq.connect_timeout_s = f->etag_timeout_s;
	rq.stall_timeout_s = f->download_timeout_s;
	rq.redirects = HF__REDIRECT_ALL;
	rq.sink = on_data;
	rq.sink_payload = k;
	rq.max_body = 64 * 1024;
	rq.cancel = f->cancel;
	rc = hf__http_perform(conn, &rq, rs);
	free(start);
	from_cdn = rs->url && !hf__same_origin(rs->url, f->scope.origin);
	if (rc == HF_ECANCELLED) {
		if (k->io_error) {
			hf__fetch_set_error(s, k->io_error == ENOSPC ? HF_ENOSPC : HF_EIO, 0, NULL,
					    "cannot write '%s': %s", f->label, strerror(k->io_error));
			return EX_FATAL;
		}
		if (k->encoded) {
			hf__fetch_set_error(s, HF_EPROTOCOL, 0,
					    "a proxy or mirror is altering downloads; check HF_ENDPOINT and proxies",
					    "'%s' came compressed (Content-Encoding: %.40s) although it was asked "
					    "for as is; nothing was kept", f->label,
					    hf__response_header(rs, "Content-Encoding"));
			return EX_FATAL;
		}
		/* Range ignored, or a reply that does not fit what was asked: start over. */
		if (k->range_ignored || k->bad_range || k->too_long)
			return EX_NO_RANGES;
		return hf__fetch_stopped(s) ? EX_FATAL : EX_RETRY;
	}
	if (rc == HF_EPROTOCOL && rs->bad_redirect) {
		if (rs->bad_redirect == HF__REDIRECT_TOO_MANY)
			hf__fetch_set_error(s, HF_EPROTOCOL, 0, NULL, "too many redirects for '%s'",
					    f->label);
		else
			hf__fetch_set_error(s, HF_EPROTOCOL, 0, NULL,
					    "refusing a redirect for '%s' to an unsafe location", f->label);
		return EX_FATAL;
	}
	if (rc) {
		if (!hf__retry_transient(HF__RETRY_TRANSFER, rc, rs)) {
			hf__fetch_set_error(s, rc, 0, NULL, "%s", rs->errmsg);
			return EX_FATAL;
		}
		note(s, "%s", rs->errmsg);
		return EX_RETRY;
	}
	if (rs->status >= 200 && rs->status < 300) {
		if (k->off != k->end) {
			note(s, "'%s': the connection closed early", f->label);
			return EX_RETRY;
		}
		pthread_mutex_lock(&s->mu);
		if (!s->cdn_url && strcmp(rs->url, f->url) != 0) {
			s->cdn_url = rs->url;
			rs->url = NULL;
		}
		pthread_mutex_unlock(&s->mu);
		return EX_OK;
	}
	if (rs->status == 403 && from_cdn) {
		/* A signed URL that expired: resolve again. Kept for the message. */
		const char *said = hf__response_header(rs, "X-Error-Message");

		note(s, "the download server refused the link (HTTP 403%s%s)", said ? ": " : "",
		     said ? said : "");
		return EX_EXPIRED;
	}
	if (hf__retry_status_is_transient(rs->status))
		return EX_RETRY;
	http_failure(s, rs);
	return EX_FATAL;
}

/* Called during a retry wait: progress (which may cancel) and the stop flag. */
static int wait_tick(void *payload)
{
	shared *s = payload;

	hf__fetch_report_progress(s, 0);
	return hf__fetch_stopped(s);
}

/* Fetch [off, end) with retries; resumes within the range after a drop. */
int hf__fetch_range(shared *s, hf__conn *conn, uint64_t off, uint64_t end, int single,
		    size_t chunk)
{
	hf__response rs = HF__RESPONSE_INIT;
	hf__retry policy;
	sink_ctx k;
	int r = EX_FATAL;

	memset(&k, 0, sizeof(k));
	k.s = s;
	k.rs = &rs;
	k.off = off;
	k.end = end;
	k.single = single;
	k.chunk = chunk;
	hf__retry_init(&policy, HF__RETRY_TRANSFER);
	policy.cancel = s->f->cancel;
	policy.tick = wait_tick;
	policy.tick_payload = s;
	while (!hf__fetch_stopped(s)) {
		uint64_t before = k.off;

		if (k.off != off) {
			pthread_mutex_lock(&s->mu);
			s->continued = 1;
			pthread_mutex_unlock(&s->mu);
		}
		r = exchange(s, conn, &k, &rs);
		if (r == EX_RETRY && k.off == k.end)
			r = EX_OK; /* every byte arrived before the stream broke: the hash decides */
		if (r == EX_OK || r == EX_FATAL || r == EX_NO_RANGES)
			break;
		if (r == EX_EXPIRED) {
			pthread_mutex_lock(&s->mu);
			free(s->cdn_url);
			s->cdn_url = NULL;
			pthread_mutex_unlock(&s->mu);
		}
		/* Real progress earns a fresh budget; a trickle of bytes does not. */
		hf__retry_progress(&policy, k.off - before);
		if (hf__retry_count_failure(&policy) == HF__RETRY_DONE) {
			char last[sizeof(s->f->failure.message)];

			/* hf__fetch_set_error() writes the message: never format it from itself. */
			pthread_mutex_lock(&s->mu);
			snprintf(last, sizeof(last), "%s",
				 s->f->failure.message[0] ? s->f->failure.message : "transfer failed");
			pthread_mutex_unlock(&s->mu);
			if (rs.status && !(rs.status >= 200 && rs.status < 300) && rs.status != 403)
				http_failure(s, &rs);
			else if (rs.status == 403)
				hf__fetch_set_error(s, HF_ESERVER, 403,
						    "the Hub hands out download links the storage refuses; retry later",
						    "the download link for '%s' was refused (HTTP 403) even after asking the Hub again",
						    s->f->label);
			else
				hf__fetch_set_error(s, HF_ENETWORK, rs.status,
						    "check your connection and run the same command again: it resumes",
						    "giving up on '%s' after %d attempts: %s", s->f->label,
						    policy.failures, last);
			r = EX_FATAL;
			break;
		}
		if (r != EX_EXPIRED && hf__retry_wait(&policy, &rs) != HF_OK)
			break;
	}
	if (r != EX_OK && r != EX_NO_RANGES && !s->f->failure.code && hf__fetch_stopped(s))
		hf__fetch_set_error(s, HF_ECANCELLED, 0, NULL, "download of '%s' cancelled", s->f->label);
	hf__response_dispose(&rs);
	return r;
}


/* The retry policy (retry.h, docs/internals/retry.md). */
#include "retry.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "hf/errors.h"
#include "parse.h"

void hf__retry_init(hf__retry *r, hf__retry_class cls)
{
	memset(r, 0, sizeof(*r));
	r->cls = cls;
}

int hf__retry_status_is_transient(long status)
{
	return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 ||
	       status == 504;
}

/* What to do about an attempt, before the budget is looked at. */
static hf__retry_verdict classify(hf__retry_class cls, int rc, const hf__response *rs)
{
	if (cls == HF__RETRY_ONCE)
		return HF__RETRY_DONE;
	if (rc == HF_OK) {
		if (!hf__retry_status_is_transient(rs->status))
			return HF__RETRY_DONE;
		if (cls != HF__RETRY_CREATE)
			return HF__RETRY_AGAIN;
		/* 408 and 429: refused before it was processed. A 5xx: who knows. */
		return rs->status == 408 || rs->status == 429 ? HF__RETRY_AGAIN : HF__RETRY_UNKNOWN;
	}
	if (rc != HF_ENETWORK && rc != HF_ETIMEOUT)
		return HF__RETRY_DONE; /* TLS, a refused redirect, no memory, offline, cancelled */
	switch (rs->failure) {
	case HF__FAIL_TRANSFER:
		/*
		 * An API answer that does not come within HF_HUB_ETAG_TIMEOUT: that
		 * is the user's limit for metadata, and the cache may answer.
		 */
		if (cls == HF__RETRY_API && rc == HF_ETIMEOUT)
			return HF__RETRY_DONE;
		if (cls == HF__RETRY_CREATE && rs->sent)
			return HF__RETRY_UNKNOWN;
		return HF__RETRY_AGAIN;
	case HF__FAIL_CONNECT:
		return cls == HF__RETRY_API ? HF__RETRY_DONE : HF__RETRY_AGAIN;
	default:
		return HF__RETRY_DONE;
	}
}

int hf__retry_transient(hf__retry_class cls, int rc, const hf__response *rs)
{
	return classify(cls, rc, rs) == HF__RETRY_AGAIN;
}

hf__retry_verdict hf__retry_count_failure(hf__retry *r)
{
	int max = r->max_attempts > 0 ? r->max_attempts : HF__RETRY_ATTEMPTS;

	return ++r->failures >= max ? HF__RETRY_DONE : HF__RETRY_AGAIN;
}

hf__retry_verdict hf__retry_judge(hf__retry *r, int rc, const hf__response *rs)
{
	hf__retry_verdict v = classify(r->cls, rc, rs);

	if (v != HF__RETRY_AGAIN)
		return v;
	return hf__retry_count_failure(r);
}

/*
 * The seconds until a rate-limit window ends when no request is left in
 * it: `"name";r=0;t=166` (the Hub's "ratelimit" header). -1 otherwise.
 */
static long long ratelimit_wait(const char *v)
{
	const char *r = v ? strstr(v, ";r=") : NULL, *t = v ? strstr(v, ";t=") : NULL;
	unsigned long long rn, tn;

	if (!r || !t)
		return -1;
	r += 3;
	t += 3;
	if (hf__parse_u64(r, strspn(r, "0123456789"), &rn) != 0 || rn != 0 ||
	    hf__parse_u64(t, strspn(t, "0123456789"), &tn) != 0)
		return -1;
	return (long long)tn + 1;
}

void hf__retry_progress(hf__retry *r, uint64_t bytes)
{
	if (bytes >= HF__RETRY_PROGRESS_BYTES)
		r->failures = 0;
}

unsigned hf__retry_delay_ms(int failures, const char *retry_after, const char *ratelimit,
			    long long now, uint32_t random)
{
	unsigned base, cap = HF__RETRY_AFTER_CAP_S * 1000u;
	unsigned long long v;
	long long rl = ratelimit_wait(ratelimit);

	if (retry_after && *retry_after) {
		long long when;

		/* delta-seconds, or an HTTP-date; garbage gets the default backoff. */
		if (hf__parse_u64(retry_after, strlen(retry_after), &v) == 0)
			return (v > cap / 1000 ? cap : (unsigned)v * 1000u) + random % 1000u;
		when = hf__http_date(retry_after);
		if (when >= 0) {
			long long d = when > now ? when - now : 0;

			return (d > (long long)(cap / 1000) ? cap : (unsigned)d * 1000u) + random % 1000u;
		}
	}
	if (rl >= 0)
		return (rl > (long long)(cap / 1000) ? cap : (unsigned)rl * 1000u) + random % 1000u;
	base = failures <= 1 ? 1000u : failures >= 4 ? 8000u : 1000u << (failures - 1);
	return base + random % (base / 4 + 1);
}

int hf__retry_sleep(const hf__retry *r, unsigned ms)
{
	while (1) {
		unsigned slice = ms < 100 ? ms : 100;
		struct timespec ts = { 0, (long)slice * 1000000L };

		if (r->cancel && atomic_load(r->cancel))
			return HF_ECANCELLED;
		if (r->tick && r->tick(r->tick_payload))
			return HF_ECANCELLED;
		if (!ms)
			return HF_OK;
		nanosleep(&ts, NULL);
		ms -= slice;
	}
}

int hf__retry_wait(hf__retry *r, const hf__response *rs)
{
	uint32_t rnd = 0;

	if (RAND_bytes((unsigned char *)&rnd, sizeof(rnd)) != 1)
		rnd = (uint32_t)time(NULL);
	return hf__retry_sleep(r, hf__retry_delay_ms(r->failures,
						     hf__response_header(rs, "Retry-After"),
						     rs->status == 429 ? hf__response_header(rs, "RateLimit") : NULL,
						     (long long)time(NULL), rnd));
}

int hf__retry_send(hf__conn *conn, const hf__request *rq, hf__response *rs, hf__retry *policy)
{
	hf__request once;

	/* Not idempotent: every attempt on a connection of its own (http.h, fresh_connection). */
	if (policy->cls == HF__RETRY_CREATE && !rq->fresh_connection) {
		once = *rq;
		once.fresh_connection = 1;
		rq = &once;
	}
	for (;;) {
		int rc = hf__http_perform(conn, rq, rs);

		if (hf__retry_judge(policy, rc, rs) != HF__RETRY_AGAIN)
			return rc;
		/* A body that cannot start again cannot be sent again. */
		if (rq->body.kind == HF__BODY_CALLBACK &&
		    (!rq->body.rewind || rq->body.rewind(rq->body.payload) != 0))
			return rc;
		if (hf__retry_wait(policy, rs) != HF_OK) {
			snprintf(rs->errmsg, sizeof(rs->errmsg), "cancelled");
			rs->failure = HF__FAIL_LOCAL;
			return HF_ECANCELLED;
		}
	}
}

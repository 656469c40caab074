/*
 * The retry policy of src/lib/retry.h: which statuses and transport
 * failures are transient for each class of request, the non-idempotent
 * (CREATE) verdicts, the attempt budget and its renewal by progress, the
 * waits (backoff with jitter, Retry-After as seconds or an HTTP-date, the
 * Hub's "ratelimit" header, the 60 s cap) and the cancellable sleep.
 * Responses are built by hand: nothing here makes a request.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "hf/errors.h"
#include "http.h"
#include "retry.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A reply with a status (the server answered). */
static hf__response answered(long status)
{
	hf__response rs = HF__RESPONSE_INIT;

	rs.status = status;
	return rs;
}

/* A transport failure of the given kind. */
static hf__response failed(hf__failure_kind kind, int sent)
{
	hf__response rs = HF__RESPONSE_INIT;

	rs.failure = kind;
	rs.sent = sent;
	return rs;
}

/* The verdict of a fresh policy of class cls on one attempt. */
static hf__retry_verdict judge_once(hf__retry_class cls, int rc, const hf__response *rs)
{
	hf__retry r;

	hf__retry_init(&r, cls);
	return hf__retry_judge(&r, rc, rs);
}

/* ------------------------------------------------------------------ */
/* Statuses */

static void test_status_is_transient(void **state)
{
	static const long yes[] = { 408, 429, 500, 502, 503, 504 };
	static const long no[] = { 0,   100, 200, 201, 204, 206, 301, 302, 304, 307, 400, 401,
				   403, 404, 405, 409, 410, 412, 413, 416, 422, 423, 425, 428,
				   431, 451, 499, 501, 505, 507, 508, 511, 599, 600, -1 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		assert_int_equal(hf__retry_status_is_transient(yes[i]), 1);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		assert_int_equal(hf__retry_status_is_transient(no[i]), 0);
}

/* ------------------------------------------------------------------ */
/* Judging answers */

static void test_judge_statuses_api_transfer(void **state)
{
	static const long transient[] = { 408, 429, 500, 502, 503, 504 };
	static const long final[] = { 200, 204, 206, 302, 304, 400, 401, 403, 404, 416, 501, 505 };
	static const hf__retry_class classes[] = { HF__RETRY_API, HF__RETRY_TRANSFER };
	size_t c, i;

	(void)state;
	for (c = 0; c < 2; c++) {
		for (i = 0; i < sizeof(transient) / sizeof(transient[0]); i++) {
			hf__response rs = answered(transient[i]);

			assert_int_equal(judge_once(classes[c], HF_OK, &rs), HF__RETRY_AGAIN);
			assert_int_equal(hf__retry_transient(classes[c], HF_OK, &rs), 1);
		}
		for (i = 0; i < sizeof(final) / sizeof(final[0]); i++) {
			hf__response rs = answered(final[i]);

			assert_int_equal(judge_once(classes[c], HF_OK, &rs), HF__RETRY_DONE);
			assert_int_equal(hf__retry_transient(classes[c], HF_OK, &rs), 0);
		}
	}
}

static void test_judge_once_never_again(void **state)
{
	static const long statuses[] = { 200, 404, 408, 429, 500, 502, 503, 504 };
	static const hf__failure_kind kinds[] = { HF__FAIL_CONNECT, HF__FAIL_TRANSFER, HF__FAIL_TLS };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		hf__response rs = answered(statuses[i]);

		assert_int_equal(judge_once(HF__RETRY_ONCE, HF_OK, &rs), HF__RETRY_DONE);
		assert_int_equal(hf__retry_transient(HF__RETRY_ONCE, HF_OK, &rs), 0);
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		hf__response rs = failed(kinds[i], 1);

		assert_int_equal(judge_once(HF__RETRY_ONCE, HF_ENETWORK, &rs), HF__RETRY_DONE);
		assert_int_equal(judge_once(HF__RETRY_ONCE, HF_ETIMEOUT, &rs), HF__RETRY_DONE);
	}
}

static void test_judge_create_statuses(void **state)
{
	static const long unknown[] = { 500, 502, 503, 504 };
	static const long final[] = { 200, 201, 400, 401, 403, 404, 409, 412, 422, 501 };
	size_t i;

	(void)state;
	{
		hf__response rs = answered(429);

		assert_int_equal(judge_once(HF__RETRY_CREATE, HF_OK, &rs), HF__RETRY_AGAIN);
		assert_int_equal(hf__retry_transient(HF__RETRY_CREATE, HF_OK, &rs), 1);
	}
	{
		hf__response rs = answered(408);

		assert_int_equal(judge_once(HF__RETRY_CREATE, HF_OK, &rs), HF__RETRY_AGAIN);
	}
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		hf__response rs = answered(unknown[i]);

		assert_int_equal(judge_once(HF__RETRY_CREATE, HF_OK, &rs), HF__RETRY_UNKNOWN);
		assert_int_equal(hf__retry_transient(HF__RETRY_CREATE, HF_OK, &rs), 0);
	}
	for (i = 0; i < sizeof(final) / sizeof(final[0]); i++) {
		hf__response rs = answered(final[i]);

		assert_int_equal(judge_once(HF__RETRY_CREATE, HF_OK, &rs), HF__RETRY_DONE);
	}
}

/* UNKNOWN and DONE do not spend the budget; only AGAIN counts. */
static void test_judge_unknown_does_not_count(void **state)
{
	hf__retry r;
	hf__response rs = answered(500);

	(void)state;
	hf__retry_init(&r, HF__RETRY_CREATE);
	assert_int_equal(hf__retry_judge(&r, HF_OK, &rs), HF__RETRY_UNKNOWN);
	assert_int_equal(r.failures, 0);
	rs.status = 404;
	assert_int_equal(hf__retry_judge(&r, HF_OK, &rs), HF__RETRY_DONE);
	assert_int_equal(r.failures, 0);
	rs.status = 429;
	assert_int_equal(hf__retry_judge(&r, HF_OK, &rs), HF__RETRY_AGAIN);
	assert_int_equal(r.failures, 1);
}

/* ------------------------------------------------------------------ */
/* Judging transport failures */

static void test_judge_connect_failure(void **state)
{
	hf__response rs = failed(HF__FAIL_CONNECT, 0);

	(void)state;
	/* A first API call that cannot connect: no network, a wrong endpoint. */
	assert_int_equal(judge_once(HF__RETRY_API, HF_ENETWORK, &rs), HF__RETRY_DONE);
	assert_int_equal(judge_once(HF__RETRY_API, HF_ETIMEOUT, &rs), HF__RETRY_DONE);
	assert_int_equal(hf__retry_transient(HF__RETRY_API, HF_ENETWORK, &rs), 0);
	/* A transfer, after the metadata was answered: it is worth waiting. */
	assert_int_equal(judge_once(HF__RETRY_TRANSFER, HF_ENETWORK, &rs), HF__RETRY_AGAIN);
	assert_int_equal(judge_once(HF__RETRY_TRANSFER, HF_ETIMEOUT, &rs), HF__RETRY_AGAIN);
	assert_int_equal(hf__retry_transient(HF__RETRY_TRANSFER, HF_ETIMEOUT, &rs), 1);
	/* Nothing was sent: a create did not take effect. */
	assert_int_equal(judge_once(HF__RETRY_CREATE, HF_ENETWORK, &rs), HF__RETRY_AGAIN);
	assert_int_equal(judge_once(HF__RETRY_CREATE, HF_ETIMEOUT, &rs), HF__RETRY_AGAIN);
}

static void test_judge_transfer_failure(void **state)
{
	hf__response sent = failed(HF__FAIL_TRANSFER, 1);
	hf__response unsent = failed(HF__FAIL_TRANSFER, 0);

	(void)state;
	assert_int_equal(judge_once(HF__RETRY_API, HF_ENETWORK, &sent), HF__RETRY_AGAIN);
	/* An API answer that does not come within the timeout: the user's limit, not again. */
	assert_int_equal(judge_once(HF__RETRY_API, HF_ETIMEOUT, &sent), HF__RETRY_DONE);
	assert_int_equal(judge_once(HF__RETRY_TRANSFER, HF_ENETWORK, &sent), HF__RETRY_AGAIN);
	assert_int_equal(judge_once(HF__RETRY_TRANSFER, HF_ETIMEOUT, &sent), HF__RETRY_AGAIN);
	/* A create that went out and then broke may have taken effect. */
	assert_int_equal(judge_once(HF__RETRY_CREATE, HF_ENETWORK, &sent), HF__RETRY_UNKNOWN);
	assert_int_equal(judge_once(HF__RETRY_CREATE, HF_ETIMEOUT, &sent), HF__RETRY_UNKNOWN);
	assert_int_equal(hf__retry_transient(HF__RETRY_CREATE, HF_ENETWORK, &sent), 0);
	/* ... one that never went out did not. */
	assert_int_equal(judge_once(HF__RETRY_CREATE, HF_ENETWORK, &unsent), HF__RETRY_AGAIN);
}

static void test_judge_tls_never(void **state)
{
	static const hf__retry_class classes[] = { HF__RETRY_ONCE, HF__RETRY_API, HF__RETRY_TRANSFER,
						   HF__RETRY_CREATE };
	size_t c;

	(void)state;
	for (c = 0; c < 4; c++) {
		hf__response tls0 = failed(HF__FAIL_TLS, 0), tls1 = failed(HF__FAIL_TLS, 1);

		assert_int_equal(judge_once(classes[c], HF_ETLS, &tls0), HF__RETRY_DONE);
		assert_int_equal(judge_once(classes[c], HF_ETLS, &tls1), HF__RETRY_DONE);
		/* Even when the code is a network error, a TLS failure is final. */
		assert_int_equal(judge_once(classes[c], HF_ENETWORK, &tls0), HF__RETRY_DONE);
		assert_int_equal(hf__retry_transient(classes[c], HF_ETLS, &tls0), 0);
	}
}

/* Local failures are never asked again, whatever the failure field says. */
static void test_judge_local_failures(void **state)
{
	static const int codes[] = { HF_EPROTOCOL, HF_EINVAL, HF_ENOMEM, HF_EOFFLINE, HF_ECANCELLED };
	static const hf__failure_kind kinds[] = { HF__FAIL_LOCAL, HF__FAIL_TRANSFER, HF__FAIL_CONNECT };
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			hf__response rs = failed(kinds[k], 0);

			rs.status = 503; /* e.g. a body over max_body after a 503 */
			assert_int_equal(judge_once(HF__RETRY_TRANSFER, codes[i], &rs), HF__RETRY_DONE);
			assert_int_equal(judge_once(HF__RETRY_API, codes[i], &rs), HF__RETRY_DONE);
			assert_int_equal(judge_once(HF__RETRY_CREATE, codes[i], &rs), HF__RETRY_DONE);
		}
	/* A local failure reported as a network code is not transient either. */
	{
		hf__response rs = failed(HF__FAIL_LOCAL, 0);

		assert_int_equal(judge_once(HF__RETRY_TRANSFER, HF_ENETWORK, &rs), HF__RETRY_DONE);
	}
}

/* ------------------------------------------------------------------ */
/* The budget */

static void test_budget_default(void **state)
{
	hf__retry r;
	hf__response rs = answered(503);
	int i;

	(void)state;
	hf__retry_init(&r, HF__RETRY_API);
	assert_int_equal(r.failures, 0);
	/* HF__RETRY_ATTEMPTS attempts in all: the first and 5 retries. */
	for (i = 1; i < HF__RETRY_ATTEMPTS; i++) {
		assert_int_equal(hf__retry_judge(&r, HF_OK, &rs), HF__RETRY_AGAIN);
		assert_int_equal(r.failures, i);
	}
	assert_int_equal(hf__retry_judge(&r, HF_OK, &rs), HF__RETRY_DONE);
	assert_int_equal(hf__retry_judge(&r, HF_OK, &rs), HF__RETRY_DONE);
}

static void test_budget_max_attempts(void **state)
{
	hf__retry r;
	hf__response rs = answered(429);
	hf__response net = failed(HF__FAIL_TRANSFER, 1);

	(void)state;
	hf__retry_init(&r, HF__RETRY_TRANSFER);
	r.max_attempts = 1; /* never again */
	assert_int_equal(hf__retry_judge(&r, HF_OK, &rs), HF__RETRY_DONE);
	hf__retry_init(&r, HF__RETRY_TRANSFER);
	r.max_attempts = 1;
	assert_int_equal(hf__retry_judge(&r, HF_ENETWORK, &net), HF__RETRY_DONE);

	hf__retry_init(&r, HF__RETRY_CREATE);
	r.max_attempts = 3;
	assert_int_equal(hf__retry_judge(&r, HF_OK, &rs), HF__RETRY_AGAIN);
	assert_int_equal(hf__retry_judge(&r, HF_OK, &rs), HF__RETRY_AGAIN);
	assert_int_equal(hf__retry_judge(&r, HF_OK, &rs), HF__RETRY_DONE);

	/* hf__retry_count_failure: the same budget, for callers that classify. */
	hf__retry_init(&r, HF__RETRY_TRANSFER);
	r.max_attempts = 2;
	assert_int_equal(hf__retry_count_failure(&r), HF__RETRY_AGAIN);
	assert_int_equal(hf__retry_count_failure(&r), HF__RETRY_DONE);
	hf__retry_init(&r, HF__RETRY_TRANSFER);
	{
		int i;

		for (i = 1; i < HF__RETRY_ATTEMPTS; i++)
			assert_int_equal(hf__retry_count_failure(&r), HF__RETRY_AGAIN);
		assert_int_equal(hf__retry_count_failure(&r), HF__RETRY_DONE);
	}
}

static void test_progress_renews_budget(void **state)
{
	hf__retry r;
	hf__response rs = failed(HF__FAIL_TRANSFER, 1);
	int i;

	(void)state;
	hf__retry_init(&r, HF__RETRY_TRANSFER);
	for (i = 1; i < HF__RETRY_ATTEMPTS; i++)
		assert_int_equal(hf__retry_judge(&r, HF_ENETWORK, &rs), HF__RETRY_AGAIN);
	/* The attempt that failed moved enough: the next ones have a whole budget. */
	hf__retry_progress(&r, HF__RETRY_PROGRESS_BYTES);
	assert_int_equal(r.failures, 0);
	for (i = 1; i < HF__RETRY_ATTEMPTS; i++)
		assert_int_equal(hf__retry_judge(&r, HF_ENETWORK, &rs), HF__RETRY_AGAIN);
	hf__retry_progress(&r, (uint64_t)1 << 40);
	assert_int_equal(r.failures, 0);
	assert_int_equal(hf__retry_judge(&r, HF_ENETWORK, &rs), HF__RETRY_AGAIN);
}

static void test_progress_trickle_does_not(void **state)
{
	hf__retry r;
	hf__response rs = failed(HF__FAIL_TRANSFER, 1);
	int i;

	(void)state;
	hf__retry_init(&r, HF__RETRY_TRANSFER);
	for (i = 1; i < HF__RETRY_ATTEMPTS; i++) {
		assert_int_equal(hf__retry_judge(&r, HF_ENETWORK, &rs), HF__RETRY_AGAIN);
		hf__retry_progress(&r, HF__RETRY_PROGRESS_BYTES - 1);
		hf__retry_progress(&r, 0);
		assert_int_equal(r.failures, i);
	}
	assert_int_equal(hf__retry_judge(&r, HF_ENETWORK, &rs), HF__RETRY_DONE);
}

/* ------------------------------------------------------------------ */
/* Delays */

/* Every delay over many random numbers: its minimum and maximum. */
static void delay_range(int failures, const char *ra, const char *rl, long long now, unsigned *lo,
			unsigned *hi)
{
	static const uint32_t extra[] = { UINT32_MAX, UINT32_MAX - 1, UINT32_MAX / 2, 0x80000000u,
					  123456789u, 4000000000u };
	uint32_t rnd;
	size_t i;

	*lo = UINT32_MAX;
	*hi = 0;
	for (rnd = 0; rnd < 5000; rnd++) {
		unsigned d = hf__retry_delay_ms(failures, ra, rl, now, rnd);

		*lo = d < *lo ? d : *lo;
		*hi = d > *hi ? d : *hi;
	}
	for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		unsigned d = hf__retry_delay_ms(failures, ra, rl, now, extra[i]);

		*lo = d < *lo ? d : *lo;
		*hi = d > *hi ? d : *hi;
	}
}

static void test_delay_backoff(void **state)
{
	static const unsigned base[] = { 1000, 2000, 4000, 8000, 8000 };
	int f;

	(void)state;
	for (f = 1; f <= 5; f++) {
		unsigned b = base[f - 1], lo, hi, top;

		assert_int_equal(hf__retry_delay_ms(f, NULL, NULL, 1700000000, 0), b);
		top = hf__retry_delay_ms(f, NULL, NULL, 1700000000, UINT32_MAX);
		assert_true(top >= b && top <= b + b / 4);
		/* Up to a quarter more, and the whole quarter is reachable. */
		delay_range(f, NULL, NULL, 1700000000, &lo, &hi);
		assert_int_equal(lo, b);
		assert_int_equal(hi, b + b / 4);
	}
	/* Later failures stay at 8 s. */
	assert_int_equal(hf__retry_delay_ms(6, NULL, NULL, 0, 0), 8000);
	assert_int_equal(hf__retry_delay_ms(100, NULL, NULL, 0, 0), 8000);
	/* No Retry-After value (empty) is the same as none. */
	assert_int_equal(hf__retry_delay_ms(2, "", NULL, 0, 0), 2000);
}

static void test_delay_retry_after_seconds(void **state)
{
	unsigned lo, hi;

	(void)state;
	assert_int_equal(hf__retry_delay_ms(1, "5", NULL, 1700000000, 0), 5000);
	assert_int_equal(hf__retry_delay_ms(4, "5", NULL, 1700000000, 0), 5000);
	delay_range(1, "5", NULL, 1700000000, &lo, &hi);
	assert_int_equal(lo, 5000);
	assert_true(hi > 5000 && hi <= 5999);
	assert_int_equal(hf__retry_delay_ms(1, "0", NULL, 0, 0), 0);
	delay_range(3, "0", NULL, 0, &lo, &hi);
	assert_int_equal(lo, 0);
	assert_true(hi <= 999);
	assert_int_equal(hf__retry_delay_ms(1, "60", NULL, 0, 0), 60000);
	/* The cap: 60 s, plus up to 1 s. */
	assert_int_equal(hf__retry_delay_ms(1, "61", NULL, 0, 0), 60000);
	assert_int_equal(hf__retry_delay_ms(1, "3600", NULL, 0, 0), 60000);
	assert_int_equal(hf__retry_delay_ms(1, "4294967296", NULL, 0, 0), 60000);
	delay_range(1, "86400", NULL, 0, &lo, &hi);
	assert_int_equal(lo, 60000);
	assert_true(hi > 60000 && hi <= 60999);
}

static void test_delay_retry_after_date(void **state)
{
	const long long now = 1700000000; /* Tue, 14 Nov 2023 22:13:20 GMT */
	unsigned lo, hi;

	(void)state;
	assert_int_equal(hf__retry_delay_ms(1, "Tue, 14 Nov 2023 22:13:25 GMT", NULL, now, 0), 5000);
	/* The obsolete forms: RFC 850 and asctime. */
	assert_int_equal(hf__retry_delay_ms(1, "Tuesday, 14-Nov-23 22:13:30 GMT", NULL, now, 0), 10000);
	assert_int_equal(hf__retry_delay_ms(1, "Tue Nov 14 22:13:27 2023", NULL, now, 0), 7000);
	delay_range(5, "Tue, 14 Nov 2023 22:13:25 GMT", NULL, now, &lo, &hi);
	assert_int_equal(lo, 5000);
	assert_true(hi > 5000 && hi <= 5999);
	/* In the past (or now): ask again at once, give or take the jitter. */
	assert_int_equal(hf__retry_delay_ms(4, "Tue, 14 Nov 2023 22:13:20 GMT", NULL, now, 0), 0);
	assert_int_equal(hf__retry_delay_ms(4, "Wed, 21 Oct 2015 07:28:00 GMT", NULL, now, 0), 0);
	delay_range(4, "Wed, 21 Oct 2015 07:28:00 GMT", NULL, now, &lo, &hi);
	assert_true(hi <= 999);
	/* Far in the future: the cap. */
	assert_int_equal(hf__retry_delay_ms(1, "Tue, 14 Nov 2023 23:13:20 GMT", NULL, now, 0), 60000);
	assert_int_equal(hf__retry_delay_ms(1, "Fri, 31 Dec 9999 23:59:59 GMT", NULL, now, 0), 60000);
	delay_range(1, "Fri, 31 Dec 9999 23:59:59 GMT", NULL, now, &lo, &hi);
	assert_true(lo == 60000 && hi <= 60999);
}

static void test_delay_retry_after_garbage(void **state)
{
	static const char *garbage[] = { "soon", "-5", "1.5", "5s", " 5x", "0x10", "tomorrow",
					 "Tue, 99 Nov 2023", "abc, 14 Nov 2023" };
	size_t i;

	(void)state;
	/* Garbage gets the default backoff. */
	for (i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		assert_int_equal(hf__retry_delay_ms(1, garbage[i], NULL, 1700000000, 0), 1000);
		assert_int_equal(hf__retry_delay_ms(3, garbage[i], NULL, 1700000000, 0), 4000);
	}
}

static void test_delay_ratelimit(void **state)
{
	const char *hub = "\"resolvers\";r=0;t=166";
	unsigned lo, hi;

	(void)state;
	/* No request left in the window: wait for its end (t + 1 s), capped. */
	assert_int_equal(hf__retry_delay_ms(1, NULL, hub, 0, 0), 60000);
	assert_int_equal(hf__retry_delay_ms(1, NULL, "\"api\";r=0;t=5", 0, 0), 6000);
	assert_int_equal(hf__retry_delay_ms(4, NULL, "\"api\";r=0;t=5", 0, 0), 6000);
	assert_int_equal(hf__retry_delay_ms(1, NULL, "\"api\";r=0;t=0", 0, 0), 1000);
	assert_int_equal(hf__retry_delay_ms(1, NULL, "\"api\";r=0;t=59", 0, 0), 60000);
	assert_int_equal(hf__retry_delay_ms(1, NULL, "\"api\";r=0;t=60", 0, 0), 60000);
	delay_range(1, NULL, "\"api\";r=0;t=5", 0, &lo, &hi);
	assert_int_equal(lo, 6000);
	assert_true(hi > 6000 && hi <= 6999);
	delay_range(1, NULL, hub, 0, &lo, &hi);
	assert_true(lo == 60000 && hi <= 60999);
	/* Requests left (r > 0), or no window: the ordinary backoff. */
	assert_int_equal(hf__retry_delay_ms(1, NULL, "\"resolvers\";r=3;t=166", 0, 0), 1000);
	assert_int_equal(hf__retry_delay_ms(2, NULL, "\"resolvers\";r=10;t=166", 0, 0), 2000);
	assert_int_equal(hf__retry_delay_ms(2, NULL, "\"resolvers\";r=0", 0, 0), 2000);
	assert_int_equal(hf__retry_delay_ms(2, NULL, "\"resolvers\";t=30", 0, 0), 2000);
	assert_int_equal(hf__retry_delay_ms(2, NULL, "garbage", 0, 0), 2000);
	assert_int_equal(hf__retry_delay_ms(2, NULL, "", 0, 0), 2000);
}

/* ------------------------------------------------------------------ */
/* Sleeping and waiting */

static atomic_int cancel_flag;

static void *set_cancel_later(void *arg)
{
	struct timespec ts = { 0, 50 * 1000000L };

	(void)arg;
	nanosleep(&ts, NULL);
	atomic_store(&cancel_flag, 1);
	return NULL;
}

static void test_sleep_sleeps(void **state)
{
	hf__retry r;
	double t0;

	(void)state;
	hf__retry_init(&r, HF__RETRY_API);
	t0 = now_s();
	assert_int_equal(hf__retry_sleep(&r, 250), HF_OK);
	assert_true(now_s() - t0 >= 0.24);
	assert_true(now_s() - t0 < 2.0);
	assert_int_equal(hf__retry_sleep(&r, 0), HF_OK);
}

static void test_sleep_cancel_atomic(void **state)
{
	hf__retry r;
	pthread_t th;
	double t0, dt;

	(void)state;
	hf__retry_init(&r, HF__RETRY_API);
	r.cancel = &cancel_flag;
	/* Already set: at once. */
	atomic_store(&cancel_flag, 1);
	t0 = now_s();
	assert_int_equal(hf__retry_sleep(&r, 10000), HF_ECANCELLED);
	assert_true(now_s() - t0 < 0.2);
	/* Set from another thread during the sleep. */
	atomic_store(&cancel_flag, 0);
	assert_int_equal(pthread_create(&th, NULL, set_cancel_later, NULL), 0);
	t0 = now_s();
	assert_int_equal(hf__retry_sleep(&r, 10000), HF_ECANCELLED);
	dt = now_s() - t0;
	pthread_join(th, NULL);
	/* Noticed within a slice (100 ms) of being set, 50 ms in. */
	assert_true(dt >= 0.04);
	assert_true(dt < 0.3);
	atomic_store(&cancel_flag, 0);
}

typedef struct ticker {
	int calls;
	int stop_at; /* return non-zero on this call */
} ticker;

static int tick(void *payload)
{
	ticker *t = payload;

	return ++t->calls >= t->stop_at;
}

static void test_sleep_cancel_tick(void **state)
{
	hf__retry r;
	ticker tk = { 0, 3 };
	double t0, dt;

	(void)state;
	hf__retry_init(&r, HF__RETRY_TRANSFER);
	r.tick = tick;
	r.tick_payload = &tk;
	t0 = now_s();
	assert_int_equal(hf__retry_sleep(&r, 10000), HF_ECANCELLED);
	dt = now_s() - t0;
	assert_int_equal(tk.calls, 3);
	/* About 100 ms between calls: the third comes after about 200 ms. */
	assert_true(dt >= 0.15);
	assert_true(dt < 0.5);

	/* A tick that never stops: called about every 100 ms, sleep completes. */
	tk.calls = 0;
	tk.stop_at = 1 << 30;
	t0 = now_s();
	assert_int_equal(hf__retry_sleep(&r, 500), HF_OK);
	dt = now_s() - t0;
	assert_true(dt >= 0.49);
	assert_true(tk.calls >= 4 && tk.calls <= 7);
}

/* hf__retry_wait reads the reply's Retry-After (any case) for its wait. */
static void test_wait_uses_retry_after(void **state)
{
	hf__header hdrs[] = { { "Content-Type", "text/plain" }, { "retry-after", "0" } };
	hf__response rs = HF__RESPONSE_INIT;
	hf__retry r;
	double t0, dt;

	(void)state;
	rs.status = 503;
	rs.headers = hdrs;
	rs.nheaders = 2;
	hf__retry_init(&r, HF__RETRY_API);
	r.failures = 5; /* the backoff would be 8 s */
	t0 = now_s();
	assert_int_equal(hf__retry_wait(&r, &rs), HF_OK);
	dt = now_s() - t0;
	assert_true(dt < 1.5);

	/* Cancelled before: at once, whatever the wait. */
	hdrs[1].value = "30";
	r.cancel = &cancel_flag;
	atomic_store(&cancel_flag, 1);
	t0 = now_s();
	assert_int_equal(hf__retry_wait(&r, &rs), HF_ECANCELLED);
	assert_true(now_s() - t0 < 0.2);
	atomic_store(&cancel_flag, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_is_transient),
		cmocka_unit_test(test_judge_statuses_api_transfer),
		cmocka_unit_test(test_judge_once_never_again),
		cmocka_unit_test(test_judge_create_statuses),
		cmocka_unit_test(test_judge_unknown_does_not_count),
		cmocka_unit_test(test_judge_connect_failure),
		cmocka_unit_test(test_judge_transfer_failure),
		cmocka_unit_test(test_judge_tls_never),
		cmocka_unit_test(test_judge_local_failures),
		cmocka_unit_test(test_budget_default),
		cmocka_unit_test(test_budget_max_attempts),
		cmocka_unit_test(test_progress_renews_budget),
		cmocka_unit_test(test_progress_trickle_does_not),
		cmocka_unit_test(test_delay_backoff),
		cmocka_unit_test(test_delay_retry_after_seconds),
		cmocka_unit_test(test_delay_retry_after_date),
		cmocka_unit_test(test_delay_retry_after_garbage),
		cmocka_unit_test(test_delay_ratelimit),
		cmocka_unit_test(test_sleep_sleeps),
		cmocka_unit_test(test_sleep_cancel_atomic),
		cmocka_unit_test(test_sleep_cancel_tick),
		cmocka_unit_test(test_wait_uses_retry_after),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

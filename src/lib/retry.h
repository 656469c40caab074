/*
 * The retry policy: the one answer, for every request of the library, to
 * "ask again, and after how long?" (docs/internals/retry.md).
 *
 * - Transient statuses: 408, 429, 500, 502, 503, 504. Others are answers.
 * - Transient transport failures: a reset, an early close, a stall, a
 *   timeout after connecting (but an API call that timed out is not asked
 *   again: HF_HUB_ETAG_TIMEOUT is the user's limit for metadata). A TLS failure never is; a connection that
 *   cannot be made at all is only for transfers (HF__RETRY_TRANSFER),
 *   which start after the server answered the same operation's metadata:
 *   for a first API call it means no network, a wrong endpoint or a proxy
 *   that is down, waiting does not help, and the cache may answer at once.
 * - Idempotency: a request that is not idempotent (HF__RETRY_CREATE, a
 *   commit) is asked again only when it provably did not take effect: no
 *   connection, 408, 429. After anything else it sent, the verdict is
 *   HF__RETRY_UNKNOWN and the caller must look (read the branch head)
 *   before it decides.
 * - Waits: 1, 2, 4, 8, 8 s plus up to a quarter more at random (clients
 *   that failed together do not come back together), or the server's
 *   Retry-After (seconds or an HTTP-date), or for a 429 whose "ratelimit"
 *   header says no request is left (r=0), its window's end (t=...); each
 *   capped at 60 s, plus up to 1 s.
 *   Waits end at once on cancellation.
 * - Budget: HF__RETRY_ATTEMPTS attempts in all (1 + 5 retries); an attempt that moved at
 *   least HF__RETRY_PROGRESS_BYTES earns a fresh budget, a trickle does not.
 *
 * Pure parts (hf__retry_judge, hf__retry_delay_ms) have unit tests
 * (tests/unit/test_retry.c).
 */
#ifndef HF_RETRY_H
#define HF_RETRY_H

#include <stdatomic.h>
#include <stdint.h>

#include "http.h"

#define HF__RETRY_ATTEMPTS 6 /* the first and 5 retries, as the official client */
#define HF__RETRY_PROGRESS_BYTES ((uint64_t)64 << 10)
#define HF__RETRY_AFTER_CAP_S 60

typedef enum hf__retry_class {
	HF__RETRY_ONCE = 0,  /* one attempt: interactive checks (whoami is strictly rate limited) */
	HF__RETRY_API,       /* idempotent API call */
	HF__RETRY_TRANSFER,  /* idempotent transfer of data */
	HF__RETRY_CREATE     /* not idempotent */
} hf__retry_class;

typedef enum hf__retry_verdict {
	HF__RETRY_DONE = 0,  /* an answer, a final failure, or the budget is spent */
	HF__RETRY_AGAIN,     /* wait (hf__retry_wait), then ask again */
	HF__RETRY_UNKNOWN    /* a non-idempotent request may have taken effect */
} hf__retry_verdict;

typedef struct hf__retry {
	hf__retry_class cls;
	int max_attempts;          /* 0: HF__RETRY_ATTEMPTS; 1: never again */
	const atomic_int *cancel;  /* may be NULL */
	/* Called about every 100 ms of a wait (a progress callback); non-zero cancels. */
	int (*tick)(void *payload);
	void *tick_payload;
	/* State. */
	int failures;              /* failed attempts since the budget was last renewed */
} hf__retry;

void hf__retry_init(hf__retry *r, hf__retry_class cls);

/* 1 for the statuses worth asking again: 408, 429, 500, 502, 503, 504. */
int hf__retry_status_is_transient(long status);

/*
 * Judge an attempt: rc and rs as hf__http_perform() left them. AGAIN
 * counts the failure against the budget (DONE once it is spent).
 */
hf__retry_verdict hf__retry_judge(hf__retry *r, int rc, const hf__response *rs);

/*
 * 1 when an attempt that ended with rc (and rs) may be asked again under
 * cls, before any budget: the classification hf__retry_judge() uses. Pure.
 */
int hf__retry_transient(hf__retry_class cls, int rc, const hf__response *rs);

/*
 * Count a failure the caller classified as transient itself (a transfer
 * that checks more than the status): AGAIN, or DONE once the budget is spent.
 */
hf__retry_verdict hf__retry_count_failure(hf__retry *r);

/* The attempt just judged moved this many bytes: enough renews the budget. */
void hf__retry_progress(hf__retry *r, uint64_t bytes);

/*
 * Milliseconds to wait before the next attempt after `failures` failed
 * ones (1 for the first retry), given the reply's Retry-After and
 * ratelimit values (or NULL), the current Unix time and a random number.
 * Pure.
 */
unsigned hf__retry_delay_ms(int failures, const char *retry_after, const char *ratelimit,
			    long long now, uint32_t random);

/*
 * Wait the delay for rs (its Retry-After) and r's failures. HF_OK, or
 * HF_ECANCELLED as soon as r->cancel is set or r->tick returns non-zero.
 */
int hf__retry_wait(hf__retry *r, const hf__response *rs);

/* Sleep ms, in slices that notice cancellation; HF_OK or HF_ECANCELLED. */
int hf__retry_sleep(const hf__retry *r, unsigned ms);

/*
 * hf__http_perform() under policy: a retryable failure or status is asked
 * again after the policy's wait, while the policy allows. Returns like
 * hf__http_perform(); rs holds the last attempt's reply. HF_ECANCELLED
 * when cancelled during a wait. A callback body without a rewind is not
 * sent twice.
 */
int hf__retry_send(hf__conn *conn, const hf__request *rq, hf__response *rs, hf__retry *policy);

#endif

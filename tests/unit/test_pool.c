/*
 * The worker pool of src/lib/pool.h: every job runs exactly once; one
 * thread (or one job) runs on the calling thread; no more threads than
 * jobs; a per-thread context made and freed once per thread, in that
 * thread, and handed to each of its jobs; the first failure stops the
 * handing out but lets running jobs finish, and is reported once;
 * cancellation; the fallbacks when threads cannot be created. Shared
 * counters are atomics or under a mutex, so the suite is clean under
 * ThreadSanitizer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hf/errors.h"
#include "pool.h"

#define MAX_JOBS 1000
#define MAX_CTX 64

typedef struct thread_ctx {
	pthread_t owner;   /* the thread that made it */
	atomic_int jobs;   /* jobs run with it */
	int freed;
} thread_ctx;

typedef struct fixture {
	atomic_int runs[MAX_JOBS];
	atomic_int running;      /* jobs in progress */
	atomic_int started;      /* jobs started */
	atomic_int finished;     /* jobs that returned */
	atomic_int late;         /* jobs that started with cancel already set */
	atomic_int cancel;
	pthread_t caller;
	/* Contexts, under mu. */
	pthread_mutex_t mu;
	thread_ctx *ctx[MAX_CTX];
	size_t nctx;
	size_t freed;
	int free_mismatch;       /* freed by another thread than its maker */
	/* Behaviour. */
	size_t fail_at;          /* this job fails with FAIL_RC (SIZE_MAX: none) */
	size_t fail_at2;         /* and this one too */
	size_t cancel_at;        /* this job sets cancel */
	int wait_for;            /* jobs wait until this many started (0: no wait) */
	int init_fail_on;        /* the n-th thread_init (1-based) fails (0: none) */
	atomic_int inits;
	/* The failed hook. */
	atomic_int failed_calls;
	size_t failed_index;
	int failed_rc;
	void *failed_ctx;
	atomic_int failure_seen; /* set by the hook: the pool has recorded the failure */
	int ctx_mismatch;        /* a job ran with another thread's context */
} fixture;

#define FAIL_RC HF_EIO
#define INIT_RC HF_ENOMEM

static void fixture_init(fixture *f)
{
	size_t i;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < MAX_JOBS; i++)
		atomic_init(&f->runs[i], 0);
	atomic_init(&f->running, 0);
	atomic_init(&f->started, 0);
	atomic_init(&f->finished, 0);
	atomic_init(&f->late, 0);
	atomic_init(&f->cancel, 0);
	atomic_init(&f->inits, 0);
	atomic_init(&f->failed_calls, 0);
	atomic_init(&f->failure_seen, 0);
	f->caller = pthread_self();
	pthread_mutex_init(&f->mu, NULL);
	f->fail_at = f->fail_at2 = f->cancel_at = SIZE_MAX;
}

static void fixture_dispose(fixture *f)
{
	size_t i;

	for (i = 0; i < f->nctx; i++)
		free(f->ctx[i]);
	pthread_mutex_destroy(&f->mu);
}

static void nap(void)
{
	struct timespec ts = { 0, 2 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

static int ctx_init(void *payload, void **out)
{
	fixture *f = payload;
	thread_ctx *t;
	int n = atomic_fetch_add(&f->inits, 1) + 1;

	if (f->init_fail_on && n == f->init_fail_on)
		return INIT_RC;
	t = calloc(1, sizeof(*t));
	if (!t)
		return HF_ENOMEM;
	t->owner = pthread_self();
	atomic_init(&t->jobs, 0);
	pthread_mutex_lock(&f->mu);
	if (f->nctx < MAX_CTX)
		f->ctx[f->nctx++] = t;
	pthread_mutex_unlock(&f->mu);
	*out = t;
	return 0;
}

static void ctx_free(void *payload, void *ctx)
{
	fixture *f = payload;
	thread_ctx *t = ctx;

	pthread_mutex_lock(&f->mu);
	if (!pthread_equal(t->owner, pthread_self()))
		f->free_mismatch = 1;
	t->freed++;
	f->freed++;
	pthread_mutex_unlock(&f->mu);
}

static int run_job(void *payload, void *ctx, size_t index)
{
	fixture *f = payload;
	thread_ctx *t = ctx;
	int rc = 0;

	if (atomic_load(&f->cancel))
		atomic_fetch_add(&f->late, 1);
	atomic_fetch_add(&f->runs[index], 1);
	atomic_fetch_add(&f->started, 1);
	atomic_fetch_add(&f->running, 1);
	if (t) {
		if (!pthread_equal(t->owner, pthread_self())) {
			pthread_mutex_lock(&f->mu);
			f->ctx_mismatch = 1;
			pthread_mutex_unlock(&f->mu);
		}
		atomic_fetch_add(&t->jobs, 1);
	}
	while (f->wait_for && atomic_load(&f->started) < f->wait_for)
		sched_yield();
	if (index == f->fail_at || index == f->fail_at2) {
		rc = FAIL_RC;
	} else if (f->fail_at != SIZE_MAX && index < (size_t)f->wait_for) {
		/* A job running when another fails: it is let finish. */
		while (!atomic_load(&f->failure_seen))
			sched_yield();
		nap();
	}
	if (index == f->cancel_at)
		atomic_store(&f->cancel, 1);
	atomic_fetch_sub(&f->running, 1);
	atomic_fetch_add(&f->finished, 1);
	return rc;
}

static void on_failed(void *payload, void *ctx, size_t index, int rc)
{
	fixture *f = payload;

	/* Under the pool's lock: plain fields are safe, read after the run. */
	atomic_fetch_add(&f->failed_calls, 1);
	f->failed_index = index;
	f->failed_rc = rc;
	f->failed_ctx = ctx;
	atomic_store(&f->failure_seen, 1);
}

static const hf__pool_ops OPS = { ctx_init, ctx_free, run_job, on_failed };

static void assert_each_ran_once(fixture *f, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		assert_int_equal(atomic_load(&f->runs[i]), 1);
}

/* Contexts: one per thread, freed once, by their own thread. */
static void assert_contexts_sane(fixture *f)
{
	size_t i;

	assert_int_equal(f->freed, f->nctx);
	assert_int_equal(f->free_mismatch, 0);
	assert_int_equal(f->ctx_mismatch, 0);
	for (i = 0; i < f->nctx; i++) {
		size_t k;

		assert_int_equal(f->ctx[i]->freed, 1);
		for (k = 0; k < i; k++)
			assert_int_equal(pthread_equal(f->ctx[i]->owner, f->ctx[k]->owner), 0);
	}
}

/* ------------------------------------------------------------------ */

static void test_zero_jobs(void **state)
{
	fixture f;

	(void)state;
	fixture_init(&f);
	assert_int_equal(hf__pool_run(0, 4, &OPS, &f, &f.cancel), 0);
	assert_int_equal(atomic_load(&f.inits), 0);
	assert_int_equal(f.freed, 0);
	fixture_dispose(&f);
}

static void test_all_jobs_run_once(void **state)
{
	static const size_t threads[] = { 2, 3, 4, 8 };
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(threads) / sizeof(threads[0]); k++) {
		fixture f;

		fixture_init(&f);
		assert_int_equal(hf__pool_run(MAX_JOBS, threads[k], &OPS, &f, &f.cancel), 0);
		assert_each_ran_once(&f, MAX_JOBS);
		assert_int_equal(atomic_load(&f.finished), MAX_JOBS);
		/* Every thread makes its context before its first job. */
		assert_int_equal(f.nctx, threads[k]);
		assert_contexts_sane(&f);
		assert_int_equal(atomic_load(&f.failed_calls), 0);
		fixture_dispose(&f);
	}
}

static void test_one_thread_is_the_caller(void **state)
{
	fixture f;

	(void)state;
	fixture_init(&f);
	assert_int_equal(hf__pool_run(50, 1, &OPS, &f, &f.cancel), 0);
	assert_each_ran_once(&f, 50);
	assert_int_equal(f.nctx, 1);
	assert_true(pthread_equal(f.ctx[0]->owner, f.caller));
	assert_int_equal(atomic_load(&f.ctx[0]->jobs), 50);
	assert_contexts_sane(&f);
	fixture_dispose(&f);

	/* max_threads 0 counts as 1. */
	fixture_init(&f);
	assert_int_equal(hf__pool_run(5, 0, &OPS, &f, NULL), 0);
	assert_each_ran_once(&f, 5);
	assert_int_equal(f.nctx, 1);
	assert_true(pthread_equal(f.ctx[0]->owner, f.caller));
	fixture_dispose(&f);

	/* A single job too, whatever max_threads is. */
	fixture_init(&f);
	assert_int_equal(hf__pool_run(1, 16, &OPS, &f, &f.cancel), 0);
	assert_each_ran_once(&f, 1);
	assert_int_equal(f.nctx, 1);
	assert_true(pthread_equal(f.ctx[0]->owner, f.caller));
	fixture_dispose(&f);
}

static void test_more_threads_than_jobs(void **state)
{
	fixture f;

	(void)state;
	fixture_init(&f);
	/* Each job waits until all 3 have started: 3 threads, one job each. */
	f.wait_for = 3;
	assert_int_equal(hf__pool_run(3, 16, &OPS, &f, &f.cancel), 0);
	assert_each_ran_once(&f, 3);
	assert_int_equal(atomic_load(&f.inits), 3);
	assert_int_equal(f.nctx, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(atomic_load(&f.ctx[i]->jobs), 1);
		assert_false(pthread_equal(f.ctx[i]->owner, f.caller));
	}
	assert_contexts_sane(&f);
	fixture_dispose(&f);
}

static void test_works_without_optional_callbacks(void **state)
{
	static const hf__pool_ops bare = { NULL, NULL, run_job, NULL };
	fixture f;

	(void)state;
	fixture_init(&f);
	assert_int_equal(hf__pool_run(100, 4, &bare, &f, NULL), 0);
	assert_each_ran_once(&f, 100);
	fixture_dispose(&f);

	fixture_init(&f);
	f.fail_at = 7;
	assert_int_equal(hf__pool_run(100, 1, &bare, &f, NULL), FAIL_RC);
	assert_int_equal(atomic_load(&f.started), 8);
	fixture_dispose(&f);
}

/* ------------------------------------------------------------------ */
/* Failures */

static void test_first_error_stops_one_thread(void **state)
{
	fixture f;
	size_t i;

	(void)state;
	fixture_init(&f);
	f.fail_at = 5;
	assert_int_equal(hf__pool_run(100, 1, &OPS, &f, &f.cancel), FAIL_RC);
	assert_each_ran_once(&f, 6);
	for (i = 6; i < 100; i++)
		assert_int_equal(atomic_load(&f.runs[i]), 0);
	assert_int_equal(atomic_load(&f.failed_calls), 1);
	assert_int_equal(f.failed_index, 5);
	assert_int_equal(f.failed_rc, FAIL_RC);
	assert_ptr_equal(f.failed_ctx, f.ctx[0]);
	assert_contexts_sane(&f);
	fixture_dispose(&f);
}

static void test_first_error_lets_running_jobs_finish(void **state)
{
	fixture f;
	size_t i;

	(void)state;
	fixture_init(&f);
	/*
	 * Jobs 0-3 start together on 4 threads (each waits for the others);
	 * job 0 fails; 1-3 wait until the pool has recorded it, then finish.
	 * No job past 3 may start.
	 */
	f.wait_for = 4;
	f.fail_at = 0;
	assert_int_equal(hf__pool_run(200, 4, &OPS, &f, &f.cancel), FAIL_RC);
	assert_each_ran_once(&f, 4);
	for (i = 4; i < 200; i++)
		assert_int_equal(atomic_load(&f.runs[i]), 0);
	assert_int_equal(atomic_load(&f.finished), 4);
	assert_int_equal(atomic_load(&f.running), 0);
	assert_int_equal(atomic_load(&f.failed_calls), 1);
	assert_int_equal(f.failed_index, 0);
	assert_int_equal(f.nctx, 4);
	assert_contexts_sane(&f);
	fixture_dispose(&f);
}

static void test_two_failures_reported_once(void **state)
{
	fixture f;

	(void)state;
	fixture_init(&f);
	f.wait_for = 2;
	f.fail_at = 0;
	f.fail_at2 = 1;
	assert_int_equal(hf__pool_run(50, 2, &OPS, &f, &f.cancel), FAIL_RC);
	assert_int_equal(atomic_load(&f.failed_calls), 1);
	assert_true(f.failed_index == 0 || f.failed_index == 1);
	assert_int_equal(atomic_load(&f.started), 2);
	assert_contexts_sane(&f);
	fixture_dispose(&f);
}

static void test_thread_init_failure(void **state)
{
	fixture f;

	(void)state;
	/* On the calling thread: nothing runs. */
	fixture_init(&f);
	f.init_fail_on = 1;
	assert_int_equal(hf__pool_run(10, 1, &OPS, &f, &f.cancel), INIT_RC);
	assert_int_equal(atomic_load(&f.started), 0);
	assert_int_equal(atomic_load(&f.failed_calls), 1);
	assert_true(f.failed_index == HF__POOL_NO_JOB);
	assert_null(f.failed_ctx);
	assert_int_equal(f.freed, 0);
	fixture_dispose(&f);

	/* One thread of several: it counts as the first failure; the others free theirs. */
	fixture_init(&f);
	f.init_fail_on = 2;
	assert_int_equal(hf__pool_run(MAX_JOBS, 4, &OPS, &f, &f.cancel), INIT_RC);
	assert_int_equal(atomic_load(&f.failed_calls), 1);
	assert_true(f.failed_index == HF__POOL_NO_JOB);
	assert_int_equal(atomic_load(&f.inits), 4);
	assert_int_equal(f.nctx, 3);
	for (size_t i = 0; i < MAX_JOBS; i++)
		assert_true(atomic_load(&f.runs[i]) <= 1);
	assert_contexts_sane(&f);
	fixture_dispose(&f);
}

/* ------------------------------------------------------------------ */
/* Cancellation */

static void test_cancel_stops_handing_out(void **state)
{
	fixture f;
	size_t i;

	(void)state;
	fixture_init(&f);
	f.cancel_at = 9;
	assert_int_equal(hf__pool_run(100, 1, &OPS, &f, &f.cancel), HF_ECANCELLED);
	assert_each_ran_once(&f, 10);
	for (i = 10; i < 100; i++)
		assert_int_equal(atomic_load(&f.runs[i]), 0);
	assert_int_equal(atomic_load(&f.failed_calls), 0);
	assert_contexts_sane(&f);
	fixture_dispose(&f);

	/*
	 * Several threads: once cancel is set no job is handed out; a job
	 * handed out just before may still start, at most one per other thread.
	 */
	fixture_init(&f);
	f.cancel_at = 20;
	assert_int_equal(hf__pool_run(MAX_JOBS, 4, &OPS, &f, &f.cancel), HF_ECANCELLED);
	assert_true(atomic_load(&f.late) <= 3);
	assert_int_equal(atomic_load(&f.runs[20]), 1);
	for (i = 0; i < MAX_JOBS; i++)
		assert_true(atomic_load(&f.runs[i]) <= 1);
	assert_contexts_sane(&f);
	fixture_dispose(&f);
}

static void test_cancel_before_start(void **state)
{
	fixture f;

	(void)state;
	fixture_init(&f);
	atomic_store(&f.cancel, 1);
	assert_int_equal(hf__pool_run(100, 4, &OPS, &f, &f.cancel), HF_ECANCELLED);
	assert_int_equal(atomic_load(&f.started), 0);
	assert_contexts_sane(&f);
	fixture_dispose(&f);
}

static void test_cancel_after_last_job(void **state)
{
	fixture f;

	(void)state;
	/* Set by the last job: every job ran, yet the run was cancelled. */
	fixture_init(&f);
	f.cancel_at = 9;
	assert_int_equal(hf__pool_run(10, 1, &OPS, &f, &f.cancel), HF_ECANCELLED);
	assert_each_ran_once(&f, 10);
	fixture_dispose(&f);
}

static void test_failure_wins_over_cancel(void **state)
{
	fixture f;

	(void)state;
	fixture_init(&f);
	f.cancel_at = 3;
	f.fail_at = 3;
	assert_int_equal(hf__pool_run(10, 1, &OPS, &f, &f.cancel), FAIL_RC);
	fixture_dispose(&f);
}

/* ------------------------------------------------------------------ */
/* Threads that cannot be created */

static atomic_int creates_allowed;

static int limited_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *),
			  void *arg)
{
	if (atomic_fetch_sub(&creates_allowed, 1) <= 0)
		return EAGAIN;
	return pthread_create(thread, attr, start, arg);
}

static void test_no_thread_runs_on_caller(void **state)
{
	fixture f;

	(void)state;
	fixture_init(&f);
	atomic_store(&creates_allowed, 0);
	hf__pool_thread_create = limited_create;
	assert_int_equal(hf__pool_run(100, 8, &OPS, &f, &f.cancel), 0);
	hf__pool_thread_create = pthread_create;
	assert_each_ran_once(&f, 100);
	assert_int_equal(f.nctx, 1);
	assert_true(pthread_equal(f.ctx[0]->owner, f.caller));
	assert_contexts_sane(&f);
	fixture_dispose(&f);
}

static void test_fewer_threads_than_asked(void **state)
{
	fixture f;
	size_t i;

	(void)state;
	fixture_init(&f);
	atomic_store(&creates_allowed, 2);
	hf__pool_thread_create = limited_create;
	assert_int_equal(hf__pool_run(MAX_JOBS, 8, &OPS, &f, &f.cancel), 0);
	hf__pool_thread_create = pthread_create;
	assert_each_ran_once(&f, MAX_JOBS);
	assert_int_equal(f.nctx, 2);
	for (i = 0; i < f.nctx; i++)
		assert_false(pthread_equal(f.ctx[i]->owner, f.caller));
	assert_contexts_sane(&f);
	fixture_dispose(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zero_jobs),
		cmocka_unit_test(test_all_jobs_run_once),
		cmocka_unit_test(test_one_thread_is_the_caller),
		cmocka_unit_test(test_more_threads_than_jobs),
		cmocka_unit_test(test_works_without_optional_callbacks),
		cmocka_unit_test(test_first_error_stops_one_thread),
		cmocka_unit_test(test_first_error_lets_running_jobs_finish),
		cmocka_unit_test(test_two_failures_reported_once),
		cmocka_unit_test(test_thread_init_failure),
		cmocka_unit_test(test_cancel_stops_handing_out),
		cmocka_unit_test(test_cancel_before_start),
		cmocka_unit_test(test_cancel_after_last_job),
		cmocka_unit_test(test_failure_wins_over_cancel),
		cmocka_unit_test(test_no_thread_runs_on_caller),
		cmocka_unit_test(test_fewer_threads_than_asked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * A pool of worker threads: runs jobs 0..count-1, each exactly once at
 * most, over at most max_threads threads. Generic: it knows nothing of
 * downloads (docs/internals/download.md says how downloads use it).
 *
 * Per-thread context. Each thread makes its own context with
 * ops->thread_init before it takes a job (a download worker makes its
 * HTTP connection there) and hands it to ops->thread_free when it has
 * no more jobs to take. Both run in that thread, once per thread; the
 * context is never seen by another thread, so it needs no lock.
 *
 * Errors. A job (or a thread_init) fails by returning non-zero. The
 * first failure stops the handing out of further jobs; jobs that are
 * already running are not interrupted and run to their end (their own
 * failures are then not "first"). ops->failed, when set, is called for
 * the first failure only, exactly once, under the pool's lock and in the
 * failing thread, with that thread's context still alive: it is where a
 * caller copies the detail of the failure out of the context.
 *
 * Cancellation. *cancel (when cancel is not NULL) is read before each
 * job is handed out: once it is non-zero, no further job starts. The
 * pool never writes it and never interrupts a running job (jobs may read
 * it themselves to stop early).
 *
 * Threads. With one thread's worth of work (max_threads == 1 or
 * count == 1) the calling thread runs the jobs itself and no thread is
 * created. Otherwise min(count, max_threads) threads are started; when
 * fewer can be created, those that were run the jobs, and when none can
 * be, the calling thread runs them all. hf__pool_run returns only after
 * every thread it started has been joined: nothing of the pool runs
 * after it returns. Whatever the callbacks share through payload is
 * theirs to protect (a job runs concurrently with other jobs); the
 * caller may read it without a lock once hf__pool_run has returned.
 *
 * Ownership. The pool holds no pointer past its return. payload and
 * cancel belong to the caller and must outlive the call.
 */
#ifndef HF_POOL_H
#define HF_POOL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* The job index passed to ops->failed when a thread_init failed. */
#define HF__POOL_NO_JOB SIZE_MAX

typedef struct hf__pool_ops {
	/*
	 * Make this thread's context in *thread_ctx (may be left NULL).
	 * Returns 0, or non-zero: the thread then takes no job, and this
	 * counts as a failure (thread_free is not called for it). Optional.
	 */
	int (*thread_init)(void *payload, void **thread_ctx);
	/* Free what thread_init made. Optional. */
	void (*thread_free)(void *payload, void *thread_ctx);
	/* Run job index. Returns 0, or non-zero on failure. Required. */
	int (*job)(void *payload, void *thread_ctx, size_t index);
	/*
	 * The first failure: rc as returned by job (index) or thread_init
	 * (index HF__POOL_NO_JOB, thread_ctx NULL). Optional.
	 */
	void (*failed)(void *payload, void *thread_ctx, size_t index, int rc);
} hf__pool_ops;

/*
 * Run count jobs over at most max_threads threads (0 counts as 1).
 * Returns 0 when no job failed and *cancel is still 0 after the last
 * join; the first failure's rc when one failed; otherwise HF_ECANCELLED
 * (cancel was set, whether or not jobs were left). count == 0 returns
 * 0 at once without calling anything.
 */
int hf__pool_run(size_t count, size_t max_threads, const hf__pool_ops *ops, void *payload,
		 atomic_int *cancel);

/*
 * How the pool starts a thread: pthread_create. Tests only replace it,
 * to see the fallbacks when threads cannot be created; nothing else may.
 */
extern int (*hf__pool_thread_create)(pthread_t *thread, const pthread_attr_t *attr,
				     void *(*start)(void *), void *arg);

#endif

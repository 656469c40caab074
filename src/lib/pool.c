/*
 * The worker pool of pool.h: a shared counter of the next job under one
 * mutex, the first failure recorded under the same mutex. Used by the
 * downloads (docs/internals/download.md) and meant for the uploads.
 */
#include <stdlib.h>
#include <string.h>

#include "hf/errors.h"
#include "pool.h"

int (*hf__pool_thread_create)(pthread_t *thread, const pthread_attr_t *attr,
			      void *(*start)(void *), void *arg) = pthread_create;

typedef struct pool {
	const hf__pool_ops *ops;
	void *payload;
	atomic_int *cancel;
	size_t count;
	pthread_mutex_t mu;
	/* Under mu. */
	size_t next;
	int failed;
	int rc;
} pool;

/* Record a failure; the first one stops the handing out (under p->mu). */
static void pool_fail(pool *p, void *thread_ctx, size_t index, int rc)
{
	pthread_mutex_lock(&p->mu);
	if (!p->failed) {
		p->failed = 1;
		p->rc = rc;
		if (p->ops->failed)
			p->ops->failed(p->payload, thread_ctx, index, rc);
	}
	pthread_mutex_unlock(&p->mu);
}

static void *pool_worker(void *arg)
{
	pool *p = arg;
	void *ctx = NULL;
	int rc;

	if (p->ops->thread_init) {
		rc = p->ops->thread_init(p->payload, &ctx);
		if (rc) {
			pool_fail(p, NULL, HF__POOL_NO_JOB, rc);
			return NULL;
		}
	}
	for (;;) {
		size_t i;

		pthread_mutex_lock(&p->mu);
		if (p->next >= p->count || p->failed || (p->cancel && atomic_load(p->cancel))) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		i = p->next++;
		pthread_mutex_unlock(&p->mu);
		rc = p->ops->job(p->payload, ctx, i);
		if (rc)
			pool_fail(p, ctx, i, rc);
	}
	if (p->ops->thread_free)
		p->ops->thread_free(p->payload, ctx);
	return NULL;
}

int hf__pool_run(size_t count, size_t max_threads, const hf__pool_ops *ops, void *payload,
		 atomic_int *cancel)
{
	pool p;
	size_t n = count < max_threads ? count : max_threads;
	int rc;

	if (!count)
		return 0;
	memset(&p, 0, sizeof(p));
	p.ops = ops;
	p.payload = payload;
	p.cancel = cancel;
	p.count = count;
	pthread_mutex_init(&p.mu, NULL);
	if (n <= 1) {
		pool_worker(&p);
	} else {
		pthread_t *threads = calloc(n, sizeof(*threads));
		size_t i, started = 0;

		/* No room to remember threads is no thread: the caller works. */
		for (i = 0; threads && i < n; i++) {
			if (hf__pool_thread_create(&threads[i], NULL, pool_worker, &p) != 0)
				break;
			started++;
		}
		if (!started)
			pool_worker(&p);
		for (i = 0; i < started; i++)
			pthread_join(threads[i], NULL);
		free(threads);
	}
	pthread_mutex_destroy(&p.mu);
	if (p.failed)
		rc = p.rc;
	else if (cancel && atomic_load(cancel))
		rc = HF_ECANCELLED;
	else
		rc = 0;
	return rc;
}

/*
 * Hashing and sending at once (engine.h; docs/internals/upload.md, "The
 * pipeline"). After preupload every add's mode is known, so each file is
 * read once for exactly the hashes it needs, and an LFS file goes on as
 * soon as its sha256 is known:
 *
 *   hash pool (thread H)       dispatcher (calling thread)      send pool (thread S)
 *   hash file i, no-op test -> ready[] -> LFS batch of what is ready -> sendq[] -> hf__lfs_send
 *
 * LFS files are hashed first so that transfers start early. The batch
 * calls run on the calling thread (the client's connection: a client is
 * used by one thread at a time); each worker of the pools has its own
 * connection or read buffer. The queues live under p->mu; the dispatcher
 * takes everything ready at once (up to 256 objects), so a batch call
 * never waits for files still being read.
 *
 * Failures: the first failure of any stage is kept (p->fail, or the
 * client's record for the dispatcher) and stops the others (p->stop: the
 * pools hand out no further job, waiting jobs wake up and return). A user
 * cancellation sets u->cancel, which the transfers and retries also read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "pool.h"

#define READ_BUF ((size_t)1 << 20)
#define STOPPED (-1000) /* a job's answer when another stage failed: not a failure */

typedef struct pipe_state {
	hf__up *u;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	atomic_int stop;          /* a stage failed, or the user cancelled */

	size_t *hidx, nh;         /* items to hash, LFS first */
	size_t *ready, nready, ntaken; /* LFS items hashed and not no-ops, in order */
	int hash_done;
	size_t *sendq, nsend;     /* items with an upload action, in order */
	size_t send_max;          /* the send pool's job count */
	int send_final;           /* no more items will be queued */
	size_t sent;              /* objects sent */

	int fail_set;
	hf__failure fail;         /* the first worker failure */
	int hash_rc, send_rc;
} pipe_state;

static void stop_all(pipe_state *p)
{
	pthread_mutex_lock(&p->mu);
	atomic_store(&p->stop, 1);
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

/* Keep a worker's failure when it is the first (under p->mu). */
static void keep_failure(pipe_state *p, const hf__failure *f, int rc)
{
	if (rc == STOPPED || rc == HF_ECANCELLED)
		return;
	pthread_mutex_lock(&p->mu);
	if (!p->fail_set) {
		p->fail_set = 1;
		p->fail = *f;
		if (!p->fail.code)
			p->fail.code = rc;
	}
	pthread_mutex_unlock(&p->mu);
}

/* The first failure kept, every worker stopped: rc back. */
static int fail_stop(pipe_state *p, const hf__failure *f, int rc)
{
	keep_failure(p, f, rc);
	stop_all(p);
	return rc;
}

/* A job of either pool that could not start (its context not made): out of memory. */
static void job_failed(void *payload, void *ctx, size_t index, int rc)
{
	hf__failure f;

	(void)ctx;
	(void)index;
	if (rc == HF_ENOMEM) {
		memset(&f, 0, sizeof(f));
		snprintf(f.message, sizeof(f.message), "out of memory");
		fail_stop(payload, &f, rc);
	}
}

/* ---- hashing ---- */

typedef struct hash_ctx {
	unsigned char *buf;
	hf__failure f;
} hash_ctx;

static int hash_init(void *payload, void **ctx)
{
	hash_ctx *h = calloc(1, sizeof(*h));

	(void)payload;
	if (!h || !(h->buf = malloc(READ_BUF))) {
		free(h);
		return HF_ENOMEM;
	}
	*ctx = h;
	return 0;
}

static void hash_free(void *payload, void *ctx)
{
	hash_ctx *h = ctx;

	(void)payload;
	free(h->buf);
	free(h);
}

static int hash_job(void *payload, void *ctx, size_t index)
{
	pipe_state *p = payload;
	hash_ctx *h = ctx;
	hf__up *u = p->u;
	hf__up_item *it = &u->items[p->hidx[index]];
	int rc;

	if (atomic_load(&u->cancel))
		stop_all(p);
	if (atomic_load(&p->stop))
		return STOPPED;
	rc = hf__up_hash_item(u, it, h->buf, READ_BUF, &h->f);
	if (rc) {
		if (rc == HF_ECANCELLED)
			atomic_store(&u->cancel, 1);
		return fail_stop(p, &h->f, rc);
	}
	if (it->lfs && !it->noop) {
		pthread_mutex_lock(&p->mu);
		p->ready[p->nready++] = p->hidx[index];
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	} else if (hf__up_file_done(u, it->path)) {
		stop_all(p); /* the callback asked to cancel */
	}
	return 0;
}

static void *hash_thread(void *arg)
{
	pipe_state *p = arg;
	hf__pool_ops ops = { hash_init, hash_free, hash_job, job_failed };

	p->hash_rc = hf__pool_run(p->nh, (size_t)p->u->o.max_workers, &ops, p, &p->stop);
	pthread_mutex_lock(&p->mu);
	p->hash_done = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* ---- sending ---- */

typedef struct send_ctx {
	hf__conn *conn;
	hf__failure f;
} send_ctx;

static int send_init(void *payload, void **ctx)
{
	pipe_state *p = payload;
	send_ctx *s = calloc(1, sizeof(*s));

	if (!s || !(s->conn = hf__conn_new(p->u->c->transport))) {
		free(s);
		return HF_ENOMEM;
	}
	*ctx = s;
	return 0;
}

static void send_free(void *payload, void *ctx)
{
	send_ctx *s = ctx;

	(void)payload;
	hf__conn_free(s->conn);
	free(s);
}

/* Job k sends the k-th queued object, waiting until it is queued. */
static int send_job(void *payload, void *ctx, size_t index)
{
	pipe_state *p = payload;
	send_ctx *s = ctx;
	hf__up *u = p->u;
	hf__up_item *it;
	int rc;

	pthread_mutex_lock(&p->mu);
	while (index >= p->nsend && !p->send_final && !atomic_load(&p->stop))
		pthread_cond_wait(&p->cv, &p->mu);
	if (atomic_load(&p->stop) || index >= p->nsend) {
		int stopped = atomic_load(&p->stop);

		pthread_mutex_unlock(&p->mu);
		return stopped ? STOPPED : 0; /* fewer objects to send than LFS files */
	}
	it = &u->items[p->sendq[index]];
	pthread_mutex_unlock(&p->mu);
	hf__up_report(u, HF_UPLOAD_SENDING, it->path, 0);
	rc = hf__up_send_one(u, s->conn, it, &s->f);
	if (rc)
		return fail_stop(p, &s->f, rc);
	pthread_mutex_lock(&p->mu);
	p->sent++;
	pthread_mutex_unlock(&p->mu);
	if (hf__up_file_done(u, it->path))
		stop_all(p);
	return 0;
}

static void *send_thread(void *arg)
{
	pipe_state *p = arg;
	hf__pool_ops ops = { send_init, send_free, send_job, job_failed };

	p->send_rc = hf__pool_run(p->send_max, (size_t)p->u->o.max_workers, &ops, p, &p->stop);
	return NULL;
}

/* ---- the dispatcher ---- */

/* 1 when an item of the same oid was batched already (a copy of a file). */
static int seen_oid(hf__up *u, const size_t *done, size_t ndone, const hf__up_item *it)
{
	size_t i;

	for (i = 0; i < ndone; i++)
		if (strcmp(u->items[done[i]].sha256, it->sha256) == 0)
			return 1;
	return 0;
}

static int dispatch(pipe_state *p)
{
	hf__up *u = p->u;
	size_t *batch = malloc(HF__LFS_BATCH_CHUNK * sizeof(*batch));
	unsigned char stored[HF__LFS_BATCH_CHUNK];
	size_t *done = malloc((u->n ? u->n : 1) * sizeof(*done)), ndone = 0;
	char *url = hf__up_batch_url(u);
	int rc = HF_OK;

	if (!batch || !done || !url) {
		rc = hf__error_set(u->c, HF_ENOMEM, NULL, "out of memory");
		goto out;
	}
	for (;;) {
		size_t k = 0, i;

		pthread_mutex_lock(&p->mu);
		while (p->ntaken == p->nready && !p->hash_done && !atomic_load(&p->stop))
			pthread_cond_wait(&p->cv, &p->mu);
		if (atomic_load(&p->stop) || (p->ntaken == p->nready && p->hash_done)) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		while (p->ntaken < p->nready && k < HF__LFS_BATCH_CHUNK) {
			size_t j = p->ready[p->ntaken++];

			/* One object per content: copies wait for their first. */
			if (!seen_oid(u, done, ndone, &u->items[j]) &&
			    !seen_oid(u, batch, k, &u->items[j]))
				batch[k++] = j;
		}
		pthread_mutex_unlock(&p->mu);
		if (!k)
			continue;
		rc = hf__up_batch(u, url, batch, k);
		for (i = 0; !rc && i < k; i++)
			if (!u->items[batch[i]].stored)
				rc = hf__up_buffer_fd(u, &u->items[batch[i]]);
		if (rc)
			break;
		/* Read "stored" before queuing: a queued item is the send pool's. */
		for (i = 0; i < k; i++)
			stored[i] = (unsigned char)u->items[batch[i]].stored;
		pthread_mutex_lock(&p->mu);
		for (i = 0; i < k; i++) {
			done[ndone++] = batch[i];
			if (!stored[i])
				p->sendq[p->nsend++] = batch[i];
		}
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		for (i = 0; i < k; i++)
			if (stored[i])
				hf__up_file_done(u, u->items[batch[i]].path);
	}
out:
	if (rc)
		stop_all(p);
	pthread_mutex_lock(&p->mu);
	p->send_final = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	free(batch);
	free(done);
	free(url);
	return rc;
}

int hf__up_hash_and_send(hf__up *u)
{
	pipe_state p;
	pthread_t th, ts;
	int have_h = 0, have_s = 0, rc;
	size_t i;

	memset(&p, 0, sizeof(p));
	p.u = u;
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	atomic_init(&p.stop, atomic_load(&u->cancel));
	p.hidx = malloc((u->n ? u->n : 1) * sizeof(*p.hidx));
	p.ready = malloc((u->n ? u->n : 1) * sizeof(*p.ready));
	p.sendq = malloc((u->n ? u->n : 1) * sizeof(*p.sendq));
	if (!p.hidx || !p.ready || !p.sendq) {
		rc = hf__error_set(u->c, HF_ENOMEM, NULL, "out of memory");
		goto out;
	}
	/* LFS files first: their transfers can start while the others are read. */
	for (i = 0; i < u->n; i++) {
		hf__up_item *it = &u->items[i];

		if (!it->skip && !it->ignored && it->lfs &&
		    (it->kind == HF_COMMIT_ADD_FILE || it->kind == HF_COMMIT_ADD_BUFFER))
			p.hidx[p.nh++] = i;
	}
	p.send_max = p.nh;
	for (i = 0; i < u->n; i++) {
		hf__up_item *it = &u->items[i];

		if (!it->skip && !it->ignored && !it->lfs &&
		    (it->kind == HF_COMMIT_ADD_FILE || it->kind == HF_COMMIT_ADD_BUFFER))
			p.hidx[p.nh++] = i;
	}
	/* Without threads of our own, each stage runs in turn on this thread. */
	have_h = pthread_create(&th, NULL, hash_thread, &p) == 0;
	if (!have_h)
		hash_thread(&p);
	have_s = p.send_max && pthread_create(&ts, NULL, send_thread, &p) == 0;
	rc = dispatch(&p);
	if (have_h)
		pthread_join(th, NULL);
	if (have_s)
		pthread_join(ts, NULL);
	else if (p.send_max && !rc)
		send_thread(&p);
	u->lfs_sent += p.sent;
	if (rc)
		goto out; /* the dispatcher's failure is on the record */
	if (p.fail_set) {
		rc = hf__failure_report(u->c, &p.fail, NULL);
	} else if (atomic_load(&u->cancel) || p.hash_rc == HF_ECANCELLED ||
		   p.send_rc == HF_ECANCELLED || p.hash_rc == STOPPED || p.send_rc == STOPPED) {
		atomic_store(&u->cancel, 1);
		rc = hf__up_check_cancel(u);
	} else if (p.hash_rc || p.send_rc) {
		rc = hf__error_set(u->c, p.hash_rc ? p.hash_rc : p.send_rc, NULL,
				   "the upload's workers failed");
	}
	if (rc)
		goto out;
	/* Copies of the same content are stored with their first. */
	for (i = 0; i < u->n; i++) {
		hf__up_item *it = &u->items[i];

		if (!it->skip && it->lfs && !it->ignored && !it->noop && !it->stored &&
		    (it->kind == HF_COMMIT_ADD_FILE || it->kind == HF_COMMIT_ADD_BUFFER)) {
			it->stored = 1;
			hf__up_file_done(u, it->path);
		}
	}
out:
	pthread_cond_destroy(&p.cv);
	pthread_mutex_destroy(&p.mu);
	free(p.hidx);
	free(p.ready);
	free(p.sendq);
	return rc;
}

/*
 * Progress reports and cancellation of an upload (engine.h). The callback
 * is called one call at a time (under u->mu), at most every 100 ms plus
 * once per phase change and at the end (include/hf/upload.h); a non-zero
 * answer sets u->cancel, which the pool, the transfers and the retry waits
 * read.
 */
#include <string.h>

#include "engine.h"

static long long ms_since(const struct timespec *a, const struct timespec *b)
{
	return (long long)(b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000;
}

/* Under u->mu. */
static int report_locked(hf__up *u, int phase, const char *file, int force)
{
	struct timespec now;
	int stop;

	if (phase != u->reported_phase)
		force = 1;
	u->p.phase = phase;
	if (!u->o.progress)
		return atomic_load(&u->cancel);
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!force && ms_since(&u->last_report, &now) < 100)
		return atomic_load(&u->cancel);
	u->last_report = now;
	u->reported_phase = phase;
	u->p.file = file;
	stop = u->o.progress(&u->p, u->o.progress_payload);
	u->p.file = NULL;
	if (stop)
		atomic_store(&u->cancel, 1);
	return atomic_load(&u->cancel);
}

int hf__up_report(hf__up *u, int phase, const char *file, int force)
{
	int rc;

	pthread_mutex_lock(&u->mu);
	rc = report_locked(u, phase, file, force);
	pthread_mutex_unlock(&u->mu);
	return rc;
}

int hf__up_hashed(hf__up *u, const char *file, uint64_t bytes)
{
	int rc;

	pthread_mutex_lock(&u->mu);
	u->p.bytes_hashed += bytes;
	rc = report_locked(u, u->p.phase, file, 0);
	pthread_mutex_unlock(&u->mu);
	return rc;
}

int hf__up_sent(hf__up *u, const char *file, uint64_t bytes)
{
	int rc;

	pthread_mutex_lock(&u->mu);
	u->p.bytes_sent += bytes;
	u->bytes_sent += bytes;
	rc = report_locked(u, u->p.phase, file, 0);
	pthread_mutex_unlock(&u->mu);
	return rc;
}

int hf__up_file_done(hf__up *u, const char *file)
{
	int rc;

	pthread_mutex_lock(&u->mu);
	u->p.files_done++;
	rc = report_locked(u, u->p.phase, file, 0);
	pthread_mutex_unlock(&u->mu);
	return rc;
}

int hf__up_check_cancel(hf__up *u)
{
	if (!atomic_load(&u->cancel))
		return HF_OK;
	return hf__error_set(u->c, HF_ECANCELLED, NULL, "upload cancelled: nothing was committed");
}

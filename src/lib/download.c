/*
 * The download engine shared by hf_download_file (download_file.c) and
 * hf_download_snapshot (download_snapshot.c): one call's context and its
 * requests, one file into the cache, and the jobs run over the worker
 * pool (pool.h); local_dir mode is in local_dir.c. The cache algorithm
 * is described in docs/internals/download.md.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "client_int.h"
#include "download_int.h"
#include "fsutil.h"
#include "pool.h"
#include "repo.h"
#include "retry.h"
#include "validate.h"
#include "util.h"

#define DEFAULT_WORKERS 8
#define DEFAULT_CONNECTIONS 4
#define DEFAULT_SPLIT ((uint64_t)64 << 20)
#define PROGRESS_INTERVAL_MS 100

HF__DEFINE_INIT(hf_download_options_init, hf_download_options, HF_DOWNLOAD_OPTIONS_INIT, HF_DOWNLOAD_OPTIONS_VERSION)

/* ---- one call's context ---- */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Report progress; final calls always go through, others at most every 100 ms. */
void hf__dl_progress(hf__dl *d, const char *file, uint64_t file_done, uint64_t file_total,
		     uint64_t delta, int file_finished)
{
	uint64_t t;

	if (!d->o.progress)
		return;
	pthread_mutex_lock(&d->mu);
	d->prog.bytes_done += delta;
	if (file_finished)
		d->prog.files_done++;
	t = now_ms();
	if (file_finished || t - d->last_ms >= PROGRESS_INTERVAL_MS) {
		d->last_ms = t;
		d->prog.file = file;
		d->prog.file_done = file_done;
		d->prog.file_total = file_total;
		if (d->o.progress(&d->prog, d->o.progress_payload))
			atomic_store(&d->cancel, 1);
	}
	pthread_mutex_unlock(&d->mu);
}

int hf__dl_init(hf__dl *d, hf_client *c, const char *repo_id, const hf_download_options *opts)
{
	int rc;

	memset(d, 0, sizeof(*d));
	d->c = c;
	hf__error_clear(c);
	if (opts && opts->version != HF_DOWNLOAD_OPTIONS_VERSION)
		return hf__error_set(c, HF_EINVAL, NULL, "hf_download_options version %u is not supported",
				     opts->version);
	if (opts)
		d->o = *opts;
	else
		hf_download_options_init(&d->o, HF_DOWNLOAD_OPTIONS_VERSION);
	if (!d->o.max_workers)
		d->o.max_workers = DEFAULT_WORKERS;
	if (d->o.max_workers < 1 || d->o.max_workers > 256)
		return hf__error_set(c, HF_EINVAL, NULL, "max_workers must be between 1 and 256");
	if (!d->o.connections_per_file)
		d->o.connections_per_file = DEFAULT_CONNECTIONS;
	if (d->o.connections_per_file < 1 || d->o.connections_per_file > 64)
		return hf__error_set(c, HF_EINVAL, NULL, "connections_per_file must be between 1 and 64");
	if (!d->o.split_threshold)
		d->o.split_threshold = DEFAULT_SPLIT;
	if (!hf_repo_type_name(d->o.repo_type))
		return hf__error_set(c, HF_EINVAL, NULL, "unknown repository type");
	d->repo_id = repo_id;
	d->revision = d->o.revision && *d->o.revision ? d->o.revision : "main";
	if (!repo_id || !hf__valid_repo_id(repo_id))
		return hf__error_set(c, HF_EINVAL,
				     "a repository id is 'name' or 'namespace/name' of letters, digits, '-', '_' and '.'",
				     "invalid repository id '%s'", repo_id ? repo_id : "");
	if (!hf__valid_revision(d->revision))
		return hf__error_set(c, HF_EINVAL, NULL, "invalid revision '%s'", d->revision);
	if (d->o.cache_dir && d->o.local_dir)
		return hf__error_set(c, HF_EINVAL, NULL, "cache_dir and local_dir cannot be used together");
	d->offline = d->o.offline || c->cfg.offline;
	/* An explicit token is always sent; a found one unless implicit tokens are off. */
	if ((d->o.token && *d->o.token) || c->explicit_token || !c->cfg.disable_implicit_token) {
		rc = hf_token_resolve(&d->token, &d->source, c, d->o.token);
		if (rc)
			return rc;
	}
	if (hf__repo_cache_init(&d->rc, d->o.cache_dir ? d->o.cache_dir : c->cfg.hub_cache,
				d->o.repo_type, repo_id) < 0)
		return hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
	pthread_mutex_init(&d->mu, NULL);
	return HF_OK;
}

void hf__dl_dispose(hf__dl *d)
{
	hf_free_secret(d->token);
	hf__repo_cache_dispose(&d->rc);
	pthread_mutex_destroy(&d->mu);
}

/* ---- requests and their errors ---- */

/* What this call's requests are about, for hub_error.c's words. */
hf__hub_subject hf__dl_subject(const hf__dl *d, const char *file)
{
	hf__hub_subject s = hf__hub_subject_plain(d->c, d->token != NULL, d->source);

	s.repo_type = hf__dl_type_word(d);
	s.repo_id = d->repo_id;
	s.revision = d->revision;
	s.file = file;
	return s;
}

/* A Hub refusal (revision, tree or resolve call), worded by hub_error.c. */
int hf__dl_repo_error(hf__dl *d, const hf__response *rs, const char *file, const char *url)
{
	hf__hub_subject s = hf__dl_subject(d, file);

	return hf__hub_error(d->c, &s, rs, url);
}

/*
 * An API call under the retry policy of API calls (retry.h): a Hub that
 * cannot be reached is not waited for, the cache answers at once instead
 * (docs/internals/download.md). attempts: 1 when the cache can answer.
 */
int hf__dl_api_send(hf__dl *d, hf__request *rq, hf__response *rs, int attempts)
{
	hf__retry policy;

	hf__retry_init(&policy, HF__RETRY_API);
	policy.max_attempts = attempts;
	policy.cancel = &d->cancel;
	rq->scope = hf__hub_scope(d->c, d->token);
	rq->connect_timeout_s = d->c->cfg.etag_timeout;
	if (!rq->stall_timeout_s)
		rq->stall_timeout_s = d->c->cfg.download_timeout;
	return hf__client_send_with(d->c, rq, rs, &policy);
}

/* The commit from the cache: the revision itself or refs/<revision>. */
int hf__dl_commit_from_cache(hf__dl *d)
{
	if (hf__is_commit_hash(d->revision)) {
		memcpy(d->commit, d->revision, 41);
		return 1;
	}
	return hf__cache_read_ref(&d->rc, d->revision, d->commit);
}

int hf__dl_offline_miss(hf__dl *d, const char *what)
{
	if (d->c->cfg.offline || d->o.offline)
		hf__error_set(d->c, HF_EOFFLINE, "run the same once online, or unset HF_HUB_OFFLINE",
			      "%s of %s '%s' (revision '%s') is not in the cache, and offline mode is enabled",
			      what, hf__dl_type_word(d), d->repo_id, d->revision);
	else
		hf__error_set(d->c, HF_EOFFLINE, NULL, "%s is not in the cache", what);
	hf__error_remedy(d->c, HF_REMEDY_GO_ONLINE);
	return HF_EOFFLINE;
}

int hf__dl_set_out(hf__dl *d, char *path, char **path_out)
{
	if (!path)
		return hf__error_set(d->c, HF_ENOMEM, NULL, "out of memory");
	hf__error_clear(d->c);
	*path_out = path;
	return HF_OK;
}

/* ---- one file into the cache ---- */

static void on_fetch_progress(void *payload, uint64_t done)
{
	hf__dl_job_progress *jp = payload;
	uint64_t delta;

	pthread_mutex_lock(&jp->d->mu);
	delta = done > jp->reported ? done - jp->reported : 0;
	jp->reported += delta;
	pthread_mutex_unlock(&jp->d->mu);
	hf__dl_progress(jp->d, jp->j->file, done, jp->j->size, delta, 0);
}

/* Describe a local failure of a job (the Hub's are described by fetch.c). */
void hf__dl_job_fail(hf__dl_job_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err->f.code)
		return;
	memset(&err->f, 0, sizeof(err->f));
	err->f.code = code;
	va_start(ap, fmt);
	vsnprintf(err->f.message, sizeof(err->f.message), fmt, ap);
	va_end(ap);
}

void hf__dl_job_end(hf__dl_job_error *err, int rc, const char *file)
{
	if (!rc)
		return;
	hf__dl_job_fail(err, rc, "%s", hf_strerror(rc));
	snprintf(err->file, sizeof(err->file), "%s", file);
}

/*
 * Fetch j's bytes into a verified temporary file in dir (f->tmp_path on
 * success; the caller publishes it). On failure err describes it.
 */
int hf__dl_fetch_job(hf__dl *d, hf__conn *conn, const hf__dl_job *j, const char *dir,
		     hf__dl_job_progress *jp, hf__fetch *f, hf__dl_job_error *err)
{
	char *url = hf__resolve_url(d->c, d->o.repo_type, d->repo_id, d->commit, j->file);
	int rc;

	if (!url) {
		hf__dl_job_fail(err, HF_ENOMEM, "out of memory");
		return HF_ENOMEM;
	}
	f->conn = conn;
	f->url = url;
	f->first_url = j->first_url;
	f->scope = hf__hub_scope(d->c, d->token);
	f->subject = hf__dl_subject(d, j->file);
	f->subject.file_bytes = 1;
	f->etag_timeout_s = d->c->cfg.etag_timeout;
	f->download_timeout_s = d->c->cfg.download_timeout;
	f->etag = j->etag;
	f->size = j->size;
	f->dir = dir;
	f->prefix = j->etag;
	f->label = j->file;
	f->connections = d->o.connections_per_file;
	f->split_threshold = d->o.split_threshold;
	f->progress = on_fetch_progress;
	f->progress_payload = jp;
	f->cancel = &d->cancel;
	rc = hf__fetch_run(f);
	if (rc && !err->f.code)
		err->f = f->failure;
	free(url);
	return rc;
}

/*
 * Make sure blobs/<etag> holds the verified bytes of j (downloading them
 * under the etag's lock when needed), then link the snapshot to it.
 */
int hf__dl_cache_one(hf__dl *d, hf__conn *conn, const hf__dl_job *j, hf__dl_job_error *err)
{
	char *blob = NULL, *blobs_dir = NULL;
	hf__dl_job_progress jp = { d, j, 0 };
	hf__fetch f;
	int lock_fd, rc = HF_OK;

	memset(&f, 0, sizeof(f));
	lock_fd = hf__cache_lock(&d->rc, j->etag);
	blob = hf__cache_path(&d->rc, "blobs/%s", j->etag);
	blobs_dir = hf__cache_path(&d->rc, "blobs");
	if (!blob || !blobs_dir) {
		rc = HF_ENOMEM;
		hf__dl_job_fail(err, rc, "out of memory");
		goto done;
	}
	/* Checked again under the lock: another process may have finished it. */
	if (!d->o.force && hf__cache_blob_ok(&d->rc, j->etag, j->size)) {
		hf__dl_progress(d, j->file, j->size, j->size, j->size, 1);
		goto link;
	}
	rc = hf__repo_cache_mkdirs(&d->rc, d->rc.root, d->rc.folder);
	if (!rc)
		rc = hf__repo_cache_mkdirs(&d->rc, d->rc.repo_dir, "blobs");
	if (rc) {
		hf__dl_job_fail(err, rc == -ENOSPC ? HF_ENOSPC : HF_EIO, "cannot create '%s': %s",
				blobs_dir, strerror(-rc));
		rc = err->f.code;
		goto done;
	}
	rc = hf__dl_fetch_job(d, conn, j, blobs_dir, &jp, &f, err);
	if (rc)
		goto done;
	if (d->o.force) {
		/* Same verified content under the same name: replacing is safe. */
		rc = rename(f.tmp_path, blob) == 0 ? 0 : -errno;
	} else {
		rc = hf__rename_noreplace(f.tmp_path, blob);
		if (rc == -EEXIST && hf__cache_blob_ok(&d->rc, j->etag, j->size)) {
			unlink(f.tmp_path); /* another process published it meanwhile */
			rc = 0;
		} else if (rc == -EEXIST) {
			/*
			 * A link, a directory or a file of the wrong size where the
			 * blob should be: corrupt or planted. Ours is verified; rename
			 * replaces the entry itself, never what a link points to.
			 */
			rc = rename(f.tmp_path, blob) == 0 ? 0 : -errno;
		}
	}
	if (rc) {
		unlink(f.tmp_path);
		hf__dl_job_fail(err, HF_EIO, "cannot publish '%s': %s", blob, strerror(-rc));
		rc = HF_EIO;
		goto done;
	}
	hf__dl_progress(d, j->file, j->size, j->size, j->size - jp.reported, 1);
link:
	rc = hf__cache_link(&d->rc, d->commit, j->file, j->etag);
	if (rc) {
		hf__dl_job_fail(err, HF_EIO, "cannot link '%s' in the snapshot: %s", j->file,
				strerror(-rc));
		rc = HF_EIO;
	}
done:
	hf__dl_job_end(err, rc, j->file);
	hf__unlock_fd(lock_fd);
	free(f.tmp_path);
	free(blob);
	free(blobs_dir);
	return rc;
}

/* Turn a worker's failure into the client's record. */
int hf__dl_report_job_error(hf__dl *d, const hf__dl_job_error *e)
{
	if (e->f.code == HF_ECANCELLED) {
		hf__error_set(d->c, HF_ECANCELLED, "the same download again resumes where it stopped",
			      "download cancelled");
		hf__error_remedy(d->c, HF_REMEDY_RESUME);
		return HF_ECANCELLED;
	}
	return hf__failure_report(d->c, &e->f, NULL);
}

/* ---- the jobs over the worker pool ---- */

typedef struct dl_run {
	hf__dl *d;
	hf__dl_job *jobs;
	hf__dl_job_fn one_job;
	hf__dl_job_error err; /* the first failure, copied by on_failed under the pool's lock */
} dl_run;

/* A worker's own connection, and the error of its current job. */
typedef struct dl_worker {
	hf__conn *conn;
	hf__dl_job_error err;
} dl_worker;

static int worker_init(void *payload, void **thread_ctx)
{
	dl_run *r = payload;
	dl_worker *w = calloc(1, sizeof(*w));

	if (w)
		w->conn = hf__conn_new(r->d->c->transport);
	if (!w || !w->conn) {
		free(w);
		return HF_ENOMEM;
	}
	*thread_ctx = w;
	return HF_OK;
}

static void worker_free(void *payload, void *thread_ctx)
{
	dl_worker *w = thread_ctx;

	(void)payload;
	hf__conn_free(w->conn);
	free(w);
}

static int worker_job(void *payload, void *thread_ctx, size_t index)
{
	dl_run *r = payload;
	dl_worker *w = thread_ctx;

	memset(&w->err, 0, sizeof(w->err));
	return r->one_job(r->d, w->conn, &r->jobs[index], &w->err);
}

static void on_failed(void *payload, void *thread_ctx, size_t index, int rc)
{
	dl_run *r = payload;
	dl_worker *w = thread_ctx;

	(void)rc;
	if (index == HF__POOL_NO_JOB)
		hf__dl_job_fail(&r->err, HF_ENOMEM, "cannot initialise libcurl");
	else
		r->err = w->err;
}

int hf__dl_run_jobs(hf__dl *d, hf__dl_job *jobs, size_t count, hf__dl_job_fn one_job)
{
	static const hf__pool_ops ops = { worker_init, worker_free, worker_job, on_failed };
	dl_run r;

	if (!count)
		return HF_OK;
	memset(&r, 0, sizeof(r));
	r.d = d;
	r.jobs = jobs;
	r.one_job = one_job;
	if (!d->o.local_dir)
		hf__cache_ensure_tag(d->rc.root);
	/* Its result is in r.err: the first failure, as on_failed copied it. */
	(void)hf__pool_run(count, (size_t)d->o.max_workers, &ops, &r, &d->cancel);
	if (!r.err.f.code && atomic_load(&d->cancel))
		r.err.f.code = HF_ECANCELLED;
	return r.err.f.code ? hf__dl_report_job_error(d, &r.err) : HF_OK;
}

/*
 * hf_download_file / hf_download_snapshot / hf_download_plan: the cache
 * algorithm of hub-protocol.md §3.8 and §5, on top of fetch.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "cache.h"
#include "client_int.h"
#include "fetch.h"
#include "fsutil.h"
#include "hash.h"
#include "http.h"
#include "hub_error.h"
#include "parse.h"
#include "repo.h"
#include "download_int.h"
#include "tree.h"
#include "util.h"
#include "validate.h"

#define DEFAULT_WORKERS 8
#define DEFAULT_CONNECTIONS 4
#define DEFAULT_SPLIT ((uint64_t)64 << 20)
#define PROGRESS_INTERVAL_MS 100

int hf_download_options_init(hf_download_options *opts, unsigned int version)
{
	hf_download_options def = HF_DOWNLOAD_OPTIONS_INIT;

	if (!opts || version != HF_DOWNLOAD_OPTIONS_VERSION)
		return HF_EINVAL;
	*opts = def;
	return HF_OK;
}

/* ---- one call's context ---- */

typedef struct dl {
	hf_client *c;
	hf_download_options o;
	const char *repo_id;
	const char *revision;
	char *token;                /* to send, or NULL */
	hf_token_source source;
	hf__repo_cache rc;
	int offline;
	int online_rc;              /* the Hub's answer when the cache stood in for it */
	char commit[41];
	/* Progress, shared by the workers. */
	pthread_mutex_t mu;
	hf_progress prog;
	uint64_t last_ms;
	atomic_int cancel;          /* set by the progress callback, read by every worker */
} dl;

static const char *type_word(const dl *d)
{
	return hf_repo_type_name(d->o.repo_type);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Report progress; final calls always go through, others at most every 100 ms. */
static void progress_emit(dl *d, const char *file, uint64_t file_done, uint64_t file_total,
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

static int dl_init(dl *d, hf_client *c, const char *repo_id, const hf_download_options *opts)
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

static void dl_dispose(dl *d)
{
	hf_free_secret(d->token);
	hf__repo_cache_dispose(&d->rc);
	pthread_mutex_destroy(&d->mu);
}

/* ---- requests and their errors ---- */

/* What this call's requests are about, for hub_error.c's words. */
static hf__hub_subject subject_of(const dl *d, const char *file)
{
	hf__hub_subject s = hf__hub_subject_plain(d->c, d->token != NULL, d->source);

	s.repo_type = type_word(d);
	s.repo_id = d->repo_id;
	s.revision = d->revision;
	s.file = file;
	return s;
}

/* A Hub refusal (revision, tree or resolve call) in the guide's words. */
static int repo_error(dl *d, const hf__response *rs, const char *file, const char *url)
{
	hf__hub_subject s = subject_of(d, file);

	return hf__hub_error(d->c, &s, rs, url);
}

/*
 * An API call under the retry policy of API calls (retry.h): a Hub that
 * cannot be reached is not waited for, the cache answers at once instead
 * (docs/internals/download.md). attempts: 1 when the cache can answer.
 */
static int api_send(dl *d, hf__request *rq, hf__response *rs, int attempts)
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

/* ---- resolving a revision ---- */

/* The commit of d->revision from the Hub (revision API). */
static int resolve_commit_online(dl *d, int *no_fallback)
{
	hf__request rq = { 0 };
	hf__response rs = HF__RESPONSE_INIT;
	char *rev = hf__quote(d->revision, ""), *suffix = NULL, *url = NULL;
	json_t *root = NULL;
	int rc;

	if (rev) {
		suffix = malloc(strlen(rev) + 16);
		if (suffix)
			sprintf(suffix, "/revision/%s", rev);
	}
	url = suffix ? hf__api_url(d->c, d->o.repo_type, d->repo_id, suffix) : NULL;
	if (!url) {
		rc = hf__error_set(d->c, HF_ENOMEM, NULL, "out of memory");
		goto done;
	}
	{
		/* With the revision cached, an ailing Hub is not waited for (§3.8). */
		char cached[41];
		int have = hf__is_commit_hash(d->revision) || hf__cache_read_ref(&d->rc, d->revision, cached);

		rq.url = url;
		rc = api_send(d, &rq, &rs, have ? 1 : 0);
	}
	if (rc)
		goto done;
	if (rs.status != 200) {
		const char *code = hf__response_header(&rs, "X-Error-Code");

		*no_fallback = code && strcmp(code, "RevisionNotFound") == 0;
		rc = repo_error(d, &rs, NULL, url);
		goto done;
	}
	root = json_loadb(rs.body.data, rs.body.len, 0, NULL);
	{
		const char *sha = json_string_value(json_object_get(root, "sha"));

		if (!sha || !hf__is_commit_hash(sha)) {
			rc = hf__error_set(d->c, HF_EPROTOCOL, "check HF_ENDPOINT: it should be a Hugging Face Hub",
					   "the Hub's answer for %s '%s' has no valid commit", type_word(d),
					   d->repo_id);
			goto done;
		}
		memcpy(d->commit, sha, 41);
	}
done:
	json_decref(root);
	hf__response_dispose(&rs);
	free(rev);
	free(suffix);
	free(url);
	return rc;
}

/* The commit from the cache: the revision itself or refs/<revision>. */
static int commit_from_cache(dl *d)
{
	if (hf__is_commit_hash(d->revision)) {
		memcpy(d->commit, d->revision, 41);
		return 1;
	}
	return hf__cache_read_ref(&d->rc, d->revision, d->commit);
}

static int offline_miss(dl *d, const char *what)
{
	if (d->c->cfg.offline || d->o.offline)
		hf__error_set(d->c, HF_EOFFLINE, "run the same once online, or unset HF_HUB_OFFLINE",
			      "%s of %s '%s' (revision '%s') is not in the cache, and offline mode is enabled",
			      what, type_word(d), d->repo_id, d->revision);
	else
		hf__error_set(d->c, HF_EOFFLINE, NULL, "%s is not in the cache", what);
	hf__error_remedy(d->c, HF_REMEDY_GO_ONLINE);
	return HF_EOFFLINE;
}

/* ---- one file into the cache ---- */

typedef struct job {
	const char *file;
	char etag[65];
	uint64_t size;
	const char *first_url; /* known location of the bytes, or NULL */
} job;

typedef struct job_progress {
	dl *d;
	const job *j;
	uint64_t reported;
} job_progress;

static void on_fetch_progress(void *payload, uint64_t done)
{
	job_progress *jp = payload;
	uint64_t delta;

	pthread_mutex_lock(&jp->d->mu);
	delta = done > jp->reported ? done - jp->reported : 0;
	jp->reported += delta;
	pthread_mutex_unlock(&jp->d->mu);
	progress_emit(jp->d, jp->j->file, done, jp->j->size, delta, 0);
}

/* A worker's failure, reported on the calling thread once the pool is done. */
typedef struct job_error {
	hf__failure f;     /* f.code != HF_OK: failed */
	char file[512];
} job_error;

/* Describe a local failure of a job (the Hub's are described by fetch.c). */
static void job_fail(job_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void job_fail(job_error *err, int code, const char *fmt, ...)
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

/*
 * Fetch j's bytes into a verified temporary file in dir (f->tmp_path on
 * success; the caller publishes it). On failure err describes it.
 */
static int fetch_job(dl *d, hf__conn *conn, const job *j, const char *dir, job_progress *jp,
		     hf__fetch *f, job_error *err)
{
	char *url = hf__resolve_url(d->c, d->o.repo_type, d->repo_id, d->commit, j->file);
	int rc;

	if (!url) {
		job_fail(err, HF_ENOMEM, "out of memory");
		return HF_ENOMEM;
	}
	f->conn = conn;
	f->url = url;
	f->first_url = j->first_url;
	f->scope = hf__hub_scope(d->c, d->token);
	f->subject = subject_of(d, j->file);
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
static int cache_one(dl *d, hf__conn *conn, const job *j, job_error *err)
{
	char *blob = NULL, *blobs_dir = NULL;
	job_progress jp = { d, j, 0 };
	hf__fetch f;
	int lock_fd, rc = HF_OK;

	memset(&f, 0, sizeof(f));
	lock_fd = hf__cache_lock(&d->rc, j->etag);
	blob = hf__cache_path(&d->rc, "blobs/%s", j->etag);
	blobs_dir = hf__cache_path(&d->rc, "blobs");
	if (!blob || !blobs_dir) {
		rc = HF_ENOMEM;
		job_fail(err, rc, "out of memory");
		goto done;
	}
	/* Checked again under the lock: another process may have finished it. */
	if (!d->o.force && hf__cache_blob_ok(&d->rc, j->etag, j->size)) {
		progress_emit(d, j->file, j->size, j->size, j->size, 1);
		goto link;
	}
	rc = hf__repo_cache_mkdirs(&d->rc, d->rc.root, d->rc.folder);
	if (!rc)
		rc = hf__repo_cache_mkdirs(&d->rc, d->rc.repo_dir, "blobs");
	if (rc) {
		job_fail(err, rc == -ENOSPC ? HF_ENOSPC : HF_EIO, "cannot create '%s': %s", blobs_dir,
			 strerror(-rc));
		rc = err->f.code;
		goto done;
	}
	rc = fetch_job(d, conn, j, blobs_dir, &jp, &f, err);
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
		job_fail(err, HF_EIO, "cannot publish '%s': %s", blob, strerror(-rc));
		rc = HF_EIO;
		goto done;
	}
	progress_emit(d, j->file, j->size, j->size, j->size - jp.reported, 1);
link:
	rc = hf__cache_link(&d->rc, d->commit, j->file, j->etag);
	if (rc) {
		job_fail(err, HF_EIO, "cannot link '%s' in the snapshot: %s", j->file, strerror(-rc));
		rc = HF_EIO;
	}
done:
	if (rc) {
		job_fail(err, rc, "%s", hf_strerror(rc));
		snprintf(err->file, sizeof(err->file), "%s", j->file);
	}
	hf__unlock_fd(lock_fd);
	free(f.tmp_path);
	free(blob);
	free(blobs_dir);
	return rc;
}

/* Turn a worker's failure into the client's record. */
static int report_job_error(dl *d, const job_error *e)
{
	if (e->f.code == HF_ECANCELLED) {
		hf__error_set(d->c, HF_ECANCELLED, "the same download again resumes where it stopped",
			      "download cancelled");
		hf__error_remedy(d->c, HF_REMEDY_RESUME);
		return HF_ECANCELLED;
	}
	return hf__failure_report(d->c, &e->f, NULL);
}

static int local_one(dl *d, hf__conn *conn, const job *j, job_error *err);

/* ---- the worker pool ---- */

typedef struct pool {
	dl *d;
	job *jobs;
	size_t count, next;
	pthread_mutex_t mu;
	job_error err;
} pool;

static void *pool_worker(void *arg)
{
	pool *p = arg;
	hf__conn *conn = hf__conn_new(p->d->c->transport);
	job_error local;

	if (!conn) {
		pthread_mutex_lock(&p->mu);
		job_fail(&p->err, HF_ENOMEM, "cannot initialise libcurl");
		pthread_mutex_unlock(&p->mu);
		return NULL;
	}
	for (;;) {
		job *j;

		pthread_mutex_lock(&p->mu);
		if (p->next >= p->count || p->err.f.code || atomic_load(&p->d->cancel)) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		j = &p->jobs[p->next++];
		pthread_mutex_unlock(&p->mu);
		memset(&local, 0, sizeof(local));
		if ((p->d->o.local_dir ? local_one : cache_one)(p->d, conn, j, &local)) {
			pthread_mutex_lock(&p->mu);
			if (!p->err.f.code)
				p->err = local;
			pthread_mutex_unlock(&p->mu);
		}
	}
	hf__conn_free(conn);
	return NULL;
}

static int run_jobs(dl *d, job *jobs, size_t count)
{
	pool p;
	pthread_t *threads;
	size_t i, n = count < (size_t)d->o.max_workers ? count : (size_t)d->o.max_workers;
	int rc = HF_OK;

	if (!count)
		return HF_OK;
	memset(&p, 0, sizeof(p));
	p.d = d;
	p.jobs = jobs;
	p.count = count;
	pthread_mutex_init(&p.mu, NULL);
	if (!d->o.local_dir)
		hf__cache_ensure_tag(d->rc.root);
	threads = calloc(n, sizeof(*threads));
	if (!threads)
		return hf__error_set(d->c, HF_ENOMEM, NULL, "out of memory");
	if (n == 1) {
		pool_worker(&p);
	} else {
		size_t started = 0;

		for (i = 0; i < n; i++)
			if (pthread_create(&threads[i], NULL, pool_worker, &p) == 0)
				started++;
			else
				break;
		if (!started)
			pool_worker(&p);
		for (i = 0; i < started; i++)
			pthread_join(threads[i], NULL);
	}
	free(threads);
	if (!p.err.f.code && atomic_load(&d->cancel))
		p.err.f.code = HF_ECANCELLED;
	if (p.err.f.code)
		rc = report_job_error(d, &p.err);
	pthread_mutex_destroy(&p.mu);
	return rc;
}

/* ---- metadata of one file (HEAD on resolve) ---- */

typedef struct file_meta {
	char commit[41];
	char etag[65];
	uint64_t size;
	char location[2048]; /* where the bytes are, as the HEAD found out ("" if unknown) */
} file_meta;

/*
 * HEAD the resolve URL, following only relative redirects (a rename or
 * the resolve cache), as the official client does, under the retry policy
 * of API calls. Returns HF_OK with meta set, or an error with the client's
 * record set; *no_fallback is 1 when the Hub said the file or revision
 * does not exist (then the cache must not stand in for it).
 */
static int head_file(dl *d, const char *file, file_meta *meta, int *no_fallback)
{
	hf__request rq = { 0 };
	hf__response rs = HF__RESPONSE_INIT;
	char *url = hf__resolve_url(d->c, d->o.repo_type, d->repo_id, d->revision, file);
	const char *code, *commit, *location;
	int rc = HF_OK;

	*no_fallback = 0;
	if (!url)
		return hf__error_set(d->c, HF_ENOMEM, NULL, "out of memory");
	rq.method = "HEAD";
	rq.url = url;
	rq.identity = 1;
	rq.redirects = HF__REDIRECT_RELATIVE;
	rq.stall_timeout_s = d->c->cfg.etag_timeout;
	/* With the file cached at this revision, an ailing Hub is not waited for. */
	{
		char cached[41];
		int have = hf__cache_read_ref(&d->rc, d->revision, cached) &&
			   hf__cache_pointer_ok(&d->rc, cached, file);

		rc = api_send(d, &rq, &rs, have ? 1 : 0);
	}
	if (rc) {
		if (rs.bad_redirect == HF__REDIRECT_TOO_MANY)
			hf__error_set(d->c, HF_EPROTOCOL, "check HF_ENDPOINT and any proxy in between",
				      "too many redirects for '%s' (more than 9)", file);
		else if (rs.bad_redirect == HF__REDIRECT_UNSAFE)
			hf__error_set(d->c, HF_EPROTOCOL, NULL,
				      "refusing a redirect for '%s' to an unsafe location", file);
		goto done;
	}
	code = hf__response_header(&rs, "X-Error-Code");
	commit = hf__response_header(&rs, "X-Repo-Commit");
	location = hf__response_header(&rs, "Location");
	if (rs.status >= 400) {
		/* A missing file or revision is an answer, not an outage. */
		*no_fallback = code && (strcmp(code, "EntryNotFound") == 0 ||
					strcmp(code, "RevisionNotFound") == 0);
		if (code && strcmp(code, "EntryNotFound") == 0 && commit && hf__is_commit_hash(commit)) {
			/* Remember the absence, as the official client does. */
			hf__cache_mark_missing(&d->rc, commit, file);
			if (strcmp(d->revision, commit) != 0)
				(void)hf__cache_write_ref(&d->rc, d->revision, commit);
		}
		rc = repo_error(d, &rs, file, rs.url);
		goto done;
	}
	{
		const char *linked = hf__response_header(&rs, "X-Linked-Etag");
		char *etag = hf__strdup(linked ? linked : hf__response_header(&rs, "ETag"));
		const char *size = hf__response_header(&rs, "X-Linked-Size");
		unsigned long long sz = 0;
		int redirected = rs.status >= 300 && rs.status < 400;
		int ok;

		ok = etag && hf__normalize_etag(etag);
		if (ok)
			memcpy(meta->etag, etag, strlen(etag) + 1);
		free(etag);
		if (ok && !size && !redirected && rs.content_length >= 0) {
			sz = (unsigned long long)rs.content_length;
		} else if (ok && size) {
			ok = hf__parse_u64(size, strlen(size), &sz) == 0;
		} else {
			ok = 0;
		}
		meta->size = sz;
		if (!ok || !commit || !hf__is_commit_hash(commit)) {
			rc = hf__error_set(d->c, HF_EPROTOCOL,
					   "check HF_ENDPOINT: it should be a Hugging Face Hub",
					   "'%s' does not look like a Hub resource (no valid commit, etag or size)",
					   file);
			goto done;
		}
		memcpy(meta->commit, commit, 41);
		/* The bytes are at the Location of a redirect, or where the HEAD ended. */
		meta->location[0] = '\0';
		if (redirected && location) {
			char *abs = hf__url_resolve(rs.url, location);

			/* The same rule as for the GET's redirects: never https -> http. */
			if (abs && strncmp(rs.url, "https:", 6) == 0 && strncmp(abs, "http:", 5) == 0) {
				free(abs);
				rc = hf__error_set(d->c, HF_EPROTOCOL, NULL,
						   "refusing a redirect for '%s' to an unsafe location", file);
				goto done;
			}
			if (abs && strlen(abs) < sizeof(meta->location))
				memcpy(meta->location, abs, strlen(abs) + 1);
			free(abs);
		} else if (rs.status == 200 && strlen(rs.url) < sizeof(meta->location)) {
			memcpy(meta->location, rs.url, strlen(rs.url) + 1);
		}
	}
done:
	hf__response_dispose(&rs);
	free(url);
	return rc;
}

/* ---- local_dir mode (hub-protocol.md §5.4) ---- */

typedef struct local_meta {
	char commit[41];
	char etag[65];
	double timestamp;
} local_meta;

static char *local_path(const dl *d, const char *file)
{
	return hf__path_join(d->o.local_dir, file);
}

static char *local_meta_path(const dl *d, const char *file, const char *ext)
{
	hf__buf b = HF__BUF_INIT;

	if (hf__buf_printf(&b, "%s/.cache/huggingface/download/%s%s", d->o.local_dir, file, ext) < 0) {
		hf__buf_dispose(&b);
		return NULL;
	}
	return hf__buf_detach(&b);
}

/* Read metadata; 1 when valid for the file as it is now. */
static int local_meta_read(const dl *d, const char *file, local_meta *m)
{
	char *mp = local_meta_path(d, file, ".metadata"), *lp = local_path(d, file), *text = NULL;
	struct stat st;
	int ok = 0;

	if (mp && lp && hf__read_file(mp, 4096, &text, NULL) == 0 &&
	    sscanf(text, "%40s\n%64s\n%lf", m->commit, m->etag, &m->timestamp) == 3 &&
	    hf__is_commit_hash(m->commit) && hf__is_etag(m->etag) && stat(lp, &st) == 0 &&
	    (double)st.st_mtime - 1 <= m->timestamp)
		ok = 1;
	free(text);
	free(mp);
	free(lp);
	return ok;
}

static int local_meta_write(const dl *d, const char *file, const char *commit, const char *etag)
{
	char *mp = local_meta_path(d, file, ".metadata");
	char text[160];
	struct timeval tv;
	int rc, n;

	if (!mp)
		return -ENOMEM;
	gettimeofday(&tv, NULL);
	n = snprintf(text, sizeof(text), "%s\n%s\n%.6f\n", commit, etag,
		     (double)tv.tv_sec + (double)tv.tv_usec / 1e6);
	rc = hf__mkdirs_under(d->o.local_dir, ".cache/huggingface/download", 0777);
	if (!rc) {
		char *dir = hf__dirname(mp);

		rc = dir ? hf__mkdirs(dir, 0777, NULL) : -ENOMEM;
		free(dir);
	}
	if (!rc)
		rc = hf__write_file_atomic(mp, text, (size_t)n, 0644);
	free(mp);
	return rc;
}

static void local_dir_prepare(const dl *d)
{
	char *base = NULL, *gi = NULL;

	if (hf__mkdirs_under(d->o.local_dir, ".cache/huggingface", 0777) == 0) {
		struct stat st;

		base = hf__path_join(d->o.local_dir, ".cache/huggingface");
		gi = base ? hf__path_join(base, ".gitignore") : NULL;
		if (gi && lstat(gi, &st) != 0)
			(void)hf__write_file_atomic(gi, "*", 1, 0644);
		if (base)
			hf__cache_ensure_tag(base);
	}
	free(base);
	free(gi);
}

/* Copy a cached blob to dst through a temporary file. 0 or -errno. */
static int copy_file(const char *src, const char *dst)
{
	char *tmp = hf__unique_name(dst, "incomplete");
	char buf[1 << 16];
	int in = -1, out = -1, rc = 0;

	if (!tmp)
		return -ENOMEM;
	in = open(src, O_RDONLY | O_CLOEXEC);
	out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (in < 0 || out < 0)
		rc = -errno;
	while (!rc) {
		ssize_t n = read(in, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			rc = -errno;
		if (n <= 0)
			break;
		if (write(out, buf, (size_t)n) != n)
			rc = -EIO;
	}
	if (!rc && (fchmod(out, hf__file_mode()) != 0 || fsync(out) != 0))
		rc = -errno;
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) != 0 && !rc)
		rc = -errno;
	if (!rc && rename(tmp, dst) != 0)
		rc = -errno;
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}

/* One file into local_dir, given its commit, etag and size. */
static int local_one(dl *d, hf__conn *conn, const job *j, job_error *err)
{
	char *lp = local_path(d, j->file), *lock = local_meta_path(d, j->file, ".lock");
	char *tmpdir = NULL, *blob = NULL;
	job_progress jp = { d, j, 0 };
	local_meta m;
	hf__fetch f;
	int lock_fd = -1, rc = HF_OK;

	memset(&f, 0, sizeof(f));
	if (!lp || !lock) {
		rc = HF_ENOMEM;
		goto done;
	}
	tmpdir = hf__dirname(lock);
	if (!tmpdir || hf__mkdirs(tmpdir, 0777, NULL) != 0) {
		rc = HF_EIO;
		job_fail(err, rc, "cannot create '%s'", tmpdir ? tmpdir : "");
		goto done;
	}
	lock_fd = hf__lock_path(lock);
	if (!d->o.force && local_meta_read(d, j->file, &m) && strcmp(m.etag, j->etag) == 0) {
		(void)local_meta_write(d, j->file, d->commit, j->etag);
		progress_emit(d, j->file, j->size, j->size, j->size, 1);
		goto done;
	}
	{
		/* A file without metadata is kept when its sha256 proves it. */
		struct stat st;
		int fd = -1;
		char got[65];

		if (!d->o.force && strlen(j->etag) == 64 && stat(lp, &st) == 0 &&
		    (uint64_t)st.st_size == j->size && (fd = open(lp, O_RDONLY | O_CLOEXEC)) >= 0 &&
		    hf__hash_fd(fd, HF__HASH_SHA256, j->size, got) == 0 && strcmp(got, j->etag) == 0) {
			close(fd);
			(void)local_meta_write(d, j->file, d->commit, j->etag);
			progress_emit(d, j->file, j->size, j->size, j->size, 1);
			goto done;
		}
		if (fd >= 0)
			close(fd);
	}
	{
		char *dir = hf__dirname(lp);
		int mk = dir ? hf__mkdirs(dir, 0777, NULL) : -ENOMEM;

		free(dir);
		if (mk) {
			rc = HF_EIO;
			job_fail(err, rc, "cannot create the folder of '%s'", lp);
			goto done;
		}
	}
	blob = hf__cache_path(&d->rc, "blobs/%s", j->etag);
	if (blob && hf__cache_blob_ok(&d->rc, j->etag, j->size) && copy_file(blob, lp) == 0) {
		progress_emit(d, j->file, j->size, j->size, j->size, 1);
		(void)local_meta_write(d, j->file, d->commit, j->etag);
		goto done;
	}
	rc = fetch_job(d, conn, j, tmpdir, &jp, &f, err);
	if (rc)
		goto done;
	if (rename(f.tmp_path, lp) != 0) {
		job_fail(err, HF_EIO, "cannot write '%s': %s", lp, strerror(errno));
		unlink(f.tmp_path);
		rc = HF_EIO;
		goto done;
	}
	(void)local_meta_write(d, j->file, d->commit, j->etag);
	progress_emit(d, j->file, j->size, j->size, j->size - jp.reported, 1);
done:
	if (rc) {
		job_fail(err, rc, "%s", hf_strerror(rc));
		snprintf(err->file, sizeof(err->file), "%s", j->file);
	}
	hf__unlock_fd(lock_fd);
	free(f.tmp_path);
	free(blob);
	free(tmpdir);
	free(lock);
	free(lp);
	return rc;
}

/* ---- public entry points ---- */

static char *pointer_path(const dl *d, const char *file)
{
	return hf__cache_path(&d->rc, "snapshots/%s/%s", d->commit, file);
}

static int set_out(dl *d, char *path, char **path_out)
{
	if (!path)
		return hf__error_set(d->c, HF_ENOMEM, NULL, "out of memory");
	hf__error_clear(d->c);
	*path_out = path;
	return HF_OK;
}

static int fetch_single(dl *d, const char *file, const file_meta *meta)
{
	job j;
	job_error e;
	hf__conn *conn;
	int rc;

	memset(&j, 0, sizeof(j));
	memset(&e, 0, sizeof(e));
	j.file = file;
	memcpy(j.etag, meta->etag, sizeof(j.etag));
	j.size = meta->size;
	j.first_url = meta->location[0] ? meta->location : NULL;
	memcpy(d->commit, meta->commit, sizeof(d->commit));
	d->prog.files_total = 1;
	d->prog.bytes_total = meta->size;
	if (d->o.local_dir) {
		local_dir_prepare(d);
	} else {
		hf__cache_ensure_tag(d->rc.root);
		if (strcmp(d->revision, meta->commit) != 0)
			(void)hf__cache_write_ref(&d->rc, d->revision, meta->commit);
	}
	conn = hf__conn_new(d->c->transport);
	if (!conn)
		return hf__error_set(d->c, HF_ENOMEM, NULL, "cannot initialise libcurl");
	rc = (d->o.local_dir ? local_one : cache_one)(d, conn, &j, &e);
	hf__conn_free(conn);
	if (rc)
		rc = report_job_error(d, &e);
	return rc;
}

static int local_file_exists(const dl *d, const char *file)
{
	char *lp = local_path(d, file);
	struct stat st;
	int ok = lp && stat(lp, &st) == 0 && S_ISREG(st.st_mode);

	free(lp);
	return ok;
}

int hf_download_file(char **path_out, hf_client *c, const char *repo_id, const char *filename,
		     const hf_download_options *opts)
{
	const char *why = NULL;
	file_meta meta;
	local_meta lm;
	dl d;
	int rc, no_fallback = 0;

	if (!c || !path_out)
		return HF_EINVAL;
	*path_out = NULL;
	rc = dl_init(&d, c, repo_id, opts);
	if (rc)
		goto done;
	if (!filename || !hf__valid_filename(filename, &why)) {
		rc = hf__error_set(c, HF_EINVAL, NULL, "invalid file name '%s': %s",
				   filename ? filename : "", why ? why : "missing");
		goto done;
	}
	if (d.o.dry_run) {
		rc = hf__error_set(c, HF_EINVAL, NULL, "use hf_download_plan() for a dry run");
		goto done;
	}
	if (d.o.local_dir) {
		if (!d.o.force && hf__is_commit_hash(d.revision) && local_meta_read(&d, filename, &lm) &&
		    strcmp(lm.commit, d.revision) == 0) {
			rc = set_out(&d, local_path(&d, filename), path_out);
			goto done;
		}
		if (d.offline) {
			rc = local_file_exists(&d, filename) ? set_out(&d, local_path(&d, filename), path_out)
							     : offline_miss(&d, "the file");
			goto done;
		}
		rc = head_file(&d, filename, &meta, &no_fallback);
		if (rc && !no_fallback && local_file_exists(&d, filename)) {
			/* The Hub is unreachable but the file is here: use it. */
			rc = set_out(&d, local_path(&d, filename), path_out);
			goto done;
		}
		if (!rc)
			rc = fetch_single(&d, filename, &meta);
		if (!rc)
			rc = set_out(&d, local_path(&d, filename), path_out);
		goto done;
	}
	/* A file cached at a pinned commit needs no network at all. */
	if (!d.o.force && hf__is_commit_hash(d.revision) &&
	    hf__cache_pointer_ok(&d.rc, d.revision, filename)) {
		memcpy(d.commit, d.revision, 41);
		rc = set_out(&d, pointer_path(&d, filename), path_out);
		goto done;
	}
	if (d.offline) {
		if (commit_from_cache(&d) && hf__cache_pointer_ok(&d.rc, d.commit, filename))
			rc = set_out(&d, pointer_path(&d, filename), path_out);
		else
			rc = offline_miss(&d, "the file");
		goto done;
	}
	rc = head_file(&d, filename, &meta, &no_fallback);
	if (rc) {
		/* The Hub could not answer: a cached copy stands in (§3.8). */
		if (!no_fallback && !d.o.force && commit_from_cache(&d) &&
		    hf__cache_pointer_ok(&d.rc, d.commit, filename))
			rc = set_out(&d, pointer_path(&d, filename), path_out);
		goto done;
	}
	memcpy(d.commit, meta.commit, sizeof(d.commit));
	if (!d.o.force && hf__cache_pointer_ok(&d.rc, meta.commit, filename)) {
		if (strcmp(d.revision, meta.commit) != 0)
			(void)hf__cache_write_ref(&d.rc, d.revision, meta.commit);
		rc = set_out(&d, pointer_path(&d, filename), path_out);
		goto done;
	}
	rc = fetch_single(&d, filename, &meta);
	if (!rc)
		rc = set_out(&d, pointer_path(&d, filename), path_out);
done:
	dl_dispose(&d);
	return rc;
}

/*
 * The commit and file list of the snapshot. *from_cache is set when the
 * Hub could not be asked and the cache answered instead.
 */
static int snapshot_listing(dl *d, hf__tree *tree, int save_tree, int *from_cache)
{
	char *tree_path = NULL;
	int rc = HF_OK, no_fallback = 0;

	*from_cache = 0;
	if (hf__is_commit_hash(d->revision)) {
		memcpy(d->commit, d->revision, 41);
	} else if (d->offline) {
		if (!commit_from_cache(d))
			return offline_miss(d, "the revision");
		*from_cache = 1;
	} else {
		rc = resolve_commit_online(d, &no_fallback);
		if (rc) {
			if (no_fallback || !commit_from_cache(d))
				return rc;
			*from_cache = 1;
			d->online_rc = rc;
			rc = HF_OK;
		}
	}
	if (d->o.local_dir) {
		hf__buf b = HF__BUF_INIT;

		/* local_dir mode keeps its listing beside its own metadata (§5.2). */
		hf__buf_printf(&b, "%s/.cache/huggingface/trees/%s.json", d->o.local_dir, d->commit);
		tree_path = hf__buf_detach(&b);
	} else {
		tree_path = hf__cache_path(&d->rc, "trees/%s.json", d->commit);
	}
	if (!tree_path)
		return hf__error_set(d->c, HF_ENOMEM, NULL, "out of memory");
	if (hf__tree_cache_load(tree, tree_path) == 0)
		goto done;
	if (d->offline || *from_cache) {
		/* Without a listing, the snapshot folder is the best we have. */
		*from_cache = 2;
		goto done;
	}
	{
		hf__hub_subject subject = subject_of(d, NULL);

		rc = hf__tree_fetch(d->c, d->o.repo_type, d->repo_id, d->commit, d->token, &subject,
				    tree);
	}
	if (!rc && save_tree) {
		int mk = d->o.local_dir
				 ? hf__mkdirs_under(d->o.local_dir, ".cache/huggingface/trees", 0777)
				 : hf__mkdirs_under(d->rc.root, d->rc.folder, 0777) ||
					   hf__mkdirs_under(d->rc.repo_dir, "trees", 0777);

		if (!mk)
			(void)hf__tree_cache_save(tree, tree_path);
	}
done:
	free(tree_path);
	return rc;
}

static int selected(const dl *d, const char *path)
{
	return hf__filter_match(path, d->o.include, d->o.include ? d->o.include_count : 0,
				d->o.exclude, d->o.exclude ? d->o.exclude_count : 0);
}

int hf_download_snapshot(char **path_out, hf_client *c, const char *repo_id,
			 const hf_download_options *opts)
{
	hf__tree tree = { NULL, 0, 0 };
	job *jobs = NULL;
	size_t i, n = 0, missing = 0;
	char first_missing[512] = "";
	int rc, from_cache = 0;
	dl d;

	if (!c || !path_out)
		return HF_EINVAL;
	*path_out = NULL;
	rc = dl_init(&d, c, repo_id, opts);
	if (rc)
		goto done;
	if (d.o.dry_run) {
		rc = hf__error_set(c, HF_EINVAL, NULL, "use hf_download_plan() for a dry run");
		goto done;
	}
	if (d.o.local_dir && d.offline && !hf__is_commit_hash(d.revision)) {
		/* Offline, a local dir that holds files is the answer (§5.1). */
		DIR *dir = opendir(d.o.local_dir);
		struct dirent *de;
		int files = 0;

		while (dir && (de = readdir(dir)))
			files |= de->d_name[0] != '.';
		if (dir)
			closedir(dir);
		rc = files ? set_out(&d, realpath(d.o.local_dir, NULL), path_out)
			   : offline_miss(&d, "the local folder");
		goto done;
	}
	rc = snapshot_listing(&d, &tree, 1, &from_cache);
	if (rc)
		goto done;
	if (from_cache == 2) {
		/* Offline without a listing: the snapshot folder, if there is one. */
		char *snap = hf__cache_path(&d.rc, "snapshots/%s", d.commit);
		struct stat st;

		if (d.o.local_dir && stat(d.o.local_dir, &st) == 0 && S_ISDIR(st.st_mode)) {
			rc = set_out(&d, realpath(d.o.local_dir, NULL), path_out);
		} else if (!d.o.local_dir && snap && stat(snap, &st) == 0 && S_ISDIR(st.st_mode)) {
			rc = set_out(&d, snap, path_out);
			snap = NULL;
		} else {
			/* The Hub's own error (still recorded) says more than "not cached". */
			rc = d.online_rc ? d.online_rc : offline_miss(&d, "the snapshot");
		}
		free(snap);
		goto done;
	}
	jobs = calloc(tree.count ? tree.count : 1, sizeof(*jobs));
	if (!jobs) {
		rc = hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
		goto done;
	}
	for (i = 0; i < tree.count; i++) {
		const hf__tree_file *f = &tree.files[i];

		if (!selected(&d, f->path))
			continue;
		d.prog.files_total++;
		d.prog.bytes_total += f->size;
		if (!d.o.local_dir && !d.o.force && hf__cache_pointer_ok(&d.rc, d.commit, f->path)) {
			d.prog.files_done++;
			d.prog.bytes_done += f->size;
			continue;
		}
		if (d.offline || from_cache) {
			if (!missing++)
				snprintf(first_missing, sizeof(first_missing), "%s", f->path);
			continue;
		}
		jobs[n].file = f->path;
		snprintf(jobs[n].etag, sizeof(jobs[n].etag), "%s", hf__tree_file_etag(f));
		jobs[n].size = f->size;
		n++;
	}
	if (missing && (d.online_rc == HF_EAUTH || d.online_rc == HF_EGATED ||
			d.online_rc == HF_ENOTFOUND || d.online_rc == HF_EFORBIDDEN)) {
		/* The Hub refused (its error is still recorded): say so, not "unreachable". */
		rc = d.online_rc;
		goto done;
	}
	if (missing) {
		rc = from_cache && !d.offline
			     ? hf__error_set(c, HF_ENETWORK,
					     "check your connection; the cached snapshot is incomplete",
					     "cannot reach the Hub, and %zu file(s) of %s '%s' are not cached (e.g. '%s')",
					     missing, type_word(&d), d.repo_id, first_missing)
			     : hf__error_set(c, HF_EOFFLINE,
					     "run the same command once online, or unset HF_HUB_OFFLINE",
					     "the cached snapshot of %s '%s' is incomplete: %zu file(s) missing (e.g. '%s'), "
					     "and offline mode is enabled",
					     type_word(&d), d.repo_id, missing, first_missing);
		goto done;
	}
	if (d.o.local_dir)
		local_dir_prepare(&d);
	else if (strcmp(d.revision, d.commit) != 0 && !from_cache)
		(void)hf__cache_write_ref(&d.rc, d.revision, d.commit);
	if (d.o.progress && d.prog.files_done)
		progress_emit(&d, NULL, 0, 0, 0, 0);
	rc = run_jobs(&d, jobs, n);
	if (rc)
		goto done;
	if (d.o.local_dir) {
		char *real = realpath(d.o.local_dir, NULL);

		if (!real)
			real = hf__strdup(d.o.local_dir);
		rc = set_out(&d, real, path_out);
	} else {
		char rel[64];

		snprintf(rel, sizeof(rel), "snapshots/%s", d.commit);
		(void)hf__mkdirs_under(d.rc.repo_dir, rel, 0777);
		rc = set_out(&d, hf__cache_path(&d.rc, "snapshots/%s", d.commit), path_out);
	}
done:
	free(jobs);
	hf__tree_dispose(&tree);
	dl_dispose(&d);
	return rc;
}

static int plan_add(hf_plan *p, const char *path, uint64_t size, int sel, int will)
{
	hf_plan_file *f = &p->files[p->count];

	f->path = hf__strdup(path);
	if (!f->path)
		return -1;
	f->size = size;
	f->selected = sel;
	f->will_download = will;
	p->count++;
	return 0;
}

int hf_download_plan(hf_plan **out, hf_client *c, const char *repo_id, const char *filename,
		     const hf_download_options *opts)
{
	hf__tree tree = { NULL, 0, 0 };
	hf_plan *p = NULL;
	file_meta meta;
	size_t i;
	int rc, from_cache = 0, no_fallback = 0;
	dl d;

	if (!c || !out)
		return HF_EINVAL;
	*out = NULL;
	rc = dl_init(&d, c, repo_id, opts);
	if (rc)
		goto done;
	p = calloc(1, sizeof(*p));
	if (!p) {
		rc = hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
		goto done;
	}
	if (filename) {
		const char *why = NULL;

		if (!hf__valid_filename(filename, &why)) {
			rc = hf__error_set(c, HF_EINVAL, NULL, "invalid file name '%s': %s", filename, why);
			goto done;
		}
		rc = head_file(&d, filename, &meta, &no_fallback);
		if (rc)
			goto done;
		memcpy(d.commit, meta.commit, 41);
		p->files = calloc(1, sizeof(*p->files));
		if (!p->files || plan_add(p, filename, meta.size, 1,
					  d.o.force || !hf__cache_pointer_ok(&d.rc, meta.commit, filename)) < 0)
			rc = hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
	} else {
		rc = snapshot_listing(&d, &tree, 0, &from_cache);
		if (rc)
			goto done;
		p->files = calloc(tree.count ? tree.count : 1, sizeof(*p->files));
		if (!p->files) {
			rc = hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
			goto done;
		}
		for (i = 0; i < tree.count && !rc; i++) {
			const hf__tree_file *f = &tree.files[i];
			int sel = selected(&d, f->path);
			int will = sel && (d.o.force || !hf__cache_pointer_ok(&d.rc, d.commit, f->path));

			if (plan_add(p, f->path, f->size, sel, will) < 0)
				rc = hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
		}
	}
	if (!rc) {
		p->commit = hf__strdup(d.commit);
		if (!p->commit)
			rc = hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
	}
done:
	if (rc)
		hf_plan_free(p);
	else
		*out = p;
	hf__tree_dispose(&tree);
	dl_dispose(&d);
	return rc;
}

void hf_plan_free(hf_plan *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->count; i++)
		free(p->files[i].path);
	free(p->files);
	free(p->commit);
	free(p);
}

int hf__download_listing(hf_client *c, const char *repo_id, const hf_download_options *opts,
			 char commit[41], hf__tree *tree, int *listed, char **repo_dir)
{
	int rc, from_cache = 0;
	dl d;

	*listed = 0;
	*repo_dir = NULL;
	rc = dl_init(&d, c, repo_id, opts);
	if (!rc)
		rc = snapshot_listing(&d, tree, 1, &from_cache);
	if (!rc) {
		memcpy(commit, d.commit, 41);
		*listed = from_cache != 2;
		*repo_dir = hf__strdup(d.rc.repo_dir);
		if (!*repo_dir)
			rc = hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
	}
	dl_dispose(&d);
	return rc;
}

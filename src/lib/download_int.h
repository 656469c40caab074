/*
 * What the download units share with each other and with the rest of the
 * library (docs/internals/download.md):
 *   download.c           one call's context, its requests, a file into the
 *                        cache and the jobs run over the pool (pool.h)
 *   download_file.c      hf_download_file: HEAD of one file, then fetch
 *   download_snapshot.c  hf_download_snapshot, hf_download_plan: revision,
 *                        listing, selection, then the pool
 *   local_dir.c          local_dir mode (local_dir.h)
 * The hf__dl context is made and disposed of on the calling thread; the
 * workers share only its progress (under mu) and cancel (atomic).
 */
#ifndef HF_DOWNLOAD_INT_H
#define HF_DOWNLOAD_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "hf/hf.h"
#include "cache.h"
#include "fetch.h"
#include "http.h"
#include "hub_error.h"
#include "tree.h"

/*
 * Resolve opts->revision of repo_id and list its files exactly as
 * hf_download_snapshot() would (offline mode and cache fallbacks
 * included). *listed is 0 when no listing could be had (offline without
 * a cached tree): tree is then empty. *repo_dir receives the repository's
 * cache folder (hf_free()).
 */
int hf__download_listing(hf_client *c, const char *repo_id, const hf_download_options *opts,
			 char commit[41], hf__tree *tree, int *listed, char **repo_dir);

/* ---- one call's context (download.c) ---- */

typedef struct hf__dl {
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
} hf__dl;

/* Check opts and fill d (defaults, token, cache paths). Error recorded on c. */
int hf__dl_init(hf__dl *d, hf_client *c, const char *repo_id, const hf_download_options *opts);
void hf__dl_dispose(hf__dl *d);

static inline const char *hf__dl_type_word(const hf__dl *d)
{
	return hf_repo_type_name(d->o.repo_type);
}

/* Report progress; final calls always go through, others at most every 100 ms. Any thread. */
void hf__dl_progress(hf__dl *d, const char *file, uint64_t file_done, uint64_t file_total,
		     uint64_t delta, int file_finished);

/* What this call's requests are about, for hub_error.c's words. */
hf__hub_subject hf__dl_subject(const hf__dl *d, const char *file);
/* A Hub refusal (revision, tree or resolve call), worded by hub_error.c. */
int hf__dl_repo_error(hf__dl *d, const hf__response *rs, const char *file, const char *url);
/* An API call under the retry policy of API calls; attempts: 1 when the cache can answer. */
int hf__dl_api_send(hf__dl *d, hf__request *rq, hf__response *rs, int attempts);

/* The commit from the cache: the revision itself or refs/<revision>. 1 when found. */
int hf__dl_commit_from_cache(hf__dl *d);
/* Record that what is not in the cache while offline; returns HF_EOFFLINE. */
int hf__dl_offline_miss(hf__dl *d, const char *what);
/* Hand path (owned; NULL: out of memory) to *path_out and clear the error record. */
int hf__dl_set_out(hf__dl *d, char *path, char **path_out);

/* ---- jobs: one file each, run by workers (download.c) ---- */

typedef struct hf__dl_job {
	const char *file;
	char etag[65];
	uint64_t size;
	const char *first_url; /* known location of the bytes, or NULL */
} hf__dl_job;

typedef struct hf__dl_job_progress {
	hf__dl *d;
	const hf__dl_job *j;
	uint64_t reported;
} hf__dl_job_progress;

/* A worker's failure, reported on the calling thread once the pool is done. */
typedef struct hf__dl_job_error {
	hf__failure f;     /* f.code != HF_OK: failed */
	char file[512];
} hf__dl_job_error;

/* Describe a local failure of a job (the Hub's are described by fetch.c); the first one sticks. */
void hf__dl_job_fail(hf__dl_job_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* At the end of a job: when rc is a failure, make sure err has one and names file. */
void hf__dl_job_end(hf__dl_job_error *err, int rc, const char *file);

/*
 * Fetch j's bytes into a verified temporary file in dir (f->tmp_path on
 * success; the caller publishes it). On failure err describes it.
 */
int hf__dl_fetch_job(hf__dl *d, hf__conn *conn, const hf__dl_job *j, const char *dir,
		     hf__dl_job_progress *jp, hf__fetch *f, hf__dl_job_error *err);

/*
 * Make sure blobs/<etag> holds the verified bytes of j (downloading them
 * under the etag's lock when needed), then link the snapshot to it.
 */
int hf__dl_cache_one(hf__dl *d, hf__conn *conn, const hf__dl_job *j, hf__dl_job_error *err);

/* Turn a worker's failure into the client's record. */
int hf__dl_report_job_error(hf__dl *d, const hf__dl_job_error *e);

/* One job: a file into the cache (hf__dl_cache_one) or local_dir (hf__local_one). */
typedef int (*hf__dl_job_fn)(hf__dl *d, hf__conn *conn, const hf__dl_job *j, hf__dl_job_error *err);

/*
 * Run the jobs with one_job over at most o.max_workers threads (pool.h),
 * each with its own connection. The first failure (or a cancellation) is
 * put on the client's record and returned. The caller picks one_job, so
 * that this unit does not depend on local_dir.c (which depends on it).
 */
int hf__dl_run_jobs(hf__dl *d, hf__dl_job *jobs, size_t count, hf__dl_job_fn one_job);

/* ---- metadata of one file (download_file.c) ---- */

typedef struct hf__file_meta {
	char commit[41];
	char etag[65];
	uint64_t size;
	char location[2048]; /* where the bytes are, as the HEAD found out ("" if unknown) */
} hf__file_meta;

/*
 * HEAD the resolve URL of file at d->revision. Returns HF_OK with meta
 * set, or an error with the client's record set; *no_fallback is 1 when
 * the Hub said the file or revision does not exist.
 */
int hf__dl_head_file(hf__dl *d, const char *file, hf__file_meta *meta, int *no_fallback);

#endif

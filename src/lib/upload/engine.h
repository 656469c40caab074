/*
 * The commit engine behind include/hf/upload.h (docs/internals/upload.md,
 * "The commit engine"): one upload job, its files, and the steps of
 * shared/docs/upload-protocol.md §1 (3 to 9) split by concern:
 *   job.c     - a job's items, its start (checks, token), its release;
 *   commit.c  - the run: README check, no-op, the commit call and a lost
 *               answer, the result;
 *   hashing.c - every file hashed once on worker threads, the hash cache;
 *   send.c    - preupload, LFS batch and the transfers (transfer.h);
 *   pipeline.c- hashing, batch calls and transfers at once;
 *   progress.c- the progress reports and cancellation;
 *   upload_api.c - the public functions that build a job.
 * Everything here runs on the calling thread except the pool jobs of
 * hashing.c and send.c, which touch only their item, their thread's
 * context and (under the progress mutex) the counters.
 */
#ifndef HF_UPLOAD_ENGINE_H
#define HF_UPLOAD_ENGINE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "hf/upload.h"
#include "client_int.h"
#include "hub_error.h"
#include "lfs_batch.h"
#include "preupload.h"

/* Files at least this big get no git sha1 while hashed: the Hub makes
 * them LFS (upload-protocol.md §4), so only their sha256 is compared. */
#define HF__UP_SHA1_MAX ((uint64_t)10 << 20)

typedef struct hf__up_item {
	int kind;                 /* an hf_commit_op_kind */
	char *path;               /* the normal path in repo (owned) */
	char *local;              /* ADD_FILE: what to open (owned) */
	char *cache_key;          /* folder files: path relative to the folder (owned), else NULL */
	const unsigned char *data;/* ADD_BUFFER (the caller's) */
	size_t len;
	char *src_path;           /* COPY (owned) */
	char *src_rev;            /* COPY (owned), NULL: the commit's revision */
	int skip;                 /* a later add of the same path wins / a delete of an added path */

	/* Hashing (hashing.c) */
	int fd;                   /* ADD_FILE: open while read (hf__up_open), else -1 */
	int tmp_fd;               /* ADD_BUFFER sent as LFS: fd is a temporary copy */
	uint64_t size;
	int64_t mtime_ns;
	uint64_t ino;
	char sha256[65];
	char sha1[41];            /* "" when not computed */
	unsigned char sample[HF__PREUPLOAD_SAMPLE];
	size_t sample_len;
	int cached;               /* hashes from the hash cache */

	/* Preupload and batch (send.c) */
	int lfs;                  /* uploadMode lfs */
	int ignored;              /* shouldIgnore */
	char remote_oid[65];      /* the oid preupload gave for the path, "" when none */
	int noop;                 /* already at that path with this content */
	int stored;               /* LFS: the storage has it (no upload action, or sent) */
	hf__lfs_action act;
	int has_act;
} hf__up_item;

typedef struct hf__up {
	hf_client *c;
	const char *repo_id;
	hf_repo_type type;
	const char *type_name;    /* "model"... */
	const char *revision;     /* the branch or refs/pr/N of the commit */
	char *rev_q;              /* revision quoted as one path segment (owned) */
	hf_upload_options o;      /* copy, defaults applied */
	const char *message;      /* the summary */
	char *token;              /* owned secret, may be NULL */
	hf_token_source source;
	const char *folder;       /* folder uploads: hash cache and resume folder; else NULL */
	char *resume_dir;         /* multipart resume (owned), may be NULL */

	hf__up_item *items;
	size_t n, cap;

	atomic_int cancel;
	/* Progress (progress.c), under mu. */
	pthread_mutex_t mu;
	hf_upload_progress p;
	struct timespec last_report;
	int reported_phase;

	/* Result counters. */
	size_t lfs_sent, lfs_skipped;
	uint64_t bytes_sent;
	size_t to_hash;           /* items hashed from their bytes */
} hf__up;

/* job.c: append an item (zeroed, fd -1); NULL when out of memory. */
hf__up_item *hf__up_add(hf__up *u);
void hf__up_dispose(hf__up *u);

/* A subject for this job's Hub requests (hub_error.h). */
hf__hub_subject hf__up_subject(const hf__up *u, const char *file);
/*
 * A request of this job to the Hub: rq zeroed, then method (NULL: GET),
 * url, the job's token for the Hub only, the client's timeouts (connect:
 * etag_timeout, stall: download_timeout) and the job's cancel flag.
 */
void hf__up_request(const hf__up *u, hf__request *rq, const char *method, const char *url);

/* progress.c: report (force: a phase change or the end, always sent;
 * else at most every 100 ms). Non-zero when the callback asked to cancel
 * (u->cancel is then set). Any thread. */
int hf__up_report(hf__up *u, int phase, const char *file, int force);
/* Count bytes hashed / sent, a file done; then report (throttled). */
int hf__up_hashed(hf__up *u, const char *file, uint64_t bytes);
int hf__up_sent(hf__up *u, const char *file, uint64_t bytes);
int hf__up_file_done(hf__up *u, const char *file);
/* HF_ECANCELLED on the client's record when cancelled, else HF_OK. */
int hf__up_check_cancel(hf__up *u);

/*
 * hashing.c: open, fstat and sample every add, hashes from the hash cache
 * (folder files unless no_hash_cache). Calling thread; errors on the record.
 */
int hf__up_prepare(hf__up *u);
/*
 * Hash one add (after preupload: sha256, plus the git sha1 when it goes
 * regular) unless the cache gave what is needed, then set it->noop. Any
 * thread; buf is the thread's read buffer. 0, or an hf_code with *f set
 * (HF_ECANCELLED when cancelled).
 */
int hf__up_hash_item(hf__up *u, hf__up_item *it, unsigned char *buf, size_t bufsize,
		     hf__failure *f);
/* Write the hash cache of a folder upload (errors ignored). */
void hf__up_save_hash_cache(hf__up *u);
/* Has a file changed since it was hashed? HF_ECHANGED on the record. */
int hf__up_check_unchanged(hf__up *u);

/*
 * hashing.c: open an ADD_FILE again (no-op when open) and check it is the
 * file hashed: same inode, size and mtime. A file stays open only while it
 * is read (a folder may have more files than a process may open). HF_OK;
 * HF_ECHANGED or HF_EIO with *f set. Any thread (touches only it).
 */
int hf__up_open(hf__up_item *it, hf__failure *f);
void hf__up_close(hf__up_item *it);

/* send.c: preupload (modes, ignores, remote oids: no hashes needed). */
int hf__up_preupload(hf__up *u);
/* send.c: the LFS batch URL (heap), one batch call for items idx[0..k)
 * (distinct oids; calling thread), a buffer's temporary descriptor, and
 * the transfer of one object (any thread, its own connection). */
char *hf__up_batch_url(hf__up *u);
int hf__up_batch(hf__up *u, const char *url, const size_t *idx, size_t k);
int hf__up_buffer_fd(hf__up *u, hf__up_item *it);
int hf__up_send_one(hf__up *u, hf__conn *conn, hf__up_item *it, hf__failure *f);

/* pipeline.c: hash every add while the LFS objects already hashed are
 * asked about (batch) and sent (transfers). */
int hf__up_hash_and_send(hf__up *u);

/*
 * job.c: start a job: check the client, options, repo id and revision,
 * refuse offline mode, resolve the token (opts->token first, as
 * downloads do). message NULL: opts->commit_message, else default_message
 * (NULL: required). HF_OK, or the error on the client's record; dispose
 * u either way.
 */
int hf__up_begin(hf__up *u, hf_client *c, const char *repo_id, const hf_upload_options *opts,
		 const char *default_message);
/* Check and add the normal form of a path in repo to an item. */
int hf__up_set_path(hf__up *u, hf__up_item *it, const char *path);
/* commit.c: run the job (steps 3-9 after the items are made). */
int hf__up_run(hf__up *u, hf_commit_info **info_out);

#endif

/*
 * Fetching one file's bytes into a verified temporary file.
 *
 * The bytes go to "<prefix>.<8hex>.incomplete" in dir. A file of at least
 * split_threshold bytes is fetched as byte ranges over several connections
 * at once; a second thread trails the writers and hashes the contiguous
 * prefix from the page cache, so verification costs no second pass. That
 * hashed prefix is what a later run resumes from: it is recorded, after
 * fdatasync, in "<temp>.resume". When the whole file is there and its size
 * and hash match the etag, the temporary file is fsync'ed and handed to
 * the caller to publish; otherwise it is removed (hash mismatch) or kept
 * for the next run (interrupted).
 *
 * Runs in a worker thread: it never touches the client's error record.
 */
#ifndef HF_FETCH_H
#define HF_FETCH_H

#include <stdatomic.h>
#include <stdint.h>

#include "hf/auth.h"
#include "http.h"
#include "hub_error.h"

typedef struct hf__fetch {
	/* In. */
	hf__conn *conn;             /* the calling worker's connection */
	const char *url;            /* the resolve URL on the Hub */
	const char *first_url;      /* where a HEAD already said the bytes are, or NULL */
	hf__scope scope;            /* the Hub's token and origin (http.h) */
	hf__hub_subject subject;    /* for the words of a failure (hub_error.h) */
	long etag_timeout_s;        /* connect timeout */
	long download_timeout_s;    /* stall timeout */
	const char *etag;           /* 40 or 64 hex: names the hash to check */
	uint64_t size;              /* expected size */
	const char *dir;            /* where the temporary files go */
	const char *prefix;         /* their name prefix, usually the etag */
	const char *label;          /* file name for messages */
	int connections;            /* for a large file; 1: never split */
	uint64_t split_threshold;
	/* Called with the bytes on disk so far (any thread, serialised by caller). */
	void (*progress)(void *payload, uint64_t done);
	void *progress_payload;
	atomic_int *cancel;         /* set non-zero (by any thread) to stop */

	/* Out. */
	char *tmp_path;             /* the verified file, on success (caller frees) */
	hf__failure failure;        /* failure.code: HF_OK on success */
	uint64_t resumed_from;      /* bytes reused from an earlier run */
	uint64_t bytes_fetched;     /* bytes received over the network */
} hf__fetch;

/* Fetch and verify. Returns f->failure.code (HF_OK on success). */
int hf__fetch_run(hf__fetch *f);

/* File mode for new blobs: 0666 less the process umask (read once). */
unsigned int hf__file_mode(void);

#endif

/**
 * @file hf/download.h
 * @brief Download files and whole repositories into the cache shared with
 * the official Python client (or into a plain local directory).
 *
 * Every byte is verified before it is published: a blob appears in the
 * cache only after its size and hash (sha256 for LFS files, git blob sha1
 * for the others) match what the Hub announced. Interrupted downloads are
 * resumed by the next call. Large files are fetched over several
 * connections at once.
 *
 * Thread-safety: a client is used by one thread at a time; these calls
 * start their own worker threads internally (and join them before they
 * return). Use separate clients to download from several threads at once.
 * Several threads and processes (this library, the Python client) may
 * download into one cache at the same time: each blob is fetched under a
 * per-file lock, so it is downloaded once and published whole.
 *
 * The life of a download is described in docs/api.md.
 */
#ifndef HF_DOWNLOAD_H
#define HF_DOWNLOAD_H

#include <stdint.h>

#include "common.h"
#include "client.h"

HF_BEGIN_DECL

/** Kind of repository. @since 0.1 */
typedef enum hf_repo_type {
	HF_REPO_MODEL = 0,
	HF_REPO_DATASET = 1,
	HF_REPO_SPACE = 2
} hf_repo_type;

/** "model", "dataset" or "space"; NULL for an unknown value. Static storage; any thread. @since 0.1 */
HF_EXTERN(const char *) hf_repo_type_name(hf_repo_type type);
/**
 * Parse "model", "dataset" or "space" (also the plural).
 * @param out receives the type; left untouched on failure.
 * @return HF_OK; HF_EINVAL for a NULL argument or an unknown name.
 * Thread-safety: any thread.
 * @since 0.1
 */
HF_EXTERN(int) hf_repo_type_parse(hf_repo_type *out, const char *name);

/**
 * Progress of a download, passed to ::hf_progress_cb. Owned by the
 * library and valid during the callback only (copy @p file to keep it).
 * May gain fields at the end (common.h, rule 2).
 * @since 0.1
 */
typedef struct hf_progress {
	const char *file;      /**< path in the repo of the file that moved, or NULL */
	uint64_t file_done;    /**< bytes of that file on disk (verified or being fetched) */
	uint64_t file_total;   /**< its size */
	uint64_t bytes_done;   /**< all files: bytes on disk */
	uint64_t bytes_total;  /**< all files: bytes to have */
	size_t files_done;     /**< files complete (including those already cached) */
	size_t files_total;    /**< files to have */
} hf_progress;

/**
 * Progress callback. Called from the library's worker threads, one call at
 * a time (never concurrently), at most every 100 ms per file plus once when
 * each file completes (files found already cached are counted in a first
 * call whose `file` is NULL). Return non-zero to cancel: the call then
 * fails with HF_ECANCELLED and nothing half-written is published; the
 * next call resumes from the verified part.
 * The callback must not call libhf on the client that is downloading, and
 * should return quickly: it holds up the worker that called it.
 * @since 0.1
 */
typedef int (*hf_progress_cb)(const hf_progress *progress, void *payload);

/** The current version of ::hf_download_options (its `version` field). @since 0.1 */
#define HF_DOWNLOAD_OPTIONS_VERSION 1

/**
 * Options of hf_download_file() and hf_download_snapshot(). Initialise
 * with HF_DOWNLOAD_OPTIONS_INIT or hf_download_options_init(); fields are
 * only ever appended. Strings are read during the call only. Every call
 * that takes options accepts NULL for all defaults.
 * @since 0.1
 */
typedef struct hf_download_options {
	/** HF_DOWNLOAD_OPTIONS_VERSION: the layout the caller was compiled with. */
	unsigned int version;
	hf_repo_type repo_type;     /**< default HF_REPO_MODEL */
	const char *revision;       /**< branch, tag, "refs/pr/N" or commit; NULL: "main" */
	const char *const *include; /**< fnmatch patterns (snapshot only); NULL: all */
	size_t include_count;
	const char *const *exclude; /**< fnmatch patterns to leave out (snapshot only) */
	size_t exclude_count;
	const char *cache_dir;      /**< overrides the client's hub cache */
	const char *local_dir;      /**< write real files here instead of the cache */
	const char *token;          /**< explicit token for this call (beats every other) */
	int force;                  /**< download again even if cached */
	int dry_run;                /**< plan only: see hf_download_plan() */
	int max_workers;            /**< files at once; 0: 8 */
	int offline;                /**< use only the cache (as HF_HUB_OFFLINE=1) */
	hf_progress_cb progress;    /**< NULL: no progress reports */
	void *progress_payload;     /**< passed to progress */
	int connections_per_file;   /**< ranged connections for a large file; 0: 4; 1: off */
	uint64_t split_threshold;   /**< files at least this big are split; 0: 64 MiB */
} hf_download_options;

#define HF_DOWNLOAD_OPTIONS_INIT { HF_DOWNLOAD_OPTIONS_VERSION, HF_REPO_MODEL, NULL, NULL, 0, \
		NULL, 0, NULL, NULL, NULL, 0, 0, 0, 0, NULL, NULL, 0, 0 }

/**
 * Reset @p opts to defaults (same as HF_DOWNLOAD_OPTIONS_INIT).
 * @param version pass HF_DOWNLOAD_OPTIONS_VERSION.
 * @return HF_OK; HF_EINVAL for a NULL @p opts or an unknown version.
 *         Any thread.
 * @since 0.1
 */
HF_EXTERN(int) hf_download_options_init(hf_download_options *opts, unsigned int version);

/**
 * Download one file of a repository into the cache (or local_dir).
 * The file is fetched only when the cache does not already hold it for
 * the revision's commit; a file cached at a pinned commit needs no network
 * at all. When the Hub cannot be reached, or refuses, a cached copy is
 * returned as the official client does (not for a file or revision the
 * Hub says does not exist).
 * @param path_out receives the path of the file in the snapshot
 *        (`<cache>/models--org--name/snapshots/<commit>/<filename>`), or
 *        in local_dir; owned by the caller: free with hf_free(). NULL on
 *        failure.
 * @param repo_id, filename read during the call only.
 * @param opts NULL for the defaults; include/exclude are ignored here.
 *        Read during the call only.
 * @return HF_OK; HF_EINVAL (NULL client or @p path_out, bad repo id,
 *         revision or file name, unknown options version, out-of-range
 *         option, or dry_run set: use hf_download_plan(); also a token
 *         that cannot go into an HTTP header);
 *         HF_ENOTFOUND (repository, revision or file: the message says
 *         which); HF_EGATED (gated repo: the hint gives the page to request
 *         access); HF_EAUTH; HF_EFORBIDDEN; HF_EOFFLINE (offline and not
 *         cached); HF_EINTEGRITY (hash or size mismatch: nothing kept);
 *         HF_ENETWORK, HF_ETIMEOUT, HF_ETLS, HF_ERATELIMIT, HF_ESERVER
 *         (after retries); HF_EPROTOCOL (a reply that is not the Hub's);
 *         HF_EIO, HF_ENOSPC; HF_ENOMEM; HF_ECANCELLED (the progress
 *         callback asked).
 * Thread-safety: one thread at a time per client; the call runs worker
 * threads of its own (see the top of this header).
 * @since 0.1
 */
HF_EXTERN(int) hf_download_file(char **path_out, hf_client *client, const char *repo_id,
				const char *filename, const hf_download_options *opts);

/**
 * Download every file of a repository revision (filtered by include and
 * exclude) into the cache (or local_dir): one listing of the revision's
 * files, then up to max_workers files at once.
 * @param path_out receives the snapshot directory
 *        (`<cache>/models--org--name/snapshots/<commit>`) or the real path
 *        of local_dir; owned by the caller: free with hf_free(). NULL on
 *        failure.
 * @param repo_id read during the call only.
 * @param opts NULL for the defaults; read during the call only.
 * @return as hf_download_file() (the file name errors aside); when several
 *         files fail, the first failure is reported.
 * Thread-safety: one thread at a time per client; the call runs worker
 * threads of its own (see the top of this header).
 * @since 0.1
 */
HF_EXTERN(int) hf_download_snapshot(char **path_out, hf_client *client, const char *repo_id,
				    const hf_download_options *opts);

/**
 * One file of a plan; owned by its ::hf_plan. An array element: its layout
 * is fixed (common.h, rule 3). @since 0.1
 */
typedef struct hf_plan_file {
	char *path;         /**< in the repo */
	uint64_t size;
	int will_download;  /**< 0 when already cached (or filtered out) */
	int selected;       /**< passes the include/exclude filter */
} hf_plan_file;

/**
 * What a download would do (hf_download_plan()); release with
 * hf_plan_free(). Allocated by the library; may gain fields at the end
 * (common.h, rule 2). @since 0.1
 */
typedef struct hf_plan {
	char *commit;          /**< resolved commit */
	hf_plan_file *files;   /**< every file of the revision, sorted by path */
	size_t count;
} hf_plan;

/**
 * Resolve and list without downloading (the CLI's --dry-run). With
 * @p filename non-NULL only that file is planned.
 * @param out receives the plan, owned by the caller: free with
 *        hf_plan_free(). NULL on failure.
 * @param repo_id, filename read during the call only; @p filename may be NULL.
 * @param opts NULL for the defaults; dry_run is implied. Read during the
 *        call only.
 * @return HF_OK; HF_EINVAL (NULL client or @p out, and the argument and
 *         option errors of hf_download_file()); HF_ENOTFOUND; HF_EGATED;
 *         HF_EAUTH; HF_EFORBIDDEN; HF_EOFFLINE; HF_ENETWORK, HF_ETIMEOUT,
 *         HF_ETLS, HF_ERATELIMIT, HF_ESERVER; HF_EPROTOCOL; HF_EIO;
 *         HF_ENOMEM. Nothing is fetched, so no integrity, space or
 *         cancellation errors.
 * Thread-safety: one thread at a time per client.
 * @since 0.1
 */
HF_EXTERN(int) hf_download_plan(hf_plan **out, hf_client *client, const char *repo_id,
				const char *filename, const hf_download_options *opts);
/** Free a plan. NULL is a no-op. Thread-safety: any thread. @since 0.1 */
HF_EXTERN(void) hf_plan_free(hf_plan *plan);

HF_END_DECL

#endif

/**
 * @file hf/cache.h
 * @brief See, verify and clean the cache shared with the official client.
 *
 * The data model is the official scan_cache_dir() one: repositories,
 * revisions, files; sizes count every blob once. A corrupt entry becomes a
 * warning and the repository is left out of the report; a scan never
 * fails because of what it finds, only when the cache directory itself
 * cannot be read.
 *
 * Deletion never follows a symbolic link out of the cache, removes a blob
 * only when no remaining revision of its repository uses it, and skips a
 * blob whose download lock is held by a running download.
 *
 * Thread-safety: as every libhf call, one client per thread. Scans and
 * deletions may run while other processes download into the same cache.
 */
#ifndef HF_CACHE_API_H
#define HF_CACHE_API_H

#include <stdint.h>

#include "common.h"
#include "client.h"
#include "download.h"

HF_BEGIN_DECL

/**
 * A file of a cached revision; owned by the ::hf_cache_info. An array
 * element: its layout is fixed (common.h, rule 3). @since 0.1
 */
typedef struct hf_cached_file {
	char *file_name;          /**< path in the repo */
	char *file_path;          /**< snapshots/<commit>/<file_name> */
	char *blob_path;          /**< the blob it points to */
	uint64_t size_on_disk;
	int64_t blob_last_accessed; /**< unix seconds */
	int64_t blob_last_modified;
} hf_cached_file;

/**
 * A cached revision (a snapshot folder); owned by the ::hf_cache_info. An
 * array element: its layout is fixed (common.h, rule 3). @since 0.1
 */
typedef struct hf_cached_revision {
	char commit_hash[41];
	char *snapshot_path;
	uint64_t size_on_disk;    /**< unique blobs of this revision */
	hf_cached_file *files;
	size_t nb_files;
	hf_strlist refs;          /**< branch and tag names pointing at it */
	int64_t last_modified;
} hf_cached_revision;

/**
 * A cached repository; owned by the ::hf_cache_info. An array element: its
 * layout is fixed (common.h, rule 3). @since 0.1
 */
typedef struct hf_cached_repo {
	char *repo_id;
	hf_repo_type repo_type;
	char *repo_path;
	uint64_t size_on_disk;    /**< unique blobs of every revision */
	size_t nb_files;          /**< unique blobs */
	hf_cached_revision *revisions; /**< sorted by commit */
	size_t nb_revisions;
	int64_t last_accessed;
	int64_t last_modified;
} hf_cached_repo;

/**
 * A scan of the whole cache (hf_cache_scan()); release with
 * hf_cache_info_free(). Allocated by the library; may gain fields at the
 * end (common.h, rule 2). @since 0.1
 */
typedef struct hf_cache_info {
	char *cache_dir;
	uint64_t size_on_disk;
	hf_cached_repo *repos;    /**< sorted by type, then id */
	size_t nb_repos;
	hf_strlist warnings;      /**< one line each: what is wrong and where */
	hf_strlist incomplete_files; /**< leftovers of downloads (blobs/<x>.incomplete...) */
	uint64_t incomplete_size;
} hf_cache_info;

/**
 * Scan a cache directory. Reads the disk only; never contacts the Hub.
 * @param out receives the report, owned by the caller: free with
 *        hf_cache_info_free(). NULL on failure.
 * @param cache_dir the directory to scan (read during the call only);
 *        NULL: the client's hub cache.
 * @return HF_OK; HF_EINVAL (NULL client or @p out); HF_ENOTFOUND when
 *         the directory does not exist; HF_EIO when it cannot be read;
 *         HF_ENOMEM.
 * Thread-safety: one thread at a time per client.
 * @since 0.1
 */
HF_EXTERN(int) hf_cache_scan(hf_cache_info **out, hf_client *client, const char *cache_dir);
/** Free a scan. NULL is a no-op. Thread-safety: any thread. @since 0.1 */
HF_EXTERN(void) hf_cache_info_free(hf_cache_info *info);

/** The current version of ::hf_cache_delete_result (its `version` field). @since 0.1 */
#define HF_CACHE_DELETE_RESULT_VERSION 1

/**
 * What a deletion or a prune did (or would do with dry_run). Allocated by
 * the caller (common.h, rule 1): initialise with
 * HF_CACHE_DELETE_RESULT_INIT or hf_cache_delete_result_init() before the
 * call; fields are only ever appended.
 * @since 0.1
 */
typedef struct hf_cache_delete_result {
	/** HF_CACHE_DELETE_RESULT_VERSION: the layout the caller was compiled with. */
	unsigned int version;
	size_t repos_deleted;     /**< whole repositories */
	size_t revisions_deleted; /**< single revisions */
	uint64_t freed;           /**< bytes of blobs removed */
	size_t skipped_locked;    /**< blobs kept because a download holds them */
} hf_cache_delete_result;

#define HF_CACHE_DELETE_RESULT_INIT { HF_CACHE_DELETE_RESULT_VERSION, 0, 0, 0, 0 }

/**
 * Reset @p result to HF_CACHE_DELETE_RESULT_INIT.
 * @param version pass HF_CACHE_DELETE_RESULT_VERSION.
 * @return HF_OK; HF_EINVAL for a NULL @p result or an unknown version.
 * Thread-safety: any thread.
 * @since 0.1
 */
HF_EXTERN(int) hf_cache_delete_result_init(hf_cache_delete_result *result, unsigned int version);

/** The current version of ::hf_cache_delete_options (its `version` field). @since 0.1 */
#define HF_CACHE_DELETE_OPTIONS_VERSION 1

/**
 * Options of hf_cache_delete(). Initialise with HF_CACHE_DELETE_OPTIONS_INIT
 * or hf_cache_delete_options_init(); fields are only ever appended.
 * Strings are read during the call only. NULL options mean all defaults.
 * @since 0.1
 */
typedef struct hf_cache_delete_options {
	/** HF_CACHE_DELETE_OPTIONS_VERSION: the layout the caller was compiled with. */
	unsigned int version;
	hf_repo_type repo_type;       /**< default HF_REPO_MODEL */
	/**
	 * Full 40-character commits to delete; NULL (or revision_count 0):
	 * the whole repository. Deleting every revision deletes the
	 * repository folder.
	 */
	const char *const *revisions;
	size_t revision_count;
	const char *cache_dir;        /**< NULL: the client's hub cache */
	int dry_run;                  /**< compute the result without deleting anything */
} hf_cache_delete_options;

#define HF_CACHE_DELETE_OPTIONS_INIT { HF_CACHE_DELETE_OPTIONS_VERSION, HF_REPO_MODEL, NULL, 0, NULL, 0 }

/**
 * Reset @p opts to defaults (same as HF_CACHE_DELETE_OPTIONS_INIT).
 * @param version pass HF_CACHE_DELETE_OPTIONS_VERSION.
 * @return HF_OK; HF_EINVAL for a NULL @p opts or an unknown version.
 * Thread-safety: any thread.
 * @since 0.1
 */
HF_EXTERN(int) hf_cache_delete_options_init(hf_cache_delete_options *opts, unsigned int version);

/**
 * Delete a repository, or some of its revisions, from the cache. A
 * repository the scan finds corrupt can still be deleted whole.
 * @param out may be NULL; else its `version` must be set
 *        (HF_CACHE_DELETE_RESULT_INIT). Filled on every return but
 *        HF_EINVAL; after a failure it counts what was done before it.
 * @param repo_id "name" or "namespace/name"; read during the call only.
 * @param opts NULL for the defaults (the whole model repository, in the
 *        client's hub cache, for real).
 * @return HF_OK; HF_EINVAL (NULL client, bad repo id, a revision that is
 *         not a full commit hash, unknown options or result version);
 *         HF_ENOTFOUND when the repository (or a revision) is not cached;
 *         HF_ELOCKED when the repository is corrupt and a download is
 *         running in it; HF_EIO; HF_ENOMEM.
 * Thread-safety: one thread at a time per client; other processes may
 * download into the same cache meanwhile (their blobs are kept).
 * @since 0.1
 */
HF_EXTERN(int) hf_cache_delete(hf_cache_delete_result *out, hf_client *client, const char *repo_id,
			       const hf_cache_delete_options *opts);

/** The current version of ::hf_cache_prune_options (its `version` field). @since 0.1 */
#define HF_CACHE_PRUNE_OPTIONS_VERSION 1

/**
 * Options of hf_cache_prune(). Initialise with HF_CACHE_PRUNE_OPTIONS_INIT
 * or hf_cache_prune_options_init(); fields are only ever appended.
 * Strings are read during the call only. NULL options mean all defaults.
 * @since 0.1
 */
typedef struct hf_cache_prune_options {
	/** HF_CACHE_PRUNE_OPTIONS_VERSION: the layout the caller was compiled with. */
	unsigned int version;
	const char *cache_dir;        /**< NULL: the client's hub cache */
	int dry_run;                  /**< compute the result without deleting anything */
} hf_cache_prune_options;

#define HF_CACHE_PRUNE_OPTIONS_INIT { HF_CACHE_PRUNE_OPTIONS_VERSION, NULL, 0 }

/**
 * Reset @p opts to defaults (same as HF_CACHE_PRUNE_OPTIONS_INIT).
 * @param version pass HF_CACHE_PRUNE_OPTIONS_VERSION.
 * @return HF_OK; HF_EINVAL for a NULL @p opts or an unknown version.
 * Thread-safety: any thread.
 * @since 0.1
 */
HF_EXTERN(int) hf_cache_prune_options_init(hf_cache_prune_options *opts, unsigned int version);

/**
 * Remove detached revisions (no ref points at them) of every repository,
 * and the leftovers of dead downloads (temporary files no running download
 * holds).
 * @param out may be NULL; else its `version` must be set
 *        (HF_CACHE_DELETE_RESULT_INIT). Filled on every return but
 *        HF_EINVAL; after a failure it counts what was done before it.
 * @param opts NULL for the defaults (the client's hub cache, for real).
 * @return HF_OK; HF_EINVAL (NULL client, unknown options or result
 *         version); HF_ENOTFOUND (no cache directory); HF_EIO; HF_ENOMEM.
 * Thread-safety: one thread at a time per client; other processes may
 * download into the same cache meanwhile (their files are kept).
 * @since 0.1
 */
HF_EXTERN(int) hf_cache_prune(hf_cache_delete_result *out, hf_client *client,
			      const hf_cache_prune_options *opts);

/**
 * What hf_cache_verify() found wrong with a file. Values are only ever
 * appended: handle unknown ones. @since 0.1
 */
typedef enum hf_verify_issue_kind {
	/** The file is there but its size or hash differs, or it cannot be read. */
	HF_VERIFY_MISMATCH = 1,
	/** The repository has the file but the snapshot does not (or its link is broken). */
	HF_VERIFY_MISSING = 2,
	/** The snapshot has a file the repository does not. */
	HF_VERIFY_EXTRA = 3
} hf_verify_issue_kind;

/**
 * One problem found by hf_cache_verify(); owned by the ::hf_verify_result.
 * An array element: its layout is fixed (common.h, rule 3). @since 0.1
 */
typedef struct hf_verify_issue {
	char *file;     /**< path in the repo */
	char *problem;  /**< one line, e.g. "hash mismatch: expected sha256 X, got Y", "missing" */
	hf_verify_issue_kind kind;
} hf_verify_issue;

/**
 * The result of hf_cache_verify(); release with hf_verify_result_free().
 * Allocated by the library; may gain fields at the end (common.h, rule 2).
 * @since 0.1
 */
typedef struct hf_verify_result {
	char commit[41];
	size_t verified;        /**< files whose hash matched */
	hf_verify_issue *issues;
	size_t nb_issues;
	/** Issues of each kind: HF_VERIFY_MISMATCH, HF_VERIFY_MISSING, HF_VERIFY_EXTRA. */
	size_t mismatches, missing, extra;
} hf_verify_result;

/** The current version of ::hf_cache_verify_options (its `version` field). @since 0.1 */
#define HF_CACHE_VERIFY_OPTIONS_VERSION 1

/**
 * Options of hf_cache_verify(). Initialise with HF_CACHE_VERIFY_OPTIONS_INIT
 * or hf_cache_verify_options_init(); fields are only ever appended.
 * Strings are read during the call only. NULL options mean all defaults.
 * @since 0.1
 */
typedef struct hf_cache_verify_options {
	/** HF_CACHE_VERIFY_OPTIONS_VERSION: the layout the caller was compiled with. */
	unsigned int version;
	hf_repo_type repo_type;     /**< default HF_REPO_MODEL */
	const char *revision;       /**< branch, tag, "refs/pr/N" or commit; NULL: "main" */
	const char *const *include; /**< fnmatch patterns: check only these files; NULL: all */
	size_t include_count;
	const char *const *exclude; /**< fnmatch patterns of files not to check */
	size_t exclude_count;
	const char *cache_dir;      /**< overrides the client's hub cache */
	const char *local_dir;      /**< verify a local_dir download instead of the cache */
	const char *token;          /**< explicit token for the listing (beats every other) */
	int offline;                /**< check against the blob names only (as HF_HUB_OFFLINE=1) */
} hf_cache_verify_options;

#define HF_CACHE_VERIFY_OPTIONS_INIT { HF_CACHE_VERIFY_OPTIONS_VERSION, HF_REPO_MODEL, NULL, \
		NULL, 0, NULL, 0, NULL, NULL, NULL, 0 }

/**
 * Reset @p opts to defaults (same as HF_CACHE_VERIFY_OPTIONS_INIT).
 * @param version pass HF_CACHE_VERIFY_OPTIONS_VERSION.
 * @return HF_OK; HF_EINVAL for a NULL @p opts or an unknown version.
 * Thread-safety: any thread.
 * @since 0.1
 */
HF_EXTERN(int) hf_cache_verify_options_init(hf_cache_verify_options *opts, unsigned int version);

/**
 * Re-hash every cached file of a revision: against the Hub's file listing
 * (sha256 for LFS files, git blob sha1 for the others), or offline
 * (HF_HUB_OFFLINE, opts->offline) against the blob names, which are those
 * hashes. The revision is resolved and listed exactly as
 * hf_download_snapshot() does (cached listings and offline fallbacks
 * included); nothing is downloaded or changed.
 * @param out receives the result, owned by the caller: free with
 *        hf_verify_result_free(). NULL on failure.
 * @param repo_id "name" or "namespace/name"; read during the call only.
 * @param opts NULL for the defaults.
 * @return HF_OK, also when problems were found: see the result; HF_EINVAL
 *         (NULL client or @p out, bad repo id or revision, cache_dir with
 *         local_dir, unknown options version, or a token that cannot go
 *         into an HTTP header); HF_ENOTFOUND (the Hub has no such
 *         repository or revision, or the revision is not in the cache);
 *         HF_EGATED, HF_EAUTH, HF_EFORBIDDEN (the listing was refused);
 *         HF_EOFFLINE (offline and the revision cannot be resolved from
 *         the cache); HF_ENETWORK, HF_ETIMEOUT, HF_ETLS, HF_ERATELIMIT,
 *         HF_ESERVER, HF_EPROTOCOL; HF_EIO (the token file or the cache
 *         cannot be read); HF_ENOMEM.
 * Thread-safety: one thread at a time per client.
 * @since 0.1
 */
HF_EXTERN(int) hf_cache_verify(hf_verify_result **out, hf_client *client, const char *repo_id,
			       const hf_cache_verify_options *opts);
/** Free a verify result. NULL is a no-op. Thread-safety: any thread. @since 0.1 */
HF_EXTERN(void) hf_verify_result_free(hf_verify_result *result);

HF_END_DECL

#endif

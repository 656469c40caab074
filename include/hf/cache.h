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

/** A file of a cached revision; owned by the ::hf_cache_info. @since 0.1 */
typedef struct hf_cached_file {
	char *file_name;          /**< path in the repo */
	char *file_path;          /**< snapshots/<commit>/<file_name> */
	char *blob_path;          /**< the blob it points to */
	uint64_t size_on_disk;
	int64_t blob_last_accessed; /**< unix seconds */
	int64_t blob_last_modified;
} hf_cached_file;

/** A cached revision (a snapshot folder); owned by the ::hf_cache_info. @since 0.1 */
typedef struct hf_cached_revision {
	char commit_hash[41];
	char *snapshot_path;
	uint64_t size_on_disk;    /**< unique blobs of this revision */
	hf_cached_file *files;
	size_t nb_files;
	hf_strlist refs;          /**< branch and tag names pointing at it */
	int64_t last_modified;
} hf_cached_revision;

/** A cached repository; owned by the ::hf_cache_info. @since 0.1 */
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

/** A scan of the whole cache (hf_cache_scan()); release with hf_cache_info_free(). @since 0.1 */
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
 * Scan a cache directory (NULL: the client's hub cache). Reads the disk
 * only; never contacts the Hub.
 * @param out receives the report; free with hf_cache_info_free().
 * @return HF_OK; HF_EINVAL (NULL client or @p out); HF_ENOTFOUND when
 *         the directory does not exist; HF_EIO when it cannot be read;
 *         HF_ENOMEM.
 * @since 0.1
 */
HF_EXTERN(int) hf_cache_scan(hf_client *client, const char *cache_dir, hf_cache_info **out);
/** Free a scan. NULL is a no-op. @since 0.1 */
HF_EXTERN(void) hf_cache_info_free(hf_cache_info *info);

/** What a deletion did (or would do with dry_run). @since 0.1 */
typedef struct hf_cache_delete_result {
	size_t repos_deleted;     /**< whole repositories */
	size_t revisions_deleted; /**< single revisions */
	uint64_t freed;           /**< bytes of blobs removed */
	size_t skipped_locked;    /**< blobs kept because a download holds them */
} hf_cache_delete_result;

/**
 * Delete a repository, or some of its revisions, from the cache.
 * @param revisions commits to delete; NULL (or count 0) deletes the repo.
 *        Deleting every revision deletes the repository folder.
 * @param cache_dir NULL: the client's hub cache.
 * @param dry_run compute @p result without deleting anything.
 * @param result may be NULL.
 * @return HF_OK; HF_ENOTFOUND when the repository (or a revision) is not
 *         cached; HF_EINVAL; HF_EIO.
 * @since 0.1
 */
HF_EXTERN(int) hf_cache_delete(hf_client *client, const char *cache_dir, hf_repo_type type,
			       const char *repo_id, const char *const *revisions, size_t count,
			       int dry_run, hf_cache_delete_result *result);

/**
 * Remove detached revisions (no ref points at them) of every repository,
 * and the leftovers of dead downloads (temporary files no running download
 * holds).
 * @param cache_dir NULL: the client's hub cache.
 * @param result may be NULL.
 * @return HF_OK, HF_EINVAL, HF_ENOTFOUND (no cache), HF_EIO.
 * @since 0.1
 */
HF_EXTERN(int) hf_cache_prune(hf_client *client, const char *cache_dir, int dry_run,
			      hf_cache_delete_result *result);

/** One problem found by hf_cache_verify(); owned by the ::hf_verify_result. @since 0.1 */
typedef struct hf_verify_issue {
	char *file;
	char *problem;  /**< "hash mismatch: expected sha256 X, got Y", "missing", "extra" */
	int kind;       /**< 1 mismatch, 2 missing, 3 extra */
} hf_verify_issue;

/** The result of hf_cache_verify(); release with hf_verify_result_free(). @since 0.1 */
typedef struct hf_verify_result {
	char commit[41];
	size_t verified;        /**< files whose hash matched */
	hf_verify_issue *issues;
	size_t nb_issues;
	size_t mismatches, missing, extra;
} hf_verify_result;

/**
 * Re-hash every cached file of a revision: against the Hub's file listing
 * (sha256 for LFS files, git blob sha1 for the others), or offline
 * (HF_HUB_OFFLINE, opts->offline) against the blob names, which are those
 * hashes. Uses opts' repo_type, revision, cache_dir, local_dir and token.
 * @param out receives the result; free with hf_verify_result_free().
 * @return HF_OK (also when mismatches were found: see the result), or the
 *         errors of hf_download_snapshot() for the listing.
 * @since 0.1
 */
HF_EXTERN(int) hf_cache_verify(hf_client *client, const char *repo_id,
			       const hf_download_options *opts, hf_verify_result **out);
/** Free a verify result. NULL is a no-op. @since 0.1 */
HF_EXTERN(void) hf_verify_result_free(hf_verify_result *result);

HF_END_DECL

#endif

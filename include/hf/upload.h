/**
 * @file hf/upload.h
 * @brief Commit files to a repository: one file, a folder, or any list of
 * additions, deletions and copies in one commit; and the resumable upload
 * of a very large folder in many commits.
 *
 * The life of a commit (docs/internals/upload.md): every local file is
 * hashed once (sha256, and the git blob sha1 for small ones), from the
 * same bytes that are then sent; the Hub says per file whether it goes as
 * LFS or inline (preupload) and which are already there; LFS objects the
 * storage does not hold are sent (whole, or in parts, several at once) to
 * the URLs the Hub hands out, which get no credential of ours; then one
 * commit. A file whose size or modification time changed while it was
 * read is never committed (HF_ECHANGED). Nothing is committed when every
 * file is already there with the same content (hf_commit_info.no_op).
 *
 * Thread-safety: a client is used by one thread at a time; these calls
 * start worker threads of their own and join them before they return.
 */
#ifndef HF_UPLOAD_H
#define HF_UPLOAD_H

#include <stdint.h>

#include "common.h"
#include "client.h"
#include "download.h"

HF_BEGIN_DECL

/** What an ::hf_commit_op does. Values are API: only appended. @since 0.1 */
typedef enum hf_commit_op_kind {
	HF_COMMIT_ADD_FILE = 0,      /**< add (or replace) path_in_repo with the local file local_path */
	HF_COMMIT_ADD_BUFFER = 1,    /**< add (or replace) path_in_repo with data[0..len) */
	HF_COMMIT_DELETE_FILE = 2,   /**< delete the file path_in_repo */
	HF_COMMIT_DELETE_FOLDER = 3, /**< delete the folder path_in_repo and everything under it */
	HF_COMMIT_COPY_FILE = 4      /**< copy src_path (at src_revision) to path_in_repo, within the repo */
} hf_commit_op_kind;

/**
 * One operation of a commit; an array element (fixed layout, common.h
 * rule 3). Strings and data are read during the call only.
 * @since 0.1
 */
typedef struct hf_commit_op {
	int kind;                 /**< an ::hf_commit_op_kind */
	const char *path_in_repo; /**< where: checked as the official client does (no "..", ".git") */
	const char *local_path;   /**< HF_COMMIT_ADD_FILE: the file to read */
	const void *data;         /**< HF_COMMIT_ADD_BUFFER: the content */
	size_t len;
	const char *src_path;     /**< HF_COMMIT_COPY_FILE: the path in repo to copy */
	const char *src_revision; /**< HF_COMMIT_COPY_FILE: NULL: the commit's revision */
} hf_commit_op;

/** Where a commit is (hf_upload_progress.phase). Only appended. @since 0.1 */
typedef enum hf_upload_phase {
	HF_UPLOAD_HASHING = 0,    /**< reading local files for their hashes */
	HF_UPLOAD_SENDING = 1,    /**< sending LFS objects */
	HF_UPLOAD_COMMITTING = 2, /**< the commit call */
	HF_UPLOAD_DONE = 3
} hf_upload_phase;

/**
 * Progress of an upload, passed to ::hf_upload_progress_cb. Owned by the
 * library, valid during the callback only. May gain fields at the end
 * (common.h, rule 2).
 * @since 0.1
 */
typedef struct hf_upload_progress {
	int phase;              /**< an ::hf_upload_phase */
	const char *file;       /**< path in repo of the file that moved, or NULL */
	uint64_t bytes_hashed;  /**< all files: bytes read for their hashes */
	uint64_t bytes_to_hash; /**< all files: bytes to read (files whose hashes are cached excluded) */
	uint64_t bytes_sent;    /**< LFS bytes the storage accepted */
	uint64_t bytes_to_send; /**< LFS bytes the storage does not hold yet (known after the batch calls) */
	size_t files_done;      /**< files hashed and, when needed, sent */
	size_t files_total;     /**< files to add */
} hf_upload_progress;

/**
 * Progress callback: from the library's threads, one call at a time,
 * at most every 100 ms plus once per phase change. Return non-zero to
 * cancel: the call fails with HF_ECANCELLED and nothing is committed
 * (objects already in the storage stay there and are not sent again).
 * It must not call libhf on the uploading client.
 * @since 0.1
 */
typedef int (*hf_upload_progress_cb)(const hf_upload_progress *progress, void *payload);

/** The current version of ::hf_upload_options (its `version` field). @since 0.1 */
#define HF_UPLOAD_OPTIONS_VERSION 1

/**
 * Options of hf_commit(), hf_upload_file(), hf_upload_folder() and
 * hf_upload_large_folder(). Initialise with HF_UPLOAD_OPTIONS_INIT or
 * hf_upload_options_init(); fields are only ever appended (common.h,
 * rule 1). Strings are read during the call only. NULL is all defaults.
 * @since 0.1
 */
typedef struct hf_upload_options {
	/** HF_UPLOAD_OPTIONS_VERSION: the layout the caller was compiled with. */
	unsigned int version;
	hf_repo_type repo_type;         /**< default HF_REPO_MODEL */
	const char *revision;           /**< branch or "refs/pr/N" to commit to; NULL: "main" */
	const char *commit_message;     /**< NULL: the official default ("Upload X with huggingface_hub", ...); required by hf_commit() */
	const char *commit_description; /**< NULL: "" */
	int create_pr;                  /**< commit to a new pull request on revision */
	const char *parent_commit;      /**< refuse (HF_ECONFLICT) when the branch head is not this commit */
	const char *token;              /**< explicit token for this call (beats every other) */
	int max_workers;                /**< files hashed/sent at once; 0: 5 */
	int parts_in_flight;            /**< parts of one large file sent at once; 0: 4 */
	hf_upload_progress_cb progress; /**< NULL: no reports */
	void *progress_payload;
	/* Folder uploads only: */
	const char *const *include;     /**< patterns (`*` crosses `/`); NULL: every file */
	size_t include_count;
	const char *const *exclude;
	size_t exclude_count;
	const char *const *delete_patterns; /**< remote files under path_in_repo matching these are deleted in the same commit */
	size_t delete_count;
	int no_hash_cache;              /**< do not read or write the hash cache in <folder>/.cache/huggingface/ */
} hf_upload_options;

#define HF_UPLOAD_OPTIONS_INIT { HF_UPLOAD_OPTIONS_VERSION, HF_REPO_MODEL, NULL, NULL, NULL, 0, NULL, \
		NULL, 0, 0, NULL, NULL, NULL, 0, NULL, 0, NULL, 0, 0 }

/**
 * Reset @p opts to defaults (same as HF_UPLOAD_OPTIONS_INIT).
 * @param version pass HF_UPLOAD_OPTIONS_VERSION.
 * @return HF_OK; HF_EINVAL for a NULL @p opts or an unknown version.
 *         Any thread.
 * @since 0.1
 */
HF_EXTERN(int) hf_upload_options_init(hf_upload_options *opts, unsigned int version);

/**
 * What a commit did; release with hf_commit_info_free(). Allocated by the
 * library; may gain fields at the end (common.h, rule 2).
 * @since 0.1
 */
typedef struct hf_commit_info {
	char *commit_oid;      /**< the new commit (40 hex); with no_op, the revision's head */
	char *commit_url;      /**< `<endpoint>/<prefix><id>/commit/<oid>` as the Hub gave it */
	char *pr_url;          /**< the pull request's page with create_pr, else NULL */
	char *pr_revision;     /**< "refs/pr/N" with create_pr, else NULL */
	int no_op;             /**< 1: every file was already there: no commit was made */
	size_t files_added;    /**< add and copy operations in the commit */
	size_t files_deleted;  /**< delete operations in the commit */
	size_t lfs_sent;       /**< LFS objects sent to the storage */
	size_t lfs_skipped;    /**< LFS objects the storage already held */
	uint64_t bytes_sent;   /**< LFS bytes sent (parts resent after a failure counted once) */
} hf_commit_info;

/** Free a commit info. NULL is a no-op. Any thread. @since 0.1 */
HF_EXTERN(void) hf_commit_info_free(hf_commit_info *info);

/**
 * Make one commit of @p ops on a repository that exists.
 * @param info_out receives what was done (may be NULL); owned by the
 *        caller: free with hf_commit_info_free(). NULL on failure.
 * @param ops, n_ops the operations (1 or more), applied in order; read
 *        during the call only. A later add of the same path wins.
 * @param opts commit_message is required; include/exclude/
 *        delete_patterns are ignored. Read during the call only.
 * @return HF_OK; HF_EINVAL (NULL client, no operations, bad repo id,
 *         revision or path in repo, no commit message, unknown option
 *         version, a file that is not a regular file, create_pr with a
 *         revision that is not a branch); HF_ENOTOKEN; HF_EAUTH;
 *         HF_EFORBIDDEN (read-only token: remedy HF_REMEDY_WRITE_TOKEN;
 *         no right to push: HF_REMEDY_CREATE_PR); HF_ENOTFOUND (the
 *         repository: remedy HF_REMEDY_CREATE_REPO; the revision; a file
 *         to delete or copy); HF_ECONFLICT (parent_commit is not the
 *         head); HF_ECHANGED (a local file changed while it was read or
 *         sent); HF_EINTEGRITY (the storage or the Hub reports another
 *         hash than ours); HF_ENETWORK, HF_ETIMEOUT, HF_ETLS,
 *         HF_ERATELIMIT (also the hourly commit quota), HF_ESERVER
 *         (after retries); HF_EPROTOCOL; HF_EIO (cannot read a file);
 *         HF_EOFFLINE; HF_ENOMEM; HF_ECANCELLED.
 *         When the commit call's answer is lost, the branch head is read:
 *         the call succeeds if the commit is there and fails with
 *         HF_ENETWORK otherwise; a commit is never sent twice blindly.
 * Thread-safety: see the top of this header.
 * @since 0.1
 */
HF_EXTERN(int) hf_commit(hf_commit_info **info_out, hf_client *client, const char *repo_id,
			 const hf_commit_op *ops, size_t n_ops, const hf_upload_options *opts);

/**
 * Upload one local file to @p path_in_repo (NULL: its base name) in one
 * commit. The default message is "Upload <path_in_repo> with
 * huggingface_hub".
 * @return as hf_commit() (commit_message is optional here).
 * @since 0.1
 */
HF_EXTERN(int) hf_upload_file(hf_commit_info **info_out, hf_client *client, const char *repo_id,
			      const char *local_path, const char *path_in_repo,
			      const hf_upload_options *opts);

/**
 * Upload the regular files under @p folder (sorted; `.git/` and
 * `.cache/huggingface/` left out; include/exclude applied; symbolic links
 * followed only when they point inside the folder) to @p path_in_repo
 * (NULL or "": the repository's root) in one commit, deleting the remote
 * files matched by delete_patterns in the same commit. The default
 * message is "Upload folder using huggingface_hub". Hashes are cached in
 * `<folder>/.cache/huggingface/` (unless no_hash_cache), keyed by path,
 * size, modification time and inode, so a rerun does not read unchanged
 * files again.
 * @return as hf_commit(); HF_EINVAL also when @p folder is not a
 *         directory, or create_pr with a revision other than "main".
 * @since 0.1
 */
HF_EXTERN(int) hf_upload_folder(hf_commit_info **info_out, hf_client *client, const char *repo_id,
				const char *folder, const char *path_in_repo,
				const hf_upload_options *opts);

/**
 * Upload a very large folder in many commits, resumably: per-file state
 * lives in `<folder>/.cache/huggingface/upload/` (as the official
 * upload_large_folder keeps it), so after a crash or a cancellation the
 * same call does only what is left. The repository must exist. Reads
 * repo_type, revision, token, max_workers (0: half the CPUs, at least 1),
 * include, exclude, progress; commits are titled "Add files using
 * upload-large-folder tool".
 * @return as hf_upload_folder() (there are no pull requests or deletes
 *         here: create_pr and delete_patterns are refused with HF_EINVAL).
 * @since 0.1
 */
HF_EXTERN(int) hf_upload_large_folder(hf_client *client, const char *repo_id, const char *folder,
				      const hf_upload_options *opts);

HF_END_DECL

#endif

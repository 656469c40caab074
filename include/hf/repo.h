/**
 * @file hf/repo.h
 * @brief Create, delete, move and configure repositories; branches and tags.
 *
 * The write half's management calls (the official client's create_repo,
 * delete_repo, move_repo, update_repo_settings, create_branch,
 * delete_branch, create_tag, delete_tag, list_repo_refs), one HTTP call
 * each against the Hub's API (docs/internals/repos.md). They need a token
 * with write access to the namespace; the token is sent to the Hub's
 * origin only.
 *
 * Errors common to every call of this header: HF_EINVAL (NULL client,
 * bad repo id, name or option, unknown options version, a token that
 * cannot go into an HTTP header); HF_ENOTOKEN (no token: every call here
 * needs one); HF_EAUTH (the Hub refused the token: 401); HF_EFORBIDDEN
 * (the token may not do this: read-only tokens get remedy
 * HF_REMEDY_WRITE_TOKEN); HF_ENOTFOUND (repository, revision, branch or
 * tag); HF_ENETWORK, HF_ETIMEOUT, HF_ETLS, HF_ERATELIMIT, HF_ESERVER;
 * HF_EPROTOCOL (an answer that is not the Hub's); HF_ENOMEM;
 * HF_EOFFLINE (HF_HUB_OFFLINE is set: nothing here works offline).
 * Each call lists its own further codes.
 *
 * Thread-safety: a client is used by one thread at a time (common.h).
 */
#ifndef HF_REPO_H
#define HF_REPO_H

#include "common.h"
#include "client.h"
#include "download.h"

HF_BEGIN_DECL

/** The current version of ::hf_repo_options (its `version` field). @since 0.1 */
#define HF_REPO_OPTIONS_VERSION 1

/** Visibility of a repository (hf_repo_options.visibility). @since 0.1 */
typedef enum hf_visibility {
	HF_VISIBILITY_UNSET = 0,  /**< leave as is (create: the Hub's default, public) */
	HF_VISIBILITY_PUBLIC = 1,
	HF_VISIBILITY_PRIVATE = 2
} hf_visibility;

/**
 * Options of the calls of this header; each call documents which fields
 * it reads and ignores the others. Initialise with HF_REPO_OPTIONS_INIT
 * or hf_repo_options_init(); fields are only ever appended (common.h,
 * rule 1). Strings are read during the call only. NULL is all defaults.
 * @since 0.1
 */
typedef struct hf_repo_options {
	/** HF_REPO_OPTIONS_VERSION: the layout the caller was compiled with. */
	unsigned int version;
	hf_repo_type repo_type;    /**< default HF_REPO_MODEL */
	const char *token;         /**< explicit token for this call (beats every other) */
	int exist_ok;              /**< create calls: an existing one is success, not HF_EEXISTS */
	int missing_ok;            /**< delete calls: a missing one is success, not HF_ENOTFOUND */
	hf_visibility visibility;  /**< hf_repo_create(), hf_repo_update_settings() */
	const char *space_sdk;     /**< hf_repo_create() of a Space: "gradio" (default), "docker", "static" */
	const char *gated;         /**< hf_repo_update_settings(): "auto", "manual", "false"; NULL: leave */
	const char *revision;      /**< branch/tag start point; NULL: the default branch */
	const char *message;       /**< hf_tag_create(): the tag's message; NULL: none */
} hf_repo_options;

#define HF_REPO_OPTIONS_INIT { HF_REPO_OPTIONS_VERSION, HF_REPO_MODEL, NULL, 0, 0, \
		HF_VISIBILITY_UNSET, NULL, NULL, NULL, NULL }

/**
 * Reset @p opts to defaults (same as HF_REPO_OPTIONS_INIT).
 * @param version pass HF_REPO_OPTIONS_VERSION.
 * @return HF_OK; HF_EINVAL for a NULL @p opts or an unknown version.
 *         Any thread.
 * @since 0.1
 */
HF_EXTERN(int) hf_repo_options_init(hf_repo_options *opts, unsigned int version);

/**
 * Create a repository (`POST /api/repos/create`). Reads repo_type, token,
 * exist_ok, visibility, space_sdk. A new repository has one commit, with
 * the Hub's default `.gitattributes`.
 * @param url_out receives the repository's URL (`<endpoint>/<prefix><id>`);
 *        may be NULL. Owned by the caller: free with hf_free().
 * @return the common errors; HF_EEXISTS (it exists and exist_ok is 0).
 *         With exist_ok, a refusal to create (401/403) is forgiven when the
 *         repository exists and the token can read it, as the official
 *         client does.
 * @since 0.1
 */
HF_EXTERN(int) hf_repo_create(char **url_out, hf_client *client, const char *repo_id,
			      const hf_repo_options *opts);

/**
 * Delete a repository and all its files (`DELETE /api/repos/delete`).
 * Reads repo_type, token, missing_ok. Irreversible: a program asks its
 * user first.
 * @return the common errors (HF_ENOTFOUND unless missing_ok).
 * @since 0.1
 */
HF_EXTERN(int) hf_repo_delete(hf_client *client, const char *repo_id, const hf_repo_options *opts);

/**
 * Rename or transfer a repository (`POST /api/repos/move`). Reads
 * repo_type, token.
 * @return the common errors; HF_EEXISTS (the target exists).
 * @since 0.1
 */
HF_EXTERN(int) hf_repo_move(hf_client *client, const char *from_id, const char *to_id,
			    const hf_repo_options *opts);

/**
 * Change visibility and gating (`PUT /api/{type}s/{id}/settings`). Reads
 * repo_type, token, visibility, gated; at least one of the last two must
 * be set (else HF_EINVAL).
 * @return the common errors.
 * @since 0.1
 */
HF_EXTERN(int) hf_repo_update_settings(hf_client *client, const char *repo_id,
				       const hf_repo_options *opts);

/**
 * Create a branch (`POST /api/{type}s/{id}/branch/{branch}`) at
 * `revision` (NULL: the head of the default branch). Reads repo_type,
 * token, exist_ok, revision.
 * @return the common errors; HF_EEXISTS (the branch exists and exist_ok
 *         is 0); HF_EINVAL also for a name the Hub cannot take as a branch
 *         ("refs/pr/1").
 * @since 0.1
 */
HF_EXTERN(int) hf_branch_create(hf_client *client, const char *repo_id, const char *branch,
				const hf_repo_options *opts);

/**
 * Delete a branch (`DELETE /api/{type}s/{id}/branch/{branch}`). Reads
 * repo_type, token, missing_ok.
 * @return the common errors.
 * @since 0.1
 */
HF_EXTERN(int) hf_branch_delete(hf_client *client, const char *repo_id, const char *branch,
				const hf_repo_options *opts);

/**
 * Tag a revision (`POST /api/{type}s/{id}/tag/{revision}`; NULL revision:
 * the default branch). Reads repo_type, token, exist_ok, revision,
 * message.
 * @return the common errors; HF_EEXISTS (the tag exists and exist_ok is 0).
 * @since 0.1
 */
HF_EXTERN(int) hf_tag_create(hf_client *client, const char *repo_id, const char *tag,
			     const hf_repo_options *opts);

/**
 * Delete a tag (`DELETE /api/{type}s/{id}/tag/{tag}`). Reads repo_type,
 * token, missing_ok.
 * @return the common errors.
 * @since 0.1
 */
HF_EXTERN(int) hf_tag_delete(hf_client *client, const char *repo_id, const char *tag,
			     const hf_repo_options *opts);

/** One branch, tag or pull request ref; an array element of ::hf_refs (fixed layout, common.h rule 3). @since 0.1 */
typedef struct hf_ref {
	char *name;     /**< "main", "v1.0", "refs/pr/3" */
	char *ref;      /**< "refs/heads/main", "refs/tags/v1.0", "refs/pr/3" */
	char *commit;   /**< target commit, 40 hex */
} hf_ref;

/** The refs of a repository (hf_refs_list()); release with hf_refs_free(). Rule 2. @since 0.1 */
typedef struct hf_refs {
	hf_ref *branches;
	size_t n_branches;
	hf_ref *tags;
	size_t n_tags;
	hf_ref *pull_requests;  /**< only when asked for (include_prs) */
	size_t n_pull_requests;
} hf_refs;

/**
 * List branches and tags (`GET /api/{type}s/{id}/refs`, `?include_prs=1`
 * when @p include_prs). Reads repo_type, token (optional here: public
 * repositories can be listed without one).
 * @param out receives the refs, owned by the caller: free with
 *        hf_refs_free(). NULL on failure.
 * @return the common errors (HF_ENOTOKEN aside).
 * @since 0.1
 */
HF_EXTERN(int) hf_refs_list(hf_refs **out, hf_client *client, const char *repo_id, int include_prs,
			    const hf_repo_options *opts);
/** Free refs. NULL is a no-op. Any thread. @since 0.1 */
HF_EXTERN(void) hf_refs_free(hf_refs *refs);

HF_END_DECL

#endif

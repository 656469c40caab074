/**
 * @file hf/auth.h
 * @brief Tokens: where they come from, whom they belong to, and the files
 * and git credentials they are kept in.
 *
 * These functions use the client's configuration (paths and endpoint,
 * read once at hf_client_new()); the token variables (HF_TOKEN...) and the
 * token file are read again at each call, so a new login is seen at once.
 * Thread-safety: a client is used by one thread at a time; functions that
 * take no client may be called from any thread.
 * Tokens returned to the caller are heap strings: release them with
 * hf_free_secret(), which wipes them first. A token never appears in an
 * error message.
 */
#ifndef HF_AUTH_H
#define HF_AUTH_H

#include "common.h"
#include "client.h"

HF_BEGIN_DECL

/** Where a token came from, in priority order. @since 0.1 */
typedef enum hf_token_source {
	HF_TOKEN_SOURCE_NONE = 0,
	HF_TOKEN_SOURCE_EXPLICIT,      /**< argument, --token, or hf_client_options.token */
	HF_TOKEN_SOURCE_HF_TOKEN,      /**< $HF_TOKEN */
	HF_TOKEN_SOURCE_HUGGING_FACE_HUB_TOKEN, /**< $HUGGING_FACE_HUB_TOKEN (legacy) */
	HF_TOKEN_SOURCE_HUGGINGFACE_TOKEN,      /**< $HUGGINGFACE_TOKEN (deprecated) */
	HF_TOKEN_SOURCE_FILE           /**< the token file (HF_TOKEN_PATH) */
} hf_token_source;

/**
 * Short name of a source: "explicit", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN",
 * "HUGGINGFACE_TOKEN", "token file" or "none". Static storage; any thread.
 * @since 0.1
 */
HF_EXTERN(const char *) hf_token_source_name(hf_token_source source);

/**
 * Resolve the token to use: @p explicit_token (if not NULL or empty) >
 * the client's explicit token > HF_TOKEN > HUGGING_FACE_HUB_TOKEN >
 * HUGGINGFACE_TOKEN > the token file > none. Values are cleaned: every CR
 * and LF removed, surrounding white space stripped; an empty result counts
 * as unset. HF_HUB_DISABLE_IMPLICIT_TOKEN is not applied here (this says
 * what would be used if asked).
 * @param token_out receives the token, or NULL when none is found (and on
 *        failure); the caller owns it: free with hf_free_secret().
 * @param source_out receives the source (HF_TOKEN_SOURCE_NONE when none is
 *        found); may be NULL.
 * @param explicit_token read during the call only; may be NULL.
 * @return HF_OK (also when no token is found); HF_EINVAL (NULL client or
 *         @p token_out, a token file holding a NUL byte, or a winning token
 *         with control bytes that cannot go into an HTTP header); HF_EIO
 *         when the token file exists but cannot be read; HF_ENOMEM.
 * Thread-safety: one thread at a time per client.
 * @since 0.1
 */
HF_EXTERN(int) hf_token_resolve(char **token_out, hf_token_source *source_out,
				hf_client *client, const char *explicit_token);

/**
 * One place a token can come from, as hf_token_candidates() reports it.
 * An array element: its layout is fixed (common.h, rule 3). @since 0.1
 */
typedef struct hf_token_candidate {
	hf_token_source source;
	const char *where;  /**< variable name, or the token file's path; static or client-owned */
	int is_set;         /**< the variable is set and not empty / the file exists */
	char *token;        /**< cleaned value, or NULL when unset or blank */
	int active;         /**< 1 for the source hf_token_resolve() picks */
	int error;          /**< errno when the file exists but cannot be read, else 0 */
} hf_token_candidate;

/**
 * Every token source in priority order (explicit, HF_TOKEN,
 * HUGGING_FACE_HUB_TOKEN, HUGGINGFACE_TOKEN, token file), with the one
 * hf_token_resolve() would pick marked active. For diagnostics
 * (`hf auth status`): show tokens only through hf_token_mask().
 * @param out receives an array of *@p count entries (NULL on failure); the
 *        caller owns it and the tokens in it: free with
 *        hf_token_candidates_free(*out, *count).
 * @param count receives the number of entries (0 on failure).
 * @param explicit_token read during the call only; may be NULL.
 * @return HF_OK (also when no source is set); HF_EINVAL (NULL client,
 *         @p out or @p count); HF_ENOMEM. An unreadable token file is not
 *         an error: its entry has `error` set.
 * Thread-safety: one thread at a time per client.
 * @since 0.1
 */
HF_EXTERN(int) hf_token_candidates(hf_token_candidate **out, size_t *count, hf_client *client,
				   const char *explicit_token);
/**
 * Free the result of hf_token_candidates(), wiping the tokens. NULL is a
 * no-op. Thread-safety: any thread. @since 0.1
 */
HF_EXTERN(void) hf_token_candidates_free(hf_token_candidate *list, size_t count);

/**
 * Mask a token for display: the first 3 and last 4 characters around
 * "****" ("hf_****wxyz"); short tokens become "****".
 * @return a heap string (hf_free()), or NULL for a NULL token or no memory.
 * Thread-safety: any thread (no client).
 * @since 0.1
 */
HF_EXTERN(char *) hf_token_mask(const char *token);

/**
 * Role of a token as the Hub reports it. Allocated by the library, owned
 * by the caller with every string in it: release with hf_whoami_free().
 * May gain fields at the end (common.h, rule 2). @since 0.1
 */
typedef struct hf_whoami {
	char *type;        /**< "user" or "org" */
	char *name;        /**< user name */
	char *fullname;    /**< or NULL */
	char *email;       /**< or NULL */
	hf_strlist orgs;   /**< organisation names */
	char *token_role;  /**< "read", "write", "fineGrained", or NULL */
	char *token_name;  /**< the token's display name, or NULL (OAuth) */
	int can_read_gated; /**< fine-grained: may read gated repos; -1 unknown */
} hf_whoami;

/**
 * Ask the Hub who owns a token (GET /api/whoami-v2).
 * @param out receives the result, owned by the caller: free with
 *        hf_whoami_free(). Set only on HF_OK, NULL otherwise.
 * @param token the token to check (read during the call only); NULL
 *        resolves one as hf_token_resolve().
 * @return HF_OK; HF_EINVAL (NULL client or @p out, or a token that cannot
 *         go into an HTTP header); HF_EIO (the token file cannot be read);
 *         HF_ENOTOKEN when no token is found (HF_HUB_DISABLE_IMPLICIT_TOKEN
 *         does not apply: asking who owns a token is explicit); HF_EAUTH
 *         for an invalid token (the hint names its source); HF_EFORBIDDEN
 *         (403); HF_ENOTFOUND (404: not a Hub endpoint); HF_EOFFLINE in
 *         offline mode; HF_ENETWORK, HF_ETIMEOUT, HF_ETLS, HF_ERATELIMIT,
 *         HF_ESERVER, HF_EPROTOCOL; HF_ENOMEM.
 * Thread-safety: one thread at a time per client.
 * @since 0.1
 */
HF_EXTERN(int) hf_whoami_get(hf_whoami **out, hf_client *client, const char *token);
/** Free a result of hf_whoami_get(). NULL is a no-op. Thread-safety: any thread. @since 0.1 */
HF_EXTERN(void) hf_whoami_free(hf_whoami *who);

/**
 * One section of the stored_tokens file; owned by its ::hf_stored_tokens.
 * An array element: its layout is fixed (common.h, rule 3). @since 0.1
 */
typedef struct hf_stored_token {
	char *name;
	char *token;
	char *refresh_token; /**< OAuth only, else NULL */
	long long expires_at; /**< unix seconds, OAuth only, else 0 */
} hf_stored_token;

/**
 * The stored_tokens file (hf_stored_tokens_load()). Allocated by the
 * library; may gain fields at the end (common.h, rule 2). @since 0.1
 */
typedef struct hf_stored_tokens {
	hf_stored_token *items; /**< sorted by name */
	size_t count;
} hf_stored_tokens;

/**
 * Read the stored_tokens file (beside the token file). A missing file is
 * an empty list. A file that does not parse is an empty list too, and
 * hf_client_error() then carries a warning message with code HF_EPROTOCOL
 * while the call returns HF_OK, as the official client does.
 * @param out receives the list (NULL on failure), owned by the caller with
 *        the tokens in it: free with hf_stored_tokens_free().
 * @return HF_OK; HF_EINVAL (NULL client or @p out); HF_EIO (the file
 *         exists but cannot be read); HF_ENOMEM.
 * Thread-safety: one thread at a time per client.
 * @since 0.1
 */
HF_EXTERN(int) hf_stored_tokens_load(hf_stored_tokens **out, hf_client *client);
/** Free a list, wiping the tokens. NULL is a no-op. Thread-safety: any thread. @since 0.1 */
HF_EXTERN(void) hf_stored_tokens_free(hf_stored_tokens *list);

/**
 * Save @p token under @p name in stored_tokens (replacing a section of
 * that name) and make it the active token by writing the token file. Both
 * files are written atomically with mode 0600, never through a symbolic
 * link; a directory created for them is made 0700.
 * @return HF_OK, HF_EINVAL (empty name, control bytes), HF_EIO.
 * @since 0.1
 */
HF_EXTERN(int) hf_token_save(hf_client *client, const char *name, const char *token);

/**
 * Make the stored token @p name the active one (rewrite the token file).
 * No network request is made.
 * @return HF_OK, HF_ENOTFOUND when no such name is stored, HF_EIO.
 * @since 0.1
 */
HF_EXTERN(int) hf_token_switch(hf_client *client, const char *name);

/** The current version of ::hf_logout_result (its `version` field). @since 0.1 */
#define HF_LOGOUT_RESULT_VERSION 1

/**
 * What hf_token_logout() did. Allocated by the caller (common.h, rule 1):
 * initialise with HF_LOGOUT_RESULT_INIT or hf_logout_result_init() before
 * the call; fields are only ever appended.
 * @since 0.1
 */
typedef struct hf_logout_result {
	/** HF_LOGOUT_RESULT_VERSION: the layout the caller was compiled with. */
	unsigned int version;
	int had_tokens;     /**< a token file or stored token existed */
	int removed_active; /**< the token file was removed */
	int found_name;     /**< the named section existed */
} hf_logout_result;

#define HF_LOGOUT_RESULT_INIT { HF_LOGOUT_RESULT_VERSION, 0, 0, 0 }

/**
 * Reset @p result to HF_LOGOUT_RESULT_INIT.
 * @param version pass HF_LOGOUT_RESULT_VERSION.
 * @return HF_OK; HF_EINVAL for a NULL @p result or an unknown version.
 * Thread-safety: any thread.
 * @since 0.1
 */
HF_EXTERN(int) hf_logout_result_init(hf_logout_result *result, unsigned int version);

/**
 * Log out: with @p name NULL, remove the token file and stored_tokens;
 * otherwise remove that section, and the token file too if it held that
 * token. Does not touch git credentials (see hf_git_credential_reject()).
 * @param out may be NULL; else its `version` must be set
 *        (HF_LOGOUT_RESULT_INIT). Filled on every return but HF_EINVAL;
 *        after a failure it says what was done before it.
 * @param name the stored token's name (read during the call only), or NULL.
 * @return HF_OK; HF_EINVAL (NULL client, or @p out with an unknown
 *         version: nothing is removed); HF_EIO (a file cannot be read,
 *         written or removed); HF_ENOMEM.
 * Thread-safety: one thread at a time per client.
 * @since 0.1
 */
HF_EXTERN(int) hf_token_logout(hf_logout_result *out, hf_client *client, const char *name);

/**
 * The git credential helpers configured for the current user
 * (`git config --list`, keys credential.helper), sorted, de-duplicated.
 * An empty list when git is missing or none is set.
 * @param out a list the caller provides; it is overwritten (not freed:
 *        pass an empty one) and filled with strings the caller owns:
 *        release them with hf_strlist_dispose(). Empty on failure.
 * @return HF_OK (git missing counts as no helper); HF_EINVAL (NULL client
 *         or @p out); HF_ENOMEM.
 * Runs git as a child process.
 * Thread-safety: one thread at a time per client.
 * @since 0.1
 */
HF_EXTERN(int) hf_git_credential_helpers(hf_strlist *out, hf_client *client);

/**
 * Store @p token for the endpoint with `git credential approve`
 * (url=<endpoint>, username=hf_user). The token goes to git on its
 * standard input only. A token or endpoint holding CR, LF, NUL or another
 * control byte is refused before git runs.
 * @return HF_OK, HF_EINVAL, HF_EGIT (git missing or failed).
 * @since 0.1
 */
HF_EXTERN(int) hf_git_credential_approve(hf_client *client, const char *token);

/**
 * Erase the endpoint's credential with `git credential reject`.
 * @return HF_OK, HF_EINVAL, HF_EGIT.
 * @since 0.1
 */
HF_EXTERN(int) hf_git_credential_reject(hf_client *client);

HF_END_DECL

#endif

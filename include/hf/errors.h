/**
 * @file hf/errors.h
 * @brief Error codes and the detailed error record kept on a client.
 *
 * Every fallible libhf call returns an ::hf_code: HF_OK (0) on success, a
 * negative code otherwise. Details (one-line message, hint, HTTP status)
 * are kept on the client and read with hf_client_error().
 *
 * Thread-safety: the functions of this header use static tables only and
 * may be called from any thread.
 */
#ifndef HF_ERRORS_H
#define HF_ERRORS_H

#include "common.h"

HF_BEGIN_DECL

/*
 * X-macro: name, value, static description, CLI exit code.
 * Values and exit codes are API: never renumber, only append.
 */
#define HF_ERROR_MAP(XX) \
	XX(HF_OK, 0, "success", 0) \
	XX(HF_ERROR, -1, "generic error", 1) \
	XX(HF_ENOMEM, -2, "out of memory", 1) \
	XX(HF_EINVAL, -3, "invalid argument", 2) \
	XX(HF_EPROTOCOL, -4, "unexpected reply from the server", 1) \
	XX(HF_EAUTH, -5, "authentication failed", 3) \
	XX(HF_ENOTOKEN, -6, "not logged in", 3) \
	XX(HF_EFORBIDDEN, -7, "access denied", 4) \
	XX(HF_EGATED, -8, "gated repository", 4) \
	XX(HF_ENOTFOUND, -9, "not found", 5) \
	XX(HF_ENETWORK, -10, "network error", 6) \
	XX(HF_ETIMEOUT, -11, "timed out", 6) \
	XX(HF_ETLS, -12, "TLS error", 6) \
	XX(HF_ERATELIMIT, -13, "rate limited", 7) \
	XX(HF_ESERVER, -14, "server error", 7) \
	XX(HF_EINTEGRITY, -15, "integrity check failed", 8) \
	XX(HF_EIO, -16, "input/output error", 9) \
	XX(HF_ENOSPC, -17, "no space left on device", 9) \
	XX(HF_ELOCKED, -18, "lock held by another process", 10) \
	XX(HF_EOFFLINE, -19, "offline mode is enabled", 11) \
	XX(HF_ECANCELLED, -20, "cancelled", 130) \
	XX(HF_EGIT, -21, "git credential helper failed", 1) \
	XX(HF_EEXISTS, -22, "already exists", 12) \
	XX(HF_ECONFLICT, -23, "conflicting change on the Hub", 12) \
	XX(HF_ECHANGED, -24, "local file changed during the upload", 13)

/**
 * Result of every fallible libhf call. The functions are declared
 * returning int; compare with these names. @since 0.1
 */
typedef enum hf_code {
#define HF__ENUM(name, value, desc, exit) name = value,
	HF_ERROR_MAP(HF__ENUM)
#undef HF__ENUM
} hf_code;

/** Static description of @p code ("not found"). Never NULL. @since 0.1 */
HF_EXTERN(const char *) hf_strerror(int code);
/** Static symbolic name of @p code ("HF_ENOTFOUND"). Never NULL. @since 0.1 */
HF_EXTERN(const char *) hf_error_name(int code);
/**
 * The documented exit code of the `hf` command for @p code
 * (docs/EXIT-CODES.md). Unknown codes map to 1. @since 0.1
 */
HF_EXTERN(int) hf_exit_code(int code);

/**
 * What the user can do about a failure: the library's hints say it in
 * words without naming any program's commands, so that a program can put
 * its own (the `hf` command prints its `hf auth login` and so on).
 * Values are API: only appended. @since 0.1
 */
typedef enum hf_remedy {
	HF_REMEDY_NONE = 0,       /**< nothing in particular, or see the hint */
	HF_REMEDY_LOGIN,          /**< no token was sent: log in (or set HF_TOKEN) */
	HF_REMEDY_NEW_TOKEN,      /**< the saved token is bad: log in again with a new one */
	HF_REMEDY_FIX_ENV_TOKEN,  /**< the token of an environment variable is bad: change or unset it */
	HF_REMEDY_REQUEST_ACCESS, /**< gated: request access on the repository's page */
	HF_REMEDY_AWAIT_APPROVAL, /**< gated: access was requested and is not granted yet */
	HF_REMEDY_RETRY_LATER,    /**< the Hub is busy or failing: try again later */
	HF_REMEDY_GO_ONLINE,      /**< offline mode and not in the cache: run once online */
	HF_REMEDY_FREE_SPACE,     /**< the disk is full: free space (e.g. clean the cache) */
	HF_REMEDY_RESUME,         /**< interrupted: the same call again resumes it */
	HF_REMEDY_LIST_CACHE,     /**< not in the cache: list what is cached */
	HF_REMEDY_DOWNLOAD_FIRST, /**< not in the cache: download it first */
	HF_REMEDY_LIST_TOKENS,    /**< no such stored token: list the stored tokens */
	HF_REMEDY_WRITE_TOKEN,    /**< the token is read-only: make a write token (settings/tokens) @since 0.1 */
	HF_REMEDY_CREATE_PR,      /**< no right to push to the branch: open a pull request instead @since 0.1 */
	HF_REMEDY_CREATE_REPO     /**< the repository does not exist: create it first @since 0.1 */
} hf_remedy;

/**
 * Details of the last failed call on a client (hf_client_error()). Owned
 * by the client, valid until the next call on that client or
 * hf_client_free(): copy what must outlive it. Never contains a token.
 * Allocated by the library: fields are only ever appended (common.h,
 * rule 2).
 * @since 0.1
 */
typedef struct hf_error {
	int code;            /**< the ::hf_code returned */
	long http_status;    /**< HTTP status when the Hub answered, else 0 */
	int os_errno;        /**< errno for file system failures, else 0 */
	const char *message; /**< one line, lower case, never NULL */
	const char *hint;    /**< what to do about it, or NULL */
	const char *url;     /**< the URL involved, or NULL */
	const char *request_id; /**< the Hub's request id, or NULL */
	int remedy;          /**< an ::hf_remedy @since 0.1 */
	const char *hub_code; /**< the Hub's X-Error-Code ("GatedRepo"...), or NULL @since 0.1 */
} hf_error;

HF_END_DECL

#endif

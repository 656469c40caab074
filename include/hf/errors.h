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
	XX(HF_EGIT, -21, "git credential helper failed", 1)

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
} hf_error;

HF_END_DECL

#endif

/**
 * @file hf/common.h
 * @brief Export macros and memory helpers shared by every libhf header.
 *
 * Conventions of the whole API (see also docs/api.md):
 * - Ownership: memory the library hands out through an out parameter
 *   belongs to the caller and has one matching release function, named in
 *   the function's comment (hf_free(), hf_free_secret(), hf_..._free(),
 *   hf_strlist_dispose()). Strings passed in are only read during the call
 *   unless the comment says they are copied.
 * - Errors: fallible calls return an ::hf_code (errors.h): HF_OK (0) or a
 *   negative code; HF_EINVAL for a NULL handle or out pointer. Details of
 *   the last failure are kept on the client: hf_client_error().
 * - Threads: a client is used by one thread at a time; separate clients
 *   may be used at once from separate threads. Functions that take no
 *   client (this header, errors.h, hf_token_mask(), hf_dotenv_read(), the
 *   *_free functions of objects the caller owns) may be called from any
 *   thread.
 * - Versions: "@since X.Y" is the first libhf release with the symbol.
 *   Option structs carry a version field and only ever grow at the end.
 */
#ifndef HF_COMMON_H
#define HF_COMMON_H

#include <stddef.h>

/* HF_BEGIN_DECL / HF_END_DECL: C linkage for C++ includers. */
#ifdef __cplusplus
# define HF_BEGIN_DECL extern "C" {
# define HF_END_DECL }
#else
# define HF_BEGIN_DECL
# define HF_END_DECL
#endif

/* HF_EXTERN(type): a public function; exported from libhf.so, whose other
 * symbols are hidden. */
#if defined(__GNUC__) && defined(HF_BUILDING_LIBRARY)
# define HF_EXTERN(type) __attribute__((visibility("default"))) type
#else
# define HF_EXTERN(type) extern type
#endif

HF_BEGIN_DECL

/**
 * Free memory that libhf allocated and handed to the caller (strings
 * returned through `char **out` parameters). NULL is a no-op.
 * Use it instead of free() so that the caller never mixes allocators.
 * Thread-safety: any thread.
 * @since 0.1
 */
HF_EXTERN(void) hf_free(void *ptr);

/**
 * Overwrite then free a string that held a secret (a token). NULL is a no-op.
 * Use it for every token the library returns (hf_token_resolve()...).
 * Thread-safety: any thread.
 * @since 0.1
 */
HF_EXTERN(void) hf_free_secret(char *secret);

/**
 * A list of strings owned by the list. Release with hf_strlist_dispose().
 * The struct itself is the caller's (often embedded in a result struct,
 * then released with that result).
 * @since 0.1
 */
typedef struct hf_strlist {
	char **items;
	size_t count;
} hf_strlist;

/**
 * Free the strings of @p list and reset it to empty (the struct itself is
 * not freed). NULL is a no-op. @since 0.1
 */
HF_EXTERN(void) hf_strlist_dispose(hf_strlist *list);

/**
 * The version of the libhf actually loaded, e.g. "0.1.0" (HF_VERSION in
 * hf/version.h is the one compiled against). Static storage; any thread.
 * @since 0.1
 */
HF_EXTERN(const char *) hf_version(void);

HF_END_DECL

#endif

/**
 * @file hf/common.h
 * @brief Export macros and memory helpers shared by every libhf header.
 *
 * Conventions of the whole API (see also docs/api.md):
 * - Argument order: out parameters first, then the client, then the
 *   inputs, then the options struct; an error-message buffer (errbuf,
 *   errlen), where a call has one, comes last:
 *   `int hf_thing_get(hf_thing **out, hf_client *client, const char *id,
 *   const hf_thing_options *opts)`. A call with several outputs takes
 *   them first, in the order the comment lists them.
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
 *   client (this header, errors.h, hf_token_mask(), hf_dotenv_read(),
 *   hf_repo_type_name(), hf_repo_type_parse(), the hf_..._init functions,
 *   the *_free functions of objects the caller owns) may be called from
 *   any thread.
 * - Versions: "@since X.Y" is the first libhf release with the symbol.
 * - How public structs may change, one rule per kind:
 *   1. Structs the caller allocates and the library reads or fills
 *      (options: hf_..._options; result records: hf_logout_result,
 *      hf_cache_delete_result) start with `unsigned int version`, come
 *      with a HF_..._VERSION number, a HF_..._INIT initialiser and an
 *      hf_..._init(ptr, version) function, and only ever grow at the end.
 *      The library touches only the fields of the version the caller set
 *      and refuses a version it does not know (HF_EINVAL).
 *   2. Structs the library allocates and the caller reaches through a
 *      pointer and only reads (results freed with their hf_..._free(),
 *      hf_config, hf_error, hf_progress) carry no version and may gain
 *      fields at the end in any release: never allocate, copy by value or
 *      take the sizeof of one.
 *   3. Array elements and plain containers (hf_strlist, hf_token_candidate,
 *      hf_stored_token, hf_plan_file, hf_verify_issue, hf_cached_repo,
 *      hf_cached_revision, hf_cached_file): the caller's indexing depends
 *      on their size, so their layout is fixed from 1.0 for as long as the
 *      soname (libhf.so.1) lasts. New per-element data comes as a new
 *      array at the end of the parent (rule 2) or as an accessor function.
 *   Enums only gain values at the end: a switch over one needs a default.
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
 * then released with that result). A plain container: its layout is fixed
 * (rule 3 above).
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

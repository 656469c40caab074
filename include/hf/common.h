/**
 * @file hf/common.h
 * @brief Export macros and memory helpers shared by every libhf header.
 */
#ifndef HF_COMMON_H
#define HF_COMMON_H

#include <stddef.h>

#ifdef __cplusplus
# define HF_BEGIN_DECL extern "C" {
# define HF_END_DECL }
#else
# define HF_BEGIN_DECL
# define HF_END_DECL
#endif

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
 * @since 0.1
 */
HF_EXTERN(void) hf_free(void *ptr);

/**
 * Overwrite then free a string that held a secret (a token). NULL is a no-op.
 * @since 0.1
 */
HF_EXTERN(void) hf_free_secret(char *secret);

/**
 * A list of strings owned by the list. Release with hf_strlist_dispose().
 * @since 0.1
 */
typedef struct hf_strlist {
	char **items;
	size_t count;
} hf_strlist;

/** Free the strings of @p list and reset it to empty. @since 0.1 */
HF_EXTERN(void) hf_strlist_dispose(hf_strlist *list);

/** The library's version string, e.g. "0.1.0". Static storage. @since 0.1 */
HF_EXTERN(const char *) hf_version(void);

HF_END_DECL

#endif

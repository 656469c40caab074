/* Small helpers shared by the library: strings, wiping secrets. */
#ifndef HF_UTIL_H
#define HF_UTIL_H

#include <stddef.h>

/* strdup that accepts NULL (returns NULL). */
char *hf__strdup(const char *s);
char *hf__strndup(const char *s, size_t n);
/* Overwrite memory so that the compiler cannot drop it. */
void hf__wipe(void *p, size_t n);
/* 1 when s starts with prefix. */
int hf__starts_with(const char *s, const char *prefix);

struct hf_strlist;
/* Append a copy of s to a list (hf_strlist_dispose frees it). 0 or -1. */
int hf__strlist_push(struct hf_strlist *list, const char *s);

#endif

/* Small helpers shared by the library: strings, wiping secrets. */
#ifndef HF_UTIL_H
#define HF_UTIL_H

#include <stddef.h>

/* strdup that accepts NULL (returns NULL). */
char *hf__strdup(const char *s);
char *hf__strndup(const char *s, size_t n);
/* a then b in a new string; NULL when out of memory. */
char *hf__strcat2(const char *a, const char *b);
/* Overwrite memory so that the compiler cannot drop it. */
void hf__wipe(void *p, size_t n);
/* 1 when s starts with prefix. */
int hf__starts_with(const char *s, const char *prefix);

/*
 * Make text from a server printable on one line of a terminal, in place:
 * tab, CR, LF, VT and FF become a space; any other C0 control, DEL, a C1
 * control (U+0080..U+009F) and a byte that is not part of well-formed
 * UTF-8 become '?'. The result is valid UTF-8 with no control character,
 * so no escape sequence from a server reaches the user's terminal.
 * Returns s (NULL stays NULL).
 */
char *hf__one_line(char *s);

/*
 * Define the public fn(type *p, unsigned int version) that fills *p with
 * init: the one shape of every options and result _init function
 * (HF_EINVAL for a NULL p or a version this library does not know).
 */
#define HF__DEFINE_INIT(fn, type, init, version_macro) \
	int fn(type *p, unsigned int version) \
	{ \
		type def = init; \
 \
		if (!p || version != (version_macro)) \
			return HF_EINVAL; \
		*p = def; \
		return HF_OK; \
	}

struct hf_strlist;
/* Append a copy of s to a list (hf_strlist_dispose frees it). 0 or -1. */
int hf__strlist_push(struct hf_strlist *list, const char *s);

#endif

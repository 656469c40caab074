#include "hf/common.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/*
 * Both copies go through malloc() rather than libc's strdup() so that the
 * unit tests can inject allocation failures with --wrap=malloc.
 */
char *hf__strdup(const char *s)
{
	if (!s)
		return NULL;
	return hf__strndup(s, strlen(s));
}

char *hf__strcat2(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *p = malloc(la + lb + 1);

	if (!p)
		return NULL;
	memcpy(p, a, la);
	memcpy(p + la, b, lb + 1);
	return p;
}

char *hf__strndup(const char *s, size_t n)
{
	char *p;

	if (!s)
		return NULL;
	n = strnlen(s, n);
	p = malloc(n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void hf__wipe(void *p, size_t n)
{
	if (p && n)
		explicit_bzero(p, n);
}

int hf__starts_with(const char *s, const char *prefix)
{
	if (!s || !prefix)
		return 0;
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Length of the well-formed UTF-8 sequence at s (2 to 4), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	/* No overlong forms, no surrogates, nothing past U+10FFFF. */
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

char *hf__one_line(char *s)
{
	unsigned char *r, *w;

	if (!s)
		return NULL;
	for (r = w = (unsigned char *)s; *r;) {
		size_t n;

		if (*r == '\t' || *r == '\n' || *r == '\r' || *r == '\v' || *r == '\f') {
			*w++ = ' ';
			r++;
		} else if (*r < 0x20 || *r == 0x7f) {
			*w++ = '?';
			r++;
		} else if (*r < 0x80) {
			*w++ = *r++;
		} else if ((n = utf8_len(r)) == 0 || (r[0] == 0xc2 && r[1] <= 0x9f)) {
			/* Not UTF-8, or a C1 control: one '?' for the byte or the sequence. */
			*w++ = '?';
			r += n ? n : 1;
		} else {
			memmove(w, r, n);
			w += n;
			r += n;
		}
	}
	*w = '\0';
	return s;
}

int hf__strlist_push(hf_strlist *list, const char *s)
{
	char **items = realloc(list->items, (list->count + 1) * sizeof(char *));
	char *copy;

	if (!items)
		return -1;
	list->items = items;
	copy = hf__strdup(s);
	if (!copy)
		return -1;
	list->items[list->count++] = copy;
	return 0;
}

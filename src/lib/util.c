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

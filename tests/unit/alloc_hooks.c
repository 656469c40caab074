#include "alloc_hooks.h"

#include <malloc.h>
#include <string.h>

void *__real_calloc(size_t nmemb, size_t size);
void *__real_realloc(void *ptr, size_t size);

long alloc_fail_at = -1;
int alloc_failed;
const char *alloc_watch;
int alloc_watch_hits;

static int inject(void)
{
	if (alloc_fail_at < 0)
		return 0;
	if (alloc_fail_at-- > 0)
		return 0;
	alloc_failed = 1;
	return 1;
}

void *__wrap_malloc(size_t size)
{
	return inject() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t nmemb, size_t size)
{
	return inject() ? NULL : __real_calloc(nmemb, size);
}

void *__wrap_realloc(void *ptr, size_t size)
{
	return inject() ? NULL : __real_realloc(ptr, size);
}

void __wrap_free(void *ptr)
{
	/* Blocks hold C strings: look up to the first NUL. */
	if (ptr && alloc_watch) {
		size_t n = strnlen(ptr, malloc_usable_size(ptr));

		if (memmem(ptr, n, alloc_watch, strlen(alloc_watch)))
			alloc_watch_hits++;
	}
	__real_free(ptr);
}

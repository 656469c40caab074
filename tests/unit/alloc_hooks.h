/*
 * Allocation-failure injection for unit tests linked with
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free (see
 * tests/CMakeLists.txt). Set alloc_fail_at to N to fail the N-th next
 * allocation (0: the next one); alloc_failed tells whether one was failed.
 * With alloc_watch set, every block handed to free() is searched for that
 * secret, and alloc_watch_hits counts the blocks that still held it.
 */
#ifndef HF_TEST_ALLOC_HOOKS_H
#define HF_TEST_ALLOC_HOOKS_H

#include <stddef.h>

extern long alloc_fail_at;
extern int alloc_failed;
extern const char *alloc_watch;
extern int alloc_watch_hits;

/* The real allocator, for a test's own copies that must not be counted. */
void *__real_malloc(size_t size);
void __real_free(void *ptr);

void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t nmemb, size_t size);
void *__wrap_realloc(void *ptr, size_t size);
void __wrap_free(void *ptr);

#endif

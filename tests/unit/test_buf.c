/* hf__buf: the bounded, always NUL-terminated byte buffer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc_hooks.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* ---- tests ---- */

static void test_append_terminates(void **state)
{
	hf__buf b = HF__BUF_INIT;

	(void)state;
	assert_null(b.data);
	assert_int_equal(hf__buf_append(&b, "abc", 3), 0);
	assert_int_equal(b.len, 3);
	assert_string_equal(b.data, "abc");
	/* Bytes after len are not part of the string: "de" only. */
	assert_int_equal(hf__buf_append(&b, "defgh", 2), 0);
	assert_int_equal(b.len, 5);
	assert_string_equal(b.data, "abcde");
	assert_true(b.cap > b.len);
	hf__buf_dispose(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	/* Disposing twice is harmless. */
	hf__buf_dispose(&b);
}

static void test_append_empty(void **state)
{
	hf__buf b = HF__BUF_INIT;

	(void)state;
	/* A zero-length append still yields a valid empty string. */
	assert_int_equal(hf__buf_append(&b, NULL, 0), 0);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	assert_int_equal(b.len, 0);
	hf__buf_dispose(&b);
}

static void test_binary_data(void **state)
{
	hf__buf b = HF__BUF_INIT;
	static const char bin[] = { 'a', '\0', 'b' };

	(void)state;
	assert_int_equal(hf__buf_append(&b, bin, sizeof(bin)), 0);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, bin, 3);
	assert_int_equal(b.data[3], '\0');
	hf__buf_dispose(&b);
}

static void test_growth(void **state)
{
	hf__buf b = HF__BUF_INIT;
	char chunk[1000];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(chunk); i++)
		chunk[i] = (char)('a' + i % 26);
	for (i = 0; i < 300; i++)
		assert_int_equal(hf__buf_append(&b, chunk, sizeof(chunk)), 0);
	assert_int_equal(b.len, 300000);
	assert_int_equal(strlen(b.data), 300000);
	for (i = 0; i < 300; i++)
		assert_memory_equal(b.data + i * sizeof(chunk), chunk, sizeof(chunk));
	hf__buf_dispose(&b);
}

static void test_puts_printf(void **state)
{
	hf__buf b = HF__BUF_INIT;
	char big[600];

	(void)state;
	assert_int_equal(hf__buf_puts(&b, "x="), 0);
	assert_int_equal(hf__buf_printf(&b, "%d,%s,%c", 42, "y", 'z'), 0);
	assert_string_equal(b.data, "x=42,y,z");
	assert_int_equal(b.len, 8);
	/* Larger than the first allocation: vprintf must size it first. */
	assert_int_equal(hf__buf_printf(&b, "%0500d", 7), 0);
	assert_int_equal(b.len, 508);
	memset(big, '0', 499);
	big[499] = '7';
	big[500] = '\0';
	assert_string_equal(b.data + 8, big);
	/* An empty format adds nothing but keeps the string valid. */
	assert_int_equal(hf__buf_printf(&b, "%s", ""), 0);
	assert_int_equal(b.len, 508);
	hf__buf_dispose(&b);
}

static void test_max(void **state)
{
	hf__buf b = HF__BUF_INIT;

	(void)state;
	b.max = 10;
	assert_int_equal(hf__buf_append(&b, "0123456789", 10), 0);
	/* One byte past the limit fails and leaves the content alone. */
	assert_int_equal(hf__buf_append(&b, "x", 1), -1);
	assert_int_equal(b.len, 10);
	assert_string_equal(b.data, "0123456789");
	assert_int_equal(hf__buf_printf(&b, "%d", 1), -1);
	assert_int_equal(hf__buf_puts(&b, "y"), -1);
	assert_string_equal(b.data, "0123456789");
	/* Appending nothing at the limit is still fine. */
	assert_int_equal(hf__buf_append(&b, "", 0), 0);
	hf__buf_dispose(&b);

	b.max = 4;
	assert_int_equal(hf__buf_printf(&b, "%s", "hello"), -1);
	assert_int_equal(b.len, 0);
	hf__buf_dispose(&b);
}

static void test_default_max_and_overflow(void **state)
{
	hf__buf b = HF__BUF_INIT;
	static const char one = 'a';

	(void)state;
	/* The default limit is 64 MiB; the check comes before any copy. */
	assert_int_equal(hf__buf_append(&b, &one, (size_t)64 * 1024 * 1024 + 1), -1);
	assert_null(b.data);
	assert_int_equal(hf__buf_append(&b, &one, 1), 0);
	/* len + extra must not wrap around. */
	assert_int_equal(hf__buf_append(&b, &one, SIZE_MAX), -1);
	assert_int_equal(hf__buf_append(&b, &one, SIZE_MAX - 1), -1);
	assert_int_equal(b.len, 1);
	hf__buf_dispose(&b);
}

static void test_detach(void **state)
{
	hf__buf b = HF__BUF_INIT;
	char *s;

	(void)state;
	/* An untouched buffer hands over "" rather than NULL. */
	s = hf__buf_detach(&b);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);

	assert_int_equal(hf__buf_puts(&b, "abc"), 0);
	s = hf__buf_detach(&b);
	assert_string_equal(s, "abc");
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	/* The buffer is reusable after a detach. */
	assert_int_equal(hf__buf_puts(&b, "de"), 0);
	assert_string_equal(b.data, "de");
	hf__buf_dispose(&b);
	free(s);
}

static void test_wipe(void **state)
{
	static const char secret[] = "hf_wipeMeBeforeFree0123";
	hf__buf b = HF__BUF_INIT;

	(void)state;
	/* The watch sees a secret handed to free() as is... */
	assert_int_equal(hf__buf_puts(&b, secret), 0);
	alloc_watch = secret;
	alloc_watch_hits = 0;
	hf__buf_dispose(&b);
	assert_int_equal(alloc_watch_hits, 1);

	/* ...and wiping erases it first. */
	assert_int_equal(hf__buf_puts(&b, secret), 0);
	alloc_watch_hits = 0;
	hf__buf_wipe(&b);
	alloc_watch = NULL;
	assert_int_equal(alloc_watch_hits, 0);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	hf__buf_wipe(&b);
}

static void test_alloc_failure(void **state)
{
	hf__buf b = HF__BUF_INIT;
	char *s;

	(void)state;
	/* A failed first allocation leaves the buffer empty and usable. */
	alloc_fail_at = 0;
	alloc_failed = 0;
	assert_int_equal(hf__buf_append(&b, "abc", 3), -1);
	assert_true(alloc_failed);
	assert_null(b.data);
	assert_int_equal(b.len, 0);

	/* A failed growth keeps the old content. */
	assert_int_equal(hf__buf_append(&b, "abc", 3), 0);
	alloc_fail_at = 0;
	alloc_failed = 0;
	assert_int_equal(hf__buf_printf(&b, "%0200d", 1), -1);
	assert_true(alloc_failed);
	assert_string_equal(b.data, "abc");
	assert_int_equal(b.len, 3);
	hf__buf_dispose(&b);

	alloc_fail_at = 0;
	alloc_failed = 0;
	s = hf__buf_detach(&b);
	assert_true(alloc_failed);
	assert_null(s);
	alloc_fail_at = -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_terminates),
		cmocka_unit_test(test_append_empty),
		cmocka_unit_test(test_binary_data),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_puts_printf),
		cmocka_unit_test(test_max),
		cmocka_unit_test(test_default_max_and_overflow),
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_wipe),
		cmocka_unit_test(test_alloc_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

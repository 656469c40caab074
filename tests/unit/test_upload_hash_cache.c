/*
 * The hash cache of folder uploads (src/lib/upload/hash_cache.c): the file
 * format both ways, lookups by path + size + mtime + inode, and that a
 * damaged file is ignored as a whole.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "upload/hash_cache.h"

#define S256 "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
#define S1 "ce013625030ba8dba906f756967f9e9ca394464a"

static hf__hash_entry entry(const char *path, uint64_t size, int64_t mtime, uint64_t ino,
			    const char *sha1)
{
	hf__hash_entry e;

	memset(&e, 0, sizeof(e));
	e.path = (char *)path;
	e.size = size;
	e.mtime_ns = mtime;
	e.ino = ino;
	memcpy(e.sha256, S256, 65);
	if (sha1)
		memcpy(e.sha1, sha1, 41);
	return e;
}

static void test_format_sorted_and_parse_back(void **state)
{
	hf__hash_cache hc = HF__HASH_CACHE_INIT, back = HF__HASH_CACHE_INIT;
	hf__hash_entry e;
	hf__buf out = HF__BUF_INIT;
	const hf__hash_entry *f;

	(void)state;
	e = entry("sub/b c.txt", 4, 1796331547481248076LL, 7, NULL);
	assert_int_equal(hf__hash_cache_add(&hc, &e), 0);
	e = entry("a.txt", 6, -5, 8, S1);
	assert_int_equal(hf__hash_cache_add(&hc, &e), 0);
	assert_int_equal(hf__hash_cache_format(&hc, &out), 0);
	assert_string_equal(out.data, "hf-upload-hashes 1\n"
				      S256 " " S1 " 6 -5 8 a.txt\n"
				      S256 " - 4 1796331547481248076 7 sub/b c.txt\n");
	assert_int_equal(hf__hash_cache_parse(&back, out.data, out.len), 0);
	assert_int_equal(back.n, 2);
	f = hf__hash_cache_find(&back, "sub/b c.txt", 4, 1796331547481248076LL, 7);
	assert_non_null(f);
	assert_string_equal(f->sha256, S256);
	assert_string_equal(f->sha1, "");
	f = hf__hash_cache_find(&back, "a.txt", 6, -5, 8);
	assert_non_null(f);
	assert_string_equal(f->sha1, S1);
	hf__buf_dispose(&out);
	hf__hash_cache_dispose(&hc);
	hf__hash_cache_dispose(&back);
}

static void test_find_needs_the_whole_key(void **state)
{
	hf__hash_cache hc = HF__HASH_CACHE_INIT;
	hf__hash_entry e = entry("a.txt", 6, 100, 8, S1);

	(void)state;
	assert_int_equal(hf__hash_cache_add(&hc, &e), 0);
	hf__hash_cache_sort(&hc);
	assert_non_null(hf__hash_cache_find(&hc, "a.txt", 6, 100, 8));
	assert_null(hf__hash_cache_find(&hc, "a.txt", 7, 100, 8));   /* size */
	assert_null(hf__hash_cache_find(&hc, "a.txt", 6, 101, 8));   /* mtime */
	assert_null(hf__hash_cache_find(&hc, "a.txt", 6, 100, 9));   /* inode */
	assert_null(hf__hash_cache_find(&hc, "b.txt", 6, 100, 8));   /* path */
	assert_null(hf__hash_cache_find(&hc, "A.txt", 6, 100, 8));
	hf__hash_cache_dispose(&hc);
}

static void test_uncacheable_entries_are_left_out(void **state)
{
	hf__hash_cache hc = HF__HASH_CACHE_INIT;
	hf__hash_entry e = entry("a\nb", 1, 1, 1, NULL);

	(void)state;
	assert_int_equal(hf__hash_cache_add(&hc, &e), 0);
	e = entry("a\rb", 1, 1, 1, NULL);
	assert_int_equal(hf__hash_cache_add(&hc, &e), 0);
	e = entry("", 1, 1, 1, NULL);
	assert_int_equal(hf__hash_cache_add(&hc, &e), 0);
	e = entry("ok", 1, 1, 1, NULL);
	e.sha256[3] = 'G';
	assert_int_equal(hf__hash_cache_add(&hc, &e), 0);
	assert_int_equal(hc.n, 0);
	hf__hash_cache_dispose(&hc);
}

static void test_damaged_files_are_ignored_whole(void **state)
{
	static const char *const bad[] = {
		"",
		"hf-upload-hashes 2\n",
		"hf-upload-hashes 1",                                     /* no newline */
		"hf-upload-hashes 1\n" S256 " - 4 1 7 a\n" S256 " - 4 1 7 b", /* last line cut */
		"hf-upload-hashes 1\n" S256 " - 4 1 7\n",                 /* no path */
		"hf-upload-hashes 1\n" S256 " - 4 1 7 \n",                /* empty path */
		"hf-upload-hashes 1\n" S256 " - -4 1 7 a\n",              /* negative size */
		"hf-upload-hashes 1\n" S256 " - 4 1 +7 a\n",
		"hf-upload-hashes 1\n" S256 " - 4 x 7 a\n",
		"hf-upload-hashes 1\n" S256 " - 99999999999999999999 1 7 a\n",
		"hf-upload-hashes 1\n" S256 " abc 4 1 7 a\n",              /* short sha1 */
		"hf-upload-hashes 1\n" "5891B5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
		" - 4 1 7 a\n",                                            /* upper case */
		"hf-upload-hashes 1\n" S256 "  - 4 1 7 a\n",
	};
	hf__hash_cache hc = HF__HASH_CACHE_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(hf__hash_cache_parse(&hc, bad[i], strlen(bad[i])), -1);
		assert_int_equal(hc.n, 0);
	}
	/* An embedded NUL. */
	assert_int_equal(hf__hash_cache_parse(&hc, "hf-upload-hashes 1\n\0", 20), -1);
	/* Just the header: an empty cache. */
	assert_int_equal(hf__hash_cache_parse(&hc, "hf-upload-hashes 1\n", 19), 0);
	assert_int_equal(hc.n, 0);
	hf__hash_cache_dispose(&hc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_sorted_and_parse_back),
		cmocka_unit_test(test_find_needs_the_whole_key),
		cmocka_unit_test(test_uncacheable_entries_are_left_out),
		cmocka_unit_test(test_damaged_files_are_ignored_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

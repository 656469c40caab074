/*
 * The state file of hf_upload_large_folder() (src/lib/upload/large_folder.h):
 * the official client's eight-line .metadata (huggingface_hub v1.28
 * LocalUploadFileMetadata.save / read_upload_metadata) read and written,
 * the freshness rule, and the commit batch sizes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "upload/large_folder.h"

#define SHA256 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define SHA1 "89abcdef0123456789abcdef0123456789abcdef"

static int parse(const char *text, hf__ulf_meta *m)
{
	return hf__ulf_meta_parse(text, strlen(text), m);
}

static void test_official_states(void **state)
{
	hf__ulf_meta m;

	(void)state;
	/* just listed: only the size known */
	assert_int_equal(parse("1712345678.123456\n42\n\n\n\n\n0\n0\n", &m), 0);
	assert_true(m.ts_sec == 1712345678 && m.ts_nsec == 123456000);
	assert_true(m.size == 42);
	assert_int_equal(m.should_ignore, -1);
	assert_string_equal(m.sha256, "");
	assert_string_equal(m.upload_mode, "");
	assert_int_equal(m.is_uploaded, 0);
	assert_int_equal(m.is_committed, 0);
	/* everything known, committed */
	assert_int_equal(parse("1712345678.5\n1048576\n0\n" SHA256 "\nlfs\n" SHA256 "\n1\n1\n", &m), 0);
	assert_true(m.ts_nsec == 500000000);
	assert_int_equal(m.should_ignore, 0);
	assert_string_equal(m.sha256, SHA256);
	assert_string_equal(m.upload_mode, "lfs");
	assert_string_equal(m.remote_oid, SHA256);
	assert_int_equal(m.is_uploaded, 1);
	assert_int_equal(m.is_committed, 1);
	/* a regular file with a git sha1 remote oid; CRLF and spaces; no last newline */
	assert_int_equal(parse("17 \r\n 3\r\n1\r\n" SHA256 "\r\nregular\r\n" SHA1 "\r\n0\r\n1", &m), 0);
	assert_true(m.ts_sec == 17 && m.ts_nsec == 0);
	assert_int_equal(m.should_ignore, 1);
	assert_string_equal(m.upload_mode, "regular");
	assert_string_equal(m.remote_oid, SHA1);
	assert_int_equal(m.is_committed, 1);
}

static void test_refused(void **state)
{
	static const char *const bad[] = {
		"",
		"1.5\n",                                          /* short */
		"1.5\n3\n\n\n\n\n0\n",                            /* no is_committed */
		"x\n3\n\n\n\n\n0\n0\n",                           /* timestamp */
		"1e9\n3\n\n\n\n\n0\n0\n",                         /* exponent */
		"1.5\n-3\n\n\n\n\n0\n0\n",                        /* size */
		"1.5\n\n\n\n\n\n0\n0\n",                          /* size missing */
		"1.5\n3\n2\n\n\n\n0\n0\n",                        /* should_ignore */
		"1.5\n3\n\nabc\n\n\n0\n0\n",                      /* sha256 */
		"1.5\n3\n\n\nxet\n\n0\n0\n",                      /* upload mode */
		"1.5\n3\n\n\n\nabc\n0\n0\n",                      /* remote oid */
		"1.5\n3\n\n\n\n\nTrue\n0\n",                      /* flag */
		"1.5\n3\n\n\n\n\n0\n\n",                          /* flag empty */
	};
	hf__ulf_meta m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse(bad[i], &m) != -1)
			fail_msg("accepted: %s", bad[i]);
}

static void test_format_round_trip(void **state)
{
	hf__ulf_meta m, back;
	char buf[512];
	int n;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.ts_sec = 1712345678;
	m.ts_nsec = 123456789;
	m.size = 7;
	m.should_ignore = -1;
	m.is_committed = 1;
	/* a locale whose decimal point is ',' must not change the file */
	setlocale(LC_NUMERIC, "de_DE.UTF-8");
	n = hf__ulf_meta_format(buf, sizeof(buf), &m);
	setlocale(LC_NUMERIC, "C");
	assert_int_equal(n, (int)strlen(buf));
	assert_string_equal(buf, "1712345678.123456\n7\n\n\n\n\n0\n1\n");
	assert_int_equal(parse(buf, &back), 0);
	assert_true(back.ts_sec == m.ts_sec && back.ts_nsec == 123456000);
	assert_int_equal(back.is_committed, 1);

	m.should_ignore = 0;
	strcpy(m.sha256, SHA256);
	strcpy(m.upload_mode, "lfs");
	strcpy(m.remote_oid, SHA1);
	m.is_uploaded = 1;
	hf__ulf_meta_format(buf, sizeof(buf), &m);
	assert_string_equal(buf, "1712345678.123456\n7\n0\n" SHA256 "\nlfs\n" SHA1 "\n1\n1\n");
}

static void test_fresh(void **state)
{
	hf__ulf_meta m;

	(void)state;
	assert_int_equal(parse("100.5\n3\n\n\n\n\n0\n1\n", &m), 0);
	assert_int_equal(hf__ulf_meta_fresh(&m, 3, 100, 0), 1);
	assert_int_equal(hf__ulf_meta_fresh(&m, 3, 100, 500000000), 1); /* same instant */
	assert_int_equal(hf__ulf_meta_fresh(&m, 3, 99, 999999999), 1);
	assert_int_equal(hf__ulf_meta_fresh(&m, 3, 100, 500000001), 0); /* touched after */
	assert_int_equal(hf__ulf_meta_fresh(&m, 3, 101, 0), 0);
	assert_int_equal(hf__ulf_meta_fresh(&m, 4, 50, 0), 0);          /* other size */
}

static void test_batches(void **state)
{
	(void)state;
	assert_int_equal(hf__ulf_first_batch(NULL), 50);
	assert_int_equal(hf__ulf_first_batch(""), 50);
	assert_int_equal(hf__ulf_first_batch("3"), 3);
	assert_int_equal(hf__ulf_first_batch("0"), 50);
	assert_int_equal(hf__ulf_first_batch("1001"), 50);
	assert_int_equal(hf__ulf_first_batch("2x"), 50);
	/* up one step after a full batch in under 40 s; else stay */
	assert_int_equal(hf__ulf_next_batch(50, 50, 3.0), 75);
	assert_int_equal(hf__ulf_next_batch(50, 49, 3.0), 50);
	assert_int_equal(hf__ulf_next_batch(50, 50, 41.0), 50);
	assert_int_equal(hf__ulf_next_batch(600, 600, 1.0), 1000);
	assert_int_equal(hf__ulf_next_batch(1000, 1000, 1.0), 1000);
	assert_int_equal(hf__ulf_next_batch(3, 3, 1.0), 3); /* a fixed size stays */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_official_states),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_fresh),
		cmocka_unit_test(test_batches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

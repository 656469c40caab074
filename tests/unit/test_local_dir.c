/*
 * The local_dir metadata of src/lib/local_dir.h: the parser of
 * .cache/huggingface/download/<file>.metadata (commit, etag, timestamp:
 * three lines as the official client writes them and reads them back
 * with readline(), strip() and float()), the writer's format, and the
 * freshness rule (metadata trusted unless the file is more than 1 s
 * newer), on a temporary directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "download_int.h"
#include "fsutil.h"
#include "local_dir.h"

#define COMMIT "0123456789abcdef0123456789abcdef01234567"
#define SHA1 "89abcdef0123456789abcdef0123456789abcdef"
#define SHA256 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static int parse(const char *text, hf__local_meta *m)
{
	return hf__local_meta_parse(text, strlen(text), m);
}

static int parses(const char *text)
{
	hf__local_meta m;

	return parse(text, &m) == 0;
}

/* ------------------------------------------------------------------ */
/* Valid files */

static void test_official_file(void **state)
{
	hf__local_meta m;

	(void)state;
	/* f"{commit_hash}\n{etag}\n{time.time()}\n" */
	assert_int_equal(parse(COMMIT "\n" SHA256 "\n1712345678.123456\n", &m), 0);
	assert_string_equal(m.commit, COMMIT);
	assert_string_equal(m.etag, SHA256);
	assert_true(m.timestamp == 1712345678.123456);

	/* A git blob sha1 etag (a file not in LFS). */
	assert_int_equal(parse(COMMIT "\n" SHA1 "\n1712345678.5\n", &m), 0);
	assert_string_equal(m.etag, SHA1);
	assert_true(m.timestamp == 1712345678.5);
}

static void test_timestamp_shapes(void **state)
{
	static const struct {
		const char *text;
		double value;
	} ok[] = {
		{ "1712345678.1234567", 1712345678.1234567 }, /* repr() with 17 digits */
		{ "1712345678.0", 1712345678.0 },
		{ "1712345678", 1712345678.0 },
		{ "1712345678.", 1712345678.0 },
		{ ".5", 0.5 },
		{ "0", 0.0 },
		{ "+1712345678.25", 1712345678.25 },
		{ "-1.5", -1.5 },
		{ "1.712345678123456e9", 1712345678.123456 },
		{ "1712345678123456E-6", 1712345678.123456 },
		{ "17123456.78e+2", 1712345678.0 },
		{ "000001712345678.500000000", 1712345678.5 },
		{ "1712345678.12345678901234567890123", 1712345678.1234567 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char text[256];
		hf__local_meta m;
		double diff;

		snprintf(text, sizeof(text), COMMIT "\n" SHA256 "\n%s\n", ok[i].text);
		assert_int_equal(parse(text, &m), 0);
		diff = m.timestamp - ok[i].value;
		/* Exact, or within an ulp or so of the value (2.4e-7 at 1.7e9). */
		if (diff < -5e-7 || diff > 5e-7)
			fail_msg("'%s' read as %.9f", ok[i].text, m.timestamp);
	}
}

static void test_line_ends_and_whitespace(void **state)
{
	hf__local_meta m;

	(void)state;
	/* Text mode reads \r\n and \r as line ends. */
	assert_int_equal(parse(COMMIT "\r\n" SHA256 "\r\n1712345678.5\r\n", &m), 0);
	assert_string_equal(m.etag, SHA256);
	assert_int_equal(parse(COMMIT "\r" SHA256 "\r1712345678.5\r", &m), 0);
	assert_string_equal(m.commit, COMMIT);
	assert_true(m.timestamp == 1712345678.5);
	/* No line end after the last line. */
	assert_int_equal(parse(COMMIT "\n" SHA256 "\n1712345678.5", &m), 0);
	assert_true(m.timestamp == 1712345678.5);
	/* strip(): whitespace around each value. */
	assert_int_equal(parse("  " COMMIT " \t\n\t" SHA256 "  \n 1712345678.5 \f\v\n", &m), 0);
	assert_string_equal(m.commit, COMMIT);
	assert_string_equal(m.etag, SHA256);
	assert_true(m.timestamp == 1712345678.5);
}

static void test_extra_lines_tolerated(void **state)
{
	static const char text[] = COMMIT "\n" SHA256 "\n1712345678.5\nwhatever\n\0binary\n";
	hf__local_meta m;

	(void)state;
	/* The official reader stops after three lines. */
	assert_true(parses(COMMIT "\n" SHA256 "\n1712345678.5\n\n"));
	assert_true(parses(COMMIT "\n" SHA256 "\n1712345678.5\nnot a number\nmore\n"));
	assert_int_equal(hf__local_meta_parse(text, sizeof(text) - 1, &m), 0);
	assert_true(m.timestamp == 1712345678.5);
}

static void test_no_nul_needed(void **state)
{
	char text[sizeof(COMMIT "\n" SHA256 "\n1712345678.5") - 1];
	hf__local_meta m;

	(void)state;
	/* Exactly len bytes are read: no terminator (ASan catches an overread). */
	memcpy(text, COMMIT "\n" SHA256 "\n1712345678.5", sizeof(text));
	assert_int_equal(hf__local_meta_parse(text, sizeof(text), &m), 0);
	assert_true(m.timestamp == 1712345678.5);
	/* Cut in the timestamp: what remains is read. */
	assert_int_equal(hf__local_meta_parse(text, sizeof(text) - 2, &m), 0);
	assert_true(m.timestamp == 1712345678.0);
	/* Cut in the etag. */
	assert_int_equal(hf__local_meta_parse(text, 41 + 30, &m), -1);
}

/* ------------------------------------------------------------------ */
/* Rejections */

static void test_missing_fields(void **state)
{
	hf__local_meta m;

	(void)state;
	assert_int_equal(hf__local_meta_parse("", 0, &m), -1);
	assert_int_equal(hf__local_meta_parse(NULL, 0, &m), -1);
	assert_false(parses("\n\n\n"));
	assert_false(parses(COMMIT "\n"));
	assert_false(parses(COMMIT));
	assert_false(parses(COMMIT "\n" SHA256 "\n"));
	assert_false(parses(COMMIT "\n" SHA256));
	assert_false(parses(COMMIT "\n" SHA256 "\n\n1712345678.5\n"));
	assert_false(parses(COMMIT "\n\n1712345678.5\n"));
	assert_false(parses("\n" COMMIT "\n" SHA256 "\n1712345678.5\n"));
	/* All on one line (the old sscanf took any whitespace as a separator). */
	assert_false(parses(COMMIT " " SHA256 " 1712345678.5\n"));
	assert_false(parses(COMMIT "\n" SHA256 " 1712345678.5\n"));
}

static void test_bad_commit(void **state)
{
	(void)state;
	/* 39 and 41 characters. */
	assert_false(parses("0123456789abcdef0123456789abcdef0123456\n" SHA256 "\n1712345678.5\n"));
	assert_false(parses(COMMIT "8\n" SHA256 "\n1712345678.5\n"));
	/* Not lower-case hex. */
	assert_false(parses("0123456789ABCDEF0123456789abcdef01234567\n" SHA256 "\n1712345678.5\n"));
	assert_false(parses("0123456789abcdeg0123456789abcdef01234567\n" SHA256 "\n1712345678.5\n"));
	assert_false(parses("main\n" SHA256 "\n1712345678.5\n"));
	/* A space or a NUL inside. */
	assert_false(parses("0123456789abcdef 123456789abcdef01234567\n" SHA256 "\n1712345678.5\n"));
	{
		static const char nul[] = "0123456789abcdef\0" "123456789abcdef01234567\n" SHA256
					  "\n1712345678.5\n";
		hf__local_meta m;

		assert_int_equal(hf__local_meta_parse(nul, sizeof(nul) - 1, &m), -1);
	}
}

static void test_bad_etag(void **state)
{
	(void)state;
	/* Neither 40 nor 64 characters. */
	assert_false(parses(COMMIT "\n" "89abcdef0123456789abcdef0123456789abcde" "\n1712345678.5\n"));
	assert_false(parses(COMMIT "\n" SHA1 "0\n1712345678.5\n"));
	assert_false(parses(COMMIT "\n" SHA256 "0\n1712345678.5\n"));
	assert_false(parses(COMMIT "\n"
			    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde"
			    "\n1712345678.5\n"));
	/* Not lower-case hex, or an ETag header as sent (quoted). */
	assert_false(parses(COMMIT "\n" "89ABCDEF0123456789abcdef0123456789abcdef" "\n1712345678.5\n"));
	assert_false(parses(COMMIT "\n" "89abcdef0123456789abcdef0123456789abcdez" "\n1712345678.5\n"));
	assert_false(parses(COMMIT "\n\"" SHA1 "\"\n1712345678.5\n"));
}

static void test_bad_timestamp(void **state)
{
	static const char *const bad[] = {
		"", " ", "abc", ".", "-", "+", "e5", ".e5", "1e", "1e+", "1e-", "1.2.3",
		"1712345678.12abc", "1712345678 5", "1712345678,5", "1_712_345_678.5",
		"0x1p30", "inf", "-inf", "Infinity", "nan", "NaN", "1e999", "--1", "+-1", "1..5",
		"1712345678.5\x01",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[256];

		snprintf(text, sizeof(text), COMMIT "\n" SHA256 "\n%s\n", bad[i]);
		if (parses(text))
			fail_msg("timestamp '%s' accepted", bad[i]);
	}
}

/* ------------------------------------------------------------------ */
/* Writing and reading back */

static void test_format(void **state)
{
	char buf[160];
	hf__local_meta m;
	int n;

	(void)state;
	n = hf__local_meta_format(buf, sizeof(buf), COMMIT, SHA256, 1712345678LL, 123456L);
	assert_string_equal(buf, COMMIT "\n" SHA256 "\n1712345678.123456\n");
	assert_int_equal(n, (int)strlen(buf));
	assert_int_equal(hf__local_meta_parse(buf, (size_t)n, &m), 0);
	assert_true(m.timestamp == 1712345678.123456);
	n = hf__local_meta_format(buf, sizeof(buf), COMMIT, SHA1, 1712345678LL, 5L);
	assert_string_equal(buf, COMMIT "\n" SHA1 "\n1712345678.000005\n");
	assert_int_equal(hf__local_meta_parse(buf, (size_t)n, &m), 0);
	assert_true(m.timestamp == 1712345678.000005);
}

static void write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static void set_mtime(const char *path, time_t t)
{
	struct timeval tv[2] = { { t, 0 }, { t, 0 } };

	assert_int_equal(utimes(path, tv), 0);
}

static void test_read_freshness(void **state)
{
	char root[] = "/tmp/hf-test-local-dir-XXXXXX";
	char path[256], meta[256], text[200];
	hf__local_meta m;
	hf__dl d;
	time_t t = 1712345678;

	(void)state;
	assert_non_null(mkdtemp(root));
	memset(&d, 0, sizeof(d));
	d.o.local_dir = root;
	snprintf(path, sizeof(path), "%s/sub", root);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/.cache/huggingface/download/sub", root);
	assert_int_equal(hf__mkdirs(path, 0700, NULL), 0);
	snprintf(path, sizeof(path), "%s/sub/f.bin", root);
	snprintf(meta, sizeof(meta), "%s/.cache/huggingface/download/sub/f.bin.metadata", root);

	/* No file, no metadata. */
	assert_int_equal(hf__local_meta_read(&d, "sub/f.bin", &m), 0);
	assert_int_equal(hf__local_file_exists(&d, "sub/f.bin"), 0);
	write_text(path, "data");
	assert_int_equal(hf__local_file_exists(&d, "sub/f.bin"), 1);
	assert_int_equal(hf__local_meta_read(&d, "sub/f.bin", &m), 0);

	snprintf(text, sizeof(text), COMMIT "\n" SHA256 "\n%lld.250000\n", (long long)t);
	write_text(meta, text);
	/* The file as old as the metadata, or up to 1 s newer: trusted. */
	set_mtime(path, t);
	assert_int_equal(hf__local_meta_read(&d, "sub/f.bin", &m), 1);
	assert_string_equal(m.commit, COMMIT);
	assert_string_equal(m.etag, SHA256);
	set_mtime(path, t + 1);
	assert_int_equal(hf__local_meta_read(&d, "sub/f.bin", &m), 1);
	set_mtime(path, t - 100);
	assert_int_equal(hf__local_meta_read(&d, "sub/f.bin", &m), 1);
	/* Modified later: the metadata is outdated. */
	set_mtime(path, t + 2);
	assert_int_equal(hf__local_meta_read(&d, "sub/f.bin", &m), 0);
	/* Corrupt metadata is not trusted. */
	set_mtime(path, t);
	write_text(meta, COMMIT "\n" SHA256 "\nsoon\n");
	assert_int_equal(hf__local_meta_read(&d, "sub/f.bin", &m), 0);
	/* The file gone: nothing to trust. */
	write_text(meta, text);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(hf__local_meta_read(&d, "sub/f.bin", &m), 0);

	unlink(meta);
	snprintf(path, sizeof(path), "%s/.cache/huggingface/download/sub", root);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/.cache/huggingface/download", root);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/.cache/huggingface", root);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/.cache", root);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/sub", root);
	rmdir(path);
	assert_int_equal(rmdir(root), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_official_file),
		cmocka_unit_test(test_timestamp_shapes),
		cmocka_unit_test(test_line_ends_and_whitespace),
		cmocka_unit_test(test_extra_lines_tolerated),
		cmocka_unit_test(test_no_nul_needed),
		cmocka_unit_test(test_missing_fields),
		cmocka_unit_test(test_bad_commit),
		cmocka_unit_test(test_bad_etag),
		cmocka_unit_test(test_bad_timestamp),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_read_freshness),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

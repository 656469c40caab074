/* The value parsers of parse.h: booleans, tokens, timeouts, integers, Content-Range. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc_hooks.h"

#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "util.h"

/* A heap copy without a terminating NUL: ASan catches any read past n. */
static char *unterminated(const char *s, size_t n)
{
	char *p = malloc(n ? n : 1);

	assert_non_null(p);
	memcpy(p, s, n);
	return p;
}

/* ---- hf__parse_bool ---- */

static void test_bool_true(void **state)
{
	static const char *const yes[] = {
		"1", "ON", "on", "On", "oN", "YES", "yes", "yEs", "TRUE", "true", "tRuE",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		assert_int_equal(hf__parse_bool(yes[i]), 1);
}

static void test_bool_false(void **state)
{
	static const char *const no[] = {
		"", "0", "2", "01", "off", "no", "false", "y", "t", "T", "Y", "tru", "truee",
		"yes!", " 1", "1 ", "\t1", "yes\n", "on ", "O N", "enabled", "\xc4\xb1", "ONE",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		assert_int_equal(hf__parse_bool(no[i]), 0);
	assert_int_equal(hf__parse_bool(NULL), 0);
}

/* ---- hf__token_clean, hf__token_is_safe ---- */

static void check_clean(const char *raw, const char *want)
{
	int oom = 42;
	char *t = hf__token_clean(raw, &oom);

	assert_int_equal(oom, 0);
	if (!want) {
		assert_null(t);
		return;
	}
	assert_non_null(t);
	assert_string_equal(t, want);
	free(t);
}

static void test_token_clean(void **state)
{
	(void)state;
	check_clean("hf_abc", "hf_abc");
	check_clean("  hf_abc \t", "hf_abc");
	check_clean("hf_abc\n", "hf_abc");
	check_clean("hf_abc\r\n", "hf_abc");
	/* CR and LF go everywhere, not only at the ends... */
	check_clean("hf_a\r\nb\nc\rd", "hf_abcd");
	/* ...and before the strip, so white space they hid is stripped too. */
	check_clean(" \n hf_x \r ", "hf_x");
	check_clean("\r \thf_x\t \n", "hf_x");
	check_clean("\v\fhf_y\f\v", "hf_y");
	/* Inner white space is kept. */
	check_clean(" a b\tc ", "a b\tc");
	check_clean("a \n b", "a  b");
	/* Only the four strip characters: other controls stay (and are unsafe). */
	check_clean("\x1chf\x1f", "\x1chf\x1f");
	check_clean("\x01x", "\x01x");
	/* Empty results are NULL without an out-of-memory flag. */
	check_clean("", NULL);
	check_clean("\r\n", NULL);
	check_clean(" \t\v\f\r\n ", NULL);
	check_clean(NULL, NULL);
}

static void test_token_clean_oom_flag(void **state)
{
	char *t;
	int oom = 0;

	(void)state;
	/* The oom pointer is optional. */
	t = hf__token_clean(" hf_z ", NULL);
	assert_string_equal(t, "hf_z");
	free(t);

	alloc_fail_at = 0;
	alloc_failed = 0;
	t = hf__token_clean("hf_abc", &oom);
	alloc_fail_at = -1;
	assert_true(alloc_failed);
	assert_null(t);
	assert_int_equal(oom, 1);

	alloc_fail_at = 0;
	t = hf__token_clean("hf_abc", NULL);
	alloc_fail_at = -1;
	assert_null(t);

	/* An empty result allocates nothing, so it cannot report OOM. */
	alloc_fail_at = 0;
	alloc_failed = 0;
	oom = 7;
	t = hf__token_clean("  ", &oom);
	alloc_fail_at = -1;
	assert_null(t);
	assert_false(alloc_failed);
	assert_int_equal(oom, 0);
}

static void test_token_is_safe(void **state)
{
	char s[4];
	int c;

	(void)state;
	assert_int_equal(hf__token_is_safe("hf_AbCdEf0123456789"), 1);
	assert_int_equal(hf__token_is_safe("a b~!"), 1);
	/* UTF-8 bytes are not control characters. */
	assert_int_equal(hf__token_is_safe("caf\xc3\xa9"), 1);
	assert_int_equal(hf__token_is_safe(""), 1);
	assert_int_equal(hf__token_is_safe(NULL), 0);
	/* Every control byte and DEL, anywhere. */
	for (c = 1; c < 0x20; c++) {
		snprintf(s, sizeof(s), "a%cb", c);
		assert_int_equal(hf__token_is_safe(s), 0);
	}
	assert_int_equal(hf__token_is_safe("a\x7f"), 0);
	assert_int_equal(hf__token_is_safe("\x7f" "a"), 0);
	assert_int_equal(hf__token_is_safe("ab\r"), 0);
	assert_int_equal(hf__token_is_safe("\tab"), 0);
}

/* ---- hf__parse_timeout ---- */

static void check_timeout(const char *v, long def, int rc, long want)
{
	long out = -12345;

	assert_int_equal(hf__parse_timeout(v, def, &out), rc);
	if (rc == 0)
		assert_int_equal(out, want);
	else
		assert_int_equal(out, -12345);
}

static void test_timeout_valid(void **state)
{
	char buf[64];

	(void)state;
	check_timeout("10", 5, 0, 10);
	check_timeout("1", 5, 0, 1);
	check_timeout("007", 5, 0, 7);
	check_timeout("+5", 9, 0, 5);
	check_timeout(" 10 ", 5, 0, 10);
	check_timeout("\t\n 7 \r\n", 5, 0, 7);
	check_timeout("\v3\f", 5, 0, 3);
	/* Python's int() takes single underscores between digits. */
	check_timeout("1_000", 5, 0, 1000);
	check_timeout("1_2_3", 5, 0, 123);
	/* Zero, however spelt, means the default. */
	check_timeout("0", 42, 0, 42);
	check_timeout("000", 42, 0, 42);
	check_timeout("+0", 42, 0, 42);
	check_timeout("-0", 42, 0, 42);
	check_timeout(" 0_0 ", 42, 0, 42);
	/* Unset means the default too. */
	check_timeout(NULL, 42, 0, 42);
	snprintf(buf, sizeof(buf), "%ld", LONG_MAX);
	check_timeout(buf, 5, 0, LONG_MAX);
}

static void test_timeout_invalid(void **state)
{
	static const char *const bad[] = {
		"", " ", "\t", "-1", "-10", " -5", "--1", "++1", "+-1", "+", "-", "+ 1", "- 0",
		"abc", "1a", "a1", "1.5", "1.", ".5", "1e3", "0x10", "1 2", "10s", "1_", "_1",
		"1__0", "_", "1_a", "\x01" "1", "1\x01", "\x1c" "5", "5\x1f",
		"9223372036854775808", "99999999999999999999999", "-9223372036854775809",
	};
	long out = 99;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		check_timeout(bad[i], 5, -1, 0);
	assert_int_equal(hf__parse_timeout("1", 5, NULL), -1);
	assert_int_equal(hf__parse_timeout(NULL, 5, NULL), -1);
	assert_int_equal(out, 99);
}

/* ---- hf__parse_u64 ---- */

static void check_u64(const char *s, int rc, unsigned long long want)
{
	unsigned long long out = 77;
	char *p = unterminated(s, strlen(s));

	assert_int_equal(hf__parse_u64(p, strlen(s), &out), rc);
	assert_true(out == (rc == 0 ? want : 77));
	free(p);
}

static void test_u64(void **state)
{
	unsigned long long out = 5;

	(void)state;
	check_u64("0", 0, 0);
	check_u64("123", 0, 123);
	check_u64("00000000000000000042", 0, 42);		/* 20 characters */
	check_u64("9223372036854775807", 0, 9223372036854775807ULL);
	check_u64("09223372036854775807", 0, 9223372036854775807ULL);
	/* Past LLONG_MAX, even though it fits in 64 unsigned bits. */
	check_u64("9223372036854775808", -1, 0);
	check_u64("18446744073709551615", -1, 0);
	check_u64("18446744073709551616", -1, 0);
	check_u64("99999999999999999999", -1, 0);
	/* 21 characters, however small the value. */
	check_u64("000000000000000000001", -1, 0);
	check_u64("", -1, 0);
	check_u64("+1", -1, 0);
	check_u64("-1", -1, 0);
	check_u64(" 1", -1, 0);
	check_u64("1 ", -1, 0);
	check_u64("1a", -1, 0);
	check_u64("1_0", -1, 0);
	check_u64("1.0", -1, 0);
	check_u64("0x1", -1, 0);
	assert_int_equal(hf__parse_u64(NULL, 3, &out), -1);
	assert_int_equal(hf__parse_u64("1", 1, NULL), -1);
	assert_true(out == 5);
}

static void test_u64_len_bounds(void **state)
{
	unsigned long long out = 0;
	char *p = unterminated("123xyz", 6);

	(void)state;
	/* Only len bytes count: what follows is never looked at. */
	assert_int_equal(hf__parse_u64(p, 3, &out), 0);
	assert_true(out == 123);
	assert_int_equal(hf__parse_u64(p, 1, &out), 0);
	assert_true(out == 1);
	assert_int_equal(hf__parse_u64(p, 4, &out), -1);
	free(p);
	/* A NUL inside the range is not a digit. */
	assert_int_equal(hf__parse_u64("1\0" "2", 3, &out), -1);
}

/* ---- hf__parse_octal ---- */

static void check_octal(const char *s, unsigned long max, int rc, unsigned long want)
{
	unsigned long out = 77;
	char *p = unterminated(s, strlen(s));

	assert_int_equal(hf__parse_octal(p, strlen(s), max, &out), rc);
	assert_true(out == (rc == 0 ? want : 77));
	free(p);
}

static void test_octal(void **state)
{
	unsigned long out = 5;

	(void)state;
	check_octal("0", 0777, 0, 0);
	check_octal("0022", 0777, 0, 022);
	check_octal("022", 0777, 0, 022);
	check_octal("0777", 0777, 0, 0777);
	check_octal("777", 0777, 0, 0777);
	check_octal("0000000000000777", 0777, 0, 0777);
	check_octal("1000", 0777, -1, 0);
	check_octal("7777", 0777, -1, 0);
	check_octal("8", 0777, -1, 0);
	check_octal("079", 0777, -1, 0);
	check_octal("", 0777, -1, 0);
	check_octal("-1", 0777, -1, 0);
	check_octal("+1", 0777, -1, 0);
	check_octal(" 22", 0777, -1, 0);
	check_octal("22 ", 0777, -1, 0);
	check_octal("22\n", 0777, -1, 0);
	check_octal("0x1f", 0777, -1, 0);
	check_octal("0o22", 0777, -1, 0);
	/* The bound, not the width of unsigned long, decides. */
	check_octal("7", 6, -1, 0);
	check_octal("6", 6, 0, 6);
#if ULONG_MAX == 0xffffffffffffffffUL
	check_octal("1777777777777777777777", ~0UL, 0, ~0UL);
	check_octal("2000000000000000000000", ~0UL, -1, 0);
#endif
	check_octal("77777777777777777777777777", ~0UL, -1, 0);
	assert_int_equal(hf__parse_octal(NULL, 1, 0777, &out), -1);
	assert_int_equal(hf__parse_octal("1", 1, 0777, NULL), -1);
	/* Only len bytes count. */
	assert_int_equal(hf__parse_octal("229", 2, 0777, &out), 0);
	assert_true(out == 022);
}

/* ---- hf__parse_content_range ---- */

static void check_range(const char *v, int rc, unsigned long long a, unsigned long long b,
			unsigned long long t, int known)
{
	unsigned long long ra = 1, rb = 2, rt = 3;
	int rk = 4;

	assert_int_equal(hf__parse_content_range(v, &ra, &rb, &rt, &rk), rc);
	if (rc == 0) {
		assert_true(ra == a);
		assert_true(rb == b);
		assert_true(rt == t);
		assert_int_equal(rk, known);
	} else {
		/* Untouched on failure. */
		assert_true(ra == 1 && rb == 2 && rt == 3);
		assert_int_equal(rk, 4);
	}
}

static void test_content_range_valid(void **state)
{
	(void)state;
	check_range("bytes 0-9/10", 0, 0, 9, 10, 1);
	check_range("bytes 0-0/1", 0, 0, 0, 1, 1);
	check_range("bytes 16777216-33554431/67108864", 0, 16777216, 33554431, 67108864, 1);
	check_range("bytes 5-9/*", 0, 5, 9, 0, 0);
	check_range("bytes 0-9223372036854775806/9223372036854775807", 0, 0,
		    9223372036854775806ULL, 9223372036854775807ULL, 1);
	/* RFC 9110 allows leading zeros (1*DIGIT). */
	check_range("bytes 00-09/010", 0, 0, 9, 10, 1);
}

static void test_content_range_invalid(void **state)
{
	static const char *const bad[] = {
		"",
		"bytes",
		"bytes ",
		"bytes 0-9",
		"bytes 0-9/",
		"bytes 0-/10",
		"bytes -9/10",
		"bytes 0-9/10 ",          /* trailing garbage */
		"bytes 0-9/10junk",
		"bytes 0-9/10/",
		"bytes 0-9/*x",
		"bytes 0-9/**",
		"bytes 0-9/ *",
		" bytes 0-9/10",
		"bytes  0-9/10",          /* two spaces */
		"bytes\t0-9/10",
		"bytes0-9/10",
		"Bytes 0-9/10",
		"BYTES 0-9/10",
		"items 0-9/10",
		"bytes +0-9/10",
		"bytes 0-+9/10",
		"bytes 0-9/+10",
		"bytes -1-9/10",          /* a sign (sscanf wrapped it to 2^64-1) */
		"bytes 0--9/10",
		"bytes 0 -9/10",
		"bytes 0- 9/10",
		"bytes 0-9 /10",
		"bytes 0-9/ 10",
		"bytes 0x0-9/10",
		"bytes 9-0/10",           /* first after last */
		"bytes 0-10/10",          /* last at the length */
		"bytes 0-11/10",
		"bytes 0-9/0",
		"bytes */10",             /* the unsatisfied form */
		"bytes 0-9223372036854775808/*", /* past LLONG_MAX */
		"bytes 0-9/18446744073709551616",
		"bytes 0-9/000000000000000000010", /* 21 digits */
		"bytes 0,1-9/10",
		"bytes 0-9/10\n",
		"bytes 0-9/10\r",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		check_range(bad[i], -1, 0, 0, 0, 0);
	check_range(NULL, -1, 0, 0, 0, 0);
	{
		unsigned long long a, b, t;
		int k;

		assert_int_equal(hf__parse_content_range("bytes 0-9/10", NULL, &b, &t, &k), -1);
		assert_int_equal(hf__parse_content_range("bytes 0-9/10", &a, NULL, &t, &k), -1);
		assert_int_equal(hf__parse_content_range("bytes 0-9/10", &a, &b, NULL, &k), -1);
		assert_int_equal(hf__parse_content_range("bytes 0-9/10", &a, &b, &t, NULL), -1);
	}
}

/* ---- util.h ---- */

static void test_util(void **state)
{
	char *p;
	char secret[] = "hf_secret";

	(void)state;
	assert_null(hf__strdup(NULL));
	assert_null(hf__strndup(NULL, 3));
	p = hf__strdup("abc");
	assert_string_equal(p, "abc");
	free(p);
	p = hf__strndup("abcdef", 3);
	assert_string_equal(p, "abc");
	free(p);
	/* strndup stops at a NUL before n and never reads past it. */
	p = hf__strndup("ab", 100);
	assert_string_equal(p, "ab");
	free(p);
	p = hf__strndup("", 0);
	assert_string_equal(p, "");
	free(p);
	alloc_fail_at = 0;
	alloc_failed = 0;
	p = hf__strdup("abc");
	alloc_fail_at = -1;
	assert_true(alloc_failed);
	assert_null(p);

	hf__wipe(secret, sizeof(secret));
	assert_memory_equal(secret, "\0\0\0\0\0\0\0\0\0\0", sizeof(secret));
	hf__wipe(NULL, 10);
	hf__wipe(secret, 0);

	assert_int_equal(hf__starts_with("hf_abc", "hf_"), 1);
	assert_int_equal(hf__starts_with("hf_abc", ""), 1);
	assert_int_equal(hf__starts_with("hf", "hf_"), 0);
	assert_int_equal(hf__starts_with("xhf_", "hf_"), 0);
	assert_int_equal(hf__starts_with(NULL, "a"), 0);
	assert_int_equal(hf__starts_with("a", NULL), 0);
}

/* Server text made one printable line (hf__one_line). */
static void test_one_line(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "Repository not found", "Repository not found" },
		{ "", "" },
		{ "a\nb\r\nc\td", "a b  c d" },
		{ "\x1b[31mred\x1b[0m", "?[31mred?[0m" },
		{ "\x1b]52;c;aGk=\x07", "?]52;c;aGk=?" },
		{ "del\x7f", "del?" },
		{ "d\xc3\xa9j\xc3\xa0 \xe2\x9c\x93 \xf0\x9f\x98\x80", "d\xc3\xa9j\xc3\xa0 \xe2\x9c\x93 \xf0\x9f\x98\x80" },
		{ "csi\xc2\x9b" "2J", "csi?2J" },       /* U+009B, a C1 control */
		{ "nbsp\xc2\xa0", "nbsp\xc2\xa0" },       /* U+00A0 is printable */
		{ "raw\x9b" "2J", "raw?2J" },            /* 8-bit CSI, not UTF-8 */
		{ "latin1 \xe9t\xe9", "latin1 ?t?" },
		{ "overlong \xc0\xaf \xe0\x80\xaf", "overlong ?? ???" },
		{ "surrogate \xed\xa0\x80", "surrogate ???" },
		{ "cut \xe2\x9c", "cut ??" },
		{ "big \xf4\x90\x80\x80", "big ????" },
	};
	size_t i;

	(void)state;
	assert_null(hf__one_line(NULL));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = strdup(cases[i].in);

		assert_non_null(s);
		assert_string_equal(hf__one_line(s), cases[i].out);
		free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bool_true),
		cmocka_unit_test(test_bool_false),
		cmocka_unit_test(test_token_clean),
		cmocka_unit_test(test_token_clean_oom_flag),
		cmocka_unit_test(test_token_is_safe),
		cmocka_unit_test(test_timeout_valid),
		cmocka_unit_test(test_timeout_invalid),
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_u64_len_bounds),
		cmocka_unit_test(test_octal),
		cmocka_unit_test(test_content_range_valid),
		cmocka_unit_test(test_content_range_invalid),
		cmocka_unit_test(test_util),
		cmocka_unit_test(test_one_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

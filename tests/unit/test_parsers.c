/*
 * The parsers of untrusted or hand-written input: booleans, tokens,
 * timeouts, INI (stored_tokens), .env files, and the bounded buffer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dotenv.h"
#include "ini.h"
#include "parse.h"

/* ---- booleans, tokens, numbers ---- */

static void test_bool(void **state)
{
	(void)state;
	assert_true(hf__parse_bool("1"));
	assert_true(hf__parse_bool("ON"));
	assert_true(hf__parse_bool("yes"));
	assert_true(hf__parse_bool("True"));
	assert_false(hf__parse_bool("0"));
	assert_false(hf__parse_bool(""));
	assert_false(hf__parse_bool(NULL));
	assert_false(hf__parse_bool("y"));
	assert_false(hf__parse_bool(" 1")); /* no trimming, as upstream */
	assert_false(hf__parse_bool("truee"));
}

static void test_token_clean(void **state)
{
	char *t;

	(void)state;
	t = hf__token_clean("  hf_abc\r\n", NULL);
	assert_string_equal(t, "hf_abc");
	free(t);
	/* CR and LF are removed anywhere, not only at the ends. */
	t = hf__token_clean("hf_a\nb\rc", NULL);
	assert_string_equal(t, "hf_abc");
	free(t);
	t = hf__token_clean("\t hf_x \t", NULL);
	assert_string_equal(t, "hf_x");
	free(t);
	assert_null(hf__token_clean("  \r\n ", NULL));
	assert_null(hf__token_clean("", NULL));
	assert_null(hf__token_clean(NULL, NULL));
}

static void test_token_safe(void **state)
{
	(void)state;
	assert_true(hf__token_is_safe("hf_AbCdEf123"));
	assert_false(hf__token_is_safe("hf_a\tb"));
	assert_false(hf__token_is_safe("hf_a\x01" "b"));
	assert_false(hf__token_is_safe("hf_a\x7f"));
	assert_false(hf__token_is_safe("hf_a\r\nX-Evil: 1"));
}

static void test_timeout(void **state)
{
	long v = -1;

	(void)state;
	assert_int_equal(hf__parse_timeout("25", 10, &v), 0);
	assert_int_equal(v, 25);
	assert_int_equal(hf__parse_timeout(" 0 ", 10, &v), 0);
	assert_int_equal(v, 10); /* 0 means the default */
	assert_int_equal(hf__parse_timeout("+7", 10, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(hf__parse_timeout("1.5", 10, &v), -1);
	assert_int_equal(hf__parse_timeout("-3", 10, &v), -1);
	assert_int_equal(hf__parse_timeout("ten", 10, &v), -1);
	assert_int_equal(hf__parse_timeout("99999999999999999999999", 10, &v), -1);
}

static void test_u64(void **state)
{
	unsigned long long v = 0;

	(void)state;
	assert_int_equal(hf__parse_u64("123", 3, &v), 0);
	assert_int_equal(v, 123);
	assert_int_equal(hf__parse_u64("9223372036854775807", 19, &v), 0);
	assert_int_equal(hf__parse_u64("9223372036854775808", 19, &v), -1);
	assert_int_equal(hf__parse_u64("-1", 2, &v), -1);
	assert_int_equal(hf__parse_u64("1e3", 3, &v), -1);
	assert_int_equal(hf__parse_u64(" 1", 2, &v), -1);
	assert_int_equal(hf__parse_u64("", 0, &v), -1);
	/* Only len bytes are read. */
	assert_int_equal(hf__parse_u64("12x", 2, &v), 0);
	assert_int_equal(v, 12);
}

/* ---- INI (stored_tokens) ---- */

static void test_ini_round_trip(void **state)
{
	const char *text = "[zeta]\nhf_token = hf_z\n\n[alpha]\nhf_token = hf_a\nrefresh_token = r\nexpires_at = 1787000000\n\n";
	hf__ini ini = HF__INI_INIT;
	size_t line = 0;
	char *out;

	(void)state;
	assert_int_equal(hf__ini_parse(&ini, text, strlen(text), &line), 0);
	assert_string_equal(hf__ini_get(&ini, "alpha", "refresh_token"), "r");
	assert_string_equal(hf__ini_get(&ini, "zeta", "HF_TOKEN"), "hf_z");
	assert_null(hf__ini_get(&ini, "zeta", "refresh_token"));
	out = hf__ini_serialize(&ini);
	/* Sections sorted by name, "key = value", a blank line after each: Python's format. */
	assert_string_equal(out, "[alpha]\nhf_token = hf_a\nrefresh_token = r\nexpires_at = 1787000000\n\n"
				 "[zeta]\nhf_token = hf_z\n\n");
	free(out);
	hf__ini_dispose(&ini);
}

static void test_ini_dialect(void **state)
{
	const char *text = "; comment\n# comment\n[s]\nKey: value with spaces  \nempty =\n"
			   "long = first\n  second\nurl = http://a=b#c\n";
	hf__ini ini = HF__INI_INIT;

	(void)state;
	assert_int_equal(hf__ini_parse(&ini, text, strlen(text), NULL), 0);
	assert_string_equal(hf__ini_get(&ini, "s", "key"), "value with spaces");
	assert_string_equal(hf__ini_get(&ini, "s", "empty"), "");
	assert_string_equal(hf__ini_get(&ini, "s", "long"), "first\nsecond");
	/* Only the first delimiter splits; inline comments are not stripped. */
	assert_string_equal(hf__ini_get(&ini, "s", "url"), "http://a=b#c");
	hf__ini_dispose(&ini);
}

static void test_ini_errors(void **state)
{
	static const char *const bad[] = {
		"hf_token = x\n",              /* before any section */
		"[a]\nk = 1\n[a]\nk = 2\n",    /* duplicate section */
		"[a]\nk = 1\nk = 2\n",         /* duplicate key */
		"[a]\njust words\n",           /* neither */
		"[]\n",                        /* empty name */
		"[a\n",                        /* unterminated header */
	};
	size_t i, line;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		hf__ini ini = HF__INI_INIT;

		line = 0;
		assert_int_equal(hf__ini_parse(&ini, bad[i], strlen(bad[i]), &line), -1);
		assert_true(line >= 1);
		assert_int_equal(ini.count, 0);
	}
}

static void test_ini_hostile(void **state)
{
	hf__ini ini = HF__INI_INIT;
	size_t n = 100 * 1024, i;
	char *big = malloc(n + 32);
	const char nul[] = "[a]\nk = v\0w\n";

	(void)state;
	assert_non_null(big);
	memcpy(big, "[s]\nk = ", 8);
	for (i = 8; i < n; i++)
		big[i] = 'x';
	/* Not NUL-terminated: the parser must stay inside len. */
	assert_int_equal(hf__ini_parse(&ini, big, n, NULL), 0);
	assert_int_equal(strlen(hf__ini_get(&ini, "s", "k")), n - 8);
	hf__ini_dispose(&ini);
	free(big);
	/* A NUL byte inside the text never crashes the parser. */
	(void)hf__ini_parse(&ini, nul, sizeof(nul) - 1, NULL);
	hf__ini_dispose(&ini);
}

static void test_ini_edit(void **state)
{
	hf__ini ini = HF__INI_INIT;
	char *out;

	(void)state;
	assert_int_equal(hf__ini_set(&ini, "b", "hf_token", "t1"), 0);
	assert_int_equal(hf__ini_set(&ini, "a", "HF_TOKEN", "t2"), 0);
	assert_int_equal(hf__ini_set(&ini, "b", "hf_token", "t3"), 0);
	assert_int_equal(hf__ini_remove_section(&ini, "missing"), 0);
	out = hf__ini_serialize(&ini);
	assert_string_equal(out, "[a]\nhf_token = t2\n\n[b]\nhf_token = t3\n\n");
	free(out);
	assert_int_equal(hf__ini_remove_section(&ini, "a"), 1);
	out = hf__ini_serialize(&ini);
	assert_string_equal(out, "[b]\nhf_token = t3\n\n");
	free(out);
	hf__ini_dispose(&ini);
}

/* ---- .env ---- */

typedef struct pairs {
	char keys[16][64];
	char values[16][256];
	int n;
	size_t warned[8];
	int nwarn;
} pairs;

static int collect(const char *key, const char *value, void *payload)
{
	pairs *p = payload;

	if (p->n < 16) {
		snprintf(p->keys[p->n], sizeof(p->keys[0]), "%s", key);
		snprintf(p->values[p->n], sizeof(p->values[0]), "%s", value);
		p->n++;
	}
	return 0;
}

static void warn_line(size_t line, void *payload)
{
	pairs *p = payload;

	if (p->nwarn < 8)
		p->warned[p->nwarn++] = line;
}

static const char *lookup(const char *name, void *payload)
{
	(void)payload;
	return strcmp(name, "FROM_ENV") == 0 ? "env-value" : NULL;
}

static const char *value_of(const pairs *p, const char *key)
{
	int i;

	for (i = p->n - 1; i >= 0; i--)
		if (strcmp(p->keys[i], key) == 0)
			return p->values[i];
	return NULL;
}

static void test_dotenv_basic(void **state)
{
	const char *text = "\xef\xbb\xbf# a comment\n"
			   "HF_TOKEN=hf_plain\r\n"
			   "export EXPORTED = spaced value   # trailing comment\n"
			   "SINGLE='lit $FROM_ENV \\n'\n"
			   "DOUBLE=\"line1\\nline2 \\\"q\\\"\"\n"
			   "EMPTY=\n"
			   "NOVALUE\n"
			   "HASH=a#b\n"
			   "EXP=${FROM_ENV}/x\n"
			   "DEF=${MISSING:-fallback}\n"
			   "REF=${HF_TOKEN}\n";
	pairs p;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(hf__dotenv_parse(text, strlen(text), collect, warn_line, lookup, &p), 0);
	assert_string_equal(value_of(&p, "HF_TOKEN"), "hf_plain");
	assert_string_equal(value_of(&p, "EXPORTED"), "spaced value");
	assert_string_equal(value_of(&p, "SINGLE"), "lit $FROM_ENV \\n");
	assert_string_equal(value_of(&p, "DOUBLE"), "line1\nline2 \"q\"");
	assert_string_equal(value_of(&p, "EMPTY"), "");
	assert_null(value_of(&p, "NOVALUE"));
	assert_string_equal(value_of(&p, "HASH"), "a#b");
	assert_string_equal(value_of(&p, "EXP"), "env-value/x");
	assert_string_equal(value_of(&p, "DEF"), "fallback");
	/* Earlier keys of the file expand too. */
	assert_string_equal(value_of(&p, "REF"), "hf_plain");
	assert_int_equal(p.nwarn, 0);
}

static void test_dotenv_malformed(void **state)
{
	const char *text = "GOOD1=a\nBAD='unterminated\nGOOD2=b\n=novalue\nGOOD3=\"multi\nline\"\n";
	pairs p;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(hf__dotenv_parse(text, strlen(text), collect, warn_line, lookup, &p), 0);
	assert_string_equal(value_of(&p, "GOOD1"), "a");
	assert_null(value_of(&p, "BAD"));
	assert_true(p.nwarn >= 1);
	assert_int_equal(p.warned[0], 2);
	assert_string_equal(value_of(&p, "GOOD2"), "b");
	assert_string_equal(value_of(&p, "GOOD3"), "multi\nline");
}

static void test_dotenv_not_terminated(void **state)
{
	char text[] = { 'K', '=', 'v', 'a', 'l' }; /* no NUL, no newline */
	pairs p;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(hf__dotenv_parse(text, sizeof(text), collect, NULL, lookup, &p), 0);
	assert_string_equal(value_of(&p, "K"), "val");
}

/* ---- buffer ---- */

static void test_buf(void **state)
{
	hf__buf b = HF__BUF_INIT;
	char *s;

	(void)state;
	s = hf__buf_detach(&b);
	assert_string_equal(s, ""); /* an empty buffer detaches as "" */
	free(s);
	assert_int_equal(hf__buf_printf(&b, "%s-%d", "a", 42), 0);
	assert_int_equal(hf__buf_puts(&b, "!"), 0);
	assert_string_equal(b.data, "a-42!");
	assert_int_equal(b.len, 5);
	hf__buf_dispose(&b);
	b.max = 8;
	assert_int_equal(hf__buf_puts(&b, "12345678"), 0);
	assert_int_equal(hf__buf_puts(&b, "9"), -1); /* over the limit */
	assert_string_equal(b.data, "12345678");
	hf__buf_wipe(&b);
	assert_null(b.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_token_clean),
		cmocka_unit_test(test_token_safe),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_ini_round_trip),
		cmocka_unit_test(test_ini_dialect),
		cmocka_unit_test(test_ini_errors),
		cmocka_unit_test(test_ini_hostile),
		cmocka_unit_test(test_ini_edit),
		cmocka_unit_test(test_dotenv_basic),
		cmocka_unit_test(test_dotenv_malformed),
		cmocka_unit_test(test_dotenv_not_terminated),
		cmocka_unit_test(test_buf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

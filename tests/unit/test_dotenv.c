/*
 * The .env parser of dotenv.h. Expected results follow python-dotenv's
 * parser (dotenv/parser.py, current 1.x) and, for ${...}, the rules of
 * dotenv.h: no expansion in single quotes, file keys before the
 * environment, and ":-" taking empty values as unset.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc_hooks.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dotenv.h"
#include "util.h"

/* ---- collecting results ---- */

#define MAX_ITEMS 256

struct result {
	size_t n;
	char *keys[MAX_ITEMS];
	char *values[MAX_ITEMS];
	size_t nwarn;		/* warnings kept in warns */
	size_t warns[MAX_ITEMS];
	size_t warn_total;
	size_t calls;		/* all callbacks, kept or not */
	size_t stop_at;		/* return stop_rc on this call (1-based); 0: never */
	int stop_rc;
	size_t lookups;
};

/* The collector's own copies must not be counted as library allocations. */
static char *copy_str(const char *s)
{
	size_t n = strlen(s);
	char *p = __real_malloc(n + 1);

	assert_non_null(p);
	memcpy(p, s, n + 1);
	return p;
}

static int on_pair(const char *key, const char *value, void *payload)
{
	struct result *r = payload;

	r->calls++;
	if (r->n < MAX_ITEMS) {
		r->keys[r->n] = copy_str(key);
		r->values[r->n] = copy_str(value);
		r->n++;
	}
	if (r->stop_at && r->calls == r->stop_at)
		return r->stop_rc;
	return 0;
}

static void on_warn(size_t line, void *payload)
{
	struct result *r = payload;

	r->warn_total++;
	if (r->nwarn < MAX_ITEMS)
		r->warns[r->nwarn++] = line;
}

/* A fixed environment, so that the tests do not depend on the real one. */
static const char *fake_env(const char *name, void *payload)
{
	static const char *const env[][2] = {
		{ "ENVX", "envx" },
		{ "EMPTY", "" },
		{ "SHADOWED", "from-env" },
		{ "PATHISH", "/usr/bin" },
	};
	struct result *r = payload;
	size_t i;

	r->lookups++;
	for (i = 0; i < sizeof(env) / sizeof(env[0]); i++)
		if (strcmp(env[i][0], name) == 0)
			return env[i][1];
	return NULL;
}

static void result_free(struct result *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->keys[i]);
		free(r->values[i]);
	}
	memset(r, 0, sizeof(*r));
}

/* Parse a heap copy without a terminating NUL: ASan sees reads past len. */
static int parse_n(struct result *r, const char *text, size_t len)
{
	char *copy = malloc(len ? len : 1);
	int rc;

	assert_non_null(copy);
	if (len)
		memcpy(copy, text, len);
	rc = hf__dotenv_parse(copy, len, on_pair, on_warn, fake_env, r);
	free(copy);
	return rc;
}

static int parse(struct result *r, const char *text)
{
	return parse_n(r, text, strlen(text));
}

/*
 * Check the pairs: a NULL-terminated list of key, value, key, value...
 * then the warned lines, ended by 0.
 */
static void expect(const struct result *r, ...)
{
	va_list ap;
	const char *k, *v;
	size_t i = 0, line;

	va_start(ap, r);
	for (k = va_arg(ap, const char *); k; k = va_arg(ap, const char *)) {
		v = va_arg(ap, const char *);
		assert_true(i < r->n);
		assert_string_equal(r->keys[i], k);
		assert_string_equal(r->values[i], v);
		i++;
	}
	assert_int_equal(r->n, i);
	i = 0;
	for (line = va_arg(ap, size_t); line; line = va_arg(ap, size_t)) {
		assert_true(i < r->nwarn);
		assert_int_equal(r->warns[i], line);
		i++;
	}
	assert_int_equal(r->nwarn, i);
	va_end(ap);
}

/* Parse text and check the outcome as expect() does. */
#define CHECK(text, ...)                                        \
	do {                                                    \
		struct result r_ = { 0 };                       \
		assert_int_equal(parse(&r_, (text)), 0);        \
		expect(&r_, __VA_ARGS__);                       \
		result_free(&r_);                               \
	} while (0)

#define NOWARN ((size_t)0)

/* ---- syntax ---- */

static void test_basic(void **state)
{
	(void)state;
	CHECK("A=1\nB=two words\nC = spaced \n  D=indented\nE=x=y\nF=1",
	      "A", "1", "B", "two words", "C", "spaced", "D", "indented",
	      "E", "x=y", "F", "1", NULL, NOWARN);
	/* Keys may contain anything but '=', '#' and white space. */
	CHECK("A-B.c=1\nlower=2\n\xc3\xa9=3\n$X{=4",
	      "A-B.c", "1", "lower", "2", "\xc3\xa9", "3", "$X{", "4", NULL, NOWARN);
	/* Later definitions are reported again, in file order. */
	CHECK("A=1\nA=2", "A", "1", "A", "2", NULL, NOWARN);
	CHECK("", NULL, NOWARN);
	CHECK("\n\n  \t\n", NULL, NOWARN);
}

static void test_export(void **state)
{
	(void)state;
	CHECK("export A=1\nexport\tB=2\nexport   C = 3\nexportD=4\n",
	      "A", "1", "B", "2", "C", "3", "exportD", "4", NULL, NOWARN);
	/* "export" alone, or with a bare key, sets nothing. */
	CHECK("export\nexport E\nF=6", "F", "6", NULL, NOWARN);
	/* "export " eats the blank, so "=1" has no key. */
	CHECK("export =1\nG=7", "G", "7", NULL, (size_t)1, NOWARN);
	/* A key called export. */
	CHECK("export=8", "export", "8", NULL, NOWARN);
}

static void test_quoted_keys(void **state)
{
	(void)state;
	CHECK("'my key'=v\n'k2' = 'w'", "my key", "v", "k2", "w", NULL, NOWARN);
	/* An empty quoted key is malformed. */
	CHECK("''=v\nB=2", "B", "2", NULL, (size_t)1, NOWARN);
}

static void test_single_quotes(void **state)
{
	(void)state;
	CHECK("A='x y # z'\n"
	      "B='it\\'s'\n"
	      "C='a\\\\b'\n"
	      "D='\\n\\t\\\"'\n"
	      "E=''\n"
	      "F='${ENVX}'\n"
	      "G='multi\nline'\n"
	      "H='x'   # comment\n"
	      "I='  padded  '\n",
	      "A", "x y # z", "B", "it's", "C", "a\\b",
	      /* Only \\ and \' are escapes in single quotes. */
	      "D", "\\n\\t\\\"", "E", "",
	      "F", "${ENVX}", "G", "multi\nline", "H", "x", "I", "  padded  ",
	      NULL, NOWARN);
}

static void test_double_quotes(void **state)
{
	(void)state;
	CHECK("A=\"a\\nb\"\n"
	      "B=\"t\\tr\\rq\\\"s\\'b\\\\x\"\n"
	      "C=\"\\x\\d\\0\"\n"
	      "D=\"multi\nline\"\n"
	      "E=\"\\a\\b\\f\\v\"\n"
	      "F=\"\"\n"
	      "G=\"x\" # c\n"
	      "H=\"  sp  \"\n"
	      "I=\"has # hash\"\n",
	      "A", "a\nb", "B", "t\tr\rq\"s'b\\x",
	      /* Unknown escapes stay as written. */
	      "C", "\\x\\d\\0", "D", "multi\nline", "E", "\a\b\f\v", "F", "",
	      "G", "x", "H", "  sp  ", "I", "has # hash", NULL, NOWARN);
}

static void test_unquoted_values(void **state)
{
	(void)state;
	CHECK("A=b # c\n"
	      "B=b#c\n"
	      "C=#c\n"
	      "D= #c\n"
	      "E=b\t#c\n"
	      "F=b  # c # d\n"
	      "G=  value  \n"
	      "H=a 'b' \"c\"\n"
	      "I=x\\ny\n",
	      /* A comment needs white space before its '#'... */
	      "A", "b", "B", "b#c",
	      /* ...except right after "= ": then the value is empty. */
	      "C", "#c", "D", "",
	      "E", "b", "F", "b", "G", "value", "H", "a 'b' \"c\"",
	      /* No escapes without quotes. */
	      "I", "x\\ny", NULL, NOWARN);
}

static void test_empty_and_missing_values(void **state)
{
	(void)state;
	CHECK("A=\nB=   \nC\nD # comment\n  # indented comment\n#E=5\nF=",
	      "A", "", "B", "", "F", "", NULL, NOWARN);
	CHECK("A=\r\nB=", "A", "", "B", "", NULL, NOWARN);
	/* A key without '=' is silently ignored, not malformed. */
	CHECK("JUSTKEY", NULL, NOWARN);
	CHECK("JUSTKEY   ", NULL, NOWARN);
}

static void test_line_endings(void **state)
{
	(void)state;
	CHECK("A=1\r\nB='x'\r\nC=\"y\"\r\nD=z # c\r\nE\r\nF=\"m\r\nl\"\r\n",
	      "A", "1", "B", "x", "C", "y", "D", "z",
	      /* Inside quotes the CR stays, as in python-dotenv. */
	      "F", "m\r\nl", NULL, NOWARN);
	CHECK("A=1\rB=2\rC=3", "A", "1", "B", "2", "C", "3", NULL, NOWARN);
	/* No newline at the end of the file. */
	CHECK("A='x'", "A", "x", NULL, NOWARN);
	CHECK("A=\"x\" ", "A", "x", NULL, NOWARN);
	CHECK("A=x # c", "A", "x", NULL, NOWARN);
}

static void test_bom(void **state)
{
	(void)state;
	CHECK("\xef\xbb\xbf" "A=1\nB=2", "A", "1", "B", "2", NULL, NOWARN);
	CHECK("\xef\xbb\xbf", NULL, NOWARN);
	/* Only at the very start. */
	CHECK("A=1\n\xef\xbb\xbf" "B=2", "A", "1", "\xef\xbb\xbf" "B", "2", NULL, NOWARN);
}

/* ---- malformed lines ---- */

static void test_malformed(void **state)
{
	(void)state;
	CHECK("A=1\n"
	      "=value\n"
	      "B C\n"
	      "'unterminated_key=2\n"
	      "D=\"x\" junk\n"
	      "E=ok\n"
	      "F=\"never closed\n"
	      "G=last",
	      "A", "1", "E", "ok", "G", "last",
	      NULL, (size_t)2, (size_t)3, (size_t)4, (size_t)5, (size_t)7, NOWARN);
	CHECK("A='never closed\nB=2", "B", "2", NULL, (size_t)1, NOWARN);
	CHECK("A=\"never closed", NULL, (size_t)1, NOWARN);
	/* The line is the statement's own, after blank lines and CRLFs. */
	CHECK("\r\n\r\nA=\"x\r\n\r\nB=1\r\n   C D\r\n",
	      "B", "1", NULL, (size_t)3, (size_t)6, NOWARN);
	CHECK("\n\n\n  =x\r\r=y\n", NULL, (size_t)4, (size_t)6, NOWARN);
}

static void test_quote_backtracking(void **state)
{
	(void)state;
	/*
	 * python-dotenv's regex backtracks to the last escaped quote when no
	 * plain one follows: "a\" at the end of the file is a\.
	 */
	CHECK("A=\"a\\\"", "A", "a\\", NULL, NOWARN);
	CHECK("A='a\\'", "A", "a\\", NULL, NOWARN);
	CHECK("A=\"a\\\"b", NULL, (size_t)1, NOWARN);
	/* An escaped backslash before the quote swallows the quote... */
	CHECK("A=\"a\\\\\"\nB=\"x\"\nC=3", "C", "3", NULL, (size_t)1, NOWARN);
	/* ...and a quote a few lines later closes the value. */
	CHECK("A=\"one\ntwo\"\nB=2", "A", "one\ntwo", "B", "2", NULL, NOWARN);
}

static void test_nul_bytes(void **state)
{
	static const char text[] = "A=x\0y\nB=2\n\0C=3\nD=\"q\0\"\nE\0=\nF=6\n# c\0c\nK\0";
	struct result r = { 0 };

	(void)state;
	/* A pair that cannot be a C string is reported, not truncated. */
	assert_int_equal(parse_n(&r, text, sizeof(text) - 1), 0);
	expect(&r, "B", "2", "F", "6", NULL, (size_t)1, (size_t)3, (size_t)4, (size_t)5,
	       NOWARN);
	result_free(&r);
}

/* ---- ${...} expansion ---- */

static void test_expansion(void **state)
{
	(void)state;
	CHECK("A=x\n"
	      "B=${A}y\n"
	      "C=\"${A}-${B}\"\n"
	      "D='${A}'\n"
	      "E=${ENVX}\n"
	      "F=${NOPE}\n"
	      "G=${NOPE:-def}\n"
	      "H=${EMPTY:-def}\n"
	      "I=${A:-def}\n"
	      "J=${EMPTY}|\n"
	      "K=$A ${A\n"
	      "L=${A:x}\n"
	      "M=${}\n"
	      "N=${:-only default}\n"
	      "O=${NOPE:-}\n"
	      "P=pre${A}${A}post\n"
	      "Q=${NOPE:-a:-b}\n",
	      "A", "x", "B", "xy", "C", "x-xy",
	      /* Single quotes are literal. */
	      "D", "${A}",
	      "E", "envx", "F", "", "G", "def",
	      /* ":-" takes an empty value as unset. */
	      "H", "def", "I", "x", "J", "|",
	      /* Not variables: no braces, no closing brace, ':' without '-'. */
	      "K", "$A ${A", "L", "${A:x}",
	      "M", "", "N", "only default", "O", "", "P", "prexxpost",
	      "Q", "a:-b", NULL, NOWARN);
}

static void test_expansion_order(void **state)
{
	(void)state;
	/* A key of the file wins over the environment... */
	CHECK("SHADOWED=file\nA=${SHADOWED}", "SHADOWED", "file", "A", "file", NULL, NOWARN);
	/* ...but only once it is defined. */
	CHECK("A=${SHADOWED}\nSHADOWED=file", "A", "from-env", "SHADOWED", "file", NULL, NOWARN);
	/* A value can extend the environment's. */
	CHECK("PATHISH=${PATHISH}:/opt/bin", "PATHISH", "/usr/bin:/opt/bin", NULL, NOWARN);
	/* The latest definition counts. */
	CHECK("A=1\nA=2\nB=${A}", "A", "1", "A", "2", "B", "2", NULL, NOWARN);
	/* Expanded values are what later lines see. */
	CHECK("A=${ENVX}!\nB=${A}?", "A", "envx!", "B", "envx!?", NULL, NOWARN);
	/* A key without '=' defines nothing. */
	CHECK("ENVX\nA=${ENVX}", "A", "envx", NULL, NOWARN);
	/* A default is literal: no nested expansion. */
	CHECK("A=${NOPE:-${ENVX}}", "A", "${ENVX}", NULL, NOWARN);
	/* An expanded value is not expanded again. */
	CHECK("A='${ENVX}'\nB=${A}", "A", "${ENVX}", "B", "${ENVX}", NULL, NOWARN);
	/* Escapes are decoded before expansion. */
	CHECK("A=\"\\${ENVX}\"", "A", "\\envx", NULL, NOWARN);
}

static void test_expansion_getenv(void **state)
{
	struct result r = { 0 };
	static const char text[] = "A=${HF_TEST_DOTENV_VAR}\nB=${HF_TEST_DOTENV_UNSET:-d}";
	int rc;

	(void)state;
	assert_int_equal(setenv("HF_TEST_DOTENV_VAR", "from getenv", 1), 0);
	unsetenv("HF_TEST_DOTENV_UNSET");
	/* Without a lookup function, getenv() answers. */
	rc = hf__dotenv_parse(text, sizeof(text) - 1, on_pair, on_warn, NULL, &r);
	assert_int_equal(rc, 0);
	expect(&r, "A", "from getenv", "B", "d", NULL, NOWARN);
	result_free(&r);
	unsetenv("HF_TEST_DOTENV_VAR");
}

static void test_no_lookup_without_variables(void **state)
{
	struct result r = { 0 };

	(void)state;
	assert_int_equal(parse(&r, "A=$HOME\nB='${X}'\nC=${ENVX}"), 0);
	/* Single-quoted ${X} is never looked up; ${ENVX} is, once. */
	assert_int_equal(r.lookups, 1);
	result_free(&r);
	assert_int_equal(parse(&r, "A=$HOME\nB=x"), 0);
	assert_int_equal(r.lookups, 0);
	result_free(&r);
}

/* ---- callbacks ---- */

static void test_callback_stops(void **state)
{
	struct result r = { 0 };

	(void)state;
	r.stop_at = 2;
	r.stop_rc = 7;
	assert_int_equal(parse(&r, "A=1\nB=2\nC=3\n=bad\n"), 7);
	assert_int_equal(r.calls, 2);
	/* Nothing after the stop, not even the warning. */
	expect(&r, "A", "1", "B", "2", NULL, NOWARN);
	result_free(&r);

	r.stop_at = 1;
	r.stop_rc = -5;
	assert_int_equal(parse(&r, "A=${ENVX}\nB=2"), -5);
	assert_int_equal(r.calls, 1);
	result_free(&r);
}

static void test_null_callbacks(void **state)
{
	(void)state;
	/* Both callbacks may be NULL: the parse still runs to the end. */
	assert_int_equal(hf__dotenv_parse("A=1\n=bad\nB=${A}", 16, NULL, NULL, NULL, NULL), 0);
	assert_int_equal(hf__dotenv_parse(NULL, 0, on_pair, on_warn, fake_env, NULL), 0);
	assert_int_equal(hf__dotenv_parse(NULL, 10, NULL, NULL, NULL, NULL), 0);
}

/* ---- hostile input ---- */

static void test_not_terminated(void **state)
{
	static const char text[] = "A=value\nB=\"quoted\"\nC=${A}tail";
	struct result r = { 0 };

	(void)state;
	/* Only len bytes count, wherever the cut falls. */
	assert_int_equal(parse_n(&r, text, 5), 0);
	expect(&r, "A", "val", NULL, NOWARN);
	result_free(&r);
	assert_int_equal(parse_n(&r, text, 16), 0);
	expect(&r, "A", "value", NULL, (size_t)2, NOWARN);
	result_free(&r);
	assert_int_equal(parse_n(&r, text, sizeof(text) - 3), 0);
	expect(&r, "A", "value", "B", "quoted", "C", "valueta", NULL, NOWARN);
	result_free(&r);
	assert_int_equal(parse_n(&r, text, sizeof(text) - 6), 0);
	expect(&r, "A", "value", "B", "quoted", "C", "${A", NULL, NOWARN);
	result_free(&r);
}

static void test_long_lines(void **state)
{
	const size_t n = 100 * 1024;
	char *text = malloc(3 * n + 64), *p;
	struct result r = { 0 };
	size_t i;

	(void)state;
	assert_non_null(text);
	/* A 100 KB unquoted value, a 100 KB quoted one with escapes, a long key. */
	p = text + sprintf(text, "A=");
	for (i = 0; i < n; i++)
		*p++ = (char)('a' + i % 26);
	p += sprintf(p, " # comment\nB=\"");
	for (i = 0; i < n / 2; i++) {
		*p++ = '\\';
		*p++ = 'n';
	}
	p += sprintf(p, "\"\n");
	for (i = 0; i < n; i++)
		*p++ = 'K';
	p += sprintf(p, "=1");
	assert_int_equal(parse_n(&r, text, (size_t)(p - text)), 0);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.nwarn, 0);
	assert_int_equal(strlen(r.values[0]), n);
	assert_memory_equal(r.values[0], text + 2, n);
	assert_int_equal(strlen(r.values[1]), n / 2);
	for (i = 0; i < n / 2; i++)
		assert_int_equal(r.values[1][i], '\n');
	assert_int_equal(strlen(r.keys[2]), n);
	result_free(&r);
	free(text);
}

static void test_many_quote_lines(void **state)
{
	const size_t lines = 20000;
	char *text = malloc(lines * 8 + 16), *p = text;
	struct result r = { 0 };
	size_t i;

	(void)state;
	assert_non_null(text);
	/*
	 * Each unterminated value closes at the next line's quote, and what
	 * follows that quote makes the pair malformed: odd lines are warned.
	 */
	for (i = 0; i < lines; i++)
		p += sprintf(p, "A=\"x\n");
	p += sprintf(p, "Z=end");
	assert_int_equal(parse_n(&r, text, (size_t)(p - text)), 0);
	assert_int_equal(r.warn_total, lines / 2);
	assert_int_equal(r.warns[0], 1);
	assert_int_equal(r.warns[1], 3);
	assert_int_equal(r.warns[MAX_ITEMS - 1], 2 * MAX_ITEMS - 1);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.keys[0], "Z");
	result_free(&r);

	/* The same with quoted keys. */
	p = text;
	for (i = 0; i < lines; i++)
		p += sprintf(p, "'k=1\n");
	p += sprintf(p, "Z=end");
	assert_int_equal(parse_n(&r, text, (size_t)(p - text)), 0);
	assert_int_equal(r.warn_total, lines / 2);
	assert_int_equal(r.warns[2], 5);
	assert_int_equal(r.n, 1);
	result_free(&r);
	free(text);
}

static void test_many_unclosed_variables(void **state)
{
	const size_t n = 50000;
	char *text = malloc(2 * n + 16), *p = text;
	struct result r = { 0 };
	size_t i;

	(void)state;
	assert_non_null(text);
	/* "${${${..." with no closing brace stays literal, in linear time. */
	p += sprintf(p, "A=");
	for (i = 0; i < n; i++) {
		*p++ = '$';
		*p++ = '{';
	}
	assert_int_equal(parse_n(&r, text, (size_t)(p - text)), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(strlen(r.values[0]), 2 * n);
	assert_int_equal(r.lookups, 0);
	result_free(&r);

	/* Likewise "${A:${A:..." where every ':' lacks its '-'. */
	p = text + sprintf(text, "A=");
	for (i = 0; i < n / 2; i++)
		p += sprintf(p, "${A:");
	assert_int_equal(parse_n(&r, text, (size_t)(p - text)), 0);
	assert_int_equal(strlen(r.values[0]), 4 * (n / 2));
	assert_int_equal(r.lookups, 0);
	result_free(&r);
	free(text);
}

static void test_expansion_limits(void **state)
{
	char *text = malloc(4096), *p;
	struct result r = { 0 };
	size_t i;

	(void)state;
	assert_non_null(text);
	/*
	 * Each line doubles the last: 1000 bytes << 10 still fits the 1 MiB
	 * a value may grow to, << 11 does not and is skipped with a warning.
	 * X11 is then unset, so the lines after it expand to "".
	 */
	p = text + sprintf(text, "X0=");
	for (i = 0; i < 1000; i++)
		*p++ = 'x';
	*p++ = '\n';
	for (i = 1; i <= 14; i++)
		p += sprintf(p, "X%zu=${X%zu}${X%zu}\n", i, i - 1, i - 1);
	assert_int_equal(parse_n(&r, text, (size_t)(p - text)), 0);
	assert_int_equal(r.n, 14);
	assert_int_equal(strlen(r.values[10]), 1000u << 10);
	assert_string_equal(r.keys[11], "X12");
	assert_string_equal(r.values[11], "");
	assert_int_equal(r.nwarn, 1);
	assert_int_equal(r.warns[0], 12);
	result_free(&r);

	/* Many copies of a big value exhaust the per-file budget: -2. */
	p = text + sprintf(text, "X0=");
	for (i = 0; i < 1000; i++)
		*p++ = 'x';
	*p++ = '\n';
	for (i = 1; i <= 10; i++)
		p += sprintf(p, "X%zu=${X%zu}${X%zu}\n", i, i - 1, i - 1);
	for (i = 0; i < 100; i++)
		p += sprintf(p, "Y=${X10}\n");
	assert_int_equal(parse_n(&r, text, (size_t)(p - text)), -2);
	assert_true(r.calls > 50 && r.calls < 80);
	result_free(&r);
	free(text);
}

/* ---- secrets and allocation failures ---- */

static void test_values_wiped(void **state)
{
	static const char secret[] = "hf_DotenvSecretThatMustBeWiped";
	char text[512], *copy;
	struct result r = { 0 };
	int n;

	(void)state;
	n = snprintf(text, sizeof(text),
		     "HF_TOKEN=%s\nB=${HF_TOKEN}\nC=\"%s\\n\"\nD='%s'\nE=${NOPE:-%s}\n"
		     "HF_TOKEN=replaced\nB=\n",
		     secret, secret, secret, secret);
	copy = malloc((size_t)n);
	assert_non_null(copy);
	memcpy(copy, text, (size_t)n);
	alloc_watch = secret;
	alloc_watch_hits = 0;
	assert_int_equal(hf__dotenv_parse(copy, (size_t)n, on_pair, on_warn, fake_env, &r), 0);
	alloc_watch = NULL;
	assert_int_equal(alloc_watch_hits, 0);
	assert_int_equal(r.n, 7);
	assert_string_equal(r.values[1], secret);
	assert_string_equal(r.values[4], secret);
	hf__wipe(copy, (size_t)n);
	free(copy);
	result_free(&r);

	/* The watch does see an unwiped copy. */
	alloc_watch = secret;
	free(hf__strdup(secret));
	alloc_watch = NULL;
	assert_int_equal(alloc_watch_hits, 1);
}

static void test_alloc_failures(void **state)
{
	static const char text[] =
		"A=plain\nB=\"quoted\\n\"\nC='single'\nD=${A}-${ENVX}-${NOPE:-d}\n"
		"E=${D}${D}${D}${D}${D}${D}${D}${D}${D}${D}${D}${D}${D}${D}${D}${D}\n"
		"F=${E}${E}${E}${E}${E}${E}${E}${E}${E}${E}${E}${E}${E}${E}${E}${E}\n"
		"G1=1\nG2=2\nG3=3\nG4=4\nG5=5\nG6=6\nG7=7\nG8=8\nG9=9\nG10=10\n"
		"G11=11\nG12=12\nG13=13\nG14=14\nG15=15\nG16=16\nG17=17\nH=${G17}\n";
	struct result r = { 0 };
	long i;
	int rc;

	(void)state;
	/* Fail each allocation in turn: -2 every time, and no leak. */
	for (i = 0;; i++) {
		alloc_fail_at = i;
		alloc_failed = 0;
		rc = hf__dotenv_parse(text, sizeof(text) - 1, on_pair, on_warn, fake_env, &r);
		alloc_fail_at = -1;
		if (!alloc_failed) {
			assert_int_equal(rc, 0);
			break;
		}
		assert_int_equal(rc, -2);
		assert_int_equal(r.nwarn, 0);
		result_free(&r);
	}
	assert_true(i > 20);
	assert_int_equal(r.n, 24);
	assert_string_equal(r.values[3], "plain-envx-d");
	assert_int_equal(strlen(r.values[5]), 16 * 16 * strlen("plain-envx-d"));
	assert_string_equal(r.keys[23], "H");
	assert_string_equal(r.values[23], "17");
	result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_export),
		cmocka_unit_test(test_quoted_keys),
		cmocka_unit_test(test_single_quotes),
		cmocka_unit_test(test_double_quotes),
		cmocka_unit_test(test_unquoted_values),
		cmocka_unit_test(test_empty_and_missing_values),
		cmocka_unit_test(test_line_endings),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_quote_backtracking),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_expansion),
		cmocka_unit_test(test_expansion_order),
		cmocka_unit_test(test_expansion_getenv),
		cmocka_unit_test(test_no_lookup_without_variables),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_null_callbacks),
		cmocka_unit_test(test_not_terminated),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_many_quote_lines),
		cmocka_unit_test(test_many_unclosed_variables),
		cmocka_unit_test(test_expansion_limits),
		cmocka_unit_test(test_values_wiped),
		cmocka_unit_test(test_alloc_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

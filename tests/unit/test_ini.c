/*
 * The configparser dialect of ini.h (stored_tokens). Expected texts were
 * produced with Python 3.11's configparser: RawConfigParser for reading
 * (empty_lines_in_values=False, see ini.c) and ConfigParser.write() with
 * sections added in sorted order, as huggingface_hub does, for writing.
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

#include "ini.h"
#include "util.h"

/* ---- helpers ---- */

/*
 * Parse from a heap copy without a terminating NUL, so that ASan reports
 * any read past len.
 */
static int parse_n(hf__ini *ini, const char *text, size_t len, size_t *line)
{
	char *copy = malloc(len ? len : 1);
	int rc;

	assert_non_null(copy);
	if (len)
		memcpy(copy, text, len);
	rc = hf__ini_parse(ini, copy, len, line);
	free(copy);
	return rc;
}

static int parse(hf__ini *ini, const char *text, size_t *line)
{
	return parse_n(ini, text, strlen(text), line);
}

/* Parse text that must be valid. */
static void parse_ok(hf__ini *ini, const char *text)
{
	size_t line = 99;

	assert_int_equal(parse(ini, text, &line), 0);
	assert_int_equal(line, 0);
}

/* Parse text that must be a syntax error at want_line; out stays empty. */
static void parse_err(const char *text, size_t want_line)
{
	hf__ini ini = HF__INI_INIT;
	size_t line = 0;

	assert_int_equal(parse(&ini, text, &line), -1);
	assert_int_equal(line, want_line);
	assert_null(ini.sections);
	assert_int_equal(ini.count, 0);
	/* The line pointer is optional. */
	assert_int_equal(parse(&ini, text, NULL), -1);
}

static void check_serialized(const hf__ini *ini, const char *want)
{
	char *s = hf__ini_serialize(ini);

	assert_non_null(s);
	assert_string_equal(s, want);
	free(s);
}

/* ---- parsing ---- */

static void test_basic(void **state)
{
	hf__ini ini = HF__INI_INIT;

	(void)state;
	parse_ok(&ini, "[work]\nhf_token = hf_abc\n\n[home]\nhf_token=hf_def\n");
	assert_int_equal(ini.count, 2);
	/* Sections keep file order in memory. */
	assert_string_equal(ini.sections[0].name, "work");
	assert_string_equal(ini.sections[1].name, "home");
	assert_int_equal(ini.sections[0].count, 1);
	assert_string_equal(ini.sections[0].entries[0].key, "hf_token");
	assert_string_equal(ini.sections[0].entries[0].value, "hf_abc");
	assert_string_equal(hf__ini_get(&ini, "work", "hf_token"), "hf_abc");
	assert_string_equal(hf__ini_get(&ini, "home", "hf_token"), "hf_def");
	assert_null(hf__ini_get(&ini, "work", "other"));
	assert_null(hf__ini_get(&ini, "nope", "hf_token"));
	/* Section names are case-sensitive, keys are not. */
	assert_null(hf__ini_get(&ini, "Work", "hf_token"));
	assert_string_equal(hf__ini_get(&ini, "work", "HF_Token"), "hf_abc");
	assert_null(hf__ini_get(&ini, NULL, "hf_token"));
	assert_null(hf__ini_get(&ini, "work", NULL));
	assert_null(hf__ini_get(NULL, "work", "hf_token"));
	hf__ini_dispose(&ini);
	assert_null(ini.sections);
	assert_int_equal(ini.count, 0);
	/* Disposing again, or an empty ini, is harmless. */
	hf__ini_dispose(&ini);
	hf__ini_dispose(NULL);
}

static void test_delimiters_and_strip(void **state)
{
	hf__ini ini = HF__INI_INIT;

	(void)state;
	parse_ok(&ini,
		 "[s]\n"
		 "colon: v1\n"
		 "spaced key   =   spaced value   \n"
		 "eq_then_colon = a:b\n"
		 "colon_then_eq : a=b\n"
		 "tight=x=y\n"
		 "empty =\n"
		 "empty2:\n"
		 "MiXeD = KeepsCase\n"
		 "tabs\t=\tt\t\n");
	assert_string_equal(hf__ini_get(&ini, "s", "colon"), "v1");
	/* Keys are right-stripped (inner spaces kept), values stripped. */
	assert_string_equal(hf__ini_get(&ini, "s", "spaced key"), "spaced value");
	/* The first delimiter of either kind splits. */
	assert_string_equal(hf__ini_get(&ini, "s", "eq_then_colon"), "a:b");
	assert_string_equal(hf__ini_get(&ini, "s", "colon_then_eq"), "a=b");
	assert_string_equal(hf__ini_get(&ini, "s", "tight"), "x=y");
	assert_string_equal(hf__ini_get(&ini, "s", "empty"), "");
	assert_string_equal(hf__ini_get(&ini, "s", "empty2"), "");
	/* optionxform lower-cases the stored key only. */
	assert_string_equal(ini.sections[0].entries[7].key, "mixed");
	assert_string_equal(hf__ini_get(&ini, "s", "mixed"), "KeepsCase");
	assert_string_equal(hf__ini_get(&ini, "s", "tabs"), "t");
	assert_int_equal(ini.sections[0].count, 9);
	hf__ini_dispose(&ini);
}

static void test_comments(void **state)
{
	hf__ini ini = HF__INI_INIT;

	(void)state;
	parse_ok(&ini,
		 "# leading comment\n"
		 "; another\n"
		 "\n"
		 "   # indented comment before any section\n"
		 "[s]\n"
		 "# full line\n"
		 "\t; indented\n"
		 "a = v # not a comment\n"
		 "b = v ; nor this\n"
		 "c = #value\n");
	assert_int_equal(ini.count, 1);
	assert_int_equal(ini.sections[0].count, 3);
	/* Inline comments are not stripped (RawConfigParser default). */
	assert_string_equal(hf__ini_get(&ini, "s", "a"), "v # not a comment");
	assert_string_equal(hf__ini_get(&ini, "s", "b"), "v ; nor this");
	assert_string_equal(hf__ini_get(&ini, "s", "c"), "#value");
	hf__ini_dispose(&ini);

	/* Only comments and blank lines: no sections, no error. */
	parse_ok(&ini, "# a\n\n; b\n   \n\t\n");
	assert_int_equal(ini.count, 0);
	hf__ini_dispose(&ini);
	parse_ok(&ini, "");
	assert_int_equal(ini.count, 0);
	assert_null(ini.sections);
}

static void test_continuation(void **state)
{
	hf__ini ini = HF__INI_INIT;

	(void)state;
	parse_ok(&ini,
		 "[s]\n"
		 "k = first\n"
		 "  second\n"
		 "\tthird   \n"
		 "      fourth = not a key\n"
		 "n = 1\n");
	assert_string_equal(hf__ini_get(&ini, "s", "k"),
			    "first\nsecond\nthird\nfourth = not a key");
	assert_string_equal(hf__ini_get(&ini, "s", "n"), "1");
	assert_int_equal(ini.sections[0].count, 2);
	hf__ini_dispose(&ini);

	/* An empty first line still starts the value. */
	parse_ok(&ini, "[s]\nk =\n  more\n");
	assert_string_equal(hf__ini_get(&ini, "s", "k"), "\nmore");
	hf__ini_dispose(&ini);

	/* Deeper than the key line, not merely indented. */
	parse_ok(&ini, "[s]\n  a = 1\n  b = 2\n    c\n d = 3\n");
	assert_int_equal(ini.sections[0].count, 3);
	assert_string_equal(hf__ini_get(&ini, "s", "a"), "1");
	assert_string_equal(hf__ini_get(&ini, "s", "b"), "2\nc");
	assert_string_equal(hf__ini_get(&ini, "s", "d"), "3");
	hf__ini_dispose(&ini);

	/* An indented header after a key continues the value... */
	parse_ok(&ini, "[s]\nk = v\n  [t]\n");
	assert_int_equal(ini.count, 1);
	assert_string_equal(hf__ini_get(&ini, "s", "k"), "v\n[t]");
	hf__ini_dispose(&ini);

	/* ...but the first line of a section is never a continuation. */
	parse_ok(&ini, "[s]\n    k = v\n[t]\n   j = w\n");
	assert_string_equal(hf__ini_get(&ini, "s", "k"), "v");
	assert_string_equal(hf__ini_get(&ini, "t", "j"), "w");
	hf__ini_dispose(&ini);

	/* A blank line ends the value; an indented key after it is a key. */
	parse_ok(&ini, "[s]\nk = a\n\n  b = 2\n");
	assert_string_equal(hf__ini_get(&ini, "s", "k"), "a");
	assert_string_equal(hf__ini_get(&ini, "s", "b"), "2");
	hf__ini_dispose(&ini);

	/* So does a comment line (empty_lines_in_values=False). */
	parse_ok(&ini, "[s]\nk = a\n# c\n  b = 2\n");
	assert_string_equal(hf__ini_get(&ini, "s", "k"), "a");
	assert_string_equal(hf__ini_get(&ini, "s", "b"), "2");
	hf__ini_dispose(&ini);

	/* After the blank line, indented text without '=' is an error. */
	parse_err("[s]\nk = a\n\n  b\n", 4);
}

static void test_section_names(void **state)
{
	hf__ini ini = HF__INI_INIT;

	(void)state;
	/* The header runs to the last ']' and the rest is ignored. */
	parse_ok(&ini,
		 "[a]b]\n"
		 "[sec] trailing junk\n"
		 "[ spaced ]\n"
		 "  [indented]  \n"
		 "[]]\n"
		 "[x=y]\n"
		 "[caf\xc3\xa9]\n");
	assert_int_equal(ini.count, 7);
	assert_string_equal(ini.sections[0].name, "a]b");
	assert_string_equal(ini.sections[1].name, "sec");
	assert_string_equal(ini.sections[2].name, " spaced ");
	assert_string_equal(ini.sections[3].name, "indented");
	assert_string_equal(ini.sections[4].name, "]");
	assert_string_equal(ini.sections[5].name, "x=y");
	assert_string_equal(ini.sections[6].name, "caf\xc3\xa9");
	assert_int_equal(ini.sections[0].count, 0);
	hf__ini_dispose(&ini);

	/* Not a header but a key line: "[a" = "b". */
	parse_ok(&ini, "[s]\n[a = b\n");
	assert_string_equal(hf__ini_get(&ini, "s", "[a"), "b");
	hf__ini_dispose(&ini);
}

static void test_line_endings(void **state)
{
	hf__ini ini = HF__INI_INIT;
	static const char crlf[] = "[s]\r\na = 1\r\n  cont\r\nb = 2\r\n";
	static const char cr[] = "[s]\ra = 1\r  cont\rb = 2\r";
	static const char mixed[] = "[s]\na = 1\r\n  cont\rb = 2";

	(void)state;
	parse_ok(&ini, crlf);
	assert_string_equal(hf__ini_get(&ini, "s", "a"), "1\ncont");
	assert_string_equal(hf__ini_get(&ini, "s", "b"), "2");
	hf__ini_dispose(&ini);
	parse_ok(&ini, cr);
	assert_string_equal(hf__ini_get(&ini, "s", "a"), "1\ncont");
	assert_string_equal(hf__ini_get(&ini, "s", "b"), "2");
	hf__ini_dispose(&ini);
	/* The last line needs no newline. */
	parse_ok(&ini, mixed);
	assert_string_equal(hf__ini_get(&ini, "s", "a"), "1\ncont");
	assert_string_equal(hf__ini_get(&ini, "s", "b"), "2");
	hf__ini_dispose(&ini);
	parse_ok(&ini, "[s]");
	assert_int_equal(ini.count, 1);
	hf__ini_dispose(&ini);
	/* Line numbers count CRLF once and a lone CR as a line. */
	parse_err("[s]\r\na = 1\r\nbad\r\n", 3);
	parse_err("[s]\ra = 1\rbad\r", 3);
	parse_err("[s]\r\n\r\n\rbad", 4);
}

static void test_errors(void **state)
{
	(void)state;
	/* MissingSectionHeaderError. */
	parse_err("k = v\n[s]\n", 1);
	parse_err("# c\n\nk = v\n", 3);
	parse_err("  indented = before section\n", 1);
	/* A line that is neither header nor key. */
	parse_err("[s]\nno delimiter here\n", 2);
	parse_err("[s]\nk = v\n[t\n", 3);
	/* Empty key. */
	parse_err("[s]\n= v\n", 2);
	parse_err("[s]\n  : v\n", 2);
	/* Empty header: "[]" is not a header, and not a key line either. */
	parse_err("[]\n", 1);
	parse_err("[s]\n[]\n", 2);
	/* Duplicates (strict). */
	parse_err("[s]\n[t]\n[s]\n", 3);
	parse_err("[s]\na = 1\nb = 2\na = 3\n", 4);
	parse_err("[s]\nKey = 1\nkEY = 2\n", 3);
	parse_err("[s]\nkey = 1\nkey  : 2\n", 3);
	/* The same key in different sections is fine (see test_basic). */
}

static void test_nul_bytes(void **state)
{
	hf__ini ini = HF__INI_INIT;
	static const char in_value[] = "[s]\nk = a\0b\n";
	static const char in_comment[] = "[s]\n# x\0y\nk = v\n";
	static const char in_name[] = "[s\0t]\n";
	size_t line = 0;

	(void)state;
	/* A NUL cannot be carried in a C string: the line is an error. */
	assert_int_equal(parse_n(&ini, in_value, sizeof(in_value) - 1, &line), -1);
	assert_int_equal(line, 2);
	assert_int_equal(ini.count, 0);
	assert_int_equal(parse_n(&ini, in_comment, sizeof(in_comment) - 1, &line), -1);
	assert_int_equal(line, 2);
	assert_int_equal(parse_n(&ini, in_name, sizeof(in_name) - 1, &line), -1);
	assert_int_equal(line, 1);
	assert_null(ini.sections);
}

static void test_not_terminated(void **state)
{
	hf__ini ini = HF__INI_INIT;
	static const char text[] = "[s]\nk = value\n[t]\nz = 1";
	size_t line = 0;

	(void)state;
	/* Only len bytes count: cut inside the last value. */
	assert_int_equal(parse_n(&ini, text, sizeof(text) - 1 - 5, &line), 0);
	assert_int_equal(ini.count, 2);
	assert_string_equal(hf__ini_get(&ini, "s", "k"), "value");
	assert_null(hf__ini_get(&ini, "t", "z"));
	hf__ini_dispose(&ini);
	assert_int_equal(parse_n(&ini, text, 9, &line), 0);
	assert_string_equal(hf__ini_get(&ini, "s", "k"), "v");
	hf__ini_dispose(&ini);
	/* Cut in the middle of a header: "[s" is not one. */
	assert_int_equal(parse_n(&ini, text, 2, &line), -1);
	assert_int_equal(line, 1);
	/* NULL text is only fine when empty. */
	assert_int_equal(hf__ini_parse(&ini, NULL, 0, &line), 0);
	assert_int_equal(ini.count, 0);
	assert_int_equal(hf__ini_parse(&ini, NULL, 5, &line), -1);
}

static void test_out_must_be_empty(void **state)
{
	hf__ini ini = HF__INI_INIT;
	size_t line = 0;

	(void)state;
	parse_ok(&ini, "[s]\nk = v\n");
	/* Refused without touching what is there. */
	assert_int_equal(parse(&ini, "[t]\n", &line), -1);
	assert_int_equal(ini.count, 1);
	assert_string_equal(hf__ini_get(&ini, "s", "k"), "v");
	hf__ini_dispose(&ini);
	assert_int_equal(hf__ini_parse(NULL, "[s]", 3, &line), -1);
}

static void test_long_lines(void **state)
{
	hf__ini ini = HF__INI_INIT;
	const size_t n = 100 * 1024;
	char *text = malloc(n + 64), *p, *s;
	const char *v;
	size_t i;

	(void)state;
	assert_non_null(text);
	p = text + sprintf(text, "[s]\nbig = ");
	for (i = 0; i < n; i++)
		*p++ = (char)('a' + i % 26);
	p += sprintf(p, "\n  tail");
	assert_int_equal(parse_n(&ini, text, (size_t)(p - text), NULL), 0);
	v = hf__ini_get(&ini, "s", "big");
	assert_non_null(v);
	assert_int_equal(strlen(v), n + 5);
	assert_memory_equal(v, text + 10, n);
	assert_string_equal(v + n, "\ntail");
	/* And it serialises back to the same text. */
	s = hf__ini_serialize(&ini);
	assert_non_null(s);
	assert_int_equal(strlen(s), 4 + 6 + n + 6 + 1 + 1);
	assert_memory_equal(s, "[s]\nbig = ", 10);
	assert_memory_equal(s + 10, text + 10, n);
	assert_string_equal(s + 10 + n, "\n\ttail\n\n");
	free(s);
	hf__ini_dispose(&ini);

	/* A 100 KB section name and key. */
	p = text;
	*p++ = '[';
	for (i = 0; i < n; i++)
		*p++ = 'n';
	p += sprintf(p, "]\n");
	assert_int_equal(parse_n(&ini, text, (size_t)(p - text), NULL), 0);
	assert_int_equal(strlen(ini.sections[0].name), n);
	hf__ini_dispose(&ini);
	free(text);
}

static void test_many_sections(void **state)
{
	hf__ini ini = HF__INI_INIT;
	const int n = 20000;
	size_t cap = (size_t)n * 40 + 64, len = 0, line = 0;
	char *text = malloc(cap);
	int i;

	(void)state;
	assert_non_null(text);
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(text + len, "[t%d]\nhf_token = hf_%d\nk%d = x\n", i, i, i);
	assert_int_equal(parse_n(&ini, text, len, NULL), 0);
	assert_int_equal(ini.count, (size_t)n);
	assert_string_equal(hf__ini_get(&ini, "t12345", "hf_token"), "hf_12345");
	assert_string_equal(hf__ini_get(&ini, "t19999", "k19999"), "x");
	hf__ini_dispose(&ini);

	/* A duplicate far down the file is still found, with its line. */
	len += (size_t)sprintf(text + len, "[t7]\n");
	assert_int_equal(parse_n(&ini, text, len, &line), -1);
	assert_int_equal(line, (size_t)n * 3 + 1);
	assert_int_equal(ini.count, 0);

	/* So is a duplicate key among many in one section. */
	len = (size_t)sprintf(text, "[s]\n");
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(text + len, "key%d = %d\n", i, i);
	len += (size_t)sprintf(text + len, "KEY4242 = again\n");
	assert_int_equal(parse_n(&ini, text, len, &line), -1);
	assert_int_equal(line, (size_t)n + 2);
	free(text);
}

/* ---- serialisation ---- */

static void test_serialize_python_output(void **state)
{
	hf__ini ini = HF__INI_INIT;

	(void)state;
	/* Same text as configparser.ConfigParser().write() after sorted add. */
	assert_int_equal(hf__ini_set(&ini, "work", "hf_token", "hf_work"), 0);
	assert_int_equal(hf__ini_set(&ini, "zeta", "hf_token", "hf_z"), 0);
	assert_int_equal(hf__ini_set(&ini, "caf\xc3\xa9", "hf_token", "hf_e"), 0);
	assert_int_equal(hf__ini_set(&ini, "Alpha", "hf_token", "hf_A"), 0);
	assert_int_equal(hf__ini_set(&ini, "_x", "hf_token", "hf_u"), 0);
	assert_int_equal(hf__ini_set(&ini, "beta", "hf_token", "hf_b"), 0);
	assert_int_equal(hf__ini_set(&ini, "work", "empty", ""), 0);
	assert_int_equal(hf__ini_set(&ini, "work", "multi", "line1\nline2\nline3"), 0);
	check_serialized(&ini,
			 "[Alpha]\nhf_token = hf_A\n\n"
			 "[_x]\nhf_token = hf_u\n\n"
			 "[beta]\nhf_token = hf_b\n\n"
			 "[caf\xc3\xa9]\nhf_token = hf_e\n\n"
			 "[work]\nhf_token = hf_work\nempty = \nmulti = line1\n\tline2\n\tline3\n\n"
			 "[zeta]\nhf_token = hf_z\n\n");
	hf__ini_dispose(&ini);

	/* Nothing at all: an empty string, not NULL. */
	check_serialized(&ini, "");
	assert_null(hf__ini_serialize(NULL));
}

static void test_serialize_keeps_key_order(void **state)
{
	hf__ini ini = HF__INI_INIT;

	(void)state;
	parse_ok(&ini, "[b]\nz = 1\na = 2\nM = 3\n[a]\n[c]\nk:v\n");
	check_serialized(&ini, "[a]\n\n[b]\nz = 1\na = 2\nm = 3\n\n[c]\nk = v\n\n");
	/* Serialising does not reorder the sections in memory. */
	assert_string_equal(ini.sections[0].name, "b");
	hf__ini_dispose(&ini);
}

static void test_round_trip(void **state)
{
	static const char *const texts[] = {
		"[a]\nhf_token = hf_1\n\n[b]\nhf_token = hf_2\nrefresh_token = r\n\n",
		"[s]\nk = first\n\tsecond\n\tthird\n\n",
		"[s]\nk = \n\tafter empty\n\n",
		"[s]\nempty = \n\n[t]\n\n",
		"[x]]\nv = a = b : c\n\n",
	};
	hf__ini ini = HF__INI_INIT, again = HF__INI_INIT;
	size_t i;
	char *s;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		/* Canonical text reads and writes back byte for byte. */
		parse_ok(&ini, texts[i]);
		s = hf__ini_serialize(&ini);
		assert_non_null(s);
		assert_string_equal(s, texts[i]);
		parse_ok(&again, s);
		assert_int_equal(again.count, ini.count);
		free(s);
		hf__ini_dispose(&again);
		hf__ini_dispose(&ini);
	}

	/* Loose text reads back as its canonical form. */
	parse_ok(&ini, "; tokens\n[z]\n  HF_TOKEN:hf_9   \n[a]\nhf_token=hf_1");
	check_serialized(&ini, "[a]\nhf_token = hf_1\n\n[z]\nhf_token = hf_9\n\n");
	hf__ini_dispose(&ini);
}

/* ---- editing ---- */

static void test_set(void **state)
{
	hf__ini ini = HF__INI_INIT;

	(void)state;
	assert_int_equal(hf__ini_set(&ini, "s", "Hf_Token", "one"), 0);
	assert_int_equal(ini.count, 1);
	/* The key is stored lower-cased... */
	assert_string_equal(ini.sections[0].entries[0].key, "hf_token");
	/* ...so a differently cased set replaces it. */
	assert_int_equal(hf__ini_set(&ini, "s", "HF_TOKEN", "two"), 0);
	assert_int_equal(ini.sections[0].count, 1);
	assert_string_equal(hf__ini_get(&ini, "s", "hf_token"), "two");
	assert_int_equal(hf__ini_set(&ini, "s", "other", ""), 0);
	assert_int_equal(ini.sections[0].count, 2);
	/* Section names are case-sensitive. */
	assert_int_equal(hf__ini_set(&ini, "S", "hf_token", "three"), 0);
	assert_int_equal(ini.count, 2);

	/* On a parsed ini too. */
	hf__ini_dispose(&ini);
	parse_ok(&ini, "[a]\n[b]\nk = 1\n");
	assert_int_equal(hf__ini_set(&ini, "a", "k", "new"), 0);
	assert_int_equal(hf__ini_set(&ini, "b", "k", "2"), 0);
	assert_int_equal(hf__ini_set(&ini, "c", "k", "3"), 0);
	check_serialized(&ini, "[a]\nk = new\n\n[b]\nk = 2\n\n[c]\nk = 3\n\n");
	hf__ini_dispose(&ini);
}

static void test_set_refuses_what_would_not_read_back(void **state)
{
	static const char *const bad[][3] = {
		{ "", "k", "v" },
		{ "a\nb", "k", "v" },
		{ "a\rb", "k", "v" },
		{ "DEFAULT", "k", "v" },
		{ "s", "", "v" },
		{ "s", "a=b", "v" },
		{ "s", "a:b", "v" },
		{ "s", "a\nb", "v" },
		{ "s", " k", "v" },
		{ "s", "k\t", "v" },
		{ "s", "[k", "v" },
		{ "s", "#k", "v" },
		{ "s", ";k", "v" },
		{ "s", "k", "a\rb" },
	};
	hf__ini ini = HF__INI_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(hf__ini_set(&ini, bad[i][0], bad[i][1], bad[i][2]), -1);
	assert_int_equal(ini.count, 0);
	assert_int_equal(hf__ini_set(&ini, NULL, "k", "v"), -1);
	assert_int_equal(hf__ini_set(&ini, "s", NULL, "v"), -1);
	assert_int_equal(hf__ini_set(&ini, "s", "k", NULL), -1);
	assert_int_equal(hf__ini_set(NULL, "s", "k", "v"), -1);
	assert_null(ini.sections);
	/* Odd but faithful names are fine. */
	assert_int_equal(hf__ini_set(&ini, " my token ]", "inner space", "v # c"), 0);
	check_serialized(&ini, "[ my token ]]\ninner space = v # c\n\n");
	hf__ini_dispose(&ini);
}

static void test_remove_section(void **state)
{
	hf__ini ini = HF__INI_INIT;

	(void)state;
	parse_ok(&ini, "[a]\nk = 1\n[b]\nk = 2\n[c]\nk = 3\n");
	assert_int_equal(hf__ini_remove_section(&ini, "b"), 1);
	assert_int_equal(hf__ini_remove_section(&ini, "b"), 0);
	assert_int_equal(hf__ini_remove_section(&ini, "B"), 0);
	assert_int_equal(ini.count, 2);
	assert_string_equal(ini.sections[0].name, "a");
	assert_string_equal(ini.sections[1].name, "c");
	assert_string_equal(hf__ini_get(&ini, "c", "k"), "3");
	assert_null(hf__ini_get(&ini, "b", "k"));
	assert_int_equal(hf__ini_remove_section(&ini, "a"), 1);
	assert_int_equal(hf__ini_remove_section(&ini, "c"), 1);
	assert_int_equal(ini.count, 0);
	check_serialized(&ini, "");
	/* Usable again after being emptied. */
	assert_int_equal(hf__ini_set(&ini, "d", "k", "4"), 0);
	check_serialized(&ini, "[d]\nk = 4\n\n");
	assert_int_equal(hf__ini_remove_section(&ini, NULL), 0);
	assert_int_equal(hf__ini_remove_section(NULL, "d"), 0);
	hf__ini_dispose(&ini);
}

/* ---- secrets and allocation failures ---- */

static void test_values_wiped(void **state)
{
	static const char secret[] = "hf_SecretValueThatMustBeWiped";
	hf__ini ini = HF__INI_INIT;
	char text[256];
	int n;

	(void)state;
	/* The watch does see an unwiped string. */
	alloc_watch = secret;
	alloc_watch_hits = 0;
	free(hf__strdup(secret));
	assert_int_equal(alloc_watch_hits, 1);

	n = snprintf(text, sizeof(text), "[a]\nhf_token = %s\n[b]\nhf_token = %s\n  more\n",
		     secret, secret);
	alloc_watch = NULL;
	assert_int_equal(parse_n(&ini, text, (size_t)n, NULL), 0);
	alloc_watch = secret;
	alloc_watch_hits = 0;
	/* Replacing, removing and disposing all wipe the old value. */
	assert_int_equal(hf__ini_set(&ini, "a", "hf_token", "other"), 0);
	assert_int_equal(hf__ini_remove_section(&ini, "b"), 1);
	assert_int_equal(hf__ini_set(&ini, "c", "hf_token", secret), 0);
	hf__ini_dispose(&ini);
	assert_int_equal(alloc_watch_hits, 0);

	/* A parse that fails after reading a value wipes it too. */
	n = snprintf(text, sizeof(text), "[a]\nhf_token = %s\nbroken\n", secret);
	alloc_watch = NULL;
	{
		char *copy = malloc((size_t)n);

		assert_non_null(copy);
		memcpy(copy, text, (size_t)n);
		alloc_watch = secret;
		assert_int_equal(hf__ini_parse(&ini, copy, (size_t)n, NULL), -1);
		alloc_watch = NULL;
		memset(copy, 0, (size_t)n);
		free(copy);
	}
	assert_int_equal(alloc_watch_hits, 0);
}

static void test_alloc_failures(void **state)
{
	static const char text[] =
		"[a]\nhf_token = hf_1\nk = multi\n  line\n[b]\nhf_token = hf_2\n"
		"[c]\nx = 1\ny = 2\nz = 3\nw = 4\nv = 5\n";
	hf__ini ini = HF__INI_INIT;
	size_t line;
	long i;
	int rc;
	char *s;

	(void)state;
	/* Fail each allocation in turn: -2, an empty result, and no leak. */
	for (i = 0;; i++) {
		alloc_fail_at = i;
		alloc_failed = 0;
		line = 77;
		rc = hf__ini_parse(&ini, text, sizeof(text) - 1, &line);
		alloc_fail_at = -1;
		if (!alloc_failed) {
			assert_int_equal(rc, 0);
			break;
		}
		assert_int_equal(rc, -2);
		assert_int_equal(line, 0);
		assert_null(ini.sections);
		assert_int_equal(ini.count, 0);
	}
	assert_true(i > 5);

	for (i = 0;; i++) {
		alloc_fail_at = i;
		alloc_failed = 0;
		s = hf__ini_serialize(&ini);
		alloc_fail_at = -1;
		if (!alloc_failed)
			break;
		assert_null(s);
	}
	assert_non_null(s);
	free(s);

	/* A failed set changes nothing, not even by adding a section. */
	for (i = 0;; i++) {
		alloc_fail_at = i;
		alloc_failed = 0;
		rc = hf__ini_set(&ini, "new", "hf_token", "hf_3");
		alloc_fail_at = -1;
		if (!alloc_failed)
			break;
		assert_int_equal(rc, -1);
		assert_int_equal(ini.count, 3);
		assert_null(hf__ini_get(&ini, "new", "hf_token"));
	}
	assert_int_equal(rc, 0);
	assert_int_equal(ini.count, 4);
	for (i = 0;; i++) {
		alloc_fail_at = i;
		alloc_failed = 0;
		rc = hf__ini_set(&ini, "a", "hf_token", "hf_replaced");
		alloc_fail_at = -1;
		if (!alloc_failed)
			break;
		assert_int_equal(rc, -1);
		assert_string_equal(hf__ini_get(&ini, "a", "hf_token"), "hf_1");
	}
	assert_int_equal(rc, 0);
	assert_string_equal(hf__ini_get(&ini, "a", "hf_token"), "hf_replaced");
	hf__ini_dispose(&ini);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_delimiters_and_strip),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_continuation),
		cmocka_unit_test(test_section_names),
		cmocka_unit_test(test_line_endings),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_not_terminated),
		cmocka_unit_test(test_out_must_be_empty),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_many_sections),
		cmocka_unit_test(test_serialize_python_output),
		cmocka_unit_test(test_serialize_keeps_key_order),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_set_refuses_what_would_not_read_back),
		cmocka_unit_test(test_remove_section),
		cmocka_unit_test(test_values_wiped),
		cmocka_unit_test(test_alloc_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

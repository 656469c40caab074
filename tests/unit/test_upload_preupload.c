/*
 * Preupload request and answer parser (src/lib/upload/preupload.h),
 * following upload-protocol.md §4: the request's exact bytes, chunk
 * limits, the .gitignore lookup, and well-formed, [open]-tolerant and
 * malformed answers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "upload/preupload.h"

static const unsigned char hello[] = "hello\n";

static void test_request(void **state)
{
	hf__buf b = HF__BUF_INIT;
	hf__preupload_file f[2] = {
		{ "a.txt", 6, hello, 6 },
		{ "d/\xc3\xa9.bin", 0, NULL, 0 },
	};

	(void)state;
	assert_int_equal(hf__preupload_request(&b, f, 2, NULL), 0);
	assert_string_equal(b.data,
		"{\"files\":[{\"path\":\"a.txt\",\"sample\":\"aGVsbG8K\",\"size\":6},"
		"{\"path\":\"d/\\u00e9.bin\",\"sample\":\"\",\"size\":0}]}");
	hf__buf_dispose(&b);
	assert_int_equal(hf__preupload_request(&b, f, 1, "*.log\n"), 0);
	assert_string_equal(b.data,
		"{\"files\":[{\"path\":\"a.txt\",\"sample\":\"aGVsbG8K\",\"size\":6}],"
		"\"gitIgnore\":\"*.log\\n\"}");
	hf__buf_dispose(&b);
}

static void test_request_sample_cut(void **state)
{
	static unsigned char big[700];
	hf__buf b = HF__BUF_INIT;
	hf__preupload_file f = { "x", 700, big, 700 };
	const char *s;

	(void)state;
	assert_int_equal(hf__preupload_request(&b, &f, 1, NULL), 0);
	s = strstr(b.data, "\"sample\":\"");
	assert_non_null(s);
	s += strlen("\"sample\":\"");
	/* 512 bytes -> 684 base64 characters: 170 groups + 2 bytes padded */
	assert_int_equal(strcspn(s, "\""), 684);
	assert_memory_equal(s + 680, "AAA=", 4);
	hf__buf_dispose(&b);
}

static void test_request_limits(void **state)
{
	static hf__preupload_file many[HF__PREUPLOAD_CHUNK + 1];
	hf__buf b = HF__BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i <= HF__PREUPLOAD_CHUNK; i++)
		many[i].path = "p";
	assert_int_equal(hf__preupload_request(&b, many, 0, NULL), -1);
	hf__buf_dispose(&b);
	assert_int_equal(hf__preupload_request(&b, many, HF__PREUPLOAD_CHUNK + 1, NULL), -1);
	hf__buf_dispose(&b);
	assert_int_equal(hf__preupload_request(&b, many, HF__PREUPLOAD_CHUNK, NULL), 0);
	hf__buf_dispose(&b);
	many[3].path = NULL;
	assert_int_equal(hf__preupload_request(&b, many, 4, NULL), -1);
	hf__buf_dispose(&b);
	many[3].path = "p";
	many[3].sample_len = 4;   /* sample NULL with a length */
	assert_int_equal(hf__preupload_request(&b, many, 4, NULL), -1);
	hf__buf_dispose(&b);
	assert_int_equal(hf__preupload_request(&b, many, 1, "\xff"), -1);
	hf__buf_dispose(&b);
}

static void test_find_gitignore(void **state)
{
	hf__preupload_file f[3] = {
		{ "a/.gitignore", 1, NULL, 0 },
		{ ".gitignore", 1, NULL, 0 },
		{ "b", 1, NULL, 0 },
	};

	(void)state;
	assert_int_equal(hf__preupload_find_gitignore(f, 3), 1);
	assert_int_equal(hf__preupload_find_gitignore(f, 1), -1);
	assert_int_equal(hf__preupload_find_gitignore(NULL, 0), -1);
}

static const hf__preupload_file req[3] = {
	{ "a.txt", 6, hello, 6 },
	{ "model.safetensors", 1000000, hello, 6 },
	{ "empty", 0, NULL, 0 },
};

static int parse(const char *body, hf__preupload_answer *out, const char **err)
{
	return hf__preupload_parse(body, strlen(body), req, 3, out, err);
}

static void test_parse_ok(void **state)
{
	hf__preupload_answer a[3];
	const char *err = NULL;

	(void)state;
	assert_int_equal(parse("{\"files\":["
		"{\"path\":\"model.safetensors\",\"uploadMode\":\"lfs\",\"shouldIgnore\":false,"
		"\"oid\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"},"
		"{\"path\":\"a.txt\",\"uploadMode\":\"regular\",\"shouldIgnore\":true,\"oid\":null,\"x\":1},"
		"{\"path\":\"empty\",\"uploadMode\":\"lfs\",\"shouldIgnore\":false},"
		"{\"path\":\"not-asked\",\"uploadMode\":\"lfs\",\"shouldIgnore\":false}"
		"],\"commit\":\"x\"}", a, &err), 0);
	assert_int_equal(a[0].mode, HF__UPLOAD_REGULAR);
	assert_true(a[0].should_ignore);
	assert_string_equal(a[0].oid, "");
	assert_int_equal(a[1].mode, HF__UPLOAD_LFS);
	assert_false(a[1].should_ignore);
	assert_string_equal(a[1].oid,
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	/* empty files are regular whatever the server says */
	assert_int_equal(a[2].mode, HF__UPLOAD_REGULAR);

	/* a 40-hex (git sha1) oid, and a duplicate: the later entry wins */
	assert_int_equal(parse("{\"files\":["
		"{\"path\":\"a.txt\",\"uploadMode\":\"lfs\",\"shouldIgnore\":false},"
		"{\"path\":\"a.txt\",\"uploadMode\":\"regular\",\"shouldIgnore\":false,"
		"\"oid\":\"0123456789abcdef0123456789abcdef01234567\"},"
		"{\"path\":\"model.safetensors\",\"uploadMode\":\"regular\",\"shouldIgnore\":false},"
		"{\"path\":\"empty\",\"uploadMode\":\"regular\",\"shouldIgnore\":false}]}", a, &err), 0);
	assert_int_equal(a[0].mode, HF__UPLOAD_REGULAR);
	assert_string_equal(a[0].oid, "0123456789abcdef0123456789abcdef01234567");
	assert_int_equal(a[1].mode, HF__UPLOAD_REGULAR);
}

static void bad(const char *body)
{
	hf__preupload_answer a[3];
	const char *err = NULL;

	if (parse(body, a, &err) != -1)
		fail_msg("accepted: %s", body);
	assert_non_null(err);
}

#define E1 "{\"path\":\"a.txt\",\"uploadMode\":\"regular\",\"shouldIgnore\":false}"
#define E2 "{\"path\":\"model.safetensors\",\"uploadMode\":\"lfs\",\"shouldIgnore\":false}"
#define E3 "{\"path\":\"empty\",\"uploadMode\":\"regular\",\"shouldIgnore\":false}"

static void test_parse_bad(void **state)
{
	(void)state;
	bad("");
	bad("[]");
	bad("null");
	bad("{}");
	bad("{\"files\":{}}");
	bad("{\"files\":[]}");
	bad("{\"files\":[" E1 "," E2 "]}");                       /* empty missing */
	bad("{\"files\":[" E1 "," E2 "," E3 ",1]}");
	bad("{\"files\":[" E1 "," E2 "," E3 ",{\"uploadMode\":\"lfs\",\"shouldIgnore\":false}]}");
	bad("{\"files\":[" E1 "," E2 ",{\"path\":\"empty\",\"uploadMode\":\"xet\",\"shouldIgnore\":false}]}");
	bad("{\"files\":[" E1 "," E2 ",{\"path\":\"empty\",\"uploadMode\":\"LFS\",\"shouldIgnore\":false}]}");
	bad("{\"files\":[" E1 "," E2 ",{\"path\":\"empty\",\"shouldIgnore\":false}]}");
	bad("{\"files\":[" E1 "," E2 ",{\"path\":\"empty\",\"uploadMode\":\"regular\"}]}");
	bad("{\"files\":[" E1 "," E2 ",{\"path\":\"empty\",\"uploadMode\":\"regular\",\"shouldIgnore\":0}]}");
	bad("{\"files\":[" E1 "," E2 ",{\"path\":\"empty\",\"uploadMode\":\"regular\",\"shouldIgnore\":false,\"oid\":\"abc\"}]}");
	bad("{\"files\":[" E1 "," E2 ",{\"path\":\"empty\",\"uploadMode\":\"regular\",\"shouldIgnore\":false,\"oid\":5}]}");
	bad("{\"files\":[" E1 "," E2 ",{\"path\":\"empty\",\"uploadMode\":\"regular\",\"shouldIgnore\":false,"
	    "\"oid\":\"0123456789abcdef0123456789abcdef0123456g\"}]}");
	bad("{\"files\":[" E1 "," E2 ",{\"path\":\"empt\\u0000y\",\"uploadMode\":\"regular\",\"shouldIgnore\":false}]}");
	bad("{\"files\":[" E1 "," E2 "," E3 "]");              /* truncated */
}

static void test_noop(void **state)
{
	hf__preupload_answer a;

	(void)state;
	memset(&a, 0, sizeof a);
	a.mode = HF__UPLOAD_LFS;
	assert_false(hf__upload_is_noop(&a, "aa", "bb"));          /* no remote oid */
	strcpy(a.oid, "aa");
	assert_true(hf__upload_is_noop(&a, "aa", "bb"));
	assert_false(hf__upload_is_noop(&a, "bb", "aa"));          /* LFS compares sha256 */
	assert_false(hf__upload_is_noop(&a, NULL, "aa"));
	a.mode = HF__UPLOAD_REGULAR;
	assert_true(hf__upload_is_noop(&a, "bb", "aa"));           /* regular: git sha1 */
	assert_false(hf__upload_is_noop(&a, "aa", "bb"));
	assert_false(hf__upload_is_noop(&a, "aa", NULL));
	assert_false(hf__upload_is_noop(NULL, "aa", "aa"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_request_sample_cut),
		cmocka_unit_test(test_request_limits),
		cmocka_unit_test(test_find_gitignore),
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_noop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

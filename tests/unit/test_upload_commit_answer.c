/*
 * The commit answer parser (src/lib/upload/commit_answer.h): the answer
 * observed on the real Hub (upload-protocol.md §7), a PR answer, the PR
 * number pattern, and malformed answers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "upload/commit_answer.h"

#define OID "003e9f0123456789abcdef0123456789abcdef01"

static void test_observed(void **state)
{
	static const char body[] =
		"{\"success\": true, \"commitOid\": \"" OID "\", "
		"\"commitUrl\": \"https://huggingface.co/Buxian/test-model/commit/" OID "\", "
		"\"hookOutput\": \"\"}";
	hf__commit_answer a;
	const char *err = NULL;

	(void)state;
	assert_int_equal(hf__commit_answer_parse(body, strlen(body), &a, &err), 0);
	assert_string_equal(a.oid, OID);
	assert_string_equal(a.url, "https://huggingface.co/Buxian/test-model/commit/" OID);
	assert_null(a.pr_url);
	assert_int_equal(a.pr_num, -1);
	hf__commit_answer_free(&a);
}

static void test_pr(void **state)
{
	static const char body[] =
		"{\"success\":true,\"commitOid\":\"003E9F0123456789ABCDEF0123456789ABCDEF01\","
		"\"commitUrl\":\"https://huggingface.co/datasets/u/d/commit/x\","
		"\"pullRequestUrl\":\"https://huggingface.co/datasets/u/d/discussions/12\"}";
	static const char nosuccess[] =
		"{\"commitOid\":\"" OID "\",\"commitUrl\":\"u\",\"pullRequestUrl\":null}";
	hf__commit_answer a;

	(void)state;
	assert_int_equal(hf__commit_answer_parse(body, strlen(body), &a, NULL), 0);
	assert_string_equal(a.oid, OID);
	assert_string_equal(a.pr_url, "https://huggingface.co/datasets/u/d/discussions/12");
	assert_int_equal(a.pr_num, 12);
	hf__commit_answer_free(&a);
	assert_int_equal(hf__commit_answer_parse(nosuccess, strlen(nosuccess), &a, NULL), 0);
	assert_int_equal(a.pr_num, -1);
	hf__commit_answer_free(&a);
}

static void test_pr_number(void **state)
{
	(void)state;
	assert_int_equal(hf__pr_number_from_url("https://h/u/m/discussions/1"), 1);
	assert_int_equal(hf__pr_number_from_url("/discussions/007"), 7);
	assert_int_equal(hf__pr_number_from_url("https://h/discussions/3/discussions/45"), 45);
	assert_int_equal(hf__pr_number_from_url("https://h/u/m/discussions/"), -1);
	assert_int_equal(hf__pr_number_from_url("https://h/u/m/discussions/1/"), -1);
	assert_int_equal(hf__pr_number_from_url("https://h/u/m/discussions/1a"), -1);
	assert_int_equal(hf__pr_number_from_url("https://h/u/m/discussions/-1"), -1);
	assert_int_equal(hf__pr_number_from_url("https://h/u/m/discussions/1234567890"), -1);
	assert_int_equal(hf__pr_number_from_url("https://h/u/m/pull/1"), -1);
	assert_int_equal(hf__pr_number_from_url(NULL), -1);
}

static void bad(const char *body)
{
	hf__commit_answer a;
	const char *err = NULL;

	if (hf__commit_answer_parse(body, strlen(body), &a, &err) != -1)
		fail_msg("accepted: %s", body);
	assert_non_null(err);
	assert_null(a.url);
	assert_null(a.pr_url);
}

static void test_bad(void **state)
{
	(void)state;
	bad("");
	bad("[]");
	bad("\"x\"");
	bad("{}");
	bad("{\"success\":false,\"commitOid\":\"" OID "\",\"commitUrl\":\"u\"}");
	bad("{\"success\":1,\"commitOid\":\"" OID "\",\"commitUrl\":\"u\"}");
	bad("{\"commitOid\":\"" OID "\"}");
	bad("{\"commitOid\":\"" OID "\",\"commitUrl\":5}");
	bad("{\"commitOid\":\"003e9f\",\"commitUrl\":\"u\"}");
	bad("{\"commitOid\":\"" OID "0\",\"commitUrl\":\"u\"}");
	bad("{\"commitOid\":\"003e9f0123456789abcdef0123456789abcdef0g\",\"commitUrl\":\"u\"}");
	bad("{\"commitOid\":\"003e9f0123456789abcdef0123456789abcdef\\u0000\",\"commitUrl\":\"u\"}");
	bad("{\"commitOid\":null,\"commitUrl\":\"u\"}");
	bad("{\"commitOid\":\"" OID "\",\"commitUrl\":\"u\",\"pullRequestUrl\":\"https://h/x\"}");
	bad("{\"commitOid\":\"" OID "\",\"commitUrl\":\"u\",\"pullRequestUrl\":3}");
	bad("{\"commitOid\":\"" OID "\",\"commitUrl\":\"u\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_observed),
		cmocka_unit_test(test_pr),
		cmocka_unit_test(test_pr_number),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

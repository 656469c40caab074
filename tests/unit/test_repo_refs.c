/*
 * The refs answer parser and the repo id checks (src/lib/repo_refs.h):
 * the answer shape of upload-protocol.md §3 / hf_api.py list_repo_refs,
 * pull requests only when asked for, malformed answers, and the name rules
 * of §2.1.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "repo_refs.h"

#define C1 "0123456789abcdef0123456789abcdef01234567"
#define C2 "89abcdef0123456789abcdef0123456789abcdef"

static const char answer[] =
	"{\"branches\": [{\"name\": \"main\", \"ref\": \"refs/heads/main\", \"targetCommit\": \"" C1 "\"},"
	" {\"name\": \"dev\", \"ref\": \"refs/heads/dev\", \"targetCommit\": \"" C2 "\"}],"
	" \"converts\": [{\"name\": \"parquet\", \"ref\": \"refs/convert/parquet\", \"targetCommit\": \"" C2 "\"}],"
	" \"tags\": [{\"name\": \"v1.0\", \"ref\": \"refs/tags/v1.0\", \"targetCommit\": \"" C1 "\"}],"
	" \"pullRequests\": [{\"name\": \"refs/pr/3\", \"ref\": \"refs/pr/3\", \"targetCommit\": \"" C2 "\"}]}";

static void test_answer(void **state)
{
	hf_refs *r = NULL;
	const char *why = "x";

	(void)state;
	assert_int_equal(hf__refs_parse(answer, strlen(answer), 0, &r, &why), 0);
	assert_null(why);
	assert_int_equal(r->n_branches, 2);
	assert_string_equal(r->branches[0].name, "main");
	assert_string_equal(r->branches[0].ref, "refs/heads/main");
	assert_string_equal(r->branches[0].commit, C1);
	assert_string_equal(r->branches[1].name, "dev");
	assert_string_equal(r->branches[1].commit, C2);
	assert_int_equal(r->n_tags, 1);
	assert_string_equal(r->tags[0].name, "v1.0");
	assert_string_equal(r->tags[0].ref, "refs/tags/v1.0");
	/* not asked for: not read, even when the answer has them */
	assert_null(r->pull_requests);
	assert_int_equal(r->n_pull_requests, 0);
	hf_refs_free(r);

	assert_int_equal(hf__refs_parse(answer, strlen(answer), 1, &r, NULL), 0);
	assert_int_equal(r->n_pull_requests, 1);
	assert_string_equal(r->pull_requests[0].name, "refs/pr/3");
	assert_string_equal(r->pull_requests[0].commit, C2);
	hf_refs_free(r);
}

static void test_empty_and_missing_prs(void **state)
{
	static const char empty[] = "{\"branches\":[],\"converts\":[],\"tags\":[]}";
	static const char nullprs[] = "{\"branches\":[],\"tags\":[],\"pullRequests\":null}";
	hf_refs *r = NULL;

	(void)state;
	assert_int_equal(hf__refs_parse(empty, strlen(empty), 1, &r, NULL), 0);
	assert_int_equal(r->n_branches + r->n_tags + r->n_pull_requests, 0);
	assert_null(r->branches);
	hf_refs_free(r);
	assert_int_equal(hf__refs_parse(nullprs, strlen(nullprs), 1, &r, NULL), 0);
	assert_int_equal(r->n_pull_requests, 0);
	hf_refs_free(r);
	hf_refs_free(NULL);
}

static void bad(const char *json, int include_prs)
{
	hf_refs *r = (hf_refs *)1;
	const char *why = NULL;

	assert_int_equal(hf__refs_parse(json, strlen(json), include_prs, &r, &why), -1);
	assert_null(r);
	assert_non_null(why);
}

static void test_bad(void **state)
{
	(void)state;
	bad("", 0);
	bad("[]", 0);
	bad("{}", 0);
	bad("{\"branches\":[]}", 0);
	bad("{\"tags\":[]}", 0);
	bad("{\"branches\":{},\"tags\":[]}", 0);
	bad("{\"branches\":[1],\"tags\":[]}", 0);
	bad("{\"branches\":[{\"name\":\"main\",\"ref\":\"refs/heads/main\"}],\"tags\":[]}", 0);
	bad("{\"branches\":[{\"name\":\"main\",\"ref\":\"refs/heads/main\",\"targetCommit\":\"abc\"}],"
	    "\"tags\":[]}", 0);
	bad("{\"branches\":[{\"name\":\"main\",\"ref\":\"refs/heads/main\",\"targetCommit\":\"" C1 "0\"}],"
	    "\"tags\":[]}", 0);
	bad("{\"branches\":[{\"name\":5,\"ref\":\"refs/heads/main\",\"targetCommit\":\"" C1 "\"}],"
	    "\"tags\":[]}", 0);
	bad("{\"branches\":[],\"tags\":[{\"name\":\"v\",\"ref\":null,\"targetCommit\":\"" C1 "\"}]}", 0);
	bad("{\"branches\":[],\"tags\":[],\"pullRequests\":\"x\"}", 1);
	bad("{\"branches\":[],\"tags\":[]", 0);
}

static void test_control_characters_made_printable(void **state)
{
	static const char ans[] = "{\"branches\":[{\"name\":\"a\\u001b[31mb\",\"ref\":\"refs/heads/x\\ny\","
				  "\"targetCommit\":\"" C1 "\"}],\"tags\":[]}";
	hf_refs *r = NULL;

	(void)state;
	assert_int_equal(hf__refs_parse(ans, strlen(ans), 0, &r, NULL), 0);
	assert_string_equal(r->branches[0].name, "a?[31mb");
	assert_string_equal(r->branches[0].ref, "refs/heads/x y");
	hf_refs_free(r);
}

static void test_repo_id_problem(void **state)
{
	static const char *const good[] = { "gpt2", "alice/model", "a/b", "A_b.c-d/e_f.g-h", "alice/x.gitx" };
	static const struct {
		const char *id;
		const char *why;
	} badids[] = {
		{ "", "is empty" },
		{ "a/b/c", "has more than one '/' (it must be 'name' or 'namespace/name')" },
		{ "/x", "has an empty part" },
		{ "alice/", "has an empty part" },
		{ "alice/sp ace", "has a character other than letters, digits, '_', '.' and '-'" },
		{ "alice/caf\xc3\xa9", "has a character other than letters, digits, '_', '.' and '-'" },
		{ "alice/-x", "starts or ends with '-' or '.'" },
		{ "alice/x.", "starts or ends with '-' or '.'" },
		{ ".alice/x", "starts or ends with '-' or '.'" },
		{ "alice/a--b", "contains '--' or '..'" },
		{ "al..ice/x", "contains '--' or '..'" },
		{ "alice/x.git", "ends with '.git'" },
		{ "x.git", "ends with '.git'" },
	};
	char longer[100];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_null(hf__repo_id_problem(good[i], 0));
	for (i = 0; i < sizeof(badids) / sizeof(badids[0]); i++)
		assert_string_equal(hf__repo_id_problem(badids[i].id, 0), badids[i].why);
	assert_string_equal(hf__repo_id_problem(NULL, 0), "is empty");
	/* a move needs both parts */
	assert_string_equal(hf__repo_id_problem("gpt2", 1), "has no namespace (it must be 'namespace/name')");
	assert_null(hf__repo_id_problem("alice/gpt2", 1));
	/* 96 characters per part at most */
	memset(longer, 'a', 96);
	longer[96] = '\0';
	assert_null(hf__repo_id_problem(longer, 0));
	longer[96] = 'a';
	longer[97] = '\0';
	assert_string_equal(hf__repo_id_problem(longer, 0), "has a part longer than 96 characters");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answer),
		cmocka_unit_test(test_empty_and_missing_prs),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_control_characters_made_printable),
		cmocka_unit_test(test_repo_id_problem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

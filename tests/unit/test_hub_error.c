/*
 * The one status-to-error mapping (hub_error.c): each row of the table in
 * docs/internals/requests.md, the remedies, the server's words made one
 * line, and the request id.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "hub_error.h"

#define EP "https://huggingface.co"

/* A download's subject: model acme/tiny at main, a token from the token file. */
static hf__hub_subject repo_subject(const char *file, int token_sent, hf_token_source source)
{
	hf__hub_subject s;

	memset(&s, 0, sizeof(s));
	s.endpoint = EP;
	s.repo_type = "model";
	s.repo_id = "acme/tiny";
	s.revision = "main";
	s.file = file;
	s.token_sent = token_sent;
	s.source = source;
	return s;
}

static hf__hub_subject plain_subject(int token_sent, hf_token_source source)
{
	hf__hub_subject s;

	memset(&s, 0, sizeof(s));
	s.endpoint = EP;
	s.token_sent = token_sent;
	s.source = source;
	return s;
}

static hf__failure describe(const hf__hub_subject *s, long status, const char *code, const char *msg,
			    const char *body)
{
	hf__failure f;

	hf__hub_describe(s, status, code, msg, body, body ? strlen(body) : 0, &f);
	return f;
}

static void test_revision_and_entry_not_found(void **state)
{
	hf__hub_subject s = repo_subject("config.json", 1, HF_TOKEN_SOURCE_FILE);
	hf__failure f;

	(void)state;
	f = describe(&s, 404, "RevisionNotFound", "Invalid rev id: v9", NULL);
	assert_int_equal(f.code, HF_ENOTFOUND);
	assert_string_equal(f.message, "revision 'main' not found in model 'acme/tiny'");
	assert_string_equal(f.hub_code, "RevisionNotFound");
	assert_int_equal(f.status, 404);
	f = describe(&s, 404, "EntryNotFound", "Entry not found", NULL);
	assert_int_equal(f.code, HF_ENOTFOUND);
	assert_string_equal(f.message,
			    "file 'config.json' not found in model 'acme/tiny' at revision 'main'");
}

static void test_storage_404_is_about_the_file(void **state)
{
	hf__hub_subject s = repo_subject("model.safetensors", 1, HF_TOKEN_SOURCE_FILE);
	hf__failure f;

	(void)state;
	/* The file's bytes, a bare 404 or the storage's own code: not the repository. */
	s.file_bytes = 1;
	f = describe(&s, 404, NULL, NULL, NULL);
	assert_int_equal(f.code, HF_ENOTFOUND);
	assert_non_null(strstr(f.message, "not found in the Hub's storage"));
	assert_non_null(strstr(f.message, "model.safetensors"));
	f = describe(&s, 404, "NoSuchKey", NULL, NULL);
	assert_non_null(strstr(f.message, "not found in the Hub's storage"));
	/* The Hub's own code still wins. */
	f = describe(&s, 404, "RepoNotFound", NULL, NULL);
	assert_string_equal(f.message, "repository 'acme/tiny' not found (model)");
	/* A metadata request's bare 404 is about the repository. */
	s.file_bytes = 0;
	f = describe(&s, 404, NULL, NULL, NULL);
	assert_string_equal(f.message, "repository 'acme/tiny' not found (model)");
}

static void test_gated(void **state)
{
	hf__hub_subject anon = repo_subject(NULL, 0, HF_TOKEN_SOURCE_NONE);
	hf__hub_subject tok = repo_subject(NULL, 1, HF_TOKEN_SOURCE_HF_TOKEN);
	hf__failure f;

	(void)state;
	f = describe(&anon, 401, "GatedRepo", "Access to model acme/tiny is restricted.", NULL);
	assert_int_equal(f.code, HF_EGATED);
	assert_int_equal(f.remedy, HF_REMEDY_LOGIN);
	assert_non_null(strstr(f.hint, EP "/acme/tiny"));
	assert_null(strstr(f.hint, "hf auth"));
	f = describe(&tok, 403, "GatedRepo", "Access to model acme/tiny is restricted.", NULL);
	assert_int_equal(f.remedy, HF_REMEDY_REQUEST_ACCESS);
	assert_non_null(strstr(f.message, "HF_TOKEN"));
	f = describe(&tok, 403, "GatedRepo", "Your request to access model acme/tiny is awaiting a review", NULL);
	assert_int_equal(f.remedy, HF_REMEDY_AWAIT_APPROVAL);
	assert_non_null(strstr(f.message, "awaiting approval"));
}

static void test_invalid_token_names_its_source(void **state)
{
	hf__hub_subject file = repo_subject(NULL, 1, HF_TOKEN_SOURCE_FILE);
	hf__hub_subject env = plain_subject(1, HF_TOKEN_SOURCE_HF_TOKEN);
	hf__hub_subject none = plain_subject(0, HF_TOKEN_SOURCE_NONE);
	hf__failure f;

	(void)state;
	f = describe(&file, 401, NULL, "Invalid credentials in Authorization header", NULL);
	assert_int_equal(f.code, HF_EAUTH);
	assert_int_equal(f.remedy, HF_REMEDY_NEW_TOKEN);
	assert_string_equal(f.message, "invalid token (from token file): the Hub answered 401 Unauthorized");
	assert_non_null(strstr(f.hint, EP "/settings/tokens"));
	/* About a repository, any other 401 means "not found or private". */
	f = describe(&file, 401, NULL, "Invalid username or password.", NULL);
	assert_int_equal(f.code, HF_ENOTFOUND);
	/* Not about a repository: a 401 without words is the token's fault. */
	f = describe(&env, 401, NULL, NULL, NULL);
	assert_int_equal(f.code, HF_EAUTH);
	assert_int_equal(f.remedy, HF_REMEDY_FIX_ENV_TOKEN);
	assert_non_null(strstr(f.hint, "precedence"));
	f = describe(&none, 401, NULL, NULL, NULL);
	assert_int_equal(f.code, HF_EAUTH);
	assert_int_equal(f.remedy, HF_REMEDY_LOGIN);
}

static void test_repo_not_found_remedy_depends_on_token(void **state)
{
	hf__hub_subject anon = repo_subject(NULL, 0, HF_TOKEN_SOURCE_NONE);
	hf__hub_subject tok = repo_subject(NULL, 1, HF_TOKEN_SOURCE_FILE);
	hf__failure f;

	(void)state;
	f = describe(&anon, 404, "RepoNotFound", "Repository not found", NULL);
	assert_int_equal(f.remedy, HF_REMEDY_LOGIN);
	f = describe(&tok, 404, "RepoNotFound", "Repository not found", NULL);
	assert_int_equal(f.remedy, HF_REMEDY_NONE);
	assert_int_equal(f.code, HF_ENOTFOUND);
}

static void test_other_statuses(void **state)
{
	hf__hub_subject s = plain_subject(1, HF_TOKEN_SOURCE_FILE);
	hf__hub_subject file = repo_subject("a.bin", 1, HF_TOKEN_SOURCE_FILE);
	hf__failure f;

	(void)state;
	f = describe(&s, 403, NULL, "you must use a write token", NULL);
	assert_int_equal(f.code, HF_EFORBIDDEN);
	assert_string_equal(f.message, "access denied (403): you must use a write token");
	f = describe(&s, 403, NULL, "Access to this resource is disabled.", NULL);
	assert_int_equal(f.code, HF_EFORBIDDEN);
	assert_non_null(strstr(f.message, "disabled"));
	f = describe(&s, 429, NULL, NULL, NULL);
	assert_int_equal(f.code, HF_ERATELIMIT);
	assert_int_equal(f.remedy, HF_REMEDY_RETRY_LATER);
	f = describe(&s, 503, NULL, NULL, "{\"error\":\"maintenance\"}");
	assert_int_equal(f.code, HF_ESERVER);
	assert_string_equal(f.message, "the Hub failed with HTTP 503: maintenance");
	/* A transfer's failure names its file and says "server" (it may be the CDN). */
	file.file_bytes = 1;
	f = describe(&file, 503, NULL, NULL, NULL);
	assert_string_equal(f.message, "the server failed with HTTP 503 for 'a.bin'");
	f = describe(&s, 418, NULL, NULL, NULL);
	assert_int_equal(f.code, HF_EPROTOCOL);
	assert_string_equal(f.message, "unexpected HTTP 418");
}

static void test_server_words_are_one_line(void **state)
{
	hf__hub_subject s = plain_subject(1, HF_TOKEN_SOURCE_FILE);
	hf__failure f;

	(void)state;
	f = describe(&s, 403, "\x1b[2J", "line one\nline two\x1b]0;title\x07", NULL);
	assert_null(strchr(f.message, '\n'));
	assert_null(strchr(f.message, '\x1b'));
	assert_null(strchr(f.message, '\x07'));
	assert_null(strchr(f.hub_code, '\x1b'));
}

static void test_request_id_order(void **state)
{
	hf__header h[3] = { { "X-Amz-Cf-Id", "cf" }, { "X-Amzn-Trace-Id", "trace" },
			    { "x-request-id", "req" } };
	hf__response rs = HF__RESPONSE_INIT;
	hf__hub_subject s = plain_subject(0, HF_TOKEN_SOURCE_NONE);
	hf__failure f;

	(void)state;
	rs.status = 404;
	rs.headers = h;
	rs.nheaders = 3;
	assert_string_equal(hf__request_id(&rs), "req");
	hf__hub_describe_response(&s, &rs, &f);
	assert_string_equal(f.request_id, "req");
	rs.nheaders = 2;
	assert_string_equal(hf__request_id(&rs), "trace");
	rs.nheaders = 1;
	assert_string_equal(hf__request_id(&rs), "cf");
	rs.nheaders = 0;
	assert_null(hf__request_id(&rs));
}

/* The write half (upload-protocol.md §8): read-only token, no right to push, conflicts. */
static void test_read_only_token_on_a_write(void **state)
{
	hf__hub_subject s = repo_subject(NULL, 1, HF_TOKEN_SOURCE_FILE);
	hf__failure f;

	(void)state;
	s.write = 1;
	f = describe(&s, 403, NULL, "you must use a write token to upload to a repository", NULL);
	assert_int_equal(f.code, HF_EFORBIDDEN);
	assert_int_equal(f.remedy, HF_REMEDY_WRITE_TOKEN);
	assert_string_equal(f.message, "access to model 'acme/tiny' denied (403): you must use a "
				       "write token to upload to a repository");
	assert_string_equal(f.hint, "the token is read-only: create one with write access at "
				    EP "/settings/tokens");
	/* The same words in the JSON body only. */
	f = describe(&s, 403, NULL, NULL,
		     "{\"error\": \"you must use a write token to upload to a repository\"}");
	assert_int_equal(f.remedy, HF_REMEDY_WRITE_TOKEN);
	/* Without a repository. */
	s = plain_subject(1, HF_TOKEN_SOURCE_FILE);
	f = describe(&s, 403, NULL, "you must use a write token to upload to a repository", NULL);
	assert_int_equal(f.code, HF_EFORBIDDEN);
	assert_int_equal(f.remedy, HF_REMEDY_WRITE_TOKEN);
	/* Any other 403 keeps no remedy. */
	s = repo_subject(NULL, 1, HF_TOKEN_SOURCE_FILE);
	f = describe(&s, 403, NULL, "Authorization error.", NULL);
	assert_int_equal(f.code, HF_EFORBIDDEN);
	assert_int_equal(f.remedy, HF_REMEDY_NONE);
}

static void test_no_right_to_push_suggests_a_pr(void **state)
{
	hf__hub_subject s = repo_subject(NULL, 1, HF_TOKEN_SOURCE_FILE);
	hf__failure f;

	(void)state;
	s.write = 1;
	f = describe(&s, 403, NULL,
		     "Forbidden: pass `create_pr=1` as a query parameter to create a Pull Request", NULL);
	assert_int_equal(f.code, HF_EFORBIDDEN);
	assert_int_equal(f.remedy, HF_REMEDY_CREATE_PR);
	assert_string_equal(f.message, "no right to push to model 'acme/tiny' (403): Forbidden: pass "
				       "`create_pr=1` as a query parameter to create a Pull Request");
}

static void test_missing_repo_on_a_write(void **state)
{
	hf__hub_subject s = repo_subject(NULL, 1, HF_TOKEN_SOURCE_FILE);
	hf__failure f;

	(void)state;
	s.write = 1;
	f = describe(&s, 404, "RepoNotFound", "Repository not found", NULL);
	assert_int_equal(f.code, HF_ENOTFOUND);
	assert_int_equal(f.remedy, HF_REMEDY_CREATE_REPO);
	assert_string_equal(f.message, "repository 'acme/tiny' not found (model)");
	/* A missing revision stays a missing revision. */
	f = describe(&s, 404, "RevisionNotFound", "Invalid rev id: dev", NULL);
	assert_int_equal(f.remedy, HF_REMEDY_NONE);
	assert_string_equal(f.message, "revision 'main' not found in model 'acme/tiny'");
	/* A read keeps its own remedies. */
	s.write = 0;
	f = describe(&s, 404, "RepoNotFound", "Repository not found", NULL);
	assert_int_equal(f.remedy, HF_REMEDY_NONE);
}

static void test_conflicts_and_commit_quota(void **state)
{
	hf__hub_subject s = repo_subject(NULL, 1, HF_TOKEN_SOURCE_FILE);
	hf__failure f;

	(void)state;
	s.create = 1;
	f = describe(&s, 409, NULL, "Reference refs/heads/dev already exists", NULL);
	assert_int_equal(f.code, HF_EEXISTS);
	assert_string_equal(f.message, "already exists (409): Reference refs/heads/dev already exists");
	/* A 409 about no creation is no "exists". */
	s.create = 0;
	f = describe(&s, 409, NULL, "conflict", NULL);
	assert_int_equal(f.code, HF_EPROTOCOL);
	f = describe(&s, 412, NULL,
		     "The branch was updated since you opened this page. Please refresh and try again.",
		     NULL);
	assert_int_equal(f.code, HF_ECONFLICT);
	f = describe(&s, 429, NULL,
		     "You have exceeded our hourly quotas for action: commit. We invite you to retry later.",
		     NULL);
	assert_int_equal(f.code, HF_ERATELIMIT);
	assert_int_equal(f.remedy, HF_REMEDY_RETRY_LATER);
	assert_string_equal(f.message, "rate limited by the Hub (429): You have exceeded our hourly "
				       "quotas for action: commit. We invite you to retry later.");
	assert_string_equal(f.hint, "the Hub limits commits per hour: retry later, or put more files "
				    "in each commit");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_revision_and_entry_not_found),
		cmocka_unit_test(test_storage_404_is_about_the_file),
		cmocka_unit_test(test_gated),
		cmocka_unit_test(test_invalid_token_names_its_source),
		cmocka_unit_test(test_repo_not_found_remedy_depends_on_token),
		cmocka_unit_test(test_other_statuses),
		cmocka_unit_test(test_server_words_are_one_line),
		cmocka_unit_test(test_request_id_order),
		cmocka_unit_test(test_read_only_token_on_a_write),
		cmocka_unit_test(test_no_right_to_push_suggests_a_pr),
		cmocka_unit_test(test_missing_repo_on_a_write),
		cmocka_unit_test(test_conflicts_and_commit_quota),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

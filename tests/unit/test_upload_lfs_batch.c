/*
 * The LFS batch request, answer parser and completion body
 * (src/lib/upload/lfs_batch.h): the observed basic answer of
 * upload-protocol.md §5, multipart answers as §5/§6.2 describe them, and
 * malformed ones.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "upload/lfs_batch.h"

#define OA "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define OB "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define OC "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

static void test_request(void **state)
{
	hf__buf b = HF__BUF_INIT;
	hf__lfs_object o[2] = { { OA, 12 }, { OB, 40000000 } };

	(void)state;
	assert_int_equal(hf__lfs_batch_request(&b, o, 2, "main"), 0);
	assert_string_equal(b.data,
		"{\"operation\":\"upload\",\"transfers\":[\"basic\",\"multipart\"],"
		"\"objects\":[{\"oid\":\"" OA "\",\"size\":12},{\"oid\":\"" OB "\",\"size\":40000000}],"
		"\"hash_algo\":\"sha256\",\"ref\":{\"name\":\"main\"}}");
	hf__buf_dispose(&b);
	/* a PR: no ref */
	assert_int_equal(hf__lfs_batch_request(&b, o, 1, NULL), 0);
	assert_string_equal(b.data,
		"{\"operation\":\"upload\",\"transfers\":[\"basic\",\"multipart\"],"
		"\"objects\":[{\"oid\":\"" OA "\",\"size\":12}],\"hash_algo\":\"sha256\"}");
	hf__buf_dispose(&b);
	assert_int_equal(hf__lfs_batch_request(&b, o, 0, NULL), -1);
	hf__buf_dispose(&b);
	assert_int_equal(hf__lfs_batch_request(&b, o, HF__LFS_BATCH_CHUNK + 1, NULL), -1);
	hf__buf_dispose(&b);
	o[1].oid = "ABC";
	assert_int_equal(hf__lfs_batch_request(&b, o, 2, NULL), -1);
	hf__buf_dispose(&b);
}

/* The shape observed on the real Hub (§5), oids and URLs shortened. */
static const char observed[] =
	"{\"transfer\": \"basic\", \"objects\": ["
	"{\"oid\": \"" OA "\", \"size\": 12},"
	"{\"oid\": \"" OB "\", \"size\": 373, \"authenticated\": true, \"actions\": {"
	"\"upload\": {\"href\": \"https://s3.us-east-1.amazonaws.com/lfs.huggingface.co/repos/e2/d8/x/" OB "?X-Amz-Expires=900\"},"
	"\"verify\": {\"href\": \"https://huggingface.co/u/m.git/info/lfs/objects/verify\","
	"\"header\": {\"Authorization\": \"Basic dG9r\"}}}}]}";

static void test_parse_observed(void **state)
{
	hf__lfs_object o[2] = { { OA, 12 }, { OB, 373 } };
	hf__lfs_action a[2];
	const char *err = NULL;

	(void)state;
	assert_int_equal(hf__lfs_batch_parse(observed, strlen(observed), o, 2, a, &err), 0);
	assert_int_equal(a[0].kind, HF__LFS_STORED);
	assert_null(a[0].href);
	assert_int_equal(a[1].kind, HF__LFS_BASIC);
	assert_string_equal(a[1].href, "https://s3.us-east-1.amazonaws.com/lfs.huggingface.co/repos/e2/d8/x/" OB "?X-Amz-Expires=900");
	assert_string_equal(a[1].verify_href, "https://huggingface.co/u/m.git/info/lfs/objects/verify");
	assert_int_equal(a[1].n_verify_headers, 1);
	assert_string_equal(a[1].verify_headers[0].name, "Authorization");
	assert_string_equal(a[1].verify_headers[0].value, "Basic dG9r");
	hf__lfs_actions_free(a, 2);
}

static void test_parse_multipart(void **state)
{
	/* 40,000,000 bytes in 16,000,000-byte parts: 3 parts, keys out of
	 * order and zero-padded, one given as "3" */
	static const char body[] =
		"{\"transfer\":\"multipart\",\"objects\":[{\"oid\":\"" OB "\",\"size\":40000000,"
		"\"actions\":{\"upload\":{\"href\":\"https://huggingface.co/api/complete_multipart?uploadId=u1\","
		"\"header\":{\"00002\":\"https://s3/p2\",\"chunk_size\":\"16000000\",\"3\":\"https://s3/p3\","
		"\"00001\":\"https://s3/p1\"}}}},"
		"{\"oid\":\"" OC "\",\"size\":5,\"error\":{\"code\":422,\"message\":\"bad object\"}}]}";
	hf__lfs_object o[2] = { { OB, 40000000 }, { OC, 5 } };
	hf__lfs_action a[2];
	const char *err = NULL;

	(void)state;
	assert_int_equal(hf__lfs_batch_parse(body, strlen(body), o, 2, a, &err), 0);
	assert_int_equal(a[0].kind, HF__LFS_MULTIPART);
	assert_string_equal(a[0].href, "https://huggingface.co/api/complete_multipart?uploadId=u1");
	assert_int_equal(a[0].chunk_size, 16000000);
	assert_int_equal(a[0].n_parts, 3);
	assert_string_equal(a[0].parts[0], "https://s3/p1");
	assert_string_equal(a[0].parts[1], "https://s3/p2");
	assert_string_equal(a[0].parts[2], "https://s3/p3");
	assert_null(a[0].verify_href);
	assert_int_equal(a[1].kind, HF__LFS_ERROR);
	assert_int_equal(a[1].error_code, 422);
	assert_string_equal(a[1].error_message, "bad object");
	hf__lfs_actions_free(a, 2);

	/* exact multiple, numeric chunk_size */
	{
		static const char b2[] =
			"{\"objects\":[{\"oid\":\"" OB "\",\"size\":32,"
			"\"actions\":{\"upload\":{\"href\":\"c\",\"header\":{\"chunk_size\":16,"
			"\"1\":\"p1\",\"2\":\"p2\"}}}}]}";

		o[0].size = 32;     /* the count follows the local size */
		assert_int_equal(hf__lfs_batch_parse(b2, strlen(b2), o, 1, a, &err), 0);
		assert_int_equal(a[0].n_parts, 2);
		hf__lfs_actions_free(a, 1);
	}
}

static void bad(const char *body, const char *want)
{
	hf__lfs_object o[1] = { { OB, 40000000 } };
	hf__lfs_action a[1];
	const char *err = NULL;

	if (hf__lfs_batch_parse(body, strlen(body), o, 1, a, &err) != -1)
		fail_msg("accepted: %s", body);
	assert_non_null(err);
	if (want)
		assert_string_equal(err, want);
	assert_null(a[0].href);
	assert_null(a[0].parts);
}

#define PRE "{\"objects\":[{\"oid\":\"" OB "\",\"size\":40000000"
#define MP(h) PRE ",\"actions\":{\"upload\":{\"href\":\"c\",\"header\":{" h "}}}}]}"
#define LARGE "Invalid server response to upload large LFS file"

static void test_parse_bad(void **state)
{
	(void)state;
	bad("", NULL);
	bad("[]", NULL);
	bad("{}", NULL);
	bad("{\"objects\":{}}", NULL);
	bad("{\"objects\":[]}", NULL);                               /* missing */
	bad("{\"objects\":[{\"oid\":\"" OA "\",\"size\":1}]}", NULL);  /* other oid */
	bad("{\"objects\":[1]}", NULL);
	bad("{\"objects\":[{\"oid\":\"" OB "\"}]}", NULL);
	bad("{\"objects\":[{\"oid\":\"" OB "\",\"size\":\"1\"}]}", NULL);
	bad("{\"objects\":[{\"oid\":5,\"size\":1}]}", NULL);
	bad(PRE ",\"actions\":[]}]}", NULL);
	bad(PRE ",\"actions\":{\"upload\":{}}}]}", NULL);
	bad(PRE ",\"actions\":{\"upload\":{\"href\":5}}}]}", NULL);
	bad(PRE ",\"actions\":{\"upload\":{\"href\":\"u\",\"header\":[]}}}]}", NULL);
	bad(PRE ",\"actions\":{\"upload\":{\"href\":\"u\"},\"verify\":{}}}]}", NULL);
	bad(PRE ",\"actions\":{\"upload\":{\"href\":\"u\"},\"verify\":{\"href\":\"v\",\"header\":{\"a\":1}}}}]}", NULL);
	bad(PRE ",\"error\":{\"code\":\"x\",\"message\":\"m\"}}]}", NULL);
	bad(PRE ",\"error\":{\"code\":1}}]}", NULL);
	bad(PRE ",\"error\":\"boom\"}]}", NULL);
	/* multipart: wrong counts, bad chunk sizes, bad keys */
	bad(MP("\"chunk_size\":\"16000000\",\"1\":\"a\",\"2\":\"b\""), LARGE);
	bad(MP("\"chunk_size\":\"16000000\",\"1\":\"a\",\"2\":\"b\",\"3\":\"c\",\"4\":\"d\""), LARGE);
	bad(MP("\"chunk_size\":\"0\",\"1\":\"a\""), LARGE);
	bad(MP("\"chunk_size\":\"-5\",\"1\":\"a\""), LARGE);
	bad(MP("\"chunk_size\":\"16MB\",\"1\":\"a\""), LARGE);
	bad(MP("\"chunk_size\":\"\",\"1\":\"a\""), LARGE);
	bad(MP("\"chunk_size\":null,\"1\":\"a\""), LARGE);
	bad(MP("\"chunk_size\":\"1\""), LARGE);                        /* 40M parts wanted */
	bad(MP("\"chunk_size\":\"16000000\",\"1\":\"a\",\"01\":\"b\",\"3\":\"c\""), LARGE);
	bad(MP("\"chunk_size\":\"16000000\",\"0\":\"a\",\"1\":\"b\",\"2\":\"c\""), LARGE);
	bad(MP("\"chunk_size\":\"16000000\",\"1\":\"a\",\"2\":\"b\",\"4\":\"c\""), LARGE);
	bad(MP("\"chunk_size\":\"16000000\",\"1\":\"a\",\"2\":\"b\",\"3\":7"), LARGE);
	bad(MP("\"chunk_size\":\"16000000\",\"1\":\"a\",\"2\":\"b\",\"99999999999\":\"c\""), LARGE);
}

static void test_parse_tolerant(void **state)
{
	hf__lfs_object o[1] = { { OB, 10 } };
	hf__lfs_action a[1];
	const char *err = NULL;
	/* non-digit header keys other than chunk_size are not parts; a
	 * basic upload with a header; actions with verify but no upload */
	static const char b1[] = "{\"objects\":[{\"oid\":\"" OB "\",\"size\":10,"
		"\"actions\":{\"upload\":{\"href\":\"c\",\"header\":{\"chunk_size\":\"4\","
		"\"x-1\":\"n\",\"1\":\"a\",\"2\":\"b\",\"3\":\"c\"}}}}]}";
	static const char b2[] = "{\"objects\":[{\"oid\":\"" OB "\",\"size\":10,"
		"\"actions\":{\"upload\":{\"href\":\"u\",\"header\":{\"X-Foo\":\"1\"}}}}]}";
	static const char b3[] = "{\"objects\":[{\"oid\":\"" OB "\",\"size\":10,"
		"\"actions\":{\"verify\":{\"href\":\"v\"}}},{\"oid\":\"" OA "\",\"size\":1}]}";
	static const char b4[] = "{\"objects\":[{\"oid\":\"" OB "\",\"size\":10,\"actions\":null}]}";

	(void)state;
	assert_int_equal(hf__lfs_batch_parse(b1, strlen(b1), o, 1, a, &err), 0);
	assert_int_equal(a[0].kind, HF__LFS_MULTIPART);
	assert_int_equal(a[0].n_parts, 3);
	hf__lfs_actions_free(a, 1);
	assert_int_equal(hf__lfs_batch_parse(b2, strlen(b2), o, 1, a, &err), 0);
	assert_int_equal(a[0].kind, HF__LFS_BASIC);
	assert_string_equal(a[0].href, "u");
	hf__lfs_actions_free(a, 1);
	assert_int_equal(hf__lfs_batch_parse(b3, strlen(b3), o, 1, a, &err), 0);
	assert_int_equal(a[0].kind, HF__LFS_STORED);
	hf__lfs_actions_free(a, 1);
	assert_int_equal(hf__lfs_batch_parse(b4, strlen(b4), o, 1, a, &err), 0);
	assert_int_equal(a[0].kind, HF__LFS_STORED);
	hf__lfs_actions_free(a, 1);
}

static void test_completion(void **state)
{
	hf__buf b = HF__BUF_INIT;
	const char *etags[] = { "\"0cc175b9c0f1b6a831c399e269772661\"", "\"92eb5ffee6ae2fec3ad71c777531578f\"" };
	const char *empty[] = { "\"x\"", "" };

	(void)state;
	assert_int_equal(hf__lfs_completion_body(&b, OA, etags, 2), 0);
	assert_string_equal(b.data,
		"{\"oid\":\"" OA "\",\"parts\":[{\"partNumber\":1,\"etag\":\"\\\"0cc175b9c0f1b6a831c399e269772661\\\"\"},"
		"{\"partNumber\":2,\"etag\":\"\\\"92eb5ffee6ae2fec3ad71c777531578f\\\"\"}]}");
	hf__buf_dispose(&b);
	assert_int_equal(hf__lfs_completion_body(&b, OA, empty, 2), -1);
	hf__buf_dispose(&b);
	assert_int_equal(hf__lfs_completion_body(&b, OA, etags, 0), -1);
	hf__buf_dispose(&b);
	assert_int_equal(hf__lfs_completion_body(&b, "abc", etags, 1), -1);
	hf__buf_dispose(&b);
}

static void test_part_range(void **state)
{
	static const char body[] =
		"{\"objects\":[{\"oid\":\"" OB "\",\"size\":40,"
		"\"actions\":{\"upload\":{\"href\":\"c\",\"header\":{\"chunk_size\":\"16\","
		"\"1\":\"p1\",\"2\":\"p2\",\"3\":\"p3\"}}}}]}";
	hf__lfs_object o[1] = { { OB, 40 } };
	hf__lfs_action a[1];
	uint64_t off = 0, len = 0;
	hf__buf b = HF__BUF_INIT;

	(void)state;
	assert_int_equal(hf__lfs_batch_parse(body, strlen(body), o, 1, a, NULL), 0);
	assert_int_equal(hf__lfs_part_range(a, 40, 1, &off, &len), 0);
	assert_int_equal(off, 0);
	assert_int_equal(len, 16);
	assert_int_equal(hf__lfs_part_range(a, 40, 2, &off, &len), 0);
	assert_int_equal(off, 16);
	assert_int_equal(len, 16);
	assert_int_equal(hf__lfs_part_range(a, 40, 3, &off, &len), 0);
	assert_int_equal(off, 32);
	assert_int_equal(len, 8);
	assert_int_equal(hf__lfs_part_range(a, 40, 0, &off, &len), -1);
	assert_int_equal(hf__lfs_part_range(a, 40, 4, &off, &len), -1);
	hf__lfs_actions_free(a, 1);

	assert_int_equal(hf__lfs_verify_body(&b, OA, 373), 0);
	assert_string_equal(b.data, "{\"oid\":\"" OA "\",\"size\":373}");
	hf__buf_dispose(&b);
	assert_int_equal(hf__lfs_verify_body(&b, "x", 1), -1);
	hf__buf_dispose(&b);
}

static void href(const char *in, const char *ep, const char *want)
{
	char *got = hf__lfs_href_for_endpoint(in, ep);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_href_endpoint(void **state)
{
	(void)state;
	href("https://huggingface.co/u/m.git/info/lfs/objects/verify", "http://127.0.0.1:8080",
	     "http://127.0.0.1:8080/u/m.git/info/lfs/objects/verify");
	href("https://huggingface.co/api/complete_multipart?uploadId=1", "https://hub.example/",
	     "https://hub.example/api/complete_multipart?uploadId=1");
	href("https://huggingface.co", "https://m", "https://m");
	href("https://huggingface.co?x", "https://m", "https://m?x");
	href("https://huggingface.co.evil.example/x", "https://m", "https://huggingface.co.evil.example/x");
	href("https://huggingface.com/x", "https://m", "https://huggingface.com/x");
	href("https://s3.amazonaws.com/x?https://huggingface.co/", "https://m",
	     "https://s3.amazonaws.com/x?https://huggingface.co/");
	href("https://huggingface.co/x", NULL, "https://huggingface.co/x");
	assert_null(hf__lfs_href_for_endpoint(NULL, "https://m"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_parse_observed),
		cmocka_unit_test(test_parse_multipart),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_tolerant),
		cmocka_unit_test(test_completion),
		cmocka_unit_test(test_href_endpoint),
		cmocka_unit_test(test_part_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * The state file of hf_upload_large_folder() (src/lib/upload/large_folder.h):
 * the official client's eight-line .metadata (huggingface_hub v1.28
 * LocalUploadFileMetadata.save / read_upload_metadata) read and written,
 * the freshness rule, and the commit batch sizes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hf/hf.h"
#include "upload/large_folder.h"

#define SHA256 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define SHA1 "89abcdef0123456789abcdef0123456789abcdef"

static int parse(const char *text, hf__ulf_meta *m)
{
	return hf__ulf_meta_parse(text, strlen(text), m);
}

static void test_official_states(void **state)
{
	hf__ulf_meta m;

	(void)state;
	/* just listed: only the size known */
	assert_int_equal(parse("1712345678.123456\n42\n\n\n\n\n0\n0\n", &m), 0);
	assert_true(m.ts_sec == 1712345678 && m.ts_nsec == 123456000);
	assert_true(m.size == 42);
	assert_int_equal(m.should_ignore, -1);
	assert_string_equal(m.sha256, "");
	assert_string_equal(m.upload_mode, "");
	assert_int_equal(m.is_uploaded, 0);
	assert_int_equal(m.is_committed, 0);
	/* everything known, committed */
	assert_int_equal(parse("1712345678.5\n1048576\n0\n" SHA256 "\nlfs\n" SHA256 "\n1\n1\n", &m), 0);
	assert_true(m.ts_nsec == 500000000);
	assert_int_equal(m.should_ignore, 0);
	assert_string_equal(m.sha256, SHA256);
	assert_string_equal(m.upload_mode, "lfs");
	assert_string_equal(m.remote_oid, SHA256);
	assert_int_equal(m.is_uploaded, 1);
	assert_int_equal(m.is_committed, 1);
	/* a regular file with a git sha1 remote oid; CRLF and spaces; no last newline */
	assert_int_equal(parse("17 \r\n 3\r\n1\r\n" SHA256 "\r\nregular\r\n" SHA1 "\r\n0\r\n1", &m), 0);
	assert_true(m.ts_sec == 17 && m.ts_nsec == 0);
	assert_int_equal(m.should_ignore, 1);
	assert_string_equal(m.upload_mode, "regular");
	assert_string_equal(m.remote_oid, SHA1);
	assert_int_equal(m.is_committed, 1);
}

static void test_refused(void **state)
{
	static const char *const bad[] = {
		"",
		"1.5\n",                                          /* short */
		"1.5\n3\n\n\n\n\n0\n",                            /* no is_committed */
		"x\n3\n\n\n\n\n0\n0\n",                           /* timestamp */
		"1e9\n3\n\n\n\n\n0\n0\n",                         /* exponent */
		"1.5\n-3\n\n\n\n\n0\n0\n",                        /* size */
		"1.5\n\n\n\n\n\n0\n0\n",                          /* size missing */
		"1.5\n3\n2\n\n\n\n0\n0\n",                        /* should_ignore */
		"1.5\n3\n\nabc\n\n\n0\n0\n",                      /* sha256 */
		"1.5\n3\n\n\nxet\n\n0\n0\n",                      /* upload mode */
		"1.5\n3\n\n\n\nabc\n0\n0\n",                      /* remote oid */
		"1.5\n3\n\n\n\n\nTrue\n0\n",                      /* flag */
		"1.5\n3\n\n\n\n\n0\n\n",                          /* flag empty */
	};
	hf__ulf_meta m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse(bad[i], &m) != -1)
			fail_msg("accepted: %s", bad[i]);
}

static void test_format_round_trip(void **state)
{
	hf__ulf_meta m, back;
	char buf[512];
	int n;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.ts_sec = 1712345678;
	m.ts_nsec = 123456789;
	m.size = 7;
	m.should_ignore = -1;
	m.is_committed = 1;
	/* a locale whose decimal point is ',' must not change the file */
	setlocale(LC_NUMERIC, "de_DE.UTF-8");
	n = hf__ulf_meta_format(buf, sizeof(buf), &m);
	setlocale(LC_NUMERIC, "C");
	assert_int_equal(n, (int)strlen(buf));
	assert_string_equal(buf, "1712345678.123456\n7\n\n\n\n\n0\n1\n");
	assert_int_equal(parse(buf, &back), 0);
	assert_true(back.ts_sec == m.ts_sec && back.ts_nsec == 123456000);
	assert_int_equal(back.is_committed, 1);

	m.should_ignore = 0;
	strcpy(m.sha256, SHA256);
	strcpy(m.upload_mode, "lfs");
	strcpy(m.remote_oid, SHA1);
	m.is_uploaded = 1;
	hf__ulf_meta_format(buf, sizeof(buf), &m);
	assert_string_equal(buf, "1712345678.123456\n7\n0\n" SHA256 "\nlfs\n" SHA1 "\n1\n1\n");
}

static void test_fresh(void **state)
{
	hf__ulf_meta m;

	(void)state;
	assert_int_equal(parse("100.5\n3\n\n\n\n\n0\n1\n", &m), 0);
	assert_int_equal(hf__ulf_meta_fresh(&m, 3, 100, 0), 1);
	assert_int_equal(hf__ulf_meta_fresh(&m, 3, 100, 500000000), 1); /* same instant */
	assert_int_equal(hf__ulf_meta_fresh(&m, 3, 99, 999999999), 1);
	assert_int_equal(hf__ulf_meta_fresh(&m, 3, 100, 500000001), 0); /* touched after */
	assert_int_equal(hf__ulf_meta_fresh(&m, 3, 101, 0), 0);
	assert_int_equal(hf__ulf_meta_fresh(&m, 4, 50, 0), 0);          /* other size */
}

static void test_batches(void **state)
{
	(void)state;
	assert_int_equal(hf__ulf_first_batch(NULL), 50);
	assert_int_equal(hf__ulf_first_batch(""), 50);
	assert_int_equal(hf__ulf_first_batch("3"), 3);
	assert_int_equal(hf__ulf_first_batch("0"), 50);
	assert_int_equal(hf__ulf_first_batch("1001"), 50);
	assert_int_equal(hf__ulf_first_batch("2x"), 50);
	/* up one step after a full batch in under 40 s; else stay */
	assert_int_equal(hf__ulf_next_batch(50, 50, 3.0), 75);
	assert_int_equal(hf__ulf_next_batch(50, 49, 3.0), 50);
	assert_int_equal(hf__ulf_next_batch(50, 50, 41.0), 50);
	assert_int_equal(hf__ulf_next_batch(600, 600, 1.0), 1000);
	assert_int_equal(hf__ulf_next_batch(1000, 1000, 1.0), 1000);
	assert_int_equal(hf__ulf_next_batch(3, 3, 1.0), 3); /* a fixed size stays */
}

/* ---- hf_upload_large_folder() before any request ---- */

static const char *no_env(const char *name, void *payload)
{
	(void)name, (void)payload;
	return NULL;
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int slurp_eq(const char *path, const char *want)
{
	char buf[256];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strcmp(buf, want) == 0;
}

/*
 * The client points at a port nothing listens on, offline mode off: any
 * request would fail, so HF_OK proves that no request was made.
 */
static void test_call_before_requests(void **state)
{
	char dir[] = "/tmp/hf-ulf-XXXXXX", path[512], text[512];
	hf_client_options co = HF_CLIENT_OPTIONS_INIT;
	hf_upload_options o = HF_UPLOAD_OPTIONS_INIT;
	hf_client *c = NULL;
	hf__ulf_meta m;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	co.endpoint = "http://127.0.0.1:9";
	co.hf_home = dir;
	co.getenv_fn = no_env;
	co.token = "hf_unitTestToken000000000000000000000000";
	assert_int_equal(hf_client_new(&c, &co), HF_OK);

	/* refused before anything */
	assert_int_equal(hf_upload_large_folder(NULL, "a/b", dir, NULL), HF_EINVAL);
	snprintf(path, sizeof(path), "%s/missing", dir);
	assert_int_equal(hf_upload_large_folder(c, "a/b", path, NULL), HF_EINVAL);
	o.create_pr = 1;
	assert_int_equal(hf_upload_large_folder(c, "a/b", dir, &o), HF_EINVAL);
	o.create_pr = 0;
	o.version = 99;
	assert_int_equal(hf_upload_large_folder(c, "a/b", dir, &o), HF_EINVAL);
	o.version = HF_UPLOAD_OPTIONS_VERSION;

	/* a folder whose every file has a committed state that holds: nothing to do */
	snprintf(path, sizeof(path), "%s/up", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/up/sub", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/up/sub/a.txt", dir);
	put(path, "abc");
	snprintf(path, sizeof(path), "%s/up/.cache", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/up/.cache/huggingface", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/up/.cache/huggingface/upload", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/up/.cache/huggingface/upload/sub", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	memset(&m, 0, sizeof(m));
	m.ts_sec = (long long)time(NULL) + 60;
	m.size = 3;
	m.should_ignore = -1;
	m.is_committed = 1;
	hf__ulf_meta_format(text, sizeof(text), &m);
	snprintf(path, sizeof(path), "%s/up/.cache/huggingface/upload/sub/a.txt.metadata", dir);
	put(path, text);
	snprintf(path, sizeof(path), "%s/up", dir);
	assert_int_equal(hf_upload_large_folder(c, "a/b", path, NULL), HF_OK);
	/* the folder's .cache/huggingface is the official tool's */
	snprintf(path, sizeof(path), "%s/up/.cache/huggingface/.gitignore", dir);
	assert_true(slurp_eq(path, "*"));
	snprintf(path, sizeof(path), "%s/up/.cache/huggingface/CACHEDIR.TAG", dir);
	assert_int_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/up/.cache/huggingface/upload/sub/a.txt.lock", dir);
	assert_int_equal(stat(path, &st), 0);

	/* the same state for a file of another size does not hold: a request is tried */
	snprintf(path, sizeof(path), "%s/up/sub/a.txt", dir);
	put(path, "abcd");
	snprintf(path, sizeof(path), "%s/up", dir);
	assert_int_not_equal(hf_upload_large_folder(c, "a/b", path, NULL), HF_OK);
	/* and an exclude pattern leaves it out again */
	{
		const char *ex[] = { "sub/*" };

		o.exclude = ex;
		o.exclude_count = 1;
		assert_int_equal(hf_upload_large_folder(c, "a/b", path, &o), HF_OK);
	}
	hf_client_free(c);
	snprintf(text, sizeof(text), "rm -rf '%s'", dir);
	assert_int_equal(system(text), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_official_states),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_fresh),
		cmocka_unit_test(test_batches),
		cmocka_unit_test(test_call_before_requests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

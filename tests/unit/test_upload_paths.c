/*
 * Upload paths (src/lib/upload/paths.h): path in repo validation as
 * huggingface_hub v1.28.0 _validate_path_in_repo plus our stricter
 * choices, and the folder walk filter (default ignores, include/exclude
 * with '*' crossing '/'). Expected values follow upload-protocol.md §1.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "upload/paths.h"

/* path must be valid and normalise to want. */
static void ok(const char *path, const char *want)
{
	const char *norm = NULL, *why = NULL;

	if (!hf__upload_path_in_repo(path, &norm, &why))
		fail_msg("'%s' refused: %s", path, why);
	assert_non_null(norm);
	assert_string_equal(norm, want);
}

static void bad(const char *path)
{
	const char *norm = NULL, *why = NULL;

	if (hf__upload_path_in_repo(path, &norm, &why))
		fail_msg("'%s' accepted as '%s'", path, norm);
	assert_non_null(why);
	assert_null(norm);
}

static void test_path_valid(void **state)
{
	(void)state;
	ok("a.txt", "a.txt");
	ok("data/train/part-0.parquet", "data/train/part-0.parquet");
	ok("/a.txt", "a.txt");
	ok("./a.txt", "a.txt");
	ok("/./a/b", "a/b");
	ok(".gitattributes", ".gitattributes");
	ok(".gitignore", ".gitignore");
	ok("a/.github/x.yml", "a/.github/x.yml");
	ok("x.git", "x.git");
	ok(".cached/y", ".cached/y");
	ok("...", "...");
	ok("a/.../b", "a/.../b");
	ok("name with space.txt", "name with space.txt");
	ok("\xc3\xa9t\xc3\xa9.txt", "\xc3\xa9t\xc3\xa9.txt");
}

static void test_path_official_refusals(void **state)
{
	(void)state;
	bad(".");
	bad("..");
	bad("../a");
	bad("/..");
	bad("/../a");
	bad("/.");
	bad(".git");
	bad(".git/config");
	bad("a/.git");
	bad("a/.git/b");
	bad(".cache");
	bad("x/.cache/huggingface/y");
	bad("./.git/x");
}

static void test_path_our_refusals(void **state)
{
	(void)state;
	bad(NULL);
	bad("");
	bad("/");
	bad("./");
	bad("//a");            /* only one '/' is stripped, then an empty component */
	bad("a//b");
	bad("a/");
	bad("a/../b");
	bad("a/..");
	bad("a/./b");          /* the official client lets it through; we do not */
	bad("..\\ddd");
	bad("a\\b");
	bad("a\nb");
	bad("a\tb");
	bad("a\x7f");
	bad("././a");          /* one "./" stripped, then a "." component */
}

static int keep(const char *name, const char *const *allow, size_t na,
		const char *const *ign, size_t ni)
{
	return hf__upload_walk_keep(name, allow, na, ign, ni);
}

static void test_walk_default_ignores(void **state)
{
	(void)state;
	assert_false(keep(".git", NULL, 0, NULL, 0));
	assert_false(keep(".git/HEAD", NULL, 0, NULL, 0));
	assert_false(keep(".git/objects/ab/cd", NULL, 0, NULL, 0));
	assert_false(keep("sub/.git", NULL, 0, NULL, 0));
	assert_false(keep("sub/.git/config", NULL, 0, NULL, 0));
	assert_false(keep(".cache/huggingface", NULL, 0, NULL, 0));
	assert_false(keep(".cache/huggingface/upload/a.metadata", NULL, 0, NULL, 0));
	assert_false(keep("a/b/.cache/huggingface/x", NULL, 0, NULL, 0));
	assert_false(keep(NULL, NULL, 0, NULL, 0));
	assert_true(keep(".gitignore", NULL, 0, NULL, 0));
	assert_true(keep(".gitattributes", NULL, 0, NULL, 0));
	assert_true(keep("a.git/x", NULL, 0, NULL, 0));
	assert_true(keep(".cache/other/x", NULL, 0, NULL, 0));
	assert_true(keep(".cache/huggingfacex", NULL, 0, NULL, 0));
	assert_true(keep("README.md", NULL, 0, NULL, 0));
	/* An allow pattern cannot bring a default-ignored file back. */
	{
		const char *all[] = { "*" };

		assert_false(keep(".git/HEAD", all, 1, NULL, 0));
	}
}

static void test_walk_patterns(void **state)
{
	const char *json[] = { "data/*.json" };
	const char *dir[] = { "logs/" };
	const char *multi[] = { "*.md", "*.txt" };
	const char *q[] = { "file?.bin" };
	const char *set[] = { "[ab]*.csv" };
	const char *bs[] = { "data\\*.json" };

	(void)state;
	assert_true(keep("data/a.json", json, 1, NULL, 0));
	assert_true(keep("data/a/b.json", json, 1, NULL, 0));   /* '*' crosses '/' */
	assert_false(keep("other/a.json", json, 1, NULL, 0));
	assert_false(keep("data/a.jsonl", json, 1, NULL, 0));
	assert_true(keep("logs/x", dir, 1, NULL, 0));
	assert_true(keep("logs/a/b", dir, 1, NULL, 0));
	assert_false(keep("logs", dir, 1, NULL, 0));
	assert_false(keep("x/logs/y", dir, 1, NULL, 0));
	assert_true(keep("README.md", multi, 2, NULL, 0));
	assert_true(keep("a/b.txt", multi, 2, NULL, 0));
	assert_false(keep("a.bin", multi, 2, NULL, 0));
	assert_true(keep("file1.bin", q, 1, NULL, 0));
	assert_false(keep("file10.bin", q, 1, NULL, 0));
	assert_true(keep("a1.csv", set, 1, NULL, 0));
	assert_false(keep("c1.csv", set, 1, NULL, 0));
	assert_true(keep("data/x.json", bs, 1, NULL, 0));
	assert_true(keep("data\\x.json", json, 1, NULL, 0));
	/* exclude wins over include */
	assert_false(keep("logs/x", dir, 1, dir, 1));
	assert_true(keep("a.md", multi, 2, dir, 1));
	assert_false(keep("logs/a.md", multi, 2, dir, 1));
	assert_false(keep("a.md", NULL, 0, multi, 2));
	assert_true(keep("a.bin", NULL, 0, multi, 2));
	/* case-sensitive like fnmatchcase */
	assert_false(keep("README.MD", multi, 2, NULL, 0));
}

static void test_delete_match(void **state)
{
	const char *all[] = { "*" };
	const char *txt[] = { "*.txt" };
	const char *dir[] = { "old/" };

	(void)state;
	assert_true(hf__upload_delete_match("a.txt", "", txt, 1));
	assert_true(hf__upload_delete_match("d/a.txt", NULL, txt, 1));
	assert_false(hf__upload_delete_match("a.bin", "", txt, 1));
	assert_false(hf__upload_delete_match(".gitattributes", "", all, 1));
	assert_true(hf__upload_delete_match("sub/.gitattributes", "", all, 1));
	assert_false(hf__upload_delete_match("a.txt", "", NULL, 0));
	/* under a prefix: only its files, matched relative to it */
	assert_true(hf__upload_delete_match("data/a.txt", "data", txt, 1));
	assert_true(hf__upload_delete_match("data/a.txt", "data/", txt, 1));
	assert_false(hf__upload_delete_match("database/a.txt", "data", txt, 1));
	assert_false(hf__upload_delete_match("a.txt", "data", txt, 1));
	assert_false(hf__upload_delete_match("data", "data", all, 1));
	assert_true(hf__upload_delete_match("data/old/x.bin", "data", dir, 1));
	assert_false(hf__upload_delete_match("data/new/old/x.bin", "data", dir, 1));
	assert_false(hf__upload_delete_match("old/x.bin", "data", dir, 1));
	assert_false(hf__upload_delete_match(NULL, "", all, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_valid),
		cmocka_unit_test(test_path_official_refusals),
		cmocka_unit_test(test_path_our_refusals),
		cmocka_unit_test(test_walk_default_ignores),
		cmocka_unit_test(test_walk_patterns),
		cmocka_unit_test(test_delete_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

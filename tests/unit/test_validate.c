/*
 * Validation of repo ids, revisions, commits, etags and file names, and
 * the pattern matcher and URL quoting: the rules of src/lib/validate.h
 * and the hostile inputs of shared/docs/reliability.md (b) 11, 12, 16,
 * 54, 61. Expected values for fnmatch and quote are those of Python's
 * fnmatch.fnmatchcase and urllib.parse.quote.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "validate.h"

/* Big enough for every generated input below, with room to spare. */
#define BIG 200000

static char big[BIG];
static char big2[BIG];

/* A string of n copies of c in buf (n < BIG). */
static const char *repeat(char *buf, char c, size_t n)
{
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------ */
/* Repo ids */

static void test_repo_id_valid(void **state)
{
	(void)state;
	assert_true(hf__valid_repo_id("gpt2"));
	assert_true(hf__valid_repo_id("openai-community/gpt2"));
	assert_true(hf__valid_repo_id("google-bert/bert-base-uncased"));
	assert_true(hf__valid_repo_id("a"));
	assert_true(hf__valid_repo_id("a/b"));
	assert_true(hf__valid_repo_id("Org_1/model.v2-final"));
	/* '_' is a word character, so it may start and end a part. */
	assert_true(hf__valid_repo_id("_a_/_b_"));
	assert_true(hf__valid_repo_id("a.b-c_d"));
	/* ".git" only matters as a suffix. */
	assert_true(hf__valid_repo_id("x.gitx"));
	assert_true(hf__valid_repo_id("a.git/b"));
}

static void test_repo_id_shape(void **state)
{
	(void)state;
	assert_false(hf__valid_repo_id(NULL));
	assert_false(hf__valid_repo_id(""));
	assert_false(hf__valid_repo_id("a/b/c"));
	assert_false(hf__valid_repo_id("datasets/org/x"));
	assert_false(hf__valid_repo_id("a/"));
	assert_false(hf__valid_repo_id("/a"));
	assert_false(hf__valid_repo_id("/"));
	assert_false(hf__valid_repo_id("a//b"));
}

static void test_repo_id_traversal_and_suffix(void **state)
{
	(void)state;
	assert_false(hf__valid_repo_id("../x"));
	assert_false(hf__valid_repo_id(".."));
	assert_false(hf__valid_repo_id("a/.."));
	assert_false(hf__valid_repo_id("a..b"));
	assert_false(hf__valid_repo_id("a--b"));
	assert_false(hf__valid_repo_id("org/a--b"));
	assert_false(hf__valid_repo_id("x.git"));
	assert_false(hf__valid_repo_id("org/x.git"));
	assert_false(hf__valid_repo_id(".git"));
}

static void test_repo_id_boundaries(void **state)
{
	(void)state;
	assert_false(hf__valid_repo_id("-a"));
	assert_false(hf__valid_repo_id("a-"));
	assert_false(hf__valid_repo_id(".a"));
	assert_false(hf__valid_repo_id("a."));
	assert_false(hf__valid_repo_id("-org/a"));
	assert_false(hf__valid_repo_id("org./a"));
	assert_false(hf__valid_repo_id("org/-a"));
	assert_false(hf__valid_repo_id("org/a."));
	assert_false(hf__valid_repo_id("-"));
	assert_false(hf__valid_repo_id("."));
}

static void test_repo_id_charset(void **state)
{
	(void)state;
	assert_false(hf__valid_repo_id("a b"));
	assert_false(hf__valid_repo_id("a\nb"));
	assert_false(hf__valid_repo_id("gpt2\n"));
	assert_false(hf__valid_repo_id("a\\b"));
	assert_false(hf__valid_repo_id("a:b"));
	assert_false(hf__valid_repo_id("a%2fb"));
	assert_false(hf__valid_repo_id("a+b"));
	/* Fullwidth "ｇｐｔ２" and other non-ASCII word characters. */
	assert_false(hf__valid_repo_id("\xef\xbd\x87\xef\xbd\x90\xef\xbd\x94\xef\xbc\x92"));
	assert_false(hf__valid_repo_id("org/\xef\xbd\x87pt2"));
	assert_false(hf__valid_repo_id("caf\xc3\xa9"));
	/* Fullwidth solidus is not a separator. */
	assert_false(hf__valid_repo_id("a\xef\xbc\x8f" "b"));
}

static void test_repo_id_length(void **state)
{
	char id[256];

	(void)state;
	assert_true(hf__valid_repo_id(repeat(id, 'a', 96)));
	assert_false(hf__valid_repo_id(repeat(id, 'a', 97)));

	/* Both parts are limited to 96 characters. */
	memcpy(id, "org/", 4);
	repeat(id + 4, 'b', 96);
	assert_true(hf__valid_repo_id(id));
	repeat(id + 4, 'b', 97);
	assert_false(hf__valid_repo_id(id));

	repeat(id, 'c', 96);
	memcpy(id + 96, "/x", 3);
	assert_true(hf__valid_repo_id(id));
	repeat(id, 'c', 97);
	memcpy(id + 97, "/x", 3);
	assert_false(hf__valid_repo_id(id));

	/* A huge id is refused without trouble. */
	assert_false(hf__valid_repo_id(repeat(big, 'a', 100000)));
}

/* ------------------------------------------------------------------ */
/* Commit hashes (reliability 11, 54) */

#define HEX40 "0123456789abcdef0123456789abcdef01234567"
#define HEX64 HEX40 "89abcdef0123456789abcdef"

static void test_commit_hash(void **state)
{
	(void)state;
	assert_int_equal(strlen(HEX40), 40);
	assert_true(hf__is_commit_hash(HEX40));
	assert_true(hf__is_commit_hash("a94a8fe5ccb19ba61c4c0873d391e987982fbbd3"));
	assert_false(hf__is_commit_hash(NULL));
	assert_false(hf__is_commit_hash(""));
	/* 39 and 41 characters. */
	assert_false(hf__is_commit_hash("0123456789abcdef0123456789abcdef0123456"));
	assert_false(hf__is_commit_hash(HEX40 "8"));
	/* Upper case is not what the Hub sends for a commit. */
	assert_false(hf__is_commit_hash("0123456789ABCDEF0123456789abcdef01234567"));
	assert_false(hf__is_commit_hash("g123456789abcdef0123456789abcdef01234567"));
	assert_false(hf__is_commit_hash("../../tmp/x"));
	assert_false(hf__is_commit_hash("/etc"));
	assert_false(hf__is_commit_hash("../../tmp/xxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
	/* refs/main with a trailing newline, not stripped here. */
	assert_false(hf__is_commit_hash(HEX40 "\n"));
	assert_false(hf__is_commit_hash(" " HEX40));
	/* A 64-character etag is not a commit. */
	assert_false(hf__is_commit_hash(HEX64));
}

/* ------------------------------------------------------------------ */
/* Etags (reliability 12) */

static void test_is_etag(void **state)
{
	(void)state;
	assert_int_equal(strlen(HEX64), 64);
	assert_true(hf__is_etag(HEX40));
	assert_true(hf__is_etag(HEX64));
	assert_false(hf__is_etag(NULL));
	assert_false(hf__is_etag(""));
	assert_false(hf__is_etag("0123456789abcdef0123456789abcdef0123456"));
	assert_false(hf__is_etag(HEX40 "8"));
	assert_false(hf__is_etag("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde"));
	assert_false(hf__is_etag(HEX64 "0"));
	assert_false(hf__is_etag("0123456789ABCDEF0123456789abcdef01234567"));
	assert_false(hf__is_etag("\"" HEX40 "\""));
	assert_false(hf__is_etag("../x"));
}

/* Normalise a copy of in; check the verdict and the text left behind. */
static void check_norm(const char *in, int valid, const char *out)
{
	static char buf[256];

	assert_true(strlen(in) < sizeof(buf));
	strcpy(buf, in);
	assert_int_equal(hf__normalize_etag(buf), valid);
	assert_string_equal(buf, out);
}

static void test_normalize_etag_valid(void **state)
{
	(void)state;
	check_norm(HEX40, 1, HEX40);
	check_norm("\"" HEX40 "\"", 1, HEX40);
	check_norm("W/\"" HEX40 "\"", 1, HEX40);
	check_norm("\"" HEX64 "\"", 1, HEX64);
	check_norm("W/\"" HEX64 "\"", 1, HEX64);
	/* Upper case is normalised to lower case. */
	check_norm("\"0123456789ABCDEF0123456789ABCDEF01234567\"", 1,
		   "0123456789abcdef0123456789abcdef01234567");
	check_norm("W/\"" "ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789" "\"",
		   1, "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
	/* lstrip("W/") strips any run of 'W' and '/', not only "W/". */
	check_norm("WW//" HEX40, 1, HEX40);
	check_norm("/W/W\"" HEX40 "\"", 1, HEX40);
	/* strip('"') strips any number, on each end independently. */
	check_norm("\"\"" HEX40 "\"", 1, HEX40);
	check_norm("\"" HEX40, 1, HEX40);
	check_norm(HEX40 "\"\"\"", 1, HEX40);
}

static void test_normalize_etag_hostile(void **state)
{
	(void)state;
	check_norm("W/\"abc\"", 0, "abc");
	check_norm("\"../x\"", 0, "../x");
	check_norm("\"a/b\"", 0, "a/b");
	check_norm("\"\"", 0, "");
	check_norm("", 0, "");
	check_norm("W/", 0, "");
	check_norm("\"" HEX40 "\r\n\"", 0, HEX40 "\r\n");
	check_norm("\"" HEX40 "\r\nSet-Cookie: x\"", 0, HEX40 "\r\nset-cookie: x");
	check_norm(HEX40 "\n", 0, HEX40 "\n");
	check_norm(" \"" HEX40 "\"", 0, " \"" HEX40);
	/* 39, 41, 63 and 65 hex characters. */
	check_norm("\"0123456789abcdef0123456789abcdef0123456\"", 0,
		   "0123456789abcdef0123456789abcdef0123456");
	check_norm("\"" HEX40 "8\"", 0, HEX40 "8");
	check_norm("\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\"", 0,
		   "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde");
	check_norm("\"" HEX64 "0\"", 0, HEX64 "0");
	/* Only the edges are stripped; a quote inside stays and fails. */
	check_norm("\"0123456789abcdef0123\"456789abcdef01234567\"", 0,
		   "0123456789abcdef0123\"456789abcdef01234567");
	/* A 'W' inside the value is kept (and lower-cased). */
	check_norm("\"W/" HEX40 "\"", 0, "w/" HEX40);
	assert_false(hf__normalize_etag(NULL));
}

static void test_normalize_etag_huge(void **state)
{
	(void)state;
	/* A 1 MB-ish header value: linear work, refused. */
	repeat(big, 'a', BIG - 2);
	big[0] = '"';
	big[BIG - 3] = '"';
	assert_false(hf__normalize_etag(big));
	assert_int_equal(strlen(big), BIG - 4);
}

/* ------------------------------------------------------------------ */
/* Revisions (reliability 61) */

static void test_revision_valid(void **state)
{
	(void)state;
	assert_true(hf__valid_revision("main"));
	assert_true(hf__valid_revision("refs/pr/1"));
	assert_true(hf__valid_revision("refs/convert/parquet"));
	assert_true(hf__valid_revision("v1.0"));
	assert_true(hf__valid_revision(HEX40));
	assert_true(hf__valid_revision("feature/x-y_z"));
	/* Only whole "." and ".." segments are refused. */
	assert_true(hf__valid_revision("a..b"));
	assert_true(hf__valid_revision("..a"));
	/* Quoted before use, so URL-special bytes are harmless. */
	assert_true(hf__valid_revision("a?b#c%d"));
	assert_true(hf__valid_revision("caf\xc3\xa9"));
}

static void test_revision_paths(void **state)
{
	(void)state;
	assert_false(hf__valid_revision(NULL));
	assert_false(hf__valid_revision(""));
	assert_false(hf__valid_revision("../../x"));
	assert_false(hf__valid_revision(".."));
	assert_false(hf__valid_revision("a/../b"));
	assert_false(hf__valid_revision("a/.."));
	assert_false(hf__valid_revision("."));
	assert_false(hf__valid_revision("./a"));
	assert_false(hf__valid_revision("a/./b"));
	assert_false(hf__valid_revision("a/."));
	assert_false(hf__valid_revision("/abs"));
	assert_false(hf__valid_revision("/"));
	assert_false(hf__valid_revision("a//b"));
	assert_false(hf__valid_revision("a/"));
	assert_false(hf__valid_revision("refs/pr/"));
	assert_false(hf__valid_revision("a\\b"));
	assert_false(hf__valid_revision("..\\x"));
}

static void test_revision_bytes(void **state)
{
	(void)state;
	assert_false(hf__valid_revision("a\nb"));
	assert_false(hf__valid_revision("main\n"));
	assert_false(hf__valid_revision("a\rb"));
	assert_false(hf__valid_revision("a\tb"));
	assert_false(hf__valid_revision("a\x1f"));
	assert_false(hf__valid_revision("a\x7f"));
	assert_false(hf__valid_revision("a b"));
	assert_false(hf__valid_revision(" main"));
}

static void test_revision_length(void **state)
{
	char rev[300];

	(void)state;
	assert_true(hf__valid_revision(repeat(rev, 'r', 256)));
	assert_false(hf__valid_revision(repeat(rev, 'r', 257)));
	assert_false(hf__valid_revision(repeat(big, 'r', 100000)));
}

/* ------------------------------------------------------------------ */
/* File names (reliability 16) */

/* Refused, with the given reason. */
static void check_bad_name(const char *name, const char *why)
{
	const char *reason = NULL;

	assert_false(hf__valid_filename(name, &reason));
	assert_non_null(reason);
	assert_string_equal(reason, why);
	/* The reason is optional. */
	assert_false(hf__valid_filename(name, NULL));
}

static void check_good_name(const char *name)
{
	const char *reason = "unset";

	assert_true(hf__valid_filename(name, &reason));
	assert_null(reason);
	assert_true(hf__valid_filename(name, NULL));
}

static void test_filename_valid(void **state)
{
	(void)state;
	check_good_name("config.json");
	check_good_name("normal/dir/file.safetensors");
	check_good_name("weird name+1.txt");
	check_good_name("dir/.hidden");
	check_good_name(".gitattributes");
	check_good_name("..a");
	check_good_name("a..b");
	check_good_name("...a");
	check_good_name("dir/caf\xc3\xa9.txt");
	/* Only the first segment's second byte marks a drive. */
	check_good_name("ab:c");
	check_good_name("a/C:x");
	/* Names that merely start like a device. */
	check_good_name("console.txt");
	check_good_name("auxiliary/x");
	check_good_name("com10.json");
	check_good_name("com0.json");
	check_good_name("lpt");
	check_good_name("nul_x");
	check_good_name("x/prn_file");
}

static void test_filename_traversal(void **state)
{
	(void)state;
	check_bad_name("../x", "contains a '..' segment");
	check_bad_name("..", "contains a '..' segment");
	check_bad_name("a/../b", "contains a '..' segment");
	check_bad_name("a/..", "contains a '..' segment");
	check_bad_name("./a", "contains a '.' segment");
	check_bad_name(".", "contains a '.' segment");
	check_bad_name("a/./b", "contains a '.' segment");
	check_bad_name("a//b", "contains an empty path segment");
	check_bad_name("a/", "ends with '/'");
	check_bad_name("a/b/", "ends with '/'");
	check_bad_name("", "is empty");
	check_bad_name(NULL, "is empty");
}

static void test_filename_absolute_and_windows(void **state)
{
	(void)state;
	check_bad_name("/abs", "is an absolute path");
	check_bad_name("/", "is an absolute path");
	check_bad_name("//host/share/x", "is an absolute path");
	check_bad_name("C:\\x", "contains a '\\' (Windows separator)");
	check_bad_name("\\\\h\\s\\x", "contains a '\\' (Windows separator)");
	check_bad_name("a\\..\\b", "contains a '\\' (Windows separator)");
	check_bad_name("\\abs", "contains a '\\' (Windows separator)");
	check_bad_name("C:x", "starts with a drive letter");
	check_bad_name("c:/x", "starts with a drive letter");
	check_bad_name("C:", "starts with a drive letter");
}

static void test_filename_control(void **state)
{
	(void)state;
	check_bad_name("\n", "contains a control character");
	check_bad_name("a\nb", "contains a control character");
	check_bad_name("a\r", "contains a control character");
	check_bad_name("\t", "contains a control character");
	check_bad_name("a\x01", "contains a control character");
	check_bad_name("a\x1f" "b", "contains a control character");
	check_bad_name("a\x7f", "contains a control character");
	check_bad_name("dir/\x1b[31mred", "contains a control character");
}

static void test_filename_lengths(void **state)
{
	char seg[300];
	size_t i;

	(void)state;
	/* 4096 bytes in 99-byte segments is fine, 4097 is not. */
	for (i = 0; i < 4096; i++)
		big[i] = i % 100 == 99 ? '/' : 'a';
	big[4096] = '\0';
	check_good_name(big);
	big[4096] = 'b';
	big[4097] = '\0';
	check_bad_name(big, "is longer than 4096 bytes");
	check_bad_name(repeat(big, 'a', 5000), "is longer than 4096 bytes");
	check_good_name(repeat(seg, 's', 255));
	check_bad_name(repeat(seg, 's', 256), "has a path segment longer than 255 bytes");
	memcpy(big2, "dir/", 4);
	repeat(big2 + 4, 's', 256);
	check_bad_name(big2, "has a path segment longer than 255 bytes");
}

static void test_filename_device_names(void **state)
{
	(void)state;
	check_bad_name("CON", "contains a Windows device name");
	check_bad_name("con", "contains a Windows device name");
	check_bad_name("PRN", "contains a Windows device name");
	check_bad_name("aux.txt", "contains a Windows device name");
	check_bad_name("AUX.tar.gz", "contains a Windows device name");
	check_bad_name("Nul", "contains a Windows device name");
	check_bad_name("com1.json", "contains a Windows device name");
	check_bad_name("COM9", "contains a Windows device name");
	check_bad_name("lpt1", "contains a Windows device name");
	check_bad_name("LPT9.bin", "contains a Windows device name");
	check_bad_name("dir/con/file", "contains a Windows device name");
	check_bad_name("dir/nul.json", "contains a Windows device name");
	/* Windows ignores spaces before the extension too. */
	check_bad_name("con .txt", "contains a Windows device name");
}

static void test_filename_trailing_dot_space(void **state)
{
	(void)state;
	check_bad_name("x.", "has a segment ending in '.' or ' '");
	check_bad_name("x ", "has a segment ending in '.' or ' '");
	check_bad_name("a..", "has a segment ending in '.' or ' '");
	check_bad_name("dir./x", "has a segment ending in '.' or ' '");
	check_bad_name("dir /x", "has a segment ending in '.' or ' '");
	check_bad_name("...", "has a segment ending in '.' or ' '");
	check_bad_name(" ", "has a segment ending in '.' or ' '");
}

static void test_filename_reason_cleared_on_success(void **state)
{
	const char *reason = "stale";

	(void)state;
	assert_true(hf__valid_filename("ok.txt", &reason));
	assert_null(reason);
}

/* ------------------------------------------------------------------ */
/* fnmatch */

static void test_fnmatch_literals_and_star(void **state)
{
	(void)state;
	assert_true(hf__fnmatch("config.json", "config.json"));
	assert_false(hf__fnmatch("config.json", "config.jso"));
	assert_false(hf__fnmatch("config.jso", "config.json"));
	assert_true(hf__fnmatch("", ""));
	assert_false(hf__fnmatch("", "a"));
	assert_true(hf__fnmatch("*", ""));
	assert_true(hf__fnmatch("*", "anything/at/all"));
	assert_true(hf__fnmatch("**", ""));
	assert_true(hf__fnmatch("*.json", "config.json"));
	/* '*' crosses '/'. */
	assert_true(hf__fnmatch("*.json", "a/b.json"));
	assert_true(hf__fnmatch("a*z", "a/b/c/z"));
	assert_true(hf__fnmatch("onnx/*", "onnx/sub/model.onnx"));
	assert_false(hf__fnmatch("*.json", "a.json.bak"));
	assert_true(hf__fnmatch("*a*b*c", "xxaxxbxxc"));
	assert_false(hf__fnmatch("*a*b*c", "xxaxxcxxb"));
	assert_true(hf__fnmatch("a*", "a"));
	assert_true(hf__fnmatch("*a", "aaa"));
	assert_false(hf__fnmatch("a*b", "a"));
	/* '\\' is an ordinary character here. */
	assert_true(hf__fnmatch("a\\*", "a\\xyz"));
	assert_false(hf__fnmatch("a\\*", "a*"));
	assert_false(hf__fnmatch(NULL, "a"));
	assert_false(hf__fnmatch("a", NULL));
}

static void test_fnmatch_case_sensitive(void **state)
{
	(void)state;
	assert_false(hf__fnmatch("*.JSON", "a.json"));
	assert_false(hf__fnmatch("*.json", "a.JSON"));
	assert_false(hf__fnmatch("Model*", "model.bin"));
	assert_false(hf__fnmatch("[a-z]", "A"));
}

static void test_fnmatch_question(void **state)
{
	(void)state;
	assert_true(hf__fnmatch("?", "a"));
	assert_false(hf__fnmatch("?", ""));
	assert_false(hf__fnmatch("?", "ab"));
	assert_true(hf__fnmatch("a?c", "abc"));
	assert_true(hf__fnmatch("a?c", "a/c"));
	assert_true(hf__fnmatch("?", "\n"));
	/* One character, as Python counts them: "ü" is two bytes. */
	assert_true(hf__fnmatch("?", "\xc3\xbc"));
	assert_true(hf__fnmatch("a?.txt", "a\xc3\xbc.txt"));
	assert_false(hf__fnmatch("??", "\xc3\xbc"));
	/* Split so that no "??-" trigraph forms under -std=c11. */
	assert_true(hf__fnmatch("model-????" "?-of-????" "?.safetensors",
				"model-00001-of-00002.safetensors"));
}

static void test_fnmatch_sets(void **state)
{
	(void)state;
	assert_true(hf__fnmatch("[abc]", "b"));
	assert_false(hf__fnmatch("[abc]", "d"));
	assert_true(hf__fnmatch("[a-c]", "a"));
	assert_true(hf__fnmatch("[a-c]", "c"));
	assert_false(hf__fnmatch("[a-c]", "d"));
	assert_true(hf__fnmatch("[!a]", "b"));
	assert_false(hf__fnmatch("[!a]", "a"));
	assert_true(hf__fnmatch("[!a-c]", "/"));
	assert_false(hf__fnmatch("[!a-c]", "b"));
	/* A set matches exactly one character. */
	assert_false(hf__fnmatch("[!a]", ""));
	assert_false(hf__fnmatch("[ab]", "ab"));
	/* ']' first (after an optional '!') is a member. */
	assert_true(hf__fnmatch("[]]", "]"));
	assert_true(hf__fnmatch("[]a]", "a"));
	assert_false(hf__fnmatch("[]a]", "b"));
	assert_true(hf__fnmatch("[!]]", "a"));
	assert_false(hf__fnmatch("[!]]", "]"));
	assert_true(hf__fnmatch("[]-a]", "^"));
	/* '-' first or last is literal. */
	assert_true(hf__fnmatch("[-a]", "-"));
	assert_true(hf__fnmatch("[a-]", "-"));
	assert_false(hf__fnmatch("[a-]", "b"));
	assert_true(hf__fnmatch("[!-a]", "b"));
	assert_false(hf__fnmatch("[!-a]", "-"));
	/* After a range the next character starts a new member. */
	assert_true(hf__fnmatch("[a-c-e]", "-"));
	assert_true(hf__fnmatch("[a-c-e]", "e"));
	assert_false(hf__fnmatch("[a-c-e]", "d"));
	/* '^', '\\', '&', '~' and '|' are plain members. */
	assert_true(hf__fnmatch("[^a]", "^"));
	assert_false(hf__fnmatch("[^a]", "b"));
	assert_true(hf__fnmatch("[\\]", "\\"));
	assert_true(hf__fnmatch("[&&]", "&"));
	assert_true(hf__fnmatch("[~|]", "|"));
	/* '*' and '?' are literal inside a set, '/' is a member too. */
	assert_true(hf__fnmatch("[*?]", "*"));
	assert_false(hf__fnmatch("[*?]", "a"));
	assert_true(hf__fnmatch("a[/]b", "a/b"));
	/* Sets and ranges are over characters, not bytes. */
	assert_true(hf__fnmatch("[\xc3\xa0-\xc3\xbf]", "\xc3\xbc"));
	assert_true(hf__fnmatch("[!a]", "\xc3\xbc"));
	assert_true(hf__fnmatch("*.[jt][sx]*", "dir/a.json"));
	assert_true(hf__fnmatch("model-0000[1-3]-of-00003.bin", "model-00002-of-00003.bin"));
}

static void test_fnmatch_reversed_ranges(void **state)
{
	(void)state;
	/* Python drops a reversed range: it matches nothing. */
	assert_false(hf__fnmatch("[z-a]", "z"));
	assert_false(hf__fnmatch("[z-a]", "m"));
	assert_true(hf__fnmatch("[z-ab]", "b"));
	assert_true(hf__fnmatch("[!z-a]", "z"));
	assert_false(hf__fnmatch("[a--]", "-"));
	/* ...and a leading '!' left behind becomes a negation. */
	assert_true(hf__fnmatch("[z-a!]", "q"));
	assert_true(hf__fnmatch("[z-a!x]", "!"));
	assert_false(hf__fnmatch("[z-a!x]", "x"));
	assert_false(hf__fnmatch("[z-a!-#]", "-"));
	assert_false(hf__fnmatch("[z-a!-#]", "#"));
	assert_true(hf__fnmatch("[z-a!-#]", "\""));
	assert_true(hf__fnmatch("[]-\\!]", "["));
}

static void test_fnmatch_unclosed_set(void **state)
{
	(void)state;
	assert_true(hf__fnmatch("[", "["));
	assert_false(hf__fnmatch("[", "a"));
	assert_true(hf__fnmatch("[a", "[a"));
	assert_true(hf__fnmatch("a[", "a["));
	assert_true(hf__fnmatch("[!", "[!"));
	assert_true(hf__fnmatch("[]", "[]"));
	assert_true(hf__fnmatch("[!]", "[!]"));
	assert_true(hf__fnmatch("*[", "abc["));
	assert_true(hf__fnmatch("[*", "[xyz"));
	assert_true(hf__fnmatch("[?", "[x"));
	/* A '[' inside a set is a member; the set closes at the ']'. */
	assert_true(hf__fnmatch("[[a]", "["));
	assert_true(hf__fnmatch("[[a]", "a"));
	assert_false(hf__fnmatch("[[a]", "[a"));
	/* A ']' right after "[" or "[!" does not close the set. */
	assert_true(hf__fnmatch("a[]", "a[]"));
	assert_true(hf__fnmatch("[!]x", "[!]x"));
	/* "[]" followed by more text that holds a ']' closes there. */
	assert_true(hf__fnmatch("[]x]", "x"));
	assert_true(hf__fnmatch("[]x]", "]"));
}

static void test_fnmatch_pathological(void **state)
{
	char pat[1024];
	double t0, elapsed;
	size_t i;

	(void)state;
	t0 = now();
	repeat(big, 'a', 100000);
	assert_false(hf__fnmatch("*a*a*a*a*a*a*a*b", big));
	assert_true(hf__fnmatch("*a*a*a*a*a*a*a*a", big));

	/* 200 stars against 5000 characters. */
	for (i = 0; i < 200; i++) {
		pat[2 * i] = '*';
		pat[2 * i + 1] = 'a';
	}
	pat[400] = 'b';
	pat[401] = '\0';
	repeat(big2, 'a', 5000);
	assert_false(hf__fnmatch(pat, big2));

	/* Hundreds of unclosed '[' after a star. */
	pat[0] = '*';
	memset(pat + 1, '[', 900);
	pat[901] = 'x';
	pat[902] = '\0';
	repeat(big2, '[', 5000);
	assert_false(hf__fnmatch(pat, big2));
	big2[4999] = 'x';
	assert_true(hf__fnmatch(pat, big2));

	/* A hundred sets after a star. */
	pat[0] = '*';
	for (i = 0; i < 100; i++)
		memcpy(pat + 1 + 4 * i, "[!b]", 4);
	memcpy(pat + 401, "b", 2);
	repeat(big2, 'a', 5000);
	assert_false(hf__fnmatch(pat, big2));

	elapsed = now() - t0;
	/* Generous for sanitizers; exponential would take forever. */
	assert_true(elapsed < 5.0);
}

/* ------------------------------------------------------------------ */
/* Filters */

static void test_filter_no_patterns(void **state)
{
	(void)state;
	assert_true(hf__filter_match("any/file.bin", NULL, 0, NULL, 0));
	assert_false(hf__filter_match(NULL, NULL, 0, NULL, 0));
}

static void test_filter_allow(void **state)
{
	static const char *const allow[] = { "*.json", "*.safetensors" };

	(void)state;
	assert_true(hf__filter_match("config.json", allow, 2, NULL, 0));
	assert_true(hf__filter_match("sub/model.safetensors", allow, 2, NULL, 0));
	assert_false(hf__filter_match("model.bin", allow, 2, NULL, 0));
	assert_false(hf__filter_match("CONFIG.JSON", allow, 2, NULL, 0));
	/* Only the first n_allow patterns count. */
	assert_false(hf__filter_match("model.safetensors", allow, 1, NULL, 0));
}

static void test_filter_ignore(void **state)
{
	static const char *const ignore[] = { "*.bin", ".*" };

	(void)state;
	assert_false(hf__filter_match("pytorch_model.bin", NULL, 0, ignore, 2));
	assert_false(hf__filter_match(".gitattributes", NULL, 0, ignore, 2));
	assert_true(hf__filter_match("config.json", NULL, 0, ignore, 2));
	/* Patterns are anchored: ".*" is about the start of the whole path. */
	assert_true(hf__filter_match("dir/.hidden", NULL, 0, ignore, 1));
}

static void test_filter_allow_and_ignore(void **state)
{
	static const char *const allow[] = { "*.json", "onnx/" };
	static const char *const ignore[] = { "tokenizer*", "onnx/*_quantized*" };

	(void)state;
	assert_true(hf__filter_match("config.json", allow, 2, ignore, 2));
	assert_false(hf__filter_match("tokenizer.json", allow, 2, ignore, 2));
	assert_true(hf__filter_match("onnx/model.onnx", allow, 2, ignore, 2));
	assert_false(hf__filter_match("onnx/model_quantized.onnx", allow, 2, ignore, 2));
	assert_false(hf__filter_match("model.safetensors", allow, 2, ignore, 2));
	/* Ignore wins over allow. */
	assert_false(hf__filter_match("tokenizer_config.json", allow, 2, ignore, 1));
}

static void test_filter_directory_pattern(void **state)
{
	static const char *const dir[] = { "onnx/" };
	static const char *const nested[] = { "a/b/" };

	(void)state;
	assert_true(hf__filter_match("onnx/model.onnx", dir, 1, NULL, 0));
	assert_true(hf__filter_match("onnx/sub/x.bin", dir, 1, NULL, 0));
	/* "onnx/" + "*" also matches "onnx/" itself. */
	assert_true(hf__filter_match("onnx/", dir, 1, NULL, 0));
	assert_false(hf__filter_match("onnx", dir, 1, NULL, 0));
	assert_false(hf__filter_match("onnx.json", dir, 1, NULL, 0));
	assert_false(hf__filter_match("x/onnx/model.onnx", dir, 1, NULL, 0));
	assert_true(hf__filter_match("a/b/c", nested, 1, NULL, 0));
	assert_false(hf__filter_match("a/bc", nested, 1, NULL, 0));
	assert_false(hf__filter_match("onnx/model.onnx", NULL, 0, dir, 1));
	assert_true(hf__filter_match("other/model.onnx", NULL, 0, dir, 1));
}

static void test_filter_backslash(void **state)
{
	static const char *const bs_star[] = { "onnx\\*" };
	static const char *const bs_dir[] = { "onnx\\" };
	static const char *const bs_set[] = { "a[\\]b" };
	static const char *const slash[] = { "onnx/*" };

	(void)state;
	assert_true(hf__filter_match("onnx/model.onnx", bs_star, 1, NULL, 0));
	assert_true(hf__filter_match("onnx\\model.onnx", bs_star, 1, NULL, 0));
	assert_true(hf__filter_match("onnx\\model.onnx", slash, 1, NULL, 0));
	/* A trailing '\\' is a trailing '/'. */
	assert_true(hf__filter_match("onnx/model.onnx", bs_dir, 1, NULL, 0));
	/* Inside sets as well. */
	assert_true(hf__filter_match("a/b", bs_set, 1, NULL, 0));
	assert_false(hf__filter_match("onnx/model.onnx", NULL, 0, bs_star, 1));
	/* Plain hf__fnmatch keeps '\\' and '/' apart. */
	assert_false(hf__fnmatch("onnx\\*", "onnx/model.onnx"));
}

static void test_filter_null_entries(void **state)
{
	static const char *const allow[] = { NULL, "*.json" };
	static const char *const ignore[] = { NULL };

	(void)state;
	assert_true(hf__filter_match("a.json", allow, 2, ignore, 1));
	assert_false(hf__filter_match("a.bin", allow, 2, ignore, 1));
}

/* ------------------------------------------------------------------ */
/* URL quoting (hub-protocol.md §3.1) */

static void check_quote(const char *s, const char *safe, const char *want)
{
	char out[512];
	size_t n = hf__url_quote(s, safe, out, sizeof(out));

	assert_int_equal(n, strlen(want));
	assert_string_equal(out, want);
}

static void test_url_quote(void **state)
{
	(void)state;
	check_quote("refs/pr/1", "", "refs%2Fpr%2F1");
	check_quote("refs/pr/1", "/", "refs/pr/1");
	check_quote("main", "", "main");
	check_quote("weird name+1.txt", "/", "weird%20name%2B1.txt");
	check_quote("dir/\xc3\xbc.txt", "/", "dir/%C3%BC.txt");
	check_quote("dir/\xc3\xbc.txt", "", "dir%2F%C3%BC.txt");
	check_quote("", "", "");
	check_quote("AZaz09_.-~", "", "AZaz09_.-~");
	check_quote("a%b", "", "a%25b");
	check_quote("a?b#c&d=e", "/", "a%3Fb%23c%26d%3De");
	check_quote("../x", "/", "../x");
	check_quote("a\nb\r\x7f", "", "a%0Ab%0D%7F");
	check_quote("\xff\x80", "", "%FF%80");
	check_quote("a+b c", "+", "a+b%20c");
	check_quote("a b", NULL, "a%20b");
	/* Non-ASCII bytes in safe are ignored, as Python does. */
	check_quote("\xc3\xbc", "\xc3\xbc", "%C3%BC");
}

static void test_url_quote_buffer(void **state)
{
	char out[16];

	(void)state;
	/* Exactly enough: 13 characters plus the NUL. */
	assert_int_equal(hf__url_quote("refs/pr/1", "", out, 14), 13);
	assert_string_equal(out, "refs%2Fpr%2F1");
	memset(out, 'x', sizeof(out));
	assert_int_equal(hf__url_quote("refs/pr/1", "", out, 13), (size_t)-1);
	assert_string_equal(out, "");
	memset(out, 'x', sizeof(out));
	assert_int_equal(hf__url_quote("abc", "", out, 3), (size_t)-1);
	assert_string_equal(out, "");
	assert_int_equal(hf__url_quote("abc", "", out, 4), 3);
	assert_string_equal(out, "abc");
	/* An escape is never cut in half. */
	memset(out, 'x', sizeof(out));
	assert_int_equal(hf__url_quote("a b", "", out, 5), (size_t)-1);
	assert_string_equal(out, "");
	assert_int_equal(hf__url_quote("", "", out, 1), 0);
	assert_string_equal(out, "");
	assert_int_equal(hf__url_quote("a", "", out, 0), (size_t)-1);
	assert_int_equal(hf__url_quote("a", "", NULL, 8), (size_t)-1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_repo_id_valid),
		cmocka_unit_test(test_repo_id_shape),
		cmocka_unit_test(test_repo_id_traversal_and_suffix),
		cmocka_unit_test(test_repo_id_boundaries),
		cmocka_unit_test(test_repo_id_charset),
		cmocka_unit_test(test_repo_id_length),
		cmocka_unit_test(test_commit_hash),
		cmocka_unit_test(test_is_etag),
		cmocka_unit_test(test_normalize_etag_valid),
		cmocka_unit_test(test_normalize_etag_hostile),
		cmocka_unit_test(test_normalize_etag_huge),
		cmocka_unit_test(test_revision_valid),
		cmocka_unit_test(test_revision_paths),
		cmocka_unit_test(test_revision_bytes),
		cmocka_unit_test(test_revision_length),
		cmocka_unit_test(test_filename_valid),
		cmocka_unit_test(test_filename_traversal),
		cmocka_unit_test(test_filename_absolute_and_windows),
		cmocka_unit_test(test_filename_control),
		cmocka_unit_test(test_filename_lengths),
		cmocka_unit_test(test_filename_device_names),
		cmocka_unit_test(test_filename_trailing_dot_space),
		cmocka_unit_test(test_filename_reason_cleared_on_success),
		cmocka_unit_test(test_fnmatch_literals_and_star),
		cmocka_unit_test(test_fnmatch_case_sensitive),
		cmocka_unit_test(test_fnmatch_question),
		cmocka_unit_test(test_fnmatch_sets),
		cmocka_unit_test(test_fnmatch_reversed_ranges),
		cmocka_unit_test(test_fnmatch_unclosed_set),
		cmocka_unit_test(test_fnmatch_pathological),
		cmocka_unit_test(test_filter_no_patterns),
		cmocka_unit_test(test_filter_allow),
		cmocka_unit_test(test_filter_ignore),
		cmocka_unit_test(test_filter_allow_and_ignore),
		cmocka_unit_test(test_filter_directory_pattern),
		cmocka_unit_test(test_filter_backslash),
		cmocka_unit_test(test_filter_null_entries),
		cmocka_unit_test(test_url_quote),
		cmocka_unit_test(test_url_quote_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * The folder walk of folder uploads (src/lib/upload/walk.c) on a real
 * temporary folder: sorted '/'-separated paths, the default ignores never
 * descended into, include/exclude, and which symbolic links are followed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "upload/walk.h"

static char root[256];

static void put(const char *rel)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "x", 1), 1);
	close(fd);
}

static void dir(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static void link_to(const char *target, const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(symlink(target, path), 0);
}

static int setup(void **state)
{
	char outside[300];
	int fd;

	(void)state;
	snprintf(root, sizeof(root), "/tmp/hf-walk-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	dir("sub");
	dir("sub/deep");
	dir(".git");
	dir(".cache");
	dir(".cache/huggingface");
	dir(".cache/other");
	dir("x");
	dir("x/.cache");
	dir("x/.cache/huggingface");
	dir("out");
	put("b.txt");
	put("a.txt");
	put("B.txt");
	put("sub/z.json");
	put("sub/deep/a.bin");
	put(".git/config");
	put(".cache/huggingface/upload-hashes");
	put(".cache/other/kept");
	put("x/.cache/huggingface/state");
	put("x/y.txt");
	put(".gitignore");
	/* A file outside the folder (in out/, which is then left out by include in one test). */
	snprintf(outside, sizeof(outside), "%s.secret", root);
	fd = open(outside, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	close(fd);
	link_to(outside, "leak.txt");          /* out of the folder: skipped */
	link_to("a.txt", "alias.txt");         /* inside: taken */
	link_to("sub", "subdir-link");         /* a directory: skipped */
	link_to("missing", "dangling");        /* dangling: skipped */
	link_to("../sub/z.json", "out/z-link.json"); /* inside through "..": taken */
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s.secret'", root, root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_everything_sorted(void **state)
{
	static const char *const want[] = {
		".cache/other/kept", ".gitignore", "B.txt", "a.txt", "alias.txt", "b.txt",
		"out/z-link.json", "sub/deep/a.bin", "sub/z.json", "x/y.txt",
	};
	hf__walk w = HF__WALK_INIT;
	size_t i;

	(void)state;
	assert_int_equal(hf__walk_folder(root, NULL, 0, NULL, 0, &w, NULL), 0);
	for (i = 0; i < w.n && i < sizeof(want) / sizeof(want[0]); i++)
		assert_string_equal(w.files[i].rel, want[i]);
	assert_int_equal(w.n, sizeof(want) / sizeof(want[0]));
	assert_int_equal(w.skipped_links, 3);
	/* abs is what to open: the folder and the relative path. */
	assert_true(strncmp(w.files[0].abs, root, strlen(root)) == 0);
	assert_string_equal(w.files[0].abs + strlen(root), "/.cache/other/kept");
	hf__walk_dispose(&w);
}

static void test_include_exclude(void **state)
{
	const char *inc[] = { "*.txt", "sub/" };
	const char *exc[] = { "sub/deep/*", "b*" };
	hf__walk w = HF__WALK_INIT;

	(void)state;
	assert_int_equal(hf__walk_folder(root, inc, 2, exc, 2, &w, NULL), 0);
	assert_int_equal(w.n, 5);
	assert_string_equal(w.files[0].rel, "B.txt");
	assert_string_equal(w.files[1].rel, "a.txt");
	assert_string_equal(w.files[2].rel, "alias.txt");
	assert_string_equal(w.files[3].rel, "sub/z.json");
	assert_string_equal(w.files[4].rel, "x/y.txt");
	hf__walk_dispose(&w);
}

static void test_not_a_folder(void **state)
{
	char path[300];
	hf__walk w = HF__WALK_INIT;

	(void)state;
	snprintf(path, sizeof(path), "%s/a.txt", root);
	assert_int_equal(hf__walk_folder(path, NULL, 0, NULL, 0, &w, NULL), -ENOTDIR);
	snprintf(path, sizeof(path), "%s/none", root);
	assert_int_equal(hf__walk_folder(path, NULL, 0, NULL, 0, &w, NULL), -ENOENT);
	assert_int_equal(w.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_everything_sorted),
		cmocka_unit_test(test_include_exclude),
		cmocka_unit_test(test_not_a_folder),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

/*
 * The commit body made while it is sent (src/lib/upload/commit_body.c):
 * the same bytes as commit_payload.c's lines whatever the read sizes, the
 * announced length, a rewind, and a file that got shorter.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "upload/commit_body.h"
#include "upload/commit_payload.h"

#define SHA "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"

static int temp_file(const unsigned char *data, size_t len)
{
	FILE *f = tmpfile();
	int fd;

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fflush(f), 0);
	fd = dup(fileno(f));
	fclose(f);
	assert_true(fd >= 0);
	return fd;
}

/* Read the whole body in pieces of step bytes. */
static char *read_all(hf__commit_body *b, size_t step, size_t *len)
{
	char *out = malloc((size_t)b->length + 1);
	size_t n = 0, got;

	assert_non_null(out);
	while ((got = hf__commit_body_read(out + n, step, b)) > 0) {
		assert_true(got != (size_t)-1);
		n += got;
		assert_true(n <= b->length);
	}
	*len = n;
	return out;
}

static void test_same_bytes_as_the_lines(void **state)
{
	unsigned char data[100000];
	hf__commit_body b;
	hf__buf want = HF__BUF_INIT;
	static const size_t steps[] = { 1, 2, 3, 7, 4096, 65536, 1 << 20 };
	size_t i, len;
	int fd;

	(void)state;
	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 7 + 3);
	fd = temp_file(data, 99998); /* not a multiple of 3 */
	hf__commit_body_init(&b);
	assert_int_equal(hf__commit_put_header(&b.text, "msg", NULL, NULL), 0);
	assert_int_equal(hf__commit_body_file(&b, "big.txt", "/x/big.txt", fd, NULL, NULL, 99998), 0);
	assert_int_equal(hf__commit_put_lfs_file(&b.text, "w.bin", SHA, 12), 0);
	assert_int_equal(hf__commit_body_file(&b, "mem.txt", "mem.txt", -1, "hello", NULL, 5), 0);
	assert_int_equal(hf__commit_body_file(&b, "empty.txt", "empty.txt", -1, "", NULL, 0), 0);
	assert_int_equal(hf__commit_put_deleted_file(&b.text, "old.txt"), 0);
	assert_int_equal(hf__commit_body_text(&b), 0);

	want.max = (size_t)1 << 30;
	assert_int_equal(hf__commit_put_header(&want, "msg", NULL, NULL), 0);
	assert_int_equal(hf__commit_put_file(&want, "big.txt", data, 99998), 0);
	assert_int_equal(hf__commit_put_lfs_file(&want, "w.bin", SHA, 12), 0);
	assert_int_equal(hf__commit_put_file(&want, "mem.txt", "hello", 5), 0);
	assert_int_equal(hf__commit_put_file(&want, "empty.txt", "", 0), 0);
	assert_int_equal(hf__commit_put_deleted_file(&want, "old.txt"), 0);
	assert_int_equal(b.length, want.len);

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		char *got;

		assert_int_equal(hf__commit_body_rewind(&b), 0);
		got = read_all(&b, steps[i], &len);
		assert_int_equal(len, want.len);
		assert_memory_equal(got, want.data, len);
		free(got);
	}
	hf__buf_dispose(&want);
	hf__commit_body_dispose(&b);
	close(fd);
}

static void test_a_shorter_file_stops_the_body(void **state)
{
	unsigned char data[1000];
	hf__commit_body b;
	char buf[4096];
	size_t got, total = 0;
	int fd;

	(void)state;
	memset(data, 'a', sizeof(data));
	fd = temp_file(data, sizeof(data));
	hf__commit_body_init(&b);
	assert_int_equal(hf__commit_put_header(&b.text, "msg", NULL, NULL), 0);
	assert_int_equal(hf__commit_body_file(&b, "a.txt", "/x/a.txt", fd, NULL, NULL, sizeof(data)), 0);
	assert_int_equal(ftruncate(fd, 500), 0);
	while ((got = hf__commit_body_read(buf, sizeof(buf), &b)) > 0 && got != (size_t)-1)
		total += got;
	assert_true(got == (size_t)-1);
	assert_true(total < b.length);
	assert_int_equal(b.changed, 1);
	assert_string_equal(b.changed_name, "/x/a.txt");
	/* A rewind starts clean. */
	assert_int_equal(hf__commit_body_rewind(&b), 0);
	assert_int_equal(b.changed, 0);
	hf__commit_body_dispose(&b);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_bytes_as_the_lines),
		cmocka_unit_test(test_a_shorter_file_stops_the_body),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

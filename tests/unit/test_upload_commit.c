/*
 * The commit NDJSON builder (src/lib/upload/commit_payload.h) and its
 * json.dumps-compatible output (json_out.h). Every expected line was
 * produced by Python 3's json.dumps(item) + "\n", the way huggingface_hub
 * v1.28.0 builds the body (upload-protocol.md §7).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "upload/commit_payload.h"
#include "upload/json_out.h"

static void test_base64_vectors(void **state)
{
	/* RFC 4648 §10 */
	static const char *const in[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *const want[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==",
					    "Zm9vYmE=", "Zm9vYmFy" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof in / sizeof in[0]; i++) {
		hf__buf b = HF__BUF_INIT;

		assert_int_equal(hf__b64_append(&b, in[i], strlen(in[i])), 0);
		assert_string_equal(b.data ? b.data : "", want[i]);
		hf__buf_dispose(&b);
	}
}

/* Every split of inputs of 0..20 bytes into three pieces gives the
 * one-shot text. */
static void test_base64_stream(void **state)
{
	unsigned char in[20];
	size_t len, i, j;

	(void)state;
	for (i = 0; i < sizeof in; i++)
		in[i] = (unsigned char)(i * 37 + 11);
	for (len = 0; len <= sizeof in; len++) {
		hf__buf want = HF__BUF_INIT;

		assert_int_equal(hf__b64_append(&want, in, len), 0);
		for (i = 0; i <= len; i++) {
			for (j = i; j <= len; j++) {
				hf__buf got = HF__BUF_INIT;
				hf__b64_stream st = HF__B64_STREAM_INIT;

				assert_int_equal(hf__b64_stream_update(&st, &got, in, i), 0);
				assert_int_equal(hf__b64_stream_update(&st, &got, in + i, j - i), 0);
				assert_int_equal(hf__b64_stream_update(&st, &got, in + j, len - j), 0);
				assert_int_equal(hf__b64_stream_final(&st, &got), 0);
				assert_int_equal(got.len, want.len);
				if (want.len)
					assert_memory_equal(got.data, want.data, want.len);
				hf__buf_dispose(&got);
			}
		}
		hf__buf_dispose(&want);
	}
}

/* begin + streamed content + end is the put_file line. */
static void test_file_pieces(void **state)
{
	hf__buf a = HF__BUF_INIT, b = HF__BUF_INIT;
	hf__b64_stream st = HF__B64_STREAM_INIT;

	(void)state;
	assert_int_equal(hf__commit_put_file(&a, "d/x y.txt", "hello world", 11), 0);
	assert_int_equal(hf__commit_file_begin(&b, "d/x y.txt"), 0);
	assert_int_equal(hf__b64_stream_update(&st, &b, "hell", 4), 0);
	assert_int_equal(hf__b64_stream_update(&st, &b, "o wo", 4), 0);
	assert_int_equal(hf__b64_stream_update(&st, &b, "rld", 3), 0);
	assert_int_equal(hf__b64_stream_final(&st, &b), 0);
	assert_int_equal(hf__commit_file_end(&b, "d/x y.txt"), 0);
	assert_string_equal(b.data, a.data);
	assert_int_equal(hf__commit_file_end(&b, NULL), -1);
	hf__buf_dispose(&a);
	hf__buf_dispose(&b);
}

static void test_header(void **state)
{
	hf__buf b = HF__BUF_INIT;

	(void)state;
	assert_int_equal(hf__commit_put_header(&b, "Upload a.txt with huggingface_hub",
					       NULL, NULL), 0);
	assert_string_equal(b.data,
		"{\"key\": \"header\", \"value\": {\"summary\": \"Upload a.txt with huggingface_hub\", \"description\": \"\"}}\n");
	hf__buf_dispose(&b);

	assert_int_equal(hf__commit_put_header(&b,
		"t\xc3\xa9st \"q\" \\ \n\t\x01\x7f \xf0\x9f\x98\x80", "d",
		"0123456789abcdef0123456789abcdef01234567"), 0);
	assert_string_equal(b.data,
		"{\"key\": \"header\", \"value\": {\"summary\": \"t\\u00e9st \\\"q\\\" \\\\ \\n\\t\\u0001\\u007f \\ud83d\\ude00\", \"description\": \"d\", \"parentCommit\": \"0123456789abcdef0123456789abcdef01234567\"}}\n");
	hf__buf_dispose(&b);
}

static void test_header_refusals(void **state)
{
	hf__buf b = HF__BUF_INIT;

	(void)state;
	assert_int_equal(hf__commit_put_header(&b, "", NULL, NULL), -1);
	assert_int_equal(hf__commit_put_header(&b, NULL, NULL, NULL), -1);
	assert_int_equal(hf__commit_put_header(&b, "s", NULL, "abc"), -1);
	assert_int_equal(hf__commit_put_header(&b, "s", NULL, "ABCDEF0"), -1);
	assert_int_equal(hf__commit_put_header(&b, "s", NULL,
		"0123456789abcdef0123456789abcdef012345678"), -1);
	hf__buf_dispose(&b);
	/* not UTF-8: a lone continuation byte, an overlong form, a surrogate */
	assert_int_equal(hf__commit_put_header(&b, "a\x80", NULL, NULL), -1);
	hf__buf_dispose(&b);
	assert_int_equal(hf__commit_put_header(&b, "\xc0\xaf", NULL, NULL), -1);
	hf__buf_dispose(&b);
	assert_int_equal(hf__commit_put_header(&b, "\xed\xa0\x80", NULL, NULL), -1);
	hf__buf_dispose(&b);
	assert_int_equal(hf__commit_put_header(&b, "\xf4\x90\x80\x80", NULL, NULL), -1);
	hf__buf_dispose(&b);
	/* a 7-char prefix is fine */
	assert_int_equal(hf__commit_put_header(&b, "s", NULL, "abcdef0"), 0);
	hf__buf_dispose(&b);
}

static void test_lines(void **state)
{
	hf__buf b = HF__BUF_INIT;
	char oid[65];

	(void)state;
	memset(oid, 'a', 64);
	oid[64] = '\0';
	assert_int_equal(hf__commit_put_header(&b, "s", NULL, NULL), 0);
	assert_int_equal(hf__commit_put_file(&b, "a/b.txt", "hello\n", 6), 0);
	assert_int_equal(hf__commit_put_file(&b, "empty", NULL, 0), 0);
	assert_int_equal(hf__commit_put_lfs_file(&b, "m.bin", oid, 123456789012ULL), 0);
	assert_int_equal(hf__commit_put_deleted_file(&b, "old.txt"), 0);
	assert_int_equal(hf__commit_put_deleted_folder(&b, "logs/"), 0);
	assert_string_equal(b.data,
		"{\"key\": \"header\", \"value\": {\"summary\": \"s\", \"description\": \"\"}}\n"
		"{\"key\": \"file\", \"value\": {\"content\": \"aGVsbG8K\", \"path\": \"a/b.txt\", \"encoding\": \"base64\"}}\n"
		"{\"key\": \"file\", \"value\": {\"content\": \"\", \"path\": \"empty\", \"encoding\": \"base64\"}}\n"
		"{\"key\": \"lfsFile\", \"value\": {\"path\": \"m.bin\", \"algo\": \"sha256\", \"oid\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\", \"size\": 123456789012}}\n"
		"{\"key\": \"deletedFile\", \"value\": {\"path\": \"old.txt\"}}\n"
		"{\"key\": \"deletedFolder\", \"value\": {\"path\": \"logs/\"}}\n");
	hf__buf_dispose(&b);

	/* bad oids */
	assert_int_equal(hf__commit_put_lfs_file(&b, "m", "abc", 1), -1);
	oid[3] = 'A';
	assert_int_equal(hf__commit_put_lfs_file(&b, "m", oid, 1), -1);
	assert_int_equal(hf__commit_put_lfs_file(&b, NULL, "abc", 1), -1);
	assert_int_equal(hf__commit_put_deleted_file(&b, NULL), -1);
	assert_int_equal(hf__commit_put_file(&b, "x", NULL, 3), -1);
	hf__buf_dispose(&b);
}

static void test_limit(void **state)
{
	hf__buf b = HF__BUF_INIT;
	static char data[4096];

	(void)state;
	b.max = 1000;
	assert_int_equal(hf__commit_put_file(&b, "x", data, sizeof data), -1);
	hf__buf_dispose(&b);
}

/* The fd form gives the same line as the bytes form, for sizes around
 * the chunk boundary and through a pipe (short reads). */
static void check_fd(size_t n, int use_pipe)
{
	unsigned char *data = malloc(n ? n : 1);
	hf__buf want = HF__BUF_INIT, got = HF__BUF_INIT;
	uint64_t size = 0;
	size_t i;
	pid_t pid = -1;
	int fd;

	assert_non_null(data);
	for (i = 0; i < n; i++)
		data[i] = (unsigned char)(i * 7 + i / 251);
	assert_int_equal(hf__commit_put_file(&want, "d/f.bin", data, n), 0);
	if (use_pipe) {
		int p[2];

		assert_int_equal(pipe(p), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			size_t off = 0;

			close(p[0]);
			/* odd-sized writes so the reader sees short reads */
			while (off < n) {
				size_t k = n - off < 1001 ? n - off : 1001;
				ssize_t w = write(p[1], data + off, k);

				if (w <= 0)
					_exit(1);
				off += (size_t)w;
			}
			_exit(0);
		}
		close(p[1]);
		fd = p[0];
	} else {
		FILE *f = tmpfile();

		assert_non_null(f);
		fd = dup(fileno(f));
		assert_int_equal(write(fd, data, n), (ssize_t)n);
		assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
		fclose(f);
	}
	assert_int_equal(hf__commit_put_file_fd(&got, "d/f.bin", fd, &size), 0);
	close(fd);
	if (pid > 0) {
		int st = 0;

		assert_int_equal(waitpid(pid, &st, 0), pid);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	assert_int_equal(size, n);
	assert_int_equal(got.len, want.len);
	assert_memory_equal(got.data, want.data, want.len);
	hf__buf_dispose(&want);
	hf__buf_dispose(&got);
	free(data);
}

static void test_file_fd(void **state)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 4, 511, 512, 65535, 65536,
					65537, 65538, 131072, 131073, 200001 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		check_fd(sizes[i], 0);
		check_fd(sizes[i], 1);
	}
	{
		hf__buf b = HF__BUF_INIT;

		assert_int_equal(hf__commit_put_file_fd(&b, "x", -1, NULL), -1);
		hf__buf_dispose(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64_vectors),
		cmocka_unit_test(test_base64_stream),
		cmocka_unit_test(test_file_pieces),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_header_refusals),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_file_fd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

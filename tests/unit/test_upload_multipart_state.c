/*
 * The multipart resume file of upload/multipart_state.h: its one spelling
 * per state (format then parse round-trips), and the refusals that keep a
 * torn or edited file from being half-trusted.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "upload/multipart_state.h"

#define OID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const char good[] =
	"hf-multipart 1\n"
	"oid " OID "\n"
	"size 25\n"
	"chunk 10\n"
	"complete https://hub.example/api/complete_multipart?uploadId=u1&X-Sig=a\n"
	"part 1 https://cdn.example/mp/u1/1?sig=1\n"
	"part 2 https://cdn.example/mp/u1/2?sig=2\n"
	"part 3 https://cdn.example/mp/u1/3?sig=3\n"
	"etag 2 \"md5-of-2\"\n";

/* Parse text from a heap copy without a NUL, so ASan sees any overread. */
static int parse(const char *text, hf__mp_state *st)
{
	size_t len = strlen(text);
	char *copy = malloc(len ? len : 1);
	int rc;

	assert_non_null(copy);
	memcpy(copy, text, len);
	rc = hf__mp_state_parse(copy, len, st);
	free(copy);
	return rc;
}

static void test_parse_good(void **state)
{
	hf__mp_state st;

	(void)state;
	assert_int_equal(parse(good, &st), 0);
	assert_string_equal(st.oid, OID);
	assert_int_equal(st.size, 25);
	assert_int_equal(st.chunk, 10);
	assert_int_equal(st.n_parts, 3);
	assert_string_equal(st.complete, "https://hub.example/api/complete_multipart?uploadId=u1&X-Sig=a");
	assert_string_equal(st.parts[0], "https://cdn.example/mp/u1/1?sig=1");
	assert_string_equal(st.parts[2], "https://cdn.example/mp/u1/3?sig=3");
	assert_null(st.etags[0]);
	assert_string_equal(st.etags[1], "\"md5-of-2\"");
	assert_null(st.etags[2]);
	hf__mp_state_dispose(&st);
}

static void test_format_round_trip(void **state)
{
	hf__mp_state st;
	hf__buf out = HF__BUF_INIT;

	(void)state;
	assert_int_equal(parse(good, &st), 0);
	assert_int_equal(hf__mp_state_format(&out, &st), 0);
	assert_int_equal(out.len, strlen(good));
	assert_memory_equal(out.data, good, out.len);
	hf__mp_state_dispose(&st);
	hf__buf_dispose(&out);
}

static void test_refused(void **state)
{
	static const char *bad[] = {
		"",
		"hf-multipart 2\n",
		/* no final newline */
		"hf-multipart 1\noid " OID "\nsize 25\nchunk 10\ncomplete u\npart 1 a\npart 2 b\npart 3 c",
		/* too few parts for the size */
		"hf-multipart 1\noid " OID "\nsize 25\nchunk 10\ncomplete u\npart 1 a\npart 2 b\n",
		/* parts out of order */
		"hf-multipart 1\noid " OID "\nsize 25\nchunk 10\ncomplete u\npart 1 a\npart 3 c\npart 2 b\n",
		/* an etag for a part that does not exist, a duplicate, one with a space */
		"hf-multipart 1\noid " OID "\nsize 25\nchunk 10\ncomplete u\npart 1 a\npart 2 b\npart 3 c\netag 4 x\n",
		"hf-multipart 1\noid " OID "\nsize 25\nchunk 10\ncomplete u\npart 1 a\npart 2 b\npart 3 c\netag 1 x\netag 1 y\n",
		"hf-multipart 1\noid " OID "\nsize 25\nchunk 10\ncomplete u\npart 1 a\npart 2 b\npart 3 c\netag 1 x y\n",
		/* chunk 0, signed size, upper-case oid, a URL with a control byte */
		"hf-multipart 1\noid " OID "\nsize 25\nchunk 0\ncomplete u\n",
		"hf-multipart 1\noid " OID "\nsize -25\nchunk 10\ncomplete u\npart 1 a\npart 2 b\npart 3 c\n",
		"hf-multipart 1\noid 0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef\nsize 5\nchunk 10\ncomplete u\npart 1 a\n",
		"hf-multipart 1\noid " OID "\nsize 5\nchunk 10\ncomplete u\npart 1 a\tb\n",
		/* CRLF */
		"hf-multipart 1\r\noid " OID "\r\nsize 5\r\nchunk 10\r\ncomplete u\r\npart 1 a\r\n",
		/* a size of zero has no parts (empty files never go as LFS) */
		"hf-multipart 1\noid " OID "\nsize 0\nchunk 10\ncomplete u\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		hf__mp_state st;

		memset(&st, 0x5a, sizeof(st));
		if (parse(bad[i], &st) != -1)
			fail_msg("accepted case %zu", i);
		assert_null(st.parts);
		assert_null(st.complete);
		assert_int_equal(st.n_parts, 0);
	}
}

static void test_format_refuses_bad_values(void **state)
{
	hf__mp_state st;
	hf__buf out = HF__BUF_INIT;

	(void)state;
	assert_int_equal(parse(good, &st), 0);
	free(st.etags[0]);
	st.etags[0] = strdup("two words");
	assert_int_equal(hf__mp_state_format(&out, &st), -1);
	hf__mp_state_dispose(&st);
	hf__buf_dispose(&out);
	assert_int_equal(hf__mp_state_value_ok(""), 0);
	assert_int_equal(hf__mp_state_value_ok("\"abc\""), 1);
	assert_int_equal(hf__mp_state_value_ok("a\x7f"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_format_refuses_bad_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * The resume checkpoint of resume.h: its text format (parse and format,
 * both pure), the owner line, the file around them and the adoption of an
 * earlier run's partial. The grammar is in docs/internals/download.md.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "resume.h"

#define ETAG64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ETAG40 "0123456789abcdef0123456789abcdef01234567"
#define MIB ((uint64_t)1 << 20)
#define CELL HF__RESUME_CELL_SIZE

static hf__resume *new_resume(void)
{
	hf__resume *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	return r;
}

/* Parse text (as a heap copy without a NUL, so ASan sees any overread). */
static int parse_text(const char *text, hf__resume *out)
{
	size_t len = strlen(text);
	char *copy = malloc(len ? len : 1);
	int rc;

	assert_non_null(copy);
	memcpy(copy, text, len);
	rc = hf__resume_parse(copy, len, out);
	free(copy);
	return rc;
}

static void assert_rejected(const char *text)
{
	hf__resume *r = new_resume();

	if (parse_text(text, r) == 0)
		fail_msg("accepted: \"%s\"", text);
	/* Nothing half-filled is left behind. */
	assert_int_equal(r->etag[0], 0);
	assert_int_equal(r->ncells, 0);
	free(r);
}

static void assert_same(const hf__resume *a, const hf__resume *b)
{
	size_t i;

	assert_string_equal(a->etag, b->etag);
	assert_true(a->size == b->size);
	assert_true(a->offset == b->offset);
	assert_string_equal(a->owner, b->owner);
	assert_int_equal(a->pid, b->pid);
	assert_int_equal(a->has_cells, b->has_cells);
	assert_int_equal(a->ncells, b->ncells);
	for (i = 0; i < a->ncells; i++) {
		assert_true(a->cells[i].cell == b->cells[i].cell);
		assert_true(a->cells[i].pos == b->cells[i].pos);
	}
}

/* format(r) is exactly want, and parses back to r. */
static void check_round_trip(const hf__resume *r, const char *want)
{
	char buf[HF__RESUME_TEXT_MAX];
	hf__resume *back = new_resume();
	size_t n = hf__resume_format(r, buf, sizeof(buf));

	assert_true(n > 0);
	assert_int_equal(n, strlen(buf));
	if (want)
		assert_string_equal(buf, want);
	assert_int_equal(hf__resume_parse(buf, n, back), 0);
	assert_same(r, back);
	free(back);
}

/* ---- round trips ---- */

static void test_minimal(void **state)
{
	hf__resume *r = new_resume();

	(void)state;
	/* The text test_download_faults.py writes by hand. */
	assert_int_equal(parse_text("hf-resume 1\n" ETAG64 "\n67108864\n16777216\n", r), 0);
	assert_string_equal(r->etag, ETAG64);
	assert_true(r->size == 64 * MIB);
	assert_true(r->offset == 16 * MIB);
	assert_string_equal(r->owner, "");
	assert_int_equal(r->pid, 0);
	assert_int_equal(r->has_cells, 0);
	assert_int_equal(r->ncells, 0);
	check_round_trip(r, "hf-resume 1\n" ETAG64 "\n67108864\n16777216\n");

	/* A git-sha1 etag, an empty prefix, an empty file. */
	assert_int_equal(parse_text("hf-resume 1\n" ETAG40 "\n0\n0\n", r), 0);
	assert_string_equal(r->etag, ETAG40);
	assert_true(r->size == 0 && r->offset == 0);
	/* The prefix may be the whole file. */
	assert_int_equal(parse_text("hf-resume 1\n" ETAG40 "\n10\n10\n", r), 0);
	/* The largest size there is. */
	assert_int_equal(parse_text("hf-resume 1\n" ETAG40 "\n9223372036854775807\n"
				    "9223372036854775807\n", r), 0);
	assert_true(r->size == (uint64_t)LLONG_MAX);
	free(r);
}

static void test_every_field(void **state)
{
	hf__resume *r = new_resume();
	const char *text = "hf-resume 1\n" ETAG64 "\n"
			   "104857600\n"
			   "20971520\n"
			   "owner 6f2b9c1e-0c8d-4f61-a1a3-5b0e33c7d1f2 pid:[4026531836] 4242\n"
			   "cells 16777216 1:33554432 2:40000000 5:100000000\n";

	(void)state;
	assert_int_equal(parse_text(text, r), 0);
	assert_string_equal(r->etag, ETAG64);
	assert_true(r->size == 100 * MIB);
	assert_true(r->offset == 20 * MIB);
	assert_string_equal(r->owner, "6f2b9c1e-0c8d-4f61-a1a3-5b0e33c7d1f2 pid:[4026531836]");
	assert_int_equal(r->pid, 4242);
	assert_int_equal(r->has_cells, 1);
	assert_int_equal(r->ncells, 3);
	/* The prefix's own cell (1) comes first: it holds data past the prefix. */
	assert_true(r->cells[0].cell == 1 && r->cells[0].pos == 2 * CELL);
	assert_true(r->cells[1].cell == 2 && r->cells[1].pos == 40000000);
	assert_true(r->cells[2].cell == 5 && r->cells[2].pos == 100000000);
	/* Byte for byte what the writer makes. */
	check_round_trip(r, text);
	free(r);
}

static void test_cells_line(void **state)
{
	hf__resume *r = new_resume();

	(void)state;
	/* A split download with no cell past the prefix yet: the line alone. */
	assert_int_equal(parse_text("hf-resume 1\n" ETAG40 "\n67108864\n0\ncells 16777216\n", r), 0);
	assert_int_equal(r->has_cells, 1);
	assert_int_equal(r->ncells, 0);
	check_round_trip(r, "hf-resume 1\n" ETAG40 "\n67108864\n0\ncells 16777216\n");
	/* The last cell, cut at the end of the file. */
	assert_int_equal(parse_text("hf-resume 1\n" ETAG40 "\n50000000\n0\n"
				    "cells 16777216 2:50000000\n", r), 0);
	assert_true(r->cells[0].cell == 2 && r->cells[0].pos == 50000000);
	/* A cell that starts exactly at the prefix. */
	assert_int_equal(parse_text("hf-resume 1\n" ETAG40 "\n67108864\n16777216\n"
				    "cells 16777216 1:16777217\n", r), 0);
	/* The most cells there may be. */
	{
		hf__resume *big = new_resume();
		size_t i;

		memcpy(big->etag, ETAG64, 65);
		big->size = (uint64_t)LLONG_MAX;
		big->offset = 0;
		big->has_cells = 1;
		big->ncells = HF__RESUME_MAX_CELLS;
		for (i = 0; i < HF__RESUME_MAX_CELLS; i++) {
			/* The widest numbers the grid allows. */
			big->cells[i].cell = (uint64_t)LLONG_MAX / CELL - HF__RESUME_MAX_CELLS + i;
			big->cells[i].pos = big->cells[i].cell * CELL + 1;
		}
		snprintf(big->owner, sizeof(big->owner), "%.63s %.63s",
			 "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
			 "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn");
		big->pid = INT_MAX;
		check_round_trip(big, NULL);
		free(big);
	}
	free(r);
}

/* ---- rejections ---- */

static void test_reject_magic(void **state)
{
	(void)state;
	assert_rejected("");
	assert_rejected("hf-resume 2\n" ETAG40 "\n10\n0\n");
	assert_rejected("hf-resume 0\n" ETAG40 "\n10\n0\n");
	assert_rejected("hf-resume 10\n" ETAG40 "\n10\n0\n");
	assert_rejected("HF-RESUME 1\n" ETAG40 "\n10\n0\n");
	assert_rejected("hf-resume  1\n" ETAG40 "\n10\n0\n");
	assert_rejected("hf-resume\t1\n" ETAG40 "\n10\n0\n");
	assert_rejected(" hf-resume 1\n" ETAG40 "\n10\n0\n");
	assert_rejected("\nhf-resume 1\n" ETAG40 "\n10\n0\n");
	assert_rejected("\xef\xbb\xbfhf-resume 1\n" ETAG40 "\n10\n0\n"); /* a BOM */
	assert_rejected(ETAG40 "\n10\n0\n");
}

static void test_reject_etag(void **state)
{
	(void)state;
	assert_rejected("hf-resume 1\n\n10\n0\n");
	assert_rejected("hf-resume 1\n0123456789ABCDEF0123456789abcdef01234567\n10\n0\n");
	assert_rejected("hf-resume 1\n0123456789abcdeg0123456789abcdef01234567\n10\n0\n");
	assert_rejected("hf-resume 1\n" ETAG40 "8\n10\n0\n");            /* 41 */
	assert_rejected("hf-resume 1\n0123456789abcdef0123456789abcdef0123456\n10\n0\n"); /* 39 */
	assert_rejected("hf-resume 1\n" ETAG64 "0\n10\n0\n");            /* 65 */
	assert_rejected("hf-resume 1\n" ETAG40 ETAG40 "\n10\n0\n");      /* 80 */
	assert_rejected("hf-resume 1\n " ETAG40 "\n10\n0\n");
	assert_rejected("hf-resume 1\n" ETAG40 " \n10\n0\n");
	assert_rejected("hf-resume 1\n\"" ETAG40 "\"\n10\n0\n");
	assert_rejected("hf-resume 1\n" ETAG40 "\n\n10\n0\n");           /* a blank line */
}

static void test_reject_numbers(void **state)
{
	static const char *const bad[] = {
		"", "+10", "-10", " 10", "10 ", "\t10", "1 0", "0x10", "1e3", "10.0", "010", "00",
		"9223372036854775808", "18446744073709551615", "18446744073709551616",
		"99999999999999999999999", "1_0", "\xd9\xa1", /* an Arabic-Indic one */
	};
	size_t i;
	char text[256];

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* As the size, as the offset, as both. */
		snprintf(text, sizeof(text), "hf-resume 1\n" ETAG40 "\n%s\n0\n", bad[i]);
		assert_rejected(text);
		snprintf(text, sizeof(text), "hf-resume 1\n" ETAG40 "\n100\n%s\n", bad[i]);
		assert_rejected(text);
		snprintf(text, sizeof(text), "hf-resume 1\n" ETAG40 "\n%s\n%s\n", bad[i], bad[i]);
		assert_rejected(text);
	}
	/* The prefix cannot be longer than the file. */
	assert_rejected("hf-resume 1\n" ETAG40 "\n10\n11\n");
	assert_rejected("hf-resume 1\n" ETAG40 "\n0\n1\n");
	assert_rejected("hf-resume 1\n" ETAG40 "\n9223372036854775807\n9223372036854775808\n");
}

static void test_reject_cells(void **state)
{
	static const char *const bad[] = {
		"cells\n",
		"cells \n",
		"cells 16777216 \n",              /* a separator with no entry */
		"cells 16777216  2:40000000\n",    /* two spaces */
		"cells 16777216\t2:40000000\n",
		"cells 8388608 2:40000000\n",      /* another grid */
		"cells 167772160\n",
		"cells 016777216\n",
		"cells 16777216 2\n",
		"cells 16777216 2:\n",
		"cells 16777216 :40000000\n",
		"cells 16777216 2::40000000\n",
		"cells 16777216 2-40000000\n",
		"cells 16777216 02:40000000\n",
		"cells 16777216 2:040000000\n",
		"cells 16777216 +2:40000000\n",
		"cells 16777216 2:+40000000\n",
		"cells 16777216 2:40000000,3:50331649\n",
		"cells 16777216 2:40000000 \n",    /* a trailing space */
		"cells 16777216 2:40000000",       /* no newline */
		/* Duplicate and unsorted cells. */
		"cells 16777216 2:40000000 2:40000000\n",
		"cells 16777216 2:40000000 2:41000000\n",
		"cells 16777216 3:50331649 2:40000000\n",
		/* At or before its cell's start, past its end, past the file. */
		"cells 16777216 2:33554432\n",
		"cells 16777216 2:1\n",
		"cells 16777216 2:50331649\n",
		"cells 16777216 5:100000001\n",
		"cells 16777216 6:100663297\n",    /* a cell past the last */
		"cells 16777216 99999999999:1\n",
		"cells 16777216 9223372036854775807:9223372036854775807\n",
		/* Not past the prefix (20 MiB), or before the prefix's own cell. */
		"cells 16777216 1:20971520\n",
		"cells 16777216 1:20000000\n",
		"cells 16777216 0:16777216\n",
		"cells 16777216 0:20971521\n",
	};
	char text[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "hf-resume 1\n" ETAG40 "\n100000000\n20971520\n%s", bad[i]);
		assert_rejected(text);
	}
	/* One cell more than may be recorded. */
	{
		size_t cap = HF__RESUME_TEXT_MAX * 2, n;
		char *big = malloc(cap);

		assert_non_null(big);
		n = (size_t)snprintf(big, cap, "hf-resume 1\n" ETAG40 "\n%llu\n0\ncells 16777216",
				     (unsigned long long)((HF__RESUME_MAX_CELLS + 1) * CELL));
		for (i = 0; i <= HF__RESUME_MAX_CELLS; i++)
			n += (size_t)snprintf(big + n, cap - n, " %zu:%llu", i,
					      (unsigned long long)(i * CELL + 1));
		snprintf(big + n, cap - n, "\n");
		assert_rejected(big);
		/* ... and with one fewer, accepted. */
		{
			char *cut = strrchr(big, ' ');
			hf__resume *r = new_resume();

			strcpy(cut, "\n");
			assert_int_equal(parse_text(big, r), 0);
			assert_int_equal(r->ncells, HF__RESUME_MAX_CELLS);
			free(r);
		}
		free(big);
	}
}

static void test_reject_structure(void **state)
{
	const char *good = "hf-resume 1\n" ETAG40 "\n100000000\n0\n"
			   "owner boot ns 12\n"
			   "cells 16777216 2:40000000\n";
	size_t len = strlen(good), i;
	hf__resume *r = new_resume();

	(void)state;
	assert_int_equal(parse_text(good, r), 0);
	/* Trailing garbage. */
	assert_rejected("hf-resume 1\n" ETAG40 "\n10\n0\nx");
	assert_rejected("hf-resume 1\n" ETAG40 "\n10\n0\n\n");
	assert_rejected("hf-resume 1\n" ETAG40 "\n10\n0\n ");
	assert_rejected("hf-resume 1\n" ETAG40 "\n10\n0\nextra line\n");
	assert_rejected("hf-resume 1\n" ETAG40 "\n10\n0\ncells 16777216\nowner b n 1\n");
	assert_rejected("hf-resume 1\n" ETAG40 "\n10\n0\ncells 16777216\ncells 16777216\n");
	{
		char with_nul[] = "hf-resume 1\n" ETAG40 "\n10\n0\n\0";

		assert_int_equal(hf__resume_parse(with_nul, sizeof(with_nul) - 1, r), -1);
		assert_int_equal(hf__resume_parse(with_nul, sizeof(with_nul) - 2, r), 0);
	}
	/* Truncated: every cut inside a line fails; one at a line's end may not. */
	for (i = 0; i < len; i++) {
		char *cut = malloc(i + 1);

		assert_non_null(cut);
		memcpy(cut, good, i);
		cut[i] = '\0';
		if (i == 0 || good[i - 1] != '\n' || i < strlen("hf-resume 1\n" ETAG40 "\n100000000\n0\n"))
			assert_rejected(cut);
		else
			assert_int_equal(parse_text(cut, r), 0);
		free(cut);
	}
	/* CRLF line ends, anywhere. */
	assert_rejected("hf-resume 1\r\n" ETAG40 "\r\n10\r\n0\r\n");
	assert_rejected("hf-resume 1\n" ETAG40 "\r\n10\n0\n");
	assert_rejected("hf-resume 1\n" ETAG40 "\n10\r\n0\n");
	assert_rejected("hf-resume 1\n" ETAG40 "\n10\n0\r\n");
	assert_rejected("hf-resume 1\n" ETAG40 "\n100000000\n0\nowner boot ns 12\r\n");
	assert_rejected("hf-resume 1\n" ETAG40 "\n100000000\n0\ncells 16777216 2:40000000\r\n");
	assert_rejected("hf-resume 1\n" ETAG40 "\n10\n0\n\r");
	/* Arguments. */
	assert_int_equal(hf__resume_parse(NULL, 0, r), -1);
	assert_int_equal(hf__resume_parse(good, len, NULL), -1);
	free(r);
}

/* ---- the owner line ---- */

static void test_owner_line(void **state)
{
	static const char *const bad[] = {
		"owner\n",
		"owner \n",
		"owner b\n",
		"owner b 12\n",                  /* one word */
		"owner b n\n",                   /* no pid */
		"owner b n \n",
		"owner b n x\n",
		"owner b n 0\n",
		"owner b n -12\n",
		"owner b n +12\n",
		"owner b n 012\n",
		"owner b n 2147483648\n",        /* past pid_t */
		"owner b n 99999999999999999999\n",
		"owner b n 12 \n",
		"owner b n 12 13\n",             /* three words */
		"owner b m n 12\n",
		"owner  b n 12\n",
		"owner b  n 12\n",
		"owner b\tn 12\n",
		"owner b n\t12\n",
		"owner b\x01 n 12\n",            /* a control byte in a word */
		"owner b n\x7f 12\n",
		"owner b\xc3\xa9 n 12\n",        /* not ASCII */
		"owner b n 12",                  /* no newline */
		"owner b n 12\nowner b n 12\n",  /* twice */
		"Owner b n 12\n",
		"owner: b n 12\n",
	};
	char text[512];
	hf__resume *r = new_resume();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "hf-resume 1\n" ETAG40 "\n10\n0\n%s", bad[i]);
		assert_rejected(text);
	}
	/* The largest pid, any printable words. */
	assert_int_equal(parse_text("hf-resume 1\n" ETAG40 "\n10\n0\nowner !~ :[]{} 2147483647\n", r),
			 0);
	assert_string_equal(r->owner, "!~ :[]{}");
	assert_int_equal(r->pid, INT_MAX);
	/* The two words may take HF__RESUME_OWNER_MAX bytes with their space, not one more. */
	{
		char w1[100], w2[100];

		memset(w1, 'a', sizeof(w1));
		memset(w2, 'b', sizeof(w2));
		snprintf(text, sizeof(text), "hf-resume 1\n" ETAG40 "\n10\n0\nowner %.63s %.63s 1\n", w1,
			 w2);
		assert_int_equal(parse_text(text, r), 0);
		assert_int_equal(strlen(r->owner), HF__RESUME_OWNER_MAX);
		snprintf(text, sizeof(text), "hf-resume 1\n" ETAG40 "\n10\n0\nowner %.64s %.63s 1\n", w1,
			 w2);
		assert_rejected(text);
	}
	/* This process's own id is one the parser takes back. */
	{
		const char *me = hf__resume_owner();
		const char *sp = strchr(me, ' ');

		if (me[0]) {
			assert_non_null(sp);
			assert_true(hf__resume_owner_word_ok(me, (size_t)(sp - me)));
			assert_true(hf__resume_owner_word_ok(sp + 1, strlen(sp + 1)));
		}
	}
	assert_false(hf__resume_owner_word_ok("", 0));
	assert_false(hf__resume_owner_word_ok("a b", 3));
	assert_false(hf__resume_owner_word_ok(NULL, 1));
	free(r);
}

static void test_writer_dead(void **state)
{
	const char *me = hf__resume_owner();
	hf__resume *r = new_resume();
	pid_t child;

	(void)state;
	if (!me[0]) {
		free(r);
		skip();
	}
	memcpy(r->etag, ETAG40, 41);
	r->size = 10;
	/* A child that has exited and been reaped: gone. */
	child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	assert_int_equal(waitpid(child, NULL, 0), child);
	snprintf(r->owner, sizeof(r->owner), "%s", me);
	r->pid = child;
	assert_int_equal(hf__resume_writer_dead(r), 1);
	/* This very process, or its parent: alive. */
	r->pid = getpid();
	assert_int_equal(hf__resume_writer_dead(r), 0);
	r->pid = getppid();
	assert_int_equal(hf__resume_writer_dead(r), 0);
	/* Another boot or pid namespace: cannot tell. */
	r->pid = child;
	snprintf(r->owner, sizeof(r->owner), "other-boot %s", strchr(me, ' ') + 1);
	assert_int_equal(hf__resume_writer_dead(r), 0);
	snprintf(r->owner, sizeof(r->owner), "%.*s pid:[1]", (int)(strchr(me, ' ') - me), me);
	assert_int_equal(hf__resume_writer_dead(r), 0);
	/* No owner line. */
	r->owner[0] = '\0';
	r->pid = 0;
	assert_int_equal(hf__resume_writer_dead(r), 0);
	free(r);
}

/* ---- the formatter refuses what the parser would ---- */

static void test_format_refuses(void **state)
{
	hf__resume *r = new_resume();
	char buf[HF__RESUME_TEXT_MAX];

	(void)state;
	memcpy(r->etag, ETAG40, 41);
	r->size = 100 * MIB;
	r->offset = 20 * MIB;
	assert_true(hf__resume_format(r, buf, sizeof(buf)) > 0);
	/* Too small a buffer, at every size. */
	{
		size_t need = hf__resume_format(r, buf, sizeof(buf)), cap;

		for (cap = 1; cap <= need; cap++)
			assert_int_equal(hf__resume_format(r, buf, cap), 0);
		assert_int_equal(hf__resume_format(r, buf, need + 1), need);
	}
	r->offset = r->size + 1;
	assert_int_equal(hf__resume_format(r, buf, sizeof(buf)), 0);
	r->offset = 20 * MIB;
	r->etag[0] = 'A';
	assert_int_equal(hf__resume_format(r, buf, sizeof(buf)), 0);
	r->etag[0] = '0';
	r->pid = 12; /* a pid without an owner */
	assert_int_equal(hf__resume_format(r, buf, sizeof(buf)), 0);
	snprintf(r->owner, sizeof(r->owner), "one-word");
	assert_int_equal(hf__resume_format(r, buf, sizeof(buf)), 0);
	snprintf(r->owner, sizeof(r->owner), "b n");
	r->pid = 0;
	assert_int_equal(hf__resume_format(r, buf, sizeof(buf)), 0);
	r->pid = 12;
	assert_true(hf__resume_format(r, buf, sizeof(buf)) > 0);
	/* Cells without a cells line, unsorted, out of their cell. */
	r->ncells = 1;
	r->cells[0].cell = 2;
	r->cells[0].pos = 40000000;
	assert_int_equal(hf__resume_format(r, buf, sizeof(buf)), 0);
	r->has_cells = 1;
	assert_true(hf__resume_format(r, buf, sizeof(buf)) > 0);
	r->ncells = 2;
	r->cells[1].cell = 1;
	r->cells[1].pos = 30000000;
	assert_int_equal(hf__resume_format(r, buf, sizeof(buf)), 0);
	r->cells[1].cell = 3;
	r->cells[1].pos = 4 * CELL + 1;
	assert_int_equal(hf__resume_format(r, buf, sizeof(buf)), 0);
	r->cells[1].pos = 4 * CELL;
	check_round_trip(r, "hf-resume 1\n" ETAG40 "\n104857600\n20971520\nowner b n 12\n"
			    "cells 16777216 2:40000000 3:67108864\n");
	r->ncells = HF__RESUME_MAX_CELLS + 1;
	assert_int_equal(hf__resume_format(r, buf, sizeof(buf)), 0);
	assert_int_equal(hf__resume_format(NULL, buf, sizeof(buf)), 0);
	free(r);
}

/* ---- the file ---- */

static char *make_dir(void)
{
	char tmpl[] = "/tmp/hf-test-resume.XXXXXX";
	char *d = mkdtemp(tmpl);

	assert_non_null(d);
	return strdup(d);
}

static void write_text(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void test_load_store(void **state)
{
	char *dir = make_dir(), path[512];
	hf__resume *r = new_resume(), *back = new_resume();
	struct stat st;

	(void)state;
	snprintf(path, sizeof(path), "%s/x.incomplete.resume", dir);
	assert_int_equal(hf__resume_load(path, back), -1);
	memcpy(r->etag, ETAG64, 65);
	r->size = 64 * MIB;
	r->offset = 3 * MIB;
	r->has_cells = 1;
	r->ncells = 1;
	r->cells[0].cell = 2;
	r->cells[0].pos = 2 * CELL + 5;
	assert_int_equal(hf__resume_store(path, r), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644); /* fixed mode, whatever the umask */
	assert_int_equal(hf__resume_load(path, back), 0);
	assert_same(r, back);
	/* An invalid struct is not written. */
	r->offset = r->size + 1;
	assert_int_equal(hf__resume_store(path, r), -EINVAL);
	assert_int_equal(hf__resume_load(path, back), 0);
	/* A file over the size limit is refused, whatever it holds. */
	{
		size_t n = HF__RESUME_TEXT_MAX + 1;
		char *big = malloc(n);

		assert_non_null(big);
		memset(big, '\n', n);
		write_text(path, big, n);
		free(big);
		assert_int_equal(hf__resume_load(path, back), -1);
	}
	unlink(path);
	rmdir(dir);
	free(dir);
	free(r);
	free(back);
}

/* ---- adoption ---- */

static void make_partial(const char *dir, const char *name, size_t size, const char *resume,
			 int old)
{
	char path[512], rpath[600];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	close(fd);
	if (resume) {
		snprintf(rpath, sizeof(rpath), "%s.resume", path);
		write_text(rpath, resume, strlen(resume));
	}
	/* Idle for years, or written "now" however slow the machine (an hour ahead). */
	{
		time_t when = old ? 1000000000 : time(NULL) + 3600;
		struct timeval tv[2] = { { when, 0 }, { when, 0 } };

		assert_int_equal(utimes(path, tv), 0);
	}
}

static int exists(const char *dir, const char *name)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return lstat(path, &st) == 0;
}

static void test_adopt(void **state)
{
	char *dir = make_dir(), tmp[512], rtmp[600], text[512];
	hf__resume_cell cells[HF__RESUME_MAX_CELLS];
	size_t n = 99;
	uint64_t off;

	(void)state;
	snprintf(tmp, sizeof(tmp), "%s/" ETAG40 ".ffffffff.incomplete", dir);
	snprintf(rtmp, sizeof(rtmp), "%s.resume", tmp);
	/* Nothing there. */
	assert_true(hf__resume_adopt(dir, ETAG40, ETAG40, 64 * MIB, tmp, rtmp, cells, &n) == 0);
	assert_int_equal(n, 0);
	/* A live writer (this process), fresh: left alone. */
	snprintf(text, sizeof(text), "hf-resume 1\n" ETAG40 "\n67108864\n1048576\nowner %s %ld\n",
		 hf__resume_owner()[0] ? hf__resume_owner() : "b n", (long)getpid());
	make_partial(dir, ETAG40 ".00000001.incomplete", 2 * MIB, text, 0);
	assert_true(hf__resume_adopt(dir, ETAG40, ETAG40, 64 * MIB, tmp, rtmp, cells, &n) == 0);
	assert_true(exists(dir, ETAG40 ".00000001.incomplete"));
	/* Malformed checkpoints, or of another file, count for nothing even when idle. */
	make_partial(dir, ETAG40 ".00000002.incomplete", 40 * MIB,
		     "hf-resume 1\n" ETAG40 "\n67108864\n+33554432\n", 1);
	make_partial(dir, ETAG40 ".00000003.incomplete", 40 * MIB,
		     "hf-resume 1\n" ETAG40 "\n67108864\n33554432\r\n", 1);
	make_partial(dir, ETAG40 ".00000004.incomplete", 40 * MIB,
		     "hf-resume 1\n" ETAG40 "\n67108865\n33554432\n", 1);
	make_partial(dir, ETAG40 ".00000005.incomplete", 40 * MIB,
		     "hf-resume 1\n" ETAG40 "\n67108864\n33554432\ncells 16777216 1:16777216\n", 1);
	/* Not ours by name: another prefix, a wrong length. */
	make_partial(dir, "x" ETAG40 ".0000006.incomplete", 40 * MIB,
		     "hf-resume 1\n" ETAG40 "\n67108864\n33554432\n", 1);
	assert_true(hf__resume_adopt(dir, ETAG40, ETAG40, 64 * MIB, tmp, rtmp, cells, &n) == 0);
	/* Idle ones: the most bytes on disk wins, prefix and cells. */
	make_partial(dir, ETAG40 ".00000007.incomplete", 20 * MIB,
		     "hf-resume 1\n" ETAG40 "\n67108864\n16777216\n", 1);
	make_partial(dir, ETAG40 ".00000008.incomplete", 50 * MIB,
		     "hf-resume 1\n" ETAG40 "\n67108864\n8388608\n"
		     "cells 16777216 0:16777216 1:33554432 2:50331648\n", 1);
	/* ... but not when the file is shorter than its checkpoint says. */
	make_partial(dir, ETAG40 ".00000009.incomplete", 10 * MIB,
		     "hf-resume 1\n" ETAG40 "\n67108864\n8388608\n"
		     "cells 16777216 1:33554432 2:50331648 3:67108864\n", 1);
	off = hf__resume_adopt(dir, ETAG40, ETAG40, 64 * MIB, tmp, rtmp, cells, &n);
	assert_true(off == 8 * MIB);
	assert_int_equal(n, 3);
	assert_true(cells[0].cell == 0 && cells[0].pos == CELL);
	assert_true(cells[2].cell == 2 && cells[2].pos == 3 * CELL);
	/* Renamed to our name, checkpoint too. */
	assert_false(exists(dir, ETAG40 ".00000008.incomplete"));
	assert_false(exists(dir, ETAG40 ".00000008.incomplete.resume"));
	assert_int_equal(access(tmp, F_OK), 0);
	assert_int_equal(access(rtmp, F_OK), 0);
	unlink(tmp);
	unlink(rtmp);
	/* A dead writer's partial is taken at once, fresh as it is. */
	{
		pid_t child = fork();

		assert_true(child >= 0);
		if (child == 0)
			_exit(0);
		waitpid(child, NULL, 0);
		if (hf__resume_owner()[0]) {
			snprintf(text, sizeof(text),
				 "hf-resume 1\n" ETAG40 "\n67108864\n33554432\nowner %s %ld\n",
				 hf__resume_owner(), (long)child);
			make_partial(dir, ETAG40 ".0000000a.incomplete", 32 * MIB, text, 0);
			off = hf__resume_adopt(dir, ETAG40, ETAG40, 64 * MIB, tmp, rtmp, cells, &n);
			assert_true(off == 32 * MIB);
			assert_int_equal(n, 0);
			unlink(tmp);
			unlink(rtmp);
		}
	}
	/* Clean up whatever is left. */
	{
		static const char *const names[] = {
			ETAG40 ".00000001.incomplete", ETAG40 ".00000002.incomplete",
			ETAG40 ".00000003.incomplete", ETAG40 ".00000004.incomplete",
			ETAG40 ".00000005.incomplete", "x" ETAG40 ".0000006.incomplete",
			ETAG40 ".00000007.incomplete", ETAG40 ".00000009.incomplete",
		};
		size_t i;
		char path[600];

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			unlink(path);
			strcat(path, ".resume");
			unlink(path);
		}
	}
	assert_int_equal(rmdir(dir), 0);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_every_field),
		cmocka_unit_test(test_cells_line),
		cmocka_unit_test(test_reject_magic),
		cmocka_unit_test(test_reject_etag),
		cmocka_unit_test(test_reject_numbers),
		cmocka_unit_test(test_reject_cells),
		cmocka_unit_test(test_reject_structure),
		cmocka_unit_test(test_owner_line),
		cmocka_unit_test(test_writer_dead),
		cmocka_unit_test(test_format_refuses),
		cmocka_unit_test(test_load_store),
		cmocka_unit_test(test_adopt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

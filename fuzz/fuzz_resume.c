/*
 * The resume checkpoint "<temp>.resume" (resume.h): a file in the cache
 * that anything with write access there, or a torn write, may have left
 * in any shape. The input is the file's bytes.
 *
 * Oracles for an accepted checkpoint: its numbers are in range (offset <=
 * size <= LLONG_MAX, the etag is 40 or 64 lower-case hex, at most
 * HF__RESUME_MAX_CELLS cells in increasing order, each past the prefix and
 * inside its own 16 MiB cell and the file); it formats back to exactly the
 * input (the format has one spelling per checkpoint); and that text parses
 * to the same struct. A rejected input leaves the struct zeroed.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "resume.h"
#include "validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_invariants(const hf__resume *r)
{
	const uint64_t cs = HF__RESUME_CELL_SIZE;
	size_t i;

	if (!hf__is_etag(r->etag) || r->size > (uint64_t)LLONG_MAX || r->offset > r->size)
		abort();
	if (r->ncells > HF__RESUME_MAX_CELLS || (r->ncells && !r->has_cells))
		abort();
	if (r->owner[0] ? (r->pid <= 0 || r->pid > INT_MAX || !strchr(r->owner, ' ')) : r->pid != 0)
		abort();
	for (i = 0; i < r->ncells; i++) {
		uint64_t c = r->cells[i].cell, p = r->cells[i].pos;

		if (p <= r->offset || p > r->size || c > r->size / cs || p <= c * cs || p > (c + 1) * cs)
			abort();
		if (i && c <= r->cells[i - 1].cell)
			abort();
	}
}

static void check_same(const hf__resume *a, const hf__resume *b)
{
	size_t i;

	if (strcmp(a->etag, b->etag) != 0 || a->size != b->size || a->offset != b->offset ||
	    strcmp(a->owner, b->owner) != 0 || a->pid != b->pid || a->has_cells != b->has_cells ||
	    a->ncells != b->ncells)
		abort();
	for (i = 0; i < a->ncells; i++)
		if (a->cells[i].cell != b->cells[i].cell || a->cells[i].pos != b->cells[i].pos)
			abort();
}

static int all_zero(const hf__resume *r)
{
	static const hf__resume zero;

	return memcmp(r, &zero, sizeof(zero)) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hf__resume *r = malloc(sizeof(*r)), *back = malloc(sizeof(*back));
	char *text = malloc(HF__RESUME_TEXT_MAX);
	size_t n;

	if (!r || !back || !text)
		goto out;
	if (hf__resume_parse((const char *)data, size, r) != 0) {
		if (!all_zero(r))
			abort();
		goto out;
	}
	check_invariants(r);
	n = hf__resume_format(r, text, HF__RESUME_TEXT_MAX);
	if (n == 0 || n != size || memcmp(text, data, size) != 0)
		abort();
	if (hf__resume_parse(text, n, back) != 0)
		abort();
	check_same(r, back);
out:
	free(r);
	free(back);
	free(text);
	return 0;
}

/*
 * The multipart resume file: see multipart_state.h.
 */
#include "upload/multipart_state.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "util.h"

#define MAX_PARTS 100000 /* S3 allows 10,000; anything far above is not a state of ours */

int hf__mp_state_value_ok(const char *s)
{
	if (!s || !*s)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

static int is_hex64(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[64] == '\0';
}

static uint64_t parts_for(uint64_t size, uint64_t chunk)
{
	return chunk ? (size + chunk - 1) / chunk : 0;
}

int hf__mp_state_format(hf__buf *out, const hf__mp_state *st)
{
	size_t i;

	if (!out || !st || !is_hex64(st->oid) || st->chunk == 0 || st->n_parts == 0 ||
	    parts_for(st->size, st->chunk) != st->n_parts || !hf__mp_state_value_ok(st->complete))
		return -1;
	if (hf__buf_printf(out, "hf-multipart 1\noid %s\nsize %" PRIu64 "\nchunk %" PRIu64
			   "\ncomplete %s\n", st->oid, st->size, st->chunk, st->complete) < 0)
		return -1;
	for (i = 0; i < st->n_parts; i++)
		if (!hf__mp_state_value_ok(st->parts[i]) ||
		    hf__buf_printf(out, "part %zu %s\n", i + 1, st->parts[i]) < 0)
			return -1;
	for (i = 0; i < st->n_parts; i++) {
		if (!st->etags || !st->etags[i])
			continue;
		if (!hf__mp_state_value_ok(st->etags[i]) ||
		    hf__buf_printf(out, "etag %zu %s\n", i + 1, st->etags[i]) < 0)
			return -1;
	}
	return 0;
}

void hf__mp_state_dispose(hf__mp_state *st)
{
	size_t i;

	if (!st)
		return;
	for (i = 0; i < st->n_parts; i++) {
		if (st->parts)
			free(st->parts[i]);
		if (st->etags)
			free(st->etags[i]);
	}
	free(st->parts);
	free(st->etags);
	free(st->complete);
	memset(st, 0, sizeof(*st));
}

/* The next line of text (without its "\n") in [*line, *len); -1 at the end or without a final "\n". */
static int next_line(const char **p, const char *end, const char **line, size_t *len)
{
	const char *nl;

	if (*p >= end)
		return -1;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	if (!nl)
		return -1;
	*line = *p;
	*len = (size_t)(nl - *p);
	*p = nl + 1;
	return 0;
}

/* "key value" with one space: value copied (must be value_ok); NULL if the line is not that. */
static char *value_of(const char *line, size_t len, const char *key)
{
	size_t k = strlen(key);
	char *v;

	if (len <= k + 1 || memcmp(line, key, k) != 0 || line[k] != ' ')
		return NULL;
	v = hf__strndup(line + k + 1, len - k - 1);
	if (v && !hf__mp_state_value_ok(v)) {
		free(v);
		return NULL;
	}
	return v;
}

/* "key <n> <value>": n and a copy of value, or -1. */
static int numbered(const char *line, size_t len, const char *key, unsigned long long *n,
		    char **value)
{
	size_t k = strlen(key);
	const char *s, *e = line + len, *gap;

	*value = NULL;
	if (len <= k + 1 || memcmp(line, key, k) != 0 || line[k] != ' ')
		return -1;
	s = line + k + 1;
	gap = memchr(s, ' ', (size_t)(e - s));
	if (!gap || hf__parse_u64(s, (size_t)(gap - s), n) < 0 || gap + 1 >= e)
		return -1;
	*value = hf__strndup(gap + 1, (size_t)(e - gap - 1));
	if (!*value)
		return -1;
	if (!hf__mp_state_value_ok(*value)) {
		free(*value);
		*value = NULL;
		return -1;
	}
	return 0;
}

int hf__mp_state_parse(const char *text, size_t len, hf__mp_state *st)
{
	const char *p = text, *end, *line;
	size_t n, i;
	char *v = NULL;
	unsigned long long num;

	if (!st)
		return -1;
	memset(st, 0, sizeof(*st));
	if (!text)
		return -1;
	end = text + len;
	if (next_line(&p, end, &line, &n) < 0 || n != 14 || memcmp(line, "hf-multipart 1", 14) != 0)
		return -1;
	if (next_line(&p, end, &line, &n) < 0 || !(v = value_of(line, n, "oid")) ||
	    strlen(v) != 64 || !is_hex64(v))
		goto fail;
	memcpy(st->oid, v, 65);
	free(v);
	v = NULL;
	if (next_line(&p, end, &line, &n) < 0 || n < 6 || memcmp(line, "size ", 5) != 0 ||
	    hf__parse_u64(line + 5, n - 5, &num) < 0)
		goto fail;
	st->size = num;
	if (next_line(&p, end, &line, &n) < 0 || n < 7 || memcmp(line, "chunk ", 6) != 0 ||
	    hf__parse_u64(line + 6, n - 6, &num) < 0 || num == 0)
		goto fail;
	st->chunk = num;
	if (parts_for(st->size, st->chunk) == 0 || parts_for(st->size, st->chunk) > MAX_PARTS)
		goto fail;
	st->n_parts = (size_t)parts_for(st->size, st->chunk);
	if (next_line(&p, end, &line, &n) < 0 || !(st->complete = value_of(line, n, "complete")))
		goto fail;
	st->parts = calloc(st->n_parts, sizeof(*st->parts));
	st->etags = calloc(st->n_parts, sizeof(*st->etags));
	if (!st->parts || !st->etags)
		goto fail;
	for (i = 0; i < st->n_parts; i++) {
		if (next_line(&p, end, &line, &n) < 0 ||
		    numbered(line, n, "part", &num, &st->parts[i]) < 0 || num != i + 1)
			goto fail;
	}
	while (p < end) {
		if (next_line(&p, end, &line, &n) < 0 || numbered(line, n, "etag", &num, &v) < 0)
			goto fail;
		if (num < 1 || num > st->n_parts || st->etags[num - 1])
			goto fail;
		st->etags[num - 1] = v;
		v = NULL;
	}
	return 0;
fail:
	free(v);
	hf__mp_state_dispose(st);
	return -1;
}

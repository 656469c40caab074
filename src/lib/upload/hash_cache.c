/* The folder upload hash cache (hash_cache.h, docs/internals/upload.md). */
#include "hash_cache.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "util.h"

/* Cache files bigger than this are not read (about 200 bytes a file). */
#define HASH_CACHE_MAX ((size_t)256 << 20)

static int is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[n] == '\0';
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const hf__hash_entry *)a)->path, ((const hf__hash_entry *)b)->path);
}

void hf__hash_cache_dispose(hf__hash_cache *hc)
{
	size_t i;

	for (i = 0; i < hc->n; i++)
		free(hc->e[i].path);
	free(hc->e);
	hc->e = NULL;
	hc->n = hc->cap = 0;
	hc->sorted = 0;
}

int hf__hash_cache_add(hf__hash_cache *hc, const hf__hash_entry *e)
{
	hf__hash_entry *slot;

	if (!e->path || !*e->path || strpbrk(e->path, "\n\r") || !is_hex(e->sha256, 64) ||
	    (e->sha1[0] && !is_hex(e->sha1, 40)))
		return 0;
	if (hc->n == hc->cap) {
		size_t cap = hc->cap ? hc->cap * 2 : 64;
		hf__hash_entry *ne = realloc(hc->e, cap * sizeof(*ne));

		if (!ne)
			return -1;
		hc->e = ne;
		hc->cap = cap;
	}
	slot = &hc->e[hc->n];
	*slot = *e;
	if (!(slot->path = hf__strdup(e->path)))
		return -1;
	hc->n++;
	hc->sorted = 0;
	return 0;
}

/* Sort by path, one record per path (the engine adds each path once; of
 * duplicates in a file, any one is kept: each is a key of its own). */
static void sort_unique(hf__hash_cache *hc)
{
	size_t i, out = 0;

	if (hc->sorted)
		return;
	qsort(hc->e, hc->n, sizeof(*hc->e), cmp_entry);
	for (i = 0; i < hc->n; i++) {
		if (out && strcmp(hc->e[out - 1].path, hc->e[i].path) == 0) {
			free(hc->e[i].path);
			continue;
		}
		hc->e[out++] = hc->e[i];
	}
	hc->n = out;
	hc->sorted = 1;
}

void hf__hash_cache_sort(hf__hash_cache *hc)
{
	sort_unique(hc);
}

const hf__hash_entry *hf__hash_cache_find(hf__hash_cache *hc, const char *path, uint64_t size,
					  int64_t mtime_ns, uint64_t ino)
{
	hf__hash_entry key;
	const hf__hash_entry *e;

	if (!hc->n)
		return NULL;
	sort_unique(hc);
	memset(&key, 0, sizeof(key));
	key.path = (char *)path;
	e = bsearch(&key, hc->e, hc->n, sizeof(*hc->e), cmp_entry);
	if (!e || e->size != size || e->mtime_ns != mtime_ns || e->ino != ino)
		return NULL;
	return e;
}

/* One record line (without its '\n'). 0 or -1. */
static int parse_line(hf__hash_cache *hc, char *line)
{
	hf__hash_entry e;
	char *f[5], *p = line, *end;
	int i;

	memset(&e, 0, sizeof(e));
	for (i = 0; i < 5; i++) {
		f[i] = p;
		p = strchr(p, ' ');
		if (!p)
			return -1;
		*p++ = '\0';
	}
	if (!*p || strlen(f[0]) != 64 || !is_hex(f[0], 64))
		return -1;
	memcpy(e.sha256, f[0], 65);
	if (strcmp(f[1], "-") != 0) {
		if (strlen(f[1]) != 40 || !is_hex(f[1], 40))
			return -1;
		memcpy(e.sha1, f[1], 41);
	}
	/* Digits only (a '-' first for the time): strtoull would take "-1". */
	for (i = 2; i < 5; i++) {
		const char *d = f[i] + (i == 3 && f[i][0] == '-');

		if (!*d || strspn(d, "0123456789") != strlen(d))
			return -1;
	}
	errno = 0;
	e.size = strtoull(f[2], &end, 10);
	if (*end || errno)
		return -1;
	e.mtime_ns = strtoll(f[3], &end, 10);
	if (*end || errno)
		return -1;
	e.ino = strtoull(f[4], &end, 10);
	if (*end || errno)
		return -1;
	e.path = p;
	return hf__hash_cache_add(hc, &e);
}

int hf__hash_cache_parse(hf__hash_cache *hc, const char *text, size_t len)
{
	size_t hl = strlen(HF__HASH_CACHE_HEADER), pos;
	char *copy;

	hf__hash_cache_dispose(hc);
	if (!text || len < hl || memcmp(text, HF__HASH_CACHE_HEADER, hl) != 0 ||
	    memchr(text, '\0', len))
		return -1;
	if (!(copy = hf__strndup(text, len)))
		return -1;
	pos = hl;
	while (pos < len) {
		char *line = copy + pos, *nl = strchr(line, '\n');

		if (!nl || parse_line(hc, (*nl = '\0', line)) != 0) {
			free(copy);
			hf__hash_cache_dispose(hc);
			return -1;
		}
		pos = (size_t)(nl - copy) + 1;
	}
	free(copy);
	return 0;
}

int hf__hash_cache_format(hf__hash_cache *hc, hf__buf *out)
{
	size_t i;

	sort_unique(hc);
	if (hf__buf_puts(out, HF__HASH_CACHE_HEADER))
		return -1;
	for (i = 0; i < hc->n; i++) {
		const hf__hash_entry *e = &hc->e[i];

		if (hf__buf_printf(out, "%s %s %" PRIu64 " %" PRId64 " %" PRIu64 " %s\n", e->sha256,
				   e->sha1[0] ? e->sha1 : "-", e->size, e->mtime_ns, e->ino, e->path))
			return -1;
	}
	return 0;
}

int hf__hash_cache_load(hf__hash_cache *hc, const char *folder)
{
	char *path = hf__path_join(folder, HF__HASH_CACHE_NAME), *text = NULL;
	size_t len = 0;
	int rc;

	hf__hash_cache_dispose(hc);
	if (!path)
		return -1;
	rc = hf__read_file(path, HASH_CACHE_MAX, &text, &len);
	free(path);
	if (rc)
		return -1;
	rc = hf__hash_cache_parse(hc, text, len);
	free(text);
	return rc;
}

int hf__hash_cache_save(hf__hash_cache *hc, const char *folder)
{
	hf__buf out = HF__BUF_INIT;
	char *path;
	int rc;

	out.max = HASH_CACHE_MAX;
	rc = hf__mkdirs_under(folder, ".cache/huggingface", 0755);
	if (rc)
		return rc;
	if (hf__hash_cache_format(hc, &out)) {
		hf__buf_dispose(&out);
		return -ENOMEM;
	}
	path = hf__path_join(folder, HF__HASH_CACHE_NAME);
	rc = path ? hf__write_file_atomic(path, out.data, out.len, 0644) : -ENOMEM;
	free(path);
	hf__buf_dispose(&out);
	return rc;
}

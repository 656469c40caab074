/*
 * The resume checkpoint "<temp>.resume" of a partial download: a strict
 * parser and a formatter of its text (pure: no I/O, no allocation), the
 * thin reading and atomic writing around them, the "<boot id> <pid
 * namespace>" that names the writing process, and the adoption of an
 * earlier run's partial by a new one. The fetch units (fetch_int.h) decide
 * what goes into a checkpoint and when; the format's grammar and the
 * adoption rules are described in docs/internals/download.md.
 */
#include "resume.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "parse.h"
#include "util.h"
#include "validate.h"

/* A partial whose writer may be alive is left alone until idle this long. */
#define STALE_PARTIAL_S 2

/* ---- the text ---- */

typedef struct cursor {
	const char *p, *end;
} cursor;

/* Consume the literal s when the text continues with it. */
static int take(cursor *c, const char *s)
{
	size_t n = strlen(s);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, s, n) != 0)
		return 0;
	c->p += n;
	return 1;
}

static int is_word_byte(unsigned char b)
{
	return b > 0x20 && b < 0x7f;
}

/* The longest run of bytes from c->p for which ok() holds. */
static size_t span(const cursor *c, int (*ok)(unsigned char))
{
	const char *q = c->p;

	while (q < c->end && ok((unsigned char)*q))
		q++;
	return (size_t)(q - c->p);
}

static int is_digit_byte(unsigned char b)
{
	return b >= '0' && b <= '9';
}

static int is_lower_hex_byte(unsigned char b)
{
	return is_digit_byte(b) || (b >= 'a' && b <= 'f');
}

/* A canonical decimal: "0" or digits without a leading zero, <= LLONG_MAX. */
static int take_number(cursor *c, uint64_t *out)
{
	size_t n = span(c, is_digit_byte);
	unsigned long long v;

	if (n == 0 || (n > 1 && c->p[0] == '0') || hf__parse_u64(c->p, n, &v) != 0)
		return 0;
	c->p += n;
	*out = v;
	return 1;
}

int hf__resume_owner_word_ok(const char *s, size_t len)
{
	size_t i;

	if (!s || len == 0)
		return 0;
	for (i = 0; i < len; i++)
		if (!is_word_byte((unsigned char)s[i]))
			return 0;
	return 1;
}

/* "<word> <word>" within HF__RESUME_OWNER_MAX, NUL-terminated inside the array. */
static int owner_ok(const char *owner)
{
	size_t len = strnlen(owner, HF__RESUME_OWNER_MAX + 1);
	const char *sp = memchr(owner, ' ', len);

	return len <= HF__RESUME_OWNER_MAX && sp &&
	       hf__resume_owner_word_ok(owner, (size_t)(sp - owner)) &&
	       hf__resume_owner_word_ok(sp + 1, len - (size_t)(sp + 1 - owner));
}

/*
 * What both the parser and the formatter demand of a checkpoint. A cell
 * is past the prefix, inside its own cell of the grid and inside the file;
 * the prefix's own cell may be the first. Checking c against size / cs
 * first keeps every product below 2^64.
 */
static int resume_valid(const hf__resume *r)
{
	const uint64_t cs = HF__RESUME_CELL_SIZE;
	size_t i;

	if (!hf__is_etag(r->etag) || r->size > (uint64_t)LLONG_MAX || r->offset > r->size)
		return 0;
	if (r->owner[0]) {
		if (!owner_ok(r->owner) || r->pid <= 0 || r->pid > INT_MAX)
			return 0;
	} else if (r->pid != 0) {
		return 0;
	}
	if (r->ncells > HF__RESUME_MAX_CELLS || (!r->has_cells && r->ncells))
		return 0;
	for (i = 0; i < r->ncells; i++) {
		uint64_t c = r->cells[i].cell, p = r->cells[i].pos;

		if (c > r->size / cs || p <= c * cs || p <= r->offset || p > (c + 1) * cs ||
		    p > r->size || (c * cs < r->offset && c != r->offset / cs))
			return 0;
		if (i && c <= r->cells[i - 1].cell)
			return 0;
	}
	return 1;
}

/*
 * "owner <boot id> <pid namespace> <pid>\n", after "owner ": the two words
 * go to r->owner as they are, the pid must be a positive pid_t.
 */
static int take_owner(cursor *c, hf__resume *r)
{
	size_t a, b;
	uint64_t pid;

	a = span(c, is_word_byte);
	if (a == 0 || c->p + a >= c->end || c->p[a] != ' ')
		return 0;
	{
		cursor w = { c->p + a + 1, c->end };

		b = span(&w, is_word_byte);
	}
	if (b == 0 || a + 1 + b > HF__RESUME_OWNER_MAX)
		return 0;
	memcpy(r->owner, c->p, a + 1 + b);
	r->owner[a + 1 + b] = '\0';
	c->p += a + 1 + b;
	if (!take(c, " ") || !take_number(c, &pid) || pid == 0 || pid > INT_MAX || !take(c, "\n"))
		return 0;
	r->pid = (long)pid;
	return 1;
}

/* " <cell>:<next byte>" entries up to the end of the cells line. */
static int take_cells(cursor *c, hf__resume *r)
{
	r->has_cells = 1;
	while (take(c, " ")) {
		hf__resume_cell *e;

		if (r->ncells == HF__RESUME_MAX_CELLS)
			return 0;
		e = &r->cells[r->ncells];
		if (!take_number(c, &e->cell) || !take(c, ":") || !take_number(c, &e->pos))
			return 0;
		r->ncells++;
	}
	return take(c, "\n");
}

static int parse(const char *text, size_t len, hf__resume *r)
{
	cursor c = { text, text + len };
	size_t n;

	if (!take(&c, "hf-resume 1\n"))
		return 0;
	n = span(&c, is_lower_hex_byte);
	if (n != 40 && n != 64)
		return 0;
	memcpy(r->etag, c.p, n);
	r->etag[n] = '\0';
	c.p += n;
	if (!take(&c, "\n") || !take_number(&c, &r->size) || !take(&c, "\n") ||
	    !take_number(&c, &r->offset) || !take(&c, "\n"))
		return 0;
	if (take(&c, "owner ") && !take_owner(&c, r))
		return 0;
	/* The grid is part of the format: 16 MiB and nothing else. */
	if (take(&c, "cells 16777216") && !take_cells(&c, r))
		return 0;
	return c.p == c.end && resume_valid(r);
}

int hf__resume_parse(const char *text, size_t len, hf__resume *out)
{
	if (!out)
		return -1;
	memset(out, 0, sizeof(*out));
	if (!text || !parse(text, len, out)) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	return 0;
}

static int append(char *buf, size_t cap, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int append(char *buf, size_t cap, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(buf + *n, cap - *n, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= cap - *n)
		return -1;
	*n += (size_t)k;
	return 0;
}

size_t hf__resume_format(const hf__resume *r, char *buf, size_t cap)
{
	size_t n = 0, i;

	if (!r || !buf || cap == 0 || !resume_valid(r))
		return 0;
	buf[0] = '\0';
	if (append(buf, cap, &n, "hf-resume 1\n%s\n%llu\n%llu\n", r->etag,
		   (unsigned long long)r->size, (unsigned long long)r->offset) != 0)
		return 0;
	if (r->owner[0] && append(buf, cap, &n, "owner %s %ld\n", r->owner, r->pid) != 0)
		return 0;
	if (r->has_cells) {
		if (append(buf, cap, &n, "cells %llu", (unsigned long long)HF__RESUME_CELL_SIZE) != 0)
			return 0;
		for (i = 0; i < r->ncells; i++)
			if (append(buf, cap, &n, " %llu:%llu", (unsigned long long)r->cells[i].cell,
				   (unsigned long long)r->cells[i].pos) != 0)
				return 0;
		if (append(buf, cap, &n, "\n") != 0)
			return 0;
	}
	return n;
}

/* ---- who wrote it ---- */

/*
 * Who wrote a checkpoint: "<boot id> <pid namespace> <pid>". A later run on
 * the same boot and in the same pid namespace can tell a dead writer (kill
 * -9, a crash) from a live one and adopt its partial at once; anything else
 * waits until the partial has been idle for STALE_PARTIAL_S.
 */
static pthread_once_t owner_once = PTHREAD_ONCE_INIT;
static char owner_id[HF__RESUME_OWNER_MAX + 1];

static void read_owner_id(void)
{
	char boot[64] = "", ns[48] = "";
	FILE *fp = fopen("/proc/sys/kernel/random/boot_id", "r");
	ssize_t n;

	if (fp) {
		if (!fgets(boot, sizeof(boot), fp))
			boot[0] = '\0';
		fclose(fp);
	}
	boot[strcspn(boot, "\n")] = '\0';
	n = readlink("/proc/self/ns/pid", ns, sizeof(ns) - 1);
	ns[n > 0 ? n : 0] = '\0';
	/* Only words the parser takes back: a checkpoint must always read. */
	if (hf__resume_owner_word_ok(boot, strlen(boot)) && hf__resume_owner_word_ok(ns, strlen(ns)))
		snprintf(owner_id, sizeof(owner_id), "%s %s", boot, ns);
}

const char *hf__resume_owner(void)
{
	pthread_once(&owner_once, read_owner_id);
	return owner_id;
}

int hf__resume_writer_dead(const hf__resume *r)
{
	const char *me = hf__resume_owner();

	return me[0] && strcmp(r->owner, me) == 0 && r->pid > 0 && r->pid != (long)getpid() &&
	       kill((pid_t)r->pid, 0) != 0 && errno == ESRCH;
}

/* ---- the file ---- */

int hf__resume_load(const char *path, hf__resume *out)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (hf__read_file(path, HF__RESUME_TEXT_MAX, &text, &len) != 0) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	rc = hf__resume_parse(text, len, out);
	free(text);
	return rc;
}

int hf__resume_store(const char *path, const hf__resume *r)
{
	char *text = malloc(HF__RESUME_TEXT_MAX);
	size_t n;
	int rc;

	if (!text)
		return -ENOMEM;
	n = hf__resume_format(r, text, HF__RESUME_TEXT_MAX);
	rc = n ? hf__write_file_atomic(path, text, n, 0644) : -EINVAL;
	free(text);
	return rc;
}

/* ---- adopting an earlier run's partial ---- */

/*
 * Adopt the partial download of an earlier run: the one with the longest
 * verified prefix whose writer is known to be dead, or that has been idle
 * for a while (so not a live writer on a file system where flock does
 * nothing). It is renamed to our own name first, so two runs can never
 * share it.
 */
uint64_t hf__resume_adopt(const char *dir, const char *prefix, const char *etag, uint64_t size,
			  const char *tmp_path, const char *resume_path, hf__resume_cell *cells,
			  size_t *ncells)
{
	hf__resume *cand = malloc(sizeof(*cand));
	char *pattern_dir = hf__strdup(dir);
	char best[4096] = "";
	uint64_t best_off = 0, best_covered = 0;
	size_t plen = strlen(prefix);
	struct dirent *de;
	DIR *d;

	*ncells = 0;
	if (!pattern_dir || !cand) {
		free(pattern_dir);
		free(cand);
		return 0;
	}
	d = opendir(pattern_dir);
	free(pattern_dir);
	if (!d) {
		free(cand);
		return 0;
	}
	while ((de = readdir(d))) {
		const char *name = de->d_name;
		size_t n = strlen(name);
		char path[4096], rpath[4200];
		struct stat st;
		uint64_t off = 0, covered, top = 0;
		int dead_writer = 0;
		size_t nc = 0, j;

		if (n != plen + 1 + 8 + 11 || strncmp(name, prefix, plen) != 0 || name[plen] != '.' ||
		    strcmp(name + n - 11, ".incomplete") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		snprintf(rpath, sizeof(rpath), "%s.resume", path);
		if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		/* Only a checkpoint of this very file counts. */
		if (hf__resume_load(rpath, cand) == 0 && strcmp(cand->etag, etag) == 0 &&
		    cand->size == size) {
			off = cand->offset;
			dead_writer = hf__resume_writer_dead(cand);
			nc = cand->ncells;
		}
		if (!dead_writer && time(NULL) - st.st_mtime < STALE_PARTIAL_S)
			continue;
		/* Prefer the partial with the most bytes on disk, prefix and cells. */
		covered = off;
		for (j = 0; j < nc; j++) {
			covered += cand->cells[j].pos - cand->cells[j].cell * HF__RESUME_CELL_SIZE;
			top = cand->cells[j].pos > top ? cand->cells[j].pos : top;
		}
		if (covered > best_covered && (uint64_t)st.st_size >= off && (uint64_t)st.st_size >= top) {
			best_covered = covered;
			best_off = off;
			*ncells = nc;
			memcpy(cells, cand->cells, nc * sizeof(*cells));
			snprintf(best, sizeof(best), "%s", path);
		}
	}
	closedir(d);
	free(cand);
	if (!best_off) {
		*ncells = 0; /* a prefix of 0 restarts clean: cells alone are not kept */
		return 0;
	}
	{
		char rbest[4200];

		snprintf(rbest, sizeof(rbest), "%s.resume", best);
		if (rename(best, tmp_path) != 0) {
			*ncells = 0;
			return 0;
		}
		(void)rename(rbest, resume_path);
	}
	return best_off;
}

#include "ini.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/*
 * The reader follows configparser's line-by-line reader (Python 3.11) in
 * strict mode with empty_lines_in_values=False: a blank or comment line
 * ends a multi-line value, and [DEFAULT] is an ordinary section. How this
 * differs from the official client's ConfigParser(interpolation=None) is
 * in docs/internals/dotenv-ini.md.
 *
 * Parsing is linear in the input: duplicates are found with a hash set
 * and multi-line values are assembled once, from spans of the input.
 */

#define NONE SIZE_MAX

/* What Python's str.strip() removes, restricted to ASCII. */
static int is_py_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int eq_nocase(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (ascii_lower((unsigned char)*a) != ascii_lower((unsigned char)*b))
			return 0;
	return *a == '\0' && *b == '\0';
}

/* A NUL-terminated copy of n bytes known to hold no NUL. */
static char *memdup0(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (!p)
		return NULL;
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static void free_value(char *value)
{
	if (value) {
		hf__wipe(value, strlen(value));
		free(value);
	}
}

static void free_section(hf__ini_section *sec)
{
	size_t i;

	for (i = 0; i < sec->count; i++) {
		free(sec->entries[i].key);
		free_value(sec->entries[i].value);
	}
	free(sec->entries);
	free(sec->name);
	sec->entries = NULL;
	sec->name = NULL;
	sec->count = 0;
}

void hf__ini_dispose(hf__ini *ini)
{
	size_t i;

	if (!ini)
		return;
	for (i = 0; i < ini->count; i++)
		free_section(&ini->sections[i]);
	free(ini->sections);
	ini->sections = NULL;
	ini->count = 0;
}

/*
 * Set of (section index, name) pairs seen so far: section names use the
 * index NONE. Open addressing; the strings belong to the ini being built.
 */
struct seen_slot {
	const char *name;
	size_t sect;
	uint64_t hash;
};

struct seen_set {
	struct seen_slot *slots;
	size_t cap;
	size_t count;
};

static uint64_t seen_hash(const char *s, size_t sect)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	h ^= (uint64_t)sect;
	h *= 0x100000001b3ULL;
	return h ^ (h >> 29);
}

static int seen_grow(struct seen_set *set)
{
	size_t cap = set->cap ? set->cap * 2 : 64;
	struct seen_slot *slots;
	size_t i, j;

	if (cap > SIZE_MAX / sizeof(*slots))
		return -1;
	slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return -1;
	for (i = 0; i < set->cap; i++) {
		if (!set->slots[i].name)
			continue;
		j = (size_t)set->slots[i].hash & (cap - 1);
		while (slots[j].name)
			j = (j + 1) & (cap - 1);
		slots[j] = set->slots[i];
	}
	free(set->slots);
	set->slots = slots;
	set->cap = cap;
	return 0;
}

/* 1 when added, 0 when already present, -1 when out of memory. */
static int seen_add(struct seen_set *set, const char *name, size_t sect)
{
	uint64_t h = seen_hash(name, sect);
	size_t j;

	if ((set->count + 1) * 2 > set->cap && seen_grow(set) < 0)
		return -1;
	j = (size_t)h & (set->cap - 1);
	while (set->slots[j].name) {
		if (set->slots[j].hash == h && set->slots[j].sect == sect &&
		    strcmp(set->slots[j].name, name) == 0)
			return 0;
		j = (j + 1) & (set->cap - 1);
	}
	set->slots[j].name = name;
	set->slots[j].sect = sect;
	set->slots[j].hash = h;
	set->count++;
	return 1;
}

struct span {
	size_t off;
	size_t len;
};

struct reader {
	hf__ini *ini;
	const char *text;
	size_t sect_cap;	/* allocated slots in ini->sections */
	size_t entry_cap;	/* allocated slots in the last section */
	struct seen_set seen;
	struct span *parts;	/* the lines of the value being read */
	size_t nparts;
	size_t parts_cap;
	int pending;		/* the last entry still lacks its value */
};

/* Double an array's capacity; *cap is in elements. */
static int grow(void **arr, size_t *cap, size_t elem)
{
	size_t ncap = *cap ? *cap * 2 : 4;
	void *p;

	if (ncap > SIZE_MAX / elem)
		return -1;
	p = realloc(*arr, ncap * elem);
	if (!p)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

static int add_part(struct reader *r, size_t off, size_t len)
{
	if (r->nparts == r->parts_cap &&
	    grow((void **)&r->parts, &r->parts_cap, sizeof(*r->parts)) < 0)
		return -1;
	r->parts[r->nparts].off = off;
	r->parts[r->nparts].len = len;
	r->nparts++;
	return 0;
}

/* Give the pending entry its value: its lines joined with "\n". */
static int finish_value(struct reader *r)
{
	hf__ini_section *sec;
	size_t total, i, n;
	char *v;

	if (!r->pending)
		return 0;
	total = r->nparts - 1;
	for (i = 0; i < r->nparts; i++)
		total += r->parts[i].len;
	v = malloc(total + 1);
	if (!v)
		return -1;
	n = 0;
	for (i = 0; i < r->nparts; i++) {
		if (i)
			v[n++] = '\n';
		memcpy(v + n, r->text + r->parts[i].off, r->parts[i].len);
		n += r->parts[i].len;
	}
	v[n] = '\0';
	sec = &r->ini->sections[r->ini->count - 1];
	sec->entries[sec->count - 1].value = v;
	r->pending = 0;
	r->nparts = 0;
	return 0;
}

/* 0, -1 for a duplicate, -2 when out of memory. */
static int add_section(struct reader *r, size_t off, size_t len)
{
	hf__ini *ini = r->ini;
	char *name;
	int rc;

	if (ini->count == r->sect_cap &&
	    grow((void **)&ini->sections, &r->sect_cap, sizeof(*ini->sections)) < 0)
		return -2;
	name = memdup0(r->text + off, len);
	if (!name)
		return -2;
	rc = seen_add(&r->seen, name, NONE);
	if (rc <= 0) {
		free(name);
		return rc < 0 ? -2 : -1;
	}
	ini->sections[ini->count].name = name;
	ini->sections[ini->count].entries = NULL;
	ini->sections[ini->count].count = 0;
	ini->count++;
	r->entry_cap = 0;
	return 0;
}

/* Add key (value pending) to the last section: 0, -1 duplicate, -2 OOM. */
static int add_entry(struct reader *r, size_t off, size_t len)
{
	hf__ini_section *sec = &r->ini->sections[r->ini->count - 1];
	char *key;
	size_t i;
	int rc;

	if (sec->count == r->entry_cap &&
	    grow((void **)&sec->entries, &r->entry_cap, sizeof(*sec->entries)) < 0)
		return -2;
	key = memdup0(r->text + off, len);
	if (!key)
		return -2;
	/* optionxform() is str.lower(). */
	for (i = 0; i < len; i++)
		key[i] = (char)ascii_lower((unsigned char)key[i]);
	rc = seen_add(&r->seen, key, r->ini->count - 1);
	if (rc <= 0) {
		free(key);
		return rc < 0 ? -2 : -1;
	}
	sec->entries[sec->count].key = key;
	sec->entries[sec->count].value = NULL;
	sec->count++;
	r->pending = 1;
	return 0;
}

/*
 * One logical line [s, e) of the text, already stripped; indent is the
 * offset of s from the start of the line. 0, -1 syntax error, -2 OOM.
 */
static int handle_line(struct reader *r, size_t s, size_t e, size_t indent,
		       size_t *indent_level)
{
	const char *t = r->text;
	size_t i, d, ke, vs;
	int rc;

	/* Full-line comments and blank lines end a multi-line value. */
	if (s == e || t[s] == '#' || t[s] == ';') {
		*indent_level = NONE;
		return finish_value(r) < 0 ? -2 : 0;
	}
	/* Deeper than the key line: the value goes on (NONE is never less). */
	if (r->pending && indent > *indent_level)
		return add_part(r, s, e - s) < 0 ? -2 : 0;
	if (finish_value(r) < 0)
		return -2;
	*indent_level = indent;

	/* SECTCRE is \[(?P<header>.+)\] matched at the start: the last ']'. */
	if (t[s] == '[') {
		for (i = e; i > s + 2; i--)
			if (t[i - 1] == ']')
				break;
		if (i > s + 2)
			return add_section(r, s + 1, i - 1 - (s + 1));
	}
	if (r->ini->count == 0)
		return -1;	/* MissingSectionHeaderError */

	/* OPTCRE: the first delimiter of either kind splits the line. */
	for (d = s; d < e; d++)
		if (t[d] == '=' || t[d] == ':')
			break;
	if (d == e)
		return -1;
	ke = d;
	while (ke > s && is_py_space((unsigned char)t[ke - 1]))
		ke--;
	if (ke == s)
		return -1;	/* an empty option name */
	vs = d + 1;
	while (vs < e && is_py_space((unsigned char)t[vs]))
		vs++;
	rc = add_entry(r, s, ke - s);
	if (rc < 0)
		return rc;
	return add_part(r, vs, e - vs) < 0 ? -2 : 0;
}

int hf__ini_parse(hf__ini *out, const char *text, size_t len, size_t *line)
{
	struct reader r;
	size_t pos = 0, lineno = 0, indent_level = NONE;
	int rc = 0;

	if (line)
		*line = 0;
	if (!out || out->count || out->sections || (!text && len))
		return -1;
	memset(&r, 0, sizeof(r));
	r.ini = out;
	r.text = text;

	/* Universal newlines: "\r\n", "\n" and a lone "\r" all end a line. */
	while (pos < len) {
		size_t ls = pos, le = pos, s, e;

		lineno++;
		while (le < len && text[le] != '\n' && text[le] != '\r') {
			/* A C string cannot carry it; configparser would. */
			if (text[le] == '\0') {
				rc = -1;
				goto done;
			}
			le++;
		}
		pos = le;
		if (pos < len)
			pos += text[pos] == '\r' && pos + 1 < len && text[pos + 1] == '\n' ? 2 : 1;

		s = ls;
		while (s < le && is_py_space((unsigned char)text[s]))
			s++;
		e = le;
		while (e > s && is_py_space((unsigned char)text[e - 1]))
			e--;
		rc = handle_line(&r, s, e, s - ls, &indent_level);
		if (rc < 0)
			goto done;
	}
	if (finish_value(&r) < 0)
		rc = -2;
done:
	free(r.seen.slots);
	free(r.parts);
	if (rc < 0) {
		hf__ini_dispose(out);
		if (line && rc == -1)
			*line = lineno;
	}
	return rc;
}

static hf__ini_section *find_section(const hf__ini *ini, const char *name)
{
	size_t i;

	for (i = 0; i < ini->count; i++)
		if (strcmp(ini->sections[i].name, name) == 0)
			return &ini->sections[i];
	return NULL;
}

const char *hf__ini_get(const hf__ini *ini, const char *section, const char *key)
{
	const hf__ini_section *sec;
	size_t i;

	if (!ini || !section || !key)
		return NULL;
	sec = find_section(ini, section);
	if (!sec)
		return NULL;
	for (i = 0; i < sec->count; i++)
		if (eq_nocase(sec->entries[i].key, key))
			return sec->entries[i].value;
	return NULL;
}

static int has_line_break(const char *s)
{
	return strpbrk(s, "\r\n") != NULL;
}

/*
 * Refuse what would not read back as written: a name that breaks the line
 * structure could smuggle another section or key into the file.
 */
static int valid_for_set(const char *section, const char *key, const char *value)
{
	size_t klen;

	if (!*section || has_line_break(section))
		return 0;
	/* configparser keeps [DEFAULT] apart and add_section() refuses it. */
	if (strcmp(section, "DEFAULT") == 0)
		return 0;
	klen = strlen(key);
	if (!klen || has_line_break(key) || strpbrk(key, "=:"))
		return 0;
	if (is_py_space((unsigned char)key[0]) || is_py_space((unsigned char)key[klen - 1]))
		return 0;
	if (key[0] == '[' || key[0] == '#' || key[0] == ';')
		return 0;
	/* "\n" becomes a continuation line; a CR would split a line instead. */
	return strchr(value, '\r') == NULL;
}

/* Append an empty section; NULL when out of memory. */
static hf__ini_section *append_section(hf__ini *ini, const char *section)
{
	hf__ini_section *secs, *sec;
	char *name;

	if (ini->count >= SIZE_MAX / sizeof(*secs) - 1)
		return NULL;
	name = hf__strdup(section);
	if (!name)
		return NULL;
	secs = realloc(ini->sections, (ini->count + 1) * sizeof(*secs));
	if (!secs) {
		free(name);
		return NULL;
	}
	ini->sections = secs;
	sec = &secs[ini->count++];
	sec->name = name;
	sec->entries = NULL;
	sec->count = 0;
	return sec;
}

int hf__ini_set(hf__ini *ini, const char *section, const char *key, const char *value)
{
	hf__ini_section *sec;
	hf__ini_entry *ents;
	char *k = NULL, *v = NULL;
	int created = 0, rc = -1;
	size_t i;

	if (!ini || !section || !key || !value || !valid_for_set(section, key, value))
		return -1;
	k = hf__strdup(key);
	v = hf__strdup(value);
	if (!k || !v)
		goto done;
	for (i = 0; k[i]; i++)
		k[i] = (char)ascii_lower((unsigned char)k[i]);

	sec = find_section(ini, section);
	if (sec) {
		for (i = 0; i < sec->count; i++) {
			if (strcmp(sec->entries[i].key, k) == 0) {
				free_value(sec->entries[i].value);
				sec->entries[i].value = v;
				v = NULL;
				rc = 0;
				goto done;
			}
		}
	} else {
		sec = append_section(ini, section);
		if (!sec)
			goto done;
		created = 1;
	}
	ents = NULL;
	if (sec->count < SIZE_MAX / sizeof(*ents) - 1)
		ents = realloc(sec->entries, (sec->count + 1) * sizeof(*ents));
	if (!ents) {
		/* Do not leave behind a section created for this call only. */
		if (created)
			hf__ini_remove_section(ini, section);
		goto done;
	}
	sec->entries = ents;
	ents[sec->count].key = k;
	ents[sec->count].value = v;
	sec->count++;
	k = NULL;
	v = NULL;
	rc = 0;
done:
	free(k);
	free_value(v);
	return rc;
}

int hf__ini_remove_section(hf__ini *ini, const char *section)
{
	hf__ini_section *sec;
	size_t idx;

	if (!ini || !section)
		return 0;
	sec = find_section(ini, section);
	if (!sec)
		return 0;
	idx = (size_t)(sec - ini->sections);
	free_section(sec);
	memmove(&ini->sections[idx], &ini->sections[idx + 1],
		(ini->count - idx - 1) * sizeof(*ini->sections));
	ini->count--;
	if (ini->count == 0) {
		free(ini->sections);
		ini->sections = NULL;
	}
	return 1;
}

static int cmp_section(const void *a, const void *b)
{
	const hf__ini_section *const *x = a;
	const hf__ini_section *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

static int add_size(size_t *total, size_t n)
{
	if (n > SIZE_MAX - *total)
		return -1;
	*total += n;
	return 0;
}

static char *put(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/*
 * The size is computed first so that the text, which holds tokens, is
 * written into a single allocation and never left behind by a realloc().
 */
char *hf__ini_serialize(const hf__ini *ini)
{
	const hf__ini_section **order = NULL;
	size_t total = 1, i, j;
	char *out = NULL, *p;

	if (!ini)
		return NULL;
	if (ini->count) {
		order = malloc(ini->count * sizeof(*order));
		if (!order)
			return NULL;
		for (i = 0; i < ini->count; i++)
			order[i] = &ini->sections[i];
		qsort(order, ini->count, sizeof(*order), cmp_section);
	}
	for (i = 0; i < ini->count; i++) {
		const hf__ini_section *sec = order[i];

		if (add_size(&total, strlen(sec->name)) < 0 || add_size(&total, 4) < 0)
			goto done;
		for (j = 0; j < sec->count; j++) {
			const char *v = sec->entries[j].value ? sec->entries[j].value : "";
			const char *q;

			if (add_size(&total, strlen(sec->entries[j].key)) < 0 ||
			    add_size(&total, strlen(v)) < 0 || add_size(&total, 4) < 0)
				goto done;
			/* Each "\n" in a value gains a tab after it. */
			for (q = strchr(v, '\n'); q; q = strchr(q + 1, '\n'))
				if (add_size(&total, 1) < 0)
					goto done;
		}
	}
	out = malloc(total);
	if (!out)
		goto done;
	p = out;
	for (i = 0; i < ini->count; i++) {
		const hf__ini_section *sec = order[i];

		p = put(p, "[", 1);
		p = put(p, sec->name, strlen(sec->name));
		p = put(p, "]\n", 2);
		for (j = 0; j < sec->count; j++) {
			const char *v = sec->entries[j].value ? sec->entries[j].value : "";

			p = put(p, sec->entries[j].key, strlen(sec->entries[j].key));
			p = put(p, " = ", 3);
			for (; *v; v++) {
				*p++ = *v;
				if (*v == '\n')
					*p++ = '\t';
			}
			*p++ = '\n';
		}
		*p++ = '\n';
	}
	*p = '\0';
done:
	free(order);
	return out;
}

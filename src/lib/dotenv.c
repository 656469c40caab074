#include "dotenv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/*
 * The statement grammar of python-dotenv's dotenv/parser.py (checked
 * against release 1.2.2): each helper below stands for one of its regular
 * expressions and moves the position only when it matches. After a
 * failure the rest of the physical line is skipped from where the failing
 * piece started, as upstream does. Expansion (expand()) follows POSIX
 * shell rules rather than python-dotenv's; the differences, and how they
 * were checked, are in docs/internals/dotenv-ini.md.
 *
 * It stays linear on hostile input: a quote search that succeeds moves the
 * position past what it read, and one that fails proves that no later
 * statement can open that kind of quote (its opening quote would have
 * been found). ${...} expansion is linear too, and bounded per value and
 * per file.
 */

#define NONE SIZE_MAX
/* An expanded value may grow to this, or to its raw length if larger. */
#define EXPAND_VALUE_MAX ((size_t)1024 * 1024)
/* All expanded values of one file together. */
#define EXPAND_TOTAL_MAX ((size_t)64 * 1024 * 1024)

/* Python's \s, restricted to ASCII (it includes 0x1c-0x1f). */
static int is_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

/* [^\S\r\n]: white space that does not end a line. */
static int is_hspace(int c)
{
	return is_space(c) && c != '\r' && c != '\n';
}

static int is_eol(int c)
{
	return c == '\r' || c == '\n';
}

/* Earlier keys of the file, for ${NAME}. Open addressing, never shrinks. */
struct var {
	char *key;
	size_t klen;
	char *value;
	size_t vlen;
	uint64_t hash;
};

struct vars {
	struct var *slots;
	size_t cap;
	size_t count;
};

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h ^ (h >> 29);
}

static struct var *vars_find(const struct vars *m, const char *key, size_t klen, uint64_t h)
{
	size_t j;

	if (!m->cap)
		return NULL;
	for (j = (size_t)h & (m->cap - 1); m->slots[j].key; j = (j + 1) & (m->cap - 1)) {
		struct var *v = &m->slots[j];

		if (v->hash == h && v->klen == klen && memcmp(v->key, key, klen) == 0)
			return v;
	}
	return NULL;
}

static int vars_grow(struct vars *m)
{
	size_t cap = m->cap ? m->cap * 2 : 32;
	struct var *slots;
	size_t i, j;

	if (cap > SIZE_MAX / sizeof(*slots))
		return -1;
	slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return -1;
	for (i = 0; i < m->cap; i++) {
		if (!m->slots[i].key)
			continue;
		for (j = (size_t)m->slots[i].hash & (cap - 1); slots[j].key; j = (j + 1) & (cap - 1))
			;
		slots[j] = m->slots[i];
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

static void wipe_free(char *p, size_t n)
{
	if (p) {
		hf__wipe(p, n);
		free(p);
	}
}

/* Takes key and value (NUL-terminated) on success; -1 leaves them to the caller. */
static int vars_put(struct vars *m, char *key, size_t klen, char *value, size_t vlen)
{
	uint64_t h = hash_bytes(key, klen);
	struct var *v = vars_find(m, key, klen, h);
	size_t j;

	if (v) {
		/* A later definition replaces the earlier one, as in a dict. */
		wipe_free(v->value, v->vlen);
		v->value = value;
		v->vlen = vlen;
		free(key);
		return 0;
	}
	if ((m->count + 1) * 2 > m->cap && vars_grow(m) < 0)
		return -1;
	for (j = (size_t)h & (m->cap - 1); m->slots[j].key; j = (j + 1) & (m->cap - 1))
		;
	m->slots[j].key = key;
	m->slots[j].klen = klen;
	m->slots[j].value = value;
	m->slots[j].vlen = vlen;
	m->slots[j].hash = h;
	m->count++;
	return 0;
}

static void vars_dispose(struct vars *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++) {
		free(m->slots[i].key);
		wipe_free(m->slots[i].value, m->slots[i].vlen);
	}
	free(m->slots);
	m->slots = NULL;
	m->cap = m->count = 0;
}

/* A growing string for secrets: the old block is wiped when it moves. */
struct sbuf {
	char *p;
	size_t len;
	size_t cap;
	size_t max;
};

/* 0, 1 when past max, -1 when out of memory. */
static int sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	size_t need, cap;
	char *np;

	if (n > b->max - b->len)
		return 1;
	need = b->len + n + 1;
	if (need > b->cap) {
		cap = b->cap ? b->cap : 64;
		while (cap < need)
			cap = cap > SIZE_MAX / 2 ? need : cap * 2;
		np = malloc(cap);
		if (!np)
			return -1;
		if (b->len)
			memcpy(np, b->p, b->len);
		wipe_free(b->p, b->cap);
		b->p = np;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

enum quote_kind {
	Q_KEY,		/* any ' : the end of '([^']+)' */
	Q_SINGLE,	/* a ' not preceded by a backslash */
	Q_DOUBLE	/* a " not preceded by a backslash */
};

struct parser {
	const char *s;
	size_t len;
	size_t pos;
	size_t line_pos;	/* line is the line number of offset line_pos */
	size_t line;
	int use_vars;
	struct vars vars;
	size_t expanded;	/* bytes produced by expansion so far */
	hf__dotenv_getenv lookup;
	void *payload;
};

static int quote_char(enum quote_kind k)
{
	return k == Q_DOUBLE ? '"' : '\'';
}

/* Whether s[i] can close a quote of kind k opened before i. */
static int quote_at(const struct parser *p, enum quote_kind k, size_t i)
{
	if (p->s[i] != quote_char(k))
		return 0;
	return k == Q_KEY || p->s[i - 1] != '\\';
}

static size_t next_quote(const struct parser *p, enum quote_kind k, size_t from)
{
	size_t i;

	for (i = from; i < p->len; i++)
		if (quote_at(p, k, i))
			return i;
	return NONE;
}

/*
 * '((?:\\'|[^'])*)' and its double-quoted twin: the regex pairs every
 * backslash with a quote after it, so the first quote without a backslash
 * before it closes; failing that, the regex backtracks to the last escaped
 * quote of the text and takes that one.
 */
static size_t closing_quote(const struct parser *p, enum quote_kind k, size_t open)
{
	size_t q = next_quote(p, k, open + 1);
	size_t i;

	if (q != NONE)
		return q;
	for (i = p->len; i >= open + 3; i--)
		if (p->s[i - 1] == quote_char(k) && p->s[i - 2] == '\\')
			return i - 1;
	return NONE;
}

/* The line number of offset pos; offsets are asked in increasing order. */
static size_t line_at(struct parser *p, size_t pos)
{
	size_t i;

	for (i = p->line_pos; i < pos; i++) {
		/* "\r\n", "\n" and "\r" each end one line. */
		if (p->s[i] == '\r' || (p->s[i] == '\n' && (i == 0 || p->s[i - 1] != '\r')))
			p->line++;
	}
	p->line_pos = pos;
	return p->line;
}

enum {
	B_END,		/* nothing left */
	B_SKIP,		/* a comment, or a key without '=' */
	B_ERROR,	/* malformed: warn and go on */
	B_OK
};

struct binding {
	size_t stmt;	/* offset of the statement's first byte */
	size_t key_off;
	size_t key_len;
	size_t val_off;
	size_t val_len;
	int quote;	/* 0, '\'' or '"' */
};

static void skip_hspace(struct parser *p)
{
	while (p->pos < p->len && is_hspace(p->s[p->pos]))
		p->pos++;
}

/* parse_value(): 0, or -1 with the position unchanged. */
static int parse_value(struct parser *p, struct binding *b, int after_space)
{
	const char *s = p->s;
	size_t start = p->pos, e, cut, j, q;

	if (start == p->len || is_eol(s[start])) {
		b->val_off = start;
		b->val_len = 0;
		return 0;
	}
	if (s[start] == '\'' || s[start] == '"') {
		q = closing_quote(p, s[start] == '"' ? Q_DOUBLE : Q_SINGLE, start);
		if (q == NONE)
			return -1;
		b->quote = s[start];
		b->val_off = start + 1;
		b->val_len = q - start - 1;
		p->pos = q + 1;
		return 0;
	}
	for (e = start; e < p->len && !is_eol(s[e]); e++)
		;
	p->pos = e;
	b->val_off = start;
	/* "KEY=  # comment" is empty, but "KEY=#value" is a value. */
	if (after_space && s[start] == '#') {
		b->val_len = 0;
		return 0;
	}
	/* re.sub(r"\s+#.*", "", part).rstrip() */
	cut = e;
	for (j = start + 1; j < e; j++) {
		if (s[j] == '#' && is_space(s[j - 1])) {
			cut = j;
			break;
		}
	}
	while (cut > start && is_space(s[cut - 1]))
		cut--;
	b->val_len = cut - start;
	return 0;
}

static int parse_binding(struct parser *p, struct binding *b)
{
	const char *s = p->s;
	size_t len = p->len, k, ws;
	int has_key = 1, has_value = 0;

	while (p->pos < len && is_space(s[p->pos]))
		p->pos++;
	if (p->pos == len)
		return B_END;
	memset(b, 0, sizeof(*b));
	b->stmt = p->pos;

	if (len - p->pos > 6 && memcmp(s + p->pos, "export", 6) == 0 &&
	    is_hspace(s[p->pos + 6])) {
		p->pos += 6;
		skip_hspace(p);
	}

	if (p->pos < len && s[p->pos] == '#') {
		has_key = 0;
	} else if (p->pos < len && s[p->pos] == '\'') {
		k = next_quote(p, Q_KEY, p->pos + 1);
		if (k == NONE || k == p->pos + 1)
			goto error;
		b->key_off = p->pos + 1;
		b->key_len = k - b->key_off;
		p->pos = k + 1;
	} else {
		for (k = p->pos; k < len && s[k] != '=' && s[k] != '#' && !is_space(s[k]); k++)
			;
		if (k == p->pos)
			goto error;
		b->key_off = p->pos;
		b->key_len = k - p->pos;
		p->pos = k;
	}

	skip_hspace(p);
	if (p->pos < len && s[p->pos] == '=') {
		p->pos++;
		ws = p->pos;
		skip_hspace(p);
		if (parse_value(p, b, p->pos > ws) < 0)
			goto error;
		has_value = 1;
	}

	/* An optional comment, then the end of the line. */
	for (k = p->pos; k < len && is_hspace(s[k]); k++)
		;
	if (k < len && s[k] == '#') {
		while (k < len && !is_eol(s[k]))
			k++;
		p->pos = k;
	}
	skip_hspace(p);
	if (p->pos < len) {
		if (s[p->pos] == '\r' && p->pos + 1 < len && s[p->pos + 1] == '\n')
			p->pos += 2;
		else if (is_eol(s[p->pos]))
			p->pos++;
		else
			goto error;
	}
	return has_key && has_value ? B_OK : B_SKIP;

error:
	/* _rest_of_line: [^\r\n]*(?:\r|\n|\r\n)? takes a single CR of a CRLF. */
	while (p->pos < len && !is_eol(s[p->pos]))
		p->pos++;
	if (p->pos < len)
		p->pos++;
	return B_ERROR;
}

/* decode_escapes(): v holds at least n + 1 bytes; returns the new length. */
static size_t decode(char *v, const char *raw, size_t n, int quote)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		char c = raw[i], d = i + 1 < n ? raw[i + 1] : '\0';

		if (c == '\\' && (d == '\\' || d == '\'')) {
			v[o++] = d;
			i++;
			continue;
		}
		if (c == '\\' && quote == '"') {
			static const char from[] = "\"abfnrtv";
			static const char to[] = "\"\a\b\f\n\r\t\v";
			const char *m = d ? strchr(from, d) : NULL;

			if (m) {
				v[o++] = to[m - from];
				i++;
				continue;
			}
		}
		v[o++] = c;
	}
	v[o] = '\0';
	return o;
}

/* The value of ${name}: an earlier key, then the environment. */
static int resolve(struct parser *p, const char *name, size_t n, const char **val, size_t *vlen)
{
	struct var *v = vars_find(&p->vars, name, n, hash_bytes(name, n));
	char *cname;

	if (v) {
		*val = v->value;
		*vlen = v->vlen;
		return 0;
	}
	cname = malloc(n + 1);
	if (!cname)
		return -1;
	memcpy(cname, name, n);
	cname[n] = '\0';
	*val = p->lookup ? p->lookup(cname, p->payload) : getenv(cname);
	*vlen = *val ? strlen(*val) : 0;
	free(cname);
	return 0;
}

/*
 * ${NAME} and ${NAME:-default} (dotenv/variables.py). Linear: a failed
 * match tells how far later candidates would fail too. Returns 0, 1 when
 * the result is too large, -1 when out of memory.
 */
static int expand(struct parser *p, const char *v, size_t n, struct sbuf *out)
{
	size_t i = 0, lit = 0, y, k, de = 0;
	const char *val;
	size_t vlen;
	int rc, has_def;

	out->max = n > EXPAND_VALUE_MAX ? n : EXPAND_VALUE_MAX;
	while (i + 1 < n) {
		if (v[i] != '$' || v[i + 1] != '{') {
			i++;
			continue;
		}
		/* name: [^}:]* */
		for (y = i + 2; y < n && v[y] != '}' && v[y] != ':'; y++)
			;
		if (y == n)
			break;		/* no '}' or ':' left: nothing else can match */
		has_def = 0;
		k = y;
		if (v[y] == ':') {
			if (y + 1 == n || v[y + 1] != '-') {
				/* Every candidate up to here stops at this ':'. */
				i = y - 1;
				continue;
			}
			for (k = y + 2; k < n && v[k] != '}'; k++)
				;
			if (k == n)
				break;	/* no '}' after this point at all */
			has_def = 1;
			de = y + 2;
		}
		rc = sbuf_add(out, v + lit, i - lit);
		if (rc)
			return rc;
		if (resolve(p, v + i + 2, y - (i + 2), &val, &vlen) < 0)
			return -1;
		if (has_def && !vlen) {
			val = v + de;
			vlen = k - de;
		}
		rc = sbuf_add(out, val ? val : "", vlen);
		if (rc)
			return rc;
		i = k + 1;
		lit = i;
	}
	return sbuf_add(out, v + lit, n - lit);
}

enum {
	E_OK,
	E_BAD,		/* skip with a warning */
	E_OOM,
	E_STOP		/* the callback said so */
};

static int emit(struct parser *p, const struct binding *b, hf__dotenv_cb cb,
		void *payload, int *cb_rc)
{
	const char *raw = p->s + b->val_off;
	char *key = NULL, *val = NULL;
	size_t vlen, cap;
	struct sbuf ex = { NULL, 0, 0, 0 };
	int rc, ret = E_OK;

	/* A C string cannot hold a NUL: refuse rather than truncate. */
	if (memchr(p->s + b->key_off, '\0', b->key_len) || memchr(raw, '\0', b->val_len))
		return E_BAD;
	key = malloc(b->key_len + 1);
	cap = b->val_len + 1;
	val = malloc(cap);
	if (!key || !val) {
		ret = E_OOM;
		goto done;
	}
	memcpy(key, p->s + b->key_off, b->key_len);
	key[b->key_len] = '\0';
	if (b->quote) {
		vlen = decode(val, raw, b->val_len, b->quote);
	} else {
		memcpy(val, raw, b->val_len);
		val[b->val_len] = '\0';
		vlen = b->val_len;
	}

	/* Single-quoted values are literal. */
	if (p->use_vars && b->quote != '\'' && strstr(val, "${")) {
		rc = expand(p, val, vlen, &ex);
		if (rc) {
			ret = rc < 0 ? E_OOM : E_BAD;
			goto done;
		}
		if (ex.len > EXPAND_TOTAL_MAX - p->expanded) {
			ret = E_OOM;
			goto done;
		}
		p->expanded += ex.len;
		wipe_free(val, cap);
		val = ex.p;
		vlen = ex.len;
		cap = ex.cap;
		ex.p = NULL;
	}

	if (cb) {
		*cb_rc = cb(key, val, payload);
		if (*cb_rc) {
			ret = E_STOP;
			goto done;
		}
	}
	if (p->use_vars) {
		if (vars_put(&p->vars, key, b->key_len, val, vlen) < 0) {
			ret = E_OOM;
			goto done;
		}
		key = NULL;
		val = NULL;
	}
done:
	wipe_free(ex.p, ex.cap);
	free(key);
	wipe_free(val, cap);
	return ret;
}

int hf__dotenv_parse(const char *text, size_t len, hf__dotenv_cb cb,
		     hf__dotenv_warn_cb warn, hf__dotenv_getenv lookup, void *payload)
{
	struct parser p;
	struct binding b;
	int kind, rc = 0, cb_rc = 0;

	if (!text)
		len = 0;
	memset(&p, 0, sizeof(p));
	p.s = text;
	p.len = len;
	p.line = 1;
	p.lookup = lookup;
	p.payload = payload;
	/* A UTF-8 byte order mark is not part of the first key. */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		p.s += 3;
		p.len -= 3;
	}
	/* Earlier values are kept (they may be secrets) only when needed. */
	p.use_vars = p.len >= 2 && memmem(p.s, p.len, "${", 2) != NULL;

	for (;;) {
		kind = parse_binding(&p, &b);
		if (kind == B_END)
			break;
		if (kind == B_OK) {
			switch (emit(&p, &b, cb, payload, &cb_rc)) {
			case E_OK:
				continue;
			case E_BAD:
				break;
			case E_OOM:
				rc = -2;
				goto done;
			default:
				rc = cb_rc;
				goto done;
			}
		} else if (kind == B_SKIP) {
			continue;
		}
		if (warn)
			warn(line_at(&p, b.stmt), payload);
	}
done:
	vars_dispose(&p.vars);
	return rc;
}

/*
 * Validation of names that end up in paths and URLs. Everything here is
 * a pure function over caller memory: no allocation, no locale (ctype
 * would make "ASCII only" depend on LC_CTYPE), no recursion, and every
 * loop is bounded by the input length so hostile input costs at most
 * O(length) or, for pattern matching, O(pattern * name).
 */
#include "validate.h"

#include <stdint.h>
#include <string.h>

#define REPO_PART_MAX 96
#define REVISION_MAX 256
#define FILENAME_MAX_LEN 4096
#define SEGMENT_MAX 255

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_lower_hex(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f');
}

static int is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static unsigned char ascii_lower(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return (unsigned char)(c - 'A' + 'a');
	return c;
}

/* Exactly len lower-case hex characters and nothing after them. */
static int is_lower_hex_string(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!is_lower_hex((unsigned char)s[i]))
			return 0;
	return s[len] == '\0';
}

/* ------------------------------------------------------------------ */
/* Repo ids */

static int is_repo_char(unsigned char c)
{
	return is_alpha(c) || is_digit(c) || c == '_' || c == '-' || c == '.';
}

/*
 * The official regex wants a word boundary at both ends of each part,
 * which with [\w.-] means the first and last characters are word
 * characters, i.e. not '-' or '.'.
 */
static int valid_repo_part(const char *s, size_t len)
{
	size_t i;

	if (len < 1 || len > REPO_PART_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!is_repo_char((unsigned char)s[i]))
			return 0;
	if (s[0] == '-' || s[0] == '.')
		return 0;
	if (s[len - 1] == '-' || s[len - 1] == '.')
		return 0;
	return 1;
}

int hf__valid_repo_id(const char *repo_id)
{
	/* Two parts and a slash; anything longer is refused unread. */
	const size_t max = 2 * REPO_PART_MAX + 1;
	const char *slash;
	size_t len;

	if (!repo_id)
		return 0;
	len = strnlen(repo_id, max + 1);
	if (len == 0 || len > max)
		return 0;
	if (strstr(repo_id, "--") || strstr(repo_id, ".."))
		return 0;
	if (len >= 4 && memcmp(repo_id + len - 4, ".git", 4) == 0)
		return 0;
	slash = memchr(repo_id, '/', len);
	if (!slash)
		return valid_repo_part(repo_id, len);
	if (memchr(slash + 1, '/', len - (size_t)(slash - repo_id) - 1))
		return 0;
	return valid_repo_part(repo_id, (size_t)(slash - repo_id)) &&
	       valid_repo_part(slash + 1, len - (size_t)(slash - repo_id) - 1);
}

/* ------------------------------------------------------------------ */
/* Commit hashes and etags */

int hf__is_commit_hash(const char *s)
{
	if (!s)
		return 0;
	/* strnlen keeps a 1 MB header from being scanned in full. */
	if (strnlen(s, 41) != 40)
		return 0;
	return is_lower_hex_string(s, 40);
}

int hf__is_etag(const char *s)
{
	size_t len;

	if (!s)
		return 0;
	len = strnlen(s, 65);
	if (len != 40 && len != 64)
		return 0;
	return is_lower_hex_string(s, len);
}

int hf__normalize_etag(char *value)
{
	const char *start;
	size_t len, i;

	if (!value)
		return 0;
	/*
	 * Python's value.lstrip("W/") removes any run of 'W' and '/', not
	 * the literal prefix "W/"; mirror it so both clients agree on
	 * what an odd header means.
	 */
	start = value;
	while (*start == 'W' || *start == '/')
		start++;
	while (*start == '"')
		start++;
	len = strlen(start);
	while (len > 0 && start[len - 1] == '"')
		len--;
	memmove(value, start, len);
	value[len] = '\0';
	for (i = 0; i < len; i++)
		value[i] = (char)ascii_lower((unsigned char)value[i]);
	return hf__is_etag(value);
}

/* ------------------------------------------------------------------ */
/* Revisions and file names */

/* "." or "..": the two segments that walk the tree instead of naming. */
static int is_dot_segment(const char *seg, size_t len, size_t dots)
{
	size_t i;

	if (len != dots)
		return 0;
	for (i = 0; i < len; i++)
		if (seg[i] != '.')
			return 0;
	return 1;
}

int hf__valid_revision(const char *rev)
{
	const char *seg;
	size_t len, i;

	if (!rev)
		return 0;
	len = strnlen(rev, REVISION_MAX + 1);
	if (len == 0 || len > REVISION_MAX)
		return 0;
	if (rev[0] == '/' || rev[len - 1] == '/')
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)rev[i];

		if (is_control(c) || c == ' ' || c == '\\')
			return 0;
	}
	/* The leading and trailing '/' checks make every segment bounded. */
	seg = rev;
	for (i = 0; i <= len; i++) {
		size_t seg_len;

		if (i < len && rev[i] != '/')
			continue;
		seg_len = (size_t)(rev + i - seg);
		if (seg_len == 0 || is_dot_segment(seg, seg_len, 1) ||
		    is_dot_segment(seg, seg_len, 2))
			return 0;
		seg = rev + i + 1;
	}
	return 1;
}

static int equals_nocase(const char *s, size_t len, const char *word)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (word[i] == '\0')
			return 0;
		if (ascii_lower((unsigned char)s[i]) != (unsigned char)word[i])
			return 0;
	}
	return word[i] == '\0';
}

/*
 * Windows maps these names to devices whatever the extension: "aux.txt"
 * opens the AUX device. It also ignores spaces before the extension
 * ("CON .txt"), so those are trimmed before comparing.
 */
static int is_windows_device(const char *seg, size_t len)
{
	static const char *const plain[] = { "con", "prn", "aux", "nul" };
	const char *dot = memchr(seg, '.', len);
	size_t stem = dot ? (size_t)(dot - seg) : len;
	size_t i;

	while (stem > 0 && seg[stem - 1] == ' ')
		stem--;
	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (equals_nocase(seg, stem, plain[i]))
			return 1;
	if (stem == 4 && seg[3] >= '1' && seg[3] <= '9' &&
	    (equals_nocase(seg, 3, "com") || equals_nocase(seg, 3, "lpt")))
		return 1;
	return 0;
}

static int refuse(const char **reason, const char *why)
{
	if (reason)
		*reason = why;
	return 0;
}

/* One '/'-separated segment of a file name; see hf__valid_filename. */
static const char *segment_problem(const char *seg, size_t len)
{
	if (len == 0)
		return "contains an empty path segment";
	if (is_dot_segment(seg, len, 2))
		return "contains a '..' segment";
	if (is_dot_segment(seg, len, 1))
		return "contains a '.' segment";
	if (len > SEGMENT_MAX)
		return "has a path segment longer than 255 bytes";
	if (is_windows_device(seg, len))
		return "contains a Windows device name";
	if (seg[len - 1] == '.' || seg[len - 1] == ' ')
		return "has a segment ending in '.' or ' '";
	return NULL;
}

int hf__valid_filename(const char *name, const char **reason)
{
	const char *seg;
	size_t len, i;

	if (reason)
		*reason = NULL;
	if (!name || name[0] == '\0')
		return refuse(reason, "is empty");
	len = strnlen(name, FILENAME_MAX_LEN + 1);
	if (len > FILENAME_MAX_LEN)
		return refuse(reason, "is longer than 4096 bytes");
	if (name[0] == '/')
		return refuse(reason, "is an absolute path");
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		/* Checked before segments: "a\..\b" is one segment here. */
		if (c == '\\')
			return refuse(reason,
				      "contains a '\\' (Windows separator)");
		if (is_control(c))
			return refuse(reason, "contains a control character");
	}
	if (name[1] == ':')
		return refuse(reason, "starts with a drive letter");
	if (name[len - 1] == '/')
		return refuse(reason, "ends with '/'");
	seg = name;
	for (i = 0; i <= len; i++) {
		const char *why;

		if (i < len && name[i] != '/')
			continue;
		why = segment_problem(seg, (size_t)(name + i - seg));
		if (why)
			return refuse(reason, why);
		seg = name + i + 1;
	}
	return 1;
}

/* ------------------------------------------------------------------ */
/* Pattern matching */

/*
 * Python matches str, so '?' and sets consume one code point, not one
 * byte. Decode one UTF-8 character and advance *sp past it. A byte that
 * does not start a well-formed sequence is taken alone and mapped to
 * U+DC80..U+DCFF (Python's surrogateescape), which no valid character
 * decodes to. Reading stops at the first non-continuation byte, so the
 * terminating NUL is never passed. With bs, '\\' reads as '/'.
 */
static uint32_t next_char(const char **sp, int bs)
{
	const unsigned char *s = (const unsigned char *)*sp;
	uint32_t c = s[0];
	uint32_t min;
	size_t n, i;

	if (c < 0x80) {
		*sp += 1;
		if (bs && c == '\\')
			c = '/';
		return c;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 1;
		min = 0x80;
		c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 2;
		min = 0x800;
		c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 3;
		min = 0x10000;
		c &= 0x07;
	} else {
		goto invalid;
	}
	for (i = 1; i <= n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			goto invalid;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		goto invalid;
	*sp += n + 1;
	return c;

invalid:
	*sp += 1;
	return 0xdc00 | s[0];
}

/*
 * The set that starts at p ('['), as Python's fnmatch.translate reads
 * it: an optional '!' negates; a ']' right after '[' or "[!" is a member;
 * the set ends at the next ']'. Members are characters or ranges "a-z";
 * a '-' first or last is literal; a range whose ends are reversed
 * matches nothing (Python drops it). last_close is the pattern's last
 * ']', so a set that never closes is found in O(1) and the cost of a
 * set stays the length of the set. Returns the position after the set
 * and stores in *hit whether c belongs to it, or returns NULL when the
 * '[' has no closing ']' (it is then a literal '[').
 */
static const char *match_set(const char *p, const char *last_close,
			     uint32_t c, int bs, int *hit)
{
	const char *s = p + 1;
	const char *start, *end;
	int negate = 0;
	int found = 0;
	int first = 1;
	int flip = 0;

	if (*s == '!') {
		negate = 1;
		s++;
	}
	start = s;
	if (*s == ']')
		s++;
	if (!last_close || last_close < s)
		return NULL;
	end = memchr(s, ']', (size_t)(last_close - s) + 1);

	s = start;
	while (s < end) {
		uint32_t lo = next_char(&s, bs);
		uint32_t hi = lo;
		int range = 0;

		if (end - s > 1 && *s == '-') {
			s++;
			hi = next_char(&s, bs);
			if (lo > hi)
				continue;
			range = 1;
		}
		/*
		 * Python quirk, kept for fidelity: once reversed ranges are
		 * dropped, a set whose text now starts with '!' ("[z-a!x]")
		 * is read by the regex as negated. The '!' itself is not a
		 * member, and in "!-X" the '-' and X become plain members.
		 */
		if (first && !negate && lo == '!') {
			first = 0;
			flip = 1;
			if (range && (c == '-' || c == hi))
				found = 1;
			continue;
		}
		first = 0;
		if (lo <= c && c <= hi)
			found = 1;
	}
	*hit = (negate || flip) ? !found : found;
	return end + 1;
}

/*
 * Match one non-'*' element of the pattern at *pp against the character
 * at *np; advance both on success.
 */
static int match_one(const char **pp, const char **np, const char *last_close,
		     int bs)
{
	const char *p = *pp;
	const char *n = *np;
	uint32_t c = next_char(&n, bs);
	int hit = 0;

	if (*p == '?') {
		p++;
		hit = 1;
	} else if (*p == '[') {
		const char *after = match_set(p, last_close, c, bs, &hit);

		if (after) {
			p = after;
		} else {
			p++;
			hit = c == '[';
		}
	} else {
		hit = next_char(&p, bs) == c;
	}
	if (hit) {
		*pp = p;
		*np = n;
	}
	return hit;
}

/*
 * Glob matching with the classic greedy algorithm: on a mismatch, go
 * back to just after the last '*' and let that '*' swallow one more
 * character. Every element other than '*' consumes exactly one
 * character, so only the last '*' ever needs revisiting, and the cost
 * is O(pattern * name) instead of exponential in the number of stars.
 * tail_star acts as a '*' after the end of the pattern without building
 * a copy of it: once the pattern is used up, any rest of name is fine.
 */
static int glob_match(const char *pat, const char *name, int bs, int tail_star)
{
	const char *last_close = strrchr(pat, ']');
	const char *p = pat;
	const char *n = name;
	const char *star_p = NULL;
	const char *star_n = NULL;

	for (;;) {
		int hit;

		if (*p == '*') {
			while (*p == '*')
				p++;
			star_p = p;
			star_n = n;
			continue;
		}
		if (*p == '\0') {
			if (*n == '\0' || tail_star)
				return 1;
			hit = 0;
		} else if (*n == '\0') {
			/* A later start for the '*' would leave even less. */
			return 0;
		} else {
			hit = match_one(&p, &n, last_close, bs);
		}
		if (hit)
			continue;
		if (!star_p || *star_n == '\0')
			return 0;
		next_char(&star_n, bs);
		p = star_p;
		n = star_n;
	}
}

int hf__fnmatch(const char *pattern, const char *name)
{
	if (!pattern || !name)
		return 0;
	return glob_match(pattern, name, 0, 0);
}

/*
 * The '/'-terminated pattern test is made after '\\' became '/', so
 * "onnx\\" selects a directory just like "onnx/".
 */
static int filter_pattern_match(const char *pattern, const char *name)
{
	size_t len;
	int dir;

	if (!pattern)
		return 0;
	len = strlen(pattern);
	dir = len > 0 && (pattern[len - 1] == '/' || pattern[len - 1] == '\\');
	return glob_match(pattern, name, 1, dir);
}

int hf__filter_match(const char *name, const char *const *allow, size_t n_allow,
		     const char *const *ignore, size_t n_ignore)
{
	size_t i;

	if (!name)
		return 0;
	if (allow && n_allow > 0) {
		int allowed = 0;

		for (i = 0; i < n_allow && !allowed; i++)
			allowed = filter_pattern_match(allow[i], name);
		if (!allowed)
			return 0;
	}
	if (ignore)
		for (i = 0; i < n_ignore; i++)
			if (filter_pattern_match(ignore[i], name))
				return 0;
	return 1;
}

/* ------------------------------------------------------------------ */
/* URL quoting */

/*
 * Python encodes safe with errors="ignore" to ASCII, so a non-ASCII
 * byte in safe never protects anything; only ASCII bytes count.
 */
static int stays_unquoted(unsigned char c, const char *safe)
{
	if (is_alpha(c) || is_digit(c))
		return 1;
	if (c == '_' || c == '.' || c == '-' || c == '~')
		return 1;
	return safe && c < 0x80 && strchr(safe, c) != NULL;
}

size_t hf__url_quote(const char *s, const char *safe, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	if (!out || outlen == 0)
		return (size_t)-1;
	if (!s)
		s = "";
	/* Invariant: o < outlen, so out[o] can always take the NUL. */
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (stays_unquoted(c, safe)) {
			if (outlen - o < 2)
				goto too_small;
			out[o++] = (char)c;
		} else {
			if (outlen - o < 4)
				goto too_small;
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 0x0f];
		}
	}
	out[o] = '\0';
	return o;

too_small:
	out[0] = '\0';
	return (size_t)-1;
}

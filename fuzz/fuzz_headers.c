/*
 * Response header values (untrusted: from the Hub, its CDN, a mirror or a
 * proxy) through the helpers that judge them:
 *
 * - ETag / X-Linked-Etag: hf__normalize_etag (W/ and quotes stripped,
 *   lower-cased, must be 40 or 64 hex);
 * - Content-Length / X-Linked-Size / Retry-After seconds: hf__parse_u64;
 * - Retry-After as an HTTP-date: hf__http_date;
 * - X-Repo-Commit and refs/<rev> text: hf__is_commit_hash, hf__ref_parse;
 * - Location: hf__url_resolve against the request URL, hf__same_origin
 *   (whether a token may follow).
 *
 * - Content-Range of a ranged reply: hf__parse_content_range (what
 *   content_range_ok() in fetch_xfer.c compares with the range asked).
 *
 * Input: header values separated by '\n' (a value never holds one). Every
 * value goes through every scalar parser; consecutive values are resolved
 * as (base, Location) pairs, and the first value is also tried against a
 * fixed Hub URL.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cache.h"
#include "http.h"
#include "parse.h"
#include "validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FIELDS 8

static void check_u64(const char *s)
{
	size_t len = strlen(s), i;
	unsigned long long v = 12345, ref;
	int all_digits = len > 0;

	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			all_digits = 0;
	if (hf__parse_u64(s, len, &v) == 0) {
		/* Digits only, at most 20 of them, no more than LLONG_MAX, the decimal value. */
		if (!all_digits || len > 20 || v > (unsigned long long)LLONG_MAX)
			abort();
		ref = strtoull(s, NULL, 10);
		if (ref != v)
			abort();
	} else {
		/* Anything of 1 to 18 digits fits and must be accepted. */
		if (all_digits && len <= 18)
			abort();
		if (v != 12345) /* untouched on failure */
			abort();
	}
}

static void check_etag(const char *s)
{
	char *a = strdup(s), *b;

	if (!a)
		return;
	if (hf__normalize_etag(a)) {
		/* Valid, and a fixed point. */
		if (!hf__is_etag(a))
			abort();
		b = strdup(a);
		if (b && (!hf__normalize_etag(b) || strcmp(a, b) != 0))
			abort();
		free(b);
	}
	free(a);
}

static void check_commit(const char *s)
{
	char commit[41];

	if (hf__is_commit_hash(s) && strlen(s) != 40)
		abort();
	if (hf__ref_parse(s, strlen(s), commit)) {
		if (!hf__is_commit_hash(commit) || !strstr(s, commit))
			abort();
	} else if (commit[0]) {
		abort();
	}
}

/* An accepted Content-Range is well-formed and survives a canonical rewrite. */
static void check_content_range(const char *s)
{
	unsigned long long a, b, t, a2, b2, t2;
	int known, known2;
	char canon[96];

	if (hf__parse_content_range(s, &a, &b, &t, &known) != 0)
		return;
	if (strncmp(s, "bytes ", 6) != 0 || a > b || b > (unsigned long long)LLONG_MAX ||
	    (known && (b >= t || t > (unsigned long long)LLONG_MAX)) || (!known && t != 0))
		abort();
	if (known)
		snprintf(canon, sizeof(canon), "bytes %llu-%llu/%llu", a, b, t);
	else
		snprintf(canon, sizeof(canon), "bytes %llu-%llu/*", a, b);
	if (hf__parse_content_range(canon, &a2, &b2, &t2, &known2) != 0 || a2 != a || b2 != b ||
	    t2 != t || known2 != known)
		abort();
	/* Nothing is accepted past the number or the star that ends it. */
	if (strchr(s, ' ') != s + 5 || (known ? s[strlen(s) - 1] < '0' || s[strlen(s) - 1] > '9'
					      : strcmp(s + strlen(s) - 2, "/*") != 0))
		abort();
}

/* The authority of an absolute URL: between "://" and the next '/', '?' or '#'. */
static void authority(const char *url, const char **start, size_t *len)
{
	const char *p = strstr(url, "://");

	*start = p ? p + 3 : url;
	*len = strcspn(*start, "/?#");
}

static void check_resolve(const char *base, const char *location)
{
	char *r = hf__url_resolve(base, location);
	const char *auth;
	size_t alen, i;

	if (!r)
		return;
	/* http(s) only, no user information, nothing a request line would choke on. */
	if (strncmp(r, "http://", 7) != 0 && strncmp(r, "https://", 8) != 0)
		abort();
	authority(r, &auth, &alen);
	if (memchr(auth, '@', alen))
		abort();
	for (i = 0; r[i]; i++)
		if ((unsigned char)r[i] < 0x20 || r[i] == 0x7f)
			abort();
	/* Same origin is reflexive and symmetric. */
	if (!hf__same_origin(r, r))
		abort();
	if (hf__same_origin(r, base) != hf__same_origin(base, r))
		abort();
	free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *fields[MAX_FIELDS], *p;
	int n = 0, i;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	/* A NUL ends a header value as libcurl hands it over (strndup). */
	for (p = text; n < MAX_FIELDS;) {
		char *nl = strchr(p, '\n');

		fields[n++] = p;
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	for (i = 0; i < n; i++) {
		check_u64(fields[i]);
		check_etag(fields[i]);
		check_commit(fields[i]);
		check_content_range(fields[i]);
		/* Any value: a date before 1970 is negative (callers only act on a future one). */
		(void)hf__http_date(fields[i]);
	}
	if (n >= 1)
		check_resolve("https://huggingface.co/api/models/a/b/revision/main", fields[0]);
	for (i = 0; i + 1 < n; i += 2)
		check_resolve(fields[i], fields[i + 1]);
	free(text);
	return 0;
}

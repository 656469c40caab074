#include "parse.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/*
 * ASCII only on purpose: the C library's tolower() and isspace() follow the
 * locale, and a Turkish locale must not change what "yes" means.
 */
static int ascii_upper(int c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/*
 * The ASCII white space Python's int() skips around a number: unlike
 * str.strip(), not 0x1c-0x1f.
 */
static int is_int_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* The white space the token cleaner strips (CR and LF are gone already). */
static int is_token_space(int c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

static int eq_upper(const char *value, const char *upper)
{
	for (; *value && *upper; value++, upper++)
		if (ascii_upper((unsigned char)*value) != *upper)
			return 0;
	return *value == '\0' && *upper == '\0';
}

int hf__parse_bool(const char *value)
{
	static const char *const truthy[] = { "1", "ON", "YES", "TRUE" };
	size_t i;

	if (!value)
		return 0;
	for (i = 0; i < sizeof(truthy) / sizeof(truthy[0]); i++)
		if (eq_upper(value, truthy[i]))
			return 1;
	return 0;
}

static int is_crlf(int c)
{
	return c == '\r' || c == '\n';
}

char *hf__token_clean(const char *raw, int *oom)
{
	size_t len, start, end, n, i;
	char *out;

	if (oom)
		*oom = 0;
	if (!raw)
		return NULL;
	len = strlen(raw);
	/*
	 * Removing CR/LF first and then stripping is the same as skipping
	 * both kinds of byte at the ends and dropping CR/LF in between; doing
	 * it in one copy leaves no stray duplicate of the secret behind.
	 */
	start = 0;
	while (start < len && (is_crlf(raw[start]) || is_token_space(raw[start])))
		start++;
	end = len;
	while (end > start && (is_crlf(raw[end - 1]) || is_token_space(raw[end - 1])))
		end--;
	if (start == end)
		return NULL;
	n = 0;
	for (i = start; i < end; i++)
		if (!is_crlf(raw[i]))
			n++;
	out = malloc(n + 1);
	if (!out) {
		if (oom)
			*oom = 1;
		return NULL;
	}
	n = 0;
	for (i = start; i < end; i++)
		if (!is_crlf(raw[i]))
			out[n++] = raw[i];
	out[n] = '\0';
	return out;
}

int hf__token_is_safe(const char *token)
{
	const unsigned char *p;

	if (!token)
		return 0;
	for (p = (const unsigned char *)token; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

int hf__parse_timeout(const char *value, long def, long *out)
{
	const char *p = value;
	int neg = 0, ndigits = 0;
	long v = 0;

	if (!out)
		return -1;
	/* Unset: the caller's default, as "os.environ.get(...) or default". */
	if (!value) {
		*out = def;
		return 0;
	}
	while (is_int_space((unsigned char)*p))
		p++;
	if (*p == '+') {
		p++;
	} else if (*p == '-') {
		/* Python's int() takes "-0"; any other negative is refused below. */
		neg = 1;
		p++;
	}
	/* Digits, with single underscores between them as int() allows. */
	while (is_digit(*p)) {
		int d = *p - '0';

		if (v > (LONG_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
		ndigits++;
		p++;
		if (*p == '_' && is_digit(p[1]))
			p++;
	}
	if (!ndigits)
		return -1;
	while (is_int_space((unsigned char)*p))
		p++;
	if (*p != '\0' || (neg && v != 0))
		return -1;
	*out = v ? v : def;
	return 0;
}

int hf__parse_u64(const char *s, size_t len, unsigned long long *out)
{
	unsigned long long v = 0;
	size_t i;

	if (!s || !out || len == 0 || len > 20)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned d;

		if (!is_digit(s[i]))
			return -1;
		d = (unsigned)(s[i] - '0');
		if (v > ((unsigned long long)LLONG_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int hf__parse_octal(const char *s, size_t len, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (!s || !out || len == 0)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '7')
			return -1;
		d = (unsigned)(s[i] - '0');
		if (v > (max - d) / 8 || v * 8 + d > max)
			return -1;
		v = v * 8 + d;
	}
	*out = v;
	return 0;
}

/* Digits from *p (at least one) up to the first non-digit, as hf__parse_u64. */
static int take_u64(const char **p, unsigned long long *out)
{
	size_t n = 0;

	while (is_digit((*p)[n]))
		n++;
	if (hf__parse_u64(*p, n, out) != 0)
		return -1;
	*p += n;
	return 0;
}

int hf__parse_content_range(const char *value, unsigned long long *first,
			    unsigned long long *last, unsigned long long *total, int *total_known)
{
	const char *p = value;
	unsigned long long a, b, t = 0;
	int known;

	if (!value || !first || !last || !total || !total_known)
		return -1;
	if (strncmp(p, "bytes ", 6) != 0)
		return -1;
	p += 6;
	if (take_u64(&p, &a) != 0 || *p++ != '-' || take_u64(&p, &b) != 0 || *p++ != '/')
		return -1;
	if (p[0] == '*' && p[1] == '\0') {
		known = 0;
		p++;
	} else {
		if (take_u64(&p, &t) != 0)
			return -1;
		known = 1;
	}
	if (*p != '\0' || a > b || (known && b >= t))
		return -1;
	*first = a;
	*last = b;
	*total = t;
	*total_known = known;
	return 0;
}

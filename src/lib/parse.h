/*
 * Pure parsers of configuration values. No I/O, no allocation unless
 * stated; each is covered by tests/unit/test_parse.c.
 */
#ifndef HF_PARSE_H
#define HF_PARSE_H

#include <stddef.h>

/*
 * The official boolean: true when the value, upper-cased, is one of
 * 1, ON, YES, TRUE. NULL and anything else are false.
 */
int hf__parse_bool(const char *value);

/*
 * Clean a token as the official client does: remove every CR and LF
 * anywhere, then strip surrounding white space (space, tab, VT, FF).
 * Returns a heap copy, or NULL when the result is empty (or on NULL input
 * or no memory; *oom is set to 1 for the latter when oom is not NULL).
 */
char *hf__token_clean(const char *raw, int *oom);

/*
 * 1 when a (cleaned) token can be put in an HTTP header or handed to git:
 * no byte below 0x20, no 0x7f. 0 otherwise.
 */
int hf__token_is_safe(const char *token);

/*
 * Parse a timeout in seconds as the official client does (an int; "0"
 * means the default). Surrounding white space is allowed. Returns 0 and
 * sets *out, or -1 for a value that is not a non-negative integer.
 */
int hf__parse_timeout(const char *value, long def, long *out);

/*
 * Strict unsigned decimal: digits only, no sign, no white space, no
 * overflow of long long. Returns 0 and sets *out, or -1.
 */
int hf__parse_u64(const char *s, size_t len, unsigned long long *out);

/*
 * Strict octal: digits 0-7 only (no sign, no prefix, no white space), at
 * least one, value at most max. Returns 0 and sets *out, or -1.
 */
int hf__parse_octal(const char *s, size_t len, unsigned long max, unsigned long *out);

/*
 * The Content-Range of a 206 reply (RFC 9110, 14.4): exactly
 * "bytes <first>-<last>/<length>", or with "*" for an unknown length; the
 * unit in lower case, one space, numbers of digits only (as
 * hf__parse_u64), first <= last, and last < length when the length is
 * given; nothing after. Returns 0 and sets the four outputs (*total is 0
 * and *total_known 0 for "*"), or -1 and leaves them alone.
 */
int hf__parse_content_range(const char *value, unsigned long long *first,
			    unsigned long long *last, unsigned long long *total, int *total_known);

#endif

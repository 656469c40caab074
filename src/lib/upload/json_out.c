/*
 * json.dumps-compatible strings and base64: see json_out.h.
 */
#include "upload/json_out.h"

#include <limits.h>
#include <string.h>

#include <openssl/evp.h>

/* Length of the UTF-8 sequence at s and its code point, 0 when invalid. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
	size_t n, i;
	uint32_t c = s[0];

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	/* overlong 3- and 4-byte forms, surrogates, past U+10FFFF */
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return n;
}

int hf__json_put_string(hf__buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!s || hf__buf_append(out, "\"", 1) < 0)
		return -1;
	while (*p) {
		uint32_t cp;
		size_t n = utf8_decode(p, &cp);
		int rc;

		if (n == 0)
			return -1;
		p += n;
		switch (cp) {
		case '"': rc = hf__buf_puts(out, "\\\""); break;
		case '\\': rc = hf__buf_puts(out, "\\\\"); break;
		case '\n': rc = hf__buf_puts(out, "\\n"); break;
		case '\r': rc = hf__buf_puts(out, "\\r"); break;
		case '\t': rc = hf__buf_puts(out, "\\t"); break;
		case '\b': rc = hf__buf_puts(out, "\\b"); break;
		case '\f': rc = hf__buf_puts(out, "\\f"); break;
		default:
			if (cp >= 0x20 && cp < 0x7f) {
				char c = (char)cp;

				rc = hf__buf_append(out, &c, 1);
			} else if (cp < 0x10000) {
				rc = hf__buf_printf(out, "\\u%04x", (unsigned)cp);
			} else {
				uint32_t v = cp - 0x10000;

				rc = hf__buf_printf(out, "\\u%04x\\u%04x",
						    (unsigned)(0xd800 + (v >> 10)),
						    (unsigned)(0xdc00 + (v & 0x3ff)));
			}
		}
		if (rc < 0)
			return -1;
	}
	return hf__buf_append(out, "\"", 1);
}

int hf__b64_append(hf__buf *out, const void *data, size_t len)
{
	/* EVP_EncodeBlock takes an int length and writes a NUL: go in slices
	 * of whole groups through a small stack buffer (this may run on a
	 * worker thread). */
	const size_t slice = 3 * 1024;
	const unsigned char *p = data;
	unsigned char enc[4 * 1024 + 1];

	if (len == 0)
		return hf__buf_append(out, "", 0);
	while (len > 0) {
		size_t n = len < slice ? len : slice;
		int k = EVP_EncodeBlock(enc, p, (int)n);

		if (k < 0 || hf__buf_append(out, enc, (size_t)k) < 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

int hf__b64_stream_update(hf__b64_stream *st, hf__buf *out, const void *data,
			  size_t len)
{
	const unsigned char *p = data;
	size_t whole;

	if (!st || (!data && len))
		return -1;
	/* Complete a carried group first. */
	while (st->n_carry > 0 && len > 0) {
		unsigned char g[3];

		if (st->n_carry + len < 3) {
			memcpy(st->carry + st->n_carry, p, len);
			st->n_carry += len;
			return 0;
		}
		memcpy(g, st->carry, st->n_carry);
		memcpy(g + st->n_carry, p, 3 - st->n_carry);
		p += 3 - st->n_carry;
		len -= 3 - st->n_carry;
		st->n_carry = 0;
		if (hf__b64_append(out, g, 3) < 0)
			return -1;
	}
	if (len == 0)
		return 0;   /* keep what is carried */
	whole = len - len % 3;
	if (whole && hf__b64_append(out, p, whole) < 0)
		return -1;
	memcpy(st->carry, p + whole, len - whole);
	st->n_carry = len - whole;
	return 0;
}

int hf__b64_stream_final(hf__b64_stream *st, hf__buf *out)
{
	int rc;

	if (!st)
		return -1;
	rc = hf__b64_append(out, st->carry, st->n_carry);
	st->n_carry = 0;
	return rc;
}

#include "buf.h"

#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define HF__BUF_DEFAULT_MAX ((size_t)64 * 1024 * 1024)

static int buf_reserve(hf__buf *buf, size_t extra)
{
	size_t max = buf->max ? buf->max : HF__BUF_DEFAULT_MAX;
	size_t need, cap;
	char *p;

	if (extra > max || buf->len > max - extra)
		return -1;
	need = buf->len + extra + 1;
	if (need <= buf->cap)
		return 0;
	cap = buf->cap ? buf->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	/*
	 * Not realloc(): buffers may hold a token, and realloc could leave a
	 * copy behind in freed memory. Copy, wipe the old block, free it.
	 */
	p = malloc(cap);
	if (!p)
		return -1;
	if (buf->data) {
		memcpy(p, buf->data, buf->len + 1);
		hf__wipe(buf->data, buf->cap);
		free(buf->data);
	}
	buf->data = p;
	buf->cap = cap;
	return 0;
}

int hf__buf_append(hf__buf *buf, const void *data, size_t len)
{
	if (buf_reserve(buf, len) < 0)
		return -1;
	if (len)
		memcpy(buf->data + buf->len, data, len);
	buf->len += len;
	buf->data[buf->len] = '\0';
	return 0;
}

int hf__buf_puts(hf__buf *buf, const char *s)
{
	return hf__buf_append(buf, s, strlen(s));
}

int hf__buf_vprintf(hf__buf *buf, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0 || buf_reserve(buf, (size_t)n) < 0)
		return -1;
	vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, ap);
	buf->len += (size_t)n;
	return 0;
}

int hf__buf_printf(hf__buf *buf, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = hf__buf_vprintf(buf, fmt, ap);
	va_end(ap);
	return rc;
}

char *hf__buf_detach(hf__buf *buf)
{
	char *p;

	if (!buf->data) {
		if (buf_reserve(buf, 0) < 0)
			return NULL;
		buf->data[0] = '\0';
	}
	p = buf->data;
	buf->data = NULL;
	buf->len = buf->cap = 0;
	return p;
}

void hf__buf_dispose(hf__buf *buf)
{
	free(buf->data);
	buf->data = NULL;
	buf->len = buf->cap = 0;
}

void hf__buf_wipe(hf__buf *buf)
{
	if (buf->data)
		hf__wipe(buf->data, buf->cap);
	hf__buf_dispose(buf);
}

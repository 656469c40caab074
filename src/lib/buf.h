/* A growable byte buffer with a hard size limit, always NUL-terminated. */
#ifndef HF_BUF_H
#define HF_BUF_H

#include <stddef.h>
#include <stdarg.h>

typedef struct hf__buf {
	char *data;     /* NUL-terminated; NULL until the first append */
	size_t len;
	size_t cap;
	size_t max;     /* appends past this fail; 0 means 64 MiB */
} hf__buf;

#define HF__BUF_INIT { NULL, 0, 0, 0 }

/* 0 on success, -1 when out of memory or past buf->max. */
int hf__buf_append(hf__buf *buf, const void *data, size_t len);
int hf__buf_puts(hf__buf *buf, const char *s);
int hf__buf_printf(hf__buf *buf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int hf__buf_vprintf(hf__buf *buf, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Hand the data over (never NULL on success: "" for an empty buffer). */
char *hf__buf_detach(hf__buf *buf);
void hf__buf_dispose(hf__buf *buf);
/* Zero the bytes before freeing: for buffers that held a token. */
void hf__buf_wipe(hf__buf *buf);

#endif

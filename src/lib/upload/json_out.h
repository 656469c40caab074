/*
 * JSON text output for the upload request bodies, in the exact form of
 * Python's json.dumps() with its defaults (", " and ": " separators,
 * ensure_ascii: every non-ASCII character as \uXXXX, surrogate pairs
 * above U+FFFF), so our bodies are byte-identical to huggingface_hub's.
 * Appends to an hf__buf (buf.h); -1 when out of memory, past the buffer's
 * limit, or when a string is not valid UTF-8 (Python strings cannot hold
 * such bytes, so the official client could never send them).
 */
#ifndef HF_UPLOAD_JSON_OUT_H
#define HF_UPLOAD_JSON_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* s as a quoted JSON string. 0 or -1 (nothing useful appended on -1). */
int hf__json_put_string(hf__buf *out, const char *s);

/* Base64 (RFC 4648, with padding, no line breaks) of len bytes. 0 or -1. */
int hf__b64_append(hf__buf *out, const void *data, size_t len);

/*
 * Incremental base64 for bodies produced piece by piece (a request body
 * read callback, a file read in chunks): feed any split of the input to
 * hf__b64_stream_update, then hf__b64_stream_final once; the text is the
 * same as hf__b64_append of the whole. At most 2 bytes are carried over
 * between calls. 0 or -1 (out of memory, past out->max).
 */
typedef struct hf__b64_stream {
	unsigned char carry[2];
	size_t n_carry;
} hf__b64_stream;

#define HF__B64_STREAM_INIT { { 0, 0 }, 0 }

int hf__b64_stream_update(hf__b64_stream *st, hf__buf *out, const void *data,
			  size_t len);
int hf__b64_stream_final(hf__b64_stream *st, hf__buf *out);

#endif

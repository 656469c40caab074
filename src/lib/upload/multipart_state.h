/*
 * What lets a rerun finish a multipart upload that a crash interrupted
 * (docs/internals/upload.md, "Resuming a multipart upload"): the part
 * URLs and the completion URL the Hub handed out, and the ETag of every
 * part the storage already accepted. Kept in one small text file per
 * object; this module only formats and parses it (pure, no I/O; covered
 * by tests/unit/test_upload_multipart_state.c and fuzz_upload_multipart_state).
 *
 * The file:
 *     hf-multipart 1
 *     oid <64 hex>
 *     size <bytes>
 *     chunk <bytes per part>
 *     complete <completion URL>
 *     part <i> <URL of part i>          (i = 1..n, in order, each once)
 *     etag <i> <ETag of part i>         (accepted parts only, any order)
 * Every line ends with "\n"; URLs and ETags are one printable line with
 * no spaces (the parser refuses anything else, so a torn or edited file
 * is ignored, never half-trusted).
 *
 * The URLs are presigned: they are credentials for that one object, so
 * the file is written with mode 0600 (they never carry the Hub token).
 */
#ifndef HF_UPLOAD_MULTIPART_STATE_H
#define HF_UPLOAD_MULTIPART_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

typedef struct hf__mp_state {
	char oid[65];
	uint64_t size;
	uint64_t chunk;
	char *complete;   /* completion URL */
	char **parts;     /* n_parts URLs, part i at parts[i-1] */
	char **etags;     /* n_parts entries, NULL for a part not accepted yet */
	size_t n_parts;
} hf__mp_state;

/* Append the file's text for st to out. 0, or -1 (bad state, no memory). */
int hf__mp_state_format(hf__buf *out, const hf__mp_state *st);

/*
 * Parse text into st (owned by the caller afterwards: hf__mp_state_dispose).
 * Strict: the lines above in that order (etag lines last), n_parts =
 * ceil(size / chunk) part lines numbered 1..n, no duplicate etag. 0, or -1
 * with st left empty.
 */
int hf__mp_state_parse(const char *text, size_t len, hf__mp_state *st);

void hf__mp_state_dispose(hf__mp_state *st);

/* 1 when s can be stored as a URL or ETag value (non-empty, printable ASCII, no space). */
int hf__mp_state_value_ok(const char *s);

#endif

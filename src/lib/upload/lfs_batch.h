/*
 * The LFS batch call (shared/docs/upload-protocol.md §5, §6.2): the
 * request body of POST {HUB}/{prefix}{repo}.git/info/lfs/objects/batch,
 * a strict parser of its answer into one action per object (nothing to
 * do, one PUT, or multipart parts), and the multipart completion body.
 * Pure, no network; covered by tests/unit/test_upload_lfs_batch.c.
 *
 * The hrefs are kept as given. The caller sends no Hub token to the
 * upload and part URLs (another origin, §5) nor to the completion URL
 * (presigned, §6.2); only the verify call gets the verify headers.
 */
#ifndef HF_UPLOAD_LFS_BATCH_H
#define HF_UPLOAD_LFS_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Objects per batch request, as huggingface_hub (JS: 100). */
#define HF__LFS_BATCH_CHUNK 256

typedef struct hf__lfs_object {
	const char *oid;  /* sha256, 64 lower-case hex */
	uint64_t size;
} hf__lfs_object;

/*
 * Append {"operation":"upload","transfers":["basic","multipart"],
 * "objects":[{"oid","size"},...],"hash_algo":"sha256"[,"ref":{"name"}]}
 * for objs[0..n), 1 <= n <= HF__LFS_BATCH_CHUNK. ref is the revision, or
 * NULL to omit it, which the caller does for a PR (create_pr) as both
 * official clients do. 0, or -1 on a bad argument (an oid not 64 hex),
 * non-UTF-8 ref, out of memory or past out->max.
 */
int hf__lfs_batch_request(hf__buf *out, const hf__lfs_object *objs, size_t n,
			  const char *ref);

typedef enum {
	HF__LFS_STORED = 0,    /* no actions: the object is already stored */
	HF__LFS_BASIC = 1,     /* one PUT of the whole file to href */
	HF__LFS_MULTIPART = 2, /* PUT part i to parts[i-1], then complete at href */
	HF__LFS_ERROR = 3      /* the server refused this object */
} hf__lfs_kind;

typedef struct hf__lfs_header {
	char *name;
	char *value;
} hf__lfs_header;

typedef struct hf__lfs_action {
	hf__lfs_kind kind;
	char *href;            /* BASIC: the PUT URL; MULTIPART: completion URL */
	char *verify_href;     /* NULL when the answer has no verify action */
	hf__lfs_header *verify_headers;
	size_t n_verify_headers;
	uint64_t chunk_size;   /* MULTIPART: bytes per part (the last is shorter) */
	char **parts;          /* MULTIPART: URL of part 1..n_parts, in order */
	size_t n_parts;
	long error_code;       /* ERROR */
	char *error_message;   /* ERROR ("" when the server gave none) */
} hf__lfs_action;

/*
 * Parse an answer to the request for objs[0..n): out[i] (n of them, owned
 * by the caller, released with hf__lfs_actions_free) gets the action for
 * objs[i]. Strict as the official clients: the root an object with an
 * "objects" array; each object's "oid" a string and "size" an integer;
 * "actions", when present, an object whose "upload" has a string "href"
 * and a "header" that is absent or an object; "verify" likewise; "error"
 * an object with an integer "code" and a string "message". When the
 * upload header has a "chunk_size" (a decimal string, or a number) the
 * transfer is multipart: the part URLs are the values of the header keys
 * made of digits only, ordered by integer value, and there must be
 * exactly ceil(size / chunk_size) of them with distinct numbers, else the
 * error is "Invalid server response to upload large LFS file". The
 * "transfer" field is not relied upon. Every requested oid must be
 * answered; answers for other oids are ignored; sizes come from objs.
 * 0 on success; -1 with *err (when not NULL) a static phrase, and out
 * left empty (nothing to free).
 */
int hf__lfs_batch_parse(const char *body, size_t len,
			const hf__lfs_object *objs, size_t n,
			hf__lfs_action *out, const char **err);

void hf__lfs_actions_free(hf__lfs_action *actions, size_t n);

/*
 * Part i (1-based) of a multipart upload of a size-byte file (§6.2):
 * bytes [*offset, *offset + *len) = [(i-1)*chunk, min(i*chunk, size)).
 * 0, or -1 when i is not 1..a->n_parts or a is not multipart.
 */
int hf__lfs_part_range(const hf__lfs_action *a, uint64_t size, size_t i,
		       uint64_t *offset, uint64_t *len);

/* The verify body {"oid":<oid>,"size":<size>} (§6.3). 0 or -1. */
int hf__lfs_verify_body(hf__buf *out, const char *oid, uint64_t size);

/*
 * An upload or verify href with the "https://huggingface.co" origin moved
 * to endpoint (HF_ENDPOINT), as huggingface_hub does (§5): a new string
 * (free it) when href starts with exactly that origin, followed by '/',
 * '?', '#' or its end (so "https://huggingface.co.example" is not taken);
 * otherwise, or when endpoint is NULL, a copy of href. A trailing '/' of
 * endpoint is dropped. NULL when out of memory or href is NULL.
 */
char *hf__lfs_href_for_endpoint(const char *href, const char *endpoint);

/*
 * The multipart completion body {"oid":<oid>,"parts":[{"partNumber":1,
 * "etag":<etag>},...]} with the ETag headers of parts 1..n kept verbatim
 * (quotes included). -1 on a bad argument (no parts, an empty etag, an
 * oid not 64 hex), non-UTF-8, out of memory or past out->max.
 */
int hf__lfs_completion_body(hf__buf *out, const char *oid,
			    const char *const *etags, size_t n);

#endif

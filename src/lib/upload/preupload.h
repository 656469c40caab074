/*
 * Preupload (shared/docs/upload-protocol.md §4): the request body of
 * POST /api/{t}/{repo}/preupload/{rev} and a strict parser of its answer,
 * which says per file whether it goes as LFS or regular, whether
 * .gitignore drops it, and the oid it has at {rev}. Pure, no network;
 * covered by tests/unit/test_upload_preupload.c.
 */
#ifndef HF_UPLOAD_PREUPLOAD_H
#define HF_UPLOAD_PREUPLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Files per request, as huggingface_hub (the JS client uses 100). */
#define HF__PREUPLOAD_CHUNK 256
/* Bytes of each file's start sent as its sample. */
#define HF__PREUPLOAD_SAMPLE 512

typedef struct hf__preupload_file {
	const char *path;          /* path in repo, already validated */
	uint64_t size;
	const unsigned char *sample; /* the first min(size, 512) bytes */
	size_t sample_len;         /* more than 512 is cut to 512 */
} hf__preupload_file;

/*
 * Append {"files":[{"path","sample","size"},...]} for files[0..n)
 * (1 <= n <= HF__PREUPLOAD_CHUNK: the caller slices), plus "gitIgnore"
 * when gitignore is not NULL (the text of the .gitignore that is part of
 * the upload, so the server applies the new rules). Compact separators,
 * non-ASCII escaped. 0, or -1 on a bad argument, non-UTF-8 text, out of
 * memory or past out->max.
 */
int hf__preupload_request(hf__buf *out, const hf__preupload_file *files,
			  size_t n, const char *gitignore);

/* Index of the path ".gitignore" (the repo's top-level one) among
 * files[0..n), or -1: the caller reads its text for the request. */
long hf__preupload_find_gitignore(const hf__preupload_file *files, size_t n);

typedef enum {
	HF__UPLOAD_REGULAR = 0,
	HF__UPLOAD_LFS = 1
} hf__upload_mode;

typedef struct hf__preupload_answer {
	hf__upload_mode mode;
	int should_ignore;
	char oid[65];    /* remote oid (40 or 64 lower-case hex), "" when none */
} hf__preupload_answer;

/*
 * Parse an answer for the request made of files[0..n): out[i] gets the
 * answer for files[i]. Strict where the clients are: the root is an
 * object with a "files" array; each entry an object with a string "path",
 * "uploadMode" exactly "lfs" or "regular", a boolean "shouldIgnore" and
 * an "oid" that is absent, null or a 40/64-hex string (lower-cased).
 * Unknown keys are ignored, as is an entry for a path not asked about;
 * a later entry for the same path wins. Every requested path must be
 * answered. An empty file (size 0) is always regular whatever the
 * answer says: the storage refuses empty objects (§1).
 * 0 on success; -1 with *err (when not NULL) set to a static phrase.
 */
int hf__preupload_parse(const char *body, size_t len,
			const hf__preupload_file *files, size_t n,
			hf__preupload_answer *out, const char **err);

/*
 * Is adding this file a no-op (§1 step 8, §4)? The remote oid is compared
 * with the local oid of the kind the file goes as: its sha256 for LFS,
 * its git blob sha1 for regular. local_sha256 / local_git_sha1 are lower-
 * case hex (either may be NULL when not computed: then not a no-op).
 * 1 when the remote already has this content at that path.
 */
int hf__upload_is_noop(const hf__preupload_answer *a, const char *local_sha256,
		       const char *local_git_sha1);

#endif

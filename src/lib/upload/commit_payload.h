/*
 * The NDJSON body of POST /api/{t}/{repo}/commit/{rev}
 * (shared/docs/upload-protocol.md §7): one JSON object per line, each
 * followed by "\n", the header line first. The bytes are those
 * huggingface_hub v1.28.0 sends (json.dumps of each item, same key
 * order), see json_out.h. Covered by tests/unit/test_upload_commit.c.
 *
 * Every function appends one line to out (an hf__buf of buf.h: the caller
 * owns it and sets its max to bound the body) and returns 0, or -1 when
 * an argument is invalid (NULL, empty summary, a string that is not UTF-8,
 * an oid that is not 64 lower-case hex, a parent commit that is not 7-40
 * hex), when out of memory or past out->max, or on a read error. On -1 the
 * line may be partly appended: the body is to be thrown away. Paths are
 * taken as given: check them with hf__upload_path_in_repo() first.
 */
#ifndef HF_UPLOAD_COMMIT_PAYLOAD_H
#define HF_UPLOAD_COMMIT_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* {"key": "header", "value": {"summary", "description"[, "parentCommit"]}}.
 * description NULL sends "" (the official default); parent NULL omits it. */
int hf__commit_put_header(hf__buf *out, const char *summary,
			  const char *description, const char *parent);

/* {"key": "file", "value": {"content": <base64>, "path", "encoding": "base64"}} */
int hf__commit_put_file(hf__buf *out, const char *path, const void *data,
			size_t len);

/*
 * The same line with the content read from fd until end of file, in
 * bounded chunks (the whole file is never held twice: only its base64
 * grows in out). *size (when not NULL) gets the number of bytes read.
 * EINTR is retried; any other read error gives -1 with errno kept.
 */
int hf__commit_put_file_fd(hf__buf *out, const char *path, int fd,
			   uint64_t *size);

/*
 * The "file" line in pieces, for a body produced while the file is read
 * (a request body callback): hf__commit_file_begin appends up to the
 * opening quote of "content", the caller appends the base64 of the
 * content (hf__b64_stream of json_out.h), then hf__commit_file_end
 * closes the line. begin + b64 of the bytes + end gives exactly the line
 * of hf__commit_put_file.
 */
int hf__commit_file_begin(hf__buf *out, const char *path);
int hf__commit_file_end(hf__buf *out, const char *path);

/* {"key": "lfsFile", "value": {"path", "algo": "sha256", "oid", "size"}} */
int hf__commit_put_lfs_file(hf__buf *out, const char *path, const char *oid,
			    uint64_t size);

/* {"key": "deletedFile", "value": {"path"}} */
int hf__commit_put_deleted_file(hf__buf *out, const char *path);

/* {"key": "deletedFolder", "value": {"path"}} */
int hf__commit_put_deleted_folder(hf__buf *out, const char *path);

#endif

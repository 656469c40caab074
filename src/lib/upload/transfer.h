/*
 * Sending one LFS object to the storage: what the LFS batch answer asked
 * for (lfs_batch.h), a single PUT or the parts of a multipart upload then
 * the completion call, then the verify call when the answer has one
 * (shared/docs/upload-protocol.md §6; docs/internals/upload.md).
 *
 * The boundary between the commit engine (commit.c: hashing, preupload,
 * batch, commit) and the transfers: the engine hands over an action, an
 * open descriptor and the object's size and sha256; the transfer reads
 * the bytes in bounded pieces (never the whole file), sends them with the
 * shared retry policy (HF__RETRY_TRANSFER for the PUTs and the completion,
 * HF__RETRY_API for verify), and says whether the storage has the object.
 *
 * Credentials: the PUTs and the completion go to presigned URLs and get
 * no credential at all (an empty scope: the Hub token cannot reach them,
 * even through a redirect); the verify call gets the headers the batch
 * answer gave for it, or the Hub scope when it gave none and the verify
 * URL is on the Hub's origin.
 *
 * Thread-safety: one call per thread, each with its own connection; a
 * call may run parts_in_flight connections of its own (made from the
 * same transport) and joins them before it returns.
 */
#ifndef HF_UPLOAD_TRANSFER_H
#define HF_UPLOAD_TRANSFER_H

#include <stdatomic.h>
#include <stdint.h>

#include "http.h"
#include "hub_error.h"
#include "lfs_batch.h"

typedef struct hf__lfs_send_ctx {
	hf__transport *transport;   /* for the extra connections of parts in flight */
	hf__scope hub_scope;        /* the Hub token and origin (verify only) */
	const char *endpoint;       /* HF_ENDPOINT: hrefs are moved to it (hf__lfs_href_for_endpoint) */
	int parts_in_flight;        /* >= 1 */
	long connect_timeout_s;     /* per request (the client's etag timeout); 0: none */
	long stall_timeout_s;       /* abort a request when no byte moves this long; 0: none */
	const atomic_int *cancel;   /* may be NULL: set means stop at once (HF_ECANCELLED) */
	/*
	 * Bytes the storage accepted (a part or the whole PUT answered 2xx),
	 * called from any of the call's threads, one call at a time per
	 * object; non-zero cancels. May be NULL.
	 */
	int (*sent)(void *payload, uint64_t bytes);
	void *sent_payload;
	/*
	 * Where a multipart upload keeps what lets a rerun complete it
	 * (upload id, part URLs, ETags of the accepted parts), or NULL for no
	 * resume. One file per object, named by its oid, under this folder.
	 */
	const char *resume_dir;
} hf__lfs_send_ctx;

/*
 * Send the object oid (size bytes, read from fd with pread: the
 * descriptor's offset is not used) as action a says. a->kind must be
 * HF__LFS_BASIC or HF__LFS_MULTIPART. conn is the calling thread's.
 * Returns HF_OK, or an hf_code with *fail describing it (a presigned URL
 * that expired is a 403 from the storage: HF_EFORBIDDEN with a message
 * that says so; HF_ECHANGED when fewer bytes than size could be read).
 */
int hf__lfs_send(const hf__lfs_send_ctx *ctx, hf__conn *conn, const hf__lfs_action *a,
		 const char *oid, uint64_t size, int fd, hf__failure *fail);

#endif

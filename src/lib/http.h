/*
 * The transport: the only module that includes <curl/curl.h>.
 *
 * Token rule: a request's token is sent only when the URL has the same
 * origin (scheme, host, port) as the client's endpoint. Redirects are never
 * followed here; callers decide, so no credential follows a redirect.
 *
 * Threads: an hf__conn is used by one thread at a time; hf__xfer_perform
 * never touches the client's error record (it fills x->errmsg), so worker
 * threads may run transfers at once with their own connections.
 */
#ifndef HF_HTTP_H
#define HF_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "client_int.h"

typedef struct hf__conn hf__conn;

/* Receives a 2xx body. Return len to go on, anything else aborts. */
typedef size_t (*hf__sink_fn)(const char *data, size_t len, void *payload);

typedef struct hf__xfer {
	/* Request. */
	const char *method;        /* "GET" (default), "HEAD", "POST" */
	const char *url;
	const char *token;         /* sent only to the endpoint's origin */
	const char *range;         /* "a-b" for a Range header, or NULL */
	const char *body_in;       /* POST body, or NULL */
	long connect_timeout_s;    /* 0: none */
	long stall_timeout_s;      /* abort when no byte arrives this long; 0: none */
	int identity;              /* ask for identity encoding (files) */
	hf__sink_fn sink;          /* 2xx body; NULL keeps it in x->body */
	void *sink_payload;
	size_t max_body;           /* limit of x->body; 0: 8 MiB */

	/* Response. */
	long status;
	hf__buf body;              /* non-2xx bodies (bounded), or 2xx without sink */
	int64_t content_length;    /* -1 when absent */
	char *location, *content_range, *content_encoding, *etag, *linked_etag,
		*linked_size, *repo_commit, *error_code, *error_message, *request_id,
		*retry_after, *link, *ratelimit;
	int sink_aborted;
	char errmsg[256];          /* transport failure, one line */
} hf__xfer;

#define HF__XFER_INIT { 0 }

hf__conn *hf__conn_new(hf_client *c);
void hf__conn_free(hf__conn *conn);

/*
 * Perform one request on conn. HF_OK whenever the server answered (any
 * status); otherwise HF_ENETWORK, HF_ETIMEOUT, HF_ETLS, HF_EINVAL,
 * HF_ENOMEM or HF_ECANCELLED (the sink aborted) with x->errmsg set.
 * Safe to call from several threads with distinct conns.
 */
int hf__xfer_perform(hf_client *c, hf__conn *conn, hf__xfer *x);
/* Free the response fields so x can be reused for another request. */
void hf__xfer_clear(hf__xfer *x);

/*
 * Convenience for the calling thread: perform on the client's own
 * connection, and on failure copy x->errmsg into the client's error
 * record. HF_EOFFLINE without any connection in offline mode.
 */
int hf__request(hf_client *c, hf__xfer *x);

/* 1 when both URLs have the same scheme, host and port. */
int hf__same_origin(const char *a, const char *b);

/*
 * Resolve a Location against base (RFC 3986). Heap result, or NULL when
 * it does not parse or is not http(s).
 */
char *hf__url_resolve(const char *base, const char *location);

/* An HTTP-date (RFC 9110, and the obsolete forms) as Unix time; -1 if it is not one. */
long long hf__http_date(const char *text);

/* The User-Agent this client sends. Valid as long as the client. */
const char *hf__http_user_agent(hf_client *c);

/* Release the transport of a client. */
void hf__http_free(hf_client *c);

#endif

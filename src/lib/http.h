/*
 * The request layer: the only module that includes <curl/curl.h>.
 * docs/internals/requests.md explains it; in short:
 *
 * - A request names its method, URL, extra headers, a body (none, memory,
 *   a range of a file, or a callback), and its credential scope: a token
 *   and the one origin it belongs to. The Authorization header is added
 *   here and only here, when the URL of the hop being sent has exactly
 *   that origin (scheme, host, port) and every hop before it had it too.
 *   A Hub token therefore reaches only the Hub, a CAS token only its CAS,
 *   and a presigned storage URL (scope without a token) gets nothing.
 * - Redirects are followed here, by hand, for GET and HEAD only, as the
 *   request asks (none, same-origin relative ones, or all); every hop is
 *   checked (http/https only, no user information, never https -> http)
 *   and gets its credential decided again.
 * - Every response header is kept, and read by name.
 * - Retries are not made here: retry.h decides, and its hf__retry_send()
 *   puts the two together (this unit does not depend on retry.c).
 *
 * Threads: an hf__conn is used by one thread at a time; the transport is
 * shared and read-only once made. Nothing here touches a client's error
 * record: failures are described in the response (errmsg), so worker
 * threads may run requests at once, each on its own connection.
 */
#ifndef HF_HTTP_H
#define HF_HTTP_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* What the transport needs from the configuration (copied at creation). */
typedef struct hf__transport_settings {
	const char *user_agent; /* prepended to ours ("myapp/1.2"), or NULL */
	const char *ua_origin;  /* HF_HUB_USER_AGENT_ORIGIN, or NULL */
	const char *ca_bundle;  /* CA file, or NULL for the system's */
	const char *ca_path;    /* CA directory, or NULL */
	int debug;              /* HF_DEBUG: trace requests on stderr */
	int offline;            /* HF_HUB_OFFLINE: refuse every request */
} hf__transport_settings;

typedef struct hf__transport hf__transport;
typedef struct hf__conn hf__conn;

/* NULL when out of memory. Makes no connection and loads nothing. */
hf__transport *hf__transport_new(const hf__transport_settings *settings);
void hf__transport_free(hf__transport *t);
/* The User-Agent sent. Valid as long as t; loads libcurl the first time. */
const char *hf__transport_user_agent(hf__transport *t);

/* A connection (kept alive between requests). NULL if libcurl cannot start. */
hf__conn *hf__conn_new(hf__transport *t);
void hf__conn_free(hf__conn *conn);
/* The transport conn was made from (to make more connections like it). */
hf__transport *hf__conn_transport(const hf__conn *conn);

/* A credential and the origin it may be sent to. */
typedef struct hf__scope {
	const char *token;  /* NULL or "": no credential */
	const char *origin; /* any URL: its scheme, host and port are the origin */
} hf__scope;

/* An extra request header. The value must be one line. */
typedef struct hf__header {
	const char *name;
	const char *value;
} hf__header;

typedef enum hf__body_kind {
	HF__BODY_NONE = 0,
	HF__BODY_MEMORY,   /* data, len */
	HF__BODY_FILE,     /* fd, offset, len: read with pread in bounded pieces */
	HF__BODY_CALLBACK  /* read(payload), len (or -1: chunked) and rewind */
} hf__body_kind;

/*
 * Fill buf with up to size bytes of the body; return the count, 0 at the
 * end, or (size_t)-1 to abort the request (the request then fails with
 * HF_ECANCELLED and the response's errmsg says so).
 */
typedef size_t (*hf__read_fn)(char *buf, size_t size, void *payload);
/* Start the body again from its first byte (a retry); 0 or -1. */
typedef int (*hf__rewind_fn)(void *payload);

typedef struct hf__body {
	hf__body_kind kind;
	const void *data;       /* MEMORY */
	int fd;                 /* FILE */
	uint64_t offset;        /* FILE */
	int64_t len;            /* bytes (CALLBACK: -1 for unknown, sent chunked) */
	hf__read_fn read;       /* CALLBACK */
	hf__rewind_fn rewind;   /* CALLBACK, may be NULL: then no resend */
	void *payload;          /* CALLBACK */
} hf__body;

typedef enum hf__redirects {
	HF__REDIRECT_NONE = 0,  /* a 3xx is returned as it is */
	HF__REDIRECT_RELATIVE,  /* follow a Location without scheme or host only */
	HF__REDIRECT_ALL        /* follow every (checked) Location */
} hf__redirects;

/* Receives the body of a 2xx reply. Return len to go on, anything else aborts. */
typedef size_t (*hf__sink_fn)(const char *data, size_t len, void *payload);
/* Bytes received and sent so far in this exchange. Non-zero aborts. */
typedef int (*hf__xfer_fn)(void *payload, uint64_t received, uint64_t sent);

typedef struct hf__request {
	const char *method;         /* "GET" (NULL), "HEAD", "POST", "PUT", "DELETE"... */
	const char *url;
	hf__scope scope;
	const hf__header *headers;  /* extra headers, or NULL */
	size_t nheaders;
	hf__body body;
	const char *range;          /* "a-b" for a Range header, or NULL */
	int identity;               /* ask for the bytes as stored (no compression) */
	long connect_timeout_s;     /* 0: none */
	long stall_timeout_s;       /* abort when no byte moves this long; 0: none */
	hf__redirects redirects;
	hf__sink_fn sink;           /* a 2xx body; NULL keeps it in the response */
	void *sink_payload;
	size_t max_body;            /* limit of the kept body; 0: 8 MiB */
	hf__xfer_fn progress;       /* may be NULL */
	void *progress_payload;
	const atomic_int *cancel;   /* non-zero stops the exchange (HF_ECANCELLED) */
	int fresh_connection;       /* a new connection, closed after: never resent by libcurl */
} hf__request;

/* How an exchange failed before or without a complete reply. */
typedef enum hf__failure_kind {
	HF__FAIL_NONE = 0,
	HF__FAIL_CONNECT,   /* no connection was made: nothing was sent */
	HF__FAIL_TRANSFER,  /* reset, closed early, stalled, timed out... after connecting */
	HF__FAIL_TLS,       /* certificate or handshake: not transient */
	HF__FAIL_LOCAL      /* bad URL, refused redirect, no memory, aborted by us */
} hf__failure_kind;

/* Why a chain of redirects was not followed to its end. */
typedef enum hf__redirect_error {
	HF__REDIRECT_OK = 0,
	HF__REDIRECT_UNSAFE,   /* not http(s), user information, or https -> http */
	HF__REDIRECT_TOO_MANY  /* more than 9 redirects in one chain */
} hf__redirect_error;

typedef struct hf__response {
	long status;                /* of the last hop; 0 when none answered */
	hf__buf body;               /* non-2xx bodies (bounded), or 2xx without sink */
	int64_t content_length;     /* -1 when absent */
	hf__header *headers;        /* of the last hop, owned, values made one line */
	size_t nheaders;
	char *url;                  /* the URL of the last hop */
	int hops;                   /* redirects followed */
	int sent;                   /* some of the request went out (its outcome is unknown) */
	hf__failure_kind failure;
	int sink_aborted;           /* the sink or the read callback stopped it */
	hf__redirect_error bad_redirect;
	char errmsg[256];           /* the failure in one line (never a token) */
} hf__response;

#define HF__RESPONSE_INIT { 0, HF__BUF_INIT, -1, NULL, 0, NULL, 0, 0, HF__FAIL_NONE, 0, HF__REDIRECT_OK, "" }

/*
 * One exchange (with the redirects rq->redirects allows), no retry.
 * HF_OK whenever a server answered the last hop (any status); otherwise
 * HF_ENETWORK, HF_ETIMEOUT, HF_ETLS, HF_EPROTOCOL (a refused redirect,
 * oversized headers, a body over max_body), HF_EINVAL, HF_ENOMEM,
 * HF_EOFFLINE (offline transport: no connection is attempted) or
 * HF_ECANCELLED, with rs->errmsg set. rs is cleared first; dispose it.
 */
int hf__http_perform(hf__conn *conn, const hf__request *rq, hf__response *rs);

/* The answer of an offline transport, without one: HF_EOFFLINE, rs says so. */
int hf__http_offline(const hf__request *rq, hf__response *rs);

/* The last value of header name (case-insensitive) in rs, or NULL. */
const char *hf__response_header(const hf__response *rs, const char *name);
/* Free what rs holds; it can be reused. */
void hf__response_dispose(hf__response *rs);

/*
 * 1 when the request to url may carry scope's credential: url has the
 * scope origin's scheme, host (case-insensitive) and port (defaulted by
 * scheme). 0 for anything else, a URL that does not parse included.
 */
int hf__scope_allows(const hf__scope *scope, const char *url);
/* 1 when both URLs have the same scheme, host and port. */
int hf__same_origin(const char *a, const char *b);

/*
 * Resolve a Location against base (RFC 3986). Heap result, or NULL when
 * it does not parse, is not http(s), or carries user information.
 */
char *hf__url_resolve(const char *base, const char *location);
/* 0 when a redirect from `from` to `to` would leave https (refused everywhere), else 1. */
int hf__redirect_keeps_tls(const char *from, const char *to);
/* 1 when a Location has neither a scheme nor an authority ("/a", "b?c"). */
int hf__location_is_relative(const char *location);

/* An HTTP-date (RFC 9110, and the obsolete forms) as Unix time; -1 if it is not one. */
long long hf__http_date(const char *text);

/* A URL for messages: at most 160 characters, the query (signatures) cut. */
void hf__url_for_message(const char *url, char *out, size_t size);

#endif

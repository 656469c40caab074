/*
 * The transport: the only module that includes <curl/curl.h>.
 *
 * Token rule: a request's token is sent only when the URL has the same
 * origin (scheme, host, port) as the client's endpoint. Redirects are never
 * followed here; callers decide, so no credential follows a redirect.
 */
#ifndef HF_HTTP_H
#define HF_HTTP_H

#include <stddef.h>

#include "buf.h"
#include "client_int.h"

typedef struct hf__http_request {
	const char *method;       /* "GET" (default), "HEAD", "POST" */
	const char *url;
	const char *token;        /* NULL: send no Authorization */
	long timeout_s;           /* connect and stall timeout; 0: none */
	const char *const *headers; /* extra "Name: value" lines, NULL-ended */
	const char *body;         /* request body for POST, or NULL */
	size_t max_body;          /* response body limit; 0: 8 MiB */
} hf__http_request;

typedef struct hf__http_response {
	long status;
	hf__buf body;
	char *location;
	char *request_id;      /* x-request-id, else X-Amzn-Trace-Id */
	char *error_code;      /* X-Error-Code */
	char *error_message;   /* X-Error-Message */
	char *content_type;
} hf__http_response;

#define HF__HTTP_RESPONSE_INIT { 0, HF__BUF_INIT, NULL, NULL, NULL, NULL, NULL }

/*
 * Perform one request. HF_OK whenever the server answered (any status);
 * otherwise HF_EOFFLINE, HF_ENETWORK, HF_ETIMEOUT, HF_ETLS, HF_EPROTOCOL,
 * HF_EINVAL or HF_ENOMEM, with the client's error record filled in.
 */
int hf__http_perform(hf_client *c, const hf__http_request *req, hf__http_response *resp);
void hf__http_response_dispose(hf__http_response *resp);

/* 1 when both URLs have the same scheme, host and port. */
int hf__same_origin(const char *a, const char *b);

/* The User-Agent this client sends. Valid as long as the client. */
const char *hf__http_user_agent(hf_client *c);

/* Release the transport of a client. */
void hf__http_free(hf_client *c);

#endif

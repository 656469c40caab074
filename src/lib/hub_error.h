/*
 * The one mapping from a Hub reply to an hf_code, a message and a hint
 * (docs/internals/requests.md, "Errors"). Every module that gets a non-2xx
 * answer comes here: the API calls, the download's metadata requests and
 * the transfer workers (which describe a failure without a client and
 * report it later on the calling thread).
 *
 * Hints say what to do in words ("log in", "request access"), never a
 * program's command: hf_error.remedy tells a program which of its own
 * commands to name.
 */
#ifndef HF_HUB_ERROR_H
#define HF_HUB_ERROR_H

#include "hf/auth.h"
#include "client_int.h"
#include "http.h"

/* What a request was about, for the words of its failure. */
typedef struct hf__hub_subject {
	const char *endpoint;   /* for the hints' links */
	const char *repo_type;  /* "model", "dataset", "space", or NULL: not about a repository */
	const char *repo_id;
	const char *revision;   /* may be NULL */
	const char *file;       /* may be NULL */
	int token_sent;         /* a token went with the request */
	hf_token_source source; /* where that token came from */
	int file_bytes;         /* the request was for the file's bytes (a 404 without the
				   Hub's error code then comes from its storage) */
	int write;              /* a write to the repository (preupload, LFS batch, commit):
				   a missing repository gets HF_REMEDY_CREATE_REPO */
	int create;             /* the request creates something (a repository, branch, tag):
				   409 is HF_EEXISTS */
} hf__hub_subject;

/* A failure, described without a client (worker threads fill these). */
typedef struct hf__failure {
	int code;               /* HF_OK: none */
	long status;
	hf_remedy remedy;
	char hub_code[48];      /* X-Error-Code, or "" */
	char request_id[96];
	char message[512];
	char hint[512];
} hf__failure;

/*
 * Describe a non-2xx status. hub_code and hub_message are the reply's
 * X-Error-Code and X-Error-Message (or NULL); body is the error body (its
 * JSON "error" string is used when there is no X-Error-Message). Pure.
 */
void hf__hub_describe(const hf__hub_subject *subject, long status, const char *hub_code,
		      const char *hub_message, const char *body, size_t body_len, hf__failure *out);

/* The same, from a response (and its request id). */
void hf__hub_describe_response(const hf__hub_subject *subject, const hf__response *rs,
			       hf__failure *out);

/* Put f on the client's error record (url may be NULL); returns f->code. */
int hf__failure_report(hf_client *c, const hf__failure *f, const char *url);

/* Describe rs and report it on c: the usual path for a non-2xx answer. */
int hf__hub_error(hf_client *c, const hf__hub_subject *subject, const hf__response *rs,
		  const char *url);

/* A subject for a request about no repository in particular. */
hf__hub_subject hf__hub_subject_plain(const hf_client *c, int token_sent, hf_token_source source);

/* The hint for an invalid token from source, and its remedy. */
hf_remedy hf__invalid_token_hint(char *buf, size_t size, hf_token_source source, const char *endpoint);

/* The Hub's request id of rs (x-request-id, else the trace ids), or NULL. */
const char *hf__request_id(const hf__response *rs);

#endif

/* The one status-to-error mapping (hub_error.h, docs/internals/requests.md). */
#include "hub_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util.h"

#define INVALID_CREDENTIALS "Invalid credentials in Authorization header"
#define DISABLED "Access to this resource is disabled."
/* The Hub's words for a read-only token on a write (upload-protocol.md §8). */
#define WRITE_TOKEN "write token"
/* ... and for a write-capable token without rights on the branch. */
#define PASS_CREATE_PR "create_pr=1"

hf_remedy hf__invalid_token_hint(char *buf, size_t size, hf_token_source source, const char *endpoint)
{
	const char *var;

	switch (source) {
	case HF_TOKEN_SOURCE_HF_TOKEN:
	case HF_TOKEN_SOURCE_HUGGING_FACE_HUB_TOKEN:
	case HF_TOKEN_SOURCE_HUGGINGFACE_TOKEN:
		var = hf_token_source_name(source);
		snprintf(buf, size,
			 "the token from the %s environment variable is wrong or expired, and it "
			 "takes precedence over the saved login: unset %s or replace it with a new "
			 "token from %s/settings/tokens", var, var, endpoint);
		return HF_REMEDY_FIX_ENV_TOKEN;
	case HF_TOKEN_SOURCE_FILE:
		snprintf(buf, size,
			 "the saved token is wrong, expired or lacks permission: generate a new one at "
			 "%s/settings/tokens (\"Read\" is enough to download), then log in again with it",
			 endpoint);
		return HF_REMEDY_NEW_TOKEN;
	case HF_TOKEN_SOURCE_EXPLICIT:
		snprintf(buf, size,
			 "the token given explicitly is wrong, expired or lacks permission: generate a "
			 "new one at %s/settings/tokens (\"Read\" is enough to download)", endpoint);
		return HF_REMEDY_NONE;
	case HF_TOKEN_SOURCE_NONE:
	default:
		snprintf(buf, size, "log in, or set HF_TOKEN (tokens: %s/settings/tokens)", endpoint);
		return HF_REMEDY_LOGIN;
	}
}

/*
 * The server's own words: X-Error-Message, else the JSON "error" string,
 * made one printable line (a hostile server's "\n" or escape sequences
 * must not reach the terminal the message is printed on).
 */
static char *server_text(const char *hub_message, const char *body, size_t len)
{
	json_t *root, *err;
	char *out = NULL;

	if (hub_message && *hub_message)
		return hf__one_line(hf__strdup(hub_message));
	if (!body || !len)
		return NULL;
	root = json_loadb(body, len, JSON_DECODE_ANY, NULL);
	if (!root)
		return NULL;
	err = json_is_object(root) ? json_object_get(root, "error") : NULL;
	if (json_is_string(err))
		out = hf__strdup(json_string_value(err));
	json_decref(root);
	return hf__one_line(out);
}

/* The X-Error-Code values by which the Hub itself explains a refusal. */
static int is_hub_code(const char *code)
{
	return !strcmp(code, "RepoNotFound") || !strcmp(code, "RevisionNotFound") ||
	       !strcmp(code, "EntryNotFound") || !strcmp(code, "GatedRepo");
}

static void say(hf__failure *f, int code, hf_remedy remedy, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void say(hf__failure *f, int code, hf_remedy remedy, const char *hint, const char *fmt, ...)
{
	va_list ap;

	f->code = code;
	f->remedy = remedy;
	snprintf(f->hint, sizeof(f->hint), "%s", hint ? hint : "");
	va_start(ap, fmt);
	vsnprintf(f->message, sizeof(f->message), fmt, ap);
	va_end(ap);
}

static void gated(const hf__hub_subject *s, long status, const char *msg, hf__failure *f)
{
	char hint[512];

	if (!s->repo_id) {
		say(f, HF_EGATED, HF_REMEDY_REQUEST_ACCESS, NULL,
		    "access to this gated repository is restricted (%ld)", status);
		return;
	}
	if (msg && (strstr(msg, "pending") || strstr(msg, "awaiting"))) {
		snprintf(hint, sizeof(hint),
			 "the repository's authors must approve it; check %s/%s for the green check "
			 "mark, then retry", s->endpoint, s->repo_id);
		say(f, HF_EGATED, HF_REMEDY_AWAIT_APPROVAL, hint,
		    "your request to access %s '%s' is awaiting approval", s->repo_type, s->repo_id);
	} else if (status == 401 || !s->token_sent) {
		snprintf(hint, sizeof(hint),
			 "go to %s/%s, click \"Request access\" and accept the license, then log in "
			 "(or set HF_TOKEN) and retry", s->endpoint, s->repo_id);
		say(f, HF_EGATED, HF_REMEDY_LOGIN, hint,
		    "access to %s '%s' requires gating: log in with an account that has been granted "
		    "access", s->repo_type, s->repo_id);
	} else {
		snprintf(hint, sizeof(hint),
			 "go to %s/%s, click \"Request access\", fill in the form and wait for approval "
			 "(\"You have been granted access\"), then retry", s->endpoint, s->repo_id);
		say(f, HF_EGATED, HF_REMEDY_REQUEST_ACCESS, hint,
		    "access to %s '%s' requires gating: the token from %s has not been granted access",
		    s->repo_type, s->repo_id, hf_token_source_name(s->source));
	}
}

void hf__hub_describe(const hf__hub_subject *s, long status, const char *hub_code,
		      const char *hub_message, const char *body, size_t body_len, hf__failure *f)
{
	const char *code = hub_code ? hub_code : "";
	const char *msg = hub_message ? hub_message : "";
	char *text = server_text(hub_message, body, body_len);
	const char *said = text ? text : "", *sep = text ? ": " : "";
	int repo = s->repo_id && s->repo_type;
	char hint[512], on[560] = "";
	hf_remedy remedy;

	memset(f, 0, sizeof(*f));
	/* A transfer's failure names its file. */
	if (s->file_bytes && s->file)
		snprintf(on, sizeof(on), " for '%s'", s->file);
	f->status = status;
	snprintf(f->hub_code, sizeof(f->hub_code), "%s", code);
	hf__one_line(f->hub_code);
	if (strcmp(code, "RevisionNotFound") == 0 && repo) {
		say(f, HF_ENOTFOUND, HF_REMEDY_NONE, "check the branch, tag or commit name",
		    "revision '%s' not found in %s '%s'", s->revision ? s->revision : "", s->repo_type,
		    s->repo_id);
	} else if (strcmp(code, "EntryNotFound") == 0 && repo) {
		say(f, HF_ENOTFOUND, HF_REMEDY_NONE, "check the file name and its folder",
		    "file '%s' not found in %s '%s' at revision '%s'", s->file ? s->file : "",
		    s->repo_type, s->repo_id, s->revision ? s->revision : "");
	} else if (status == 404 && !is_hub_code(code) && repo && s->file && s->file_bytes) {
		/* A bare 404 or the storage's own code (S3's NoSuchKey): about the file. */
		say(f, HF_ENOTFOUND, HF_REMEDY_RETRY_LATER,
		    "the Hub listed it, but its storage does not have it; retry later",
		    "file '%s' of %s '%s' not found in the Hub's storage (404)", s->file, s->repo_type,
		    s->repo_id);
	} else if (strcmp(code, "GatedRepo") == 0) {
		gated(s, status, msg, f);
	} else if (strcmp(msg, DISABLED) == 0) {
		say(f, HF_EFORBIDDEN, HF_REMEDY_NONE, NULL, "%s%s%s is disabled on the Hub",
		    repo ? s->repo_type : "this resource", repo ? " " : "", repo ? s->repo_id : "");
	} else if (status == 401 && s->token_sent &&
		   (strcmp(msg, INVALID_CREDENTIALS) == 0 || (!repo && !*msg))) {
		remedy = hf__invalid_token_hint(hint, sizeof(hint), s->source, s->endpoint);
		say(f, HF_EAUTH, remedy, hint, "invalid token (from %s): the Hub answered 401 Unauthorized",
		    hf_token_source_name(s->source));
	} else if (status == 403 && strstr(said, WRITE_TOKEN)) {
		snprintf(hint, sizeof(hint),
			 "the token is read-only: create one with write access at %s/settings/tokens",
			 s->endpoint);
		if (repo)
			say(f, HF_EFORBIDDEN, HF_REMEDY_WRITE_TOKEN, hint,
			    "access to %s '%s' denied (403): %s", s->repo_type, s->repo_id, said);
		else
			say(f, HF_EFORBIDDEN, HF_REMEDY_WRITE_TOKEN, hint, "access denied (403): %s",
			    said);
	} else if (status == 403 && strstr(said, PASS_CREATE_PR)) {
		say(f, HF_EFORBIDDEN, HF_REMEDY_CREATE_PR,
		    "you may not push to this branch: open a pull request instead (create_pr)",
		    "no right to push to %s%s%s%s (403): %s", repo ? s->repo_type : "the branch",
		    repo ? " '" : "", repo ? s->repo_id : "", repo ? "'" : "", said);
	} else if (status == 409 && s->create) {
		say(f, HF_EEXISTS, HF_REMEDY_NONE, NULL, "already exists (409)%s%s", sep, said);
	} else if (status == 412) {
		say(f, HF_ECONFLICT, HF_REMEDY_NONE,
		    "the branch moved since its head was read: read it again and retry",
		    "the branch was updated meanwhile (412)%s%s", sep, said);
	} else if (repo && s->write && (strcmp(code, "RepoNotFound") == 0 || status == 404)) {
		say(f, HF_ENOTFOUND, HF_REMEDY_CREATE_REPO,
		    "create the repository first (commits assume it exists); the token must be "
		    "allowed to write to it",
		    "repository '%s' not found (%s)", s->repo_id, s->repo_type);
	} else if (repo && (strcmp(code, "RepoNotFound") == 0 || status == 401 || status == 404)) {
		say(f, HF_ENOTFOUND, s->token_sent ? HF_REMEDY_NONE : HF_REMEDY_LOGIN,
		    s->token_sent ? "check the name and the repository type; the token must be allowed "
				    "to read it if it is private or gated"
				  : "check the name and the repository type; a private or gated "
				    "repository needs you to log in first",
		    "repository '%s' not found (%s)", s->repo_id, s->repo_type);
	} else if (status == 401) {
		remedy = hf__invalid_token_hint(hint, sizeof(hint),
						s->token_sent ? s->source : HF_TOKEN_SOURCE_NONE,
						s->endpoint);
		say(f, HF_EAUTH, remedy, hint, "authentication required (401)%s%s", sep, said);
	} else if (status == 403) {
		if (repo)
			say(f, HF_EFORBIDDEN, HF_REMEDY_NONE, "make sure your token has the permissions this needs",
			    "access to %s '%s' denied (403)%s%s", s->repo_type, s->repo_id, sep, said);
		else
			say(f, HF_EFORBIDDEN, HF_REMEDY_NONE, "make sure your token has the permissions this needs",
			    "access denied (403)%s%s", sep, said);
	} else if (status == 404) {
		say(f, HF_ENOTFOUND, HF_REMEDY_NONE, NULL, "not found (404)%s%s%s", on, sep, said);
	} else if (status == 429) {
		say(f, HF_ERATELIMIT, HF_REMEDY_RETRY_LATER,
		    strstr(said, "action: commit") ? "the Hub limits commits per hour: retry later, "
						     "or put more files in each commit"
						   : "wait a few minutes and retry",
		    "rate limited by the Hub (429)%s%s%s", on, sep, said);
	} else if (status >= 500) {
		say(f, HF_ESERVER, HF_REMEDY_RETRY_LATER, "retry later",
		    "the %s failed with HTTP %ld%s%s%s", s->file_bytes ? "server" : "Hub", status, on,
		    sep, said);
	} else {
		say(f, HF_EPROTOCOL, HF_REMEDY_NONE, NULL, "unexpected HTTP %ld%s%s%s", status, on, sep,
		    said);
	}
	hf__one_line(f->message);
	free(text);
}

const char *hf__request_id(const hf__response *rs)
{
	static const char *const names[] = { "X-Request-Id", "X-Amzn-Trace-Id", "X-Amz-Cf-Id" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *v = hf__response_header(rs, names[i]);

		if (v && *v)
			return v;
	}
	return NULL;
}

void hf__hub_describe_response(const hf__hub_subject *s, const hf__response *rs, hf__failure *f)
{
	const char *id = hf__request_id(rs);

	hf__hub_describe(s, rs->status, hf__response_header(rs, "X-Error-Code"),
			 hf__response_header(rs, "X-Error-Message"), rs->body.data, rs->body.len, f);
	snprintf(f->request_id, sizeof(f->request_id), "%s", id ? id : "");
}

int hf__failure_report(hf_client *c, const hf__failure *f, const char *url)
{
	hf__error_set(c, f->code, f->hint[0] ? f->hint : NULL, "%s", f->message);
	hf__error_remedy(c, f->remedy);
	if (f->status)
		hf__error_http(c, f->status, url, f->request_id[0] ? f->request_id : NULL);
	hf__error_hub_code(c, f->hub_code);
	return f->code;
}

int hf__hub_error(hf_client *c, const hf__hub_subject *s, const hf__response *rs, const char *url)
{
	hf__failure f;

	hf__hub_describe_response(s, rs, &f);
	return hf__failure_report(c, &f, url);
}

hf__hub_subject hf__hub_subject_plain(const hf_client *c, int token_sent, hf_token_source source)
{
	hf__hub_subject s;

	memset(&s, 0, sizeof(s));
	s.endpoint = c->cfg.endpoint;
	s.token_sent = token_sent;
	s.source = source;
	return s;
}

/*
 * Repository management (include/hf/repo.h, docs/internals/repos.md): one
 * Hub API call each, with the official client's forgiveness rules
 * (exist_ok, missing_ok) and the Hub's answers mapped to codes here, on
 * top of the one mapping of hub_error.c (upload-protocol.md §2-3, §8).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hf/auth.h"
#include "hf/repo.h"
#include "client_int.h"
#include "hub_error.h"
#include "repo.h"
#include "repo_refs.h"
#include "util.h"
#include "validate.h"

HF__DEFINE_INIT(hf_repo_options_init, hf_repo_options, HF_REPO_OPTIONS_INIT, HF_REPO_OPTIONS_VERSION)

/* How many times a create answered 409 "conflicting operation" is sent again. */
#define CONFLICT_TRIES 5
#define CONFLICT_WAIT_MS 500
#define CONFLICTING "another conflicting operation is in progress"

/* One call's state: its options, its token and where it came from. */
typedef struct op {
	hf_client *c;
	hf_repo_options o;
	char *tok;
	hf_token_source source;
} op;

static void op_dispose(op *p)
{
	hf_free_secret(p->tok);
	p->tok = NULL;
}

static const char *type_word(const op *p)
{
	return hf_repo_type_name(p->o.repo_type);
}

/*
 * Check the arguments common to every call, then find the token:
 * need_token 1 refuses before any request when there is none (every
 * write needs one); 0 sends one when found, as downloads do.
 */
static int op_begin(op *p, hf_client *c, const hf_repo_options *opts, int need_token)
{
	hf_repo_options def = HF_REPO_OPTIONS_INIT;
	int rc;

	memset(p, 0, sizeof(*p));
	if (!c)
		return HF_EINVAL;
	p->c = c;
	hf__error_clear(c);
	if (opts && opts->version != HF_REPO_OPTIONS_VERSION)
		return hf__error_set(c, HF_EINVAL, "initialise the options with HF_REPO_OPTIONS_INIT",
				     "unknown hf_repo_options version %u", opts->version);
	p->o = opts ? *opts : def;
	if (!hf_repo_type_name(p->o.repo_type))
		return hf__error_set(c, HF_EINVAL, "use model, dataset or space",
				     "unknown repository type %d", (int)p->o.repo_type);
	if (!need_token && !(p->o.token && *p->o.token) && !c->explicit_token &&
	    c->cfg.disable_implicit_token)
		return HF_OK;
	rc = hf_token_resolve(&p->tok, &p->source, c, p->o.token);
	if (rc)
		return rc;
	if (!p->tok && need_token) {
		hf__error_set(c, HF_ENOTOKEN, "log in, or set HF_TOKEN (a token with write access)",
			      "not logged in: managing repositories needs a token");
		hf__error_remedy(c, HF_REMEDY_LOGIN);
		return HF_ENOTOKEN;
	}
	return HF_OK;
}

static int check_id(op *p, const char *what, const char *repo_id, int need_namespace)
{
	const char *why = hf__repo_id_problem(repo_id, need_namespace);

	if (!why)
		return HF_OK;
	return hf__error_set(p->c, HF_EINVAL,
			     "a repo id is 'name' or 'namespace/name': 1-96 letters, digits, '_', '.' "
			     "or '-' each, no '--' or '..', not starting or ending with '-' or '.', "
			     "not ending in '.git'",
			     "invalid %s '%s': it %s", what, repo_id ? repo_id : "", why);
}

static int check_ref(op *p, const char *what, const char *name)
{
	if (name && hf__valid_revision(name))
		return HF_OK;
	return hf__error_set(p->c, HF_EINVAL, "use a branch, tag or commit name without spaces",
			     "invalid %s name '%s'", what, name ? name : "");
}

/* One request with a JSON body (or none). rs is the caller's to dispose. */
static int send_json(op *p, const char *method, const char *url, json_t *body, hf__retry_class cls,
		     hf__response *rs)
{
	static const hf__header json_header[] = { { "Content-Type", "application/json" } };
	hf__request rq;
	char *text = NULL;
	int rc;

	memset(&rq, 0, sizeof(rq));
	if (body) {
		text = json_dumps(body, JSON_COMPACT);
		if (!text)
			return hf__error_set(p->c, HF_ENOMEM, NULL, "out of memory");
		rq.headers = json_header;
		rq.nheaders = 1;
		rq.body.kind = HF__BODY_MEMORY;
		rq.body.data = text;
		rq.body.len = (int64_t)strlen(text);
	}
	rq.method = method;
	rq.url = url;
	rq.scope = hf__hub_scope(p->c, p->tok);
	rq.connect_timeout_s = p->c->cfg.download_timeout;
	rq.stall_timeout_s = p->c->cfg.download_timeout;
	rc = hf__client_send(p->c, &rq, rs, cls);
	free(text);
	return rc;
}

/* The Hub's own words for a refusal (X-Error-Message, else the JSON "error"), one line. */
static char *hub_words(const hf__response *rs)
{
	const char *h = hf__response_header(rs, "X-Error-Message");
	json_t *root, *err;
	char *out = NULL;

	if (h && *h)
		return hf__one_line(hf__strdup(h));
	if (!rs->body.len)
		return NULL;
	root = json_loadb(rs->body.data, rs->body.len, 0, NULL);
	err = json_is_object(root) ? json_object_get(root, "error") : NULL;
	if (json_is_string(err))
		out = hf__one_line(hf__strdup(json_string_value(err)));
	json_decref(root);
	return out;
}

/*
 * Report a non-2xx answer. The one mapping (hub_error.c) decides, then
 * the answers only writes get are made precise: 409 is HF_EEXISTS, 400 is
 * HF_EINVAL with the Hub's reason, and a 403 on a write says what a read
 * token lacks (remedy HF_REMEDY_WRITE_TOKEN).
 */
static int fail(op *p, const hf__response *rs, const char *url, const char *repo_id,
		const char *revision, int write)
{
	hf__hub_subject s = hf__hub_subject_plain(p->c, p->tok != NULL, p->source);
	char *said = hub_words(rs);
	char hint[512];
	hf__failure f;
	int rc;

	s.repo_type = type_word(p);
	s.repo_id = repo_id;
	s.revision = revision;
	hf__hub_describe_response(&s, rs, &f);
	if (rs->status == 409) {
		f.code = HF_EEXISTS;
		f.remedy = HF_REMEDY_NONE;
		snprintf(f.message, sizeof(f.message), "%s (409)", said ? said : "it already exists");
		snprintf(f.hint, sizeof(f.hint), "choose another name, or accept the existing one");
	} else if (rs->status == 400) {
		f.code = HF_EINVAL;
		f.remedy = HF_REMEDY_NONE;
		snprintf(f.message, sizeof(f.message), "the Hub refused the request (400)%s%s",
			 said ? ": " : "", said ? said : "");
		snprintf(f.hint, sizeof(f.hint), "check the names and options given");
	} else if (rs->status == 403 && write && f.code == HF_EFORBIDDEN) {
		f.remedy = HF_REMEDY_WRITE_TOKEN;
		snprintf(hint, sizeof(hint),
			 "this needs a token with write access to the namespace (a read token cannot "
			 "do it): create one at %s/settings/tokens", p->c->cfg.endpoint);
		snprintf(f.hint, sizeof(f.hint), "%s", hint);
	}
	free(said);
	hf__one_line(f.message);
	rc = hf__failure_report(p->c, &f, url);
	return rc;
}

static int no_memory(op *p)
{
	return hf__error_set(p->c, HF_ENOMEM, NULL, "out of memory");
}

/* {"name", "organization" (null without a namespace), "type"}: the create/delete body. */
static json_t *name_body(const op *p, const char *repo_id)
{
	const char *slash = strchr(repo_id, '/');
	json_t *o = json_object();
	json_t *ns = slash ? json_stringn(repo_id, (size_t)(slash - repo_id)) : json_null();

	if (!o || !ns || json_object_set_new(o, "name", json_string(slash ? slash + 1 : repo_id)) ||
	    json_object_set_new(o, "organization", ns) ||
	    json_object_set_new(o, "type", json_string(type_word(p)))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static char *repo_page_url(const op *p, const char *repo_id)
{
	const char *prefix = p->o.repo_type == HF_REPO_DATASET ? "datasets/"
			     : p->o.repo_type == HF_REPO_SPACE ? "spaces/"
							       : "";
	size_t n = strlen(p->c->endpoint) + strlen(prefix) + strlen(repo_id) + 2;
	char *u = malloc(n);

	if (u)
		snprintf(u, n, "%s/%s%s", p->c->endpoint, prefix, repo_id);
	return u;
}

/* The "url" string of a create answer (200, or 409 with exist_ok), or NULL. */
static char *answer_url(const hf__response *rs)
{
	json_t *root = json_loadb(rs->body.data ? rs->body.data : "", rs->body.len, 0, NULL);
	json_t *u = json_is_object(root) ? json_object_get(root, "url") : NULL;
	char *out = json_is_string(u) ? hf__one_line(hf__strdup(json_string_value(u))) : NULL;

	json_decref(root);
	return out;
}

/* With exist_ok, a refused create is forgiven when the repository can be read. */
static int readable(op *p, const char *repo_id)
{
	hf__response rs = HF__RESPONSE_INIT;
	char *url = hf__api_url(p->c, p->o.repo_type, repo_id, NULL);
	int ok = 0;

	if (url && send_json(p, "GET", url, NULL, HF__RETRY_API, &rs) == HF_OK)
		ok = rs.status == 200;
	hf__response_dispose(&rs);
	free(url);
	return ok;
}

/*
 * One write call: the op, its URL and JSON body, and the answer. Every
 * public write is call_begin, its URL and body, call_send, its own
 * reading of the refusal, call_end.
 */
typedef struct call {
	op p;
	const char *repo_id;
	char *url;
	json_t *body;
	hf__response rs;
} call;

static void call_init(call *k, const char *repo_id)
{
	hf__response none = HF__RESPONSE_INIT;

	k->repo_id = repo_id;
	k->url = NULL;
	k->body = NULL;
	k->rs = none;
}

/* Options and token (a write needs one), then the repo id. */
static int call_begin(call *k, hf_client *c, const hf_repo_options *opts, const char *repo_id,
		      int need_namespace)
{
	int rc;

	call_init(k, repo_id);
	rc = op_begin(&k->p, c, opts, 1);
	if (!rc)
		rc = check_id(&k->p, "repo id", repo_id, need_namespace);
	return rc;
}

/*
 * Send k->body (when with_body; a NULL one then means it could not be
 * made) to k->url. HF_OK for a 2xx, and for a 409 when ok_409 (exist_ok);
 * any other answer is reported by fail() about revision, and k->rs keeps
 * it for the caller's own reading.
 */
static int call_send(call *k, const char *method, int with_body, hf__retry_class cls,
		     const char *revision, int ok_409)
{
	int rc;

	if (!k->url || (with_body && !k->body))
		return no_memory(&k->p);
	rc = send_json(&k->p, method, k->url, k->body, cls, &k->rs);
	if (rc || k->rs.status / 100 == 2 || (k->rs.status == 409 && ok_409))
		return rc;
	return fail(&k->p, &k->rs, k->url, k->repo_id, revision, 1);
}

static int call_end(call *k, int rc)
{
	json_decref(k->body);
	hf__response_dispose(&k->rs);
	free(k->url);
	op_dispose(&k->p);
	return rc;
}

static void set_visibility(json_t *body, hf_visibility v)
{
	if (v == HF_VISIBILITY_PRIVATE || v == HF_VISIBILITY_PUBLIC)
		json_object_set_new(body, "visibility",
				    json_string(v == HF_VISIBILITY_PRIVATE ? "private" : "public"));
}

int hf_repo_create(char **url_out, hf_client *c, const char *repo_id, const hf_repo_options *opts)
{
	char *said = NULL;
	hf__retry pause;
	call k;
	int rc, tries;

	if (url_out)
		*url_out = NULL;
	rc = call_begin(&k, c, opts, repo_id, 0);
	if (rc)
		goto done;
	k.body = name_body(&k.p, repo_id);
	if (!k.body || !(k.url = hf__strcat2(c->endpoint, "/api/repos/create"))) {
		rc = no_memory(&k.p);
		goto done;
	}
	set_visibility(k.body, k.p.o.visibility);
	if (k.p.o.repo_type == HF_REPO_SPACE)
		json_object_set_new(k.body, "sdk",
				    json_string(k.p.o.space_sdk ? k.p.o.space_sdk : "gradio"));
	hf__retry_init(&pause, HF__RETRY_ONCE);
	for (tries = 1;; tries++) {
		/* Not idempotent: asked again only when it provably did not take effect. */
		rc = send_json(&k.p, "POST", k.url, k.body, HF__RETRY_CREATE, &k.rs);
		if (rc)
			goto done;
		free(said);
		said = k.rs.status == 409 ? hub_words(&k.rs) : NULL;
		/* The Hub's own "try again": nothing was created (the official client loops). */
		if (said && strstr(said, CONFLICTING) && tries < CONFLICT_TRIES) {
			if ((rc = hf__retry_sleep(&pause, CONFLICT_WAIT_MS)) != HF_OK)
				goto done;
			continue;
		}
		break;
	}
	if (k.rs.status == 200 || k.rs.status == 201 ||
	    (k.rs.status == 409 && k.p.o.exist_ok && !(said && strstr(said, CONFLICTING)))) {
		char *u = answer_url(&k.rs);

		if (!u && k.rs.status == 409)
			u = repo_page_url(&k.p, repo_id);
		if (!u) {
			rc = hf__error_set(c, HF_EPROTOCOL, "check HF_ENDPOINT: it should be a Hugging Face Hub",
					   "unexpected answer to creating '%s': no repository URL", repo_id);
			goto done;
		}
		if (url_out)
			*url_out = u;
		else
			free(u);
		rc = HF_OK;
		goto done;
	}
	if (k.p.o.exist_ok && (k.rs.status == 401 || k.rs.status == 402 || k.rs.status == 403) &&
	    readable(&k.p, repo_id)) {
		/* No right to create, but it is there and readable: the official client goes on. */
		hf__error_clear(c);
		if (url_out && !(*url_out = repo_page_url(&k.p, repo_id)))
			rc = no_memory(&k.p);
		goto done;
	}
	rc = fail(&k.p, &k.rs, k.url, repo_id, NULL, 1);
	if (rc == HF_EEXISTS && said && strstr(said, CONFLICTING)) {
		rc = hf__error_set(c, HF_ECONFLICT, "retry later",
				   "the Hub is busy with another operation on '%s' (409): %s", repo_id, said);
		hf__error_remedy(c, HF_REMEDY_RETRY_LATER);
	} else if (rc == HF_EEXISTS) {
		hf__error_set(c, HF_EEXISTS, "choose another name, or accept the existing one (exist_ok)",
			      "%s '%s' already exists (409)", type_word(&k.p), repo_id);
	}
done:
	free(said);
	return call_end(&k, rc);
}

int hf_repo_delete(hf_client *c, const char *repo_id, const hf_repo_options *opts)
{
	call k;
	int rc = call_begin(&k, c, opts, repo_id, 0);

	if (rc)
		return call_end(&k, rc);
	k.body = name_body(&k.p, repo_id);
	k.url = hf__strcat2(c->endpoint, "/api/repos/delete");
	rc = call_send(&k, "DELETE", 1, HF__RETRY_CREATE, NULL, 0);
	if (rc == HF_ENOTFOUND && k.rs.status && k.p.o.missing_ok) {
		hf__error_clear(c);
		rc = HF_OK;
	}
	return call_end(&k, rc);
}

int hf_repo_move(hf_client *c, const char *from_id, const char *to_id, const hf_repo_options *opts)
{
	call k;
	int rc = call_begin(&k, c, opts, from_id, 1);

	if (!rc)
		rc = check_id(&k.p, "target repo id", to_id, 1);
	if (rc)
		return call_end(&k, rc);
	k.body = json_pack("{s:s, s:s, s:s}", "fromRepo", from_id, "toRepo", to_id, "type",
			   type_word(&k.p));
	k.url = hf__strcat2(c->endpoint, "/api/repos/move");
	return call_end(&k, call_send(&k, "POST", 1, HF__RETRY_CREATE, NULL, 0));
}

int hf_repo_update_settings(hf_client *c, const char *repo_id, const hf_repo_options *opts)
{
	call k;
	const char *gated;
	int rc = call_begin(&k, c, opts, repo_id, 0);

	if (rc)
		return call_end(&k, rc);
	gated = k.p.o.gated;
	if (gated && strcmp(gated, "auto") && strcmp(gated, "manual") && strcmp(gated, "false"))
		return call_end(&k, hf__error_set(c, HF_EINVAL, "use auto, manual or false",
						  "invalid gated setting '%s'", gated));
	if (!gated && k.p.o.visibility != HF_VISIBILITY_PRIVATE &&
	    k.p.o.visibility != HF_VISIBILITY_PUBLIC)
		return call_end(&k, hf__error_set(c, HF_EINVAL, "set the visibility, the gating or both",
						  "no setting to update"));
	k.body = json_object();
	k.url = hf__api_url(c, k.p.o.repo_type, repo_id, "/settings");
	if (k.body && gated)
		json_object_set_new(k.body, "gated",
				    strcmp(gated, "false") ? json_string(gated) : json_false());
	if (k.body)
		set_visibility(k.body, k.p.o.visibility);
	/* Setting the same values twice leaves the same state: idempotent. */
	return call_end(&k, call_send(&k, "PUT", 1, HF__RETRY_API, NULL, 0));
}

/* {endpoint}/api/{t}s/{id}/{kind}/{quote(name, "")}. */
static char *ref_url(const op *p, const char *repo_id, const char *kind, const char *name)
{
	char *q = hf__quote(name, ""), *suffix = NULL, *url = NULL;
	size_t n;

	if (!q)
		return NULL;
	n = strlen(kind) + strlen(q) + 3;
	suffix = malloc(n);
	if (suffix) {
		snprintf(suffix, n, "/%s/%s", kind, q);
		url = hf__api_url(p->c, p->o.repo_type, repo_id, suffix);
	}
	free(q);
	free(suffix);
	return url;
}

/* 1 when the repository has a branch of that name (refs readable with this token). */
static int has_branch(op *p, const char *repo_id, const char *branch)
{
	hf_repo_options o = p->o;
	hf_refs *refs = NULL;
	size_t i;
	int found = 0;

	o.token = p->tok;
	if (hf_refs_list(&refs, p->c, repo_id, 0, &o) != HF_OK)
		return 0;
	for (i = 0; i < refs->n_branches; i++)
		if (strcmp(refs->branches[i].name, branch) == 0)
			found = 1;
	hf_refs_free(refs);
	return found;
}

int hf_branch_create(hf_client *c, const char *repo_id, const char *branch, const hf_repo_options *opts)
{
	call k;
	int rc = call_begin(&k, c, opts, repo_id, 0);

	if (!rc)
		rc = check_ref(&k.p, "branch", branch);
	if (!rc && k.p.o.revision)
		rc = check_ref(&k.p, "revision", k.p.o.revision);
	if (rc)
		return call_end(&k, rc);
	k.body = k.p.o.revision ? json_pack("{s:s}", "startingPoint", k.p.o.revision) : json_object();
	k.url = ref_url(&k.p, repo_id, "branch", branch);
	rc = call_send(&k, "POST", 1, HF__RETRY_CREATE, k.p.o.revision, k.p.o.exist_ok);
	if (rc == HF_EEXISTS)
		hf__error_set(c, HF_EEXISTS, "choose another name, or pass exist_ok",
			      "branch '%s' already exists in %s '%s' (409)", branch, type_word(&k.p),
			      repo_id);
	else if (rc && k.rs.status == 403 && k.p.o.exist_ok) {
		/* No right to create it, but it may be there already: then it is success. */
		if (has_branch(&k.p, repo_id, branch)) {
			hf__error_clear(c);
			rc = HF_OK;
		} else {
			rc = fail(&k.p, &k.rs, k.url, repo_id, k.p.o.revision, 1);
		}
	}
	return call_end(&k, rc);
}

/* DELETE of a branch or tag: missing_ok forgives a 404. */
static int delete_ref(hf_client *c, const char *repo_id, const char *kind, const char *name,
		      const hf_repo_options *opts)
{
	const char *code;
	call k;
	int rc = call_begin(&k, c, opts, repo_id, 0);

	if (!rc)
		rc = check_ref(&k.p, kind, name);
	if (rc)
		return call_end(&k, rc);
	k.url = ref_url(&k.p, repo_id, kind, name);
	rc = call_send(&k, "DELETE", 0, HF__RETRY_CREATE, name, 0);
	code = hf__response_header(&k.rs, "X-Error-Code");
	if (rc == HF_ENOTFOUND && k.rs.status == 404 && code && strcmp(code, "RevisionNotFound") == 0) {
		if (k.p.o.missing_ok) {
			hf__error_clear(c);
			rc = HF_OK;
		} else {
			hf__error_set(c, HF_ENOTFOUND, "list the refs to see which exist",
				      "%s '%s' not found in %s '%s'", kind, name, type_word(&k.p), repo_id);
			hf__error_http(c, 404, k.url, hf__request_id(&k.rs));
		}
	}
	return call_end(&k, rc);
}

int hf_branch_delete(hf_client *c, const char *repo_id, const char *branch, const hf_repo_options *opts)
{
	return delete_ref(c, repo_id, "branch", branch, opts);
}

int hf_tag_delete(hf_client *c, const char *repo_id, const char *tag, const hf_repo_options *opts)
{
	return delete_ref(c, repo_id, "tag", tag, opts);
}

int hf_tag_create(hf_client *c, const char *repo_id, const char *tag, const hf_repo_options *opts)
{
	const char *rev;
	call k;
	int rc = call_begin(&k, c, opts, repo_id, 0);

	if (!rc)
		rc = check_ref(&k.p, "tag", tag);
	if (!rc && k.p.o.revision)
		rc = check_ref(&k.p, "revision", k.p.o.revision);
	if (rc)
		return call_end(&k, rc);
	rev = k.p.o.revision ? k.p.o.revision : "main";
	k.body = k.p.o.message ? json_pack("{s:s, s:s}", "tag", tag, "message", k.p.o.message)
			       : json_pack("{s:s}", "tag", tag);
	k.url = ref_url(&k.p, repo_id, "tag", rev);
	rc = call_send(&k, "POST", 1, HF__RETRY_CREATE, rev, k.p.o.exist_ok);
	if (rc == HF_EEXISTS)
		hf__error_set(c, HF_EEXISTS, "choose another name, or delete the tag first",
			      "tag '%s' already exists on %s '%s' (409)", tag, type_word(&k.p), repo_id);
	return call_end(&k, rc);
}

int hf_refs_list(hf_refs **out, hf_client *c, const char *repo_id, int include_prs,
		 const hf_repo_options *opts)
{
	const char *why = NULL;
	call k;
	int rc;

	if (out)
		*out = NULL;
	call_init(&k, repo_id);
	/* A read: a token is sent when there is one, none is needed. */
	rc = op_begin(&k.p, c, opts, 0);
	if (!rc && !out)
		rc = hf__error_set(c, HF_EINVAL, NULL, "no place for the refs (out is NULL)");
	if (!rc)
		rc = check_id(&k.p, "repo id", repo_id, 0);
	if (rc)
		return call_end(&k, rc);
	k.url = hf__api_url(c, k.p.o.repo_type, repo_id, include_prs ? "/refs?include_prs=1" : "/refs");
	if (!k.url)
		return call_end(&k, no_memory(&k.p));
	rc = send_json(&k.p, "GET", k.url, NULL, HF__RETRY_API, &k.rs);
	if (rc)
		return call_end(&k, rc);
	if (k.rs.status != 200)
		return call_end(&k, fail(&k.p, &k.rs, k.url, repo_id, NULL, 0));
	switch (hf__refs_parse(k.rs.body.data, k.rs.body.len, include_prs, out, &why)) {
	case 0:
		break;
	case -2:
		rc = no_memory(&k.p);
		break;
	default:
		rc = hf__error_set(c, HF_EPROTOCOL, "check HF_ENDPOINT: it should be a Hugging Face Hub",
				   "unexpected refs answer for '%s': %s", repo_id, why ? why : "bad shape");
	}
	return call_end(&k, rc);
}

/*
 * The commit engine's job (engine.h; docs/internals/upload.md, "The commit
 * engine"): from the checked operations to the commit, in the order of
 * shared/docs/upload-protocol.md §1 steps 4-9: README check, hashes,
 * preupload, LFS batch and transfers, no-op test, the commit call.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "commit_answer.h"
#include "commit_body.h"
#include "commit_payload.h"
#include "engine.h"
#include "fsutil.h"
#include "json_out.h"
#include "paths.h"
#include "repo.h"
#include "tree.h"
#include "util.h"
#include "validate.h"

#define README_MAX ((size_t)16 << 20)
/* Copies of regular files are fetched whole; the Hub keeps those small. */
#define COPY_MAX ((size_t)64 << 20)

static int cmp_path_pos(const void *a, const void *b, void *items)
{
	const hf__up_item *it = items;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(it[x].path, it[y].path);

	return c ? c : (x < y ? -1 : x > y);
}

/* A later add (or copy) of the same path wins: earlier ones are skipped. */
static int drop_superseded(hf__up *u)
{
	size_t *idx = malloc((u->n ? u->n : 1) * sizeof(*idx)), i, n = 0;

	if (!idx)
		return hf__error_set(u->c, HF_ENOMEM, NULL, "out of memory");
	for (i = 0; i < u->n; i++)
		if (u->items[i].kind == HF_COMMIT_ADD_FILE || u->items[i].kind == HF_COMMIT_ADD_BUFFER ||
		    u->items[i].kind == HF_COMMIT_COPY_FILE)
			idx[n++] = i;
	qsort_r(idx, n, sizeof(*idx), cmp_path_pos, u->items);
	for (i = 0; i + 1 < n; i++)
		if (strcmp(u->items[idx[i]].path, u->items[idx[i + 1]].path) == 0)
			u->items[idx[i]].skip = 1;
	free(idx);
	return HF_OK;
}

/* The JSON "error" of a body, or the X-Error-Message, as one line (heap), or NULL. */
static char *error_text(const hf__response *rs)
{
	const char *h = hf__response_header(rs, "X-Error-Message");
	json_t *root, *e;
	char *out = NULL;

	if (h && *h)
		return hf__one_line(hf__strdup(h));
	root = json_loadb(rs->body.data ? rs->body.data : "", rs->body.len, JSON_DECODE_ANY, NULL);
	e = json_is_object(root) ? json_object_get(root, "error") : NULL;
	if (json_is_string(e))
		out = hf__one_line(hf__strdup(json_string_value(e)));
	json_decref(root);
	return out;
}

/* Read a whole added file or buffer (at most max bytes) into a NUL-terminated heap copy. */
static int item_text(hf__up *u, hf__up_item *it, size_t max, char **out, size_t *len)
{
	int rc;

	*out = NULL;
	if (it->kind == HF_COMMIT_ADD_BUFFER) {
		if (it->len > max)
			return hf__error_set(u->c, HF_EINVAL, NULL, "'%s' is too large", it->path);
		if (!(*out = hf__strndup(it->data ? (const char *)it->data : "", it->len)))
			return hf__error_set(u->c, HF_ENOMEM, NULL, "out of memory");
		*len = it->len;
		return HF_OK;
	}
	rc = hf__read_file(it->local, max, out, len);
	if (rc == -EFBIG)
		return hf__error_set(u->c, HF_EINVAL, NULL, "'%s' is too large", it->local);
	if (rc)
		return hf__error_set(u->c, rc == -ENOENT ? HF_EINVAL : HF_EIO, NULL,
				     "cannot read '%s': %s", it->local, strerror(-rc));
	return HF_OK;
}

/*
 * A README.md among the adds: POST /api/validate-yaml first (§1 step 4);
 * a 400 refuses the upload before anything is sent. Warnings are not
 * errors (the official client prints them; a library has no terminal).
 */
static int check_readme(hf__up *u)
{
	hf__up_item *it = NULL;
	hf__buf body = HF__BUF_INIT;
	hf__response rs = HF__RESPONSE_INIT;
	hf__request rq;
	hf__header h = { "Content-Type", "application/json" };
	char *text = NULL, *url = NULL, *msg;
	size_t i, len = 0;
	int rc;

	for (i = 0; i < u->n; i++)
		if (!u->items[i].skip && strcmp(u->items[i].path, "README.md") == 0 &&
		    (u->items[i].kind == HF_COMMIT_ADD_FILE || u->items[i].kind == HF_COMMIT_ADD_BUFFER))
			it = &u->items[i];
	if (!it)
		return HF_OK;
	rc = item_text(u, it, README_MAX, &text, &len);
	if (rc)
		return rc;
	body.max = README_MAX * 7;
	if (memchr(text, '\0', len) || hf__buf_puts(&body, "{\"content\": ") ||
	    hf__json_put_string(&body, text) || hf__buf_puts(&body, ", \"repoType\": ") ||
	    hf__json_put_string(&body, u->type_name) || hf__buf_puts(&body, "}")) {
		rc = hf__error_set(u->c, HF_EINVAL, "README.md must be UTF-8 text",
				   "Invalid metadata in README.md: not UTF-8 text");
		goto done;
	}
	url = hf__strcat2(u->c->endpoint, "/api/validate-yaml");
	if (!url) {
		rc = hf__error_set(u->c, HF_ENOMEM, NULL, "out of memory");
		goto done;
	}
	hf__up_request(u, &rq, "POST", url);
	rq.headers = &h;
	rq.nheaders = 1;
	rq.body.kind = HF__BODY_MEMORY;
	rq.body.data = body.data;
	rq.body.len = (int64_t)body.len;
	rc = hf__client_send(u->c, &rq, &rs, HF__RETRY_API);
	if (rc)
		goto done;
	if (rs.status == 400) {
		msg = error_text(&rs);
		rc = hf__error_set(u->c, HF_EINVAL, "fix the YAML block between the '---' lines of README.md",
				   "Invalid metadata in README.md: %s", msg ? msg : "refused by the Hub");
		free(msg);
	} else if (rs.status != 200) {
		hf__hub_subject s = hf__up_subject(u, "README.md");

		rc = hf__hub_error(u->c, &s, &rs, url);
	}
done:
	hf__response_dispose(&rs);
	hf__buf_dispose(&body);
	free(text);
	free(url);
	return rc;
}

/* GET /api/{t}/{repo}/revision/{rev}: the head commit of the revision. */
static int read_head(hf__up *u, const char *rev_q, char oid[41])
{
	hf__request rq;
	hf__response rs = HF__RESPONSE_INIT;
	char *suffix = hf__strcat2("/revision/", rev_q), *url;
	json_t *root = NULL, *sha;
	int rc;

	url = suffix ? hf__api_url(u->c, u->type, u->repo_id, suffix) : NULL;
	free(suffix);
	if (!url)
		return hf__error_set(u->c, HF_ENOMEM, NULL, "out of memory");
	hf__up_request(u, &rq, NULL, url);
	rq.max_body = (size_t)64 << 20;
	rc = hf__client_send(u->c, &rq, &rs, HF__RETRY_API);
	if (rc)
		goto done;
	if (rs.status != 200) {
		hf__hub_subject s = hf__up_subject(u, NULL);

		rc = hf__hub_error(u->c, &s, &rs, url);
		goto done;
	}
	root = json_loadb(rs.body.data ? rs.body.data : "", rs.body.len, 0, NULL);
	sha = json_is_object(root) ? json_object_get(root, "sha") : NULL;
	if (!json_is_string(sha) || !hf__is_commit_hash(json_string_value(sha))) {
		rc = hf__error_set(u->c, HF_EPROTOCOL, "check HF_ENDPOINT: it should be a Hugging Face Hub",
				   "unexpected reply from '%s': no commit sha", url);
		goto done;
	}
	snprintf(oid, 41, "%s", json_string_value(sha));
done:
	json_decref(root);
	hf__response_dispose(&rs);
	free(url);
	return rc;
}

/* The title of the newest commit of rev (GET /api/{t}/{repo}/commits/{rev}),
 * heap, or NULL when that cannot be read (an older or partial Hub). */
static char *head_title(hf__up *u, const char *oid)
{
	hf__request rq;
	hf__response rs = HF__RESPONSE_INIT;
	char *suffix = hf__strcat2("/commits/", u->rev_q), *url, *out = NULL;
	json_t *root = NULL, *first;

	url = suffix ? hf__api_url(u->c, u->type, u->repo_id, suffix) : NULL;
	free(suffix);
	if (!url)
		return NULL;
	hf__up_request(u, &rq, NULL, url);
	if (hf__client_send(u->c, &rq, &rs, HF__RETRY_API) == HF_OK && rs.status == 200) {
		root = json_loadb(rs.body.data ? rs.body.data : "", rs.body.len, 0, NULL);
		first = json_is_array(root) ? json_array_get(root, 0) : NULL;
		if (json_is_object(first) && json_is_string(json_object_get(first, "id")) &&
		    strcmp(json_string_value(json_object_get(first, "id")), oid) == 0 &&
		    json_is_string(json_object_get(first, "title")))
			out = hf__strdup(json_string_value(json_object_get(first, "title")));
	}
	json_decref(root);
	hf__response_dispose(&rs);
	free(url);
	hf__error_clear(u->c);
	return out;
}

static char *commit_url_of(hf__up *u, const char *oid)
{
	const char *prefix = u->type == HF_REPO_DATASET ? "datasets/" :
			     u->type == HF_REPO_SPACE ? "spaces/" : "";
	hf__buf b = HF__BUF_INIT;

	if (hf__buf_printf(&b, "%s/%s%s/commit/%s", u->c->endpoint, prefix, u->repo_id, oid)) {
		hf__buf_dispose(&b);
		return NULL;
	}
	return hf__buf_detach(&b);
}

/* ---- copies ---- */

typedef struct copy_src {
	char *rev;          /* NULL: the commit's revision */
	hf__tree tree;
} copy_src;

/* The source of a copy: its LFS oid, or its bytes (regular). */
static int resolve_copy(hf__up *u, hf__up_item *it, copy_src **srcs, size_t *nsrc)
{
	const char *rev = it->src_rev ? it->src_rev : u->revision;
	const hf__tree_file *f;
	copy_src *cs = NULL;
	size_t i;
	int rc;

	for (i = 0; i < *nsrc; i++)
		if (strcmp((*srcs)[i].rev, rev) == 0)
			cs = &(*srcs)[i];
	if (!cs) {
		copy_src *ns = realloc(*srcs, (*nsrc + 1) * sizeof(*ns));
		hf__hub_subject s = hf__up_subject(u, NULL);
		char *q = hf__quote(rev, "");

		if (!ns || !q) {
			free(q);
			if (ns)
				*srcs = ns;
			return hf__error_set(u->c, HF_ENOMEM, NULL, "out of memory");
		}
		*srcs = ns;
		cs = &ns[(*nsrc)++];
		memset(cs, 0, sizeof(*cs));
		cs->rev = hf__strdup(rev);
		s.revision = rev;
		rc = cs->rev ? hf__tree_fetch(u->c, u->type, u->repo_id, q, u->token, &s, &cs->tree) :
			       hf__error_set(u->c, HF_ENOMEM, NULL, "out of memory");
		free(q);
		if (rc)
			return rc;
		hf__tree_sort(&cs->tree);
	}
	f = hf__tree_find(&cs->tree, it->src_path);
	if (!f)
		return hf__error_set(u->c, HF_ENOTFOUND, "check the file name and its folder",
				     "cannot copy '%s': not found in %s '%s' at revision '%s'",
				     it->src_path, u->type_name, u->repo_id, rev);
	it->size = f->size;
	/* A copy onto the same content is a no-op (§1 step 8), as the official client. */
	if (strcmp(cs->rev, u->revision) == 0) {
		const hf__tree_file *dst = hf__tree_find(&cs->tree, it->path);

		it->noop = dst && strcmp(hf__tree_file_etag(dst), hf__tree_file_etag(f)) == 0;
	}
	if (f->lfs_sha256[0]) {
		it->lfs = 1;
		memcpy(it->sha256, f->lfs_sha256, sizeof(it->sha256));
		return HF_OK;
	}
	memcpy(it->sha1, f->blob_id, sizeof(it->sha1));
	return HF_OK;
}

/* The bytes of a regular file to copy (GET its resolve URL). */
static int fetch_copy_bytes(hf__up *u, hf__up_item *it, hf__response *rs)
{
	hf__request rq;
	char *url = hf__resolve_url(u->c, u->type, u->repo_id,
				    it->src_rev ? it->src_rev : u->revision, it->src_path);
	int rc;

	if (!url)
		return hf__error_set(u->c, HF_ENOMEM, NULL, "out of memory");
	hf__up_request(u, &rq, NULL, url);
	rq.redirects = HF__REDIRECT_ALL;
	rq.identity = 1;
	rq.max_body = COPY_MAX;
	rc = hf__client_send(u->c, &rq, rs, HF__RETRY_API);
	if (!rc && rs->status != 200) {
		hf__hub_subject s = hf__up_subject(u, it->src_path);

		s.write = 0;
		rc = hf__hub_error(u->c, &s, rs, url);
	}
	if (!rc && (uint64_t)rs->body.len != it->size)
		rc = hf__error_set(u->c, HF_EINTEGRITY, NULL,
				   "cannot copy '%s': got %zu bytes, the tree says %llu", it->src_path,
				   rs->body.len, (unsigned long long)it->size);
	free(url);
	return rc;
}

/* ---- the commit ---- */

/* A regular file for the commit body: opened again, and only if it is the file hashed. */
static int body_open(void *item)
{
	hf__up_item *it = item;
	hf__failure f;

	return hf__up_open(it, &f) == HF_OK ? it->fd : -1;
}

static void body_close(void *item)
{
	hf__up_close(item);
}

/* The commit body: text lines, and regular files read while sent (commit_body.h). */
static int put_items(hf__up *u, hf__commit_body *body, size_t *added, size_t *deleted)
{
	hf__buf *t = &body->text;
	size_t i;
	int rc = HF_OK;

	if (hf__commit_put_header(t, u->message, u->o.commit_description, u->o.parent_commit))
		return hf__error_set(u->c, HF_EINVAL, NULL,
				     "invalid commit message, description or parent commit "
				     "(text must be UTF-8; a parent commit is 7 to 40 hex)");
	for (i = 0; i < u->n && !rc; i++) {
		hf__up_item *it = &u->items[i];
		int bad = 0;

		if (it->skip || it->ignored || it->noop)
			continue;
		switch (it->kind) {
		case HF_COMMIT_ADD_FILE:
		case HF_COMMIT_ADD_BUFFER:
			if (it->lfs)
				bad = hf__commit_put_lfs_file(t, it->path, it->sha256, it->size);
			else if (it->kind == HF_COMMIT_ADD_BUFFER)
				bad = hf__commit_body_file(body, it->path, it->path, -1, it->data, NULL,
							   it->len);
			else
				bad = hf__commit_body_file(body, it->path, it->local, -1, NULL, it, it->size);
			(*added)++;
			break;
		case HF_COMMIT_COPY_FILE:
			if (it->lfs) {
				bad = hf__commit_put_lfs_file(t, it->path, it->sha256, it->size);
			} else {
				hf__response rs = HF__RESPONSE_INIT;

				rc = fetch_copy_bytes(u, it, &rs);
				if (!rc)
					bad = hf__commit_put_file(t, it->path, rs.body.data, rs.body.len);
				hf__response_dispose(&rs);
			}
			(*added)++;
			break;
		case HF_COMMIT_DELETE_FILE:
			bad = hf__commit_put_deleted_file(t, it->path);
			(*deleted)++;
			break;
		case HF_COMMIT_DELETE_FOLDER:
			bad = hf__commit_put_deleted_folder(t, it->path);
			(*deleted)++;
			break;
		default:
			bad = 1;
		}
		if (bad && !rc)
			rc = hf__error_set(u->c, HF_ENOMEM, NULL, "cannot make the commit line of '%s'",
					   it->path);
	}
	if (!rc && hf__commit_body_text(body))
		rc = hf__error_set(u->c, HF_ENOMEM, NULL, "out of memory");
	return rc;
}

/* The answer was lost (§7: a commit is never sent twice): is it on the branch? */
static int lost_answer(hf__up *u, const char *old_head, hf__commit_answer *a)
{
	char head[41] = "", *title;
	int rc;

	if (u->o.create_pr)
		return hf__error_set(u->c, HF_ENETWORK,
				     "look at the repository's pull requests before trying again",
				     "the commit's answer was lost: a pull request may have been opened");
	rc = read_head(u, u->rev_q, head);
	if (rc || !old_head[0] || strcmp(head, old_head) == 0) {
		return hf__error_set(u->c, HF_ENETWORK, "retry: nothing was changed on the Hub",
				     "the commit's answer was lost and it is not on the branch: "
				     "nothing was committed");
	}
	/* The head moved: ours when its title is our summary (when the Hub says). */
	title = head_title(u, head);
	if (title && strcmp(title, u->message) != 0) {
		free(title);
		return hf__error_set(u->c, HF_ENETWORK, "look at the branch's history before trying again",
				     "the commit's answer was lost and the branch has another new "
				     "commit: nothing of ours is known to be committed");
	}
	free(title);
	memcpy(a->oid, head, sizeof(a->oid));
	a->url = commit_url_of(u, head);
	a->pr_num = -1;
	if (!a->url)
		return hf__error_set(u->c, HF_ENOMEM, NULL, "out of memory");
	hf__error_clear(u->c);
	return HF_OK;
}

static int send_commit(hf__up *u, hf__commit_body *body, const char *old_head, hf__commit_answer *a)
{
	hf__request rq;
	hf__response rs = HF__RESPONSE_INIT;
	hf__header h = { "Content-Type", "application/x-ndjson" };
	hf__retry judge, policy;
	hf__buf s = HF__BUF_INIT;
	char *url = NULL;
	const char *perr = NULL;
	int rc;

	if (hf__buf_puts(&s, "/commit/") || hf__buf_puts(&s, u->rev_q) ||
	    (u->o.create_pr && hf__buf_puts(&s, "?create_pr=1")) ||
	    !(url = hf__api_url(u->c, u->type, u->repo_id, s.data))) {
		hf__buf_dispose(&s);
		return hf__error_set(u->c, HF_ENOMEM, NULL, "out of memory");
	}
	hf__buf_dispose(&s);
	hf__up_request(u, &rq, "POST", url);
	rq.headers = &h;
	rq.nheaders = 1;
	rq.body.kind = HF__BODY_CALLBACK;
	rq.body.len = (int64_t)body->length;
	rq.body.read = hf__commit_body_read;
	rq.body.rewind = hf__commit_body_rewind;
	rq.body.payload = body;
	/* The Hub checks every LFS object before it answers: allow it time. */
	rq.stall_timeout_s = u->c->cfg.download_timeout > 300 ? u->c->cfg.download_timeout : 300;
	/* HF__RETRY_CREATE: never resent blindly, not even by libcurl (retry.c). */
	hf__retry_init(&policy, HF__RETRY_CREATE);
	policy.cancel = &u->cancel;
	rc = hf__client_send_with(u->c, &rq, &rs, &policy);
	/* The body stopped: a file changed (nothing was committed: the body was cut). */
	if (body->changed || body->failed) {
		rc = body->changed ?
			hf__error_set(u->c, HF_ECHANGED, "upload again once nothing writes to the file",
				      "'%s' changed during the upload: nothing was committed",
				      body->changed_name ? body->changed_name : "a file") :
			hf__error_set(u->c, HF_EIO, NULL,
				      "cannot read a file for the commit: nothing was committed");
		goto done;
	}
	if (rc && rc != HF_ECANCELLED)
		hf__error_set(u->c, rc, "check the network, then look at the branch before retrying",
			      "%s", rs.errmsg);
	hf__retry_init(&judge, HF__RETRY_CREATE);
	if (rc != HF_ECANCELLED && hf__retry_judge(&judge, rc, &rs) == HF__RETRY_UNKNOWN) {
		rc = lost_answer(u, old_head, a);
		goto done;
	}
	if (rc == HF_ECANCELLED) {
		atomic_store(&u->cancel, 1);
		rc = hf__up_check_cancel(u);
	}
	if (rc)
		goto done;
	if (rs.status != 200) {
		hf__hub_subject sub = hf__up_subject(u, NULL);

		rc = hf__hub_error(u->c, &sub, &rs, url);
		goto done;
	}
	if (hf__commit_answer_parse(rs.body.data, rs.body.len, a, &perr))
		rc = hf__error_set(u->c, HF_EPROTOCOL, "check HF_ENDPOINT: it should be a Hugging Face Hub",
				   "unexpected commit answer: %s", perr ? perr : "malformed");
done:
	hf__response_dispose(&rs);
	free(url);
	return rc;
}

static int fill_info(hf__up *u, hf_commit_info **info_out, hf__commit_answer *a, int no_op,
		     size_t added, size_t deleted)
{
	hf_commit_info *info;
	char rev[32];

	if (!info_out)
		return HF_OK;
	info = calloc(1, sizeof(*info));
	if (!info)
		return hf__error_set(u->c, HF_ENOMEM, NULL, "out of memory");
	info->commit_oid = hf__strdup(a->oid);
	info->commit_url = hf__strdup(a->url);
	if (a->pr_url && a->pr_num >= 0) {
		snprintf(rev, sizeof(rev), "refs/pr/%ld", a->pr_num);
		info->pr_url = hf__strdup(a->pr_url);
		info->pr_revision = hf__strdup(rev);
	}
	info->no_op = no_op;
	info->files_added = added;
	info->files_deleted = deleted;
	info->lfs_sent = u->lfs_sent;
	info->lfs_skipped = u->lfs_skipped;
	info->bytes_sent = u->bytes_sent;
	if (!info->commit_oid || !info->commit_url || (a->pr_url && a->pr_num >= 0 &&
						       (!info->pr_url || !info->pr_revision))) {
		hf_commit_info_free(info);
		return hf__error_set(u->c, HF_ENOMEM, NULL, "out of memory");
	}
	*info_out = info;
	return HF_OK;
}

int hf__up_run(hf__up *u, hf_commit_info **info_out)
{
	hf__commit_answer a;
	hf__commit_body body;
	copy_src *srcs = NULL;
	size_t i, nsrc = 0, added = 0, deleted = 0, changes = 0;
	char old_head[41] = "";
	int rc;

	memset(&a, 0, sizeof(a));
	a.pr_num = -1;
	hf__commit_body_init(&body);
	body.open = body_open;
	body.close = body_close;
	rc = drop_superseded(u);
	if (!rc)
		rc = check_readme(u);
	if (!rc)
		rc = hf__up_prepare(u);
	if (!rc)
		rc = hf__up_preupload(u);
	if (!rc)
		rc = hf__up_hash_and_send(u);
	for (i = 0; i < u->n && !rc; i++)
		if (!u->items[i].skip && u->items[i].kind == HF_COMMIT_COPY_FILE)
			rc = resolve_copy(u, &u->items[i], &srcs, &nsrc);
	if (!rc)
		rc = hf__up_check_cancel(u);
	/* A file that changed while it was read or sent is never committed. */
	if (!rc)
		rc = hf__up_check_unchanged(u);
	if (rc)
		goto done;
	hf__up_save_hash_cache(u);
	for (i = 0; i < u->n; i++) {
		hf__up_item *it = &u->items[i];

		if (!it->skip && !it->ignored && !it->noop)
			changes++;
	}
	hf__up_report(u, HF_UPLOAD_COMMITTING, NULL, 1);
	/* The head before the commit: the no-op answer, and the check of a lost answer. */
	if (!u->o.create_pr || !changes)
		rc = read_head(u, u->rev_q, old_head);
	if (rc)
		goto done;
	if (!changes) {
		/* Nothing to commit (§1 step 8): the result describes the head. */
		memcpy(a.oid, old_head, sizeof(a.oid));
		a.url = commit_url_of(u, old_head);
		rc = a.url ? fill_info(u, info_out, &a, 1, 0, 0) :
			     hf__error_set(u->c, HF_ENOMEM, NULL, "out of memory");
		goto done;
	}
	rc = put_items(u, &body, &added, &deleted);
	if (!rc)
		rc = hf__up_check_unchanged(u);
	if (!rc)
		rc = hf__up_check_cancel(u);
	if (!rc)
		rc = send_commit(u, &body, old_head, &a);
	if (!rc)
		rc = fill_info(u, info_out, &a, 0, added, deleted);
done:
	if (!rc)
		hf__up_report(u, HF_UPLOAD_DONE, NULL, 1);
	for (i = 0; i < nsrc; i++) {
		free(srcs[i].rev);
		hf__tree_dispose(&srcs[i].tree);
	}
	free(srcs);
	hf__commit_body_dispose(&body);
	hf__commit_answer_free(&a);
	return rc;
}

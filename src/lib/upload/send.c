/*
 * Preupload, the LFS batch and the transfers of an upload (engine.h;
 * shared/docs/upload-protocol.md §4-§6).
 *
 * Preupload tells per file: LFS or regular, ignored by .gitignore, and the
 * oid it has at the revision (no-op test). The LFS files that are not
 * no-ops go to the batch call (256 objects a request, one object per
 * content: two files with the same bytes are one object); objects with an
 * upload action are sent by hf__lfs_send() (transfer.h) on up to
 * max_workers threads, each with its own connection.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "repo.h"
#include "transfer.h"
#include "util.h"

#define GITIGNORE_MAX ((size_t)1 << 20)
#define LFS_JSON "application/vnd.git-lfs+json"

/* The .gitignore text of the upload (a NUL-terminated heap copy), or NULL. */
static int gitignore_text(hf__up *u, char **out)
{
	size_t i, got = 0;

	*out = NULL;
	for (i = 0; i < u->n; i++) {
		hf__up_item *it = &u->items[i];
		char *t;

		if (it->skip || strcmp(it->path, ".gitignore") != 0 ||
		    (it->kind != HF_COMMIT_ADD_FILE && it->kind != HF_COMMIT_ADD_BUFFER))
			continue;
		if (it->size > GITIGNORE_MAX)
			return hf__error_set(u->c, HF_EINVAL, NULL, "'.gitignore' is too large (%llu bytes)",
					     (unsigned long long)it->size);
		t = malloc((size_t)it->size + 1);
		if (!t)
			return hf__error_set(u->c, HF_ENOMEM, NULL, "out of memory");
		if (it->kind == HF_COMMIT_ADD_BUFFER) {
			memcpy(t, it->data, it->len);
			got = it->len;
		} else {
			hf__failure f;

			if (hf__up_open(it, &f) != HF_OK) {
				free(t);
				return hf__failure_report(u->c, &f, NULL);
			}
			while (got < it->size) {
				ssize_t n = pread(it->fd, t + got, (size_t)it->size - got, (off_t)got);

				if (n <= 0) {
					free(t);
					hf__up_close(it);
					return hf__error_set(u->c, HF_ECHANGED, NULL,
							     "'%s' changed during the upload: nothing was committed",
							     it->local);
				}
				got += (size_t)n;
			}
			hf__up_close(it);
		}
		t[got] = '\0';
		free(*out);
		*out = t; /* the last add of that path wins (earlier ones are skipped anyway) */
	}
	return HF_OK;
}

/*
 * POST a JSON body to url on the Hub: HF_OK for a 200 only, any other
 * answer reported by the one mapping (hub_error.c). rs is the caller's.
 */
static int post_json(hf__up *u, const char *url, const hf__buf *body, const char *ctype,
		     hf__response *rs)
{
	hf__request rq;
	hf__header h[2];
	int rc;

	h[0].name = "Content-Type";
	h[0].value = ctype;
	h[1].name = "Accept";
	h[1].value = ctype;
	hf__up_request(u, &rq, "POST", url);
	rq.headers = h;
	rq.nheaders = strcmp(ctype, LFS_JSON) == 0 ? 2 : 1;
	rq.body.kind = HF__BODY_MEMORY;
	rq.body.data = body->data;
	rq.body.len = (int64_t)body->len;
	rq.stall_timeout_s = u->c->cfg.download_timeout > 60 ? u->c->cfg.download_timeout : 60;
	rq.max_body = (size_t)64 << 20;
	rc = hf__client_send(u->c, &rq, rs, HF__RETRY_API);
	if (!rc && rs->status != 200) {
		hf__hub_subject s = hf__up_subject(u, NULL);

		rc = hf__hub_error(u->c, &s, rs, url);
	}
	return rc;
}

static int preupload_chunk(hf__up *u, const char *url, const size_t *idx, size_t k,
			   const char *gitignore)
{
	hf__preupload_file *files = calloc(k, sizeof(*files));
	hf__preupload_answer *ans = calloc(k, sizeof(*ans));
	hf__buf body = HF__BUF_INIT;
	hf__response rs = HF__RESPONSE_INIT;
	const char *perr = NULL;
	size_t i;
	int rc = HF_OK;

	if (!files || !ans) {
		rc = hf__error_set(u->c, HF_ENOMEM, NULL, "out of memory");
		goto done;
	}
	for (i = 0; i < k; i++) {
		hf__up_item *it = &u->items[idx[i]];

		files[i].path = it->path;
		files[i].size = it->size;
		files[i].sample = it->sample;
		files[i].sample_len = it->sample_len;
	}
	if (hf__preupload_request(&body, files, k, gitignore)) {
		rc = hf__error_set(u->c, HF_EINVAL, NULL,
				   "cannot make the preupload request (a path or .gitignore is not UTF-8)");
		goto done;
	}
	rc = post_json(u, url, &body, "application/json", &rs);
	if (rc)
		goto done;
	if (hf__preupload_parse(rs.body.data, rs.body.len, files, k, ans, &perr)) {
		rc = hf__error_set(u->c, HF_EPROTOCOL, "check HF_ENDPOINT: it should be a Hugging Face Hub",
				   "unexpected preupload answer: %s", perr ? perr : "malformed");
		goto done;
	}
	for (i = 0; i < k && !rc; i++) {
		hf__up_item *it = &u->items[idx[i]];

		it->lfs = ans[i].mode == HF__UPLOAD_LFS;
		it->ignored = ans[i].should_ignore;
		memcpy(it->remote_oid, ans[i].oid, sizeof(it->remote_oid));
	}
done:
	hf__response_dispose(&rs);
	hf__buf_dispose(&body);
	free(files);
	free(ans);
	return rc;
}

int hf__up_preupload(hf__up *u)
{
	size_t *idx = calloc(u->n ? u->n : 1, sizeof(*idx));
	char *gitignore = NULL, *url = NULL, suffix[64];
	size_t i, n = 0;
	int rc;

	if (!idx)
		return hf__error_set(u->c, HF_ENOMEM, NULL, "out of memory");
	for (i = 0; i < u->n; i++) {
		hf__up_item *it = &u->items[i];

		if (!it->skip && (it->kind == HF_COMMIT_ADD_FILE || it->kind == HF_COMMIT_ADD_BUFFER))
			idx[n++] = i;
	}
	rc = gitignore_text(u, &gitignore);
	if (rc)
		goto done;
	snprintf(suffix, sizeof(suffix), "/preupload/");
	{
		hf__buf s = HF__BUF_INIT;

		if (hf__buf_puts(&s, suffix) || hf__buf_puts(&s, u->rev_q) ||
		    (u->o.create_pr && hf__buf_puts(&s, "?create_pr=1"))) {
			hf__buf_dispose(&s);
			rc = hf__error_set(u->c, HF_ENOMEM, NULL, "out of memory");
			goto done;
		}
		url = hf__api_url(u->c, u->type, u->repo_id, s.data);
		hf__buf_dispose(&s);
	}
	if (!url) {
		rc = hf__error_set(u->c, HF_ENOMEM, NULL, "out of memory");
		goto done;
	}
	for (i = 0; i < n && !rc; i += HF__PREUPLOAD_CHUNK) {
		size_t k = n - i < HF__PREUPLOAD_CHUNK ? n - i : HF__PREUPLOAD_CHUNK;

		rc = preupload_chunk(u, url, idx + i, k, gitignore);
		if (!rc)
			rc = hf__up_check_cancel(u);
	}
	/* Ignored files are done: nothing of them is read or sent. */
	for (i = 0; i < n && !rc; i++) {
		hf__up_item *it = &u->items[idx[i]];

		if (it->ignored) {
			hf__up_file_done(u, it->path);
			if (!it->cached)
				u->p.bytes_to_hash -= it->size;
		} else if (it->cached && !it->lfs && !it->sha1[0]) {
			u->p.bytes_to_hash += it->size; /* cached as LFS, regular now: read for its sha1 */
		}
	}
done:
	free(gitignore);
	free(url);
	free(idx);
	return rc;
}

/* ---- LFS ---- */

typedef struct sent_cb {
	hf__up *u;
	const char *path;
} sent_cb;

static int on_sent(void *payload, uint64_t bytes)
{
	sent_cb *s = payload;

	return hf__up_sent(s->u, s->path, bytes);
}

int hf__up_send_one(hf__up *u, hf__conn *conn, hf__up_item *it, hf__failure *f)
{
	hf__lfs_send_ctx sc;
	sent_cb cb = { u, it->path };
	int rc;

	memset(f, 0, sizeof(*f));
	memset(&sc, 0, sizeof(sc));
	sc.transport = u->c->transport;
	sc.hub_scope = hf__hub_scope(u->c, u->token);
	sc.endpoint = u->c->endpoint;
	sc.parts_in_flight = u->o.parts_in_flight;
	sc.cancel = &u->cancel;
	sc.sent = on_sent;
	sc.sent_payload = &cb;
	sc.resume_dir = u->resume_dir;
	rc = hf__up_open(it, f);
	if (rc)
		return rc;
	rc = hf__lfs_send(&sc, conn, &it->act, it->sha256, it->size, it->fd, f);
	hf__up_close(it);
	if (rc == HF_ECHANGED) {
		/* Name the file: the transfer knows only the object. */
		snprintf(f->message, sizeof(f->message),
			 "'%s' changed during the upload: nothing was committed",
			 it->local ? it->local : it->path);
		snprintf(f->hint, sizeof(f->hint), "upload again once nothing writes to the file");
	}
	if (rc) {
		if (!f->code)
			f->code = rc;
		if (!f->message[0])
			snprintf(f->message, sizeof(f->message), "sending '%s' failed", it->path);
		return rc;
	}
	it->stored = 1;
	return 0;
}

int hf__up_batch(hf__up *u, const char *url, const size_t *idx, size_t k)
{
	hf__lfs_object *objs = calloc(k, sizeof(*objs));
	hf__lfs_action *acts = calloc(k, sizeof(*acts));
	hf__buf body = HF__BUF_INIT;
	hf__response rs = HF__RESPONSE_INIT;
	const char *perr = NULL;
	size_t i;
	int rc = HF_OK;

	if (!objs || !acts) {
		rc = hf__error_set(u->c, HF_ENOMEM, NULL, "out of memory");
		goto done;
	}
	for (i = 0; i < k; i++) {
		objs[i].oid = u->items[idx[i]].sha256;
		objs[i].size = u->items[idx[i]].size;
	}
	/* No ref for a pull request, as both official clients (§5). */
	if (hf__lfs_batch_request(&body, objs, k, u->o.create_pr ? NULL : u->revision)) {
		rc = hf__error_set(u->c, HF_ENOMEM, NULL, "cannot make the LFS batch request");
		goto done;
	}
	rc = post_json(u, url, &body, LFS_JSON, &rs);
	if (rc)
		goto done;
	if (hf__lfs_batch_parse(rs.body.data, rs.body.len, objs, k, acts, &perr)) {
		rc = hf__error_set(u->c, HF_EPROTOCOL, "check HF_ENDPOINT: it should be a Hugging Face Hub",
				   "unexpected LFS batch answer: %s", perr ? perr : "malformed");
		goto done;
	}
	for (i = 0; i < k && !rc; i++) {
		hf__up_item *it = &u->items[idx[i]];

		if (acts[i].kind == HF__LFS_ERROR)
			rc = hf__error_set(u->c, acts[i].error_code == 403 ? HF_EFORBIDDEN : HF_EPROTOCOL,
					   NULL, "the Hub refused the LFS object of '%s' (%ld): %s",
					   it->path, acts[i].error_code,
					   hf__one_line(acts[i].error_message));
	}
	if (rc) {
		hf__lfs_actions_free(acts, k);
		goto done;
	}
	for (i = 0; i < k; i++) {
		hf__up_item *it = &u->items[idx[i]];

		it->act = acts[i];
		it->has_act = 1;
		if (acts[i].kind == HF__LFS_STORED) {
			it->stored = 1;
			u->lfs_skipped++;
		} else {
			pthread_mutex_lock(&u->mu);
			u->p.bytes_to_send += it->size;
			pthread_mutex_unlock(&u->mu);
		}
	}
	free(acts); /* the actions now belong to the items */
	acts = NULL;
done:
	hf__response_dispose(&rs);
	hf__buf_dispose(&body);
	free(objs);
	free(acts);
	return rc;
}

/* The transfers read a descriptor: a buffer to send gets a temporary file. */
int hf__up_buffer_fd(hf__up *u, hf__up_item *it)
{
	FILE *f;
	int fd;

	if (it->kind != HF_COMMIT_ADD_BUFFER || it->fd >= 0)
		return HF_OK;
	f = tmpfile();
	if (!f || fwrite(it->data, 1, it->len, f) != it->len || fflush(f) != 0) {
		if (f)
			fclose(f);
		return hf__error_set(u->c, HF_EIO, NULL, "cannot make a temporary file for '%s'",
				     it->path);
	}
	fd = dup(fileno(f));
	fclose(f);
	if (fd < 0)
		return hf__error_set(u->c, HF_EIO, NULL, "cannot make a temporary file for '%s'",
				     it->path);
	it->fd = fd;
	it->tmp_fd = 1;
	return HF_OK;
}

char *hf__up_batch_url(hf__up *u)
{
	const char *prefix = u->type == HF_REPO_DATASET ? "datasets/" :
			     u->type == HF_REPO_SPACE ? "spaces/" : "";
	hf__buf s = HF__BUF_INIT;

	if (hf__buf_printf(&s, "%s/%s%s.git/info/lfs/objects/batch", u->c->endpoint, prefix,
			   u->repo_id)) {
		hf__buf_dispose(&s);
		return NULL;
	}
	return hf__buf_detach(&s);
}

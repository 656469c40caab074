/*
 * An upload job (engine.h): its items, its start (checks and token), the
 * subject of its Hub errors, and its release; the base every other unit of
 * the engine uses, so that none of them calls back into commit.c.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "paths.h"
#include "repo.h"
#include "util.h"
#include "validate.h"

void hf_commit_info_free(hf_commit_info *info)
{
	if (!info)
		return;
	free(info->commit_oid);
	free(info->commit_url);
	free(info->pr_url);
	free(info->pr_revision);
	free(info);
}

hf__up_item *hf__up_add(hf__up *u)
{
	hf__up_item *it;

	if (u->n == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 16;
		hf__up_item *ni = realloc(u->items, cap * sizeof(*ni));

		if (!ni)
			return NULL;
		u->items = ni;
		u->cap = cap;
	}
	it = &u->items[u->n++];
	memset(it, 0, sizeof(*it));
	it->fd = -1;
	return it;
}

void hf__up_dispose(hf__up *u)
{
	size_t i;

	for (i = 0; i < u->n; i++) {
		hf__up_item *it = &u->items[i];

		if (it->fd >= 0)
			close(it->fd);
		if (it->has_act)
			hf__lfs_actions_free(&it->act, 1);
		free(it->path);
		free(it->local);
		free(it->cache_key);
		free(it->src_path);
		free(it->src_rev);
	}
	free(u->items);
	free(u->rev_q);
	free(u->resume_dir);
	hf_free_secret(u->token);
	if (u->c)
		pthread_mutex_destroy(&u->mu);
	memset(u, 0, sizeof(*u));
}

hf__hub_subject hf__up_subject(const hf__up *u, const char *file)
{
	hf__hub_subject s = hf__hub_subject_plain(u->c, u->token != NULL, u->source);

	s.repo_type = u->type_name;
	s.repo_id = u->repo_id;
	s.revision = u->revision;
	s.file = file;
	s.write = 1;
	return s;
}

void hf__up_request(const hf__up *u, hf__request *rq, const char *method, const char *url)
{
	memset(rq, 0, sizeof(*rq));
	rq->method = method;
	rq->url = url;
	rq->scope = hf__hub_scope(u->c, u->token);
	rq->connect_timeout_s = u->c->cfg.etag_timeout;
	rq->stall_timeout_s = u->c->cfg.download_timeout;
	rq->cancel = &u->cancel;
}

int hf__up_set_path(hf__up *u, hf__up_item *it, const char *path)
{
	const char *normal = NULL, *why = NULL;

	if (!path || !hf__upload_path_in_repo(path, &normal, &why))
		return hf__error_set(u->c, HF_EINVAL, "paths in a repository are relative, '/'-separated, "
				     "without '..', '.git' or '.cache' parts",
				     "invalid path in repo '%s': %s", path ? path : "(null)",
				     why ? why : "missing");
	if (!(it->path = hf__strdup(normal)))
		return hf__error_set(u->c, HF_ENOMEM, NULL, "out of memory");
	return HF_OK;
}

int hf__up_begin(hf__up *u, hf_client *c, const char *repo_id, const hf_upload_options *opts,
		 const char *default_message)
{
	hf_upload_options def = HF_UPLOAD_OPTIONS_INIT;
	int rc;

	memset(u, 0, sizeof(*u));
	if (!c)
		return HF_EINVAL;
	u->c = c;
	pthread_mutex_init(&u->mu, NULL);
	atomic_init(&u->cancel, 0);
	u->reported_phase = -1;
	hf__error_clear(c);
	if (opts && opts->version != HF_UPLOAD_OPTIONS_VERSION)
		return hf__error_set(c, HF_EINVAL, NULL, "unknown hf_upload_options version %u",
				     opts->version);
	u->o = opts ? *opts : def;
	if (u->o.max_workers <= 0)
		u->o.max_workers = 5;
	if (u->o.parts_in_flight <= 0)
		u->o.parts_in_flight = 4;
	u->type = u->o.repo_type;
	u->type_name = hf_repo_type_name(u->type);
	if (!u->type_name)
		return hf__error_set(c, HF_EINVAL, NULL, "unknown repository type %d", (int)u->type);
	if (!repo_id || !hf__valid_repo_id(repo_id))
		return hf__error_set(c, HF_EINVAL,
				     "a repository id is 'name' or 'namespace/name' of letters, digits, '-', '_' and '.'",
				     "invalid repository id '%s'", repo_id ? repo_id : "");
	u->repo_id = repo_id;
	u->revision = u->o.revision && *u->o.revision ? u->o.revision : "main";
	if (!hf__valid_revision(u->revision))
		return hf__error_set(c, HF_EINVAL, NULL, "invalid revision '%s'", u->revision);
	if (u->o.create_pr && (hf__starts_with(u->revision, "refs/") ||
			       hf__is_commit_hash(u->revision)))
		return hf__error_set(c, HF_EINVAL, "a pull request starts from a branch",
				     "create_pr needs a branch as revision, not '%s'", u->revision);
	u->message = u->o.commit_message && *u->o.commit_message ? u->o.commit_message :
								   default_message;
	if (!u->message || !*u->message)
		return hf__error_set(c, HF_EINVAL, NULL, "a commit message is required");
	if (!(u->rev_q = hf__quote(u->revision, "")))
		return hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
	if (c->cfg.offline) {
		hf__error_set(c, HF_EOFFLINE, "unset HF_HUB_OFFLINE to upload",
			      "offline mode is enabled (HF_HUB_OFFLINE): an upload needs the Hub");
		return HF_EOFFLINE;
	}
	rc = hf_token_resolve(&u->token, &u->source, c, u->o.token);
	if (rc)
		return rc;
	if (!u->token) {
		hf__error_set(c, HF_ENOTOKEN, "log in, or set HF_TOKEN (with a write token)",
			      "not logged in: uploading needs a token with write access");
		hf__error_remedy(c, HF_REMEDY_LOGIN);
		return HF_ENOTOKEN;
	}
	return HF_OK;
}


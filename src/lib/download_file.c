/*
 * hf_download_file: one file, into the cache or a local_dir. A HEAD on
 * the resolve URL gives its commit, etag and size (and where its bytes
 * are); the cache or the local copy answers when it can, else the file
 * is fetched on the calling thread. See docs/internals/download.md.
 */
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "client_int.h"
#include "download_int.h"
#include "local_dir.h"
#include "parse.h"
#include "repo.h"
#include "util.h"
#include "validate.h"

/* ---- metadata of one file (HEAD on resolve) ---- */

/*
 * HEAD the resolve URL, following only relative redirects (a rename or
 * the resolve cache), as the official client does, under the retry policy
 * of API calls. Returns HF_OK with meta set, or an error with the client's
 * record set; *no_fallback is 1 when the Hub said the file or revision
 * does not exist (then the cache must not stand in for it).
 */
int hf__dl_head_file(hf__dl *d, const char *file, hf__file_meta *meta, int *no_fallback)
{
	hf__request rq = { 0 };
	hf__response rs = HF__RESPONSE_INIT;
	char *url = hf__resolve_url(d->c, d->o.repo_type, d->repo_id, d->revision, file);
	const char *code, *commit, *location;
	int rc = HF_OK;

	*no_fallback = 0;
	if (!url)
		return hf__error_set(d->c, HF_ENOMEM, NULL, "out of memory");
	rq.method = "HEAD";
	rq.url = url;
	rq.identity = 1;
	rq.redirects = HF__REDIRECT_RELATIVE;
	rq.stall_timeout_s = d->c->cfg.etag_timeout;
	/* With the file cached at this revision, an ailing Hub is not waited for. */
	{
		char cached[41];
		int have = hf__cache_read_ref(&d->rc, d->revision, cached) &&
			   hf__cache_pointer_ok(&d->rc, cached, file);

		rc = hf__dl_api_send(d, &rq, &rs, have ? 1 : 0);
	}
	if (rc) {
		if (rs.bad_redirect == HF__REDIRECT_TOO_MANY)
			hf__error_set(d->c, HF_EPROTOCOL, "check HF_ENDPOINT and any proxy in between",
				      "too many redirects for '%s' (more than 9)", file);
		else if (rs.bad_redirect == HF__REDIRECT_UNSAFE)
			hf__error_set(d->c, HF_EPROTOCOL, NULL,
				      "refusing a redirect for '%s' to an unsafe location", file);
		goto done;
	}
	code = hf__response_header(&rs, "X-Error-Code");
	commit = hf__response_header(&rs, "X-Repo-Commit");
	location = hf__response_header(&rs, "Location");
	if (rs.status >= 400) {
		/* A missing file or revision is an answer, not an outage. */
		*no_fallback = code && (strcmp(code, "EntryNotFound") == 0 ||
					strcmp(code, "RevisionNotFound") == 0);
		if (code && strcmp(code, "EntryNotFound") == 0 && commit && hf__is_commit_hash(commit)) {
			/* Remember the absence, as the official client does. */
			hf__cache_mark_missing(&d->rc, commit, file);
			if (strcmp(d->revision, commit) != 0)
				(void)hf__cache_write_ref(&d->rc, d->revision, commit);
		}
		rc = hf__dl_repo_error(d, &rs, file, rs.url);
		goto done;
	}
	{
		const char *linked = hf__response_header(&rs, "X-Linked-Etag");
		char *etag = hf__strdup(linked ? linked : hf__response_header(&rs, "ETag"));
		const char *size = hf__response_header(&rs, "X-Linked-Size");
		unsigned long long sz = 0;
		int redirected = rs.status >= 300 && rs.status < 400;
		int ok;

		ok = etag && hf__normalize_etag(etag);
		if (ok)
			memcpy(meta->etag, etag, strlen(etag) + 1);
		free(etag);
		if (ok && !size && !redirected && rs.content_length >= 0) {
			sz = (unsigned long long)rs.content_length;
		} else if (ok && size) {
			ok = hf__parse_u64(size, strlen(size), &sz) == 0;
		} else {
			ok = 0;
		}
		meta->size = sz;
		if (!ok || !commit || !hf__is_commit_hash(commit)) {
			rc = hf__error_set(d->c, HF_EPROTOCOL,
					   "check HF_ENDPOINT: it should be a Hugging Face Hub",
					   "'%s' does not look like a Hub resource (no valid commit, etag or size)",
					   file);
			goto done;
		}
		memcpy(meta->commit, commit, 41);
		/* The bytes are at the Location of a redirect, or where the HEAD ended. */
		meta->location[0] = '\0';
		if (redirected && location) {
			char *abs = hf__url_resolve(rs.url, location);

			/* The same rule as for the redirects the request layer follows. */
			if (abs && !hf__redirect_keeps_tls(rs.url, abs)) {
				free(abs);
				rc = hf__error_set(d->c, HF_EPROTOCOL, NULL,
						   "refusing a redirect for '%s' to an unsafe location", file);
				goto done;
			}
			if (abs && strlen(abs) < sizeof(meta->location))
				memcpy(meta->location, abs, strlen(abs) + 1);
			free(abs);
		} else if (rs.status == 200 && strlen(rs.url) < sizeof(meta->location)) {
			memcpy(meta->location, rs.url, strlen(rs.url) + 1);
		}
	}
done:
	hf__response_dispose(&rs);
	free(url);
	return rc;
}

/* ---- the entry point ---- */

static char *pointer_path(const hf__dl *d, const char *file)
{
	return hf__cache_path(&d->rc, "snapshots/%s/%s", d->commit, file);
}

static int fetch_single(hf__dl *d, const char *file, const hf__file_meta *meta)
{
	hf__dl_job j;
	hf__dl_job_error e;
	hf__conn *conn;
	int rc;

	memset(&j, 0, sizeof(j));
	memset(&e, 0, sizeof(e));
	j.file = file;
	memcpy(j.etag, meta->etag, sizeof(j.etag));
	j.size = meta->size;
	j.first_url = meta->location[0] ? meta->location : NULL;
	memcpy(d->commit, meta->commit, sizeof(d->commit));
	d->prog.files_total = 1;
	d->prog.bytes_total = meta->size;
	if (d->o.local_dir) {
		hf__local_dir_prepare(d);
	} else {
		hf__cache_ensure_tag(d->rc.root);
		if (strcmp(d->revision, meta->commit) != 0)
			(void)hf__cache_write_ref(&d->rc, d->revision, meta->commit);
	}
	conn = hf__conn_new(d->c->transport);
	if (!conn)
		return hf__error_set(d->c, HF_ENOMEM, NULL, "cannot initialise libcurl");
	rc = (d->o.local_dir ? hf__local_one : hf__dl_cache_one)(d, conn, &j, &e);
	hf__conn_free(conn);
	if (rc)
		rc = hf__dl_report_job_error(d, &e);
	return rc;
}

int hf_download_file(char **path_out, hf_client *c, const char *repo_id, const char *filename,
		     const hf_download_options *opts)
{
	const char *why = NULL;
	hf__file_meta meta;
	hf__local_meta lm;
	hf__dl d;
	int rc, no_fallback = 0;

	if (!c || !path_out)
		return HF_EINVAL;
	*path_out = NULL;
	rc = hf__dl_init(&d, c, repo_id, opts);
	if (rc)
		goto done;
	if (!filename || !hf__valid_filename(filename, &why)) {
		rc = hf__error_set(c, HF_EINVAL, NULL, "invalid file name '%s': %s",
				   filename ? filename : "", why ? why : "missing");
		goto done;
	}
	if (d.o.dry_run) {
		rc = hf__error_set(c, HF_EINVAL, NULL, "use hf_download_plan() for a dry run");
		goto done;
	}
	if (d.o.local_dir) {
		if (!d.o.force && hf__is_commit_hash(d.revision) && hf__local_meta_read(&d, filename, &lm) &&
		    strcmp(lm.commit, d.revision) == 0) {
			rc = hf__dl_set_out(&d, hf__local_path(&d, filename), path_out);
			goto done;
		}
		if (d.offline) {
			rc = hf__local_file_exists(&d, filename) ? hf__dl_set_out(&d, hf__local_path(&d, filename), path_out)
							     : hf__dl_offline_miss(&d, "the file");
			goto done;
		}
		rc = hf__dl_head_file(&d, filename, &meta, &no_fallback);
		if (rc && !no_fallback && hf__local_file_exists(&d, filename)) {
			/* The Hub is unreachable but the file is here: use it. */
			rc = hf__dl_set_out(&d, hf__local_path(&d, filename), path_out);
			goto done;
		}
		if (!rc)
			rc = fetch_single(&d, filename, &meta);
		if (!rc)
			rc = hf__dl_set_out(&d, hf__local_path(&d, filename), path_out);
		goto done;
	}
	/* A file cached at a pinned commit needs no network at all. */
	if (!d.o.force && hf__is_commit_hash(d.revision) &&
	    hf__cache_pointer_ok(&d.rc, d.revision, filename)) {
		memcpy(d.commit, d.revision, 41);
		rc = hf__dl_set_out(&d, pointer_path(&d, filename), path_out);
		goto done;
	}
	if (d.offline) {
		if (hf__dl_commit_from_cache(&d) && hf__cache_pointer_ok(&d.rc, d.commit, filename))
			rc = hf__dl_set_out(&d, pointer_path(&d, filename), path_out);
		else
			rc = hf__dl_offline_miss(&d, "the file");
		goto done;
	}
	rc = hf__dl_head_file(&d, filename, &meta, &no_fallback);
	if (rc) {
		/* The Hub could not answer: a cached copy stands in. */
		if (!no_fallback && !d.o.force && hf__dl_commit_from_cache(&d) &&
		    hf__cache_pointer_ok(&d.rc, d.commit, filename))
			rc = hf__dl_set_out(&d, pointer_path(&d, filename), path_out);
		goto done;
	}
	memcpy(d.commit, meta.commit, sizeof(d.commit));
	if (!d.o.force && hf__cache_pointer_ok(&d.rc, meta.commit, filename)) {
		if (strcmp(d.revision, meta.commit) != 0)
			(void)hf__cache_write_ref(&d.rc, d.revision, meta.commit);
		rc = hf__dl_set_out(&d, pointer_path(&d, filename), path_out);
		goto done;
	}
	rc = fetch_single(&d, filename, &meta);
	if (!rc)
		rc = hf__dl_set_out(&d, pointer_path(&d, filename), path_out);
done:
	hf__dl_dispose(&d);
	return rc;
}


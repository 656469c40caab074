/*
 * hf_download_snapshot and hf_download_plan: the revision resolved to a
 * commit, the commit's file list (tree API or its cached copy), the
 * selection by include/exclude patterns, then the missing files fetched
 * over the worker pool (download.c). See docs/internals/download.md.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "buf.h"
#include "cache.h"
#include "client_int.h"
#include "download_int.h"
#include "fsutil.h"
#include "local_dir.h"
#include "repo.h"
#include "util.h"
#include "validate.h"

/* ---- resolving a revision ---- */

/* The commit of d->revision from the Hub (revision API). */
static int resolve_commit_online(hf__dl *d, int *no_fallback)
{
	hf__request rq = { 0 };
	hf__response rs = HF__RESPONSE_INIT;
	char *rev = hf__quote(d->revision, ""), *suffix = NULL, *url = NULL;
	json_t *root = NULL;
	int rc;

	if (rev) {
		suffix = malloc(strlen(rev) + 16);
		if (suffix)
			sprintf(suffix, "/revision/%s", rev);
	}
	url = suffix ? hf__api_url(d->c, d->o.repo_type, d->repo_id, suffix) : NULL;
	if (!url) {
		rc = hf__error_set(d->c, HF_ENOMEM, NULL, "out of memory");
		goto done;
	}
	{
		/* With the revision cached, an ailing Hub is not waited for. */
		char cached[41];
		int have = hf__is_commit_hash(d->revision) || hf__cache_read_ref(&d->rc, d->revision, cached);

		rq.url = url;
		rc = hf__dl_api_send(d, &rq, &rs, have ? 1 : 0);
	}
	if (rc)
		goto done;
	if (rs.status != 200) {
		const char *code = hf__response_header(&rs, "X-Error-Code");

		*no_fallback = code && strcmp(code, "RevisionNotFound") == 0;
		rc = hf__dl_repo_error(d, &rs, NULL, url);
		goto done;
	}
	root = json_loadb(rs.body.data, rs.body.len, 0, NULL);
	{
		const char *sha = json_string_value(json_object_get(root, "sha"));

		if (!sha || !hf__is_commit_hash(sha)) {
			rc = hf__error_set(d->c, HF_EPROTOCOL, "check HF_ENDPOINT: it should be a Hugging Face Hub",
					   "the Hub's answer for %s '%s' has no valid commit", hf__dl_type_word(d),
					   d->repo_id);
			goto done;
		}
		memcpy(d->commit, sha, 41);
	}
done:
	json_decref(root);
	hf__response_dispose(&rs);
	free(rev);
	free(suffix);
	free(url);
	return rc;
}

/* ---- the listing ---- */

/*
 * The commit and file list of the snapshot. *from_cache is set when the
 * Hub could not be asked and the cache answered instead.
 */
static int snapshot_listing(hf__dl *d, hf__tree *tree, int save_tree, int *from_cache)
{
	char *tree_path = NULL;
	int rc = HF_OK, no_fallback = 0;

	*from_cache = 0;
	if (hf__is_commit_hash(d->revision)) {
		memcpy(d->commit, d->revision, 41);
	} else if (d->offline) {
		if (!hf__dl_commit_from_cache(d))
			return hf__dl_offline_miss(d, "the revision");
		*from_cache = 1;
	} else {
		rc = resolve_commit_online(d, &no_fallback);
		if (rc) {
			if (no_fallback || !hf__dl_commit_from_cache(d))
				return rc;
			*from_cache = 1;
			d->online_rc = rc;
			rc = HF_OK;
		}
	}
	if (d->o.local_dir) {
		hf__buf b = HF__BUF_INIT;

		/* local_dir mode keeps its listing beside its own metadata. */
		hf__buf_printf(&b, "%s/.cache/huggingface/trees/%s.json", d->o.local_dir, d->commit);
		tree_path = hf__buf_detach(&b);
	} else {
		tree_path = hf__cache_path(&d->rc, "trees/%s.json", d->commit);
	}
	if (!tree_path)
		return hf__error_set(d->c, HF_ENOMEM, NULL, "out of memory");
	if (hf__tree_cache_load(tree, tree_path) == 0)
		goto done;
	if (d->offline || *from_cache) {
		/* Without a listing, the snapshot folder is the best we have. */
		*from_cache = 2;
		goto done;
	}
	{
		hf__hub_subject subject = hf__dl_subject(d, NULL);

		rc = hf__tree_fetch(d->c, d->o.repo_type, d->repo_id, d->commit, d->token, &subject,
				    tree);
	}
	if (!rc && save_tree) {
		int mk = d->o.local_dir
				 ? hf__mkdirs_under(d->o.local_dir, ".cache/huggingface/trees", 0777)
				 : hf__mkdirs_under(d->rc.root, d->rc.folder, 0777) ||
					   hf__mkdirs_under(d->rc.repo_dir, "trees", 0777);

		if (!mk)
			(void)hf__tree_cache_save(tree, tree_path);
	}
done:
	free(tree_path);
	return rc;
}

/* ---- the snapshot and its plan ---- */

static int selected(const hf__dl *d, const char *path)
{
	return hf__filter_match(path, d->o.include, d->o.include ? d->o.include_count : 0,
				d->o.exclude, d->o.exclude ? d->o.exclude_count : 0);
}

int hf_download_snapshot(char **path_out, hf_client *c, const char *repo_id,
			 const hf_download_options *opts)
{
	hf__tree tree = { NULL, 0, 0 };
	hf__dl_job *jobs = NULL;
	size_t i, n = 0, missing = 0;
	char first_missing[512] = "";
	int rc, from_cache = 0;
	hf__dl d;

	if (!c || !path_out)
		return HF_EINVAL;
	*path_out = NULL;
	rc = hf__dl_init(&d, c, repo_id, opts);
	if (rc)
		goto done;
	if (d.o.dry_run) {
		rc = hf__error_set(c, HF_EINVAL, NULL, "use hf_download_plan() for a dry run");
		goto done;
	}
	if (d.o.local_dir && d.offline && !hf__is_commit_hash(d.revision)) {
		/* Offline, a local dir that holds files is the answer. */
		DIR *dir = opendir(d.o.local_dir);
		struct dirent *de;
		int files = 0;

		while (dir && (de = readdir(dir)))
			files |= de->d_name[0] != '.';
		if (dir)
			closedir(dir);
		rc = files ? hf__dl_set_out(&d, realpath(d.o.local_dir, NULL), path_out)
			   : hf__dl_offline_miss(&d, "the local folder");
		goto done;
	}
	rc = snapshot_listing(&d, &tree, 1, &from_cache);
	if (rc)
		goto done;
	if (from_cache == 2) {
		/* Offline without a listing: the snapshot folder, if there is one. */
		char *snap = hf__cache_path(&d.rc, "snapshots/%s", d.commit);
		struct stat st;

		if (d.o.local_dir && stat(d.o.local_dir, &st) == 0 && S_ISDIR(st.st_mode)) {
			rc = hf__dl_set_out(&d, realpath(d.o.local_dir, NULL), path_out);
		} else if (!d.o.local_dir && snap && stat(snap, &st) == 0 && S_ISDIR(st.st_mode)) {
			rc = hf__dl_set_out(&d, snap, path_out);
			snap = NULL;
		} else {
			/* The Hub's own error (still recorded) says more than "not cached". */
			rc = d.online_rc ? d.online_rc : hf__dl_offline_miss(&d, "the snapshot");
		}
		free(snap);
		goto done;
	}
	jobs = calloc(tree.count ? tree.count : 1, sizeof(*jobs));
	if (!jobs) {
		rc = hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
		goto done;
	}
	for (i = 0; i < tree.count; i++) {
		const hf__tree_file *f = &tree.files[i];

		if (!selected(&d, f->path))
			continue;
		d.prog.files_total++;
		d.prog.bytes_total += f->size;
		if (!d.o.local_dir && !d.o.force && hf__cache_pointer_ok(&d.rc, d.commit, f->path)) {
			d.prog.files_done++;
			d.prog.bytes_done += f->size;
			continue;
		}
		if (d.offline || from_cache) {
			if (!missing++)
				snprintf(first_missing, sizeof(first_missing), "%s", f->path);
			continue;
		}
		jobs[n].file = f->path;
		snprintf(jobs[n].etag, sizeof(jobs[n].etag), "%s", hf__tree_file_etag(f));
		jobs[n].size = f->size;
		n++;
	}
	if (missing && (d.online_rc == HF_EAUTH || d.online_rc == HF_EGATED ||
			d.online_rc == HF_ENOTFOUND || d.online_rc == HF_EFORBIDDEN)) {
		/* The Hub refused (its error is still recorded): say so, not "unreachable". */
		rc = d.online_rc;
		goto done;
	}
	if (missing) {
		rc = from_cache && !d.offline
			     ? hf__error_set(c, HF_ENETWORK,
					     "check your connection; the cached snapshot is incomplete",
					     "cannot reach the Hub, and %zu file(s) of %s '%s' are not cached (e.g. '%s')",
					     missing, hf__dl_type_word(&d), d.repo_id, first_missing)
			     : hf__error_set(c, HF_EOFFLINE,
					     "run the same command once online, or unset HF_HUB_OFFLINE",
					     "the cached snapshot of %s '%s' is incomplete: %zu file(s) missing (e.g. '%s'), "
					     "and offline mode is enabled",
					     hf__dl_type_word(&d), d.repo_id, missing, first_missing);
		goto done;
	}
	if (d.o.local_dir)
		hf__local_dir_prepare(&d);
	else if (strcmp(d.revision, d.commit) != 0 && !from_cache)
		(void)hf__cache_write_ref(&d.rc, d.revision, d.commit);
	if (d.o.progress && d.prog.files_done)
		hf__dl_progress(&d, NULL, 0, 0, 0, 0);
	rc = hf__dl_run_jobs(&d, jobs, n, d.o.local_dir ? hf__local_one : hf__dl_cache_one);
	if (rc)
		goto done;
	if (d.o.local_dir) {
		char *real = realpath(d.o.local_dir, NULL);

		if (!real)
			real = hf__strdup(d.o.local_dir);
		rc = hf__dl_set_out(&d, real, path_out);
	} else {
		char rel[64];

		snprintf(rel, sizeof(rel), "snapshots/%s", d.commit);
		(void)hf__mkdirs_under(d.rc.repo_dir, rel, 0777);
		rc = hf__dl_set_out(&d, hf__cache_path(&d.rc, "snapshots/%s", d.commit), path_out);
	}
done:
	free(jobs);
	hf__tree_dispose(&tree);
	hf__dl_dispose(&d);
	return rc;
}

static int plan_add(hf_plan *p, const char *path, uint64_t size, int sel, int will)
{
	hf_plan_file *f = &p->files[p->count];

	f->path = hf__strdup(path);
	if (!f->path)
		return -1;
	f->size = size;
	f->selected = sel;
	f->will_download = will;
	p->count++;
	return 0;
}

int hf_download_plan(hf_plan **out, hf_client *c, const char *repo_id, const char *filename,
		     const hf_download_options *opts)
{
	hf__tree tree = { NULL, 0, 0 };
	hf_plan *p = NULL;
	hf__file_meta meta;
	size_t i;
	int rc, from_cache = 0, no_fallback = 0;
	hf__dl d;

	if (!c || !out)
		return HF_EINVAL;
	*out = NULL;
	rc = hf__dl_init(&d, c, repo_id, opts);
	if (rc)
		goto done;
	p = calloc(1, sizeof(*p));
	if (!p) {
		rc = hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
		goto done;
	}
	if (filename) {
		const char *why = NULL;

		if (!hf__valid_filename(filename, &why)) {
			rc = hf__error_set(c, HF_EINVAL, NULL, "invalid file name '%s': %s", filename, why);
			goto done;
		}
		rc = hf__dl_head_file(&d, filename, &meta, &no_fallback);
		if (rc)
			goto done;
		memcpy(d.commit, meta.commit, 41);
		p->files = calloc(1, sizeof(*p->files));
		if (!p->files || plan_add(p, filename, meta.size, 1,
					  d.o.force || !hf__cache_pointer_ok(&d.rc, meta.commit, filename)) < 0)
			rc = hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
	} else {
		rc = snapshot_listing(&d, &tree, 0, &from_cache);
		if (rc)
			goto done;
		p->files = calloc(tree.count ? tree.count : 1, sizeof(*p->files));
		if (!p->files) {
			rc = hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
			goto done;
		}
		for (i = 0; i < tree.count && !rc; i++) {
			const hf__tree_file *f = &tree.files[i];
			int sel = selected(&d, f->path);
			int will = sel && (d.o.force || !hf__cache_pointer_ok(&d.rc, d.commit, f->path));

			if (plan_add(p, f->path, f->size, sel, will) < 0)
				rc = hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
		}
	}
	if (!rc) {
		p->commit = hf__strdup(d.commit);
		if (!p->commit)
			rc = hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
	}
done:
	if (rc)
		hf_plan_free(p);
	else
		*out = p;
	hf__tree_dispose(&tree);
	hf__dl_dispose(&d);
	return rc;
}

void hf_plan_free(hf_plan *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->count; i++)
		free(p->files[i].path);
	free(p->files);
	free(p->commit);
	free(p);
}

int hf__download_listing(hf_client *c, const char *repo_id, const hf_download_options *opts,
			 char commit[41], hf__tree *tree, int *listed, char **repo_dir)
{
	int rc, from_cache = 0;
	hf__dl d;

	*listed = 0;
	*repo_dir = NULL;
	rc = hf__dl_init(&d, c, repo_id, opts);
	if (!rc)
		rc = snapshot_listing(&d, tree, 1, &from_cache);
	if (!rc) {
		memcpy(commit, d.commit, 41);
		*listed = from_cache != 2;
		*repo_dir = hf__strdup(d.rc.repo_dir);
		if (!*repo_dir)
			rc = hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
	}
	hf__dl_dispose(&d);
	return rc;
}

/*
 * The public functions of include/hf/upload.h (except
 * hf_upload_large_folder): each builds a job of engine.h from its
 * arguments and runs it (docs/internals/upload.md, "The commit engine").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine.h"
#include "fsutil.h"
#include "paths.h"
#include "repo.h"
#include "tree.h"
#include "util.h"
#include "validate.h"
#include "walk.h"

HF__DEFINE_INIT(hf_upload_options_init, hf_upload_options, HF_UPLOAD_OPTIONS_INIT,
		HF_UPLOAD_OPTIONS_VERSION)

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

/*
 * Where hf__lfs_send keeps what resumes a multipart upload (it makes the
 * folder when it needs it, and does without when it cannot): a folder
 * upload keeps it beside the folder's hash cache; other uploads under
 * HF_HOME, per repository (the part URLs belong to one repository):
 * <HF_HOME>/upload/<type>s--<namespace>--<name>/multipart.
 */
static void set_resume_dir(hf__up *u, const char *folder)
{
	char *repo_dir;
	hf__buf b = HF__BUF_INIT;

	if (folder) {
		u->resume_dir = hf__path_join(folder, ".cache/huggingface/upload/multipart");
		return;
	}
	if (!u->c->cfg.hf_home || !(repo_dir = hf__repo_folder(u->type, u->repo_id)))
		return;
	if (hf__buf_printf(&b, "%s/upload/%s/multipart", u->c->cfg.hf_home, repo_dir) == 0)
		u->resume_dir = hf__buf_detach(&b);
	hf__buf_dispose(&b);
	free(repo_dir);
}

static int finish(hf__up *u, hf_commit_info **info_out, int rc)
{
	if (!rc)
		rc = hf__up_run(u, info_out);
	hf__up_dispose(u);
	return rc;
}

int hf_commit(hf_commit_info **info_out, hf_client *client, const char *repo_id,
	      const hf_commit_op *ops, size_t n_ops, const hf_upload_options *opts)
{
	hf__up u;
	size_t i;
	int rc;

	if (info_out)
		*info_out = NULL;
	rc = hf__up_begin(&u, client, repo_id, opts, NULL);
	if (!rc && (!ops || !n_ops))
		rc = hf__error_set(client, HF_EINVAL, NULL, "a commit needs at least one operation");
	for (i = 0; !rc && i < n_ops; i++) {
		const hf_commit_op *op = &ops[i];
		hf__up_item *it = hf__up_add(&u);

		if (!it) {
			rc = hf__error_set(client, HF_ENOMEM, NULL, "out of memory");
			break;
		}
		it->kind = op->kind;
		if (op->kind == HF_COMMIT_DELETE_FOLDER && op->path_in_repo) {
			/* "dir/" names the folder too, as in the official client. */
			size_t len = strlen(op->path_in_repo);
			char *p;

			while (len > 1 && op->path_in_repo[len - 1] == '/')
				len--;
			if (!(p = hf__strndup(op->path_in_repo, len))) {
				rc = hf__error_set(client, HF_ENOMEM, NULL, "out of memory");
				break;
			}
			rc = hf__up_set_path(&u, it, p);
			free(p);
		} else {
			rc = hf__up_set_path(&u, it, op->path_in_repo);
		}
		if (rc)
			break;
		switch (op->kind) {
		case HF_COMMIT_ADD_FILE:
			if (!op->local_path || !*op->local_path)
				rc = hf__error_set(client, HF_EINVAL, NULL, "no local file for '%s'", it->path);
			else if (!(it->local = hf__strdup(op->local_path)))
				rc = hf__error_set(client, HF_ENOMEM, NULL, "out of memory");
			break;
		case HF_COMMIT_ADD_BUFFER:
			if (!op->data && op->len)
				rc = hf__error_set(client, HF_EINVAL, NULL, "no data for '%s'", it->path);
			it->data = op->data;
			it->len = op->len;
			break;
		case HF_COMMIT_DELETE_FILE:
		case HF_COMMIT_DELETE_FOLDER:
			break;
		case HF_COMMIT_COPY_FILE: {
			const char *normal = NULL, *why = NULL;

			if (!op->src_path || !hf__upload_path_in_repo(op->src_path, &normal, &why)) {
				rc = hf__error_set(client, HF_EINVAL, NULL, "invalid copy source '%s': %s",
						   op->src_path ? op->src_path : "(null)",
						   why ? why : "missing");
				break;
			}
			if (op->src_revision && !hf__valid_revision(op->src_revision)) {
				rc = hf__error_set(client, HF_EINVAL, NULL, "invalid revision '%s'",
						   op->src_revision);
				break;
			}
			it->src_path = hf__strdup(normal);
			it->src_rev = hf__strdup(op->src_revision);
			if (!it->src_path || (op->src_revision && !it->src_rev))
				rc = hf__error_set(client, HF_ENOMEM, NULL, "out of memory");
			break;
		}
		default:
			rc = hf__error_set(client, HF_EINVAL, NULL, "unknown operation kind %d", op->kind);
		}
	}
	if (!rc)
		set_resume_dir(&u, NULL);
	return finish(&u, info_out, rc);
}

int hf_upload_file(hf_commit_info **info_out, hf_client *client, const char *repo_id,
		   const char *local_path, const char *path_in_repo, const hf_upload_options *opts)
{
	hf__up u;
	hf__up_item *it;
	char *msg = NULL;
	const char *base, *target = path_in_repo;
	int rc;

	if (info_out)
		*info_out = NULL;
	if (!client)
		return HF_EINVAL;
	if (!local_path || !*local_path) {
		hf__error_clear(client);
		return hf__error_set(client, HF_EINVAL, NULL, "no local file given");
	}
	if (!target || !*target) {
		base = strrchr(local_path, '/');
		target = base ? base + 1 : local_path;
	}
	{
		const char *normal = NULL;

		if (hf__upload_path_in_repo(target, &normal, NULL)) {
			hf__buf b = HF__BUF_INIT;

			if (hf__buf_printf(&b, "Upload %s with huggingface_hub", normal) == 0)
				msg = hf__buf_detach(&b);
			hf__buf_dispose(&b);
		}
	}
	rc = hf__up_begin(&u, client, repo_id, opts, msg ? msg : "Upload file with huggingface_hub");
	if (!rc) {
		it = hf__up_add(&u);
		if (!it)
			rc = hf__error_set(client, HF_ENOMEM, NULL, "out of memory");
		else {
			it->kind = HF_COMMIT_ADD_FILE;
			rc = hf__up_set_path(&u, it, target);
			if (!rc && !(it->local = hf__strdup(local_path)))
				rc = hf__error_set(client, HF_ENOMEM, NULL, "out of memory");
		}
	}
	if (!rc)
		set_resume_dir(&u, NULL);
	rc = finish(&u, info_out, rc);
	free(msg);
	return rc;
}

/* --delete: the remote files under the folder's path that match (§1 step 3). */
static int add_deletes(hf__up *u, const char *prefix)
{
	hf__tree tree = { 0 };
	hf__hub_subject s = hf__up_subject(u, NULL);
	/* With create_pr the listing is of main (as the official client). */
	const char *rev = u->o.create_pr ? "main" : u->revision;
	char *q = hf__quote(rev, "");
	size_t i, j, nadd = u->n;
	int rc;

	if (!q)
		return hf__error_set(u->c, HF_ENOMEM, NULL, "out of memory");
	s.revision = rev;
	rc = hf__tree_fetch(u->c, u->type, u->repo_id, q, u->token, &s, &tree);
	free(q);
	for (i = 0; !rc && i < tree.count; i++) {
		const char *path = tree.files[i].path;
		int added = 0;
		hf__up_item *it;

		if (!hf__upload_delete_match(path, prefix, u->o.delete_patterns, u->o.delete_count))
			continue;
		for (j = 0; j < nadd && !added; j++)
			added = strcmp(u->items[j].path, path) == 0;
		if (added)
			continue;
		if (!(it = hf__up_add(u)) || !(it->path = hf__strdup(path))) {
			rc = hf__error_set(u->c, HF_ENOMEM, NULL, "out of memory");
			break;
		}
		it->kind = HF_COMMIT_DELETE_FILE;
	}
	hf__tree_dispose(&tree);
	return rc;
}

int hf_upload_folder(hf_commit_info **info_out, hf_client *client, const char *repo_id,
		     const char *folder, const char *path_in_repo, const hf_upload_options *opts)
{
	hf__up u;
	hf__walk w = HF__WALK_INIT;
	const char *prefix = "";
	char *bad = NULL, *prefix_buf = NULL;
	size_t i;
	int rc;

	if (info_out)
		*info_out = NULL;
	rc = hf__up_begin(&u, client, repo_id, opts, "Upload folder using huggingface_hub");
	if (!rc && u.o.create_pr && strcmp(u.revision, "main") != 0)
		rc = hf__error_set(client, HF_EINVAL, "leave the revision out (main) to open a pull request",
				   "create_pr with a folder upload needs revision 'main', not '%s'",
				   u.revision);
	if (!rc && (!folder || !*folder))
		rc = hf__error_set(client, HF_EINVAL, NULL, "no folder given");
	if (!rc && path_in_repo && *path_in_repo && strcmp(path_in_repo, ".") != 0 &&
	    strcmp(path_in_repo, "/") != 0) {
		const char *why = NULL;
		size_t len = strlen(path_in_repo);

		/* "a/" is "a" here: the place of a folder. */
		while (len > 1 && path_in_repo[len - 1] == '/')
			len--;
		if (!(prefix_buf = hf__strndup(path_in_repo, len))) {
			rc = hf__error_set(client, HF_ENOMEM, NULL, "out of memory");
		} else if (!hf__upload_path_in_repo(prefix_buf, &prefix, &why)) {
			rc = hf__error_set(client, HF_EINVAL, NULL, "invalid path in repo '%s': %s",
					   path_in_repo, why ? why : "");
			prefix = "";
		}
	}
	if (!rc) {
		rc = hf__walk_folder(folder, u.o.include, u.o.include_count, u.o.exclude,
				     u.o.exclude_count, &w, &bad);
		if (rc == -ENOTDIR || rc == -ENOENT)
			rc = hf__error_set(client, HF_EINVAL, "give the path of a folder",
					   "'%s' is not a directory", folder);
		else if (rc == -ENOMEM)
			rc = hf__error_set(client, HF_ENOMEM, NULL, "out of memory");
		else if (rc)
			rc = hf__error_set(client, HF_EIO, NULL, "cannot read the folder '%s': %s",
					   bad ? bad : folder, strerror(-rc));
		free(bad);
	}
	for (i = 0; !rc && i < w.n; i++) {
		hf__up_item *it = hf__up_add(&u);
		char *path;

		if (!it) {
			rc = hf__error_set(client, HF_ENOMEM, NULL, "out of memory");
			break;
		}
		path = *prefix ? hf__path_join(prefix, w.files[i].rel) : hf__strdup(w.files[i].rel);
		it->kind = HF_COMMIT_ADD_FILE;
		if (!path) {
			rc = hf__error_set(client, HF_ENOMEM, NULL, "out of memory");
			break;
		}
		rc = hf__up_set_path(&u, it, path);
		free(path);
		if (rc)
			break;
		it->local = w.files[i].abs;
		it->cache_key = w.files[i].rel;
		w.files[i].abs = w.files[i].rel = NULL;
	}
	hf__walk_dispose(&w);
	if (!rc && u.o.delete_count)
		rc = add_deletes(&u, prefix);
	if (!rc) {
		u.folder = folder;
		set_resume_dir(&u, folder);
	}
	rc = finish(&u, info_out, rc);
	free(prefix_buf);
	return rc;
}

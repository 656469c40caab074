/*
 * hf_cache_delete and hf_cache_prune (docs/internals/cache.md, "Prune and delete").
 * Everything is removed with unlinkat() on directories opened with
 * O_NOFOLLOW: a link is removed as a link, never followed. A blob whose
 * .lock is held (a download is writing it) is never removed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cache_scan.h"
#include "repo.h"
#include "util.h"
#include "validate.h"

static int is_dot(const char *n)
{
	return n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2]));
}

/* Remove name (a file, a link, or a whole directory) below parent. */
static int remove_at(int parent, const char *name, int depth)
{
	struct stat st;
	int fd, rc = 0;
	DIR *d;
	struct dirent *de;

	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(parent, name, 0) == 0 || errno == ENOENT ? 0 : -errno;
	if (depth > 128)
		return -ELOOP;
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d)) && !rc)
		if (!is_dot(de->d_name))
			rc = remove_at(dirfd(d), de->d_name, depth + 1);
	closedir(d);
	if (!rc && unlinkat(parent, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
		rc = -errno;
	return rc;
}

/* Remove a relative path (a/b/c) below base without following links. */
static int remove_rel(const char *base, const char *rel)
{
	char *copy = hf__strdup(rel), *slash;
	int fd, rc;

	if (!copy)
		return -ENOMEM;
	fd = open(base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		free(copy);
		return errno == ENOENT ? 0 : -errno;
	}
	slash = strrchr(copy, '/');
	if (slash) {
		int sub;

		*slash = '\0';
		/* Walk the parents one by one, refusing links. */
		{
			char *seg, *save = NULL;

			for (seg = strtok_r(copy, "/", &save); seg; seg = strtok_r(NULL, "/", &save)) {
				sub = openat(fd, seg, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
				close(fd);
				if (sub < 0) {
					free(copy);
					return errno == ENOENT ? 0 : -errno;
				}
				fd = sub;
			}
		}
		rc = remove_at(fd, slash + 1, 0);
	} else {
		rc = remove_at(fd, copy, 0);
	}
	close(fd);
	free(copy);
	return rc;
}

/*
 * Try to take the download lock of a blob without waiting. Returns the
 * descriptor (or -1 when there is no lock file: nobody downloads it), or
 * -2 when a running download holds it.
 */
static int try_blob_lock(const char *root, const char *folder, const char *etag)
{
	hf__buf p = HF__BUF_INIT;
	int fd;

	if (hf__buf_printf(&p, "%s/.locks/%s/%s.lock", root, folder, etag) < 0)
		return -1;
	fd = open(p.data, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	hf__buf_dispose(&p);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int busy = errno == EWOULDBLOCK;

		close(fd);
		return busy ? -2 : -1;
	}
	return fd;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* A blob path is this repo's blobs/<name>. */
static int is_repo_blob(const hf_cached_repo *repo, const char *blob_path)
{
	size_t n = strlen(repo->repo_path);

	return strncmp(blob_path, repo->repo_path, n) == 0 && strncmp(blob_path + n, "/blobs/", 7) == 0;
}

static int blob_kept(const hf_cached_repo *repo, const unsigned char *doomed, const char *name)
{
	size_t i, j;

	for (i = 0; i < repo->nb_revisions; i++) {
		if (doomed[i])
			continue;
		for (j = 0; j < repo->revisions[i].nb_files; j++)
			if (strcmp(base_name(repo->revisions[i].files[j].blob_path), name) == 0)
				return 1;
	}
	return 0;
}

/* Is a download running in the repository: any of its .locks held? */
static int repo_busy(const char *root, const char *folder)
{
	hf__buf locks = HF__BUF_INIT;
	DIR *d;
	struct dirent *de;
	int busy = 0;

	hf__buf_printf(&locks, "%s/.locks/%s", root, folder);
	d = locks.data ? opendir(locks.data) : NULL;
	while (d && (de = readdir(d)) && !busy) {
		size_t n = strlen(de->d_name);
		char etag[128];
		int fd;

		if (n <= 5 || strcmp(de->d_name + n - 5, ".lock") != 0 || n - 5 >= sizeof(etag))
			continue;
		snprintf(etag, sizeof(etag), "%.*s", (int)(n - 5), de->d_name);
		fd = try_blob_lock(root, folder, etag);
		if (fd == -2)
			busy = 1;
		if (fd >= 0)
			close(fd);
	}
	if (d)
		closedir(d);
	hf__buf_dispose(&locks);
	return busy;
}

/* Delete the revisions marked in doomed (all of them: the whole repo). */
static int delete_revisions(hf_client *c, const char *root, const char *folder, hf_cached_repo *repo,
			    const unsigned char *doomed, int dry_run, hf_cache_delete_result *res)
{
	size_t i, j, n_doomed = 0;
	int rc = 0;

	for (i = 0; i < repo->nb_revisions; i++)
		n_doomed += doomed[i] ? 1 : 0;
	if (n_doomed == repo->nb_revisions) {
		/* The whole repository, unless a download is running in it. */
		if (repo_busy(root, folder))
			return hf__error_set(c, HF_ELOCKED, "wait for the download to finish, then retry",
					     "a download of %s '%s' is running", hf_repo_type_name(repo->repo_type),
					     repo->repo_id);
		if (!dry_run) {
			rc = remove_rel(root, folder);
			if (rc)
				return hf__error_set(c, HF_EIO, NULL, "cannot delete '%s': %s", repo->repo_path,
						     strerror(-rc));
		}
		res->repos_deleted++;
		res->freed += repo->size_on_disk;
		return HF_OK;
	}
	for (i = 0; i < repo->nb_revisions && !rc; i++) {
		hf_cached_revision *rev = &repo->revisions[i];
		char rel[128];
		size_t k;

		if (!doomed[i])
			continue;
		res->revisions_deleted++;
		if (dry_run)
			goto blobs;
		snprintf(rel, sizeof(rel), "snapshots/%s", rev->commit_hash);
		rc = remove_rel(repo->repo_path, rel);
		for (k = 0; !rc && k < rev->refs.count; k++) {
			hf__buf r = HF__BUF_INIT;

			if (hf__buf_printf(&r, "refs/%s", rev->refs.items[k]) == 0)
				rc = remove_rel(repo->repo_path, r.data);
			hf__buf_dispose(&r);
		}
blobs:
		for (j = 0; !rc && j < rev->nb_files; j++) {
			const hf_cached_file *f = &rev->files[j];
			const char *name = base_name(f->blob_path);
			size_t m;
			int seen = 0, fd;

			if (!is_repo_blob(repo, f->blob_path)) {
				/* No-symlink cache: the file is its own blob, gone with its snapshot. */
				res->freed += f->size_on_disk;
				continue;
			}
			if (blob_kept(repo, doomed, name))
				continue;
			/* Count each blob once even if several doomed files share it. */
			for (m = 0; m < j && !seen; m++)
				seen = strcmp(base_name(rev->files[m].blob_path), name) == 0;
			for (m = 0; m < i && !seen; m++) {
				size_t q;

				for (q = 0; doomed[m] && q < repo->revisions[m].nb_files && !seen; q++)
					seen = strcmp(base_name(repo->revisions[m].files[q].blob_path), name) == 0;
			}
			if (seen)
				continue;
			fd = try_blob_lock(root, folder, name);
			if (fd == -2) {
				res->skipped_locked++;
				continue;
			}
			if (!dry_run) {
				char brel[200];

				snprintf(brel, sizeof(brel), "blobs/%s", name);
				rc = remove_rel(repo->repo_path, brel);
			}
			if (fd >= 0)
				close(fd);
			if (!rc)
				res->freed += f->size_on_disk;
		}
	}
	if (rc)
		return hf__error_set(c, HF_EIO, NULL, "cannot delete from '%s': %s", repo->repo_path,
				     strerror(-rc));
	return HF_OK;
}

HF__DEFINE_INIT(hf_cache_delete_result_init, hf_cache_delete_result, HF_CACHE_DELETE_RESULT_INIT, HF_CACHE_DELETE_RESULT_VERSION)

HF__DEFINE_INIT(hf_cache_delete_options_init, hf_cache_delete_options, HF_CACHE_DELETE_OPTIONS_INIT, HF_CACHE_DELETE_OPTIONS_VERSION)

HF__DEFINE_INIT(hf_cache_prune_options_init, hf_cache_prune_options, HF_CACHE_PRUNE_OPTIONS_INIT, HF_CACHE_PRUNE_OPTIONS_VERSION)

/* Refuse a result struct of a layout this library does not know. */
static int check_result(hf_client *c, const hf_cache_delete_result *result)
{
	if (result && result->version != HF_CACHE_DELETE_RESULT_VERSION)
		return hf__error_set(c, HF_EINVAL, NULL, "hf_cache_delete_result version %u is not supported",
				     result->version);
	return HF_OK;
}

int hf_cache_delete(hf_cache_delete_result *result, hf_client *c, const char *repo_id,
		    const hf_cache_delete_options *opts)
{
	hf_cache_delete_options o = HF_CACHE_DELETE_OPTIONS_INIT;
	hf_cache_delete_result res = HF_CACHE_DELETE_RESULT_INIT;
	hf_cache_info scratch;
	hf_cached_repo repo;
	unsigned char *doomed = NULL;
	char *root = NULL, *folder = NULL, warn[1200];
	const char *const *revisions;
	const char *cache_dir;
	hf_repo_type type;
	size_t i, k, count;
	int rc = HF_OK, r, dry_run;

	if (!c)
		return HF_EINVAL;
	hf__error_clear(c);
	if (opts && opts->version != HF_CACHE_DELETE_OPTIONS_VERSION)
		return hf__error_set(c, HF_EINVAL, NULL, "hf_cache_delete_options version %u is not supported",
				     opts->version);
	rc = check_result(c, result);
	if (rc)
		return rc;
	if (opts)
		o = *opts;
	type = o.repo_type;
	revisions = o.revisions;
	count = o.revision_count;
	cache_dir = o.cache_dir;
	dry_run = o.dry_run;
	memset(&scratch, 0, sizeof(scratch));
	if (!repo_id || !hf__valid_repo_id(repo_id))
		return hf__error_set(c, HF_EINVAL, NULL, "invalid repository id '%s'", repo_id ? repo_id : "");
	for (k = 0; revisions && k < count; k++)
		if (!hf__is_commit_hash(revisions[k]))
			return hf__error_set(c, HF_EINVAL, "give the full 40-character commit hash",
					     "invalid revision '%s'", revisions[k]);
	root = hf__cache_root(c, cache_dir);
	folder = hf__repo_folder(type, repo_id);
	if (!root || !folder) {
		rc = hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
		goto done;
	}
	warn[0] = '\0';
	r = hf__scan_repo(root, folder, &repo, &scratch, warn, sizeof(warn));
	if (r == -2) {
		rc = hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
		goto done;
	}
	if (r < 0) {
		struct stat st;
		hf__buf p = HF__BUF_INIT;
		int whole;

		hf__buf_printf(&p, "%s/%s", root, folder);
		whole = p.data && lstat(p.data, &st) == 0 && S_ISDIR(st.st_mode) && (!revisions || !count);
		/* A corrupt repository can still be deleted whole, unless a download runs in it. */
		if (whole && repo_busy(root, folder)) {
			rc = hf__error_set(c, HF_ELOCKED, "wait for the download to finish, then retry",
					   "a download of %s '%s' is running", hf_repo_type_name(type), repo_id);
		} else if (whole) {
			if (!dry_run)
				r = remove_rel(root, folder);
			res.repos_deleted = r == 0 || dry_run ? 1 : 0;
			rc = r && !dry_run ? hf__error_set(c, HF_EIO, NULL, "cannot delete '%s': %s", p.data,
							   strerror(-r))
					   : HF_OK;
		} else {
			rc = hf__error_set(c, HF_ENOTFOUND, "list what is cached",
					   "%s '%s' is not in the cache (%s)", hf_repo_type_name(type), repo_id,
					   root);
			hf__error_remedy(c, HF_REMEDY_LIST_CACHE);
		}
		hf__buf_dispose(&p);
		goto done;
	}
	doomed = calloc(repo.nb_revisions ? repo.nb_revisions : 1, 1);
	if (!doomed) {
		hf__cached_repo_dispose(&repo);
		rc = hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
		goto done;
	}
	for (i = 0; i < repo.nb_revisions; i++)
		doomed[i] = !revisions || !count;
	for (k = 0; revisions && k < count; k++) {
		int found = 0;

		for (i = 0; i < repo.nb_revisions; i++) {
			if (strcmp(repo.revisions[i].commit_hash, revisions[k]) == 0) {
				doomed[i] = 1;
				found = 1;
			}
		}
		if (!found) {
			rc = hf__error_set(c, HF_ENOTFOUND, NULL, "revision %s of %s '%s' is not in the cache",
					   revisions[k], hf_repo_type_name(type), repo_id);
			break;
		}
	}
	if (!rc)
		rc = delete_revisions(c, root, folder, &repo, doomed, dry_run, &res);
	hf__cached_repo_dispose(&repo);
done:
	hf_strlist_dispose(&scratch.incomplete_files);
	free(doomed);
	free(root);
	free(folder);
	if (result)
		*result = res;
	return rc;
}

/* Remove blobs/<etag>.<8hex>.incomplete (and .resume) that nobody holds. */
static int prune_incomplete(const char *root, const hf_cache_info *info, int dry_run,
			    hf_cache_delete_result *res)
{
	size_t i;

	for (i = 0; i < info->incomplete_files.count; i++) {
		const char *path = info->incomplete_files.items[i];
		const char *name = base_name(path);
		const char *blobs = strstr(path, "/blobs/");
		char etag[128], folder[512];
		struct stat st;
		size_t n = strcspn(name, ".");
		int fd;

		if (!blobs || n >= sizeof(etag) || strlen(root) + 1 >= (size_t)(blobs - path))
			continue;
		snprintf(etag, sizeof(etag), "%.*s", (int)n, name);
		snprintf(folder, sizeof(folder), "%.*s", (int)((size_t)(blobs - path) - strlen(root) - 1),
			 path + strlen(root) + 1);
		fd = try_blob_lock(root, folder, etag);
		if (fd == -2) {
			res->skipped_locked++;
			continue;
		}
		if (lstat(path, &st) == 0)
			res->freed += (uint64_t)st.st_size;
		if (!dry_run) {
			hf__buf r = HF__BUF_INIT;

			unlink(path);
			if (hf__buf_printf(&r, "%s.resume", path) == 0)
				unlink(r.data);
			hf__buf_dispose(&r);
		}
		if (fd >= 0)
			close(fd);
	}
	return 0;
}

int hf_cache_prune(hf_cache_delete_result *result, hf_client *c, const hf_cache_prune_options *opts)
{
	hf_cache_prune_options o = HF_CACHE_PRUNE_OPTIONS_INIT;
	hf_cache_delete_result res = HF_CACHE_DELETE_RESULT_INIT;
	hf_cache_info *info = NULL;
	size_t i, j;
	int rc, dry_run;

	if (!c)
		return HF_EINVAL;
	hf__error_clear(c);
	if (opts && opts->version != HF_CACHE_PRUNE_OPTIONS_VERSION)
		return hf__error_set(c, HF_EINVAL, NULL, "hf_cache_prune_options version %u is not supported",
				     opts->version);
	rc = check_result(c, result);
	if (rc)
		return rc;
	if (opts)
		o = *opts;
	dry_run = o.dry_run;
	rc = hf_cache_scan(&info, c, o.cache_dir);
	if (rc) {
		if (result)
			*result = res;
		return rc;
	}
	for (i = 0; i < info->nb_repos && !rc; i++) {
		hf_cached_repo *repo = &info->repos[i];
		unsigned char *doomed = calloc(repo->nb_revisions ? repo->nb_revisions : 1, 1);
		const char *folder = base_name(repo->repo_path);
		int any = 0;

		if (!doomed) {
			rc = hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
			break;
		}
		for (j = 0; j < repo->nb_revisions; j++) {
			doomed[j] = repo->revisions[j].refs.count == 0;
			any |= doomed[j];
		}
		if (any)
			rc = delete_revisions(c, info->cache_dir, folder, repo, doomed, dry_run, &res);
		free(doomed);
	}
	if (!rc)
		prune_incomplete(info->cache_dir, info, dry_run, &res);
	hf_cache_info_free(info);
	if (result)
		*result = res;
	return rc;
}

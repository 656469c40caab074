/*
 * hf_cache_scan (docs/internals/cache.md, the layout it reads). Built on openat/fstatat so that a
 * cache of 100,000 files is a few hundred thousand system calls, and never
 * follows a link out of the cache: a snapshot link counts only when it
 * points into its own repository's blobs/.
 */
#include "cache_scan.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cache.h"
#include "config.h"
#include "fsutil.h"
#include "util.h"
#include "validate.h"

char *hf__cache_root(hf_client *c, const char *cache_dir)
{
	if (cache_dir && *cache_dir) {
		char *expanded = hf__expand_path(cache_dir, c->env.fn, c->env.payload);
		char *abs = expanded ? hf__absolute_path(expanded) : NULL;

		free(expanded);
		return abs;
	}
	return hf__strdup(c->cfg.hub_cache);
}

/* ---- blob table: name -> stat, so each blob is counted once ---- */

typedef struct blob {
	const char *name; /* points into a file's blob_path (or file_path): any length */
	uint64_t size;
	int64_t atime, mtime;
	int seen_in_revision; /* revision index + 1 of the last revision that counted it */
	int used;
} blob;

typedef struct blob_table {
	blob *slots;
	size_t cap, count;
} blob_table;

static size_t hash_name(const char *s)
{
	size_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static blob *table_find(blob_table *t, const char *name, int insert)
{
	size_t i;

	if (insert && (t->count + 1) * 2 > t->cap) {
		blob_table bigger = { NULL, t->cap ? t->cap * 2 : 256, 0 };
		size_t k;

		bigger.slots = calloc(bigger.cap, sizeof(blob));
		if (!bigger.slots)
			return NULL;
		for (k = 0; k < t->cap; k++) {
			if (t->slots[k].name) {
				size_t j = hash_name(t->slots[k].name) & (bigger.cap - 1);

				while (bigger.slots[j].name)
					j = (j + 1) & (bigger.cap - 1);
				bigger.slots[j] = t->slots[k];
				bigger.count++;
			}
		}
		free(t->slots);
		*t = bigger;
	}
	if (!t->cap)
		return NULL;
	for (i = hash_name(name) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
		if (!t->slots[i].name) {
			if (!insert)
				return NULL;
			t->slots[i].name = name;
			t->count++;
			return &t->slots[i];
		}
		if (strcmp(t->slots[i].name, name) == 0)
			return &t->slots[i];
	}
}

/* ---- refs ---- */

typedef struct ref {
	char *name;
	char commit[41];
} ref;

typedef struct refs {
	ref *items;
	size_t count;
} refs;

static void refs_dispose(refs *r)
{
	size_t i;

	for (i = 0; i < r->count; i++)
		free(r->items[i].name);
	free(r->items);
}

/* Read refs/ recursively: refs/refs/pr/1 is the ref "refs/pr/1". */
static int read_refs(int dirfd, const char *prefix, refs *out, int depth)
{
	DIR *d;
	struct dirent *de;
	int fd, rc = 0;

	if (depth > 8)
		return 0;
	fd = dup(dirfd);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((de = readdir(d)) && !rc) {
		struct stat st;
		char name[1024];

		if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		snprintf(name, sizeof(name), "%s%s", prefix, de->d_name);
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			char p2[1100];

			if (sub >= 0) {
				snprintf(p2, sizeof(p2), "%s/", name);
				rc = read_refs(sub, p2, out, depth + 1);
				close(sub);
			}
		} else if (S_ISREG(st.st_mode) && st.st_size <= 128) {
			char buf[130];
			int f = openat(dirfd, de->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			ssize_t n = f >= 0 ? read(f, buf, sizeof(buf) - 1) : -1;
			char commit[41];
			ref *items;

			if (f >= 0)
				close(f);
			/* Read as a download reads it: anything else is no ref. */
			if (n < 40 || !hf__ref_parse(buf, (size_t)n, commit))
				continue;
			items = realloc(out->items, (out->count + 1) * sizeof(ref));
			if (!items) {
				rc = -2;
				break;
			}
			out->items = items;
			out->items[out->count].name = hf__strdup(name);
			if (!out->items[out->count].name) {
				rc = -2;
				break;
			}
			memcpy(out->items[out->count].commit, commit, 41);
			out->count++;
		}
	}
	closedir(d);
	return rc;
}

/* ---- snapshots ---- */

typedef struct walk {
	const char *repo_dir;
	int blobs_fd;
	blob_table *blobs;
	hf_cached_revision *rev;
	int rev_index;
	char *warn;
	size_t warnlen;
	int corrupt;
	int oom;
} walk;

static int add_file(walk *w, const char *rel, const char *blob_name, const struct stat *bst)
{
	hf_cached_revision *rev = w->rev;
	hf_cached_file *files = realloc(rev->files, (rev->nb_files + 1) * sizeof(*files));
	hf_cached_file *f;
	blob *b;

	if (!files)
		return -2;
	rev->files = files;
	f = &rev->files[rev->nb_files];
	memset(f, 0, sizeof(*f));
	f->file_name = hf__strdup(rel);
	{
		hf__buf p = HF__BUF_INIT, bp = HF__BUF_INIT;

		hf__buf_printf(&p, "%s/snapshots/%s/%s", w->repo_dir, rev->commit_hash, rel);
		if (blob_name)
			hf__buf_printf(&bp, "%s/blobs/%s", w->repo_dir, blob_name);
		else
			hf__buf_printf(&bp, "%s/snapshots/%s/%s", w->repo_dir, rev->commit_hash, rel);
		f->file_path = hf__buf_detach(&p);
		f->blob_path = hf__buf_detach(&bp);
	}
	if (!f->file_name || !f->file_path || !f->blob_path)
		return -2;
	f->size_on_disk = (uint64_t)bst->st_size;
	f->blob_last_accessed = (int64_t)bst->st_atime;
	f->blob_last_modified = (int64_t)bst->st_mtime;
	rev->nb_files++;
	if ((int64_t)bst->st_mtime > rev->last_modified)
		rev->last_modified = (int64_t)bst->st_mtime;
	/*
	 * Unique blobs: a file in no-symlink mode is its own blob. The key lives
	 * as long as the file entry (blob_path ends with the blob's name).
	 */
	b = table_find(w->blobs,
		       blob_name ? f->blob_path + strlen(f->blob_path) - strlen(blob_name)
				 : f->file_path + strlen(w->repo_dir),
		       1);
	if (!b)
		return -2;
	b->size = (uint64_t)bst->st_size;
	b->atime = (int64_t)bst->st_atime;
	b->mtime = (int64_t)bst->st_mtime;
	b->used = 1;
	if (b->seen_in_revision != w->rev_index + 1) {
		b->seen_in_revision = w->rev_index + 1;
		rev->size_on_disk += b->size;
	}
	return 0;
}

/* The blob a snapshot link names, if it is the official shape for its depth. */
static const char *link_blob(const char *target, int depth)
{
	const char *p = target;
	int i;

	for (i = 0; i < depth + 2; i++) {
		if (strncmp(p, "../", 3) != 0)
			return NULL;
		p += 3;
	}
	if (strncmp(p, "blobs/", 6) != 0 || strchr(p + 6, '/') || !p[6])
		return NULL;
	return p + 6;
}

static int walk_dir(walk *w, int dirfd, const char *rel, int depth)
{
	DIR *d;
	struct dirent *de;
	int fd = dup(dirfd), rc = 0;

	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((de = readdir(d)) && !rc && !w->corrupt) {
		struct stat st, bst;
		char path[4096];

		if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		snprintf(path, sizeof(path), "%s%s%s", rel, *rel ? "/" : "", de->d_name);
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int sub = depth < 64 ? openat(dirfd, de->d_name,
						      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;

			if (sub >= 0) {
				rc = walk_dir(w, sub, path, depth + 1);
				close(sub);
			}
		} else if (S_ISLNK(st.st_mode)) {
			char target[1024];
			ssize_t n = readlinkat(dirfd, de->d_name, target, sizeof(target) - 1);
			const char *name;

			if (n <= 0)
				continue;
			target[n] = '\0';
			name = link_blob(target, depth);
			if (!name) {
				/* Points anywhere but this repo's blobs: never followed. */
				snprintf(w->warn, w->warnlen,
					 "Snapshot link points outside the repository's blobs: %s/snapshots/%s/%s",
					 w->repo_dir, w->rev->commit_hash, path);
				w->corrupt = 1;
				break;
			}
			if (fstatat(w->blobs_fd, name, &bst, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(bst.st_mode)) {
				snprintf(w->warn, w->warnlen, "Blob missing (broken symlink): %s/snapshots/%s/%s",
					 w->repo_dir, w->rev->commit_hash, path);
				w->corrupt = 1;
				break;
			}
			rc = add_file(w, path, name, &bst);
		} else if (S_ISREG(st.st_mode)) {
			rc = add_file(w, path, NULL, &st);
		}
	}
	closedir(d);
	return rc;
}

static int cmp_rev(const void *a, const void *b)
{
	return strcmp(((const hf_cached_revision *)a)->commit_hash,
		      ((const hf_cached_revision *)b)->commit_hash);
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const hf_cached_file *)a)->file_name, ((const hf_cached_file *)b)->file_name);
}

static int cmp_ref_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void hf__cached_repo_dispose(hf_cached_repo *repo)
{
	size_t i, j;

	for (i = 0; i < repo->nb_revisions; i++) {
		hf_cached_revision *r = &repo->revisions[i];

		for (j = 0; j < r->nb_files; j++) {
			free(r->files[j].file_name);
			free(r->files[j].file_path);
			free(r->files[j].blob_path);
		}
		free(r->files);
		free(r->snapshot_path);
		hf_strlist_dispose(&r->refs);
	}
	free(repo->revisions);
	free(repo->repo_id);
	free(repo->repo_path);
	memset(repo, 0, sizeof(*repo));
}

/*
 * A download's file in blobs/: <x>.incomplete (the partial), a checkpoint
 * whose partial is gone (<x>.incomplete.resume: killed while a resume took
 * the partial over) and a checkpoint a killed writer was replacing
 * (<x>.incomplete.resume.<8 hex>.tmp). Kept by their download while its
 * blob lock is held; prune takes the blob lock before removing them.
 */
static int is_download_leftover(int blobs_fd, const char *name)
{
	static const char resume[] = ".incomplete.resume";
	size_t n = strlen(name), i;
	const char *p = strstr(name, resume);
	char partial[512];
	struct stat st;

	if (n > 11 && strcmp(name + n - 11, ".incomplete") == 0)
		return 1;
	if (!p || p == name)
		return 0;
	p += sizeof(resume) - 1;
	if (!*p) {
		if ((size_t)(p - name) - 7 >= sizeof(partial))
			return 0;
		snprintf(partial, sizeof(partial), "%.*s", (int)(p - name) - 7, name);
		return fstatat(blobs_fd, partial, &st, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT;
	}
	if (strlen(p) != 13 || p[0] != '.' || strcmp(p + 9, ".tmp") != 0)
		return 0;
	for (i = 1; i < 9; i++)
		if (!isxdigit((unsigned char)p[i]))
			return 0;
	return 1;
}

/* Record the leftovers of downloads in blobs/ (is_download_leftover). */
static int note_incomplete(int blobs_fd, const char *repo_dir, hf_cache_info *info)
{
	int fd = dup(blobs_fd), rc = 0;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((de = readdir(d)) && !rc) {
		struct stat st;
		char path[4096];

		if (!is_download_leftover(blobs_fd, de->d_name))
			continue;
		if (fstatat(blobs_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
			continue;
		snprintf(path, sizeof(path), "%s/blobs/%s", repo_dir, de->d_name);
		if (hf__strlist_push(&info->incomplete_files, path) < 0)
			rc = -2;
		info->incomplete_size += (uint64_t)st.st_size;
	}
	closedir(d);
	return rc;
}

int hf__scan_repo(const char *root, const char *name, hf_cached_repo *repo, hf_cache_info *info,
		  char *warn, size_t warnlen)
{
	blob_table blobs = { NULL, 0, 0 };
	refs rf = { NULL, 0 };
	const char *dashes = strstr(name, "--");
	int repo_fd = -1, snaps_fd = -1, blobs_fd = -1, refs_fd = -1, rc = 0;
	struct stat st;
	DIR *d = NULL;
	struct dirent *de;
	size_t i, k;

	memset(repo, 0, sizeof(*repo));
	if (!dashes) {
		snprintf(warn, warnlen, "Repo path is not a valid HuggingFace cache directory: %s/%s", root, name);
		return -1;
	}
	{
		char type[16];
		size_t tl = (size_t)(dashes - name);

		if (tl == 0 || tl >= sizeof(type) || name[tl - 1] != 's') {
			snprintf(warn, warnlen, "Repo type must be `dataset`, `model` or `space`, found `%.*s`: %s/%s",
				 (int)tl, name, root, name);
			return -1;
		}
		memcpy(type, name, tl - 1);
		type[tl - 1] = '\0';
		hf_repo_type_parse(&repo->repo_type, type);
		if (strcmp(type, "model") && strcmp(type, "dataset") && strcmp(type, "space")) {
			snprintf(warn, warnlen, "Repo type must be `dataset`, `model` or `space`, found `%s`: %s/%s",
				 type, root, name);
			return -1;
		}
	}
	{
		hf__buf id = HF__BUF_INIT, path = HF__BUF_INIT;
		const char *p;

		for (p = dashes + 2; *p; p++) {
			if (p[0] == '-' && p[1] == '-') {
				hf__buf_puts(&id, "/");
				p++;
			} else {
				hf__buf_append(&id, p, 1);
			}
		}
		hf__buf_printf(&path, "%s/%s", root, name);
		repo->repo_id = hf__buf_detach(&id);
		repo->repo_path = hf__buf_detach(&path);
		if (!repo->repo_id || !repo->repo_path)
			return -2;
	}
	repo_fd = open(repo->repo_path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (repo_fd < 0) {
		snprintf(warn, warnlen, "Repo path is not a directory: %s", repo->repo_path);
		rc = -1;
		goto done;
	}
	snaps_fd = openat(repo_fd, "snapshots", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (snaps_fd < 0) {
		snprintf(warn, warnlen, "Snapshots dir doesn't exist in cached repo: %s/snapshots", repo->repo_path);
		rc = -1;
		goto done;
	}
	if (fstatat(repo_fd, "refs", &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			snprintf(warn, warnlen, "Refs directory cannot be a file: %s/refs", repo->repo_path);
			rc = -1;
			goto done;
		}
		refs_fd = openat(repo_fd, "refs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (refs_fd >= 0 && read_refs(refs_fd, "", &rf, 0) == -2) {
			rc = -2;
			goto done;
		}
	}
	blobs_fd = openat(repo_fd, "blobs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (blobs_fd >= 0 && note_incomplete(blobs_fd, repo->repo_path, info) < 0) {
		rc = -2;
		goto done;
	}
	{
		int fd = dup(snaps_fd);

		d = fd >= 0 ? fdopendir(fd) : NULL;
		if (!d && fd >= 0)
			close(fd);
	}
	while (d && (de = readdir(d)) && !rc) {
		hf_cached_revision *revs, *rev;
		walk w;
		int sub;

		if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		if (fstatat(snaps_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if (!S_ISDIR(st.st_mode)) {
			snprintf(warn, warnlen, "Snapshots folder corrupted. Found a file: %s/snapshots/%s",
				 repo->repo_path, de->d_name);
			rc = -1;
			break;
		}
		/*
		 * A revision is named by its folder. A longer name (say "<commit>.bak")
		 * does not fit commit_hash: cut to 40 characters it would alias the
		 * real <commit>, its files would be reported in that folder, and a
		 * delete or prune of the stray copy would remove the real revision.
		 */
		if (strlen(de->d_name) >= sizeof(((hf_cached_revision *)0)->commit_hash)) {
			snprintf(warn, warnlen,
				 "Snapshots folder corrupted. Found a folder that is not a commit (name longer than 40 characters): %s/snapshots/%s",
				 repo->repo_path, de->d_name);
			rc = -1;
			break;
		}
		revs = realloc(repo->revisions, (repo->nb_revisions + 1) * sizeof(*revs));
		if (!revs) {
			rc = -2;
			break;
		}
		repo->revisions = revs;
		rev = &repo->revisions[repo->nb_revisions++];
		memset(rev, 0, sizeof(*rev));
		memcpy(rev->commit_hash, de->d_name, strlen(de->d_name) + 1); /* fits: checked above */
		{
			hf__buf p = HF__BUF_INIT;

			hf__buf_printf(&p, "%s/snapshots/%s", repo->repo_path, de->d_name);
			rev->snapshot_path = hf__buf_detach(&p);
		}
		rev->last_modified = (int64_t)st.st_mtime;
		memset(&w, 0, sizeof(w));
		w.repo_dir = repo->repo_path;
		w.blobs_fd = blobs_fd;
		w.blobs = &blobs;
		w.rev = rev;
		w.rev_index = (int)repo->nb_revisions - 1;
		w.warn = warn;
		w.warnlen = warnlen;
		sub = openat(snaps_fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub >= 0) {
			rc = walk_dir(&w, sub, "", 0);
			close(sub);
		}
		if (!rc && w.corrupt)
			rc = -1;
		if (rev->nb_files > 1)
			qsort(rev->files, rev->nb_files, sizeof(*rev->files), cmp_file);
	}
	if (rc)
		goto done;
	/* Refs must name cached commits. */
	for (k = 0; k < rf.count; k++) {
		hf_cached_revision *match = NULL;

		for (i = 0; i < repo->nb_revisions; i++)
			if (strcmp(repo->revisions[i].commit_hash, rf.items[k].commit) == 0)
				match = &repo->revisions[i];
		if (!match) {
			snprintf(warn, warnlen, "Reference(s) refer to missing commit hashes: (%s: %s) in %s",
				 rf.items[k].name, rf.items[k].commit, repo->repo_path);
			rc = -1;
			goto done;
		}
		if (hf__strlist_push(&match->refs, rf.items[k].name) < 0) {
			rc = -2;
			goto done;
		}
	}
	/* Refs in name order, whatever order readdir() gave them in. */
	for (i = 0; i < repo->nb_revisions; i++)
		if (repo->revisions[i].refs.count > 1)
			qsort(repo->revisions[i].refs.items, repo->revisions[i].refs.count, sizeof(char *),
			      cmp_ref_name);
	if (repo->nb_revisions > 1)
		qsort(repo->revisions, repo->nb_revisions, sizeof(*repo->revisions), cmp_rev);
	for (i = 0; i < blobs.cap; i++) {
		const blob *b = &blobs.slots[i];

		if (!b->name)
			continue;
		repo->size_on_disk += b->size;
		repo->nb_files++;
		if (b->atime > repo->last_accessed)
			repo->last_accessed = b->atime;
		if (b->mtime > repo->last_modified)
			repo->last_modified = b->mtime;
	}
	if (!blobs.count && fstat(repo_fd, &st) == 0) {
		repo->last_accessed = (int64_t)st.st_atime;
		repo->last_modified = (int64_t)st.st_mtime;
	}
done:
	if (d)
		closedir(d);
	if (repo_fd >= 0)
		close(repo_fd);
	if (snaps_fd >= 0)
		close(snaps_fd);
	if (blobs_fd >= 0)
		close(blobs_fd);
	if (refs_fd >= 0)
		close(refs_fd);
	free(blobs.slots);
	refs_dispose(&rf);
	if (rc)
		hf__cached_repo_dispose(repo);
	return rc;
}

static int cmp_repo(const void *a, const void *b)
{
	const hf_cached_repo *x = a, *y = b;

	if (x->repo_type != y->repo_type)
		return (int)x->repo_type - (int)y->repo_type;
	return strcmp(x->repo_id, y->repo_id);
}

int hf_cache_scan(hf_cache_info **out, hf_client *c, const char *cache_dir)
{
	static const char *const skip[] = { ".locks", "CACHEDIR.TAG", ".DS_Store", "Thumbs.db",
					    "desktop.ini", NULL };
	hf_cache_info *info;
	struct dirent *de;
	DIR *d;
	int rc = HF_OK;

	if (!c || !out)
		return HF_EINVAL;
	*out = NULL;
	hf__error_clear(c);
	info = calloc(1, sizeof(*info));
	if (!info || !(info->cache_dir = hf__cache_root(c, cache_dir))) {
		free(info);
		return hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
	}
	d = opendir(info->cache_dir);
	if (!d) {
		int err = errno;

		rc = err == ENOENT ? hf__error_set(c, HF_ENOTFOUND,
						   "nothing has been downloaded here yet; HF_HOME and HF_HUB_CACHE choose the place",
						   "Cache directory not found: %s", info->cache_dir)
				   : hf__error_set(c, HF_EIO, NULL, "cannot read cache directory '%s': %s",
						   info->cache_dir, strerror(err));
		hf_cache_info_free(info);
		return rc;
	}
	while ((de = readdir(d))) {
		hf_cached_repo repo, *repos;
		char warn[1200];
		int i, skipped = 0, r;

		if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		for (i = 0; skip[i]; i++)
			if (strcmp(de->d_name, skip[i]) == 0)
				skipped = 1;
		if (skipped)
			continue;
		warn[0] = '\0';
		r = hf__scan_repo(info->cache_dir, de->d_name, &repo, info, warn, sizeof(warn));
		if (r == -2) {
			rc = hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
			break;
		}
		if (r < 0) {
			if (hf__strlist_push(&info->warnings, warn) < 0) {
				rc = hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
				break;
			}
			continue;
		}
		repos = realloc(info->repos, (info->nb_repos + 1) * sizeof(*repos));
		if (!repos) {
			hf__cached_repo_dispose(&repo);
			rc = hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
			break;
		}
		info->repos = repos;
		info->repos[info->nb_repos++] = repo;
		info->size_on_disk += repo.size_on_disk;
	}
	closedir(d);
	if (rc) {
		hf_cache_info_free(info);
		return rc;
	}
	if (info->nb_repos > 1)
		qsort(info->repos, info->nb_repos, sizeof(*info->repos), cmp_repo);
	*out = info;
	return HF_OK;
}

void hf_cache_info_free(hf_cache_info *info)
{
	size_t i;

	if (!info)
		return;
	for (i = 0; i < info->nb_repos; i++)
		hf__cached_repo_dispose(&info->repos[i]);
	free(info->repos);
	free(info->cache_dir);
	hf_strlist_dispose(&info->warnings);
	hf_strlist_dispose(&info->incomplete_files);
	free(info);
}

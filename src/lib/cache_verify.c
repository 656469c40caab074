/*
 * hf_cache_verify: re-hash what is on disk. Against the Hub's listing
 * (sha256 for LFS files, git blob sha1 for the others) when there is one,
 * else against the blob names, which are those same hashes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cache_scan.h"
#include "download_int.h"
#include "hash.h"
#include "util.h"
#include "validate.h"

static int add_issue(hf_verify_result *r, const char *file, hf_verify_issue_kind kind,
		     const char *problem)
{
	hf_verify_issue *items = realloc(r->issues, (r->nb_issues + 1) * sizeof(*items));

	if (!items)
		return -1;
	r->issues = items;
	items[r->nb_issues].file = hf__strdup(file);
	items[r->nb_issues].problem = hf__strdup(problem);
	items[r->nb_issues].kind = kind;
	if (!items[r->nb_issues].file || !items[r->nb_issues].problem) {
		free(items[r->nb_issues].file);
		free(items[r->nb_issues].problem);
		return -1;
	}
	r->nb_issues++;
	if (kind == HF_VERIFY_MISMATCH)
		r->mismatches++;
	else if (kind == HF_VERIFY_MISSING)
		r->missing++;
	else
		r->extra++;
	return 0;
}

/* Hash path (following a snapshot link) and compare with etag. */
static int check_file(hf_verify_result *r, const char *rel, const char *path, const char *etag,
		      uint64_t expected_size)
{
	hf__hash_kind kind = hf__hash_kind_for_etag(etag);
	char got[65], msg[256];
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		return add_issue(r, rel, HF_VERIFY_MISSING, "missing (or a broken link)");
	}
	if (expected_size != UINT64_MAX && (uint64_t)st.st_size != expected_size) {
		close(fd);
		snprintf(msg, sizeof(msg), "size mismatch: expected %llu bytes, found %llu",
			 (unsigned long long)expected_size, (unsigned long long)st.st_size);
		return add_issue(r, rel, HF_VERIFY_MISMATCH, msg);
	}
	rc = hf__hash_fd(fd, kind, (uint64_t)st.st_size, got);
	close(fd);
	if (rc) {
		snprintf(msg, sizeof(msg), "cannot read: %s", strerror(rc < 0 ? -rc : EIO));
		return add_issue(r, rel, HF_VERIFY_MISMATCH, msg);
	}
	if (strcmp(got, etag) != 0) {
		snprintf(msg, sizeof(msg), "hash mismatch: expected %s %s, got %s",
			 kind == HF__HASH_SHA256 ? "sha256" : "git-sha1", etag, got);
		return add_issue(r, rel, HF_VERIFY_MISMATCH, msg);
	}
	r->verified++;
	return 0;
}

typedef struct walk_ctx {
	hf_verify_result *r;
	const hf__tree *tree;   /* NULL: verify against blob names */
	const char *base;
	int oom;
} walk_ctx;

/* Walk a snapshot (or local) folder: extra files, and offline checks. */
static void walk(walk_ctx *w, const char *rel, int depth)
{
	hf__buf dir = HF__BUF_INIT;
	struct dirent *de;
	DIR *d;

	if (depth > 64 || hf__buf_printf(&dir, "%s%s%s", w->base, *rel ? "/" : "", rel) < 0)
		return;
	d = opendir(dir.data);
	while (d && (de = readdir(d)) && !w->oom) {
		hf__buf child = HF__BUF_INIT, full = HF__BUF_INIT;
		struct stat st;

		if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		if (!*rel && strcmp(de->d_name, ".cache") == 0)
			continue; /* local_dir bookkeeping */
		hf__buf_printf(&child, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
		hf__buf_printf(&full, "%s/%s", dir.data, de->d_name);
		if (child.data && full.data && lstat(full.data, &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				walk(w, child.data, depth + 1);
			} else if (w->tree) {
				if (!hf__tree_find(w->tree, child.data) &&
				    add_issue(w->r, child.data, HF_VERIFY_EXTRA, "not in the repository") < 0)
					w->oom = 1;
			} else if (S_ISLNK(st.st_mode)) {
				char target[1024];
				ssize_t n = readlink(full.data, target, sizeof(target) - 1);
				const char *name;

				if (n > 0) {
					target[n] = '\0';
					name = strrchr(target, '/');
					name = name ? name + 1 : target;
					if (hf__is_etag(name) &&
					    check_file(w->r, child.data, full.data, name, UINT64_MAX) < 0)
						w->oom = 1;
				}
			}
		}
		hf__buf_dispose(&child);
		hf__buf_dispose(&full);
	}
	if (d)
		closedir(d);
	hf__buf_dispose(&dir);
}

HF__DEFINE_INIT(hf_cache_verify_options_init, hf_cache_verify_options, HF_CACHE_VERIFY_OPTIONS_INIT, HF_CACHE_VERIFY_OPTIONS_VERSION)

/* The listing is the one of a snapshot download with the same settings. */
static void listing_options(hf_download_options *d, const hf_cache_verify_options *v)
{
	hf_download_options_init(d, HF_DOWNLOAD_OPTIONS_VERSION);
	d->repo_type = v->repo_type;
	d->revision = v->revision;
	d->include = v->include;
	d->include_count = v->include_count;
	d->exclude = v->exclude;
	d->exclude_count = v->exclude_count;
	d->cache_dir = v->cache_dir;
	d->local_dir = v->local_dir;
	d->token = v->token;
	d->offline = v->offline;
}

int hf_cache_verify(hf_verify_result **out, hf_client *c, const char *repo_id,
		    const hf_cache_verify_options *opts)
{
	hf_download_options dopts;
	hf__tree tree = { NULL, 0, 0 };
	hf_verify_result *r;
	char commit[41];
	char *repo_dir = NULL;
	hf__buf base = HF__BUF_INIT;
	int rc, listed = 0;
	size_t i;
	walk_ctx w;

	if (!c || !out)
		return HF_EINVAL;
	*out = NULL;
	if (opts && opts->version != HF_CACHE_VERIFY_OPTIONS_VERSION) {
		hf__error_clear(c);
		return hf__error_set(c, HF_EINVAL, NULL, "hf_cache_verify_options version %u is not supported",
				     opts->version);
	}
	if (opts)
		listing_options(&dopts, opts);
	rc = hf__download_listing(c, repo_id, opts ? &dopts : NULL, commit, &tree, &listed, &repo_dir);
	if (rc)
		return rc;
	r = calloc(1, sizeof(*r));
	if (!r) {
		rc = hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
		goto done;
	}
	memcpy(r->commit, commit, 41);
	if (opts && opts->local_dir)
		hf__buf_puts(&base, opts->local_dir);
	else
		hf__buf_printf(&base, "%s/snapshots/%s", repo_dir, commit);
	if (!base.data) {
		rc = hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
		goto done;
	}
	{
		struct stat st;

		if (stat(base.data, &st) != 0 || !S_ISDIR(st.st_mode)) {
			rc = hf__error_set(c, HF_ENOTFOUND, "download it first",
					   "revision %s of '%s' is not in the cache (%s)", commit, repo_id,
					   base.data);
			hf__error_remedy(c, HF_REMEDY_DOWNLOAD_FIRST);
			goto done;
		}
	}
	for (i = 0; listed && i < tree.count; i++) {
		const hf__tree_file *f = &tree.files[i];
		hf__buf p = HF__BUF_INIT;
		struct stat st;
		int e;

		if (opts && !hf__filter_match(f->path, opts->include, opts->include ? opts->include_count : 0,
					      opts->exclude, opts->exclude ? opts->exclude_count : 0))
			continue;
		hf__buf_printf(&p, "%s/%s", base.data, f->path);
		if (!p.data)
			e = -1;
		else if (lstat(p.data, &st) != 0)
			e = add_issue(r, f->path, HF_VERIFY_MISSING, "missing");
		else
			e = check_file(r, f->path, p.data, hf__tree_file_etag(f), f->size);
		hf__buf_dispose(&p);
		if (e < 0) {
			rc = hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
			goto done;
		}
	}
	memset(&w, 0, sizeof(w));
	w.r = r;
	w.tree = listed ? &tree : NULL;
	w.base = base.data;
	walk(&w, "", 0);
	if (w.oom)
		rc = hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
done:
	if (rc) {
		hf_verify_result_free(r);
	} else {
		*out = r;
		hf__error_clear(c);
	}
	hf__buf_dispose(&base);
	hf__tree_dispose(&tree);
	free(repo_dir);
	return rc;
}

void hf_verify_result_free(hf_verify_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nb_issues; i++) {
		free(r->issues[i].file);
		free(r->issues[i].problem);
	}
	free(r->issues);
	free(r);
}

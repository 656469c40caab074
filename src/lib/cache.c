#include "cache.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"
#include "repo.h"
#include "util.h"
#include "validate.h"

static const char cachedir_tag[] =
	"Signature: 8a477f597d28d172789f06886806bc55\n"
	"# This file is a cache directory tag created by huggingface_hub.\n"
	"# For information about cache directory tags, see:\n"
	"#\thttps://bford.info/cachedir/\n";

#define DIR_MEMO_MAX 64

struct hf__dir_memo {
	pthread_mutex_t mu;
	size_t n;
	char *path[DIR_MEMO_MAX];
};

int hf__repo_cache_mkdirs(const hf__repo_cache *rc, const char *base, const char *rel)
{
	hf__dir_memo *m = rc->made;
	char *key = hf__path_join(base, rel);
	size_t i;
	int found = 0, r;

	if (!key)
		return -ENOMEM;
	if (m) {
		pthread_mutex_lock(&m->mu);
		for (i = 0; i < m->n && !found; i++)
			found = strcmp(m->path[i], key) == 0;
		pthread_mutex_unlock(&m->mu);
	}
	if (found) {
		free(key);
		return 0;
	}
	r = hf__mkdirs_under(base, rel, 0777);
	if (r == 0 && m) {
		pthread_mutex_lock(&m->mu);
		if (m->n < DIR_MEMO_MAX) {
			m->path[m->n++] = key;
			key = NULL;
		}
		pthread_mutex_unlock(&m->mu);
	}
	free(key);
	return r;
}

int hf__repo_cache_init(hf__repo_cache *rc, const char *root, hf_repo_type type, const char *repo_id)
{
	memset(rc, 0, sizeof(*rc));
	rc->root = hf__strdup(root);
	rc->folder = hf__repo_folder(type, repo_id);
	rc->repo_dir = rc->root && rc->folder ? hf__path_join(rc->root, rc->folder) : NULL;
	rc->made = calloc(1, sizeof(*rc->made));
	if (rc->made)
		pthread_mutex_init(&rc->made->mu, NULL);
	if (!rc->repo_dir || !rc->made) {
		hf__repo_cache_dispose(rc);
		return -ENOMEM;
	}
	return 0;
}

void hf__repo_cache_dispose(hf__repo_cache *rc)
{
	if (rc->made) {
		size_t i;

		for (i = 0; i < rc->made->n; i++)
			free(rc->made->path[i]);
		pthread_mutex_destroy(&rc->made->mu);
		free(rc->made);
	}
	free(rc->root);
	free(rc->folder);
	free(rc->repo_dir);
	memset(rc, 0, sizeof(*rc));
}

char *hf__cache_path(const hf__repo_cache *rc, const char *fmt, ...)
{
	hf__buf b = HF__BUF_INIT;
	va_list ap;
	int rc2;

	if (hf__buf_printf(&b, "%s/", rc->repo_dir) < 0)
		return NULL;
	va_start(ap, fmt);
	rc2 = hf__buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (rc2 < 0) {
		hf__buf_dispose(&b);
		return NULL;
	}
	return hf__buf_detach(&b);
}

static int ref_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int hf__ref_parse(const char *text, size_t len, char commit[41])
{
	const char *p = text, *end = text + len;

	commit[0] = '\0';
	while (p < end && ref_space(*p))
		p++;
	while (end > p && ref_space(end[-1]))
		end--;
	if (end - p != 40)
		return 0;
	memcpy(commit, p, 40);
	commit[40] = '\0';
	if (!hf__is_commit_hash(commit)) {
		commit[0] = '\0';
		return 0;
	}
	return 1;
}

int hf__cache_read_ref(const hf__repo_cache *rc, const char *rev, char commit[41])
{
	char *path = hf__cache_path(rc, "refs/%s", rev);
	char *text = NULL;
	size_t len = 0;
	int ok = 0;

	commit[0] = '\0';
	if (path && hf__read_file(path, 4096, &text, &len) == 0)
		ok = hf__ref_parse(text, len, commit);
	free(text);
	free(path);
	return ok;
}

int hf__cache_write_ref(const hf__repo_cache *rc, const char *rev, const char *commit)
{
	char current[41];
	char *path, *dir;
	int rc2;

	if (hf__cache_read_ref(rc, rev, current) && strcmp(current, commit) == 0)
		return 0;
	dir = hf__cache_path(rc, "refs/%s", rev);
	if (!dir)
		return -ENOMEM;
	/* Directories of refs/<a/b/c>: "refs" plus the revision's parents. */
	{
		char *slash = strrchr(dir, '/');

		*slash = '\0';
		rc2 = hf__mkdirs_under(rc->repo_dir, dir + strlen(rc->repo_dir) + 1, 0777);
		*slash = '/';
	}
	path = dir;
	if (!rc2)
		rc2 = hf__write_file_atomic(path, commit, strlen(commit), 0644);
	free(path);
	return rc2;
}

/* The link target the official client writes for file at this depth. */
static char *pointer_target(const char *file, const char *etag)
{
	hf__buf b = HF__BUF_INIT;
	const char *p;

	if (hf__buf_puts(&b, "../../") < 0)
		return NULL;
	for (p = file; *p; p++) {
		if (*p == '/' && hf__buf_puts(&b, "../") < 0) {
			hf__buf_dispose(&b);
			return NULL;
		}
	}
	if (hf__buf_printf(&b, "blobs/%s", etag) < 0) {
		hf__buf_dispose(&b);
		return NULL;
	}
	return hf__buf_detach(&b);
}

int hf__cache_pointer_ok(const hf__repo_cache *rc, const char *commit, const char *file)
{
	char *path = hf__cache_path(rc, "snapshots/%s/%s", commit, file);
	char *blob = NULL;
	char target[512];
	struct stat st;
	ssize_t n;
	int ok = 0;

	if (!path)
		return 0;
	/* readlink first: one call answers the usual case (a link to a blob). */
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0) {
		/* A cache made without symbolic links holds regular files. */
		ok = errno == EINVAL && lstat(path, &st) == 0 && S_ISREG(st.st_mode);
		goto done;
	}
	if (n == 0 || (size_t)n >= sizeof(target) - 1)
		goto done;
	target[n] = '\0';
	{
		const char *slash = strrchr(target, '/');
		char *expected = slash ? pointer_target(file, slash + 1) : NULL;

		/* Only the official shape, to a blob of this repo that exists. */
		ok = expected && strcmp(expected, target) == 0 && hf__is_etag(slash + 1) &&
		     (blob = hf__cache_path(rc, "blobs/%s", slash + 1)) != NULL &&
		     lstat(blob, &st) == 0 && S_ISREG(st.st_mode); /* a planted link is no blob */
		free(expected);
	}
done:
	free(blob);
	free(path);
	return ok;
}

int hf__cache_link(const hf__repo_cache *rc, const char *commit, const char *file, const char *etag)
{
	char *target = pointer_target(file, etag);
	char *rel = NULL, *path = NULL, *tmp = NULL;
	int rc2 = -ENOMEM;

	if (!target)
		goto done;
	path = hf__cache_path(rc, "snapshots/%s/%s", commit, file);
	rel = path ? hf__strdup(path + strlen(rc->repo_dir) + 1) : NULL;
	if (!rel)
		goto done;
	*strrchr(rel, '/') = '\0';
	rc2 = hf__repo_cache_mkdirs(rc, rc->repo_dir, rel);
	if (rc2)
		goto done;
	/* The usual case, a new entry: one atomic call. */
	if (symlink(target, path) == 0)
		goto done;
	if (errno == ENOENT) {
		/* The directory went away since it was made (hf cache rm): again. */
		rc2 = hf__mkdirs_under(rc->repo_dir, rel, 0777);
		if (rc2)
			goto done;
		if (symlink(target, path) == 0)
			goto done;
	}
	if (errno != EEXIST) {
		rc2 = -errno;
		goto done;
	}
	tmp = hf__unique_name(path, "tmp");
	if (!tmp) {
		rc2 = -ENOMEM;
		goto done;
	}
	/* Replacing an entry: a link under a temporary name, renamed over. */
	if (symlink(target, tmp) != 0 || rename(tmp, path) != 0) {
		rc2 = -errno;
		unlink(tmp);
	}
done:
	free(target);
	free(rel);
	free(path);
	free(tmp);
	return rc2;
}

void hf__cache_mark_missing(const hf__repo_cache *rc, const char *commit, const char *file)
{
	char *path = hf__cache_path(rc, ".no_exist/%s/%s", commit, file);
	char *rel = path ? hf__strdup(path + strlen(rc->repo_dir) + 1) : NULL;
	int fd;

	if (rel) {
		*strrchr(rel, '/') = '\0';
		if (hf__mkdirs_under(rc->repo_dir, rel, 0777) == 0) {
			fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
			if (fd >= 0)
				close(fd);
		}
	}
	free(rel);
	free(path);
}

int hf__cache_blob_ok(const hf__repo_cache *rc, const char *etag, uint64_t size)
{
	char *path = hf__cache_path(rc, "blobs/%s", etag);
	struct stat st;
	int ok = path && lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		 (uint64_t)st.st_size == size;

	free(path);
	return ok;
}

void hf__cache_ensure_tag(const char *root)
{
	char *path = hf__path_join(root, "CACHEDIR.TAG");
	struct stat st;

	if (path && lstat(path, &st) != 0 && errno == ENOENT &&
	    hf__mkdirs(root, 0777, NULL) == 0)
		(void)hf__write_file_atomic(path, cachedir_tag, sizeof(cachedir_tag) - 1, 0644);
	free(path);
}

void hf__cache_prepare_local(const char *folder, const char *rel)
{
	char *base, *gi;
	struct stat st;

	if (hf__mkdirs_under(folder, rel, 0777) != 0)
		return;
	base = hf__path_join(folder, ".cache/huggingface");
	gi = base ? hf__path_join(base, ".gitignore") : NULL;
	if (gi && lstat(gi, &st) != 0)
		(void)hf__write_file_atomic(gi, "*", 1, 0644);
	if (base)
		hf__cache_ensure_tag(base);
	free(base);
	free(gi);
}

int hf__cache_lock(const hf__repo_cache *rc, const char *etag)
{
	hf__buf rel = HF__BUF_INIT, path = HF__BUF_INIT;
	int rc2;

	if (hf__buf_printf(&rel, ".locks/%s", rc->folder) < 0 ||
	    hf__buf_printf(&path, "%s/.locks/%s/%s.lock", rc->root, rc->folder, etag) < 0) {
		hf__buf_dispose(&rel);
		hf__buf_dispose(&path);
		return -ENOMEM;
	}
	rc2 = hf__repo_cache_mkdirs(rc, rc->root, rel.data);
	if (!rc2)
		rc2 = hf__lock_path(path.data);
	hf__buf_dispose(&rel);
	hf__buf_dispose(&path);
	return rc2;
}

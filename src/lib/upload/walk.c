/* The folder walk of folder uploads (walk.h). */
#include "walk.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "paths.h"
#include "util.h"

typedef struct walker {
	const char *folder;
	char *root;                 /* realpath of folder */
	size_t root_len;
	const char *const *inc, *const *exc;
	size_t n_inc, n_exc;
	hf__walk *out;
	char **bad;
} walker;

static char *join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 2);

	if (!s)
		return NULL;
	memcpy(s, a, la);
	s[la] = '/';
	memcpy(s + la + 1, b, lb + 1);
	return s;
}

static int push(walker *w, const char *rel, const char *abs)
{
	hf__walk *o = w->out;

	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 64;
		hf__walk_file *nf = realloc(o->files, cap * sizeof(*nf));

		if (!nf)
			return -ENOMEM;
		o->files = nf;
		o->cap = cap;
	}
	o->files[o->n].rel = hf__strdup(rel);
	o->files[o->n].abs = hf__strdup(abs);
	if (!o->files[o->n].rel || !o->files[o->n].abs) {
		free(o->files[o->n].rel);
		free(o->files[o->n].abs);
		return -ENOMEM;
	}
	o->n++;
	return 0;
}

/* A directory never walked: ".git", and "huggingface" right under ".cache". */
static int pruned(const char *rel, const char *name)
{
	size_t lr = strlen(rel), ln = strlen(name);

	if (strcmp(name, ".git") == 0)
		return 1;
	if (strcmp(name, "huggingface") != 0)
		return 0;
	/* rel ends with name; what is before must be ".cache/" at a component start. */
	return lr >= ln + 7 && memcmp(rel + lr - ln - 7, ".cache/", 7) == 0 &&
	       (lr == ln + 7 || rel[lr - ln - 8] == '/');
}

/* A link's target inside the folder (all links resolved)? */
static int inside(const walker *w, const char *abs)
{
	char *real = realpath(abs, NULL);
	int ok;

	if (!real)
		return 0;
	ok = strncmp(real, w->root, w->root_len) == 0 &&
	     (real[w->root_len] == '/' || (w->root_len == 1 && w->root[0] == '/'));
	free(real);
	return ok;
}

static int walk_dir(walker *w, const char *rel)
{
	char *dir = rel ? join(w->folder, rel) : hf__strdup(w->folder);
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (!dir)
		return -ENOMEM;
	d = opendir(dir);
	if (!d) {
		rc = -errno;
		if (w->bad)
			*w->bad = dir;
		else
			free(dir);
		return rc;
	}
	while (!rc && (errno = 0, de = readdir(d)) != NULL) {
		char *r, *abs;
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		r = rel ? join(rel, de->d_name) : hf__strdup(de->d_name);
		abs = r ? join(w->folder, r) : NULL;
		if (!r || !abs) {
			rc = -ENOMEM;
		} else if (lstat(abs, &st) != 0) {
			/* Gone since readdir: nothing to upload. */
		} else if (S_ISDIR(st.st_mode)) {
			if (!pruned(r, de->d_name))
				rc = walk_dir(w, r);
		} else if (S_ISREG(st.st_mode)) {
			if (hf__upload_walk_keep(r, w->inc, w->n_inc, w->exc, w->n_exc))
				rc = push(w, r, abs);
		} else if (S_ISLNK(st.st_mode)) {
			if (stat(abs, &st) == 0 && S_ISREG(st.st_mode) && inside(w, abs)) {
				if (hf__upload_walk_keep(r, w->inc, w->n_inc, w->exc, w->n_exc))
					rc = push(w, r, abs);
			} else {
				w->out->skipped_links++;
			}
		}
		free(r);
		free(abs);
	}
	if (!rc && errno) {
		rc = -errno;
		if (w->bad) {
			*w->bad = dir;
			dir = NULL;
		}
	}
	closedir(d);
	free(dir);
	return rc;
}

static int cmp_rel(const void *a, const void *b)
{
	return strcmp(((const hf__walk_file *)a)->rel, ((const hf__walk_file *)b)->rel);
}

int hf__walk_folder(const char *folder, const char *const *include, size_t n_include,
		    const char *const *exclude, size_t n_exclude, hf__walk *out, char **bad)
{
	walker w;
	struct stat st;
	int rc;

	if (bad)
		*bad = NULL;
	if (stat(folder, &st) != 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	memset(&w, 0, sizeof(w));
	w.folder = folder;
	w.root = realpath(folder, NULL);
	if (!w.root)
		return -errno;
	w.root_len = strlen(w.root);
	w.inc = include;
	w.n_inc = n_include;
	w.exc = exclude;
	w.n_exc = n_exclude;
	w.out = out;
	w.bad = bad;
	rc = walk_dir(&w, NULL);
	free(w.root);
	if (rc) {
		hf__walk_dispose(out);
		return rc;
	}
	qsort(out->files, out->n, sizeof(*out->files), cmp_rel);
	return 0;
}

void hf__walk_dispose(hf__walk *w)
{
	size_t i;

	for (i = 0; i < w->n; i++) {
		free(w->files[i].rel);
		free(w->files[i].abs);
	}
	free(w->files);
	w->files = NULL;
	w->n = w->cap = 0;
}

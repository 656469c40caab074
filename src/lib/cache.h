/*
 * The cache layout shared with the official client (docs/internals/cache.md):
 * <root>/<type>s--<org>--<name>/{blobs,refs,snapshots,.no_exist,trees}.
 * Every remote-supplied name is validated before it reaches these.
 */
#ifndef HF_CACHE_H
#define HF_CACHE_H

#include "hf/download.h"

typedef struct hf__dir_memo hf__dir_memo;

typedef struct hf__repo_cache {
	char *root;     /* the hub cache directory */
	char *folder;   /* models--org--name */
	char *repo_dir; /* root/folder */
	hf__dir_memo *made; /* directories this object already created or found */
} hf__repo_cache;

/* 0 or -ENOMEM. */
int hf__repo_cache_init(hf__repo_cache *rc, const char *root, hf_repo_type type, const char *repo_id);
void hf__repo_cache_dispose(hf__repo_cache *rc);

/*
 * hf__mkdirs_under(base, rel) once per directory for the life of rc: a
 * download of 2,000 files asks for the same few directories every time.
 * Thread-safe. 0 or a negative errno.
 */
int hf__repo_cache_mkdirs(const hf__repo_cache *rc, const char *base, const char *rel);

/* repo_dir + "/" + formatted path. Heap string. */
char *hf__cache_path(const hf__repo_cache *rc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The commit a ref file's text names: len bytes, white space (space, tab,
 * CR, LF) around it ignored. 1 and commit set when what is left is a
 * 40-hex commit; else 0 (the ref is treated as absent).
 */
int hf__ref_parse(const char *text, size_t len, char commit[41]);
/* refs/<rev> when it holds a valid commit: 1 and commit set; else 0. */
int hf__cache_read_ref(const hf__repo_cache *rc, const char *rev, char commit[41]);
/* Write refs/<rev> atomically, only when it changes. 0 or -errno. */
int hf__cache_write_ref(const hf__repo_cache *rc, const char *rev, const char *commit);

/*
 * 1 when snapshots/<commit>/<file> is usable: a regular file, or a
 * symbolic link of the official shape (../../blobs/<etag>, one more ../
 * per sub-directory) to an existing regular blob. A dangling link or one
 * that points elsewhere is not.
 */
int hf__cache_pointer_ok(const hf__repo_cache *rc, const char *commit, const char *file);
/* Point snapshots/<commit>/<file> at blobs/<etag> (relative link, atomic). 0 or -errno. */
int hf__cache_link(const hf__repo_cache *rc, const char *commit, const char *file, const char *etag);
/* Touch .no_exist/<commit>/<file>. Best effort. */
void hf__cache_mark_missing(const hf__repo_cache *rc, const char *commit, const char *file);
/* 1 when blobs/<etag> is a regular file of the given size. */
int hf__cache_blob_ok(const hf__repo_cache *rc, const char *etag, uint64_t size);
/* Write <root>/CACHEDIR.TAG if missing. Best effort. */
void hf__cache_ensure_tag(const char *root);
/*
 * <folder>/<rel> made (rel under .cache/huggingface), then
 * <folder>/.cache/huggingface given its .gitignore "*" and CACHEDIR.TAG,
 * as the official client makes the metadata folder of a local dir or of
 * a large upload. Best effort: nothing more when rel cannot be made.
 */
void hf__cache_prepare_local(const char *folder, const char *rel);
/* Take .locks/<folder>/<etag>.lock. fd or -errno. */
int hf__cache_lock(const hf__repo_cache *rc, const char *etag);

#endif
